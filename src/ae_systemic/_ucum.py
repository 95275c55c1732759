"""UCUM units: the codes health records write quantities in, read into pint and written back.

FHIR writes a quantity as ``{"value": 160, "unit": "lb", "system":
"http://unitsofmeasure.org", "code": "[lb_av]"}``.  pint cannot read UCUM codes
(``[lb_av]``, ``mg/(kg.d)``) and reads some differently, so the codes this library
supports are listed here, each with the pint unit it means (:data:`UCUM_UNITS`), and
nothing else is read.  The ``code`` decides; the human ``unit`` text is only checked not
to name another unit: the whole text against the texts of the table, and for a mass each
of its words against the names of the masses (``"lbs."``, ``"Pfund"`` with code ``kg``).

:func:`quantity` reads a FHIR ``Quantity`` (or ``Age``, ``Duration``) into a pint
quantity of the application registry; :func:`to_quantity` writes a pint quantity as one;
:func:`ucum_quantity` is the one place where that JSON is made (the R5 export uses it
too).  UCUM's ``a`` is the Julian year (365.25 days) and ``mo`` a twelfth of it, which are
pint's ``year`` and ``month``; the tests check this in the registry.

pint is imported only when a quantity is made.  A FHIR value this module cannot read is
a :class:`~ae_systemic.DataError` naming its path (``Observation.valueQuantity.code``)
and what would be right; a caller's argument of the wrong type an
:class:`~ae_systemic.ArgumentTypeError`.
"""

from __future__ import annotations

import decimal
import math
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Final

import attrs

from ._errors import ArgumentTypeError, DataError, DataProblem, InputError, join_path, shown
from ._units import QuantityLike, application_registry, as_float, quantity_of, registry_of

if TYPE_CHECKING:
    import pint

    from ._converter import JSONValue

__all__ = [
    "UCUM_CODES",
    "UCUM_SYSTEM",
    "UCUM_UNITS",
    "UcumUnit",
    "not_a_number",
    "quantity",
    "read_unit",
    "to_quantity",
    "ucum_quantity",
    "ucum_unit",
]

#: The code system of UCUM, the units of measure FHIR quantities use.
UCUM_SYSTEM: Final = "http://unitsofmeasure.org"

# The kinds of unit, for callers that need one (a body weight is a mass).
MASS: Final = "mass"
TIME: Final = "time"
MASS_PER_TIME: Final = "mass per time"
MASS_PER_BODY_WEIGHT: Final = "mass per body weight"
MASS_PER_BODY_WEIGHT_PER_TIME: Final = "mass per body weight per time"


@attrs.frozen
class UcumUnit:
    """One UCUM code this library reads and writes.

    ``code`` is the UCUM code, ``pint_unit`` the same unit spelt for pint, ``kind`` what
    it measures (``mass``, ``time``, ``mass per time``, ``mass per body weight``, ``mass
    per body weight per time``), ``meaning`` a short description, ``written_as`` the code
    :func:`to_quantity` writes for it (itself, or the usual form of an equal code:
    ``mg/(kg.d)`` is written ``mg/kg/d``) and ``displays`` the human unit texts that name
    it (compared ignoring case and spaces).
    """

    code: str
    pint_unit: str
    kind: str
    meaning: str
    written_as: str
    displays: frozenset[str]


_SPACES = re.compile(r"\s+")


def _normal(text: str) -> str:
    """A unit text compared ignoring case, surrounding spaces and spaces around ``/``."""
    text = _SPACES.sub(" ", text.strip().casefold())
    return text.replace(" /", "/").replace("/ ", "/")


def _unit(
    code: str, pint_unit: str, kind: str, meaning: str, *displays: str, written_as: str = ""
) -> UcumUnit:
    names = frozenset(_normal(text) for text in (code, *displays))
    return UcumUnit(code, pint_unit, kind, meaning, written_as or code, names)


