"""Units: regimens in other units than mg/kg/day, and the units of mass a caller's value may be in.

Every regimen of the packaged content is written in mg per kg per day, where every unit
factor is 1, so a factor applied the wrong way round would go unnoticed there.  The drugs
here are made up (synthetic test data, not clinical content): their rates are test inputs
and the expected doses are computed by hand in the comments.  The allow-lists of the data
format (``docs/data-packs.md``) admit ``mg`` and ``g`` per ``kg`` per ``day`` or ``week``;
a rate in micrograms is refused when the pack is read.

A caller's weight, amount or strength is read only in the gram with an SI prefix, the
pound, the ounce and the stone: pint reads ``"70 kgr"`` (a European abbreviation of the
kilogram) as 70 kilograins, 4.5 kg, which no plausibility bound catches.
"""

from __future__ import annotations

from pathlib import Path

import attrs
import numpy as np
import pint
import pytest

import ae_systemic
from ae_systemic import (
    Amount,
    DataError,
    DoseInputError,
    DoseRate,
    FixedDose,
    Interval,
    Patient,
    Prescription,
    WeightBand,
    daily_dose,
    dose_plan,
    load_guideline,
    round_to_strengths,
    unstructure,
)
from synthetic_drugs import regimen, synthetic

APP: pint.UnitRegistry[float] = pint.get_application_registry()  # type: ignore[no-untyped-call]
Q = APP.Quantity


# 0.002-0.004 g/kg/day in 2 doses = 2-4 mg/kg/day: 70 kg -> 140-280 mg/day, 70-140 mg a dose.
GRAMS_DAILY = synthetic(
    "Examplogram",
    regimen(
        "grams a day", rate=DoseRate(0.002, 0.004, amount_unit="g", period="day"), doses_per_day=2
    ),
)
# 0.25-0.5 mg/kg/week once a week: 80 kg -> 20-40 mg a week.
MG_WEEKLY = synthetic(
    "Exampleweek",
    regimen("mg a week", rate=DoseRate(0.25, 0.5, amount_unit="mg", period="week")),
)
# 0.0005-0.001 g/kg/week = 0.5-1 mg/kg/week: 80 kg -> 40-80 mg a week.
GRAMS_WEEKLY = synthetic(
    "Examplegramweek",
    regimen("grams a week", rate=DoseRate(0.0005, 0.001, amount_unit="g", period="week")),
)
# 3-6 mg/kg/day in 3 doses: 60 kg -> 180-360 mg/day, 60-120 mg a dose, every 1/3 day.
THREE_A_DAY = synthetic(
    "Examplethree",
    regimen("three a day", rate=DoseRate(3, 6), doses_per_day=3),
)


def mg(quantity: pint.Quantity[float]) -> float:
    return float(quantity.m_as("mg"))


# -- daily_dose ------------------------------------------------------------------------------


def test_a_rate_in_grams_per_kg_per_day_is_dosed_in_milligrams() -> None:
    dose = daily_dose(GRAMS_DAILY, Q(70, "kg"))
    assert dose.low.m_as("mg/day") == pytest.approx(140.0, rel=1e-12)
    assert dose.high.m_as("mg/day") == pytest.approx(280.0, rel=1e-12)
    assert mg(dose.per_dose_low) == pytest.approx(70.0, rel=1e-12)
    assert mg(dose.per_dose_high) == pytest.approx(140.0, rel=1e-12)
    assert dose.doses_per_day == 2
    assert str(dose.low.units) == "milligram / day"
    assert str(dose.per_dose_low.units) == "milligram"


def test_a_rate_in_grams_is_dosed_in_milligrams_for_an_array_of_weights() -> None:
    import numpy as np

    dose = daily_dose(GRAMS_DAILY, Q(np.array([50.0, 70.0]), "kg"))
    # 50 kg: 100-200 mg/day; 70 kg: 140-280 mg/day.
    assert dose.low.m_as("mg/day") == pytest.approx([100.0, 140.0], rel=1e-12)
    assert dose.high.m_as("mg/day") == pytest.approx([200.0, 280.0], rel=1e-12)


def test_a_rate_in_grams_reads_the_same_in_words() -> None:
    assert str(daily_dose(GRAMS_DAILY, Q(70, "kg"))).startswith(
        "140–280 mg/day (70–140 mg per dose, 2 doses a day) for 70 kg"
    )


