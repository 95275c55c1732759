"""The CDS Hooks core (``ae_systemic.cds_hooks``): discovery, cards, requests and the config file.

No server here: :func:`~ae_systemic.cds_hooks.respond` is called with the parsed body.
Every card is validated against ``fixtures/cds_card.schema.json``, the card format written
from the CDS Hooks specification.
"""

from __future__ import annotations

import copy
import datetime
import json
import pickle
import subprocess
import sys
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs
import jsonschema  # type: ignore[import-untyped]
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ae_systemic
import cds_requests as rq
from ae_systemic import (
    ArgumentTypeError,
    CoMedication,
    DataError,
    DataProblem,
    InputError,
    NotFoundError,
    Pathway,
    Patient,
    Phototherapy,
    Prescription,
    assess,
)
from ae_systemic._cds_cards import card_uuid, markdown_text, pregnancy_not_known_card
from ae_systemic.cds_hooks import (
    CARD_KINDS,
    INDICATORS,
    PREFETCH,
    PREGNANCY_NOT_KNOWN_INDICATOR,
    SERVICE_IDS,
    CardSource,
    ConfigError,
    HookRequestError,
    PrefetchMissingError,
    ServiceConfig,
    UnknownServiceError,
    cards,
    discovery,
    load_config,
    respond,
)
from ae_systemic.fhir import read_patient

Json = dict[str, Any]
SIGN = "ciclosporin-order-sign"
SELECT = "ciclosporin-order-select"
UVB = (rq.PHOTOTHERAPY_SYSTEM, rq.UVB_CODE)
CONFIG = ServiceConfig(phototherapy={UVB: Phototherapy.UVB})
SCHEMA = json.loads((Path(__file__).parent / "fixtures" / "cds_card.schema.json").read_text())
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)


def valid_cards(response: Json) -> list[Json]:
    """The response's cards, each checked against the card schema and JSON-serialisable."""
    assert set(response) == {"cards"}
    result: list[Json] = response["cards"]
    for card in result:
        VALIDATOR.validate(card)
        assert len(card["summary"]) < 140
        assert str(uuid.UUID(card["uuid"])) == card["uuid"]
    json.dumps(response)
    return result


def by_indicator(found: list[Json], text: str) -> list[Json]:
    return [card for card in found if text in card["summary"] + card["detail"]]


def refused(call: Callable[[], object], kind: type[Exception] = HookRequestError) -> Any:
    with pytest.raises(kind) as caught:
        call()
    return caught.value


# --- the schema itself ----------------------------------------------------------------------


def test_the_card_schema_is_valid_and_refuses_what_the_specification_forbids() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    good = {"summary": "x", "indicator": "info", "source": {"label": "s"}}
    VALIDATOR.validate(good)
    for bad in (
        {**good, "summary": "x" * 140},
        {**good, "indicator": "urgent"},
        {**good, "source": {}},
        {**good, "suggestions": [{"label": "a"}]},  # no selectionBehavior
        {**good, "links": [{"label": "a", "url": "relative", "type": "absolute"}]},
        {**good, "overrideReasons": [{"system": "s", "code": "c"}]},  # no display
        {k: v for k, v in good.items() if k != "source"},
    ):
        assert not VALIDATOR.is_valid(bad), bad


# --- discovery ------------------------------------------------------------------------------


def test_discovery_has_one_service_per_hook_with_the_prefetch_templates() -> None:
    document: Json = discovery()
    json.dumps(document)
    services = document["services"]
    assert isinstance(services, list)
    assert {(s["id"], s["hook"]) for s in services} == set(SERVICE_IDS.items())
    for service in services:
        assert isinstance(service, dict)
        assert set(service) == {
            "hook",
            "id",
            "title",
            "description",
            "prefetch",
            "usageRequirements",
        }
        assert service["prefetch"] == dict(PREFETCH)
        assert all(isinstance(service[k], str) and service[k] for k in ("title", "description"))
    templates = " ".join(PREFETCH.values())
    for code in ("29463-7", "3141-9", "82810-3"):
        assert f"http://loinc.org|{code}" in templates
    assert PREFETCH["patient"] == "Patient/{{context.patientId}}"
    assert PREFETCH["medications"].startswith(
        "MedicationRequest?patient={{context.patientId}}&status=active"
    )
    assert all("{{context.patientId}}" in template for template in PREFETCH.values())
    assert tuple(PREFETCH) == rq.PREFETCH_KEYS


# --- the scenario -------------------------------------------------------------------


@pytest.mark.parametrize("version", ["R4", "R5"])
@pytest.mark.parametrize("timing", ["repeat", "code"])
def test_the_scenario_gives_a_dose_warning_and_a_combination_warning(
    version: Any, timing: Any
) -> None:
    found = valid_cards(
        respond(rq.scenario_request(version=version, timing=timing), service=SIGN, config=CONFIG)
    )
    assert len(found) == 2
    dose, combination = found
    assert dose["indicator"] == "warning"
    assert "above the range" in dose["summary"]
    for figure in ("400 mg/day", "175–350 mg/day", "2.5–5 mg/kg/day", "5.7 mg/kg/day", "70 kg"):
        assert figure in dose["detail"], figure
    assert "**Prescribed:** 200 mg twice per day (400 mg/day), 5.7 mg/kg/day\n" in dose["detail"]
    assert combination["indicator"] == "warning"
    assert combination["summary"] == (
        "Ciclosporin should not be combined with UVB, because of a potentially increased risk "
        "of developing skin cancer."
    )
    assert "MedicationRequest/ciclosporin-order-1" in combination["detail"]
    for card in found:
        assert card["source"] == {"label": "EuroGuiDerm atopic eczema guideline"}
        assert "suggestions" not in card


def test_the_phototherapy_is_seen_only_through_the_configured_code() -> None:
    found = valid_cards(respond(rq.scenario_request(), service=SIGN))
    assert [c["summary"] for c in found if "combined" in c["summary"]] == []
    assert len(found) == 1


def test_a_phototherapy_ordered_in_the_same_session_counts_as_planned() -> None:
    request = rq.order_sign_request(
        [rq.ciclosporin_order(amount_mg=150), rq.phototherapy_request(status="draft")]
    )
    request["prefetch"]["serviceRequests"] = None
    request["prefetch"]["procedures"] = None
    found = valid_cards(respond(request, service=SIGN, config=CONFIG))
    assert [c["indicator"] for c in found] == ["warning"]
    assert "should not be combined with UVB" in found[0]["summary"]


def test_a_summary_too_long_with_the_drug_in_front_names_the_kind_instead() -> None:
    """A million administrations a day: the sentence fits alone, not with the drug's name."""
    order = rq.ciclosporin_order()
    order["dosageInstruction"][0]["timing"]["repeat"]["frequency"] = 1_000_000
    found = valid_cards(respond(rq.order_sign_request([order]), service=SIGN))
    assert found[0]["summary"] == "Ciclosporin: dose above the range (see the details)."
    assert found[0]["detail"].splitlines()[2].startswith("200000000 mg/day (2857142.9 mg/kg/day)")
    assert all(c["summary"].startswith("Ciclosporin") for c in found)


def test_a_dose_within_the_range_and_nothing_else_gives_no_card() -> None:
    request = rq.order_sign_request([rq.ciclosporin_order(amount_mg=150)])
    assert respond(request, service=SIGN) == {"cards": []}


def test_the_same_request_gives_the_same_card_ids_another_hook_instance_others() -> None:
    first = valid_cards(respond(rq.scenario_request(), config=CONFIG))
    again = valid_cards(respond(rq.scenario_request(), config=CONFIG))
    assert [c["uuid"] for c in first] == [c["uuid"] for c in again]
    other = rq.scenario_request()
    other["hookInstance"] = "another-instance"
    ids = [c["uuid"] for c in valid_cards(respond(other, config=CONFIG))]
    assert not set(ids) & {c["uuid"] for c in first}
    assert len(set(ids)) == len(ids)


def test_the_configured_source_is_on_every_card() -> None:
    source = CardSource("Our guideline", url="https://guidelines.example.org/ae", icon=None)
    config = ServiceConfig(phototherapy={UVB: Phototherapy.UVB}, source=source)
    found = valid_cards(respond(rq.scenario_request(), config=config))
    assert {json.dumps(c["source"]) for c in found} == {
        json.dumps({"label": "Our guideline", "url": "https://guidelines.example.org/ae"})
    }


# --- no ciclosporin order ------------------------------------------------------------------


def test_no_ciclosporin_order_gives_no_cards_without_any_prefetch() -> None:
    request = rq.order_sign_request(
        [rq.medication_order("m1", "Paracetamol 500 mg tablet")], prefetched={}
    )
    del request["prefetch"]
    assert respond(request, service=SIGN) == {"cards": []}
    empty = rq.order_sign_request([])
    assert respond(empty, service=SIGN) == {"cards": []}


def test_a_ciclosporin_order_found_by_a_configured_local_code() -> None:
    order = rq.ciclosporin_order()
    order["medicationCodeableConcept"] = {"coding": [{"system": "urn:example:drugs", "code": "X1"}]}
    request = rq.order_sign_request([order], prefetched=rq.prefetch())
    assert respond(request) == {"cards": []}  # unknown code: not a ciclosporin order
    config = ServiceConfig(drug_codes={("urn:example:drugs", "X1"): "CsA"})
    order["dosageInstruction"][0]["doseAndRate"][0]["doseQuantity"]["value"] = 250.0
    found = valid_cards(respond(request, config=config))
    assert [c["indicator"] for c in found] == ["warning"]


# --- order-select -------------------------------------------------------------------------


def test_order_select_checks_only_the_selected_orders() -> None:
    high = rq.ciclosporin_order("high", amount_mg=300)
    low = rq.ciclosporin_order("low", amount_mg=50)
    request = rq.order_select_request([high, low], ["MedicationRequest/low"])
    found = valid_cards(respond(request, service=SELECT))
    # The unselected order is drafted too: their total gets its card, then the selected order.
    assert [c["summary"][:40] for c in found] == [
        "Ciclosporin: 2 orders at once, together ",
        "Ciclosporin: 100 mg/day (1.4 mg/kg/day) ",
    ]
    assert found[1]["indicator"] == "info"
    assert "below the range" in found[1]["summary"]
    assert "MedicationRequest/low" in found[1]["detail"]
    alone = rq.order_select_request([low], ["MedicationRequest/low"])
    assert len(valid_cards(respond(alone, service=SELECT))) == 1
    none = rq.order_select_request(
        [high, rq.medication_order("m", "Emollient")], ["MedicationRequest/m"]
    )
    assert respond(none, service=SELECT) == {"cards": []}


def test_two_draft_orders_with_one_id_are_refused() -> None:
    """Selections and card ids name an order by its id: two orders cannot share one."""
    twice = [rq.ciclosporin_order("rx"), rq.ciclosporin_order("rx", amount_mg=50)]
    error = refused(lambda: respond(rq.order_sign_request(twice), service=SIGN))
    assert str(error) == (
        "context.draftOrders.entry[1].resource.id: 'MedicationRequest/rx' is also entry[0]: "
        "each draft order needs its own id"
    )


