"""round_to_strengths aims at the middle of the range: worked examples and a brute-force oracle.

The rule is this library's (the guideline gives none): of the amounts within
``per_dose_low``..``per_dose_high`` that at most ``MAX_UNITS_PER_DOSE`` whole units make, the
one nearest the middle of the range, the lower of two equally near.  The examples below are
chosen so that aiming anywhere else, or taking another reachable amount than the nearest
one below or above the middle, gives another answer.  Ciclosporin's adult range is
2.5-5 mg/kg/day in 2 doses: 70 kg gives 87.5-175 mg a dose, middle 131.25 mg.
"""

from __future__ import annotations

import math

import pint
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ae_systemic import DoseInputError, Phase, daily_dose, round_to_strengths
from ae_systemic._dosing import MAX_UNITS_PER_DOSE, strength_units

APP: pint.UnitRegistry[float] = pint.get_application_registry()  # type: ignore[no-untyped-call]
Q = APP.Quantity


def rounded(kg: float, strengths: list[str], phase: Phase | None = None) -> float:
    dose = daily_dose("ciclosporin", Q(kg, "kg"), phase=phase)
    return float(round_to_strengths(dose, strengths).m_as("mg"))


@pytest.mark.parametrize(
    ("kg", "strengths", "expected"),
    [
        # 87.5-175 mg, middle 131.25: 100, 125, 150, 175 are made; 125 is nearest (not the
        # lowest, 100, and not the nearest above, 150).
        (70, ["25 mg"], 125.0),
        # Only 100 and 150 are made: 150 above the middle is nearer than 100 below it.
        (70, ["50 mg"], 150.0),
        # 90, 120, 150 are made: 120 below the middle is nearer than 150 above it.
        (70, ["30 mg"], 120.0),
        # 91, 104, 117, 130, 143, ...: 130 is nearest, one below the middle.
        (70, ["13 mg"], 130.0),
        # 92, 115, 138, 161: 138 (6.75 away) beats 115 (16.25 away).
        (70, ["23 mg"], 138.0),
        # Every whole mg within 20 units: 131 (0.25 away) beats 132 (0.75 away).
        (70, ["1 mg", "10 mg", "100 mg"], 131.0),
        # 40 kg: 50-100 mg, middle 75; 70 and 80 are made from 10 mg: equally near, the lower.
        (40, ["10 mg"], 70.0),
        # 40 kg with 20 mg: 60, 80, 100 (and nothing at 75): 80 is 5 away, 60 is 15.
        (40, ["20 mg"], 80.0),
    ],
)
def test_the_amount_nearest_the_middle_is_chosen(
    kg: float, strengths: list[str], expected: float
) -> None:
    assert rounded(kg, strengths) == expected


def test_an_amount_exactly_at_the_middle_is_chosen() -> None:
    # 60 kg: 75-150 mg a dose, middle 112.5; 112.5 mg is made from 12.5 mg units (9 of them).
    assert rounded(60, ["12.5 mg"]) == 112.5


@pytest.mark.parametrize(
    ("strengths", "expected"),
    [
        (["140 mg"], 140.0),  # only the low end of 140-175 mg is made
        (["175 mg"], 175.0),  # only the high end
        (["35 mg"], 140.0),  # 140 and 175 are made, the middle is 157.5: the lower end wins
    ],
)
def test_both_ends_of_the_range_may_be_chosen(strengths: list[str], expected: float) -> None:
    assert rounded(70, strengths, Phase.ACUTE) == expected


@pytest.mark.parametrize("strength", ["139.999 mg", "175.001 mg", "58.334 mg"])
def test_an_amount_just_beyond_either_end_is_not_chosen(strength: str) -> None:
    with pytest.raises(DoseInputError, match=r"^strengths: no amount between 140 and 175 mg"):
        rounded(70, [strength], Phase.ACUTE)


def test_the_amount_is_in_milligrams_of_the_doses_registry() -> None:
    registry: pint.UnitRegistry[float] = pint.UnitRegistry()
    dose = daily_dose("ciclosporin", registry.Quantity(70, "kg"))
    amount = round_to_strengths(dose, ["25 mg"])
    assert amount._REGISTRY is registry
    assert str(amount.units) == "milligram"
    assert amount.magnitude == 125.0


def test_strengths_in_grams_and_micrograms_aim_the_same() -> None:
    assert rounded(70, ["0.025 g"]) == 125.0
    assert rounded(70, ["25000 ug"]) == 125.0


