"""The research faces: ``evidence_frame`` (pandas) and ``ae_systemic.plot.forest`` (matplotlib)."""

from __future__ import annotations

import io
import math
import subprocess
import sys
import warnings
from collections.abc import Callable
from pathlib import Path

import attrs
import numpy as np
import pandas as pd
import pytest
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.text import Text

import ae_systemic
from ae_systemic import (
    Certainty,
    DoseLevel,
    Drug,
    InputError,
    MissingExtraError,
    Outcome,
    evidence_frame,
)
from ae_systemic._research import resolve_drugs
from ae_systemic.plot import forest
from synthetic_drugs import synthetic

COLUMNS = [
    "drug",
    "outcome",
    "dose_level",
    "comparator",
    "measure",
    "max_weeks",
    "analysis",
    "estimate",
    "ci_low",
    "ci_high",
    "certainty",
    "significant",
    "references",
]

#: The analysis of every ciclosporin estimate, as the guideline names it (up to 16 weeks).
NMA_2022 = (
    "Network meta-analysis 2022, short term vs placebo (medications used in clinical practice "
    "or likely to be approved soon)"
)

#: The ciclosporin estimates as the guideline prints them (NMA 2022, vs placebo).
CICLOSPORIN = [
    ("signs", "higher", -1.0, -1.6, -0.4, "moderate", True),
    ("quality-of-life", "higher", -0.7, -1.3, -0.1, "moderate", True),
    ("itch", "higher", -0.7, -1.5, 0.2, "low", False),
    ("signs", "lower", -0.7, -1.4, -0.1, "moderate", True),
    ("quality-of-life", "lower", -0.5, -1.1, 0.2, "low", False),
    ("itch", "lower", -0.7, -1.6, 0.3, "low", False),
]

#: The x axis label: the guideline prints the intervals without their level.
AXIS_LABEL = (
    "Standardised mean difference vs {comparator}\n"
    "(interval as printed in the guideline, level not stated)"
)
DIRECTION_NOTE = "direction of benefit not stated in the source"

ROW_LABELS = [
    "higher dose, change in signs",
    "lower dose, change in signs",
    "higher dose, quality of life",
    "lower dose, quality of life",
    "higher dose, itch",
    "lower dose, itch",
]


@pytest.fixture(scope="module")
def twin(csa: Drug) -> Drug:
    """Ciclosporin's content under another name: a second drug for stacking."""
    return attrs.evolve(csa, name="twinsporin", synonyms=())


# --- evidence_frame -------------------------------------------------------------------


def test_the_frame_holds_exactly_the_ciclosporin_estimates() -> None:
    frame = evidence_frame("ciclosporin")
    assert list(frame.columns) == COLUMNS
    assert list(frame.index) == list(range(6))
    columns = ["outcome", "dose_level", "estimate", "ci_low", "ci_high", "certainty", "significant"]
    rows = list(zip(*(frame[column].tolist() for column in columns), strict=True))
    assert rows == CICLOSPORIN
    assert list(frame["drug"]) == ["ciclosporin"] * 6
    assert list(frame["comparator"]) == ["placebo"] * 6
    assert list(frame["measure"]) == ["smd"] * 6
    assert list(frame["max_weeks"]) == [16] * 6
    assert list(frame["analysis"]) == [NMA_2022] * 6
    assert list(frame["references"]) == [(1, 2)] * 6


def test_the_frame_agrees_with_the_model(csa: Drug) -> None:
    frame = evidence_frame(csa)
    for row, estimate in zip(frame.itertuples(), csa.evidence, strict=True):
        assert ae_systemic.Outcome(str(row.outcome)) is estimate.outcome
        assert ae_systemic.DoseLevel(str(row.dose_level)) is estimate.dose_level
        assert ae_systemic.Certainty(str(row.certainty)) is estimate.certainty
        assert row.estimate == estimate.estimate
        assert row.comparator == estimate.comparator
        assert ae_systemic.Measure(str(row.measure)) is estimate.measure
        assert row.max_weeks == estimate.max_weeks
        assert row.analysis == estimate.analysis
        assert row.significant == estimate.is_significant
        assert row.references == estimate.references


