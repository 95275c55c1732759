"""The pure core of a CDS Hooks service that checks ciclosporin orders as they are written.

CDS Hooks (HL7) is how a health record asks an outside service for advice while an order
is written: on ``order-select`` and ``order-sign`` it posts the draft orders and the
patient's prefetched resources, and shows the cards the service answers.  This module is
that service without a web server (``ae-systemic serve`` puts it on HTTP):

>>> from ae_systemic import cds_hooks
>>> [service["id"] for service in cds_hooks.discovery()["services"]]
['ciclosporin-order-select', 'ciclosporin-order-sign']

* :func:`discovery` is the discovery document (one service per hook, with its prefetch
  templates, :data:`PREFETCH`);
* :func:`respond` answers one hook request: it finds the ciclosporin orders among the
  draft ``MedicationRequest`` s, reads the patient from the prefetch
  (:func:`~ae_systemic.fhir.read_patient`) and each order
  (:func:`~ae_systemic.fhir.read_prescription`), runs :func:`~ae_systemic.assess` and
  returns ``{"cards": [...]}``;
* :func:`cards` turns an :class:`~ae_systemic.Assessment` into cards, with the indicator
  of :data:`INDICATORS` (this library's choice, not the guideline's).

A request that does not fit the hook raises :class:`HookRequestError` (HTTP 400), one
without the prefetch the service needs :class:`PrefetchMissingError` (412), an unknown
service :class:`UnknownServiceError` (404).  Their messages name the element
(``context.draftOrders.entry[0].resource.dosageInstruction``), never a patient's data
beyond a short value.  Nothing here imports a web framework or reads the network; the
decision date is the caller's ``on`` or today's date in the deployer's time zone
(:attr:`ServiceConfig.timezone`).  See ``docs/cds-hooks.md``.
"""

from __future__ import annotations

import contextlib
import datetime
import math
import re
import types
from collections.abc import Mapping, Sequence
from typing import Final

import attrs

from ._assessment import assess
from ._cds_cards import (
    CARD_KINDS,
    INDICATORS,
    NOT_CHECKED_INDICATOR,
    PREGNANCY_NOT_KNOWN_INDICATOR,
    SEVERAL_ORDERS_INDICATOR,
    CardSource,
    OrderDose,
    cards,
    not_checked_card,
    pregnancy_not_known_card,
    several_orders_card,
    uncounted_order_card,
)
from ._cds_config import ConfigError, ServiceConfig, load_config
from ._converter import JSONValue
from ._errors import (
    AeSystemicError,
    ArgumentError,
    ArgumentTypeError,
    DataError,
    DataProblem,
    InputError,
    NotFoundError,
    join_path,
    shown,
)
from ._fhir_input import (
    OLDER_WEIGHT_ADVICE,
    AmbiguousDrugError,
    PatientRecord,
    drug_for,
    names_patient,
    read_patient,
    read_prescription,
    search_matches,
    unversioned,
)
from ._lookup import guideline
from ._model import Drug
from ._patient import CoMedication
from ._prescription import MAX_AMOUNT_PER_ADMINISTRATION_MG, DoseCheck, Prescription, check_dose
from ._text import decimals
from ._units import application_registry

__all__ = [
    "CARD_KINDS",
    "DRUG",
    "HOOKS",
    "INDICATORS",
    "MAX_DRAFT_ORDERS",
    "NOT_CHECKED_INDICATOR",
    "PHOTOTHERAPY_PREFETCH",
    "PREFETCH",
    "PREGNANCY_NOT_KNOWN_INDICATOR",
    "REQUIRED_PREFETCH",
    "SERVICE_IDS",
    "SEVERAL_ORDERS_INDICATOR",
    "CardSource",
    "ConfigError",
    "HookRequestError",
    "PrefetchMissingError",
    "ServiceConfig",
    "UnknownServiceError",
    "cards",
    "discovery",
    "load_config",
    "respond",
]

#: The drug whose orders the services check.
DRUG: Final = "ciclosporin"

#: The hooks served.
HOOKS: Final = ("order-select", "order-sign")

#: Each service's id (the ``{id}`` of ``/cds-services/{id}``) and the hook it answers.
SERVICE_IDS: Final[Mapping[str, str]] = types.MappingProxyType(
    {"ciclosporin-order-select": "order-select", "ciclosporin-order-sign": "order-sign"}
)

#: The prefetch templates of both services (key → FHIR query).  Weights and pregnancy
#: status are read by LOINC code; medication requests with their ``Medication`` s (for a
#: ``medicationReference``); service requests and procedures for a planned phototherapy.
PREFETCH: Final[Mapping[str, str]] = types.MappingProxyType(
    {
        "patient": "Patient/{{context.patientId}}",
        "weights": (
            "Observation?patient={{context.patientId}}"
            "&code=http://loinc.org|29463-7,http://loinc.org|3141-9&_sort=-date"
        ),
        "pregnancy": (
            "Observation?patient={{context.patientId}}&code=http://loinc.org|82810-3&_sort=-date"
        ),
        "medications": (
            "MedicationRequest?patient={{context.patientId}}&status=active"
            "&_include=MedicationRequest:medication"
        ),
        "serviceRequests": "ServiceRequest?patient={{context.patientId}}&status=active,on-hold",
        "procedures": (
            "Procedure?patient={{context.patientId}}&status=preparation,in-progress,on-hold"
        ),
    }
)

#: The prefetch keys every check needs: absent → :class:`PrefetchMissingError`.
REQUIRED_PREFETCH: Final = ("patient", "weights", "pregnancy", "medications")

#: The prefetch keys needed when the configuration maps phototherapy codes (without a
#: mapping no ``ServiceRequest`` or ``Procedure`` can be read as a phototherapy).
PHOTOTHERAPY_PREFETCH: Final = ("serviceRequests", "procedures")

#: Most entries read from ``context.draftOrders``: a bound against runaway input.
MAX_DRAFT_ORDERS: Final = 10_000

#: What of the draft orders the patient's record is read with: the orders, and the
#: ``Medication`` s they may refer to.
_DRAFT_KINDS: Final = ("MedicationRequest", "ServiceRequest", "Medication")
_ROOT: Final = "resources"
_LOINC: Final = "http://loinc.org"
_SURROGATE: Final = re.compile("[\ud800-\udfff]")
#: The statuses of a ``MedicationRequest`` that will not be given (R4 and R5): such a
#: draft is not checked, such an order not counted.
#: The links of a search Bundle to another page: one page alone is not the record.
_OTHER_PAGES: Final = frozenset({"next", "previous", "prev"})
_NOT_GIVEN: Final = frozenset({"cancelled", "completed", "entered-in-error", "stopped", "ended"})
#: The intents of a ``MedicationRequest`` that are an order (not a proposal, a plan or an
#: option): only these count among the patient's orders.
_ORDER_INTENTS: Final = frozenset(
    {"order", "original-order", "reflex-order", "filler-order", "instance-order"}
)


