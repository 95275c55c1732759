"""Notebook display: the HTML and Markdown behind ``_repr_html_`` and ``_repr_markdown_``.

Each value becomes one or more compact tables.  The renderers below only say
*what* to show, as plain text (field labels and values); markup is made in one
place, :func:`_html` and :func:`_markdown`, which escape every caption, header
and cell, because content is data and a data pack may hold anything:

* HTML: :func:`html.escape` (``<``, ``>``, ``&``, ``"``, ``'``);
* Markdown: a backslash before each character with inline meaning
  (``\\ ` * _ [ ] < | ~ $``, and ``&`` where it would start an entity) and
  ``<br>`` for line breaks, so that a cell never breaks its table row.  Cells
  are inline content, a caption line starts with ``**`` and a note under it
  (a fact of every row, ``Analysis (all rows): ...``) with its field's label,
  so no block syntax (``#``, ``>``, ``-``, ``1.``) can begin at a line start;
  in HTML, the notes follow the caption's text in ``<caption>``, after ``<br/>``;
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
from typing import TYPE_CHECKING, Any, NamedTuple, cast

from ._assessment import Assessment
from ._dose_plan import DosePlan, amount_text, how_often, interval_text
from ._dosing import DoseRange
from ._model import DoseRegimen, Drug, EffectEstimate, Recommendation
from ._monitoring import Schedule, Visit
from ._patient import Patient
from ._prescription import (
    DoseCheck,
    Prescription,
    frequency_text,
    shown_figures,
    shown_ranges,
    shown_weight,
)
from ._text import (
    age_text,
    beyond,
    counted,
    doses_a_day,
    ends_across,
    exact,
    interval,
    number,
    percent,
    reference_list,
    span,
)
from ._vocabulary import in_order

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
    notes: tuple[str, ...] = ()  # lines under the caption, each about every row


# -- the two table builders: the only places that make markup --------------------------------

_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_MARKDOWN_SPECIAL = re.compile(r"[\\`*_\[\]<|~$]|&(?=#?\w+;)")
_STYLE = (
    "<style>.ae-systemic td,.ae-systemic th,.ae-systemic caption"
    "{text-align:left;vertical-align:top}</style>"
)


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
    lines = [table.caption, *table.notes] if table.caption else []
    caption = f"<caption>{'<br/>'.join(map(_h, lines))}</caption>" if lines else ""
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
    # each note starts with its field's label (never with data), so no block syntax
    lines += (line for note in table.notes if caption for line in (_md(note), ""))
    lines += [_markdown_row(table.headers), "|" + " --- |" * len(table.headers)]
    lines += map(_markdown_row, table.rows)
    return "\n".join(lines)


def _markdown_row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(map(_md, cells)) + " |"


def _record(fields: Fields, caption: str = "") -> _Table:
    """One value as two columns: the first field heads the table, empty fields are left out."""
    rows = tuple((label, value) for label, value in fields[1:] if value)
    return _Table(caption, fields[0], rows, keyed=True)


def _listing(
    caption: str,
    columns: Sequence[str],
    records: Iterable[Fields],
    shared: Sequence[str] = (),
) -> _Table:
    """Values as rows, with the fields labelled ``columns`` as columns.

    The fields labelled ``shared`` are shown too, each as it reads best and stays true of
    every row: left out where no row has one; one line under the caption, ``Label (all
    rows): value``, where two rows or more all have the same one (the six estimates of
    one network meta-analysis); otherwise a column, before the last of ``columns``.
    """
    values = [dict(fields) for fields in records]
    notes, extra = [], []
    for label in shared:
        found = {value.get(label, "") for value in values}
        if found == {""}:
            continue
        if len(found) == 1 and len(values) > 1 and caption:
            notes.append(f"{label} (all rows): {found.pop()}")
        else:
            extra.append(label)
    labels = (*columns[:-1], *extra, *columns[-1:])
    rows = tuple(tuple(value.get(c, "") for c in labels) for value in values)
    return _Table(caption, labels, rows, keyed=False, notes=tuple(notes))


# -- small texts --------------------------------------------------------------------------------


def _ends(low: FloatArray, high: FloatArray, unit: str, *, upper: bool) -> str:
    """The lower (or upper) ends of an array's ranges, least to greatest, one decimal: each
    end rounded into its own range, as one weight's range prints it (:func:`ends_across`)."""
    ends = (high if upper else low).ravel()
    pairs = [(float(low.flat[i]), float(high.flat[i])) for i in (ends.argmin(), ends.argmax())]
    return ends_across(pairs, unit, digits=1, upper=upper)


