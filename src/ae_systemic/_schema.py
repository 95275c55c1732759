"""A JSON Schema of the data-pack format, generated from the attrs model.

A *data pack* is one JSON document holding a whole :class:`~ae_systemic.Guideline`
with its drugs inline: ``unstructure(guideline())``.  :func:`schema` walks the
model (``attrs.fields`` and the resolved type hints of every class reachable from
``Guideline``) and returns a draft 2020-12 JSON Schema of that document, so the
schema cannot drift from the model.  ``docs/schema.json`` is its published copy;
a test fails when the two differ.

The rules, by type hint of a field (every field's JSON key is its attribute name,
as the converter uses; properties without a default are required):

* ``str``: a string; ``int``: an integer; ``float``: a number; ``bool``: a boolean;
* ``datetime.date``: a string ``YYYY-MM-DD`` (``"format": "date"``);
* ``X | None``: ``anyOf`` the schema of ``X`` and ``null``;
* ``tuple[X, ...]``: an array of ``X``;
* an enum: a ``$ref`` to a ``$defs`` entry listing its values;
* an attrs class: a ``$ref`` to a ``$defs`` entry, an object with exactly its fields
  (``additionalProperties: false``);
* a field with ``metadata={"enum": (...)}`` (the unit fields): its strings are one of
  that allow-list;
* a field with ``minimum``, ``exclusiveMinimum`` or ``maximum`` in its metadata (the dose
  numbers ``low`` and ``high`` of ``DoseRate`` and ``Amount``, within ``DOSE_NUMBER_SPAN``;
  a weight band's ``min_weight >= 0`` and ``max_weight > 0``): its numbers have that
  keyword.

Any other type hint raises ``TypeError``: a new kind of field needs a rule here.

Bounds come from the field's validators.  The validators of a field are the
validator itself and every validator it wraps (``optional(...)``, ``tuple_of(...)``
and ``attrs.validators.and_`` keep theirs in closures or attributes, and are
searched); each validator known to :data:`_VALIDATOR_KEYWORDS` adds its keywords to
every value of the matching JSON type in that field's schema (the field, the items
of its array, the non-null branch of an optional): ``non_empty`` gives strings
``minLength: 1`` and the pattern ``TEXT_PATTERN`` (one line, something other than
white space), ``positive_int`` gives integers (up to ``MAX_COUNT``)
``minimum: 1``, ``reference_numbers`` gives the array ``uniqueItems: true`` and its
integers ``minimum: 1``, and the percentage check of ``Consensus`` gives
``minimum: 0, maximum: 100``.

Rules across fields or objects (``low <= high``, exactly one dose shape, cited
references exist, names unique ...) are not expressed: the schema checks shape;
``load_guideline`` (and ``structure(data, Guideline)``) checks the rest.
"""

from __future__ import annotations

import datetime
import enum
import functools
import inspect
import re
import types
import typing
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import attrs

from . import _validators
from ._model import DoseRate, Guideline

__all__ = ["SCHEMA_ID", "schema"]

#: The ``$id`` of the published schema, ``docs/schema.json``; ``1`` is the format version.
SCHEMA_ID = "https://github.com/ae-systemic/ae_systemic/schema/guideline-1.json"

_DRAFT = "https://json-schema.org/draft/2020-12/schema"

#: What ``load_guideline`` checks beyond the schema, for the schema's description.
_LOADER_RULES = (
    "a range's low <= high",
    "ci_low <= estimate <= ci_high",
    "a dose regimen has exactly one of rate, fixed or bands, doses_per_day exactly when its "
    "rate is per day, and weight bands in ascending order without overlap",
    "a weight band has at least one bound, in order",
    "a boxed recommendation has strength and consensus",
    "a consensus of 100% is 'exactly'",
    "within a drug every cited reference number is in its reference list, and reference "
    "numbers, keys, recommendation numbers, names and synonyms (ignoring case) and "
    "(population, phase) of regimens are unique",
    "drug names, synonyms and ATC codes are unique in the guideline (ignoring case)",
    "dates exist in the calendar (unless the validator asserts 'format')",
    "whole numbers are written without a fraction (1, not 1.0)",
    "a number written without a fraction or an exponent has at most 18 digits (write 1e19, "
    "not 10000000000000000000)",
    "numbers are finite and no key appears twice in one object",
    "text holds no lone surrogate (such as \\ud800)",
)

#: The bounds of a number field a model field's metadata may give, as JSON Schema names them.
_NUMBER_BOUNDS = ("minimum", "exclusiveMinimum", "maximum")

