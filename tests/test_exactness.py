"""Outputs as exact as the data: no unstated level, printed ranges inside the computed ones,
every choice of the library labelled where its result is shown.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ae_systemic
from ae_systemic import FindingKind, Patient, Phase, Population, assess, daily_dose
from ae_systemic._report import assessment_report, dose_lines

ROOT = Path(__file__).resolve().parent.parent
CSA = ae_systemic.drug("ciclosporin")

# --- no level the source does not state --------------------------------------------------

#: A confidence level named in words or numbers: "95 %", "95% CI", "0.95", "confidence".
_LEVEL = re.compile(r"\b95\s?%|\b0\.95\b|confidence (interval|level)", re.IGNORECASE)


def _texts() -> list[Path]:
    files = [*(ROOT / "src").rglob("*.py"), *(ROOT / "docs").glob("*.md"), ROOT / "README.md"]
    return [*files, *(ROOT / "src").rglob("*.json")]


@pytest.mark.parametrize("path", _texts(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_file_names_an_interval_level_the_source_does_not_state(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    found = [m.group() for m in _LEVEL.finditer(text)]
    # The one sentence that explains the absence of a level may name the word "confidence".
    allowed = {"confidence interval"} if path.name in ("fhir.md", "provenance.md") else set()
    assert [f for f in found if f.lower() not in allowed] == [], path


def test_every_face_calls_the_interval_as_printed() -> None:
    estimate = CSA.evidence[0]
    assert estimate.is_significant is not False  # (-1.6, -0.4) excludes 0
    assert "level not stated" in estimate._repr_markdown_()
    assert "level not stated" in ae_systemic._report.drug_report(CSA, ae_systemic.guideline())


# --- printed ranges lie inside the computed ranges ------------------------------------------

_RANGE = re.compile(r"(\d+(?:\.\d+)?)–(\d+(?:\.\d+)?) (mg/day|mg)(?![/\w])")


def _printed_ranges(text: str) -> dict[str, list[tuple[float, float]]]:
    found: dict[str, list[tuple[float, float]]] = {}
    for low, high, unit in _RANGE.findall(text):
        found.setdefault(unit, []).append((float(low), float(high)))
    return found


def _inside(printed: tuple[float, float], low: float, high: float) -> bool:
    tolerance = 1e-9 * high  # floating-point noise only
    return low - tolerance <= printed[0] <= printed[1] <= high + tolerance


@settings(max_examples=300, deadline=None)
@given(
    kg=st.floats(min_value=2.0, max_value=250.0, allow_nan=False),
    phase=st.sampled_from([None, Phase.ACUTE, Phase.LONG_TERM]),
)
def test_printed_doses_never_lie_outside_the_computed_range(kg: float, phase: Phase | None) -> None:
    dose = daily_dose(CSA, f"{kg!r} kg", phase=phase)
    daily = (dose.low.m_as("mg/day"), dose.high.m_as("mg/day"))
    single = (dose.per_dose_low.m_as("mg"), dose.per_dose_high.m_as("mg"))
    faces = {
        "str": str(dose),
        "markdown": dose._repr_markdown_(),
        "report": "\n".join(dose_lines(dose)),
    }
    for face, text in faces.items():
        ranges = _printed_ranges(text)
        assert ranges["mg/day"], face
        for printed in ranges["mg/day"]:
            assert _inside(printed, *daily), (face, printed, daily)
        for printed in ranges["mg"]:
            assert _inside(printed, *single), (face, printed, single)


def test_the_65_kg_adult_is_shown_81_3_not_81_2_mg_per_dose() -> None:
    result = assess(CSA, Patient("40 years", "65 kg"))
    assert result.dose.per_dose_low.m_as("mg") == 81.25
    report = assessment_report(result, Patient("40 years", "65 kg"), CSA)
    assert "per dose     81.3–162.5 mg, 2 doses a day" in report
    assert "81.2" not in report
    assert "81.3–162.5 mg" in result._repr_markdown_()
    assert "81.25–162.5 mg per dose" in str(result.dose)


# --- the library's choices, labelled ---------------------------------------------------------


def test_the_adult_threshold_is_labelled_as_the_librarys_choice_in_str_and_notebook() -> None:
    result = assess(CSA, Patient("17 years", "60 kg"))
    assert result.population is Population.CHILD
    assert result.adult_from_years == 18.0
    assert result.adult_from_default is True
    basis = result.population_basis
    assert basis.startswith("adult regimens from 18 years, a choice of this library")
    assert "the guideline gives no age between its children's and adults' ranges" in basis
    assert basis in str(result)
    assert basis in result._repr_markdown_().replace("\\", "")


def test_a_callers_threshold_is_labelled_as_the_callers() -> None:
    result = assess(CSA, Patient("17 years", "60 kg"), adult_from="16 years")
    assert result.population is Population.ADULT
    assert (result.adult_from_years, result.adult_from_default) == (16.0, False)
    assert result.population_basis == "adult regimens from 16 years, as the caller chose"


@pytest.mark.parametrize("years", [16, 17])
def test_a_licensed_teenager_with_an_acute_flare_is_told_why_the_childrens_range_applies(
    years: int,
) -> None:
    result = assess(CSA, Patient(f"{years} years", "60 kg"), phase=Phase.ACUTE)
    assert result.licensed is True
    assert result.regimen.population is Population.CHILD
    fallback = result.dose.fallback
    assert fallback is not None
    # True for this patient: a child only by the library's threshold, and why.
    assert fallback.startswith(f"At {years} years, this patient gets the children's regimens")
    assert "a choice of this library" in fallback
    assert "The guideline gives no acute flare, short-term regimen of ciclosporin" in fallback


def test_an_adult_with_an_acute_flare_gets_no_fallback() -> None:
    result = assess(CSA, Patient("40 years", "60 kg"), phase=Phase.ACUTE)
    assert result.dose.fallback is None


def test_the_inferred_doses_a_day_are_noted_where_the_regimen_is_printed() -> None:
    dose = daily_dose(CSA, "70 kg", phase=Phase.ACUTE)
    note = dose.regimen.note
    assert note is not None
    assert "two single doses" in note
    assert note in " ".join("\n".join(dose_lines(dose)).split())
    assert note in dose._repr_markdown_()
    assert str(dose).endswith(f"({note})")


def test_the_schedule_says_it_is_an_example_and_how_its_dates_are_counted() -> None:
    import datetime

    schedule = ae_systemic.monitoring_schedule(CSA, datetime.date(2027, 1, 15))
    for shown in (str(schedule[2]), schedule._repr_markdown_(), schedule[2]._repr_markdown_()):
        assert "national guidelines apply" in shown
        assert "a reading of this library" in shown


# --- facts in every assessment ---------------------------------------------------------------


def test_a_child_is_told_the_guidelines_statement_on_children() -> None:
    child = assess(CSA, Patient("10 years", "30 kg")).of_kind(FindingKind.CHILDREN)
    (group,) = [g for g in CSA.special_populations if g.group == "children and adolescents"]
    assert [f.message for f in child] == [s.text for s in group.statements]
    assert [f.references for f in child] == [(3, 5, 13)]
    assert assess(CSA, Patient("40 years", "70 kg")).of_kind(FindingKind.CHILDREN) == ()


def test_everyone_is_told_the_safety_statements_with_their_references() -> None:
    for patient in (Patient("40 years", "70 kg"), Patient("10 years", "30 kg")):
        safety = assess(CSA, patient).of_kind(FindingKind.SAFETY)
        assert [(f.message, f.references) for f in safety] == [
            (s.text, s.references) for s in CSA.safety
        ]


def test_the_uv_finding_uses_the_sources_words() -> None:
    from ae_systemic import Phototherapy

    result = assess(CSA, Patient("40 years", "70 kg", phototherapy=frozenset(Phototherapy)))
    avoid = result.of_kind(FindingKind.AVOID_COMBINATION)
    assert len(avoid) == 3
    assert str(avoid[0].kind) == "should not be combined"
    alias: object = FindingKind.CONTRAINDICATED_COMBINATION  # the deprecated name, one member
    assert alias is FindingKind.AVOID_COMBINATION
    assert "contraindicated" not in str(result)


# --- unstructure: JSON-ready data for every public value ---------------------------------------


def _public_values() -> dict[str, object]:
    import datetime

    import numpy as np

    import ae_systemic.fhir
    from ae_systemic.cds_hooks import ServiceConfig

    patient = Patient(
        "15 years",
        "50 kg",
        pregnant=True,
        phototherapy=frozenset({ae_systemic.Phototherapy.UVB, ae_systemic.Phototherapy.UVA}),
        co_medications=(ae_systemic.CoMedication("atorvastatin", frozenset(ae_systemic.Pathway)),),
    )
    schedule = ae_systemic.monitoring_schedule(CSA, datetime.date(2027, 1, 15))
    weights = ae_systemic.application_registry().Quantity(np.array([50.0, 70.0]), "kg")
    return {
        "Guideline": ae_systemic.guideline(),
        "Drug": CSA,
        "DoseRange": daily_dose(CSA, "70 kg"),
        "DoseRange of an array": daily_dose(CSA, weights),
        "DosePlan": ae_systemic.dose_plan(CSA, "70 kg", phase=Phase.ACUTE),
        "Patient": patient,
        "CoMedication": patient.co_medications[0],
        "Assessment": assess(CSA, patient, phase=Phase.ACUTE),
        "Finding": assess(CSA, patient).findings[0],
        "Visit": schedule[0],
        "Schedule": schedule,
        "PatientRecord": ae_systemic.fhir.PatientRecord(
            patient, True, (("age", "Patient/p1"), ("weight", "Observation/w1")), ("a note",)
        ),
        "ServiceConfig": ServiceConfig(
            phototherapy={("urn:codes", "UVB-1"): ae_systemic.Phototherapy.UVB},
            pathways={"medicine x": frozenset({ae_systemic.Pathway.OATP})},
            drug_codes={("urn:codes", "CSA-1"): "ciclosporin"},
        ),
    }


@pytest.mark.parametrize("name", sorted(_public_values()))
def test_unstructure_gives_json_ready_data_for_every_public_value(name: str) -> None:
    import json

    data = ae_systemic.unstructure(_public_values()[name])
    assert json.loads(json.dumps(data, allow_nan=False)) == data


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (("16 years", "30.4 kg"), ("192 months", "30400 g")),
        (("30 years", "154 lb"), ("360 months", "11 stone")),
    ],
)
def test_equal_patients_write_equal_json_with_the_weight_of_their_dose(
    first: tuple[str, str], second: tuple[str, str]
) -> None:
    one, other = Patient(*first), Patient(*second)
    if one != other:  # 154 lb is 11 stone exactly; both pairs are equal
        pytest.fail(f"{one!r} != {other!r}")
    assert ae_systemic.unstructure(one) == ae_systemic.unstructure(other)
    # Within one document, the patient's weight is the weight the dose was computed from.
    written = ae_systemic.unstructure(assess("ciclosporin", other))
    assert isinstance(written, dict)
    patient, dose = written["patient"], written["dose"]
    assert isinstance(patient, dict)
    assert isinstance(dose, dict)
    assert patient["weight"] == dose["weight"]


def test_unstructure_of_a_dose_gives_its_quantities_in_fixed_units() -> None:
    data = ae_systemic.unstructure(daily_dose(CSA, "154 lb", phase=Phase.ACUTE))
    assert isinstance(data, dict)
    assert data["low"] == {"value": pytest.approx(279.4, abs=0.1), "unit": "mg/day"}
    assert data["per_dose_high"] == {"value": pytest.approx(174.6, abs=0.1), "unit": "mg"}
    assert data["regimen"] == ae_systemic.unstructure(CSA.regimens[1])


@pytest.mark.parametrize("value", [object(), {"a": object()}, {1: "x"}, [b"bytes"]], ids=repr)
def test_unstructure_refuses_what_json_cannot_carry(value: object) -> None:
    with pytest.raises(ae_systemic.ArgumentTypeError, match=r"^obj: "):
        ae_systemic.unstructure(value)


@pytest.mark.parametrize("name", sorted(_public_values()))
def test_every_public_value_pickles_to_an_equal_value(name: str) -> None:
    # Values cross process boundaries (multiprocessing, Dask); a registry does not pickle,
    # so computed values come back in the application registry, as pint's quantities do.
    import pickle

    value = _public_values()[name]
    again = pickle.loads(pickle.dumps(value))
    assert again == value
    assert ae_systemic.unstructure(again) == ae_systemic.unstructure(value)
