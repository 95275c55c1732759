"""Dosing: worked examples, unit safety, bad input, registries, arrays, licence, strengths."""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable, Iterator
from decimal import Decimal
from fractions import Fraction
from typing import Any

import attrs
import numpy as np
import pint
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ae_systemic
from ae_systemic import (
    AeSystemicError,
    Amount,
    ArgumentTypeError,
    DoseInputError,
    DoseRange,
    DoseRate,
    FixedDose,
    Interval,
    Phase,
    Population,
    WeightBand,
    daily_dose,
    is_licensed,
    round_to_strengths,
)
from ae_systemic._dosing import select_regimen
from ae_systemic._text import span
from plain_ids import plain_id
from synthetic_drugs import regimen, synthetic

APP: pint.UnitRegistry[float] = pint.get_application_registry()  # type: ignore[no-untyped-call]
Q = APP.Quantity
LB_IN_KG = 0.45359237  # the international avoirdupois pound, by definition

weights_kg = st.floats(min_value=0.5, max_value=ae_systemic.MAX_BODY_WEIGHT_KG - 1)


def mg_per_day(q: pint.Quantity[Any]) -> Any:
    return q.m_as("mg/day")


def mg(q: pint.Quantity[Any]) -> Any:
    return q.m_as("mg")


# -- worked examples ------------------------------------------------------------------


def test_70_kg_adult_acute_flare_gets_280_to_350_mg_a_day_in_doses_of_140_to_175_mg() -> None:
    dose = daily_dose("ciclosporin", Q(70, "kg"), phase=Phase.ACUTE)
    assert (mg_per_day(dose.low), mg_per_day(dose.high)) == (280.0, 350.0)
    assert (mg(dose.per_dose_low), mg(dose.per_dose_high)) == (140.0, 175.0)
    assert dose.doses_per_day == 2
    assert dose.regimen.phase is Phase.ACUTE
    assert dose.fallback is None


def test_70_kg_adult_standard_range_is_175_to_350_mg_a_day() -> None:
    dose = daily_dose("ciclosporin", Q(70, "kg"))
    assert (mg_per_day(dose.low), mg_per_day(dose.high)) == (175.0, 350.0)
    assert dose.regimen.phase is None
    assert dose.regimen.population is Population.ADULT


def test_154_lb_adult_long_term_is_2_5_to_3_mg_per_kg_of_69_85_kg() -> None:
    dose = daily_dose("ciclosporin", "154 lb", phase=Phase.LONG_TERM)
    kg = 154 * LB_IN_KG
    assert mg_per_day(dose.low) == pytest.approx(2.5 * kg, rel=1e-12)
    assert mg_per_day(dose.high) == pytest.approx(3.0 * kg, rel=1e-12)
    assert mg_per_day(dose.low) == pytest.approx(174.633062, abs=1e-6)
    assert mg(dose.per_dose_high) == pytest.approx(3.0 * kg / 2, rel=1e-12)


def test_80000_g_gives_the_same_dose_as_80_kg() -> None:
    in_grams = daily_dose("ciclosporin", Q(80_000, "g"))
    in_kg = daily_dose("ciclosporin", Q(80, "kg"))
    assert mg_per_day(in_grams.low) == pytest.approx(200.0, rel=1e-12)
    assert mg_per_day(in_grams.high) == pytest.approx(mg_per_day(in_kg.high), rel=1e-12)


def test_30_kg_child_gets_75_to_150_mg_a_day() -> None:
    dose = daily_dose("ciclosporin", Q(30, "kg"), population=Population.CHILD)
    assert (mg_per_day(dose.low), mg_per_day(dose.high)) == (75.0, 150.0)
    assert (mg(dose.per_dose_low), mg(dose.per_dose_high)) == (37.5, 75.0)
    assert dose.regimen.population is Population.CHILD
    assert dose.fallback is None


@pytest.mark.parametrize("phase", [Phase.ACUTE, Phase.LONG_TERM])
def test_a_child_with_a_phase_falls_back_to_the_childrens_range_and_says_so(phase: Phase) -> None:
    dose = daily_dose("ciclosporin", Q(30, "kg"), population=Population.CHILD, phase=phase)
    assert dose.regimen.population is Population.CHILD
    assert dose.regimen.phase is None
    assert dose.regimen.rate is not None
    assert (dose.regimen.rate.low, dose.regimen.rate.high) == (2.5, 5.0)
    assert dose.fallback == (
        f"The guideline gives no {phase} regimen of ciclosporin for children; the commonly "
        "used dosage children (2.5–5 mg/kg/day) is used instead."
    )


def test_results_carry_units_of_a_daily_amount_and_of_a_single_dose() -> None:
    dose = daily_dose("ciclosporin", Q(70, "kg"))
    assert dose.low.dimensionality == APP.get_dimensionality("[mass]/[time]")
    assert dose.per_dose_low.dimensionality == APP.get_dimensionality("[mass]")
    assert str(dose.low.units) == "milligram / day"
    assert str(dose.per_dose_high.units) == "milligram"
    assert dose.weight.m_as("kg") == 70.0


def test_the_drug_may_be_given_as_a_drug_or_any_synonym() -> None:
    by_object = daily_dose(ae_systemic.drug("ciclosporin"), Q(70, "kg"))
    for name in ("CsA", " cyclosporine ", "Ciclosporine"):
        assert daily_dose(name, Q(70, "kg")) == by_object


