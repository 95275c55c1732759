"""The exact wording of the computation core's errors: the argument named, the problem, the fix.

Other files check that a call is refused and with which class; here the whole message of
each refusal of the dosing, plan, prescription and calendar functions is pinned, so that a
message naming the wrong argument, dropping the value given or losing its fix is caught.
"""

from __future__ import annotations

import datetime
import math

import numpy as np
import pytest

import ae_systemic
from ae_systemic import (
    AeSystemicError,
    add_months,
    monitoring_schedule,
)

D = datetime.date


def problem_of(call: object) -> tuple[str | None, str]:
    assert callable(call)
    with pytest.raises(AeSystemicError) as caught:
        call()
    error = caught.value
    return getattr(error, "argument", None), getattr(error, "problem", str(error))


@pytest.mark.parametrize(
    ("call", "argument", "problem"),
    [
        (
            lambda: monitoring_schedule("ciclosporin", datetime.datetime(2027, 1, 15)),
            "start",
            "expected a datetime.date such as date(2027, 1, 15), got "
            "datetime.datetime(2027, 1, 15, 0, 0)",
        ),
        (
            lambda: monitoring_schedule("ciclosporin", D(2027, 1, 15), months=True),
            "months",
            "expected a whole number of months, got True",
        ),
        (
            lambda: monitoring_schedule("ciclosporin", D(9999, 6, 1), months=12),
            "start",
            "9999-06-01 plus 12 months lies beyond the calendar (year 9999)",
        ),
        (
            lambda: monitoring_schedule("ciclosporin", D(9999, 12, 20), months=1),
            "start",
            "9999-12-20 plus 1 month lies beyond the calendar (year 9999)",
        ),
        (
            lambda: add_months(datetime.datetime(2027, 1, 15), 1),
            "start",
            "expected a datetime.date such as date(2027, 1, 15), got "
            "datetime.datetime(2027, 1, 15, 0, 0)",
        ),
        (
            lambda: add_months(D(2027, 1, 15), 1.0),  # type: ignore[arg-type]
            "months",
            "expected a whole number of months, got 1.0",
        ),
        (
            lambda: add_months(D(9999, 12, 15), 1),
            "months",
            "9999-12-15 plus 1 month lies outside the years 1 to 9999",
        ),
    ],
    ids=[
        "schedule-datetime",
        "schedule-bool-months",
        "schedule-beyond-9999",
        "schedule-week-4-beyond-9999",
        "add-months-datetime",
        "add-months-float",
        "add-months-beyond-9999",
    ],
)
def test_calendar_errors(call: object, argument: str, problem: str) -> None:
    assert problem_of(call) == (argument, problem)


def test_the_errors_are_of_the_documented_classes() -> None:
    with pytest.raises(ae_systemic.ArgumentTypeError):
        add_months(D(2027, 1, 15), True)
    with pytest.raises(ae_systemic.InputError):
        monitoring_schedule("ciclosporin", D(2027, 1, 15), months=0)


@pytest.mark.parametrize(
    ("call", "argument", "problem"),
    [
        (
            lambda: ae_systemic.daily_dose("ciclosporin", "70"),
            "weight",
            "70 has no unit; give it in kg, g, lb or stone",
        ),
        (
            lambda: ae_systemic.round_to_strengths(
                ae_systemic.daily_dose("ciclosporin", "700 kg"), ["1 ug", "3 ug"]
            ),
            "strengths",
            "the dose (1750 mg) is more than 1000000 times the common measure of the "
            "strengths (0.001 mg); give coarser strengths",
        ),
        (
            lambda: ae_systemic.dose_plan("ciclosporin"),
            "weight",
            "'standard dosage adults' is dosed by body weight (2.5–5 mg/kg/day); give the weight",
        ),
    ],
    ids=["weight-without-unit", "strengths-too-fine", "plan-without-weight"],
)
def test_dosing_errors(call: object, argument: str, problem: str) -> None:
    assert problem_of(call) == (argument, problem)


