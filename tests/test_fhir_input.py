"""Reading patients and prescriptions from health records (FHIR R4 and R5 in).

The fixtures ``tests/fixtures/fhir/r4-everything.json`` and ``r5-everything.json`` are
written for this project in the shape a FHIR server's ``Patient/$everything`` returns (a
``searchset`` Bundle): one patient born 1985-04-12; body weights over time (72.5 kg in June
2024, 160 lb on 20 February 2025, 7.25 kg entered in error on 27 February, 70.8 kg measured
after the decision date of 1 March 2025), a height, a "not pregnant" status, four
medication requests (ciclosporin 150 mg twice daily by ``timing.repeat``, metformin 500 mg
by ``timing.code`` BID, atorvastatin through a ``Medication`` resource, a stopped
methotrexate), an active cetirizine statement, a planned narrowband UVB order in a local
code system, and a condition no reader looks at.  The pathways and the phototherapy code
are the caller's (this test's) mapping, as the library ships none.
"""

from __future__ import annotations

import copy
import datetime as dt
import decimal
import itertools
import json
import pickle
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ae_systemic
from ae_systemic import (
    ArgumentTypeError,
    CoMedication,
    DataError,
    DoseStatus,
    Drug,
    InputError,
    Pathway,
    Patient,
    Phototherapy,
    Prescription,
    UnknownDrugError,
)
from ae_systemic.fhir import (
    MAX_RESOURCES,
    PatientRecord,
    drug_for,
    read_patient,
    read_prescription,
)

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "fhir"
VERSIONS = ("r4", "r5")
ON = dt.date(2025, 3, 1)
Q = ae_systemic.application_registry().Quantity

UCUM = "http://unitsofmeasure.org"
ATC = "http://www.whocc.no/atc"
LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
GTS = "http://terminology.hl7.org/CodeSystem/v3-GTSAbbreviation"
LOCAL = "https://fhir.example.org/CodeSystem/dermatology-procedures"
#: The caller's mappings: the library ships no substrates and no procedure codes.
PATHWAYS = {"atorvastatin": frozenset({Pathway.CYP3A4, Pathway.OATP})}
PHOTOTHERAPY = {(LOCAL, "NB-UVB"): Phototherapy.UVB}

Json = dict[str, Any]


# --- fixtures and helpers ------------------------------------------------------------------


def load(version: str) -> Json:
    data: Json = json.loads((FIXTURES / f"{version}-everything.json").read_text("utf-8"))
    return data


@pytest.fixture(params=VERSIONS)
def version(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    return name


@pytest.fixture
def bundle(version: str) -> Json:
    return load(version)


def index_of(bundle: Json, label: str) -> int:
    kind, resource_id = label.split("/")
    for i, entry in enumerate(bundle["entry"]):
        resource = entry["resource"]
        if resource["resourceType"] == kind and resource.get("id") == resource_id:
            return i
    raise KeyError(label)


def resource(bundle: Json, label: str) -> Json:
    found: Json = bundle["entry"][index_of(bundle, label)]["resource"]
    return found


def without(bundle: Json, *labels: str) -> Json:
    """A copy of ``bundle`` without the resources ``labels``, its ``total`` lowered to match."""
    kept = copy.deepcopy(bundle)
    for label in labels:
        del kept["entry"][index_of(kept, label)]
    if "total" in kept:
        kept["total"] -= len(labels)
    return kept


def edited(bundle: Json, label: str, change: Callable[[Json], object]) -> Json:
    """A copy of ``bundle`` whose resource ``label`` ``change`` has edited in place."""
    copied = copy.deepcopy(bundle)
    change(resource(copied, label))
    return copied


def added(bundle: Json, *resources: Json) -> Json:
    copied = copy.deepcopy(bundle)
    copied["entry"] += [{"resource": r} for r in resources]
    return copied


def read(bundle: object, **options: Any) -> PatientRecord:
    keywords: dict[str, Any] = {
        "on": ON,
        "pathways": PATHWAYS,
        "phototherapy": PHOTOTHERAPY,
        "excluding": "ciclosporin",
    }
    keywords.update(options)
    return read_patient(bundle, **keywords)  # type: ignore[arg-type]


def outcome(call: Callable[[], object]) -> object:
    """What ``call`` returns, or the :class:`DataError` it raises (any other error fails)."""
    try:
        return call()
    except DataError as error:
        return error


def refused(call: Callable[[], object]) -> DataError:
    with pytest.raises(DataError) as raised:
        call()
    return raised.value


def ciclosporin_request(version: str) -> Json:
    return copy.deepcopy(resource(load(version), "MedicationRequest/mr1"))


def dosage(request: Json) -> Json:
    found: Json = request["dosageInstruction"][0]
    return found


def weight_observation(resource_id: str, when: str, value: object, code: str = "kg") -> Json:
    return {
        "resourceType": "Observation",
        "id": resource_id,
        "status": "final",
        "code": {"coding": [{"system": LOINC, "code": "29463-7"}]},
        "subject": {"reference": "Patient/p1"},
        "effectiveDateTime": when,
        "valueQuantity": {"value": value, "system": UCUM, "code": code},
    }


def pregnancy_observation(resource_id: str, when: str, code: str | None) -> Json:
    observation: Json = {
        "resourceType": "Observation",
        "id": resource_id,
        "status": "final",
        "code": {"coding": [{"system": LOINC, "code": "82810-3"}]},
        "subject": {"reference": "Patient/p1"},
        "effectiveDateTime": when,
    }
    if code is not None:
        observation["valueCodeableConcept"] = {"coding": [{"system": SNOMED, "code": code}]}
    return observation


# --- the fixtures are real FHIR ------------------------------------------------------------


def test_the_r4_fixture_is_valid_r4b() -> None:
    bundle_model = pytest.importorskip("fhir.resources.R4B.bundle")
    bundle_model.Bundle.model_validate(load("r4"))


def test_the_r5_fixture_is_valid_r5() -> None:
    bundle_model = pytest.importorskip("fhir.resources.bundle")
    bundle_model.Bundle.model_validate(load("r5"))


def test_the_fixtures_differ_only_where_r4_and_r5_do() -> None:
    r4, r5 = load("r4"), load("r5")
    assert len(r4["entry"]) == len(r5["entry"])
    for old, new in zip(r4["entry"], r5["entry"], strict=True):
        a, b = old["resource"], new["resource"]
        if a["resourceType"] in ("Patient", "Observation", "Medication", "Condition"):
            assert a == b
    assert "medicationCodeableConcept" in resource(r4, "MedicationRequest/mr1")
    assert "concept" in resource(r5, "MedicationRequest/mr1")["medication"]
    assert resource(r5, "MedicationStatement/ms1")["status"] == "recorded"


# --- the patient ---------------------------------------------------------------------------


EXPECTED_CO_MEDICATIONS = (
    CoMedication("Metformin 500 mg tablets"),
    CoMedication("Atorvastatin 20 mg tablets", PATHWAYS["atorvastatin"]),
    CoMedication("Cetirizine 10 mg tablets"),
)


def test_the_record_of_the_everything_bundle(bundle: Json) -> None:
    record = read(bundle)
    assert record.patient == Patient(
        age=Q(39 + 323 / 365, "year"),  # 12 April 2024 to 1 March 2025: 323 of 365 days
        weight=Q(160, "lb"),
        pregnant=False,
        phototherapy=frozenset({Phototherapy.UVB}),
        co_medications=EXPECTED_CO_MEDICATIONS,
    )
    assert record.pregnancy_known is True
    assert record.sources == (
        ("age", "Patient/p1"),
        ("weight", "Observation/w2"),
        ("pregnant", "Observation/preg1"),
        ("co_medications[0]", "MedicationRequest/mr2"),
        ("co_medications[1]", "MedicationRequest/mr3"),
        ("co_medications[2]", "MedicationStatement/ms1"),
        ("phototherapy", "ServiceRequest/sr1"),
    )
    assert record.notes == (
        "MedicationRequest/mr1 (ciclosporin) is the drug assessed, not a co-medication",
    )
    assert record.sources_of("weight") == ("Observation/w2",)


def test_r4_and_r5_give_the_same_record() -> None:
    assert read(load("r4")) == read(load("r5"))


def test_the_weight_in_pounds_is_kept_as_recorded_and_converts_exactly(bundle: Json) -> None:
    weight = read(bundle).patient.weight
    assert weight == Q(160, "lb")
    assert weight.m_as("kg") == pytest.approx(160 * 0.45359237, rel=1e-12)


def test_the_latest_weight_is_not_the_entered_in_error_one_nor_one_after_the_decision(
    bundle: Json,
) -> None:
    assert read(bundle).sources_of("weight") == ("Observation/w2",)
    # After the measured weight of 5 March, it is the latest (LOINC 3141-9 counts too).
    later = read(bundle, on=dt.date(2025, 3, 10))
    assert later.sources_of("weight") == ("Observation/w4",)
    assert later.patient.weight == Q(70.8, "kg")


def test_a_weight_older_than_weight_within_is_not_used(bundle: Json) -> None:
    older = without(bundle, "Observation/w2")
    error = refused(lambda: read(older))
    assert error.paths == ("Bundle",)
    message = str(error)
    assert "no body weight" in message
    assert "dated from 2025-01-30 to 2025-03-01" in message
    assert "1 older" in message
    assert "1 status entered-in-error" in message
    assert "1 after 2025-03-01" in message
    assert "weight_within=" in message
    record = read(older, weight_within="1 year")
    assert record.sources_of("weight") == ("Observation/w1",)
    assert record.patient.weight == Q(72.5, "kg")


def test_the_default_weight_window_is_the_documented_30_days(bundle: Json) -> None:
    assert ae_systemic.fhir.DEFAULT_WEIGHT_WITHIN == "30 days"
    # w2 is 9 days old: kept with a window of 9 days, not with one of 8.
    assert read(bundle, weight_within="9 days").sources_of("weight") == ("Observation/w2",)
    with pytest.raises(DataError, match="no body weight"):
        read(bundle, weight_within=Q(8, "day"))


def test_a_bundle_without_any_weight_says_none_was_found(bundle: Json) -> None:
    bare = without(bundle, "Observation/w1", "Observation/w2", "Observation/w3", "Observation/w4")
    assert "(none found)" in str(refused(lambda: read(bare)))


def test_two_weights_at_the_latest_time_that_disagree_are_refused(bundle: Json) -> None:
    same = added(bundle, weight_observation("w9", "2025-02-20T10:30:00+01:00", 80))
    error = refused(lambda: read(same))
    assert "Observation/w2" in str(error)
    assert "Observation/w9" in str(error)
    assert "disagree" in str(error)
    # A later time on the same day orders them.
    later = added(bundle, weight_observation("w9", "2025-02-20T18:00:00+01:00", 80))
    assert read(later).sources_of("weight") == ("Observation/w9",)


def test_date_times_in_other_time_zones_are_ordered_by_their_instants(bundle: Json) -> None:
    """20 February 20:00 in New York is 21 February 01:00 UTC: later than 00:30 UTC."""
    new_york = weight_observation("w8", "2025-02-27T20:00:00-05:00", 80)
    utc = weight_observation("w9", "2025-02-28T00:30:00Z", 90)
    record = read(added(bundle, utc, new_york))
    assert record.sources_of("weight") == ("Observation/w8",)
    assert record.patient.weight == Q(80, "kg")
    pregnant = pregnancy_observation("preg8", "2025-02-27T20:00:00-05:00", "77386006")
    not_pregnant = pregnancy_observation("preg9", "2025-02-28T00:30:00Z", "60001007")
    record = read(added(bundle, not_pregnant, pregnant))
    assert record.patient.pregnant is True
    assert record.sources_of("pregnant") == ("Observation/preg8",)


def test_a_date_time_on_the_decision_day_in_utc_is_not_after_it(bundle: Json) -> None:
    """00:30 on 2 March at +13:00 is 11:30 UTC on 1 March: at or before the decision, 1 March.

    A service decides on the day in UTC; a weight just taken in a clinic east of UTC is
    written on the next day.
    """
    east = weight_observation("w8", "2025-03-02T00:30:00+13:00", 80)
    record = read(added(bundle, east))
    assert record.sources_of("weight") == ("Observation/w8",)
    later = weight_observation("w9", "2025-03-02T14:00:00+13:00", 90)  # 1:00 UTC on 2 March
    assert read(added(bundle, east, later)).sources_of("weight") == ("Observation/w8",)
    pregnant = pregnancy_observation("preg8", "2025-03-02T00:30:00+13:00", "77386006")
    assert read(added(bundle, pregnant)).patient.pregnant is True


def test_a_date_time_is_as_recent_as_the_later_of_its_two_dates(bundle: Json) -> None:
    """20:00 on 30 January at -05:00 is 1:00 UTC on 31 January: 29 days before 1 March."""
    only = without(bundle, "Observation/w1", "Observation/w2", "Observation/w3", "Observation/w4")
    west = added(only, weight_observation("w8", "2025-01-30T20:00:00-05:00", 80))
    assert read(west, weight_within="29 days").sources_of("weight") == ("Observation/w8",)
    assert "1 older" in str(refused(lambda: read(west, weight_within="28 days")))


def test_a_partial_date_is_not_later_than_a_date_within_it(bundle: Json) -> None:
    """'2025-02' may be before or after 27 February: two different weights are refused."""
    month = weight_observation("w8", "2025-02", 80)
    day = weight_observation("w9", "2025-02-27", 90)
    error = refused(lambda: read(added(bundle, month, day)))
    assert str(error).endswith(
        "the latest body weights (Observation/w8, Observation/w9, from 2025-02-01 to "
        "2025-02-28) disagree and their times do not order them; correct the one that is wrong"
    )
    # The same weight twice is no disagreement; a day after the month orders them.
    assert read(added(bundle, month, weight_observation("w9", "2025-02-27", 80))).sources_of(
        "weight"
    ) == ("Observation/w8",)
    after = read(added(bundle, month, weight_observation("w9", "2025-03-01", 90)))
    assert after.sources_of("weight") == ("Observation/w9",)
    pregnant = pregnancy_observation("preg8", "2025-02", "77386006")
    not_pregnant = pregnancy_observation("preg9", "2025-02-27", "60001007")
    assert "disagree" in str(refused(lambda: read(added(bundle, pregnant, not_pregnant))))
    assert str(refused(lambda: read(added(bundle, pregnant, not_pregnant)))).endswith(
        "the latest pregnancy statuses (Observation/preg8, Observation/preg9, from 2025-02-01 "
        "to 2025-02-28) disagree and their times do not order them; correct the one that is wrong"
    )


def test_a_date_without_a_time_is_ordered_by_the_days_of_a_date_time(bundle: Json) -> None:
    """A date-time counts on its own date as written, against a date without a time."""
    dated = weight_observation("w8", "2025-02-28", 80)
    earlier_day = weight_observation("w9", "2025-02-27T23:30:00-05:00", 90)  # 28th in UTC
    assert read(added(bundle, dated, earlier_day)).sources_of("weight") == ("Observation/w8",)
    same_day = weight_observation("w9", "2025-02-28T08:00:00+01:00", 90)
    assert "on 2025-02-28) disagree" in str(refused(lambda: read(added(bundle, dated, same_day))))


def test_an_implausible_weight_names_the_value(bundle: Json) -> None:
    heavy = edited(bundle, "Observation/w2", lambda r: r["valueQuantity"].update(value=7000))
    error = refused(lambda: read(heavy))
    i = index_of(bundle, "Observation/w2")
    assert error.paths == (f"Bundle.entry[{i}].resource.valueQuantity.value",)
    assert str(error).count("Observation/w2") == 1
    assert "heavier than any person on record" in str(error)


def test_a_weight_that_is_not_a_mass_is_refused(bundle: Json) -> None:
    in_days = edited(
        bundle, "Observation/w2", lambda r: r["valueQuantity"].update(code="d", unit="d")
    )
    error = refused(lambda: read(in_days))
    i = index_of(bundle, "Observation/w2")
    assert error.paths == (f"Bundle.entry[{i}].resource.valueQuantity.code",)
    assert "not a mass" in str(error)


def test_a_weight_with_a_data_absent_reason_is_not_a_weight(bundle: Json) -> None:
    def absent(observation: Json) -> None:
        del observation["valueQuantity"]
        observation["dataAbsentReason"] = {"text": "patient in wheelchair"}

    no_value = edited(bundle, "Observation/w2", absent)
    assert read(no_value, weight_within="1 year").sources_of("weight") == ("Observation/w1",)


def test_an_undated_weight_is_refused_it_might_be_the_latest(bundle: Json) -> None:
    undated = edited(bundle, "Observation/w2", lambda r: r.pop("effectiveDateTime"))
    error = refused(lambda: read(undated))
    assert error.paths[0].endswith(".resource.effective[x]")


@pytest.mark.parametrize(
    ("when", "span"), [("2025-03", "month 2025-03"), ("2025", "year 2025")], ids=["month", "year"]
)
def test_a_weight_dated_to_a_month_or_year_holding_the_day_is_refused(
    bundle: Json, when: str, span: str
) -> None:
    # Counted at its last day, it was dropped as after 1 March: the older weight was used.
    partly = added(bundle, weight_observation("w9", when, 60))
    error = refused(lambda: read(partly))
    assert error.paths[0].endswith(".resource.effective[x]")
    assert (
        f"Observation/w9: a body weight dated only to the {span}, which holds the day "
        "2025-03-01, might be the latest; give its full date"
    ) in str(error)
    # A month after the day is after it, as before.
    after = added(bundle, weight_observation("w9", "2025-04", 60))
    assert read(after).sources_of("weight") == ("Observation/w2",)


def test_a_weight_dated_to_a_year_ending_on_the_day_is_not_passed_over(bundle: Json) -> None:
    # On its last day, "2025" was counted at its first day, as older than 30 days, and
    # dropped: the weight of 20 December was used, though "2025" may be of that very day.
    on = dt.date(2025, 12, 31)
    beside = added(
        bundle, weight_observation("w8", "2025-12-20", 70), weight_observation("w9", "2025", 60)
    )
    assert "disagree" in str(refused(lambda: read(beside, on=on)))
    alone = added(bundle, weight_observation("w9", "2025", 60))
    error = refused(lambda: read(alone, on=on))
    assert error.paths[0].endswith(".resource.effective[x]")
    assert (
        "Observation/w9: a body weight dated only to the year 2025 may be more than 30 days "
        "before 2025-12-31, or not; give its full date"
    ) in str(error)
    # A month wholly older than the window is older, as before.
    older = added(bundle, weight_observation("w9", "2025-01", 60))
    assert read(older).sources_of("weight") == ("Observation/w2",)


@pytest.mark.parametrize("month_first", [True, False], ids=["month-first", "day-first"])
def test_agreeing_weights_of_a_month_and_a_day_within_give_the_weight_in_any_order(
    bundle: Json, month_first: bool
) -> None:
    weights = [weight_observation("w8", "2025-02-15", 70), weight_observation("w9", "2025-02", 70)]
    bare = without(bundle, "Observation/w1", "Observation/w2", "Observation/w3", "Observation/w4")
    record = read(
        added(bare, *(weights[::-1] if month_first else weights)), on=dt.date(2025, 3, 10)
    )
    assert record.sources_of("weight") == ("Observation/w8",)
    assert record.patient.weight == Q(70, "kg")


def _preliminary(when: str, value: float, code: str = "kg") -> Json:
    observation = weight_observation("w9", when, value, code)
    observation["status"] = "preliminary"
    return observation


def test_a_later_preliminary_weight_of_another_value_makes_the_weight_not_known(
    bundle: Json,
) -> None:
    # It was dropped without a word: the final 160 lb of 20 February was used.
    error = refused(lambda: read(added(bundle, _preliminary("2025-02-27", 60))))
    assert error.paths[0].endswith(".resource.status")
    assert (
        "Observation/w9: a body weight with status 'preliminary', no earlier than the latest "
        "final one, Observation/w2, gives another value: which one is current cannot be known"
    ) in str(error)


def test_an_undated_preliminary_weight_of_another_value_is_named_as_undated(bundle: Json) -> None:
    undated = _preliminary("2025-02-27", 60)
    del undated["effectiveDateTime"]
    error = refused(lambda: read(added(bundle, undated)))
    assert "a body weight with status 'preliminary', undated, beside the latest final one" in str(
        error
    )


@pytest.mark.parametrize(
    "observation",
    [
        _preliminary("2025-02-27", 160.0000000001, "[lb_av]"),  # the same weight, as _latest
        _preliminary("2025-02-27", 160, "[lb_av]"),  # the same weight
        _preliminary("2025-02-19", 60),  # earlier than the final one
        _preliminary("2025-03-02", 60),  # after the decision
    ],
    ids=["same-value-to-1e-9", "same-value", "earlier", "after-the-decision"],
)
def test_a_preliminary_weight_that_says_nothing_new_leaves_the_final_one(
    bundle: Json, observation: Json
) -> None:
    record = read(added(bundle, observation))
    assert record.sources_of("weight") == ("Observation/w2",)
    assert record.patient.weight == Q(160, "lb")


def test_a_pregnancy_status_dated_to_the_month_holding_the_day_is_refused(bundle: Json) -> None:
    # A "pregnant" of March 2025 was dropped as after 1 March: "not pregnant" was read.
    status = pregnancy_observation("preg9", "2025-03", "77386006")
    error = refused(lambda: read(added(bundle, status)))
    assert (
        "Observation/preg9: a pregnancy status dated only to the month 2025-03, which holds the "
        "day 2025-03-01, might be the latest"
    ) in str(error)


def test_an_effective_period_dates_the_weight_by_its_end(bundle: Json) -> None:
    def period(observation: Json) -> None:
        del observation["effectiveDateTime"]
        observation["effectivePeriod"] = {"start": "2025-02-26", "end": "2025-02-28"}

    assert read(edited(bundle, "Observation/w1", period)).sources_of("weight") == (
        "Observation/w1",
    )


def period_weight(resource_id: str, start: str, end: str, value: object) -> Json:
    observation = weight_observation(resource_id, start, value)
    del observation["effectiveDateTime"]
    observation["effectivePeriod"] = {"start": start, "end": end}
    return observation


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("2025-01-01", "2025-02-28"),
        ("2025-01-01T00:00:00Z", "2025-02-28T00:00:00Z"),
        ("2025-01-01", "2025-02-28T08:00:00+01:00"),
    ],
    ids=["dates", "date-times", "a date and a date-time"],
)
def test_a_period_counts_at_its_end_whether_or_not_its_ends_carry_a_time(
    bundle: Json, start: str, end: str
) -> None:
    """Begun 59 days before the decision, ended the day before: recent, and the latest."""
    only = without(bundle, "Observation/w1", "Observation/w2", "Observation/w3", "Observation/w4")
    record = read(added(only, period_weight("w8", start, end, 80)))
    assert record.sources_of("weight") == ("Observation/w8",)
    assert record.patient.weight == Q(80, "kg")
    # Ordered by its end, 28 February: after w2 of 20 February, not beside it.
    later = read(added(bundle, period_weight("w8", start, end, 80)))
    assert later.sources_of("weight") == ("Observation/w8",)
    assert read(
        added(bundle, period_weight("w8", start, end, 80)), weight_within="1 day"
    ).sources_of("weight") == ("Observation/w8",)


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("2025-02-25", "2024-03-05"),
        ("2025-02-25T10:00:00Z", "2025-02-25T09:00:00Z"),
        ("2025-02-25T09:30:00Z", "2025-02-25T10:00:00+01:00"),  # ends at 9:00 UTC
    ],
)
def test_a_period_that_ends_before_it_starts_is_refused(bundle: Json, start: str, end: str) -> None:
    inverted = added(bundle, period_weight("w8", start, end, 80))
    error = refused(lambda: read(inverted))
    assert error.paths == (f"Bundle.entry[{len(bundle['entry'])}].resource.effectivePeriod",)
    assert str(error).endswith(
        f"Observation/w8: the end {end!r} is before the start {start!r}: correct the one that "
        "is wrong"
    )


