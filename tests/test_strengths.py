"""Practical amounts: the bound on units a dose, ties, and which units make an amount.

``round_to_strengths`` chooses the amount per dose nearest the middle of the range that at
most ``MAX_UNITS_PER_DOSE`` whole units make; ``strength_units`` says which units those are,
as few as possible, largest first.  Both are this library's rule, not the guideline's.
"""

from __future__ import annotations

import inspect
import itertools
from pathlib import Path

import pint
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ae_systemic import ArgumentTypeError, DoseInputError, Phase, daily_dose, round_to_strengths
from ae_systemic._dosing import MAX_UNITS_PER_DOSE, strength_units

APP: pint.UnitRegistry[float] = pint.get_application_registry()  # type: ignore[no-untyped-call]
Q = APP.Quantity
ROOT = Path(__file__).resolve().parent.parent
CAPSULES = ["25 mg", "50 mg", "100 mg"]


def mg(units: tuple[pint.Quantity[float], ...]) -> list[float]:
    return [unit.m_as("mg") for unit in units]


def fewest_units(amount: int, strengths: list[int]) -> int | None:
    """The fewest whole units of ``strengths`` (mg) making ``amount`` (mg), by brute force."""
    fewest: list[int | None] = [0] + [None] * amount
    for total in range(1, amount + 1):
        counts = [n for s in strengths if s <= total and (n := fewest[total - s]) is not None]
        fewest[total] = min(counts) + 1 if counts else None
    return fewest[amount]


# --- the bound on units a dose ------------------------------------------------------------


