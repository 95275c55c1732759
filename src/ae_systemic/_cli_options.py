"""Options of the command line: the arguments every command shares, and reading option text.

Each reader turns the text of one option into what the library takes (a quantity or
its text, a list of strengths, a medicine with its pathways, a date, a count) and
refuses what it cannot read with :class:`CommandError`, naming the option.  Quantities
themselves are checked by the library, whose errors name the argument; the command
line maps the argument back to its option (:data:`OPTION_OF`).
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    import datetime

    import pint

    from ._converter import JSONValue
    from ._model import Drug
    from ._vocabulary import Pathway, Phase

__all__ = [
    "OPTION_OF",
    "WHOLE_NUMBER",
    "Answer",
    "CommandError",
    "SingleValue",
    "add_adult_from",
    "add_age",
    "add_drug",
    "add_json",
    "add_phase",
    "add_weight",
    "age",
    "drug",
    "fraction",
    "json_text",
    "key_value",
    "months",
    "pathways",
    "phase",
    "printable",
    "registry",
    "start",
    "strengths",
    "whole_number",
]

#: The library's argument names, and the options of the command line they come from.
OPTION_OF = {
    "amount": "--amount",
    "frequency": "--times-per-day",
    "period": "--every",
    "tolerance": "--tolerance",
    "weight": "--weight",
    "age": "--age",
    "adult_from": "--adult-from",
    "start": "--start",
    "months": "--months",
    "strengths": "--strengths",
    "course": "--course",
    "patient": "--weight",  # check_dose(drug, weight, ...) names the weight "patient"
}


class Answer(NamedTuple):
    """What a command prints, and the exit status when it is not 0 (``check``: 1 outside)."""

    text: str
    status: int = 0


class CommandError(Exception):
    """Bad input on the command line: printed as one line on stderr, exit code 2."""


#: Where :class:`SingleValue` notes, in the namespace being parsed, the options given.
_GIVEN = "_single_values_given"


class SingleValue(argparse.Action):
    """A single-valued option that may be given once: a second one is refused, named.

    argparse's own ``store`` lets the last of a repeated option win, so that
    ``--weight 70kg --weight 80kg`` would dose 80 kg without a word.  The command line's
    parsers register this action in its place for every option that takes one value
    (``--weight``, ``--age``, ``--phase``, ``--strengths``, ``--ics``, ...).
    """

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: str | Sequence[Any] | None,
        option_string: str | None = None,
    ) -> None:
        given: set[str] = vars(namespace).setdefault(_GIVEN, set())
        if self.dest in given:
            name = self.option_strings[-1] if self.option_strings else str(self.metavar)
            parser.error(
                f"{name} was given twice ({getattr(namespace, self.dest)!r}, then "
                f"{values!r}): give it once"
            )
        given.add(self.dest)
        setattr(namespace, self.dest, values)


# --- options shared by several commands ------------------------------------------------


def add_json(
    parser: argparse.ArgumentParser,
    default: object = argparse.SUPPRESS,
    help: str = "print JSON instead of text",
) -> None:
    """``--json``.  Sub-commands use SUPPRESS, so that their default does not overwrite a
    ``--json`` given before the command (``ae-systemic --json dose ...``)."""
    parser.add_argument("--json", action="store_true", default=default, help=help)


def add_drug(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("drug", metavar="DRUG", help="a drug name or synonym, e.g. ciclosporin")


def add_weight(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--weight",
        required=True,
        metavar="WEIGHT",
        help="body weight with a unit: 70kg, 154lb, '70000 g'",
    )


def add_age(parser: argparse.ArgumentParser, *, required: bool) -> None:
    parser.add_argument(
        "--age",
        required=required,
        metavar="AGE",
        help="age with a unit: 12y, 15y11m, 18m (months), '16 years', '18 months'; it "
        "chooses the population (adults from --adult-from on)",
    )


def add_adult_from(
    parser: argparse.ArgumentParser,
    help: str = "with --age: age from which the adult regimens apply (default: 18 years, a "
    "choice of this library; the guideline does not say)",
) -> None:
    parser.add_argument("--adult-from", metavar="AGE", help=help)


def add_phase(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--phase",
        choices=("acute", "long-term"),
        help="acute flare (short-term) or long-term; default: the standard range",
    )


# --- the registry ------------------------------------------------------------------------


def registry(options: argparse.Namespace) -> pint.UnitRegistry[float]:
    """pint's registry for this run: set up for the process first when the run owns it.

    Called by the commands that handle quantities before anything imports pint.
    """
    if options.owns_process:
        from ._startup import set_up_pint_for_this_process

        return set_up_pint_for_this_process()
    from ._units import application_registry

    return application_registry()


# --- reading option text -----------------------------------------------------------------


def drug(name: str) -> Drug:
    from ._lookup import drug as lookup

    return lookup(name)


def phase(value: str | None) -> Phase | None:
    if value is None:
        return None
    from ._vocabulary import Phase

    return Phase(value)


_BARE_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
_AGE_PART = re.compile(r"\s*(\d+(?:\.\d*)?|\.\d+)\s*([A-Za-z]+)")
#: Unit words of compound or short ages, and pint's name for each.
_AGE_UNITS = {
    **dict.fromkeys(("y", "yr", "yrs", "year", "years"), "year"),
    **dict.fromkeys(("m", "mo", "mos", "month", "months"), "month"),
    **dict.fromkeys(("w", "wk", "wks", "week", "weeks"), "week"),
    **dict.fromkeys(("d", "day", "days"), "day"),
}
#: The units of a compound age, largest first: each at most once, in this order.
_AGE_ORDER = ("year", "month", "week", "day")
#: Single-part ages pint reads as written (``16 years``): passed to the library as text.
_PINT_AGE_WORDS = frozenset({"year", "years", "month", "months", "week", "weeks", "day", "days"})


#: The longest text the library reads as a quantity (its own bound, in ``_units``): a
#: longer age is passed on as text, for the library to refuse with its message.
_LONGEST_QUANTITY_TEXT = 64


def age(
    text: str, options: argparse.Namespace, option: str = "--age"
) -> pint.Quantity[float] | str:
    """An age for the library: a quantity for short or compound forms, else the text itself.

    ``12y``, ``15y11m``, ``18m`` (months), ``1y 6mo`` and ``15 years 11 months`` become
    quantities in the command line's registry (``Q(15, "year") + Q(11, "month")``);
    ``16 years`` and anything else are passed on as text, which the library reads and
    checks.  A bare number is refused: the unit is not guessed.  Text longer than the
    library reads as a quantity goes to the library as it is, which refuses it as too
    long (so that no number of thousands of digits is ever converted here).
    """
    stripped = text.strip()
    if len(stripped) > _LONGEST_QUANTITY_TEXT:
        return stripped
    if _BARE_NUMBER.fullmatch(stripped):
        raise CommandError(
            f"{option}: {text!r} has no unit; add one, e.g. {stripped}y or '{stripped} years' "
            "(15y11m, 18m and '18 months' work too)"
        )
    negative = stripped.startswith("-")
    body = stripped[1:] if negative else stripped
    parts: list[tuple[int | float, str]] = []
    position = 0
    while position < len(body):
        match = _AGE_PART.match(body, position)
        if match is None or match.group(2).lower() not in _AGE_UNITS:
            return stripped
        digits = match.group(1)
        magnitude = float(digits) if "." in digits else int(digits)
        parts.append((magnitude, _AGE_UNITS[match.group(2).lower()]))
        position = match.end()
    if not parts or (len(parts) == 1 and body.split()[-1].lower() in _PINT_AGE_WORDS):
        return stripped  # pint reads it as written: the library's own path
    order = [_AGE_ORDER.index(unit) for _, unit in parts]
    if order != sorted(set(order)):  # 16y6y is a slip for 16y6m, not 22 years
        raise CommandError(
            f"{option}: {text!r} gives a unit twice or out of order; write each unit once, "
            "from years down to days, e.g. 15y11m or '1y 6mo'"
        )
    sign = -1 if negative else 1
    quantity = registry(options).Quantity
    total: pint.Quantity[float] = quantity(sign * parts[0][0], parts[0][1])
    for magnitude, unit in parts[1:]:
        total = total + quantity(sign * magnitude, unit)
    return total


#: Strengths separated otherwise than by commas: ``25mg;50mg``, ``25mg|50mg``, ``25mg 50mg``.
_NOT_COMMAS = re.compile(r"[;|]|(?<=[^\d\s.,])\s+(?=[\d.])")


def strengths(text: str) -> list[str]:
    """The unit strengths of ``--strengths``, separated by commas, each with its unit."""
    example = "separated by commas, e.g. 25mg,50mg,100mg"
    if _NOT_COMMAS.search(text):
        raise CommandError(
            f"--strengths: {text!r} is not a list of strengths {example} (no ';', '|' or spaces "
            "between them)"
        )
    items = [item.strip() for item in text.split(",")]
    if not all(items):
        raise CommandError(
            f"--strengths: {text!r} has an empty item; list the unit strengths you have, {example}"
        )
    for position, item in enumerate(items, start=1):
        if _BARE_NUMBER.fullmatch(item):
            raise CommandError(
                f"--strengths (item {position}): {item!r} has no unit; give every strength "
                f"its unit, {example} (and decimals with a point: 2.5mg, not 2,5mg)"
            )
    return items


def pathways(spec: str) -> tuple[str, frozenset[Pathway]]:
    """``NAME[:PATHWAYS]`` as the medicine's name and its pathways (any case)."""
    from ._vocabulary import Pathway

    known = {_fold(p.value): p for p in Pathway} | {_fold(p.name): p for p in Pathway}
    if spec.count(":") > 1:
        raise CommandError(
            f"--co-medication: {spec!r} has more than one ':'; write NAME:PATHWAYS with the "
            "pathways separated by commas, e.g. medicine-x:CYP3A4,OATP"
        )
    name, _, listed = spec.partition(":")
    if not name.strip():
        raise CommandError(
            f"--co-medication: {spec!r} has no medicine name; write NAME:PATHWAYS, "
            "e.g. medicine-x:CYP3A4,OATP"
        )
    found: set[Pathway] = set()
    for word in filter(None, (w.strip() for w in listed.split(","))):
        if _fold(word) not in known:
            raise CommandError(
                f"--co-medication: {word!r} in {spec!r} is not a pathway the guideline "
                f"names; use {', '.join(p.value for p in Pathway)} (any case)"
            )
        found.add(known[_fold(word)])
    return name.strip(), frozenset(found)


