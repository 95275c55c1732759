"""The one cattrs converter: model objects to JSON-ready data and back, strictly.

Strict means: an unknown key is an error, a string is never read as a number
or a list, ``true`` is not a number, numbers are finite, and every problem is
reported as a :class:`~ae_systemic.DataError` naming the path of its field
(``drugs[0].regimens[1].rate.low``).  The converter is built on first use, so
that importing the package does not import cattrs.
"""

from __future__ import annotations

import builtins
import datetime
import enum
import functools
import math
import sys
import threading
import typing
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, TypeAlias, TypeVar, Union

import attrs

from ._errors import ArgumentTypeError, DataError, DataProblem, join_path, key_path, shown
from ._vocabulary import in_order

if TYPE_CHECKING:
    import cattrs

__all__ = ["JSONValue", "json_quantity", "structure", "unstructure"]

T = TypeVar("T")

#: JSON-ready data: what :func:`unstructure` returns and :func:`structure` reads.
JSONValue: TypeAlias = Union[  # noqa: UP007 (a recursive alias needs the string form)
    dict[str, "JSONValue"], list["JSONValue"], str, int, float, bool, None
]

_lock = threading.Lock()


def structure(data: object, cls: type[T]) -> T:
    """Build a ``cls`` (a class of the content: ``Drug``, ``Guideline`` ...) from ``data``.

    The classes of the content are those of the data files, the model's (``Guideline``,
    ``Drug``, ``DoseRate`` ...) and the vocabulary's (``Consensus``, and the enums such as
    ``Strength`` and ``Certainty``, read from their data spelling: ``"strong-for"``).
    The inverse of :func:`unstructure`: ``structure(unstructure(x), type(x)) == x``.
    Raises :class:`~ae_systemic.DataError` listing every problem with its path, and
    :class:`~ae_systemic.ArgumentTypeError` for a class that is not of the content: the JSON
    forms of computed values (``DoseRange``, ``Prescription`` ...) are not read back.
    """
    if not _is_model_class(cls):
        raise ArgumentTypeError(
            "cls",
            f"expected a class of the content such as Drug, Guideline or Strength, got "
            f"{_name_of(cls)}; the JSON forms of computed values (DoseRange, Prescription ...) "
            "are not read back",
        )
    direct = _direct_structurer(cls)
    if direct is None:  # a class the direct path does not handle: cattrs' fast path
        fast = _converter(detailed=False)  # outside the try: a broken install is not bad data
        direct = functools.partial(fast.structure, cl=cls)
    try:
        result: T = direct(data)
    except Exception:  # run again with detailed validation, which names the paths
        return _structure_detailed(data, cls)
    return result


#: The modules of the content's classes, which :func:`structure` reads.
_CONTENT_MODULES = frozenset({"ae_systemic._model", "ae_systemic._vocabulary"})


def _name_of(cls: object) -> str:
    return cls.__qualname__ if isinstance(cls, type) else shown(cls)


def _is_model_class(cls: object) -> bool:
    """Whether ``cls`` is a public class of the content: an attrs class or an enum."""
    return (
        isinstance(cls, type)
        and (attrs.has(cls) or (issubclass(cls, enum.Enum) and len(cls) > 0))
        and cls.__module__ in _CONTENT_MODULES
        and not cls.__name__.startswith("_")
    )


def _structure_detailed(data: object, cls: type[T]) -> T:
    detailed = _converter(detailed=True)
    try:
        return detailed.structure(data, cls)
    except Exception as exc:  # every failure of bad data becomes a DataError
        raise DataError(list(_problems(exc, ""))) from None


# --- the direct path: valid data structured without cattrs ---------------------------------
#
# Structuring valid data needs neither cattrs nor its generated code: each model class gets
# one small function, built once from the class's fields, that applies the same hooks as the
# converter (``_structure_str`` and the rest below) and calls the class, so that its
# validators run as they do under cattrs.  It is at least as strict as the converter: any
# failure, for any reason, goes to cattrs' detailed validation, which either names every
# problem with its path or, where the direct path was stricter, builds the same object.  A
# type it does not know (a union of two types, a generic class, a mixed-in enum ...) leaves
# the class to cattrs altogether.

_Structurer = Callable[[object], Any]
_direct: dict[type, _Structurer | None] = {}
_SCALAR_HOOKS: dict[object, Callable[[object, type], Any]] = {}


