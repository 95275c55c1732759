"""``ae_systemic.plot.forest``: frames it refuses by name, the numbers it prints exactly, each
estimate once, and estimates of several analyses or time frames told apart.

The estimates are ciclosporin's, or synthetic numbers made from them for the printing (test
inputs, never clinical content); a second analysis belongs to a synthetic drug.
"""

from __future__ import annotations

import attrs
import numpy as np
import pandas as pd
import pytest

pytest.importorskip("matplotlib")

from matplotlib.figure import Figure

from ae_systemic import ArgumentTypeError, Certainty, Drug, InputError, evidence_frame
from ae_systemic.plot import forest
from synthetic_drugs import synthetic

#: The columns forest reads from a frame of evidence_frame().
READ = [
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
]

#: The analysis of every ciclosporin estimate, as the guideline names it.
NMA_2022 = (
    "Network meta-analysis 2022, short term vs placebo (medications used in clinical practice "
    "or likely to be approved soon)"
)
#: A second analysis of a synthetic drug (a test input, not clinical content).
LONG_TERM = "synthetic 52-week analysis"


def labels(figure: Figure) -> list[str]:
    (ax,) = figure.axes
    return [label.get_text() for label in ax.get_yticklabels()]


def title(figure: Figure) -> str:
    (ax,) = figure.axes
    return ax.get_title()


@pytest.fixture(scope="module")
def two_analyses(csa: Drug) -> Drug:
    """A synthetic drug with ciclosporin's six estimates (16 weeks) and the same six numbers
    from a second, 52-week analysis: twelve rows only the analysis tells apart."""
    longer = tuple(attrs.evolve(e, max_weeks=52, analysis=LONG_TERM) for e in csa.evidence)
    return attrs.evolve(synthetic("Examplumab"), evidence=csa.evidence + longer)


def texts(figure: Figure) -> list[str]:
    (ax,) = figure.axes
    return [text.get_text() for text in ax.texts]


# --- a frame with a column twice ------------------------------------------------------------


@pytest.mark.parametrize("column", READ)
def test_a_frame_with_a_read_column_twice_is_refused_naming_the_column(
    csa: Drug, column: str
) -> None:
    frame = evidence_frame(csa)
    doubled = pd.concat([frame, frame[[column]]], axis=1)
    with pytest.raises(InputError) as caught:
        forest(doubled)
    assert caught.value.argument == "evidence"
    assert caught.value.index is None
    assert caught.value.problem == (
        f"the frame has 2 columns named {column!r}; keep one (drop or rename the others)"
    )


def test_a_column_forest_does_not_read_may_come_twice(csa: Drug) -> None:
    frame = evidence_frame(csa)
    doubled = pd.concat([frame, frame[["references"]]], axis=1)
    assert texts(forest(doubled)) == texts(forest(frame))


# --- the numbers column ---------------------------------------------------------------------


def test_the_numbers_column_prints_every_digit_as_the_estimate_does(csa: Drug) -> None:
    """-0.1234567 (-1.0000001, 1234567.25), as str(EffectEstimate): never rounded to 6 digits."""
    estimate = attrs.evolve(
        csa.evidence[0], estimate=-0.1234567, ci_low=-1.0000001, ci_high=1234567.25
    )
    assert "-0.1234567 (-1.0000001, 1234567.25)" in str(estimate)
    shown = texts(forest([estimate], drug="Examplonet"))
    assert "-0.1234567 (-1.0000001, 1234567.25)" in shown


def test_the_numbers_column_prints_the_ciclosporin_estimates_as_the_guideline_does(
    csa: Drug,
) -> None:
    """The source prints "-1 (-1.6, -0.4)" for the higher dose on signs, never "−1.0"."""
    shown = texts(forest(csa))
    assert "-1 (-1.6, -0.4)" in shown
    assert not any("\N{MINUS SIGN}" in text or "1.0 " in text for text in shown)
    for estimate in csa.evidence:  # as str(EffectEstimate), the report and the notebook
        assert str(estimate).split("SMD ", 1)[1] in shown