def test_a_weight_in_pounds_is_dosed_as_its_kilograms() -> None:
    # 154 lb = 154 x 0.45359237 kg = 69.85322498 kg; 2-4 mg/kg/day -> 139.70644996-279.41289992.
    dose = daily_dose(GRAMS_DAILY, "154 lb")
    assert dose.low.m_as("mg/day") == pytest.approx(139.70644996, rel=1e-12)
    assert dose.high.m_as("mg/day") == pytest.approx(279.41289992, rel=1e-12)


def test_an_array_of_weights_in_pounds_or_grams_is_dosed_as_each_weight_alone() -> None:
    # The array path converts as one weight does: grams divided by 1000 (1001 g x 0.001 is
    # not 1.001 in floats), pounds times 0.45359237.
    csa = ae_systemic.drug("ciclosporin")
    for unit, weights in (("lb", [154.0, 33.0, 441.0]), ("g", [1001.0, 9000.0, 70013.0])):
        together = daily_dose(csa, Q(np.array(weights), unit))
        alone = [daily_dose(csa, Q(w, unit)) for w in weights]
        assert together.low.m_as("mg/day").tolist() == [d.low.m_as("mg/day") for d in alone]
        assert together.high.m_as("mg/day").tolist() == [d.high.m_as("mg/day") for d in alone]
    # 154 lb = 69.85322498 kg: 2.5 mg/kg/day of it
    low = daily_dose(csa, Q(np.array([154.0]), "lb")).low.m_as("mg/day")
    assert low.tolist() == [pytest.approx(174.63306245, rel=1e-12)]
    assert daily_dose(csa, Q(np.array([1001.0]), "g")).low.m_as("mg/day").tolist() == [
        2.5 * (1001.0 / 1000)
    ]


def test_daily_dose_refuses_weekly_rates_in_any_unit() -> None:
    for drug in (MG_WEEKLY, GRAMS_WEEKLY):
        with pytest.raises(ae_systemic.DoseInputError, match="not a weight-based daily dose"):
            daily_dose(drug, Q(80, "kg"))


# -- dose_plan -------------------------------------------------------------------------------


def test_a_plan_in_grams_per_kg_per_day_is_in_milligrams_every_half_day() -> None:
    plan = dose_plan(GRAMS_DAILY, Q(70, "kg"))
    assert mg(plan.amount_low) == pytest.approx(70.0, rel=1e-12)
    assert mg(plan.amount_high) == pytest.approx(140.0, rel=1e-12)
    assert plan.interval.m_as("day") == 0.5
    assert str(plan.interval.units) == "day"


def test_a_plan_in_milligrams_per_kg_per_week_is_one_dose_a_week() -> None:
    plan = dose_plan(MG_WEEKLY, Q(80, "kg"))
    assert (mg(plan.amount_low), mg(plan.amount_high)) == (20.0, 40.0)
    assert plan.interval.m_as("week") == 1.0
    assert str(plan.interval.units) == "week"
    assert str(plan) == "20–40 mg every 1 week (mg a week)"


def test_a_plan_in_grams_per_kg_per_week_is_in_milligrams_once_a_week() -> None:
    plan = dose_plan(GRAMS_WEEKLY, Q(80, "kg"))
    assert mg(plan.amount_low) == pytest.approx(40.0, rel=1e-12)
    assert mg(plan.amount_high) == pytest.approx(80.0, rel=1e-12)
    assert plan.interval.m_as("week") == 1.0


def test_three_doses_a_day_divide_the_daily_amount_by_three() -> None:
    plan = dose_plan(THREE_A_DAY, Q(60, "kg"))
    assert mg(plan.amount_low) == pytest.approx(60.0, rel=1e-12)
    assert mg(plan.amount_high) == pytest.approx(120.0, rel=1e-12)
    assert plan.interval.m_as("day") == pytest.approx(1 / 3, rel=1e-12)
    dose = daily_dose(THREE_A_DAY, Q(60, "kg"))
    assert (dose.low.m_as("mg/day"), dose.high.m_as("mg/day")) == (180.0, 360.0)
    assert (mg(dose.per_dose_low), mg(dose.per_dose_high)) == (60.0, 120.0)