def test_estimates_of_two_analyses_are_told_apart_by_time_frame_and_analysis(csa: Drug) -> None:
    """A synthetic drug with ciclosporin's six estimates and the same numbers again from a
    52-week analysis (test inputs): rows that differ only in their time frame and analysis."""
    longer = tuple(
        attrs.evolve(e, max_weeks=52, analysis="synthetic 52-week analysis") for e in csa.evidence
    )
    examplumab = attrs.evolve(synthetic("Examplumab"), evidence=csa.evidence + longer)
    frame = evidence_frame(examplumab)
    assert len(frame) == 12
    assert not frame.drop(columns="references").duplicated().any()  # no two rows alike
    assert frame["max_weeks"].tolist() == [16] * 6 + [52] * 6
    assert frame["analysis"].tolist() == [NMA_2022] * 6 + ["synthetic 52-week analysis"] * 6
    assert frame["measure"].tolist() == ["smd"] * 12
    same = frame.drop(columns=["max_weeks", "analysis", "references"])
    assert same.duplicated().tolist() == [False] * 6 + [True] * 6  # the rest repeats


def test_the_column_types() -> None:
    frame = evidence_frame("ciclosporin")
    assert pd.api.types.is_string_dtype(frame["drug"])
    assert pd.api.types.is_string_dtype(frame["comparator"])
    assert pd.api.types.is_string_dtype(frame["analysis"])
    assert frame["max_weeks"].dtype == "int64"
    for column in ("estimate", "ci_low", "ci_high"):
        assert frame[column].dtype == "float64"
    assert frame["significant"].dtype == "bool"
    assert frame["references"].dtype == "object"

    outcome = frame["outcome"].dtype
    assert isinstance(outcome, pd.CategoricalDtype)
    assert list(outcome.categories) == ["signs", "quality-of-life", "itch"]
    dose_level = frame["dose_level"].dtype
    assert isinstance(dose_level, pd.CategoricalDtype)
    assert list(dose_level.categories) == ["higher", "lower"]
    measure = frame["measure"].dtype
    assert isinstance(measure, pd.CategoricalDtype)
    assert not measure.ordered
    assert list(measure.categories) == ["smd"]

    certainty = frame["certainty"].dtype
    assert isinstance(certainty, pd.CategoricalDtype)
    assert certainty.ordered
    assert list(certainty.categories) == ["very-low", "low", "moderate", "high"]


def test_certainty_sorts_and_compares_in_grade_order() -> None:
    frame = evidence_frame("ciclosporin")
    ordered = frame.sort_values("certainty", kind="stable")
    assert list(ordered["certainty"].astype(str)) == ["low"] * 3 + ["moderate"] * 3
    assert list(ordered.index) == [2, 4, 5, 0, 1, 3]
    assert list(frame.index[frame["certainty"] >= "moderate"]) == [0, 1, 3]
    assert list(frame.index[frame["certainty"] > "very-low"]) == list(range(6))
    assert str(frame["certainty"].max()) == "moderate"


def test_outcomes_sort_in_the_order_of_the_guideline() -> None:
    frame = evidence_frame("ciclosporin").sort_values(["outcome", "dose_level"], kind="stable")
    pairs = zip(frame["outcome"].tolist(), frame["dose_level"].tolist(), strict=True)
    labels = [f"{dose} dose, {ae_systemic.Outcome(outcome)}" for outcome, dose in pairs]
    assert labels == ROW_LABELS


@pytest.mark.parametrize(
    "subject",
    ["ciclosporin", " CsA ", "cyclosporine", ["ciclosporin"], ("CsA",), iter(["ciclosporin"])],
    ids=["name", "synonym", "spelling", "list", "tuple", "iterator"],
)
def test_the_frame_accepts_names_and_iterables(subject: object) -> None:
    frame = evidence_frame(subject)  # type: ignore[arg-type]
    pd.testing.assert_frame_equal(frame, evidence_frame("ciclosporin"))


def test_the_frame_accepts_a_drug_and_a_mixed_list(csa: Drug) -> None:
    pd.testing.assert_frame_equal(evidence_frame(csa), evidence_frame("ciclosporin"))
    pd.testing.assert_frame_equal(evidence_frame([csa, "ciclosporin"]), evidence_frame(csa))