class HookRequestError(InputError):
    """A CDS Hooks request does not fit the hook: a server answers ``400 Bad Request``.

    ``argument`` is the path of the offending element in the request
    (``context.draftOrders.entry[2].resource.dosageInstruction[0].timing``), ``problem``
    what was wrong and what would be right; the message is safe to return to the client.
    """


class PrefetchMissingError(HookRequestError):
    """The request lacks prefetch data the service needs: a server answers ``412``.

    ``argument`` names the prefetch key (``prefetch.weights``).
    """


class UnknownServiceError(NotFoundError):
    """No service of :data:`SERVICE_IDS` has the id asked for: a server answers ``404``."""


def discovery() -> dict[str, JSONValue]:
    """The CDS Hooks discovery document: one service per hook of :data:`SERVICE_IDS`.

    Each service has its ``hook``, ``id``, ``title``, ``description``, the ``prefetch``
    templates of :data:`PREFETCH` and ``usageRequirements``.
    """
    label = guideline().short_title
    prefetch: dict[str, JSONValue] = dict(PREFETCH)
    services: list[JSONValue] = []
    for service_id, hook in SERVICE_IDS.items():
        moment = "when it is selected" if hook == "order-select" else "before it is signed"
        services.append(
            {
                "hook": hook,
                "id": service_id,
                "title": f"Ciclosporin order check ({label})",
                "description": (
                    f"Checks a draft ciclosporin order {moment} against the ciclosporin "
                    f"section of the {label}: the daily dose against the range for the "
                    "patient's weight and age, administrations a day, the licensed age, "
                    "planned phototherapy it should not be combined with, interactions, "
                    "pregnancy, children and adolescents."
                ),
                "prefetch": dict(prefetch),
                "usageRequirements": (
                    "Needs the prefetch keys patient, weights, pregnancy and medications "
                    "(and serviceRequests and procedures when phototherapy codes are "
                    "configured); a body weight recorded within the last 30 days. "
                    "Phototherapy codes and the pathways of medicines are read only as the "
                    "deployer's configuration maps them."
                ),
            }
        )
    return {"services": services}


@attrs.frozen
class _Order:
    path: str  # where the resource is in the request
    resource: Mapping[str, object]
    label: str
    drug: Drug


def _under(prefix: str, path: str, head: str) -> str:
    """``path`` (rooted at ``head``, e.g. ``MedicationRequest``) placed below ``prefix``."""
    if path == head:
        return prefix
    if path.startswith((head + ".", head + "[")):
        return prefix + path[len(head) :]
    return join_path(prefix, path)


def _first(error: DataError, place: Mapping[str, str] | None = None) -> tuple[str, str]:
    """The first problem's path and message (their inner paths mapped by ``place``),
    noting any more."""
    problem = error.problems[0] if error.problems else DataProblem("", str(error))
    path, message = problem.path, problem.message
    if place is not None:
        path = _mapped(path, place)
        message = _INNER_PATH.sub(lambda found: place.get(found[0], found[0]), message)
    more = len(error.problems) - 1
    message += f" (and {more} more problem{'s' * (more > 1)})" if more else ""
    return path, message


#: A path of this module's making that a message of the FHIR input may name ("is also at
#: resources[3]"): the request's own path stands in for it.
_INNER_PATH: Final = re.compile(
    r"(?:MedicationRequest\.)?(?:Bundle\.entry|resources)\[\d+\](?:\.resource)?"
)


def _mapped(path: str, place: Mapping[str, str]) -> str:
    for head, prefix in place.items():
        if path == head or path.startswith((head + ".", head + "[")):
            return _under(prefix, path, head)
    return path


def _object(value: object, path: str, what: str) -> Mapping[str, object]:
    if not isinstance(value, Mapping):
        raise HookRequestError(path, f"expected {what} (a JSON object), got {shown(value)}")
    return value


def _text(container: Mapping[str, object], key: str, path: str, *, required: bool = True) -> str:
    value = container.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or not value.strip():
        raise HookRequestError(
            join_path(path, key), f"expected a non-empty string, got {shown(value)}"
        )
    return value


def _checked_hook(request: Mapping[str, object], service: str | None) -> str:
    hook = _text(request, "hook", "")
    if service is not None and hook != SERVICE_IDS[service]:
        raise HookRequestError(
            "hook",
            f"{shown(hook)} is not the hook of the service {service!r}: expected "
            f"{SERVICE_IDS[service]!r}",
        )
    if hook not in HOOKS:
        raise HookRequestError("hook", f"{shown(hook)}: expected one of {', '.join(HOOKS)}")
    return hook


def _drafts(context: Mapping[str, object]) -> list[tuple[int, Mapping[str, object], str]]:
    """The draft resources with their index in the Bundle and their label (``Kind/id``)."""
    where = "context.draftOrders"
    bundle = _object(context.get("draftOrders"), where, "a FHIR Bundle of the draft orders")
    if bundle.get("resourceType") != "Bundle":
        raise HookRequestError(
            f"{where}.resourceType", f"expected 'Bundle', got {shown(bundle.get('resourceType'))}"
        )
    entries = bundle.get("entry")
    if entries is None:
        return []
    if not isinstance(entries, list):
        raise HookRequestError(f"{where}.entry", f"expected a list, got {shown(entries)}")
    if len(entries) > MAX_DRAFT_ORDERS:
        raise HookRequestError(
            f"{where}.entry", f"more than {MAX_DRAFT_ORDERS} entries (a bound of this service)"
        )
    drafts = []
    seen: dict[str, int] = {}
    for index, raw in enumerate(entries):
        path = f"{where}.entry[{index}]"
        entry = _object(raw, path, "a Bundle entry")
        if entry.get("resource") is None:
            continue
        resource = _object(entry["resource"], f"{path}.resource", "a FHIR resource")
        kind = _text(resource, "resourceType", f"{path}.resource")
        resource_id = resource.get("id")
        if resource_id is not None and not isinstance(resource_id, str):
            raise HookRequestError(
                f"{path}.resource.id", f"expected a string, got {shown(resource_id)}"
            )
        label = f"{kind}/{resource_id}" if resource_id else f"{kind} at {path}"
        if label in seen:  # selections and cards name an order by it: it must be one order
            raise HookRequestError(
                f"{path}.resource.id",
                f"{shown(label)} is also entry[{seen[label]}]: each draft order needs its own id",
            )
        seen[label] = index
        drafts.append((index, resource, label))
    return drafts


def _selected(
    context: Mapping[str, object], drafts: Sequence[tuple[int, Mapping[str, object], str]]
) -> set[str]:
    raw = context.get("selections")
    if not isinstance(raw, list):
        raise HookRequestError(
            "context.selections",
            f"expected a list of the selected orders' ids ('MedicationRequest/123'), got "
            f"{shown(raw)}",
        )
    labels = {label for _, _, label in drafts}
    chosen = set()
    for index, item in enumerate(raw):
        path = f"context.selections[{index}]"
        if not isinstance(item, str) or not item:
            raise HookRequestError(
                path, f"expected a string such as 'MedicationRequest/123', got {shown(item)}"
            )
        if item not in labels:
            raise HookRequestError(path, f"{shown(item)} is not an order of context.draftOrders")
        chosen.add(item)
    return chosen