class _Unsupported(Exception):
    """A type the direct path does not handle."""


def _direct_structurer(cls: type) -> _Structurer | None:
    """The direct structuring function of the model class ``cls``, or ``None``."""
    try:
        return _direct[cls]
    except KeyError:
        pass
    if issubclass(cls, enum.Enum):  # a member of the vocabulary, by its data spelling
        return functools.partial(_apply, _structure_enum, cls)
    with _lock:
        built: dict[type, _Structurer] = {}
        try:
            found: _Structurer | None = _class_structurer(cls, built)
        except _Unsupported:
            found = None
            built = {}
        _direct.update(built)
        _direct[cls] = found
        return found


def _class_structurer(cls: type, built: dict[type, _Structurer]) -> _Structurer:
    """Structure an object of the attrs class ``cls`` from a dict: known keys, then the class."""
    known = _direct.get(cls) or built.get(cls)
    if known is not None:
        return known
    entries: list[tuple[str, _Structurer]] = []
    allowed = frozenset(f.name for f in attrs.fields(cls))

    def structure_object(obj: object) -> Any:
        if not isinstance(obj, dict) or not allowed.issuperset(obj):
            raise TypeError(f"not a valid {cls.__name__}")  # cattrs names the problems
        return cls(**{name: item(obj[name]) for name, item in entries if name in obj})

    built[cls] = structure_object  # before the fields, for classes that nest themselves
    namespace = vars(sys.modules[cls.__module__])
    for field in attrs.fields(cls):
        if not field.init or field.alias != field.name or not isinstance(field.type, str):
            raise _Unsupported(cls)
        entries.append((field.name, _hint_structurer(field.type, namespace, built)))
    return structure_object


def _hint_structurer(
    hint: str, namespace: dict[str, Any], built: dict[type, _Structurer]
) -> _Structurer:
    """The structuring function for a field annotated ``hint`` (a string, as written)."""
    parts = _top_level_parts(hint)
    if len(parts) == 2 and "None" in parts:
        item = _hint_structurer(parts[1 - parts.index("None")], namespace, built)
        return lambda value: None if value is None else item(value)
    if len(parts) != 1:
        raise _Unsupported(hint)
    text = parts[0]
    if text.startswith("tuple[") and text.endswith(", ...]"):
        element = _hint_structurer(text[6:-6], namespace, built)

        def structure_tuple(value: object) -> tuple[Any, ...]:
            if not isinstance(value, (list, tuple)):
                raise TypeError(f"expected a list, got {_describe(value)}")
            return tuple([element(item) for item in value])

        return structure_tuple
    return _type_structurer(_resolve(text, namespace), built)


def _top_level_parts(hint: str) -> list[str]:
    """``hint`` split at the ``|`` outside brackets, each part stripped."""
    if "[" not in hint:  # the common case: no brackets to step over
        return [part.strip() for part in hint.split("|")]
    parts, depth, start = [], 0, 0
    for index, char in enumerate(hint):
        if char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
        elif char == "|" and depth == 0:
            parts.append(hint[start:index].strip())
            start = index + 1
    parts.append(hint[start:].strip())
    return parts


def _resolve(name: str, namespace: dict[str, Any]) -> object:
    """The object a (dotted) name in an annotation stands for, in the class's module."""
    first, *rest = name.split(".")
    if not first.isidentifier() or not all(part.isidentifier() for part in rest):
        raise _Unsupported(name)
    try:
        found = namespace[first] if first in namespace else vars(builtins)[first]
        for part in rest:
            found = getattr(found, part)
    except (KeyError, AttributeError):
        raise _Unsupported(name) from None
    return found


def _type_structurer(kind: object, built: dict[type, _Structurer]) -> _Structurer:
    if not _SCALAR_HOOKS:
        _SCALAR_HOOKS.update(
            {
                str: _structure_str,
                int: _structure_int,
                float: _structure_float,
                bool: _structure_bool,
                datetime.date: _structure_date,
            }
        )
    if not isinstance(kind, type):
        raise _Unsupported(kind)
    hook = _SCALAR_HOOKS.get(kind)
    if hook is not None:
        return functools.partial(_apply, hook, kind)
    scalars = (str, int, float, bool, datetime.date)
    # The converter's enum hook wins over a scalar's only for a StrEnum (see _build_converter).
    if issubclass(kind, enum.Enum) and (
        issubclass(kind, enum.StrEnum) or not issubclass(kind, scalars)
    ):
        return functools.partial(_apply, _structure_enum, kind)
    if attrs.has(kind) and not issubclass(kind, (*scalars, enum.Enum, tuple)):
        return _class_structurer(kind, built)
    raise _Unsupported(kind)