@pytest.mark.parametrize(
    ("call", "argument", "problem"),
    [
        (
            lambda: ae_systemic.round_to_strengths("280 mg", ["25 mg"]),  # type: ignore[arg-type]
            "dose",
            "expected the DoseRange of one patient from daily_dose, got '280 mg'",
        ),
        (
            lambda: ae_systemic.round_to_strengths(
                ae_systemic.daily_dose(  # type: ignore[arg-type]
                    "ciclosporin",
                    ae_systemic.application_registry().Quantity(np.array([70.0]), "kg"),
                ),
                ["25 mg"],
            ),
            "dose",
            "expected the DoseRange of one patient (a scalar weight) from daily_dose",
        ),
        (
            # 400 kg: 500-1000 mg a dose, exactly 10^6 steps of 1 ug: searched, too many units.
            lambda: ae_systemic.round_to_strengths(
                ae_systemic.daily_dose("ciclosporin", "400 kg"), ["1 ug"]
            ),
            "strengths",
            "every amount between 500 and 1000 mg per dose that 0.001 mg can make takes more "
            "than 20 units a dose (a bound of this library, MAX_UNITS_PER_DOSE; the guideline "
            "sets none); give larger strengths",
        ),
        (
            # 400.001 kg: one step beyond the grid searched.
            lambda: ae_systemic.round_to_strengths(
                ae_systemic.daily_dose("ciclosporin", "400.001 kg"), ["1 ug"]
            ),
            "strengths",
            "the dose (1000 mg) is more than 1000000 times the common measure of the strengths "
            "(0.001 mg); give coarser strengths",
        ),
        (
            lambda: ae_systemic.round_to_strengths(
                ae_systemic.daily_dose("ciclosporin", "70 kg", phase=ae_systemic.Phase.ACUTE),
                [f"{n} mg" for n in range(200, 206)],
            ),
            "strengths",
            "no amount between 140 and 175 mg per dose can be made from "
            "200 mg, 201 mg, 202 mg, 203 mg, 204 mg, 205 mg",
        ),
        (
            lambda: ae_systemic.round_to_strengths(
                ae_systemic.daily_dose("ciclosporin", "70 kg", phase=ae_systemic.Phase.ACUTE),
                [f"{n} mg" for n in range(200, 207)],
            ),
            "strengths",
            "no amount between 140 and 175 mg per dose can be made from "
            "200 mg, 201 mg, 202 mg, 203 mg, 204 mg, 205 mg and 1 more",
        ),
    ],
    ids=[
        "not-a-dose-range",
        "an-array-dose-range",
        "grid-bound-searched",
        "grid-bound-beyond",
        "six-strengths-listed",
        "seven-strengths-cut",
    ],
)
def test_rounding_errors(call: object, argument: str, problem: str) -> None:
    assert problem_of(call) == (argument, problem)


def test_cohort_token_errors() -> None:
    import pandas as pd

    units = {"age": "year", "weight": "kg"}
    table = pd.DataFrame(
        {"age": [30, 30, 30], "weight": [70.0] * 3, "phototherapy": ["UVC", "UVA,PUVA", None]}
    )
    result = ae_systemic.assess_table("ciclosporin", table, units=units)
    assert result["error"].tolist()[0] == (
        "phototherapy: 'UVC' is not a phototherapy the guideline names; expected a "
        "comma-separated list of UVA, UVB or PUVA"
    )
    assert result["error"].isna().tolist() == [False, True, True]
    assert result["finding_avoid_combination"].tolist()[1:] == [True, False]
    numbers = pd.DataFrame({"age": [30, 30], "weight": [70.0] * 2, "phototherapy": [5, "UVB"]})
    errors = ae_systemic.assess_table("ciclosporin", numbers, units=units)["error"].tolist()
    assert errors[0] == "phototherapy: expected text such as 'UVA' (a comma-separated list), got 5"
    assert pd.isna(errors[1])


