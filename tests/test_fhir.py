"""FHIR R5 export: valid R5, faithful to the data, deterministic, self-contained, lightweight.

Every bundle is validated with ``fhir.resources`` (R5), whole and resource by resource. Beyond
structure, which is all ``fhir.resources`` checks, the tests pin the codes, the UCUM units and
every number against the data, that each reference resolves inside the bundle and points at a
resource type R5 allows there, and that an unstated strength gets no code.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterator
from typing import Any

import attrs
import pytest
from fhir.resources import get_fhir_model_class
from fhir.resources.bundle import Bundle
from pydantic import BaseModel

import ae_systemic
from ae_systemic import (
    Amount,
    Arm,
    Certainty,
    Combination,
    CombinationAdvice,
    ConsensusBasis,
    ConsensusBound,
    DoseRate,
    DoseRegimen,
    Drug,
    FixedDose,
    InputError,
    Interval,
    Phase,
    Population,
    SpecialPopulation,
    Statement,
    Strength,
    WeightBand,
)
from ae_systemic._text import INTERVAL_AS_PRINTED
from ae_systemic.fhir import BASE_URL, CONSENSUS_EXTENSION_URL, to_bundle

UCUM = "http://unitsofmeasure.org"
STRENGTH_URL = "http://hl7.org/fhir/StructureDefinition/cqf-strengthOfRecommendation"
DIRECTION_URL = "http://hl7.org/fhir/uv/cpg/StructureDefinition/cpg-directionOfRecommendation"
STRENGTH_SYSTEM = "http://terminology.hl7.org/CodeSystem/recommendation-strength"
DIRECTION_SYSTEM = "http://hl7.org/fhir/uv/cpg/CodeSystem/cpg-recommendation-direction-cs"
CITATION_EXTENSION_URL = "http://hl7.org/fhir/StructureDefinition/artifact-relatedArtifact"
FHIR_ID = re.compile(r"[A-Za-z0-9\-.]{1,64}")


# --- helpers ------------------------------------------------------------------------------


def plain(bundle: dict[str, ae_systemic.JSONValue]) -> Any:
    """The bundle as untyped JSON data, through a JSON round trip (which must work)."""
    return json.loads(json.dumps(bundle, ensure_ascii=False))


def resources(bundle: Any, resource_type: str | None = None) -> list[Any]:
    found = [entry["resource"] for entry in bundle["entry"]]
    return [r for r in found if resource_type is None or r["resourceType"] == resource_type]


def by_id(bundle: Any, resource_type: str, resource_id: str) -> Any:
    matches = [r for r in resources(bundle, resource_type) if r["id"] == resource_id]
    assert len(matches) == 1, f"{resource_type}/{resource_id}: {len(matches)} entries"
    return matches[0]


def walk(value: Any) -> Iterator[tuple[str, Any]]:
    """Every (key, value) pair of every object below ``value``."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield key, item
            yield from walk(item)
    elif isinstance(value, list):
        for item in value:
            yield from walk(item)


def extensions(element: Any, url: str) -> list[Any]:
    return [e for e in element.get("extension", []) if e["url"] == url]


def codings(concept: Any) -> list[tuple[str, str]]:
    return [(c["system"], c["code"]) for c in concept.get("coding", [])]


def quantity(q: Any) -> tuple[float, str]:
    assert q["system"] == UCUM
    assert q["unit"] == q["code"]
    return q["value"], q["code"]


def dosing_guidelines(bundle: Any) -> list[Any]:
    (knowledge,) = resources(bundle, "MedicationKnowledge")
    (indication,) = knowledge["indicationGuideline"]
    guidelines: list[Any] = indication["dosingGuideline"]
    return guidelines


def allowed_reference_problems(model: BaseModel, path: str) -> Iterator[str]:
    """References whose target type R5 does not allow there (``fhir.resources`` metadata)."""
    for name, info in type(model).model_fields.items():
        value = getattr(model, name)
        if value is None:
            continue
        extra = info.json_schema_extra
        allowed = extra.get("enum_reference_types") if isinstance(extra, dict) else None
        items = value if isinstance(value, list) else [value]
        for index, item in enumerate(items):
            where = f"{path}.{name}[{index}]"
            reference = getattr(item, "reference", None)
            if isinstance(reference, BaseModel):  # a CodeableReference
                reference = getattr(reference, "reference", None)
            if isinstance(allowed, list) and "Resource" not in allowed and reference is not None:
                target = str(reference).split("/")[0]
                if target not in allowed:
                    yield f"{where}: {target} not in {allowed}"
            if isinstance(item, BaseModel):
                yield from allowed_reference_problems(item, where)


def check_valid_r5(bundle: Any) -> None:
    """Valid R5 as a whole and resource by resource, references typed and resolving."""
    Bundle.model_validate(bundle)
    problems: list[str] = []
    for resource in resources(bundle):
        model = get_fhir_model_class(resource["resourceType"]).model_validate(resource)
        where = f"{resource['resourceType']}/{resource['id']}"
        problems += allowed_reference_problems(model, where)
    assert not problems, "\n".join(problems)
    full_urls = [entry["fullUrl"] for entry in bundle["entry"]]
    assert len(set(full_urls)) == len(full_urls)
    for entry in bundle["entry"]:
        base = entry["fullUrl"].rsplit("/", 2)[0]
        for key, value in walk(entry["resource"]):
            if key == "reference":
                assert f"{base}/{value}" in full_urls, f"{value} does not resolve in the bundle"


# --- fixtures -----------------------------------------------------------------------------