def key_value(spec: str, option: str, form: str, example: str) -> tuple[str, str]:
    """``KEY=VALUE`` of a repeatable option (``--column weight=kg_col``): the key stripped.

    Without ``=``, or with an empty side, a :class:`CommandError` names the option, the
    ``form`` it takes (``FIELD=NAME``) and an ``example`` of its value.
    """
    key, equals, value = spec.partition("=")
    key = key.strip()
    if not equals or not key or not value:
        raise CommandError(f"{option}: {spec!r} is not {form}; write e.g. {option} {example}")
    return key, value


def _fold(word: str) -> str:
    return word.casefold().replace("-", "").replace("_", "")


def start(text: str | None) -> datetime.date:
    import datetime

    if text is None:
        return datetime.date.today()
    # Only YYYY-MM-DD: fromisoformat also reads week dates (2027-W03-5) and 20270115.
    if not re.fullmatch(r"\s*[0-9]{4}-[0-9]{2}-[0-9]{2}\s*", text):
        problem = "is not a date in the form YYYY-MM-DD"
    else:
        try:
            return datetime.date.fromisoformat(text.strip())
        except ValueError as exc:
            problem = f"is not a day of the calendar ({exc})"
    raise CommandError(f"--start: {text!r} {problem}; write e.g. 2027-01-15")