_Q = ae_systemic.application_registry().Quantity


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        (
            lambda: ae_systemic.strength_units("150 mg", [25]),  # type: ignore[list-item]
            ("strengths", "25 has no unit; pass a pint quantity or a string such as '25 mg'", 0),
        ),
        (
            lambda: ae_systemic.strength_units(
                "150 mg",
                ["25 mg", _Q(np.array([1.0]), "mg")],  # type: ignore[list-item]
            ),
            (
                "strengths",
                "expected one real number with a unit, such as '25 mg', got a magnitude of "
                "type ndarray",
                1,
            ),
        ),
        (
            lambda: ae_systemic.strength_units(
                _Q(np.array([150.0]), "mg"),  # type: ignore[arg-type]
                ["25 mg"],
            ),
            (
                "amount",
                "expected one real number with a unit, such as '150 mg', got a magnitude of "
                "type ndarray",
                None,
            ),
        ),
        (
            lambda: ae_systemic.strength_units(150, ["25 mg"]),  # type: ignore[arg-type]
            ("amount", "150 has no unit; pass a pint quantity or a string such as '150 mg'", None),
        ),
        (
            lambda: ae_systemic.assess("ciclosporin", "x"),  # type: ignore[arg-type]
            ("patient", "expected a Patient, got str", None),
        ),
        (
            lambda: ae_systemic.assess(
                "ciclosporin",
                ae_systemic.Patient(_Q(30, "year"), _Q(70, "kg")),
                prescription="150 mg",  # type: ignore[arg-type]
            ),
            ("prescription", "expected a Prescription, got str", None),
        ),
    ],
    ids=[
        "strength-no-unit",
        "strength-array",
        "amount-array",
        "amount-no-unit",
        "assess-not-a-patient",
        "assess-not-a-prescription",
    ],
)
def test_argument_errors_name_the_argument_the_example_and_the_index(
    call: object, expected: tuple[str, str, int | None]
) -> None:
    assert callable(call)
    with pytest.raises(AeSystemicError) as caught:
        call()
    error = caught.value
    assert (error.argument, error.problem, getattr(error, "index", None)) == expected  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        (
            lambda: ae_systemic.strength_units("150 mg", ["1000 kg"]),
            (
                "strengths",
                "1000 kilogram is not a usable strength; give an amount of at least 1 µg "
                "(0.001 mg) and below 1000 kg, e.g. '25 mg'",
                0,
            ),
        ),
        (
            lambda: ae_systemic.strength_units("150 mg", "25 mg"),
            (
                "strengths",
                "expected a list of unit strengths such as ['25 mg', '50 mg', '100 mg'], got str",
                None,
            ),
        ),
        (
            lambda: ae_systemic.strength_units("150 mg", []),
            ("strengths", "give at least one unit strength, e.g. ['25 mg']", None),
        ),
        (
            lambda: ae_systemic.is_licensed(
                "ciclosporin",
                _Q(np.array([16.0]), "year"),  # type: ignore[arg-type]
            ),
            (
                "age",
                "expected one real number with a unit, such as '16 years' or '18 months', got a "
                "magnitude of type ndarray",
                None,
            ),
        ),
        (
            lambda: ae_systemic.is_licensed("ciclosporin", "131 years"),
            ("age", "131 year must lie between 0 and 130 years", None),
        ),
    ],
    ids=["strength-1000-kg", "strengths-not-a-list", "strengths-empty", "age-array", "age-131"],
)
def test_strength_and_age_errors(call: object, expected: tuple[str, str, int | None]) -> None:
    assert callable(call)
    with pytest.raises(AeSystemicError) as caught:
        call()
    error = caught.value
    assert (error.argument, error.problem, getattr(error, "index", None)) == expected  # type: ignore[attr-defined]


def test_cohort_weight_errors_word_for_word() -> None:
    import pandas as pd

    table = pd.DataFrame({"age": [30] * 5, "weight": [0.0, 0.1, 800.0, None, 70.0]})
    result = ae_systemic.assess_table("ciclosporin", table, units={"age": "year", "weight": "kg"})
    assert result["error"].tolist()[:4] == [
        "weight: 0.0 kg must be positive",
        "weight: 0.1 kg is below 0.2 kg, lighter than any person on record; check the unit "
        "(milligrams or grams read as kilograms?)",
        "weight: 800.0 kg is above 700 kg, heavier than any person on record; check the unit "
        "(grams or pounds read as kilograms?)",
        "weight: missing; give the body weight of every row",
    ]
    assert pd.isna(result["error"].tolist()[4])


_ORDER = ae_systemic.Prescription("150 mg", frequency=2)
_ADULT = ae_systemic.Patient(_Q(30, "year"), _Q(70, "kg"))