def test_the_bound_on_units_leaves_the_nearest_amount_it_allows() -> None:
    # 87.5-175 mg with 5 mg units: 130 mg (26 units) is nearest but over the bound of 20;
    # the nearest amount of at most 20 units is 100 mg.
    assert MAX_UNITS_PER_DOSE == 20
    assert rounded(70, ["5 mg"]) == 100.0
    # With 100 mg units too, 130 = 100 + 6 x 5 is 7 units.
    assert rounded(70, ["5 mg", "100 mg"]) == 130.0


# -- the oracle ------------------------------------------------------------------------------


def oracle(low: float, high: float, strengths: list[int]) -> float | None:
    """The whole-mg amount in ``low..high`` of at most 20 units nearest the middle (brute force)."""
    top = math.floor(high)
    fewest: list[int | None] = [0] + [None] * top
    for total in range(1, top + 1):
        counts = [n for s in strengths if s <= total and (n := fewest[total - s]) is not None]
        fewest[total] = min(counts) + 1 if counts else None
    middle = (low + high) / 2
    made = [
        a
        for a in range(math.ceil(low), top + 1)
        if (n := fewest[a]) is not None and n <= MAX_UNITS_PER_DOSE
    ]
    if not made:
        return None
    return float(min(made, key=lambda a: (abs(a - middle), a)))


@settings(max_examples=150, deadline=None)
@given(
    st.integers(min_value=3, max_value=200),
    st.lists(st.integers(min_value=1, max_value=120), min_size=1, max_size=3),
    st.sampled_from([None, Phase.ACUTE, Phase.LONG_TERM]),
)
def test_the_chosen_amount_is_the_brute_force_answer(
    kg: int, strengths: list[int], phase: Phase | None
) -> None:
    dose = daily_dose("ciclosporin", Q(kg, "kg"), phase=phase)
    low, high = dose.per_dose_low.m_as("mg"), dose.per_dose_high.m_as("mg")
    expected = oracle(low, high, strengths)
    as_text = [f"{s} mg" for s in strengths]
    if expected is None:
        with pytest.raises(DoseInputError):
            round_to_strengths(dose, as_text)
    else:
        assert round_to_strengths(dose, as_text).m_as("mg") == expected


# -- strength_units at its edges ---------------------------------------------------------------


def test_the_smallest_usable_amount_is_one_microgram() -> None:
    units = strength_units("1 ug", ["1 ug"])
    assert [u.m_as("mg") for u in units] == [0.001]


def test_an_amount_of_the_grid_bound_is_made_and_one_step_beyond_is_refused() -> None:
    # 1000 mg is 10^6 steps of 1 ug, the finest grid searched: 10 x 100 mg.
    units = strength_units("1000 mg", ["1 ug", "100 mg"])
    assert [u.m_as("mg") for u in units] == [100.0] * 10
    with pytest.raises(DoseInputError) as caught:
        strength_units("1000.001 mg", ["1 ug", "100 mg"])
    assert caught.value.problem == (
        "1000.001 milligram is more than 1000000 times the common measure of the strengths "
        "(0.001 mg); give coarser strengths"
    )


def test_an_amount_of_1000_kg_is_not_usable() -> None:
    with pytest.raises(DoseInputError) as caught:
        strength_units("1000 kg", ["25 mg"])
    assert caught.value.problem == (
        "1000 kilogram is not a usable amount; give an amount of at least 1 µg (0.001 mg) and "
        "below 1000 kg, e.g. '150 mg'"
    )


def test_an_amount_on_the_grid_that_no_sum_makes_is_refused() -> None:
    # 50 and 30 mg share a 10 mg step, but no sum of them is 10 mg.
    with pytest.raises(DoseInputError) as caught:
        strength_units("10 mg", ["50 mg", "30 mg"])
    assert caught.value.problem == (
        "10 milligram cannot be made from at most 20 units of 50 mg, 30 mg "
        "(MAX_UNITS_PER_DOSE, a bound of this library)"
    )


def test_no_amount_on_the_grid_is_not_called_an_amount_of_too_many_units() -> None:
    # 140-175 mg: 100 and 130 mg share a 10 mg step, but no sum of them lies in the range.
    with pytest.raises(DoseInputError) as caught:
        rounded(70, ["100 mg", "130 mg"], Phase.ACUTE)
    assert caught.value.problem == (
        "no amount between 140 and 175 mg per dose can be made from 100 mg, 130 mg"
    )
