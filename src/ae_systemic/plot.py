"""Forest plots of the effect estimates, and the prescribed doses of a cohort.

:func:`forest` draws effect estimates as points on their intervals, one row per
outcome and dose level, beside the dashed line at 0 (no difference from the
comparator), with the estimate and the certainty (``⊕⊕⊕○ MODERATE``) in columns
on the right.  It plots a drug's estimates, several drugs', a filtered
:func:`~ae_systemic.evidence_frame` or estimates picked by hand.

The intervals are drawn as the guideline prints them; the guideline states
neither their level nor which sign of the difference favours the drug, so the
x axis says so instead of marking a side as "favours".

:func:`dose_distribution` draws a histogram of the prescribed doses of an
:func:`~ae_systemic.assess_table` result, in mg/kg/day, over the guideline's ranges
drawn as bands and labelled with their regimens.

It uses matplotlib's object-oriented API only: no pyplot, so no GUI backend is
chosen and no global figure state is touched.  Save the figure with
``fig.savefig("forest.png")``.

matplotlib is an optional dependency (the extra ``plot``); it is imported when
a plot is drawn, never when ``ae_systemic`` or this module is imported.
"""

from __future__ import annotations

import math
import numbers
import sys
import textwrap
from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, NamedTuple, TypeVar, cast, overload

from ._cohort import ASSESSED_WITH, checked_result_columns, prescribed, result_rows
from ._dosing import DoseRange
from ._errors import ArgumentTypeError, InputError, MissingExtraError, shown
from ._lookup import resolve_drug
from ._model import DoseRegimen, Drug, EffectEstimate
from ._research import COLUMNS, resolve_drugs
from ._text import counted, exact, interval, span
from ._units import application_registry
from ._vocabulary import Certainty, DoseLevel, Measure, Outcome

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    import pandas
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["dose_distribution", "forest"]

# The x axis label; the guideline prints each interval without its level, so it states none.
_AXIS_LABEL = (
    "Standardised mean difference vs {comparator}\n"
    "(interval as printed in the guideline, level not stated)"
)
# The note beneath the x axis: the guideline does not state which sign favours the drug.
_DIRECTION_NOTE = "direction of benefit not stated in the source"
# The columns of an evidence_frame() that forest() reads.
_FRAME_COLUMNS = tuple(c for c in COLUMNS if c not in ("significant", "references"))

# DejaVu Sans ships with matplotlib and has the circles of the GRADE symbols (⊕ ○).
_SYMBOL_FONT = "DejaVu Sans"
_ROW_HEIGHT_INCHES = 0.42
_GROUP_GAP = 0.6  # extra space between outcomes, in rows
_OUTCOME_ORDER = tuple(Outcome)
_DOSE_ORDER = tuple(DoseLevel)
_Word = TypeVar("_Word", Outcome, DoseLevel, Measure, Certainty)
_EXPECTED = (
    "expected a Drug, a drug name such as 'ciclosporin', an iterable of them, "
    "an iterable of EffectEstimates or a pandas DataFrame of evidence_frame()"
)


class _Row(NamedTuple):
    """One estimate to plot, whatever it was given as."""

    drug: str | None
    outcome: Outcome
    dose_level: DoseLevel
    comparator: str
    measure: Measure
    max_weeks: int
    analysis: str
    estimate: float
    ci_low: float
    ci_high: float
    certainty: Certainty