def examplumab(csa: Drug) -> Drug:
    """A synthetic drug with every dose shape: weekly rate, fixed dose, weight bands, loading."""
    where = "Dosage (synthetic)"
    weekly = DoseRegimen(
        Population.ADULT, None, "weekly (adults)", DoseRate(0.3, 0.4, period="week"), None, where
    )
    fixed = DoseRegimen(
        Population.ADULT,
        Phase.ACUTE,
        "fixed (adults)",
        None,
        None,
        where,
        fixed=FixedDose(Amount(300, 300), Interval(2, "week")),
        loading=Amount(600, 600),
    )
    bands = DoseRegimen(
        Population.CHILD,
        None,
        "by weight (children)",
        None,
        None,
        where,
        references=(3,),
        bands=(
            WeightBand(FixedDose(Amount(100, 150), Interval(1, "week")), max_weight=15),
            WeightBand(FixedDose(Amount(200, 200), Interval(2, "week")), 15, 30),
            WeightBand(FixedDose(Amount(1, 1, "g"), Interval(4, "week")), min_weight=30),
        ),
        loading=Amount(400, 400),
    )
    thrice = DoseRegimen(
        Population.ADULT, Phase.LONG_TERM, "thrice daily (adults)", DoseRate(1, 2), 3, where
    )
    return attrs.evolve(
        csa,
        name="Examplumab",
        synonyms=("EXA-1",),
        regimens=(weekly, fixed, bands, thrice),
        atc=None,
    )


# --- validity -----------------------------------------------------------------------------


def test_the_ciclosporin_bundle_is_valid_r5_and_every_reference_resolves(bundle: Any) -> None:
    assert bundle["resourceType"] == "Bundle"
    assert bundle["type"] == "collection"
    check_valid_r5(bundle)


def test_the_guideline_bundle_is_valid_r5_and_every_reference_resolves() -> None:
    check_valid_r5(plain(to_bundle(ae_systemic.guideline())))


def test_full_urls_are_base_type_and_id_and_ids_are_valid_fhir_ids(bundle: Any) -> None:
    for entry in bundle["entry"]:
        resource = entry["resource"]
        assert FHIR_ID.fullmatch(resource["id"])
        assert entry["fullUrl"] == f"{BASE_URL}/{resource['resourceType']}/{resource['id']}"
    keys = [(r["resourceType"], r["id"]) for r in resources(bundle)]
    assert len(set(keys)) == len(keys)


#: FHIR's RESTful URL (R5, references page), the resource types as any capitalised name.
RESTFUL_URL = re.compile(
    r"((http|https)://([A-Za-z0-9\-\\.:%$]*/)+)?[A-Z][A-Za-z]+/[A-Za-z0-9\-.]{1,64}"
    r"(/_history/[A-Za-z0-9\-.]{1,64})?"
)


def test_every_full_url_is_restful_so_that_relative_references_resolve(bundle: Any) -> None:
    """FHIR resolves Citation/x against an entry's fullUrl only when it is a RESTful URL."""
    for entry in bundle["entry"]:
        assert RESTFUL_URL.fullmatch(entry["fullUrl"]), entry["fullUrl"]
    mine = plain(
        to_bundle(ae_systemic.drug("ciclosporin"), base_url="https://fhir.example.org/r5-ae")
    )
    assert all(RESTFUL_URL.fullmatch(e["fullUrl"]) for e in mine["entry"])


@pytest.mark.parametrize(
    "base", ["https://example.org/my_fhir", "https://example.org/~me/fhir", "https://a_b.org/f"]
)
def test_a_base_url_that_makes_no_restful_url_is_refused(base: str) -> None:
    with pytest.raises(InputError) as raised:
        to_bundle("ciclosporin", base_url=base)
    assert str(raised.value) == (
        "base_url: must be a FHIR RESTful base, of letters, digits and - . : % $ between its "
        f"slashes (no _ ~ + or spaces), so that relative references resolve in the Bundle; "
        f"got {base!r}"
    )


def test_the_bundle_has_no_empty_arrays_objects_or_nulls(bundle: Any) -> None:
    for key, value in walk(bundle):
        assert value not in ([], {}, None, ""), f"{key} is empty"


def test_every_resource_has_a_generated_narrative_of_well_formed_xhtml(bundle: Any) -> None:
    for resource in resources(bundle):
        narrative = resource["text"]
        root = ET.fromstring(narrative["div"])
        assert root.tag == "{http://www.w3.org/1999/xhtml}div"
        assert narrative["status"] == "generated"


def test_the_bundle_holds_each_kind_of_resource_as_often_as_the_data_says(bundle: Any) -> None:
    counts = Counter(r["resourceType"] for r in resources(bundle))
    assert counts == {
        "MedicationKnowledge": 1,
        "Medication": 1,
        "ClinicalUseDefinition": 8,
        "PlanDefinition": 1,
        "Evidence": 6 + 4 + 9,  # estimates, efficacy statements, comparisons
        "ResearchStudy": 1,  # TREAT
        "Citation": 14,
    }
    kinds = Counter(r["type"] for r in resources(bundle, "ClinicalUseDefinition"))
    assert kinds == {"contraindication": 1, "interaction": 1, "warning": 6}


# --- determinism --------------------------------------------------------------------------


def test_two_calls_give_equal_bundles_and_equal_json(csa: Drug) -> None:
    first, second = to_bundle(csa), to_bundle(csa)
    assert first == second
    assert json.dumps(first, ensure_ascii=False) == json.dumps(second, ensure_ascii=False)


def test_the_bundle_depends_only_on_the_content_not_on_the_object(csa: Drug) -> None:
    copy = ae_systemic.structure(ae_systemic.unstructure(csa), Drug)
    assert copy is not csa
    assert to_bundle(copy) == to_bundle(csa)


