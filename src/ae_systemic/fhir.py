"""The guideline content as a FHIR R5 ``Bundle``: plain JSON-ready data, no FHIR library needed.

:func:`to_bundle` maps a :class:`~ae_systemic.Drug` (or every drug of a
:class:`~ae_systemic.Guideline`) to a ``Bundle`` of type ``collection`` holding a
``MedicationKnowledge`` with the dose regimens, the licensing age, the mechanism of action
and the licence notes, a ``Medication`` (the subject of the clinical-use statements),
``ClinicalUseDefinition`` s for the combinations to avoid, the interactions and the
warnings, one ``PlanDefinition`` with an action per recommendation and per combination to
use, one ``Evidence`` per
effect estimate (with its GRADE certainty), per efficacy statement and per comparison, a
``ResearchStudy`` per named trial, and one ``Citation`` per numbered reference.  Every
resource has a generated narrative.  Ids are derived from the content (drug name, outcome,
dose level, statement and comparison keys, recommendation and reference numbers), so the
same content always gives the same bundle.  Every ``reference`` resolves to an entry of the
bundle.

:func:`to_definitions` gives the ``StructureDefinition`` s of the two extensions this
project defines (:data:`CONSENSUS_EXTENSION_URL`, :data:`SOURCE_LOCATION_EXTENSION_URL`), so
that a validator can check them.

>>> import ae_systemic
>>> bundle = to_bundle(ae_systemic.drug("ciclosporin"))
>>> bundle["resourceType"], bundle["type"]
('Bundle', 'collection')

The encoding choices (UCUM units, code systems, extensions) are described in
``docs/fhir.md``.  This module imports nothing beyond the standard library and
the package itself; validate the output with ``fhir.resources`` (the extra
``fhir``) if you need to.

The other way, from a health record (FHIR R4, R4B or R5 resources as plain dicts, see
``docs/health-records.md``): :func:`read_patient` reads a ``Bundle`` into a
:class:`PatientRecord`, :func:`read_prescription` a ``MedicationRequest`` into a
:class:`~ae_systemic.Prescription`, and :func:`drug_for` finds the drug it orders;
:func:`quantity` and :func:`to_quantity` read and write UCUM quantities (the codes in
:data:`UCUM_CODES`), and the export above writes its quantities the same way.
"""

from __future__ import annotations

import dataclasses
import fractions
import hashlib
import html
import re
import urllib.parse
from collections.abc import Iterable, Sequence
from typing import Final

from ._converter import JSONValue
from ._errors import ArgumentTypeError, InputError, shown
from ._fhir_input import (
    ATC_SYSTEM,
    DEFAULT_PREGNANCY_WITHIN,
    DEFAULT_WEIGHT_WITHIN,
    MAX_RESOURCES,
    FhirVersion,
    PatientRecord,
    drug_for,
    read_patient,
    read_prescription,
)
from ._lookup import resolve_drug
from ._model import (
    Amount,
    Arm,
    Combination,
    Comparison,
    DoseRate,
    DoseRegimen,
    Drug,
    EffectEstimate,
    FixedDose,
    Guideline,
    Interval,
    Recommendation,
    Reference,
    Statement,
    WeightBand,
    combination_sentence,
)
from ._text import (
    INTERVAL_AS_PRINTED,
    NO_AGE_BOUNDARY,
    cited,
    counted,
    interval,
    listed,
    sentence,
)
from ._ucum import UCUM_CODES, quantity, to_quantity, ucum_quantity
from ._vocabulary import CombinationAdvice, ConsensusBasis, ConsensusBound, Strength

__all__ = [
    "BASE_URL",
    "CONSENSUS_EXTENSION_URL",
    "DEFAULT_PREGNANCY_WITHIN",
    "DEFAULT_WEIGHT_WITHIN",
    "MAX_RESOURCES",
    "SOURCE_LOCATION_EXTENSION_URL",
    "UCUM_CODES",
    "FhirVersion",
    "PatientRecord",
    "drug_for",
    "quantity",
    "read_patient",
    "read_prescription",
    "to_bundle",
    "to_definitions",
    "to_quantity",
]

#: Base of every URL this project defines: entry ``fullUrl`` s, canonical URLs and the
#: extensions.  It lies under the pages of the project's GitHub organisation, ``ae-systemic``
#: (the owner of the home page in ``[project.urls]`` of ``pyproject.toml``), not under the
#: repository: a FHIR RESTful base allows no underscore, which ``ae_systemic`` has, and a
#: relative reference resolves in a Bundle only against a RESTful ``fullUrl``.  Pass
#: ``base_url`` to :func:`to_bundle` and :func:`to_definitions` to publish under your own.
BASE_URL: Final = "https://ae-systemic.github.io/fhir"

_CONSENSUS_ID: Final = "consensus"
_SOURCE_LOCATION_ID: Final = "source-location"

#: Extension on ``PlanDefinition.action``: the consensus of a recommendation (sub-extensions
#: ``percent`` valueInteger, ``bound`` valueCode ``more-than``/``exactly``, ``basis``
#: valueCode ``evidence-and-consensus``/``expert-consensus``).  The URL under the default
#: :data:`BASE_URL`; :func:`to_definitions` defines it.
CONSENSUS_EXTENSION_URL: Final = f"{BASE_URL}/StructureDefinition/{_CONSENSUS_ID}"
#: Extension (valueString) naming the heading of the source a fact comes from.  The URL
#: under the default :data:`BASE_URL`; :func:`to_definitions` defines it.
SOURCE_LOCATION_EXTENSION_URL: Final = f"{BASE_URL}/StructureDefinition/{_SOURCE_LOCATION_ID}"

# Extensions defined by HL7: the FHIR extensions pack (cqf-, artifact-) and the CPG IG.
_STRENGTH_EXTENSION: Final = "http://hl7.org/fhir/StructureDefinition/cqf-strengthOfRecommendation"
_DIRECTION_EXTENSION: Final = (
    "http://hl7.org/fhir/uv/cpg/StructureDefinition/cpg-directionOfRecommendation"
)
_RELATED_ARTIFACT_EXTENSION: Final = (
    "http://hl7.org/fhir/StructureDefinition/artifact-relatedArtifact"
)
_EXTENSION_BASE: Final = "http://hl7.org/fhir/StructureDefinition/Extension"

# Code systems (UCUM's is in _ucum).
_STRENGTH_SYSTEM: Final = "http://terminology.hl7.org/CodeSystem/recommendation-strength"
_DIRECTION_SYSTEM: Final = "http://hl7.org/fhir/uv/cpg/CodeSystem/cpg-recommendation-direction-cs"
_CERTAINTY_RATING_SYSTEM: Final = "http://hl7.org/fhir/certainty-rating"
_CERTAINTY_TYPE_SYSTEM: Final = "http://hl7.org/fhir/certainty-type"
_STATISTIC_TYPE_SYSTEM: Final = "http://terminology.hl7.org/CodeSystem/statistic-type"
_VARIABLE_ROLE_SYSTEM: Final = "http://terminology.hl7.org/CodeSystem/variable-role"
_PLAN_TYPE_SYSTEM: Final = "http://terminology.hl7.org/CodeSystem/plan-definition-type"
_THERAPY_RELATIONSHIP_SYSTEM: Final = "http://hl7.org/fhir/therapy-relationship-type"
_PUBLICATION_STATUS_SYSTEM: Final = "http://hl7.org/fhir/publication-status"

