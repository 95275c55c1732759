"""Builders of CDS Hooks requests for the tests: valid ``order-sign`` and ``order-select`` calls.

Each builder returns a fresh JSON-ready ``dict`` (change it freely).  The facts are
synthetic (a made-up patient); the dates default to today (UTC), so that a request built
now is read as current by a service that takes today as the decision date.  FHIR ``R4``
and ``R5`` shapes differ where the versions do (``medicationCodeableConcept`` against
``medication.concept``, a ``ServiceRequest.code`` CodeableConcept against a
CodeableReference).

The server's tests import these too: keep the signatures stable.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any, TypeAlias

from ae_systemic.cds_hooks import ServiceConfig

Json: TypeAlias = dict[str, Any]
#: ``"R4"`` (also R4B) or ``"R5"``: the FHIR shapes of the resources built.
Version: TypeAlias = str

PATIENT_ID = "cds-patient-1"
USER_ID = "Practitioner/cds-user-1"
HOOK_INSTANCE = "5d8e0a52-8a1e-4a4e-9d9c-3f0c2c4b1a11"
ATC = "http://www.whocc.no/atc"
LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
TIMING = "http://terminology.hl7.org/CodeSystem/v3-GTSAbbreviation"
#: A local (made-up) code system and code for UVB phototherapy, mapped in the test configs.
PHOTOTHERAPY_SYSTEM = "http://hospital.example.org/fhir/CodeSystem/procedures"
UVB_CODE = "PHOTO-UVB"
#: The prefetch keys of the service (``ae_systemic.cds_hooks.discovery()``).
PREFETCH_KEYS = ("patient", "weights", "pregnancy", "medications", "serviceRequests", "procedures")


def today() -> datetime.date:
    """Today's date in the machine's local time zone, the decision date a service takes
    by default (a ``ServiceConfig`` without a ``timezone``)."""
    return ServiceConfig().today()


def _years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _concept(system: str, code: str, display: str) -> Json:
    return {"coding": [{"system": system, "code": code, "display": display}], "text": display}


def _medication(resource: Json, concept: Json, version: Version) -> Json:
    if version == "R5":
        resource["medication"] = {"concept": concept}
    else:
        resource["medicationCodeableConcept"] = concept
    return resource


def patient(
    *, patient_id: str = PATIENT_ID, age_years: int = 40, on: datetime.date | None = None
) -> Json:
    """A ``Patient`` of ``age_years`` whole years on ``on`` (today by default)."""
    born = _years_before(on or today(), age_years)
    return {"resourceType": "Patient", "id": patient_id, "birthDate": born.isoformat()}


def weight(
    kg: float = 70.0,
    *,
    resource_id: str = "weight-1",
    patient_id: str = PATIENT_ID,
    on: datetime.date | None = None,
) -> Json:
    """A final body-weight ``Observation`` (LOINC 29463-7) in kg, dated ``on`` (today)."""
    quantity = {"value": kg, "unit": "kg", "system": "http://unitsofmeasure.org", "code": "kg"}
    found = _observation(resource_id, patient_id, on, _concept(LOINC, "29463-7", "Body weight"))
    return {**found, "valueQuantity": quantity}


def pregnancy_status(
    pregnant: bool,
    *,
    resource_id: str = "pregnancy-1",
    patient_id: str = PATIENT_ID,
    on: datetime.date | None = None,
) -> Json:
    """A final pregnancy-status ``Observation`` (LOINC 82810-3), pregnant or not."""
    code, display = ("77386006", "Pregnant") if pregnant else ("60001007", "Not pregnant")
    status = _concept(LOINC, "82810-3", "Pregnancy status")
    found = _observation(resource_id, patient_id, on, status)
    return {**found, "valueCodeableConcept": _concept(SNOMED, code, display)}


def _observation(resource_id: str, patient_id: str, on: datetime.date | None, code: Json) -> Json:
    """A final ``Observation`` of ``code`` for the patient, dated ``on`` (today), no value yet."""
    return {
        "resourceType": "Observation",
        "id": resource_id,
        "status": "final",
        "code": code,
        "subject": {"reference": f"Patient/{patient_id}"},
        "effectiveDateTime": (on or today()).isoformat(),
    }


def ciclosporin_order(
    order_id: str = "ciclosporin-order-1",
    *,
    version: Version = "R4",
    amount_mg: float = 200.0,
    frequency: int = 2,
    timing: str = "repeat",
    patient_id: str = PATIENT_ID,
    status: str = "draft",
) -> Json:
    """A draft ciclosporin ``MedicationRequest`` (ATC L04AD01), ``amount_mg`` × ``frequency`` a day.

    ``timing="code"`` writes the frequency as ``timing.code`` (``QD``, ``BID``, ``TID``,
    ``QID``) instead of ``timing.repeat``.
    """
    if timing not in ("repeat", "code"):
        raise ValueError(f"timing is 'repeat' or 'code', not {timing!r}")
    if timing == "code":
        abbreviation = {1: "QD", 2: "BID", 3: "TID", 4: "QID"}[frequency]
        timing_json: Json = {"code": {"coding": [{"system": TIMING, "code": abbreviation}]}}
    else:
        timing_json = {"repeat": {"frequency": frequency, "period": 1, "periodUnit": "d"}}
    resource: Json = {
        "resourceType": "MedicationRequest",
        "id": order_id,
        "status": status,
        "intent": "order",
        "subject": {"reference": f"Patient/{patient_id}"},
        "dosageInstruction": [
            {
                "timing": timing_json,
                "doseAndRate": [
                    {
                        "doseQuantity": {
                            "value": amount_mg,
                            "unit": "mg",
                            "system": "http://unitsofmeasure.org",
                            "code": "mg",
                        }
                    }
                ],
            }
        ],
    }
    return _medication(resource, _concept(ATC, "L04AD01", "ciclosporin"), version)


def medication_order(
    order_id: str,
    name: str,
    *,
    version: Version = "R4",
    status: str = "draft",
    patient_id: str = PATIENT_ID,
) -> Json:
    """A ``MedicationRequest`` for another medicine, named by its text only (no dosage)."""
    resource: Json = {
        "resourceType": "MedicationRequest",
        "id": order_id,
        "status": status,
        "intent": "order",
        "subject": {"reference": f"Patient/{patient_id}"},
    }
    return _medication(resource, {"text": name}, version)


def phototherapy_request(
    request_id: str = "uvb-1",
    *,
    version: Version = "R4",
    system: str = PHOTOTHERAPY_SYSTEM,
    code: str = UVB_CODE,
    status: str = "active",
    patient_id: str = PATIENT_ID,
) -> Json:
    """A planned phototherapy ``ServiceRequest`` coded ``(system, code)`` (UVB by default)."""
    concept = _concept(system, code, "UVB phototherapy")
    return {
        "resourceType": "ServiceRequest",
        "id": request_id,
        "status": status,
        "intent": "order",
        "subject": {"reference": f"Patient/{patient_id}"},
        "code": {"concept": concept} if version == "R5" else concept,
    }


def searchset(*resources: Json) -> Json:
    """A ``searchset`` Bundle of ``resources``, or ``None``-like empty Bundle for none."""
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": len(resources),
        "entry": [
            {"fullUrl": f"urn:example:{r.get('resourceType')}/{r.get('id')}", "resource": r}
            for r in resources
        ],
    }


def prefetch(
    *,
    patient_id: str = PATIENT_ID,
    age_years: int = 40,
    weight_kg: float | None = 70.0,
    pregnant: bool | None = False,
    medications: Sequence[Json] = (),
    service_requests: Sequence[Json] = (),
    procedures: Sequence[Json] = (),
    on: datetime.date | None = None,
) -> Json:
    """The prefetch of every key the service asks for, each filled as a client would.

    The pregnancy status is recorded (not pregnant) unless ``pregnant`` is ``None``: a record
    without one gets a card of its own (see ``test_a_record_without_a_pregnancy_status_*``).

    A key with no data is ``None`` (JSON ``null``), as the specification says.
    """
    weights = searchset(weight(weight_kg, patient_id=patient_id, on=on)) if weight_kg else None
    status = (
        None
        if pregnant is None
        else searchset(pregnancy_status(pregnant, patient_id=patient_id, on=on))
    )
    return {
        "patient": patient(patient_id=patient_id, age_years=age_years, on=on),
        "weights": weights,
        "pregnancy": status,
        "medications": searchset(*medications) if medications else None,
        "serviceRequests": searchset(*service_requests) if service_requests else None,
        "procedures": searchset(*procedures) if procedures else None,
    }


def draft_orders(*orders: Json) -> Json:
    """The ``draftOrders`` Bundle of ``orders``."""
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"resource": order} for order in orders],
    }


def order_sign_request(
    orders: Sequence[Json],
    *,
    prefetched: Json | None = None,
    patient_id: str = PATIENT_ID,
    hook_instance: str = HOOK_INSTANCE,
) -> Json:
    """An ``order-sign`` request for ``orders`` (the draft resources) and ``prefetched``.

    ``prefetched`` defaults to :func:`prefetch` (a 70 kg adult, nothing else); pass
    ``{}`` for a request without any prefetch key.
    """
    return {
        "hook": "order-sign",
        "hookInstance": hook_instance,
        "context": {
            "userId": USER_ID,
            "patientId": patient_id,
            "draftOrders": draft_orders(*orders),
        },
        "prefetch": prefetch(patient_id=patient_id) if prefetched is None else prefetched,
    }


def order_select_request(
    orders: Sequence[Json],
    selections: Sequence[str],
    *,
    prefetched: Json | None = None,
    patient_id: str = PATIENT_ID,
    hook_instance: str = HOOK_INSTANCE,
) -> Json:
    """An ``order-select`` request: ``orders`` drafted, ``selections`` (``"Kind/id"``) chosen."""
    request = order_sign_request(
        orders, prefetched=prefetched, patient_id=patient_id, hook_instance=hook_instance
    )
    request["hook"] = "order-select"
    context = request["context"]
    assert isinstance(context, dict)
    context["selections"] = list(selections)
    return request


def scenario_request(*, version: Version = "R4", timing: str = "repeat") -> Json:
    """The issue's scenario: a 70 kg adult, ciclosporin 200 mg twice daily, UVB planned.

    The UVB ``ServiceRequest`` (coded :data:`PHOTOTHERAPY_SYSTEM` | :data:`UVB_CODE`) is
    in the prefetch's ``serviceRequests``; a service must map that code to UVB in its
    configuration to see it.
    """
    return order_sign_request(
        [ciclosporin_order(version=version, timing=timing)],
        prefetched=prefetch(service_requests=[phototherapy_request(version=version)]),
    )