def test_ids_come_from_the_content(bundle: Any, csa: Drug) -> None:
    assert [r["id"] for r in resources(bundle, "Evidence")] == [
        "ciclosporin-signs-higher-dose",
        "ciclosporin-quality-of-life-higher-dose",
        "ciclosporin-itch-higher-dose",
        "ciclosporin-signs-lower-dose",
        "ciclosporin-quality-of-life-lower-dose",
        "ciclosporin-itch-lower-dose",
        *(f"ciclosporin-{s.key.replace('.', '-')}" for s in csa.efficacy),
        *(f"ciclosporin-comparison-{c.key.replace('.', '-')}" for c in csa.comparisons),
    ]
    assert [r["id"] for r in resources(bundle, "ResearchStudy")] == ["ciclosporin-study-treat"]
    assert [r["id"] for r in resources(bundle, "ClinicalUseDefinition")] == [
        "ciclosporin-contraindication",
        "ciclosporin-interaction",
        "ciclosporin-warning-monitoring",
        "ciclosporin-warning-screening",
        "ciclosporin-warning-safety",
        "ciclosporin-warning-children-and-adolescents",
        "ciclosporin-warning-pregnancy",
        "ciclosporin-warning-combination",
    ]
    assert [r["id"] for r in resources(bundle, "Citation")] == [
        f"ciclosporin-reference-{n}" for n in range(1, 15)
    ]
    (plan,) = resources(bundle, "PlanDefinition")
    assert [a["linkId"] for a in plan["action"]] == [
        *(f"recommendation-{n}" for n in (1, 2, 3, 4)),
        "combination-1",  # emollients
        "combination-2",  # topical anti-inflammatory treatment
    ]


# --- MedicationKnowledge: doses and licence -----------------------------------------------


def test_medication_knowledge_names_the_drug_for_atopic_eczema(bundle: Any, csa: Drug) -> None:
    (knowledge,) = resources(bundle, "MedicationKnowledge")
    assert knowledge["code"] == {
        "coding": [
            {"system": "http://www.whocc.no/atc", "code": "L04AD01", "display": "ciclosporin"}
        ],
        "text": "ciclosporin",
    }
    assert knowledge["status"] == "active"
    assert knowledge["name"] == list(csa.names)
    (indication,) = knowledge["indicationGuideline"]
    assert indication["indication"] == [{"concept": {"text": "atopic eczema"}}]
    uses = [r["reference"] for r in knowledge["clinicalUseIssue"]]
    assert uses == [
        f"ClinicalUseDefinition/{r['id']}" for r in resources(bundle, "ClinicalUseDefinition")
    ]


def test_standard_adult_dose_is_1_25_to_2_5_mg_per_kg_twice_a_day_or_2_5_to_5_mg_per_kg_a_day(
    bundle: Any,
) -> None:
    standard = dosing_guidelines(bundle)[0]
    (entry,) = standard["dosage"]
    assert entry["type"] == {"text": "standard dosage adults"}
    (dosage,) = entry["dosage"]
    assert dosage["timing"] == {"repeat": {"frequency": 2, "period": 1, "periodUnit": "d"}}
    (dose,) = dosage["doseAndRate"]
    assert quantity(dose["doseRange"]["low"]) == (1.25, "mg/kg")
    assert quantity(dose["doseRange"]["high"]) == (2.5, "mg/kg")
    assert quantity(dose["rateRange"]["low"]) == (2.5, "mg/kg/d")
    assert quantity(dose["rateRange"]["high"]) == (5.0, "mg/kg/d")
    # The population, with the source's silence on where children end: no age is given.
    assert standard["patientCharacteristic"] == [
        {
            "type": {"text": "population"},
            "valueCodeableConcept": {
                "text": "adults (the guideline gives no age between its children's and "
                "adults' ranges)"
            },
        }
    ]
    assert "treatmentIntent" not in standard


def test_every_regimen_keeps_its_daily_rate_and_splits_it_into_its_doses(
    bundle: Any, csa: Drug
) -> None:
    guidelines = dosing_guidelines(bundle)
    assert len(guidelines) == len(csa.regimens) + 1  # and the licence
    for regimen, guideline in zip(csa.regimens, guidelines, strict=False):
        assert regimen.rate is not None
        assert regimen.doses_per_day is not None
        (entry,) = guideline["dosage"]
        assert entry["type"]["text"] == regimen.label
        (dosage,) = entry["dosage"]
        assert dosage["text"] == (f"{regimen}. {regimen.note}" if regimen.note else str(regimen))
        assert dosage["timing"]["repeat"]["frequency"] == regimen.doses_per_day
        (dose,) = dosage["doseAndRate"]
        rate = dose["rateRange"]
        assert (rate["low"]["value"], rate["high"]["value"]) == (
            regimen.rate.low,
            regimen.rate.high,
        )
        split = dose["doseRange"]
        assert split["low"]["value"] * regimen.doses_per_day == regimen.rate.low
        assert split["high"]["value"] * regimen.doses_per_day == regimen.rate.high
        intent = guideline.get("treatmentIntent", {}).get("text")
        assert intent == (str(regimen.phase) if regimen.phase else None)
        population = guideline["patientCharacteristic"][0]["valueCodeableConcept"]["text"]
        assert population.startswith(f"{regimen.population} (the guideline gives no age")


def test_acute_flare_dose_is_4_to_5_mg_per_kg_a_day(bundle: Any) -> None:
    (entry,) = dosing_guidelines(bundle)[1]["dosage"]
    (dose,) = entry["dosage"][0]["doseAndRate"]
    assert [quantity(q) for q in dose["rateRange"].values()] == [(4.0, "mg/kg/d"), (5.0, "mg/kg/d")]
    assert [quantity(q) for q in dose["doseRange"].values()] == [(2.0, "mg/kg"), (2.5, "mg/kg")]