def test_the_bound_is_twenty_units_and_documented() -> None:
    assert MAX_UNITS_PER_DOSE == 20
    assert "MAX_UNITS_PER_DOSE" in inspect.getdoc(round_to_strengths)  # type: ignore[operator]
    assert "at most 20 units" in (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")


def test_microgram_strengths_are_refused_instead_of_thousands_of_units() -> None:
    dose = daily_dose("ciclosporin", Q(70, "kg"))  # 87.5-175 mg per dose
    with pytest.raises(DoseInputError) as caught:
        round_to_strengths(dose, ["1 ug"])  # was 131.25 mg: 131 250 units a dose
    assert caught.value.argument == "strengths"
    assert caught.value.index is None
    assert str(caught.value) == (
        "strengths: every amount between 87.5 and 175 mg per dose that 0.001 mg can make "
        "takes more than 20 units a dose (a bound of this library, MAX_UNITS_PER_DOSE; "
        "the guideline sets none); give larger strengths"
    )


def test_the_bound_restricts_the_amounts_and_may_leave_none() -> None:
    dose = daily_dose("ciclosporin", Q(70, "kg"), phase=Phase.ACUTE)  # 140-175 mg per dose
    with pytest.raises(DoseInputError, match="more than 20 units a dose"):
        round_to_strengths(dose, ["5 mg"])  # 140 mg at the least would be 28 units
    amount = round_to_strengths(dose, ["10 mg"])  # 160 mg: 16 units
    assert amount.m_as("mg") == 160.0
    assert mg(strength_units(amount, ["10 mg"])) == [10.0] * 16


def test_strengths_that_make_nothing_in_range_keep_their_message() -> None:
    dose = daily_dose("ciclosporin", Q(70, "kg"), phase=Phase.ACUTE)
    with pytest.raises(DoseInputError, match=r"^strengths: no amount between 140 and 175 mg"):
        round_to_strengths(dose, ["60 mg"])


def test_the_message_names_each_strength_once_and_cuts_a_long_list_short() -> None:
    dose = daily_dose("ciclosporin", Q(70, "kg"), phase=Phase.ACUTE)
    with pytest.raises(DoseInputError) as caught:
        round_to_strengths(dose, ["200 mg", "200 mg", *(f"{n} mg" for n in range(201, 210))])
    assert caught.value.problem == (
        "no amount between 140 and 175 mg per dose can be made from "
        "200 mg, 201 mg, 202 mg, 203 mg, 204 mg, 205 mg and 4 more"
    )


def test_of_two_amounts_equally_near_the_middle_the_lower_is_chosen() -> None:
    # 140-175 mg per dose, middle 157.5: 155 and 160 mg are equally near.
    dose = daily_dose("ciclosporin", Q(70, "kg"), phase=Phase.ACUTE)
    assert round_to_strengths(dose, ["10 mg", "25 mg"]).m_as("mg") == 155.0


# --- which units make an amount -------------------------------------------------------------


def test_150_mg_from_25_50_100_mg_is_100_mg_and_50_mg() -> None:
    dose = daily_dose("ciclosporin", Q(70, "kg"), phase=Phase.ACUTE)
    amount = round_to_strengths(dose, CAPSULES)
    units = strength_units(amount, CAPSULES)
    assert mg(units) == [100.0, 50.0]
    assert all(str(unit.units) == "milligram" for unit in units)


@pytest.mark.parametrize(
    ("amount", "strengths", "expected"),
    [
        ("300 mg", ["100 mg", "150 mg", "25 mg"], [150.0, 150.0]),  # not 3 x 100 mg
        ("175 mg", CAPSULES, [100.0, 50.0, 25.0]),
        ("75 mg", ["25 mg", "50 mg"], [50.0, 25.0]),
        ("75 mg", ["50 mg", "25 mg", "25 mg"], [50.0, 25.0]),  # order and repeats do not matter
        ("60 mg", ["30 mg", "20 mg", "40 mg"], [40.0, 20.0]),  # not 30 + 30: largest first
        ("0.15 g", ["0.1 g", "50 mg"], [100.0, 50.0]),
        ("100 mg", ["5 mg"], [5.0] * 20),  # the bound itself
    ],
)
def test_fewest_units_largest_first(
    amount: str, strengths: list[str], expected: list[float]
) -> None:
    assert mg(strength_units(amount, strengths)) == expected


def test_units_are_quantities_in_the_amounts_registry() -> None:
    registry: pint.UnitRegistry[float] = pint.UnitRegistry()
    units = strength_units(registry.Quantity(150, "mg"), CAPSULES)
    assert all(unit._REGISTRY is registry for unit in units)


@pytest.mark.parametrize(
    ("amount", "strengths", "argument", "fragment"),
    [
        ("105 mg", ["5 mg"], "amount", "at most 20 units of 5 mg"),
        ("12 mg", CAPSULES, "amount", "cannot be made from at most 20 units"),
        ("150.0001 mg", CAPSULES, "amount", "cannot be made"),
        ("1 kg", CAPSULES, "amount", "cannot be made"),
        ("2000 mg", ["1 ug", "100 mg"], "amount", "more than 1000000 times the common measure"),
        ("0 mg", CAPSULES, "amount", "not a usable amount"),
        ("-150 mg", CAPSULES, "amount", "not a usable amount"),
        (Q(float("nan"), "mg"), CAPSULES, "amount", "not a usable amount"),
        (Q(float("inf"), "mg"), CAPSULES, "amount", "not a usable amount"),
        ("150 ml", CAPSULES, "amount", "not a unit of mass"),
        ("150", CAPSULES, "amount", "has no unit"),
        ("150 mg", [], "strengths", "at least one"),
        ("150 mg", ["0 mg"], "strengths", "not a usable strength"),
        ("150 mg", ["25 ml"], "strengths", "not a unit of mass"),
    ],
)
def test_unusable_amounts_and_strengths_are_refused(
    amount: object, strengths: list[str], argument: str, fragment: str
) -> None:
    with pytest.raises(DoseInputError, match=fragment) as caught:
        strength_units(amount, strengths)  # type: ignore[arg-type]
    assert caught.value.argument == argument


def test_strengths_must_be_a_list() -> None:
    with pytest.raises(ArgumentTypeError, match="list of unit strengths"):
        strength_units("150 mg", "25 mg")


@settings(max_examples=80, deadline=None)
@given(
    st.floats(min_value=10, max_value=150),
    st.lists(st.integers(min_value=5, max_value=120), min_size=1, max_size=3),
)
def test_every_rounded_amount_is_made_of_the_fewest_units_within_the_bound(
    kg: float, strengths: list[int]
) -> None:
    dose = daily_dose("ciclosporin", Q(kg, "kg"))
    as_text = [f"{s} mg" for s in strengths]
    try:
        amount = round_to_strengths(dose, as_text)
    except DoseInputError:
        return
    units = mg(strength_units(amount, as_text))
    assert sum(units) == pytest.approx(amount.m_as("mg"))
    assert set(units) <= {float(s) for s in strengths}
    assert units == sorted(units, reverse=True)
    assert len(units) <= MAX_UNITS_PER_DOSE
    assert len(units) == fewest_units(round(amount.m_as("mg")), strengths)


def test_the_answer_does_not_depend_on_the_order_of_the_strengths() -> None:
    strengths = ["10 mg", "25 mg", "50 mg", "100 mg"]
    answers = {
        tuple(mg(strength_units("185 mg", list(order))))
        for order in itertools.permutations(strengths)
    }
    assert answers == {(100.0, 50.0, 25.0, 10.0)}


def test_large_strengths_are_counted_in_exact_micrograms() -> None:
    """600 g is 6 × 10⁸ µg exactly: one unit of 600 g makes 600 g, two make 1200 g."""
    assert [q.m_as("mg") for q in strength_units("600 g", ["600 g"])] == [600_000.0]
    assert [q.m_as("mg") for q in strength_units("1200 g", ["600 g"])] == [600_000.0] * 2


def test_a_strength_just_off_a_whole_microgram_is_refused() -> None:
    """Strengths are whole micrograms, give or take a millionth (relative, at least 10⁻⁶ µg)."""
    assert [q.m_as("ug") for q in strength_units("2 ug", ["1.0000005 ug"])] == [
        pytest.approx(1.0)
    ] * 2
    with pytest.raises(DoseInputError, match="is not a whole number of micrograms"):
        strength_units("2 ug", ["1.0000015 ug"])