@pytest.mark.parametrize(
    ("low", "point", "high", "expected"),
    [
        (-1.6, -1.0, -0.4, "-1 (-1.6, -0.4)"),  # as the guideline prints it
        (-0.25, 0.0, 0.125, "0 (-0.25, 0.125)"),
        (-1e-7, 1e-7, 2e-7, "0.0000001 (-0.0000001, 0.0000002)"),  # never 1e-07
        (0.1, 0.1 + 0.2, 0.5, "0.30000000000000004 (0.1, 0.5)"),  # the float as it is
    ],
    ids=["whole", "more-decimals", "tiny", "float-noise"],
)
def test_the_numbers_column_writes_each_number_as_the_data_holds_it(
    csa: Drug, low: float, point: float, high: float, expected: str
) -> None:
    estimate = attrs.evolve(csa.evidence[0], estimate=point, ci_low=low, ci_high=high)
    assert expected in texts(forest([estimate], drug="Examplonet"))


def test_a_frame_prints_its_numbers_exactly_too(csa: Drug) -> None:
    frame = evidence_frame(csa).head(1)
    frame = frame.assign(estimate=[-0.1234567], ci_low=[-1.0000001], ci_high=[1234567.25])
    assert "-0.1234567 (-1.0000001, 1234567.25)" in texts(forest(frame))


@pytest.mark.parametrize("given", [b"ciclosporin", bytearray(b"ciclosporin")])
def test_bytes_are_refused_as_bytes_not_read_as_numbers(given: object) -> None:
    with pytest.raises(ArgumentTypeError) as raised:
        forest(given)  # type: ignore[call-overload]
    assert raised.value.argument == "evidence"
    assert str(raised.value).endswith(f"got {type(given).__name__}")


# --- estimates of several analyses or time frames are told apart ----------------------------


def test_estimates_of_one_time_frame_state_it_in_the_title(csa: Drug) -> None:
    figure = forest(csa)
    assert title(figure) == "Effect estimates: ciclosporin vs placebo, up to 16 weeks"
    assert labels(figure)[0] == "higher dose, change in signs"
    assert not any("analysis" in text for text in texts(figure))


def test_estimates_of_two_analyses_say_their_time_frame_and_analysis(two_analyses: Drug) -> None:
    figure = forest(two_analyses)
    assert labels(figure)[:4] == [
        "higher dose, change in signs, up to 16 weeks, analysis A",
        "higher dose, change in signs, up to 52 weeks, analysis B",
        "lower dose, change in signs, up to 16 weeks, analysis A",
        "lower dose, change in signs, up to 52 weeks, analysis B",
    ]
    assert len(set(labels(figure))) == 12
    assert title(figure) == "Effect estimates: Examplumab vs placebo"  # no one time frame
    (note,) = [text for text in texts(figure) if "analysis A" in text]
    assert " ".join(note.split()) == (
        f"direction of benefit not stated in the source analysis A: {NMA_2022} "
        f"analysis B: {LONG_TERM}"
    )


def test_a_frame_of_two_analyses_is_drawn_as_the_drug_is(two_analyses: Drug) -> None:
    frame = evidence_frame(two_analyses)
    assert labels(forest(frame.iloc[::-1])) == labels(forest(two_analyses))
    assert texts(forest(frame)) == texts(forest(two_analyses))


def test_only_what_differs_is_added_to_the_labels(csa: Drug) -> None:
    signs = csa.evidence[0]  # higher dose, change in signs
    weeks = attrs.evolve(signs, max_weeks=52)  # the same analysis, another time frame
    figure = forest([signs, weeks], drug="Examplumab")
    assert labels(figure) == [
        "higher dose, change in signs, up to 16 weeks",
        "higher dose, change in signs, up to 52 weeks",
    ]
    assert title(figure) == "Effect estimates: Examplumab vs placebo"
    other = attrs.evolve(signs, analysis=LONG_TERM)  # another analysis, the same time frame
    figure = forest([signs, other], drug="Examplumab")
    assert labels(figure) == [
        "higher dose, change in signs, analysis A",
        "higher dose, change in signs, analysis B",
    ]
    assert title(figure) == "Effect estimates: Examplumab vs placebo, up to 16 weeks"


# --- each estimate once -----------------------------------------------------------------


@pytest.mark.parametrize(
    "given",
    [["ciclosporin", "CsA"], ["ciclosporin", "cyclosporine", "ciclosporin"]],
    ids=["name-and-synonym", "three-names"],
)
def test_a_drug_named_twice_is_drawn_once(csa: Drug, given: list[str]) -> None:
    figure = forest(given)
    assert labels(figure) == labels(forest(csa))
    assert len(labels(figure)) == 6
    assert title(figure) == "Effect estimates: ciclosporin vs placebo, up to 16 weeks"