def test_a_weight_dated_in_two_forms_of_effective_is_refused(bundle: Json) -> None:
    both = period_weight("w8", "2025-01-01", "2025-02-28", 80)
    both["effectiveDateTime"] = "2025-02-27"
    error = refused(lambda: read(added(bundle, both)))
    assert error.paths == (f"Bundle.entry[{len(bundle['entry'])}].resource.effectivePeriod",)
    assert "effectiveDateTime is given too; effective[x] takes one form" in str(error)


def no_weights(bundle: Json) -> Json:
    return without(bundle, "Observation/w1", "Observation/w2", "Observation/w3", "Observation/w4")


def test_a_weight_about_another_than_the_patient_is_not_hers(bundle: Json) -> None:
    """An Observation with a ``focus`` (a newborn's weight in the mother's record) is not hers."""
    newborn = weight_observation("w9", "2025-02-28", 3.4)
    newborn["focus"] = [{"reference": "Patient/baby"}]
    record = read(added(bundle, newborn))
    assert record.sources_of("weight") == ("Observation/w2",)
    assert record.patient.weight == Q(160, "lb")
    message = str(refused(lambda: read(added(no_weights(bundle), newborn))))
    assert "(body weights not used: 1 with a focus (about another than the patient))" in message
    assert (
        "Observation/w9, a body weight with a focus (about another than the patient), is not "
        "the patient's: not used"
    ) in record.notes
    newborn["focus"] = []  # an empty list is no focus
    assert read(added(bundle, newborn)).sources_of("weight") == ("Observation/w9",)
    newborn["focus"] = [{"reference": "Patient/p1"}]  # the patient herself
    assert read(added(bundle, newborn)).sources_of("weight") == ("Observation/w9",)
    newborn["focus"] = {"reference": "Patient/baby"}
    error = refused(lambda: read(added(bundle, newborn)))
    assert error.paths == (f"Bundle.entry[{len(bundle['entry'])}].resource.focus",)


@pytest.mark.parametrize(
    "change",
    [{"comparator": "<"}, {"code": "kg{body}"}, {"code": "mg/d"}, {"value": "70"}],
    ids=["inexact", "unknown code", "not a mass", "a string"],
)
def test_an_older_weight_that_cannot_be_read_does_not_stand_in_the_way_of_a_newer_one(
    bundle: Json, change: Json
) -> None:
    older = weight_observation("w0", "2025-02-10", 70)
    older["valueQuantity"].update(change)
    record = read(added(bundle, older))
    assert record.sources_of("weight") == ("Observation/w2",)
    latest = {**older, "effectiveDateTime": "2025-02-28"}  # as the latest, it is refused
    error = refused(lambda: read(added(bundle, latest)))
    assert error.paths[0].startswith(f"Bundle.entry[{len(bundle['entry'])}].resource.value")


def test_a_latest_weight_without_a_value_leaves_the_latest_to_the_others(bundle: Json) -> None:
    absent = weight_observation("w9", "2025-02-28", 70)
    del absent["valueQuantity"]
    absent["dataAbsentReason"] = {"text": "patient in wheelchair"}
    unreadable = weight_observation("w8", "2025-02-25", 70)
    unreadable["valueQuantity"]["comparator"] = "<"
    # the latest has no value: the next latest is read, and it cannot be
    error = refused(lambda: read(added(bundle, absent, unreadable)))
    assert error.paths == (
        f"Bundle.entry[{len(bundle['entry']) + 1}].resource.valueQuantity.comparator",
    )
    assert read(added(bundle, absent)).sources_of("weight") == ("Observation/w2",)