@pytest.mark.parametrize(
    "subject",
    [["ciclosporin", "CsA"], ["CsA", "cyclosporine", "ciclosporin"], ["ciclosporin"] * 3],
    ids=["name-and-synonym", "three-names", "one-name-thrice"],
)
def test_a_drug_named_twice_gives_its_six_estimates_once(subject: list[str]) -> None:
    frame = evidence_frame(subject)
    assert len(frame) == 6
    pd.testing.assert_frame_equal(frame, evidence_frame("ciclosporin"))


def test_an_equal_copy_of_a_drug_is_the_same_drug_and_the_first_given_is_kept(
    csa: Drug, twin: Drug
) -> None:
    copy = attrs.evolve(csa)  # equal, not the same object
    assert copy == csa
    assert copy is not csa
    assert resolve_drugs([copy, twin, "ciclosporin", twin])[0] is copy
    assert resolve_drugs([copy, twin, "ciclosporin", twin]) == (copy, twin)
    assert (
        list(evidence_frame([twin, csa, copy])["drug"]) == ["twinsporin"] * 6 + ["ciclosporin"] * 6
    )


def test_several_drugs_stack_their_rows_in_order(csa: Drug, twin: Drug) -> None:
    frame = evidence_frame([csa, twin])
    assert list(frame["drug"]) == ["ciclosporin"] * 6 + ["twinsporin"] * 6
    assert list(frame.index) == list(range(12))
    first, second = frame.iloc[:6].reset_index(drop=True), frame.iloc[6:].reset_index(drop=True)
    pd.testing.assert_frame_equal(first.drop(columns="drug"), second.drop(columns="drug"))
    assert isinstance(frame["certainty"].dtype, pd.CategoricalDtype)
    assert frame["certainty"].dtype.ordered


def test_every_shipped_drug_at_once() -> None:
    frame = evidence_frame(ae_systemic.drugs())
    assert len(frame) == sum(len(drug.evidence) for drug in ae_systemic.drugs())


def test_no_drugs_give_an_empty_frame_with_the_same_columns_and_types() -> None:
    empty, full = evidence_frame([]), evidence_frame("ciclosporin")
    assert len(empty) == 0
    assert list(empty.columns) == COLUMNS
    assert list(empty.dtypes) == list(full.dtypes)


def test_the_references_explode_to_one_row_per_citation() -> None:
    exploded = evidence_frame("ciclosporin").explode("references")
    assert len(exploded) == 12
    assert set(exploded["references"]) == {1, 2}


def test_unknown_and_unusable_subjects_are_refused() -> None:
    with pytest.raises(ae_systemic.UnknownDrugError):
        evidence_frame("cyclosporin X")
    with pytest.raises(ae_systemic.ArgumentTypeError, match="drug_or_drugs"):
        evidence_frame(42)  # type: ignore[arg-type]
    with pytest.raises(ae_systemic.ArgumentTypeError, match="drug_or_drugs"):
        evidence_frame([42])  # type: ignore[list-item]


@pytest.mark.parametrize(
    "subject",
    [b"ciclosporin", bytearray(b"ciclosporin"), memoryview(b"ciclosporin")],
    ids=["bytes", "bytearray", "memoryview"],
)
def test_bytes_are_refused_as_bytes_not_read_as_numbers(subject: object) -> None:
    with pytest.raises(ae_systemic.ArgumentTypeError) as raised:
        evidence_frame(subject)  # type: ignore[arg-type]
    assert raised.value.where == "drug_or_drugs"
    assert str(raised.value) == (
        "drug_or_drugs: expected a Drug, a drug name such as 'ciclosporin' or an iterable of "
        f"them, got {type(subject).__name__}; a drug name is text: decode the bytes first "
        "(b'ciclosporin'.decode())"
    )


# --- the vocabulary's enums select rows -----------------------------------------------


def test_an_outcome_selects_its_rows() -> None:
    frame = evidence_frame("ciclosporin")
    assert list(frame.index[frame.outcome == Outcome.SIGNS]) == [0, 3]
    assert list(frame.index[frame["outcome"] == Outcome.ITCH]) == [2, 5]
    assert list(frame.index[frame.outcome != Outcome.ITCH]) == [0, 1, 3, 4]
    assert list(frame.index[frame.outcome.isin([Outcome.SIGNS, Outcome.QUALITY_OF_LIFE])]) == [
        0,
        1,
        3,
        4,
    ]
    itch = Outcome.ITCH  # bound to a name: pandas 2.0 reads no attribute after @
    assert (
        list(frame.query("outcome == @itch").index)
        == [2, 5]
        == list(frame.index[frame.outcome == itch])
    )