_MASSES = (
    _unit("ug", "microgram", MASS, "microgram", "µg", "μg", "mcg", "microgram", "micrograms"),
    _unit("mg", "milligram", MASS, "milligram", "milligram", "milligrams"),
    _unit("g", "gram", MASS, "gram", "gram", "grams", "gm"),
    _unit("kg", "kilogram", MASS, "kilogram", "kilogram", "kilograms", "kgs"),
    _unit(
        "[lb_av]", "pound", MASS, "pound (avoirdupois, 453.59237 g)",
        "lb", "lbs", "pound", "pounds", "lb_av",
    ),
    _unit("[oz_av]", "ounce", MASS, "ounce (avoirdupois, 1/16 lb)", "oz", "ounce", "ounces"),
    _unit("[stone_av]", "stone", MASS, "stone (avoirdupois, 14 lb)", "st", "stone", "stones"),
)  # fmt: skip
_TIMES = (
    _unit("s", "second", TIME, "second", "sec", "second", "seconds"),
    _unit("min", "minute", TIME, "minute", "minute", "minutes"),
    _unit("h", "hour", TIME, "hour", "hr", "hrs", "hour", "hours"),
    _unit("d", "day", TIME, "day", "day", "days"),
    _unit("wk", "week", TIME, "week", "week", "weeks"),
    _unit("mo", "month", TIME, "month (a twelfth of a Julian year, 30.4375 d)", "month", "months"),
    _unit("a", "year", TIME, "year (the Julian year, 365.25 d)", "yr", "yrs", "year", "years"),
)

_AMOUNTS = (("mg", "milligram"), ("g", "gram"))
_PERIODS = (("d", "day", ("day",)), ("wk", "week", ("week",)))


def _rates() -> tuple[UcumUnit, ...]:
    """The dose rates of the data's units: mg or g, per kg or not, per day or week, or neither."""
    units: list[UcumUnit] = []
    for amount, pint_amount in _AMOUNTS:
        units.append(
            _unit(
                f"{amount}/kg",
                f"{pint_amount} / kilogram",
                MASS_PER_BODY_WEIGHT,
                f"{pint_amount} per kilogram of body weight",
            )
        )
        for period, pint_period, words in _PERIODS:
            texts = [f"{amount}/{word}" for word in words] + [f"{amount} per {w}" for w in words]
            units.append(
                _unit(
                    f"{amount}/{period}",
                    f"{pint_amount} / {pint_period}",
                    MASS_PER_TIME,
                    f"{pint_amount} per {pint_period}",
                    *texts,
                )
            )
            per_kg = f"{pint_amount} per kilogram of body weight per {pint_period}"
            kg_texts = [f"{amount}/kg/{word}" for word in words]
            kg_texts += [f"{amount}/kg per {word}" for word in words]
            units.append(
                _unit(
                    f"{amount}/kg/{period}",
                    f"{pint_amount} / kilogram / {pint_period}",
                    MASS_PER_BODY_WEIGHT_PER_TIME,
                    per_kg,
                    *kg_texts,
                )
            )
            units.append(
                _unit(
                    f"{amount}/(kg.{period})",
                    f"{pint_amount} / kilogram / {pint_period}",
                    MASS_PER_BODY_WEIGHT_PER_TIME,
                    per_kg,
                    written_as=f"{amount}/kg/{period}",
                )
            )
    return tuple(units)


#: Every UCUM code this library reads, by code: masses, times, and the dose rates the
#: library meets.  A code outside this table is refused, never guessed.
UCUM_UNITS: Final[Mapping[str, UcumUnit]] = {
    unit.code: unit for unit in (*_MASSES, *_TIMES, *_rates())
}
#: The supported UCUM codes, in the order of the documentation's table.
UCUM_CODES: Final = tuple(UCUM_UNITS)

#: Each display text and the codes it names (one code, or several equal ones).
_DISPLAYS: Final = {
    text: frozenset(u.written_as for u in UCUM_UNITS.values() if text in u.displays)
    for unit in UCUM_UNITS.values()
    for text in unit.displays
}


def ucum_unit(code: str) -> UcumUnit | None:
    """The entry of :data:`UCUM_UNITS` for ``code``, or ``None`` when it has none."""
    return UCUM_UNITS.get(code)


def ucum_quantity(value: int | float, code: str) -> dict[str, JSONValue]:
    """The FHIR ``Quantity`` of ``value`` in the UCUM ``code``; the code is its unit text too.

    ``code`` must be one of :data:`UCUM_UNITS` (an :class:`~ae_systemic.InputError` says
    which are, otherwise).
    """
    if ucum_unit(code) is None:
        raise InputError("code", f"{shown(code)} is not a UCUM code of this library: {_codes()}")
    return {"value": value, "unit": code, "system": UCUM_SYSTEM, "code": code}


def _codes() -> str:
    return "supported codes are " + ", ".join(UCUM_CODES)


def _fail(path: str, message: str) -> DataError:
    return DataError([DataProblem(path, message)])