def test_weights_without_a_value_or_in_a_component_are_counted_among_those_not_used(
    bundle: Json,
) -> None:
    absent = weight_observation("w9", "2025-02-28", 70)
    del absent["valueQuantity"]
    absent["dataAbsentReason"] = {"text": "patient in wheelchair"}
    message = str(refused(lambda: read(added(no_weights(bundle), absent))))
    assert "(none found)" not in message
    assert "(body weights not used: 1 without a value (a dataAbsentReason))" in message
    panel = {
        "resourceType": "Observation",
        "id": "vs1",
        "status": "final",
        "code": {"coding": [{"system": LOINC, "code": "85353-1"}]},
        "subject": {"reference": "Patient/p1"},
        "effectiveDateTime": "2025-02-28",
        "component": [
            {
                "code": {"coding": [{"system": LOINC, "code": "29463-7"}]},
                "valueQuantity": {"value": 70, "system": UCUM, "code": "kg"},
            }
        ],
    }
    message = str(refused(lambda: read(added(no_weights(bundle), panel))))
    assert "(none found)" not in message
    assert (
        "(body weights not used: 1 in a component of another Observation (components are not "
        "read))" in message
    )
    both = str(
        refused(lambda: read(added(no_weights(bundle), panel, absent, panel | {"id": "vs2"})))
    )
    assert (
        "(body weights not used: 2 in a component of another Observation (components are not "
        "read); 1 without a value (a dataAbsentReason))" in both
    )


# --- age ---------------------------------------------------------------------------------


def birth(bundle: Json, date: str) -> Json:
    return edited(bundle, "Patient/p1", lambda r: r.update(birthDate=date))


def age_years(record: PatientRecord) -> float:
    years: float = record.patient.age.m_as("year")
    return years


def test_on_the_18th_birthday_the_patient_is_18_years_old(bundle: Json) -> None:
    record = read(birth(bundle, "2007-03-01"))
    assert age_years(record) == 18.0
    assert ae_systemic.population_for(record.patient.age) is ae_systemic.Population.ADULT
    day_before = read(birth(bundle, "2007-03-02"))
    assert age_years(day_before) < 18
    assert ae_systemic.population_for(day_before.patient.age) is ae_systemic.Population.CHILD


def test_a_29_february_birthday_falls_on_1_march_in_other_years(bundle: Json) -> None:
    assert age_years(read(birth(bundle, "2008-02-29"))) == 17.0
    assert age_years(read(birth(bundle, "2008-02-29"), on=dt.date(2025, 2, 28))) < 17


def test_a_partial_birth_date_is_refused_unless_the_youngest_reading_is_asked_for(
    bundle: Json,
) -> None:
    for partial in ("1985", "1985-04"):
        error = refused(lambda p=partial: read(birth(bundle, p)))  # type: ignore[misc]
        assert error.paths == ("Bundle.entry[0].resource.birthDate",)
        assert "partial date" in str(error)
        assert "partial_birth_date='youngest'" in str(error)
    record = read(birth(bundle, "1985"), partial_birth_date="youngest")
    assert age_years(record) == pytest.approx(39 + 60 / 365)  # born 31 December 1985
    assert "read as 1985-12-31" in record.notes[0]
    assert "a choice of this library" in record.notes[0]
    month = read(birth(bundle, "1985-04"), partial_birth_date="youngest")
    assert age_years(month) < age_years(read(bundle))


@pytest.mark.parametrize("partial", ["2026", "2025-04"])
def test_a_partial_birth_date_wholly_after_the_decision_is_refused(
    bundle: Json, partial: str
) -> None:
    """Read as the youngest, it would give a newborn; it is after the decision, as a full date."""
    error = refused(lambda: read(birth(bundle, partial), partial_birth_date="youngest"))
    assert error.paths == ("Bundle.entry[0].resource.birthDate",)
    assert str(error).endswith(f"{partial!r} is after the date of the decision, 2025-03-01")
    # A partial date that begins before the decision is its youngest reading: born that day.
    record = read(birth(bundle, "2025"), partial_birth_date="youngest")
    assert age_years(record) == 0.0
    assert "read as 2025-03-01" in record.notes[0]


@pytest.mark.parametrize(
    ("date", "words"),
    [
        ("2025-03-02", "after the date of the decision"),
        ("1985-02-30", "not a date that exists"),
        ("12.04.1985", "not a FHIR date"),
        ("1985-04-12T10:00:00Z", "not a FHIR date"),
        (19850412, "expected a FHIR date"),
        ("1850-01-01", "between 0 and 130 years"),
    ],
)
def test_a_birth_date_that_cannot_be_read_is_refused(
    bundle: Json, date: object, words: str
) -> None:
    error = refused(lambda: read(birth(bundle, date)))  # type: ignore[arg-type]
    assert error.paths == ("Bundle.entry[0].resource.birthDate",)
    assert words in str(error)
    assert str(error).count("Patient/p1: ") == 1


def test_a_missing_birth_date_is_refused(bundle: Json) -> None:
    no_date = edited(bundle, "Patient/p1", lambda r: r.pop("birthDate"))
    assert "missing" in str(refused(lambda: read(no_date)))


# --- pregnancy ------------------------------------------------------------------------------


def test_no_pregnancy_status_means_not_known_and_the_record_says_so(bundle: Json) -> None:
    record = read(without(bundle, "Observation/preg1"))
    assert record.pregnancy_known is False
    assert record.patient.pregnant is False  # the Patient needs a value; the record says
    assert record.sources_of("pregnant") == ()
    assert record.pregnancy_note is not None
    assert record.pregnancy_note.startswith("no pregnancy status (Observation LOINC 82810-3)")
    assert record.pregnancy_note.endswith(": not known")
    assert record.pregnancy_note in record.notes


def test_the_latest_pregnancy_status_at_or_before_the_decision_counts(bundle: Json) -> None:
    pregnant = added(bundle, pregnancy_observation("preg2", "2025-02-28", "77386006"))
    record = read(pregnant)
    assert record.patient.pregnant is True
    assert record.pregnancy_known is True
    assert record.sources_of("pregnant") == ("Observation/preg2",)
    assert record.pregnancy_note is None
    after = added(bundle, pregnancy_observation("preg2", "2025-03-02", "77386006"))
    assert read(after).patient.pregnant is False


def test_a_pregnancy_status_coded_otherwise_is_not_known(bundle: Json) -> None:
    unknown = added(bundle, pregnancy_observation("preg2", "2025-02-28", "261665006"))
    record = read(unknown)
    assert record.pregnancy_known is False
    assert record.pregnancy_note is not None
    assert "Observation/preg2" in record.pregnancy_note
    assert record.pregnancy_note in record.notes


def test_an_entered_in_error_pregnancy_status_is_not_read(bundle: Json) -> None:
    wrong = pregnancy_observation("preg2", "2025-02-28", "77386006")
    wrong["status"] = "entered-in-error"
    assert read(added(bundle, wrong)).patient.pregnant is False


def test_assessing_a_pregnant_patient_read_from_the_record_warns(bundle: Json) -> None:
    record = read(added(bundle, pregnancy_observation("preg2", "2025-02-28", "77386006")))
    kinds = [f.kind for f in ae_systemic.assess("ciclosporin", record.patient).findings]
    assert ae_systemic.FindingKind.PREGNANCY in kinds


def later_status(code: str | None, status: str = "preliminary", when: str = "2025-02-27") -> Json:
    """A status after the fixture's final "not pregnant" of 20 February, of another standing."""
    observation = pregnancy_observation("preg2", when, code)
    observation["status"] = status
    return observation


def test_a_not_pregnant_older_than_pregnancy_within_is_not_known(bundle: Json) -> None:
    # A "not pregnant" of 2016 counted as known in 2026: no card said the status was not known.
    assert ae_systemic.fhir.DEFAULT_PREGNANCY_WITHIN == "30 days"
    assert read(bundle).sources_of("pregnant") == ("Observation/preg1",)  # 9 days old
    assert read(bundle, pregnancy_within="9 days").pregnancy_known is True
    older = read(bundle, pregnancy_within=Q(8, "day"))
    assert older.pregnancy_known is False
    assert older.patient.pregnant is False
    assert older.sources_of("pregnant") == ()
    assert older.pregnancy_note == (
        "the latest pregnancy status, Observation/preg1 (not pregnant), is of 2025-02-20, more "
        "than 8 days before 2025-03-01: not known (it says nothing of a pregnancy begun since)"
    )
    old = read(bundle, on=dt.date(2025, 3, 23))  # 31 days after it, by default
    assert old.pregnancy_known is False


def test_a_pregnant_of_any_age_is_read(bundle: Json) -> None:
    status = pregnancy_observation("preg1", "2016-05-01", "77386006")
    record = read(added(without(bundle, "Observation/preg1"), status))
    assert record.pregnancy_known is True
    assert record.patient.pregnant is True


@pytest.mark.parametrize("within", ["-1 day", "2 kg", "200 years", float("nan")])
def test_pregnancy_within_must_be_a_time_it_names(bundle: Json, within: object) -> None:
    with pytest.raises(InputError) as caught:
        read(bundle, pregnancy_within=within)
    assert caught.value.argument == "pregnancy_within"


def test_a_later_status_of_another_standing_saying_pregnant_makes_pregnancy_not_known(
    bundle: Json,
) -> None:
    record = read(added(bundle, later_status("77386006")))
    assert record.pregnancy_known is False
    assert record.sources_of("pregnant") == ()
    assert record.notes[0] == (
        "the latest standing pregnancy status (final, amended or corrected), Observation/preg1 "
        "(not pregnant), is contradicted by a later one: Observation/preg2 (status "
        "preliminary, pregnant): not known"
    )


@pytest.mark.parametrize(
    ("observation", "known"),
    [
        (later_status("77386006"), False),
        (later_status("77386006", status="registered"), False),
        (later_status("77386006", status="unknown"), False),
        (later_status("261665006"), False),  # coded otherwise: disagrees too
        (later_status("77386006", when="2025-02-20"), False),  # the same day: may be later
        (later_status("60001007"), True),  # agrees
        (later_status(None), True),  # says nothing
        (later_status("77386006", status="entered-in-error"), True),
        (later_status("77386006", status="cancelled"), True),
        (later_status("77386006", when="2025-02-19"), True),  # earlier
        (later_status("77386006", when="2025-03-02"), True),  # after the decision
    ],
    ids=[
        "preliminary",
        "registered",
        "unknown",
        "coded otherwise",
        "same day",
        "agrees",
        "no value",
        "entered in error",
        "cancelled",
        "earlier",
        "after on",
    ],
)
def test_which_statuses_of_another_standing_contradict_the_latest_standing_one(
    bundle: Json, observation: Json, known: bool
) -> None:
    record = read(added(bundle, observation))
    assert record.pregnancy_known is known
    assert record.sources_of("pregnant") == (("Observation/preg1",) if known else ())
    assert any("Observation/preg2" in note for note in record.notes) is not known


def test_an_undated_status_of_another_standing_that_disagrees_may_be_later(bundle: Json) -> None:
    undated = later_status("77386006")
    del undated["effectiveDateTime"]
    record = read(added(bundle, undated))
    assert record.pregnancy_known is False
    assert "Observation/preg2 (status preliminary, pregnant, undated)" in record.notes[0]


@pytest.mark.parametrize("code", ["60001007", "261665006", None])
def test_a_later_status_that_cannot_stand_never_overturns_a_final_pregnant(
    bundle: Json, code: str | None
) -> None:
    """The cautious reading: she stays pregnant, with the pregnancy statements."""
    pregnant = pregnancy_observation("preg3", "2025-02-25", "77386006")
    record = read(added(bundle, pregnant, later_status(code)))
    assert (record.pregnancy_known, record.patient.pregnant) == (True, True)
    assert record.sources_of("pregnant") == ("Observation/preg3",)


def test_a_later_status_with_a_value_of_another_form_makes_not_pregnant_not_known(
    bundle: Json,
) -> None:
    later = later_status(None)
    later["valueString"] = "pregnant"
    record = read(added(bundle, later))
    assert record.pregnancy_known is False
    assert (
        "Observation/preg2 (status preliminary, coded neither pregnant nor not pregnant)"
        in (record.notes[0])
    )


def test_a_status_of_another_standing_alone_is_named_in_the_note(bundle: Json) -> None:
    record = read(added(without(bundle, "Observation/preg1"), later_status("77386006")))
    assert record.pregnancy_known is False
    assert record.notes[0] == (
        "no pregnancy status (Observation LOINC 82810-3) with status final, amended or "
        "corrected at or before 2025-03-01: not known (not used: Observation/preg2 (status "
        "preliminary, pregnant))"
    )


def test_a_pregnancy_status_about_another_cannot_stand_but_can_say_otherwise(
    bundle: Json,
) -> None:
    """A "pregnant" with a focus on the fetus is not her status, but it does not let an
    older "not pregnant" stand as known."""
    fetus = pregnancy_observation("preg2", "2025-02-28", "77386006")
    fetus["focus"] = [{"display": "fetus"}]
    record = read(added(bundle, fetus))
    assert (record.pregnancy_known, record.sources_of("pregnant")) == (False, ())
    assert (
        "Observation/preg2 (status final, with a focus (about another than the patient), pregnant)"
    ) in record.notes[0]
    alone = read(added(without(bundle, "Observation/preg1"), fetus))
    assert alone.pregnancy_known is False
    assert "not used: Observation/preg2 (status final, with a focus" in alone.notes[0]
    herself = {**fetus, "focus": [{"reference": "Patient/p1"}]}  # names the patient: hers
    record = read(added(bundle, herself))
    assert (record.patient.pregnant, record.sources_of("pregnant")) == (
        True,
        ("Observation/preg2",),
    )


# --- co-medications and phototherapy --------------------------------------------------------


def test_the_drug_assessed_is_a_co_medication_unless_excluded(bundle: Json) -> None:
    record = read(bundle, excluding=None)
    names = [m.name for m in record.patient.co_medications]
    assert names[0] == "Ciclosporin 50 mg capsules"
    assert record.sources_of("co_medications[0]") == ("MedicationRequest/mr1",)
    assert record.notes == ()


