"""Every fact of ``docs/provenance.md`` reaches every face: the ``show`` text, the JSON, FHIR.

The provenance table maps each fact of the source to its data path.  For each path, the
words that carry the fact (a statement's text, a regimen's dose, an interval, a
reference's title ...) must appear in the text of ``ae-systemic show``, in the JSON of the
drug, and in the FHIR bundle.  A fact the data holds but an output drops fails here.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import attrs
import pytest

import ae_systemic
from ae_systemic import (
    Combination,
    Comparison,
    DoseRegimen,
    EffectEstimate,
    Interaction,
    Licence,
    Monitoring,
    Recommendation,
    Reference,
    Screening,
    SpecialPopulation,
    Statement,
)
from ae_systemic._report import drug_report
from ae_systemic._text import interval
from ae_systemic.fhir import to_bundle

ROOT = Path(__file__).resolve().parent.parent
CSA = ae_systemic.drug("ciclosporin")


def _paths() -> list[str]:
    """Every data path of the provenance table, in the order of the page."""
    text = (ROOT / "docs" / "provenance.md").read_text(encoding="utf-8")
    table = text.split("## Where each fact comes from", 1)[1].split("\n## ", 1)[0]
    paths: list[str] = []
    for row in table.splitlines():
        cells = [c.strip() for c in row.strip().strip("|").split("|")]
        if len(cells) == 4 and cells[1].startswith("`"):
            paths += re.findall(r"`([^`]+)`", cells[1])
    return paths


def _resolve(path: str) -> object:
    value: object = CSA
    for name, index in re.findall(r"(\w+)(?:\[(\d+)\])?", path):
        value = getattr(value, name)
        if index:
            value = value[int(index)]  # type: ignore[index]
    return value


def _words(value: object, face: str) -> list[str]:
    """The words that carry the fact ``value`` in ``face``: the JSON holds numbers as fields."""
    if isinstance(value, tuple):
        return [w for item in value for w in _words(item, face)]
    if face == "json" and isinstance(value, EffectEstimate):
        return [f'"ci_low": {value.ci_low}, "ci_high": {value.ci_high}']
    if face == "json" and isinstance(value, DoseRegimen) and value.rate is not None:
        rate = value.rate
        return [value.label, f'"low": {rate.low}, "high": {rate.high}']
    return _text_words(value)


def _text_words(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, Statement):
        return [value.text]
    if isinstance(value, Recommendation):
        return [value.statement]
    if isinstance(value, EffectEstimate):
        return [interval(value.ci_low, value.ci_high)]
    if isinstance(value, DoseRegimen):
        return [value.dose_text, value.label]
    if isinstance(value, Licence):
        return [f"{value.min_age_years} years", *(n.text for n in value.notes)]
    if isinstance(value, Monitoring):
        return [*value.checks]
    if isinstance(value, Screening):
        return [*value.tests]
    if isinstance(value, Combination):
        return [value.therapy, *([value.reason] if value.reason else [])]
    if isinstance(value, Interaction):
        return [value.target, value.consequence]
    if isinstance(value, SpecialPopulation):
        return [s.text for s in value.statements]
    if isinstance(value, Comparison):
        return [value.comparator.treatment, *(f.text for f in value.findings)]
    if isinstance(value, Reference):
        return [value.title]
    raise AssertionError(f"no rule for the fact {type(value).__name__}")


def _flat(text: str) -> str:
    return " ".join(text.split())


FACES = {
    "show": _flat(drug_report(CSA, ae_systemic.guideline())),
    "json": _flat(json.dumps(ae_systemic.unstructure(CSA), ensure_ascii=False)),
    "fhir": _flat(json.dumps(to_bundle(CSA), ensure_ascii=False)),
}


def test_the_table_names_every_part_of_the_drug() -> None:
    paths = _paths()
    assert len(paths) >= 40
    tops = {re.match(r"\w+", p).group() for p in paths}  # type: ignore[union-attr]
    assert tops == {f.name for f in attrs.fields(type(CSA))}


@pytest.mark.parametrize("face", sorted(FACES))
@pytest.mark.parametrize("path", _paths())
def test_every_fact_of_the_provenance_table_is_in_every_face(path: str, face: str) -> None:
    missing = [w for w in _words(_resolve(path), face) if _flat(w) not in FACES[face]]
    assert not missing, f"{path}: {face} lacks {missing}"