def test_a_dose_level_selects_its_rows() -> None:
    frame = evidence_frame("ciclosporin")
    assert list(frame.index[frame.dose_level == DoseLevel.HIGHER]) == [0, 1, 2]
    assert list(frame.index[frame.dose_level == DoseLevel.LOWER]) == [3, 4, 5]
    higher = frame[(frame.dose_level == DoseLevel.HIGHER) & (frame.outcome == Outcome.SIGNS)]
    assert higher["estimate"].tolist() == [-1.0]


@pytest.mark.parametrize(
    ("compare", "rows"),
    [
        (lambda c: c >= Certainty.MODERATE, [0, 1, 3]),
        (lambda c: c > Certainty.LOW, [0, 1, 3]),
        (lambda c: c <= Certainty.LOW, [2, 4, 5]),
        (lambda c: c < Certainty.MODERATE, [2, 4, 5]),
        (lambda c: c == Certainty.MODERATE, [0, 1, 3]),
        (lambda c: c > Certainty.VERY_LOW, [0, 1, 2, 3, 4, 5]),
        (lambda c: c >= Certainty.HIGH, []),
        (lambda c: Certainty.MODERATE <= c, [0, 1, 3]),  # noqa: SIM300 - the member on the left
    ],
    ids=[">=M", ">L", "<=L", "<M", "==M", ">VL", ">=H", "M<="],
)
def test_certainty_compares_with_its_enum_in_grade_order(
    compare: Callable[[pd.Series], pd.Series], rows: list[int]
) -> None:
    frame = evidence_frame("ciclosporin")
    assert list(frame.index[compare(frame["certainty"])]) == rows


def test_a_cell_equals_its_enum_member() -> None:
    frame = evidence_frame("ciclosporin")
    first = frame.iloc[0]
    assert first["outcome"] == Outcome.SIGNS
    assert first["dose_level"] == DoseLevel.HIGHER
    assert first["certainty"] == Certainty.MODERATE
    assert first["certainty"] >= Certainty.LOW
    counts = frame.groupby("outcome", observed=True).size()
    assert counts[Outcome.ITCH] == 2


# --- the forest plot ------------------------------------------------------------------


def _data(line: Line2D) -> tuple[list[float], list[float]]:
    """The x and the y coordinates of ``line``'s points."""
    x = np.asarray(line.get_xdata(), dtype=float)
    y = np.asarray(line.get_ydata(), dtype=float)
    return [float(v) for v in x], [float(v) for v in y]


def _interval_lines(ax: Axes) -> list[Line2D]:
    """The horizontal lines of three points of the axes: one per estimate."""
    return [line for line in ax.lines if len(set(_data(line)[1])) == 1 and len(_data(line)[0]) == 3]


def _texts(ax: Axes) -> list[str]:
    return [text.get_text() for text in ax.texts]


def test_the_forest_plot_is_a_figure_saved_as_png(tmp_path: Path) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig = forest("ciclosporin")
        fig.savefig(tmp_path / "forest.png")
    assert [str(w.message) for w in caught] == []
    assert isinstance(fig, Figure)
    data = (tmp_path / "forest.png").read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert 10_000 < len(data) < 1_000_000


def test_the_forest_plot_draws_each_interval_and_the_line_of_no_effect(csa: Drug) -> None:
    fig = forest(csa)
    (ax,) = fig.axes
    intervals = _interval_lines(ax)
    assert len(intervals) == 6
    drawn = sorted(tuple(_data(line)[0]) for line in intervals)
    assert drawn == sorted((e.ci_low, e.estimate, e.ci_high) for e in csa.evidence)
    assert all(line.get_markevery() == [1] for line in intervals)  # a marker on the estimate
    vertical = [line for line in ax.lines if _data(line)[0] == [0.0, 0.0]]
    assert len(vertical) == 1
    assert len(ax.lines) == 7
    low, high = ax.get_xlim()
    assert low < -1.6
    assert high > 0.3