def test_fixed_and_loading_amounts_in_grams_are_given_in_milligrams() -> None:
    # Synthetic: 0.4 g loading, then 0.2-0.3 g every 2 weeks -> 400 mg, then 200-300 mg.
    drug = synthetic(
        "Examplegramfix",
        regimen(
            "grams fixed",
            fixed=FixedDose(Amount(0.2, 0.3, "g"), Interval(2, "week")),
            loading=Amount(0.4, 0.4, "g"),
        ),
    )
    plan = dose_plan(drug)
    assert mg(plan.amount_low) == pytest.approx(200.0, rel=1e-12)
    assert mg(plan.amount_high) == pytest.approx(300.0, rel=1e-12)
    assert plan.loading_low is not None
    assert plan.loading_high is not None
    assert mg(plan.loading_low) == pytest.approx(400.0, rel=1e-12)
    assert mg(plan.loading_high) == pytest.approx(400.0, rel=1e-12)
    assert plan.interval.m_as("week") == 2.0


def test_a_band_dose_in_grams_is_given_in_milligrams() -> None:
    # Synthetic: below 60 kg 0.1 g, from 60 kg 0.15 g, every 4 weeks.
    drug = synthetic(
        "Examplegramband",
        regimen(
            "grams by band",
            bands=(
                WeightBand(FixedDose(Amount(0.1, 0.1, "g"), Interval(4, "week")), max_weight=60),
                WeightBand(FixedDose(Amount(0.15, 0.15, "g"), Interval(4, "week")), 60),
            ),
        ),
    )
    assert mg(dose_plan(drug, Q(59.9, "kg")).amount_low) == pytest.approx(100.0, rel=1e-12)
    assert mg(dose_plan(drug, Q(60, "kg")).amount_low) == pytest.approx(150.0, rel=1e-12)
    # 132 lb = 59.87419284 kg, in the lower band.
    assert mg(dose_plan(drug, "132 lb").amount_low) == pytest.approx(100.0, rel=1e-12)


def test_a_plan_in_grams_is_built_in_the_weights_registry() -> None:
    registry: pint.UnitRegistry[float] = pint.UnitRegistry()
    plan = dose_plan(GRAMS_DAILY, registry.Quantity(70, "kg"))
    assert plan.amount_low._REGISTRY is registry
    assert plan.amount_low.m_as("mg") == pytest.approx(70.0, rel=1e-12)
    dose = daily_dose(GRAMS_DAILY, registry.Quantity(70, "kg"))
    assert dose.low._REGISTRY is registry
    assert dose.low.m_as("mg/day") == pytest.approx(140.0, rel=1e-12)


# -- the pack on disk --------------------------------------------------------------------------


def test_regimens_in_grams_and_weeks_survive_a_pack_on_disk(tmp_path: Path) -> None:
    import json

    pack = attrs.evolve(ae_systemic.guideline(), drugs=(GRAMS_DAILY, GRAMS_WEEKLY))
    path = tmp_path / "pack.json"
    path.write_text(json.dumps(unstructure(pack)), encoding="utf-8")
    loaded = load_guideline(path)
    dose = daily_dose(loaded.drug("examplogram"), Q(70, "kg"))
    assert dose.high.m_as("mg/day") == pytest.approx(280.0, rel=1e-12)
    plan = dose_plan(loaded.drug("examplegramweek"), Q(80, "kg"))
    assert mg(plan.amount_high) == pytest.approx(80.0, rel=1e-12)


@pytest.mark.parametrize(
    "unit", ["ug", "µg", "mcg", "mg/kg", "kg"], ids=["ug", "micro-sign-g", "mcg", "mg/kg", "kg"]
)
def test_a_rate_in_micrograms_or_another_unit_is_refused(unit: str) -> None:
    with pytest.raises(DataError, match=r"amount_unit: .* is not an allowed unit"):
        DoseRate(1, 2, amount_unit=unit)


def test_a_pack_with_a_rate_in_micrograms_is_refused_naming_the_field(tmp_path: Path) -> None:
    import json

    data = unstructure(attrs.evolve(ae_systemic.guideline(), drugs=(GRAMS_DAILY,)))
    data["drugs"][0]["regimens"][0]["rate"]["amount_unit"] = "ug"  # type: ignore[index, call-overload]
    path = tmp_path / "pack.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(DataError) as caught:
        load_guideline(path)
    assert caught.value.paths == ("drugs[0].regimens[0].rate.amount_unit",)


# -- the units of mass a caller's value is read in ---------------------------------------------

LB_IN_KG = 0.45359237  # the international avoirdupois pound, by definition

