"""Round trips through the converter: model object -> JSON-ready data -> the same object."""

from __future__ import annotations

import datetime
import enum
import json
import math
from collections.abc import Callable
from importlib import resources

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ae_systemic
import ae_systemic._model
import ae_systemic._vocabulary
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


#: The enums of the vocabulary, which the data files spell by value.
VOCABULARY = sorted(
    (
        kind
        for kind in vars(ae_systemic._vocabulary).values()
        if isinstance(kind, type) and issubclass(kind, enum.Enum) and kind.__name__[0] != "_"
    ),
    key=lambda kind: kind.__name__,
)


def test_the_vocabulary_has_its_enums() -> None:
    names = {kind.__name__ for kind in VOCABULARY}
    assert {"Strength", "Certainty", "Outcome", "Population", "ConsensusBound"} <= names


@pytest.mark.parametrize("kind", VOCABULARY, ids=lambda kind: kind.__name__)
def test_every_vocabulary_value_round_trips(kind: type[enum.Enum]) -> None:
    for member in kind:
        raw = unstructure(member)
        assert raw == member.value
        assert type(raw) is str
        assert structure(raw, kind) is member
        assert structure(json.loads(json.dumps(raw)), kind) is member


@pytest.mark.parametrize(
    ("value", "shown_as"),
    [("strong", "str 'strong'"), ("↑↑", "str '↑↑'"), (None, "null"), (1, "int 1")],
    ids=["a word", "the arrows", "null", "a number"],
)
def test_a_value_outside_the_vocabulary_is_bad_data_naming_the_allowed_values(
    value: object, shown_as: str
) -> None:
    with pytest.raises(ae_systemic.DataError) as raised:
        structure(value, Strength)
    assert raised.value.paths == ("",)
    assert str(raised.value) == (
        f"{shown_as} is not a Strength; use one of 'strong-for', 'weak-for', 'open', "
        "'weak-against', 'strong-against'"
    )


def test_consensus_round_trips_as_the_vocabulary_does() -> None:
    consensus = Consensus(75, ConsensusBound.MORE_THAN, ConsensusBasis.EXPERT_CONSENSUS)
    assert structure(unstructure(consensus), Consensus) == consensus


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


@pytest.mark.parametrize(
    ("cls", "named"),
    [
        (lambda: ae_systemic.FindingKind, "FindingKind"),
        (lambda: ae_systemic.Patient, "Patient"),
        (lambda: enum.Enum, "Enum"),
        (lambda: ae_systemic._vocabulary._Vocabulary, "_Vocabulary"),
        (lambda: str, "str"),
    ],
    ids=["an enum of computed values", "Patient", "Enum", "the vocabulary's base", "str"],
)
def test_a_class_outside_the_content_is_refused_naming_what_is_read(
    cls: Callable[[], type], named: str
) -> None:
    with pytest.raises(ae_systemic.ArgumentTypeError) as raised:
        structure("x", cls())
    assert raised.value.where == "cls"
    assert str(raised.value) == (
        f"cls: expected a class of the content such as Drug, Guideline or Strength, got {named}; "
        "the JSON forms of computed values (DoseRange, Prescription ...) are not read back"
    )


# --- what JSON cannot carry is refused by name ------------------------------------------------

UTC = datetime.UTC


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({1: 2}, "the dict has the key 1 (int); JSON can carry only string keys"),
        (
            {"a": [{None: 1}]},
            "the dict at obj['a'][0] has the key None (NoneType); JSON can carry only string keys",
        ),
        ({(1, 2): "x"}, "the dict has the key (1, 2) (tuple); JSON can carry only string keys"),
        (
            {frozenset(): "x"},
            "the dict has the key frozenset() (frozenset); JSON can carry only string keys",
        ),
        (math.nan, "the number is nan, which is not finite; JSON can carry only finite numbers"),
        (
            [1.0, -math.inf],
            "the number at obj[1] is -inf, which is not finite; JSON can carry only finite numbers",
        ),
        (
            datetime.datetime(2024, 1, 2, 12, 30, tzinfo=UTC),
            "the datetime (2024-01-02T12:30:00+00:00) is refused: a date's JSON form, YYYY-MM-DD, "
            "would drop its time of day; pass its date (value.date()) or its text "
            "(value.isoformat())",
        ),
        (
            {"when": datetime.datetime(2024, 1, 2)},
            "the datetime at obj['when'] (2024-01-02T00:00:00) is refused: a date's JSON form, "
            "YYYY-MM-DD, would drop its time of day; pass its date (value.date()) or its text "
            "(value.isoformat())",
        ),
    ],
    ids=[
        "int key",
        "nested None key",
        "tuple key",
        "frozenset key",
        "nan",
        "-inf",
        "datetime",
        "nested datetime",
    ],
)
def test_unstructure_names_what_json_cannot_carry(value: object, message: str) -> None:
    with pytest.raises(ae_systemic.ArgumentTypeError) as raised:
        unstructure(value)
    assert raised.value.where == "obj"
    assert raised.value.problem == message


def test_unstructure_keeps_a_date_and_enum_keys_as_their_spelling() -> None:
    assert unstructure(datetime.date(2024, 1, 2)) == "2024-01-02"
    assert unstructure({Strength.OPEN: [datetime.date(2024, 1, 2)]}) == {"open": ["2024-01-02"]}