def _extent(values: float | FloatArray) -> tuple[float, float]:
    if isinstance(values, float):
        return values, values
    return float(values.min()), float(values.max())


# -- what each value shows ------------------------------------------------------------------

#: What a References cell says where the source prints no reference for a fact.
NO_REFERENCES = "none printed in the source"

_RECOMMENDATION_COLUMNS = ("No.", "Strength", "Consensus", "Statement", "References")
_INTERVAL = "Interval (as printed; level not stated)"
_ESTIMATE_COLUMNS = (
    "Dose",
    "Outcome",
    "Estimate",
    _INTERVAL,
    "Interval excludes 0",
    "Certainty",
    "References",
)
_REGIMEN_COLUMNS = ("Population", "Phase", "Regimen", "Dose", "Note", "References")
_STATEMENT_COLUMNS = ("Statement", "References")
_VISIT_COLUMNS = ("Date", "Visit", "Checks", "References")


def _refs(numbers: Sequence[int]) -> str:
    return reference_list(numbers) if numbers else NO_REFERENCES


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
        ("Estimate", f"{est.measure.value.upper()} {exact(est.estimate)} vs {est.comparator}"),
        (_INTERVAL, interval(est.ci_low, est.ci_high)),
        ("Interval excludes 0", "yes" if est.is_significant else "no"),
        ("Certainty", f"{est.certainty.symbol} {est.certainty.label}"),
        ("Time frame", f"up to {est.max_weeks} weeks"),
        ("Analysis", est.analysis),
        ("References", _refs(est.references)),
        ("Source", est.location),
    )


def _regimen_fields(regimen: DoseRegimen) -> Fields:
    return (
        ("Population", str(regimen.population)),
        ("Phase", str(regimen.phase) if regimen.phase else "standard"),
        ("Regimen", regimen.label),
        ("Dose", regimen.dose_text),
        ("Note", regimen.note or ""),
        ("References", _refs(regimen.references)),
    )


def _statements(caption: str, rows: Iterable[tuple[str, Sequence[int]]]) -> _Table:
    """A table of sentences, each with its references."""
    records = ((("Statement", text), ("References", _refs(refs))) for text, refs in rows)
    return _listing(caption, _STATEMENT_COLUMNS, records)