def test_licensed_from_16_years_as_an_age_characteristic_in_ucum_years(
    bundle: Any, csa: Drug
) -> None:
    licence = dosing_guidelines(bundle)[-1]
    assert licence["treatmentIntent"] == {"text": "licensed use"}
    assert "dosage" not in licence
    (age,) = licence["patientCharacteristic"]
    assert age["type"] == {"text": "age"}
    assert age["valueRange"] == {"low": {"value": 16, "unit": "a", "system": UCUM, "code": "a"}}
    (knowledge,) = resources(bundle, "MedicationKnowledge")
    (note,) = csa.licence.notes
    assert note.text in knowledge["text"]["div"]
    characteristics = knowledge["definitional"]["drugCharacteristic"]
    assert {"type": {"text": "licence"}, "valueString": note.text} in [
        {k: v for k, v in c.items() if k != "extension"} for c in characteristics
    ]


# --- synthetic dose shapes ----------------------------------------------------------------


@pytest.fixture(scope="module")
def example_bundle(csa: Drug) -> Any:
    return plain(to_bundle(examplumab(csa)))


def test_a_drug_with_every_dose_shape_gives_a_valid_bundle(example_bundle: Any) -> None:
    check_valid_r5(example_bundle)
    (knowledge,) = resources(example_bundle, "MedicationKnowledge")
    assert knowledge["id"] == "examplumab"
    assert knowledge["name"] == ["Examplumab", "EXA-1"]


def test_a_weekly_rate_is_per_kg_once_a_week(example_bundle: Any) -> None:
    (entry,) = dosing_guidelines(example_bundle)[0]["dosage"]
    (dosage,) = entry["dosage"]
    assert dosage["timing"] == {"repeat": {"frequency": 1, "period": 1, "periodUnit": "wk"}}
    (dose,) = dosage["doseAndRate"]
    assert [quantity(q) for q in dose["doseRange"].values()] == [(0.3, "mg/kg"), (0.4, "mg/kg")]
    assert [quantity(q) for q in dose["rateRange"].values()] == [
        (0.3, "mg/kg/wk"),
        (0.4, "mg/kg/wk"),
    ]


def test_a_fixed_dose_after_a_loading_dose_is_two_sequenced_dosages(example_bundle: Any) -> None:
    fixed = dosing_guidelines(example_bundle)[1]
    assert fixed["treatmentIntent"] == {"text": "acute flare, short-term"}
    loading, maintenance = fixed["dosage"]
    assert loading["type"] == {"text": "fixed (adults): loading dose"}
    (first,) = loading["dosage"]
    assert first["sequence"] == 1
    assert first["timing"] == {"repeat": {"count": 1}}
    assert [quantity(q) for q in first["doseAndRate"][0]["doseRange"].values()] == [
        (600, "mg"),
        (600, "mg"),
    ]
    (then,) = maintenance["dosage"]
    assert then["sequence"] == 2
    assert then["timing"] == {"repeat": {"frequency": 1, "period": 2, "periodUnit": "wk"}}
    assert [quantity(q) for q in then["doseAndRate"][0]["doseRange"].values()] == [
        (300, "mg"),
        (300, "mg"),
    ]
    assert "rateRange" not in then["doseAndRate"][0]


def test_each_weight_band_is_a_dosing_guideline_with_its_weight_range(
    example_bundle: Any,
) -> None:
    bands = dosing_guidelines(example_bundle)[2:5]
    weights = [b["patientCharacteristic"][1] for b in bands]
    assert all(w["type"] == {"text": "body weight"} for w in weights)
    assert [{k: quantity(q) for k, q in w["valueRange"].items()} for w in weights] == [
        {"high": (15, "kg")},
        {"low": (15, "kg"), "high": (30, "kg")},
        {"low": (30, "kg")},
    ]
    doses = [b["dosage"][1]["dosage"][0] for b in bands]
    assert [quantity(d["doseAndRate"][0]["doseRange"]["low"]) for d in doses] == [
        (100, "mg"),
        (200, "mg"),
        (1, "g"),
    ]
    assert [d["timing"]["repeat"]["period"] for d in doses] == [1, 2, 4]
    assert doses[1]["text"] == "by weight (children): 15 to below 30 kg: 200 mg every 2 weeks"
    for band in bands:
        assert band["dosage"][0]["dosage"][0]["timing"] == {"repeat": {"count": 1}}
        (cited,) = extensions(band, CITATION_EXTENSION_URL)
        assert cited["valueRelatedArtifact"]["resourceReference"]["reference"] == (
            "Citation/examplumab-reference-3"
        )


def test_a_rate_in_three_doses_is_divided_by_three(example_bundle: Any) -> None:
    (entry,) = dosing_guidelines(example_bundle)[5]["dosage"]
    (dose,) = entry["dosage"][0]["doseAndRate"]
    assert dose["doseRange"]["low"]["value"] == 1 / 3  # the nearest float: it does not end
    assert dose["doseRange"]["high"]["value"] == 2 / 3
    assert [q["value"] for q in dose["rateRange"].values()] == [1, 2]


@pytest.mark.parametrize(
    ("low", "high", "doses", "per_dose"),
    [
        (0.3, 0.6, 3, (0.1, 0.2)),  # float division gives 0.09999999999999999
        (0.7, 2.1, 7, (0.1, 0.3)),
        (2.5, 5, 2, (1.25, 2.5)),
        (1, 2, 3, (1 / 3, 2 / 3)),
    ],
)
def test_a_division_that_ends_gives_the_number_it_ends_on(
    csa: Drug, low: float, high: float, doses: int, per_dose: tuple[float, float]
) -> None:
    regimen = DoseRegimen(
        Population.ADULT, None, "divided (adults)", DoseRate(low, high), doses, "Dosage (synthetic)"
    )
    bundle = plain(to_bundle(attrs.evolve(examplumab(csa), regimens=(regimen,))))
    (entry,) = dosing_guidelines(bundle)[0]["dosage"]
    (dose,) = entry["dosage"][0]["doseAndRate"]
    assert (dose["doseRange"]["low"]["value"], dose["doseRange"]["high"]["value"]) == per_dose
    assert str(per_dose[0]) in json.dumps(dose)  # the shortest float, no noise