#: The indication of every drug of this package: the guideline is on atopic eczema.
_INDICATION: Final = "atopic eczema"
#: The FHIR version the resources follow.
_FHIR_VERSION: Final = "5.0.0"

_CERTAINTY_DISPLAY: Final = {
    "high": "High quality",
    "moderate": "Moderate quality",
    "low": "Low quality",
    "very-low": "Very low quality",
}
# UCUM codes for the period units allowed in the data (see _units.PERIOD_UNITS).
_UCUM_PERIOD: Final = {"day": "d", "week": "wk"}

#: Where each extension of this project is used: the ``context`` of its StructureDefinition
#: (FHIRPath element paths).  ``tests/test_fhir_narrative.py`` checks these against the
#: places the bundle uses them.
_CONSENSUS_CONTEXTS: Final = ("PlanDefinition.action",)
_SOURCE_LOCATION_CONTEXTS: Final = (
    "MedicationKnowledge.indicationGuideline.dosingGuideline",
    "MedicationKnowledge.definitional.drugCharacteristic",
    "ClinicalUseDefinition",
    "PlanDefinition.action",
    "Evidence",
    "ResearchStudy",
)

#: The narrative of a warning for a group of patients the data names without a statement.
_NO_STATEMENT: Final = "The data gives no statement for this group."

# What a MedicationKnowledge.definitional.drugCharacteristic holds (its type.text).
_MECHANISM: Final = "mechanism of action"
_LICENCE: Final = "licence"

_Obj = dict[str, JSONValue]


# --- the base URL -------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class _Urls:
    """Every URL of one export, derived from its base."""

    base: str

    def full(self, resource_type: str, resource_id: str) -> str:
        """The ``fullUrl`` and canonical URL of a resource: ``{base}/{type}/{id}``."""
        return f"{self.base}/{resource_type}/{resource_id}"

    @property
    def consensus(self) -> str:
        return self.full("StructureDefinition", _CONSENSUS_ID)

    @property
    def source_location(self) -> str:
        return self.full("StructureDefinition", _SOURCE_LOCATION_ID)


_URL_UNSAFE = re.compile(r"[\x00-\x20\x7f<>\"{}|\\^`]")
#: A base of FHIR's RESTful URLs (the references page's regular expression): only these
#: characters, so that ``{base}/{type}/{id}`` is a RESTful URL.
_RESTFUL_BASE = re.compile(r"https?://[A-Za-z0-9\-\\.:%$]+(?:/[A-Za-z0-9\-\\.:%$]+)*")


def _urls(base_url: object) -> _Urls:
    """``base_url`` checked: a string holding an absolute http(s) URL, no trailing slash."""
    if not isinstance(base_url, str):
        raise ArgumentTypeError(
            "base_url", f"expected a URL as a string, got {type(base_url).__name__}"
        )
    expected = (
        "expected an absolute http or https URL without a trailing slash, query or "
        f"fragment, such as {BASE_URL!r}; got {shown(base_url)}"
    )
    restful = (
        "must be a FHIR RESTful base, of letters, digits and - . : % $ between its "
        f"slashes (no _ ~ + or spaces), so that relative references resolve in the Bundle; "
        f"got {shown(base_url)}"
    )
    try:
        parts = urllib.parse.urlsplit(base_url)
        parts.port  # noqa: B018 - reading it checks the port
    except ValueError:
        raise InputError("base_url", expected) from None
    if (
        parts.scheme not in ("http", "https")
        or not base_url.startswith(f"{parts.scheme}://")
        or not parts.hostname
        or base_url.endswith("/")
        or "?" in base_url
        or "#" in base_url
        or not base_url.isascii()
        or _URL_UNSAFE.search(base_url)
    ):
        raise InputError("base_url", expected)
    if not _RESTFUL_BASE.fullmatch(base_url):
        raise InputError("base_url", restful)
    return _Urls(str.__str__(base_url))  # the plain text, should a str subclass be given


# --- the two public functions -------------------------------------------------------------


def to_bundle(
    drug_or_guideline: Drug | Guideline | str, *, base_url: str = BASE_URL
) -> dict[str, JSONValue]:
    """A FHIR R5 ``Bundle`` (type ``collection``) of the drug, or of every drug of the guideline.

    ``drug_or_guideline`` is a :class:`~ae_systemic.Drug`, a drug name that
    :func:`~ae_systemic.drug` accepts, or a whole :class:`~ae_systemic.Guideline`.

    Returns JSON-ready data (dicts, lists, strings, numbers): pass it to
    ``json.dumps`` or to ``fhir.resources.bundle.Bundle.model_validate``.  The
    output depends only on the content and ``base_url``: two calls give equal bundles.
    Entry ``fullUrl`` s are ``{base_url}/{resourceType}/{id}``, and so are the canonical
    URLs; the project's extensions are ``{base_url}/StructureDefinition/...`` (see
    :func:`to_definitions`).  References between entries are relative
    (``Citation/ciclosporin-reference-1``) and resolve inside the bundle.  Every resource
    has a narrative (``text``, status ``generated``).

    ``base_url`` defaults to :data:`BASE_URL`.  A ``base_url`` that is not a string raises
    :class:`~ae_systemic.ArgumentTypeError`; one that is not an absolute http(s) URL, or
    ends with a slash or has a query or fragment, raises :class:`~ae_systemic.InputError`.
    """
    urls = _urls(base_url)
    ids = _Ids()
    if isinstance(drug_or_guideline, Guideline):
        guideline = drug_or_guideline
        resources = [_guideline_citation(guideline, urls)]
        ids.unique("Citation", ["guideline"])
        citation_ids = _citation_ids(ids, "guideline", guideline.references)
        resources += [
            _citation(ref, citation_ids[ref.number], urls) for ref in guideline.references
        ]
        for drug, slug in zip(guideline.drugs, _drug_slugs(guideline.drugs), strict=True):
            resources += _drug_resources(drug, slug, urls, ids)
        bundle_id = "guideline"
    elif isinstance(drug_or_guideline, Drug | str):
        drug = resolve_drug(drug_or_guideline, "drug_or_guideline")
        slug = _id(drug.name)
        resources = _drug_resources(drug, slug, urls, ids)
        bundle_id = slug
    else:
        raise ArgumentTypeError(
            "drug_or_guideline",
            f"expected a Drug, a drug name or a Guideline, got {type(drug_or_guideline).__name__}",
        )
    return _collection(_id(bundle_id, "bundle"), resources, urls)


def to_definitions(*, base_url: str = BASE_URL) -> dict[str, JSONValue]:
    """The ``StructureDefinition`` s of this project's extensions, as a ``Bundle`` (collection).

    One R5 ``StructureDefinition`` (kind ``complex-type``, type ``Extension``, derivation
    ``constraint`` on the base ``Extension``) per extension the bundles of
    :func:`to_bundle` use: the consensus of a recommendation (``percent``, ``bound`` and
    ``basis`` sub-extensions) and the source location of a fact (a string).  Each names the
    elements it may be used on (its ``context``) and has a generated narrative.  Their
    canonical URLs derive from ``base_url`` exactly as in :func:`to_bundle`, so load the
    definitions made with the same ``base_url`` as the bundles they are to check.

    ``base_url`` is checked as by :func:`to_bundle`.
    """
    urls = _urls(base_url)
    resources = [_consensus_definition(urls), _source_location_definition(urls)]
    return _collection("definitions", resources, urls)


