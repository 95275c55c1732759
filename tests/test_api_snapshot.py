"""A snapshot of the public API: every public name, its kind and its signature.

``tests/api_snapshot.txt`` lists, for each name in ``ae_systemic.__all__``,
``ae_systemic.fhir.__all__`` and ``ae_systemic.ics.__all__`` (sorted), its kind and shape:
the signature of a function (with its overloads) or of a class's constructor, the fields and
public members of a class, the members of an enum, the value of a constant.  Annotations are
shown as written in the source.  Any change to the public API changes the file, so that it is
a visible decision in review.  After a deliberate change, regenerate the file with::

    AE_SYSTEMIC_UPDATE_SNAPSHOT=1 .venv/bin/python -m pytest tests/test_api_snapshot.py

The rendering depends neither on the order tests ran in nor on the hash seed: it reads the
annotations as written (never attrs' resolved field types), sorts what has no order, and
drops memory addresses from representations.  A test checks that a fresh interpreter with
another hash seed renders the same text.
"""

from __future__ import annotations

import difflib
import enum
import functools
import importlib
import inspect
import os
import re
import subprocess
import sys
import types
import typing
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest

SNAPSHOT = Path(__file__).resolve().parent / "api_snapshot.txt"
UPDATE_VARIABLE = "AE_SYSTEMIC_UPDATE_SNAPSHOT"
UPDATE_COMMAND = f"{UPDATE_VARIABLE}=1 .venv/bin/python -m pytest tests/test_api_snapshot.py"
MODULES = (
    "ae_systemic",
    "ae_systemic.fhir",
    "ae_systemic.ics",
    "ae_systemic.cds_hooks",
    "ae_systemic.plot",
)
INDENT = "    "

_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")
_SUNDER = re.compile(r"_[a-z]\w*[a-z0-9]_")
_PRIVATE_MODULE = re.compile(r"\bae_systemic\._\w+\.")
#: Methods a class gets from attrs or the language rather than from its author.
_NOT_API = frozenset(
    {
        "__init__",
        "__new__",
        "__attrs_pre_init__",
        "__attrs_post_init__",
        "__init_subclass__",
        "__class_getitem__",
        "__getstate__",
        "__setstate__",
    }
)


# -- representations ---------------------------------------------------------------------


