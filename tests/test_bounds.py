"""Every bound exactly at its edge (accepted) and just beyond it (refused).

The bounds are this library's plausibility bounds (``MIN_BODY_WEIGHT_KG``,
``MAX_BODY_WEIGHT_KG``, ``MAX_AGE_YEARS``, ``MAX_SCHEDULE_MONTHS``, a unit strength and an
amount made of strengths from 1 µg to below 1000 kg), not guideline numbers;
the guideline's own edges (the licence from 16 years) are tested where they live.  A ``<=``
written as ``<`` moves an edge by nothing but the edge itself, so each is tested there.
"""

from __future__ import annotations

import datetime
from typing import Any

import numpy as np
import numpy.typing as npt
import pint
import pytest

import ae_systemic
from ae_systemic import (
    MAX_AGE_YEARS,
    MAX_BODY_WEIGHT_KG,
    MIN_BODY_WEIGHT_KG,
    DoseInputError,
    DoseRange,
    InputError,
    Patient,
    daily_dose,
    dose_plan,
    is_licensed,
    monitoring_schedule,
)
from ae_systemic._monitoring import MAX_SCHEDULE_MONTHS

APP: pint.UnitRegistry[float] = pint.get_application_registry()  # type: ignore[no-untyped-call]
Q = APP.Quantity
D = datetime.date
JUST_BELOW_MIN = MIN_BODY_WEIGHT_KG - 1e-9
JUST_ABOVE_MAX = MAX_BODY_WEIGHT_KG + 1e-9


def test_the_bounds_are_the_documented_numbers() -> None:
    assert (MIN_BODY_WEIGHT_KG, MAX_BODY_WEIGHT_KG, MAX_AGE_YEARS) == (0.2, 700.0, 130.0)
    assert MAX_SCHEDULE_MONTHS == 120


# -- body weight, one value ----------------------------------------------------------------


@pytest.mark.parametrize("kg", [MIN_BODY_WEIGHT_KG, MAX_BODY_WEIGHT_KG])
def test_a_weight_at_either_bound_is_dosed(kg: float) -> None:
    dose = daily_dose("ciclosporin", Q(kg, "kg"))
    assert dose.weight.m_as("kg") == kg
    assert dose.low.m_as("mg/day") == pytest.approx(2.5 * kg, rel=1e-12)
    assert dose_plan("ciclosporin", Q(kg, "kg")).amount_high.m_as("mg") == pytest.approx(
        2.5 * kg, rel=1e-12
    )
    assert Patient(Q(30, "year"), Q(kg, "kg")).weight.m_as("kg") == kg


@pytest.mark.parametrize(
    ("kg", "problem"),
    [
        (JUST_BELOW_MIN, "is below 0.2 kg, lighter than any person on record"),
        (JUST_ABOVE_MAX, "is above 700 kg, heavier than any person on record"),
        (0.0, "must be positive"),
        (-1e-9, "must be positive"),
    ],
)
def test_a_weight_just_beyond_a_bound_is_refused(kg: float, problem: str) -> None:
    for function in (daily_dose, dose_plan):
        with pytest.raises(DoseInputError) as caught:
            function("ciclosporin", Q(kg, "kg"))
        assert caught.value.argument == "weight"
        assert caught.value.index is None
        assert problem in caught.value.problem


# -- body weight, arrays ----------------------------------------------------------------------


def test_an_array_with_weights_at_both_bounds_is_dosed() -> None:
    dose = daily_dose("ciclosporin", Q(np.array([MIN_BODY_WEIGHT_KG, MAX_BODY_WEIGHT_KG]), "kg"))
    assert dose.weight.m_as("kg").tolist() == [MIN_BODY_WEIGHT_KG, MAX_BODY_WEIGHT_KG]


def test_a_zero_dimensional_array_at_a_bound_is_one_weight() -> None:
    dose = daily_dose("ciclosporin", Q(np.array(MAX_BODY_WEIGHT_KG), "kg"))
    assert isinstance(dose.weight.magnitude, float)
    assert dose.weight.magnitude == MAX_BODY_WEIGHT_KG