def test_an_unknown_drug_name_raises_unknown_drug_error() -> None:
    with pytest.raises(ae_systemic.UnknownDrugError):
        daily_dose("ciclosporinn-x", Q(70, "kg"))


def test_dose_ranges_are_frozen_and_compare_by_value() -> None:
    a = daily_dose("ciclosporin", Q(70, "kg"), phase=Phase.ACUTE)
    b = daily_dose("ciclosporin", "70 kg", phase=Phase.ACUTE)
    assert a == b
    assert hash(a) == hash(b)
    assert a != daily_dose("ciclosporin", Q(71, "kg"), phase=Phase.ACUTE)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        a.fallback = "x"  # type: ignore[misc]


def test_str_of_a_dose_range_shows_the_amounts_and_the_regimen() -> None:
    text = str(daily_dose("ciclosporin", Q(70, "kg"), phase=Phase.ACUTE))
    assert "280–350 mg/day" in text
    assert "140–175 mg per dose" in text
    assert "4–5 mg/kg/day" in text


# -- properties -------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(weights_kg)
def test_the_same_weight_in_kg_g_and_lb_gives_the_same_dose(kg: float) -> None:
    reference = daily_dose("ciclosporin", Q(kg, "kg"))
    for unit, factor in (("g", 1000.0), ("lb", 1 / LB_IN_KG), ("stone", 1 / (14 * LB_IN_KG))):
        other = daily_dose("ciclosporin", Q(kg * factor, unit))
        assert mg_per_day(other.low) == pytest.approx(mg_per_day(reference.low), rel=1e-9)
        assert mg(other.per_dose_high) == pytest.approx(mg(reference.per_dose_high), rel=1e-9)


@settings(max_examples=60, deadline=None)
@given(weights_kg, weights_kg)
def test_dose_is_monotonic_in_weight(a: float, b: float) -> None:
    light, heavy = sorted((a, b))
    for phase in (None, Phase.ACUTE, Phase.LONG_TERM):
        low = daily_dose("ciclosporin", Q(light, "kg"), phase=phase)
        high = daily_dose("ciclosporin", Q(heavy, "kg"), phase=phase)
        assert mg_per_day(low.low) <= mg_per_day(high.low)
        assert mg_per_day(low.high) <= mg_per_day(high.high)


@settings(max_examples=60, deadline=None)
@given(weights_kg, st.sampled_from([None, Phase.ACUTE, Phase.LONG_TERM]))
def test_single_dose_times_doses_per_day_is_the_daily_dose(kg: float, phase: Phase | None) -> None:
    dose = daily_dose("ciclosporin", Q(kg, "kg"), phase=phase)
    per_day = Q(dose.doses_per_day, "1/day")
    assert (dose.per_dose_low * per_day).m_as("mg/day") == pytest.approx(mg_per_day(dose.low))
    assert (dose.per_dose_high * per_day).m_as("mg/day") == pytest.approx(mg_per_day(dose.high))
    assert mg_per_day(dose.low) <= mg_per_day(dose.high)


@settings(max_examples=30, deadline=None)
@given(st.lists(weights_kg, min_size=1, max_size=20))
def test_an_array_of_weights_gives_the_scalar_results_element_by_element(
    kgs: list[float],
) -> None:
    array = daily_dose("ciclosporin", Q(np.array(kgs), "kg"), phase=Phase.ACUTE)
    for i, kg in enumerate(kgs):
        scalar = daily_dose("ciclosporin", Q(kg, "kg"), phase=Phase.ACUTE)
        assert array.low.m_as("mg/day")[i] == mg_per_day(scalar.low)
        assert array.high.m_as("mg/day")[i] == mg_per_day(scalar.high)
        assert array.per_dose_low.m_as("mg")[i] == mg(scalar.per_dose_low)
        assert array.per_dose_high.m_as("mg")[i] == mg(scalar.per_dose_high)


def test_a_two_dimensional_array_keeps_its_shape() -> None:
    dose = daily_dose("ciclosporin", Q(np.array([[60.0, 70.0], [80.0, 90.0]]), "kg"))
    assert dose.low.m_as("mg/day").shape == (2, 2)
    assert dose.low.m_as("mg/day")[1, 0] == 200.0


# -- unit and input safety -----------------------------------------------------------------

BAD_WEIGHTS: list[tuple[object, str]] = [
    (70, "has no unit"),
    (70.0, "has no unit"),
    (np.float64(70.0), "has no unit"),
    (np.array([70.0]), "has no unit"),
    ("70", "has no unit"),
    (Q(70, "m"), "not a unit of mass"),
    (Q(1, "mg/kg"), "not a unit of mass"),
    (Q(5, "mg/kg/day"), "not a unit of mass"),
    (Q(70, "kg**2"), "not a unit of mass"),
    ("seventy kg", "does not start with a number"),
    ("70 parsecs", "not a unit of mass"),
    ("70 flibbertigibbets", "cannot be read"),
    ("kg", "does not start with a number"),
    ("", "does not start with a number"),
    (Q(0, "kg"), "must be positive"),
    (Q(-70, "kg"), "must be positive"),
    (Q(math.nan, "kg"), "NaN"),
    (Q(math.inf, "kg"), "infinite"),
    (Q(-math.inf, "kg"), "infinite"),
    ("1e400 kg", "infinite"),
    (Q(10**400, "kg"), "infinite"),
    (Q(701, "kg"), "above 700 kg"),
    (Q(70_000, "kg"), "grams or pounds read as kilograms"),
    (Q(np.array([]), "kg"), "empty"),
    (Q(np.array([70.0, -1.0, 80.0]), "kg"), "weight[1]: "),
    (Q(np.array([70.0, 80.0, math.nan]), "kg"), "weight[2]: "),
    (Q(np.array([[70.0, 80.0], [90.0, 1e6]]), "kg"), "weight[1, 1]: "),
    (Q(np.array(["a", "b"], dtype=object), "kg"), "real numbers"),
    (Q(70 + 1j, "kg"), "real number"),
    (None, "expected a pint quantity"),
    (b"70 kg", "expected a pint quantity"),
    ([70, 80], "expected a pint quantity"),
    ({"kg": 70}, "expected a pint quantity"),
]