def quantity(
    fhir_quantity: Mapping[str, object], *, path: str = "Quantity"
) -> pint.Quantity[float]:
    """The pint quantity of a FHIR ``Quantity``, ``Age`` or ``Duration`` (a dict).

    The ``system`` must be UCUM (``http://unitsofmeasure.org``) and the ``code`` one of
    :data:`UCUM_UNITS`; the ``code`` decides the unit, and a ``unit`` text naming another
    unit of the table contradicts it (for a mass, a word of it naming another mass does:
    ``"lbs."`` or ``"Pfund"`` with the code ``kg``).  The magnitude is a float, in the application
    registry (:func:`~ae_systemic.application_registry`).  ``path`` names the quantity in
    errors (``Observation.valueQuantity``).

    Refused with a :class:`~ae_systemic.DataError` naming the element and the value: a
    value that is not a dict; a missing or non-numeric or non-finite ``value``; a
    ``comparator`` (``<``, ``>=`` …: an inexact value is not a dose input); a missing or
    non-UCUM ``system``; a missing code or one outside the table; a ``unit`` text that
    names another unit.

    >>> weight = quantity({"value": 160, "unit": "lb", "system": "http://unitsofmeasure.org",
    ...                    "code": "[lb_av]"})
    >>> weight, round(weight.m_as("kg"), 3)
    (<Quantity(160.0, 'pound')>, 72.575)
    """
    if not isinstance(path, str):
        raise ArgumentTypeError("path", f"expected the path as a string, got {shown(path)}")
    unit, magnitude = read_unit(fhir_quantity, path)
    value: pint.Quantity[float] = application_registry().Quantity(magnitude, unit.pint_unit)
    return value


def read_unit(fhir_quantity: object, path: str) -> tuple[UcumUnit, float]:
    """The unit and the magnitude (a float) of a FHIR quantity, checked as :func:`quantity` says."""
    if not isinstance(fhir_quantity, Mapping):
        raise _fail(
            path,
            "expected a FHIR Quantity (an object with value, system and code), "
            f"got {shown(fhir_quantity)}",
        )
    if "comparator" in fhir_quantity:
        raise _fail(
            join_path(path, "comparator"),
            f"{shown(fhir_quantity['comparator'])}: an inexact value ('<', '<=', '>=', '>') "
            "is not read as a dose input; give the exact value without a comparator",
        )
    magnitude = _magnitude(fhir_quantity.get("value"), join_path(path, "value"))
    system = fhir_quantity.get("system")
    code = fhir_quantity.get("code")
    if system is None:
        raise _fail(
            join_path(path, "system"),
            f"missing: the code {shown(code)} is read only as a UCUM code, with system "
            f"{UCUM_SYSTEM!r}",
        )
    if system != UCUM_SYSTEM:
        raise _fail(
            join_path(path, "system"),
            f"{shown(system)} is not UCUM; this library reads units only as UCUM codes "
            f"(system {UCUM_SYSTEM!r})",
        )
    if not isinstance(code, str):
        found = "missing" if code is None else f"{shown(code)} is not a string"
        raise _fail(join_path(path, "code"), f"{found}: give the UCUM code, e.g. 'kg' or 'mg'")
    unit = ucum_unit(code)
    if unit is None:
        raise _fail(
            join_path(path, "code"),
            f"{shown(code)} is not a UCUM code this library reads; {_codes()}",
        )
    display = fhir_quantity.get("unit")
    if display is not None:
        _check_display(display, unit, join_path(path, "unit"))
    return unit, magnitude


def _magnitude(value: object, path: str) -> float:
    if value is None:
        raise _fail(path, "missing: a quantity without a value cannot be read")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _fail(path, not_a_number(value))
    magnitude = as_float(value)
    if not math.isfinite(magnitude):
        raise _fail(path, f"{shown(value)} is not a finite number")
    return magnitude


def not_a_number(value: object) -> str:
    """Why a FHIR number that is not a JSON number (an ``int`` or ``float``) is refused.

    The one wording for every number read from FHIR JSON; a ``Decimal`` (JSON parsed with
    ``parse_float=Decimal``) is named as such, with the fix.
    """
    if isinstance(value, decimal.Decimal):
        return (
            f"expected a number, got the Decimal {shown(value)}: a Decimal is not read; parse "
            "the JSON with json.loads's default floats (without parse_float=Decimal)"
        )
    kind = "a string" if isinstance(value, str) else type(value).__name__
    return f"expected a number, got {kind}: {shown(value)}"


