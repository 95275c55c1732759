"""Every fact of the section is in the FHIR bundle, in the resource a FHIR user looks in.

The statements (mechanism, efficacy, safety, licence notes, special populations, the
findings of the comparisons), the recommendations, the references and the comparisons all
appear in the bundle; and each kind of fact sits in its documented home: the mechanism and
the licence notes in ``MedicationKnowledge.definitional.drugCharacteristic``, an efficacy
statement in an ``Evidence`` of its own, a comparison in an ``Evidence`` with its population,
arms, design and findings, a named trial in a ``ResearchStudy``, the network meta-analysis
in the ``Evidence.description`` of each estimate.  The expected values come from the model,
never from sentences written here.
"""

from __future__ import annotations

import json
from typing import Any

import attrs
import pytest

from ae_systemic import Drug
from ae_systemic._text import cited
from ae_systemic.fhir import to_bundle
from test_fhir import by_id, check_valid_r5, extensions, plain, resources

CITATION_EXTENSION_URL = "http://hl7.org/fhir/StructureDefinition/artifact-relatedArtifact"


@pytest.fixture(scope="module")
def text(bundle: Any) -> str:
    """The bundle as JSON text, as a reader of the file sees it."""
    return json.dumps(bundle, ensure_ascii=False)


def quoted(value: str) -> str:
    """``value`` as it appears inside a JSON string."""
    return json.dumps(value, ensure_ascii=False)[1:-1]


def roles(evidence: Any) -> dict[str, str]:
    return {
        v["variableRole"]["coding"][0]["code"]: v["description"]
        for v in evidence["variableDefinition"]
    }


def cited_numbers(artifacts: list[Any]) -> list[int]:
    return [int(a["label"]) for a in artifacts if a["type"] == "citation"]


# --- everything is there ------------------------------------------------------------------


def test_every_statement_of_the_drug_is_in_the_bundle(csa: Drug, text: str) -> None:
    assert len(csa.statements) > 20
    missing = [s.key for s in csa.statements if quoted(s.text) not in text]
    assert not missing


def test_every_recommendation_reference_and_comparison_is_in_the_bundle(
    csa: Drug, text: str
) -> None:
    for rec in csa.recommendations:
        assert quoted(rec.statement) in text
    for ref in csa.references:
        assert quoted(ref.title) in text
        assert quoted(str(ref)) in text
    for comparison in csa.comparisons:
        assert quoted(comparison.summary) in text
        assert quoted(str(comparison.intervention)) in text
        assert quoted(str(comparison.comparator)) in text
        assert quoted(comparison.design) in text
        assert quoted(comparison.population) in text
        for finding in comparison.findings:
            assert quoted(finding.text) in text


def test_every_other_fact_is_in_the_bundle(csa: Drug, text: str) -> None:
    facts = [regimen.note for regimen in csa.regimens if regimen.note]
    facts += [csa.monitoring.summary, csa.monitoring.note, csa.screening.summary]
    facts += [c.sentence(csa.name) for c in csa.combinations]
    facts += [i.target for i in csa.interactions] + [i.consequence for i in csa.interactions]
    facts += [e.analysis for e in csa.evidence]
    for fact in facts:
        assert quoted(fact) in text, fact


# --- each in its home ---------------------------------------------------------------------


def test_the_mechanism_and_the_licence_notes_are_characteristics_of_the_drug(
    bundle: Any, csa: Drug
) -> None:
    (knowledge,) = resources(bundle, "MedicationKnowledge")
    characteristics = knowledge["definitional"]["drugCharacteristic"]
    found = [(c["type"]["text"], c["valueString"]) for c in characteristics]
    assert found == [("mechanism of action", s.text) for s in csa.mechanism] + [
        ("licence", s.text) for s in csa.licence.notes
    ]
    for characteristic, statement in zip(
        characteristics, [*csa.mechanism, *csa.licence.notes], strict=True
    ):
        cited_here = [
            int(e["valueRelatedArtifact"]["label"])
            for e in extensions(characteristic, CITATION_EXTENSION_URL)
        ]
        assert cited_here == sorted(statement.references)