def test_order_select_needs_selections_that_are_draft_orders() -> None:
    request = rq.order_select_request([rq.ciclosporin_order()], ["MedicationRequest/elsewhere"])
    assert refused(lambda: respond(request)).argument == "context.selections[0]"
    del request["context"]["selections"]
    assert refused(lambda: respond(request)).argument == "context.selections"


# --- several orders of the drug at once -----------------------------------------------------


def several(found: list[Json]) -> Json:
    """The one card of several orders among ``found``."""
    (card,) = [c for c in found if "at once" in c["summary"]]
    return card


def test_two_orders_are_added_up_and_their_total_checked() -> None:
    """175 mg twice daily twice over: each order is within the range, together above it."""
    orders = [rq.ciclosporin_order("a", amount_mg=175), rq.ciclosporin_order("b", amount_mg=175)]
    found = valid_cards(respond(rq.order_sign_request(orders), service=SIGN))
    card = several(found)
    assert found[0] is card  # first: it qualifies every card of the orders
    assert card["indicator"] == "warning"
    assert card["summary"] == (
        "Ciclosporin: 2 orders at once, together 700 mg/day, above the range of the guideline."
    )
    assert card["detail"].splitlines()[-3:] == [
        "- MedicationRequest/b (draft, being ordered): 175 mg twice per day (350 mg/day)",
        "",
        "Together: 700 mg/day (10 mg/kg/day) is above the range of 175–350 mg/day "
        "(2.5–5 mg/kg/day) for a 70 kg adult, by 100 %.",
    ]
    assert len(found) == 1  # each order alone lies within the range: no other card


def by_reference(order: rq.Json, medication_id: str) -> rq.Json:
    """``order`` naming its medicine by a reference to ``Medication/medication_id`` (R4)."""
    referring = {k: v for k, v in order.items() if k != "medicationCodeableConcept"}
    referring["medicationReference"] = {"reference": f"Medication/{medication_id}"}
    return referring


def medication(medication_id: str, text: str) -> rq.Json:
    return {"resourceType": "Medication", "id": medication_id, "code": {"text": text}}


def test_orders_naming_their_medicine_by_a_prefetched_medication_are_read() -> None:
    """The service's own prefetch includes the Medications its orders refer to."""
    other = by_reference(rq.medication_order("m2", "x", status="active"), "med-a")
    active = by_reference(rq.ciclosporin_order("act", amount_mg=175, status="active"), "med-c")
    prefetched = rq.prefetch(
        medications=[
            other,
            active,
            medication("med-a", "atorvastatin"),
            medication("med-c", "Ciclosporin 100 mg"),
        ]
    )
    request = rq.order_sign_request([rq.ciclosporin_order(amount_mg=175)], prefetched=prefetched)
    card = several(valid_cards(respond(request, service=SIGN)))
    assert card["summary"] == (
        "Ciclosporin: 2 orders at once, together 700 mg/day, above the range of the guideline."
    )
    assert "- MedicationRequest/act (active, in the record): 175 mg twice per day (350 mg/day)" in (
        card["detail"].splitlines()
    )


def test_a_draft_order_naming_its_medicine_by_a_draft_medication_is_checked() -> None:
    order = by_reference(rq.ciclosporin_order(amount_mg=300), "med-c")
    request = rq.order_sign_request([order, medication("med-c", "Ciclosporin 100 mg capsule")])
    (card,) = valid_cards(respond(request, service=SIGN))
    assert card["summary"].startswith("Ciclosporin: 600 mg/day (8.6 mg/kg/day) is above the range")


def test_a_medicine_named_by_a_medication_nowhere_in_the_request_is_not_checked() -> None:
    """No 400 (the dose check would be lost): an unidentified medicine, whose interactions
    could not be checked; it is not counted as an order of ciclosporin, not known to be one."""
    active = by_reference(rq.ciclosporin_order("act", status="active"), "med-x")
    request = rq.order_sign_request(
        [rq.ciclosporin_order(amount_mg=300)], prefetched=rq.prefetch(medications=[active])
    )
    dose, unchecked = valid_cards(respond(request, service=SIGN))
    assert dose["summary"].startswith("Ciclosporin: 600 mg/day (8.6 mg/kg/day) is above")
    assert unchecked["summary"] == "Ciclosporin: interactions not checked (see the details)."
    assert (
        "The unidentified medicine of MedicationRequest/act (Medication/med-x, which the "
        "request does not identify: not counted among the orders of ciclosporin) was given "
        "without the pathways it is a substrate of, so its interactions with ciclosporin "
        "(CYP3A4, P-gp and OATP) could not be checked."
    ) in unchecked["detail"].splitlines()


def test_a_medicine_named_by_an_identifier_only_is_unidentified_not_a_400() -> None:
    active = rq.medication_order("m2", "x", status="active")
    del active["medicationCodeableConcept"]
    active["medicationReference"] = {"identifier": {"system": "urn:example:pzn", "value": "123"}}
    request = rq.order_sign_request(
        [rq.ciclosporin_order(amount_mg=150)], prefetched=rq.prefetch(medications=[active])
    )
    (unchecked,) = valid_cards(respond(request, service=SIGN))
    assert (  # "|" escaped, as markdown would read a table in it
        "The unidentified medicine of MedicationRequest/m2 (identifier urn:example:pzn\\|123, "
        "which the request does not identify"
    ) in unchecked["detail"]


def test_a_draft_whose_medicine_cannot_be_identified_is_a_400_not_silence() -> None:
    """It may be ciclosporin: no cards would pass it as checked."""
    order = by_reference(rq.ciclosporin_order(amount_mg=500), "cic-med")
    error = refused(lambda: respond(rq.order_sign_request([order]), service=SIGN))
    assert error.argument == "context.draftOrders.entry[0].resource.medicationReference"


def test_a_draft_names_its_medication_by_the_full_url_of_its_entry() -> None:
    url = "urn:uuid:5b0c8d2e-0000-4000-8000-000000000001"
    order = by_reference(rq.ciclosporin_order(amount_mg=500), "x")
    order["medicationReference"] = {"reference": url}
    request = rq.order_sign_request([order])
    capsule = medication("ignored", "Ciclosporin 100 mg capsule")
    del capsule["id"]
    request["context"]["draftOrders"]["entry"].append({"fullUrl": url, "resource": capsule})
    (card,) = valid_cards(respond(request, service=SIGN))
    assert card["summary"].startswith("Ciclosporin: 1000 mg/day (14.3 mg/kg/day) is above")


def test_an_active_order_finds_its_medication_among_the_drafts() -> None:
    active = by_reference(rq.ciclosporin_order("act", amount_mg=500, status="active"), "cic")
    draft = by_reference(rq.ciclosporin_order("new", amount_mg=150), "cic")
    capsule = medication("cic", "Ciclosporin 100 mg capsule")
    request = rq.order_sign_request([draft, capsule], prefetched=rq.prefetch(medications=[active]))
    card = several(valid_cards(respond(request, service=SIGN)))
    assert card["summary"] == (
        "Ciclosporin: 2 orders at once, together 1300 mg/day, above the range of the guideline."
    )


def test_a_medication_in_the_drafts_and_the_prefetch_is_read_as_the_drafts() -> None:
    """The record's copy carries its meta: no refusal of "two different copies"."""
    draft = by_reference(rq.ciclosporin_order(amount_mg=500), "cic")
    stored = {**medication("cic", "Ciclosporin 100 mg capsule"), "meta": {"versionId": "3"}}
    request = rq.order_sign_request(
        [draft, medication("cic", "Ciclosporin 100 mg capsule")],
        prefetched=rq.prefetch(medications=[stored]),
    )
    (card,) = valid_cards(respond(request, service=SIGN))
    assert card["summary"].startswith("Ciclosporin: 1000 mg/day (14.3 mg/kg/day) is above")


def test_a_co_medication_changed_in_the_session_replaces_the_records() -> None:
    active = rq.medication_order("mtx-1", "clarithromycin 250 mg", status="active")
    edited = rq.medication_order("mtx-1", "clarithromycin 500 mg")
    request = rq.order_sign_request(
        [rq.ciclosporin_order(amount_mg=150), edited], prefetched=rq.prefetch(medications=[active])
    )
    (card,) = valid_cards(respond(request, service=SIGN))
    assert card["detail"].splitlines()[2].startswith("Clarithromycin 500 mg was given without")


@pytest.mark.parametrize(
    "change", [{"status": "cancelled"}, {"status": "entered-in-error"}, {"doNotPerform": True}]
)
def test_a_replacement_that_will_not_be_given_replaces_nothing(change: dict[str, Any]) -> None:
    active = rq.ciclosporin_order("act", amount_mg=175, status="active")
    dropped = {
        **rq.ciclosporin_order("other", amount_mg=175),
        "priorPrescription": {"reference": "MedicationRequest/act"},
        **change,
    }
    request = rq.order_sign_request(
        [rq.ciclosporin_order(amount_mg=175), dropped], prefetched=rq.prefetch(medications=[active])
    )
    card = several(valid_cards(respond(request, service=SIGN)))
    assert card["summary"].startswith("Ciclosporin: 2 orders at once, together 700 mg/day")


@pytest.mark.parametrize("change", [{"status": "stopped"}, {"doNotPerform": True}])
def test_an_order_stopped_in_the_session_no_longer_counts(change: dict[str, Any]) -> None:
    active = rq.ciclosporin_order("old-1", amount_mg=100, status="active")
    stopping = {**rq.ciclosporin_order("old-1", amount_mg=100), **change}
    request = rq.order_sign_request(
        [stopping, rq.ciclosporin_order("new-1", amount_mg=150)],
        prefetched=rq.prefetch(medications=[active]),
    )
    assert valid_cards(respond(request, service=SIGN)) == []  # 300 mg/day: within


def test_a_malformed_medication_is_named_where_it_stands_in_the_request() -> None:
    draft = by_reference(rq.ciclosporin_order(), "cic")
    bad = {"resourceType": "Medication", "id": "cic", "code": "L04AD01"}
    request = rq.order_sign_request([draft], prefetched=rq.prefetch(medications=[bad]))
    error = refused(lambda: respond(request, service=SIGN))
    assert error.argument == "prefetch.medications.entry[0].resource.code"
    request = rq.order_sign_request([draft, bad])
    error = refused(lambda: respond(request, service=SIGN))
    assert error.argument == "context.draftOrders.entry[1].resource.code"


def test_an_unidentified_medicine_that_is_not_active_is_no_co_medication() -> None:
    stopped = by_reference(rq.medication_order("old", "x", status="stopped"), "med-x")
    request = rq.order_sign_request(
        [rq.ciclosporin_order(amount_mg=150)], prefetched=rq.prefetch(medications=[stopped])
    )
    assert valid_cards(respond(request, service=SIGN)) == []


def test_a_draft_naming_its_medicine_by_a_prefetched_medication_is_checked() -> None:
    order = by_reference(rq.ciclosporin_order(amount_mg=300), "med-c")
    prefetched = rq.prefetch(medications=[medication("med-c", "Ciclosporin 100 mg capsule")])
    request = rq.order_sign_request([order], prefetched=prefetched)
    (card,) = valid_cards(respond(request, service=SIGN))
    assert card["summary"].startswith("Ciclosporin: 600 mg/day (8.6 mg/kg/day) is above the range")