def _orders(
    drafts: Sequence[tuple[int, Mapping[str, object], str]],
    selected: set[str] | None,
    patient_id: str,
    config: ServiceConfig,
    pool: _Pool,
) -> list[_Order]:
    """The draft orders of :data:`DRUG` (for ``order-select``, of those ``selected``).

    A draft that will not be given (its status ``cancelled``, ``stopped``... or
    ``doNotPerform``) is no order to check.  The ``Medication`` a draft refers to is
    looked up in the ``pool``; a draft whose medicine cannot be identified is a
    :class:`HookRequestError` (it might be an order of :data:`DRUG`: no answer would show
    that it was not checked).
    """
    orders = []
    codes = config.drug_codes_map()
    for index, resource, label in drafts:
        if resource.get("resourceType") != "MedicationRequest":
            continue
        if selected is not None and label not in selected:
            continue
        path = f"context.draftOrders.entry[{index}].resource"
        if not _given(resource, path):
            continue
        try:
            found = drug_for(resource, codes=codes, medications=pool.bundle)
        except DataError as error:
            raise HookRequestError(*_first(error, pool.places(path))) from None
        if found is not None and found.name == DRUG:
            _check_subject(resource, path, patient_id)
            orders.append(_Order(path, resource, label, found))
    return orders


def _given(resource: Mapping[str, object], path: str) -> bool:
    """Whether a medication request may still be given: not stopped, cancelled, refused..."""
    refused = resource.get("doNotPerform")
    if refused is not None and not isinstance(refused, bool):
        raise HookRequestError(
            f"{path}.doNotPerform", f"expected true or false, got {shown(refused)}"
        )
    status = resource.get("status")
    return not (isinstance(status, str) and status in _NOT_GIVEN) and not refused


#: The display an unidentified medicine is read under: it names no drug of the guideline.
_UNIDENTIFIED: Final = "unidentified medicine"
#: The id a referred ``Medication`` takes in its order's ``contained`` (see :func:`_embedded`).
_EMBEDDED: Final = "ae-systemic-medication"


@attrs.frozen
class _Pool:
    """The ``Medication`` s of the request, the drafts' first, as one ``collection`` Bundle.

    Orders refer to them by ``Medication/id`` (maybe versioned, maybe an absolute URL) or
    by an entry's ``fullUrl`` (``urn:uuid:...``), wherever in the request they stand: a
    draft order to a ``Medication`` of the prefetch, an order of the record to one among
    the drafts.  A ``Medication`` given twice (a draft's copy and the record's) is the
    first one.  ``origins`` says where each entry stands in the request.
    """

    bundle: Mapping[str, object]
    origins: tuple[str, ...]
    by_alias: Mapping[str, Mapping[str, object]]

    def places(self, path: str) -> dict[str, str]:
        """Where the paths of an error about the order at ``path`` stand in the request."""
        place = {}
        for index, origin in enumerate(self.origins):
            place[f"MedicationRequest.Bundle.entry[{index}].resource"] = origin
            place[f"Bundle.entry[{index}].resource"] = origin
        place["MedicationRequest"] = path
        place["MedicationStatement"] = path
        return place

    def resolve(self, reference: str) -> Mapping[str, object] | None:
        bare = unversioned(reference)
        found = self.by_alias.get(bare)
        if found is None and "/Medication/" in bare:
            found = self.by_alias.get("Medication/" + bare.rsplit("/Medication/", 1)[1])
        return found


def _pool(request: Mapping[str, object]) -> _Pool:
    """The request's :class:`_Pool`, read leniently (what is malformed is named elsewhere)."""
    entries: list[Mapping[str, object]] = []
    origins: list[str] = []
    by_alias: dict[str, Mapping[str, object]] = {}
    for resource, full_url, origin in _medication_entries(request):
        resource_id = resource.get("id")
        if resource_id is not None and not isinstance(resource_id, str):
            continue
        aliases = [f"Medication/{resource_id}"] if resource_id else []
        aliases += [full_url] if full_url else []
        if not aliases or any(alias in by_alias for alias in aliases):
            continue  # no reference can reach it, or a copy of one taken already
        for alias in aliases:
            by_alias[alias] = resource
        entries.append(
            {"resource": resource, "fullUrl": full_url} if full_url else {"resource": resource}
        )
        origins.append(origin)
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": entries}
    return _Pool(bundle, tuple(origins), by_alias)


def _medication_entries(
    request: Mapping[str, object],
) -> list[tuple[Mapping[str, object], str | None, str]]:
    """The ``Medication`` s of the draft orders, then of the prefetch: each with its
    entry's ``fullUrl`` and where it stands."""
    found: list[tuple[Mapping[str, object], str | None, str]] = []
    context = request.get("context")
    drafts = context.get("draftOrders") if isinstance(context, Mapping) else None
    places: list[tuple[object, str]] = [(drafts, "context.draftOrders")]
    prefetch = request.get("prefetch")
    if isinstance(prefetch, Mapping):
        places += [(prefetch.get(key), f"prefetch.{key}") for key in PREFETCH]
    for value, where in places:
        if not isinstance(value, Mapping):
            continue
        if value.get("resourceType") == "Medication":
            found.append((value, None, where))
            continue
        entries = value.get("entry") if value.get("resourceType") == "Bundle" else None
        for index, entry in enumerate(entries if isinstance(entries, list) else ()):
            resource = entry.get("resource") if isinstance(entry, Mapping) else None
            if isinstance(resource, Mapping) and resource.get("resourceType") == "Medication":
                full_url = entry.get("fullUrl")
                text = full_url if isinstance(full_url, str) and full_url else None
                found.append((resource, text, f"{where}.entry[{index}].resource"))
    return found


def _reference(resource: Mapping[str, object]) -> Mapping[str, object] | None:
    """The Reference naming a medication request's medicine, if nothing else names it.

    R4 ``medicationReference`` without ``medicationCodeableConcept``, R5
    ``medication.reference`` without ``medication.concept``.
    """
    if "medicationCodeableConcept" in resource:
        return None
    r5 = resource.get("medication")
    if isinstance(r5, Mapping):
        given = None if "concept" in r5 else r5.get("reference")
    else:
        given = resource.get("medicationReference")
    return given if isinstance(given, Mapping) else None


def _with_reference(
    resource: Mapping[str, object], reference: Mapping[str, object]
) -> dict[str, object]:
    """``resource`` whose medicine is named by ``reference`` instead (R4 or R5 shape)."""
    r5 = resource.get("medication")
    if isinstance(r5, Mapping):
        return {**resource, "medication": {**r5, "reference": reference}}
    return {**resource, "medicationReference": reference}