@pytest.mark.parametrize(
    ("weights", "index", "problem"),
    [
        ([70.0, JUST_BELOW_MIN], 1, "is below 0.2 kg"),
        ([JUST_ABOVE_MAX, 70.0], 0, "is above 700 kg"),
        ([MIN_BODY_WEIGHT_KG, 0.0, MAX_BODY_WEIGHT_KG], 1, "must be positive"),
    ],
)
def test_an_array_with_one_weight_just_beyond_a_bound_is_refused(
    weights: list[float], index: int, problem: str
) -> None:
    with pytest.raises(DoseInputError) as caught:
        daily_dose("ciclosporin", Q(np.array(weights), "kg"))
    assert caught.value.index == index
    assert problem in caught.value.problem


def test_an_array_with_several_bad_weights_counts_them() -> None:
    with pytest.raises(DoseInputError) as caught:
        daily_dose("ciclosporin", Q(np.array([0.0, 70.0, JUST_ABOVE_MAX, 1e9]), "kg"))
    assert caught.value.index == 0
    assert caught.value.problem.endswith("must be positive (3 bad elements in all)")


def test_a_two_dimensional_array_names_the_bad_weight_by_row_and_column() -> None:
    with pytest.raises(DoseInputError) as caught:
        daily_dose("ciclosporin", Q(np.array([[70.0, 80.0], [90.0, JUST_ABOVE_MAX]]), "kg"))
    assert caught.value.index == (1, 1)


@pytest.mark.parametrize(
    "weight",
    [
        np.float32(700.1),
        np.array(np.float32(700.1)),
        np.ma.masked_array(np.float32(700.1), mask=False),
        np.array(np.float32(700.1)).view(np.recarray),  # of numpy.rec, a submodule
    ],
    ids=["float32", "zero-dimensional-array", "zero-dimensional-masked-array", "recarray"],
)
def test_one_numpy_weight_beyond_a_bound_is_named_as_an_element_of_an_array_is(
    weight: Any,
) -> None:
    """A numpy weight is named by the number it holds (700.1 as a float32 is 700.0999755859375),
    alone as in an array: numpy values take the array path."""
    problem = (
        "700.0999755859375 kilogram is above 700 kg, heavier than any person on record; "
        "check the unit (grams or pounds read as kilograms?)"
    )
    array: Any = np.array([70.0, 700.1], dtype=np.float32)
    for value, index in ((weight, None), (array, 1)):
        with pytest.raises(DoseInputError) as caught:
            daily_dose("ciclosporin", Q(value, "kg"))
        assert (caught.value.problem, caught.value.index) == (problem, index)


def test_an_empty_array_is_refused() -> None:
    with pytest.raises(DoseInputError, match="the array of weights is empty"):
        daily_dose("ciclosporin", Q(np.array([], dtype=float), "kg"))


# -- DoseRange built directly ------------------------------------------------------------------


def regimen() -> ae_systemic.DoseRegimen:
    return daily_dose("ciclosporin", Q(70, "kg")).regimen


def read_only(values: list[float]) -> npt.NDArray[np.float64]:
    array = np.array(values, dtype=np.float64)
    array.flags.writeable = False
    return array


@pytest.mark.parametrize("kg", [MIN_BODY_WEIGHT_KG, MAX_BODY_WEIGHT_KG])
def test_a_dose_range_takes_a_weight_at_either_bound(kg: float) -> None:
    dose = DoseRange(regimen(), kg, APP)
    assert dose.high.m_as("mg/day") == pytest.approx(5 * kg, rel=1e-12)
    array = DoseRange(regimen(), read_only([MIN_BODY_WEIGHT_KG, MAX_BODY_WEIGHT_KG]), APP)
    assert array.weight.m_as("kg").tolist() == [MIN_BODY_WEIGHT_KG, MAX_BODY_WEIGHT_KG]