def test_a_malformed_medicine_reference_is_still_a_400() -> None:
    active = rq.ciclosporin_order("act", status="active")
    active = {k: v for k, v in active.items() if k != "medicationCodeableConcept"}
    active["medicationReference"] = {"reference": 42}
    request = rq.order_sign_request(
        [rq.ciclosporin_order()], prefetched=rq.prefetch(medications=[active])
    )
    with pytest.raises(HookRequestError) as raised:
        respond(request, service=SIGN)
    assert raised.value.where.startswith("prefetch.medications.entry[0].resource.medication")


def several_cards(orders: list[rq.Json], active: list[rq.Json]) -> list[dict[str, Any]]:
    request = rq.order_sign_request(orders, prefetched=rq.prefetch(medications=active))
    return valid_cards(respond(request, service=SIGN))


def test_the_same_active_order_twice_in_the_prefetch_counts_once() -> None:
    active = rq.ciclosporin_order("act", amount_mg=100, status="active")
    card = several(several_cards([rq.ciclosporin_order(amount_mg=100)], [active, dict(active)]))
    assert (
        card["summary"]
        == "Ciclosporin: 2 orders at once, together 400 mg/day, above the range of the guideline."
    )


def test_two_different_versions_of_one_active_order_are_refused() -> None:
    first = rq.ciclosporin_order("act", amount_mg=100, status="active")
    second = rq.ciclosporin_order("act", amount_mg=150, status="active")
    request = rq.order_sign_request(
        [rq.ciclosporin_order()], prefetched=rq.prefetch(medications=[first, second])
    )
    with pytest.raises(HookRequestError) as raised:
        respond(request, service=SIGN)
    assert raised.value.where == "prefetch.medications.entry[1].resource"
    assert "'MedicationRequest/act' is also prefetch.medications.entry[0].resource" in str(
        raised.value
    )


@pytest.mark.parametrize("status", ["cancelled", "entered-in-error", "stopped", "completed"])
def test_a_draft_that_will_not_be_given_is_neither_checked_nor_counted(status: str) -> None:
    dropped = rq.ciclosporin_order("dropped", amount_mg=900, status=status)
    assert several_cards([dropped], []) == []
    (card,) = several_cards([rq.ciclosporin_order(), dropped], [])  # no several-orders card
    assert card["summary"].startswith("Ciclosporin: 400 mg/day (5.7 mg/kg/day) is above")


def test_a_draft_not_to_be_performed_is_not_checked() -> None:
    refused_order = {**rq.ciclosporin_order(amount_mg=900), "doNotPerform": True}
    assert several_cards([refused_order], []) == []
    assert len(several_cards([{**refused_order, "doNotPerform": False}], [])) == 1


@pytest.mark.parametrize("intent", ["proposal", "plan", "option"])
def test_an_active_request_that_is_no_order_is_not_counted(intent: str) -> None:
    proposal = {**rq.ciclosporin_order("p", amount_mg=100, status="active"), "intent": intent}
    (card,) = several_cards([rq.ciclosporin_order()], [proposal])  # no several-orders card
    assert card["summary"].startswith("Ciclosporin: 400 mg/day (5.7 mg/kg/day) is above")
    counted = {**proposal, "intent": "original-order"}
    assert len(several_cards([rq.ciclosporin_order()], [counted])) == 2


@pytest.mark.parametrize(
    "reference",
    [
        "MedicationRequest/act",
        "https://ehr.example.org/fhir/MedicationRequest/act",
        "MedicationRequest/act/_history/3",
    ],
)
def test_an_active_order_a_draft_replaces_is_not_added_to_it(reference: str) -> None:
    active = rq.ciclosporin_order("act", amount_mg=100, status="active")
    draft = {**rq.ciclosporin_order(), "priorPrescription": {"reference": reference}}
    (card,) = several_cards([draft], [active])  # no several-orders card
    assert card["summary"].startswith("Ciclosporin: 400 mg/day (5.7 mg/kg/day) is above")


def test_orders_together_above_100_g_a_day_say_so() -> None:
    huge = rq.ciclosporin_order("act", amount_mg=60_000, status="active")
    card = several(several_cards([rq.ciclosporin_order(amount_mg=60_000)], [huge]))
    assert card["detail"].splitlines()[-1] == (
        "Together: 240000 mg/day, more than 100 g a day (not compared with the guideline's "
        "range); check each order's dose and unit."
    )


def test_a_dose_just_above_the_range_is_never_shown_on_its_end() -> None:
    order = rq.ciclosporin_order(amount_mg=175.0001)  # twice a day: 350.0002 mg/day for 70 kg
    (card,) = valid_cards(respond(rq.order_sign_request([order]), service=SIGN))
    assert card["summary"].startswith(
        "Ciclosporin: 350.0002 mg/day (5.000003 mg/kg/day) is above the range of 175–350 mg/day"
    )
    assert (
        "- **Prescribed:** 175.0001 mg twice per day (350.0002 mg/day), 5.000003 mg/kg/day"
        in card["detail"].splitlines()
    )


def test_a_total_just_above_the_range_is_never_shown_on_its_end() -> None:
    orders = [
        rq.ciclosporin_order("a", amount_mg=87.505),
        rq.ciclosporin_order("b", amount_mg=87.505),
    ]
    card = several(valid_cards(respond(rq.order_sign_request(orders), service=SIGN)))
    assert card["summary"] == (
        "Ciclosporin: 2 orders at once, together 350.02 mg/day, above the range of the guideline."
    )
    assert card["detail"].splitlines()[-1].startswith("Together: 350.02 mg/day (5.0003 mg/kg/day)")


def test_an_active_order_in_the_record_counts_with_the_new_one() -> None:
    current = rq.ciclosporin_order("current", amount_mg=100, status="active")
    request = rq.order_sign_request(
        [rq.ciclosporin_order("new", amount_mg=50)], prefetched=rq.prefetch(medications=[current])
    )
    card = several(valid_cards(respond(request, service=SIGN)))
    assert (
        "- MedicationRequest/current (active, in the record): 100 mg twice per day"
        in (card["detail"])
    )
    assert card["summary"] == (
        "Ciclosporin: 2 orders at once, together 300 mg/day, within the range of the guideline."
    )
    # The same order, active and drafted again (being changed), counts once.
    again = rq.ciclosporin_order("new", amount_mg=100, status="active")
    request = rq.order_sign_request(
        [rq.ciclosporin_order("new", amount_mg=50)], prefetched=rq.prefetch(medications=[again])
    )
    assert not [c for c in valid_cards(respond(request, service=SIGN)) if "at once" in c["summary"]]
    stopped = rq.ciclosporin_order("old", amount_mg=100, status="stopped")
    request = rq.order_sign_request(
        [rq.ciclosporin_order("new", amount_mg=50)], prefetched=rq.prefetch(medications=[stopped])
    )
    assert not [c for c in valid_cards(respond(request, service=SIGN)) if "at once" in c["summary"]]


def test_an_order_whose_dosage_cannot_be_read_leaves_the_total_open() -> None:
    unread = rq.ciclosporin_order("b")
    unread["dosageInstruction"][0]["doseAndRate"][0] = {
        "doseRange": {"low": {"value": 100}, "high": {"value": 150}}
    }
    request = rq.order_sign_request([rq.ciclosporin_order("a"), unread])
    card = several(valid_cards(respond(request, service=SIGN)))
    assert card["summary"] == (
        "Ciclosporin: 2 orders at once; the guideline's range is for the whole daily dose."
    )
    lines = card["detail"].splitlines()
    assert lines[-3].startswith(
        "- MedicationRequest/b (draft, being ordered): not read: context.draftOrders.entry"
    )
    assert lines[-1] == "Together: not added up, as the dosage of an order could not be read."


def test_without_a_weight_the_total_is_not_compared() -> None:
    orders = [rq.ciclosporin_order("a"), rq.ciclosporin_order("b")]
    request = rq.order_sign_request(orders, prefetched=rq.prefetch(weight_kg=None))
    found = valid_cards(respond(request, service=SIGN))
    card = several(found)
    assert card["summary"] == "Ciclosporin: 2 orders at once, together 800 mg/day."
    assert card["detail"].endswith(
        "Together: 800 mg/day (not compared with the guideline's range: the record gives no "
        "body weight to use)."
    )
    assert [c["summary"][:38] for c in found[1:]] == ["Ciclosporin order not checked against "] * 2


def test_without_an_exact_age_the_total_says_so_not_that_the_weight_is_missing() -> None:
    orders = [rq.ciclosporin_order("a"), rq.ciclosporin_order("b")]
    prefetched = rq.prefetch()
    prefetched["patient"]["birthDate"] = "1985"
    card = several(valid_cards(respond(rq.order_sign_request(orders, prefetched=prefetched))))
    assert card["detail"].endswith(
        "Together: 800 mg/day (not compared with the guideline's range: the record gives no "
        "exact age)."
    )


def test_an_active_order_of_another_patient_is_refused() -> None:
    other = rq.ciclosporin_order("theirs", status="active", patient_id="someone-else")
    request = rq.order_sign_request(
        [rq.ciclosporin_order()], prefetched=rq.prefetch(medications=[other])
    )
    error = refused(lambda: respond(request, service=SIGN))
    assert error.argument == "prefetch.medications.entry[0].resource.subject.reference"


# --- prefetch --------------------------------------------------------------------------------


def _without(key: str) -> Json:
    request = rq.scenario_request()
    del request["prefetch"][key]
    return request


@pytest.mark.parametrize(
    ("build", "argument"),
    [
        (lambda: {k: v for k, v in rq.scenario_request().items() if k != "prefetch"}, "prefetch"),
        (lambda: _without("weights"), "prefetch.weights"),
        (lambda: _without("patient"), "prefetch.patient"),
        (lambda: _without("medications"), "prefetch.medications"),
        (lambda: _without("serviceRequests"), "prefetch.serviceRequests"),
        (
            lambda: {**rq.scenario_request(), "prefetch": {**rq.prefetch(), "patient": None}},
            "prefetch.patient",
        ),
        (
            lambda: {
                **rq.scenario_request(),
                "prefetch": {
                    **rq.prefetch(),
                    "pregnancy": {"resourceType": "OperationOutcome", "issue": []},
                },
            },
            "prefetch.pregnancy",
        ),
        (  # the patient too (it was refused as 400, "expected 'Patient'")
            lambda: {
                **rq.scenario_request(),
                "prefetch": {
                    **rq.prefetch(),
                    "patient": {"resourceType": "OperationOutcome", "issue": []},
                },
            },
            "prefetch.patient",
        ),
        (
            lambda: {
                **rq.scenario_request(),
                "prefetch": {
                    **rq.prefetch(),
                    "weights": {
                        **rq.searchset(rq.weight()),
                        "link": [{"relation": "next", "url": "https://ehr.example.org/p2"}],
                    },
                },
            },
            "prefetch.weights.link[0]",
        ),
        (  # the last page: no next link, but the earlier pages are missing
            lambda: {
                **rq.scenario_request(),
                "prefetch": {
                    **rq.prefetch(),
                    "weights": {
                        **rq.searchset(rq.weight()),
                        "link": [
                            {"relation": "self", "url": "https://ehr.example.org/p2"},
                            {"relation": "previous", "url": "https://ehr.example.org/p1"},
                        ],
                    },
                },
            },
            "prefetch.weights.link[1]",
        ),
        (  # 40 results, 1 sent
            lambda: {
                **rq.scenario_request(),
                "prefetch": {
                    **rq.prefetch(),
                    "weights": {**rq.searchset(rq.weight()), "total": 40},
                },
            },
            "prefetch.weights.total",
        ),
    ],
)
def test_missing_prefetch_is_refused_as_412(build: Callable[[], Json], argument: str) -> None:
    error = refused(lambda: respond(build(), service=SIGN, config=CONFIG), PrefetchMissingError)
    assert error.argument == argument
    assert isinstance(error, HookRequestError)