def test_each_efficacy_statement_is_an_evidence_assertion_with_its_citations(
    bundle: Any, csa: Drug
) -> None:
    for statement in csa.efficacy:
        evidence = by_id(bundle, "Evidence", f"ciclosporin-{statement.key.replace('.', '-')}")
        assert evidence["assertion"] == statement.text
        assert roles(evidence) == {"exposure": csa.name}
        assert cited_numbers(evidence.get("relatedArtifact", [])) == sorted(statement.references)


def test_each_comparison_is_an_evidence_with_population_arms_design_and_findings(
    bundle: Any, csa: Drug
) -> None:
    assert len(csa.comparisons) == 9
    for comparison in csa.comparisons:
        evidence = by_id(
            bundle, "Evidence", f"ciclosporin-comparison-{comparison.key.replace('.', '-')}"
        )
        assert evidence["description"] == comparison.summary
        assert roles(evidence) == {
            "population": comparison.population,
            "exposure": str(comparison.intervention),
            "referenceExposure": str(comparison.comparator),
        }
        assert evidence["studyDesign"] == [{"text": comparison.design}]
        assert evidence["assertion"] == " ".join(
            cited(f.text, f.references) for f in comparison.findings
        )
        assert cited_numbers(evidence["relatedArtifact"]) == list(comparison.references)


def test_treat_is_a_research_study_with_its_arms_doses_and_participants(
    bundle: Any, csa: Drug
) -> None:
    (treat,) = [c for c in csa.comparisons if c.trial is not None]
    assert treat.participants is not None
    assert treat.intervention.dose is not None
    assert treat.comparator.dose is not None
    (study,) = resources(bundle, "ResearchStudy")
    assert study["title"] == treat.trial
    assert study["recruitment"] == {"actualNumber": treat.participants}
    assert [(g["name"], g["description"]) for g in study["comparisonGroup"]] == [
        (treat.intervention.treatment, str(treat.intervention)),
        (treat.comparator.treatment, str(treat.comparator)),
    ]
    assert str(treat.intervention.dose) in study["comparisonGroup"][0]["description"]
    assert str(treat.comparator.dose) in study["comparisonGroup"][1]["description"]
    assert study["studyDesign"] == [{"text": treat.design}]
    assert cited_numbers(study["relatedArtifact"]) == list(treat.references)
    evidence = by_id(bundle, "Evidence", f"ciclosporin-comparison-{treat.key}")
    derived = [a for a in evidence["relatedArtifact"] if a["type"] == "derived-from"]
    assert derived == [
        {
            "type": "derived-from",
            "resourceReference": {
                "reference": f"ResearchStudy/{study['id']}",
                "display": treat.trial,
            },
        }
    ]


def test_the_network_meta_analysis_is_the_description_of_each_estimate(
    bundle: Any, csa: Drug
) -> None:
    estimates = resources(bundle, "Evidence")[: len(csa.evidence)]
    assert [e["description"] for e in estimates] == [e.analysis for e in csa.evidence]


def test_the_combinations_to_avoid_are_coded_and_worded_with_their_reason(
    bundle: Any, csa: Drug
) -> None:
    avoid = [c for c in csa.combinations if c.reason]
    coded = by_id(bundle, "ClinicalUseDefinition", "ciclosporin-contraindication")
    therapies = coded["contraindication"]["otherTherapy"]
    assert [t["treatment"]["concept"]["text"] for t in therapies] == [c.therapy for c in avoid]
    worded = by_id(bundle, "ClinicalUseDefinition", "ciclosporin-warning-combination")
    assert worded["warning"]["description"] == " ".join(c.sentence(csa.name) for c in avoid)
    assert worded["category"] == [{"text": "combination"}]


def test_a_trial_without_a_name_but_with_participants_still_gets_a_study(csa: Drug) -> None:
    unnamed = attrs.evolve(csa.comparisons[0], participants=40)
    drug = attrs.evolve(csa, comparisons=(unnamed, *csa.comparisons[1:]))
    found = plain(to_bundle(drug))
    check_valid_r5(found)
    studies = resources(found, "ResearchStudy")
    assert [s["id"] for s in studies] == [
        f"ciclosporin-study-{unnamed.key.replace('.', '-')}",
        "ciclosporin-study-treat",
    ]
    assert "title" not in studies[0]
    assert studies[0]["recruitment"] == {"actualNumber": 40}