def test_the_forest_plot_labels_rows_axis_and_certainty() -> None:
    fig = forest("ciclosporin")
    (ax,) = fig.axes
    assert [label.get_text() for label in ax.get_yticklabels()] == ROW_LABELS
    assert ax.get_xlabel() == AXIS_LABEL.format(comparator="placebo")
    assert ax.get_title() == "Effect estimates: ciclosporin vs placebo, up to 16 weeks"
    texts = _texts(ax)
    assert texts.count("⊕⊕⊕○ MODERATE") == 3
    assert texts.count("⊕⊕○○ LOW") == 3
    assert "-1 (-1.6, -0.4)" in texts
    assert "SMD (interval)" in texts
    assert "GRADE certainty" in texts


def test_the_rows_run_top_to_bottom(csa: Drug) -> None:
    (ax,) = forest(csa).axes
    ticks = list(ax.get_yticks())
    bottom, top = ax.get_ylim()
    assert bottom > top  # inverted: the first row is drawn on top
    assert ticks == sorted(ticks)


def test_several_drugs_prefix_their_names(csa: Drug, twin: Drug) -> None:
    (ax,) = forest([csa, twin]).axes
    labels = [label.get_text() for label in ax.get_yticklabels()]
    expected = [f"ciclosporin: {label}" for label in ROW_LABELS]
    assert labels == expected + [f"twinsporin: {label}" for label in ROW_LABELS]
    assert len(_interval_lines(ax)) == 12
    assert "twinsporin" in ax.get_title()


def test_the_forest_plot_draws_into_given_axes(tmp_path: Path) -> None:
    fig = Figure(figsize=(10, 4), layout="constrained")
    left, right = fig.subplots(1, 2)
    assert forest("ciclosporin", ax=right) is fig
    assert len(_interval_lines(right)) == 6
    assert not left.lines
    fig.savefig(tmp_path / "two.png")


def test_the_forest_plot_draws_into_axes_of_a_subfigure() -> None:
    fig = Figure()
    sub = fig.add_subfigure(fig.add_gridspec(1, 1)[0, 0])
    assert forest("ciclosporin", ax=sub.add_subplot()) is fig


def test_the_forest_plot_refuses_what_it_cannot_draw(csa: Drug) -> None:
    with pytest.raises(InputError, match="no effect estimates"):
        forest(attrs.evolve(csa, evidence=()))
    with pytest.raises(InputError, match="no effect estimates"):
        forest([])
    other = attrs.evolve(
        csa,
        name="other",
        synonyms=(),
        evidence=tuple(attrs.evolve(e, comparator="methotrexate") for e in csa.evidence),
    )
    with pytest.raises(InputError, match="one comparator"):
        forest([csa, other])


def test_another_comparator_is_named_on_the_axis(csa: Drug) -> None:
    other = attrs.evolve(
        csa, evidence=tuple(attrs.evolve(e, comparator="methotrexate") for e in csa.evidence)
    )
    (ax,) = forest(other).axes
    assert ax.get_xlabel() == AXIS_LABEL.format(comparator="methotrexate")
    assert ax.get_title() == "Effect estimates: ciclosporin vs methotrexate, up to 16 weeks"


# --- what the forest plot draws from --------------------------------------------------


def _row_labels(fig: Figure) -> list[str]:
    (ax,) = fig.axes
    return [label.get_text() for label in ax.get_yticklabels()]


def test_the_forest_plot_draws_a_filtered_frame() -> None:
    frame = evidence_frame("ciclosporin")
    fig = forest(frame[frame.dose_level == DoseLevel.HIGHER])
    assert _row_labels(fig) == [label for label in ROW_LABELS if label.startswith("higher")]
    (ax,) = fig.axes
    drawn = sorted(tuple(_data(line)[0]) for line in _interval_lines(ax))
    assert drawn == sorted([(-1.6, -1.0, -0.4), (-1.3, -0.7, -0.1), (-1.5, -0.7, 0.2)])
    assert ax.get_title() == "Effect estimates: ciclosporin vs placebo, up to 16 weeks"
    assert ax.get_xlabel() == AXIS_LABEL.format(comparator="placebo")