def test_a_history_bundle_is_refused_not_read_as_the_record() -> None:
    """Its superseded versions (the order before it was stopped) would count as current."""
    active = rq.ciclosporin_order("act-1", status="active", amount_mg=150)
    prefetched = rq.prefetch(medications=[active, {**active, "status": "stopped"}])
    prefetched["medications"]["type"] = "history"
    request = rq.order_sign_request([rq.ciclosporin_order()], prefetched=prefetched)
    error = refused(lambda: respond(request, service=SIGN))
    assert type(error) is HookRequestError
    assert error.argument == "prefetch.medications.type"
    assert str(error) == (
        "prefetch.medications.type: Bundle.type 'history' is not a search result: a prefetch "
        "key holds a Bundle of type 'searchset', the result of its search (a history Bundle "
        "holds past versions, a transaction or batch Bundle requests, not the patient's "
        "current record)"
    )


@pytest.mark.parametrize("bundle_type", ["transaction", "batch", "collection", "document", None])
@pytest.mark.parametrize("key", ["weights", "pregnancy", "medications", "serviceRequests"])
def test_a_prefetched_bundle_must_be_a_searchset(bundle_type: str | None, key: str) -> None:
    request = rq.scenario_request()
    request["prefetch"]["pregnancy"] = rq.searchset(rq.pregnancy_status(False))
    request["prefetch"]["medications"] = rq.searchset(
        rq.medication_order("m", "x", status="active")
    )
    if bundle_type is None:
        del request["prefetch"][key]["type"]
    else:
        request["prefetch"][key]["type"] = bundle_type
    error = refused(lambda: respond(request, service=SIGN, config=CONFIG))
    assert type(error) is HookRequestError
    assert error.argument == f"prefetch.{key}.type"
    given = "missing" if bundle_type is None else f"{bundle_type!r} is not a search result"
    assert error.problem.startswith(f"Bundle.type {given}: a prefetch key holds a Bundle of ")


def test_phototherapy_prefetch_is_needed_only_when_codes_are_configured() -> None:
    request = _without("serviceRequests")
    del request["prefetch"]["procedures"]
    assert len(valid_cards(respond(request))) == 1


def test_a_prefetched_resource_may_be_a_bundle_or_a_bare_resource() -> None:
    request = rq.scenario_request()
    request["prefetch"]["weights"] = rq.weight()
    request["prefetch"]["serviceRequests"] = rq.phototherapy_request()
    assert len(valid_cards(respond(request, config=CONFIG))) == 2


# --- orders and records the library does not read -------------------------------------------


def test_an_order_the_library_does_not_read_gives_a_not_checked_warning() -> None:
    order = rq.ciclosporin_order()
    order["dosageInstruction"][0]["doseAndRate"][0]["doseQuantity"] = {
        "value": 2,
        "unit": "capsule",
        "system": "http://terminology.hl7.org/CodeSystem/v3-orderableDrugForm",
        "code": "CAP",
    }
    found = valid_cards(respond(rq.order_sign_request([order])))
    assert len(found) == 1
    assert found[0]["indicator"] == "warning"
    assert "not checked" in found[0]["summary"]
    assert (
        "context.draftOrders.entry\\[0\\].resource.dosageInstruction\\[0\\].doseAndRate\\[0\\]"
        in found[0]["detail"]
    )


def test_a_record_without_a_recent_weight_gives_a_not_checked_warning() -> None:
    request = rq.order_sign_request(
        [rq.ciclosporin_order()], prefetched=rq.prefetch(weight_kg=None)
    )
    found = valid_cards(respond(request))
    assert [c["indicator"] for c in found] == ["warning"]
    assert "no body weight" in found[0]["detail"]
    assert "(none found); record a current weight\n" in found[0]["detail"]
    assert "weight_within" not in found[0]["detail"]  # a library argument means nothing there


def _second_weight(prefetched: Json) -> None:
    other = copy.deepcopy(prefetched["weights"]["entry"][0]["resource"])
    other["id"] = "weight-2"
    other["valueQuantity"]["value"] = 72
    prefetched["weights"]["entry"].append({"resource": other})


def _second_status(prefetched: Json) -> None:
    other = rq.pregnancy_status(False, resource_id="pregnancy-2")
    prefetched["pregnancy"]["entry"].append({"resource": other})


def _later_preliminary_weight(prefetched: Json) -> None:
    later = {**rq.weight(60.0, resource_id="weight-2"), "status": "preliminary"}
    prefetched["weights"]["entry"].append({"resource": later})


def _weight_as_text(prefetched: Json) -> None:
    weight = prefetched["weights"]["entry"][0]["resource"]
    del weight["valueQuantity"]
    weight["valueString"] = "70 kg"


def _weight_of(kg: float) -> Callable[[Json], object]:
    return lambda p: p["weights"]["entry"][0]["resource"]["valueQuantity"].update(value=kg)


UNUSABLE_RECORDS: list[tuple[str, Callable[[Json], object], str]] = [
    (
        "no birth date",
        lambda p: p["patient"].pop("birthDate"),
        "the record gives no birth date for the patient, so the age is not known (the dose "
        "range and the licensed age depend on it); record the birth date",
    ),
    (
        "a birth year only",
        lambda p: p["patient"].update(birthDate="1985"),
        "the record gives only part of the patient's birth date ('1985'), so the exact age is "
        "not known (the dose range and the licensed age depend on it); record the full birth "
        "date",
    ),
    (
        "a birth month only",
        lambda p: p["patient"].update(birthDate="1985-04"),
        "the record gives only part of the patient's birth date ('1985-04'), so the exact age",
    ),
    (
        "a birth date after the decision",
        lambda p: p["patient"].update(birthDate="2999-01-01"),
        "the patient's birth date in the record ('2999-01-01') is after the date of the decision (",
    ),
    (
        "a birth date no person's age reaches",
        lambda p: p["patient"].update(birthDate="1800-01-01"),
        "the patient's birth date in the record ('1800-01-01') gives an age no person reaches; "
        "correct the birth date",
    ),
    (
        "two latest weights that disagree",
        _second_weight,
        "the latest body weights in the record (Observation/weight-1, Observation/weight-2, on "
        f"{rq.today().isoformat()}) disagree, and their times do not tell which is the latest; "
        "correct the one that is wrong",
    ),
    (
        "an undated weight",
        lambda p: p["weights"]["entry"][0]["resource"].pop("effectiveDateTime"),
        "the body weight Observation/weight-1 in the record has no date: it might be the "
        "latest, so no body weight can be chosen; record its date",
    ),
    (
        "a weight of 7000 kg",
        _weight_of(7000),
        "the body weight Observation/weight-1 in the record is not plausible: 7000.0 kilogram "
        "is above 700 kg, heavier than any person on record; check the unit (grams or pounds "
        "read as kilograms?)",
    ),
    (
        "a weight of 0.1 kg",
        _weight_of(0.1),
        "the body weight Observation/weight-1 in the record is not plausible: 0.1 kilogram is "
        "below 0.2 kg",
    ),
    (
        "a weight of 0 kg",
        _weight_of(0),
        "the body weight Observation/weight-1 in the record is not plausible: 0.0 kilogram "
        "must be positive",
    ),
    (
        "a weight with a comparator",
        lambda p: p["weights"]["entry"][0]["resource"]["valueQuantity"].update(comparator="<"),
        "the body weight Observation/weight-1 in the record is not exact (< 70.0); record the "
        "weighed value",
    ),
    (
        "a weight in kg/m2",
        lambda p: p["weights"]["entry"][0]["resource"]["valueQuantity"].update(code="kg/m2"),
        "the body weight Observation/weight-1 in the record is not in a unit of mass read here "
        "(code 'kg/m2', system 'http://unitsofmeasure.org'); record it in UCUM kg, g or [lb_av]",
    ),
    (
        "a weight in another code system",
        lambda p: p["weights"]["entry"][0]["resource"]["valueQuantity"].update(
            system="http://snomed.info/sct", code="258683005"
        ),
        "the body weight Observation/weight-1 in the record is not in a unit of mass read here "
        "(code '258683005', system 'http://snomed.info/sct')",
    ),
    (
        "a weight without its unit code",
        lambda p: p["weights"]["entry"][0]["resource"]["valueQuantity"].pop("code"),
        "the body weight Observation/weight-1 in the record gives no code for its unit",
    ),
    (
        "a weight whose unit text and code disagree",
        lambda p: p["weights"]["entry"][0]["resource"]["valueQuantity"].update(unit="lbs"),
        "the body weight Observation/weight-1 in the record gives the unit 'lbs' beside the "
        "code 'kg', and they disagree; correct the one that is wrong",
    ),
    (
        "a later preliminary weight of another value",
        _later_preliminary_weight,
        "the body weight Observation/weight-2 in the record is preliminary and gives another "
        "value than the final Observation/weight-1: which body weight is current cannot be "
        "known; make it final, or mark the one that is wrong entered-in-error",
    ),
    (
        "a weight as text",
        _weight_as_text,
        "the body weight Observation/weight-1 in the record is not a quantity (valueString); "
        "record it as one, in kg",
    ),
    (
        "an undated pregnancy status",
        lambda p: p["pregnancy"]["entry"][0]["resource"].pop("effectiveDateTime"),
        "the pregnancy status Observation/pregnancy-1 in the record has no date: it might be "
        "the latest, so no pregnancy status can be chosen; record its date",
    ),
    (
        "two latest pregnancy statuses that disagree",
        _second_status,
        "the latest pregnancy statuses in the record (Observation/pregnancy-1, "
        "Observation/pregnancy-2, on ",
    ),
    (
        "a pregnancy status coded both ways",
        lambda p: p["pregnancy"]["entry"][0]["resource"]["valueCodeableConcept"]["coding"].append(
            {"system": rq.SNOMED, "code": "60001007"}
        ),
        "the pregnancy status Observation/pregnancy-1 in the record is coded both pregnant and "
        "not pregnant; correct it",
    ),
]


@pytest.mark.parametrize(
    ("change", "reason"), [u[1:] for u in UNUSABLE_RECORDS], ids=[u[0] for u in UNUSABLE_RECORDS]
)
def test_a_record_of_valid_fhir_the_check_cannot_use_gives_a_not_checked_warning(
    change: Callable[[Json], object], reason: str
) -> None:
    """Not a 400, which the record would show as nothing at all; no programmer's advice."""
    prefetched = rq.prefetch(pregnant=True)
    change(prefetched)
    request = rq.order_sign_request([rq.ciclosporin_order()], prefetched=prefetched)
    (card,) = valid_cards(respond(request, service=SIGN))
    assert card["indicator"] == "warning"
    assert card["summary"] == (
        "Ciclosporin order not checked against the guideline: see the details for why."
    )
    shown = card["detail"].splitlines()[2].replace("\\", "")
    assert shown.startswith(f"This order could not be checked against the guideline: {reason}")
    for advice in ("partial_birth_date", "weight_within", "effectiveDateTime", "pass ", "give "):
        assert advice not in card["detail"]