def _collection(bundle_id: str, resources: Sequence[_Obj], urls: _Urls) -> dict[str, JSONValue]:
    entries: list[JSONValue] = [
        {
            "fullUrl": urls.full(str(resource["resourceType"]), str(resource["id"])),
            "resource": _without_empty(resource),
        }
        for resource in resources
    ]
    return {"resourceType": "Bundle", "id": bundle_id, "type": "collection", "entry": entries}


# --- ids ----------------------------------------------------------------------------------


def _slug(text: str) -> str:
    """A FHIR id part: lower-case letters, digits and single hyphens."""
    return re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-") or "x"


def _id(*parts: str) -> str:
    """An id of the given parts, at most 64 characters (FHIR's limit), shortened by a hash."""
    joined = "-".join(_slug(part) for part in parts)
    if len(joined) <= 64:
        return joined
    digest = hashlib.sha256(joined.encode()).hexdigest()[:8]
    return f"{joined[:55].rstrip('-')}-{digest}"


def _unique(ids: Sequence[str], taken: Iterable[str] = ()) -> list[str]:
    """``ids`` with repeats (and ids in ``taken``) numbered: ``x``, ``x-2``, ``x-3``, in order."""
    used = set(taken)
    result = []
    for item in ids:
        candidate, number = item, 1
        while candidate in used:
            number += 1
            candidate = _id(item, str(number))
        used.add(candidate)
        result.append(candidate)
    return result


def _drug_slugs(drugs: Sequence[Drug]) -> list[str]:
    """An id part per drug, unique, and never ``guideline`` (the guideline's own citations)."""
    return _unique([_id(drug.name) for drug in drugs], taken=["guideline"])


def _citation_id(scope: str, number: int) -> str:
    return _id(scope, "reference", str(number))


@dataclasses.dataclass
class _Ids:
    """The ids given so far in one bundle, per resource type, where FHIR needs them unique.

    Every id of a drug's resources is taken here, in the order of the bundle, so that an
    id one drug makes from its content (``exampla-xr-switch`` from drug ``Exampla`` and key
    ``xr.switch``) and an id another drug makes (drug ``Exampla XR``, key ``switch``) do
    not collide: the later one is numbered (``exampla-xr-switch-2``).  The first drug's
    ids are always its own, as in a bundle of that drug alone.
    """

    taken: dict[str, set[str]] = dataclasses.field(default_factory=dict)

    def unique(self, resource_type: str, ids: Sequence[str]) -> list[str]:
        """``ids`` for new resources of the type, each numbered where it is already taken."""
        used = self.taken.setdefault(resource_type, set())
        given = _unique(ids, used)
        used.update(given)
        return given


def _citation_ids(ids: _Ids, scope: str, references: Sequence[Reference]) -> dict[int, str]:
    """The id of the ``Citation`` of each reference number of a drug (or of the guideline)."""
    numbers = [ref.number for ref in references]
    given = ids.unique("Citation", [_citation_id(scope, number) for number in numbers])
    return dict(zip(numbers, given, strict=True))


# --- small data types ---------------------------------------------------------------------


def _ref(resource_type: str, resource_id: str, display: str | None = None) -> _Obj:
    reference: _Obj = {"reference": f"{resource_type}/{resource_id}"}
    if display is not None:
        reference["display"] = display
    return reference


def _text(text: str) -> _Obj:
    return {"text": text}


def _coded(system: str, code: str, display: str, text: str | None = None) -> _Obj:
    concept: _Obj = {"coding": [{"system": system, "code": code, "display": display}]}
    if text is not None:
        concept["text"] = text
    return concept


def _quantity(value: float, unit: str) -> _Obj:
    """A UCUM quantity: ``unit`` is the UCUM code, shown as the unit too.

    Made by :func:`ucum_quantity`, the same function behind :func:`to_quantity`, so the
    export writes only codes of the UCUM table that :func:`quantity` reads back; it takes
    the number and the code as the data gives them, so exporting needs no pint.
    """
    return ucum_quantity(value, unit)


def _range(low: float | None, high: float | None, unit: str) -> _Obj:
    bounds: _Obj = {}
    if low is not None:
        bounds["low"] = _quantity(low, unit)
    if high is not None:
        bounds["high"] = _quantity(high, unit)
    return bounds


def _variable(role: str, display: str, description: str) -> _Obj:
    return {
        "description": description,
        "variableRole": _coded(_VARIABLE_ROLE_SYSTEM, role, display),
    }


_EMPTY: Final[tuple[JSONValue, ...]] = ([], {}, "")


def _without_empty(value: _Obj) -> _Obj:
    """``value`` without empty lists, objects and strings, which FHIR JSON does not allow.

    The resources leave out what they have nothing for; this is the last guard, so that a
    bundle never holds ``""`` (a FHIR string has at least one character).
    """
    kept: _Obj = {}
    for key, item in value.items():
        if isinstance(item, dict):
            item = _without_empty(item)
        elif isinstance(item, list):
            item = [_without_empty(i) if isinstance(i, dict) else i for i in item]
            item = [i for i in item if i not in _EMPTY]
        if item not in _EMPTY:
            kept[key] = item
    return kept


# --- numbers ------------------------------------------------------------------------------


def _divided(value: float, parts: int) -> float:
    """``value / parts`` worked out exactly on the number as written, then the nearest float.

    The number as written is its shortest form (``repr``), so a division that ends gives
    the number it ends on: 0.3 in 3 doses is 0.1 (not 0.09999999999999999 of float
    division), 2.5 in 2 doses 1.25; one that does not end gives the float nearest to it,
    1 in 3 doses 0.3333333333333333.
    """
    return float(fractions.Fraction(repr(float(value))) / parts)


# --- narrative ----------------------------------------------------------------------------

# Characters XML 1.0 cannot carry (and lone surrogates, which UTF-8 cannot): each becomes
# U+FFFD, as in the notebook display.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_XHTML: Final = "http://www.w3.org/1999/xhtml"


def _escaped(text: str) -> str:
    """``text`` as XHTML character data: characters XML cannot carry replaced, then escaped."""
    return html.escape(_NOT_XML.sub("\ufffd", text), quote=True)


def _p(text: str) -> str:
    return f"<p>{_escaped(text)}</p>"


def _labelled(label: str, text: str) -> str:
    """A paragraph ``label: text``, the label in bold."""
    return f"<p><b>{_escaped(label)}</b>: {_escaped(text)}</p>"


def _heading(text: str) -> str:
    return f"<p><b>{_escaped(text)}</b></p>"


def _ul(items: Iterable[Sequence[str] | str]) -> str:
    """A list; an item given as several texts shows them on lines of their own."""
    shown_items = [[item] if isinstance(item, str) else list(item) for item in items]
    if not shown_items:
        return ""
    body = "".join(
        f"<li>{'<br/>'.join(_escaped(line) for line in item)}</li>" for item in shown_items
    )
    return f"<ul>{body}</ul>"