def _unidentified(
    resource: Mapping[str, object],
    codes: Mapping[tuple[str, str], str],
    pool: _Pool,
    display: str = _UNIDENTIFIED,
) -> tuple[str, Mapping[str, object]] | None:
    """A medicine named by nothing but a reference that cannot be followed: what the
    reference names, and the resource with ``display`` given to the reference.

    That is: no concept (code or text), and a reference without a display to a
    ``Medication`` neither contained nor in the request, or one with no code, or a
    reference by ``identifier`` only.  It is told by :func:`~ae_systemic.fhir.drug_for`
    reading the resource once the reference has a display: ``None`` when the resource
    fails for another reason.
    """
    given = _reference(resource)
    if given is None:
        return None
    shown_display = given.get("display")
    if shown_display is not None and not (
        isinstance(shown_display, str) and not shown_display.strip()
    ):
        return None  # a display names the medicine: it failed for another reason
    reference = given.get("reference")
    identifier = given.get("identifier")
    if isinstance(reference, str) and reference.strip():
        named = reference
    elif reference is None and isinstance(identifier, Mapping):
        named = f"identifier {identifier.get('system', '')}|{identifier.get('value', '')}"
    else:
        return None
    candidate = _with_reference(resource, {**given, "display": display})
    try:
        drug_for(candidate, codes=codes, medications=pool.bundle)
    except DataError:
        return None
    return named, candidate


def _embedded(resource: Mapping[str, object], pool: _Pool) -> Mapping[str, object]:
    """``resource`` with the ``Medication`` it refers to in the pool placed in ``contained``.

    :func:`~ae_systemic.fhir.read_patient` follows a reference within what it is given:
    a ``fullUrl`` of the draft orders' Bundle, or a ``Medication`` of the drafts named by
    an order of the record, would not be found.
    """
    given = _reference(resource)
    reference = None if given is None else given.get("reference")
    if given is None or not isinstance(reference, str) or reference.startswith("#"):
        return resource
    medication = pool.resolve(reference)
    if medication is None:
        return resource
    contained = resource.get("contained")
    inner = [*contained] if isinstance(contained, list) else []
    inner.append({**medication, "id": _EMBEDDED})
    embedded = _with_reference(resource, {**given, "reference": f"#{_EMBEDDED}"})
    embedded["contained"] = inner
    return embedded


def _replaced(drafts: Sequence[tuple[int, Mapping[str, object], str]]) -> tuple[set[str], set[str]]:
    """What the draft orders replace in the record: the labels of the drafts themselves
    (a resource being changed, whatever its status), and the references of the orders
    they name as ``priorPrescription``."""
    labels = {label for _, _, label in drafts}
    prior = set()
    for index, resource, _ in drafts:
        if not _given(resource, f"context.draftOrders.entry[{index}].resource"):
            continue  # a replacement that will not be given replaces nothing
        named = resource.get("priorPrescription")
        reference = named.get("reference") if isinstance(named, Mapping) else None
        if isinstance(reference, str) and reference:
            prior.add(reference)
    return labels, prior


def _is_replaced(label: str, replaced: tuple[set[str], set[str]]) -> bool:
    labels, prior = replaced
    return label in labels or any(_names(reference, label) for reference in prior)


def _names(reference: str, label: str) -> bool:
    """Whether ``reference`` (relative or absolute, maybe versioned) names ``label``."""
    bare = unversioned(reference)
    return bare == label or bare.endswith("/" + label)


def _label(resource: Mapping[str, object], path: str) -> str:
    kind, resource_id = resource.get("resourceType"), resource.get("id")
    return f"{kind}/{resource_id}" if isinstance(resource_id, str) and resource_id else path


def _active_orders(
    resources: Sequence[Mapping[str, object]],
    origins: Sequence[str],
    patient_id: str,
    config: ServiceConfig,
    pool: _Pool,
) -> tuple[list[_Order], list[str]]:
    """The record's active orders of :data:`DRUG` (its ``MedicationRequest`` s), and why
    each order that may be one was not counted.

    ``resources`` are the prefetch's, without those the drafts replace.  Only requests
    whose ``intent`` is an order count (not a ``proposal``, ``plan`` or ``option``).  The
    same order twice in the prefetch counts once; two different versions of it are
    refused.  An order whose medicine cannot be identified is not counted: it is read as
    an unidentified co-medication (see :func:`_for_reading`).  Nor is one whose codes and
    texts name :data:`DRUG` and another medicine (methotrexate coded ``L04AX03``, "switch
    from ciclosporin"): it is read as a co-medication, and the reason returned for it
    goes on a "not checked" card, since it may be an order of :data:`DRUG` left out of
    the daily total.
    """
    codes = config.drug_codes_map()
    doubtful: dict[str, str] = {}  # by the order's label: the same order twice, once
    orders: list[_Order] = []
    seen: dict[str, _Order] = {}
    for resource, path in zip(resources, origins, strict=True):
        if resource.get("resourceType") != "MedicationRequest":
            continue
        if not _given(resource, path) or resource.get("status") != "active":
            continue
        intent = resource.get("intent")
        if isinstance(intent, str) and intent not in _ORDER_INTENTS:
            continue
        try:
            found = drug_for(resource, codes=codes, medications=pool.bundle)
        except DataError as error:
            # A medicine of the record whose codes and texts disagree is read as a
            # co-medication (read_patient notes it), not counted among the orders.
            if isinstance(error, AmbiguousDrugError):
                where, problem = _first(error, pool.places(path))
                label = _label(resource, path)
                doubtful.setdefault(
                    label,
                    f"{label} in the record may be another order of {DRUG} ({where}: "
                    f"{problem}); it is not counted in the daily total of the orders of {DRUG}",
                )
                continue
            if _unidentified(resource, codes, pool) is not None:
                continue
            raise HookRequestError(*_first(error, pool.places(path))) from None
        if found is None or found.name != DRUG:
            continue
        label = _label(resource, path)
        if label in seen:
            if resource != seen[label].resource:
                raise HookRequestError(
                    path,
                    f"{shown(label)} is also {seen[label].path}, with other content: the "
                    "prefetch holds one version of each resource",
                )
            continue  # the same order found by two searches: counted once
        _check_subject(resource, path, patient_id)
        seen[label] = _Order(path, resource, label, found)
        orders.append(seen[label])
    return orders, list(doubtful.values())


def _daily_doses(orders: Sequence[_Order], origin: str) -> list[OrderDose]:
    """Each order's prescription, or why its dosage cannot be read."""
    doses = []
    for order in orders:
        try:
            doses.append(OrderDose(order.label, origin, read_prescription(order.resource)))
        except DataError as error:
            where, message = _first(error, {"MedicationRequest": order.path})
            doses.append(OrderDose(order.label, origin, None, f"{where}: {message}"))
    return doses