def test_stopped_and_do_not_perform_requests_are_not_co_medications(bundle: Json) -> None:
    names = [m.name for m in read(bundle).patient.co_medications]
    assert "Methotrexate 2.5 mg tablets" not in names
    refused_order = edited(bundle, "MedicationRequest/mr2", lambda r: r.update(doNotPerform=True))
    names = [m.name for m in read(refused_order).patient.co_medications]
    assert "Metformin 500 mg tablets" not in names
    as_text = edited(bundle, "MedicationRequest/mr2", lambda r: r.update(doNotPerform="false"))
    error = refused(lambda: read(as_text))
    i = index_of(bundle, "MedicationRequest/mr2")
    assert error.paths == (f"Bundle.entry[{i}].resource.doNotPerform",)
    assert str(error).endswith("expected true or false, got 'false'")


def test_a_statement_that_ended_before_the_decision_is_not_a_co_medication(bundle: Json) -> None:
    ended = edited(
        bundle,
        "MedicationStatement/ms1",
        lambda r: r["effectivePeriod"].update(end="2025-01-31"),
    )
    names = [m.name for m in read(ended).patient.co_medications]
    assert "Cetirizine 10 mg tablets" not in names


@pytest.mark.parametrize(
    ("end", "listed"),
    [
        ("2025-02-28T23:30:00-05:00", True),  # 4:30 UTC on 1 March: not ended before it
        ("2025-03-01T10:00:00+13:00", True),  # 21:00 UTC on 28 February, 1 March as written
        ("2025-02-28T20:00:00+01:00", False),  # 19:00 UTC on 28 February
        ("2025-02-28", False),
        ("2025-03-01", True),
        ("2025-02", False),
        ("2025-03", True),
    ],
)
def test_a_statement_ends_before_the_decision_only_when_both_its_dates_do(
    bundle: Json, end: str, listed: bool
) -> None:
    """A date-time's end counts on the later of its date as written and its date in UTC."""
    ending = edited(
        bundle, "MedicationStatement/ms1", lambda r: r["effectivePeriod"].update(end=end)
    )
    names = [m.name for m in read(ending).patient.co_medications]
    assert ("Cetirizine 10 mg tablets" in names) is listed


def test_a_statement_whose_period_ends_before_it_starts_is_refused(bundle: Json) -> None:
    inverted = edited(
        bundle, "MedicationStatement/ms1", lambda r: r["effectivePeriod"].update(end="2024-08-31")
    )
    error = refused(lambda: read(inverted))
    path = f"Bundle.entry[{index_of(bundle, 'MedicationStatement/ms1')}].resource.effectivePeriod"
    assert error.paths == (path,)
    assert "the end '2024-08-31' is before the start '2024-09-01'" in str(error)


def test_r4_statements_are_active_and_r5_statements_recorded() -> None:
    r4 = edited(load("r4"), "MedicationStatement/ms1", lambda r: r.update(status="recorded"))
    assert len(read(r4).patient.co_medications) == 2
    r5 = edited(load("r5"), "MedicationStatement/ms1", lambda r: r.update(status="active"))
    assert len(read(r5).patient.co_medications) == 2


def test_pathways_come_only_from_the_callers_mapping(bundle: Json) -> None:
    record = read(bundle, pathways=None)
    assert all(m.pathways == frozenset() for m in record.patient.co_medications)
    by_code = read(bundle, pathways={(ATC, "C10AA05"): frozenset({Pathway.CYP3A4})})
    assert by_code.patient.co_medications[1].pathways == {Pathway.CYP3A4}
    bare = read(bundle, pathways={"C10AA05": frozenset({Pathway.OATP})})
    assert bare.patient.co_medications[1].pathways == {Pathway.OATP}
    both = read(
        bundle,
        pathways={
            "Atorvastatin 20 mg tablets": frozenset({Pathway.OATP}),
            (ATC, "C10AA05"): frozenset({Pathway.CYP3A4}),
        },
    )
    assert both.patient.co_medications[1].pathways == {Pathway.OATP, Pathway.CYP3A4}


def test_a_medicine_recorded_twice_is_one_co_medication_with_both_sources(bundle: Json) -> None:
    again = copy.deepcopy(resource(bundle, "MedicationRequest/mr2"))
    again["id"] = "mr2b"
    record = read(added(bundle, again))
    assert [m.name for m in record.patient.co_medications].count("Metformin 500 mg tablets") == 1
    assert record.sources_of("co_medications[0]") == (
        "MedicationRequest/mr2",
        "MedicationRequest/mr2b",
    )


def test_a_medicine_with_only_a_code_is_named_by_it(version: str) -> None:
    bundle = load(version)

    def code_only(request: Json) -> None:
        concept = {"coding": [{"system": ATC, "code": "A10BA02"}]}
        if version == "r4":
            request["medicationCodeableConcept"] = concept
        else:
            request["medication"] = {"concept": concept}

    record = read(edited(bundle, "MedicationRequest/mr2", code_only))
    assert record.patient.co_medications[0].name == f"{ATC}|A10BA02"


def test_planned_phototherapy_comes_from_the_callers_codes(bundle: Json) -> None:
    assert read(bundle, phototherapy=None).patient.phototherapy == frozenset()
    done = edited(bundle, "ServiceRequest/sr1", lambda r: r.update(status="completed"))
    assert read(done).patient.phototherapy == frozenset()
    procedure = {
        "resourceType": "Procedure",
        "id": "pr1",
        "status": "in-progress",
        "code": {"coding": [{"system": LOCAL, "code": "PUVA"}]},
        "subject": {"reference": "Patient/p1"},
    }
    mapping = {**PHOTOTHERAPY, (LOCAL, "PUVA"): Phototherapy.PUVA}
    record = read(added(bundle, procedure), phototherapy=mapping)
    assert record.patient.phototherapy == {Phototherapy.UVB, Phototherapy.PUVA}
    assert record.sources_of("phototherapy") == ("ServiceRequest/sr1", "Procedure/pr1")


def test_an_order_not_to_perform_phototherapy_is_no_planned_phototherapy(bundle: Json) -> None:
    not_to = edited(bundle, "ServiceRequest/sr1", lambda r: r.update(doNotPerform=True))
    record = read(not_to)
    assert record.patient.phototherapy == frozenset()
    assert record.sources_of("phototherapy") == ()
    to = edited(bundle, "ServiceRequest/sr1", lambda r: r.update(doNotPerform=False))
    assert read(to).patient.phototherapy == {Phototherapy.UVB}
    as_text = edited(bundle, "ServiceRequest/sr1", lambda r: r.update(doNotPerform="true"))
    error = refused(lambda: read(as_text))
    i = index_of(bundle, "ServiceRequest/sr1")
    assert error.paths == (f"Bundle.entry[{i}].resource.doNotPerform",)
    assert str(error).endswith("ServiceRequest/sr1: expected true or false, got 'true'")


def test_check_dose_and_assess_on_the_record_and_the_order(bundle: Json) -> None:
    record = read(bundle)
    order = read_prescription(resource(bundle, "MedicationRequest/mr1"))
    check = ae_systemic.check_dose("ciclosporin", record.patient, order)
    assert check.status is DoseStatus.WITHIN
    assert check.frequency_matches is True
    assert check.per_kg.m_as("mg/kg/day") == pytest.approx(300 / (160 * 0.45359237))
    assessment = ae_systemic.assess("ciclosporin", record.patient, prescription=order)
    kinds = [f.kind for f in assessment.findings]
    assert ae_systemic.FindingKind.AVOID_COMBINATION in kinds  # the planned UVB
    interaction = [f for f in assessment.findings if f.kind is ae_systemic.FindingKind.INTERACTION]
    assert [("Atorvastatin" in f.message) for f in interaction] == [True]
    assert ae_systemic.FindingKind.DOSE_ABOVE_RANGE not in kinds


ADHERENCE = "http://hl7.org/fhir/CodeSystem/medication-statement-adherence"


@pytest.mark.parametrize(
    ("code", "listed"),
    [
        ("taking", True),
        ("taking-as-directed", True),
        ("not-taking", False),
        ("stopped", False),
        ("stopped-as-directed", False),
        ("on-hold", False),
        ("on-hold-not-as-directed", False),
        ("unknown", True),
    ],
)
def test_an_r5_statement_of_a_medicine_not_taken_is_no_co_medication(
    code: str, listed: bool
) -> None:
    adherence = {"code": {"coding": [{"system": ADHERENCE, "code": code}]}}
    r5 = edited(load("r5"), "MedicationStatement/ms1", lambda r: r.update(adherence=adherence))
    names = [m.name for m in read(r5).patient.co_medications]
    assert ("Cetirizine 10 mg tablets" in names) is listed


def test_a_statement_dated_in_two_forms_of_effective_is_refused(bundle: Json) -> None:
    twice = edited(
        bundle, "MedicationStatement/ms1", lambda r: r.update(effectiveDateTime="2025-02-28")
    )
    error = refused(lambda: read(twice))
    i = index_of(bundle, "MedicationStatement/ms1")
    assert error.paths == (f"Bundle.entry[{i}].resource.effectivePeriod",)
    assert str(error).endswith(
        "MedicationStatement/ms1: effectiveDateTime is given too; effective[x] takes one form: "
        "keep the one that is right"
    )


# --- the prescription ----------------------------------------------------------------------


def test_ciclosporin_150_mg_twice_daily(version: str) -> None:
    order = read_prescription(ciclosporin_request(version))
    assert order == Prescription("150 mg", frequency=2)
    assert order.daily_mg == 300.0
    assert order.administrations_per_day == 2.0


def test_timing_code_bid_is_twice_a_day(bundle: Json) -> None:
    order = read_prescription(resource(bundle, "MedicationRequest/mr2"))
    assert order == Prescription("500 mg", frequency=2)


@pytest.mark.parametrize(("code", "per_day"), [("QD", 1), ("BID", 2), ("TID", 3), ("QID", 4)])
def test_each_timing_abbreviation(code: str, per_day: int) -> None:
    request = ciclosporin_request("r4")
    dosage(request)["timing"] = {"code": {"coding": [{"system": GTS, "code": code}]}}
    assert read_prescription(request).administrations_per_day == per_day


def test_every_12_hours_is_twice_a_day_and_a_weekly_order_once_a_week() -> None:
    request = ciclosporin_request("r4")
    dosage(request)["timing"] = {"repeat": {"frequency": 1, "period": 12, "periodUnit": "h"}}
    assert read_prescription(request).administrations_per_day == 2.0
    dosage(request)["timing"] = {"repeat": {"frequency": 1, "period": 1, "periodUnit": "wk"}}
    assert read_prescription(request).administrations_per_day == pytest.approx(1 / 7)


def test_a_dose_in_grams_or_micrograms_is_read() -> None:
    request = ciclosporin_request("r5")
    dosage(request)["doseAndRate"][0]["doseQuantity"] = {
        "value": 0.15,
        "unit": "g",
        "system": UCUM,
        "code": "g",
    }
    assert read_prescription(request).amount_mg == pytest.approx(150)


def test_a_timing_code_agreeing_with_the_repeat_is_read() -> None:
    request = ciclosporin_request("r4")
    dosage(request)["timing"]["code"] = {"coding": [{"system": GTS, "code": "BID"}]}
    assert read_prescription(request) == Prescription("150 mg", frequency=2)


@pytest.mark.parametrize(
    ("period", "unit"), [(0, "d"), (-1, "d"), (5e-324, "s")], ids=["zero", "negative", "tiny"]
)
def test_a_timing_code_beside_a_period_of_zero_is_refused_as_without_one(
    period: float, unit: str
) -> None:
    # A period of 0 divided the frequency by zero (ZeroDivisionError: a 500 of the service).
    request = ciclosporin_request("r4")
    repeat = dosage(request)["timing"]["repeat"]
    repeat.update(period=period, periodUnit=unit)
    without_code = refused(lambda: read_prescription(request))
    dosage(request)["timing"]["code"] = {"coding": [{"system": GTS, "code": "BID"}]}
    error = refused(lambda: read_prescription(request))
    assert str(error) == str(without_code)
    assert ("too short to count in days" if period > 0 else "must be positive") in str(error)


@pytest.mark.parametrize(
    "bounds",
    [
        {"boundsDuration": {"value": 14, "unit": "d", "system": UCUM, "code": "d"}},
        {"boundsPeriod": {"start": "2025-03-01", "end": "2025-03-14"}},
        {},
    ],
    ids=["boundsDuration", "boundsPeriod", "empty"],
)
def test_a_timing_code_with_a_repeat_of_bounds_alone_is_read_from_the_code(
    version: str, bounds: Json
) -> None:
    """The bounds are not read, with a code as without one; the code says how often."""
    request = ciclosporin_request(version)
    dosage(request)["timing"] = {
        "code": {"coding": [{"system": GTS, "code": "BID"}]},
        "repeat": bounds,
    }
    assert read_prescription(request) == Prescription("150 mg", frequency=2)


DOSAGE = "MedicationRequest.dosageInstruction[0]"
DOSE = f"{DOSAGE}.doseAndRate[0]"


def _set(path: list[str | int], value: object) -> Callable[[Json], None]:
    def change(request: Json) -> None:
        target: Any = request
        for step in path[:-1]:
            target = target[step]
        target[path[-1]] = value

    return change


def _delete(path: list[str | int]) -> Callable[[Json], None]:
    def change(request: Json) -> None:
        target: Any = request
        for step in path[:-1]:
            target = target[step]
        del target[path[-1]]

    return change


D: list[str | int] = ["dosageInstruction", 0]
RATE: list[str | int] = [*D, "doseAndRate", 0]
REPEAT: list[str | int] = [*D, "timing", "repeat"]
ML = {"value": 1.5, "unit": "mL", "system": UCUM, "code": "mL"}
CAPSULES = {"value": 3, "unit": "capsule", "system": UCUM, "code": "{capsule}"}