def _narrative(*fragments: str) -> _Obj:
    """Narrative ``generated``: XHTML made from the resource's own content, every text escaped.

    The fragments are made by :func:`_p`, :func:`_labelled`, :func:`_heading` and
    :func:`_ul`, which escape every text they are given.
    """
    body = "".join(fragments) or _p("(no content)")
    return {"status": "generated", "div": f'<div xmlns="{_XHTML}">{body}</div>'}


# --- one drug -----------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class _Scope:
    """One drug of an export: its content, the id part of its resources and the URLs."""

    drug: Drug
    slug: str
    urls: _Urls
    citation_ids: dict[int, str]

    def cited(self, number: int) -> _Obj:
        """A ``RelatedArtifact`` of type ``citation`` pointing at reference ``number``."""
        title = self.drug.reference(number).title
        return {
            "type": "citation",
            "label": str(number),
            "resourceReference": _ref("Citation", self.citation_ids[number], title),
        }

    def citations(self, numbers: Iterable[int]) -> list[JSONValue]:
        """``RelatedArtifact`` s citing ``numbers``, each once, in ascending order."""
        return [self.cited(number) for number in sorted(set(numbers))]

    def citation_extensions(self, numbers: Iterable[int]) -> list[JSONValue]:
        """``artifact-relatedArtifact`` extensions citing ``numbers``, for non-canonical
        resources and elements."""
        return [
            {"url": _RELATED_ARTIFACT_EXTENSION, "valueRelatedArtifact": artifact}
            for artifact in self.citations(numbers)
        ]

    def location_extensions(self, locations: Iterable[str]) -> list[JSONValue]:
        unique = list(dict.fromkeys(locations))
        return [{"url": self.urls.source_location, "valueString": where} for where in unique]


def _drug_resources(drug: Drug, slug: str, urls: _Urls, ids: _Ids) -> list[_Obj]:
    """The resources of one drug, their ids taken from ``ids`` (unique over the bundle)."""
    scope = _Scope(drug, slug, urls, _citation_ids(ids, slug, drug.references))
    clinical_uses = _clinical_use_definitions(scope, ids)
    (plan_id,) = ids.unique("PlanDefinition", [_id(slug, "recommendations")])
    statements = list(drug.efficacy)
    evidence_ids = ids.unique(
        "Evidence",
        [_id(slug, e.outcome.value, e.dose_level.value, "dose") for e in drug.evidence]
        + [_id(slug, s.key) for s in statements]
        + [_id(slug, "comparison", c.key) for c in drug.comparisons],
    )
    estimate_ids = evidence_ids[: len(drug.evidence)]
    statement_ids = evidence_ids[len(drug.evidence) : len(drug.evidence) + len(statements)]
    comparison_ids = evidence_ids[len(drug.evidence) + len(statements) :]
    studies = _studies(drug.comparisons)
    study_ids = ids.unique("ResearchStudy", [_id(slug, "study", name) for _, name in studies])
    study_of = {
        index: study_id
        for study_id, members in zip(study_ids, studies.values(), strict=True)
        for index in members
    }
    resources = [
        _medication_knowledge(scope, [str(c["id"]) for c in clinical_uses]),
        _medication(scope),
        *clinical_uses,
        _plan_definition(scope, plan_id),
    ]
    resources += [
        _evidence(scope, estimate, evidence_id)
        for estimate, evidence_id in zip(drug.evidence, estimate_ids, strict=True)
    ]
    resources += [
        _statement_evidence(scope, statement, evidence_id)
        for statement, evidence_id in zip(statements, statement_ids, strict=True)
    ]
    resources += [
        _comparison_evidence(scope, comparison, evidence_id, study_of.get(index))
        for index, (comparison, evidence_id) in enumerate(
            zip(drug.comparisons, comparison_ids, strict=True)
        )
    ]
    resources += [
        _research_study(scope, [drug.comparisons[i] for i in members], study_id)
        for study_id, members in zip(study_ids, studies.values(), strict=True)
    ]
    resources += [_citation(ref, scope.citation_ids[ref.number], urls) for ref in drug.references]
    return resources


def _studies(comparisons: Sequence[Comparison]) -> dict[tuple[str, str], list[int]]:
    """The studies of a drug's comparisons: the positions of the comparisons of each.

    One study per trial the source names, holding every comparison from it (two comparisons
    from one trial are two views of one study, not two studies), keyed by ``("trial",
    name)``; and one per comparison that counts its participants without naming a trial,
    keyed by ``("comparison", key)``.  In the order of their first comparison.
    """
    studies: dict[tuple[str, str], list[int]] = {}
    for index, comparison in enumerate(comparisons):
        if comparison.trial is not None:
            studies.setdefault(("trial", comparison.trial), []).append(index)
        elif comparison.participants is not None:
            studies.setdefault(("comparison", comparison.key), []).append(index)
    return studies


# MedicationKnowledge and Medication ------------------------------------------------------


def _with_note(text: str, note: str | None) -> str:
    """The text of a dose with the regimen's note after it, where it has one."""
    return text if note is None else f"{text}. {note}"


def _medication_knowledge(scope: _Scope, clinical_use_ids: Sequence[str]) -> _Obj:
    drug = scope.drug
    dosing: list[JSONValue] = []
    for regimen in drug.regimens:
        dosing += _dosing_guidelines(scope, regimen)
    dosing.append(_licence_guideline(scope))
    characteristics: list[JSONValue] = [
        _characteristic(scope, _MECHANISM, statement) for statement in drug.mechanism
    ]
    characteristics += [_characteristic(scope, _LICENCE, note) for note in drug.licence.notes]
    licence = drug.licence
    resource: _Obj = {
        "resourceType": "MedicationKnowledge",
        "id": scope.slug,
        "text": _narrative(
            _heading(f"{drug.name} ({', '.join(drug.synonyms)})" if drug.synonyms else drug.name),
            _labelled("ATC code", drug.atc) if drug.atc else "",
            _labelled("Indication", _INDICATION),
            _heading("Dosing") if drug.regimens else "",
            _ul(
                [
                    cited(str(regimen), regimen.references),
                    f"For {regimen.population} ({NO_AGE_BOUNDARY}).",
                    *([regimen.note] if regimen.note else []),
                ]
                for regimen in drug.regimens
            ),
            _labelled(
                sentence(_LICENCE),
                cited(
                    f"licensed from {counted(licence.min_age_years, 'year')} of age",
                    licence.references,
                ),
            ),
            _ul(cited(note.text, note.references) for note in licence.notes),
            *(
                _labelled(sentence(_MECHANISM), cited(statement.text, statement.references))
                for statement in drug.mechanism
            ),
        ),
        "code": _drug_code(drug),
        "status": "active",
        "name": list(drug.names),
        "indicationGuideline": [
            {"indication": [{"concept": _text(_INDICATION)}], "dosingGuideline": dosing}
        ],
        "definitional": {"drugCharacteristic": characteristics},
    }
    if clinical_use_ids:
        resource["clinicalUseIssue"] = [
            _ref("ClinicalUseDefinition", cid) for cid in clinical_use_ids
        ]
    return resource


def _characteristic(scope: _Scope, kind: str, statement: Statement) -> _Obj:
    """A statement about the drug itself, as a ``drugCharacteristic`` of the given kind."""
    return {
        "extension": [
            *scope.location_extensions([statement.location]),
            *scope.citation_extensions(statement.references),
        ],
        "type": _text(kind),
        "valueString": statement.text,
    }