def _several_orders(
    orders: Sequence[_Order],
    active: Sequence[_Order],
    record: PatientRecord | _Unusable,
    source: CardSource,
    hook_instance: str,
) -> dict[str, JSONValue]:
    """The card of several orders of :data:`DRUG` at once, with their daily total."""
    doses = _daily_doses(orders, "draft") + _daily_doses(active, "active")
    total: DoseCheck | Prescription | None = None
    given = [dose.prescription for dose in doses if dose.prescription is not None]
    not_added = "not added up, as the dosage of an order could not be read"
    if len(given) == len(doses):
        daily_mg = math.fsum(rx.daily_mg for rx in given)
        registry = application_registry()
        try:
            summed = Prescription(registry.Quantity(daily_mg, "mg"), frequency=1)
        except ArgumentError:  # more than any one administration: no total to compare
            not_added = (
                f"{decimals(daily_mg)} mg/day, more than "
                f"{MAX_AMOUNT_PER_ADMINISTRATION_MG / 1000:g} g a day (not compared with the "
                "guideline's range); check each order's dose and unit"
            )
        else:
            total = summed
            if not isinstance(record, _Unusable):
                with contextlib.suppress(AeSystemicError):  # no range for the patient: the total
                    total = check_dose(orders[0].drug, record.patient, summed)
    return several_orders_card(
        DRUG,
        doses,
        total,
        source=source,
        hook_instance=hook_instance,
        not_compared=record.short if isinstance(record, _Unusable) else _NO_RANGE,
        not_added=not_added,
    )


def _check_subject(resource: Mapping[str, object], path: str, patient_id: str) -> None:
    """An order for another patient than the request's is refused (it would get this one's dose)."""
    subject = resource.get("subject")
    if subject is None:
        return
    reference = _object(subject, f"{path}.subject", "a Reference").get("reference")
    if reference is None:
        return
    if not isinstance(reference, str) or not names_patient(reference, patient_id):
        raise HookRequestError(
            f"{path}.subject.reference",
            f"{shown(reference)} is not the patient of the request (context.patientId "
            f"{patient_id!r}): an order is checked against its own patient only",
        )


def _prefetch_resources(
    request: Mapping[str, object], patient_id: str, config: ServiceConfig
) -> tuple[list[Mapping[str, object]], list[str]]:
    """The prefetched resources and the path in the request of each."""
    prefetch = request.get("prefetch")
    needed = REQUIRED_PREFETCH + (PHOTOTHERAPY_PREFETCH if config.phototherapy else ())
    if prefetch is None:
        raise PrefetchMissingError(
            "prefetch", f"absent: this service needs the prefetch keys {', '.join(needed)}"
        )
    prefetch = _object(prefetch, "prefetch", "the prefetched resources")
    missing = [key for key in needed if key not in prefetch]
    if missing:
        raise PrefetchMissingError(
            f"prefetch.{missing[0]}",
            f"absent: this service needs the prefetch keys {', '.join(missing)} (see its "
            "discovery document)",
        )
    patient = prefetch.get("patient")
    if patient is None:
        raise PrefetchMissingError(
            "prefetch.patient", "null: the patient is needed for the age of the patient"
        )
    patient = _object(patient, "prefetch.patient", "a Patient resource")
    if patient.get("resourceType") == "OperationOutcome":  # as for every key it needs
        raise PrefetchMissingError(
            "prefetch.patient",
            "the client could not fetch it (an OperationOutcome was sent instead)",
        )
    if patient.get("resourceType") != "Patient":
        raise HookRequestError(
            "prefetch.patient.resourceType",
            f"expected 'Patient', got {shown(patient.get('resourceType'))}",
        )
    if patient.get("id") != patient_id:
        raise HookRequestError(
            "prefetch.patient.id", "is not context.patientId: the prefetch is another patient's"
        )
    resources: list[Mapping[str, object]] = [patient]
    origins = ["prefetch.patient"]
    for key in PREFETCH:
        if key == "patient" or prefetch.get(key) is None:
            continue
        path = f"prefetch.{key}"
        value = _object(prefetch[key], path, "a FHIR resource or a searchset Bundle")
        kind = value.get("resourceType")
        if kind == "OperationOutcome":
            if key in needed:
                raise PrefetchMissingError(
                    path, "the client could not fetch it (an OperationOutcome was sent instead)"
                )
            continue
        if kind != "Bundle":
            resources.append(value)
            origins.append(path)
            continue
        for found, where in _bundle_resources(value, path):
            resources.append(found)
            origins.append(where)
    return resources, origins


def _bundle_resources(
    bundle: Mapping[str, object], path: str
) -> list[tuple[Mapping[str, object], str]]:
    """The resources of a prefetched Bundle, which must be the ``searchset`` of its search.

    A ``history`` Bundle holds past versions of resources (a stopped order beside its
    active version), a ``transaction`` or ``batch`` Bundle requests, not the record: read as
    the record, their superseded versions would count as current.
    """
    bundle_type = bundle.get("type")
    if bundle_type != "searchset":
        given = "missing" if bundle_type is None else f"{shown(bundle_type)} is not a search result"
        raise HookRequestError(
            f"{path}.type",
            f"Bundle.type {given}: a prefetch key holds a Bundle of type 'searchset', the "
            "result of its search (a history Bundle holds past versions, a transaction or "
            "batch Bundle requests, not the patient's current record)",
        )
    links = bundle.get("link")
    if isinstance(links, list):
        for index, link in enumerate(links):
            relation = link.get("relation") if isinstance(link, Mapping) else None
            if isinstance(relation, str) and relation.strip().casefold() in _OTHER_PAGES:
                raise PrefetchMissingError(
                    f"{path}.link[{index}]",
                    f"one page of a paged search (a {shown(link.get('relation'))} link): every "
                    "page is needed (send all the results)",
                )
    entries = bundle.get("entry")
    if entries is not None and not isinstance(entries, list):
        raise HookRequestError(f"{path}.entry", f"expected a list, got {shown(entries)}")
    total = bundle.get("total")
    held = search_matches(entries or ())  # not the entries it included
    if isinstance(total, int) and not isinstance(total, bool) and total > held:
        raise PrefetchMissingError(
            f"{path}.total",
            f"{total} results, of which the Bundle holds {held}: every result is needed "
            "(send all the results)",
        )
    if entries is None:
        return []
    found = []
    for index, raw in enumerate(entries):
        where = f"{path}.entry[{index}]"
        entry = _object(raw, where, "a Bundle entry")
        resource = entry.get("resource")
        if resource is None:
            continue
        resource = _object(resource, f"{where}.resource", "a FHIR resource")
        if resource.get("resourceType") == "OperationOutcome":
            continue  # a search's informational outcome
        found.append((resource, f"{where}.resource"))
    return found


def _pending(
    drafts: Sequence[tuple[int, Mapping[str, object], str]],
) -> tuple[list[Mapping[str, object]], list[str]]:
    """The draft orders of the session that count as the patient's pending treatment.

    A draft ``MedicationRequest`` or ``ServiceRequest`` is read as active (its status
    ``draft`` as ``active``): it is being ordered now, beside the ciclosporin order.  A
    draft's ``Medication`` comes along, for the orders that refer to it.
    """
    resources: list[Mapping[str, object]] = []
    origins = []
    for index, resource, _ in drafts:
        if resource.get("resourceType") not in _DRAFT_KINDS:
            continue
        if resource.get("status") == "draft":
            resource = {**resource, "status": "active"}
        resources.append(resource)
        origins.append(f"context.draftOrders.entry[{index}].resource")
    return resources, origins


