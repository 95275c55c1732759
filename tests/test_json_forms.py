"""The JSON form (``unstructure``) of every computed value, key by key, with hand-computed numbers.

The command line's ``--json``, the audit files and the CDS Hooks service print these forms,
so each key is a result: its name, its unit and its number.  Ciclosporin's adult range is
2.5-5 mg/kg/day in 2 single doses: 70 kg gives 175-350 mg/day, 87.5-175 mg a dose.  The
synthetic drugs (made-up test data) give the shapes ciclosporin has not.
"""

from __future__ import annotations

import json
from typing import Any

import attrs
import numpy as np
import pint
import pytest

import ae_systemic
from ae_systemic import (
    Amount,
    CoMedication,
    DoseRegimen,
    FixedDose,
    Interval,
    Pathway,
    Patient,
    Phase,
    Population,
    Prescription,
    WeightBand,
    assess,
    check_dose,
    daily_dose,
    dose_plan,
    unstructure,
)
from ae_systemic._prescription import frequency_text

APP: pint.UnitRegistry[float] = pint.get_application_registry()  # type: ignore[no-untyped-call]
Q = APP.Quantity
CSA = ae_systemic.drug("ciclosporin")


def q(value: object, unit: str) -> dict[str, object]:
    return {"value": value, "unit": unit}


def as_json(value: object) -> Any:
    """``unstructure(value)`` through a JSON round trip: what a reader of the output gets."""
    return json.loads(json.dumps(unstructure(value)))


def test_a_dose_range() -> None:
    dose = daily_dose(CSA, Q(70, "kg"))
    assert as_json(dose) == {
        "weight": q(70.0, "kg"),
        "low": q(175.0, "mg/day"),
        "high": q(350.0, "mg/day"),
        "per_dose_low": q(87.5, "mg"),
        "per_dose_high": q(175.0, "mg"),
        "doses_per_day": 2,
        "regimen": as_json(dose.regimen),
        "fallback": None,
        "references": [],
    }


def test_a_dose_range_with_a_fallback_and_references() -> None:
    # A child with a phase gets the children's regimen and a note; the regimen cites (1, 2)
    # in this synthetic copy of ciclosporin.
    cited = attrs.evolve(
        CSA,
        name="Examplocitin",
        synonyms=(),
        atc=None,
        regimens=tuple(attrs.evolve(r, references=(1, 2)) for r in CSA.regimens),
    )
    dose = daily_dose(cited, Q(30, "kg"), population=Population.CHILD, phase=Phase.ACUTE)
    data = as_json(dose)
    assert data["references"] == [1, 2]
    assert data["fallback"] == dose.fallback
    assert data["fallback"].startswith(
        "The guideline gives no acute flare, short-term regimen of Examplocitin for children;"
    )


def test_a_dose_range_of_an_array_of_weights() -> None:
    data = as_json(daily_dose(CSA, Q(np.array([40.0, 70.0]), "kg")))
    assert data["weight"] == q([40.0, 70.0], "kg")
    assert data["low"] == q([100.0, 175.0], "mg/day")
    assert data["high"] == q([200.0, 350.0], "mg/day")
    assert data["per_dose_low"] == q([50.0, 87.5], "mg")
    assert data["per_dose_high"] == q([100.0, 175.0], "mg")


def test_a_dose_plan_of_a_daily_rate() -> None:
    plan = dose_plan(CSA, Q(70, "kg"))
    assert as_json(plan) == {
        "regimen": as_json(plan.regimen),
        "amount_low": q(87.5, "mg"),
        "amount_high": q(175.0, "mg"),
        "interval": q(0.5, "day"),
        "loading_low": None,
        "loading_high": None,
        "band": None,
        "fallback": None,
    }


def synthetic(label: str, **shape: Any) -> ae_systemic.Drug:
    fields: dict[str, Any] = {"rate": None, "doses_per_day": None, **shape}
    regimen = DoseRegimen(Population.ADULT, None, label, location="synthetic test data", **fields)
    return attrs.evolve(CSA, name="Examplumab", synonyms=(), regimens=(regimen,), atc=None)


def test_a_dose_plan_with_a_loading_dose_and_a_band() -> None:
    # Synthetic: 400-600 mg loading, then 100 mg below 60 kg or 150 mg from 60 kg, every 4 weeks.
    band = WeightBand(FixedDose(Amount(150, 150), Interval(4, "week")), 60)
    drug = synthetic(
        "banded",
        bands=(WeightBand(FixedDose(Amount(100, 100), Interval(4, "week")), max_weight=60), band),
        loading=Amount(400, 600),
    )
    plan = dose_plan(drug, Q(70, "kg"))
    data = as_json(plan)
    assert data["amount_low"] == q(150.0, "mg")
    assert data["amount_high"] == q(150.0, "mg")
    assert data["interval"] == q(4.0, "week")
    assert data["loading_low"] == q(400.0, "mg")
    assert data["loading_high"] == q(600.0, "mg")
    assert data["band"] == as_json(band)
    assert data["fallback"] is None
    assert repr(plan) == (
        "DosePlan(regimen='banded', amount_low=<Quantity(150.0, 'milligram')>, "
        "amount_high=<Quantity(150.0, 'milligram')>, interval=<Quantity(4.0, 'week')>, "
        "loading_low=<Quantity(400.0, 'milligram')>, loading_high=<Quantity(600.0, 'milligram')>, "
        f"band={band!r}, fallback=None)"
    )
    assert str(plan) == "loading dose 400–600 mg, then 150 mg every 4 weeks (banded)"


