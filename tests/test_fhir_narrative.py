"""FHIR narratives: every resource has one, generated, safe XHTML in the model's own words.

Each resource's ``text`` has status ``generated`` and a ``div`` that parses as XML in the
XHTML namespace and uses only the few plain elements FHIR narratives allow.  Content is
data, so a synthetic drug whose texts hold markup, ampersands, quotes and characters XML
cannot carry must come out escaped, reading back as its own text.  The narratives say what
the model says, in its wording (``str(regimen)``, the regimen's note, ``Monitoring.summary``,
``str(EffectEstimate)`` ...), and no narrative names an interval level the source does not
state.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings

import ae_systemic
from ae_systemic import Drug, Guideline
from ae_systemic._text import INTERVAL_AS_PRINTED, cited, interval
from ae_systemic.fhir import to_bundle, to_definitions
from strategies import guidelines
from test_fhir import by_id, check_valid_r5, plain, resources, walk

XHTML = "{http://www.w3.org/1999/xhtml}"
#: The elements the narratives use: plain paragraphs, bold labels, lists and line breaks.
ALLOWED_TAGS = {f"{XHTML}{tag}" for tag in ("div", "p", "b", "ul", "li", "br")}
DOCS_FHIR = Path(__file__).resolve().parent.parent / "docs" / "fhir.md"

#: Hostile text the model can hold: markup, quotes, a noncharacter (control characters are
#: refused by the model itself, see test_schema.py).
EVIL = "<script>alert(1)</script> & \"double\" 'single' \ufffe \uffff end"
#: How EVIL reads back from a narrative: the characters XML cannot carry become U+FFFD.
EVIL_READ = re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]", "\ufffd", EVIL)


# --- helpers ------------------------------------------------------------------------------


def narrative_problems(narrative: Any) -> list[str]:
    """What is wrong with a narrative: status, XML, namespace, elements, attributes, content."""
    problems = []
    if narrative.get("status") != "generated":
        problems.append(f"status {narrative.get('status')!r}")
    try:
        root = ET.fromstring(narrative["div"])
    except ET.ParseError as error:
        return [*problems, f"not XML: {error}"]
    if root.tag != f"{XHTML}div":
        problems.append(f"root {root.tag}")
    for element in root.iter():
        if element.tag not in ALLOWED_TAGS:
            problems.append(f"element {element.tag}")
        if element.attrib:
            problems.append(f"attributes {element.attrib}")
    if not "".join(root.itertext()).strip():
        problems.append("no text")
    return problems


def narrative_text(resource: Any) -> str:
    """The text a reader sees in the resource's narrative (markup and escapes undone)."""
    return "".join(ET.fromstring(resource["text"]["div"]).itertext())


def all_narrative_text(bundle: Any) -> str:
    return "\n".join(narrative_text(r) for r in resources(bundle))


# --- every resource has a generated, well-formed narrative --------------------------------


def test_the_checker_would_catch_a_bad_narrative() -> None:
    div = '<div xmlns="http://www.w3.org/1999/xhtml">{}</div>'
    assert narrative_problems({"status": "generated", "div": div.format("<p>fine</p>")}) == []
    assert narrative_problems({"status": "additional", "div": div.format("<p>x</p>")})
    assert narrative_problems({"status": "generated", "div": div.format("<script>x</script>")})
    assert narrative_problems({"status": "generated", "div": div.format("<p>a & b</p>")})
    assert narrative_problems({"status": "generated", "div": div.format("<p>nul\x00</p>")})
    assert narrative_problems({"status": "generated", "div": div.format('<p id="x">x</p>')})
    assert narrative_problems({"status": "generated", "div": "<div><p>no namespace</p></div>"})
    assert narrative_problems({"status": "generated", "div": div.format("<p> </p>")})


@pytest.mark.parametrize("subject", ["drug", "guideline", "definitions"])
def test_every_resource_has_a_generated_narrative_in_xhtml(subject: str, csa: Drug) -> None:
    makers: dict[str, Callable[[], dict[str, ae_systemic.JSONValue]]] = {
        "drug": lambda: to_bundle(csa),
        "guideline": lambda: to_bundle(ae_systemic.guideline()),
        "definitions": to_definitions,
    }
    made = makers[subject]()
    found = plain(made)
    assert resources(found)
    problems = {
        f"{r['resourceType']}/{r['id']}": narrative_problems(r["text"])
        for r in resources(found)
        if "text" not in r or narrative_problems(r["text"])
    }
    assert not problems


