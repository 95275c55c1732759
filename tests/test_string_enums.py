"""The vocabulary's string enums in the data files: read back as members, written as strings.

A string enum is a ``str`` too.  The converter's hooks for ``str`` must not catch it: reading
``"signs"`` must give ``Outcome.SIGNS`` itself, not the plain string that compares equal to
it, and writing must give the plain string, not the member.  Equality alone cannot tell the
two apart, so these tests check types and identity.
"""

from __future__ import annotations

import enum
import json
from typing import Any, cast

import attrs
import pytest

import ae_systemic
from ae_systemic import (
    Certainty,
    DataError,
    DoseLevel,
    Drug,
    EffectEstimate,
    Guideline,
    Measure,
    Outcome,
    Strength,
    structure,
    unstructure,
)


def _enum_fields(value: object) -> list[tuple[str, object]]:
    """Every enum-valued field below ``value``, with its path."""
    found: list[tuple[str, object]] = []

    def walk(item: object, path: str) -> None:
        if isinstance(item, enum.Enum):
            found.append((path, item))
        elif attrs.has(type(item)):
            for field in attrs.fields(cast(Any, type(item))):
                walk(getattr(item, field.name), f"{path}.{field.name}")
        elif isinstance(item, (tuple, frozenset)):
            for index, inner in enumerate(item):
                walk(inner, f"{path}[{index}]")

    walk(value, "")
    return found


def test_the_packaged_content_holds_members_not_plain_strings() -> None:
    fields = _enum_fields(ae_systemic.guideline())
    assert len(fields) > 20
    for path, value in fields:
        assert isinstance(value, enum.StrEnum), path
        assert type(value) is not str, path


def test_structure_gives_each_enum_member_itself() -> None:
    guideline = ae_systemic.guideline()
    again = structure(unstructure(guideline), Guideline)
    before, after = _enum_fields(guideline), _enum_fields(again)
    assert [path for path, _ in before] == [path for path, _ in after]
    for (path, old), (_, new) in zip(before, after, strict=True):
        assert new is old, path


def test_an_estimate_reads_back_with_its_enum_types() -> None:
    estimate = ae_systemic.drug("ciclosporin").evidence[0]
    raw = unstructure(estimate)
    assert isinstance(raw, dict)
    read = structure(raw, EffectEstimate)
    assert read.outcome is Outcome.SIGNS
    assert read.dose_level is DoseLevel.HIGHER
    assert read.measure is Measure.SMD
    assert read.certainty is Certainty.MODERATE


def test_unstructure_gives_plain_strings() -> None:
    raw = unstructure(ae_systemic.guideline())

    def walk(item: Any, path: str) -> None:
        assert not isinstance(item, enum.Enum), path
        if isinstance(item, dict):
            for key, inner in item.items():
                assert type(key) is str, path
                walk(inner, f"{path}.{key}")
        elif isinstance(item, list):
            for index, inner in enumerate(item):
                walk(inner, f"{path}[{index}]")

    walk(raw, "")
    estimate = unstructure(ae_systemic.drug("ciclosporin").evidence[0])
    assert isinstance(estimate, dict)
    assert type(estimate["outcome"]) is str
    assert type(estimate["certainty"]) is str
    assert json.loads(json.dumps(raw)) == raw


def test_a_member_given_as_data_is_read_as_its_value() -> None:
    raw = unstructure(ae_systemic.drug("ciclosporin").evidence[0])
    assert isinstance(raw, dict)
    raw["outcome"] = Outcome.ITCH  # a str, as a caller's own data may hold it
    assert structure(raw, EffectEstimate).outcome is Outcome.ITCH


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("outcome", "change in signs"),
        ("outcome", "SIGNS"),
        ("outcome", "Outcome.SIGNS"),
        ("certainty", "⊕⊕⊕○ MODERATE"),
        ("certainty", "Moderate"),
        ("dose_level", "higher dose"),
        ("dose_level", 1),
        ("measure", None),
        ("certainty", DoseLevel.HIGHER),
    ],
)
def test_an_unknown_value_is_refused_with_the_allowed_ones(key: str, value: object) -> None:
    raw = unstructure(ae_systemic.drug("ciclosporin").evidence[0])
    assert isinstance(raw, dict)
    raw[key] = value  # type: ignore[assignment]
    with pytest.raises(DataError) as caught:
        structure(raw, EffectEstimate)
    (problem,) = caught.value.problems
    assert problem.path == key
    kind = {"outcome": Outcome, "certainty": Certainty, "dose_level": DoseLevel}.get(key, Measure)
    assert f"is not a {kind.__name__}; use one of" in problem.message
    for member in kind:
        assert repr(member.value) in problem.message


def test_a_drug_round_trips_with_a_strength_member() -> None:
    csa = ae_systemic.drug("ciclosporin")
    raw = unstructure(csa)
    assert isinstance(raw, dict)
    again = structure(raw, Drug)
    assert again == csa
    assert again.recommendations[0].strength is Strength.STRONG_FOR