UNSUPPORTED_SHAPES: list[tuple[str, Callable[[Json], None], str, str]] = [
    ("two dosage lines", lambda r: r["dosageInstruction"].append(r["dosageInstruction"][0]),
     "MedicationRequest.dosageInstruction", "2 dosage lines"),
    ("no dosage", _delete(["dosageInstruction"]), "MedicationRequest.dosageInstruction", "missing"),
    ("a dose range", _set(RATE, {"doseRange": {"low": {"value": 100}, "high": {"value": 150}}}),
     f"{DOSE}.doseRange", "dose range"),
    ("a rate", _set([*RATE, "rateQuantity"], {"value": 5, "system": UCUM, "code": "mg/d"}),
     f"{DOSE}.rateQuantity", "rate"),
    ("two doses", lambda r: r["dosageInstruction"][0]["doseAndRate"].append({}),
     f"{DOSAGE}.doseAndRate", "several doses"),
    ("text only", _delete([*D, "doseAndRate"]), f"{DOSAGE}.doseAndRate", "150 mg twice daily"),
    ("a dose in mL", _set([*RATE, "doseQuantity"], ML), f"{DOSE}.doseQuantity.code",
     "not a UCUM code this library reads"),
    ("a dose in capsules", _set([*RATE, "doseQuantity"], CAPSULES), f"{DOSE}.doseQuantity.code",
     "not a UCUM code"),
    ("a dose per kg", _set([*RATE, "doseQuantity"], {"value": 2, "system": UCUM, "code": "mg/kg"}),
     f"{DOSE}.doseQuantity.code", "not a mass"),
    ("as needed (R4)", _set([*D, "asNeededBoolean"], True), f"{DOSAGE}.asNeededBoolean",
     "as needed"),
    ("as needed (R5)", _set([*D, "asNeeded"], True), f"{DOSAGE}.asNeeded", "as needed"),
    ("as needed for", _set([*D, "asNeededFor"], [{"text": "itch"}]), f"{DOSAGE}.asNeededFor",
     "as needed"),
    ("no timing", _delete([*D, "timing"]), f"{DOSAGE}.timing", "missing"),
    ("an empty timing", _set([*D, "timing"], {}), f"{DOSAGE}.timing", "neither"),
    ("no frequency", _delete([*REPEAT, "frequency"]), f"{DOSAGE}.timing.repeat.frequency",
     "missing"),
    ("a frequency range", _set([*REPEAT, "frequencyMax"], 3),
     f"{DOSAGE}.timing.repeat.frequencyMax", "not read"),
    ("a count", _set([*REPEAT, "count"], 1), f"{DOSAGE}.timing.repeat.count",
     "timing.repeat.count is not read: say how often with frequency, period and periodUnit"),
    ("a count range", _set([*REPEAT, "countMax"], 28), f"{DOSAGE}.timing.repeat.countMax",
     "timing.repeat.countMax is not read"),
    ("a count beside a code",
     _set([*D, "timing"], {"code": {"coding": [{"system": GTS, "code": "BID"}]},
                           "repeat": {"count": 28}}),
     f"{DOSAGE}.timing.repeat.count", "not read"),
    ("bounds without a frequency",
     _set([*REPEAT], {"boundsDuration": {"value": 14, "system": UCUM, "code": "d"}}),
     f"{DOSAGE}.timing.repeat.frequency", "missing"),
    ("times of day", _set([*REPEAT, "timeOfDay"], ["08:00:00", "20:00:00"]),
     f"{DOSAGE}.timing.repeat.timeOfDay", "not read"),
    ("when", _set([*REPEAT, "when"], ["MORN", "EVE"]), f"{DOSAGE}.timing.repeat.when", "not read"),
    ("events", _set([*D, "timing", "event"], ["2025-03-01T08:00:00Z"]), f"{DOSAGE}.timing.event",
     "not read"),
    ("a timing code not read",
     _set([*D, "timing"], {"code": {"coding": [{"system": GTS, "code": "Q8H"}]}}),
     f"{DOSAGE}.timing.code", "'Q8H' is not read"),
    ("a timing code without system", _set([*D, "timing"], {"code": {"coding": [{"code": "BID"}]}}),
     f"{DOSAGE}.timing.code", "is not read"),
    ("a timing in words", _set([*D, "timing"], {"code": {"text": "twice a day"}}),
     f"{DOSAGE}.timing.code", "twice a day"),
    ("a timing code contradicting the repeat",
     _set([*D, "timing", "code"], {"coding": [{"system": GTS, "code": "TID"}]}),
     f"{DOSAGE}.timing.code", "correct the one that is wrong"),
    ("a period unit that is not UCUM", _set([*REPEAT, "periodUnit"], "day"),
     f"{DOSAGE}.timing.repeat.periodUnit", "unit of time"),
    ("a frequency as a string", _set([*REPEAT, "frequency"], "2"),
     f"{DOSAGE}.timing.repeat.frequency", "whole number"),
    ("a frequency as a float", _set([*REPEAT, "frequency"], 2.0),
     f"{DOSAGE}.timing.repeat.frequency", "whole number"),
    ("a period as a string", _set([*REPEAT, "period"], "1"), f"{DOSAGE}.timing.repeat.period",
     "number"),
    ("a zero period", _set([*REPEAT, "period"], 0), f"{DOSAGE}.timing.repeat.period", "positive"),
    ("a zero frequency", _set([*REPEAT, "frequency"], 0), f"{DOSAGE}.timing.repeat.frequency",
     "from 1"),
    ("a dose as a string", _set([*RATE, "doseQuantity", "value"], "150"),
     f"{DOSE}.doseQuantity.value", "a string"),
    ("a zero dose", _set([*RATE, "doseQuantity", "value"], 0), f"{DOSE}.doseQuantity.value",
     "positive"),
    ("a dose of 200 g", _set([*RATE, "doseQuantity"], {"value": 200, "system": UCUM, "code": "g"}),
     f"{DOSE}.doseQuantity.value", "more than 100 g"),
    ("an approximate dose", _set([*RATE, "doseQuantity", "comparator"], "<"),
     f"{DOSE}.doseQuantity.comparator", "inexact"),
    ("do not perform", _set(["doNotPerform"], True), "MedicationRequest.doNotPerform",
     "not to give"),
    ("as needed as a string (R4)", _set([*D, "asNeededBoolean"], "true"),
     f"{DOSAGE}.asNeededBoolean", "expected true or false, got 'true'"),
    ("as needed as a string (R5)", _set([*D, "asNeeded"], "true"), f"{DOSAGE}.asNeeded",
     "expected true or false, got 'true'"),
    ("do not perform as a string", _set(["doNotPerform"], "true"),
     "MedicationRequest.doNotPerform", "expected true or false, got 'true'"),
    ("a dosage that is a string", _set(["dosageInstruction"], ["150 mg bd"]), DOSAGE,
     "expected a Dosage"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("change", "path", "words"),
    [case[1:] for case in UNSUPPORTED_SHAPES],
    ids=[case[0] for case in UNSUPPORTED_SHAPES],
)
def test_each_unsupported_or_malformed_order_is_a_data_error_naming_the_element(
    version: str, change: Callable[[Json], None], path: str, words: str
) -> None:
    request = ciclosporin_request(version)
    change(request)
    error = refused(lambda: read_prescription(request))
    assert error.paths == (path,)
    assert words in str(error)


@pytest.mark.parametrize(
    ("value", "path"),
    [
        (5, "MedicationRequest"),
        ("{}", "MedicationRequest"),
        ([], "MedicationRequest"),
        ({"resourceType": "Patient", "id": "p1"}, "MedicationRequest.resourceType"),
        ({"id": "x"}, "MedicationRequest.resourceType"),
        ({"resourceType": "MedicationRequest", "id": 5}, "MedicationRequest.id"),
    ],
)
def test_what_is_not_a_medication_request_is_refused(value: object, path: str) -> None:
    error = refused(lambda: read_prescription(value))  # type: ignore[arg-type]
    assert error.paths == (path,)


# --- which drug ----------------------------------------------------------------------------


def concept_request(concept: Json, version: str = "r4") -> Json:
    request = ciclosporin_request(version)
    if version == "r4":
        request["medicationCodeableConcept"] = concept
    else:
        request["medication"] = {"concept": concept}
    return request


def test_the_ciclosporin_order_is_for_ciclosporin(bundle: Json, csa: Drug) -> None:
    assert drug_for(resource(bundle, "MedicationRequest/mr1")) is csa


def test_other_medicines_are_no_drug_of_the_guideline(bundle: Json) -> None:
    for label in ("MedicationRequest/mr2", "MedicationRequest/mr4", "MedicationStatement/ms1"):
        assert drug_for(resource(bundle, label)) is None


@pytest.mark.parametrize(
    "text",
    [
        "Ciclosporin 100 mg capsule",
        "CICLOSPORIN oral solution 100 mg/mL",
        "Neoral (ciclosporin) 25 mg",
        "cyclosporine modified 100 mg",
        "CsA 50 mg",
    ],
)
def test_a_name_or_synonym_in_the_text_finds_the_drug(text: str, csa: Drug) -> None:
    assert drug_for(concept_request({"text": text})) is csa
    assert drug_for(concept_request({"coding": [{"display": text}]}, "r5")) is csa


@pytest.mark.parametrize("text", ["ciclosporinX 10 mg", "tacrolimus", "CsAB 5 mg"])
def test_a_name_inside_another_word_is_not_a_match(text: str) -> None:
    assert drug_for(concept_request({"text": text})) is None


def test_the_atc_code_is_looked_up_with_the_public_drug_function(
    monkeypatch: pytest.MonkeyPatch, csa: Drug
) -> None:
    asked: list[str] = []

    def lookup(name: str) -> Drug:
        asked.append(name)
        if name == "L04AD01":
            return csa
        raise UnknownDrugError(name, (), ())

    monkeypatch.setattr("ae_systemic._fhir_input.find_drug", lookup)
    request = concept_request({"coding": [{"system": ATC, "code": "L04AD01"}]})
    assert drug_for(request) is csa
    assert ae_systemic.drug("l04ad01") is csa  # the lookup by name takes the code too
    assert asked == ["L04AD01"]
    other = concept_request({"coding": [{"system": ATC, "code": "A10BA02"}]})
    assert drug_for(other) is None


def test_the_atc_code_l04ad01_alone_is_ciclosporin(csa: Drug) -> None:
    request = concept_request({"coding": [{"system": ATC, "code": "L04AD01"}]})
    assert drug_for(request) is csa
    assert ae_systemic.drug("l04ad01") is csa  # the lookup by name takes the code too


def test_the_callers_codes_find_a_drug(csa: Drug) -> None:
    local = ("https://hospital.example.org/formulary", "CSA-100")
    request = concept_request({"coding": [{"system": local[0], "code": local[1]}]})
    assert drug_for(request) is None
    assert drug_for(request, codes={local: "ciclosporin"}) is csa
    assert drug_for(request, codes={local: csa}) is csa


def test_two_different_drugs_are_an_ambiguous_order(csa: Drug) -> None:
    other = attrs.evolve(csa, name="examplumab", synonyms=("EXB",))
    local = ("https://hospital.example.org/formulary", "EXB-1")
    request = concept_request(
        {"coding": [{"system": local[0], "code": local[1]}], "text": "Ciclosporin 100 mg"}
    )
    error = refused(lambda: drug_for(request, codes={local: other}))
    assert set(error.paths) == {
        "MedicationRequest.medicationCodeableConcept.coding[0].code",
        "MedicationRequest.medicationCodeableConcept.text",
    }
    assert "examplumab" in str(error)
    assert "ciclosporin" in str(error)


def test_a_contained_medication_is_followed(version: str, csa: Drug) -> None:
    request = ciclosporin_request(version)
    reference = {"reference": "#med"}
    request.pop("medicationCodeableConcept", None)
    if version == "r4":
        request["medicationReference"] = reference
    else:
        request["medication"] = {"reference": reference}
    request["contained"] = [
        {"resourceType": "Medication", "id": "med", "code": {"text": "Ciclosporin 25 mg"}}
    ]
    assert drug_for(request) is csa


def test_a_medicine_with_nothing_to_name_it_by_is_refused_by_drug_for_and_read_patient(
    version: str,
) -> None:
    """A contained Medication with ingredients but no code: neither reader guesses."""
    request = concept_request({"text": "unused"}, version)
    request.pop("medicationCodeableConcept", None)
    request.pop("medication", None)
    if version == "r4":
        request["medicationReference"] = {"reference": "#med"}
    else:
        request["medication"] = {"reference": {"reference": "#med"}}
    request["id"] = "mr9"
    request["contained"] = [
        {
            "resourceType": "Medication",
            "id": "med",
            "ingredient": [{"isActive": True, "strength": {"numerator": {"value": 25}}}],
        }
    ]
    message = "the medicine has no text, display or code to name it by: give it a text or a coding"
    error = refused(lambda: drug_for(request))
    assert error.paths == ("MedicationRequest.contained[0].code",)
    assert str(error) == f"MedicationRequest.contained[0].code: {message}"
    n = len(load(version)["entry"])
    in_record = refused(lambda: read(added(load(version), request)))
    assert in_record.paths == (f"Bundle.entry[{n}].resource.contained[0].code",)
    assert str(in_record).endswith(f"MedicationRequest/mr9: {message}")
    empty = concept_request({"coding": []}, version)
    assert str(refused(lambda: drug_for(empty))).endswith(message)


def test_a_reference_outside_the_resource_is_read_by_its_display_or_refused(csa: Drug) -> None:
    request = ciclosporin_request("r4")
    del request["medicationCodeableConcept"]
    request["medicationReference"] = {"reference": "Medication/m9", "display": "Ciclosporin"}
    assert drug_for(request) is csa
    del request["medicationReference"]["display"]
    error = refused(lambda: drug_for(request))
    assert error.paths == ("MedicationRequest.medicationReference",)
    assert "contained" in str(error)


def test_a_request_without_a_medicine_or_with_both_versions_is_refused() -> None:
    request = ciclosporin_request("r4")
    del request["medicationCodeableConcept"]
    assert "no medicine" in str(refused(lambda: drug_for(request)))
    request["medicationCodeableConcept"] = {"text": "ciclosporin"}
    request["medication"] = {"concept": {"text": "ciclosporin"}}
    error = refused(lambda: drug_for(request))
    assert error.paths == ("MedicationRequest.medicationCodeableConcept",)
    assert "R5" in str(error)


@pytest.mark.parametrize(
    ("codes", "error"),
    [
        (["ciclosporin"], ArgumentTypeError),
        ({"L04AD01": "ciclosporin"}, ArgumentTypeError),
        ({("s", "c"): 5}, ArgumentTypeError),
        ({("s", "c"): "ciclosporn"}, InputError),
    ],
)
def test_codes_of_the_wrong_shape_are_refused(codes: object, error: type[Exception]) -> None:
    with pytest.raises(error, match="codes"):
        drug_for(ciclosporin_request("r4"), codes=codes)  # type: ignore[arg-type]


def test_a_versioned_reference_to_a_medication_is_followed(bundle: Json, csa: Drug) -> None:
    request = ciclosporin_request("r4")
    del request["medicationCodeableConcept"]
    request["medicationReference"] = {"reference": "Medication/med/_history/2"}
    medication = {
        "resourceType": "Medication",
        "id": "med",
        "code": {"coding": [{"system": ATC, "code": "L04AD01"}]},
    }
    assert drug_for(request, medications=[medication]) is csa
    request["medicationReference"] = {
        "reference": "https://ehr.example/fhir/Medication/med/_history/2"
    }
    entry = {"fullUrl": "https://ehr.example/fhir/Medication/med", "resource": medication}
    assert drug_for(request, medications={**bundle, "entry": [entry], "total": 1}) is csa

    def versioned(order: Json) -> None:
        reference = order.get("medicationReference") or order["medication"]["reference"]
        reference["reference"] = "Medication/med-atorva/_history/1"

    record = read(edited(bundle, "MedicationRequest/mr3", versioned))
    assert record.patient.co_medications == EXPECTED_CO_MEDICATIONS
    # The version held must be the one referred to, when the Medication says which it is.
    request["medicationReference"] = {"reference": "Medication/med/_history/2"}
    assert drug_for(request, medications=[{**medication, "meta": {"versionId": "2"}}]) is csa
    error = refused(
        lambda: drug_for(request, medications=[{**medication, "meta": {"versionId": "5"}}])
    )
    assert error.paths == ("MedicationRequest.medicationReference.reference",)
    assert "names version '2' of the Medication, but resources[0] is version '5'" in str(error)


def test_the_atc_code_of_another_substance_beside_a_drug_named_only_in_a_text_is_ambiguous(
    csa: Drug,
) -> None:
    bundle = load("r4")
    tacrolimus = {
        "coding": [{"system": ATC, "code": "L04AD02", "display": "tacrolimus"}],
        "text": "Tacrolimus 1 mg capsules (replaces ciclosporin)",
    }
    request = concept_request(tacrolimus)
    error = refused(lambda: drug_for(request))
    concept = "MedicationRequest.medicationCodeableConcept"
    assert error.paths == (f"{concept}.coding[0].code", f"{concept}.text")
    assert (
        "the WHO ATC code 'L04AD02' is of another substance of the group L04AD than "
        "ciclosporin (L04AD01), while a text names the drug 'ciclosporin'"
    ) in str(error)
    assert "names the drug 'ciclosporin', while the WHO ATC code 'L04AD02'" in str(error)
    # In a record, it is read as a co-medication (not left out as the drug assessed), noted.
    record = read(added(bundle, {**request, "id": "tac"}))
    assert "MedicationRequest/tac" in dict(record.sources).values()
    assert (
        "MedicationRequest/tac: its codes and texts name different medicines, ciclosporin "
        "among them; read as a co-medication, not as ciclosporin"
    ) in record.notes
    # An ATC group (level 4), or ciclosporin's own code, is no other substance; and another
    # substance alone is another medicine.
    group = {"coding": [{"system": ATC, "code": "L04AD"}], "text": "ciclosporin"}
    assert drug_for(concept_request(group)) is csa
    own = {"coding": [{"system": ATC, "code": "L04AD01"}], "text": "ciclosporin (not tacrolimus)"}
    assert drug_for(concept_request(own)) is csa
    assert drug_for(concept_request({**tacrolimus, "text": "Tacrolimus 1 mg"})) is None
    both = {"coding": [*tacrolimus["coding"], {"system": ATC, "code": "L04AD01"}]}
    assert "while a code names the drug" in str(refused(lambda: drug_for(concept_request(both))))


@pytest.mark.parametrize("code", ["S01XA18", "s01xa18", " S01XA18 "])
def test_ciclosporin_eye_drops_coded_and_displayed_as_ciclosporin_are_ciclosporin(
    csa: Drug, code: str
) -> None:
    """S01XA18 is ciclosporin for the eye: its display names the drug, no conflict."""
    coding = {"system": ATC, "code": code, "display": "ciclosporin"}
    drops = {"coding": [coding], "text": "Ciclosporin 1 mg/ml eye drops"}
    assert drug_for(concept_request(drops)) is csa
    bundle = load("r4")
    statement = {**concept_request(drops), "id": "drops", "status": "active"}
    assert read(added(bundle, statement)).notes[-1] == (
        "MedicationRequest/drops (ciclosporin) is the drug assessed, not a co-medication"
    )


@pytest.mark.parametrize(
    ("display", "text"),
    [
        ("Methotrexate, replaces ciclosporin", "Methotrexate 2.5 mg"),  # a sentence
        ("Ciclosporin", "Methotrexate 2.5 mg"),  # a display the text contradicts
        ("CsA", "another medicine"),
        ("Ciclosporin (replaced by methotrexate)", "Methotrexate 2.5 mg (switch from ciclosporin)"),
        ("Ciclosporin -> Methotrexate 2.5 mg", "Methotrexate (after ciclosporin)"),
        ("Ciclosporin (replaced by methotrexate)", None),  # no text: the display alone
    ],
    ids=[
        "display-mentions-it",
        "text-contradicts",
        "text-names-it-not",
        "display-begins-with-it",
        "display-arrow",
        "display-alone",
    ],
)
def test_a_display_vouches_for_an_unknown_code_only_as_the_drugs_name_beside_its_text(
    display: str, text: str | None
) -> None:
    # Any mention of ciclosporin in the display read methotrexate (L04AX03) as ciclosporin.
    concept: Json = {"coding": [{"system": ATC, "code": "L04AX03", "display": display}]}
    if text is not None:
        concept["text"] = text
    error = refused(lambda: drug_for(concept_request(concept)))
    assert "the WHO ATC code 'L04AX03' is not ciclosporin's (L04AD01)" in str(error)


def test_a_reference_display_is_a_text_the_drug_must_be_named_in(csa: Drug) -> None:
    # The order's own words ("Methotrexate 2.5 mg") beside a Medication coded L04AX03 and
    # displayed "Ciclosporin" were passed over as a coding's display: read as ciclosporin.
    request = concept_request({"text": "unused"})
    request.pop("medicationCodeableConcept", None)
    request["medicationReference"] = {"reference": "#m", "display": "Methotrexate 2.5 mg"}
    request["contained"] = [
        {
            "resourceType": "Medication",
            "id": "m",
            "code": {"coding": [{"system": ATC, "code": "L04AX03", "display": "Ciclosporin"}]},
        }
    ]
    assert "'L04AX03' is not ciclosporin's" in str(refused(lambda: drug_for(request)))
    request["medicationReference"]["display"] = "Ciclosporin 100 mg"
    assert drug_for(request) is csa


def test_a_code_this_library_does_not_know_displayed_as_the_drug_is_the_drug(csa: Drug) -> None:
    # A code this library does not know (an older or local one) whose display names the
    # drug: read as ciclosporin, neither dropped nor refused.
    for display in ("ciclosporin", "Ciclosporin 100 mg capsules"):  # a product's name, first
        legacy: Json = {
            "coding": [{"system": ATC, "code": "L04AA01", "display": display}],
            "text": "Ciclosporin 100 mg capsules",
        }
        assert drug_for(concept_request(legacy)) is csa


@pytest.mark.parametrize(
    ("code", "text"),
    [
        ("L04AX03", "Methotrexate 2.5 mg tablets (switch from ciclosporin)"),
        ("D11AH01", "Tacrolimus 0.1% ointment, instead of ciclosporin"),
        ("D11AH05", "Dupilumab 300 mg (after ciclosporin)"),
        ("L04AA01", "Ciclosporin 100 mg capsules"),  # no display: which is meant is not known
        ("S01XA18", "Ciclosporin 1 mg/ml eye drops"),
    ],
    ids=["methotrexate", "tacrolimus-ointment", "dupilumab", "legacy-code", "eye-drops"],
)
def test_the_full_atc_code_of_another_group_beside_a_name_in_a_text_is_ambiguous(
    code: str, text: str
) -> None:
    # Read as ciclosporin before: a methotrexate order got ciclosporin's dose cards.
    other = {"coding": [{"system": ATC, "code": code}], "text": text}
    error = refused(lambda: drug_for(concept_request(other)))
    concept = "MedicationRequest.medicationCodeableConcept"
    assert error.paths == (f"{concept}.coding[0].code", f"{concept}.text")
    assert (
        f"the WHO ATC code '{code}' is not ciclosporin's (L04AD01) and names no drug this "
        "library knows, while a text names the drug 'ciclosporin': which medicine is meant "
        "cannot be known"
    ) in str(error)
    assert drug_for(concept_request({**other, "text": "another medicine"})) is None


def ingredient_of(concept: Json, version: str, **more: object) -> Json:
    if version == "r4":
        return {"itemCodeableConcept": concept, **more}
    return {"item": {"concept": concept}, **more}


def test_the_ingredients_of_a_medication_name_the_medicine(version: str, csa: Drug) -> None:
    request = concept_request({"text": "unused"}, version)
    request.pop("medicationCodeableConcept", None)
    reference = {"reference": "#med"}
    if version == "r4":
        request["medicationReference"] = reference
    else:
        request["medication"] = {"reference": reference}
    csa_code = {"coding": [{"system": ATC, "code": "L04AD01", "display": "Ciclosporin"}]}
    medication: Json = {
        "resourceType": "Medication",
        "id": "med",
        "code": {"coding": [{"system": SNOMED, "code": "9999999", "display": "Neoral 100mg"}]},
        "ingredient": [ingredient_of(csa_code, version)],
    }
    request["contained"] = [medication]
    assert drug_for(request) is csa
    medication["ingredient"] = [ingredient_of(csa_code, version, isActive=False)]
    assert drug_for(request) is None  # an excipient names no medicine
    medication["ingredient"] = [{"itemReference": {"reference": "Substance/s1"}}]
    assert drug_for(request) is None
    medication["ingredient"] = [{"isActive": "yes"}]
    error = refused(lambda: drug_for(request))
    assert error.paths == ("MedicationRequest.contained[0].ingredient[0].isActive",)


def test_a_medication_named_by_its_ingredients_alone_is_called_by_them(version: str) -> None:
    def ingredients(medication: Json) -> None:
        del medication["code"]
        medication["ingredient"] = [
            ingredient_of(
                {"coding": [{"system": ATC, "code": "C10AA05", "display": "atorvastatin"}]}, version
            ),
            ingredient_of(
                {"coding": [{"system": ATC, "code": "C08CA01", "display": "amlodipine"}]}, version
            ),
        ]

    record = read(edited(load(version), "Medication/med-atorva", ingredients))
    assert record.patient.co_medications[1] == CoMedication(
        "atorvastatin + amlodipine", PATHWAYS["atorvastatin"]
    )
    by_code = read(
        edited(load(version), "Medication/med-atorva", ingredients),
        pathways={(ATC, "C08CA01"): frozenset({Pathway.CYP3A4})},
    )
    assert by_code.patient.co_medications[1].pathways == {Pathway.CYP3A4}


def test_an_ingredient_of_the_other_fhir_version_is_refused() -> None:
    def r5_ingredient(medication: Json) -> None:
        medication["ingredient"] = [{"item": {"concept": {"text": "atorvastatin"}}}]

    error = refused(lambda: read(edited(load("r4"), "Medication/med-atorva", r5_ingredient)))
    assert "one input is of one FHIR version" in str(error)


# --- the input as a whole ------------------------------------------------------------------


def test_an_iterable_of_resources_reads_as_the_bundle(bundle: Json) -> None:
    resources = [entry["resource"] for entry in bundle["entry"]]
    assert read(resources) == read(bundle)
    assert read(iter(resources)) == read(bundle)
    assert read(tuple(resources)) == read(bundle)


@pytest.mark.parametrize(
    ("value", "path"),
    [
        (5, "resources"),
        ("{}", "resources"),
        (b"{}", "resources"),
        ({"resourceType": "Patient", "id": "p1"}, "Bundle.resourceType"),
        ({"resourceType": "Bundle", "type": "history", "entry": []}, "Bundle.type"),
        ({"resourceType": "Bundle", "entry": []}, "Bundle.type"),
        ({"resourceType": "Bundle", "type": "searchset", "entry": {}}, "Bundle.entry"),
        ({"resourceType": "Bundle", "type": "searchset", "entry": [5]}, "Bundle.entry[0]"),
        ({"resourceType": "Bundle", "type": "searchset", "entry": []}, "Bundle"),
        ([5], "resources[0]"),
        ([{"id": "p1"}], "resources[0].resourceType"),
    ],
)
def test_malformed_input_is_a_data_error_with_the_path(value: object, path: str) -> None:
    error = refused(lambda: read(value))
    assert error.paths == (path,)


def test_one_page_of_a_paged_search_is_refused(bundle: Json) -> None:
    paged = copy.deepcopy(bundle)
    paged["link"].append({"relation": "next", "url": "https://fhir.example.org/page2"})
    error = refused(lambda: read(paged))
    assert error.paths == ("Bundle.link[1]",)
    assert "every page" in str(error)


def test_a_second_patient_or_none_is_refused(bundle: Json) -> None:
    other = {"resourceType": "Patient", "id": "p2", "birthDate": "1970-01-01"}
    error = refused(lambda: read(added(bundle, other)))
    assert "a second Patient" in str(error)
    assert "no Patient" in str(refused(lambda: read(without(bundle, "Patient/p1"))))


def renamed_medicine(medication: Json) -> Json:
    changed = copy.deepcopy(medication)
    changed["code"] = {"text": "Clarithromycin 500 mg tablets"}
    return changed


@pytest.mark.parametrize("first", [True, False], ids=["copy after", "copy before"])
@pytest.mark.parametrize("label", ["Medication/med-atorva", "Observation/w2"])
def test_two_different_resources_under_one_id_are_refused_naming_both(
    bundle: Json, label: str, first: bool
) -> None:
    """Which of the two is meant cannot be known: neither is read in silence."""
    original = resource(bundle, label)
    if label.startswith("Medication"):
        other = renamed_medicine(original)
    else:
        other = {**original, "valueQuantity": {**original["valueQuantity"], "value": 90}}
    i, n = index_of(bundle, label), len(bundle["entry"])
    doubled = added(bundle, other)
    if not first:  # the other copy first in the Bundle
        doubled["entry"][i], doubled["entry"][n] = doubled["entry"][n], doubled["entry"][i]
    error = refused(lambda: read(doubled))
    assert error.paths == (f"Bundle.entry[{n}].resource",)
    assert str(error) == (
        f"Bundle.entry[{n}].resource: {label} is also at Bundle.entry[{i}].resource, with "
        "other content: one id names one resource; remove the copy that is wrong"
    )


def test_copies_too_deep_to_compare_are_refused_as_different(bundle: Json) -> None:
    """A caller's own mappings may nest without end; the comparison still gives an answer."""
    copies = []
    for _ in range(2):
        observation = copy.deepcopy(resource(bundle, "Observation/w2"))
        observation["note"] = [observation]  # each nests itself
        copies.append(observation)
    error = refused(lambda: read(added(without(bundle, "Observation/w2"), *copies)))
    n = len(bundle["entry"])
    assert error.paths == (f"Bundle.entry[{n}].resource",)
    assert "Observation/w2 is also at" in str(error)


def test_identical_copies_of_a_resource_are_read_once(bundle: Json) -> None:
    """A search may return a resource twice (matched, and included): the same facts."""
    copies = [
        copy.deepcopy(resource(bundle, label))
        for label in (
            "Patient/p1",
            "Observation/w2",
            "Medication/med-atorva",
            "MedicationRequest/mr2",
        )
    ]
    record = read(added(bundle, *copies))
    assert record == read(bundle)
    # A Condition is not read: two different ones under one id do not matter.
    condition = copy.deepcopy(resource(bundle, "Condition/c1"))
    condition["code"] = {"text": "Psoriasis"}
    assert read(added(bundle, condition)) == read(bundle)


@pytest.mark.parametrize("atorvastatin_first", [True, False])
def test_two_contained_medications_under_one_id_are_refused(
    version: str, atorvastatin_first: bool
) -> None:
    atorvastatin = {**resource(load(version), "Medication/med-atorva"), "id": "m1"}
    contained = [atorvastatin, renamed_medicine(atorvastatin)]
    if not atorvastatin_first:
        contained.reverse()
    request = concept_request({"text": "unused"}, version)
    request.pop("medicationCodeableConcept", None)
    request.pop("medication", None)
    if version == "r4":
        request["medicationReference"] = {"reference": "#m1"}
    else:
        request["medication"] = {"reference": {"reference": "#m1"}}
    request["contained"] = contained
    request["id"] = "mr9"
    error = refused(lambda: drug_for(request))
    assert error.paths == ("MedicationRequest.contained[1]",)
    assert str(error).endswith(
        "the contained resource #m1 is also at contained[0], with other content: one id names "
        "one resource; remove the copy that is wrong"
    )
    in_record = refused(lambda: read(added(load(version), request)))
    n = len(load(version)["entry"])
    assert in_record.paths == (f"Bundle.entry[{n}].resource.contained[1]",)
    request["contained"] = [atorvastatin, copy.deepcopy(atorvastatin)]
    assert drug_for(request) is None  # the same Medication twice: atorvastatin


def test_a_bundle_inside_the_input_is_refused_naming_its_path(bundle: Json) -> None:
    inner = {
        "resourceType": "Bundle",
        "type": "searchset",
        "entry": [{"resource": weight_observation("w9", "2025-02-28", 95)}],
    }
    n = len(bundle["entry"])
    error = refused(lambda: read(added(bundle, inner)))
    assert error.paths == (f"Bundle.entry[{n}].resource",)
    assert str(error).endswith(
        "a Bundle inside the input is not read (its weights and medicines would be lost): give "
        "its resources in the outer Bundle or list"
    )
    resources = [entry["resource"] for entry in bundle["entry"]]
    assert refused(lambda: read([*resources, inner])).paths == (f"resources[{n}]",)
    listed = refused(lambda: drug_for(ciclosporin_request("r4"), medications=[inner]))
    assert listed.paths == ("resources[0]",)


@pytest.mark.parametrize("relation", ["next", "previous", "prev", "Next", " PREVIOUS"])
def test_one_page_of_a_paged_search_is_refused_by_its_links(bundle: Json, relation: str) -> None:
    paged = copy.deepcopy(bundle)
    paged["link"].append({"relation": relation, "url": "https://fhir.example.org/page"})
    error = refused(lambda: read(paged))
    assert error.paths == ("Bundle.link[1]",)
    assert str(error) == (
        f"Bundle.link[1]: the Bundle is one page of a search (it has a {relation!r} link): read "
        "every page and pass all their resources, or the latest weight or an active medicine "
        "may be on a page not read"
    )


def test_links_of_a_search_of_one_page_are_read(bundle: Json) -> None:
    one = copy.deepcopy(bundle)
    one["link"] += [
        {"relation": "first", "url": "https://fhir.example.org/page1"},
        {"relation": "last", "url": "https://fhir.example.org/page1"},
        {"relation": {"not": "a string"}, "url": "https://fhir.example.org/page1"},
    ]
    assert read(one) == read(bundle)


def test_a_search_whose_total_is_above_its_entries_is_one_page(bundle: Json) -> None:
    paged = copy.deepcopy(bundle)
    paged["total"] = 40
    error = refused(lambda: read(paged))
    assert error.paths == ("Bundle.total",)
    n = len(bundle["entry"])
    assert f"the search found 40 matches, but the Bundle holds {n} of them" in str(error)
    assert "read every page" in str(error)
    paged["total"] = 1  # fewer matches than entries: the others are included resources
    assert read(paged) == read(bundle)
    for total in ("15", 15.0, True, -1):
        paged["total"] = total
        assert refused(lambda: read(paged)).paths == ("Bundle.total",)
    # Included resources are no matches: a total of every entry, some of them included
    paged["total"] = n
    paged["entry"][-1] = {**paged["entry"][-1], "search": {"mode": "include"}}
    assert "the search found" in str(refused(lambda: read(paged)))
    paged["total"] = n - 1
    assert read(paged) == read(bundle)
    collection = {**copy.deepcopy(bundle), "type": "collection", "total": 99}  # not a search's
    assert read(collection) == read(bundle)


@pytest.mark.parametrize(
    ("bundle_type", "words"),
    [
        ("message", "'message': a message Bundle holds a message between systems"),
        ("batch-response", "'batch-response': a batch-response Bundle holds a server's responses"),
        ("subscription-notification", "holds a notification of changes for a subscription"),
        ("history", "'history': a history Bundle holds past versions of resources"),
        ("transaction", "'transaction': a transaction Bundle holds requests to a server"),
        ("everything", "'everything' is not a type of Bundle read"),
        (None, "Bundle.type: missing: "),
    ],
)
def test_a_bundle_of_a_type_not_read_says_what_it_is_and_what_is_read(
    bundle_type: str | None, words: str
) -> None:
    value: Json = {"resourceType": "Bundle", "entry": []}
    if bundle_type is not None:
        value["type"] = bundle_type
    error = refused(lambda: read(value))
    assert error.paths == ("Bundle.type",)
    assert words in str(error)
    assert "the Bundles read are of type searchset" in str(error)
    assert "None" not in str(error)


PATIENT_NUMBER = "https://fhir.example.org/sid/patient-number"


@pytest.mark.parametrize(
    "identifier",
    [
        {"system": PATIENT_NUMBER, "value": "999999"},
        {"system": "urn:oid:1.2.3", "value": "100234"},
        {"value": "100234"},
        {"system": PATIENT_NUMBER},
    ],
    ids=["another value", "another system", "no system", "no value"],
)
def test_a_subject_given_by_an_identifier_must_be_one_of_the_patients(
    bundle: Json, identifier: Json
) -> None:
    own = {"identifier": {"system": PATIENT_NUMBER, "value": "100234"}}
    assert read(edited(bundle, "Observation/w2", lambda r: r.update(subject=own))) == read(bundle)
    foreign = edited(
        bundle, "Observation/w2", lambda r: r.update(subject={"identifier": identifier})
    )
    error = refused(lambda: read(foreign))
    i = index_of(bundle, "Observation/w2")
    assert error.paths == (f"Bundle.entry[{i}].resource.subject.identifier",)
    assert "is none of the identifiers of the record's patient (Patient/p1)" in str(error)
    assert "999999" not in str(error)  # another person's number is not repeated


def test_a_subject_given_by_a_display_alone_is_read(bundle: Json) -> None:
    displayed = edited(bundle, "Observation/w2", lambda r: r.update(subject={"display": "Eva"}))
    assert read(displayed) == read(bundle)


def test_the_date_rule_is_not_justified_by_a_service_deciding_in_utc() -> None:
    """The CDS service decides on the date in its configured time zone, not in UTC."""
    from ae_systemic._fhir_input import _When

    page = (Path(__file__).resolve().parent.parent / "docs" / "health-records.md").read_text(
        "utf-8"
    )
    assert "decides on the day in UTC" not in page
    assert "ServiceConfig.timezone" in page
    for method in (_When.after, _When.before):
        assert "UTC date" not in (method.__doc__ or "")
    assert "ServiceConfig.timezone" in (_When.after.__doc__ or "")


# --- modifier extensions -------------------------------------------------------------------

REFUTED = "https://fhir.example.org/StructureDefinition/refuted"


def with_modifier(target: Json) -> None:
    target["modifierExtension"] = [{"url": REFUTED, "valueBoolean": True}]


def modifier_message(what: str) -> str:
    return (
        f"holds the modifier extension {REFUTED!r}, which this library does not understand: "
        f"a modifier extension may change what this {what} means, and FHIR forbids reading the "
        f"{what} as if it were absent; remove one only if it does not apply"
    )


@pytest.mark.parametrize(
    ("label", "read_for"),
    [
        ("Patient/p1", "Patient/p1"),
        ("Observation/w2", "Observation/w2"),
        ("Observation/w3", "Observation/w3"),  # entered in error: the extension may say otherwise
        ("Observation/preg1", "Observation/preg1"),
        ("MedicationRequest/mr2", "MedicationRequest/mr2"),
        ("MedicationRequest/mr4", "MedicationRequest/mr4"),  # stopped, as far as it says
        ("MedicationStatement/ms1", "MedicationStatement/ms1"),
        ("Medication/med-atorva", "MedicationRequest/mr3"),  # read for the order naming it
        ("ServiceRequest/sr1", "ServiceRequest/sr1"),
    ],
)
def test_a_resource_read_that_holds_a_modifier_extension_is_refused(
    bundle: Json, label: str, read_for: str
) -> None:
    """FHIR: a modifier extension not understood forbids reading the resource without it."""
    error = refused(lambda: read(edited(bundle, label, with_modifier)))
    path = f"Bundle.entry[{index_of(bundle, label)}].resource.modifierExtension"
    assert error.paths == (path,)
    assert str(error) == f"{path}: {read_for}: {modifier_message('resource')}"


def test_several_modifier_extensions_are_named_three_at_most(version: str) -> None:
    request = ciclosporin_request(version)
    request["modifierExtension"] = [{"url": f"{REFUTED}{i}"} for i in range(5)]
    error = refused(lambda: read_prescription(request))
    assert error.paths == ("MedicationRequest.modifierExtension",)
    assert str(error).startswith(
        f"MedicationRequest.modifierExtension: holds modifier extensions {REFUTED + '0'!r}, "
        f"{REFUTED + '1'!r}, {REFUTED + '2'!r} and 2 more, which this library does not understand"
    )


def test_a_bundle_entry_that_holds_a_modifier_extension_is_refused(bundle: Json) -> None:
    i = index_of(bundle, "Observation/w2")
    changed = copy.deepcopy(bundle)
    with_modifier(changed["entry"][i])
    error = refused(lambda: read(changed))
    assert error.paths == (f"Bundle.entry[{i}].modifierExtension",)
    assert str(error).endswith(modifier_message("element"))


def test_a_modifier_extension_on_what_is_not_read_changes_nothing(bundle: Json) -> None:
    """A height, a condition and an unmapped order are not read; an empty list is no extension."""
    changed = bundle
    for label in ("Observation/h1", "Condition/c1"):
        changed = edited(changed, label, with_modifier)
    changed = edited(changed, "Observation/w2", lambda r: r.update(modifierExtension=[]))
    assert read(changed) == read(bundle)
    unmapped = edited(bundle, "ServiceRequest/sr1", with_modifier)
    assert read(unmapped, phototherapy=None) == read(bundle, phototherapy=None)


@pytest.mark.parametrize(
    ("where", "path", "what"),
    [
        ([], "MedicationRequest.modifierExtension", "resource"),
        ([*D], f"{DOSAGE}.modifierExtension", "element"),
        ([*D, "timing"], f"{DOSAGE}.timing.modifierExtension", "element"),
    ],
    ids=["the order", "its dosage", "its timing"],
)
def test_an_order_that_holds_a_modifier_extension_is_refused(
    version: str, where: list[str | int], path: str, what: str
) -> None:
    request = ciclosporin_request(version)
    target: Any = request
    for step in where:
        target = target[step]
    with_modifier(target)
    error = refused(lambda: read_prescription(request))
    assert error.paths == (path,)
    assert str(error) == f"{path}: {modifier_message(what)}"
    if not where:
        assert refused(lambda: drug_for(request)).paths == (path,)


def test_drug_for_refuses_a_contained_medication_that_holds_a_modifier_extension(
    csa: Drug,
) -> None:
    request = ciclosporin_request("r4")
    del request["medicationCodeableConcept"]
    request["medicationReference"] = {"reference": "#med"}
    medication = {"resourceType": "Medication", "id": "med", "code": {"text": "Ciclosporin 25 mg"}}
    request["contained"] = [medication]
    assert drug_for(request) is csa
    with_modifier(medication)
    error = refused(lambda: drug_for(request))
    assert error.paths == ("MedicationRequest.contained[0].modifierExtension",)
    assert str(error).endswith(modifier_message("resource"))


def test_drug_for_follows_a_reference_into_the_medications_given(csa: Drug) -> None:
    request = ciclosporin_request("r4")
    del request["medicationCodeableConcept"]
    request["medicationReference"] = {"reference": "Medication/med"}
    medication = {"resourceType": "Medication", "id": "med", "code": {"text": "Ciclosporin 25 mg"}}
    other = {"resourceType": "Medication", "id": "other", "code": {"text": "atorvastatin"}}
    error = refused(lambda: drug_for(request))  # nowhere to follow it to
    assert "neither contained in this resource nor in the input" in str(error)
    assert drug_for(request, medications=[other, medication]) is csa
    bundle = {
        "resourceType": "Bundle",
        "type": "searchset",
        "entry": [{"fullUrl": "https://ehr.example/fhir/Medication/med", "resource": medication}],
    }
    assert drug_for(request, medications=bundle) is csa
    request["medicationReference"] = {"reference": "https://ehr.example/fhir/Medication/med"}
    assert drug_for(request, medications=bundle) is csa
    twice = [medication, {**other, "id": "med"}]
    error = refused(lambda: drug_for(request, medications=twice))
    assert "with other content" in str(error)


def test_a_resource_of_another_patient_is_refused(bundle: Json) -> None:
    foreign = edited(
        bundle, "Observation/w2", lambda r: r.update(subject={"reference": "Patient/p2"})
    )
    error = refused(lambda: read(foreign))
    i = index_of(bundle, "Observation/w2")
    assert error.paths == (f"Bundle.entry[{i}].resource.subject.reference",)
    assert "not the record's patient (Patient/p1)" in str(error)
    absolute = edited(
        bundle,
        "Observation/w2",
        lambda r: r.update(subject={"reference": "https://fhir.example.org/r4/Patient/p1"}),
    )
    assert read(absolute).sources_of("weight") == ("Observation/w2",)


@pytest.mark.parametrize(
    "reference",
    ["Patient/p1/_history/3", "https://fhir.example.org/r4/Patient/p1/_history/3"],
)
def test_a_versioned_reference_to_the_patient_is_the_patient(bundle: Json, reference: str) -> None:
    versioned = edited(
        bundle, "Observation/w2", lambda r: r.update(subject={"reference": reference})
    )
    assert read(versioned).sources_of("weight") == ("Observation/w2",)
    other = reference.replace("p1", "p2")
    foreign = edited(bundle, "Observation/w2", lambda r: r.update(subject={"reference": other}))
    assert "not the record's patient" in str(refused(lambda: read(foreign)))


def test_an_unknown_fhir_version_or_mixed_versions_are_refused(bundle: Json) -> None:
    with pytest.raises(InputError, match="version"):
        read(bundle, version="R6")
    with pytest.raises(ArgumentTypeError, match="version"):
        read(bundle, version=4)
    r5_order = {**resource(load("r5"), "MedicationRequest/mr2"), "id": "mr2-r5"}
    mixed = added(load("r4"), r5_order)
    error = refused(lambda: read(mixed))
    assert "one input is of one FHIR version" in str(error)
    dstu2 = added(bundle, {"resourceType": "MedicationOrder", "id": "old"})
    assert "DSTU2" in str(refused(lambda: read(dstu2)))


def test_a_version_given_must_match_the_shapes() -> None:
    assert read(load("r4"), version="R4B") == read(load("r4"))
    assert read(load("r5"), version="5.0.0") == read(load("r5"))
    error = refused(lambda: read(load("r5"), version="R4"))
    assert "version='R4' was given" in str(error)


def test_a_bundle_of_a_million_entries_is_refused_at_once() -> None:
    huge = {"resourceType": "Bundle", "type": "searchset", "entry": [{}] * 10**6}
    start = time.perf_counter()
    error = refused(lambda: read(huge))
    assert time.perf_counter() - start < 1.0
    assert error.paths == ("Bundle.entry",)
    assert str(MAX_RESOURCES) in str(error)
    endless = itertools.repeat({"resourceType": "Basic"})
    start = time.perf_counter()
    assert refused(lambda: read(endless)).paths == ("resources",)
    assert time.perf_counter() - start < 2.0


@pytest.mark.parametrize(
    ("when", "words"),
    [
        ("20.02.2025", "not a FHIR dateTime"),
        ("2025-02-20T10:30:00", "not a FHIR dateTime"),  # a time needs its zone
        ("2025-02-30", "not a date that exists"),
        ("2025-02-20T25:00:00Z", "not a date that exists"),
        (20250220, "expected a FHIR dateTime"),
        pytest.param("２０２５-02-20", "not a FHIR dateTime", id="fullwidth digits"),
        pytest.param("2025-0٢-20", "not a FHIR dateTime", id="an Arabic-Indic digit"),
        ("2025-02-20T10:30:00+23:59", "not a FHIR dateTime"),
        ("2025-02-20T10:30:00+14:01", "not a FHIR dateTime"),
        ("2025-02-20T10:30:00-14:30", "not a FHIR dateTime"),
        ("2025-02-20T10:30:00+05:60", "not a FHIR dateTime"),
        ("2025-02-20T10:30Z", "not a FHIR dateTime"),  # FHIR's time has seconds
    ],
)
def test_dates_that_do_not_parse_are_refused(bundle: Json, when: object, words: str) -> None:
    bad = edited(bundle, "Observation/w2", lambda r: r.update(effectiveDateTime=when))
    error = refused(lambda: read(bad))
    i = index_of(bundle, "Observation/w2")
    assert error.paths == (f"Bundle.entry[{i}].resource.effectiveDateTime",)
    assert words in str(error)
    assert "Observation/w2: " in str(error)


@pytest.mark.parametrize(
    "when",
    [
        "2025-02-20T10:30:00+14:00",
        "2025-02-20T10:30:00-13:59",
        "2025-02-20T10:30:00-14:00",
        "2025-02-20T10:30:00.1234567891Z",
    ],
)
def test_the_time_zones_and_fractions_fhir_allows_are_read(bundle: Json, when: str) -> None:
    moved = edited(bundle, "Observation/w2", lambda r: r.update(effectiveDateTime=when))
    assert read(moved).sources_of("weight") == ("Observation/w2",)


@pytest.mark.parametrize(
    "date", ["１９８５-04-12", "1985-0٤-12", "198５"], ids=["fullwidth", "Arabic-Indic", "mixed"]
)
def test_a_birth_date_in_digits_other_than_ascii_is_refused(bundle: Json, date: str) -> None:
    error = refused(lambda: read(birth(bundle, date)))
    assert error.paths == ("Bundle.entry[0].resource.birthDate",)
    assert f"{date!r} is not a FHIR date" in str(error)


@pytest.mark.parametrize(
    ("options", "error"),
    [
        ({"on": "2025-03-01"}, ArgumentTypeError),
        ({"on": dt.datetime(2025, 3, 1, 12, 0)}, ArgumentTypeError),
        ({"weight_within": 30}, InputError),
        ({"weight_within": "30 kg"}, InputError),
        ({"weight_within": "-1 day"}, InputError),
        ({"weight_within": [30]}, ArgumentTypeError),
        ({"pathways": ["atorvastatin"]}, ArgumentTypeError),
        ({"pathways": {"atorvastatin": {Pathway.CYP3A4}}}, ArgumentTypeError),
        ({"pathways": {5: frozenset()}}, ArgumentTypeError),
        ({"phototherapy": {"NB-UVB": Phototherapy.UVB}}, ArgumentTypeError),
        ({"phototherapy": {(LOCAL, "NB-UVB"): "UVB"}}, ArgumentTypeError),
        ({"partial_birth_date": "oldest"}, InputError),
        ({"excluding": "ciclosporn"}, UnknownDrugError),
        ({"excluding": 5}, ArgumentTypeError),
    ],
)
def test_keyword_arguments_of_the_wrong_kind_are_refused(
    bundle: Json, options: dict[str, Any], error: type[Exception]
) -> None:
    with pytest.raises(error):
        read(bundle, **options)


# --- values travel -------------------------------------------------------------------------


def test_the_record_and_the_errors_pickle(bundle: Json) -> None:
    record = read(bundle)
    assert pickle.loads(pickle.dumps(record)) == record
    error = refused(lambda: read(without(bundle, "Observation/w2")))
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is DataError
    assert again.problems == error.problems


def test_json_read_with_decimals_is_refused_with_the_fix(version: str) -> None:
    """``json.loads(text, parse_float=Decimal)``: the library reads JSON numbers as floats."""
    text = (FIXTURES / f"{version}-everything.json").read_text("utf-8")
    decimals = without(json.loads(text, parse_float=decimal.Decimal), "Observation/w2")
    error = refused(lambda: read(decimals, weight_within="1 year"))  # w1 is the latest
    path = f"Bundle.entry[{index_of(decimals, 'Observation/w1')}].resource.valueQuantity.value"
    assert error.paths == (path,)
    assert str(error).endswith(
        "expected a number, got the Decimal Decimal('72.5'): a Decimal is not read; parse the "
        "JSON with json.loads's default floats (without parse_float=Decimal)"
    )
    every_12_hours = ciclosporin_request(version)
    dosage(every_12_hours)["timing"]["repeat"].update(period=decimal.Decimal("0.5"))
    error = refused(lambda: read_prescription(every_12_hours))
    assert error.paths == (f"{DOSAGE}.timing.repeat.period",)
    assert "got the Decimal Decimal('0.5'): a Decimal is not read" in str(error)


def test_the_record_is_frozen_and_checks_its_fields(bundle: Json) -> None:
    record = read(bundle)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        record.pregnancy_known = False  # type: ignore[misc]
    with pytest.raises(ArgumentTypeError, match="patient"):
        PatientRecord("patient", True, ())  # type: ignore[arg-type]
    with pytest.raises(ArgumentTypeError, match="sources"):
        PatientRecord(record.patient, True, (("weight",),))  # type: ignore[arg-type]
    with pytest.raises(ArgumentTypeError, match="pregnancy_known"):
        PatientRecord(record.patient, 1, ())  # type: ignore[arg-type]
    with pytest.raises(ArgumentTypeError, match=r"^pregnancy_note: expected a string or None"):
        PatientRecord(record.patient, False, (), pregnancy_note=1)  # type: ignore[arg-type]
    with pytest.raises(InputError, match=r"^pregnancy_note: a note on why the pregnancy status"):
        PatientRecord(record.patient, True, (), pregnancy_note="not known")
    unknown = PatientRecord(record.patient, False, (), ("why",), pregnancy_note="why")
    assert (unknown.pregnancy_note, unknown.notes) == ("why", ("why",))


# --- hostile input -------------------------------------------------------------------------

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(max_size=12)
    | st.sampled_from(["2025-02-20", "kg", "mg", UCUM, LOINC, "final", "active", "Patient/p1"]),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=10,
)