def test_the_whole_frame_draws_as_the_drug_does(csa: Drug) -> None:
    from_frame, from_drug = forest(evidence_frame(csa)), forest(csa)
    assert _row_labels(from_frame) == _row_labels(from_drug) == ROW_LABELS
    (a,), (b,) = from_frame.axes, from_drug.axes
    assert [_data(line) for line in a.lines] == [_data(line) for line in b.lines]
    assert _texts(a) == _texts(b)


def test_a_frame_in_another_order_is_drawn_in_the_guideline_order() -> None:
    frame = evidence_frame("ciclosporin").sort_values("certainty", kind="stable")
    assert _row_labels(forest(frame.iloc[::-1])) == ROW_LABELS


def test_a_frame_of_several_drugs_prefixes_their_names(csa: Drug, twin: Drug) -> None:
    frame = evidence_frame([csa, twin])
    labels = _row_labels(forest(frame[frame.outcome == Outcome.ITCH]))
    assert labels == [
        "ciclosporin: higher dose, itch",
        "ciclosporin: lower dose, itch",
        "twinsporin: higher dose, itch",
        "twinsporin: lower dose, itch",
    ]


def test_the_forest_plot_draws_estimates_named_by_drug() -> None:
    estimates = ae_systemic.evidence("ciclosporin", outcome=Outcome.SIGNS)
    fig = forest(estimates, drug="ciclosporin")
    assert _row_labels(fig) == ROW_LABELS[:2]
    (ax,) = fig.axes
    assert ax.get_title() == "Effect estimates: ciclosporin vs placebo, up to 16 weeks"
    assert len(_interval_lines(ax)) == 2


def test_estimates_without_a_drug_name_are_titled_by_comparator_only(csa: Drug) -> None:
    fig = forest(reversed(csa.evidence))  # any iterable, in any order
    assert _row_labels(fig) == ROW_LABELS
    (ax,) = fig.axes
    assert ax.get_title() == "Effect estimates vs placebo, up to 16 weeks"


def test_the_forest_plot_refuses_what_it_cannot_read(csa: Drug) -> None:
    frame = evidence_frame(csa)
    with pytest.raises(InputError, match="no effect estimates to plot"):
        forest(frame[frame.outcome == "no such outcome"])
    with pytest.raises(InputError, match="lacks the columns comparator, certainty"):
        forest(frame.drop(columns=["comparator", "certainty"]))
    with pytest.raises(InputError, match=r"row 2: 'itchy' is not a Outcome"):
        forest(frame.astype({"outcome": "object"}).replace({"outcome": {"itch": "itchy"}}))
    with pytest.raises(InputError, match=r"row 0: nan is not a finite number"):
        forest(frame.assign(estimate=[float("nan"), *frame["estimate"].tolist()[1:]]))
    with pytest.raises(InputError, match="drug"):
        forest(frame, drug="ciclosporin")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="drug"):
        forest("ciclosporin", drug="ciclosporin")  # type: ignore[arg-type]
    with pytest.raises(ae_systemic.ArgumentTypeError, match=r"evidence\[1\]"):
        forest([csa.evidence[0], "ciclosporin"])  # type: ignore[list-item]
    with pytest.raises(ae_systemic.ArgumentTypeError, match="DataFrame"):
        forest(42)  # type: ignore[call-overload]
    with pytest.raises(ae_systemic.ArgumentTypeError, match="drug"):
        forest(csa.evidence, drug=42)  # type: ignore[call-overload]
    with pytest.raises(InputError, match="drug"):
        forest(csa.evidence, drug=" ")
    with pytest.raises(ae_systemic.UnknownDrugError):
        forest(["ciclosporin", "no such drug"])


def test_a_frame_row_outside_its_interval_is_refused_as_the_model_refuses_it(csa: Drug) -> None:
    frame = evidence_frame(csa)
    swapped = frame.assign(ci_low=frame["ci_high"], ci_high=frame["ci_low"])
    with pytest.raises(InputError, match=r"^evidence: row 0: the estimate .* does not lie within"):
        forest(swapped)
    outside = frame.assign(estimate=[*frame["estimate"].tolist()[:-1], 99.0])
    with pytest.raises(InputError, match=rf"row {len(frame) - 1}: the estimate 99.0 does not"):
        forest(outside)


