"""The JSON Schema of a data pack: generated from the model, published, and right.

The schema (``ae_systemic._schema.schema()``) must be a valid draft 2020-12 schema,
equal to the published ``docs/schema.json``, accept every valid pack (the packaged
content and data generated from every model class) and refuse data with the wrong
shape: unknown keys, wrong types, units outside the allow-lists, bad reference
numbers, empty text, unknown enum values and dates in another format.  Rules across
fields are the loader's: the last tests pin that the schema leaves them alone.
"""

from __future__ import annotations

import copy
import enum
import functools
import json
import math
import re
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs
import jsonschema  # type: ignore[import-untyped]
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ae_systemic
import ae_systemic._model
import strategies as s
from ae_systemic import DataError, Guideline, load_guideline, structure, unstructure
from ae_systemic._schema import SCHEMA_ID, schema
from ae_systemic._validators import ATC_PATTERN, TEXT_PATTERN

ROOT = Path(__file__).resolve().parent.parent
PUBLISHED = ROOT / "docs" / "schema.json"

#: The command that rewrites ``docs/schema.json`` (also given in ``docs/schema.md``).
REGENERATE = (
    '.venv/bin/python -c "import json, pathlib, ae_systemic._schema as s; '
    "pathlib.Path('docs/schema.json').write_text(json.dumps(s.schema(), indent=2, "
    "ensure_ascii=False, sort_keys=True) + '\\n', encoding='utf-8')\""
)


#: Every class of the content model, plus the vocabulary's one class, ``Consensus``.
MODEL_CLASSES = [*ae_systemic._model.__all__, "Consensus"]