# --- the narratives use the model's wording -----------------------------------------------


def test_the_knowledge_narrative_gives_each_regimen_with_its_note(bundle: Any, csa: Drug) -> None:
    text = narrative_text(bundle["entry"][0]["resource"])
    notes = [regimen.note for regimen in csa.regimens if regimen.note]
    assert notes  # the acute and long-term ranges say where "2 single doses" comes from
    for regimen in csa.regimens:
        assert cited(str(regimen), regimen.references) in text
        if regimen.note:
            assert regimen.note in text
    for statement in [*csa.mechanism, *csa.licence.notes]:
        assert cited(statement.text, statement.references) in text


def test_the_warnings_narrate_the_models_summaries(bundle: Any, csa: Drug) -> None:
    monitoring = by_id(bundle, "ClinicalUseDefinition", "ciclosporin-warning-monitoring")
    assert cited(csa.monitoring.summary, csa.monitoring.references) in narrative_text(monitoring)
    assert csa.monitoring.note in narrative_text(monitoring)
    screening = by_id(bundle, "ClinicalUseDefinition", "ciclosporin-warning-screening")
    assert cited(csa.screening.summary, csa.screening.references) in narrative_text(screening)
    interaction = by_id(bundle, "ClinicalUseDefinition", "ciclosporin-interaction")
    for item in csa.interactions:
        assert cited(item.summary, item.references) in narrative_text(interaction)
    combination = by_id(bundle, "ClinicalUseDefinition", "ciclosporin-warning-combination")
    for advice in csa.combinations:
        if advice.reason:
            assert advice.sentence(csa.name) in narrative_text(combination)
    for statement in [*csa.safety, *(s for p in csa.special_populations for s in p.statements)]:
        assert cited(statement.text, statement.references) in all_narrative_text(bundle)


def test_the_evidence_narratives_give_the_estimate_and_say_the_interval_is_as_printed(
    bundle: Any, csa: Drug
) -> None:
    for estimate, evidence in zip(csa.evidence, resources(bundle, "Evidence"), strict=False):
        text = narrative_text(evidence)
        assert cited(str(estimate), estimate.references) in text
        assert interval(estimate.ci_low, estimate.ci_high) in text
        assert INTERVAL_AS_PRINTED in text
        assert estimate.analysis in text


def test_the_plan_narrative_gives_each_recommendation_as_printed(bundle: Any, csa: Drug) -> None:
    (plan,) = resources(bundle, "PlanDefinition")
    text = narrative_text(plan)
    for rec in csa.recommendations:
        assert cited(str(rec), rec.references) in text
        if rec.note:
            assert rec.note in text


def test_the_citation_narratives_give_each_reference_as_printed(bundle: Any, csa: Drug) -> None:
    for ref, citation in zip(csa.references, resources(bundle, "Citation"), strict=True):
        assert narrative_text(citation) == str(ref)


def test_the_comparison_narratives_give_the_summary_and_the_findings(
    bundle: Any, csa: Drug
) -> None:
    comparisons = [r for r in resources(bundle, "Evidence") if "-comparison-" in r["id"]]
    for comparison, evidence in zip(csa.comparisons, comparisons, strict=True):
        text = narrative_text(evidence)
        assert comparison.summary in text
        for finding in comparison.findings:
            assert cited(finding.text, finding.references) in text


def test_every_fact_a_narrative_shows_is_also_in_an_element(bundle: Any, csa: Drug) -> None:
    # Status "generated" says the narrative is made from the resource's content: each
    # statement a narrative shows is also in a structured element, outside every narrative.
    structured = json.dumps(
        [{k: v for k, v in r.items() if k != "text"} for r in resources(bundle)],
        ensure_ascii=False,
    )
    texts = [s.text for s in csa.statements]
    texts += [regimen.note for regimen in csa.regimens if regimen.note]
    texts += [csa.monitoring.summary, csa.monitoring.note, csa.screening.summary]
    texts += [c.sentence(csa.name) for c in csa.combinations if c.reason]
    texts += [c.summary for c in csa.comparisons]
    for text in texts:
        assert json.dumps(text, ensure_ascii=False)[1:-1] in structured, text


# --- no level the source does not state ---------------------------------------------------