def test_a_frame_exploded_by_reference_draws_each_estimate_once(csa: Drug) -> None:
    frame = evidence_frame(csa)
    exploded = frame.explode("references")
    assert len(exploded) == 12  # each estimate once per citation (refs 1 and 2)
    drawn = forest(exploded)
    assert labels(drawn) == labels(forest(frame))
    assert texts(drawn) == texts(forest(frame))


def test_an_estimate_given_twice_is_drawn_once(csa: Drug) -> None:
    assert labels(forest([*csa.evidence, *csa.evidence])) == labels(forest(csa.evidence))
    with_references = attrs.evolve(csa.evidence[0], references=(1,))
    assert len(labels(forest([csa.evidence[0], with_references]))) == 1


def test_two_rows_of_one_estimate_with_different_numbers_are_refused(csa: Drug) -> None:
    frame = evidence_frame(csa)
    changed = frame.iloc[[0]].assign(estimate=[-0.9])  # same estimate, another number
    with pytest.raises(InputError) as caught:
        forest(pd.concat([frame, changed.set_axis([6])]))
    assert caught.value.argument == "evidence"
    assert caught.value.problem == (
        "row 0 and row 6 give the same estimate (ciclosporin: higher dose, change in signs vs "
        "placebo, standardised mean difference, up to 16 weeks, analysis "
        "'Network meta-analysis 2022, short te...) with different numbers: -1 (-1.6, -0.4) "
        "MODERATE and -0.9 (-1.6, -0.4) MODERATE; a forest plot draws each estimate once: keep "
        "one of them"
    )


def test_two_estimates_given_with_different_certainty_are_refused(csa: Drug) -> None:
    lower = attrs.evolve(csa.evidence[0], certainty=Certainty.LOW)
    with pytest.raises(InputError, match=r"^evidence: evidence\[0\] and evidence\[1\] give"):
        forest([csa.evidence[0], lower])


# --- ax must be one Axes ----------------------------------------------------------------


def test_a_figure_as_ax_is_refused_naming_ax() -> None:
    figure = Figure()
    with pytest.raises(ArgumentTypeError) as caught:
        forest("ciclosporin", ax=figure)  # type: ignore[call-overload]
    assert caught.value.argument == "ax"
    assert str(caught.value) == (
        "ax: expected matplotlib Axes or None, got Figure; pass one of its axes "
        "(fig.add_subplot(), or fig.axes[0])"
    )
    assert not figure.axes  # nothing drawn


def test_the_array_of_axes_of_subplots_as_ax_is_refused_naming_ax() -> None:
    axes = Figure().subplots(1, 2)
    assert isinstance(axes, np.ndarray)
    with pytest.raises(ArgumentTypeError) as caught:
        forest("ciclosporin", ax=axes)  # type: ignore[call-overload]
    assert caught.value.argument == "ax"
    assert str(caught.value).startswith("ax: expected matplotlib Axes or None, got ndarray; ")
    assert forest("ciclosporin", ax=axes[1]) is axes[1].get_figure()  # one of them is drawn


# --- the time frame of a frame's row -----------------------------------------------------


@pytest.mark.parametrize("weeks", [0, -16, 16.5, float("nan"), "16", None, True])
def test_a_frame_row_without_a_time_frame_is_refused_naming_the_row(
    csa: Drug, weeks: object
) -> None:
    frame = evidence_frame(csa)
    cells = pd.Series([16, 16, 16, weeks, 16, 16], index=frame.index, dtype=object)
    frame = frame.assign(max_weeks=cells)
    with pytest.raises(InputError) as caught:
        forest(frame)
    assert caught.value.argument == "evidence"
    assert caught.value.problem.startswith(f"row 3: the max_weeks {weeks!r} is not a time frame")
    assert caught.value.problem.endswith("use a whole number of weeks, at least 1")


def test_a_time_frame_of_whole_floats_is_read_as_weeks(csa: Drug) -> None:
    frame = evidence_frame(csa).astype({"max_weeks": "float64"})  # as after a merge
    assert texts(forest(frame)) == texts(forest(csa))
    assert title(forest(frame)) == "Effect estimates: ciclosporin vs placebo, up to 16 weeks"