def published_text(document: dict[str, object]) -> str:
    """The schema as ``docs/schema.json`` holds it."""
    return json.dumps(document, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


@functools.cache
def _schema() -> dict[str, object]:
    return schema()


def definitions() -> dict[str, dict[str, Any]]:
    defs = _schema()["$defs"]
    assert isinstance(defs, dict)
    return defs


@functools.cache
def validator(name: str = "Guideline", *, format_checks: bool = True) -> Any:
    """A validator for the ``$defs`` entry ``name`` (the whole schema for ``Guideline``)."""
    document: dict[str, object] = {"$ref": f"#/$defs/{name}", "$defs": definitions()}
    if name == "Guideline":
        document = _schema()
    checker = jsonschema.Draft202012Validator.FORMAT_CHECKER if format_checks else None
    return jsonschema.Draft202012Validator(document, format_checker=checker)


def errors(data: object, name: str = "Guideline", *, format_checks: bool = True) -> list[str]:
    """Every error of ``data`` against the ``$defs`` entry ``name``, as 'path: message'."""
    found = validator(name, format_checks=format_checks).iter_errors(data)
    return [f"{e.json_path}: {e.message}" for e in found]


def pack() -> Any:
    """A fresh data pack of the packaged content."""
    return copy.deepcopy(_packaged())


@functools.cache
def _packaged() -> Any:
    return unstructure(ae_systemic.guideline())


# --- the schema itself --------------------------------------------------------------------


def test_the_schema_is_a_valid_draft_2020_12_schema() -> None:
    document = schema()
    jsonschema.Draft202012Validator.check_schema(document)
    assert document["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert document["$id"] == SCHEMA_ID
    assert document["$ref"] == "#/$defs/Guideline"
    assert document["title"]
    description = document["description"]
    assert isinstance(description, str)
    assert "checks shape" in description
    assert "low <= high" in description


def test_schema_returns_a_fresh_equal_document() -> None:
    first, second = schema(), schema()
    assert first == second
    assert first is not second
    assert first["$defs"] is not second["$defs"]


def test_the_published_schema_is_up_to_date() -> None:
    expected = published_text(schema())
    actual = PUBLISHED.read_text(encoding="utf-8") if PUBLISHED.is_file() else ""
    assert actual == expected, (
        f"docs/schema.json differs from schema(); regenerate it from the repository root:\n"
        f"{REGENERATE}"
    )


def test_every_model_class_has_a_definition_with_exactly_its_fields() -> None:
    defs = definitions()
    for name in MODEL_CLASSES:
        cls = getattr(ae_systemic, name)
        definition = defs[name]
        assert definition["type"] == "object"
        assert definition["additionalProperties"] is False
        fields = attrs.fields(cls)
        assert list(definition["properties"]) == [f.name for f in fields]
        required = [f.name for f in fields if f.default is attrs.NOTHING]
        assert definition["required"] == required, name


def _enums_in(hint: object) -> set[type[enum.Enum]]:
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return {hint}
    return {kind for arg in typing.get_args(hint) for kind in _enums_in(arg)}


def test_every_enum_of_the_model_has_a_definition_with_its_values() -> None:
    defs = definitions()
    enums = {
        kind
        for name in MODEL_CLASSES
        for hint in typing.get_type_hints(getattr(ae_systemic, name)).values()
        for kind in _enums_in(hint)
    }
    assert ae_systemic.Strength in enums
    assert ae_systemic.ConsensusBound in enums
    assert ae_systemic.Phototherapy not in enums  # for assessments, not in the data
    for kind in enums:
        definition = defs[kind.__name__]
        assert definition["type"] == "string"
        assert definition["enum"] == [member.value for member in kind]
    assert len(defs) == len(enums) + len(MODEL_CLASSES)


def _string_schemas(prop: dict[str, Any]) -> list[dict[str, Any]]:
    branches = prop.get("anyOf", [prop])
    return [b for b in branches if b.get("type") == "string" and "format" not in b]


def test_string_rules_agree_with_the_field_validators() -> None:
    # A string field with an allow-list in the schema is checked against the same list by
    # its validator, and a field without one accepts any non-empty text.
    checked = 0
    for name in MODEL_CLASSES:
        cls = getattr(ae_systemic, name)
        for field in attrs.fields(cls):
            for string in _string_schemas(definitions()[name]["properties"][field.name]):
                assert field.validator is not None
                allowed = string.get("enum")
                if string.get("pattern") == ATC_PATTERN:  # an ATC code, Drug.atc
                    field.validator(None, field, "L04AD01")
                    for wrong in ("L04AD1", "l04ad01", "L04AD01 ", "L04ÄD01"):
                        with pytest.raises(DataError):
                            field.validator(None, field, wrong)
                    continue
                if allowed is None:
                    assert string["minLength"] == 1
                    assert string["pattern"] == TEXT_PATTERN
                    field.validator(None, field, "any text")
                    for wrong in (" ", "two\nlines", "a\tb", "bell\x07", "x\u2028y"):
                        with pytest.raises(DataError):
                            field.validator(None, field, wrong)
                    continue
                checked += 1
                for unit in allowed:
                    field.validator(None, field, unit)
                with pytest.raises(DataError):
                    field.validator(None, field, "not-a-unit")
    units = [f for n in MODEL_CLASSES for f in attrs.fields(getattr(ae_systemic, n))]
    assert checked == sum("enum" in f.metadata for f in units) >= 6


@given(st.text(st.characters(codec="utf-8"), max_size=8))
def test_the_text_pattern_and_the_validator_agree(text: str) -> None:
    field = attrs.fields(ae_systemic.Reference).title
    assert field.validator is not None
    try:
        field.validator(None, field, text)
    except DataError:
        accepted = False
    else:
        accepted = True
    assert bool(re.search(TEXT_PATTERN, text)) is accepted


def test_integer_bounds_follow_the_validators() -> None:
    defs = definitions()
    assert defs["Reference"]["properties"]["number"] == {
        "type": "integer",
        "minimum": 1,
        "maximum": 1_000_000,
    }
    assert defs["Consensus"]["properties"]["percent"] == {
        "type": "integer",
        "minimum": 0,
        "maximum": 100,
    }
    references = defs["Statement"]["properties"]["references"]
    assert references["uniqueItems"] is True
    assert references["items"] == {"type": "integer", "minimum": 1, "maximum": 1_000_000}
    assert references["default"] == []
    participants = defs["Comparison"]["properties"]["participants"]
    assert participants["anyOf"] == [
        {"type": "integer", "minimum": 1, "maximum": 1_000_000},
        {"type": "null"},
    ]


def test_a_type_without_a_rule_is_refused() -> None:
    from ae_systemic import _schema

    context = _schema._Context({}, {}, "Example.field")
    with pytest.raises(TypeError, match=r"Example\.field: no schema rule"):
        _schema._type_schema(list[int], {}, context)
    with pytest.raises(TypeError, match=r"tuple\[X, \.\.\.\]"):
        _schema._type_schema(tuple[int, str], {}, context)


# --- valid data validates -------------------------------------------------------------------


def test_the_packaged_content_validates() -> None:
    assert errors(pack()) == []
    jsonschema.validate(pack(), schema())


def test_the_published_schema_validates_the_packaged_content() -> None:
    published = json.loads(PUBLISHED.read_text(encoding="utf-8"))
    jsonschema.validate(pack(), published)


@pytest.mark.parametrize("name", sorted(set(s.STRATEGIES) - {"Guideline"}))  # see below
@settings(max_examples=15, deadline=None)
@given(data=st.data())
def test_generated_data_of_every_class_validates(name: str, data: st.DataObject) -> None:
    value = data.draw(s.STRATEGIES[name], label=name)
    assert errors(unstructure(value), name) == []


@settings(max_examples=30, deadline=None)
@given(guideline=s.guidelines())
def test_generated_packs_validate(guideline: Guideline) -> None:
    raw = unstructure(guideline)
    assert errors(raw) == []
    assert errors(json.loads(json.dumps(raw))) == []


# --- data of the wrong shape is refused, by the schema and by the loader ----------------------

Change = Callable[[Any], None]


def _set(path: str, value: object) -> Change:
    """A change that sets the value at ``path`` (``drugs.0.regimens.0.rate.low``)."""
    *parents, last = path.split(".")

    def change(data: Any) -> None:
        for step in parents:
            data = data[int(step)] if step.isdigit() else data[step]
        data[int(last) if last.isdigit() else last] = value

    return change


def _delete(path: str) -> Change:
    *parents, last = path.split(".")

    def change(data: Any) -> None:
        for step in parents:
            data = data[int(step)] if step.isdigit() else data[step]
        del data[last]

    return change


RATE = "drugs.0.regimens.0.rate"
BAD_SHAPES: dict[str, tuple[Change, str]] = {
    # name: (change to the packaged pack, JSON path of the best-matching error)
    "unknown key at the top": (_set("drugs_files", []), "$"),
    "unknown key in a drug": (_set("drugs.0.colour", "blue"), "$.drugs[0]"),
    "unknown key in a rate": (_set(f"{RATE}.per", "day"), "$.drugs[0].regimens[0].rate"),
    "string for a number": (_set(f"{RATE}.low", "2.5"), "$.drugs[0].regimens[0].rate.low"),
    "number for a string": (_set("drugs.0.name", 5), "$.drugs[0].name"),
    "string for a list": (_set("drugs.0.synonyms", "CsA"), "$.drugs[0].synonyms"),
    "true for a number": (_set(f"{RATE}.high", True), "$.drugs[0].regimens[0].rate.high"),
    "true for a whole number": (
        _set("drugs.0.regimens.0.doses_per_day", True),
        "$.drugs[0].regimens[0].doses_per_day",
    ),
    "a fraction for a whole number": (
        _set("drugs.0.licence.min_age_years", 16.5),
        "$.drugs[0].licence.min_age_years",
    ),
    "number for a list of numbers": (
        _set("drugs.0.efficacy.1.references", 3),
        "$.drugs[0].efficacy[1].references",
    ),
    "object for a list": (_set("drugs", {}), "$.drugs"),
    "list for an object": (_set("drugs.0.licence", []), "$.drugs[0].licence"),
    "null for an object": (_set("drugs.0.licence", None), "$.drugs[0].licence"),
    "missing key": (_delete("drugs.0.monitoring"), "$.drugs[0]"),
    "unit mg/kg": (
        _set(f"{RATE}.amount_unit", "mg/kg"),
        "$.drugs[0].regimens[0].rate.amount_unit",
    ),
    "unit 1/d": (_set(f"{RATE}.period", "1/d"), "$.drugs[0].regimens[0].rate.period"),
    "unit lb": (
        _set(f"{RATE}.body_weight_unit", "lb"),
        "$.drugs[0].regimens[0].rate.body_weight_unit",
    ),
    "reference number 0": (
        _set("drugs.0.efficacy.1.references", [0, 3]),
        "$.drugs[0].efficacy[1].references[0]",
    ),
    "reference number repeated": (
        _set("drugs.0.efficacy.1.references", [3, 4, 3]),
        "$.drugs[0].efficacy[1].references",
    ),
    "reference number as text": (
        _set("drugs.0.efficacy.1.references", ["3"]),
        "$.drugs[0].efficacy[1].references[0]",
    ),
    "empty text": (_set("drugs.0.name", ""), "$.drugs[0].name"),
    "blank text": (_set("drugs.0.efficacy.0.text", " \n\t"), "$.drugs[0].efficacy[0].text"),
    "empty text in a list": (_set("drugs.0.synonyms.0", ""), "$.drugs[0].synonyms[0]"),
    "a name of two lines": (_set("drugs.0.name", "ciclo\nsporin"), "$.drugs[0].name"),
    "a name ending in a line break": (_set("drugs.0.name", "ciclosporin\n"), "$.drugs[0].name"),
    "a control character in a list": (
        _set("drugs.0.synonyms.0", "Cs\x1bA"),
        "$.drugs[0].synonyms[0]",
    ),
    "a line separator in a statement": (
        _set("drugs.0.efficacy.0.text", "first\u2028second"),
        "$.drugs[0].efficacy[0].text",
    ),
    "empty optional text": (_set("note", ""), "$.note"),
    "unknown strength": (
        _set("drugs.0.recommendations.0.strength", "strong"),
        "$.drugs[0].recommendations[0].strength",
    ),
    "strength as its arrow": (
        _set("drugs.0.recommendations.0.strength", "↑↑"),
        "$.drugs[0].recommendations[0].strength",
    ),
    "unknown certainty": (
        _set("drugs.0.evidence.0.certainty", "very low"),
        "$.drugs[0].evidence[0].certainty",
    ),
    "consensus above 100": (
        _set("drugs.0.recommendations.0.consensus.percent", 101),
        "$.drugs[0].recommendations[0].consensus.percent",
    ),
    "date as day/month/year": (
        _set("drugs.0.references.0.accessed", "01/02/2024"),
        "$.drugs[0].references[0].accessed",
    ),
    "date without leading zeros": (
        _set("drugs.0.references.0.accessed", "2024-2-1"),
        "$.drugs[0].references[0].accessed",
    ),
    "date with a time": (
        _set("drugs.0.references.0.accessed", "2024-02-01T10:00:00"),
        "$.drugs[0].references[0].accessed",
    ),
    "date with a line break after it": (
        _set("drugs.0.references.0.accessed", "2024-02-01\n"),
        "$.drugs[0].references[0].accessed",
    ),
    "date in other digits": (
        _set("drugs.0.references.0.accessed", "٢٠٢٤-02-01"),
        "$.drugs[0].references[0].accessed",
    ),
    "ATC code with a line break after it": (_set("drugs.0.atc", "L04AD01\n"), "$.drugs[0].atc"),
    "date as a number": (
        _set("drugs.0.references.0.accessed", 20240201),
        "$.drugs[0].references[0].accessed",
    ),
    "a dose of zero": (_set(f"{RATE}.low", 0), "$.drugs[0].regimens[0].rate.low"),
    "a dose below the smallest dose number": (
        _set(f"{RATE}.low", 1e-7),
        "$.drugs[0].regimens[0].rate.low",
    ),
    "a dose above the largest dose number": (
        _set(f"{RATE}.high", 2e6),
        "$.drugs[0].regimens[0].rate.high",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_SHAPES))
def test_a_bad_shape_is_refused_by_the_schema_and_the_loader(case: str) -> None:
    change, path = BAD_SHAPES[case]
    data = pack()
    change(data)
    best = jsonschema.exceptions.best_match(validator().iter_errors(data))
    assert best is not None, f"{case}: the schema accepts it"
    assert best.json_path == path, best.message
    with pytest.raises(DataError):
        structure(data, Guideline)


def test_the_packaged_content_has_what_the_bad_shapes_change() -> None:
    # The cases above change real values; make sure they are there to change.
    data = pack()
    drug = data["drugs"][0]
    assert drug["regimens"][0]["rate"]["period"] == "day"
    assert drug["regimens"][0]["doses_per_day"] is not None
    assert drug["efficacy"][1]["references"] == [3, 4, 5]
    assert drug["recommendations"][0]["strength"] is not None
    assert drug["recommendations"][0]["consensus"] is not None
    assert drug["recommendations"][0]["boxed"] is True


@pytest.mark.parametrize(
    ("name", "field", "value", "accepted"),
    [
        ("DoseRate", "low", 1e-6, True),
        ("DoseRate", "low", math.nextafter(1e-6, 0), False),
        ("DoseRate", "high", 1e6, True),
        ("DoseRate", "high", math.nextafter(1e6, math.inf), False),
        ("Amount", "low", 1e-6, True),
        ("Amount", "low", 0, False),
        ("Amount", "high", 1e6, True),
        ("Amount", "high", 1e7, False),
        ("WeightBand", "min_weight", 0, True),
        ("WeightBand", "min_weight", -1e-9, False),
        ("WeightBand", "max_weight", 1e-9, True),
        ("WeightBand", "max_weight", 0, False),
    ],
)
def test_the_schema_and_the_model_agree_on_the_bounds_of_numbers(
    name: str, field: str, value: float, accepted: bool
) -> None:
    # The dose numbers lie within DOSE_NUMBER_SPAN (1e-06 to 1e+06), bounds included, and a
    # weight band's bounds are not negative: the schema says so as the classes check it.
    data: dict[str, object]
    if name == "WeightBand":
        data = {"dose": {"amount": {"low": 1.0, "high": 1.0}, "every": {"count": 1}}, field: value}
    else:  # the other end 1.0, keeping low <= high (a rule the schema leaves to the loader)
        data = {"low": min(value, 1.0), "high": max(value, 1.0)}
    assert (errors(data, name) == []) is accepted
    if accepted:
        assert getattr(structure(data, getattr(ae_systemic, name)), field) == value
    else:
        with pytest.raises(DataError) as raised:
            structure(data, getattr(ae_systemic, name))
        assert raised.value.paths == (field,)


def test_the_dose_number_bounds_are_the_models_span() -> None:
    from ae_systemic._model import DOSE_NUMBER_SPAN

    smallest, largest = DOSE_NUMBER_SPAN
    for name in ("DoseRate", "Amount"):
        for field in ("low", "high"):
            prop = definitions()[name]["properties"][field]
            assert prop == {"type": "number", "minimum": smallest, "maximum": largest}
    assert "dose numbers from 1e-06 to 1e+06" in str(_schema()["description"])


# --- what the schema leaves to the loader ---------------------------------------------------


def _second_drug(name: str, **fields: object) -> Change:
    """A change that adds a copy of the first drug, called ``name``, with ``fields`` set."""

    def change(data: Any) -> None:
        drug = copy.deepcopy(data["drugs"][0])
        drug.update(name=name, synonyms=[], **fields)
        data["drugs"].append(drug)

    return change


#: name: (change to the packaged pack, path of the loader's problem, words of its message)
LOADER_ONLY: dict[str, tuple[Change, str, str]] = {
    "low above high": (
        _set(f"{RATE}.low", 99),
        "drugs[0].regimens[0].rate.high",
        "the range is inverted: low 99.0 > high 5.0",
    ),
    "estimate outside its interval": (
        _set("drugs.0.evidence.0.estimate", 99.0),
        "drugs[0].evidence[0].estimate",
        "must lie within its interval",
    ),
    "two dose shapes": (
        _set(
            "drugs.0.regimens.0.fixed",
            {"amount": {"low": 100, "high": 100}, "every": {"count": 1}},
        ),
        "drugs[0].regimens[0].fixed",
        "exactly one of rate, fixed or bands",
    ),
    "a reference not in the list": (
        _set("drugs.0.efficacy.1.references", [99]),
        "drugs[0].efficacy[1].references",
        "cites reference 99, which is not in the drug's references",
    ),
    "a repeated statement key": (
        _set("drugs.0.efficacy.1.key", "mechanism.nfat"),
        "drugs[0].efficacy[1].key",
        "repeats the key 'mechanism.nfat'",
    ),
    "a boxed recommendation without strength": (
        _set("drugs.0.recommendations.0.strength", None),
        "drugs[0].recommendations[0].boxed",
        "needs both strength and consensus",
    ),
    "a date not in the calendar": (
        _set("drugs.0.references.0.accessed", "2024-02-30"),
        "drugs[0].references[0].accessed",
        "got '2024-02-30'",
    ),
    "a whole number written with a fraction": (
        _set("drugs.0.licence.min_age_years", 16.0),
        "drugs[0].licence.min_age_years",
        "expected a whole number, got float 16.0",
    ),
    "a lone surrogate in a name": (
        _set("drugs.0.name", "ciclosporin \ud800"),
        "drugs[0].name",
        "lone surrogate",
    ),
    "two drugs sharing an ATC code": (
        _second_drug("otherosporin"),
        "drugs[1].atc",
        "repeats the drug name or ATC code (ignoring case) 'L04AD01' of drugs[0].atc",
    ),
    "a drug named as another's ATC code": (
        _second_drug("l04ad01", atc=None),
        "drugs[1].name",
        "repeats the drug name or ATC code (ignoring case) 'l04ad01' of drugs[0].atc ('L04AD01')",
    ),
    "an integer of more than 18 digits in a number field": (
        _set("drugs.0.evidence.0.ci_high", 10**19),
        "drugs[0].evidence[0].ci_high",
        "integer of more than 18 digits",
    ),
}


@pytest.mark.parametrize("case", sorted(LOADER_ONLY))
def test_rules_across_fields_are_left_to_the_loader(case: str, tmp_path: Path) -> None:
    change, where, words = LOADER_ONLY[case]
    data = pack()
    change(data)
    assert errors(data, format_checks=False) == []  # the shape is right
    path = tmp_path / "pack.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(DataError) as raised:
        load_guideline(path)
    assert raised.value.paths == (where,)
    assert words in raised.value.problems[0].message


def test_the_schema_names_what_it_leaves_to_the_loader() -> None:
    # The cases above, by the words the schema's description uses for them.
    description = str(_schema()["description"])
    for words in (
        "low <= high",
        "ci_low <= estimate <= ci_high",
        "exactly one of rate, fixed or bands",
        "every cited reference number is in its reference list",
        "a boxed recommendation has strength and consensus",
        "dates exist in the calendar",
        "whole numbers are written without a fraction",
        "text holds no lone surrogate",
        "drug names, synonyms and ATC codes are unique in the guideline (ignoring case)",
        "at most 18 digits",
    ):
        assert words in description


def test_a_key_given_twice_is_left_to_the_loader(tmp_path: Path) -> None:
    # A JSON parser keeps the last of two equal keys, so the schema never sees the first.
    text = json.dumps(pack()).replace('"note": ', '"note": "first", "note": ', 1)
    assert errors(json.loads(text)) == []
    path = tmp_path / "pack.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataError, match="appears twice"):
        load_guideline(path)


def test_format_checks_refuse_a_date_not_in_the_calendar() -> None:
    data = pack()
    _set("drugs.0.references.0.accessed", "2024-02-30")(data)
    best = jsonschema.exceptions.best_match(validator().iter_errors(data))
    assert best is not None
    assert best.json_path == "$.drugs[0].references[0].accessed"
    assert best.message == "'2024-02-30' is not a 'date'"