def test_no_interval_has_a_level_and_no_narrative_names_95(csa: Drug) -> None:
    for made in (to_bundle(csa), to_bundle(ae_systemic.guideline()), to_definitions()):
        found = plain(made)
        assert "level" not in {key for key, _ in walk(found)}
        for resource in resources(found):
            text = narrative_text(resource)
            assert not re.search(r"95\s*%|0\.95|confidence", text, re.IGNORECASE), text
            if resource["resourceType"] == "Evidence":
                assert "95" not in text
    # The one "95" of the bundle's narratives is a page number of reference 12, as printed.
    numbers = [r for r in resources(plain(to_bundle(csa))) if "95" in narrative_text(r)]
    assert [r["id"] for r in numbers] == ["ciclosporin-reference-12"]


def test_the_fhir_page_names_no_95_percent_level() -> None:
    text = DOCS_FHIR.read_text(encoding="utf-8")
    assert not re.search(r"95\s*%|0\.95|\b95\b", text)
    assert INTERVAL_AS_PRINTED in text


# --- hostile content is escaped -----------------------------------------------------------


def hostile(csa: Drug) -> Drug:
    """Ciclosporin with EVIL in every kind of text the bundle shows."""
    statement = csa.mechanism[0]
    recommendation = attrs.evolve(
        csa.recommendations[0], statement=EVIL, note=f"line one {EVIL}", see_also=EVIL
    )
    comparison = csa.comparisons[7]
    findings = tuple(attrs.evolve(f, text=f"{EVIL} {f.key}") for f in comparison.findings)
    return attrs.evolve(
        csa,
        name=f"Examplumab {EVIL}",
        synonyms=(EVIL,),
        atc=None,
        mechanism=(attrs.evolve(statement, text=EVIL, location=EVIL),),
        efficacy=tuple(attrs.evolve(s, text=f"{EVIL} {s.key}") for s in csa.efficacy),
        recommendations=(recommendation, *csa.recommendations[1:]),
        evidence=(attrs.evolve(csa.evidence[0], comparator=EVIL, analysis=EVIL),),
        regimens=(attrs.evolve(csa.regimens[0], label=EVIL, note=EVIL), *csa.regimens[1:]),
        licence=attrs.evolve(
            csa.licence, notes=(attrs.evolve(csa.licence.notes[0], text=f"{EVIL} licence"),)
        ),
        monitoring=attrs.evolve(csa.monitoring, checks=(EVIL,), note=f"{EVIL} note"),
        screening=attrs.evolve(csa.screening, tests=(EVIL,), see_also=EVIL),
        combinations=tuple(
            attrs.evolve(c, therapy=f"{EVIL} {c.therapy}") for c in csa.combinations
        ),
        interactions=tuple(
            attrs.evolve(i, target=EVIL, consequence=EVIL) for i in csa.interactions
        ),
        special_populations=tuple(
            attrs.evolve(p, group=f"{EVIL} {p.group}") for p in csa.special_populations
        ),
        comparisons=(
            *csa.comparisons[:7],
            attrs.evolve(
                comparison,
                trial=EVIL,
                population=EVIL,
                design=EVIL,
                findings=findings,
                intervention=attrs.evolve(comparison.intervention, treatment=EVIL),
            ),
            *csa.comparisons[8:],
        ),
        safety=tuple(attrs.evolve(s, text=f"{EVIL} {s.key}") for s in csa.safety),
        references=(attrs.evolve(csa.references[0], title=EVIL, authors=EVIL), *csa.references[1:]),
    )


@pytest.fixture(scope="module")
def evil_bundle(csa: Drug) -> Any:
    return plain(to_bundle(hostile(csa)))


def test_hostile_texts_are_escaped_in_every_narrative(evil_bundle: Any) -> None:
    problems = {
        r["id"]: narrative_problems(r["text"])
        for r in resources(evil_bundle)
        if narrative_problems(r["text"])
    }
    assert not problems
    for resource in resources(evil_bundle):
        div = resource["text"]["div"]
        assert "<script" not in div
        assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]", div)


def test_hostile_texts_read_back_as_themselves(evil_bundle: Any, csa: Drug) -> None:
    read = all_narrative_text(evil_bundle)
    assert read.count(EVIL_READ) >= 20
    evil = hostile(csa)
    for statement in evil.statements:
        assert statement.text.replace(EVIL, EVIL_READ) in read
    kinds = {r["resourceType"] for r in resources(evil_bundle)}
    shown = {r["resourceType"] for r in resources(evil_bundle) if EVIL_READ in narrative_text(r)}
    assert shown == kinds