def paths(value: object, prefix: tuple[str | int, ...] = ()) -> Iterator[tuple[str | int, ...]]:
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from paths(item, (*prefix, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from paths(item, (*prefix, i))


def replaced(document: Json, path: tuple[str | int, ...], value: object) -> object:
    if not path:
        return value
    copied = copy.deepcopy(document)
    target: Any = copied
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return copied


R4_PATHS = list(paths(load("r4")))
R5_PATHS = list(paths(load("r5")))
REQUEST_PATHS = list(paths(ciclosporin_request("r4")))


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    which=st.sampled_from(VERSIONS),
    index=st.integers(min_value=0),
    value=json_values,
)
def test_any_element_of_the_bundle_replaced_gives_a_record_or_a_data_error(
    which: str, index: int, value: object
) -> None:
    candidates = R4_PATHS if which == "r4" else R5_PATHS
    document = replaced(load(which), candidates[index % len(candidates)], value)
    result = outcome(lambda: read(document, weight_within="1 year"))
    if isinstance(result, DataError):
        assert result.paths
    else:
        assert isinstance(result, PatientRecord)


@settings(max_examples=200, deadline=None)
@given(index=st.integers(min_value=0), value=json_values)
def test_any_element_of_an_order_replaced_gives_a_prescription_or_a_data_error(
    index: int, value: object
) -> None:
    document = replaced(ciclosporin_request("r4"), REQUEST_PATHS[index % len(REQUEST_PATHS)], value)
    order = outcome(lambda: read_prescription(document))  # type: ignore[arg-type]
    if isinstance(order, DataError):
        assert all(p.startswith("MedicationRequest") for p in order.paths)
    else:
        assert isinstance(order, Prescription)
    found = outcome(lambda: drug_for(document))  # type: ignore[arg-type]
    assert isinstance(found, DataError | Drug) or found is None
    if isinstance(found, DataError):
        assert found.paths


@settings(max_examples=200, deadline=None)
@given(json_values)
def test_any_json_value_read_as_a_record_or_an_order_is_a_data_error(value: object) -> None:
    for call in (
        lambda: read(value),
        lambda: read([value]),
        lambda: read({"resourceType": "Bundle", "type": "collection", "entry": [value]}),
        lambda: read_prescription(value),  # type: ignore[arg-type]
        lambda: drug_for(value),  # type: ignore[arg-type]
    ):
        with pytest.raises(DataError):
            call()