@overload
def forest(evidence: Drug | str | Iterable[Drug | str], *, ax: Axes | None = None) -> Figure: ...
@overload
def forest(
    evidence: Iterable[EffectEstimate], *, drug: str | None = None, ax: Axes | None = None
) -> Figure: ...
@overload
def forest(evidence: pandas.DataFrame, *, ax: Axes | None = None) -> Figure: ...
def forest(
    evidence: Drug | str | Iterable[Drug | str] | Iterable[EffectEstimate] | pandas.DataFrame,
    *,
    drug: str | None = None,
    ax: Axes | None = None,
) -> Figure:
    """A forest plot of the effect estimates in ``evidence``.

    ``evidence`` is one of:

    * a :class:`~ae_systemic.Drug` or a drug name: all its estimates;
    * an iterable of drugs or names: the estimates of each, drug after drug (a drug
      given twice, by two of its names, once);
    * a pandas ``DataFrame`` with the columns of :func:`~ae_systemic.evidence_frame`
      (it reads ``drug``, ``outcome``, ``dose_level``, ``comparator``, ``measure``,
      ``max_weeks``, ``analysis``, ``estimate``, ``ci_low``, ``ci_high`` and
      ``certainty``), typically filtered:
      ``forest(frame[frame.dose_level == DoseLevel.HIGHER])``.  Rows that repeat one
      estimate, differing in nothing it reads (as ``frame.explode("references")``
      gives them), draw it once;
    * an iterable of :class:`~ae_systemic.EffectEstimate`, such as
      ``ae_systemic.evidence("ciclosporin", outcome=Outcome.SIGNS)``.  An estimate
      does not know its drug: name it with ``drug="ciclosporin"`` for the title.
      ``drug`` is refused with the other kinds of ``evidence``, which carry their
      drugs' names.

    Rows are grouped by drug, then outcome (change in signs, quality of life,
    itch), then dose level and time frame, and labelled ``"higher dose, change
    in signs"``; with several drugs the label starts with the drug's name
    (``"ciclosporin: higher dose, change in signs"``).  The title gives the
    time frame the estimates share (``"up to 16 weeks"``); where they have
    several, each label ends with its own (``", up to 52 weeks"``), and where
    they come from several analyses, each label names its analysis by a
    letter (``", analysis B"``) that a note beneath the axis spells out.
    Each row shows the estimate as a point on its interval as the guideline
    prints it; the dashed vertical line at 0 is no difference from the
    comparator.  The x
    axis is labelled ``"Standardised mean difference vs placebo (interval as
    printed in the guideline, level not stated)"`` and, beneath, ``"direction of
    benefit not stated in the source"``: the guideline states neither, so no
    side is marked as favouring the drug.  On the right, each row gives the
    estimate and interval as numbers, written as the other outputs write them
    (``-1 (-1.6, -0.4)``, as ``str(EffectEstimate)``: every digit a value has,
    never rounded) and the GRADE certainty as symbols and words.

    Without ``ax`` the plot gets a new :class:`~matplotlib.figure.Figure` of its
    own, sized to the rows and laid out by matplotlib's constrained layout; with
    ``ax`` it is drawn into that axes (leave room on its right for the
    columns), and the axes' figure is returned.

    Raises :class:`~ae_systemic.ArgumentTypeError` for ``evidence`` of another
    kind or an ``ax`` that is not one matplotlib ``Axes`` (a ``Figure``, or the
    array of axes ``subplots`` returns), :class:`~ae_systemic.InputError` when
    there are no estimates, when they are against different comparators, when
    two of them are the same estimate (drug, outcome, dose level, comparator,
    measure, time frame and analysis) with different numbers or certainty, or
    for a frame without the columns or with one it reads twice, with values
    that are not the vocabulary's, a time frame that is not a whole number of
    weeks or an estimate outside its interval, or intervals that span more
    than a plot can lay out (half the largest float), and, without
    matplotlib (``pip install 'ae-systemic[plot]'``),
    :class:`~ae_systemic.MissingExtraError`, an :class:`ImportError`.
    """
    try:
        from matplotlib.figure import Figure, SubFigure
        from matplotlib.layout_engine import ConstrainedLayoutEngine
    except ImportError as exc:
        raise MissingExtraError("forest", "matplotlib", "plot") from exc

    ax = _checked_axes(ax)
    rows, what = _rows_of(evidence, drug)
    if not rows:
        raise InputError("evidence", f"no effect estimates to plot ({what})")
    comparators = sorted({row.comparator for row in rows})
    if len(comparators) > 1:
        raise InputError(
            "evidence",
            "a forest plot compares against one comparator; these estimates "
            f"are against {', '.join(comparators)}",
        )
    low, high = _span_of(rows)
    if 0.5 * high - 0.5 * low > sys.float_info.max / 4:  # halves: the span itself may overflow
        raise InputError(
            "evidence",
            f"the intervals span from {shown(low)} to {shown(high)}, more than a plot can lay "
            "out; plot these estimates apart, or check their numbers",
        )

    if ax is None:
        height = 1.9 + _ROW_HEIGHT_INCHES * (len(rows) + _GROUP_GAP * _group_count(rows))
        # Constrained layout, with a margin of a few points round the outermost texts.
        figure = Figure(
            figsize=(9.0, height), layout=ConstrainedLayoutEngine(w_pad=0.12, h_pad=0.1)
        )
        ax = figure.add_subplot()
    else:
        parent = ax.get_figure()
        while isinstance(parent, SubFigure):
            parent = parent.figure
        if not isinstance(parent, Figure):
            raise InputError("ax", "the axes must belong to a figure")
        figure = parent

    names = list(dict.fromkeys(row.drug for row in rows if row.drug is not None))
    _draw(ax, rows, several=len(names) > 1, comparator=comparators[0])
    named = f": {', '.join(names)}" if names else ""
    weeks = {row.max_weeks for row in rows}
    shared = f", {_time_frame(weeks.pop())}" if len(weeks) == 1 else ""
    ax.set_title(f"Effect estimates{named} vs {comparators[0]}{shared}")
    return figure


