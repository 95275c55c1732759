"""Notebook display: the HTML and Markdown behind ``_repr_html_`` and ``_repr_markdown_``.

Each value becomes one or more compact tables.  The renderers below only say
*what* to show, as plain text (field labels and values); markup is made in one
place, :func:`_html` and :func:`_markdown`, which escape every caption, header
and cell, because content is data and a data pack may hold anything:

* HTML: :func:`html.escape` (``<``, ``>``, ``&``, ``"``, ``'``);
* Markdown: a backslash before each character with inline meaning
  (``\\ ` * _ [ ] < | ~ $``, and ``&`` where it would start an entity) and
  ``<br>`` for line breaks, so that a cell never breaks its table row.  Cells
  are inline content, and a caption line starts with ``**``, so no block
  syntax (``#``, ``>``, ``-``, ``1.``) can begin at a line start;
* both: control characters that neither XML nor a notebook's JSON can carry
  (C0 controls but tab, newline and return; lone surrogates; U+FFFE, U+FFFF)
  become U+FFFD.

This module is imported on the first display only, never with the package.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from ._assessment import Assessment
    from ._dosing import DoseRange, FloatArray
    from ._model import DoseRegimen, Drug, EffectEstimate, Recommendation
    from ._monitoring import Schedule, Visit

__all__ = [
    "assessment_html",
    "assessment_markdown",
    "dose_range_html",
    "dose_range_markdown",
    "drug_html",
    "drug_markdown",
    "estimate_html",
    "estimate_markdown",
    "recommendation_html",
    "recommendation_markdown",
    "schedule_html",
    "schedule_markdown",
    "visit_html",
    "visit_markdown",
]

#: What the table shows where the source states nothing (an unboxed recommendation).
NOT_STATED = "not stated"

Fields = Sequence[tuple[str, str]]


class _Table(NamedTuple):
    caption: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    keyed: bool  # a record: the first column labels each row


# -- the two table builders: the only places that make markup --------------------------------

_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_MARKDOWN_SPECIAL = re.compile(r"[\\`*_\[\]<|~$]|&(?=#?\w+;)")
_STYLE = "<style>.ae-systemic td,.ae-systemic th{text-align:left;vertical-align:top}</style>"


def _safe(text: str) -> str:
    return _UNSAFE.sub("\ufffd", text)


def _h(text: str) -> str:
    return html.escape(_safe(text))


def _md(text: str) -> str:
    escaped = _MARKDOWN_SPECIAL.sub(lambda match: "\\" + match.group(), _safe(text))
    return "<br>".join(escaped.splitlines())


def _html(tables: Iterable[_Table]) -> str:
    return f'<div class="ae-systemic">{_STYLE}{"".join(map(_html_table, tables))}</div>'


def _html_table(table: _Table) -> str:
    caption = f"<caption>{_h(table.caption)}</caption>" if table.caption else ""
    head = _html_row(table.headers, "th", table.keyed)
    body = "".join(_html_row(row, "td", table.keyed) for row in table.rows)
    return f"<table>{caption}<thead>{head}</thead><tbody>{body}</tbody></table>"


def _html_row(cells: Sequence[str], tag: str, keyed: bool) -> str:
    tags = ("th" if keyed and i == 0 else tag for i in range(len(cells)))
    return (
        "<tr>" + "".join(f"<{t}>{_h(c)}</{t}>" for t, c in zip(tags, cells, strict=True)) + "</tr>"
    )


def _markdown(tables: Iterable[_Table]) -> str:
    return "\n\n".join(map(_markdown_table, tables)) + "\n"


def _markdown_table(table: _Table) -> str:
    caption = _md(table.caption.strip())
    lines = [f"**{caption}**", ""] if caption else []
    lines += [_markdown_row(table.headers), "|" + " --- |" * len(table.headers)]
    lines += map(_markdown_row, table.rows)
    return "\n".join(lines)


def _markdown_row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(map(_md, cells)) + " |"


def _record(fields: Fields, caption: str = "") -> _Table:
    """One value as two columns: the first field heads the table, empty fields are left out."""
    rows = tuple((label, value) for label, value in fields[1:] if value)
    return _Table(caption, fields[0], rows, keyed=True)


def _listing(caption: str, columns: Sequence[str], records: Iterable[Fields]) -> _Table:
    """Values as rows, with the fields labelled ``columns`` as columns."""
    rows = tuple(tuple(dict(fields).get(c, "") for c in columns) for fields in records)
    return _Table(caption, tuple(columns), rows, keyed=False)


# -- small texts --------------------------------------------------------------------------------


def _refs(numbers: Iterable[int]) -> str:
    return ", ".join(map(str, numbers))


def _span(low: float, high: float, unit: str) -> str:
    return f"{low:g} {unit}" if low == high else f"{low:g}–{high:g} {unit}"


def _doses_a_day(count: int) -> str:
    return f"{count} dose{'s' * (count != 1)} a day"


def _extent(values: float | FloatArray) -> tuple[float, float]:
    if isinstance(values, float):
        return values, values
    return float(values.min()), float(values.max())


# -- what each value shows ------------------------------------------------------------------

_RECOMMENDATION_COLUMNS = ("No.", "Strength", "Consensus", "Statement", "References")
_ESTIMATE_COLUMNS = (
    "Dose",
    "Outcome",
    "Estimate",
    "95% CI",
    "Significant",
    "Certainty",
    "References",
)
_REGIMEN_COLUMNS = ("Population", "Phase", "Regimen", "Dose", "References")
_VISIT_COLUMNS = ("Date", "Visit", "Checks", "References")


def _recommendation_fields(rec: Recommendation) -> Fields:
    strength = f"{rec.strength.symbol} {rec.strength.wording}" if rec.strength else NOT_STATED
    return (
        ("No.", str(rec.number)),
        ("Strength", strength),
        ("Consensus", rec.consensus.text if rec.consensus else NOT_STATED),
        ("Statement", rec.statement),
        ("References", _refs(rec.references)),
        ("See also", rec.see_also or ""),
        ("Note", rec.note or ""),
        ("Source", rec.location),
    )


def _estimate_fields(est: EffectEstimate) -> Fields:
    return (
        ("Outcome", str(est.outcome)),
        ("Dose", str(est.dose_level)),
        ("Estimate", f"{est.measure.value.upper()} {est.estimate:g} vs {est.comparator}"),
        ("95% CI", f"{est.ci_low:g} to {est.ci_high:g}"),
        ("Significant", "yes ✓" if est.is_significant else "no"),
        ("Certainty", f"{est.certainty.symbol} {est.certainty.label}"),
        ("Time frame", f"up to {est.max_weeks} weeks"),
        ("Analysis", est.analysis),
        ("References", _refs(est.references)),
        ("Source", est.location),
    )


def _regimen_dose(regimen: DoseRegimen) -> str:
    rate = regimen.rate
    if rate is not None:
        split = _doses_a_day(regimen.doses_per_day) if regimen.doses_per_day else "once a week"
        text = f"{_span(rate.low, rate.high, rate.unit)}, {split}"
    else:
        text = str(regimen.fixed) if regimen.fixed else "; ".join(map(str, regimen.bands))
    return f"{text}, after a loading dose of {regimen.loading}" if regimen.loading else text


def _regimen_fields(regimen: DoseRegimen) -> Fields:
    return (
        ("Population", str(regimen.population)),
        ("Phase", str(regimen.phase) if regimen.phase else "standard"),
        ("Regimen", regimen.label),
        ("Dose", _regimen_dose(regimen)),
        ("References", _refs(regimen.references)),
    )


def _drug_tables(drug: Drug) -> list[_Table]:
    m = drug.monitoring
    example = " (an example)" if m.schedule_is_example else ""
    timing = f"after {m.first_follow_up_weeks} weeks, then every {m.interval_months} months"
    timing = f"at baseline, {timing}" if m.at_baseline else timing
    summary = (
        ("Drug", drug.name),
        ("Synonyms", ", ".join(drug.synonyms)),
        ("Licensed from", f"{drug.licence.min_age_years} years"),
        ("Monitoring", f"{', '.join(m.checks)}: {timing}{example}"),
        ("Screening", ", ".join(drug.screening.tests)),
    )
    references = (
        (("No.", str(r.number)), ("Reference", str(r).removeprefix(f"{r.number}. ")))
        for r in drug.references
    )
    return [
        _record(summary),
        _listing(
            "Recommendations",
            _RECOMMENDATION_COLUMNS,
            map(_recommendation_fields, drug.recommendations),
        ),
        _listing("Effect estimates", _ESTIMATE_COLUMNS, map(_estimate_fields, drug.evidence)),
        _listing("Dose regimens", _REGIMEN_COLUMNS, map(_regimen_fields, drug.regimens)),
        _listing("References", ("No.", "Reference"), references),
    ]


def _dose_fields(dose: DoseRange[float] | DoseRange[FloatArray]) -> Fields:
    weight = dose.weight.magnitude
    low, high = _extent(dose.low.magnitude), _extent(dose.high.magnitude)
    one_low, one_high = _extent(dose.per_dose_low.magnitude), _extent(dose.per_dose_high.magnitude)
    per_dose = f"per dose, {_doses_a_day(dose.doses_per_day)}"
    if isinstance(weight, float):
        amounts: Fields = (
            ("Body weight", _span(weight, weight, "kg")),
            ("Daily dose", _span(low[0], high[0], "mg/day")),
            ("Single dose", f"{_span(one_low[0], one_high[0], 'mg')} {per_dose}"),
        )
    else:  # an array: a summary, never a row per weight
        amounts = (
            ("Body weights", f"{weight.size} weights, {_span(*_extent(weight), 'kg')}"),
            ("Daily dose, lower end", _span(*low, "mg/day")),
            ("Daily dose, upper end", _span(*high, "mg/day")),
            ("Single dose, lower end", f"{_span(*one_low, 'mg')} {per_dose}"),
            ("Single dose, upper end", f"{_span(*one_high, 'mg')} {per_dose}"),
        )
    return (
        ("Regimen", dose.regimen.label),
        ("Rate", _regimen_dose(dose.regimen)),
        *amounts,
        ("Fallback", dose.fallback or ""),
        ("References", _refs(dose.references)),
    )


def _assessment_tables(assessment: Assessment) -> list[_Table]:
    summary = (
        ("Drug", assessment.drug),
        ("Population", str(assessment.population)),
        ("Licensed for this age", "yes" if assessment.licensed else "no"),
        *_dose_fields(assessment.dose),
    )
    findings = (
        (("Kind", str(f.kind)), ("Finding", f.message), ("References", _refs(f.references)))
        for f in assessment.findings
    )
    return [
        _record(summary, "Assessment"),
        _listing("Findings", ("Kind", "Finding", "References"), findings),
    ]


def _visit_fields(visit: Visit) -> Fields:
    return (
        ("Date", visit.date.isoformat()),
        ("Visit", visit.label),
        ("Checks", ", ".join(visit.checks)),
        ("References", _refs(visit.references)),
    )


def _schedule_table(schedule: Schedule) -> _Table:
    span = f", {schedule[0].date} to {schedule[-1].date}" if schedule else ""
    caption = f"Monitoring schedule: {len(schedule)} visit{'s' * (len(schedule) != 1)}{span}"
    return _listing(caption, _VISIT_COLUMNS, map(_visit_fields, schedule))


# -- the entry points of the ``_repr_*_`` methods -----------------------------------------------


def drug_html(drug: Drug) -> str:
    return _html(_drug_tables(drug))


def drug_markdown(drug: Drug) -> str:
    return _markdown(_drug_tables(drug))


def recommendation_html(rec: Recommendation) -> str:
    return _html([_record(_recommendation_fields(rec), "Recommendation")])


def recommendation_markdown(rec: Recommendation) -> str:
    return _markdown([_record(_recommendation_fields(rec), "Recommendation")])


def estimate_html(est: EffectEstimate) -> str:
    return _html([_record(_estimate_fields(est), "Effect estimate")])


def estimate_markdown(est: EffectEstimate) -> str:
    return _markdown([_record(_estimate_fields(est), "Effect estimate")])


def dose_range_html(dose: DoseRange[float] | DoseRange[FloatArray]) -> str:
    return _html([_record(_dose_fields(dose), "Dose range")])


def dose_range_markdown(dose: DoseRange[float] | DoseRange[FloatArray]) -> str:
    return _markdown([_record(_dose_fields(dose), "Dose range")])


def assessment_html(assessment: Assessment) -> str:
    return _html(_assessment_tables(assessment))


def assessment_markdown(assessment: Assessment) -> str:
    return _markdown(_assessment_tables(assessment))


def visit_html(visit: Visit) -> str:
    return _html([_record(_visit_fields(visit), "Monitoring visit")])


def visit_markdown(visit: Visit) -> str:
    return _markdown([_record(_visit_fields(visit), "Monitoring visit")])


def schedule_html(schedule: Schedule) -> str:
    return _html([_schedule_table(schedule)])


def schedule_markdown(schedule: Schedule) -> str:
    return _markdown([_schedule_table(schedule)])