@pytest.mark.parametrize(
    ("weight", "fragment"), BAD_WEIGHTS, ids=[repr(w).replace("\n", " ") for w, _ in BAD_WEIGHTS]
)
def test_a_bad_weight_is_refused_with_a_message_saying_what_is_wrong(
    weight: object, fragment: str
) -> None:
    # Something that is neither a quantity nor a string is a wrong type; a quantity or a
    # string that cannot be a weight (no unit, another dimension, magnitude, bounds) is a
    # wrong value.
    wrong_type = fragment == "expected a pint quantity"
    with pytest.raises(ArgumentTypeError if wrong_type else DoseInputError) as caught:
        daily_dose("ciclosporin", weight)  # type: ignore[call-overload]
    assert isinstance(caught.value, TypeError if wrong_type else ValueError)
    assert isinstance(caught.value, AeSystemicError)
    assert fragment in str(caught.value)
    assert str(caught.value).startswith("weight")
    assert caught.value.argument == "weight"


def test_a_masked_weight_is_refused_not_dosed_from_its_hidden_value() -> None:
    """numpy.asarray drops a mask: the missing weight would be dosed as the value beneath."""
    weights = np.ma.array([70.0, 80.0, 90.0], mask=[False, True, False])
    with pytest.raises(DoseInputError) as caught:
        daily_dose("ciclosporin", Q(weights, "kg"))
    assert str(caught.value) == (
        "weight: the weight at index 1 is masked (missing); give every weight, or leave the "
        "missing ones out"
    )
    unmasked = np.ma.array([70.0, 80.0], mask=[False, False])
    dose = daily_dose("ciclosporin", Q(unmasked, "kg"))
    assert dose.high.m_as("mg/day").tolist() == [350.0, 400.0]


def test_a_masked_single_weight_is_refused_without_an_index() -> None:
    with pytest.raises(DoseInputError) as caught:
        daily_dose("ciclosporin", Q(np.ma.array(70.0, mask=True), "kg"))
    assert str(caught.value) == "weight: the weight is masked (missing); give the weight"
    assert daily_dose("ciclosporin", Q(np.ma.array(70.0), "kg")).high.m_as("mg/day") == 350.0


def test_a_masked_weight_of_a_table_of_weights_is_named_by_its_row_and_column() -> None:
    weights = np.ma.array([[70.0, 80.0]], mask=[[False, True]])
    with pytest.raises(DoseInputError) as caught:
        daily_dose("ciclosporin", Q(weights, "kg"))
    assert str(caught.value).startswith("weight: the weight at index (0, 1) is masked (missing)")


def test_a_zero_dimensional_array_in_pounds_is_converted_and_checked_like_a_number() -> None:
    dose = daily_dose("ciclosporin", Q(np.array(154.0), "lb"))
    assert dose.high.m_as("mg/day") == daily_dose("ciclosporin", Q(154.0, "lb")).high.m_as("mg/day")
    assert dose.high.m_as("mg/day") == pytest.approx(349.2661249)
    with pytest.raises(DoseInputError) as caught:
        daily_dose("ciclosporin", Q(np.array(-1.0), "lb"))
    assert str(caught.value) == "weight: -1.0 pound must be positive"


def test_an_empty_array_and_arrays_at_the_exact_bounds() -> None:
    with pytest.raises(DoseInputError) as caught:
        daily_dose("ciclosporin", Q(np.array([]), "kg"))
    assert str(caught.value) == "weight: the array of weights is empty; give at least one weight"
    dose = daily_dose("ciclosporin", Q(np.array([0.2, 700.0]), "kg"))  # both bounds belong
    assert dose.high.m_as("mg/day").tolist() == [1.0, 3500.0]
    for beyond in ([0.2 * (1 - 1e-12), 70.0], [70.0, 700.0 * (1 + 1e-12)]):
        with pytest.raises(DoseInputError):
            daily_dose("ciclosporin", Q(np.array(beyond), "kg"))


def test_a_bad_array_message_counts_every_bad_element() -> None:
    with pytest.raises(DoseInputError, match=r"weight\[0\]: -1\.0 kilogram .*3 bad elements"):
        daily_dose("ciclosporin", Q(np.array([-1.0, 0.0, math.nan, 70.0]), "kg"))


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"population": "adult"}, "population"),
        ({"population": None}, "population"),
        ({"phase": "acute"}, "phase"),
        ({"phase": 1}, "phase"),
    ],
)
def test_population_and_phase_must_be_the_enums(kwargs: dict[str, Any], fragment: str) -> None:
    with pytest.raises(ArgumentTypeError, match=fragment):
        daily_dose("ciclosporin", Q(70, "kg"), **kwargs)