def _dosing_guidelines(scope: _Scope, regimen: DoseRegimen) -> list[JSONValue]:
    """One ``dosingGuideline`` for the regimen, or one per weight band."""
    characteristics: list[JSONValue] = [
        {
            "type": _text("population"),
            "valueCodeableConcept": _text(f"{regimen.population} ({NO_AGE_BOUNDARY})"),
        }
    ]
    sequence = 2 if regimen.loading is not None else None
    note = regimen.note
    if regimen.bands:
        variants = [
            (
                f"{regimen.label} ({band})",
                _fixed_dosage(band.dose, _with_note(f"{regimen.label}: {band}", note), sequence),
                [*characteristics, _weight_characteristic(band)],
            )
            for band in regimen.bands
        ]
    elif regimen.fixed is not None:
        text = _with_note(str(regimen), note)
        variants = [(regimen.label, _fixed_dosage(regimen.fixed, text, sequence), characteristics)]
    elif regimen.rate is not None:
        text = _with_note(str(regimen), note)
        dosage = _rate_dosage(regimen.rate, regimen.doses_per_day, text, sequence)
        variants = [(regimen.label, dosage, characteristics)]
    else:  # pragma: no cover - DoseRegimen guarantees exactly one shape
        raise ValueError(f"regimen {regimen.label!r} has no dose shape")
    guidelines: list[JSONValue] = []
    for label, dosage, patient in variants:
        dosages: list[JSONValue] = []
        if regimen.loading is not None:
            dosages.append(
                {
                    "type": _text(f"{regimen.label}: loading dose"),
                    "dosage": [_loading_dosage(regimen.loading)],
                }
            )
        dosages.append({"type": _text(label), "dosage": [dosage]})
        guideline: _Obj = {
            "extension": [
                *scope.location_extensions([regimen.location]),
                *scope.citation_extensions(regimen.references),
            ],
        }
        if regimen.phase is not None:
            guideline["treatmentIntent"] = _text(str(regimen.phase))
        guideline["dosage"] = dosages
        guideline["patientCharacteristic"] = patient
        guidelines.append(guideline)
    return guidelines


def _rate_dosage(
    rate: DoseRate, doses_per_day: int | None, text: str, sequence: int | None
) -> _Obj:
    """A weight-based rate: per administration ``mg/kg`` and, as given, ``mg/kg/d`` or ``/wk``."""
    per_weight = f"{rate.amount_unit}/{rate.body_weight_unit}"
    period = _UCUM_PERIOD[rate.period]
    per_administration = doses_per_day or 1  # a weekly rate is one dose a week
    dosage: _Obj = {
        "text": text,
        "timing": {"repeat": {"frequency": per_administration, "period": 1, "periodUnit": period}},
        "doseAndRate": [
            {
                "doseRange": _range(
                    _divided(rate.low, per_administration),
                    _divided(rate.high, per_administration),
                    per_weight,
                ),
                "rateRange": _range(rate.low, rate.high, f"{per_weight}/{period}"),
            }
        ],
    }
    return _sequenced(dosage, sequence)


def _fixed_dosage(fixed: FixedDose, text: str, sequence: int | None) -> _Obj:
    dosage: _Obj = {
        "text": text,
        "timing": {"repeat": _every(fixed.every)},
        "doseAndRate": [
            {"doseRange": _range(fixed.amount.low, fixed.amount.high, fixed.amount.unit)}
        ],
    }
    return _sequenced(dosage, sequence)


def _loading_dosage(amount: Amount) -> _Obj:
    return {
        "sequence": 1,
        "text": f"loading dose of {amount}, given once before the maintenance dose",
        "timing": {"repeat": {"count": 1}},
        "doseAndRate": [{"doseRange": _range(amount.low, amount.high, amount.unit)}],
    }


def _sequenced(dosage: _Obj, sequence: int | None) -> _Obj:
    return dosage if sequence is None else {"sequence": sequence, **dosage}


def _every(interval: Interval) -> _Obj:
    return {"frequency": 1, "period": interval.count, "periodUnit": _UCUM_PERIOD[interval.unit]}


def _weight_characteristic(band: WeightBand) -> _Obj:
    return {
        "type": _text("body weight"),
        "valueRange": _range(band.min_weight, band.max_weight, band.weight_unit),
    }


def _licence_guideline(scope: _Scope) -> _Obj:
    licence = scope.drug.licence
    return {
        "extension": [
            *scope.location_extensions([licence.location]),
            *scope.citation_extensions(licence.references),
        ],
        "treatmentIntent": _text("licensed use"),
        "patientCharacteristic": [
            {"type": _text("age"), "valueRange": _range(licence.min_age_years, None, "a")}
        ],
    }


def _drug_code(drug: Drug) -> _Obj:
    """The drug's code: its ATC code where the data has one (not from the guideline), its name."""
    if drug.atc is None:
        return _text(drug.name)
    return _coded(ATC_SYSTEM, drug.atc, drug.name, text=drug.name)


def _medication(scope: _Scope) -> _Obj:
    """The drug as a ``Medication``: what ``ClinicalUseDefinition.subject`` may point at."""
    drug = scope.drug
    return {
        "resourceType": "Medication",
        "id": scope.slug,
        "text": _narrative(
            _heading(drug.name),
            _labelled("Definition", f"MedicationKnowledge/{scope.slug}"),
        ),
        "code": _drug_code(drug),
        "status": "active",
        "definition": _ref("MedicationKnowledge", scope.slug, drug.name),
    }


# ClinicalUseDefinition --------------------------------------------------------------------


def _clinical_use_definitions(scope: _Scope, ids: _Ids) -> list[_Obj]:
    drug, slug = scope.drug, scope.slug
    resources: list[_Obj] = []
    avoid = [c for c in drug.combinations if c.advice is CombinationAdvice.AVOID]
    if avoid:
        resources.append(_contraindication(scope, avoid))
    groups: dict[tuple[str, str], list[int]] = {}
    for index, interaction in enumerate(drug.interactions):
        groups.setdefault((interaction.role, interaction.consequence), []).append(index)
    for number, ((role, consequence), members) in enumerate(groups.items(), start=1):
        items = [drug.interactions[i] for i in members]
        suffix = [str(number)] if len(groups) > 1 else []
        resources.append(
            _clinical_use(
                scope,
                _id(slug, "interaction", *suffix),
                "interaction",
                {
                    "interaction": {
                        "interactant": [{"itemCodeableConcept": _text(i.target)} for i in items],
                        "type": _text(role),
                        "effect": {"concept": _text(consequence)},
                    }
                },
                [i.location for i in items],
                [n for i in items for n in i.references],
                _narrative(
                    _heading(f"{drug.name}: interaction"),
                    _ul(cited(i.summary, i.references) for i in items),
                    _labelled("Effect", consequence),
                ),
            )
        )
    monitoring = drug.monitoring
    summary = monitoring.summary
    described = summary if monitoring.note in summary else f"{summary} {monitoring.note}"
    resources.append(
        _warning(
            scope,
            "monitoring",
            described,
            [monitoring.location],
            monitoring.references,
            [_p(cited(summary, monitoring.references)), _p(monitoring.note)],
        )
    )
    screening = drug.screening
    resources.append(
        _warning(
            scope,
            "screening",
            screening.summary,
            [screening.location],
            screening.references,
            [_p(cited(screening.summary, screening.references))],
        )
    )
    if drug.safety:
        resources.append(_statements_warning(scope, "safety", drug.safety))
    for population in drug.special_populations:
        resources.append(_statements_warning(scope, population.group, population.statements))
    if avoid:
        resources.append(_combination_warning(scope, avoid))
    for resource, unique_id in zip(
        resources,
        ids.unique("ClinicalUseDefinition", [str(r["id"]) for r in resources]),
        strict=True,
    ):
        resource["id"] = unique_id  # two groups could share a name once made an id
    return resources