def _value(value: object) -> str:
    """A representation of ``value`` that is the same in every run."""
    if value is Ellipsis:
        return "..."
    if isinstance(value, enum.Enum):
        return f"{type(value).__name__}.{value.name}"
    if isinstance(value, (set, frozenset)):
        items = ", ".join(sorted(_value(item) for item in value))
        if not value:
            return f"{type(value).__name__}()"
        return f"frozenset({{{items}}})" if isinstance(value, frozenset) else f"{{{items}}}"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_value(k)}: {_value(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_value(item) for item in value) + "]"
    if isinstance(value, tuple) and type(value) is tuple:
        inner = ", ".join(_value(item) for item in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    if isinstance(value, type):
        return _qualified(value)
    if isinstance(value, attrs.Factory):  # type: ignore[arg-type]
        factory: Any = value
        return f"Factory({_value(factory.factory)})"
    if callable(value) and hasattr(value, "__qualname__"):
        return _qualified(value)
    return _ADDRESS.sub("", repr(value))


def _qualified(obj: Any) -> str:
    module = getattr(obj, "__module__", None) or ""
    name = getattr(obj, "__qualname__", None) or getattr(obj, "__name__", None) or repr(obj)
    if module in ("builtins", "") or module.startswith("ae_systemic"):
        return str(name)
    return f"{module}.{name}"


def _annotation(annotation: object) -> str:
    """An annotation as written: strings as they are, objects by name."""
    if isinstance(annotation, str):
        return annotation
    if isinstance(annotation, type):
        return _qualified(annotation)
    text = inspect.formatannotation(annotation)
    return _PRIVATE_MODULE.sub("", _ADDRESS.sub("", text))


def _parameter(parameter: inspect.Parameter) -> str:
    text = parameter.name
    if parameter.kind is inspect.Parameter.VAR_POSITIONAL:
        text = "*" + text
    elif parameter.kind is inspect.Parameter.VAR_KEYWORD:
        text = "**" + text
    annotated = parameter.annotation is not inspect.Parameter.empty
    if annotated:
        text += f": {_annotation(parameter.annotation)}"
    if parameter.default is not inspect.Parameter.empty:
        text += (" = " if annotated else "=") + _value(parameter.default)
    return text


def _signature(signature: inspect.Signature, *, drop_first: bool = False) -> str:
    """``(a: int, /, b: str = 'x', *, c: bool = False) -> None``, as ``inspect`` renders it."""
    parameters = list(signature.parameters.values())[1 if drop_first else 0 :]
    parts: list[str] = []
    positional_only = False
    keyword_marker = True
    for parameter in parameters:
        kind = parameter.kind
        if kind is inspect.Parameter.POSITIONAL_ONLY:
            positional_only = True
        elif positional_only:
            parts.append("/")
            positional_only = False
        if kind is inspect.Parameter.VAR_POSITIONAL:
            keyword_marker = False
        elif kind is inspect.Parameter.KEYWORD_ONLY and keyword_marker:
            parts.append("*")
            keyword_marker = False
        parts.append(_parameter(parameter))
    if positional_only:
        parts.append("/")
    text = f"({', '.join(parts)})"
    if signature.return_annotation is not inspect.Signature.empty:
        text += f" -> {_annotation(signature.return_annotation)}"
    return text


def _signature_of(obj: Callable[..., object], *, drop_first: bool = False) -> str:
    try:
        signature = inspect.signature(obj, eval_str=False)
    except (TypeError, ValueError):
        return "(signature not available)"
    return _signature(signature, drop_first=drop_first)


# -- kinds -------------------------------------------------------------------------------------


def _is_type_alias(obj: object) -> bool:
    return (
        isinstance(obj, (types.GenericAlias, types.UnionType, typing.TypeVar, typing.NewType))
        or type(obj).__name__ == "TypeAliasType"
        or (type(obj).__module__ == "typing" and not callable(obj))
        or typing.get_origin(obj) is not None
    )


def _function(name: str, function: Callable[..., object]) -> Iterator[str]:
    yield f"{name}: function"
    target = inspect.unwrap(function) if inspect.isfunction(function) else function
    for overload in typing.get_overloads(target):
        yield f"{INDENT}@overload {name}{_signature_of(overload)}"
    yield f"{INDENT}{name}{_signature_of(function)}"


def _bases(cls: type) -> str:
    bases = getattr(cls, "__orig_bases__", None) or cls.__bases__
    shown = [_annotation(base) for base in bases if base is not object]
    return f"({', '.join(shown)})" if shown else ""


def _own_annotations(cls: type) -> dict[str, object]:
    """The annotations written in the class bodies of ``cls`` and its bases, as written."""
    found: dict[str, object] = {}
    for klass in reversed(cls.__mro__):
        found.update(inspect.get_annotations(klass))
    return found


def _attrs_fields(cls: type) -> Iterator[str]:
    written = _own_annotations(cls)
    for field in attrs.fields(cls):
        hint = written.get(field.name, field.type)
        text = f"field {field.name}"
        if hint is not None:
            text += f": {_annotation(hint)}"
        if field.default is not attrs.NOTHING:
            text += f" = {_value(field.default)}"
        notes = []
        if field.init and field.alias != field.name:
            notes.append(f"argument {field.alias}")
        if not field.init:
            notes.append("not an argument")
        if field.kw_only:
            notes.append("keyword only")
        if notes:
            text += f"  [{', '.join(notes)}]"
        yield text


def _defined_in_package(value: object) -> bool:
    module = getattr(value, "__module__", None) or ""
    code = getattr(value, "__code__", None)
    generated = code is not None and code.co_filename.startswith("<")  # attrs' methods
    return module.startswith("ae_systemic") and not generated


#: Methods attrs writes into a class; which of them it writes depends on the attrs version.
_ATTRS_GENERATED = frozenset(
    {
        "__init__",
        "__repr__",
        "__eq__",
        "__ne__",
        "__lt__",
        "__le__",
        "__gt__",
        "__ge__",
        "__hash__",
        "__getstate__",
        "__setstate__",
        "__replace__",
    }
)


def _members(cls: type) -> Iterator[str]:
    """Public methods, properties and class attributes written in the package's classes."""
    seen: dict[str, str] = {}
    field_names = {f.name for f in attrs.fields(cls)} if attrs.has(cls) else set()
    for klass in reversed(cls.__mro__):
        if not (klass.__module__ or "").startswith("ae_systemic"):
            continue
        for name, raw in klass.__dict__.items():
            dunder = name.startswith("__") and name.endswith("__")
            # Single-underscore protocol methods (``_repr_html_``) are API; other _names not.
            protocol = (
                not dunder and _SUNDER.fullmatch(name) is not None and inspect.isfunction(raw)
            )
            private = name.startswith("_") and not (dunder or protocol)
            if name in _NOT_API or name in field_names or private:
                continue
            if attrs.has(cls) and name in _ATTRS_GENERATED:
                continue  # written by attrs, differently from one attrs version to the next
            line = _member(cls, name, raw, dunder)
            if line is not None:
                seen[name] = line
    for name in sorted(seen):
        yield seen[name]


def _member(cls: type, name: str, raw: object, dunder: bool) -> str | None:
    if isinstance(raw, property):
        getter = raw.fget
        returned = getattr(getter, "__annotations__", {}).get("return")
        kind = "property" if raw.fset is None else "settable property"
        return f"{kind} {name}" + (f" -> {_annotation(returned)}" if returned else "")
    if isinstance(raw, functools.cached_property):
        returned = getattr(raw.func, "__annotations__", {}).get("return")
        return f"cached property {name}" + (f" -> {_annotation(returned)}" if returned else "")
    if isinstance(raw, classmethod):
        function = raw.__func__
        return f"classmethod {name}{_signature_of(function, drop_first=True)}"
    if isinstance(raw, staticmethod):
        return f"staticmethod {name}{_signature_of(raw.__func__)}"
    if inspect.isfunction(raw):
        if not _defined_in_package(raw):
            return None
        return f"method {name}{_signature_of(raw, drop_first=True)}"
    if dunder or isinstance(raw, (types.MemberDescriptorType, types.GetSetDescriptorType)):
        return None
    if isinstance(raw, cls) and issubclass(cls, enum.Enum):
        return None  # a member, listed apart
    return f"attribute {name} = {_value(raw)}"


def _constructor(cls: type) -> str:
    """The constructor's signature, or where it is inherited from when not the package's."""
    for klass in cls.__mro__:
        if "__init__" in klass.__dict__ or "__new__" in klass.__dict__:
            if klass.__module__.startswith("ae_systemic"):
                return _signature_of(cls)
            return f"(...)  [constructor of {_qualified(klass)}]"
    return "()"


def _class(name: str, cls: type) -> Iterator[str]:
    if issubclass(cls, enum.Enum):
        yield f"{name}: enum{_bases(cls)}"
        for member in cls:
            yield f"{INDENT}{member.name} = {member.value!r}"
    else:
        if issubclass(cls, BaseException):
            kind, flags = "exception", ""
        elif attrs.has(cls):
            frozen = cls.__setattr__ is not object.__setattr__
            slotted = "__slots__" in cls.__dict__
            flags = ", ".join(f for f, on in (("frozen", frozen), ("slots", slotted)) if on)
            kind = "attrs class"
        else:
            kind, flags = "class", ""
        yield f"{name}: {kind}{_bases(cls)}" + (f" [{flags}]" if flags else "")
        yield f"{INDENT}{name}{_constructor(cls)}"
        if attrs.has(cls):
            for line in _attrs_fields(cls):
                yield INDENT + line
    for line in _members(cls):
        yield INDENT + line


def _entry(name: str, obj: object) -> Iterator[str]:
    if _is_type_alias(obj):
        yield f"{name}: type alias = {_annotation(obj)}"
    elif isinstance(obj, type):
        yield from _class(name, obj)
    elif isinstance(obj, types.ModuleType):
        yield f"{name}: module {obj.__name__}"
    elif callable(obj):
        yield from _function(name, obj)
    else:
        yield f"{name}: constant {type(obj).__name__} = {_value(obj)}"


def render() -> str:
    """The snapshot text: a header, then one block per public name of each module."""
    lines = [
        "# The public API of ae_systemic, generated by tests/test_api_snapshot.py.",
        f"# After a deliberate change, regenerate: {UPDATE_COMMAND}",
    ]
    for module_name in MODULES:
        module = importlib.import_module(module_name)
        names: list[str] = list(module.__all__)
        lines += ["", f"## {module_name} ({len(names)} names)"]
        for name in sorted(names):
            lines.append("")
            lines.extend(_entry(name, getattr(module, name)))
    return "\n".join(lines) + "\n"


# -- tests --------------------------------------------------------------------------------------


def test_the_public_api_matches_the_snapshot() -> None:
    current = render()
    if os.environ.get(UPDATE_VARIABLE):
        SNAPSHOT.write_text(current, encoding="utf-8", newline="\n")
        return
    committed = SNAPSHOT.read_text(encoding="utf-8") if SNAPSHOT.exists() else ""
    if current != committed:
        diff = "".join(
            difflib.unified_diff(
                committed.splitlines(keepends=True),
                current.splitlines(keepends=True),
                fromfile="tests/api_snapshot.txt (committed)",
                tofile="public API now",
            )
        )
        pytest.fail(
            "The public API differs from tests/api_snapshot.txt.\n"
            "If the change is deliberate, regenerate the snapshot with\n\n"
            f"    {UPDATE_COMMAND}\n\n"
            "and update the docs and CHANGELOG.md.\n\n" + diff,
            pytrace=False,
        )


def test_every_public_name_has_exactly_one_block() -> None:
    text = render()
    headers = [line.split(":", 1)[0] for line in text.splitlines() if re.match(r"\w+: ", line)]
    for module_name in MODULES:
        module = importlib.import_module(module_name)
        for name in module.__all__:
            assert name in headers, f"{module_name}.{name} is missing from the snapshot"
    assert len(headers) == sum(len(importlib.import_module(m).__all__) for m in MODULES)


def test_the_snapshot_is_the_same_in_a_fresh_interpreter_with_another_hash_seed() -> None:
    # Nothing may depend on what ran before (attrs resolves field types in place, caches
    # fill up) or on the order of sets.
    completed = subprocess.run(
        [sys.executable, __file__],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        encoding="utf-8",
        env={**os.environ, "PYTHONHASHSEED": "12345", "PYTHONIOENCODING": "utf-8"},
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout == render()


def test_the_snapshot_has_no_memory_addresses_and_ends_with_one_newline() -> None:
    text = render()
    assert not _ADDRESS.search(text)
    assert text.endswith("\n")
    assert not text.endswith("\n\n")
    assert all(line == line.rstrip() for line in text.splitlines())


if __name__ == "__main__":  # used by the fresh-interpreter test above
    sys.stdout.write(render())