def _apply(hook: Callable[[object, type], Any], kind: type, value: object) -> Any:
    return hook(value, kind)


def unstructure(obj: object) -> JSONValue:
    """JSON-ready data for a value of this package: dicts, lists, strings, numbers, booleans, null.

    Model objects (the content: ``Drug``, ``Guideline`` ...) become the data-file format,
    which :func:`structure` reads back; computed values (``DoseRange``, ``DosePlan``,
    ``Patient``, ``Assessment``, ``Finding``, ``Visit``) become their JSON form, with each
    quantity as ``{"value": ..., "unit": ...}`` in a fixed unit.  Enums become their values,
    tuples lists and dates ISO strings (``YYYY-MM-DD``).  Anything else, or anything holding
    a value JSON cannot carry (an object, a float that is not finite, a dict key that is not
    a string, a ``datetime``, whose time of day a date's ``YYYY-MM-DD`` would drop), is
    refused with :class:`~ae_systemic.ArgumentTypeError` naming where it sits.
    """
    data: JSONValue = _converter().unstructure(obj)
    _check_json(data, obj, "obj")
    return data


def json_quantity(value: object, unit: str) -> JSONValue:
    """A quantity as JSON, ``{"value": 280.0, "unit": "mg/day"}``; a list for an array."""
    tolist = getattr(value, "tolist", None)
    magnitude: JSONValue = tolist() if callable(tolist) else float(value)  # type: ignore[arg-type]
    return {"value": magnitude, "unit": unit}


def _check_json(data: object, given: object, where: str) -> None:
    """Refuse ``data`` unless it is JSON-ready all through (no recursion: a stack)."""
    stack: list[tuple[str, object]] = [(where, data)]
    while stack:
        path, value = stack.pop()
        if value is None or isinstance(value, (str, bool, int)):
            continue
        if isinstance(value, float) and math.isfinite(value):
            continue
        if isinstance(value, dict):
            for key, item in value.items():
                if not isinstance(key, str):
                    raise ArgumentTypeError(
                        "obj",
                        f"the dict {_at(path, where)}has the key {shown(key)} "
                        f"({type(key).__name__}); JSON can carry only string keys",
                    )
                stack.append((f"{path}[{shown(key)}]", item))
        elif isinstance(value, list):
            stack.extend((f"{path}[{i}]", item) for i, item in enumerate(value))
        elif isinstance(value, float):
            raise ArgumentTypeError(
                "obj",
                f"the number {_at(path, where)}is {shown(value)}, which is not finite; JSON can "
                "carry only finite numbers",
            )
        elif isinstance(value, datetime.datetime):
            raise ArgumentTypeError(
                "obj",
                f"the datetime {_at(path, where)}({_iso(value)}) is refused: a date's JSON "
                "form, YYYY-MM-DD, would drop its time of day; pass its date (value.date()) "
                "or its text (value.isoformat())",
            )
        else:
            what = "the value" if value is given else f"{shown(value)} at {path}"
            raise ArgumentTypeError(
                "obj",
                f"{what} is not a value of this package JSON can carry (a model object, an "
                f"enum, a date, a tuple, a list or a dict of them), got {type(value).__name__}",
            )


def _iso(value: datetime.datetime) -> str:
    try:
        return value.isoformat()
    except Exception:  # a subclass of datetime may break it: the type name stands in
        return shown(value)


def _at(path: str, where: str) -> str:
    """``"at obj[0] "`` for a value inside the argument; nothing for the argument itself."""
    return "" if path == where else f"at {path} "


def _converter(*, detailed: bool = False) -> cattrs.Converter:
    with _lock:
        return _build_converter(detailed)


