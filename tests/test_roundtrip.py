"""Round trips through the converter: model object -> JSON-ready data -> the same object."""

from __future__ import annotations

import datetime
import enum
import json
from collections.abc import Callable
from importlib import resources

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ae_systemic
import ae_systemic._model
import strategies as s
from ae_systemic import (
    Consensus,
    ConsensusBasis,
    ConsensusBound,
    DoseRate,
    DoseRegimen,
    Guideline,
    Phase,
    Population,
    Recommendation,
    Reference,
    Strength,
    structure,
    unstructure,
)
from ae_systemic._loading import parse_json

#: The content model's classes (the data files' vocabulary), plus ``Consensus``.
MODEL_CLASSES = sorted([*ae_systemic._model.__all__, "Consensus"])


def test_every_public_model_class_has_a_strategy() -> None:
    assert set(MODEL_CLASSES) == set(s.STRATEGIES)


def _draw_and_check(data: st.DataObject, name: str) -> None:
    value = data.draw(s.STRATEGIES[name], label=name)
    assert type(value).__name__ == name
    raw = unstructure(value)

    # The object back from its data, unchanged.
    assert structure(raw, type(value)) == value

    # The data is plain JSON (no NaN, no tuples, no enums, no dates) and survives a JSON
    # round trip, both through the standard library and through the strict parser.
    text = json.dumps(raw, allow_nan=False)
    assert json.loads(text) == raw
    assert structure(json.loads(text), type(value)) == value
    assert structure(parse_json(text), type(value)) == value
    _assert_plain_json(raw, "")


@pytest.mark.parametrize("name", sorted(s.STRATEGIES))
@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_structure_inverts_unstructure(name: str, data: st.DataObject) -> None:
    _draw_and_check(data, name)


def _assert_plain_json(value: object, path: str) -> None:
    """Only dicts with string keys, lists, strings, finite numbers, booleans and None."""
    if isinstance(value, dict):
        for key, item in value.items():
            assert isinstance(key, str), f"{path}: key {key!r} is not a string"
            _assert_plain_json(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _assert_plain_json(item, f"{path}[{index}]")
    else:
        assert not isinstance(value, (tuple, enum.Enum, datetime.date)), f"{path}: {value!r}"
        assert value is None or type(value) in (str, int, float, bool), f"{path}: {value!r}"


# --- the packaged content -------------------------------------------------------------------


def test_packaged_guideline_round_trips_equal() -> None:
    packaged = ae_systemic.guideline()
    raw = unstructure(packaged)
    again = structure(raw, Guideline)
    assert again == packaged
    assert again is not packaged
    assert structure(parse_json(json.dumps(raw, allow_nan=False)), Guideline) == packaged
    _assert_plain_json(raw, "")


def test_packaged_drug_unstructures_to_what_its_file_says() -> None:
    # Every value the data file spells out comes back spelt the same way (enum values,
    # ISO dates, lists); keys the file leaves out may come back with their defaults.
    text = (resources.files("ae_systemic") / "data" / "drugs" / "ciclosporin.json").read_text(
        encoding="utf-8"
    )
    in_file = parse_json(text)
    raw = unstructure(ae_systemic.drug("ciclosporin"))
    _assert_contains(raw, in_file, "")
    assert isinstance(raw, dict)
    assert raw["synonyms"] == ["ciclosporine", "cyclosporine", "cyclosporin", "CsA"]


def _assert_contains(big: object, small: object, path: str) -> None:
    if isinstance(small, dict):
        assert isinstance(big, dict), path
        for key, item in small.items():
            assert key in big, f"{path}.{key} missing"
            _assert_contains(big[key], item, f"{path}.{key}")
    elif isinstance(small, list):
        assert isinstance(big, list), path
        assert len(big) == len(small), path
        for index, (mine, theirs) in enumerate(zip(big, small, strict=True)):
            _assert_contains(mine, theirs, f"{path}[{index}]")
    else:
        assert big == small, path
        assert type(big) is type(small) or {type(big), type(small)} == {int, float}, path


# --- the shape of unstructured data ---------------------------------------------------------


def test_unstructure_gives_lists_not_tuples() -> None:
    regimen = DoseRegimen(
        population=Population.CHILD,
        phase=Phase.LONG_TERM,
        label="children",
        rate=DoseRate(3, 5),
        doses_per_day=2,
        location="Dosage",
        references=(4, 2),
    )
    raw = unstructure(regimen)
    assert isinstance(raw, dict)
    assert raw["references"] == [4, 2]
    assert type(raw["references"]) is list


def test_unstructure_gives_enum_values_as_strings() -> None:
    recommendation = Recommendation(
        number=1,
        statement="Use it.",
        strength=Strength.WEAK_AGAINST,
        consensus=Consensus(100, ConsensusBound.EXACTLY, ConsensusBasis.EXPERT_CONSENSUS),
        boxed=True,
        location="box",
    )
    raw = unstructure(recommendation)
    assert isinstance(raw, dict)
    assert raw["strength"] == "weak-against"
    assert type(raw["strength"]) is str
    assert raw["consensus"] == {"percent": 100, "bound": "exactly", "basis": "expert-consensus"}
    regimen = unstructure(
        DoseRegimen(Population.ADULT, Phase.ACUTE, "acute", DoseRate(5, 5), 2, "Dosage")
    )
    assert isinstance(regimen, dict)
    assert (regimen["population"], regimen["phase"]) == ("adult", "acute")


def test_unstructure_gives_dates_as_iso_strings() -> None:
    reference = Reference(
        number=2,
        authors="Drucker AM",
        title="Living review",
        source="2022.",
        year=2022,
        url="https://eczematherapies.com/research/",
        accessed=datetime.date(2025, 5, 2),
    )
    raw = unstructure(reference)
    assert isinstance(raw, dict)
    assert raw["accessed"] == "2025-05-02"
    assert structure(raw, Reference).accessed == datetime.date(2025, 5, 2)


def test_unstructure_keeps_absent_optionals_as_null() -> None:
    raw = unstructure(Reference(1, "A", "T", "S", 2020))
    assert raw == {
        "number": 1,
        "authors": "A",
        "title": "T",
        "source": "S",
        "year": 2020,
        "url": None,
        "accessed": None,
    }


def test_numbers_read_as_floats_where_the_model_has_floats() -> None:
    rate = structure({"low": 2, "high": 5}, DoseRate)
    assert rate == DoseRate(2.0, 5.0)
    assert type(rate.low) is float
    assert type(rate.high) is float
    assert (rate.amount_unit, rate.body_weight_unit, rate.period) == ("mg", "kg", "day")


@pytest.mark.parametrize(
    "value",
    [
        lambda: ae_systemic.daily_dose("ciclosporin", "70 kg"),
        lambda: ae_systemic.dose_plan("ciclosporin", "70 kg"),
        lambda: ae_systemic.Prescription("100 mg", frequency=2),
    ],
    ids=["DoseRange", "DosePlan", "Prescription"],
)
def test_the_json_form_of_a_computed_value_is_not_read_back_as_bad_data(
    value: Callable[[], object],
) -> None:
    made = value()
    with pytest.raises(ae_systemic.ArgumentTypeError) as raised:
        ae_systemic.structure(ae_systemic.unstructure(made), type(made))
    assert raised.value.where == "cls"
    assert f"got {type(made).__qualname__}; the JSON forms of computed values" in str(raised.value)