# --- ClinicalUseDefinition ----------------------------------------------------------------


def test_uva_uvb_and_puva_are_contraindicated_with_the_skin_cancer_reason(bundle: Any) -> None:
    resource = by_id(bundle, "ClinicalUseDefinition", "ciclosporin-contraindication")
    assert resource["type"] == "contraindication"
    assert resource["subject"] == [
        {"reference": "Medication/ciclosporin", "display": "ciclosporin"}
    ]
    therapies = resource["contraindication"]["otherTherapy"]
    assert [t["treatment"]["concept"]["text"] for t in therapies] == ["UVA", "UVB", "PUVA"]
    for therapy in therapies:
        assert codings(therapy["relationshipType"]) == [
            ("http://hl7.org/fhir/therapy-relationship-type", "contraindicated-only-with")
        ]
    # The reason has no element in a contraindication: the combination warning carries it.
    assert "skin cancer" not in resource["text"]["div"]
    assert "Ciclosporin should not be combined with UVA, UVB and PUVA." in resource["text"]["div"]
    warning = by_id(bundle, "ClinicalUseDefinition", "ciclosporin-warning-combination")
    csa = ae_systemic.drug("ciclosporin")
    avoid = [c for c in csa.combinations if c.advice is CombinationAdvice.AVOID]
    assert [c.therapy for c in avoid] == ["UVA", "UVB", "PUVA"]
    assert warning["warning"]["description"] == " ".join(c.sentence(csa.name) for c in avoid)
    assert (
        warning["text"]["div"].count("a potentially increased risk of developing skin cancer") == 3
    )


def test_cyp3a4_p_gp_and_oatp_are_interactants_of_one_interaction(bundle: Any, csa: Drug) -> None:
    resource = by_id(bundle, "ClinicalUseDefinition", "ciclosporin-interaction")
    interaction = resource["interaction"]
    assert [i["itemCodeableConcept"]["text"] for i in interaction["interactant"]] == [
        i.target for i in csa.interactions
    ]
    assert interaction["type"] == {"text": "inhibitor"}
    assert interaction["effect"]["concept"]["text"] == csa.interactions[0].consequence


def test_pregnancy_warning_cites_reference_14(bundle: Any) -> None:
    resource = by_id(bundle, "ClinicalUseDefinition", "ciclosporin-warning-pregnancy")
    assert resource["type"] == "warning"
    assert resource["category"] == [{"text": "pregnancy"}]
    assert "low birthweight" in resource["warning"]["description"]
    cited = extensions(resource, CITATION_EXTENSION_URL)
    assert [c["valueRelatedArtifact"]["label"] for c in cited] == ["14"]


def test_monitoring_and_screening_warnings_carry_the_checks_and_tests(bundle: Any) -> None:
    monitoring = by_id(bundle, "ClinicalUseDefinition", "ciclosporin-warning-monitoring")
    description = monitoring["warning"]["description"]
    assert description.startswith("Monitoring of blood pressure, full blood count, renal profile")
    assert "at baseline, after 4 weeks, then every 3 months." in description
    screening = by_id(bundle, "ClinicalUseDefinition", "ciclosporin-warning-screening")
    assert screening["warning"]["description"].startswith(
        "Screening for hepatitis B, hepatitis C and HIV before therapy should be considered."
    )


def test_the_warnings_word_monitoring_and_screening_as_the_model_does(bundle: Any) -> None:
    csa = ae_systemic.drug("ciclosporin")
    monitoring = by_id(bundle, "ClinicalUseDefinition", "ciclosporin-warning-monitoring")
    screening = by_id(bundle, "ClinicalUseDefinition", "ciclosporin-warning-screening")
    assert monitoring["warning"]["description"].startswith(csa.monitoring.summary)
    assert csa.monitoring.note in monitoring["warning"]["description"]
    assert screening["warning"]["description"] == csa.screening.summary


def test_safety_and_children_warnings_cite_their_references(bundle: Any) -> None:
    safety = by_id(bundle, "ClinicalUseDefinition", "ciclosporin-warning-safety")
    labels = [
        e["valueRelatedArtifact"]["label"] for e in extensions(safety, CITATION_EXTENSION_URL)
    ]
    assert labels == ["4", "11", "12"]
    children = by_id(
        bundle, "ClinicalUseDefinition", "ciclosporin-warning-children-and-adolescents"
    )
    labels = [
        e["valueRelatedArtifact"]["label"] for e in extensions(children, CITATION_EXTENSION_URL)
    ]
    assert labels == ["3", "5", "13"]


# --- Evidence -----------------------------------------------------------------------------


def test_higher_dose_signs_is_smd_minus_1_from_minus_1_6_to_minus_0_4_moderate(
    bundle: Any,
) -> None:
    evidence = by_id(bundle, "Evidence", "ciclosporin-signs-higher-dose")
    (statistic,) = evidence["statistic"]
    assert codings(statistic["statisticType"]) == [
        ("http://terminology.hl7.org/CodeSystem/statistic-type", "0000100")
    ]
    assert statistic["statisticType"]["coding"][0]["display"] == "Standardized Mean Difference"
    assert statistic["quantity"] == {"value": -1.0}
    (interval,) = statistic["attributeEstimate"]
    # The source prints the interval without naming its level (or its kind): no level, no
    # type code, and a description that says so.
    assert interval == {
        "description": INTERVAL_AS_PRINTED,
        "range": {"low": {"value": -1.6}, "high": {"value": -0.4}},
    }
    (certainty,) = evidence["certainty"]
    assert codings(certainty["rating"]) == [("http://hl7.org/fhir/certainty-rating", "moderate")]
    assert codings(certainty["type"]) == [("http://hl7.org/fhir/certainty-type", "Overall")]


