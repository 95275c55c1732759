"""The project's promises about itself: README commands, CI, version, changelog, public API."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import ae_systemic

ROOT = Path(__file__).resolve().parent.parent

#: The public API. Changing it is a decision: update this list, the docs and CHANGELOG.md.
PUBLIC_API = [
    "DEFAULT_ADULT_FROM_YEARS",
    "MAX_AGE_YEARS",
    "MAX_BODY_WEIGHT_KG",
    "MAX_PACK_BYTES",
    "MAX_SCHEDULE_MONTHS",
    "MIN_BODY_WEIGHT_KG",
    "AeSystemicError",
    "Amount",
    "Arm",
    "Assessment",
    "Certainty",
    "CoMedication",
    "Combination",
    "CombinationAdvice",
    "Comparison",
    "ComparisonResult",
    "Consensus",
    "ConsensusBasis",
    "ConsensusBound",
    "DataError",
    "DataProblem",
    "DoseInputError",
    "DoseLevel",
    "DosePlan",
    "DoseRange",
    "DoseRate",
    "DoseRegimen",
    "Drug",
    "EffectEstimate",
    "Finding",
    "FindingKind",
    "FixedDose",
    "Guideline",
    "InputError",
    "Interaction",
    "Interval",
    "JSONValue",
    "Licence",
    "Measure",
    "MissingExtraError",
    "Monitoring",
    "Outcome",
    "Pathway",
    "Patient",
    "Phase",
    "Phototherapy",
    "Population",
    "Recommendation",
    "Reference",
    "Schedule",
    "Screening",
    "SpecialPopulation",
    "Statement",
    "Strength",
    "UnknownDrugError",
    "Visit",
    "WeightBand",
    "add_months",
    "assess",
    "daily_dose",
    "dose_plan",
    "drug",
    "drugs",
    "evidence",
    "evidence_frame",
    "guideline",
    "is_licensed",
    "load_guideline",
    "monitoring_schedule",
    "population_for",
    "recommendations",
    "round_to_strengths",
    "schema",
    "structure",
    "unstructure",
]


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```sh\n(.*?)\n```", text, flags=re.S)


def test_the_public_api_is_exactly_the_pinned_list() -> None:
    assert ae_systemic.__all__ == PUBLIC_API
    for name in PUBLIC_API:
        assert getattr(ae_systemic, name) is not None


def test_the_readme_starts_with_the_demo_and_the_test_command() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    first_block = text.index("```sh")
    assert text[:first_block].strip() == "# ae_systemic"
    demo, tests = readme_commands()[:2]
    assert demo.endswith("python -m ae_systemic")
    for tool in ("pytest", "mypy --strict", "ruff check", "ruff format --check", "[test]"):
        assert tool in tests


def test_ci_runs_exactly_the_readmes_test_command() -> None:
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    commands = [line for line in script.splitlines() if line and not line.startswith("#")]
    assert readme_commands()[1] in commands


def test_the_version_agrees_between_pyproject_package_and_changelog() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["version"] == ae_systemic.__version__
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    unreleased = changelog.split("## [Unreleased]", 1)[1].split("\n## ", 1)[0]
    assert ae_systemic.__version__ in unreleased
    assert "### Added" in unreleased


def test_the_core_dependencies_are_exactly_attrs_cattrs_and_pint() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    names = sorted(re.split(r"[<>=!~ ]", dep, maxsplit=1)[0] for dep in project["dependencies"])
    assert names == ["attrs", "cattrs", "pint"]