#: The words that name a mass unit in a unit text, by the code of the unit: the table's
#: own texts and a few common words of European languages (``Pfund``, ``livres``).  A
#: word found in a mass's unit text that names another mass contradicts the code.
_MASS_WORDS: Final = {
    "ug": ("microgramme", "microgrammes", "mikrogramm", "microgramo", "microgramos"),
    "mg": (
        "mgs", "milligramme", "milligrammes", "milligramm", "miligramo", "miligramos",
        "milligrammo", "milligrammi",
    ),
    "g": ("gms", "gramme", "grammes", "gramm", "gramo", "gramos", "grammo", "grammi"),
    "kg": (
        "kilo", "kilos", "kilogramme", "kilogrammes", "kilogramm", "kilogramo", "kilogramos",
        "chilogrammo", "chilogrammi",
    ),
    "[lb_av]": ("pfund", "livre", "livres", "libra", "libras"),
    "[oz_av]": ("ozs", "unze", "unzen", "onza", "onzas"),
    "[stone_av]": (),
}  # fmt: skip
_WORD: Final = re.compile(r"\w+")


def _mass_words() -> dict[str, str]:
    """Each word naming a mass unit (casefolded), and the code of the unit it names."""
    words: dict[str, str] = {}
    for code, more in _MASS_WORDS.items():
        unit = UCUM_UNITS[code]
        for text in (*unit.displays, *more):
            for word in _WORD.findall(text.casefold().strip("[]")):
                words[word] = code
    return words


_MASS_BY_WORD: Final = _mass_words()


def _check_display(display: object, unit: UcumUnit, path: str) -> None:
    if not isinstance(display, str):
        raise _fail(path, f"expected the unit text as a string, got {shown(display)}")
    named = _DISPLAYS.get(_normal(display))
    if named is not None and unit.written_as not in named:
        raise _fail(
            path,
            f"the unit text {shown(display)} names {' or '.join(sorted(named))}, but the code "
            f"is {unit.code!r}, {unit.meaning}; correct the one that is wrong",
        )
    if unit.kind != MASS:
        return
    for word in _WORD.findall(display.casefold()):
        other = _MASS_BY_WORD.get(word)
        if other is not None and other != unit.code:
            raise _fail(
                path,
                f"the unit text {shown(display)} names {other} ({shown(word)}), but the code "
                f"is {unit.code!r}, {unit.meaning}; correct the one that is wrong",
            )


def to_quantity(value: QuantityLike) -> dict[str, JSONValue]:
    """The FHIR ``Quantity`` (UCUM) of a pint quantity, or of a string such as ``"70 kg"``.

    The unit must be one of :data:`UCUM_UNITS` (pint's ``pound`` is ``[lb_av]``, ``year``
    is ``a``); the code is also written as the unit text, as the R5 export does.
    :func:`quantity` reads the result back to an equal quantity.

    A unit outside the table, an array or a non-finite magnitude is an
    :class:`~ae_systemic.InputError` (:class:`~ae_systemic.DoseInputError` for an
    unreadable string); anything but a quantity or a string an
    :class:`~ae_systemic.ArgumentTypeError`.

    >>> to_quantity("160 lb")
    {'value': 160, 'unit': '[lb_av]', 'system': 'http://unitsofmeasure.org', 'code': '[lb_av]'}
    """
    _, pint_quantity = quantity_of(value, "quantity", "'70 kg'")
    magnitude = pint_quantity.magnitude
    if isinstance(magnitude, bool) or not isinstance(magnitude, (int, float)):
        raise InputError(
            "quantity",
            f"expected one real number with a unit, got a magnitude of type "
            f"{type(magnitude).__name__}",
        )
    if not math.isfinite(as_float(magnitude)):
        raise InputError("quantity", f"{shown(magnitude)} is not a finite number")
    code = _code_of(pint_quantity)
    if code is None:
        raise InputError(
            "quantity",
            f"{pint_quantity.units} has no UCUM code in this library's table; convert it to "
            f"one of its units first ({_codes()})",
        )
    return ucum_quantity(magnitude, code)


def _code_of(pint_quantity: pint.Quantity[float]) -> str | None:
    """The UCUM code written for the unit of ``pint_quantity``, in its own registry."""
    registry = registry_of(pint_quantity)
    wanted = pint_quantity._units  # pint's own unit container
    for unit in UCUM_UNITS.values():
        if unit.written_as == unit.code and registry.Unit(unit.pint_unit)._units == wanted:
            return unit.code
    return None