@pytest.mark.parametrize(
    ("edit", "element"),
    [
        ({"unit": 5}, "valueQuantity.unit"),
        ({"code": 123}, "valueQuantity.code"),
        ({"comparator": "~"}, "valueQuantity.comparator"),
        ({"comparator": "<", "unit": 5}, "valueQuantity.comparator"),
    ],
    ids=["unit-a-number", "code-a-number", "no-fhir-comparator", "comparator-and-bad-unit"],
)
def test_a_weight_that_is_no_valid_fhir_stays_a_malformed_request(edit: Json, element: str) -> None:
    prefetched = rq.prefetch(pregnant=True)
    prefetched["weights"]["entry"][0]["resource"]["valueQuantity"].update(edit)
    request = rq.order_sign_request([rq.ciclosporin_order()], prefetched=prefetched)
    error = refused(lambda: respond(request, service=SIGN))
    assert type(error) is HookRequestError
    assert error.argument == f"prefetch.weights.entry[0].resource.{element}"


@pytest.mark.parametrize("value", [{"valueInteger": True}, {"valueString": ""}], ids=str)
def test_a_weight_value_that_is_no_valid_fhir_stays_a_malformed_request(value: Json) -> None:
    prefetched = rq.prefetch(pregnant=True)
    weight = prefetched["weights"]["entry"][0]["resource"]
    del weight["valueQuantity"]
    weight.update(value)
    request = rq.order_sign_request([rq.ciclosporin_order()], prefetched=prefetched)
    assert type(refused(lambda: respond(request, service=SIGN))) is HookRequestError


def test_a_record_medicine_whose_code_and_text_disagree_leaves_the_order_checked() -> None:
    # A methotrexate order of the record mentioning ciclosporin (coded L04AX03) refused the
    # whole request (400): the draft's dose warning was lost.
    switch = rq.medication_order("mtx-1", "Methotrexate 2.5 mg (switch from ciclosporin)")
    switch["status"] = "active"
    switch["medicationCodeableConcept"]["coding"] = [
        {"system": "http://www.whocc.no/atc", "code": "L04AX03"}
    ]
    prefetched = rq.prefetch(pregnant=False, medications=[switch])
    request = rq.order_sign_request([rq.ciclosporin_order(amount_mg=200)], prefetched=prefetched)
    cards = valid_cards(respond(request, service=SIGN))
    summaries = " | ".join(card["summary"] for card in cards)
    assert "above the range" in summaries, summaries
    assert "2 orders" not in summaries
    assert any("Methotrexate 2.5 mg" in card["detail"] for card in cards)
    # It may be an order of ciclosporin left out of the total: a warning says so.
    (doubt,) = [c for c in cards if "may be another order" in c["detail"]]
    assert doubt["indicator"] == "warning"
    assert doubt["summary"] == (
        "Ciclosporin: an order of the record may be one more order of ciclosporin, not counted "
        "in the daily total."
    )
    assert "not checked" not in doubt["summary"]  # the draft itself was checked
    # The same order twice in the prefetch: one card.
    twice = rq.prefetch(pregnant=False, medications=[switch, switch])
    again = rq.order_sign_request([rq.ciclosporin_order(amount_mg=200)], prefetched=twice)
    found = valid_cards(respond(again, service=SIGN))
    assert len([c for c in found if "may be another order" in c["detail"]]) == 1
    assert "MedicationRequest/mtx-1 in the record may be another order of ciclosporin" in (
        doubt["detail"].replace("\\", "")
    )


def test_a_ciclosporin_order_of_the_record_under_an_unknown_code_is_never_left_out_silently() -> (
    None
):
    # Coded with a code this library does not know, without a display: it was read as a
    # co-medication and left out of the daily total without a word.
    record_order = rq.ciclosporin_order("csa-rec", amount_mg=200, status="active")
    record_order["medicationCodeableConcept"] = {
        "coding": [{"system": "http://www.whocc.no/atc", "code": "L04AA01"}],
        "text": "Neoral 100 mg capsules (ciclosporin)",
    }
    prefetched = rq.prefetch(pregnant=False, medications=[record_order])
    request = rq.order_sign_request([rq.ciclosporin_order()], prefetched=prefetched)
    cards = valid_cards(respond(request, service=SIGN))
    (doubt,) = [c for c in cards if "may be another order" in c["detail"]]
    assert doubt["indicator"] == "warning"
    assert "not counted in the daily total" in doubt["detail"]
    # Displayed as ciclosporin (its product's name first), the same code is counted.
    record_order["medicationCodeableConcept"]["coding"][0]["display"] = "Ciclosporin 100 mg caps"
    counted = valid_cards(respond(request, service=SIGN))
    assert any("2 orders at once" in c["summary"] for c in counted)
    assert not any("may be another order" in c["detail"] for c in counted)


def test_a_weight_dated_to_the_month_of_the_decision_gives_a_not_checked_warning() -> None:
    day = rq.today().replace(day=1)  # the month holds the day and ends after it
    prefetched = rq.prefetch(pregnant=True)
    prefetched["weights"]["entry"][0]["resource"]["effectiveDateTime"] = day.isoformat()[:7]
    request = rq.order_sign_request([rq.ciclosporin_order()], prefetched=prefetched)
    cards = valid_cards(respond(request, service=SIGN, on=day))
    (warning,) = [card for card in cards if card["indicator"] == "warning"]
    assert warning["detail"].replace("\\", "").splitlines()[2] == (
        "This order could not be checked against the guideline: the body weight "
        f"Observation/weight-1 in the record is dated only to the month {day:%Y-%m}, which "
        f"holds the day of the decision ({day}): it might be the latest, so no body weight can "
        "be chosen; record its full date"
    )


# --- the other findings ---------------------------------------------------------------------


def test_interactions_pregnancy_and_references_in_the_details() -> None:
    medicines = [rq.medication_order("s1", "Examplestatin", status="active")]
    medicines.append(rq.medication_order("s2", "Unmappedol", status="active"))
    prefetched = rq.prefetch(pregnant=True, medications=medicines)
    request = rq.order_sign_request([rq.ciclosporin_order(amount_mg=150)], prefetched=prefetched)
    config = ServiceConfig(pathways={"examplestatin": frozenset({Pathway.CYP3A4})})
    found = valid_cards(respond(request, config=config))
    indicators = {c["summary"]: c["indicator"] for c in found}
    interaction = by_indicator(found, "Examplestatin is a substrate of CYP3A4")
    assert [c["indicator"] for c in interaction] == ["warning"]
    unchecked = by_indicator(found, "Unmappedol was given without the pathways")
    assert [c["indicator"] for c in unchecked] == ["info"]
    pregnancy = [c for c in found if "pregnancy" in c["summary"]]
    assert len(pregnancy) == 1, indicators
    assert pregnancy[0]["indicator"] == "info"
    assert "4 statements" in pregnancy[0]["summary"]
    assert "\\[refs 14\\]" in pregnancy[0]["detail"]
    assert "**References**" in pregnancy[0]["detail"]
    reference = ae_systemic.drug("ciclosporin").reference(14)
    assert f"- \\[14\\] {reference.authors}. {reference.title}." in pregnancy[0]["detail"]
    assert pregnancy[0]["detail"].endswith(f"{reference.source}")  # its year is in the source


def test_a_not_pregnant_of_long_ago_gets_the_pregnancy_not_known_card() -> None:
    # A "not pregnant" of ten years before counted as known: no card at all.
    day = datetime.date(2026, 3, 2)
    prefetched = rq.prefetch(pregnant=False, on=day)
    status = prefetched["pregnancy"]["entry"][0]["resource"]
    status["effectiveDateTime"] = "2016-01-01"
    request = rq.order_sign_request([rq.ciclosporin_order()], prefetched=prefetched)
    found = valid_cards(respond(request, service=SIGN, on=day))
    (card,) = [c for c in found if "pregnancy status is not known" in c["summary"]]
    assert card["indicator"] == "info"
    assert (
        "What the record holds: the latest pregnancy status, Observation/pregnancy-1 (not "
        "pregnant), is of 2016-01-01, more than 30 days before 2026-03-02: not known"
    ) in card["detail"]
    status["effectiveDateTime"] = (day - datetime.timedelta(days=30)).isoformat()
    recent = valid_cards(respond(request, service=SIGN, on=day))
    assert not any("pregnancy status is not known" in c["summary"] for c in recent)


def test_a_record_without_a_pregnancy_status_gets_a_card_with_the_statements() -> None:
    """The check reads such a patient as not pregnant: an info card says so, after the
    order's own cards, and gives the guideline's statements on pregnancy with references."""
    day = datetime.date(2026, 3, 2)
    prefetched = rq.prefetch(pregnant=None, service_requests=[rq.phototherapy_request()], on=day)
    request = rq.order_sign_request([rq.ciclosporin_order()], prefetched=prefetched)
    found = valid_cards(respond(request, service=SIGN, config=CONFIG, on=day))
    assert [c["indicator"] for c in found] == ["warning", "warning", "info"]
    card = found[-1]
    assert card["summary"] == (
        "Ciclosporin: the pregnancy status is not known from the record, so the guideline's "
        "statements on pregnancy were not checked."
    )
    order = "MedicationRequest/ciclosporin-order-1"
    assert card["uuid"] == card_uuid(request["hookInstance"], order, "pregnancy-not-known")
    lines = card["detail"].split("\n")
    assert lines[0] == "**Pregnancy status not known** (ciclosporin)"
    assert lines[2].startswith("The record gives no pregnancy status that can be used (pregnant")
    statements = [
        s
        for group in ae_systemic.drug("ciclosporin").special_populations
        if group.group == "pregnancy"
        for s in group.statements
    ]
    assert len(statements) == 4
    refs = [
        f" \\[refs {', '.join(map(str, s.references))}\\]" * bool(s.references) for s in statements
    ]
    assert lines[3:8] == [
        "",
        *(f"- {markdown_text(s.text)}{r}" for s, r in zip(statements, refs, strict=True)),
    ]
    assert lines[8:10] == [
        "",
        "What the record holds: no pregnancy status (Observation LOINC 82810-3) at or before "
        "2026-03-02: not known",
    ]
    assert f"Order: {order}" in lines
    reference = ae_systemic.drug("ciclosporin").reference(14)
    assert lines[-1].startswith(f"- \\[14\\] {reference.authors}. {reference.title}.")
    # the same patient pregnant gets the pregnancy card instead; not pregnant, neither
    for pregnant, summaries in (
        (True, ["Ciclosporin, pregnancy: 4 statements of the guideline apply to this patient."]),
        (False, []),
    ):
        prefetched["pregnancy"] = rq.searchset(rq.pregnancy_status(pregnant, on=day))
        found = valid_cards(respond(request, service=SIGN, config=CONFIG, on=day))
        assert [c["summary"] for c in found if c["indicator"] == "info"] == summaries


