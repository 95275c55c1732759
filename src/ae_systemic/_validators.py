"""Small named attrs validators shared by the model classes.

Each raises :class:`~ae_systemic.DataError` (a ``ValueError``) for a bad value
and :class:`~ae_systemic.ArgumentTypeError` (a ``TypeError``) for a value of the
wrong type, both naming the field, so that the converter can report the full path
of the offending field in a data file.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Collection
from typing import Any, TypeVar

import attrs

from ._errors import ArgumentTypeError, DataError, DataProblem, shown

__all__ = [
    "ATC_PATTERN",
    "MAX_COUNT",
    "TEXT_PATTERN",
    "atc_code",
    "enum_of",
    "fail",
    "finite_float",
    "instance_of",
    "non_empty",
    "non_empty_texts",
    "optional",
    "percent",
    "positive_int",
    "reference_numbers",
    "text_problem",
    "tuple_of",
    "unit_in",
]

T = TypeVar("T")
Validator = Callable[[Any, "attrs.Attribute[Any]", Any], None]


def fail(field: str, message: str) -> DataError:
    """A :class:`DataError` for one field of the object being built."""
    return DataError([DataProblem(field, message)])


def _type_name(value: object) -> str:
    return "null" if value is None else type(value).__name__


#: What no text of the content contains: the control characters (C0, DEL, C1), the
#: Unicode line and paragraph separators, and lone surrogates (not characters: no UTF-8
#: output can hold one), so that every text is one line of printable characters wherever
#: it is shown (a terminal, a calendar, a card, a Markdown table, a JSON answer).
_NOT_IN_TEXT = "[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]"

#: The JSON Schema pattern of :func:`non_empty` text: no character of ``_NOT_IN_TEXT``
#: but the surrogates (which ECMA-262 would find in every pair of UTF-16 code units: lone
#: ones are left to the loader), and something other than white space.  Written without
#: ``$``, which Python's ``re`` (unlike ECMA-262, JSON Schema's regular expressions) also
#: matches before a final line break.
TEXT_PATTERN = r"^(?![\s\S]*[\u0000-\u001F\u007F-\u009F\u2028\u2029])[\s\S]*\S"


def non_empty(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """A one-line string of printable characters, with something other than spaces in it."""
    if not isinstance(value, str):
        raise ArgumentTypeError(attribute.name, f"expected a string, got {_type_name(value)}")
    if not value.strip():
        raise fail(attribute.name, "must not be empty")
    problem = text_problem(value)
    if problem is not None:
        raise fail(attribute.name, problem)


def text_problem(text: str) -> str | None:
    """What keeps ``text`` from being one line of printable characters, or ``None``."""
    if text.isprintable():  # no character of _NOT_IN_TEXT: each is one str.isprintable refuses
        return None
    found = re.search(_NOT_IN_TEXT, text)  # compiled on first use, not at import
    if found is None:
        return None
    code = ord(found.group())
    what = "a lone surrogate" if 0xD800 <= code <= 0xDFFF else "the control character"
    return (
        f"contains {what} U+{code:04X} at character {found.start() + 1}; "
        "expected one line of printable characters"
    )


#: What an ATC code of a substance (level 5) looks like: ``L04AD01``.
#: Ended by ``(?![\s\S])`` (nothing follows), not ``$``: see :data:`TEXT_PATTERN`.
ATC_PATTERN = r"^[A-Z][0-9]{2}[A-Z]{2}[0-9]{2}(?![\s\S])"


def atc_code(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """An ATC code of a substance (level 5): a letter, two digits, two letters, two digits."""
    if not (isinstance(value, str) and len(value) == 7 and _is_atc(value)):
        raise fail(attribute.name, f"expected an ATC code such as 'L04AD01', got {shown(value)}")


def _is_atc(value: str) -> bool:
    letters, digits = "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "0123456789"
    kinds = (letters, digits, digits, letters, letters, digits, digits)
    return all(char in kind for char, kind in zip(value, kinds, strict=True))


def finite_float(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """A finite real number (an ``int`` or ``float``, never a ``bool``)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ArgumentTypeError(attribute.name, f"expected a number, got {_type_name(value)}")
    if not math.isfinite(value):
        raise fail(attribute.name, f"must be a finite number, got {value}")


#: The largest whole number a count in the data may hold (a bound of this library: no count
#: in guideline content comes near it, and bounded counts cannot overflow a computation).
MAX_COUNT = 1_000_000


def positive_int(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """A whole number from 1 to :data:`MAX_COUNT`."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ArgumentTypeError(attribute.name, f"expected a whole number, got {_type_name(value)}")
    if not 1 <= value <= MAX_COUNT:
        raise fail(attribute.name, f"must lie between 1 and {MAX_COUNT}, got {_short_int(value)}")


def _short_int(value: int) -> str:
    return (
        str(value)
        if -(10**12) < value < 10**12
        else ("a huge number" if value > 0 else "a huge negative number")
    )


def percent(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """A whole number of percent, from 0 to 100."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ArgumentTypeError(attribute.name, f"expected a whole number, got {_type_name(value)}")
    if not 0 <= value <= 100:
        raise fail(attribute.name, f"must lie between 0 and 100, got {shown(value)}")


def tuple_of(item: Validator) -> Validator:
    """A tuple (not a list) whose every item passes ``item``."""

    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, tuple):
            raise ArgumentTypeError(attribute.name, f"expected a tuple, got {_type_name(value)}")
        for index, element in enumerate(value):
            try:
                item(instance, attribute, element)
            except DataError as exc:
                raise DataError(
                    DataProblem(
                        f"{attribute.name}[{index}]" + p.path.removeprefix(attribute.name),
                        p.message,
                    )
                    for p in exc.problems
                ) from None
            except ArgumentTypeError as exc:
                raise exc.with_index(index) from None

    return check


def instance_of(kind: type) -> Validator:
    """An instance of ``kind`` (for nested model objects)."""

    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, kind):
            raise ArgumentTypeError(
                attribute.name, f"expected a {kind.__name__}, got {_type_name(value)}"
            )

    return check


def enum_of(kind: type) -> Validator:
    """A member of the enum ``kind``."""
    return instance_of(kind)


def optional(inner: Validator) -> Validator:
    """``None`` or a value that passes ``inner``."""

    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if value is not None:
            inner(instance, attribute, value)

    return check


non_empty_texts = tuple_of(non_empty)


def reference_numbers(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """A tuple of distinct reference numbers, each at least 1."""
    tuple_of(positive_int)(instance, attribute, value)
    if isinstance(value, tuple) and len(set(value)) != len(value):
        raise fail(attribute.name, f"cites a reference twice: {list(value)}")


def unit_in(allowed: Collection[str], what: str) -> Validator:
    """One of the ``allowed`` unit spellings, for a quantity of kind ``what``."""

    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, str):
            raise ArgumentTypeError(
                attribute.name, f"expected a unit name, got {_type_name(value)}"
            )
        if value not in allowed:
            raise fail(
                attribute.name,
                f"{value!r} is not an allowed unit for {what}; "
                f"use one of {', '.join(repr(u) for u in allowed)}",
            )

    return check