def _drug_tables(drug: Drug) -> list[_Table]:
    licence = drug.licence
    summary = (
        ("Drug", drug.name),
        ("Synonyms", ", ".join(drug.synonyms)),
        (
            "ATC code",
            f"{drug.atc} (WHO ATC classification, not from the guideline)" if drug.atc else "–",
        ),
        ("Licensed from", f"{licence.min_age_years} years of age"),
    )
    references = (
        (("No.", str(r.number)), ("Reference", str(r).removeprefix(f"{r.number}. ")))
        for r in drug.references
    )
    monitoring, screening = drug.monitoring, drug.screening
    tables = [
        _record(summary),
        _statements("Mechanism of action", ((s.text, s.references) for s in drug.mechanism)),
        _statements("Efficacy", ((s.text, s.references) for s in drug.efficacy)),
        _listing(
            "Recommendations",
            _RECOMMENDATION_COLUMNS,
            map(_recommendation_fields, drug.recommendations),
            shared=("See also", "Note"),
        ),
        _listing(
            "Effect estimates",
            _ESTIMATE_COLUMNS,
            map(_estimate_fields, drug.evidence),
            shared=("Analysis", "Time frame"),
        ),
        _statements(
            "Comparisons",
            (
                (f"{c.summary}. {' '.join(f.text for f in c.findings)}", c.references)
                for c in drug.comparisons
            ),
        ),
        _listing("Dose regimens", _REGIMEN_COLUMNS, map(_regimen_fields, drug.regimens)),
        _statements(
            "Licence",
            [(f"Licensed from {licence.min_age_years} years of age.", licence.references)]
            + [(note.text, note.references) for note in licence.notes],
        ),
        _statements(
            "Monitoring and screening",
            [
                (f"{monitoring.summary} {monitoring.note}", monitoring.references),
                (screening.summary, screening.references),
            ],
        ),
        _statements(
            "Combinations",
            ((c.sentence(drug.name), c.references) for c in drug.combinations),
        ),
        _statements(
            "Interactions",
            (
                (f"{drug.name} is an {i.summary}. {i.consequence}", i.references)
                for i in drug.interactions
            ),
        ),
        *(
            _statements(
                group.group[:1].upper() + group.group[1:],
                ((s.text, s.references) for s in group.statements),
            )
            for group in drug.special_populations
        ),
        _statements("Safety", ((s.text, s.references) for s in drug.safety)),
        _listing("References", ("No.", "Reference"), references),
    ]
    return [tables[0], *(table for table in tables[1:] if table.rows)]  # empty sections left out


def _dose_fields(
    dose: DoseRange[float] | DoseRange[FloatArray], check: DoseCheck | None = None
) -> Fields:
    """The range's rows; beside a ``check``, its ranges as the check's message prints them."""
    weight = dose.weight.magnitude
    per_dose = f"per dose, {doses_a_day(dose.doses_per_day)}"
    if isinstance(weight, float):
        daily, single = shown_ranges(cast("DoseRange[float]", dose), check)  # one weight
        amounts: Fields = (
            ("Body weight", f"{shown_weight(cast('DoseRange[float]', dose), check)} kg"),
            ("Daily dose", daily),
            ("Single dose", f"{single} {per_dose}"),
        )
    else:  # an array: a summary, never a row per weight
        weights = counted(weight.size, "weight")
        doses = cast("DoseRange[FloatArray]", dose)
        low, high = doses.low.magnitude, doses.high.magnitude
        one_low, one_high = doses.per_dose_low.magnitude, doses.per_dose_high.magnitude
        amounts = (
            ("Body weights", f"{weights}, {span(*_extent(weight), 'kg', digits=2)}"),
            ("Daily dose, lower end", _ends(low, high, "mg/day", upper=False)),
            ("Daily dose, upper end", _ends(low, high, "mg/day", upper=True)),
            ("Single dose, lower end", f"{_ends(one_low, one_high, 'mg', upper=False)} {per_dose}"),
            ("Single dose, upper end", f"{_ends(one_low, one_high, 'mg', upper=True)} {per_dose}"),
        )
    return (
        ("Regimen", dose.regimen.label),
        ("Rate", dose.regimen.dose_text),
        ("Regimen note", dose.regimen.note or ""),
        *amounts,
        ("Fallback", dose.fallback or ""),
        ("References", _refs(dose.references)),
    )


def _patient_fields(patient: Patient) -> Fields:
    medicines = [
        m.name + (f" ({', '.join(p.value for p in in_order(m.pathways))})" if m.pathways else "")
        for m in patient.co_medications
    ]
    return (
        ("Age", age_text(patient.age.m_as("year"), days=True)),
        ("Body weight", f"{number(patient.weight.m_as('kg'), 2)} kg"),
        ("Pregnant", "yes" if patient.pregnant else "no"),
        ("Phototherapy planned", ", ".join(p.value for p in in_order(patient.phototherapy))),
        ("Co-medications", "; ".join(medicines)),
    )