def test_a_dose_plan_of_a_fixed_dose_reads_in_words() -> None:
    drug = synthetic("fixed", fixed=FixedDose(Amount(10, 20), Interval(1, "day")))
    assert str(dose_plan(drug)) == "10–20 mg every 1 day (fixed)"


@pytest.mark.parametrize(
    ("kg", "amount"), [(59.999, 100.0), (60.0, 150.0), (99.999, 150.0), (100.0, 200.0)]
)
def test_the_band_holding_the_weight_is_chosen_at_its_edges(kg: float, amount: float) -> None:
    # Synthetic bands: below 60 kg 100 mg; 60 to below 100 kg 150 mg; from 100 kg 0.2 g.
    drug = synthetic(
        "by weight band",
        bands=(
            WeightBand(FixedDose(Amount(100, 100), Interval(4, "week")), max_weight=60),
            WeightBand(FixedDose(Amount(150, 150), Interval(4, "week")), 60, 100),
            WeightBand(FixedDose(Amount(0.2, 0.2, "g"), Interval(4, "week")), min_weight=100),
        ),
    )
    plan = dose_plan(drug, Q(kg, "kg"))
    assert plan.amount_low.m_as("mg") == pytest.approx(amount, rel=1e-12)
    assert plan.band is not None
    assert plan.band.dose.amount.low * (1000 if plan.band.dose.amount.unit == "g" else 1) == (
        pytest.approx(amount, rel=1e-12)
    )


def test_no_band_for_the_weight_names_the_weight_and_every_band() -> None:
    drug = synthetic(
        "two bands",
        bands=(
            WeightBand(FixedDose(Amount(100, 100), Interval(4, "week")), 40, 60),
            WeightBand(FixedDose(Amount(150, 150), Interval(4, "week")), 60, 100),
        ),
    )
    bands = "; ".join(str(b) for b in drug.regimens[0].bands)
    with pytest.raises(ae_systemic.DoseInputError) as caught:
        dose_plan(drug, Q(30, "kg"))
    assert caught.value.argument == "weight"
    assert caught.value.problem == f"no weight band of 'two bands' holds 30 kg (bands: {bands})"
    with pytest.raises(ae_systemic.DoseInputError) as caught:
        dose_plan(drug)
    assert caught.value.argument == "weight"
    assert caught.value.problem == "'two bands' is dosed by weight band; give the weight"


def test_a_prescription() -> None:
    # 150 mg twice in 12 hours: 4 administrations a day, 600 mg/day.
    assert as_json(Prescription("150 mg", frequency=2, period="12 h")) == {
        "amount": q(150.0, "mg"),
        "frequency": 2,
        "period": q(0.5, "day"),
        "daily": q(600.0, "mg/day"),
        "administrations_per_day": 4.0,
    }
    # 0.1 g once every 2 days: 50 mg/day.
    assert as_json(Prescription("0.1 g", period="2 day")) == {
        "amount": q(100.0, "mg"),
        "frequency": 1,
        "period": q(2.0, "day"),
        "daily": q(50.0, "mg/day"),
        "administrations_per_day": 0.5,
    }


def test_a_dose_check() -> None:
    prescription = Prescription("150 mg", frequency=2, period="12 h")
    check = check_dose(CSA, "70 kg", prescription)
    data = as_json(check)
    assert data == {
        "status": "above",
        "prescription": as_json(prescription),
        "daily": q(600.0, "mg/day"),
        "per_kg": q(600 / 70, "mg/kg/day"),
        "range": as_json(check.range),
        # (600 - 350) / 350
        "deviation": 250 / 350,
        "frequency_matches": False,
        "single_dose_status": "within",
        "tolerance": 0.0,
        "message": (
            "600 mg/day (8.6 mg/kg/day) is above the range of 175–350 mg/day "
            "(2.5–5 mg/kg/day) for a 70 kg adult, by 71 %."
        ),
        "references": [],
    }


