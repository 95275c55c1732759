"""Checking a prescription against the guideline: ``Prescription``, ``check_dose``, ``assess``.

Worked examples of a 70 kg adult (standard range 175–350 mg/day, in 2 single doses), the
acute range (280–350 mg/day) and a 30 kg child (75–150 mg/day); the boundary rule; the
independence from units; agreement with ``daily_dose``; every bad input.
"""

from __future__ import annotations

import json
import math
import pickle
import sys
from typing import Any

import numpy as np
import pint
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ae_systemic
from ae_systemic import (
    ArgumentTypeError,
    DoseCheck,
    DoseInputError,
    DoseStatus,
    FindingKind,
    InputError,
    Patient,
    Phase,
    Population,
    Prescription,
    _cli,
    check_dose,
    daily_dose,
)
from ae_systemic._prescription import frequency_text, shown_figures, shown_ranges
from ae_systemic._report import assessment_report, dose_lines
from plain_ids import plain_id
from synthetic_drugs import regimen, synthetic

Q = ae_systemic.application_registry().Quantity
CSA = ae_systemic.drug("ciclosporin")


def adult_check(amount: str, **order: Any) -> DoseCheck:
    phase = order.pop("phase", None)
    return check_dose(CSA, "70 kg", Prescription(amount, **order), phase=phase)


# --- the prescription ----------------------------------------------------------------------


def test_twice_daily_and_every_12_hours_are_the_same_300_mg_a_day() -> None:
    twice = Prescription("150 mg", frequency=2)
    every_12_h = Prescription("150 mg", period="12 h")
    for order in (twice, every_12_h):
        assert order.daily.m_as("mg/day") == pytest.approx(300.0, rel=1e-12)
        assert order.administrations_per_day == pytest.approx(2.0, rel=1e-12)
        assert str(order.daily.units) == "milligram / day"


def test_a_daily_amount_is_a_fresh_quantity_each_time() -> None:
    order = Prescription("150 mg", frequency=2)
    order.daily.ito("g/day")
    order.amount.ito("g")
    assert order.daily.m_as("mg/day") == pytest.approx(300.0)
    assert order.amount.units == Q(1, "mg").units


@pytest.mark.parametrize(
    "amount",
    ["150 mg", "0.15 g", "150000 µg", Q(150, "mg"), Q(0.15, "g")],
    ids=["150 mg", "0.15 g", "150000 micro-sign-g", "Q(150 mg)", "Q(0.15 g)"],
)
def test_the_amount_may_be_written_in_any_unit_of_mass(amount: Any) -> None:
    assert Prescription(amount).amount_mg == pytest.approx(150.0, rel=1e-12)


@pytest.mark.parametrize(
    ("amount", "fragment"),
    [
        ("5 mg/kg", "amount per something"),
        (Q(5, "mg/kg"), "amount per body weight"),
        ("150 mg/day", "amount per something"),
        ("150 ml", "not a unit of mass"),
        (Q(150, "mg/day"), "amount per something"),
        ("1/2 mg", "is a fraction, not one number and one unit"),
        ("150", "has no unit"),
        (150, "has no unit"),
        ("0 mg", "must be positive"),
        ("-150 mg", "must be positive"),
        (Q(math.nan, "mg"), "NaN"),
        (Q(math.inf, "mg"), "infinite"),
        ("101 g", "more than 100 g per administration"),
        ("150 kg", "more than 100 g per administration"),
    ],
    ids=repr,
)
def test_an_amount_that_cannot_be_prescribed_is_refused(amount: Any, fragment: str) -> None:
    with pytest.raises(DoseInputError, match=fragment) as caught:
        Prescription(amount)
    assert caught.value.argument == "amount"


_PER_SOMETHING = (
    "is an amount per something (per body weight, per time), not an amount per "
    "administration; a prescription gives the amount itself, e.g. '350 mg', and how often "
    "(frequency, period)"
)


@pytest.mark.parametrize(
    ("amount", "problem"),
    [
        ("150 mg/day", f"'150 mg/day' {_PER_SOMETHING}"),
        (Q(150, "mg/day"), f"milligram / day {_PER_SOMETHING}"),
        (Q(5, "mg/kg/day"), f"milligram / day / kilogram {_PER_SOMETHING}"),
        ("5 mg / kg", f"'5 mg / kg' {_PER_SOMETHING}"),
    ],
    ids=repr,
)
def test_an_amount_per_time_says_so_whether_written_as_text_or_as_a_quantity(
    amount: Any, problem: str
) -> None:
    """docs/dosing.md: "150 mg/day" is "not an amount per administration", in either form."""
    with pytest.raises(DoseInputError) as caught:
        Prescription(amount)
    assert (caught.value.argument, caught.value.problem) == ("amount", problem)


@pytest.mark.parametrize(
    ("amount", "example"),
    [
        ("1/2 mg", "'0.5 mg'"),
        ("3 / 4 g", "'0.75 g'"),
        (".5/2mg", "'0.25 mg'"),
        ("1/0 mg", "'150 mg'"),
        ("1/2", "'0.5 mg'"),  # no unit: the example is in mg
        # the fewest decimals that read as the value, from none: 100000000.06 is 100000000
        # up to 1e-9 of it (a 100 kg amount: the fraction is refused before the bound)
        ("200000000.12/2 mg", "'100000000 mg'"),
    ],
)
def test_a_fraction_is_not_one_number_and_one_unit(amount: str, example: str) -> None:
    """'1/2 mg' is half a milligram written as a fraction, not an amount per something."""
    with pytest.raises(DoseInputError) as caught:
        Prescription(amount)
    assert (caught.value.argument, caught.value.problem) == (
        "amount",
        f"'{amount}' is a fraction, not one number and one unit; write the amount as one "
        f"number, e.g. {example}",
    )


@pytest.mark.parametrize(
    ("units", "problem"),
    [
        pytest.param(
            {"milligram": 1, "day": 0},
            "day ** 0 * milligram is not a unit of mass this library reads (the gram with a "
            "prefix, such as kg, g, mg or µg; lb, oz or stone)",
            id="mg-day-to-0",
        ),
        pytest.param(
            {"milligram": 1, "day": -1, "kilogram": 0},
            f"kilogram ** 0 * milligram / day {_PER_SOMETHING}",
            id="mg-per-day-kg-to-0",
        ),
    ],
)
def test_a_unit_to_the_power_0_neither_makes_nor_hides_an_amount_per_something(
    units: dict[str, int], problem: str
) -> None:
    """A hand-built unit may keep a unit to the power 0: only the other powers say "per"."""
    amount = Q(150, pint.util.UnitsContainer(units))
    with pytest.raises(DoseInputError) as caught:
        Prescription(amount)
    assert (caught.value.argument, caught.value.problem) == ("amount", problem)


def test_a_masked_amount_is_refused_not_prescribed_from_its_hidden_value() -> None:
    masked = np.ma.masked_array(150.0, mask=True)
    with pytest.raises(DoseInputError) as caught:
        Prescription(Q(masked, "mg"))  # type: ignore[arg-type]
    assert (caught.value.argument, caught.value.problem) == (
        "amount",
        "expected one real number with a unit, such as '150 mg', got a magnitude of type "
        "MaskedArray",
    )
    unmasked = np.ma.masked_array(150.0, mask=False)
    assert Prescription(Q(unmasked, "mg")).amount_mg == 150.0  # type: ignore[arg-type]


