"""One wording per fact: every face says a fact with the words of its one home.

The monitoring schedule, the screening, the dose of a regimen, a combination to avoid, a
range and a list of references are each worded in one place (the model's properties and
``ae_systemic._text``); ``str()``, the notebook display, the command line's report, the FHIR
narrative and the demonstration all use that wording.
"""

from __future__ import annotations

import re
import subprocess
import sys

import attrs
import pytest

import ae_systemic
from ae_systemic import Patient, Phototherapy
from ae_systemic._report import drug_report
from ae_systemic.fhir import to_bundle

CSA = ae_systemic.drug("ciclosporin")


def _flat(text: str) -> str:
    """``text`` with its line wrapping undone, for comparing wrapped reports."""
    return " ".join(text.split())


def _faces() -> dict[str, str]:
    bundle = to_bundle(CSA)
    assessment = ae_systemic.assess(
        CSA, Patient("40 years", "70 kg", phototherapy=frozenset({Phototherapy.UVB}))
    )
    return {
        "report": _flat(drug_report(CSA, ae_systemic.guideline())),
        "fhir": _flat(str(bundle)),
        "assessment": _flat(str(assessment)),
        "markdown": _flat(CSA._repr_markdown_()),
    }


@pytest.mark.parametrize("face", ["report", "fhir", "assessment", "markdown"])
def test_monitoring_and_screening_read_the_same_in_every_face(face: str) -> None:
    text = _faces()[face]
    assert _flat(CSA.monitoring.summary) in text
    assert _flat(CSA.screening.summary) in text


def test_the_monitoring_summary_follows_the_source_national_guidelines_and_an_example() -> None:
    # "Blood pressure, full blood count, renal and liver profile (including GGT) according to
    # national guidelines (e.g. at baseline, 4 weeks and then 3-monthly)": not an instruction.
    monitoring = CSA.monitoring
    assert monitoring.summary == (
        "Monitoring of blood pressure, full blood count, renal profile and liver profile "
        f"(including GGT) according to national guidelines, for example {monitoring.timing}."
    )
    assert monitoring.timing == "at baseline, after 4 weeks, then every 3 months"


def test_a_combination_to_avoid_reads_the_same_in_the_assessment_and_the_fhir_narrative() -> None:
    uvb = next(c for c in CSA.combinations if c.therapy == "UVB")
    sentence = uvb.sentence(CSA.name)
    assert sentence == (
        "Ciclosporin should not be combined with UVB, because of a potentially increased risk "
        "of developing skin cancer."
    )
    faces = _faces()
    assert sentence in faces["assessment"]
    assert sentence in faces["fhir"]


def test_a_regimens_dose_reads_the_same_in_str_report_and_notebook() -> None:
    faces = _faces()
    for regimen in CSA.regimens:
        assert str(regimen) == f"{regimen.label}: {regimen.dose_text}"
        assert regimen.dose_text in faces["report"]
        assert regimen.dose_text in faces["markdown"]
    assert CSA.regimens[0].dose_text == "2.5–5 mg/kg/day in 2 single doses"


def test_ranges_use_an_en_dash_everywhere() -> None:
    dose = ae_systemic.daily_dose(CSA, "70 kg")
    plan = ae_systemic.dose_plan(CSA, "70 kg")
    texts = [str(dose), str(plan), str(CSA.regimens[0]), *_faces().values()]
    hyphenated_range = re.compile(r"\d-\d+(\.\d+)? ?(mg|kg)\b")
    for text in texts:
        assert not hyphenated_range.search(text), text


def test_reference_lists_are_written_one_way() -> None:
    finding = next(
        f
        for f in ae_systemic.assess(CSA, Patient("40 years", "70 kg", pregnant=True)).findings
        if f.references
    )
    assert str(finding).endswith(f"[refs {', '.join(map(str, finding.references))}]")
    report = drug_report(CSA, ae_systemic.guideline())
    assert "[refs 1, 2]" in report
    assert not re.search(r"refs \d+,\d", report)


@pytest.mark.parametrize(
    ("estimate", "shown"),
    [(-1.2345678, "-1.2345678"), (0.00001, "0.00001"), (-0.7, "-0.7"), (-1.0, "  -1")],
)
def test_the_report_prints_an_effect_estimate_as_the_data_holds_it(
    estimate: float, shown: str
) -> None:
    # Content numbers are written exactly (never "-1.23457" or "1e-05"), right-aligned in
    # the four columns before the interval.
    itch = attrs.evolve(CSA.evidence[2], estimate=estimate)  # interval (-1.5, 0.2)
    report = drug_report(
        attrs.evolve(CSA, evidence=(CSA.evidence[0], itch)), ae_systemic.guideline()
    )
    assert f"  ⊕⊕○○ LOW       higher dose  itch             {shown} (-1.5, 0.2) [refs 1, 2]" in (
        report.splitlines()
    )


def test_the_demonstration_prints_the_same_report_as_the_show_command() -> None:
    demo = subprocess.run(
        [sys.executable, "-m", "ae_systemic"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=True,
    ).stdout
    assert demo.startswith(drug_report(CSA, ae_systemic.guideline()) + "\n\n")