_SMALLEST_DOSE = attrs.fields(DoseRate).low.metadata["minimum"]
_LARGEST_DOSE = attrs.fields(DoseRate).low.metadata["maximum"]

_DESCRIPTION = (
    "A data pack of ae_systemic: one JSON document holding a whole Guideline with its drugs "
    "inline, as ae_systemic.unstructure(ae_systemic.guideline()) produces and "
    "ae_systemic.load_guideline(path) reads. This schema is generated from the package's "
    "model and checks shape only: the keys of every object (unknown keys are refused, "
    "required keys must be there), the type of every value, non-empty one-line text, "
    f"positive whole numbers, dose numbers from {_SMALLEST_DOSE:g} to {_LARGEST_DOSE:g}, a "
    "weight band's min_weight >= 0 and max_weight > 0, distinct reference numbers, enum "
    "values, unit allow-lists and the date pattern. The schema checks shape; load_guideline "
    "checks the rest, which JSON Schema cannot express simply: " + "; ".join(_LOADER_RULES) + "."
)

#: JSON Schema keywords a known validator adds, by the JSON type they apply to.
_VALIDATOR_KEYWORDS: Mapping[Callable[..., object], Mapping[str, Mapping[str, object]]] = {
    _validators.non_empty: {"string": {"minLength": 1, "pattern": _validators.TEXT_PATTERN}},
    _validators.positive_int: {"integer": {"minimum": 1, "maximum": _validators.MAX_COUNT}},
    _validators.reference_numbers: {
        "array": {
            "uniqueItems": True,
            "description": (
                "Numbers of entries in the reference list of the drug (distinct, each at "
                "least 1); that each is in the list is checked on loading, not here."
            ),
        },
        "integer": {"minimum": 1, "maximum": _validators.MAX_COUNT},
    },
    _validators.percent: {"integer": {"minimum": 0, "maximum": 100}},
    _validators.atc_code: {"string": {"pattern": _validators.ATC_PATTERN}},
}

#: ASCII digits and nothing after the day (Python's ``\d`` and ``$`` would let other digits and
#: a final line break through, where ECMA-262's do not).
_DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}(?![\s\S])"
_PRIMITIVES: Mapping[type, str] = {str: "string", bool: "boolean", int: "integer", float: "number"}


def schema() -> dict[str, object]:
    """The JSON Schema (draft 2020-12) of a data pack, generated from the model.

    A fresh dict on every call (the caller may change it).

    >>> s = schema()
    >>> s["$ref"], s["$defs"]["Interval"]["required"]
    ('#/$defs/Guideline', ['count'])
    """
    defs: dict[str, dict[str, object]] = {}
    _define(Guideline, defs, {})
    return {
        "$schema": _DRAFT,
        "$id": SCHEMA_ID,
        "title": "ae_systemic data pack",
        "description": _DESCRIPTION,
        "$ref": _ref(Guideline),
        "$defs": dict(sorted(defs.items())),
    }


def _ref(cls: type) -> str:
    return f"#/$defs/{cls.__name__}"


def _define(cls: type, defs: dict[str, dict[str, object]], owners: dict[str, type]) -> None:
    """Add ``cls`` (an attrs class or an enum) and every class it refers to to ``defs``."""
    name = cls.__name__
    if name in owners:
        if owners[name] is not cls:
            raise TypeError(f"two model classes are called {name}: {owners[name]!r}, {cls!r}")
        return
    owners[name] = cls  # before the fields: a class may refer to itself
    definition: dict[str, object] = {"title": name}
    description = _description(cls)
    if description:
        definition["description"] = description
    if issubclass(cls, enum.Enum):
        values = [member.value for member in cls]
        if not all(isinstance(value, str) for value in values):
            raise TypeError(f"{name}: only enums of strings have a schema rule")
        definition.update({"type": "string", "enum": values})
    elif attrs.has(cls):
        definition.update(_object_schema(cls, defs, owners))
    else:
        raise TypeError(f"{name} is neither an attrs class nor an enum")
    defs[name] = definition


def _object_schema(
    cls: type, defs: dict[str, dict[str, object]], owners: dict[str, type]
) -> dict[str, object]:
    hints = typing.get_type_hints(cls)
    properties: dict[str, object] = {}
    required: list[str] = []
    for field in attrs.fields(cls):
        keywords = _keywords_of(field.validator)
        unit_enum = field.metadata.get("enum")
        if unit_enum is not None:
            keywords.setdefault("string", {})["enum"] = list(unit_enum)
        for bound in _NUMBER_BOUNDS:  # dose numbers and weights
            if bound in field.metadata:
                keywords.setdefault("number", {})[bound] = field.metadata[bound]
        where = f"{cls.__name__}.{field.name}"
        prop = _type_schema(hints[field.name], keywords, _Context(defs, owners, where))
        if field.default is attrs.NOTHING:
            required.append(field.name)
        else:
            default = _default(field.default)
            if default is not attrs.NOTHING:
                prop["default"] = default
        properties[field.name] = prop
    return {
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }


