"""Demonstration: ``python -m ae_systemic`` prints what the guideline says about ciclosporin."""

from __future__ import annotations

import sys
import textwrap

from ._dosing import daily_dose
from ._lookup import drug, guideline
from ._model import Drug
from ._vocabulary import Phase


def render(subject: Drug) -> str:
    """A plain-text summary of a drug's recommendations, evidence and dosing."""
    lines = [f"{guideline().title}", f"{subject.name} ({', '.join(subject.synonyms)})", ""]
    lines.append("Recommendations")
    for rec in subject.recommendations:
        arrow = str(rec.strength) if rec.strength else "–"
        consensus = rec.consensus.text if rec.consensus else "strength and consensus not stated"
        wrapped = textwrap.wrap(rec.statement, 72)
        lines.append(f"  {arrow:<3}{wrapped[0]}")
        lines.extend(f"     {line}" for line in wrapped[1:])
        lines.append(f"     [{consensus}]")
    lines += ["", "Evidence: standardised mean difference vs placebo, up to 16 weeks (95% CI)"]
    for est in subject.evidence:
        refs = ",".join(str(n) for n in est.references)
        lines.append(
            f"  {est.certainty.symbol} {est.certainty.label:<9} {est.dose_level!s:<12}"
            f"{est.outcome!s:<16}{est.estimate:>5.1f} ({est.ci_low:.1f}, {est.ci_high:.1f})"
            f"  refs {refs}"
        )
    lines += ["", "Dosing"]
    lines.extend(f"  {regimen}" for regimen in subject.regimens)
    lines.append(f"  licensed from {subject.licence.min_age_years} years of age")
    return "\n".join(lines)


def worked_dose(subject: Drug) -> str:
    """A worked example: the acute-flare dose of a 70 kg adult, through :func:`daily_dose`."""
    dose = daily_dose(subject, "70 kg", phase=Phase.ACUTE)
    return "\n".join(
        [
            "Worked dose: adult, 70 kg, acute flare",
            f"  daily:    {dose.low:~P} to {dose.high:~P}",
            f"  per dose: {dose.per_dose_low:~P} to {dose.per_dose_high:~P}, "
            f"{dose.doses_per_day} doses a day",
            f"  regimen:  {dose.regimen}",
        ]
    )


def main() -> int:
    subject = drug("ciclosporin")
    print(render(subject))
    print()
    print(worked_dose(subject))
    return 0


if __name__ == "__main__":
    sys.exit(main())