@functools.cache
def _build_converter(detailed: bool) -> cattrs.Converter:
    """The converter; ``detailed`` only changes how much an error says, never the rules.

    Valid data is structured without detailed validation (faster, and the
    structuring code is quicker to generate); data that fails is structured
    again with it, so that every problem is reported with its path.
    """
    import cattrs
    from cattrs.cols import homogenous_tuple_structure_factory, is_sequence
    from cattrs.gen import make_dict_structure_fn

    converter = cattrs.Converter(forbid_extra_keys=True, detailed_validation=detailed)

    converter.register_structure_hook(str, _structure_str)
    converter.register_structure_hook(int, _structure_int)
    converter.register_structure_hook(float, _structure_float)
    converter.register_structure_hook(bool, _structure_bool)
    converter.register_structure_hook(datetime.date, _structure_date)
    converter.register_unstructure_hook(datetime.date, datetime.date.isoformat)
    # A datetime is a date too, and would take the date's hook, losing its time of day and
    # zone: it is left as it is, for _check_json to refuse by name.
    converter.register_unstructure_hook(datetime.datetime, _as_given)
    # Every enum, by value.  A string enum is a str too, and the hook of the most specific
    # class in its MRO wins: StrEnum precedes str there, so it needs its own registration,
    # lest str's hook give back the plain string (and its unstructure hook the member).
    for enum_class in (enum.Enum, enum.StrEnum):
        converter.register_structure_hook(enum_class, _structure_enum)
        converter.register_unstructure_hook(enum_class, _unstructure_enum)

    def tuple_factory(cls: Any) -> Callable[[object, Any], tuple[Any, ...]]:
        structure_items = homogenous_tuple_structure_factory(cls, converter)

        def structure_tuple(obj: object, cls: Any) -> tuple[Any, ...]:
            if not isinstance(obj, (list, tuple)):
                raise TypeError(f"expected a list, got {_describe(obj)}")
            items: tuple[Any, ...] = structure_items(obj, cls)
            return items

        return structure_tuple

    converter.register_structure_hook_factory(
        lambda t: is_sequence(t) and getattr(t, "__origin__", None) is tuple, tuple_factory
    )
    converter.register_unstructure_hook_func(  # plain or generic (``tuple[str, str]``)
        _is_tuple_type,
        _unstructure_tuple(converter),
    )
    converter.register_unstructure_hook_func(
        _is_set_type,
        _unstructure_set(converter),
    )
    converter.register_unstructure_hook_func(
        lambda t: isinstance(t, type) and issubclass(t, dict), _unstructure_dict(converter)
    )

    def attrs_factory(cls: Any) -> Callable[[object, Any], Any]:
        structure_fields = make_dict_structure_fn(cls, converter)

        def structure_object(obj: object, cls: Any) -> Any:
            if not isinstance(obj, dict):
                raise TypeError(f"expected an object ({{...}}), got {_describe(obj)}")
            return structure_fields(obj, cls)

        return structure_object

    converter.register_structure_hook_factory(attrs.has, attrs_factory)
    # Computed values (doses, plans, patients, assessments) carry their own JSON form, with
    # quantities in fixed units; they live in layers above this module, so they are found
    # by the method they define rather than by their class.
    converter.register_unstructure_hook_func(
        lambda t: isinstance(t, type) and callable(getattr(t, "_json_", None)),
        lambda obj: obj._json_(),
    )
    return converter


def _is_tuple_type(hint: object) -> bool:
    """Whether ``hint`` is a tuple type, plain (``tuple``) or generic (``tuple[str, str]``)."""
    origin: object = typing.get_origin(hint) or hint
    return isinstance(origin, type) and issubclass(origin, tuple)


def _is_set_type(hint: object) -> bool:
    """Whether ``hint`` is a set or frozenset type, plain (``frozenset``) or generic."""
    origin: object = typing.get_origin(hint) or hint
    return isinstance(origin, type) and issubclass(origin, (set, frozenset))


def _unstructure_set(converter: cattrs.Converter) -> Callable[[frozenset[Any]], list[Any]]:
    """A set as a list in a stable order: enum members in the order of their enum."""

    def unstructure_set(value: frozenset[Any]) -> list[Any]:
        if all(isinstance(item, enum.Enum) for item in value):
            items: list[Any] = in_order(value)
        else:
            items = sorted(value, key=repr)
        return [converter.unstructure(item) for item in items]

    return unstructure_set


def _unstructure_dict(converter: cattrs.Converter) -> Callable[[dict[Any, Any]], dict[Any, Any]]:
    """A dict's values unstructured; its keys too when they are enums (their values).

    Any other key stays as it is, for :func:`_check_json` to refuse by name when it is not a
    string (cattrs would unstructure a tuple key into a list, which cannot be a key).
    """

    def unstructure_key(key: object) -> object:
        return converter.unstructure(key) if isinstance(key, enum.Enum) else key

    def unstructure_dict(value: dict[Any, Any]) -> dict[Any, Any]:
        return {unstructure_key(key): converter.unstructure(item) for key, item in value.items()}

    return unstructure_dict