@pytest.mark.parametrize(
    "weight",
    [
        JUST_BELOW_MIN,
        JUST_ABOVE_MAX,
        float("nan"),
        read_only([70.0, JUST_BELOW_MIN]),
        read_only([JUST_ABOVE_MAX, 70.0]),
        read_only([]),
        np.array([70.0], dtype=np.float32),
        70,
    ],
    ids=repr,
)
def test_a_dose_range_refuses_a_weight_beyond_the_bounds_or_of_another_kind(
    weight: object,
) -> None:
    with pytest.raises(DoseInputError) as caught:
        DoseRange(regimen(), weight, APP)  # type: ignore[type-var]
    assert caught.value.argument == "weight_kg"
    assert caught.value.problem == (
        "expected a weight in kg from 0.2 to 700 (a float or a read-only float64 array); "
        "build dose ranges with daily_dose"
    )


def test_a_writeable_array_given_to_a_dose_range_is_copied_read_only() -> None:
    array = np.array([70.0, 80.0])
    dose = DoseRange(regimen(), array, APP)
    array[0] = 1.0
    assert dose.weight.m_as("kg").tolist() == [70.0, 80.0]
    assert dose.high.m_as("mg/day").tolist() == [350.0, 400.0]


# -- unit strengths and amounts made of them ---------------------------------------------------

_USABLE = "an amount of at least 1 µg (0.001 mg) and below 1000 kg"


@pytest.mark.parametrize(
    ("amount", "strength", "units_mg"),
    [
        ("1 ug", "1 ug", [0.001]),  # the least: one microgram
        ("999999999 mg", "999999999 mg", [999999999.0]),  # a microgram short of 1000 kg
    ],
)
def test_a_strength_and_an_amount_at_either_bound_are_used(
    amount: str, strength: str, units_mg: list[float]
) -> None:
    units = ae_systemic.strength_units(amount, [strength])
    assert [unit.m_as("mg") for unit in units] == units_mg


@pytest.mark.parametrize(
    ("strength", "shown"),
    [
        ("1000 kg", "1000 kilogram"),
        ("2000 kg", "2000 kilogram"),
        ("0.999 ug", "0.999 microgram"),
        ("0 mg", "0 milligram"),
        ("-25 mg", "-25 milligram"),
    ],
)
def test_a_strength_just_beyond_a_bound_is_refused_naming_both_bounds(
    strength: str, shown: str
) -> None:
    """1000 kg is positive and far above 1 µg: the message names the upper bound too."""
    expected = f"{shown} is not a usable strength; give {_USABLE}, e.g. '25 mg'"
    dose = daily_dose("ciclosporin", Q(70, "kg"))
    for call in (
        lambda: ae_systemic.round_to_strengths(dose, ["25 mg", strength]),
        lambda: ae_systemic.strength_units("150 mg", ["25 mg", strength]),
    ):
        with pytest.raises(DoseInputError) as caught:
            call()
        assert (caught.value.argument, caught.value.index) == ("strengths", 1)
        assert caught.value.problem == expected


@pytest.mark.parametrize(
    ("amount", "shown"),
    [("1000 kg", "1000 kilogram"), ("0.999 ug", "0.999 microgram"), ("0 mg", "0 milligram")],
)
def test_an_amount_just_beyond_a_bound_is_refused_naming_both_bounds(
    amount: str, shown: str
) -> None:
    with pytest.raises(DoseInputError) as caught:
        ae_systemic.strength_units(amount, ["25 mg"])
    assert (caught.value.argument, caught.value.index) == ("amount", None)
    assert caught.value.problem == (
        f"{shown} is not a usable amount; give {_USABLE}, e.g. '150 mg'"
    )


# -- age ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("age", "licensed"),
    [(Q(0, "year"), False), (Q(MAX_AGE_YEARS, "year"), True), (Q(1560, "month"), True)],
)
def test_an_age_at_either_bound_is_accepted(age: pint.Quantity[float], licensed: bool) -> None:
    assert is_licensed("ciclosporin", age) is licensed
    assert Patient(age, Q(70, "kg")).age == age