@pytest.mark.parametrize(
    ("call", "argument", "problem"),
    [
        (
            lambda: ae_systemic.Prescription("5 mg/kg", 2),
            "amount",
            "'5 mg/kg' is an amount per something (per body weight, per time), not an amount "
            "per administration; a prescription gives the amount itself, e.g. '350 mg', and "
            "how often (frequency, period)",
        ),
        (
            lambda: ae_systemic.Prescription(_Q(5, "mg/kg"), 2),
            "amount",
            "milligram / kilogram is an amount per body weight, not an amount per "
            "administration; a prescription gives the amount itself, e.g. '350 mg' (the "
            "library works out the mg/kg/day)",
        ),
        (
            lambda: ae_systemic.Prescription("150 ml", 2),
            "amount",
            "milliliter is not a unit of mass; give it in mg, g or µg, e.g. '150 mg'",
        ),
        (
            lambda: ae_systemic.round_to_strengths(
                ae_systemic.daily_dose("ciclosporin", "70 kg"), ["25 mg", "150 ml"]
            ),
            "strengths",
            "milliliter is not a unit of mass; give a mass such as '25 mg'",
        ),
        (
            lambda: ae_systemic.strength_units(_Q(150, "mg/day"), ["25 mg"]),
            "amount",
            "milligram / day is not a unit of mass; give a mass such as '150 mg'",
        ),
        (
            lambda: ae_systemic.Prescription(150, 2),  # type: ignore[arg-type]
            "amount",
            "150 has no unit; pass a pint quantity or a string such as '150 mg'",
        ),
        (
            lambda: ae_systemic.Prescription(_Q(np.array([150.0]), "mg"), 2),  # type: ignore[arg-type]
            "amount",
            "expected one real number with a unit, such as '150 mg', got a magnitude of type "
            "ndarray",
        ),
        (
            lambda: ae_systemic.Prescription("-150 mg", 2),
            "amount",
            "-150 milligram must be positive",
        ),
        (
            lambda: ae_systemic.Prescription(_Q(float("nan"), "mg"), 2),
            "amount",
            "nan milligram is not a number (NaN)",
        ),
        (
            lambda: ae_systemic.Prescription("150 g", 2),
            "amount",
            "150 gram is more than 100 g per administration, more than any dose of a systemic "
            "drug; check the unit (grams typed for milligrams?)",
        ),
        (
            lambda: ae_systemic.Prescription("150 mg", 2, period=1),  # type: ignore[arg-type]
            "period",
            "1 has no unit; pass a pint quantity or a string such as '1 day' or '12 h'",
        ),
        (
            lambda: ae_systemic.Prescription("150 mg", 2, period="1 kg"),
            "period",
            "kilogram is not a unit of time; give it in days or hours, e.g. '1 day'",
        ),
        (
            lambda: ae_systemic.Prescription("150 mg", 2, period=_Q(np.array([1.0]), "day")),  # type: ignore[arg-type]
            "period",
            "expected one real number with a unit, such as '1 day' or '12 h', got a magnitude "
            "of type ndarray",
        ),
        (
            lambda: ae_systemic.Prescription("150 mg", 2, period="-1 day"),
            "period",
            "-1 day must be positive",
        ),
        (
            lambda: ae_systemic.Prescription("150 mg", "2"),  # type: ignore[arg-type]
            "frequency",
            "expected a whole number of administrations, got '2'",
        ),
        (
            lambda: ae_systemic.Prescription("150 mg", 0),
            "frequency",
            "must be a whole number from 1 to 1000000, got 0",
        ),
        (
            lambda: ae_systemic.check_dose("ciclosporin", "70 kg", "150 mg"),  # type: ignore[arg-type]
            "prescription",
            "expected a Prescription, got str",
        ),
        (
            lambda: ae_systemic.check_dose(
                "ciclosporin", _ADULT, _ORDER, population=ae_systemic.Population.ADULT
            ),
            "population",
            "the patient's age chooses the population; give population= only with a body "
            "weight alone",
        ),
        (
            lambda: ae_systemic.check_dose("ciclosporin", "70 kg", _ORDER, adult_from="16 years"),
            "adult_from",
            "adult_from= goes with a Patient, whose age it is compared with",
        ),
        (
            lambda: ae_systemic.check_dose("ciclosporin", "70", _ORDER),
            "patient",
            "70 has no unit; give it in kg, g, lb or stone",
        ),
        (
            lambda: ae_systemic.check_dose("ciclosporin", "70 kg", _ORDER, tolerance="0.1"),  # type: ignore[arg-type]
            "tolerance",
            "expected a relative tolerance such as 0.1, got '0.1'",
        ),
        (
            lambda: ae_systemic.check_dose("ciclosporin", "70 kg", _ORDER, tolerance=1.0),
            "tolerance",
            "must lie from 0 (none) to below 1 (100 %), got 1.0",
        ),
    ],
    ids=[
        "amount-per-kg-text",
        "amount-per-kg-quantity",
        "amount-volume",
        "strength-volume",
        "strength-units-per-day",
        "amount-no-unit",
        "amount-array",
        "amount-negative",
        "amount-nan",
        "amount-too-much",
        "period-no-unit",
        "period-mass",
        "period-array",
        "period-negative",
        "frequency-text",
        "frequency-zero",
        "check-not-a-prescription",
        "check-population-with-patient",
        "check-adult-from-with-weight",
        "check-weight-no-unit",
        "check-tolerance-text",
        "check-tolerance-one",
    ],
)
def test_prescription_errors(call: object, argument: str, problem: str) -> None:
    assert problem_of(call) == (argument, problem)