def _checked_axes(ax: object) -> Axes | None:
    """``ax`` if it is one matplotlib ``Axes`` or ``None``, else an error naming ``ax``."""
    from matplotlib.axes import Axes

    if ax is None or isinstance(ax, Axes):
        return ax
    kind = type(ax).__name__
    hint = ""
    if kind in ("Figure", "SubFigure"):
        hint = "; pass one of its axes (fig.add_subplot(), or fig.axes[0])"
    elif kind == "ndarray":
        hint = "; pass one of the axes subplots returned (axes[0], or axes[0, 1])"
    raise ArgumentTypeError("ax", f"expected matplotlib Axes or None, got {kind}{hint}")


def _time_frame(weeks: int) -> str:
    """The time frame of an estimate, as the notebook display writes it: ``up to 16 weeks``."""
    return f"up to {weeks} weeks"


def _rows_of(evidence: object, drug: object) -> tuple[list[_Row], str]:
    """The rows to plot, top to bottom, and what they came from (for an error)."""
    if drug is not None and not isinstance(drug, str):
        raise ArgumentTypeError("drug", f"expected a drug name or None, got {shown(drug)}")
    if drug is not None and not drug.strip():
        raise InputError("drug", "must not be empty")
    if _is_frame(evidence):
        _no_name(drug, "an evidence frame")
        rows = _frame_rows(cast("pandas.DataFrame", evidence))
        return _sorted(_distinct(rows)), "an empty frame"
    if not isinstance(evidence, Drug | str | Iterable) or isinstance(
        evidence, bytes | bytearray | memoryview
    ):  # bytes iterate as numbers: refused as bytes, not as "got int"
        raise ArgumentTypeError("evidence", f"{_EXPECTED}, got {type(evidence).__name__}")
    items: list[object] = [evidence] if isinstance(evidence, Drug | str) else list(evidence)
    if items and any(isinstance(item, EffectEstimate) for item in items):
        for index, item in enumerate(items):
            if not isinstance(item, EffectEstimate):
                raise ArgumentTypeError(
                    "evidence",
                    f"an iterable of EffectEstimates holds only estimates, got "
                    f"{type(item).__name__}",
                    index,
                )
        name = drug.strip() if drug is not None else None
        estimates = cast("list[EffectEstimate]", items)
        found = [
            (f"evidence[{index}]", _estimate_row(name, estimate))
            for index, estimate in enumerate(estimates)
        ]
        return _sorted(_distinct(found)), "no estimates"
    _no_name(drug, "drugs")
    drugs = resolve_drugs(cast("list[Drug | str]", items), "evidence")  # checks the items
    found = [
        (f"estimate {index + 1} of {d.name!r} (drug {number + 1})", _estimate_row(d.name, e))
        for number, d in enumerate(drugs)
        for index, e in enumerate(d.evidence)
    ]
    return _sorted(_distinct(found)), ", ".join(d.name for d in drugs) or "no drug"


def _distinct(found: list[tuple[str, _Row]]) -> list[_Row]:
    """The rows found, each estimate once; ``found`` pairs each row with where it was found.

    Rows that repeat an estimate exactly (the rows of ``frame.explode("references")``)
    are one row.  Two rows of the same estimate (drug, outcome, dose level, comparator,
    measure, time frame and analysis) with other numbers or another certainty would be
    drawn as two rows no label tells apart: an error naming both.
    """
    first: dict[tuple[object, ...], tuple[str, _Row]] = {}
    for where, row in found:
        # What an estimate is, not its numbers: drug, outcome, ..., time frame, analysis.
        key = (*row[:4], row.measure, row.max_weeks, row.analysis)
        if key not in first:
            first[key] = (where, row)
            continue
        earlier_where, earlier = first[key]
        if earlier != row:
            raise InputError(
                "evidence",
                f"{earlier_where} and {where} give the same estimate ({_described(row)}) "
                f"with different numbers: {_numbers(earlier)} {earlier.certainty.label} and "
                f"{_numbers(row)} {row.certainty.label}; a forest plot draws each estimate "
                "once: keep one of them",
            )
    return [row for _, row in first.values()]