def _card_titles(found: list[Json]) -> list[str]:
    return [c["detail"].split("**")[1] for c in found]


def test_a_pregnancy_status_coded_otherwise_is_not_known_and_gets_the_card() -> None:
    prefetched = rq.prefetch()
    status = prefetched["pregnancy"]["entry"][0]["resource"]
    unknown = {"system": "http://snomed.info/sct", "code": "261665006", "display": "Unknown"}
    status["valueCodeableConcept"] = {"coding": [unknown]}
    request = rq.order_sign_request([rq.ciclosporin_order(amount_mg=150)], prefetched=prefetched)
    (card,) = valid_cards(respond(request, service=SIGN))
    assert _card_titles([card]) == ["Pregnancy status not known"]
    assert (
        "What the record holds: the latest pregnancy status, Observation/pregnancy-1, is coded "
        "neither pregnant (77386006) nor not pregnant (60001007): not known"
    ) in card["detail"].split("\n")


def test_a_not_pregnant_contradicted_by_a_later_preliminary_pregnant_is_named_on_the_card() -> None:
    """The record holds statuses, but none that can be used: the card says what it holds,
    the later "pregnant" among them (it does not say "no status")."""
    day = datetime.date(2026, 3, 2)
    prefetched = rq.prefetch(on=day)
    standing = rq.pregnancy_status(False, on=day - datetime.timedelta(days=30))
    later = {
        **rq.pregnancy_status(True, resource_id="pregnancy-2", on=day),
        "status": "preliminary",
    }
    prefetched["pregnancy"] = rq.searchset(later, standing)
    request = rq.order_sign_request([rq.ciclosporin_order(amount_mg=150)], prefetched=prefetched)
    (card,) = valid_cards(respond(request, service=SIGN, on=day))
    assert _card_titles([card]) == ["Pregnancy status not known"]
    (held,) = [line for line in card["detail"].split("\n") if line.startswith("What the record")]
    assert held.startswith(
        "What the record holds: the latest standing pregnancy status (final, amended or "
        "corrected), Observation/pregnancy-1 (not pregnant), is contradicted by a later one: "
        "Observation/pregnancy-2 (status preliminary, pregnant)"
    )
    record = read_patient(
        [prefetched["patient"], prefetched["weights"]["entry"][0]["resource"], later, standing],
        on=day,
    )
    assert record.pregnancy_known is False
    assert record.pregnancy_note is not None
    assert held == f"What the record holds: {markdown_text(record.pregnancy_note)}"
    assert record.pregnancy_note in record.notes


def test_the_pregnancy_card_is_made_only_for_a_drug_with_statements_on_pregnancy() -> None:
    csa = ae_systemic.drug("ciclosporin")
    without = attrs.evolve(
        csa, special_populations=tuple(p for p in csa.special_populations if p.group != "pregnancy")
    )
    assert pregnancy_not_known_card(without) is None
    card = pregnancy_not_known_card(csa)
    assert card is not None
    assert card["indicator"] == PREGNANCY_NOT_KNOWN_INDICATOR == "info"
    assert uuid.UUID(str(card["uuid"])).version == 4
    assert "Order:" not in str(card["detail"])
    assert "What the record holds" not in str(card["detail"])
    given = pregnancy_not_known_card(csa, reason="status *odd*")
    assert given is not None
    assert "What the record holds: status \\*odd\\*" in str(given["detail"])


def test_a_child_gets_the_off_label_and_children_cards() -> None:
    prefetched = rq.prefetch(age_years=12, weight_kg=40)
    request = rq.order_sign_request(
        [rq.ciclosporin_order(amount_mg=50, frequency=3)], prefetched=prefetched
    )
    found = valid_cards(respond(request))
    kinds = [c["detail"].split("**")[1] for c in found]
    assert kinds == ["Administrations a day", "Off-label", "Children and adolescents"]
    assert all(c["indicator"] == "info" for c in found)
    assert found[-1]["summary"] == (
        "Ciclosporin, children and adolescents: 1 statement of the guideline applies to this "
        "patient."
    )
    children = found[-1]["detail"]
    assert "- \\[3\\] " in children
    assert "- \\[13\\] " in children


def test_administrations_that_differ_from_the_regimen_within_its_single_doses_are_info() -> None:
    adult = Patient(age="40 years", weight="70 kg")
    thirds = assess("ciclosporin", adult, prescription=Prescription("100 mg", frequency=3))
    (card,) = cards(thirds)
    assert (card["indicator"], card["summary"]) == (
        "info",
        "Ciclosporin: The prescription gives 3 administrations a day; the regimen divides the "
        "daily dose into 2 single doses.",
    )


def test_cards_keep_to_the_indicator_mapping_and_escape_the_records_text() -> None:
    patient = Patient(
        age="40 years",
        weight="70 kg",
        pregnant=True,
        phototherapy=frozenset({Phototherapy.UVB}),
        co_medications=(
            CoMedication("[click](https://evil.example) <b>x</b>", frozenset({Pathway.OATP})),
        ),
    )
    assessment = assess("ciclosporin", patient, prescription=Prescription("400 mg", frequency=1))
    found: list[Json] = cards(assessment)
    for card in found:
        VALIDATOR.validate(card)
    kinds = [f.kind.value for f in assessment.findings if f.kind in CARD_KINDS]
    assert kinds == [
        "dose-above-range",
        "dose-frequency",
        "avoid-combination",
        "interaction",
        "pregnancy",
        "pregnancy",
        "pregnancy",
        "pregnancy",
    ]
    # 400 mg once a day: each administration above the single doses (87.5–175 mg), a warning
    assert [c["indicator"] for c in found] == ["warning", "warning", "warning", "warning", "info"]
    interaction = next(c for c in found if "click" in c["detail"])
    assert "\\[click\\](https\\://evil.example) \\<b\\>x\\</b\\>" in interaction["detail"]
    assert uuid.UUID(found[0]["uuid"]).version == 4
    assert set(INDICATORS.values()) <= {"info", "warning", "critical"}
    assert INDICATORS.keys() == CARD_KINDS


def test_cards_refuses_what_is_not_an_assessment() -> None:
    with pytest.raises(TypeError):
        cards("assessment")  # type: ignore[arg-type]


# --- requests that do not fit the hook -------------------------------------------------------


def _edited(change: Callable[[Json], object]) -> Json:
    request = rq.scenario_request()
    change(request)
    return request


BAD_REQUESTS: list[tuple[str, Callable[[Json], object], str]] = [
    ("hook missing", lambda r: r.pop("hook"), "hook"),
    ("hook of another service", lambda r: r.update(hook="order-select"), "hook"),
    ("hookInstance a number", lambda r: r.update(hookInstance=5), "hookInstance"),
    ("context a list", lambda r: r.update(context=[]), "context"),
    ("patientId missing", lambda r: r["context"].pop("patientId"), "context.patientId"),
    ("userId missing", lambda r: r["context"].pop("userId"), "context.userId"),
    ("draftOrders missing", lambda r: r["context"].pop("draftOrders"), "context.draftOrders"),
    (
        "draftOrders not a Bundle",
        lambda r: r["context"]["draftOrders"].update(resourceType="List"),
        "context.draftOrders.resourceType",
    ),
    (
        "entry not a list",
        lambda r: r["context"]["draftOrders"].update(entry={}),
        "context.draftOrders.entry",
    ),
    (
        "resource a string",
        lambda r: r["context"]["draftOrders"]["entry"][0].update(resource="x"),
        "context.draftOrders.entry[0].resource",
    ),
    ("prefetch a list", lambda r: r.update(prefetch=[]), "prefetch"),
    (
        "prefetch of another patient",
        lambda r: r["prefetch"]["patient"].update(id="someone-else"),
        "prefetch.patient.id",
    ),
    (
        "a birth date that is not a date",
        lambda r: r["prefetch"]["patient"].update(birthDate="yesterday"),
        "prefetch.patient.birthDate",
    ),
    (
        "a birth date that does not exist",
        lambda r: r["prefetch"]["patient"].update(birthDate="1985-02-30"),
        "prefetch.patient.birthDate",
    ),
    (
        "a weight that is a string",
        lambda r: r["prefetch"]["weights"]["entry"][0]["resource"]["valueQuantity"].update(
            value="70"
        ),
        "prefetch.weights.entry[0].resource.valueQuantity.value",
    ),
    (
        "an order with a medication of the wrong shape",
        lambda r: r["context"]["draftOrders"]["entry"][0]["resource"].update(
            medicationCodeableConcept="ciclosporin"
        ),
        "context.draftOrders.entry[0].resource.medicationCodeableConcept",
    ),
]


@pytest.mark.parametrize(
    ("change", "argument"), [b[1:] for b in BAD_REQUESTS], ids=[b[0] for b in BAD_REQUESTS]
)
def test_a_request_that_does_not_fit_names_the_element(
    change: Callable[[Json], object], argument: str
) -> None:
    error = refused(lambda: respond(_edited(change), service=SIGN, config=CONFIG))
    assert type(error) is HookRequestError
    assert error.argument.startswith(argument), (error.argument, str(error))
    assert str(error).startswith(argument)
    assert isinstance(error, InputError)


@pytest.mark.parametrize(
    ("subject", "argument", "words"),
    [
        (
            {"reference": "Patient/someone-else"},
            "context.draftOrders.entry[0].resource.subject.reference",
            "'Patient/someone-else' is not the patient of the request (context.patientId "
            "'cds-patient-1'): an order is checked against its own patient only",
        ),
        (
            "Patient/cds-patient-1",
            "context.draftOrders.entry[0].resource.subject",
            "expected a Reference (a JSON object), got 'Patient/cds-patient-1'",
        ),
    ],
)
def test_a_ciclosporin_order_for_another_patient_is_refused(
    subject: object, argument: str, words: str
) -> None:
    """It would otherwise be checked against this patient's weight and age."""
    request = rq.scenario_request()
    request["context"]["draftOrders"]["entry"][0]["resource"]["subject"] = subject
    error = refused(lambda: respond(request, service=SIGN, config=CONFIG))
    assert error.argument == argument
    assert str(error) == f"{argument}: {words}"


@pytest.mark.parametrize(
    "reference",
    ["Patient/cds-patient-1/_history/2", "https://ehr.example.org/fhir/Patient/cds-patient-1"],
)
def test_a_ciclosporin_order_may_name_its_patient_by_version_or_url(reference: str) -> None:
    request = rq.scenario_request()
    request["context"]["draftOrders"]["entry"][0]["resource"]["subject"] = {"reference": reference}
    expected = respond(rq.scenario_request(), service=SIGN, config=CONFIG)
    assert respond(request, service=SIGN, config=CONFIG) == expected


@pytest.mark.parametrize(
    ("name", "escaped"),
    [
        ("Call https://evil.example/login now", "Call https\\://evil.example/login now"),
        ("FTP://evil.example", "FTP\\://evil.example"),
        ("write to help@evil.example", "write to help\\@evil.example"),
        ("mailto:help", "mailto\\:help"),
        ("see www.evil.example", "see www\\.evil.example"),
        ("10:30 at the clinic", "10:30 at the clinic"),
    ],
)
def test_record_text_cannot_become_an_autolink(name: str, escaped: str) -> None:
    """GFM links bare URLs, e-mail addresses and www. names: their first characters are escaped."""
    assert markdown_text(name) == escaped