def _for_reading(
    resources: list[Mapping[str, object]],
    origins: list[str],
    config: ServiceConfig,
    pool: _Pool,
) -> tuple[list[Mapping[str, object]], list[str], dict[str, str]]:
    """The resources as ``read_patient`` is to read them, without those of :data:`DRUG`.

    The drug being ordered is no co-medication of itself; :func:`~ae_systemic.fhir.drug_for`
    with the configured codes finds it (``read_patient``'s ``excluding`` knows no local
    codes).  A medicine referring to a ``Medication`` of the pool has it placed in its
    ``contained`` (:func:`_embedded`).  A resource that cannot be read is kept, for
    ``read_patient`` to name the problem; one whose medicine cannot be identified
    (:func:`_unidentified`) is kept under a placeholder display, returned with the name it
    is to be shown by.
    """
    codes = config.drug_codes_map()
    kept: list[Mapping[str, object]] = []
    kept_origins = []
    names: dict[str, str] = {}
    for resource, origin in zip(resources, origins, strict=True):
        if resource.get("resourceType") in ("MedicationRequest", "MedicationStatement"):
            try:
                found = drug_for(resource, codes=codes, medications=pool.bundle)
            except AmbiguousDrugError:  # read as a co-medication (a card says it may not be)
                found = None
                resource = _embedded(resource, pool)
            except DataError:
                found = None
                placeholder = f"{_UNIDENTIFIED} #{len(names) + 1}"
                unidentified = _unidentified(resource, codes, pool, placeholder)
                if unidentified is not None:
                    named, resource = unidentified
                    names[placeholder] = (
                        f"the unidentified medicine of {_label(resource, origin)} ({named}, "
                        f"which the request does not identify: not counted among the orders "
                        f"of {DRUG})"
                    )
            else:
                resource = _embedded(resource, pool)
            if found is not None and found.name == DRUG:
                continue
        kept.append(resource)
        kept_origins.append(origin)
    return kept, kept_origins, names


def _with_unidentified(
    record: PatientRecord | _Unusable, names: Mapping[str, str]
) -> PatientRecord | _Unusable:
    """The record with each unidentified medicine (read under its placeholder) named.

    ``read_patient`` read it as any medicine (left out when not active): a co-medication
    without pathways, whose interactions could not be checked, and a card says so.
    """
    if isinstance(record, _Unusable) or not names:
        return record
    patient = record.patient
    renamed = tuple(
        CoMedication(names[medicine.name], medicine.pathways)
        if medicine.name in names
        else medicine
        for medicine in patient.co_medications
    )
    return attrs.evolve(record, patient=attrs.evolve(patient, co_medications=renamed))


@attrs.frozen
class _Unusable:
    """Why the patient's record, valid FHIR, cannot be used for the check.

    ``reason`` is the not-checked card's, in a prescriber's words; ``short`` ends the
    several-orders card's "not compared with the guideline's range: ...".
    """

    reason: str
    short: str


_NO_AGE: Final = "the record gives no exact age"
_NO_WEIGHT: Final = "the record gives no body weight to use"
_NO_RANGE: Final = "the guideline gives no range for this patient"
_RESOURCE_ELEMENT: Final = re.compile(r"resources\[(\d+)\](.*)")
_WEIGHT_CODES: Final = frozenset({"29463-7", "3141-9"})  # as in PREFETCH
_PREGNANCY_CODE: Final = "82810-3"
_PLURAL: Final = {"body weight": "body weights", "pregnancy status": "pregnancy statuses"}


def _patient(
    resources: list[Mapping[str, object]],
    origins: list[str],
    day: datetime.date,
    config: ServiceConfig,
) -> PatientRecord | _Unusable:
    """The patient's record, or why a record of valid FHIR cannot be used for the check.

    A record without a fact every check needs (no body weight, no exact age) or with
    facts that contradict each other or no person could have (two latest weights that
    disagree, an undated one, a weight of 7000 kg) is no malformed request: the order
    gets a not-checked card saying why.  Malformed FHIR is a :class:`HookRequestError`.
    """
    try:
        return read_patient(
            resources,
            on=day,
            pathways=config.pathways_map(),
            phototherapy=config.phototherapy_map(),
            excluding=DRUG,
        )
    except DataError as error:
        if error.problems and all(p.path == _ROOT for p in error.problems):
            # read_patient's advice to a programmer is no advice to a prescriber
            return _Unusable(_first(error)[1].replace(OLDER_WEIGHT_ADVICE, ""), _NO_WEIGHT)
        unusable = _unusable(error, resources, day) if len(error.problems) == 1 else None
        if unusable is not None:
            return unusable
        place = {f"{_ROOT}[{i}]": origin for i, origin in enumerate(origins)}
        raise HookRequestError(*_first(error, place)) from None


def _unusable(
    error: DataError, resources: Sequence[Mapping[str, object]], day: datetime.date
) -> _Unusable | None:
    """Why ``read_patient`` could not use a record of valid FHIR, in a prescriber's words.

    ``None`` for malformed FHIR (a date that is no date, a string for a number...).  The
    problem is told by its element and ``read_patient``'s words; the reason shown is this
    module's, without a programmer's advice (``partial_birth_date=``, ``effectiveDateTime``).
    """
    problem = error.problems[0]
    found = _RESOURCE_ELEMENT.fullmatch(problem.path)
    if found is None or int(found[1]) >= len(resources):
        return None
    resource, element, message = resources[int(found[1])], found[2], problem.message
    kind, resource_id = resource.get("resourceType"), resource.get("id")
    label = f"{kind}/{resource_id}" if isinstance(resource_id, str) else str(kind)
    if element == ".birthDate":
        return _unusable_birth_date(resource, message, day)
    what = _observed(resource)
    if what is None:
        return None
    short = f"the record gives no {what} to use"
    if element == ".effective[x]" and "cannot be dated" in message:
        return _Unusable(
            f"the {what} {label} in the record has no date: it might be the latest, so no "
            f"{what} can be chosen; record its date",
            short,
        )
    if element == ".status" and "status 'preliminary'" in message:
        chosen = re.search(r"the latest final one, (\S+), gives another value", message)
        final = f" than the final {chosen[1]}" if chosen is not None else ""
        return _Unusable(
            f"the {what} {label} in the record is preliminary and gives another value{final}: "
            f"which {what} is current cannot be known; make it final, or mark the one that is "
            "wrong entered-in-error",
            short,
        )
    partly = re.search(r"dated only to the (month|year) (\S+), which holds the day (\S+),", message)
    if element == ".effective[x]" and partly is not None:
        return _Unusable(
            f"the {what} {label} in the record is dated only to the {partly[1]} {partly[2]}, "
            f"which holds the day of the decision ({partly[3]}): it might be the latest, so no "
            f"{what} can be chosen; record its full date",
            short,
        )
    window = re.search(r"dated only to the (month|year) (\S+) may be more than (\S+) days", message)
    if element == ".effective[x]" and window is not None:
        return _Unusable(
            f"the {what} {label} in the record is dated only to the {window[1]} {window[2]}, "
            f"which may be more than {window[3]} days before the decision, or not, so no {what} "
            "can be chosen; record its full date",
            short,
        )
    together = re.search(r"\(([^()]*)\) disagree", message)
    if element == "" and together is not None:
        return _Unusable(
            f"the latest {_PLURAL[what]} in the record ({together[1]}) disagree, and their "
            "times do not tell which is the latest; correct the one that is wrong",
            short,
        )
    implausible = (" than any person on record", "must be positive")
    if element == ".valueQuantity.value" and any(words in message for words in implausible):
        value = message.removeprefix(f"{label}: ")
        return _Unusable(f"the {what} {label} in the record is not plausible: {value}", short)
    unread = _unread_weight(resource, element) if what == "body weight" else None
    if unread is not None:
        return _Unusable(f"the {what} {label} in the record {unread}", short)
    if element == ".valueCodeableConcept" and "coded both" in message:
        return _Unusable(
            f"the {what} {label} in the record is coded both pregnant and not pregnant; correct it",
            short,
        )
    return None