#: Each unit of mass the library reads, with a weight in it and that weight in kg by hand.
READ_MASSES = [
    pytest.param("70 kg", 70.0, id="kg"),
    pytest.param("70 kilograms", 70.0, id="kilograms"),
    pytest.param("70000 g", 70.0, id="g"),
    pytest.param("70000 grams", 70.0, id="grams"),
    pytest.param("700 hg", 70.0, id="hg"),
    pytest.param("7e7 mg", 70.0, id="mg"),
    pytest.param("7e10 µg", 70.0, id="micro-sign-g"),
    pytest.param("7e10 ug", 70.0, id="ug"),
    pytest.param("7e10 mcg", 70.0, id="mcg"),
    pytest.param("0.07 Mg", 70.0, id="Mg"),  # the megagram, 1000 kg
    pytest.param("154 lb", 154 * LB_IN_KG, id="lb"),
    pytest.param("154 lbs", 154 * LB_IN_KG, id="lbs"),
    pytest.param("154 pounds", 154 * LB_IN_KG, id="pounds"),
    pytest.param("2464 oz", 2464 * LB_IN_KG / 16, id="oz"),  # 154 lb
    pytest.param("11 stone", 11 * 14 * LB_IN_KG, id="stone"),  # 154 lb
]


@pytest.mark.parametrize(("weight", "kg"), READ_MASSES)
def test_a_weight_in_grams_with_any_prefix_pounds_ounces_or_stones_is_read(
    weight: str, kg: float
) -> None:
    dose = daily_dose("ciclosporin", weight)
    assert dose.weight.m_as("kg") == pytest.approx(kg, rel=1e-12)
    assert dose.high.m_as("mg/day") == pytest.approx(5 * kg, rel=1e-12)  # 5 mg/kg/day


GRAIN = "pint reads 'gr' as the grain (64.8 mg), not the gram"


def test_kilos_are_refused_saying_pint_reads_them_as_kiloseconds() -> None:
    with pytest.raises(ae_systemic.DoseInputError) as caught:
        ae_systemic.daily_dose("ciclosporin", "70 kilos")
    assert str(caught.value) == (
        "weight: kilosecond is not a unit of mass; if 'kilos' was meant: pint reads it as "
        "kiloseconds, not kilograms; give it in kg, g, lb or stone"
    )


#: Units of mass pint knows and the library refuses: (text or quantity, pint's unit name,
#: whether it is a grain).  ``kgr`` is a European abbreviation of the kilogram that pint
#: reads as the kilograin: 70 kgr would be a patient of 4.5 kg.
REFUSED_MASSES = [
    pytest.param("70 kgr", "kilograin", True, id="kgr"),
    pytest.param("70 kgrs", "kilograin", True, id="kgrs"),
    pytest.param("70 kilogr", "kilograin", True, id="kilogr"),
    pytest.param(Q(70, "kgr"), "kilograin", True, id="quantity-kgr"),
    pytest.param("70000 gr", "grain", True, id="gr"),
    pytest.param("7e7 mgr", "milligrain", True, id="mgr"),
    pytest.param("7e10 µgr", "micrograin", True, id="micro-sign-gr"),
    pytest.param("0.07 t", "metric_ton", False, id="t"),
    pytest.param("0.07 tonne", "metric_ton", False, id="tonne"),
    pytest.param("0.07 ton", "ton", False, id="ton"),
    pytest.param("350000 carat", "carat", False, id="carat"),
    pytest.param("40000 dram", "dram", False, id="dram"),
    pytest.param("2250 ozt", "troy_ounce", False, id="troy-ounce"),
    pytest.param("5 slug", "slug", False, id="slug"),
    pytest.param("4e28 u", "unified_atomic_mass_unit", False, id="atomic-mass-unit"),
    pytest.param(Q(70, "kibigram"), "kibigram", False, id="binary-prefix"),
    pytest.param(Q(0.154, "klb"), "kilopound", False, id="prefixed-pound"),
    pytest.param(Q(7000, "kg*m/cm"), "kilogram * meter / centimeter", False, id="compound"),
]


@pytest.mark.parametrize(("weight", "name", "grain"), REFUSED_MASSES)
def test_a_weight_in_another_unit_of_mass_is_refused_never_converted(
    weight: object, name: str, grain: bool
) -> None:
    expected = (
        f"{name} is not a unit of mass this library reads (the gram with a prefix, such as "
        "kg, g, mg or µg; lb, oz or stone)" + (f"; {GRAIN}" if grain else "")
    )
    for call in (
        lambda: daily_dose("ciclosporin", weight),  # type: ignore[call-overload]
        lambda: Patient("40 years", weight),  # type: ignore[arg-type]
    ):
        with pytest.raises(DoseInputError) as raised:
            call()
        assert (raised.value.where, raised.value.problem) == ("weight", expected)


