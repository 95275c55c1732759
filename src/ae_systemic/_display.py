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

Which tables a value shows is chosen by its type, in one place: :func:`html` and
:func:`markdown`, which the :class:`~ae_systemic._notebook.NotebookDisplay` mixin
calls.  This module is imported on the first display only, never with the package.
"""

from __future__ import annotations

import html as _html_module
import re
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from ._assessment import Assessment
from ._dosing import DoseRange
from ._model import DoseRegimen, Drug, EffectEstimate, Recommendation
from ._monitoring import Schedule, Visit
from ._text import doses_a_day, interval, reference_list, span

if TYPE_CHECKING:
    from ._dosing import FloatArray

__all__ = ["html", "markdown"]

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
    return _html_module.escape(_safe(text))


def _md(text: str) -> str:
    escaped = _MARKDOWN_SPECIAL.sub(lambda match: "\\" + match.group(), _safe(text))
    return "<br>".join(escaped.splitlines())


def _html_tables(tables: Iterable[_Table]) -> str:
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


def _markdown_tables(tables: Iterable[_Table]) -> str:
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
        ("References", reference_list(rec.references)),
        ("See also", rec.see_also or ""),
        ("Note", rec.note or ""),
        ("Source", rec.location),
    )


def _estimate_fields(est: EffectEstimate) -> Fields:
    return (
        ("Outcome", str(est.outcome)),
        ("Dose", str(est.dose_level)),
        ("Estimate", f"{est.measure.value.upper()} {est.estimate:g} vs {est.comparator}"),
        ("95% CI", interval(est.ci_low, est.ci_high)),
        ("Significant", "yes ✓" if est.is_significant else "no"),
        ("Certainty", f"{est.certainty.symbol} {est.certainty.label}"),
        ("Time frame", f"up to {est.max_weeks} weeks"),
        ("Analysis", est.analysis),
        ("References", reference_list(est.references)),
        ("Source", est.location),
    )


def _regimen_fields(regimen: DoseRegimen) -> Fields:
    return (
        ("Population", str(regimen.population)),
        ("Phase", str(regimen.phase) if regimen.phase else "standard"),
        ("Regimen", regimen.label),
        ("Dose", regimen.dose_text),
        ("References", reference_list(regimen.references)),
    )


def _drug_tables(drug: Drug) -> list[_Table]:
    summary = (
        ("Drug", drug.name),
        ("Synonyms", ", ".join(drug.synonyms)),
        ("Licensed from", f"{drug.licence.min_age_years} years"),
        ("Monitoring", drug.monitoring.summary),
        ("Screening", drug.screening.summary),
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
    per_dose = f"per dose, {doses_a_day(dose.doses_per_day)}"
    if isinstance(weight, float):
        amounts: Fields = (
            ("Body weight", span(weight, weight, "kg")),
            ("Daily dose", span(low[0], high[0], "mg/day")),
            ("Single dose", f"{span(one_low[0], one_high[0], 'mg')} {per_dose}"),
        )
    else:  # an array: a summary, never a row per weight
        amounts = (
            ("Body weights", f"{weight.size} weights, {span(*_extent(weight), 'kg')}"),
            ("Daily dose, lower end", span(*low, "mg/day")),
            ("Daily dose, upper end", span(*high, "mg/day")),
            ("Single dose, lower end", f"{span(*one_low, 'mg')} {per_dose}"),
            ("Single dose, upper end", f"{span(*one_high, 'mg')} {per_dose}"),
        )
    return (
        ("Regimen", dose.regimen.label),
        ("Rate", dose.regimen.dose_text),
        *amounts,
        ("Fallback", dose.fallback or ""),
        ("References", reference_list(dose.references)),
    )


def _assessment_tables(assessment: Assessment) -> list[_Table]:
    summary = (
        ("Drug", assessment.drug),
        ("Population", str(assessment.population)),
        ("Licensed for this age", "yes" if assessment.licensed else "no"),
        *_dose_fields(assessment.dose),
    )
    findings = (
        (
            ("Kind", str(f.kind)),
            ("Finding", f.message),
            ("References", reference_list(f.references)),
        )
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
        ("References", reference_list(visit.references)),
    )


def _schedule_table(schedule: Schedule) -> _Table:
    span = f", {schedule[0].date} to {schedule[-1].date}" if schedule else ""
    caption = f"Monitoring schedule: {len(schedule)} visit{'s' * (len(schedule) != 1)}{span}"
    return _listing(caption, _VISIT_COLUMNS, map(_visit_fields, schedule))


# -- the entry points of the ``_repr_*_`` methods: the tables of each type, chosen once ----------


def _tables_of(value: object) -> list[_Table]:
    """The tables that show ``value``, chosen by its type."""
    for kind, tables in _TABLES:
        if isinstance(value, kind):
            return tables(value)
    raise TypeError(f"no notebook display for {type(value).__name__}")


_TABLES: tuple[tuple[type, Callable[[Any], list[_Table]]], ...] = (
    (Drug, _drug_tables),
    (Recommendation, lambda rec: [_record(_recommendation_fields(rec), "Recommendation")]),
    (EffectEstimate, lambda est: [_record(_estimate_fields(est), "Effect estimate")]),
    (DoseRange, lambda dose: [_record(_dose_fields(dose), "Dose range")]),
    (Assessment, _assessment_tables),
    (Visit, lambda visit: [_record(_visit_fields(visit), "Monitoring visit")]),
    (Schedule, lambda schedule: [_schedule_table(schedule)]),
)


def html(value: object) -> str:
    """The notebook display of ``value`` as HTML (``_repr_html_``)."""
    return _html_tables(_tables_of(value))


def markdown(value: object) -> str:
    """The notebook display of ``value`` as Markdown (``_repr_markdown_``)."""
    return _markdown_tables(_tables_of(value))
