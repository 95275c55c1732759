"""``ae_systemic.plot.forest``: frames it refuses by name, and the numbers it prints exactly.

The estimates are ciclosporin's, or synthetic numbers made from them for the printing (test
inputs, never clinical content).
"""

from __future__ import annotations

import attrs
import pandas as pd
import pytest

pytest.importorskip("matplotlib")

from matplotlib.figure import Figure

from ae_systemic import ArgumentTypeError, Drug, InputError, evidence_frame
from ae_systemic.plot import forest

#: The columns forest reads from a frame of evidence_frame().
READ = ["drug", "outcome", "dose_level", "comparator", "estimate", "ci_low", "ci_high", "certainty"]
MINUS = "\N{MINUS SIGN}"


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
    assert f"{MINUS}0.1234567 ({MINUS}1.0000001, 1234567.25)" in shown


@pytest.mark.parametrize(
    ("low", "point", "high", "expected"),
    [
        (-1.6, -1.0, -0.4, f"{MINUS}1.0 ({MINUS}1.6, {MINUS}0.4)"),  # one decimal, as printed
        (-0.25, 0.0, 0.125, f"0.0 ({MINUS}0.25, 0.125)"),
        (-1e-7, 1e-7, 2e-7, f"0.0000001 ({MINUS}0.0000001, 0.0000002)"),  # never 1e-07
        (0.1, 0.1 + 0.2, 0.5, "0.30000000000000004 (0.1, 0.5)"),  # the float as it is
    ],
    ids=["one-decimal", "more-decimals", "tiny", "float-noise"],
)
def test_the_numbers_column_keeps_one_decimal_and_adds_what_a_value_needs(
    csa: Drug, low: float, point: float, high: float, expected: str
) -> None:
    estimate = attrs.evolve(csa.evidence[0], estimate=point, ci_low=low, ci_high=high)
    assert expected in texts(forest([estimate], drug="Examplonet"))


def test_a_frame_prints_its_numbers_exactly_too(csa: Drug) -> None:
    frame = evidence_frame(csa).head(1)
    frame = frame.assign(estimate=[-0.1234567], ci_low=[-1.0000001], ci_high=[1234567.25])
    assert f"{MINUS}0.1234567 ({MINUS}1.0000001, 1234567.25)" in texts(forest(frame))


@pytest.mark.parametrize("given", [b"ciclosporin", bytearray(b"ciclosporin")])
def test_bytes_are_refused_as_bytes_not_read_as_numbers(given: object) -> None:
    with pytest.raises(ArgumentTypeError) as raised:
        forest(given)  # type: ignore[call-overload]
    assert raised.value.argument == "evidence"
    assert str(raised.value).endswith(f"got {type(given).__name__}")