@pytest.mark.parametrize(
    ("amount", "name"),
    [
        pytest.param("150 mgr", "milligrain", id="mgr"),
        pytest.param("0.15 gr", "grain", id="gr"),
        pytest.param("150000 µgr", "micrograin", id="micro-sign-gr"),
        pytest.param("0.00015 kgr", "kilograin", id="kgr"),
    ],
)
def test_an_amount_or_a_strength_in_grains_is_refused_saying_pint_reads_gr_as_the_grain(
    amount: str, name: str
) -> None:
    # Prescription("150 mgr") was 150 milligrains, 9.72 mg.
    with pytest.raises(DoseInputError) as raised:
        Prescription(amount)
    assert raised.value.where == "amount"
    assert raised.value.problem.startswith(f"{name} is not a unit of mass this library reads")
    assert GRAIN in raised.value.problem
    dose = daily_dose("ciclosporin", "70 kg")
    with pytest.raises(DoseInputError) as raised:
        round_to_strengths(dose, ["25 mg", amount])
    assert raised.value.where == "strengths[1]"
    assert raised.value.problem.startswith(f"{name} is not a unit of mass this library reads")
    assert raised.value.problem.endswith(GRAIN)


def test_a_registry_of_its_own_refuses_grains_on_its_first_reading_of_them() -> None:
    """Which units a registry reads is worked out on first use, then kept: a fresh registry's
    first kilograins and milligrains are refused as the application registry's are."""
    registry: pint.UnitRegistry[float] = pint.UnitRegistry()
    refused = "is not a unit of mass this library reads"
    with pytest.raises(DoseInputError) as raised:
        daily_dose("ciclosporin", registry.Quantity(70, "kgr"))
    assert raised.value.problem.startswith(f"kilograin {refused}")
    with pytest.raises(DoseInputError) as raised:
        Prescription(registry.Quantity(150, "mgr"))
    assert raised.value.problem.startswith(f"milligrain {refused}")


def test_a_quantity_in_grams_reads_as_before_and_in_grains_as_nothing() -> None:
    from ae_systemic._units import units_of

    units = units_of(ae_systemic.application_registry())
    assert units.kg_per(Q(1, "kg")._units) == 1.0
    assert units.mg_per(Q(1, "g")._units) == 1000.0
    assert units.mg_per(Q(1, "lb")._units) == pytest.approx(453_592.37, rel=1e-12)
    for unit in ("kgr", "gr", "carat", "t"):
        assert units.kg_per(Q(1, unit)._units) is None
        assert units.mg_per(Q(1, unit)._units) is None


def test_a_unit_that_is_no_mass_or_a_mass_that_is_read_has_no_refusal_to_explain() -> None:
    from ae_systemic._units import refused_mass_unit

    # The cohort's columns ask refused_mass_unit for the words of a unit kg_per refused.
    assert refused_mass_unit(Q(1, "m").units) is None
    assert refused_mass_unit(Q(1, "mg/kg").units) is None
    assert refused_mass_unit(Q(1, "kg").units) is None
    assert refused_mass_unit(Q(1, "lb").units) is None
    assert refused_mass_unit(Q(1, "tonne").units) == (
        "metric_ton is not a unit of mass this library reads (the gram with a prefix, such as "
        "kg, g, mg or µg; lb, oz or stone)"
    )


@pytest.mark.parametrize(
    ("weight", "message"),
    [
        (Q(70, "m"), "meter is not a unit of mass; give it in kg, g, lb or stone"),
        (Q(70, "kg**2"), "kilogram ** 2 is not a unit of mass; give it in kg, g, lb or stone"),
        ("70", "70 has no unit; give it in kg, g, lb or stone"),
    ],
    ids=["length", "square", "no-unit"],
)
def test_a_weight_of_another_dimension_is_still_told_which_units_to_use(
    weight: object, message: str
) -> None:
    with pytest.raises(DoseInputError) as raised:
        daily_dose("ciclosporin", weight)  # type: ignore[call-overload]
    assert (raised.value.where, raised.value.problem) == ("weight", message)


# -- the units of time a caller's value is read in ---------------------------------------------

SECONDS_PER_DAY = 86_400.0