def _described(row: _Row) -> str:
    """What an estimate is: ``ciclosporin: higher dose, change in signs vs placebo, ...``."""
    drug = f"{row.drug}: " if row.drug is not None else ""
    return (
        f"{drug}{row.dose_level}, {row.outcome} vs {row.comparator}, {row.measure}, "
        f"{_time_frame(row.max_weeks)}, analysis {shown(row.analysis)}"
    )


def _no_name(drug: object, kind: str) -> None:
    if drug is not None:
        raise InputError(
            "drug",
            f"names the drug of bare EffectEstimates; {kind} carry their own drug names",
        )


def _estimate_row(drug: str | None, estimate: EffectEstimate) -> _Row:
    return _Row(
        drug,
        estimate.outcome,
        estimate.dose_level,
        estimate.comparator,
        estimate.measure,
        estimate.max_weeks,
        estimate.analysis,
        estimate.estimate,
        estimate.ci_low,
        estimate.ci_high,
        estimate.certainty,
    )


def _is_frame(value: object) -> bool:
    """Whether ``value`` is a pandas DataFrame; never imports pandas (a frame has done so)."""
    pandas = sys.modules.get("pandas")
    return pandas is not None and isinstance(value, pandas.DataFrame)


def _frame_rows(frame: pandas.DataFrame) -> list[tuple[str, _Row]]:
    missing = [column for column in _FRAME_COLUMNS if column not in frame.columns]
    if missing:
        raise InputError(
            "evidence",
            f"the frame lacks the columns {', '.join(missing)}; "
            "pass a frame of evidence_frame(), filtered by its rows",
        )
    names = [str(name) for name in frame.columns]
    repeated = next((column for column in _FRAME_COLUMNS if names.count(column) > 1), None)
    if repeated is not None:
        raise InputError(
            "evidence",
            f"the frame has {names.count(repeated)} columns named {repeated!r}; "
            "keep one (drop or rename the others)",
        )
    columns = [frame[column].tolist() for column in _FRAME_COLUMNS]
    return [
        (f"row {label!r}", _frame_row(label, dict(zip(_FRAME_COLUMNS, values, strict=True))))
        for label, *values in zip(frame.index, *columns, strict=True)
    ]


def _frame_row(label: Hashable, cells: dict[str, object]) -> _Row:
    where = f"row {label!r}"
    measured = [_frame_number(where, cells[name]) for name in ("estimate", "ci_low", "ci_high")]
    if not measured[1] <= measured[0] <= measured[2]:
        raise InputError(
            "evidence",
            f"{where}: the estimate {shown(measured[0])} does not lie within its interval "
            f"[{shown(measured[1])}, {shown(measured[2])}] (ci_low <= estimate <= ci_high)",
        )
    return _Row(
        _frame_text(where, "drug", cells["drug"]),
        _frame_word(where, Outcome, cells["outcome"]),
        _frame_word(where, DoseLevel, cells["dose_level"]),
        _frame_text(where, "comparator", cells["comparator"]),
        _frame_word(where, Measure, cells["measure"]),
        _frame_weeks(where, cells["max_weeks"]),
        _frame_text(where, "analysis", cells["analysis"]),
        measured[0],
        measured[1],
        measured[2],
        _frame_word(where, Certainty, cells["certainty"]),
    )