def _contraindication(scope: _Scope, avoid: Sequence[Combination]) -> _Obj:
    """The therapies not to combine with, coded; the reason is in the combination warning."""
    # The narrative says what this resource codes: the therapies, not the reason (R5 has no
    # element for it), which the warning "combination" carries.
    therapies = [Combination(c.therapy, c.advice, c.location) for c in avoid]
    relationship = "Only contraindicated if the other therapy is given"
    references = [n for c in avoid for n in c.references]
    return _clinical_use(
        scope,
        _id(scope.slug, "contraindication"),
        "contraindication",
        {
            "contraindication": {
                "otherTherapy": [
                    {
                        "relationshipType": _coded(
                            _THERAPY_RELATIONSHIP_SYSTEM, "contraindicated-only-with", relationship
                        ),
                        "treatment": {"concept": _text(c.therapy)},
                    }
                    for c in avoid
                ]
            },
        },
        [c.location for c in avoid],
        references,
        _narrative(
            _p(cited(combination_sentence(scope.drug.name, therapies), sorted(set(references)))),
            _labelled("Relationship", relationship),
        ),
    )


def _combination_warning(scope: _Scope, avoid: Sequence[Combination]) -> _Obj:
    """The combinations to avoid, each with its reason, as a warning in words."""
    return _warning(
        scope,
        "combination",
        " ".join(c.sentence(scope.drug.name) for c in avoid),
        [c.location for c in avoid],
        [n for c in avoid for n in c.references],
        [_ul(cited(c.sentence(scope.drug.name), c.references) for c in avoid)],
    )


def _statements_warning(scope: _Scope, category: str, statements: Sequence[Statement]) -> _Obj:
    """A warning of statements; a group without any (a data pack may name one) says so in
    its narrative and has no ``warning.description``, as a FHIR string is never empty."""
    return _warning(
        scope,
        category,
        " ".join(s.text for s in statements) or None,
        [s.location for s in statements],
        [n for s in statements for n in s.references],
        [_ul(cited(s.text, s.references) for s in statements) or _p(_NO_STATEMENT)],
    )


def _warning(
    scope: _Scope,
    category: str,
    description: str | None,
    locations: Sequence[str],
    references: Iterable[int],
    body: Sequence[str],
) -> _Obj:
    warning: _Obj = {} if description is None else {"description": description}
    warning["code"] = _text(category)
    return _clinical_use(
        scope,
        _id(scope.slug, "warning", category),
        "warning",
        {"category": [_text(category)], "warning": warning},
        locations,
        references,
        _narrative(_heading(f"{scope.drug.name}: {category}"), *body),
    )


def _clinical_use(
    scope: _Scope,
    resource_id: str,
    kind: str,
    content: _Obj,
    locations: Sequence[str],
    references: Iterable[int],
    narrative: _Obj,
) -> _Obj:
    extensions = [
        *scope.location_extensions(locations),
        *scope.citation_extensions(references),
    ]
    return {
        "resourceType": "ClinicalUseDefinition",
        "id": resource_id,
        "text": narrative,
        "extension": extensions,
        "type": kind,
        "subject": [_ref("Medication", scope.slug, scope.drug.name)],
        "status": _coded(_PUBLICATION_STATUS_SYSTEM, "active", "Active"),
        **content,
    }


# PlanDefinition ---------------------------------------------------------------------------


def _plan_definition(scope: _Scope, plan_id: str) -> _Obj:
    """The recommendations, one action each, then one action per combination to use."""
    drug = scope.drug
    title = f"Recommendations on {drug.name}"
    combinations = _recommended(drug)
    actions: list[JSONValue] = [_action(scope, rec) for rec in drug.recommendations]
    actions += [
        _combination_action(scope, number, c) for number, c in enumerate(combinations, start=1)
    ]
    return {
        "resourceType": "PlanDefinition",
        "id": plan_id,
        "text": _narrative(
            _heading(title),
            _ul(_recommendation_lines(rec) for rec in drug.recommendations),
            _heading("Combinations") if combinations else "",
            _ul(_combination_lines(drug.name, c) for c in combinations),
        ),
        "url": scope.urls.full("PlanDefinition", plan_id),
        "title": title,
        "type": _coded(_PLAN_TYPE_SYSTEM, "clinical-protocol", "Clinical Protocol"),
        "status": "active",
        "action": actions,
    }


def _recommended(drug: Drug) -> list[Combination]:
    """The combinations the drug is to be used in: every one not to avoid."""
    return [c for c in drug.combinations if c.advice is not CombinationAdvice.AVOID]


def _combination_lines(drug: str, combination: Combination) -> list[str]:
    lines = [cited(combination.sentence(drug), combination.references)]
    if combination.reason:
        lines.append(f"Reason: {combination.reason}")
    return lines


def _combination_action(scope: _Scope, number: int, combination: Combination) -> _Obj:
    """A combination to use, as an action of its own: the advice in words (with its
    condition), the reason, the references; its strength is not stated (no code)."""
    words = combination.sentence(scope.drug.name)
    condition = f" ({combination.condition})" if combination.condition else ""
    action: _Obj = {
        "extension": [
            {"url": _STRENGTH_EXTENSION, "valueCodeableConcept": _strength_concept(None)},
            *scope.location_extensions([combination.location]),
        ],
        "linkId": f"combination-{number}",
        "title": f"Combination with {combination.therapy}{condition}",
        "description": words,
        "textEquivalent": words,
    }
    if combination.reason:
        action["reason"] = [_text(combination.reason)]
    action["documentation"] = scope.citations(combination.references)
    return action


def _recommendation_lines(rec: Recommendation) -> list[str]:
    lines = [f"Recommendation {rec.number}: {cited(str(rec), rec.references)}"]
    if rec.see_also:
        lines.append(f"See also: {rec.see_also}")
    if rec.note:
        lines.append(rec.note)
    return lines


def _strength_concept(strength: Strength | None) -> _Obj:
    """The strength as ``recommendation-strength``; open and not stated as text, uncoded."""
    if strength is None:
        return _text("not stated")
    text = f"{strength.symbol} ({strength.wording})"
    if strength.is_for is None:
        return _text(text)
    code = "strong" if strength.is_strong else "weak"
    return _coded(_STRENGTH_SYSTEM, code, code.capitalize(), text)