def _unread_weight(weight: Mapping[str, object], element: str) -> str | None:
    """Why a weight of valid FHIR is not read as a number of kg, or ``None`` for another problem.

    An inexact value (``<``), a unit that is no UCUM mass (``kg/m2``, or another code
    system) or a value that is no quantity (``valueString``) is valid FHIR: the order is
    not checked, and the card says why, rather than the request being refused.  What is no
    valid FHIR (a number as a unit, a comparator FHIR does not have, a number as a
    ``valueString``) stays a malformed request (``None``).
    """
    quantity = weight.get("valueQuantity")
    given = quantity if isinstance(quantity, Mapping) else {}
    code, unit, system = given.get("code"), given.get("unit"), given.get("system")
    texts = all(part is None or (isinstance(part, str) and part) for part in (code, unit, system))
    if not texts:
        return None
    if element == ".valueQuantity.comparator":
        comparator = given.get("comparator")
        if comparator not in _FHIR_COMPARATORS:
            return None
        return f"is not exact ({comparator} {shown(given.get('value'))}); record the weighed value"
    if element == ".valueQuantity.unit":
        return (
            f"gives the unit {shown(unit)} beside the code {shown(code)}, and they disagree; "
            "correct the one that is wrong"
        )
    if element in (".valueQuantity.code", ".valueQuantity.system"):
        if code is None:
            named = f" {shown(unit)}" if isinstance(unit, str) else ""
            return f"gives no code for its unit{named}; record it in UCUM kg, g or [lb_av]"
        return (
            f"is not in a unit of mass read here (code {shown(code)}, system "
            f"{shown(system)}); record it in UCUM kg, g or [lb_av]"
        )
    key = element.removeprefix(".")
    kind, value = _FHIR_VALUES.get(key), weight.get(key)
    valid = kind is not None and isinstance(value, kind) and value != ""  # FHIR: no ""
    if valid and not (key != "valueBoolean" and isinstance(value, bool)):
        return f"is not a quantity ({key}); record it as one, in kg"
    return None


#: The comparators FHIR's Quantity has (R4 and R5).
_FHIR_COMPARATORS: Final = ("<", "<=", ">=", ">", "ad")
#: The other ``value[x]`` of an Observation, and the JSON type each is valid as.
_FHIR_VALUES: Final[Mapping[str, type | tuple[type, ...]]] = {
    "valueString": str,
    "valueBoolean": bool,
    "valueInteger": int,
    "valueTime": str,
    "valueDateTime": str,
    "valueCodeableConcept": Mapping,
    "valueRange": Mapping,
    "valueRatio": Mapping,
    "valueSampledData": Mapping,
    "valuePeriod": Mapping,
    "valueAttachment": Mapping,
    "valueReference": Mapping,
}


def _unusable_birth_date(
    patient: Mapping[str, object], message: str, day: datetime.date
) -> _Unusable | None:
    """Why the record gives no exact age: no birth date, part of one, or an impossible one."""
    born = patient.get("birthDate")
    needed = "the dose range and the licensed age depend on it"
    if "birthDate" not in patient and "missing" in message:
        reason = (
            f"the record gives no birth date for the patient, so the age is not known "
            f"({needed}); record the birth date"
        )
    elif "is a partial date" in message:
        reason = (
            f"the record gives only part of the patient's birth date ({shown(born)}), so the "
            f"exact age is not known ({needed}); record the full birth date"
        )
    elif "is after the date of the decision" in message:
        reason = (
            f"the patient's birth date in the record ({shown(born)}) is after the date of the "
            f"decision ({day.isoformat()}); correct the birth date"
        )
    elif "must lie between" in message:
        reason = (
            f"the patient's birth date in the record ({shown(born)}) gives an age no person "
            "reaches; correct the birth date"
        )
    else:
        return None  # not a date at all: malformed
    return _Unusable(reason, _NO_AGE)


def _observed(resource: Mapping[str, object]) -> str | None:
    """What an ``Observation`` of the check records, by its LOINC code; ``None`` otherwise."""
    code = resource.get("code")
    codings = code.get("coding") if isinstance(code, Mapping) else None
    found = set()
    for coding in codings if isinstance(codings, list) else ():
        if isinstance(coding, Mapping) and coding.get("system") == _LOINC:
            found.add(str(coding.get("code")))
    if found & _WEIGHT_CODES:
        return "body weight"
    if _PREGNANCY_CODE in found:
        return "pregnancy status"
    return None


def _checked_on(on: object, config: ServiceConfig) -> datetime.date:
    if on is None:
        return config.today()
    if isinstance(on, datetime.datetime) or not isinstance(on, datetime.date):
        raise ArgumentTypeError("on", f"expected a datetime.date or None, got {shown(on)}")
    return on