#: Each unit of time the library reads, with an age in it and that age in days by hand
#: (pint's year is 365.25 days and its month a twelfth of that).
READ_TIMES = [
    pytest.param("16 years", 16 * 365.25, id="years"),
    pytest.param("16 a", 16 * 365.25, id="a"),
    pytest.param("16 yr", 16 * 365.25, id="yr"),
    pytest.param("192 months", 16 * 365.25, id="months"),
    pytest.param("3 weeks", 21.0, id="weeks"),
    pytest.param("10 days", 10.0, id="days"),
    pytest.param("10 d", 10.0, id="d"),
    pytest.param("36 h", 1.5, id="h"),
    pytest.param("36 hours", 1.5, id="hours"),
    pytest.param("720 min", 0.5, id="min"),
    pytest.param("43200 s", 0.5, id="s"),
]


@pytest.mark.parametrize(("age", "days"), READ_TIMES)
def test_an_age_or_a_period_in_years_months_weeks_days_hours_minutes_or_seconds_is_read(
    age: str, days: float
) -> None:
    from ae_systemic._units import checked_age

    _, _, seconds = checked_age(age)
    assert seconds == pytest.approx(days * SECONDS_PER_DAY, rel=1e-12)
    order = Prescription("150 mg", period=age)
    assert order.period_days == pytest.approx(days, rel=1e-12)


#: Units of time pint knows and the library refuses: (text or quantity, pint's unit name,
#: what pint reads the symbol as, for the slips that look like another time's abbreviation).
REFUSED_TIMES = [
    pytest.param("16 ys", "yoctosecond", "'ys' as the yoctosecond (10⁻²⁴ s), not years", id="ys"),
    pytest.param("18 ms", "millisecond", "'ms' as the millisecond, not months", id="ms"),
    pytest.param("12 hs", "hectosecond", "'hs' as the hectosecond (100 s), not hours", id="hs"),
    pytest.param("1 ds", "decisecond", "'ds' as the decisecond (0.1 s), not days", id="ds"),
    pytest.param("16 ks", "kilosecond", None, id="ks"),
    pytest.param("16 fortnight", "fortnight", None, id="fortnight"),
    pytest.param("1 millennium", "millennium", None, id="millennium"),
    pytest.param("1 century", "century", None, id="century"),
    pytest.param("5 shake", "shake", None, id="shake"),
    pytest.param(Q(1, "day * kg / g"), "day * kilogram / gram", None, id="compound"),
]


@pytest.mark.parametrize(("time", "name", "slip"), REFUSED_TIMES)
def test_an_age_or_a_period_in_another_unit_of_time_is_refused_never_converted(
    time: object, name: str, slip: str | None
) -> None:
    """``"16 ys"`` (a slip for "16 yrs") was 16 yoctoseconds: an adult read as a newborn."""
    expected = (
        f"{name} is not a unit of time this library reads (years, months, weeks, days, hours, "
        "minutes or seconds, without a prefix)" + (f"; pint reads {slip}" if slip else "")
    )
    for argument, call in (
        ("age", lambda: Patient(time, "70 kg")),  # type: ignore[arg-type]
        ("age", lambda: ae_systemic.population_for(time)),  # type: ignore[arg-type]
        ("adult_from", lambda: ae_systemic.population_for("16 years", adult_from=time)),  # type: ignore[arg-type]
        ("period", lambda: Prescription("150 mg", period=time)),  # type: ignore[arg-type]
    ):
        with pytest.raises(DoseInputError) as raised:
            call()
        assert raised.value.where == argument
        assert raised.value.problem.startswith(expected + "; give it in ")


def test_a_registry_of_its_own_refuses_prefixed_seconds_on_its_first_reading_of_them() -> None:
    registry: pint.UnitRegistry[float] = pint.UnitRegistry()
    with pytest.raises(DoseInputError) as raised:
        ae_systemic.population_for(registry.Quantity(16, "ys"))
    assert raised.value.problem.startswith("yoctosecond is not a unit of time this library reads")
    child = ae_systemic.population_for(registry.Quantity(16, "years"))
    assert child is ae_systemic.Population.CHILD


def test_a_unit_that_is_no_time_or_a_time_that_is_read_has_no_refusal_to_explain() -> None:
    from ae_systemic._units import refused_time_unit

    # The cohort's columns ask refused_time_unit for the words of a unit seconds_per refused.
    assert refused_time_unit(Q(1, "m").units) is None
    assert refused_time_unit(Q(1, "1/day").units) is None
    assert refused_time_unit(Q(1, "year").units) is None
    assert refused_time_unit(Q(1, "week").units) is None
    assert refused_time_unit(Q(1, "fortnight").units) == (
        "fortnight is not a unit of time this library reads (years, months, weeks, days, "
        "hours, minutes or seconds, without a prefix)"
    )
