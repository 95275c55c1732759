"""Forest plots of the effect estimates, with their GRADE certainty.

:func:`forest` draws effect estimates as points on their intervals, one row per
outcome and dose level, beside the dashed line at 0 (no difference from the
comparator), with the estimate and the certainty (``⊕⊕⊕○ MODERATE``) in columns
on the right.  It plots a drug's estimates, several drugs', a filtered
:func:`~ae_systemic.evidence_frame` or estimates picked by hand.

The intervals are drawn as the guideline prints them; the guideline states
neither their level nor which sign of the difference favours the drug, so the
x axis says so instead of marking a side as "favours".

It uses matplotlib's object-oriented API only: no pyplot, so no GUI backend is
chosen and no global figure state is touched.  Save the figure with
``fig.savefig("forest.png")``.

matplotlib is an optional dependency (the extra ``plot``); it is imported when
:func:`forest` is called, never when ``ae_systemic`` or this module is imported.
"""

from __future__ import annotations

import math
import numbers
import sys
from collections.abc import Hashable, Iterable
from typing import TYPE_CHECKING, NamedTuple, TypeVar, cast, overload

from ._errors import ArgumentTypeError, InputError, MissingExtraError, shown
from ._model import Drug, EffectEstimate
from ._research import COLUMNS, resolve_drugs
from ._vocabulary import Certainty, DoseLevel, Outcome