def _assessment_tables(assessment: Assessment) -> list[_Table]:
    patient = assessment.patient
    summary = (
        ("Drug", assessment.drug),
        *(_patient_fields(patient) if patient is not None else ()),
        ("Population", f"{assessment.population} ({assessment.population_basis})"),
        ("Licensed for this age", "yes" if assessment.licensed else "no"),
        *_dose_fields(assessment.dose, assessment.dose_check),
    )
    findings = (
        (
            ("Kind", str(f.kind)),
            ("Finding", f.message),
            ("References", _refs(f.references)),
        )
        for f in assessment.findings
    )
    return [
        _record(summary, "Assessment"),
        _listing("Findings", ("Kind", "Finding", "References"), findings),
    ]


def _prescription_fields(order: Prescription) -> Fields:
    return (
        ("Prescription", str(order)),
        # never 0 for an amount or a count that is not (beyond 0 adds decimals as needed)
        ("Amount per administration", f"{beyond(order.amount_mg, 0.0, 3)} mg"),
        ("Administrations a day", beyond(order.administrations_per_day, 0.0, 3)),
        ("Daily amount", f"{beyond(order.daily_mg, 0.0, 2)} mg/day"),
    )


def _dose_check_fields(check: DoseCheck) -> Fields:
    per_day = "as the regimen gives" if check.frequency_matches else frequency_text(check)
    return (
        ("Dose check", str(check.status)),
        ("Finding", check.message),
        ("Prescribed", str(check.prescription)),
        ("Per kg", f"{shown_figures(check)[1]} mg/kg/day"),
        ("Administrations a day", per_day),
        ("Tolerance asked for", percent(check.tolerance) if check.tolerance else ""),
        *_dose_fields(check.range, check),
    )


def _dose_plan_fields(plan: DosePlan) -> Fields:
    amount = amount_text(plan, 1)
    loading = "" if plan.regimen.loading is None else str(plan.regimen.loading)
    how: Fields = (  # doses a day as the source says them, never an interval it does not give
        (("Single dose", f"{amount} {how_often(plan)}"),)
        if plan.regimen.doses_per_day is not None
        else (("Amount per administration", amount), ("Every", interval_text(plan)))
    )
    return (
        ("Regimen", plan.regimen.label),
        ("Dose", plan.regimen.dose_text),
        ("Regimen note", plan.regimen.note or ""),
        *how,
        ("Loading dose, once", loading),
        ("Weight band", str(plan.band) if plan.band is not None else ""),
        ("Fallback", plan.fallback or ""),
        ("References", _refs(plan.regimen.references)),
    )


def _visit_fields(visit: Visit) -> Fields:
    return (
        ("Date", visit.date.isoformat()),
        ("Visit", visit.label),
        ("Checks", ", ".join(visit.checks)),
        ("References", _refs(visit.references)),
        ("Note", visit.note),
    )


def _schedule_table(schedule: Schedule) -> _Table:
    dates = f", {schedule[0].date} to {schedule[-1].date}" if schedule else ""
    caption = f"Monitoring schedule: {counted(len(schedule), 'visit')}{dates}"
    if schedule.note:
        caption += f". {schedule.note}"
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
    (DosePlan, lambda plan: [_record(_dose_plan_fields(plan), "Dose plan")]),
    (DoseCheck, lambda check: [_record(_dose_check_fields(check), "Dose check")]),
    (Prescription, lambda order: [_record(_prescription_fields(order))]),
    (Patient, lambda patient: [_record((("Patient", ""), *_patient_fields(patient)))]),
    (Visit, lambda visit: [_record(_visit_fields(visit), "Monitoring visit")]),
    (Schedule, lambda schedule: [_schedule_table(schedule)]),
)


def html(value: object) -> str:
    """The notebook display of ``value`` as HTML (``_repr_html_``)."""
    return _html_tables(_tables_of(value))


def markdown(value: object) -> str:
    """The notebook display of ``value`` as Markdown (``_repr_markdown_``)."""
    return _markdown_tables(_tables_of(value))