def _unstructure_tuple(converter: cattrs.Converter) -> Callable[[tuple[Any, ...]], list[Any]]:
    def unstructure_tuple(value: tuple[Any, ...]) -> list[Any]:
        return [converter.unstructure(item) for item in value]

    return unstructure_tuple


def _describe(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return f"{type(value).__name__} {shown(value)}"


def _structure_str(value: object, _: type) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected a string, got {_describe(value)}")
    return value


def _structure_int(value: object, _: type) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"expected a whole number, got {_describe(value)}")
    return value


def _structure_float(value: object, _: type) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"expected a number, got {_describe(value)}")
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"expected a finite number, got {value}")
    return number


def _structure_bool(value: object, _: type) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"expected true or false, got {_describe(value)}")
    return value


def _structure_date(value: object, _: type) -> datetime.date:
    if not isinstance(value, str):
        raise TypeError(f"expected a date as 'YYYY-MM-DD', got {_describe(value)}")
    try:
        if not _is_iso_date_text(value):  # fromisoformat alone also reads "20200101"
            raise ValueError(value)
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"expected a date as 'YYYY-MM-DD', got {shown(value)}") from None


def _is_iso_date_text(value: str) -> bool:
    """Whether ``value`` is written ``YYYY-MM-DD`` with ASCII digits (no regex to compile)."""
    digits = value[:4] + value[5:7] + value[8:]
    dashes = len(value) == 10 and value[4] == value[7] == "-"
    return dashes and digits.isascii() and digits.isdigit()


def _structure_enum(value: object, cls: type[enum.Enum]) -> enum.Enum:
    if isinstance(value, str):
        for member in cls:
            if member.value == value:
                return member
    allowed = ", ".join(repr(member.value) for member in cls)
    raise ValueError(f"{_describe(value)} is not a {cls.__name__}; use one of {allowed}")


def _as_given(value: object) -> object:
    return value


def _unstructure_enum(member: enum.Enum) -> JSONValue:
    value: JSONValue = member.value
    return value


def _key_order(key: object) -> tuple[bool, str]:
    """Strings first, in their order, then any other key by how it is shown; never raises."""
    return (False, key) if isinstance(key, str) else (True, shown(key))


def _problems(exc: BaseException, path: str) -> Iterator[DataProblem]:
    """Every problem inside a (possibly nested) cattrs error, with its path."""
    from cattrs.errors import (
        ClassValidationError,
        ForbiddenExtraKeysError,
        IterableValidationError,
    )

    if isinstance(exc, IterableValidationError):
        indexed, plain = exc.group_exceptions()
        for inner, note in indexed:
            yield from _problems(inner, f"{path}[{note.index}]")
        for inner in plain:
            yield from _problems(inner, path)
    elif isinstance(exc, ClassValidationError):
        named, plain = exc.group_exceptions()
        for inner, attribute in named:
            yield from _problems(inner, join_path(path, attribute.name))
        for inner in plain:
            yield from _problems(inner, path)
    elif isinstance(exc, ForbiddenExtraKeysError):
        allowed = ", ".join(f.name for f in attrs.fields(exc.cl))
        # Python data may hold keys that are not strings ({2: ...}), whatever cattrs' types
        # say: they sort after the strings, by how they are shown, and are named as such.
        extra: frozenset[object] = frozenset(exc.extra_fields)
        for key in sorted(extra, key=_key_order):
            what = "" if isinstance(key, str) else f" ({type(key).__name__}: keys are strings)"
            yield DataProblem(
                key_path(path, key),
                f"unknown key {shown(key)}{what} in {exc.cl.__name__}; allowed keys are {allowed}",
            )
    elif isinstance(exc, DataError):
        for problem in exc.problems:
            yield DataProblem(join_path(path, problem.path), problem.message)
    elif isinstance(exc, ArgumentTypeError):
        yield DataProblem(join_path(path, exc.where), exc.problem)
    elif isinstance(exc, KeyError):
        yield DataProblem(path, "is required but missing")
    else:
        yield DataProblem(path, str(exc) or type(exc).__name__)