if TYPE_CHECKING:
    import pandas
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["forest"]

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
_MINUS = "\N{MINUS SIGN}"
_ROW_HEIGHT_INCHES = 0.42
_GROUP_GAP = 0.6  # extra space between outcomes, in rows
_OUTCOME_ORDER = tuple(Outcome)
_DOSE_ORDER = tuple(DoseLevel)
_Word = TypeVar("_Word", Outcome, DoseLevel, Certainty)
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
    * an iterable of drugs or names: the estimates of each, drug after drug;
    * a pandas ``DataFrame`` with the columns of :func:`~ae_systemic.evidence_frame`
      (it reads ``drug``, ``outcome``, ``dose_level``, ``comparator``, ``estimate``,
      ``ci_low``, ``ci_high`` and ``certainty``), typically filtered:
      ``forest(frame[frame.dose_level == DoseLevel.HIGHER])``;
    * an iterable of :class:`~ae_systemic.EffectEstimate`, such as
      ``ae_systemic.evidence("ciclosporin", outcome=Outcome.SIGNS)``.  An estimate
      does not know its drug: name it with ``drug="ciclosporin"`` for the title.
      ``drug`` is refused with the other kinds of ``evidence``, which carry their
      drugs' names.

    Rows are grouped by drug, then outcome (change in signs, quality of life,
    itch), then dose level, and labelled ``"higher dose, change in signs"``;
    with several drugs the label starts with the drug's name
    (``"ciclosporin: higher dose, change in signs"``).  Each row shows the
    estimate as a point on its interval as the guideline prints it; the
    dashed vertical line at 0 is no difference from the comparator.  The x
    axis is labelled ``"Standardised mean difference vs placebo (interval as
    printed in the guideline, level not stated)"`` and, beneath, ``"direction of
    benefit not stated in the source"``: the guideline states neither, so no
    side is marked as favouring the drug.  On the right, each row gives the
    estimate and interval as numbers and the GRADE certainty as symbols and
    words.

    Without ``ax`` the plot gets a new :class:`~matplotlib.figure.Figure` of its
    own, sized to the rows and laid out by matplotlib's constrained layout; with
    ``ax`` it is drawn into that axes (leave room on its right for the
    columns), and the axes' figure is returned.

    Raises :class:`~ae_systemic.ArgumentTypeError` for ``evidence`` of another
    kind, :class:`~ae_systemic.InputError` when there are no estimates, when
    they are against different comparators, or for a frame without the
    columns or with values that are not the vocabulary's, and, without
    matplotlib (``pip install 'ae-systemic[plot]'``),
    :class:`~ae_systemic.MissingExtraError`, an :class:`ImportError`.
    """
    try:
        from matplotlib.figure import Figure, SubFigure
        from matplotlib.layout_engine import ConstrainedLayoutEngine
    except ImportError as exc:
        raise MissingExtraError("forest", "matplotlib", "plot") from exc

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
    ax.set_title(f"Effect estimates{named} vs {comparators[0]}")
    return figure


def _rows_of(evidence: object, drug: object) -> tuple[list[_Row], str]:
    """The rows to plot, top to bottom, and what they came from (for an error)."""
    if drug is not None and not isinstance(drug, str):
        raise ArgumentTypeError("drug", f"expected a drug name or None, got {shown(drug)}")
    if drug is not None and not drug.strip():
        raise InputError("drug", "must not be empty")
    if _is_frame(evidence):
        _no_name(drug, "an evidence frame")
        rows = _frame_rows(cast("pandas.DataFrame", evidence))
        return _sorted(rows), "an empty frame"
    if not isinstance(evidence, Drug | str | Iterable):
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
        return _sorted([_estimate_row(name, estimate) for estimate in estimates]), "no estimates"
    _no_name(drug, "drugs")
    drugs = resolve_drugs(cast("list[Drug | str]", items), "evidence")  # checks the items
    rows = [_estimate_row(d.name, estimate) for d in drugs for estimate in d.evidence]
    return _sorted(rows), ", ".join(d.name for d in drugs) or "no drug"


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
        estimate.estimate,
        estimate.ci_low,
        estimate.ci_high,
        estimate.certainty,
    )


def _is_frame(value: object) -> bool:
    """Whether ``value`` is a pandas DataFrame; never imports pandas (a frame has done so)."""
    pandas = sys.modules.get("pandas")
    return pandas is not None and isinstance(value, pandas.DataFrame)


def _frame_rows(frame: pandas.DataFrame) -> list[_Row]:
    missing = [column for column in _FRAME_COLUMNS if column not in frame.columns]
    if missing:
        raise InputError(
            "evidence",
            f"the frame lacks the columns {', '.join(missing)}; "
            "pass a frame of evidence_frame(), filtered by its rows",
        )
    columns = [frame[column].tolist() for column in _FRAME_COLUMNS]
    return [
        _frame_row(label, *values) for label, *values in zip(frame.index, *columns, strict=True)
    ]


def _frame_row(label: Hashable, *values: object) -> _Row:
    drug, outcome, dose_level, comparator, estimate, low, high, certainty = values
    where = f"row {label!r}"
    return _Row(
        _frame_text(where, "drug", drug),
        _frame_word(where, Outcome, outcome),
        _frame_word(where, DoseLevel, dose_level),
        _frame_text(where, "comparator", comparator),
        _frame_number(where, estimate),
        _frame_number(where, low),
        _frame_number(where, high),
        _frame_word(where, Certainty, certainty),
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


def _frame_number(where: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise InputError("evidence", f"{where}: {shown(value)} is not a number")
    number = float(value)
    if not math.isfinite(number):
        raise InputError("evidence", f"{where}: {shown(value)} is not a finite number")
    return number


def _sorted(rows: list[_Row]) -> list[_Row]:
    """``rows`` by drug (in the order first given), outcome and dose level."""
    drugs = list(dict.fromkeys(row.drug for row in rows))
    return sorted(
        rows,
        key=lambda row: (
            drugs.index(row.drug),
            _OUTCOME_ORDER.index(row.outcome),
            _DOSE_ORDER.index(row.dose_level),
        ),
    )


def _group_count(rows: list[_Row]) -> int:
    return len({(row.drug, row.outcome) for row in rows})


def _draw(ax: Axes, rows: list[_Row], *, several: bool, comparator: str) -> None:
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
    low = min(0.0, *(row.ci_low for row in rows))
    high = max(0.0, *(row.ci_high for row in rows))
    margin = 0.1 * (high - low or 1.0)
    ax.set_xlim(low - margin, high + margin)
    ax.set_xlabel(_AXIS_LABEL.format(comparator=comparator))
    # Beneath the label, whatever its height: the source gives no sign convention.
    ax.annotate(
        _DIRECTION_NOTE,
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
    ax.grid(axis="x", color="0.9", linewidth=0.8, zorder=0)
    ax.set_axisbelow(True)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)


def _numbers(row: _Row) -> str:
    """``"−1.0 (−1.6, −0.4)"``: one decimal as the guideline prints them, more if needed."""
    low, point, high = (_number(x) for x in (row.ci_low, row.estimate, row.ci_high))
    return f"{point} ({low}, {high})"


def _number(value: float) -> str:
    text = f"{value:.1f}" if round(value, 1) == value else f"{value:g}"
    return text.replace("-", _MINUS)