def _frame_text(where: str, column: str, value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InputError("evidence", f"{where}: the {column} {shown(value)} is not a name")
    return value


def _frame_word(where: str, kind: type[_Word], value: object) -> _Word:
    for member in kind:
        if isinstance(value, str) and value == member.value:
            return member
    allowed = ", ".join(repr(member.value) for member in kind)
    raise InputError(
        "evidence", f"{where}: {shown(value)} is not a {kind.__name__}; use one of {allowed}"
    )


def _frame_weeks(where: str, value: object) -> int:
    """A time frame of the frame: a whole number of weeks, at least 1 (16, or 16.0 after a
    merge made the column floats)."""
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        number = float(value)
        if math.isfinite(number) and number >= 1 and number.is_integer():
            return int(number)
    raise InputError(
        "evidence",
        f"{where}: the max_weeks {shown(value)} is not a time frame; use a whole number of "
        "weeks, at least 1",
    )


def _frame_number(where: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise InputError("evidence", f"{where}: {shown(value)} is not a number")
    number = float(value)
    if not math.isfinite(number):
        raise InputError("evidence", f"{where}: {shown(value)} is not a finite number")
    return number


def _sorted(rows: list[_Row]) -> list[_Row]:
    """``rows`` by drug (in the order first given), outcome, dose level, time frame and
    analysis (in the order first given)."""
    drugs = list(dict.fromkeys(row.drug for row in rows))
    analyses = list(dict.fromkeys(row.analysis for row in rows))
    return sorted(
        rows,
        key=lambda row: (
            drugs.index(row.drug),
            _OUTCOME_ORDER.index(row.outcome),
            _DOSE_ORDER.index(row.dose_level),
            row.max_weeks,
            analyses.index(row.analysis),
        ),
    )


def _span_of(rows: list[_Row]) -> tuple[float, float]:
    """The lowest and highest value the x axis shows: every interval, and no effect (0)."""
    return min(0.0, *(row.ci_low for row in rows)), max(0.0, *(row.ci_high for row in rows))


def _group_count(rows: list[_Row]) -> int:
    return len({(row.drug, row.outcome) for row in rows})


def _draw(ax: Axes, rows: list[_Row], *, several: bool, comparator: str) -> None:
    # Where the rows differ in time frame or analysis, each label says its own, as the
    # notebook gives them a column; an analysis by a letter, spelt out beneath the axis.
    several_weeks = len({row.max_weeks for row in rows}) > 1
    analyses = list(dict.fromkeys(row.analysis for row in rows))
    letters = {name: _letter(index) for index, name in enumerate(analyses)}
    positions: list[float] = []
    labels: list[str] = []
    position = 0.0
    previous: tuple[str | None, Outcome] | None = None
    for row in rows:
        group = (row.drug, row.outcome)
        if previous is not None and group != previous:
            position += _GROUP_GAP
        previous = group
        positions.append(position)
        label = f"{row.dose_level}, {row.outcome}"
        if several_weeks:
            label += f", {_time_frame(row.max_weeks)}"
        if len(analyses) > 1:
            label += f", analysis {letters[row.analysis]}"
        labels.append(f"{row.drug}: {label}" if several else label)
        position += 1.0

    ax.axvline(0.0, color="0.45", linewidth=1.0, linestyle="--", zorder=1)
    for y, row in zip(positions, rows, strict=True):
        # One line per row: the interval, with a marker on the estimate only.
        ax.plot(
            [row.ci_low, row.estimate, row.ci_high],
            [y, y, y],
            color="C0",
            linewidth=2.0,
            solid_capstyle="butt",
            marker="s",
            markersize=7,
            markevery=[1],
            zorder=2,
        )
        ax.annotate(
            _numbers(row),
            xy=(1.0, y),
            xycoords=ax.get_yaxis_transform(),
            xytext=(112, 0),
            textcoords="offset points",
            ha="right",
            va="center",
        )
        ax.annotate(
            f"{row.certainty.symbol} {row.certainty.label}",
            xy=(1.0, y),
            xycoords=ax.get_yaxis_transform(),
            xytext=(124, 0),
            textcoords="offset points",
            ha="left",
            va="center",
            fontfamily=_SYMBOL_FONT,
        )
    for text, offset, align in (("SMD (interval)", 112, "right"), ("GRADE certainty", 124, "left")):
        ax.annotate(
            text,
            xy=(1.0, -1.0),
            xycoords=ax.get_yaxis_transform(),
            xytext=(offset, 0),
            textcoords="offset points",
            ha=align,
            va="center",
            fontweight="bold",
        )

    ax.set_yticks(positions, labels)
    ax.set_ylim(positions[-1] + 0.7, -1.4)  # the first row on top, below the column headers
    ax.tick_params(axis="y", length=0)
    low, high = _span_of(rows)
    margin = 0.1 * (high - low or 1.0)
    ax.set_xlim(low - margin, high + margin)
    ax.set_xlabel(_AXIS_LABEL.format(comparator=comparator))
    # Beneath the label, whatever its height: the source gives no sign convention.
    note = [_DIRECTION_NOTE]
    if len(analyses) > 1:
        for name, letter in letters.items():
            note += textwrap.wrap(f"analysis {letter}: {name}", 100, subsequent_indent="  ")
    _note_beneath_axis(ax, "\n".join(note))
    ax.grid(axis="x", color="0.9", linewidth=0.8, zorder=0)
    ax.set_axisbelow(True)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)


def _numbers(row: _Row) -> str:
    """``"-1 (-1.6, -0.4)"``: the estimate and its interval as ``str(EffectEstimate)``, the
    reports and the notebook write them (every digit a value has, never rounded)."""
    return f"{exact(row.estimate)} {interval(row.ci_low, row.ci_high)}"


def _letter(index: int) -> str:
    """The letter of the analysis at ``index``: A to Z, then AA, AB, ..."""
    text = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        text = chr(ord("A") + rest) + text
    return text


def _note_beneath_axis(ax: Axes, text: str) -> None:
    """A small italic note beneath the x axis label, whatever the label's height."""
    ax.annotate(
        text,
        xy=(0.5, 0.0),
        xycoords=ax.xaxis.label,
        xytext=(0, -3),
        textcoords="offset points",
        ha="center",
        va="top",
        fontstyle="italic",
        fontsize="small",
        color="0.3",
    )


# --- the prescribed doses of a cohort -----------------------------------------------------

#: How far a number read from the table's columns may lie from the result's own, relatively:
#: far above float noise, far below any mistaken unit (1 lb is 0.45 kg, 1 g is 1000 mg).
_AGREEMENT = 1e-6
_MAX_BINS = 1000
_BAND_COLOURS = ("C1", "C2", "C3", "C4", "C5", "C6")
_DOSE_AXIS_LABEL = "Prescribed dose (mg/kg/day): amount × administrations a day ÷ body weight"


class _Band(NamedTuple):
    """A dose range of the guideline in mg/kg/day, and what it is drawn with."""

    low: float
    high: float
    label: str


def dose_distribution(
    result: pandas.DataFrame,
    drug: Drug | str | None = None,
    *,
    units: Mapping[str, str] | None = None,
    columns: Mapping[str, str] | None = None,
    ax: Axes | None = None,
    bins: int | Sequence[float] = 40,
) -> Axes:
    """A histogram of the prescribed doses of a cohort, in mg/kg/day, over the guideline's ranges.

    ``result`` is the pandas ``DataFrame`` :func:`~ae_systemic.assess_table` returned
    (filter its rows as you like; compute a Dask result first), and ``drug`` the drug it
    was assessed for (by default the one the result records).  Each bar counts rows whose
    prescribed daily amount divided by the body weight falls in its bin.  Behind the bars,
    each weight-based range of the regimens the rows were assessed under is drawn as a band
    from the regimen's lower to its upper rate, labelled with the regimen, its range and
    its population; regimens with the same range share one band.  The title gives the rows
    drawn, and a note beneath the axis the rows left out: rows with an ``error`` and rows
    without a prescription (their ``dose_status`` is null), read as
    :func:`~ae_systemic.summarize` reads them (an empty text, as in a CSV read back, is none).

    The result holds the dose ranges in mg/day, not the prescribed dose or the weight in
    kg, so both are read from the table's own columns (``weight``, ``amount``,
    ``frequency`` and ``period``, kept in the result), with the ``units`` and ``columns``
    :func:`~ae_systemic.assess_table` was given: it records them in ``result.attrs``, which
    pandas keeps through filtering; where they were lost (a frame rebuilt, a Dask result
    computed), give them again.  Units are never assumed: plain numbers need their unit,
    pint-pandas columns carry their own.  The numbers
    read are checked against the result's: each row's weight against its dose range, and
    its prescription against its ``dose_status`` and ``dose_deviation``; any difference
    (other units or columns than the result was assessed with) is an
    :class:`~ae_systemic.InputError` naming ``units`` and the row, never a wrong figure.

    ``bins`` is a number of bins (1 to 1000) or their edges, increasing; prescriptions
    outside given edges are counted in the note.  Without ``ax`` the histogram gets a new
    :class:`~matplotlib.figure.Figure` of its own; with ``ax`` it is drawn into those axes.
    The axes are returned.

    Raises :class:`~ae_systemic.ArgumentTypeError` for a ``result`` that is not a pandas
    ``DataFrame`` and for arguments of the wrong type, :class:`~ae_systemic.InputError`
    for a frame without the result's columns or with one of them twice, without a row to
    draw, or whose regimens are not the drug's, and, without matplotlib
    (``pip install 'ae-systemic[plot]'``), :class:`~ae_systemic.MissingExtraError`, an
    :class:`ImportError`.
    """
    try:
        from matplotlib.figure import Figure
    except ImportError as exc:
        raise MissingExtraError("dose_distribution", "matplotlib", "plot") from exc
    import numpy as np

    frame = _result_frame(result)
    if drug is None:
        recorded = frame.attrs.get(ASSESSED_WITH, {})
        drug = recorded.get("drug") if isinstance(recorded, dict) else None
        if drug is None:
            raise InputError(
                "drug",
                "the result does not say which drug it was assessed for (its attrs were "
                "lost); pass drug=",
            )
    subject = resolve_drug(drug)
    ax = _checked_axes(ax)
    edges = _checked_bins(bins)

    error, prescribed_rows = result_rows(frame)  # as summarize reads them: "" is none
    drawn = ~error & prescribed_rows
    left_out = (
        f"left out: {counted(int(error.sum()), 'row')} with errors, "
        f"{counted(int((~error & ~prescribed_rows).sum()), 'row')} without a prescription"
    )
    if not drawn.any():
        raise InputError("result", f"has no row with an assessed prescription to draw ({left_out})")
    rows = frame[drawn]
    bands, rate_low = _bands(subject, rows)
    kg, daily = prescribed(rows, subject, units=units, columns=columns)
    with np.errstate(all="ignore"):
        _agree(rows, kg, daily, rate_low)
        per_kg = daily / kg

    if ax is None:
        figure = Figure(figsize=(8.0, 4.8), layout="constrained")
        ax = figure.add_subplot()
    for index, band in enumerate(bands):
        colour = _BAND_COLOURS[index % len(_BAND_COLOURS)]
        ax.axvspan(
            band.low, band.high, color=colour, alpha=0.3, linewidth=0, zorder=0, label=band.label
        )
        for bound in (band.low, band.high):  # the bounds stay visible in front of the bars
            ax.axvline(bound, color=colour, linewidth=1.5, zorder=3)
    ax.hist(
        per_kg,
        bins=edges,
        color="C0",
        alpha=0.75,
        edgecolor="white",
        linewidth=0.5,
        zorder=2,
        label="prescriptions",
    )
    if not isinstance(edges, int):
        outside = int(((per_kg < edges[0]) | (per_kg > edges[-1])).sum())
        if outside:
            left_out += f"; {counted(outside, 'prescription')} outside the bins"
    ax.set_title(f"Prescribed doses of {subject.name}: {counted(len(rows), 'row')}")
    ax.set_xlabel(_DOSE_AXIS_LABEL)
    ax.set_ylabel("rows (one prescription each)")
    _note_beneath_axis(ax, left_out)
    ax.legend(loc="best", fontsize="small")
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return ax


def _result_frame(result: object) -> pandas.DataFrame:
    """``result`` as the pandas result of assess_table, or an error saying what to pass."""
    if not _is_frame(result):
        kind = f"{type(result).__module__}.{type(result).__name__}"
        hint = ""
        if kind.startswith("dask"):
            hint = "; compute a Dask result first (result.compute())"
        elif kind.startswith("pyarrow"):
            hint = "; convert a pyarrow result first (result.to_pandas())"
        raise ArgumentTypeError(
            "result", f"expected the pandas DataFrame assess_table returned, got {kind}{hint}"
        )
    frame = cast("pandas.DataFrame", result)
    checked_result_columns(list(frame.columns), "pass the table assess_table returned")
    return frame


def _checked_bins(bins: object) -> int | list[float]:
    """A number of bins, or the edges of the bins as floats."""
    import numpy as np

    if isinstance(bins, numbers.Integral) and not isinstance(bins, bool):
        if not 1 <= int(bins) <= _MAX_BINS:
            raise InputError("bins", f"must be from 1 to {_MAX_BINS}, got {shown(bins)}")
        return int(bins)
    if isinstance(bins, str | bytes) or not isinstance(bins, Sequence | np.ndarray):
        raise ArgumentTypeError(
            "bins",
            f"expected a number of bins or a sequence of bin edges, got {type(bins).__name__}",
        )
    edges: list[float] = []
    for index, edge in enumerate(bins):
        if isinstance(edge, bool) or not isinstance(edge, numbers.Real):
            raise ArgumentTypeError("bins", f"a bin edge is a number, got {shown(edge)}", index)
        if not math.isfinite(edge):
            raise InputError("bins", f"a bin edge must be finite, got {shown(edge)}", index)
        if edges and edge <= edges[-1]:
            raise InputError("bins", "the bin edges must increase", index)
        edges.append(float(edge))
    if not 2 <= len(edges) <= _MAX_BINS + 1:
        raise InputError("bins", f"give 2 to {_MAX_BINS + 1} bin edges, got {len(edges)}")
    return edges


def _bands(subject: Drug, rows: pandas.DataFrame) -> tuple[list[_Band], npt.NDArray[np.float64]]:
    """The bands of the rows' regimens, and each row's lower rate in mg/kg/day."""
    import numpy as np

    regimens = rows["regimen"].to_numpy(dtype=object)
    populations = rows["population"].to_numpy(dtype=object)
    rate_low = np.full(len(rows), np.nan)
    used: dict[DoseRegimen, int] = {}
    for label, population in dict.fromkeys(zip(regimens, populations, strict=True)):
        regimen = next(
            (r for r in subject.regimens if r.label == label and r.population.value == population),
            None,
        )
        chosen = (regimens == label) & (populations == population)
        if regimen is None:
            where = _row_label(rows, int(np.argmax(chosen)))
            raise InputError(
                "drug",
                f"{subject.name} has no regimen {shown(label)} for {shown(population)}, which "
                f"row {where} of the result names; pass the drug the result was assessed for",
            )
        rate_low[chosen] = _per_kg_day(regimen)[0]
        used[regimen] = used.get(regimen, 0) + int(chosen.sum())
    merged: dict[tuple[float, float], list[str]] = {}
    for regimen in subject.regimens:  # in the guideline's order
        if regimen in used:
            who = f"{counted(used[regimen], 'row')}, {regimen.population}"
            merged.setdefault(_per_kg_day(regimen), []).append(f"{regimen.label} [{who}]")
    bands = [
        _Band(low, high, f"{span(low, high, 'mg/kg/day')}: " + ";\n".join(labels))
        for (low, high), labels in merged.items()
    ]
    return bands, rate_low


def _per_kg_day(regimen: DoseRegimen) -> tuple[float, float]:
    """The regimen's range in mg/kg/day: its dose range for 1 kg, as the dose ranges use it."""
    if regimen.rate is None:
        raise InputError(
            "result",
            f"its rows name the regimen {regimen.label!r}, whose dose is not weight-based",
        )
    one_kg = DoseRange(regimen, 1.0, application_registry())
    return one_kg.low.magnitude, one_kg.high.magnitude


def _agree(
    rows: pandas.DataFrame,
    kg: npt.NDArray[np.float64],
    daily: npt.NDArray[np.float64],
    rate_low: npt.NDArray[np.float64],
) -> None:
    """An error unless the weights and prescriptions read give the result's own numbers."""
    import numpy as np

    low = rows["dose_low_mg_per_day"].to_numpy(dtype=np.float64, na_value=np.nan)
    high = rows["dose_high_mg_per_day"].to_numpy(dtype=np.float64, na_value=np.nan)
    deviation = rows["dose_deviation"].to_numpy(dtype=np.float64, na_value=np.nan)
    status = rows["dose_status"].to_numpy(dtype=object)
    result_kg = low / rate_low
    weight_ok = np.abs(kg - result_kg) <= _AGREEMENT * result_kg
    if not weight_ok.all():
        first = int(np.argmin(weight_ok))
        _disagree(
            rows,
            first,
            f"a weight of {kg[first]:.6g} kg, but its dose range is for {result_kg[first]:.6g} kg",
        )
    # Outside the range, dose_deviation gives the daily amount; within, the range bounds it.
    expected = np.where(status == "below", low, high) * (1 + deviation)
    dose_ok = np.where(
        status == "within",
        (daily >= low * (1 - _AGREEMENT)) & (daily <= high * (1 + _AGREEMENT)),
        np.abs(daily - expected) <= _AGREEMENT * expected,
    )
    if not dose_ok.all():
        first = int(np.argmin(dose_ok))
        _disagree(
            rows,
            first,
            f"{daily[first]:.6g} mg a day, but its dose_status is {status[first]!r} (from "
            f"{low[first]:.6g} to {high[first]:.6g} mg a day)",
        )


def _row_label(rows: pandas.DataFrame, position: int) -> str:
    """The label of a row, shown for an error: ``17`` (not ``np.int64(17)``), ``'p17'``."""
    label: object = rows.index[position]
    if isinstance(label, numbers.Integral) and not isinstance(label, bool):
        label = int(label)
    return shown(label)


def _disagree(rows: pandas.DataFrame, position: int, what: str) -> None:
    raise InputError(
        "units",
        f"row {_row_label(rows, position)} of the result reads from its columns as {what}; "
        "pass the units and columns given to assess_table",
    )
