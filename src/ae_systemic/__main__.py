"""Demonstration: ``python -m ae_systemic`` prints what the guideline says about ciclosporin."""

from __future__ import annotations

import sys
import textwrap

from ._assessment import CoMedication, Patient, assess
from ._dosing import daily_dose
from ._lookup import drug, guideline
from ._model import Drug
from ._vocabulary import Pathway, Phase, Phototherapy


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


def worked_assessment(subject: Drug) -> str:
    """A worked example: a pregnant 30-year-old with planned UVB and a CYP3A4 substrate."""
    patient = Patient(
        age="30 years",
        weight="65 kg",
        pregnant=True,
        phototherapy=frozenset({Phototherapy.UVB}),
        co_medications=(CoMedication("co-medication A", frozenset({Pathway.CYP3A4})),),
    )
    result = assess(subject, patient)
    lines = [
        "Worked assessment: 30 years, 65 kg, pregnant, UVB planned,"
        " takes co-medication A (a CYP3A4 substrate)",
        f"  regimen:  {result.regimen.label}; licensed: {'yes' if result.licensed else 'no'}",
    ]
    for finding in result.findings:
        refs = f" [refs {', '.join(map(str, finding.references))}]" if finding.references else ""
        wrapped = textwrap.wrap(f"{finding.message}{refs}", 74)
        lines.append(f"  {finding.kind}:")
        lines.extend(f"    {line}" for line in wrapped)
    return "\n".join(lines)


def main() -> int:
    subject = drug("ciclosporin")
    print(render(subject))
    print()
    print(worked_dose(subject))
    print()
    print(worked_assessment(subject))
    return 0


if __name__ == "__main__":
    sys.exit(main())