@pytest.mark.parametrize(
    ("where", "argument"),
    [
        ("hookInstance", "hookInstance"),
        ("order id", "context.draftOrders.entry[0].resource.id"),
        ("key", "context"),
    ],
)
def test_text_with_a_lone_surrogate_is_refused_naming_where(where: str, argument: str) -> None:
    """Valid JSON (an escaped \\ud800), but no character: no card id or UTF-8 text can hold it."""
    request = rq.scenario_request()
    if where == "hookInstance":
        request["hookInstance"] = "h\ud800"
    elif where == "order id":
        request["context"]["draftOrders"]["entry"][0]["resource"]["id"] = "rx\ud800"
    else:
        request["context"]["\udc00"] = 1
    error = refused(lambda: respond(request, service=SIGN, config=CONFIG))
    assert error.argument == argument
    assert str(error) == (
        f"{argument}: holds a lone surrogate (an escape such as \\ud800 that is no "
        "character); send Unicode text"
    )
    # A pair of surrogates escaped in JSON is one character, and welcome.
    emoji = json.loads('"\\ud83d\\ude00"')
    request = rq.scenario_request()
    request["hookInstance"] = f"h{emoji}"
    assert respond(request, service=SIGN, config=CONFIG)["cards"]


def test_a_request_that_is_not_an_object_is_refused() -> None:
    values: list[Any] = [None, [], "order-sign", 3]
    for value in values:
        assert refused(lambda: respond(value)).argument == "request"  # noqa: B023


def test_a_hook_these_services_do_not_answer_is_refused() -> None:
    request = rq.scenario_request()
    request["hook"] = "patient-view"
    error = refused(lambda: respond(request))
    assert error.argument == "hook"
    assert "order-select, order-sign" in str(error)


def test_an_unknown_service_is_not_found() -> None:
    error = refused(lambda: respond(rq.scenario_request(), service="nope"), UnknownServiceError)
    assert isinstance(error, NotFoundError)
    assert error.known == tuple(SERVICE_IDS)


def test_the_decision_date_is_checked() -> None:
    with pytest.raises(TypeError):
        respond(rq.scenario_request(), on=datetime.datetime.now())
    later = rq.today() + datetime.timedelta(days=60)
    found = valid_cards(respond(rq.scenario_request(), on=later))
    assert "no body weight" in found[0]["detail"]  # the weight is too old by then


# --- any JSON at all ---------------------------------------------------------------------------

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=30,
)
KEYS = st.sampled_from(
    [
        "hook",
        "hookInstance",
        "context",
        "prefetch",
        "patientId",
        "userId",
        "draftOrders",
        "entry",
        "resource",
        "resourceType",
        "selections",
        "dosageInstruction",
        "medicationCodeableConcept",
        "medication",
        "patient",
        "weights",
        "birthDate",
        "valueQuantity",
        "status",
        "id",
        "code",
    ]
)
ALLOWED = (HookRequestError, UnknownServiceError)


def _paths(value: object, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*path, index))
    return found


def _replace(value: Any, path: tuple[Any, ...], new: object) -> Any:
    if not path:
        return new
    value[path[0]] = _replace(value[path[0]], path[1:], new)
    return value


def _answer(request: object, service: str | None) -> None:
    try:
        response = respond(request, service=service, config=CONFIG)  # type: ignore[arg-type]
    except ALLOWED:
        return
    valid_cards(response)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(JSON, st.sampled_from([None, SIGN, SELECT]))
def test_any_json_gives_cards_or_a_request_error(value: object, service: str | None) -> None:
    _answer(value, service)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data(), st.sampled_from(["R4", "R5"]), st.sampled_from([SIGN, SELECT]))
def test_a_valid_request_with_any_part_replaced_gives_cards_or_a_request_error(
    data: st.DataObject, version: Any, service: str
) -> None:
    request = rq.scenario_request(version=version)
    if service == SELECT:
        request = rq.order_select_request(
            [rq.ciclosporin_order(version=version)],
            ["MedicationRequest/ciclosporin-order-1"],
            prefetched=request["prefetch"],
        )
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(_paths(request)))
        new = data.draw(JSON | st.dictionaries(KEYS, JSON, max_size=3))
        request = _replace(copy.deepcopy(request), path, new)
    _answer(request, service)


# --- the configuration file -------------------------------------------------------------------

TOML = """\
[source]
label = "EuroGuiDerm atopic eczema guideline (local copy)"
url = "https://guidelines.example.org/ae"

[[phototherapy]]
system = "http://hospital.example.org/fhir/CodeSystem/procedures"
code = "PHOTO-UVB"
therapy = "UVB"

[[pathways]]
name = "Examplestatin"
pathways = ["CYP3A4", "OATP"]

[[pathways]]
system = "urn:example:drugs"
code = "S1"
pathways = ["P-gp"]

[[drug_codes]]
system = "urn:example:drugs"
code = "C1"
drug = "ciclosporin"
"""

EXPECTED = ServiceConfig(
    phototherapy={UVB: Phototherapy.UVB},
    pathways={
        "examplestatin": frozenset({Pathway.CYP3A4, Pathway.OATP}),
        ("urn:example:drugs", "S1"): frozenset({Pathway.P_GP}),
    },
    drug_codes={("urn:example:drugs", "C1"): "ciclosporin"},
    source=CardSource(
        "EuroGuiDerm atopic eczema guideline (local copy)", url="https://guidelines.example.org/ae"
    ),
)


def _as_json(text: str) -> str:
    import tomllib

    return json.dumps(tomllib.loads(text), indent=2)


def test_a_toml_and_a_json_config_read_the_same(tmp_path: Path) -> None:
    (tmp_path / "service.toml").write_text(TOML)
    (tmp_path / "service.json").write_text(_as_json(TOML))
    assert load_config(tmp_path / "service.toml") == EXPECTED
    assert load_config(str(tmp_path / "service.json")) == EXPECTED
    assert EXPECTED.phototherapy_map() == {UVB: Phototherapy.UVB}
    assert EXPECTED.drug_codes_map() == {("urn:example:drugs", "C1"): "ciclosporin"}
    assert pickle.loads(pickle.dumps(EXPECTED)) == EXPECTED
    found = valid_cards(
        respond(rq.scenario_request(), config=load_config(tmp_path / "service.toml"))
    )
    assert found[0]["source"]["url"] == "https://guidelines.example.org/ae"


@pytest.mark.parametrize("suffix", [".toml", ".json"])
def test_a_config_saved_with_a_byte_order_mark_reads_as_without(
    tmp_path: Path, suffix: str
) -> None:
    text = TOML if suffix == ".toml" else _as_json(TOML)
    path = tmp_path / f"service{suffix}"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode())
    assert load_config(path) == EXPECTED


# --- the date of the decision ------------------------------------------------------------------

#: 23:30 UTC on 3 December: already 4 December in Berlin (UTC+1), still 3 December in UTC.
LATE_EVENING_UTC = datetime.datetime(2026, 12, 3, 23, 30, tzinfo=datetime.UTC)


@pytest.mark.parametrize(
    ("zone", "day"),
    [
        ("UTC", datetime.date(2026, 12, 3)),
        ("Europe/Berlin", datetime.date(2026, 12, 4)),
        ("America/New_York", datetime.date(2026, 12, 3)),
        ("Pacific/Kiritimati", datetime.date(2026, 12, 4)),
    ],
)
def test_the_decision_date_is_the_date_in_the_configured_zone(
    zone: str, day: datetime.date
) -> None:
    assert ServiceConfig(timezone=zone).today(LATE_EVENING_UTC) == day
    berlin = LATE_EVENING_UTC.astimezone(datetime.timezone(datetime.timedelta(hours=1)))
    assert ServiceConfig(timezone=zone).today(berlin) == day  # the same instant


def test_without_a_zone_the_decision_date_is_the_local_date() -> None:
    now = datetime.datetime.now(datetime.UTC)
    assert ServiceConfig().today(now) == now.astimezone().date()


@pytest.mark.parametrize("zone", ["Europe/Berln", "", "../etc/passwd", "UTC+1"])
def test_an_unknown_time_zone_is_refused(zone: str) -> None:
    error = refused(lambda: ServiceConfig(timezone=zone), InputError)
    assert error.argument == "timezone"
    assert "is not an IANA time zone this machine knows" in str(error)
    assert "'Europe/Berlin'" in str(error)


def test_a_naive_instant_is_refused() -> None:
    error = refused(
        lambda: ServiceConfig().today(datetime.datetime(2026, 12, 3)), ArgumentTypeError
    )
    assert error.argument == "now"
    error = refused(lambda: ServiceConfig().today(3), ArgumentTypeError)  # type: ignore[arg-type]
    assert "an aware datetime.datetime" in str(error)