@pytest.mark.parametrize("drug", [None, 5, b"ciclosporin"])
def test_the_drug_must_be_a_drug_or_a_name(drug: object) -> None:
    with pytest.raises(ArgumentTypeError, match="drug"):
        daily_dose(drug, Q(70, "kg"))  # type: ignore[call-overload]


# -- handed-out values never change cached content or the caller's input ------------------


def test_changing_a_handed_out_quantity_in_place_changes_nothing_else() -> None:
    dose = daily_dose("ciclosporin", Q(70, "kg"), phase=Phase.ACUTE)
    low = dose.low
    low.ito("g/day")
    low *= 1000
    assert mg_per_day(dose.low) == 280.0
    assert mg_per_day(daily_dose("ciclosporin", Q(70, "kg"), phase=Phase.ACUTE).low) == 280.0


def test_array_results_are_fresh_and_the_callers_array_is_untouched() -> None:
    weights = np.array([60.0, 70.0])
    dose = daily_dose("ciclosporin", Q(weights, "kg"))
    handed_out = dose.low
    handed_out.magnitude[0] = -1.0
    assert dose.low.m_as("mg/day")[0] == 150.0
    assert list(weights) == [60.0, 70.0]
    pounds = np.array([154.0])
    daily_dose("ciclosporin", Q(pounds, "lb"))
    assert pounds[0] == 154.0


# -- registries --------------------------------------------------------------------------


@pytest.fixture
def own_registry() -> Iterator[pint.UnitRegistry[Any]]:
    """A fresh application registry, set after ``import ae_systemic``; restored after."""
    previous = pint.get_application_registry().get()  # type: ignore[no-untyped-call]
    registry: pint.UnitRegistry[Any] = pint.UnitRegistry()
    pint.set_application_registry(registry)  # type: ignore[no-untyped-call]
    yield registry
    pint.set_application_registry(previous)  # type: ignore[no-untyped-call]


def test_a_string_weight_is_read_in_the_application_registry_set_after_import(
    own_registry: pint.UnitRegistry[Any],
) -> None:
    dose = daily_dose("ciclosporin", "70 kg")
    total = dose.low + own_registry.Quantity(10, "mg/day")
    assert total.m_as("mg/day") == 185.0
    assert is_licensed("ciclosporin", "16 years")


def test_results_are_built_in_the_registry_of_the_weight() -> None:
    registry: pint.UnitRegistry[Any] = pint.UnitRegistry()
    dose = daily_dose("ciclosporin", registry.Quantity(70, "kg"))
    assert (dose.high + registry.Quantity(1, "g/day")).m_as("mg/day") == 1350.0
    assert (dose.per_dose_low + registry.Quantity(5, "mg")).m_as("mg") == 92.5
    with pytest.raises(ValueError, match="different registries"):
        dose.low + Q(1, "mg/day")


def test_the_library_defines_no_units_in_the_callers_registry() -> None:
    registry: pint.UnitRegistry[Any] = pint.UnitRegistry()
    before = set(registry._units)
    daily_dose("ciclosporin", registry.Quantity(70, "kg"), phase=Phase.ACUTE)
    is_licensed("ciclosporin", registry.Quantity(16, "year"))
    assert set(registry._units) == before


@contextlib.contextmanager
def application(registry: pint.UnitRegistry[Any]) -> Iterator[pint.UnitRegistry[Any]]:
    """``registry`` as pint's application registry for a while; the previous one after."""
    previous = pint.get_application_registry().get()  # type: ignore[no-untyped-call]
    pint.set_application_registry(registry)  # type: ignore[no-untyped-call]
    try:
        yield registry
    finally:
        pint.set_application_registry(previous)  # type: ignore[no-untyped-call]


#: Registries whose numbers are not floats: decimals or fractions (``non_int_type``), or
#: every magnitude a numpy array, 0-d for one number (``force_ndarray_like``).
OTHER_NUMBERS = [
    pytest.param({"non_int_type": Decimal}, id="decimal"),
    pytest.param({"non_int_type": Fraction}, id="fraction"),
    pytest.param({"force_ndarray_like": True}, id="ndarray-like"),
]


