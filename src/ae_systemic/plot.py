"""Forest plots of the effect estimates, with their GRADE certainty.

:func:`forest` draws each estimate of one or more drugs as a point with its
95 % interval, one row per outcome and dose level, beside the line of no effect
at 0, with the estimate and the certainty (``⊕⊕⊕○ MODERATE``) in columns on
the right.  It uses matplotlib's object-oriented API only: no pyplot, so no
GUI backend is chosen and no global figure state is touched.  Save the figure
with ``fig.savefig("forest.png")``.

matplotlib is an optional dependency (the extra ``plot``); it is imported when
:func:`forest` is called, never when ``ae_systemic`` or this module is imported.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from ._errors import InputError, MissingExtraError
from ._model import Drug, EffectEstimate
from ._research import resolve_drugs
from ._vocabulary import DoseLevel, Outcome

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["forest"]

# DejaVu Sans ships with matplotlib and has the circles of the GRADE symbols (⊕ ○).
_SYMBOL_FONT = "DejaVu Sans"
_MINUS = "\N{MINUS SIGN}"
_ROW_HEIGHT_INCHES = 0.42
_GROUP_GAP = 0.6  # extra space between outcomes, in rows
_OUTCOME_ORDER = tuple(Outcome)
_DOSE_ORDER = tuple(DoseLevel)


def forest(drug_or_drugs: Drug | str | Iterable[Drug | str], *, ax: Axes | None = None) -> Figure:
    """A forest plot of the effect estimates of ``drug_or_drugs``.

    ``drug_or_drugs`` is a :class:`~ae_systemic.Drug`, a drug name, or an
    iterable of them.  Rows are grouped by drug, then outcome (change in signs,
    quality of life, itch), then dose level, and labelled ``"higher dose,
    change in signs"``; with several drugs the label starts with the drug's
    name (``"ciclosporin: higher dose, change in signs"``).  Each row shows the
    estimate as a point on its 95 % interval; the dashed vertical line at 0 is
    no effect.  On the right, each row gives the estimate and interval as
    numbers and the GRADE certainty as symbols and words.

    Without ``ax`` the plot gets a new :class:`~matplotlib.figure.Figure` of its
    own, sized to the rows and laid out by matplotlib's constrained layout; with
    ``ax`` it is drawn into that axes (leave room on its right for the
    columns), and the axes' figure is returned.

    Raises :class:`~ae_systemic.InputError` when the drugs have no estimates
    or their estimates are against different comparators, and, without
    matplotlib (``pip install 'ae-systemic[plot]'``),
    :class:`~ae_systemic.MissingExtraError`, an :class:`ImportError`.
    """
    try:
        from matplotlib.figure import Figure, SubFigure
        from matplotlib.layout_engine import ConstrainedLayoutEngine
    except ImportError as exc:
        raise MissingExtraError("forest", "matplotlib", "plot") from exc

    drugs = resolve_drugs(drug_or_drugs)
    rows = _rows(drugs)
    if not rows:
        names = ", ".join(drug.name for drug in drugs) or "no drug"
        raise InputError("drug_or_drugs", f"no effect estimates to plot ({names})")
    comparators = sorted({estimate.comparator for _, estimate in rows})
    if len(comparators) > 1:
        raise InputError(
            "drug_or_drugs",
            "a forest plot compares against one comparator; these estimates "
            f"are against {', '.join(comparators)}",
        )

    if ax is None:
        height = 1.5 + _ROW_HEIGHT_INCHES * (len(rows) + _GROUP_GAP * _group_count(rows))
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

    _draw(ax, rows, several=len(drugs) > 1, comparator=comparators[0])
    names = ", ".join(dict.fromkeys(drug.name for drug, _ in rows))
    ax.set_title(f"Effect estimates: {names} vs {comparators[0]}")
    return figure


def _rows(drugs: Iterable[Drug]) -> list[tuple[Drug, EffectEstimate]]:
    """The estimates to plot, top to bottom: by drug, outcome and dose level."""
    rows: list[tuple[Drug, EffectEstimate]] = []
    for drug in drugs:
        rows += sorted(
            ((drug, estimate) for estimate in drug.evidence),
            key=lambda row: (
                _OUTCOME_ORDER.index(row[1].outcome),
                _DOSE_ORDER.index(row[1].dose_level),
            ),
        )
    return rows


def _group_count(rows: list[tuple[Drug, EffectEstimate]]) -> int:
    return len({(id(drug), estimate.outcome) for drug, estimate in rows})


def _draw(
    ax: Axes, rows: list[tuple[Drug, EffectEstimate]], *, several: bool, comparator: str
) -> None:
    positions: list[float] = []
    labels: list[str] = []
    position = 0.0
    previous: tuple[int, Outcome] | None = None
    for drug, estimate in rows:
        group = (id(drug), estimate.outcome)
        if previous is not None and group != previous:
            position += _GROUP_GAP
        previous = group
        positions.append(position)
        label = f"{estimate.dose_level}, {estimate.outcome}"
        labels.append(f"{drug.name}: {label}" if several else label)
        position += 1.0

    ax.axvline(0.0, color="0.45", linewidth=1.0, linestyle="--", zorder=1)
    for y, (_, estimate) in zip(positions, rows, strict=True):
        # One line per row: the interval, with a marker on the estimate only.
        ax.plot(
            [estimate.ci_low, estimate.estimate, estimate.ci_high],
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
            _numbers(estimate),
            xy=(1.0, y),
            xycoords=ax.get_yaxis_transform(),
            xytext=(112, 0),
            textcoords="offset points",
            ha="right",
            va="center",
        )
        ax.annotate(
            f"{estimate.certainty.symbol} {estimate.certainty.label}",
            xy=(1.0, y),
            xycoords=ax.get_yaxis_transform(),
            xytext=(124, 0),
            textcoords="offset points",
            ha="left",
            va="center",
            fontfamily=_SYMBOL_FONT,
        )
    for text, offset, align in (("SMD (95% CI)", 112, "right"), ("GRADE certainty", 124, "left")):
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
    low = min(0.0, *(estimate.ci_low for _, estimate in rows))
    high = max(0.0, *(estimate.ci_high for _, estimate in rows))
    margin = 0.1 * (high - low or 1.0)
    ax.set_xlim(low - margin, high + margin)
    ax.set_xlabel(f"Standardised mean difference vs {comparator} (95% CI)")
    ax.grid(axis="x", color="0.9", linewidth=0.8, zorder=0)
    ax.set_axisbelow(True)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)


def _numbers(estimate: EffectEstimate) -> str:
    """``"−1.0 (−1.6, −0.4)"``: one decimal as the guideline prints them, more if needed."""
    low, point, high = (_number(x) for x in (estimate.ci_low, estimate.estimate, estimate.ci_high))
    return f"{point} ({low}, {high})"


def _number(value: float) -> str:
    text = f"{value:.1f}" if round(value, 1) == value else f"{value:g}"
    return text.replace("-", _MINUS)