@pytest.mark.parametrize(
    "age", [Q(-1e-9, "year"), Q(MAX_AGE_YEARS + 1e-9, "year"), Q(1561, "month")]
)
def test_an_age_just_beyond_a_bound_is_refused(age: pint.Quantity[float]) -> None:
    with pytest.raises(DoseInputError, match="must lie between 0 and 130 years") as caught:
        is_licensed("ciclosporin", age)
    assert caught.value.argument == "age"


# -- the months of a monitoring schedule ------------------------------------------------------


def test_a_schedule_of_one_month_is_the_baseline_and_the_week_4_visit() -> None:
    visits = monitoring_schedule("ciclosporin", D(2027, 1, 15), months=1)
    assert [(v.date, v.label) for v in visits] == [
        (D(2027, 1, 15), "baseline"),
        (D(2027, 2, 12), "week 4"),
    ]


def test_a_schedule_of_the_bound_ends_with_month_120() -> None:
    visits = monitoring_schedule("ciclosporin", D(2027, 1, 15), months=MAX_SCHEDULE_MONTHS)
    assert (visits[-1].date, visits[-1].label) == (D(2037, 1, 15), "month 120")


@pytest.mark.parametrize("months", [0, MAX_SCHEDULE_MONTHS + 1])
def test_a_schedule_just_beyond_the_bound_is_refused(months: int) -> None:
    with pytest.raises(InputError) as caught:
        monitoring_schedule("ciclosporin", D(2027, 1, 15), months=months)
    assert caught.value.argument == "months"
    assert caught.value.problem == f"must lie between 1 and 120, got {months}"


@pytest.mark.parametrize("start", [D(2027, 2, 1), D(2027, 1, 31)])
def test_a_week_4_visit_on_the_last_day_of_a_one_month_schedule_is_drawn(
    start: datetime.date,
) -> None:
    # 1 Feb 2027 + 1 month = 1 Mar 2027, and 31 Jan 2027 + 1 month = 28 Feb 2027 (the end of
    # the shorter month): both exactly 28 days, so the week-4 visit is the schedule's last day.
    visits = monitoring_schedule("ciclosporin", start, months=1)
    end = start + datetime.timedelta(days=28)
    assert [(v.date, v.label) for v in visits] == [(start, "baseline"), (end, "week 4")]
    assert ae_systemic.add_months(start, 1) == end


@pytest.mark.parametrize(
    ("start", "months", "end"),
    [
        (D(1, 1, 1), -1, None),
        (D(1, 1, 31), 0, D(1, 1, 31)),
        (D(9999, 12, 1), 0, D(9999, 12, 1)),
        (D(9999, 12, 31), 1, None),
        (D(9998, 12, 31), 12, D(9999, 12, 31)),
        (D(2, 1, 1), -12, D(1, 1, 1)),
    ],
)
def test_add_months_at_the_ends_of_the_calendar(
    start: datetime.date, months: int, end: datetime.date | None
) -> None:
    if end is None:
        with pytest.raises(InputError, match="lies outside the years 1 to 9999"):
            ae_systemic.add_months(start, months)
    else:
        assert ae_systemic.add_months(start, months) == end


def test_a_dose_range_of_one_weight_never_equals_one_of_an_array() -> None:
    one: object = DoseRange(regimen(), 70.0, APP)
    array: object = DoseRange(regimen(), read_only([70.0]), APP)
    assert one != array
    assert array != one
    assert one == DoseRange(regimen(), 70.0, APP)
    assert array == DoseRange(regimen(), read_only([70.0]), APP)
    assert array != DoseRange(regimen(), read_only([70.0, 80.0]), APP)


def test_a_dose_range_of_a_numpy_float_weight_is_one_patients() -> None:
    """A weight read from an array (a numpy float) is one patient's, as a float is."""
    dose = DoseRange(regimen(), np.float64(70.0), APP)
    assert dose.high.m_as("mg/day") == 350.0
    assert ae_systemic.round_to_strengths(dose, ["25 mg"]).m_as("mg") == 125.0