@pytest.mark.parametrize("options", OTHER_NUMBERS)
def test_a_registry_of_other_numbers_gives_the_same_doses_and_licence(
    options: dict[str, Any],
) -> None:
    registry: pint.UnitRegistry[Any] = pint.UnitRegistry(**options)
    R = registry.Quantity
    assert is_licensed("ciclosporin", R(16, "year")) is True
    assert is_licensed("ciclosporin", R(191, "month")) is False
    # 154 lb = 69.85322498 kg; 2.5-5 mg/kg/day -> 174.63306245-349.2661249 mg/day.
    dose = daily_dose("ciclosporin", R(154.0, "lb"))
    assert dose.high.magnitude == pytest.approx(349.2661249, rel=1e-12)
    assert dose.low._REGISTRY is registry
    assert str(dose.high.units) == "milligram / day"
    with application(registry):
        assert is_licensed("ciclosporin", "16 years") is True
        assert is_licensed("ciclosporin", "15.9 years") is False
        assert daily_dose("ciclosporin", "70 kg").high.magnitude == 350.0
        assert daily_dose("ciclosporin", "70.5 kg", phase=Phase.ACUTE).low.magnitude == 282.0
        assessment = ae_systemic.assess("ciclosporin", ae_systemic.Patient("17 years", "30 kg"))
        assert assessment.population is Population.CHILD
        assert assessment.licensed is True
        assert assessment.dose.high.magnitude == 150.0


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        (Decimal("70.5"), None),
        (Decimal("NaN"), "NaN kilogram is not a number (NaN)"),
        (Decimal("sNaN"), "sNaN kilogram is not a number (NaN)"),
        (Decimal("Infinity"), "Infinity kilogram is infinite"),
        (Decimal("-Infinity"), "-Infinity kilogram is infinite"),
        (Decimal("1e400"), "1E+400 kilogram is infinite"),
        (Decimal("-70"), "-70 kilogram must be positive"),
        (Fraction(141, 2), None),
        (Fraction(10**400), f"1{'0' * 19}... kilogram is infinite"),
    ],
    ids=["70.5", "NaN", "sNaN", "inf", "-inf", "1e400", "-70", "141/2", "10**400"],
)
def test_a_weight_of_decimals_or_fractions_is_read_as_its_nearest_float(
    value: Decimal | Fraction, problem: str | None
) -> None:
    registry: pint.UnitRegistry[Any] = pint.UnitRegistry(non_int_type=type(value))
    weight: Any = registry.Quantity(value, "kg")  # QuantityLike names float and int only
    if problem is None:
        assert daily_dose("ciclosporin", weight).high.magnitude == 352.5  # 70.5 kg x 5
        return
    with pytest.raises(DoseInputError) as raised:
        daily_dose("ciclosporin", weight)
    assert (raised.value.where, raised.value.problem) == ("weight", problem)


@pytest.mark.parametrize(
    "value",
    [Decimal("NaN"), Decimal("sNaN"), Decimal("Infinity"), Decimal("-1"), Decimal("131")],
    ids=str,
)
def test_an_age_of_decimals_out_of_bounds_is_refused_as_any_age(value: Decimal) -> None:
    age: Any = pint.UnitRegistry(non_int_type=Decimal).Quantity(value, "year")
    with pytest.raises(DoseInputError) as raised:
        is_licensed("ciclosporin", age)
    assert (raised.value.where, raised.value.problem) == (
        "age",
        f"{value} year must lie between 0 and 130 years",
    )


# -- licence -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("age", "licensed"),
    [
        (Q(16, "year"), True),
        (Q(192, "month"), True),
        (Q(15, "year") + Q(11, "month"), False),
        (Q(191, "month"), False),
        (Q(12, "year"), False),
        (Q(40, "year"), True),
        ("16 years", True),
        ("15.9 years", False),
        (Q(0, "year"), False),
        # one real number of numpy: a scalar of any integer or float type, or a 0-d array
        (Q(np.int64(16), "year"), True),
        (Q(np.int64(15), "year"), False),
        (Q(np.uint8(16), "year"), True),
        (Q(np.float32(15.9), "year"), False),
        (Q(np.float16(16), "year"), True),
        (Q(np.array(16.0), "year"), True),
        (Q(np.array(191), "month"), False),
        # a registry of decimals or fractions (non_int_type)
        (pint.UnitRegistry(non_int_type=Decimal).Quantity(16, "year"), True),
        (pint.UnitRegistry(non_int_type=Decimal).Quantity(Decimal("15.99"), "year"), False),
        (pint.UnitRegistry(non_int_type=Fraction).Quantity(Fraction(191, 12), "year"), False),
    ],
)
def test_ciclosporin_is_licensed_from_16_years_of_age(age: Any, licensed: bool) -> None:
    assert is_licensed("ciclosporin", age) is licensed


@pytest.mark.parametrize(
    ("age", "fragment"),
    [
        (16, "has no unit"),
        ("16", "has no unit"),
        (Q(16, "kg"), "not a unit of time"),
        (Q(-1, "year"), "between 0 and 130 years"),
        (Q(131, "year"), "between 0 and 130 years"),
        (Q(math.nan, "year"), "between 0 and 130"),
        ("sixteen years", "does not start with a number"),
        (None, "expected a pint quantity"),
        (Q(np.array([16.0]), "year"), "one real number"),
        (Q(np.bool_(True), "year"), "got a magnitude of type bool"),  # type: ignore[call-overload]
        (Q(np.complex128(16), "year"), "got a magnitude of type complex128"),
        (Q(np.timedelta64(16), "year"), "got a magnitude of type timedelta64"),  # type: ignore[call-overload]
        (Q(np.array(16, dtype=object), "year"), "got a magnitude of type ndarray"),
        (Q(np.array("16"), "year"), "got a magnitude of type ndarray"),
    ],
)
def test_a_bad_age_is_refused(age: object, fragment: str) -> None:
    wrong_type = fragment == "expected a pint quantity"
    with pytest.raises(ArgumentTypeError if wrong_type else DoseInputError, match=fragment):
        is_licensed("ciclosporin", age)  # type: ignore[arg-type]


# -- practical amounts -------------------------------------------------------------------

CAPSULES = ["25 mg", "50 mg", "100 mg"]


def test_70_kg_acute_with_25_50_100_mg_capsules_gives_150_mg_per_dose() -> None:
    dose = daily_dose("ciclosporin", Q(70, "kg"), phase=Phase.ACUTE)  # 140-175 mg per dose
    amount = round_to_strengths(dose, CAPSULES)
    assert amount.m_as("mg") == 150.0
    assert str(amount.units) == "milligram"