def test_a_hostile_guideline_gives_valid_r5_with_every_reference_resolving(csa: Drug) -> None:
    guideline: Guideline = attrs.evolve(
        ae_systemic.guideline(), title=EVIL, note=EVIL, drugs=(hostile(csa), csa)
    )
    whole = plain(to_bundle(guideline))
    check_valid_r5(whole)
    for resource in resources(whole):
        assert narrative_problems(resource["text"]) == []
    assert EVIL_READ in narrative_text(by_id(whole, "Citation", "guideline"))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(guidelines())
def test_any_valid_guideline_gives_valid_r5_with_generated_safe_narratives(
    guideline: Guideline,
) -> None:
    whole = plain(to_bundle(guideline))
    check_valid_r5(whole)
    problems = {
        f"{r['resourceType']}/{r['id']}": narrative_problems(r["text"])
        for r in resources(whole)
        if narrative_problems(r["text"])
    }
    assert not problems
    structured = json.dumps(
        [{k: v for k, v in r.items() if k != "text"} for r in resources(whole)],
        ensure_ascii=False,
    )
    for drug in guideline.drugs:
        for statement in drug.statements:
            assert json.dumps(statement.text, ensure_ascii=False)[1:-1] in structured


# --- numbers as the data holds them -------------------------------------------------------


def test_numbers_in_texts_are_those_of_the_structured_data(csa: Drug) -> None:
    """``:g`` would write -1.0000004 as -1, 12.345678 mg as 12.3457 mg, 37.4999999 as 37.5."""
    estimate = attrs.evolve(csa.evidence[0], estimate=-1.0000004, ci_low=-1.6000004, ci_high=-0.4)
    band = ae_systemic.FixedDose(
        ae_systemic.Amount(12.345678, 12.345678), ae_systemic.Interval(1, "week")
    )
    regimen = ae_systemic.DoseRegimen(
        ae_systemic.Population.CHILD,
        None,
        "by weight",
        None,
        None,
        "Dosage (synthetic)",
        bands=(
            ae_systemic.WeightBand(band, max_weight=37.4999999),
            ae_systemic.WeightBand(band, min_weight=37.4999999),
        ),
        loading=ae_systemic.Amount(123.4567, 123.4567),
    )
    drug = attrs.evolve(
        csa, name="Examplumab", synonyms=(), atc=None, evidence=(estimate,), regimens=(regimen,)
    )
    bundle = plain(to_bundle(drug))
    check_valid_r5(bundle)
    (evidence,) = [r for r in resources(bundle, "Evidence") if r["id"].endswith("higher-dose")]
    assert evidence["statistic"][0]["quantity"] == {"value": -1.0000004}
    assert "SMD -1.0000004 (-1.6000004, -0.4)" in evidence["text"]["div"]
    (knowledge,) = resources(bundle, "MedicationKnowledge")
    guidelines = knowledge["indicationGuideline"][0]["dosingGuideline"]
    below = guidelines[0]["dosage"][1]["dosage"][0]
    assert below["text"] == "by weight: below 37.4999999 kg: 12.345678 mg every week"
    assert guidelines[0]["patientCharacteristic"][1]["valueRange"]["high"]["value"] == 37.4999999
    loading = guidelines[0]["dosage"][0]["dosage"][0]
    assert loading["text"].startswith("loading dose of 123.4567 mg")  # :g gives 123.457
    assert "below 37.4999999 kg: 12.345678 mg every week" in knowledge["text"]["div"]
    assert "12.3457" not in json.dumps(bundle)
    assert "37.5 " not in json.dumps(bundle)


def test_a_count_of_one_is_singular(csa: Drug) -> None:
    estimate = attrs.evolve(csa.evidence[0], max_weeks=1)
    drug = attrs.evolve(
        csa, evidence=(estimate,), licence=attrs.evolve(csa.licence, min_age_years=1)
    )
    bundle = plain(to_bundle(drug))
    (evidence,) = [r for r in resources(bundle, "Evidence") if r["id"].endswith("higher-dose")]
    measured = evidence["variableDefinition"][2]["description"]
    assert measured == "change in signs, up to 1 week"
    (knowledge,) = resources(bundle, "MedicationKnowledge")
    assert "licensed from 1 year of age" in knowledge["text"]["div"]