def test_a_numpy_amount_is_read_where_numpy_ma_was_never_imported(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """numpy does not import numpy.ma: a process that never did has no masked value to find."""
    monkeypatch.delitem(sys.modules, "numpy.ma", raising=False)
    assert Prescription(Q(np.float64(150.0), "mg")).amount_mg == 150.0
    assert Prescription(Q(np.array(150.0), "mg")).amount_mg == 150.0  # type: ignore[arg-type]


@pytest.mark.parametrize("amount", [None, b"150 mg", [150], {"mg": 150}], ids=repr)
def test_an_amount_of_the_wrong_type_is_an_argument_type_error(amount: Any) -> None:
    with pytest.raises(ArgumentTypeError, match=r"^amount"):
        Prescription(amount)


@pytest.mark.parametrize(
    "frequency", [True, False, 2.0, "2", None, np.bool_(True), np.float64(2.0)], ids=repr
)
def test_a_frequency_that_is_not_a_whole_number_is_refused(frequency: Any) -> None:
    with pytest.raises(ArgumentTypeError) as caught:
        Prescription("150 mg", frequency=frequency)
    assert caught.value.argument == "frequency"
    assert caught.value.problem.startswith("expected a whole number of administrations, got ")


@pytest.mark.parametrize(
    "frequency", [np.int64(2), np.int32(2), np.uint8(2), np.array([1, 2])[1]], ids=repr
)
def test_a_frequency_read_from_a_numpy_array_or_a_pandas_row_counts_as_a_python_int(
    frequency: Any,
) -> None:
    """A pandas row gives numpy integers: 2 administrations, kept as the int 2."""
    order = Prescription("150 mg", frequency=frequency)
    assert type(order.frequency) is int
    assert order.frequency == 2
    assert order == Prescription("150 mg", frequency=2)
    assert order.daily_mg == 300.0
    assert json.dumps(ae_systemic.unstructure(order)) == json.dumps(
        ae_systemic.unstructure(Prescription("150 mg", frequency=2))
    )
    assert adult_check("150 mg", frequency=frequency).frequency_matches is True


@pytest.mark.parametrize("frequency", [0, -1, 10**7, np.int64(0), np.int64(10**7)], ids=repr)
def test_a_frequency_below_one_or_absurd_is_refused(frequency: int) -> None:
    with pytest.raises(InputError) as caught:
        Prescription("150 mg", frequency=frequency)
    assert not isinstance(caught.value, ArgumentTypeError)
    assert caught.value.argument == "frequency"
    assert caught.value.problem.startswith("must be a whole number from 1 to 1000000, got ")


@pytest.mark.parametrize(
    ("period", "error", "fragment"),
    [
        ("12 mg", DoseInputError, "not a unit of time"),
        ("0 h", DoseInputError, "must be positive"),
        ("-1 day", DoseInputError, "must be positive"),
        (Q(math.inf, "day"), DoseInputError, "infinite"),
        ("12", DoseInputError, "has no unit"),
        (b"1 day", ArgumentTypeError, "expected a pint quantity"),
    ],
    ids=repr,
)
def test_a_period_that_is_not_a_positive_time_is_refused(
    period: Any, error: type[Exception], fragment: str
) -> None:
    with pytest.raises(error, match=fragment):
        Prescription("150 mg", period=period)


def test_a_prescription_is_frozen_equal_by_value_and_pickles() -> None:
    order = Prescription("150 mg", frequency=2)
    assert order == Prescription("150 mg", frequency=2)
    assert pickle.loads(pickle.dumps(order)) == order
    assert repr(order).startswith("Prescription(amount=<Quantity(150, 'milligram')>")


# --- the worked examples --------------------------------------------------------------------


def test_150_mg_twice_daily_for_70_kg_is_within() -> None:
    check = adult_check("150 mg", frequency=2)
    assert check.status is DoseStatus.WITHIN
    assert check.deviation == 0.0
    assert check.frequency_matches is True
    assert (check.range.low.m_as("mg/day"), check.range.high.m_as("mg/day")) == (175.0, 350.0)


def test_200_mg_twice_daily_is_above_by_one_seventh() -> None:
    check = adult_check("200 mg", frequency=2)
    assert check.status is DoseStatus.ABOVE
    assert check.deviation == pytest.approx(0.142857142857, rel=1e-9)
    assert check.message == (
        "400 mg/day (5.7 mg/kg/day) is above the range of 175–350 mg/day (2.5–5 mg/kg/day) "
        "for a 70 kg adult, by 14 %."
    )


@pytest.mark.parametrize(
    ("weight", "amount", "frequency", "shown"),
    [
        ("69.996 kg", "175 mg", 2, "69.996"),  # 70 kg would make 350 mg/day within
        ("70.004 kg", "87.5 mg", 2, "70.004"),  # 70 kg would make 175 mg/day within
        ("154 lb", "175 mg", 2, "69.85"),  # no weight that decides nearby: two decimals
    ],
)
def test_the_weight_is_never_printed_across_a_weight_that_decides_the_status(
    weight: str, amount: str, frequency: int, shown: str
) -> None:
    check = check_dose(CSA, weight, Prescription(amount, frequency=frequency))
    assert check.status is not DoseStatus.WITHIN
    assert f" for a {shown} kg adult, by " in check.message
    kg = float(shown)
    # Read back, the printed weight puts the amount on the same side of the range.
    daily = check.prescription.daily_mg
    assert (daily > 5 * kg) is (check.status is DoseStatus.ABOVE)
    assert (daily < 2.5 * kg) is (check.status is DoseStatus.BELOW)


def test_the_single_dose_sentence_prints_the_weight_that_decides() -> None:
    check = check_dose(CSA, "69.996 kg", Prescription("350 mg", frequency=1))
    assert check.single_dose_status is DoseStatus.ABOVE
    assert " that the range gives for 69.996 kg, by " in frequency_text(check)


def test_50_mg_twice_daily_is_below() -> None:
    check = adult_check("50 mg", frequency=2)
    assert check.status is DoseStatus.BELOW
    assert check.deviation == pytest.approx(-0.428571428571, rel=1e-9)


def test_87_5_mg_twice_daily_is_on_the_lower_bound_and_within() -> None:
    check = adult_check("87.5 mg", frequency=2)
    assert check.status is DoseStatus.WITHIN
    assert check.deviation == 0.0


def test_300_mg_once_daily_is_within_but_not_the_regimens_two_doses() -> None:
    check = adult_check("300 mg")
    assert check.status is DoseStatus.WITHIN
    assert check.frequency_matches is False
    result = ae_systemic.assess(
        CSA, Patient("40 years", "70 kg"), prescription=Prescription("300 mg")
    )
    (finding,) = result.of_kind(FindingKind.DOSE_FREQUENCY)
    assert "1 administration a day" in finding.message
    assert "2 single doses" in finding.message
    assert result.findings[0] is finding  # the order being written comes first


def test_150_mg_every_12_hours_is_within_and_matches_the_two_doses() -> None:
    check = adult_check("150 mg", period="12 h")
    assert check.status is DoseStatus.WITHIN
    assert check.frequency_matches is True


def test_acute_125_mg_twice_daily_is_below_280_to_350() -> None:
    check = adult_check("125 mg", frequency=2, phase=Phase.ACUTE)
    assert check.status is DoseStatus.BELOW
    assert (check.range.low.m_as("mg/day"), check.range.high.m_as("mg/day")) == (280.0, 350.0)


def test_a_30_kg_child_on_100_mg_twice_daily_is_above_75_to_150() -> None:
    order = Prescription("100 mg", frequency=2)
    check = check_dose(CSA, "30 kg", order, population=Population.CHILD)
    assert check.status is DoseStatus.ABOVE
    assert (check.range.low.m_as("mg/day"), check.range.high.m_as("mg/day")) == (75.0, 150.0)
    by_age = check_dose(CSA, Patient("10 years", "30 kg"), order)
    assert by_age.status is DoseStatus.ABOVE
    assert by_age.range.regimen.population is Population.CHILD


def test_per_kg_is_in_milligrams_per_kilogram_per_day_not_cancelled() -> None:
    check = adult_check("200 mg", frequency=2)
    assert check.per_kg.units == Q(1, "mg/kg/day").units
    assert check.per_kg.magnitude == pytest.approx(400 / 70)
    assert check.daily.m_as("mg/day") == pytest.approx(400.0)


def test_the_check_carries_the_regimens_references_and_the_range_it_used() -> None:
    check = adult_check("150 mg", frequency=2)
    assert check.references == CSA.regimens[0].references
    assert check.range == daily_dose(CSA, "70 kg")


# --- the boundary rule and the tolerance -----------------------------------------------------


def test_floating_point_noise_at_a_bound_is_within() -> None:
    just_above = 175.0 * (1 + 5e-10) / 2
    assert adult_check(f"{just_above!r} mg", frequency=2).status is DoseStatus.WITHIN
    clearly_above = 350.0 * (1 + 1e-6) / 2
    assert adult_check(f"{clearly_above!r} mg", frequency=2).status is DoseStatus.ABOVE


def test_no_tolerance_unless_asked_for_and_then_echoed() -> None:
    order = Prescription("180 mg", frequency=2)  # 360 mg/day, 2.9 % above 350
    assert check_dose(CSA, "70 kg", order).status is DoseStatus.ABOVE
    widened = check_dose(CSA, "70 kg", order, tolerance=0.05)
    assert widened.status is DoseStatus.WITHIN
    assert widened.tolerance == 0.05
    assert "with a tolerance of 5 % asked for" in widened.message


@pytest.mark.parametrize(
    ("tolerance", "shown"), [(0.125, "12.5 %"), (0.005, "0.5 %"), (0.1, "10 %"), (0.05, "5 %")]
)
def test_the_tolerance_is_echoed_exactly_as_asked_for_in_the_message_and_the_display(
    tolerance: float, shown: str
) -> None:
    check = check_dose(CSA, "70 kg", Prescription("175.5 mg", frequency=2), tolerance=tolerance)
    assert check.message.endswith(f" (with a tolerance of {shown} asked for).")
    assert f"| Tolerance asked for | {shown} |" in check._repr_markdown_()


@pytest.mark.parametrize(
    ("tolerance", "error"),
    [(-0.1, InputError), (1.0, InputError), ("0.1", ArgumentTypeError), (True, ArgumentTypeError)],
)
def test_a_bad_tolerance_is_refused(tolerance: Any, error: type[Exception]) -> None:
    with pytest.raises(error, match=r"^tolerance"):
        check_dose(CSA, "70 kg", Prescription("150 mg"), tolerance=tolerance)


def test_population_goes_with_a_weight_and_adult_from_with_a_patient() -> None:
    order = Prescription("150 mg")
    with pytest.raises(InputError, match=r"^population"):
        check_dose(CSA, Patient("40 years", "70 kg"), order, population=Population.ADULT)
    with pytest.raises(InputError, match=r"^adult_from"):
        check_dose(CSA, "70 kg", order, adult_from="16 years")
    with pytest.raises(ArgumentTypeError, match=r"^prescription"):
        check_dose(CSA, "70 kg", "150 mg")  # type: ignore[arg-type]


# --- properties --------------------------------------------------------------------------------

_MASS = [("mg", 1.0), ("g", 1e-3), ("µg", 1e3)]
_WEIGHT = [("kg", 1.0), ("lb", 1 / 0.45359237)]


@settings(max_examples=200, deadline=None)
@given(
    per_dose_mg=st.floats(min_value=1.0, max_value=1000.0),
    kg=st.floats(min_value=3.0, max_value=200.0),
    mass=st.sampled_from(_MASS),
    weight=st.sampled_from(_WEIGHT),
    twice_daily=st.booleans(),
)
def test_the_answer_does_not_depend_on_the_units_the_order_is_written_in(
    per_dose_mg: float,
    kg: float,
    mass: tuple[str, float],
    weight: tuple[str, float],
    twice_daily: bool,
) -> None:
    reference = check_dose(CSA, Q(kg, "kg"), Prescription(Q(per_dose_mg, "mg"), frequency=2))
    unit, factor = mass
    weight_unit, weight_factor = weight
    order = (
        Prescription(Q(per_dose_mg * factor, unit), frequency=2)
        if twice_daily
        else Prescription(Q(per_dose_mg * factor, unit), period=Q(12, "hour"))
    )
    other = check_dose(CSA, Q(kg * weight_factor, weight_unit), order)
    if abs(reference.deviation) > 1e-6 or reference.status is DoseStatus.WITHIN:
        assert other.status is reference.status
    assert other.deviation == pytest.approx(reference.deviation, rel=1e-6, abs=1e-9)
    assert other.frequency_matches is reference.frequency_matches


@settings(max_examples=300, deadline=None)
@given(
    daily_mg=st.floats(min_value=1.0, max_value=5000.0),
    kg=st.floats(min_value=3.0, max_value=200.0),
    phase=st.sampled_from([None, Phase.ACUTE, Phase.LONG_TERM]),
)
def test_within_exactly_when_daily_dose_says_low_le_daily_le_high(
    daily_mg: float, kg: float, phase: Phase | None
) -> None:
    check = check_dose(CSA, Q(kg, "kg"), Prescription(Q(daily_mg, "mg")), phase=phase)
    dose = daily_dose(CSA, Q(kg, "kg"), phase=phase)
    low, high = dose.low.m_as("mg/day"), dose.high.m_as("mg/day")
    if low * (1 + 1e-8) < daily_mg < high * (1 - 1e-8):
        assert check.status is DoseStatus.WITHIN
    if daily_mg < low * (1 - 1e-8):
        assert check.status is DoseStatus.BELOW
        assert check.deviation == pytest.approx((daily_mg - low) / low)
    if daily_mg > high * (1 + 1e-8):
        assert check.status is DoseStatus.ABOVE
        assert check.deviation == pytest.approx((daily_mg - high) / high)


@settings(max_examples=100, deadline=None)
@given(
    amounts=st.lists(st.floats(min_value=1.0, max_value=2000.0), min_size=2, max_size=8),
    kg=st.floats(min_value=3.0, max_value=200.0),
)
def test_the_deviation_grows_with_the_amount(amounts: list[float], kg: float) -> None:
    deviations = [
        check_dose(CSA, Q(kg, "kg"), Prescription(Q(a, "mg"), frequency=2)).deviation
        for a in sorted(amounts)
    ]
    assert deviations == sorted(deviations)


# --- in assess, the faces, the command line ---------------------------------------------------


def test_assess_reports_a_dose_above_the_range_first_and_holds_the_check() -> None:
    order = Prescription("200 mg", frequency=2)
    result = ae_systemic.assess(CSA, Patient("40 years", "70 kg"), prescription=order)
    assert result.dose_check == check_dose(CSA, Patient("40 years", "70 kg"), order)
    assert result.findings[0].kind is FindingKind.DOSE_ABOVE_RANGE
    assert result.findings[0].message == result.dose_check.message
    assert ae_systemic.assess(CSA, Patient("40 years", "70 kg")).dose_check is None


def test_assess_without_a_prescription_reports_no_dose_finding() -> None:
    kinds = {f.kind for f in ae_systemic.assess(CSA, Patient("40 years", "70 kg")).findings}
    dose_kinds = {
        FindingKind.DOSE_ABOVE_RANGE,
        FindingKind.DOSE_BELOW_RANGE,
        FindingKind.DOSE_FREQUENCY,
    }
    assert not kinds & dose_kinds


def test_a_check_displays_prints_and_travels_as_json() -> None:
    check = adult_check("200 mg", frequency=2)
    assert str(check) == check.message
    assert "is above the range" in check._repr_markdown_()
    data = ae_systemic.unstructure(check)
    assert json.loads(json.dumps(data, allow_nan=False)) == data
    assert isinstance(data, dict)
    assert data["status"] == "above"
    assert data["per_kg"] == {"value": pytest.approx(400 / 70), "unit": "mg/kg/day"}
    assert pickle.loads(pickle.dumps(check)) == check


def _cli_run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = _cli.run(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_the_check_command_prints_the_sentence_and_exits_1_above(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = _cli_run(
        capsys,
        "check",
        "ciclosporin",
        "--weight",
        "70kg",
        "--amount",
        "200mg",
        "--times-per-day",
        "2",
    )
    assert (code, err) == (1, "")
    assert "400 mg/day (5.7 mg/kg/day) is above the range of 175–350 mg/day" in " ".join(
        out.split()
    )


def test_the_check_command_exits_0_within_and_2_on_bad_input(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = _cli_run(
        capsys, "check", "ciclosporin", "--weight", "70kg", "--amount", "150mg", "--every", "12h"
    )
    assert code == 0
    assert "is within the range" in out
    code, out, err = _cli_run(
        capsys, "check", "ciclosporin", "--weight", "70kg", "--amount", "5mg/kg"
    )
    assert (code, out) == (2, "")
    assert err.startswith("ae-systemic: error: --amount: ")
    code, _, err = _cli_run(
        capsys,
        "check",
        "ciclosporin",
        "--weight",
        "70kg",
        "--amount",
        "150mg",
        "--times-per-day",
        "2",
        "--every",
        "12h",
    )
    assert code == 2
    assert "not allowed with argument" in err


def test_the_check_command_json_is_the_check(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _cli_run(
        capsys,
        "check",
        "ciclosporin",
        "--weight",
        "30kg",
        "--age",
        "10y",
        "--amount",
        "100mg",
        "--times-per-day",
        "2",
        "--json",
    )
    data = json.loads(out)
    assert code == 1
    assert data["status"] == "above"
    expected = check_dose(CSA, Patient(Q(10, "year"), "30 kg"), Prescription("100 mg", frequency=2))
    assert data["message"] == expected.message
    assert data["range"] == ae_systemic.unstructure(expected.range)


def test_quantities_from_a_second_registry_are_checked_in_it() -> None:
    other: pint.UnitRegistry[float] = pint.UnitRegistry()
    check = check_dose(
        CSA, other.Quantity(70, "kg"), Prescription(other.Quantity(150, "mg"), frequency=2)
    )
    assert check.status is DoseStatus.WITHIN
    assert check.per_kg._REGISTRY is other


@pytest.mark.parametrize(
    ("amount", "frequency", "period", "text"),
    [
        ("200 mg", 2, "1 day", "200 mg twice per day (400 mg/day)"),
        ("200.0 mg", 1, "1 day", "200 mg once per day (200 mg/day)"),
        ("150 mg", 1, "12 hours", "150 mg once every 12 hours (300 mg/day)"),
        ("12.345 mg", 3, "1.5 days", "12.345 mg 3 times every 1.5 days (24.69 mg/day)"),
        ("0.25 g", 2, "1 week", "0.25 g twice per week (71.428571 mg/day)"),
        ("175.0001 mg", 2, "1 day", "175.0001 mg twice per day (350.0002 mg/day)"),
    ],
)
def test_a_prescription_reads_as_written_with_its_amount_a_day(
    amount: str, frequency: int, period: str, text: str
) -> None:
    # the order as given, nothing rounded; the unit's name ("day", not pint's "d")
    assert str(Prescription(amount, frequency=frequency, period=period)) == text


# --- what check_dose passes on (each argument changes the range it checks against) ---------

TWO_HUNDRED_A_DAY = Prescription("100 mg", frequency=2)  # 200 mg/day: 2.9 mg/kg/day at 70 kg


def test_the_phase_is_passed_on_for_a_patient() -> None:
    adult = Patient(age="40 years", weight="70 kg")
    # standard 2.5-5 mg/kg/day (175-350 mg/day) holds 200 mg/day; the acute phase's
    # 4-5 mg/kg/day (280-350 mg/day) does not
    assert check_dose(CSA, adult, TWO_HUNDRED_A_DAY).status is DoseStatus.WITHIN
    acute = check_dose(CSA, adult, TWO_HUNDRED_A_DAY, phase=Phase.ACUTE)
    assert acute.status is DoseStatus.BELOW
    assert acute.range.low.m_as("mg/day") == pytest.approx(280.0)


def test_adult_from_is_passed_on_for_a_patient() -> None:
    seventeen = Patient(age="17 years", weight="70 kg")
    # a child by the default boundary (18 years): children have no acute-phase regimen, so
    # the standard range applies; an adult from 16 years gets the acute range
    as_child = check_dose(CSA, seventeen, TWO_HUNDRED_A_DAY, phase=Phase.ACUTE)
    assert as_child.status is DoseStatus.WITHIN
    assert as_child.range.regimen.population is Population.CHILD
    as_adult = check_dose(
        CSA, seventeen, TWO_HUNDRED_A_DAY, phase=Phase.ACUTE, adult_from="16 years"
    )
    assert as_adult.status is DoseStatus.BELOW
    assert as_adult.range.regimen.population is Population.ADULT


def test_the_population_is_passed_on_for_a_weight_alone() -> None:
    as_adult = check_dose(CSA, "70 kg", TWO_HUNDRED_A_DAY, phase=Phase.ACUTE)
    assert as_adult.status is DoseStatus.BELOW
    as_child = check_dose(
        CSA, "70 kg", TWO_HUNDRED_A_DAY, phase=Phase.ACUTE, population=Population.CHILD
    )
    assert as_child.status is DoseStatus.WITHIN
    assert as_child.range.regimen.population is Population.CHILD


def test_the_frequency_bound_is_inclusive() -> None:
    from ae_systemic._validators import MAX_COUNT

    assert Prescription("1 mg", frequency=MAX_COUNT).frequency == MAX_COUNT
    with pytest.raises(InputError, match=f"from 1 to {MAX_COUNT}"):
        Prescription("1 mg", frequency=MAX_COUNT + 1)
    with pytest.raises(InputError, match=f"from 1 to {MAX_COUNT}"):
        Prescription("1 mg", frequency=0)


def test_a_daily_amount_exactly_at_a_bound_widened_by_the_float_tolerance_is_within() -> None:
    """The bounds absorb floating-point noise of 10⁻⁹ relative, the widened bound included."""
    from ae_systemic._prescription import FLOAT_TOLERANCE

    dose = ae_systemic.daily_dose("ciclosporin", "70 kg")
    low, high = dose.low.m_as("mg/day"), dose.high.m_as("mg/day")
    for edge in (low * (1 - FLOAT_TOLERANCE), high * (1 + FLOAT_TOLERANCE)):
        order = Prescription(Q(edge, "mg"), 1)
        assert order.daily_mg == edge  # exactly: once a day, in mg
        check = ae_systemic.check_dose("ciclosporin", "70 kg", order)
        assert check.status is DoseStatus.WITHIN, edge
    beyond = Prescription(Q(high * (1 + 2 * FLOAT_TOLERANCE), "mg"), 1)
    assert ae_systemic.check_dose("ciclosporin", "70 kg", beyond).status is DoseStatus.ABOVE


@pytest.mark.parametrize(("noise", "matches"), [(0.6e-9, True), (1.5e-9, False)])
def test_the_administrations_a_day_match_within_the_float_tolerance(
    noise: float, matches: bool
) -> None:
    """Twice a day over a period a hair shorter than a day still matches two single doses.

    The tolerance is relative to the two doses a day: 2 × 10⁻⁹ administrations.
    """
    order = Prescription("150 mg", 2, period=Q(1 / (1 + noise), "day"))
    per_day_noise = order.administrations_per_day - 2
    assert per_day_noise == pytest.approx(2 * noise, rel=1e-3)
    check = ae_systemic.check_dose("ciclosporin", "70 kg", order)
    assert check.frequency_matches is matches


def test_a_prescription_in_compound_units_is_refused() -> None:
    """An amount is one unit of mass and a period one unit of time, each named as pint read it."""
    with pytest.raises(DoseInputError) as raised:
        Prescription(Q(150, "mg"), 2, period=Q(1, "day * kg / g"))
    assert raised.value.argument == "period"
    assert str(raised.value) == (
        "period: day * kilogram / gram is not a unit of time this library reads (years, "
        "months, weeks, days, hours, minutes or seconds, without a prefix); give it in days or "
        "hours, e.g. '1 day'"
    )
    with pytest.raises(DoseInputError) as raised:
        Prescription(Q(0.15, "mg * kg / g"), 2)
    assert raised.value.argument == "amount"
    assert str(raised.value) == (
        "amount: kilogram * milligram / gram is not a unit of mass this library reads (the gram "
        "with a prefix, such as kg, g, mg or µg; lb, oz or stone)"
    )


def test_a_period_too_short_to_count_in_days_is_refused() -> None:
    """1e-320 s is positive, but 0 days as a float: no administrations a day can follow."""
    with pytest.raises(DoseInputError) as raised:
        Prescription("150 mg", frequency=2, period="1e-320 s")
    assert str(raised.value) == (
        "period: 1e-320 second is too short to count in days (a float rounds it to 0 days)"
    )
    assert Prescription("150 mg", frequency=2, period="1e-300 s").period_days > 0


_CHECK_THE_ORDER = "; check the amount, frequency and period and their units"


@pytest.mark.parametrize(
    ("amount", "frequency", "period", "problem"),
    [
        (
            "100 g",
            1000000,
            "1e-300 s",
            "100 gram 1000000 times every 1e-300 second is more administrations a day than a "
            "float holds (it overflows to inf)",
        ),
        (
            "100 g",
            1,
            "1e-300 s",
            "100 gram once every 1e-300 second is more mg a day than a float holds (it "
            "overflows to inf)",
        ),
        (
            "1e-300 mg",
            1,
            "1e300 year",
            "1e-300 milligram once every 1e+300 year is less than 2.2e-308 mg a day, too "
            "little for a float to hold (it rounds towards 0 mg/day)",
        ),
        (
            "1e-300 mg",
            2,
            "1e10 day",  # 2e-310 mg a day: not 0, but a float keeps only a few of its digits
            "1e-300 milligram twice every 10000000000.0 day is less than 2.2e-308 mg a day, "
            "too little for a float to hold (it rounds towards 0 mg/day)",
        ),
    ],
)
def test_an_order_whose_amount_a_day_a_float_cannot_hold_is_refused(
    amount: str, frequency: int, period: str, problem: str
) -> None:
    """Never a check of "inf mg/day ... by inf %" or "0 mg/day ... by 100 %"."""
    with pytest.raises(DoseInputError) as caught:
        Prescription(amount, frequency=frequency, period=period)
    assert (caught.value.argument, caught.value.problem) == ("period", problem + _CHECK_THE_ORDER)


def test_an_order_of_the_smallest_and_largest_amounts_a_day_a_float_holds_is_checked() -> None:
    smallest = Prescription(Q(sys.float_info.min, "mg"))
    assert smallest.daily_mg == sys.float_info.min
    largest = Prescription("100 g", frequency=1000000, period=Q(1e11 / sys.float_info.max, "day"))
    assert math.isfinite(largest.daily_mg)
    for order in (smallest, largest):
        check = check_dose(CSA, "70 kg", order)
        assert "inf" not in check.message
        assert not check.message.startswith("0 ")
        data = ae_systemic.unstructure(check)
        assert json.loads(json.dumps(data, allow_nan=False)) == data


# --- a dose outside the range is never printed on the range's end ----------------------------


@pytest.mark.parametrize(
    ("amount", "times", "expected"),
    [
        (87.48, 2, "174.96 mg/day (2.499 mg/kg/day) is below the range of 175–350 mg/day"),
        (175.01, 2, "350.02 mg/day (5.0003 mg/kg/day) is above the range of 175–350 mg/day"),
        (200.0, 2, "400 mg/day (5.7 mg/kg/day) is above the range of 175–350 mg/day"),
    ],
    ids=plain_id,
)
def test_a_dose_just_outside_the_range_shows_enough_decimals(
    amount: float, times: int, expected: str
) -> None:
    check = check_dose(CSA, "70 kg", Prescription(Q(amount, "mg"), frequency=times))
    assert check.message.startswith(expected)


@pytest.mark.parametrize(
    ("weight", "amount", "expected"),
    [  # the range's ends are rounded into it: the dose is written inside them, never outside
        (
            "70.123456 kg",
            87.66,
            "175.32 mg/day (2.5 mg/kg/day) is within the range of 175.31–350.61",
        ),
        ("154 lb", 87.32, "174.64 mg/day (2.5 mg/kg/day) is within the range of 174.64–349.26"),
        ("70 kg", 100.0, "200 mg/day (2.9 mg/kg/day) is within the range of 175–350 mg/day"),
    ],
    ids=plain_id,
)
def test_a_dose_within_the_range_is_shown_inside_the_range_as_printed(
    weight: str, amount: float, expected: str
) -> None:
    check = check_dose(CSA, weight, Prescription(Q(amount, "mg"), frequency=2))
    assert check.status is DoseStatus.WITHIN
    assert check.message.startswith(expected)


@pytest.mark.parametrize(
    ("amount", "gap"),
    [
        (0.5, "by 99.7 %."),
        (175.0001, "by 0.000057 %."),
        (200.0, "by 14 %."),
        (87.4999, "by 0.00011 %."),
        (400.0, "by 129 %."),  # 128.57 %: whole percents from 1 %
        (350.7, "by 100 %."),  # 100.4 %: whole percents above 100 too
    ],
)
def test_the_gap_is_never_rounded_to_100_or_written_in_e_notation(amount: float, gap: str) -> None:
    frequency = 1 if amount == 0.5 else 2
    check = check_dose(CSA, "70 kg", Prescription(Q(amount, "mg"), frequency=frequency))
    assert check.message.endswith(gap)


@pytest.mark.parametrize(
    ("amount", "tolerance", "gap"),
    [  # 70 kg: 350 mg/day at most
        ("353.514 mg", 0.0, "by 1 %."),  # 1.004 %: whole percents from 1 %
        ("353.486 mg", 0.0, "by 1 %."),  # 0.996 %: two significant digits make 1.0
        ("350.0000316575 mg", 0.0, "by 0.000009 %."),  # 0.000009045 %: two digits, 9.0
        ("350.0000031 mg", 0.0, "by 0.00000089 %."),  # 0.000000886 %
        # beyond a tolerance of 0.00000894 % by more than the float tolerance, and its two
        # significant digits beyond it too: they are printed, not the exact gap
        (
            "350.0000316575 mg",
            8.94e-8,
            "by 0.000009 % (with a tolerance of 0.00000894 % asked for).",
        ),
    ],
)
def test_a_small_gap_is_printed_with_two_significant_digits(
    amount: str, tolerance: float, gap: str
) -> None:
    check = check_dose(CSA, "70 kg", Prescription(amount), tolerance=tolerance)
    assert check.status is DoseStatus.ABOVE
    assert check.message.endswith(gap)


@pytest.mark.parametrize(
    ("amount", "status", "figures", "gap"),
    [  # the range widened by 5 %: 166.25-367.5 mg/day, 2.375-5.25 mg/kg/day at 70 kg
        ("367.51 mg", DoseStatus.ABOVE, ("367.51", "5.3"), ", by 5.003 %"),
        ("367.5 mg", DoseStatus.WITHIN, ("367.5", "5.25"), ""),
        ("166.24 mg", DoseStatus.BELOW, ("166.2", "2.37"), ", by 5.01 %"),
        ("166.25 mg", DoseStatus.WITHIN, ("166.25", "2.375"), ""),
        ("367.6 mg", DoseStatus.ABOVE, ("367.6", "5.3"), ", by 5.03 %"),
        ("400 mg", DoseStatus.ABOVE, ("400", "5.7"), ", by 14 %"),
    ],
)
def test_a_dose_at_the_edge_of_a_tolerance_is_never_printed_on_the_other_side_of_it(
    amount: str, status: DoseStatus, figures: tuple[str, str], gap: str
) -> None:
    """367.51 mg/day is above 350 mg/day widened by 5 %: never printed as 367.5, by 5 %."""
    check = check_dose(CSA, "70 kg", Prescription(amount), tolerance=0.05)
    assert check.status is status
    assert check.message == (
        f"{figures[0]} mg/day ({figures[1]} mg/kg/day) is {status.value} the range of "
        f"175–350 mg/day (2.5–5 mg/kg/day) for a 70 kg adult{gap} (with a tolerance of 5 % "
        "asked for)."
    )
    assert shown_figures(check) == figures


@pytest.mark.parametrize(
    ("amount", "frequency", "figures"),
    [  # 70.125 kg: 175.3125-350.625 mg/day exactly, printed 175.32-350.62
        ("175.3125 mg", 1, ("175.3125", "2.5")),  # on the low end
        ("350.625 mg", 1, ("350.625", "5")),  # on the high end
        ("87.66 mg", 2, ("175.32", "2.5")),  # inside, close to the low end
    ],
)
def test_a_dose_within_the_range_itself_is_printed_inside_it_whatever_the_tolerance(
    amount: str, frequency: int, figures: tuple[str, str]
) -> None:
    """Only a dose within by the tolerance alone is printed within the widened range."""
    for tolerance in (0.0, 0.1):
        order = Prescription(amount, frequency=frequency)
        check = check_dose(CSA, "70.125 kg", order, tolerance=tolerance)
        assert check.status is DoseStatus.WITHIN
        assert shown_figures(check) == figures
        assert check.message.startswith(f"{figures[0]} mg/day ({figures[1]} mg/kg/day) is ")


@settings(max_examples=300, deadline=None)
@given(
    weight=st.floats(min_value=3.0, max_value=150.0),
    tolerance=st.sampled_from([0.001, 0.005, 0.01, 0.05, 0.1, 0.125, 0.2, 0.5]),
    step=st.integers(min_value=-1000, max_value=1000),
    at_low=st.booleans(),
)
def test_the_printed_dose_and_gap_lie_on_the_side_of_the_tolerance_the_status_says(
    weight: float, tolerance: float, step: int, at_low: bool
) -> None:
    dose = ae_systemic.daily_dose(CSA, Q(weight, "kg"))
    low, high = dose.low.m_as("mg/day"), dose.high.m_as("mg/day")
    edge = low * (1 - tolerance) if at_low else high * (1 + tolerance)
    daily = edge * (1 + step * 1e-7)  # within a hair of the widened end, on either side
    check = check_dose(CSA, Q(weight, "kg"), Prescription(Q(daily, "mg")), tolerance=tolerance)
    given_mg, per_kg = (float(part.split()[0]) for part in check.message.split(" (", 1)[0:2])
    widened = (low * (1 - tolerance), high * (1 + tolerance))
    if check.status is DoseStatus.WITHIN:
        assert widened[0] <= given_mg <= widened[1]
        assert widened[0] / weight <= per_kg <= widened[1] / weight
        return
    gap = float(check.message.split(", by ", 1)[1].split(" %", 1)[0])
    assert gap > tolerance * 100
    if check.status is DoseStatus.ABOVE:
        assert given_mg > widened[1]
        assert per_kg > widened[1] / weight
    else:
        assert given_mg < widened[0]
        assert per_kg < widened[0] / weight


def test_a_rare_administration_is_not_counted_as_none_a_day() -> None:
    order = Prescription("60000 mg", frequency=1, period="365 day")
    check = check_dose(CSA, "70 kg", order)
    assert "The prescription gives 0.003 administrations a day;" in frequency_text(check)
    almost = check_dose(CSA, "70 kg", Prescription("100 mg", frequency=1, period="1.004 day"))
    assert frequency_text(almost).startswith("The prescription gives 1 administration a day")


def test_administrations_close_to_the_regimens_are_not_printed_as_the_regimens() -> None:
    check = check_dose(CSA, "70 kg", Prescription("150 mg", frequency=1, period="11.99 hour"))
    assert check.frequency_matches is False
    assert frequency_text(check) == (
        "The prescription gives 2.002 administrations a day; the regimen divides the daily "
        "dose into 2 single doses."
    )


@pytest.mark.parametrize(
    ("amount", "frequency", "period", "shown", "by"),
    [
        ("2450 mg", 1, "7 day", "2450", "1300 %"),  # 350 mg/day, within the daily range
        ("700 mg", 1, "2 day", "700", "300 %"),
        ("350 mg", 1, "1 day", "350", "100 %"),
        ("175.01 mg", 1, "1 day", "175.01", "0.0057 %"),  # below the daily range
    ],
)
def test_an_administration_above_the_single_doses_is_said_first(
    amount: str, frequency: int, period: str, shown: str, by: str
) -> None:
    check = check_dose(CSA, "70 kg", Prescription(amount, frequency=frequency, period=period))
    assert check.single_dose_status is DoseStatus.ABOVE
    assert frequency_text(check).startswith(
        f"Each administration, {shown} mg, is above the single doses of 87.5–175 mg that the "
        f"range gives for 70 kg, by {by}. The prescription gives "
    )


def test_an_administration_above_the_single_doses_is_shown_as_prescribed() -> None:
    check = check_dose(CSA, "70.145 kg", Prescription("175.363 mg", frequency=1))
    assert frequency_text(check).startswith("Each administration, 175.363 mg, is above")
    widened = check_dose(CSA, "70 kg", Prescription("200 mg", frequency=1), tolerance=0.1)
    assert widened.single_dose_status is DoseStatus.ABOVE
    assert frequency_text(widened).startswith(
        "Each administration, 200 mg, is above the single doses of 87.5–175 mg that the range "
        "gives for 70 kg, by 14 % (with a tolerance of 10 % asked for)."
    )


@pytest.mark.parametrize(
    ("weight", "amount", "tolerance", "sentence"),
    [
        (  # on the bound widened by the tolerance, to six decimals: printed beyond it
            "70 kg",
            "192.5000002 mg",
            0.1,
            "Each administration, 192.5000002 mg, is above the single doses of 87.5–175 mg that "
            "the range gives for 70 kg, by 10.000000114285708 % (with a tolerance of 10 % asked "
            "for).",
        ),
        (  # the gap printed beyond the tolerance, never on it
            "70 kg",
            "192.500175 mg",
            0.1,
            "Each administration, 192.500175 mg, is above the single doses of 87.5–175 mg that "
            "the range gives for 70 kg, by 10.0001 % (with a tolerance of 10 % asked for).",
        ),
        (  # an odd weight: its single doses to one decimal, the weight to two
            "70.145 kg",
            "200.123456 mg",
            0.0,
            "Each administration, 200.123456 mg, is above the single doses of 87.7–175.3 mg "
            "that the range gives for 70.14 kg, by 14 %.",
        ),
    ],
)
def test_the_single_dose_sentence_word_for_word(
    weight: str, amount: str, tolerance: float, sentence: str
) -> None:
    order = Prescription(amount, frequency=1)
    check = check_dose(CSA, weight, order, tolerance=tolerance)
    assert frequency_text(check).startswith(sentence + " The prescription gives 1 administration")


def test_administrations_within_the_single_doses_say_nothing_of_them() -> None:
    on_top = check_dose(CSA, "70 kg", Prescription("175 mg", frequency=2))
    assert on_top.single_dose_status is DoseStatus.WITHIN
    thirds = check_dose(CSA, "70 kg", Prescription("100 mg", frequency=3))
    assert (thirds.single_dose_status, thirds.frequency_matches) == (DoseStatus.WITHIN, False)
    assert frequency_text(thirds).startswith("The prescription gives 3 administrations a day")
    small = check_dose(CSA, "70 kg", Prescription("50 mg", frequency=4))
    assert small.single_dose_status is DoseStatus.BELOW
    assert "Each administration" not in frequency_text(small)
    widened = check_dose(CSA, "70 kg", Prescription("180 mg", frequency=1), tolerance=0.05)
    assert widened.single_dose_status is DoseStatus.WITHIN  # 175 mg widened by 5 %


def test_a_range_of_an_odd_weight_is_printed_rounded_into_it_beside_a_dose_outside() -> None:
    check = check_dose(CSA, "70.123456 kg", Prescription("200 mg", frequency=2))
    assert check.message.startswith(
        "400 mg/day (5.7 mg/kg/day) is above the range of 175.4–350.6 mg/day (2.5–5 mg/kg/day) "
        "for a 70.12 kg adult"
    )


@pytest.mark.parametrize(
    ("amount", "figures"),
    [(175.01, ("350.02", "5.0003")), (87.49, ("174.98", "2.4997")), (100.0, ("200", "2.9"))],
)
def test_the_figures_other_outputs_show_are_those_of_the_message(
    amount: float, figures: tuple[str, str]
) -> None:
    check = check_dose(CSA, "70 kg", Prescription(Q(amount, "mg"), frequency=2))
    assert shown_figures(check) == figures
    assert check.message.startswith(f"{figures[0]} mg/day ({figures[1]} mg/kg/day) is ")


def test_a_small_dose_is_not_printed_as_zero() -> None:
    check = check_dose(CSA, "70 kg", Prescription("1 mg", frequency=2, period="30 day"))
    assert check.message.startswith("0.1 mg/day (0.001 mg/kg/day) is below the range")


@settings(max_examples=300, deadline=None)
@given(
    weight=st.floats(min_value=3.0, max_value=150.0),
    factor=st.one_of(
        st.floats(min_value=0.99, max_value=1.01), st.floats(min_value=1e-3, max_value=10.0)
    ),
    at_low=st.booleans(),
)
def test_the_printed_dose_lies_on_the_side_of_the_range_its_status_says(
    weight: float, factor: float, at_low: bool
) -> None:
    dose = ae_systemic.daily_dose(CSA, Q(weight, "kg"))
    low, high = dose.low.m_as("mg/day"), dose.high.m_as("mg/day")
    daily = (low if at_low else high) * factor
    check = check_dose(CSA, Q(weight, "kg"), Prescription(Q(daily, "mg")))
    given_mg, per_kg = (float(part.split()[0]) for part in check.message.split(" (", 1)[0:2])
    if check.status is DoseStatus.ABOVE:
        assert given_mg > high
        assert per_kg > high / weight
    elif check.status is DoseStatus.BELOW:
        assert given_mg < low
        assert per_kg < low / weight
    else:  # within: inside the range as printed, unless only by floating-point noise
        printed = check.message.split("the range of ", 1)[1].split(" mg/day", 1)[0]
        ends = [float(end) for end in printed.split("–")] * 2
        if low <= daily <= high:
            assert ends[0] <= given_mg <= ends[1]
    if daily > 0:
        assert given_mg > 0
        assert per_kg > 0


# --- the ranges beside a check are printed as its message prints them --------------------------


def test_the_ranges_beside_a_check_are_those_of_its_message() -> None:
    """175.32 mg/day (87.66 mg twice) lies within 175.31-350.61, but outside 175.4-350.6."""
    check = check_dose(CSA, "70.123 kg", Prescription("87.66 mg", frequency=2))
    assert check.status is DoseStatus.WITHIN
    assert "is within the range of 175.31–350.61 mg/day" in check.message
    assert shown_ranges(check.range, check) == ("175.31–350.61 mg/day", "87.66–175.3 mg")
    assert shown_ranges(check.range) == ("175.4–350.6 mg/day", "87.7–175.3 mg")  # alone
    lines = dose_lines(check.range, check=check)
    assert "  daily dose   175.31–350.61 mg/day" in lines
    assert "  per dose     87.66–175.3 mg, 2 doses a day" in lines
    assert "  daily dose   175.4–350.6 mg/day" in dose_lines(check.range)  # alone: one decimal
    shown = check._repr_markdown_()
    assert "| Daily dose | 175.31–350.61 mg/day |" in shown
    assert "| Single dose | 87.66–175.3 mg per dose, 2 doses a day |" in shown
    assessment = ae_systemic.assess(
        CSA, Patient("40 years", "70.123 kg"), prescription=check.prescription
    )
    assert "| Daily dose | 175.31–350.61 mg/day |" in assessment._repr_markdown_()
    report = assessment_report(assessment, Patient("40 years", "70.123 kg"), CSA)
    assert "  per dose     87.66–175.3 mg, 2 doses a day" in report.splitlines()


def test_the_ranges_beside_a_check_outside_the_range_keep_one_decimal() -> None:
    check = check_dose(CSA, "70.123456 kg", Prescription("200 mg", frequency=2))
    assert shown_ranges(check.range, check) == ("175.4–350.6 mg/day", "87.7–175.3 mg")


@pytest.mark.parametrize(
    ("amount", "per_kg"),
    [("175.01 mg", "5.0003"), ("87.49 mg", "2.4997"), ("100 mg", "2.9")],
)
def test_the_display_shows_the_rate_of_the_message(amount: str, per_kg: str) -> None:
    """5.0003 mg/kg/day is above 5: never shown as 5 mg/kg/day beside "above the range"."""
    check = adult_check(amount, frequency=2)
    assert f"({per_kg} mg/kg/day)" in check.message
    assert f"| Per kg | {per_kg} mg/kg/day |" in check._repr_markdown_()


@pytest.mark.parametrize(
    ("amount", "per_kg"),
    [(225.0, "2.25"), (226.0, "2.26"), (475.0, "4.75"), (474.9, "4.75"), (300.0, "3")],
)
def test_a_rate_within_the_range_is_shown_inside_the_rate_as_printed(
    amount: float, per_kg: str
) -> None:
    """2.25 mg/kg/day is within 2.25-4.75, never shown as 2.2 beside it."""
    drug = synthetic(
        "testdrug", regimen("std", rate=ae_systemic.DoseRate(2.25, 4.75), doses_per_day=1)
    )
    check = check_dose(drug, "100 kg", Prescription(Q(amount, "mg")))
    assert check.status is DoseStatus.WITHIN
    assert check.message.startswith(
        f"{amount:g} mg/day ({per_kg} mg/kg/day) is within the range of 225–475 mg/day "
        "(2.25–4.75 mg/kg/day)"
    )
    assert shown_figures(check)[1] == per_kg


@pytest.mark.parametrize(
    ("order", "rows"),
    [
        (
            Prescription("0.0004 mg"),
            ("| Amount per administration | 0.0004 mg |", "| Daily amount | 0.0004 mg/day |"),
        ),
        (Prescription("100 mg", period="3000 day"), ("| Administrations a day | 0.0003 |",)),
        (Prescription("150 mg", frequency=2), ("| Amount per administration | 150 mg |",)),
    ],
    ids=["a small amount", "a rare administration", "an ordinary order"],
)
def test_the_display_of_an_order_never_shows_0_for_what_is_not(
    order: Prescription, rows: tuple[str, ...]
) -> None:
    shown = order._repr_markdown_()
    for row in rows:
        assert row in shown


@settings(max_examples=300, deadline=None)
@given(
    micrograms=st.integers(1_000, 5_000_000),
    hours=st.sampled_from([6, 8, 12, 24, 48, 168]),
    mass=st.sampled_from(["mg", "µg"]),
    time=st.sampled_from(["h", "day", "min"]),
)
def test_the_same_order_in_other_units_is_equal_and_hashes_alike(
    micrograms: int, hours: int, mass: str, time: str
) -> None:
    """Before: Prescription("0.1 mg") == Prescription("0.0001 g") but their hashes differed.

    Whole micrograms in µg and in mg are the same float once converted (a microgram in mg
    divides by 1000, correctly rounded); so are 6 hours and 0.25 days, not 8 hours and a
    third of a day (no float).
    """
    per = {"mg": 1e3, "µg": 1.0}[mass]
    length = {"h": hours, "day": hours / 24, "min": hours * 60}[time]
    in_mg = Prescription(Q(micrograms / 1000, "mg"), 2, period=Q(hours, "h"))
    other = Prescription(Q(micrograms / per, mass), 2, period=Q(length, time))
    if other.period_days != in_mg.period_days:  # 1/24 day is no float: not the same period
        assert other != in_mg
        return
    assert other == in_mg
    assert hash(other) == hash(in_mg)
    assert len({other, in_mg}) == 1
    assert pickle.loads(pickle.dumps(other)) == in_mg
    assert other != Prescription(Q(micrograms / 1000, "mg"), 3, period=Q(hours, "h"))


@settings(max_examples=300, deadline=None)
@given(
    a=st.tuples(st.floats(0.01, 3), st.sampled_from(["g", "mg", "µg", "oz"])),
    b=st.tuples(st.floats(0.01, 3), st.sampled_from(["g", "mg", "µg", "oz"])),
)
def test_orders_that_are_equal_hash_alike(a: tuple[float, str], b: tuple[float, str]) -> None:
    """Whatever the units: equal orders hash alike, and equality is what the checks read."""
    one, two = Prescription(Q(*a)), Prescription(Q(*b))
    if one == two:
        assert hash(one) == hash(two)
    assert (one == two) is (one.amount_mg == two.amount_mg)
    same = Prescription(Q(one.amount_mg, "mg"))
    assert same == one
    assert hash(same) == hash(one)


def test_a_check_of_a_weight_in_a_registry_of_its_own_gives_quantities_of_that_registry() -> None:
    """Before: ``daily`` came in the prescription's registry and the range in the weight's, so
    that ``check.daily > check.range.high`` failed (pint: different registries)."""
    own: pint.UnitRegistry[float] = pint.UnitRegistry()
    check = check_dose("ciclosporin", own.Quantity(70, "kg"), Prescription("200 mg", 2))
    assert check.daily._REGISTRY is own
    assert check.per_kg._REGISTRY is own
    assert check.range.high._REGISTRY is own
    assert check.daily > check.range.high
    assert check.daily.m_as("mg/day") == 400.0
    assert check.daily.units == own.Unit("mg/day")
    same = check_dose("ciclosporin", Q(70, "kg"), Prescription("200 mg", 2))
    assert same.daily == same.prescription.daily
    assert same.daily._REGISTRY is same.prescription.daily._REGISTRY


def test_the_default_period_is_one_day_in_the_registry_of_the_amount() -> None:
    """Before: "1 day" was read in the application registry, so that an order of a registry
    of its own failed on its first use (pint: quantities of different registries)."""
    own: pint.UnitRegistry[float] = pint.UnitRegistry()
    order = Prescription(own.Quantity(150, "mg"), 2)
    assert Prescription(own.Quantity(150, "mg"), 2, period=None) == order
    assert order.period._REGISTRY is own
    assert order.amount / order.period == own.Quantity(150, "mg/day")
    assert order == Prescription("150 mg", 2)
    assert hash(order) == hash(Prescription("150 mg", 2, period="24 h"))
    assert repr(Prescription("150 mg")) == (
        "Prescription(amount=<Quantity(150, 'milligram')>, frequency=1, "
        "period=<Quantity(1, 'day')>)"
    )
