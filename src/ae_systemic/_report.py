"""Plain-text reports for a terminal: a drug, a dose, an assessment, a monitoring calendar.

``ae-systemic show``, ``dose``, ``assess`` and ``schedule`` print these, and so does the
demonstration ``python -m ae_systemic``: one renderer for every text face.  Each fact is
worded by its own home (the model's properties such as
:attr:`~ae_systemic.Monitoring.summary`, :mod:`ae_systemic._text` for ranges and
reference lists); this module only lays the words out in sections, wrapped to
:data:`WIDTH` columns.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ._errors import printable_name
from ._model import combination_sentence
from ._text import (
    INTERVAL_AS_PRINTED,
    age_text,
    cited,
    counted,
    doses_a_day,
    exact,
    interval,
    listed,
    number,
    sentence,
)
from ._vocabulary import CombinationAdvice, in_order

if TYPE_CHECKING:
    import datetime

    from ._assessment import Assessment
    from ._dosing import DoseRange
    from ._model import Combination, Drug, Guideline, Statement
    from ._monitoring import Visit
    from ._patient import Patient
    from ._prescription import DoseCheck

__all__ = [
    "WIDTH",
    "assessment_report",
    "dose_lines",
    "drug_report",
    "schedule_report",
    "wrap",
]

#: Width of the reports, in characters.
WIDTH = 80

#: The widest column a regimen's label may take before its dose (longer labels stand alone).
_LABEL_COLUMN = 40


def wrap(text: str, indent: int, first: str = "") -> list[str]:
    """``text`` wrapped to :data:`WIDTH`, the first line after ``first``, the rest indented."""
    lines = textwrap.wrap(
        text,
        WIDTH,
        initial_indent=first.ljust(indent),
        subsequent_indent=" " * indent,
        break_on_hyphens=False,
    )
    return lines or [first]


# --- a drug ------------------------------------------------------------------------------


def drug_report(subject: Drug, source: Guideline) -> str:
    """Everything the section says about ``subject``, as the sections of a text report."""
    lines = [subject.name]
    lines += wrap(", ".join(subject.synonyms), 16, "also known as")
    if subject.atc is not None:
        lines += wrap(
            f"{subject.atc} (WHO ATC classification, not from the guideline)", 16, "ATC code"
        )
    lines += wrap(f"{source.title}; {source.chapter}", 16, "source")
    lines += ["", "Recommendations"]
    for rec in subject.recommendations:
        # Each stated on its own, as str(Recommendation) and the notebook give them.
        if rec.strength is None and rec.consensus is None:
            head = "–  strength and consensus not stated"
        else:
            strength = (
                f"{rec.strength.symbol:<3}{rec.strength.wording}"
                if rec.strength is not None
                else "–  strength not stated"
            )
            consensus = rec.consensus.text if rec.consensus is not None else "not stated"
            head = f"{strength}, consensus {consensus}"
        lines.append(f"  {rec.number:>2}. {head}")
        lines += wrap(cited(rec.statement, rec.references), 6)
        if rec.see_also:
            lines += wrap(f"See also: {rec.see_also}.", 6)
        if rec.note:
            lines += wrap(f"Note: {rec.note}", 6)
    lines += _statement_lines("Mechanism of action", subject.mechanism)
    lines += _statement_lines("Efficacy", subject.efficacy)
    lines += _evidence_lines(subject)
    if subject.comparisons:
        lines += ["", "Comparisons"]
        for comparison in subject.comparisons:
            lines += wrap(comparison.summary, 4, "  -")
            for finding in comparison.findings:
                lines += wrap(cited(finding.text, finding.references), 4, "    ")
    lines += _dosing_lines(subject)
    licence = subject.licence
    lines += ["", "Licence"]
    lines += wrap(cited(f"from {licence.min_age_years} years of age", licence.references), 2)
    for note in licence.notes:
        lines += wrap(cited(note.text, note.references), 2)
    monitoring, screening = subject.monitoring, subject.screening
    lines += ["", "Monitoring", *wrap(cited(monitoring.summary, monitoring.references), 2)]
    lines += wrap(monitoring.note, 2)
    lines += ["", "Screening", *wrap(cited(screening.summary, screening.references), 2)]
    if subject.combinations:
        lines += ["", "Combinations"]
        for group in _combination_groups(subject.combinations):
            lines += wrap(cited(combination_sentence(subject.name, group), group[0].references), 2)
    if subject.interactions:
        lines += ["", "Interactions"]
        for i in subject.interactions:
            lines += wrap(cited(i.summary, i.references), 10, f"  {i.pathway}")
        for consequence in dict.fromkeys(i.consequence for i in subject.interactions):
            lines += wrap(consequence, 2)
    for group_of_patients in subject.special_populations:
        lines += _statement_lines(sentence(group_of_patients.group), group_of_patients.statements)
    lines += _statement_lines("Safety", subject.safety)
    if subject.references:
        lines += ["", "References"]
        for reference in subject.references:
            text = str(reference).removeprefix(f"{reference.number}. ")
            lines += wrap(text, 6, f"  {reference.number:>2}.")
    return "\n".join(lines)


def _dosing_lines(subject: Drug) -> list[str]:
    """Each regimen's label, then its dose and note in a column; a label too long for the
    column stands on its own line, the dose below it.  No section without a regimen."""
    if not subject.regimens:
        return []
    lines = ["", "Dosing"]
    column = min(max(len(r.label) for r in subject.regimens) + 4, _LABEL_COLUMN)
    for regimen in subject.regimens:
        label = f"  {regimen.label}"
        if len(label) >= column:  # the dose would run into the label
            lines += wrap(regimen.label, 2)
            label = ""
        lines += wrap(cited(regimen.dose_text, regimen.references), column, label)
        if regimen.note:
            lines += wrap(regimen.note, column)
    return lines


def _statement_lines(heading: str, statements: Sequence[Statement]) -> list[str]:
    """A section of statements, each a bullet with its references."""
    if not statements:
        return []
    lines = ["", heading]
    for statement in statements:
        lines += wrap(cited(statement.text, statement.references), 4, "  -")
    return lines


def _evidence_lines(subject: Drug) -> list[str]:
    if not subject.evidence:
        return []
    kinds = {(e.measure, e.comparator, e.max_weeks, e.analysis) for e in subject.evidence}
    lines = ["", f"Evidence: GRADE certainty, estimate and {INTERVAL_AS_PRINTED}"]
    if len(kinds) == 1:
        measure, comparator, weeks, analysis = next(iter(kinds))
        lines += wrap(f"{analysis}: {measure} vs {comparator}, up to {weeks} weeks", 2)
    for est in subject.evidence:
        row = (
            f"  {est.certainty.symbol} {est.certainty.label:<9} {est.dose_level!s:<13}"
            f"{est.outcome!s:<17}{exact(est.estimate):>4} {interval(est.ci_low, est.ci_high)}"
        )
        if len(kinds) > 1:
            row += f" {est.measure} vs {est.comparator}, ≤{est.max_weeks} weeks ({est.analysis})"
        lines.append(cited(row, est.references))
    return lines


def _combination_groups(combinations: Sequence[Combination]) -> list[list[Combination]]:
    """Combinations with the same advice, condition, reason and references, together."""
    groups: dict[object, list[Combination]] = {}
    for c in combinations:
        alone = None if c.advice is CombinationAdvice.AVOID else c.therapy
        groups.setdefault((c.advice, c.condition, c.reason, c.references, alone), []).append(c)
    return list(groups.values())


# --- a dose ------------------------------------------------------------------------------


def dose_lines(
    dose: DoseRange[float], more: Sequence[str] = (), *, check: DoseCheck | None = None
) -> list[str]:
    """The regimen (with its references and note), the daily and single doses rounded into
    the range, ``more`` lines, and the fallback note.

    Beside a ``check`` of a prescription against ``dose``, the ranges are written as the
    check's message writes them (:func:`~ae_systemic._prescription.shown_ranges`), so
    that a prescribed amount within the range is never printed outside it.
    """
    from ._prescription import shown_ranges  # here: `show` need not import the prescriptions

    daily, single = shown_ranges(dose, check)
    lines = wrap(cited(str(dose.regimen), dose.references), 15, "  regimen")
    if dose.regimen.note:
        lines += wrap(dose.regimen.note, 15)
    lines.append(f"  {'daily dose':<13}{daily}")
    lines.append(f"  {'per dose':<13}{single}, {doses_a_day(dose.doses_per_day)}")
    lines += more
    if dose.fallback:
        lines += wrap(dose.fallback, 15, "  note")
    return lines


# --- an assessment -----------------------------------------------------------------------


def assessment_report(result: Assessment, patient: Patient, subject: Drug) -> str:
    """The patient, the population (and why), the dose and every finding, numbered."""
    facts = [
        age_text(patient.age.m_as("year"), days=True),
        f"{number(patient.weight.m_as('kg'), 2)} kg",
    ]
    if patient.pregnant:
        facts.append("pregnant")
    facts += [f"{p} planned" for p in in_order(patient.phototherapy)]
    for medicine in patient.co_medications:
        pathways = ", ".join(str(p) for p in in_order(medicine.pathways))
        name = printable_name(medicine.name)  # a line break in it must not forge a line
        facts.append(f"takes {name}" + (f" ({pathways})" if pathways else ""))
    lines = [result.drug, *wrap(", ".join(facts), 15, "  patient")]
    lines += wrap(f"{result.population} ({result.population_basis})", 15, "  population")
    licence = subject.licence.min_age_years
    licensed = f"{'yes' if result.licensed else 'no'} (from {licence} years of age)"
    lines += dose_lines(result.dose, [f"  {'licensed':<13}{licensed}"], check=result.dose_check)
    lines += ["", "Findings"]
    for count, finding in enumerate(result.findings, 1):
        lines.append(f"  {count:>2}. {finding.kind}")
        lines += wrap(cited(finding.message, finding.references), 6)
    return "\n".join(lines)


# --- a monitoring calendar ---------------------------------------------------------------


def schedule_report(
    subject: Drug, start: datetime.date, months: int, visits: Sequence[Visit]
) -> str:
    """The checks, the caveat where the schedule is an example, and the dated visits."""
    monitoring = subject.monitoring
    lines = [f"{subject.name}: monitoring from {start.isoformat()}, {counted(months, 'month')}"]
    checks = f"checks at every visit: {listed(monitoring.checks)}"
    lines += wrap(cited(checks, monitoring.references), 2, "")
    if visits and visits[0].note:
        lines += wrap(visits[0].note, 2, "")
    lines.append("")
    lines += [f"  {visit.date.isoformat()}  {visit.date:%a}  {visit.label}" for visit in visits]
    return "\n".join(lines)