@attrs.frozen
class _Context:
    """Where :func:`_type_schema` puts the classes it meets, and the field it is for."""

    defs: dict[str, dict[str, object]]
    owners: dict[str, type]
    where: str


def _type_schema(
    hint: object, keywords: Mapping[str, Mapping[str, object]], context: _Context
) -> dict[str, object]:
    """The schema of a value of type ``hint``; ``keywords`` are added by JSON type."""
    origin = typing.get_origin(hint)
    if origin is typing.Union or origin is types.UnionType:
        branches = [
            {"type": "null"} if arg is type(None) else _type_schema(arg, keywords, context)
            for arg in typing.get_args(hint)
        ]
        return {"anyOf": branches}
    if origin is tuple:
        args = typing.get_args(hint)
        if len(args) != 2 or args[1] is not Ellipsis:
            raise TypeError(f"{context.where}: no schema rule for {hint!r} (use tuple[X, ...])")
        items = _type_schema(args[0], keywords, context)
        return {"type": "array", "items": items, **keywords.get("array", {})}
    if hint is datetime.date:
        return {
            "type": "string",
            "format": "date",
            "pattern": _DATE_PATTERN,
            **keywords.get("string", {}),
        }
    if isinstance(hint, type) and hint in _PRIMITIVES:
        json_type = _PRIMITIVES[hint]
        return {"type": json_type, **keywords.get(json_type, {})}
    if isinstance(hint, type) and (attrs.has(hint) or issubclass(hint, enum.Enum)):
        _define(hint, context.defs, context.owners)
        return {"$ref": _ref(hint)}
    raise TypeError(f"{context.where}: no schema rule for the type {hint!r}")


def _keywords_of(validator: object) -> dict[str, dict[str, object]]:
    """The keywords, by JSON type, of every known validator in ``validator``."""
    keywords: dict[str, dict[str, object]] = {}
    for found in _validators_in(validator, set()):
        for json_type, more in _VALIDATOR_KEYWORDS.get(found, {}).items():
            keywords.setdefault(json_type, {}).update(more)
    return keywords


def _validators_in(validator: object, seen: set[int]) -> Iterator[Callable[..., object]]:
    """``validator`` and every validator it wraps, found in closures and attributes."""
    if validator is None or id(validator) in seen:
        return
    seen.add(id(validator))
    if isinstance(validator, types.FunctionType):
        yield validator
        for cell in validator.__closure__ or ():
            try:
                content = cell.cell_contents
            except ValueError:  # an empty cell
                continue
            yield from _validators_in(content, seen)
    elif isinstance(validator, (list, tuple)):
        for item in validator:
            yield from _validators_in(item, seen)
    else:  # attrs' own validators keep what they wrap in attributes
        for attribute in ("_validators", "validator", "member_validator"):
            yield from _validators_in(getattr(validator, attribute, None), seen)


def _default(default: object) -> object:
    """The JSON form of a field's default, or ``attrs.NOTHING`` for one built per instance."""
    if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
        factory: Any = default
        if factory.takes_self:
            return attrs.NOTHING
        default = factory.factory()
    from ._converter import unstructure

    return unstructure(default)


_ROLE = re.compile(r":\w+:`~?(?:[\w.]*\.)?([^`]+)`( s\b)?")
_LITERAL = re.compile(r"``([^`]+)``( s\b)?")


@functools.cache
def _description(cls: type) -> str:
    """The docstring of ``cls`` as plain text, without its examples."""
    doc = inspect.cleandoc(cls.__dict__.get("__doc__") or "")
    if doc.startswith(f"{cls.__name__}("):
        return ""  # generated (by attrs or enum), not written for this class
    paragraphs = [p for p in doc.split("\n\n") if not p.lstrip().startswith(">>>")]
    lines = (line.strip().removeprefix("* ") for p in paragraphs for line in p.splitlines())
    text = " ".join(" ".join(lines).split())
    text = _ROLE.sub(lambda m: m.group(1) + ("s" if m.group(2) else ""), text)
    text = _LITERAL.sub(lambda m: f"`{m.group(1)}`" + ("s" if m.group(2) else ""), text)
    return text.replace("`None`", "`null`")  # the JSON spelling