def test_every_estimate_keeps_its_numbers_certainty_and_variables(bundle: Any, csa: Drug) -> None:
    estimates = resources(bundle, "Evidence")[: len(csa.evidence)]
    for estimate, evidence in zip(csa.evidence, estimates, strict=True):
        (statistic,) = evidence["statistic"]
        assert statistic["quantity"]["value"] == estimate.estimate
        bounds = statistic["attributeEstimate"][0]["range"]
        assert (bounds["low"]["value"], bounds["high"]["value"]) == (
            estimate.ci_low,
            estimate.ci_high,
        )
        rating = evidence["certainty"][0]["rating"]
        assert rating["coding"][0]["code"] == estimate.certainty.value
        assert rating["text"] == str(estimate.certainty)
        roles = {
            v["variableRole"]["coding"][0]["code"]: v["description"]
            for v in evidence["variableDefinition"]
        }
        assert roles == {
            "exposure": f"ciclosporin, {estimate.dose_level}",
            "referenceExposure": "placebo",
            "measuredVariable": f"{estimate.outcome}, up to 16 weeks",
        }
        cited = [a["resourceReference"]["reference"] for a in evidence["relatedArtifact"]]
        assert cited == ["Citation/ciclosporin-reference-1", "Citation/ciclosporin-reference-2"]


def test_certainty_codes_are_exactly_the_certainty_values() -> None:
    displays = {"high", "moderate", "low", "very-low"}
    assert {c.value for c in Certainty} == displays


# --- PlanDefinition -----------------------------------------------------------------------


def strength_of(action: Any) -> Any:
    (strength,) = extensions(action, STRENGTH_URL)
    return strength["valueCodeableConcept"]


def test_one_clinical_protocol_with_an_action_per_recommendation(bundle: Any, csa: Drug) -> None:
    (plan,) = resources(bundle, "PlanDefinition")
    assert plan["status"] == "active"
    assert codings(plan["type"]) == [
        ("http://terminology.hl7.org/CodeSystem/plan-definition-type", "clinical-protocol")
    ]
    recommendations = plan["action"][: len(csa.recommendations)]
    assert [a["description"] for a in recommendations] == [r.statement for r in csa.recommendations]
    assert [a["title"] for a in recommendations] == [f"Recommendation {n}" for n in (1, 2, 3, 4)]


def test_each_combination_to_use_is_an_action_with_its_condition_reason_and_references(
    csa: Drug,
) -> None:
    wet_wraps = Combination(
        "wet wraps",
        CombinationAdvice.RECOMMENDED,
        "Combination (synthetic)",
        (9, 10),
        condition="in flares",
        reason="a faster response",
    )
    drug = attrs.evolve(
        examplumab(csa), recommendations=(), combinations=(*csa.combinations, wet_wraps)
    )
    bundle = plain(to_bundle(drug))
    check_valid_r5(bundle)
    (plan,) = resources(bundle, "PlanDefinition")
    actions = plan["action"]
    to_use = [c for c in drug.combinations if c.advice is CombinationAdvice.RECOMMENDED]
    assert [c.therapy for c in to_use] == [
        "emollients",
        "topical anti-inflammatory treatment",
        "wet wraps",
    ]
    assert [a["linkId"] for a in actions] == ["combination-1", "combination-2", "combination-3"]
    assert [a["description"] for a in actions] == [c.sentence(drug.name) for c in to_use]
    assert actions[2]["description"] == (
        "Combine Examplumab with wet wraps (in flares), because of a faster response."
    )
    assert actions[2]["title"] == "Combination with wet wraps (in flares)"
    assert actions[2]["reason"] == [{"text": "a faster response"}]
    assert "reason" not in actions[0]
    assert [d["resourceReference"]["reference"] for d in actions[2]["documentation"]] == [
        "Citation/examplumab-reference-9",
        "Citation/examplumab-reference-10",
    ]
    for action in actions:  # the source gives the advice no strength: none is coded
        assert strength_of(action) == {"text": "not stated"}
        assert extensions(action, DIRECTION_URL) == []
    assert "Combine Examplumab with wet wraps (in flares)" in plan["text"]["div"]


def test_double_up_arrows_are_strong_for(bundle: Any) -> None:
    (plan,) = resources(bundle, "PlanDefinition")
    for action in plan["action"][:3]:
        assert codings(strength_of(action)) == [(STRENGTH_SYSTEM, "strong")]
        (direction,) = extensions(action, DIRECTION_URL)
        assert codings(direction["valueCodeableConcept"]) == [(DIRECTION_SYSTEM, "for")]


def test_consensus_keeps_percent_bound_and_basis(bundle: Any) -> None:
    (plan,) = resources(bundle, "PlanDefinition")
    found = []
    for action in plan["action"][:3]:
        (consensus,) = extensions(action, CONSENSUS_EXTENSION_URL)
        parts = {
            e["url"]: next(v for k, v in e.items() if k != "url") for e in consensus["extension"]
        }
        found.append(parts)
    assert found == [
        {"percent": 75, "bound": "more-than", "basis": "evidence-and-consensus"},
        {"percent": 100, "bound": "exactly", "basis": "expert-consensus"},
        {"percent": 100, "bound": "exactly", "basis": "expert-consensus"},
    ]
    assert {b.value for b in ConsensusBound} == {"more-than", "exactly"}
    assert {b.value for b in ConsensusBasis} == {"evidence-and-consensus", "expert-consensus"}


def test_the_unboxed_recommendation_has_no_strength_code_and_says_not_stated(bundle: Any) -> None:
    (plan,) = resources(bundle, "PlanDefinition")
    fourth = plan["action"][3]
    assert strength_of(fourth) == {"text": "not stated"}
    assert extensions(fourth, DIRECTION_URL) == []
    assert extensions(fourth, CONSENSUS_EXTENSION_URL) == []
    assert not [v for k, v in walk(fourth) if k == "coding"]
    assert "strength and consensus are therefore not stated" in fourth["textEquivalent"]