@pytest.mark.parametrize(
    ("patient", "order", "tolerance", "message"),
    [
        (
            # 35.555 kg: every number's digits are pinned (1, 1, 1 and 2 decimals)
            ae_systemic.Patient(_Q(12, "year"), _Q(35.555, "kg")),
            ae_systemic.Prescription("61.72 mg", 2),
            0.0,
            "123.4 mg/day (3.5 mg/kg/day) is within the range of 88.9–177.7 mg/day "
            "(2.5–5 mg/kg/day) for a 35.55 kg child.",
        ),
        (
            "70 kg",
            ae_systemic.Prescription("177.625 mg", 2),  # 1.5 % above: whole percent
            0.0,
            "355.2 mg/day (5.1 mg/kg/day) is above the range of 175–350 mg/day "
            "(2.5–5 mg/kg/day) for a 70 kg adult, by 2 %.",
        ),
        (
            "70 kg",
            ae_systemic.Prescription("175.875 mg", 2),  # 0.5 % above: not "0 %", not "5 mg/kg/day"
            0.0,
            "351.8 mg/day (5.03 mg/kg/day) is above the range of 175–350 mg/day "
            "(2.5–5 mg/kg/day) for a 70 kg adult, by 0.5 %.",
        ),
        (
            "70 kg",
            ae_systemic.Prescription("350 mg", 2),  # 100 %: not "1e+02 %"
            0.0,
            "700 mg/day (10 mg/kg/day) is above the range of 175–350 mg/day "
            "(2.5–5 mg/kg/day) for a 70 kg adult, by 100 %.",
        ),
        (
            "70 kg",
            ae_systemic.Prescription("200 mg", 2),
            0.1,
            "400 mg/day (5.7 mg/kg/day) is above the range of 175–350 mg/day "
            "(2.5–5 mg/kg/day) for a 70 kg adult, by 14 % (with a tolerance of 10 % asked for).",
        ),
    ],
    ids=[
        "child-digits",
        "one-and-a-half-percent",
        "half-a-percent",
        "hundred-percent",
        "tolerance",
    ],
)
def test_dose_check_messages_word_for_word(
    patient: object, order: ae_systemic.Prescription, tolerance: float, message: str
) -> None:
    check = ae_systemic.check_dose("ciclosporin", patient, order, tolerance=tolerance)  # type: ignore[arg-type]
    assert check.message == message


def test_a_dose_range_of_something_that_is_not_a_regimen_names_what_it_got() -> None:
    registry = ae_systemic.application_registry()
    with pytest.raises(ae_systemic.ArgumentTypeError) as caught:
        ae_systemic.DoseRange("standard dosage adults", 70.0, registry)  # type: ignore[arg-type]
    assert (caught.value.argument, caught.value.problem) == (
        "regimen",
        "expected a DoseRegimen, got str",
    )


_WEIGHT_TEXT_64 = "70" + " " * 60 + "kg"  # the longest quantity text read: 64 characters