def test_intervals_too_wide_to_lay_out_are_refused_and_wide_ones_drawn(csa: Drug) -> None:
    frame = evidence_frame(csa).head(1)
    widest = sys.float_info.max / 4  # the span, max / 2, is still drawn
    with warnings.catch_warnings():  # matplotlib warns of overflows and a collapsed layout
        warnings.simplefilter("ignore")
        fig = forest(frame.assign(estimate=0.0, ci_low=-widest, ci_high=widest))
        low, high = fig.axes[0].get_xlim()
        fig.savefig(io.BytesIO(), format="png")
    assert math.isfinite(low)
    assert math.isfinite(high)
    assert low < -widest
    assert high > widest
    huge = sys.float_info.max * 0.9  # high - low is beyond the largest float
    with pytest.raises(InputError, match=r"^evidence: the intervals span from -1\.6"):
        forest(frame.assign(estimate=0.0, ci_low=-huge, ci_high=huge))
    with pytest.raises(InputError, match="more than a plot can lay out"):
        forest(frame.assign(estimate=0.0, ci_low=-widest, ci_high=widest * 1.01))


def test_estimates_of_two_comparators_are_refused(csa: Drug) -> None:
    other = attrs.evolve(csa.evidence[0], comparator="methotrexate")
    with pytest.raises(InputError, match="one comparator"):
        forest([csa.evidence[1], other])


# --- no interval level and no direction the source does not state -----------------------


def _all_texts(fig: Figure) -> list[str]:
    return [text.get_text() for text in fig.findobj(Text)]


def test_the_axis_says_the_level_and_the_direction_are_not_stated() -> None:
    fig = forest("ciclosporin")
    (ax,) = fig.axes
    assert "level not stated" in ax.get_xlabel()
    assert _texts(ax).count(DIRECTION_NOTE) == 1
    texts = " ".join(_all_texts(fig)).lower()
    for claim in ("95", "confidence", "ci)", "favour", "better", "worse", "improve"):
        assert claim not in texts, claim


def test_the_direction_note_sits_beneath_the_axis_label() -> None:
    fig = forest("ciclosporin")
    fig.draw_without_rendering()  # lays the figure out
    (ax,) = fig.axes
    (note,) = [text for text in ax.texts if text.get_text() == DIRECTION_NOTE]
    label, below = ax.xaxis.label.get_window_extent(), note.get_window_extent()
    assert below.y1 <= label.y0 + 1  # beneath
    assert label.x0 - 1 <= (below.x0 + below.x1) / 2 <= label.x1 + 1  # centred on it
    figure_box = fig.bbox
    assert figure_box.y0 <= below.y0  # inside the figure


def test_the_research_docstrings_state_no_interval_level() -> None:
    import ae_systemic.plot

    for doc in (evidence_frame.__doc__, forest.__doc__, ae_systemic.plot.__doc__):
        assert doc is not None
        assert "95" not in doc
        assert "confidence" not in doc.lower()


# --- the extras are optional ----------------------------------------------------------


def test_without_pandas_the_frame_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(MissingExtraError) as caught:
        evidence_frame("ciclosporin")
    assert str(caught.value) == "evidence_frame needs pandas: pip install 'ae-systemic[pandas]'"
    assert isinstance(caught.value, ImportError)
    assert isinstance(caught.value, ae_systemic.AeSystemicError)
    assert caught.value.name == "pandas"
    assert caught.value.extra == "pandas"
    assert isinstance(caught.value.__cause__, ImportError)


def test_without_matplotlib_the_plot_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    # None in sys.modules makes an import fail; submodules imported earlier must go too.
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    for name in [m for m in sys.modules if m.startswith("matplotlib.")]:
        monkeypatch.setitem(sys.modules, name, None)
    with pytest.raises(ImportError, match=r"ae-systemic\[plot\]") as caught:
        forest("ciclosporin")
    assert isinstance(caught.value, MissingExtraError)
    assert str(caught.value) == "forest needs matplotlib: pip install 'ae-systemic[plot]'"
    assert caught.value.name == "matplotlib"
    assert caught.value.extra == "plot"


def test_importing_the_package_and_the_plot_module_imports_neither_pandas_nor_matplotlib() -> None:
    code = (
        "import sys, ae_systemic, ae_systemic.plot; "
        "ae_systemic.evidence_frame; ae_systemic.MissingExtraError; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'pandas', 'matplotlib'}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