@pytest.mark.parametrize(
    ("strength", "code", "direction"),
    [
        (Strength.STRONG_FOR, "strong", "for"),
        (Strength.WEAK_FOR, "weak", "for"),
        (Strength.OPEN, None, None),
        (Strength.WEAK_AGAINST, "weak", "against"),
        (Strength.STRONG_AGAINST, "strong", "against"),
    ],
)
def test_each_arrow_maps_to_strength_and_direction(
    csa: Drug, strength: Strength, code: str | None, direction: str | None
) -> None:
    first = attrs.evolve(csa.recommendations[0], strength=strength)
    drug = attrs.evolve(csa, recommendations=(first,), combinations=())
    bundle = plain(to_bundle(drug))
    check_valid_r5(bundle)
    (plan,) = resources(bundle, "PlanDefinition")
    (action,) = plan["action"]
    concept = strength_of(action)
    assert concept["text"] == f"{strength.symbol} ({strength.wording})"
    assert codings(concept) == ([] if code is None else [(STRENGTH_SYSTEM, code)])
    directions = [codings(e["valueCodeableConcept"]) for e in extensions(action, DIRECTION_URL)]
    assert directions == ([] if direction is None else [[(DIRECTION_SYSTEM, direction)]])


def test_see_also_is_documentation_and_references_are_citations(csa: Drug) -> None:
    first = attrs.evolve(csa.recommendations[0], references=(9, 10))
    bundle = plain(to_bundle(attrs.evolve(csa, recommendations=(first,))))
    check_valid_r5(bundle)
    (plan,) = resources(bundle, "PlanDefinition")
    documentation = plan["action"][0]["documentation"]
    assert [d["type"] for d in documentation] == ["citation", "citation", "documentation"]
    assert documentation[0]["resourceReference"]["reference"] == "Citation/ciclosporin-reference-9"
    assert documentation[2]["display"] == "Evidence Report"


# --- Citation -----------------------------------------------------------------------------


def test_every_reference_is_a_citation_with_title_authors_and_year(bundle: Any, csa: Drug) -> None:
    for ref, citation in zip(csa.references, resources(bundle, "Citation"), strict=True):
        assert citation["status"] == "active"
        assert citation["title"] == ref.title
        artifact = citation["citedArtifact"]
        assert artifact["title"] == [{"text": ref.title}]
        assert artifact["contributorship"] == {"summary": [{"value": ref.authors}]}
        assert artifact["publicationForm"] == [{"publicationDateText": str(ref.year)}]
        assert citation["summary"] == [{"text": str(ref)}]


def test_reference_2_has_its_web_location_and_access_date(bundle: Any) -> None:
    artifact = by_id(bundle, "Citation", "ciclosporin-reference-2")["citedArtifact"]
    assert artifact["webLocation"] == [{"url": "https://eczematherapies.com/research/"}]
    assert artifact["dateAccessed"] == "2025-05-12"
    assert (
        "webLocation" not in by_id(bundle, "Citation", "ciclosporin-reference-1")["citedArtifact"]
    )


# --- guideline ----------------------------------------------------------------------------


def test_a_guideline_bundle_holds_the_same_resources_as_its_drugs_plus_the_guideline(
    bundle: Any,
) -> None:
    guideline = ae_systemic.guideline()
    whole = plain(to_bundle(guideline))
    assert whole["type"] == "collection"
    citation = by_id(whole, "Citation", "guideline")
    assert citation["title"] == guideline.title
    assert whole["entry"][1:] == bundle["entry"]


def test_a_guideline_with_two_drugs_keeps_ids_unique_and_references_resolving(csa: Drug) -> None:
    guideline = attrs.evolve(ae_systemic.guideline(), drugs=(csa, examplumab(csa)))
    whole = plain(to_bundle(guideline))
    check_valid_r5(whole)
    assert len(resources(whole, "MedicationKnowledge")) == 2
    assert len(resources(whole, "Citation")) == 1 + 2 * 14


def test_a_long_name_gives_ids_of_at_most_64_characters(csa: Drug) -> None:
    drug = attrs.evolve(csa, name="Examplumab " * 8, synonyms=())
    whole = plain(to_bundle(drug))
    check_valid_r5(whole)
    for resource in [whole, *resources(whole)]:
        assert FHIR_ID.fullmatch(resource["id"]), resource["id"]


def test_names_that_make_the_same_id_are_numbered(csa: Drug) -> None:
    pregnancy = csa.special_populations[1]
    statement = attrs.evolve(pregnancy.statements[0], key="twin", references=())
    twin = attrs.evolve(pregnancy, group="Pregnancy!", statements=(statement,))
    placebo = csa.evidence[0]
    vehicle = attrs.evolve(placebo, comparator="vehicle")
    first = attrs.evolve(
        examplumab(csa),
        special_populations=(*csa.special_populations, twin),
        evidence=(placebo, vehicle),
    )
    second = attrs.evolve(first, name="Examplumab.", synonyms=())
    guideline = attrs.evolve(ae_systemic.guideline(), drugs=(first, second))
    whole = plain(to_bundle(guideline))
    check_valid_r5(whole)
    assert [r["id"] for r in resources(whole, "MedicationKnowledge")] == [
        "examplumab",
        "examplumab-2",
    ]
    warnings = [r["id"] for r in resources(whole, "ClinicalUseDefinition")]
    assert "examplumab-warning-pregnancy-2" in warnings
    assert [r["id"] for r in resources(whole, "Evidence")][:2] == [
        "examplumab-signs-higher-dose",
        "examplumab-signs-higher-dose-2",
    ]