def test_an_assessment() -> None:
    patient = Patient(
        Q(15, "year"),
        Q(50, "kg"),
        co_medications=(CoMedication("Digoxin", frozenset({Pathway.P_GP})),),
    )
    prescription = Prescription("50 mg", frequency=2)
    assessment = assess(CSA, patient, prescription=prescription)
    data = as_json(assessment)
    assert list(data) == [
        "drug",
        "patient",
        "population",
        "adult_from",
        "adult_from_default",
        "population_basis",
        "regimen",
        "dose",
        "licensed",
        "findings",
        "dose_check",
    ]
    assert data["drug"] == "ciclosporin"
    assert data["patient"] == {
        "age": q(15.0, "year"),
        "weight": q(50.0, "kg"),
        "pregnant": False,
        "phototherapy": [],
        "co_medications": [{"name": "Digoxin", "pathways": ["P-gp"]}],
    }
    assert data["population"] == "child"
    assert data["adult_from"] == q(18.0, "year")
    assert data["adult_from_default"] is True
    assert data["population_basis"] == assessment.population_basis
    assert data["regimen"] == as_json(assessment.regimen)
    # The children's regimen, 2.5-5 mg/kg/day for 50 kg: 125-250 mg/day.
    assert data["dose"]["low"] == q(125.0, "mg/day")
    assert data["dose"]["high"] == q(250.0, "mg/day")
    assert data["licensed"] is False
    assert data["findings"] == [as_json(f) for f in assessment.findings]
    assert [f["kind"] for f in data["findings"][:3]] == [
        "dose-below-range",
        "off-label",
        "interaction",
    ]
    assert data["dose_check"] == as_json(assessment.dose_check)
    assert data["dose_check"]["status"] == "below"
    # (100 - 125) / 125
    assert data["dose_check"]["deviation"] == pytest.approx(-0.2, rel=1e-12)


def test_an_assessment_without_a_prescription_or_with_the_callers_adult_age() -> None:
    adult = Patient(Q(17, "year"), Q(70, "kg"))
    data = as_json(assess(CSA, adult, adult_from="16 years"))
    assert data["dose_check"] is None
    assert data["population"] == "adult"
    assert data["adult_from"] == q(16.0, "year")
    assert data["adult_from_default"] is False
    assert data["licensed"] is True


def test_an_assessment_reads_in_words() -> None:
    patient = Patient(Q(30, "year"), Q(70, "kg"))
    text = str(assess(CSA, patient, phase=Phase.ACUTE))
    lines = text.splitlines()
    assert lines[0] == (
        f"ciclosporin, adults ({assess(CSA, patient).population_basis}): "
        f"{daily_dose(CSA, Q(70, 'kg'), phase=Phase.ACUTE)}"
    )
    assert lines[1] == "licensed for this age: yes"
    assert lines[2].startswith("- safety: ")
    assert "note:" not in text
    child = str(assess(CSA, Patient(Q(10, "year"), Q(30, "kg")), phase=Phase.ACUTE))
    assert child.splitlines()[1] == "licensed for this age: no"
    assert child.splitlines()[2].startswith(
        "note: At 10 years, this patient gets the children's regimens"
    )
    assert child.splitlines()[3].startswith("- off-label: ")


def test_a_finding_reads_with_its_kind_and_references() -> None:
    finding = ae_systemic.Finding(ae_systemic.FindingKind.SAFETY, "needs care", (4, 11))
    assert str(finding) == "safety: Needs care [refs 4, 11]"
    assert as_json(finding) == {"kind": "safety", "message": "Needs care", "references": [4, 11]}


def test_a_dose_range_reads_in_words_with_or_without_a_note() -> None:
    # 55.55 kg: 138.875-277.75 mg/day, 69.4375-138.875 mg a dose; two decimals at most.
    assert str(daily_dose(CSA, Q(55.55, "kg"))) == (
        "138.88–277.75 mg/day (69.44–138.87 mg per dose, 2 doses a day) for 55.55 kg: "
        "standard dosage adults: 2.5–5 mg/kg/day in 2 single doses"
    )
    acute = daily_dose(CSA, Q(70, "kg"), phase=Phase.ACUTE)
    assert str(acute).endswith(f": {acute.regimen} ({acute.regimen.note})")


def test_a_dose_plan_carries_the_fallback_note() -> None:
    plan = dose_plan(CSA, Q(30, "kg"), population=Population.CHILD, phase=Phase.ACUTE)
    dose = daily_dose(CSA, Q(30, "kg"), population=Population.CHILD, phase=Phase.ACUTE)
    assert plan.fallback is not None
    assert plan.fallback == dose.fallback
    assert as_json(plan)["fallback"] == dose.fallback


@pytest.mark.parametrize(
    ("frequency", "period", "given"),
    [
        (1, "8 h", "3 administrations a day"),
        (1, "36 h", "0.67 administrations a day"),
        (1, "1 day", "1 administration a day"),
    ],
)
def test_the_administrations_a_day_read_in_words(frequency: int, period: str, given: str) -> None:
    check = check_dose(CSA, "70 kg", Prescription("100 mg", frequency=frequency, period=period))
    assert check.frequency_matches is False
    assert frequency_text(check) == (
        f"The prescription gives {given}; the regimen divides the daily dose into 2 single doses."
    )