#: A whole number as typed: ASCII digits only (``int`` also reads ``1_0`` and ``２``).
WHOLE_NUMBER = re.compile(r"\s*[-+]?[0-9]+\s*")
#: A decimal number as typed: ASCII digits, a point, an exponent (not ``nan``, ``1_0``).
_DECIMAL = re.compile(r"\s*[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?\s*")


#: More digits than any number option takes (a port, a count, months): refused before
#: ``int()``, which refuses more than 4300 digits with an error of its own.
_MOST_DIGITS = 18


def whole_int(text: str, option: str) -> int:
    """The int of ``text``, which :data:`WHOLE_NUMBER` matches; too many digits refused."""
    digits = text.strip().lstrip("+-").lstrip("0")
    if len(digits) > _MOST_DIGITS:
        raise CommandError(
            f"{option}: a number of {len(digits)} digits is larger than any this option takes"
        )
    return int(text)


def whole_number(text: str | None, option: str) -> int | None:
    """A whole number given as option text, or ``None`` when the option was not given."""
    if text is None:
        return None
    if not WHOLE_NUMBER.fullmatch(text):
        raise CommandError(f"{option}: {text!r} is not a whole number; write e.g. 2")
    return whole_int(text, option)


def fraction(text: str | None, option: str) -> float:
    """A relative amount given as option text (``0.1``); 0 when the option was not given."""
    if text is None:
        return 0.0
    if not _DECIMAL.fullmatch(text):
        raise CommandError(
            f"{option}: {text!r} is not a number; write a fraction such as 0.1 (10 %)"
        )
    return float(text)


def months(text: str) -> int:
    if not WHOLE_NUMBER.fullmatch(text):
        raise CommandError(f"--months: {text!r} is not a whole number of months; write e.g. 12")
    return whole_int(text, "--months")


# --- output text -------------------------------------------------------------------------

#: A lone surrogate: no character, so no UTF-8 either.  Python holds each byte of a name or
#: argument that is not UTF-8 as one (``\udce8`` for the byte ``\xe8``: "surrogateescape").
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if 0xDC80 <= code <= 0xDCFF:  # the byte it stands for, as audit prints a file name
        return f"\\x{code - 0xDC00:02x}"
    return f"\\u{code:04x}"


def printable(text: str) -> str:
    """``text`` as the command line prints it: what is no character escaped, the rest as is.

    A byte of an argument or a file name that is not UTF-8 (a name typed in Latin-1, such
    as ``Ibuprof\\xe8ne``) becomes the four characters ``\\xe8``, as ``audit`` prints file
    names; any other lone surrogate becomes ``\\udXXX``.  The one rule for every command's
    text and JSON (:func:`json_text`), so that the output is always UTF-8.
    """
    return _LONE_SURROGATE.sub(_escape, text)


def json_text(data: JSONValue) -> str:
    """``data`` as indented JSON, in UTF-8 characters; its texts made :func:`printable`.

    An escaped byte stays in the JSON string as what the text shows (``"Ibuprof\\\\xe8ne"``
    reads back as ``Ibuprof\\xe8ne``): JSON's own ``\\udce8`` would read back as no
    character at all.
    """
    import json

    text = json.dumps(data, ensure_ascii=False, indent=2)
    # A lone surrogate can only stand inside a JSON string, where a backslash is doubled.
    return _LONE_SURROGATE.sub(lambda match: _escape(match).replace("\\", "\\\\"), text)