def test_a_weight_dated_the_local_today_is_the_latest_weight(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Just after midnight in Berlin a weight measured "today" (a date without a time) is
    the latest: read against the date in UTC it would be after the decision, and the older,
    lighter weight would be used (the dose then looks 40 % above the range, not within)."""
    today = datetime.date(2026, 12, 4)
    prefetched = rq.prefetch(on=today)
    prefetched["weights"] = rq.searchset(
        rq.weight(90.0, resource_id="new", on=today),
        rq.weight(50.0, resource_id="old", on=datetime.date(2026, 11, 20)),
    )
    prefetched["pregnancy"] = rq.searchset(
        rq.pregnancy_status(False, on=datetime.date(2026, 11, 20))
    )
    request = rq.order_sign_request([rq.ciclosporin_order(amount_mg=175)], prefetched=prefetched)
    original = ServiceConfig.today
    monkeypatch.setattr(ServiceConfig, "today", lambda self: original(self, LATE_EVENING_UTC))
    berlin = ServiceConfig(timezone="Europe/Berlin")
    assert valid_cards(respond(request, service=SIGN, config=berlin)) == []  # 3.9 mg/kg/day
    (card,) = valid_cards(respond(request, service=SIGN, config=ServiceConfig(timezone="UTC")))
    assert card["summary"].startswith("Ciclosporin: 350 mg/day (7 mg/kg/day) is above the range")


def test_a_config_names_its_time_zone(tmp_path: Path) -> None:
    path = tmp_path / "service.toml"
    path.write_text('timezone = "Europe/Berlin"\n\n' + TOML)
    assert load_config(path) == attrs.evolve(EXPECTED, timezone="Europe/Berlin")
    json_path = tmp_path / "service.json"
    json_path.write_text(json.dumps({"timezone": "Europe/Berlin"}))
    assert load_config(json_path) == ServiceConfig(timezone="Europe/Berlin")
    path.write_text('timezone = "Europe/Berln"\n')
    error = refused(lambda: load_config(path), ConfigError)
    assert str(error).startswith(f"{path}, line 1: timezone: 'Europe/Berln' is not an IANA")
    path.write_text("\ntimezone = 1\n")
    error = refused(lambda: load_config(path), ConfigError)
    assert str(error) == (
        f"{path}, line 2: timezone: expected an IANA time zone name such as 'Europe/Berlin', got 1"
    )


def test_an_empty_config_is_the_default(tmp_path: Path) -> None:
    (tmp_path / "empty.toml").write_text("")
    assert load_config(tmp_path / "empty.toml") == ServiceConfig()
    assert ServiceConfig().card_source() == CardSource.default()


BAD_TOML: list[tuple[str, str, str, int | None]] = [
    ("syntax", TOML.replace('code = "PHOTO-UVB"', 'code = "PHOTO-UVB'), "not valid TOML", 7),
    ("therapy", TOML.replace('therapy = "UVB"', 'therapy = "UVC"'), "phototherapy[0].therapy", 8),
    ("pathway", TOML.replace('["P-gp"]', '["CYP2D6"]'), "pathways[1].pathways", 17),
    (
        "drug",
        TOML.replace('drug = "ciclosporin"', 'drug = "cyclosporin X"'),
        "drug_codes[0].drug",
        22,
    ),
    ("section", TOML + "\n[extras]\nx = 1\n", "extras", 24),
    (
        "key",
        TOML.replace('name = "Examplestatin"', 'nmae = "Examplestatin"'),
        "pathways[0].nmae",
        11,
    ),
    (
        "url",
        TOML.replace('url = "https://guidelines.example.org/ae"', 'url = "guidelines"'),
        "source.url",
        3,
    ),
    ("missing code", TOML.replace('code = "PHOTO-UVB"\n', ""), "phototherapy[0].code", 5),
]


@pytest.mark.parametrize(
    ("text", "where", "line"), [b[1:] for b in BAD_TOML], ids=[b[0] for b in BAD_TOML]
)
def test_a_bad_toml_config_names_the_file_the_line_and_the_key(
    tmp_path: Path, text: str, where: str, line: int | None
) -> None:
    path = tmp_path / "service.toml"
    path.write_text(text)
    error: ConfigError = refused(lambda: load_config(path), ConfigError)
    assert isinstance(error, DataError)
    assert error.file == str(path)
    assert error.line == line
    assert str(error).startswith(f"{path}, line {line}: ")
    assert where in str(error)


def test_a_bad_json_config_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "service.json"
    text = _as_json(TOML)
    path.write_text(text.replace('"UVB"', '"UVC"'))
    error = refused(lambda: load_config(path), ConfigError)
    line = text.splitlines().index('      "therapy": "UVB"') + 1
    assert (error.line, error.paths) == (line, ("phototherapy[0].therapy",))
    path.write_text(text.replace('"code": "S1",', '"code": "S1"'))
    error = refused(lambda: load_config(path), ConfigError)
    assert error.line is not None
    assert "not valid JSON" in str(error)
    path.write_text("[]")
    assert refused(lambda: load_config(path), ConfigError).line == 1


def test_a_json_config_with_a_key_twice_is_refused_not_read_as_its_last(tmp_path: Path) -> None:
    # json.loads keeps the last of two equal keys: the UVB code would be lost, and with it
    # the card against combining ciclosporin with UVB
    path = tmp_path / "service.json"
    text = _as_json(TOML)
    second = '"phototherapy": [{"system": "s", "code": "PUVA-1", "therapy": "PUVA"}], '
    path.write_text(text.replace('"phototherapy":', second + '"phototherapy":', 1))
    error = refused(lambda: load_config(path), ConfigError)
    assert str(error) == f"{path}: phototherapy: key 'phototherapy' appears twice in one object"
    path.write_text(text.replace('"therapy": "UVB"', '"therapy": "UVB", "therapy": "UVA"'))
    error = refused(lambda: load_config(path), ConfigError)
    assert error.paths == ("phototherapy[0].therapy",)


@pytest.mark.parametrize("suffix", [".toml", ".json"])
def test_a_number_too_long_to_read_is_a_config_error(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"service{suffix}"
    digits = "9" * (sys.get_int_max_str_digits() + 1)
    path.write_text(f"x = {digits}\n" if suffix == ".toml" else f'{{"x": {digits}}}')
    error = refused(lambda: load_config(path), ConfigError)
    kind = suffix[1:].upper()
    limit = sys.get_int_max_str_digits()
    assert str(error) == f"{path}: not valid {kind}: a number has more than {limit} digits"


@pytest.mark.parametrize("label", ["Guideline \ud800", "Guideline\nsecond line", "Bell\x07"])
def test_a_label_that_no_card_can_carry_is_refused(tmp_path: Path, label: str) -> None:
    with pytest.raises(InputError, match=r"^label: contains "):
        CardSource(label)
    path = tmp_path / "service.json"
    path.write_text(json.dumps({"source": {"label": label}}))
    error = refused(lambda: load_config(path), ConfigError)
    assert error.paths == ("source.label",)
    assert "expected one line of printable characters" in str(error)


def test_a_config_that_cannot_be_read(tmp_path: Path) -> None:
    assert "cannot be read" in str(
        refused(lambda: load_config(tmp_path / "none.toml"), ConfigError)
    )
    (tmp_path / "service.yaml").write_text("")
    assert ".toml or .json" in str(
        refused(lambda: load_config(tmp_path / "service.yaml"), ConfigError)
    )
    with pytest.raises(TypeError):
        load_config(5)  # type: ignore[arg-type]


# --- errors travel ------------------------------------------------------------------------------


def _state(error: BaseException) -> tuple[Any, ...]:
    attributes = {k: v for k, v in vars(error).items() if not k.startswith("__")}
    return type(error), str(error), error.args, attributes


@pytest.mark.parametrize(
    "error",
    [
        HookRequestError("context.patientId", "expected a non-empty string, got None"),
        PrefetchMissingError("prefetch.weights", "absent"),
        UnknownServiceError(
            "nope", what="service", owner="this CDS Hooks server", known=tuple(SERVICE_IDS)
        ),
        ConfigError(
            [DataProblem("phototherapy[0].therapy", "not a phototherapy")], file="a.toml", line=3
        ),
    ],
    ids=lambda e: type(e).__name__,
)
def test_every_error_of_the_module_pickles_to_an_equal_error(error: BaseException) -> None:
    for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
        again = pickle.loads(pickle.dumps(error, protocol=protocol))
        assert _state(again) == _state(error)


def test_a_config_error_from_a_file_pickles(tmp_path: Path) -> None:
    path = tmp_path / "service.toml"
    path.write_text(TOML.replace('"UVB"', '"UVC"'))
    error = refused(lambda: load_config(path), ConfigError)
    assert _state(pickle.loads(pickle.dumps(error))) == _state(error)
    assert type(error).__module__ == "ae_systemic.cds_hooks"


# --- what is imported ----------------------------------------------------------------------


def test_the_core_does_not_import_the_service_and_the_service_no_web_framework() -> None:
    code = (
        "import sys, ae_systemic; assert 'ae_systemic.cds_hooks' not in sys.modules; "
        "import ae_systemic.cds_hooks; "
        "bad = {'starlette', 'uvicorn', 'fastapi', 'flask', 'django', 'aiohttp', 'httpx', 'jwt'}; "
        "print(sorted(bad & set(sys.modules)))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


# --- the documentation's example file and message -------------------------------------------

DOCS_PAGE = Path(__file__).parent.parent / "docs" / "cds-hooks.md"


def _block(language: str) -> str:
    text = DOCS_PAGE.read_text(encoding="utf-8")
    start = text.index(f"```{language}\n") + len(f"```{language}\n")
    return text[start : text.index("```", start)]


def test_the_documented_example_file_loads(tmp_path: Path) -> None:
    path = tmp_path / "service.toml"
    path.write_text(_block("toml"))
    config = load_config(path)
    assert config.phototherapy_map() == {UVB: Phototherapy.UVB}
    assert config.pathways_map() == {
        "example-medicine-a": frozenset({Pathway.CYP3A4}),
        ("urn:example:local-drug-codes", "MED-B"): frozenset({Pathway.P_GP, Pathway.OATP}),
    }
    assert config.drug_codes_map() == {("urn:example:local-drug-codes", "CICLO-100"): "ciclosporin"}
    assert config.card_source().url == "https://guidelines.example.org/atopic-eczema"


def test_the_documented_error_message_is_the_real_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    # the page's example file, with "UVC" for its therapy, as the page says
    Path("service.toml").write_text(_block("toml").replace('therapy = "UVB"', 'therapy = "UVC"'))
    error = refused(lambda: load_config("service.toml"), ConfigError)
    assert str(error) == _block("text").strip()


def test_the_range_beside_a_dose_within_it_holds_the_dose_as_printed() -> None:
    """A frequency card of a dose within the range by a third decimal: 175.3164 mg/day for a
    range from 175.3151 mg/day, which two decimals would print as 175.32."""
    order = rq.ciclosporin_order(amount_mg=58.4388, frequency=3)
    request = rq.order_sign_request([order], prefetched=rq.prefetch(weight_kg=70.12604))
    (card,) = valid_cards(respond(request, service=SIGN))
    lines = card["detail"].splitlines()
    assert "- **Prescribed:** 58.4388 mg 3 times per day (175.3164 mg/day), 2.5 mg/kg/day" in lines
    assert any(
        line.startswith("- **The guideline's range:** 175.316–350.63 mg/day (87.7–175.3 mg")
        for line in lines
    )


@pytest.mark.parametrize("relation", ["Next", " PREV"])
def test_paged_prefetch_is_told_by_any_case_of_its_links(relation: str) -> None:
    weights = {**rq.searchset(rq.weight()), "link": [{"relation": relation, "url": "u"}]}
    request = {**rq.scenario_request(), "prefetch": {**rq.prefetch(), "weights": weights}}
    error = refused(lambda: respond(request, service=SIGN, config=CONFIG), PrefetchMissingError)
    assert error.argument == "prefetch.weights.link[0]"


def test_paged_prefetch_is_told_by_its_matches_not_its_includes() -> None:
    # two entries, one of them included: a total of 2 matches means one is missing
    medications = rq.searchset(rq.medication_order("m1", "x", status="active"))
    medications["entry"].append({"resource": {"resourceType": "Medication", "id": "m"}})
    medications["entry"][-1]["search"] = {"mode": "include"}
    medications["total"] = 2
    request = {**rq.scenario_request(), "prefetch": {**rq.prefetch(), "medications": medications}}
    error = refused(lambda: respond(request, service=SIGN, config=CONFIG), PrefetchMissingError)
    assert error.argument == "prefetch.medications.total"
    medications["total"] = 1
    assert isinstance(respond(request, service=SIGN, config=CONFIG)["cards"], list)


def test_a_co_medication_names_a_medication_of_the_drafts_by_its_full_url() -> None:
    """read_patient alone would not find it: the service places it in the order's contained."""
    url = "urn:uuid:0f1e2d3c-0000-4000-8000-000000000002"
    statin = medication("ignored", "Examplestatin 20 mg")
    del statin["id"]
    active = by_reference(rq.medication_order("m2", "x", status="active"), "x")
    active["medicationReference"] = {"reference": url}
    request = rq.order_sign_request(
        [rq.ciclosporin_order(amount_mg=150)], prefetched=rq.prefetch(medications=[active])
    )
    request["context"]["draftOrders"]["entry"].append({"fullUrl": url, "resource": statin})
    config = ServiceConfig(pathways={"examplestatin 20 mg": frozenset({Pathway.CYP3A4})})
    (card,) = valid_cards(respond(request, service=SIGN, config=config))
    assert card["summary"].startswith("Examplestatin 20 mg is a substrate of CYP3A4;")