def respond(
    request: Mapping[str, object],
    *,
    service: str | None = None,
    on: datetime.date | None = None,
    config: ServiceConfig | None = None,
) -> dict[str, JSONValue]:
    """The response to one CDS Hooks request: ``{"cards": [...]}``.

    ``request`` is the parsed JSON body; ``service`` the id it was posted to (one of
    :data:`SERVICE_IDS`, else :class:`UnknownServiceError`), whose hook the request's
    ``hook`` must be; ``on`` the decision date (default: today in the configured time
    zone, :meth:`ServiceConfig.today`); ``config`` the deployer's :class:`ServiceConfig`.

    The request is checked (``hook``, ``hookInstance``, ``context.userId``,
    ``context.patientId``, ``context.draftOrders`` a Bundle, and for ``order-select``
    ``context.selections``, whose orders alone are checked).  The ciclosporin orders are
    the draft ``MedicationRequest`` s :func:`~ae_systemic.fhir.drug_for` finds to be
    ciclosporin; none → ``{"cards": []}`` (no prefetch needed).  Otherwise the patient
    is read from the prefetch (each key a resource, a searchset Bundle or ``null``) and
    the other draft orders, each order's dose with
    :func:`~ae_systemic.fhir.read_prescription`, and :func:`~ae_systemic.assess` gives
    the findings that become :func:`cards`.  A record from which the pregnancy status is
    not known (read as not pregnant) adds, after each order's cards, an ``info`` card saying
    why, and that the guideline's statements on pregnancy were not checked, listing them.

    An order whose dosage the library does not read, or a record of valid FHIR that
    cannot be used for the check (no recent body weight, no birth date or only part of
    one, latest body weights that disagree or are undated, a weight no person has) gives a
    ``warning`` card saying the order was not checked and why.  A request that does not
    fit the hook, or malformed FHIR in it (a prefetched Bundle other than a ``searchset``
    among them) → :class:`HookRequestError` naming the element; a prefetch key the
    service needs absent → :class:`PrefetchMissingError`.  No other exception comes from
    any JSON-like request.
    """
    asked: object = service  # a caller may pass anything
    if asked is not None and (not isinstance(asked, str) or asked not in SERVICE_IDS):
        raise UnknownServiceError(
            asked if isinstance(asked, str) else shown(asked),
            what="service",
            owner="this CDS Hooks server",
            known=tuple(SERVICE_IDS),
        )
    if config is None:
        config = ServiceConfig()
    elif not isinstance(config, ServiceConfig):
        raise ArgumentTypeError("config", f"expected a ServiceConfig or None, got {shown(config)}")
    day = _checked_on(on, config)
    try:
        return _respond(request, service, day, config)
    except (HookRequestError, UnknownServiceError):
        raise
    except DataError as error:
        raise HookRequestError(*_first(error)) from None
    except ArgumentError as error:
        raise HookRequestError(error.where, error.problem) from None
    except AeSystemicError as error:
        raise HookRequestError("request", str(error)) from None


def _check_text(request: Mapping[str, object]) -> None:
    """Every string of ``request`` (keys too) is Unicode text: no lone surrogate (``\\ud800``).

    JSON can escape one, Python can hold one, but it is no character: it could be neither
    hashed into a card's id nor written out as UTF-8.  The request is walked once without
    paths; only a request that holds one is walked again to name where.
    """
    if _holds_surrogate(request):
        _name_surrogate(request)


def _holds_surrogate(request: Mapping[str, object]) -> bool:
    search = _SURROGATE.search
    stack: list[object] = [request]
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            if search(value):
                return True
        elif isinstance(value, (dict, Mapping)):  # dict first: the fast test
            for key, item in value.items():
                if isinstance(key, str) and search(key):
                    return True
                stack.append(item)
        elif isinstance(value, list):
            stack.extend(value)
    return False


def _name_surrogate(request: Mapping[str, object]) -> None:
    """The :class:`HookRequestError` naming the first string with a lone surrogate."""
    stack: list[tuple[object, str]] = [(request, "")]
    while stack:
        value, path = stack.pop()
        if isinstance(value, str):
            texts = [(value, path)]
            children: list[tuple[object, str]] = []
        elif isinstance(value, Mapping):
            texts = [(key, path) for key in value if isinstance(key, str)]
            children = [(v, join_path(path, str(k))) for k, v in value.items()]
        elif isinstance(value, list):
            texts, children = [], [(v, f"{path}[{i}]") for i, v in enumerate(value)]
        else:
            continue
        for text, where in texts:
            if _SURROGATE.search(text):
                raise HookRequestError(
                    where or "request",
                    "holds a lone surrogate (an escape such as \\ud800 that is no character); "
                    "send Unicode text",
                )
        stack.extend(children)


def _respond(
    raw: object, service: str | None, day: datetime.date, config: ServiceConfig
) -> dict[str, JSONValue]:
    request = _object(raw, "request", "a CDS Hooks request")
    _check_text(request)
    hook = _checked_hook(request, service)
    hook_instance = _text(request, "hookInstance", "")
    context = _object(request.get("context"), "context", "the hook's context")
    _text(context, "userId", "context")
    patient_id = _text(context, "patientId", "context")
    _text(context, "encounterId", "context", required=False)
    prefetch = request.get("prefetch")
    if prefetch is not None:
        _object(prefetch, "prefetch", "the prefetched resources")
    drafts = _drafts(context)
    selected = _selected(context, drafts) if hook == "order-select" else None
    pool = _pool(request)
    orders = _orders(drafts, selected, patient_id, config, pool)
    if not orders:
        return {"cards": []}
    resources, origins = _prefetch_resources(request, patient_id, config)
    replaced = _replaced(drafts)
    kept = [
        (resource, origin)
        for resource, origin in zip(resources, origins, strict=True)
        if not _is_replaced(_label(resource, origin), replaced)
    ]
    resources, origins = [r for r, _ in kept], [o for _, o in kept]
    drafted = _orders(drafts, None, patient_id, config, pool)
    active, doubtful = _active_orders(resources, origins, patient_id, config, pool)
    pending, pending_origins = _pending(drafts)
    resources, origins, unidentified = _for_reading(
        resources + pending, origins + pending_origins, config, pool
    )
    record = _with_unidentified(_patient(resources, origins, day, config), unidentified)
    source = config.card_source()
    result: list[JSONValue] = []
    if len(drafted) + len(active) > 1:
        result.append(_several_orders(drafted, active, record, source, hook_instance))
    result += [  # an order of the record that may be one more, not added up
        uncounted_order_card(
            DRUG, reason, source=source, hook_instance=hook_instance, order=orders[0].label
        )
        for reason in doubtful
    ]
    for order in orders:
        if isinstance(record, _Unusable):
            result.append(
                not_checked_card(
                    DRUG,
                    record.reason,
                    source=source,
                    hook_instance=hook_instance,
                    order=order.label,
                )
            )
            continue
        try:
            prescription = read_prescription(order.resource)
            assessment = assess(order.drug, record.patient, prescription=prescription)
        except DataError as error:
            where, message = _first(error, {"MedicationRequest": order.path})
            reason = f"{where}: {message}"
            result.append(
                not_checked_card(
                    DRUG, reason, source=source, hook_instance=hook_instance, order=order.label
                )
            )
            continue
        except ArgumentError as error:
            result.append(
                not_checked_card(
                    DRUG,
                    f"{order.path}: {error.problem}",
                    source=source,
                    hook_instance=hook_instance,
                    order=order.label,
                )
            )
            continue
        result.extend(
            cards(assessment, source=source, hook_instance=hook_instance, order=order.label)
        )
        if not record.pregnancy_known:
            unknown = pregnancy_not_known_card(
                order.drug,
                reason=record.pregnancy_note,
                source=source,
                hook_instance=hook_instance,
                order=order.label,
            )
            if unknown is not None:
                result.append(unknown)
    return {"cards": result}