def test_67_kg_long_term_rounds_to_the_only_amount_inside_the_range() -> None:
    dose = daily_dose("ciclosporin", Q(67, "kg"), phase=Phase.LONG_TERM)  # 83.75-100.5 mg
    assert round_to_strengths(dose, [Q(25, "mg"), Q(50, "mg"), Q(100, "mg")]).m_as("mg") == 100.0


def test_strengths_in_grams_give_the_same_amount() -> None:
    dose = daily_dose("ciclosporin", Q(70, "kg"), phase=Phase.ACUTE)
    assert round_to_strengths(dose, ["0.025 g", "0.05 g", "0.1 g"]).m_as("mg") == 150.0


@settings(max_examples=60, deadline=None)
@given(
    weights_kg.filter(lambda kg: kg >= 10),
    st.lists(st.integers(min_value=5, max_value=200), min_size=1, max_size=3),
)
def test_a_rounded_amount_lies_in_the_range_and_is_a_sum_of_strengths(
    kg: float, strengths: list[int]
) -> None:
    dose = daily_dose("ciclosporin", Q(kg, "kg"))
    try:
        amount = round_to_strengths(dose, [Q(s, "mg") for s in strengths]).m_as("mg")
    except DoseInputError:
        return  # no combination fits; the message is tested below
    assert mg(dose.per_dose_low) - 1e-6 <= amount <= mg(dose.per_dose_high) + 1e-6
    reachable = {0}
    for _ in range(int(amount // min(strengths)) + 1):
        reachable |= {r + s for r in reachable for s in strengths if r + s <= amount}
    assert round(amount) in reachable


def test_no_combination_of_strengths_fitting_the_range_is_a_clear_error() -> None:
    dose = daily_dose("ciclosporin", Q(70, "kg"), phase=Phase.ACUTE)  # 140-175 mg per dose
    with pytest.raises(DoseInputError, match=r"no amount between 140 and 175 mg .* 60 mg"):
        round_to_strengths(dose, ["60 mg"])


@pytest.mark.parametrize(
    ("strengths", "fragment"),
    [
        ([], "at least one"),
        ("25 mg", "list of unit strengths"),
        (["25"], "has no unit"),
        (["25 ml"], "not a unit of mass"),
        (["0 mg"], "not a usable strength"),
        (["-25 mg"], "not a usable strength"),
        ([Q(math.nan, "mg")], "not a usable strength"),
        (["0.0001 mg"], "not a usable strength"),
        (["0.0015 mg"], "whole number of micrograms"),
        ([25], "has no unit"),
    ],
)
def test_bad_strengths_are_refused(strengths: Any, fragment: str) -> None:
    dose = daily_dose("ciclosporin", Q(70, "kg"))
    wrong_type = isinstance(strengths, str)
    with pytest.raises(
        ArgumentTypeError if wrong_type else DoseInputError, match=fragment
    ) as caught:
        round_to_strengths(dose, strengths)
    assert caught.value.argument == "strengths"
    if isinstance(strengths, list) and len(strengths) == 1:
        assert caught.value.index == 0
        assert str(caught.value).startswith("strengths[0]: ")


def test_rounding_needs_the_dose_of_one_patient() -> None:
    cohort = daily_dose("ciclosporin", Q(np.array([60.0, 70.0]), "kg"))
    with pytest.raises(DoseInputError, match="one patient"):
        round_to_strengths(cohort, CAPSULES)  # type: ignore[arg-type]
    with pytest.raises(ArgumentTypeError, match="one patient"):
        round_to_strengths("280 mg", CAPSULES)  # type: ignore[arg-type]


def test_dose_range_is_generic_in_its_magnitude() -> None:
    scalar: DoseRange[float] = daily_dose("ciclosporin", Q(70.0, "kg"))
    assert isinstance(scalar.low.magnitude, float)


@pytest.mark.parametrize(
    "weight_kg",
    [0.0, -70.0, math.nan, math.inf, 701.0, 70, np.array([70.0, -1.0])],
    ids=["zero", "negative", "nan", "inf", "too-heavy", "int", "negative-element"],
)
def test_a_dose_range_cannot_be_built_around_an_implausible_weight(weight_kg: Any) -> None:
    regimen = ae_systemic.drug("ciclosporin").regimens[0]
    if isinstance(weight_kg, np.ndarray) and weight_kg.min() < 0:
        weight_kg.flags.writeable = False
    with pytest.raises(DoseInputError, match="weight_kg"):
        DoseRange(regimen, weight_kg, APP)


def test_a_dose_range_keeps_its_own_read_only_copy_of_an_array() -> None:
    regimen = ae_systemic.drug("ciclosporin").regimens[0]
    weights = np.array([50.0, 70.0])
    dose = DoseRange(regimen, weights, APP)
    weights[0] = 500.0
    assert dose.low.m_as("mg/day")[0] == 125.0
    assert not dose.weight.magnitude.flags.writeable or dose.weight.magnitude is not weights


# -- ranges are never printed backwards; counts agree with their nouns ----------------------------


@pytest.mark.parametrize(
    ("low", "high", "digits", "text"),
    [
        (116.83333333333333, 116.83333333333333, 1, "116.8 mg"),  # equal ends: one number
        (116.83333333333333, 116.83333333333333, 2, "116.83 mg"),
        (70.1234565, 70.1234566, 1, "70.1234565–70.1234566 mg"),  # beyond six decimals
        (0.0012345678912, 0.0012345678922, 1, "0.0012345678912–0.0012345678922 mg"),
        (81.25, 162.5, 1, "81.3–162.5 mg"),
    ],
    ids=plain_id,
)
def test_a_computed_range_is_never_printed_backwards(
    low: float, high: float, digits: int, text: str
) -> None:
    assert span(low, high, "mg", digits=digits) == text


@settings(max_examples=200, deadline=None)
@given(
    low=st.floats(min_value=1e-3, max_value=1e5),
    gap=st.one_of(st.just(0.0), st.floats(min_value=0.0, max_value=1e-3)),
    digits=st.integers(min_value=0, max_value=3),
)
def test_a_printed_range_is_in_order(low: float, gap: float, digits: int) -> None:
    ends = [float(end) for end in span(low, low + gap, digits=digits).split("–")]
    assert ends == sorted(ends)


def test_a_range_of_equal_ends_prints_one_amount_in_every_face() -> None:
    drug = synthetic("testdrug", regimen("fixed rate", rate=DoseRate(5, 5), doses_per_day=3))
    dose = daily_dose(drug, "70.1 kg")
    assert str(dose).startswith("350.5 mg/day (116.83 mg per dose, 3 doses a day) for 70.1 kg")
    assert "| Single dose | 116.8 mg per dose, 3 doses a day |" in dose._repr_markdown_()
    assert str(ae_systemic.dose_plan(drug, "70.1 kg")) == (
        "116.83 mg per dose, 3 doses a day (fixed rate)"
    )


def test_a_dose_range_of_one_weight_in_an_array_says_1_weight() -> None:
    dose = daily_dose("ciclosporin", Q(np.array([70.0]), "kg"))
    assert str(dose).endswith(" for 1 weight")
    assert "| Body weights | 1 weight, 70 kg |" in dose._repr_markdown_()
    assert "| Body weights | 2 weights, 60–70 kg |" in (
        daily_dose("ciclosporin", Q(np.array([60.0, 70.0]), "kg"))._repr_markdown_()
    )


# -- dose plans: the interval in one wording, a weight outside every band never on a bound -------


@pytest.mark.parametrize(
    ("doses", "a_day"),
    [(1, "1 dose a day"), (2, "2 doses a day"), (3, "3 doses a day"), (7, "7 doses a day")],
)
def test_the_plan_and_its_display_say_the_doses_a_day_alike(doses: int, a_day: str) -> None:
    drug = synthetic("testdrug", regimen("daily", rate=DoseRate(2.5, 5), doses_per_day=doses))
    plan = ae_systemic.dose_plan(drug, "70 kg")
    assert f" mg per dose, {a_day} (daily)" in str(plan)
    assert f" mg per dose, {a_day} |" in plan._repr_markdown_()
    assert "every" not in str(plan)


def test_a_weekly_plan_says_its_weeks_alike() -> None:
    fixed = FixedDose(Amount(300, 300), Interval(2, "week"))
    plan = ae_systemic.dose_plan(synthetic("testdrug", regimen("two-weekly", fixed=fixed)))
    assert str(plan) == "300 mg every 2 weeks (two-weekly)"
    assert "| Every | 2 weeks |" in plan._repr_markdown_()


def _banded() -> ae_systemic.Drug:
    def weekly(mg: float) -> FixedDose:
        return FixedDose(Amount(mg, mg), Interval(1, "week"))

    bands = (WeightBand(weekly(150), 60, 100), WeightBand(weekly(200), 100, None))
    return synthetic("testdrug", regimen("banded", bands=bands))


@pytest.mark.parametrize(
    ("weight", "shown"),
    [
        ("59.99999 kg", "59.99999 kg"),
        ("132.277 lb", "59.9998 kg"),  # 59.99984 kg
        ("50 kg", "50 kg"),
        ("59.994 kg", "59.99 kg"),
    ],
)
def test_a_weight_outside_every_band_is_never_shown_on_a_bound(weight: str, shown: str) -> None:
    with pytest.raises(DoseInputError) as raised:
        ae_systemic.dose_plan(_banded(), weight)
    assert str(raised.value) == (
        f"weight: no weight band of 'banded' holds {shown} (bands: 60 to below 100 kg: 150 mg "
        "every week; 100 kg and above: 200 mg every week)"
    )


@pytest.mark.parametrize(
    ("population", "phase", "where", "expected"),
    [
        ("adult", None, "population", "expected Population.ADULT or Population.CHILD, got 'adult'"),
        (
            Population.ADULT,
            "acute",
            "phase",
            "expected None, Phase.ACUTE or Phase.LONG_TERM, got 'acute'",
        ),
    ],
)
def test_select_regimen_names_an_argument_of_the_wrong_type(
    population: Any, phase: Any, where: str, expected: str
) -> None:
    with pytest.raises(ae_systemic.ArgumentTypeError) as raised:
        select_regimen(ae_systemic.drug("ciclosporin"), population, phase)
    assert (raised.value.where, raised.value.problem) == (where, expected)


def test_a_population_without_any_regimen_is_named_as_such() -> None:
    adults_only = synthetic("Examplumab", regimen("adults", rate=DoseRate(2.5, 5), doses_per_day=2))
    with pytest.raises(DoseInputError) as raised:
        select_regimen(adults_only, Population.CHILD, None)
    assert (raised.value.where, raised.value.problem) == (
        "population",
        "the guideline gives Examplumab no dose regimen for children",
    )


@pytest.mark.parametrize(
    ("phase", "asked"),
    [(None, "standard regimen (no phase)"), (Phase.LONG_TERM, "long-term regimen")],
)
def test_phases_without_a_standard_regimen_are_listed_to_choose_from(
    phase: Phase | None, asked: str
) -> None:
    acute = attrs.evolve(regimen("acute", rate=DoseRate(4, 5), doses_per_day=2), phase=Phase.ACUTE)
    only_acute = synthetic("Examplumab", acute)
    with pytest.raises(DoseInputError) as raised:
        select_regimen(only_acute, Population.ADULT, phase)
    assert (raised.value.where, raised.value.problem) == (
        "phase",
        f"the guideline gives Examplumab no {asked} for adults; give phase as one of 'acute'",
    )
    long_term = attrs.evolve(acute, phase=Phase.LONG_TERM, label="long")
    with pytest.raises(DoseInputError) as raised:
        select_regimen(synthetic("Examplumab", acute, long_term), Population.ADULT, None)
    assert raised.value.problem.endswith("give phase as one of 'acute', 'long-term'")


# -- mutation survivors of a full run: the messages and the array path, pinned ----------------


@pytest.mark.parametrize(
    ("weight", "message"),
    [
        (Q(math.nan, "kg"), "nan kilogram is not a number (NaN)"),
        (Q(math.inf, "kg"), "inf kilogram is infinite"),
        (
            Q(150, "g"),
            "150 gram is below 0.2 kg, lighter than any person on record; check the unit "
            "(milligrams or grams read as kilograms?)",
        ),
        (
            Q(800, "kg"),
            "800 kilogram is above 700 kg, heavier than any person on record; check the unit "
            "(grams or pounds read as kilograms?)",
        ),
    ],
)
def test_a_weight_out_of_bounds_is_refused_word_for_word(weight: Any, message: str) -> None:
    with pytest.raises(DoseInputError) as raised:
        daily_dose("ciclosporin", weight)
    assert (raised.value.where, raised.value.problem) == ("weight", message)


@pytest.mark.parametrize(("bad", "more"), [(1, ""), (2, " (2 bad elements in all)")])
def test_an_array_names_its_first_bad_weight_and_counts_them(bad: int, more: str) -> None:
    weights = Q(np.array([70.0] + [800.0] * bad), "kg")
    with pytest.raises(DoseInputError) as raised:
        daily_dose("ciclosporin", weights)
    assert raised.value.problem.endswith(
        f"heavier than any person on record; check the unit "
        f"(grams or pounds read as kilograms?){more}"
    )
    assert raised.value.where == "weight[1]"


def test_an_array_of_children_with_a_phase_keeps_the_fallback_note() -> None:
    dose = daily_dose(
        "ciclosporin",
        Q(np.array([30.0, 40.0]), "kg"),
        population=Population.CHILD,
        phase=Phase.ACUTE,
    )
    assert dose.fallback == (
        "The guideline gives no acute flare, short-term regimen of ciclosporin for children; "
        "the commonly used dosage children (2.5–5 mg/kg/day) is used instead."
    )


def test_daily_dose_of_a_regimen_that_is_no_daily_rate_says_what_to_use() -> None:
    weekly = synthetic("Exampletrexate", regimen("weekly", rate=DoseRate(0.25, 0.5, period="week")))
    with pytest.raises(DoseInputError) as raised:
        daily_dose(weekly, Q(70, "kg"))
    assert (raised.value.where, raised.value.problem) == (
        "regimen",
        "'weekly' is not a weight-based daily dose (weekly: 0.25–0.5 mg/kg/week once a week); "
        "daily_dose computes those only; use dose_plan for every shape of regimen",
    )


def test_assess_and_check_dose_of_a_regimen_that_is_no_daily_rate_name_themselves() -> None:
    """Before: the message of daily_dose ("daily_dose computes those only"), which neither
    function's caller called, about a regimen the caller never named."""
    weekly = synthetic("Exampletrexate", regimen("weekly", rate=DoseRate(0.25, 0.5, period="week")))
    patient = ae_systemic.Patient("40 years", "70 kg")
    calls: dict[str, Callable[[], object]] = {
        "assess": lambda: ae_systemic.assess(weekly, patient),
        "check_dose": lambda: ae_systemic.check_dose(
            weekly, patient, ae_systemic.Prescription("20 mg", period="1 week")
        ),
    }
    for name, call in calls.items():
        with pytest.raises(DoseInputError) as raised:
            call()
        assert (raised.value.where, raised.value.problem) == (
            "regimen",
            "Exampletrexate's regimen for adults (weekly: 0.25–0.5 mg/kg/week once a week) is "
            f"not a weight-based daily dose; {name} computes those only (dose_plan gives any "
            "regimen's amount and interval)",
        )


def test_a_weight_that_is_no_quantity_is_named_by_its_type() -> None:
    with pytest.raises(ArgumentTypeError) as raised:
        daily_dose("ciclosporin", [70])  # type: ignore[call-overload]
    assert raised.value.problem == (
        "expected a pint quantity or a string such as '70 kg' or '154 lb', got list"
    )


def test_a_registry_set_as_the_application_registry_is_built_when_first_used() -> None:
    from ae_systemic import _units

    previous = pint.get_application_registry().get()  # type: ignore[no-untyped-call]
    fresh: pint.UnitRegistry[float] = pint.UnitRegistry()
    pint.set_application_registry(fresh)  # type: ignore[no-untyped-call]
    try:
        assert ae_systemic.application_registry() is fresh
        assert fresh in _units._BUILT
    finally:
        pint.set_application_registry(previous)  # type: ignore[no-untyped-call]