def test_ids_made_alike_by_two_drugs_are_numbered_across_the_bundle(csa: Drug) -> None:
    """Drug ``Exampla`` with key ``xr.switch`` and drug ``Exampla XR`` with key ``switch``."""
    first = attrs.evolve(
        examplumab(csa),
        name="Exampla",
        synonyms=(),
        efficacy=(Statement("xr.switch", "Switch to XR.", "x"),),
    )
    second = attrs.evolve(
        examplumab(csa),
        name="Exampla XR",
        synonyms=(),
        efficacy=(Statement("switch", "Switch.", "x"),),
    )
    whole = plain(to_bundle(attrs.evolve(ae_systemic.guideline(), drugs=(first, second))))
    check_valid_r5(whole)
    for resource_type in ("Evidence", "ClinicalUseDefinition", "ResearchStudy", "Citation"):
        found = [r["id"] for r in resources(whole, resource_type)]
        assert len(set(found)) == len(found), resource_type
    assert by_id(whole, "Evidence", "exampla-xr-switch")["assertion"] == "Switch to XR."
    assert by_id(whole, "Evidence", "exampla-xr-switch-2")["assertion"] == "Switch."
    # Each drug's resources keep their own ids, or the first free one: the first drug's are
    # exactly those of its bundle alone.
    alone = plain(to_bundle(first))
    assert [e["fullUrl"] for e in alone["entry"]] == [
        e["fullUrl"] for e in whole["entry"][1 : 1 + len(alone["entry"])]
    ]


def test_two_comparisons_of_one_trial_are_one_study_with_every_arm(csa: Drug) -> None:
    (treat,) = [c for c in csa.comparisons if c.trial is not None]
    finding = Statement("treat.c", "Arm C finding.", "Efficacy (synthetic)", (11,))
    arm_c = attrs.evolve(treat, key="treat-c", comparator=Arm("exampladrug"), findings=(finding,))
    drug = attrs.evolve(examplumab(csa), comparisons=(treat, arm_c))
    bundle = plain(to_bundle(drug))
    check_valid_r5(bundle)
    (study,) = resources(bundle, "ResearchStudy")
    assert study["id"] == "examplumab-study-treat"
    assert study["title"] == "TREAT"
    assert study["recruitment"] == {"actualNumber": 103}
    assert [(g["linkId"], g["description"]) for g in study["comparisonGroup"]] == [
        ("intervention", str(treat.intervention)),
        ("comparator", str(treat.comparator)),
        ("comparator-2", "exampladrug"),
    ]
    for comparison in drug.comparisons:
        evidence = by_id(bundle, "Evidence", f"examplumab-comparison-{comparison.key}")
        (derived,) = [a for a in evidence["relatedArtifact"] if a["type"] == "derived-from"]
        assert derived["resourceReference"]["reference"] == "ResearchStudy/examplumab-study-treat"
    # Counts that differ (two analyses of one trial) are not made one: each stays in words.
    smaller = attrs.evolve(arm_c, participants=60)
    bundle = plain(to_bundle(attrs.evolve(drug, comparisons=(treat, smaller))))
    (study,) = resources(bundle, "ResearchStudy")
    assert "recruitment" not in study
    assert "n=103" in study["text"]["div"]
    assert "n=60" in study["text"]["div"]


def empty_parts(csa: Drug) -> Drug:
    """A synthetic drug whose data has a comparison without findings and a group without
    statements, which a data pack may hold."""
    bare = attrs.evolve(csa.comparisons[0], findings=())
    return attrs.evolve(
        examplumab(csa),
        comparisons=(bare, *csa.comparisons[1:]),
        special_populations=(*csa.special_populations, SpecialPopulation("elderly", ())),
    )


@pytest.mark.parametrize("whole", [False, True], ids=["drug", "guideline"])
def test_no_string_in_a_bundle_is_empty_even_for_empty_parts_of_the_data(
    csa: Drug, whole: bool
) -> None:
    drug = empty_parts(csa)
    subject = attrs.evolve(ae_systemic.guideline(), drugs=(csa, drug)) if whole else drug
    bundle = plain(to_bundle(subject))
    check_valid_r5(bundle)
    empty = [key for key, value in walk(bundle) if value in ("", [], {}, None)]
    assert not empty


def test_a_comparison_without_findings_has_no_assertion_but_its_summary(csa: Drug) -> None:
    drug = empty_parts(csa)
    bundle = plain(to_bundle(drug))
    bare = drug.comparisons[0]
    evidence = by_id(bundle, "Evidence", f"examplumab-comparison-{bare.key.replace('.', '-')}")
    assert "assertion" not in evidence
    assert evidence["description"] == bare.summary
    warning = by_id(bundle, "ClinicalUseDefinition", "examplumab-warning-elderly")
    assert warning["warning"] == {"code": {"text": "elderly"}}
    assert "The data gives no statement for this group." in warning["text"]["div"]


def test_a_drug_name_gives_the_bundle_of_that_drug() -> None:
    assert to_bundle("CsA") == to_bundle(ae_systemic.drug("ciclosporin"))


def test_an_unknown_name_is_an_unknown_drug() -> None:
    with pytest.raises(ae_systemic.UnknownDrugError):
        to_bundle("cyclosporin X")


@pytest.mark.parametrize("value", [None, 5, b"ciclosporin", ["ciclosporin"]], ids=repr)
def test_anything_else_is_a_type_error(value: object) -> None:
    with pytest.raises(ae_systemic.ArgumentTypeError, match="expected a Drug, a drug name or"):
        to_bundle(value)  # type: ignore[arg-type]


# --- the core stays light -----------------------------------------------------------------


def test_importing_the_package_and_the_fhir_module_imports_no_fhir_library() -> None:
    code = (
        "import sys, ae_systemic, ae_systemic.fhir; "
        "ae_systemic.fhir.to_bundle(ae_systemic.drug('ciclosporin')); "
        "ae_systemic.fhir.to_definitions(); "
        "heavy = [m for m in sys.modules if m.split('.')[0] in ('fhir', 'fhir_core', 'pydantic')]; "
        "print(heavy)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