def _action(scope: _Scope, rec: Recommendation) -> _Obj:
    extensions: list[JSONValue] = [
        {"url": _STRENGTH_EXTENSION, "valueCodeableConcept": _strength_concept(rec.strength)}
    ]
    if rec.strength is not None and rec.strength.is_for is not None:
        direction = "for" if rec.strength.is_for else "against"
        extensions.append(
            {
                "url": _DIRECTION_EXTENSION,
                "valueCodeableConcept": _coded(
                    _DIRECTION_SYSTEM, direction, direction.capitalize()
                ),
            }
        )
    if rec.consensus is not None:
        extensions.append(
            {
                "url": scope.urls.consensus,
                "extension": [
                    {"url": "percent", "valueInteger": rec.consensus.percent},
                    {"url": "bound", "valueCode": rec.consensus.bound.value},
                    {"url": "basis", "valueCode": rec.consensus.basis.value},
                ],
            }
        )
    extensions += scope.location_extensions([rec.location])
    documentation: list[JSONValue] = [scope.cited(n) for n in rec.references]
    if rec.see_also:
        documentation.append({"type": "documentation", "display": rec.see_also})
    text = str(rec) if rec.note is None else f"{rec}\n\n{rec.note}"
    action: _Obj = {
        "extension": extensions,
        "linkId": f"recommendation-{rec.number}",
        "prefix": str(rec.number),
        "title": f"Recommendation {rec.number}",
        "description": rec.statement,
        "textEquivalent": text,
    }
    if documentation:
        action["documentation"] = documentation
    return action


# Evidence and ResearchStudy ---------------------------------------------------------------


def _evidence(scope: _Scope, estimate: EffectEstimate, evidence_id: str) -> _Obj:
    """An effect estimate: the SMD, its interval as printed (no level) and its certainty."""
    exposure = f"{scope.drug.name}, {estimate.dose_level}"
    measured = f"{estimate.outcome}, up to {counted(estimate.max_weeks, 'week')}"
    title = f"{exposure} vs {estimate.comparator}: {estimate.outcome}"
    certainty = estimate.certainty.value
    printed = interval(estimate.ci_low, estimate.ci_high)
    return {
        "resourceType": "Evidence",
        "id": evidence_id,
        "text": _narrative(
            _heading(title),
            _p(cited(str(estimate), estimate.references)),
            _labelled("Exposure", exposure),
            _labelled("Reference exposure", estimate.comparator),
            _labelled("Measured variable", measured),
            _labelled("Interval", f"{printed}: {INTERVAL_AS_PRINTED}"),
            _labelled("Analysis", estimate.analysis),
        ),
        "extension": scope.location_extensions([estimate.location]),
        "url": scope.urls.full("Evidence", evidence_id),
        "title": title,
        "status": "active",
        "relatedArtifact": [scope.cited(n) for n in estimate.references],
        "description": estimate.analysis,
        "variableDefinition": [
            _variable("exposure", "exposure", exposure),
            _variable("referenceExposure", "reference exposure", estimate.comparator),
            _variable("measuredVariable", "measured variable", measured),
        ],
        "statistic": [
            {
                "statisticType": _coded(
                    _STATISTIC_TYPE_SYSTEM, "0000100", "Standardized Mean Difference"
                ),
                "quantity": {"value": estimate.estimate},
                "attributeEstimate": [
                    {
                        "description": INTERVAL_AS_PRINTED,
                        "range": {
                            "low": {"value": estimate.ci_low},
                            "high": {"value": estimate.ci_high},
                        },
                    }
                ],
            }
        ],
        "certainty": [
            {
                "type": _coded(_CERTAINTY_TYPE_SYSTEM, "Overall", "Overall certainty"),
                "rating": _coded(
                    _CERTAINTY_RATING_SYSTEM,
                    certainty,
                    _CERTAINTY_DISPLAY[certainty],
                    str(estimate.certainty),
                ),
            }
        ],
    }


def _statement_evidence(scope: _Scope, statement: Statement, evidence_id: str) -> _Obj:
    """An efficacy statement: the drug as the exposure, the statement as the assertion."""
    return {
        "resourceType": "Evidence",
        "id": evidence_id,
        "text": _narrative(
            _p(cited(statement.text, statement.references)),
            _labelled("Exposure", scope.drug.name),
        ),
        "extension": scope.location_extensions([statement.location]),
        "url": scope.urls.full("Evidence", evidence_id),
        "status": "active",
        "relatedArtifact": scope.citations(statement.references),
        "assertion": statement.text,
        "variableDefinition": [_variable("exposure", "exposure", scope.drug.name)],
    }


def _comparison_evidence(
    scope: _Scope, comparison: Comparison, evidence_id: str, study_id: str | None
) -> _Obj:
    """A comparison: population, both arms, design, the result in words and the findings."""
    title = f"{comparison.intervention} vs {comparison.comparator}"
    related = scope.citations(comparison.references)
    if study_id is not None:
        related.append(
            {
                "type": "derived-from",
                "resourceReference": _ref("ResearchStudy", study_id, comparison.trial),
            }
        )
    evidence: _Obj = {
        "resourceType": "Evidence",
        "id": evidence_id,
        "text": _narrative(
            _heading(title),
            _p(comparison.summary),
            _ul(cited(f.text, f.references) for f in comparison.findings),
            _labelled("Study", f"ResearchStudy/{study_id}") if study_id is not None else "",
        ),
        "extension": scope.location_extensions(f.location for f in comparison.findings),
        "url": scope.urls.full("Evidence", evidence_id),
        "title": title,
        "status": "active",
        "relatedArtifact": related,
        "description": comparison.summary,
    }
    if comparison.findings:  # a FHIR string is never empty: no findings, no assertion
        evidence["assertion"] = " ".join(cited(f.text, f.references) for f in comparison.findings)
    evidence["variableDefinition"] = [
        _variable("population", "population", comparison.population),
        _variable("exposure", "exposure", str(comparison.intervention)),
        _variable("referenceExposure", "reference exposure", str(comparison.comparator)),
    ]
    evidence["studyDesign"] = [_text(comparison.design)]
    return evidence


def _research_study(scope: _Scope, comparisons: Sequence[Comparison], study_id: str) -> _Obj:
    """A trial the source names (or counts): every arm of its comparisons, design, size, sources.

    A count of participants is written where the comparisons agree on it; comparisons of
    one trial that give different counts (of different analyses) leave ``recruitment`` out,
    and each count stays in its comparison's summary, which the narrative shows.
    """
    first = comparisons[0]
    arms: list[tuple[str, Arm]] = []
    for comparison in comparisons:
        for role, arm in (
            ("intervention", comparison.intervention),
            ("comparator", comparison.comparator),
        ):
            if all(arm != known for _, known in arms):
                arms.append((role, arm))
    links = _unique([role for role, _ in arms])
    references = sorted({n for c in comparisons for n in c.references})
    counts = {c.participants for c in comparisons if c.participants is not None}
    study: _Obj = {
        "resourceType": "ResearchStudy",
        "id": study_id,
        "text": _narrative(
            _heading(first.trial or first.summary),
            *(_p(cited(c.summary, c.references)) for c in comparisons),
            _ul(str(arm) for _, arm in arms),
        ),
        "extension": scope.location_extensions(f.location for c in comparisons for f in c.findings),
        "url": scope.urls.full("ResearchStudy", study_id),
        **({} if first.trial is None else {"title": first.trial}),
        "status": "active",
        "relatedArtifact": scope.citations(references),
        "descriptionSummary": "\n\n".join(c.summary for c in comparisons),
        "studyDesign": [_text(design) for design in dict.fromkeys(c.design for c in comparisons)],
        "condition": [_text(_INDICATION)],
        "comparisonGroup": [
            {"linkId": link, "name": arm.treatment, "description": str(arm)}
            for link, (_, arm) in zip(links, arms, strict=True)
        ],
    }
    if len(counts) == 1:
        study["recruitment"] = {"actualNumber": counts.pop()}
    return study


