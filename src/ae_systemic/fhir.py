"""The guideline content as a FHIR R5 ``Bundle``: plain JSON-ready data, no FHIR library needed.

:func:`to_bundle` maps a :class:`~ae_systemic.Drug` (or every drug of a
:class:`~ae_systemic.Guideline`) to a ``Bundle`` of type ``collection`` holding a
``MedicationKnowledge`` with the dose regimens and the licensing age, a
``Medication`` (the subject of the clinical-use statements),
``ClinicalUseDefinition`` s for the combinations to avoid, the interactions and the
warnings, one ``Evidence`` per effect estimate with its GRADE certainty, one
``PlanDefinition`` with an action per recommendation, and one ``Citation`` per
numbered reference.  Ids are derived from the content (drug name, outcome, dose
level, recommendation and reference numbers), so the same content always gives
the same bundle.  Every ``reference`` resolves to an entry of the bundle.

>>> import ae_systemic
>>> bundle = to_bundle(ae_systemic.drug("ciclosporin"))
>>> bundle["resourceType"], bundle["type"]
('Bundle', 'collection')

The encoding choices (UCUM units, code systems, extensions) are described in
``docs/fhir.md``.  This module imports nothing beyond the standard library and
the package itself; validate the output with ``fhir.resources`` (the extra
``fhir``) if you need to.
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Iterable, Sequence
from typing import Final

from ._converter import JSONValue
from ._errors import ArgumentTypeError
from ._lookup import resolve_drug
from ._model import (
    Amount,
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
)
from ._vocabulary import CombinationAdvice, Strength

__all__ = [
    "BASE_URL",
    "CONSENSUS_EXTENSION_URL",
    "SOURCE_LOCATION_EXTENSION_URL",
    "to_bundle",
]

#: Base of every URL this project defines: entry ``fullUrl`` s, canonical URLs, extensions.
BASE_URL: Final = "https://github.com/ae-systemic/ae_systemic/fhir"
#: Extension on ``PlanDefinition.action``: the consensus of a recommendation (sub-extensions
#: ``percent`` valueInteger, ``bound`` valueCode ``more-than``/``exactly``, ``basis``
#: valueCode ``evidence-and-consensus``/``expert-consensus``).
CONSENSUS_EXTENSION_URL: Final = f"{BASE_URL}/StructureDefinition/consensus"
#: Extension (valueString) naming the heading of the source a fact comes from.
SOURCE_LOCATION_EXTENSION_URL: Final = f"{BASE_URL}/StructureDefinition/source-location"

# Extensions defined by HL7: the FHIR extensions pack (cqf-, artifact-) and the CPG IG.
_STRENGTH_EXTENSION: Final = "http://hl7.org/fhir/StructureDefinition/cqf-strengthOfRecommendation"
_DIRECTION_EXTENSION: Final = (
    "http://hl7.org/fhir/uv/cpg/StructureDefinition/cpg-directionOfRecommendation"
)
_RELATED_ARTIFACT_EXTENSION: Final = (
    "http://hl7.org/fhir/StructureDefinition/artifact-relatedArtifact"
)

# Code systems.
_UCUM: Final = "http://unitsofmeasure.org"
_STRENGTH_SYSTEM: Final = "http://terminology.hl7.org/CodeSystem/recommendation-strength"
_DIRECTION_SYSTEM: Final = "http://hl7.org/fhir/uv/cpg/CodeSystem/cpg-recommendation-direction-cs"
_CERTAINTY_RATING_SYSTEM: Final = "http://hl7.org/fhir/certainty-rating"
_CERTAINTY_TYPE_SYSTEM: Final = "http://hl7.org/fhir/certainty-type"
_STATISTIC_TYPE_SYSTEM: Final = "http://terminology.hl7.org/CodeSystem/statistic-type"
_ATTRIBUTE_ESTIMATE_SYSTEM: Final = "http://terminology.hl7.org/CodeSystem/attribute-estimate-type"
_VARIABLE_ROLE_SYSTEM: Final = "http://terminology.hl7.org/CodeSystem/variable-role"
_PLAN_TYPE_SYSTEM: Final = "http://terminology.hl7.org/CodeSystem/plan-definition-type"
_THERAPY_RELATIONSHIP_SYSTEM: Final = "http://hl7.org/fhir/therapy-relationship-type"
_PUBLICATION_STATUS_SYSTEM: Final = "http://hl7.org/fhir/publication-status"

#: The indication of every drug of this package: the guideline is on atopic eczema.
_INDICATION: Final = "atopic eczema"

_CERTAINTY_DISPLAY: Final = {
    "high": "High quality",
    "moderate": "Moderate quality",
    "low": "Low quality",
    "very-low": "Very low quality",
}
# UCUM codes for the period units allowed in the data (see _units.PERIOD_UNITS).
_UCUM_PERIOD: Final = {"day": "d", "week": "wk"}

_Obj = dict[str, JSONValue]


def to_bundle(drug_or_guideline: Drug | Guideline | str) -> dict[str, JSONValue]:
    """A FHIR R5 ``Bundle`` (type ``collection``) of the drug, or of every drug of the guideline.

    ``drug_or_guideline`` is a :class:`~ae_systemic.Drug`, a drug name that
    :func:`~ae_systemic.drug` accepts, or a whole :class:`~ae_systemic.Guideline`.

    Returns JSON-ready data (dicts, lists, strings, numbers): pass it to
    ``json.dumps`` or to ``fhir.resources.bundle.Bundle.model_validate``.  The
    output depends only on the content: two calls give equal bundles.  Entry
    ``fullUrl`` s are ``{BASE_URL}/{resourceType}/{id}``; references between
    entries are relative (``Citation/ciclosporin-reference-1``) and resolve
    inside the bundle.
    """
    if isinstance(drug_or_guideline, Guideline):
        guideline = drug_or_guideline
        resources = [_guideline_citation(guideline)]
        resources += [_citation(ref, "guideline") for ref in guideline.references]
        for drug, slug in zip(guideline.drugs, _drug_slugs(guideline.drugs), strict=True):
            resources += _drug_resources(drug, slug)
        bundle_id = "guideline"
    elif isinstance(drug_or_guideline, Drug | str):
        drug = resolve_drug(drug_or_guideline, "drug_or_guideline")
        slug = _id(drug.name)
        resources = _drug_resources(drug, slug)
        bundle_id = slug
    else:
        raise ArgumentTypeError(
            "drug_or_guideline",
            f"expected a Drug, a drug name or a Guideline, got {type(drug_or_guideline).__name__}",
        )
    entries: list[JSONValue] = [
        {
            "fullUrl": f"{BASE_URL}/{resource['resourceType']}/{resource['id']}",
            "resource": _without_empty(resource),
        }
        for resource in resources
    ]
    return {
        "resourceType": "Bundle",
        "id": _id(bundle_id, "bundle"),
        "type": "collection",
        "entry": entries,
    }


# --- ids and references -------------------------------------------------------------------


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


def _ref(resource_type: str, resource_id: str, display: str | None = None) -> _Obj:
    reference: _Obj = {"reference": f"{resource_type}/{resource_id}"}
    if display is not None:
        reference["display"] = display
    return reference


def _citation_id(scope: str, number: int) -> str:
    return _id(scope, "reference", str(number))


def _cited(scope: str, drug: Drug, number: int) -> _Obj:
    """A ``RelatedArtifact`` of type ``citation`` pointing at reference ``number``."""
    title = drug.reference(number).title
    return {
        "type": "citation",
        "label": str(number),
        "resourceReference": _ref("Citation", _citation_id(scope, number), title),
    }


def _citation_extensions(scope: str, drug: Drug, numbers: Iterable[int]) -> list[JSONValue]:
    """``artifact-relatedArtifact`` extensions citing ``numbers``, for non-canonical resources."""
    return [
        {"url": _RELATED_ARTIFACT_EXTENSION, "valueRelatedArtifact": _cited(scope, drug, number)}
        for number in sorted(set(numbers))
    ]


def _location_extensions(locations: Iterable[str]) -> list[JSONValue]:
    unique = list(dict.fromkeys(locations))
    return [{"url": SOURCE_LOCATION_EXTENSION_URL, "valueString": where} for where in unique]


# --- small data types ---------------------------------------------------------------------


def _text(text: str) -> _Obj:
    return {"text": text}


def _coded(system: str, code: str, display: str, text: str | None = None) -> _Obj:
    concept: _Obj = {"coding": [{"system": system, "code": code, "display": display}]}
    if text is not None:
        concept["text"] = text
    return concept


def _quantity(value: float, unit: str) -> _Obj:
    """A UCUM quantity: ``unit`` is the UCUM code, shown as the unit too."""
    return {"value": value, "unit": unit, "system": _UCUM, "code": unit}


def _range(low: float | None, high: float | None, unit: str) -> _Obj:
    bounds: _Obj = {}
    if low is not None:
        bounds["low"] = _quantity(low, unit)
    if high is not None:
        bounds["high"] = _quantity(high, unit)
    return bounds


def _narrative(paragraphs: Iterable[str]) -> _Obj:
    """Narrative ``additional``: it says more than the structured elements of the resource."""
    body = "".join(f"<p>{html.escape(p, quote=False)}</p>" for p in paragraphs)
    return {
        "status": "additional",
        "div": f'<div xmlns="http://www.w3.org/1999/xhtml">{body}</div>',
    }


# --- one drug -----------------------------------------------------------------------------


def _drug_resources(drug: Drug, slug: str) -> list[_Obj]:
    clinical_uses = _clinical_use_definitions(drug, slug)
    evidence_ids = _unique(
        [_id(slug, e.outcome.value, e.dose_level.value, "dose") for e in drug.evidence]
    )
    resources = [
        _medication_knowledge(drug, slug, [str(c["id"]) for c in clinical_uses]),
        _medication(drug, slug),
        *clinical_uses,
    ]
    resources.append(_plan_definition(drug, slug))
    resources += [
        _evidence(drug, slug, estimate, evidence_id)
        for estimate, evidence_id in zip(drug.evidence, evidence_ids, strict=True)
    ]
    resources += [_citation(ref, slug) for ref in drug.references]
    return resources


def _without_empty(value: _Obj) -> _Obj:
    """``value`` without empty lists and objects, which FHIR JSON does not allow."""
    kept: _Obj = {}
    for key, item in value.items():
        if isinstance(item, dict):
            item = _without_empty(item)
        elif isinstance(item, list):
            item = [_without_empty(i) if isinstance(i, dict) else i for i in item]
            item = [i for i in item if i != [] and i != {}]
        if item != [] and item != {}:
            kept[key] = item
    return kept


# MedicationKnowledge and Medication ------------------------------------------------------


def _medication_knowledge(drug: Drug, slug: str, clinical_use_ids: Sequence[str]) -> _Obj:
    dosing: list[JSONValue] = []
    for regimen in drug.regimens:
        dosing += _dosing_guidelines(drug, slug, regimen)
    dosing.append(_licence_guideline(drug, slug))
    resource: _Obj = {
        "resourceType": "MedicationKnowledge",
        "id": slug,
        "text": _narrative(
            [
                f"{drug.name} ({', '.join(drug.synonyms)})" if drug.synonyms else drug.name,
                f"Licensed from {drug.licence.min_age_years} years of age.",
                *(note.text for note in drug.licence.notes),
            ]
        ),
        "code": _text(drug.name),
        "status": "active",
        "name": list(drug.names),
        "indicationGuideline": [
            {"indication": [{"concept": _text(_INDICATION)}], "dosingGuideline": dosing}
        ],
    }
    if clinical_use_ids:
        resource["clinicalUseIssue"] = [
            _ref("ClinicalUseDefinition", cid) for cid in clinical_use_ids
        ]
    return resource


def _dosing_guidelines(drug: Drug, slug: str, regimen: DoseRegimen) -> list[JSONValue]:
    """One ``dosingGuideline`` for the regimen, or one per weight band."""
    characteristics: list[JSONValue] = [
        {"type": _text("population"), "valueCodeableConcept": _text(str(regimen.population))}
    ]
    sequence = 2 if regimen.loading is not None else None
    if regimen.bands:
        variants = [
            (
                f"{regimen.label} ({band})",
                _fixed_dosage(band.dose, f"{regimen.label}: {band}", sequence),
                [*characteristics, _weight_characteristic(band)],
            )
            for band in regimen.bands
        ]
    elif regimen.fixed is not None:
        variants = [
            (regimen.label, _fixed_dosage(regimen.fixed, str(regimen), sequence), characteristics)
        ]
    elif regimen.rate is not None:
        dosage = _rate_dosage(regimen.rate, regimen.doses_per_day, str(regimen), sequence)
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
                *_location_extensions([regimen.location]),
                *_citation_extensions(slug, drug, regimen.references),
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
                    rate.low / per_administration, rate.high / per_administration, per_weight
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


def _licence_guideline(drug: Drug, slug: str) -> _Obj:
    licence = drug.licence
    notes = [note.references for note in licence.notes]
    return {
        "extension": [
            *_location_extensions([licence.location, *(n.location for n in licence.notes)]),
            *_citation_extensions(
                slug, drug, [*licence.references, *(n for r in notes for n in r)]
            ),
        ],
        "treatmentIntent": _text("licensed use"),
        "patientCharacteristic": [
            {"type": _text("age"), "valueRange": _range(licence.min_age_years, None, "a")}
        ],
    }


def _medication(drug: Drug, slug: str) -> _Obj:
    """The drug as a ``Medication``: what ``ClinicalUseDefinition.subject`` may point at."""
    return {
        "resourceType": "Medication",
        "id": slug,
        "code": _text(drug.name),
        "status": "active",
        "definition": _ref("MedicationKnowledge", slug, drug.name),
    }


# ClinicalUseDefinition --------------------------------------------------------------------


def _clinical_use_definitions(drug: Drug, slug: str) -> list[_Obj]:
    resources: list[_Obj] = []
    avoid = [c for c in drug.combinations if c.advice is CombinationAdvice.AVOID]
    if avoid:
        resources.append(
            _clinical_use(
                drug,
                slug,
                _id(slug, "contraindication"),
                "contraindication",
                {
                    "contraindication": {
                        "otherTherapy": [
                            {
                                "relationshipType": _coded(
                                    _THERAPY_RELATIONSHIP_SYSTEM,
                                    "contraindicated-only-with",
                                    "Only contraindicated if the other therapy is given",
                                ),
                                "treatment": {"concept": _text(c.therapy)},
                            }
                            for c in avoid
                        ]
                    },
                },
                [c.location for c in avoid],
                [n for c in avoid for n in c.references],
                narrative=_narrative(c.sentence(drug.name) for c in avoid),
            )
        )
    groups: dict[tuple[str, str], list[int]] = {}
    for index, interaction in enumerate(drug.interactions):
        groups.setdefault((interaction.role, interaction.consequence), []).append(index)
    for number, ((role, consequence), members) in enumerate(groups.items(), start=1):
        items = [drug.interactions[i] for i in members]
        suffix = [str(number)] if len(groups) > 1 else []
        resources.append(
            _clinical_use(
                drug,
                slug,
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
            )
        )
    monitoring = drug.monitoring
    resources.append(
        _warning(
            drug,
            slug,
            "monitoring",
            monitoring.summary,
            [monitoring.location],
            monitoring.references,
        )
    )
    screening = drug.screening
    resources.append(
        _warning(
            drug,
            slug,
            "screening",
            screening.summary,
            [screening.location],
            screening.references,
        )
    )
    if drug.safety:
        resources.append(_statements_warning(drug, slug, "safety", drug.safety))
    for population in drug.special_populations:
        resources.append(_statements_warning(drug, slug, population.group, population.statements))
    for resource, unique_id in zip(
        resources, _unique([str(r["id"]) for r in resources]), strict=True
    ):
        resource["id"] = unique_id  # two groups could share a name once made an id
    return resources


def _statements_warning(
    drug: Drug, slug: str, category: str, statements: Sequence[Statement]
) -> _Obj:
    return _warning(
        drug,
        slug,
        category,
        " ".join(s.text for s in statements),
        [s.location for s in statements],
        [n for s in statements for n in s.references],
    )


def _warning(
    drug: Drug,
    slug: str,
    category: str,
    description: str,
    locations: Sequence[str],
    references: Iterable[int],
) -> _Obj:
    return _clinical_use(
        drug,
        slug,
        _id(slug, "warning", category),
        "warning",
        {
            "category": [_text(category)],
            "warning": {"description": description, "code": _text(category)},
        },
        locations,
        references,
    )


def _clinical_use(
    drug: Drug,
    slug: str,
    resource_id: str,
    kind: str,
    content: _Obj,
    locations: Sequence[str],
    references: Iterable[int],
    *,
    narrative: _Obj | None = None,
) -> _Obj:
    extensions = [*_location_extensions(locations), *_citation_extensions(slug, drug, references)]
    return {
        "resourceType": "ClinicalUseDefinition",
        "id": resource_id,
        **({} if narrative is None else {"text": narrative}),
        "extension": extensions,
        "type": kind,
        "subject": [_ref("Medication", slug, drug.name)],
        "status": _coded(_PUBLICATION_STATUS_SYSTEM, "active", "Active"),
        **content,
    }


# PlanDefinition ---------------------------------------------------------------------------


def _plan_definition(drug: Drug, slug: str) -> _Obj:
    plan_id = _id(slug, "recommendations")
    return {
        "resourceType": "PlanDefinition",
        "id": plan_id,
        "url": f"{BASE_URL}/PlanDefinition/{plan_id}",
        "title": f"Recommendations on {drug.name}",
        "type": _coded(_PLAN_TYPE_SYSTEM, "clinical-protocol", "Clinical Protocol"),
        "status": "active",
        "action": [_action(drug, slug, rec) for rec in drug.recommendations],
    }


def _strength_concept(strength: Strength | None) -> _Obj:
    """The strength as ``recommendation-strength``; open and not stated as text, uncoded."""
    if strength is None:
        return _text("not stated")
    text = f"{strength.symbol} ({strength.wording})"
    if strength.is_for is None:
        return _text(text)
    code = "strong" if strength.is_strong else "weak"
    return _coded(_STRENGTH_SYSTEM, code, code.capitalize(), text)


def _action(drug: Drug, slug: str, rec: Recommendation) -> _Obj:
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
                "url": CONSENSUS_EXTENSION_URL,
                "extension": [
                    {"url": "percent", "valueInteger": rec.consensus.percent},
                    {"url": "bound", "valueCode": rec.consensus.bound.value},
                    {"url": "basis", "valueCode": rec.consensus.basis.value},
                ],
            }
        )
    extensions += _location_extensions([rec.location])
    documentation: list[JSONValue] = [_cited(slug, drug, n) for n in rec.references]
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


# Evidence ---------------------------------------------------------------------------------


def _evidence(drug: Drug, slug: str, estimate: EffectEstimate, evidence_id: str) -> _Obj:
    exposure = f"{drug.name}, {estimate.dose_level}"
    certainty = estimate.certainty.value
    return {
        "resourceType": "Evidence",
        "id": evidence_id,
        "extension": _location_extensions([estimate.location]),
        "url": f"{BASE_URL}/Evidence/{evidence_id}",
        "title": f"{exposure} vs {estimate.comparator}: {estimate.outcome}",
        "status": "active",
        "relatedArtifact": [_cited(slug, drug, n) for n in estimate.references],
        "description": estimate.analysis,
        "variableDefinition": [
            _variable("exposure", "exposure", exposure),
            _variable("referenceExposure", "reference exposure", estimate.comparator),
            _variable(
                "measuredVariable",
                "measured variable",
                f"{estimate.outcome}, up to {estimate.max_weeks} weeks",
            ),
        ],
        "statistic": [
            {
                "statisticType": _coded(
                    _STATISTIC_TYPE_SYSTEM, "0000100", "Standardized Mean Difference"
                ),
                "quantity": {"value": estimate.estimate},
                "attributeEstimate": [
                    {
                        "type": _coded(_ATTRIBUTE_ESTIMATE_SYSTEM, "C53324", "Confidence interval"),
                        "level": 0.95,
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


def _variable(role: str, display: str, description: str) -> _Obj:
    return {
        "description": description,
        "variableRole": _coded(_VARIABLE_ROLE_SYSTEM, role, display),
    }


# Citation ---------------------------------------------------------------------------------


def _citation(ref: Reference, scope: str) -> _Obj:
    citation_id = _citation_id(scope, ref.number)
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
        "url": f"{BASE_URL}/Citation/{citation_id}",
        "title": ref.title,
        "status": "active",
        "summary": [{"text": str(ref)}],
        "citedArtifact": artifact,
    }


def _guideline_citation(guideline: Guideline) -> _Obj:
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
    return {
        "resourceType": "Citation",
        "id": "guideline",
        "url": f"{BASE_URL}/Citation/guideline",
        "title": guideline.title,
        "status": "active",
        "description": f"{guideline.title}, chapter: {guideline.chapter}.",
        "citedArtifact": artifact,
    }