@pytest.mark.parametrize(
    ("call", "argument", "problem"),
    [
        (
            lambda: ae_systemic.daily_dose("ciclosporin", _WEIGHT_TEXT_64 + " "),
            "weight",
            "'70                                  ... is too long for a quantity (at most 64 "
            "characters); write e.g. '70 kg' or '154 lb'",
        ),
        (
            lambda: ae_systemic.daily_dose("ciclosporin", "seventy kg"),
            "weight",
            "'seventy kg' does not start with a number; write e.g. '70 kg' or '154 lb'",
        ),
        (
            lambda: ae_systemic.daily_dose("ciclosporin", "70,5 kg"),
            "weight",
            "'70,5 kg' is not one number and one unit; write e.g. '70 kg' or '154 lb' (with a "
            "decimal point, not a comma)",
        ),
        (
            lambda: ae_systemic.daily_dose("ciclosporin", "70 flibbertigibbets"),
            "weight",
            "'70 flibbertigibbets' cannot be read as a quantity; write e.g. '70 kg' or '154 lb'",
        ),
        (
            lambda: ae_systemic.is_licensed("ciclosporin", 16),  # type: ignore[arg-type]
            "age",
            "16 has no unit; pass a pint quantity or a string such as '16 years' or '18 months'",
        ),
        (
            lambda: ae_systemic.check_dose("ciclosporin", 70, _ORDER),  # type: ignore[arg-type]
            "patient",
            "70 has no unit; pass a pint quantity or a string such as '70 kg' or '154 lb'",
        ),
        (
            lambda: ae_systemic.check_dose("ciclosporin", _Q(-70, "kg"), _ORDER),
            "patient",
            "-70 kilogram must be positive",
        ),
        (
            lambda: ae_systemic.check_dose(
                "ciclosporin",
                _Q(np.array([70.0]), "kg"),  # type: ignore[arg-type]
                _ORDER,
            ),
            "patient",
            "expected the weight of one person, got an array",
        ),
        (
            lambda: ae_systemic.Prescription(_Q(10**5000, "mg"), 2),
            "amount",
            "<int> milligram is infinite",  # too many digits for str(): named by its type
        ),
        (
            lambda: ae_systemic.Prescription(_Q(-123456789012345678901234, "mg"), 2),
            "amount",
            "-1234567890123456789... milligram must be positive",  # 25 characters: cut
        ),
        (
            lambda: ae_systemic.Prescription(_Q(-12345678901234567890123, "mg"), 2),
            "amount",
            "-12345678901234567890123 milligram must be positive",  # 24 characters: whole
        ),
    ],
    ids=[
        "text-too-long",
        "text-no-number",
        "text-decimal-comma",
        "text-unreadable",
        "age-no-unit",
        "patient-no-unit",
        "patient-negative",
        "patient-array",
        "number-too-long-for-str",
        "number-of-25-characters",
        "number-of-24-characters",
    ],
)
def test_quantity_errors(call: object, argument: str, problem: str) -> None:
    assert problem_of(call) == (argument, problem)


def test_a_quantity_text_of_64_characters_is_read() -> None:
    assert len(_WEIGHT_TEXT_64) == 64
    dose = ae_systemic.daily_dose("ciclosporin", _WEIGHT_TEXT_64)
    assert dose.weight.m_as("kg") == 70.0


def test_integers_too_large_for_a_float_keep_their_sign() -> None:
    from ae_systemic._units import as_float

    assert as_float(10**400) == math.inf
    assert as_float(-(10**400)) == -math.inf
    assert as_float(7) == 7.0


def test_units_met_for_the_first_time_are_converted_on_every_use() -> None:
    """The conversion factors cached per unit give the same answer the second time.

    A registry of its own: its cache of factors starts empty, whatever ran before.
    """
    import pint

    fresh: pint.UnitRegistry[float] = pint.UnitRegistry()
    amount, period = fresh.Quantity(15, "cg"), fresh.Quantity(2, "week")
    order = ae_systemic.Prescription(amount, 2, period=period)  # 150 mg over 14 days
    assert order.amount_mg == pytest.approx(150.0, rel=1e-12)
    assert order.period_days == pytest.approx(14.0, rel=1e-12)
    again = ae_systemic.Prescription(amount, 2, period=period)
    assert again.daily_mg == pytest.approx(300.0 / 14, rel=1e-12)