# Citation ---------------------------------------------------------------------------------


def _citation(ref: Reference, citation_id: str, urls: _Urls) -> _Obj:
    artifact: _Obj = {}
    if ref.accessed is not None:
        artifact["dateAccessed"] = ref.accessed.isoformat()
    artifact["title"] = [{"text": ref.title}]
    artifact["publicationForm"] = [{"publicationDateText": str(ref.year)}]
    if ref.url is not None:
        artifact["webLocation"] = [{"url": ref.url}]
    artifact["contributorship"] = {"summary": [{"value": ref.authors}]}
    return {
        "resourceType": "Citation",
        "id": citation_id,
        "text": _narrative(_p(str(ref))),
        "url": urls.full("Citation", citation_id),
        "title": ref.title,
        "status": "active",
        "summary": [{"text": str(ref)}],
        "citedArtifact": artifact,
    }


def _guideline_citation(guideline: Guideline, urls: _Urls) -> _Obj:
    artifact: _Obj = {
        "title": [
            {"text": guideline.title},
            {"type": [_text("short title")], "text": guideline.short_title},
        ]
    }
    if guideline.edition is not None:
        artifact["version"] = {"value": guideline.edition}
    if guideline.note is not None:
        artifact["note"] = [{"text": guideline.note}]
    description = f"{guideline.title}, chapter: {guideline.chapter}."
    return {
        "resourceType": "Citation",
        "id": "guideline",
        "text": _narrative(
            _heading(guideline.title),
            _labelled("Short title", guideline.short_title),
            _p(description),
            _labelled("Edition", guideline.edition) if guideline.edition is not None else "",
            _p(guideline.note) if guideline.note is not None else "",
        ),
        "url": urls.full("Citation", "guideline"),
        "title": guideline.title,
        "status": "active",
        "description": description,
        "citedArtifact": artifact,
    }


# StructureDefinition ----------------------------------------------------------------------


def _definition(
    urls: _Urls,
    definition_id: str,
    name: str,
    title: str,
    description: str,
    contexts: Sequence[str],
    elements: Sequence[_Obj],
    parts: Sequence[tuple[str, str]],
) -> _Obj:
    """An R5 ``StructureDefinition`` of an extension: a constraint on ``Extension``."""
    url = urls.full("StructureDefinition", definition_id)
    return {
        "resourceType": "StructureDefinition",
        "id": definition_id,
        "text": _narrative(
            _heading(title),
            _p(description),
            _labelled("URL", url),
            _labelled("Used on", listed(list(contexts))),
            _ul(f"{part}: {meaning}" for part, meaning in parts),
        ),
        "url": url,
        "name": name,
        "title": title,
        "status": "active",
        "description": description,
        "fhirVersion": _FHIR_VERSION,
        "kind": "complex-type",
        "abstract": False,
        "context": [{"type": "element", "expression": context} for context in contexts],
        "type": "Extension",
        "baseDefinition": _EXTENSION_BASE,
        "derivation": "constraint",
        "differential": {"element": list(elements)},
    }


def _element(element_id: str, **content: JSONValue) -> _Obj:
    """An ``ElementDefinition``: its path is its id without slice names."""
    path = re.sub(r":[^.]+", "", element_id)
    return {"id": element_id, "path": path, **content}


def _one_of(key: str, codes: Sequence[str]) -> _Obj:
    """A constraint that a code is one of ``codes``."""
    allowed = " | ".join(f"'{code}'" for code in codes)
    return {
        "key": key,
        "severity": "error",
        "human": f"the code is one of {listed(list(codes))}",
        "expression": f"$this in ({allowed})",
    }


def _consensus_definition(urls: _Urls) -> _Obj:
    bounds = [bound.value for bound in ConsensusBound]
    bases = [basis.value for basis in ConsensusBasis]
    parts = [
        ("percent", "the printed percentage of agreement (75 for '>75%'), an integer"),
        (
            "bound",
            f"whether the agreement was above the percentage or exactly it: {listed(bounds)}",
        ),
        ("basis", f"what the recommendation rests on: {listed(bases)}"),
    ]
    elements = [
        _element(
            "Extension",
            short="Consensus of a recommendation",
            definition=(
                "The agreement of the guideline group behind a recommendation, as the "
                "guideline prints it: a percentage, its bound and the basis."
            ),
            min=0,
            max="1",
        ),
        _element(
            "Extension.extension",
            slicing={
                "discriminator": [{"type": "value", "path": "url"}],
                "ordered": False,
                "rules": "closed",
            },
            min=3,
        ),
    ]
    values: dict[str, tuple[str, list[JSONValue]]] = {
        "percent": ("integer", []),
        "bound": ("code", [_one_of("aes-consensus-bound", bounds)]),
        "basis": ("code", [_one_of("aes-consensus-basis", bases)]),
    }
    for part, meaning in parts:
        value_type, constraints = values[part]
        elements += [
            _element(f"Extension.extension:{part}", sliceName=part, short=meaning, min=1, max="1"),
            _element(f"Extension.extension:{part}.extension", max="0"),
            _element(f"Extension.extension:{part}.url", fixedUri=part),
            _element(
                f"Extension.extension:{part}.value[x]",
                min=1,
                type=[{"code": value_type}],
                **({"minValueInteger": 0, "maxValueInteger": 100} if part == "percent" else {}),
                **({"constraint": constraints} if constraints else {}),
            ),
        ]
    elements += [
        _element("Extension.url", fixedUri=urls.consensus),
        _element("Extension.value[x]", max="0"),
    ]
    return _definition(
        urls,
        _CONSENSUS_ID,
        "Consensus",
        "Consensus of a recommendation",
        "The consensus of the guideline group behind a recommendation: the printed "
        "percentage, whether the agreement was more than it or exactly it, and whether the "
        "recommendation rests on evidence and consensus or on expert consensus.",
        _CONSENSUS_CONTEXTS,
        elements,
        parts,
    )


def _source_location_definition(urls: _Urls) -> _Obj:
    meaning = "the heading of the guideline section the fact is under, as a string"
    elements = [
        _element(
            "Extension",
            short="Where in the source a fact comes from",
            definition=(
                "The heading of the guideline section that the fact this element was made "
                "from is under, in the short form the data uses."
            ),
            min=0,
            max="*",
        ),
        _element("Extension.extension", max="0"),
        _element("Extension.url", fixedUri=urls.source_location),
        _element("Extension.value[x]", min=1, type=[{"code": "string"}]),
    ]
    return _definition(
        urls,
        _SOURCE_LOCATION_ID,
        "SourceLocation",
        "Source location of a fact",
        "The heading of the guideline section that a fact comes from.",
        _SOURCE_LOCATION_CONTEXTS,
        elements,
        [("value", meaning)],
    )
