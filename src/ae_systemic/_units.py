"""Units: the caller's pint registry, caller quantities read and checked, data-file spellings.

Everything the package does with a caller's quantity starts here:

* :data:`QuantityLike`, the type every public function accepts for a quantity: a pint
  quantity or a string such as ``"154 lb"``;
* :func:`quantity_of` reads one (strings strictly: one number and one unit word), in the
  registry it came from, or the application registry for strings (never a private one);
* :func:`weight_in_kg`, :func:`checked_weight`, :func:`checked_age` and
  :func:`mass_in_kg` check the dimension and the plausibility bounds and convert once;
* :class:`RegistryUnits` (through :func:`units_of`) parses each unit once per registry
  and finds each conversion factor once per unit.

A caller's mass is read only in the units of :data:`MASS_UNITS_TEXT`: the gram with an SI
prefix, the pound, the ounce and the stone.  pint knows other masses whose symbols look
like the gram's -- it reads ``"70 kgr"`` (a common European abbreviation of the kilogram)
as 70 kilograins, 4.5 kg, a weight the plausibility bounds cannot catch -- so every other
unit of mass (the grain and its prefixed forms, the dram, the carat, the tonne, the atomic
mass unit, troy units, compound units) is refused, never converted.  Likewise a caller's
time is read only in the units of :data:`TIME_UNITS_TEXT`: pint reads ``"16 ys"`` (a slip
for "16 yrs") as 16 yoctoseconds and ``"18 ms"`` as 18 milliseconds, so the prefixed
seconds and pint's rarer times (the fortnight, the decade, the shake, ...) are refused.

Data files name units as short strings from fixed allow-lists, checked when the data is
read, so that a misspelt or dimensionally wrong unit never reaches pint.  A per-kg dose is
kept as three parts (amount unit, body-weight unit, period) because a single ``mg/kg/d``
quantity cancels to ``1/[time]``.

pint is imported only when a quantity is first needed.  Errors are
:class:`~ae_systemic.DoseInputError` naming the argument (a quantity whose unit,
magnitude or size cannot be right), or :class:`~ae_systemic.ArgumentTypeError` for a
value that is neither a quantity nor a string.
"""

from __future__ import annotations

import functools
import math
import re
import sys
import threading
import weakref
from typing import TYPE_CHECKING, Any, TypeAlias, Union

from ._errors import ArgumentTypeError, DoseInputError, shown

if TYPE_CHECKING:
    from collections.abc import Callable
    from decimal import Decimal
    from fractions import Fraction

    import numpy as np
    import numpy.typing as npt
    import pint
    from pint.facets.plain import PlainUnit
    from pint.util import UnitsContainer

    FloatArray = npt.NDArray[np.float64]

__all__ = [
    "AGE_UNITS",
    "AMOUNT_UNITS",
    "BODY_WEIGHT_UNITS",
    "MASS_UNITS_TEXT",
    "MAX_AGE_YEARS",
    "MAX_BODY_WEIGHT_KG",
    "MIN_BODY_WEIGHT_KG",
    "PERIOD_UNITS",
    "TIME_UNITS_TEXT",
    "ComparedByFacts",
    "QuantityLike",
    "RegistryUnits",
    "application_registry",
    "checked_age",
    "checked_weight",
    "in_unit",
    "mass_in_kg",
    "mass_unit_problem",
    "one_real_number",
    "quantity_of",
    "refused_mass_unit",
    "refused_time_unit",
    "registry_of",
    "restore_in_application_registry",
    "scalar_magnitude",
    "seconds_per_year",
    "state_without_registry",
    "time_unit_problem",
    "underlying_registry",
    "units_of",
    "weight_in_kg",
    "whole_reciprocal",
]

#: A quantity as callers pass it: a pint quantity (``Q(70, "kg")``) or a string
#: (``"154 lb"``) that :func:`quantity_of` reads in the application registry.  Its
#: magnitude is a float or an int, a decimal or a fraction (a registry made with
#: ``non_int_type``), or numpy's float64 or int64 (as a pandas row gives).  The alias is for
#: type checkers: its members are written as strings (numpy is not imported with the
#: package), so ``typing.get_type_hints`` on a function annotated with it cannot resolve
#: them at run time.
QuantityLike: TypeAlias = Union[
    "pint.Quantity[float]",
    "pint.Quantity[int]",
    "pint.Quantity[Decimal]",
    "pint.Quantity[Fraction]",
    "pint.Quantity[np.float64]",
    "pint.Quantity[np.int64]",
    str,
]

#: Units a dose amount may be written in (``[mass]``).
AMOUNT_UNITS: tuple[str, ...] = ("mg", "g")
#: Units the body weight of a per-weight dose may be written in (``[mass]``).
BODY_WEIGHT_UNITS: tuple[str, ...] = ("kg",)
#: Periods a dose rate may be given per (``[time]``).
PERIOD_UNITS: tuple[str, ...] = ("day", "week")
#: Units ages are given in (``[time]``).
AGE_UNITS: tuple[str, ...] = ("year", "month", "week")

#: The units of mass a caller's quantity may be in, in words (see :func:`refused_mass_unit`).
MASS_UNITS_TEXT = "the gram with a prefix, such as kg, g, mg or µg; lb, oz or stone"
#: pint's names of the SI prefixes, the only ones a gram may carry (not kibi-, semi-, ...).
_SI_PREFIXES = frozenset({
    "", "quecto", "ronto", "yocto", "zepto", "atto", "femto", "pico", "nano", "micro",
    "milli", "centi", "deci", "deca", "hecto", "kilo", "mega", "giga", "tera", "peta", "exa",
    "zetta", "yotta", "ronna", "quetta",
})  # fmt: skip
#: pint's avoirdupois pound, ounce and stone, read without a prefix only.
_UNPREFIXED_MASSES = frozenset({"pound", "ounce", "stone"})
#: The units of time a caller's quantity may be in, in words (see :func:`refused_time_unit`).
TIME_UNITS_TEXT = "years, months, weeks, days, hours, minutes or seconds, without a prefix"
#: pint's names of the units of :data:`TIME_UNITS_TEXT`, read without a prefix only.
_TIMES = frozenset({"year", "month", "week", "day", "hour", "minute", "second"})

#: Heaviest body weight accepted, in kg. A plausibility bound chosen by this
#: library (the heaviest person on record weighed about 635 kg), not a guideline
#: number: it catches grams or pounds read as kilograms.
MAX_BODY_WEIGHT_KG = 700.0
#: Lightest body weight accepted, in kg. A plausibility bound chosen by this library (the
#: lightest newborn on record to survive weighed about 0.21 kg), not a guideline number: it
#: catches milligrams or grams read as kilograms.
MIN_BODY_WEIGHT_KG = 0.2
#: Oldest age accepted, in years. A plausibility bound chosen by this library
#: (the oldest person on record lived 122 years), not a guideline number.
MAX_AGE_YEARS = 130.0

_WEIGHT_EXAMPLE = "'70 kg' or '154 lb'"
_AGE_EXAMPLE = "'16 years' or '18 months'"

_NUMBER_FIRST = r"\s*[+-]?(\d|\.\d)"
#: What a quantity string may be: one number (decimal point, optional exponent) and at most
#: one unit word.  Anything else -- a decimal comma ("6,5 kg", which pint would read as 65 kg),
#: a second number, operators ("9**9**9 kg"), control characters -- is refused before pint
#: sees it, and so is text longer than ``_MAX_QUANTITY_TEXT``, which pint would parse slowly.
_QUANTITY_TEXT = r"\s*[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d{1,4})?(?:\s*[^\W\d]+)?\s*"
_MAX_QUANTITY_TEXT = 64


# --- the registry ------------------------------------------------------------------------


def application_registry() -> pint.UnitRegistry[float]:
    """The registry behind pint's application registry now (``pint.set_application_registry``).

    Looked up at every call, so a registry the caller sets after importing this
    package is used.  The underlying registry is returned (not pint's proxy) so
    that quantities made here mix with the caller's.

    It is also the typed way to make quantities in your own code:
    ``pint.get_application_registry()`` is untyped, so ``mypy --strict`` refuses the
    call and its quantities are ``Any``, whereas ``Q`` below is typed:

    >>> Q = application_registry().Quantity
    >>> Q(70, "kg").m_as("g")
    70000.0
    """
    import pint

    application = pint.get_application_registry()  # type: ignore[no-untyped-call]
    registry: pint.UnitRegistry[float] = application.get()
    if registry not in _BUILT:
        _build(registry)
    return registry


#: Registries known to be completely built (pint builds its default registry lazily).
_BUILT: weakref.WeakSet[pint.UnitRegistry[float]] = weakref.WeakSet()
_BUILDING = threading.Lock()


def _build(registry: pint.UnitRegistry[float]) -> None:
    """Build pint's lazily built application registry once, whatever the threads.

    pint builds its default registry on first use, and two threads using it for the first
    time at once both build it, into the same object: the later ones find it half built
    and fail (``'days'`` not defined), and it stays broken.  The first of this package's
    calls to need it builds it under a lock; the others wait for it.  A caller's own
    threads that touch pint's registry before this package does are the caller's.
    """
    with _BUILDING:
        registry.Quantity  # noqa: B018  (the first attribute read builds a lazy registry)
        _BUILT.add(registry)


def underlying_registry(registry: pint.UnitRegistry[float]) -> pint.UnitRegistry[float]:
    """``registry`` itself, or the registry behind pint's application-registry proxy."""
    from pint.registry import ApplicationRegistry

    if isinstance(registry, ApplicationRegistry):
        inner: pint.UnitRegistry[float] = registry.get()
        return inner
    return registry


def registry_of(quantity: pint.Quantity[Any]) -> pint.UnitRegistry[float]:
    """The registry ``quantity`` was made in."""
    registry: pint.UnitRegistry[float] = quantity._REGISTRY
    return registry


class RegistryUnits:
    """Units parsed once for one registry, and conversion factors found once per unit."""

    def __init__(self, registry: pint.UnitRegistry[float]) -> None:
        self.registry = registry
        self._to_kg: dict[UnitsContainer, float | None] = {}
        self._to_mg: dict[UnitsContainer, float | None] = {}
        self._to_second: dict[UnitsContainer, float | None] = {}
        self._named: dict[tuple[str, str], float] = {}

    # Each unit is parsed when first used: a first dose needs only kg and mg/day.
    @functools.cached_property
    def mg(self) -> pint.Unit:
        return self.registry.Unit("mg")

    @functools.cached_property
    def mg_per_day(self) -> pint.Unit:
        return self.registry.Unit("mg/day")

    @functools.cached_property
    def mg_per_kg_per_day(self) -> pint.Unit:
        return self.registry.Unit("mg/kg/day")

    @functools.cached_property
    def kg(self) -> pint.Unit:
        return self.registry.Unit("kg")

    @functools.cached_property
    def day(self) -> pint.Unit:
        return self.registry.Unit("day")

    @functools.cached_property
    def second(self) -> pint.Unit:
        return self.registry.Unit("second")

    @functools.cached_property
    def seconds_per_year(self) -> float:
        return float(self.registry.Quantity(1, "year").m_as(self.second))

    def kg_per(self, units: UnitsContainer) -> float | None:
        """Kilograms in one ``units``, or ``None`` when ``units`` is not a mass this library reads.

        Only the units of :data:`MASS_UNITS_TEXT` are masses here (see
        :meth:`reads_as_mass`); :func:`mass_unit_problem` says why any other is refused.
        """
        try:
            return self._to_kg[units]
        except KeyError:
            factor = self._factor(units, "[mass]", self.kg) if self.reads_as_mass(units) else None
            self._to_kg[units] = factor
            return factor

    def mg_per(self, units: UnitsContainer) -> float | None:
        """Milligrams in one ``units``, or ``None`` when ``units`` is not a mass this library reads.

        The same units as :meth:`kg_per`.
        """
        try:
            return self._to_mg[units]
        except KeyError:
            factor = self._factor(units, "[mass]", self.mg) if self.reads_as_mass(units) else None
            self._to_mg[units] = factor
            return factor

    def reads_as_mass(self, units: UnitsContainer) -> bool:
        """Whether ``units`` is one unit of :data:`MASS_UNITS_TEXT`, to the power 1.

        The gram with any SI prefix (``kg``, ``g``, ``mg``, ``µg``, ``ug``, ``mcg``), and the
        pound, the ounce and the stone without one.  Every way pint can read the unit's name
        must be one of these (:meth:`pint.UnitRegistry.parse_unit_name`).
        """
        if len(units) != 1:
            return False
        ((name, exponent),) = units.items()
        readings = _readings(self.registry, name)
        return (
            exponent == 1
            and bool(readings)
            and all(
                (unit == "gram" and prefix in _SI_PREFIXES)
                or (unit in _UNPREFIXED_MASSES and not prefix)
                for prefix, unit in readings
            )
        )

    def seconds_per(self, units: UnitsContainer) -> float | None:
        """Seconds in one ``units``, or ``None`` when ``units`` is not a time this library reads.

        Only the units of :data:`TIME_UNITS_TEXT` are times here (see :meth:`reads_as_time`);
        :func:`time_unit_problem` says why any other is refused.
        """
        try:
            return self._to_second[units]
        except KeyError:
            factor = (
                self._factor(units, "[time]", self.second) if self.reads_as_time(units) else None
            )
            self._to_second[units] = factor
            return factor

    def reads_as_time(self, units: UnitsContainer) -> bool:
        """Whether ``units`` is one unit of :data:`TIME_UNITS_TEXT`, to the power 1.

        The year, month, week, day, hour, minute and second, without a prefix: pint reads
        ``"16 ys"`` (a slip for "16 yrs") as 16 yoctoseconds, ``"18 ms"`` as 18
        milliseconds and ``"12 hs"`` ("at bedtime" on an order) as 12 hectoseconds, each a
        time no check can tell from a real one.
        """
        if len(units) != 1:
            return False
        ((name, exponent),) = units.items()
        readings = _readings(self.registry, name)
        return (
            exponent == 1
            and bool(readings)
            and all(unit in _TIMES and not prefix for prefix, unit in readings)
        )

    def _factor(self, units: UnitsContainer, dimension: str, target: pint.Unit) -> float | None:
        # Integer magnitudes: a registry made with ``non_int_type=Decimal`` keeps its factors
        # as decimals, which a float cannot multiply; float() then rounds the result once.
        one = self.registry.Quantity(1, units)
        if not one.check(dimension):
            return None
        if self.registry.Quantity(0, units).m_as(target) != 0:
            return None  # an offset unit: no single factor exists
        return float(one.m_as(target))

    def named(self, unit: str, target: str) -> float:
        """How many ``target`` in one ``unit``: both spellings from the data allow-lists."""
        if unit == target:
            return 1.0  # exactly what pint gives, without parsing the unit
        key = (unit, target)
        try:
            return self._named[key]
        except KeyError:
            factor = float(self.registry.Quantity(1, unit).m_as(target))
            self._named[key] = factor
            return factor


def _readings(registry: pint.UnitRegistry[float], name: str) -> tuple[tuple[str, str], ...]:
    """Every (prefix, unit) pint can read the unit ``name`` as: ``kilograin`` is kilo-grain."""
    return tuple((prefix, unit) for prefix, unit, _ in registry.parse_unit_name(name))


_registries: weakref.WeakKeyDictionary[Any, RegistryUnits] = weakref.WeakKeyDictionary()


def state_without_registry(value: Any) -> dict[str, Any]:
    """The fields of an attrs value for pickling, all but its ``_registry``.

    A unit registry does not pickle, and a value unpickled in another process belongs in
    that process's registry: :func:`restore_in_application_registry` puts it there, as pint
    itself does with the quantities it unpickles.
    """
    import attrs

    return {
        f.name: getattr(value, f.name) for f in attrs.fields(type(value)) if f.name != "_registry"
    }


def restore_in_application_registry(value: Any, state: dict[str, Any]) -> None:
    """Set the pickled fields of ``value`` again, and the application registry as its own."""
    for name, item in state.items():
        object.__setattr__(value, name, item)
    object.__setattr__(value, "_registry", application_registry())


def units_of(registry: pint.UnitRegistry[float]) -> RegistryUnits:
    """The units of ``registry``, parsed on first use and kept while the registry lives."""
    try:
        return _registries[registry]
    except KeyError:
        found = _registries[registry] = RegistryUnits(registry)
        return found


def seconds_per_year(registry: pint.UnitRegistry[float]) -> float:
    """Seconds in pint's year (365.25 days) in ``registry``."""
    return units_of(registry).seconds_per_year


# --- reading a caller's quantity ---------------------------------------------------------


def quantity_of(value: object, argument: str, example: str) -> tuple[pint.UnitRegistry[float], Any]:
    """``value`` as a pint quantity and its registry; strings use the application registry.

    ``argument`` names the caller's argument in errors and ``example`` shows a valid value.
    """
    import pint

    if isinstance(value, pint.Quantity):
        return registry_of(value), value
    if isinstance(value, str):
        return application_registry(), _parsed(value, argument, example)
    import numbers  # only on the way to an error

    if isinstance(value, numbers.Number) or type(value).__module__ == "numpy":
        raise DoseInputError(
            argument,
            f"{shown(value)} has no unit; pass a pint quantity or a string such as {example}",
        )
    raise ArgumentTypeError(
        argument,
        f"expected a pint quantity or a string such as {example}, got {type(value).__name__}",
    )


def _parsed(text: str, argument: str, example: str) -> Any:
    if len(text) > _MAX_QUANTITY_TEXT:
        raise DoseInputError(
            argument,
            f"{shown(text)} is too long for a quantity (at most {_MAX_QUANTITY_TEXT} "
            f"characters); write e.g. {example}",
        )
    # Patterns compiled on first use (``re`` caches them), not at import.
    if re.match(_NUMBER_FIRST, text) is None:
        raise DoseInputError(
            argument, f"{shown(text)} does not start with a number; write e.g. {example}"
        )
    if re.fullmatch(_QUANTITY_TEXT, text) is None:
        raise DoseInputError(
            argument,
            f"{shown(text)} is not one number and one unit; write e.g. {example} "
            "(with a decimal point, not a comma)",
        )
    try:
        return application_registry().Quantity(text)
    except Exception:  # pint raises several unrelated types for unreadable text
        raise DoseInputError(
            argument, f"{shown(text)} cannot be read as a quantity; write e.g. {example}"
        ) from None


def unit_problem(quantity: Any, dimension: str) -> str:
    """Why ``quantity`` is not of ``dimension``: no unit at all, or another unit.

    For ``"mass"``, :func:`mass_unit_problem`: a mass in a unit this library does not read
    is refused as such.
    """
    if not quantity._units:  # pint calls mg/kg "unitless" too
        return f"{short(quantity.magnitude)} has no unit"
    if dimension == "mass":
        return mass_unit_problem(quantity.units)
    if dimension == "time":
        return time_unit_problem(quantity.units)
    return f"{quantity.units} is not a unit of {dimension}"


def mass_unit_problem(unit: PlainUnit) -> str:
    """Why the pint ``unit`` is not read as a mass: another dimension, or a mass refused.

    For any unit :meth:`RegistryUnits.kg_per` refuses: ``"meter is not a unit of mass"``,
    or :func:`refused_mass_unit`'s words for a unit of mass this library does not read.
    """
    refused = refused_mass_unit(unit)
    if refused is not None:
        return refused
    slip = _MASS_SLIPS.get(str(unit))
    return f"{unit} is not a unit of mass" + (f"; {slip}" if slip else "")


#: Words for a mass that pint reads as another unit, and what it reads them as.
_MASS_SLIPS = {"kilosecond": "if 'kilos' was meant: pint reads it as kiloseconds, not kilograms"}


def refused_mass_unit(unit: PlainUnit) -> str | None:
    """Why ``unit``, a unit of mass, is not read as one; ``None`` for a unit that is read or
    is no mass at all (whose callers say so in their own words).

    Only the units of :data:`MASS_UNITS_TEXT` are read (one unit, to the power 1).  pint
    reads ``gr`` as the grain (64.8 mg), so ``"70 kgr"`` is 70 kilograins (4.5 kg): the
    message says so.

    >>> Q = application_registry().Quantity
    >>> problem = refused_mass_unit(Q(70, "kgr").units)
    >>> problem.startswith("kilograin is not a unit of mass this library reads (the gram")
    True
    >>> problem.endswith("; pint reads 'gr' as the grain (64.8 mg), not the gram")
    True
    >>> refused_mass_unit(Q(70, "m").units) is None
    True
    """
    registry = unit._REGISTRY
    if not _refused(unit, "mass", units_of(registry).reads_as_mass):
        return None
    problem = f"{unit} is not a unit of mass this library reads ({MASS_UNITS_TEXT})"
    if any(u == "grain" for name in unit._units for _, u in _readings(registry, name)):
        problem += "; pint reads 'gr' as the grain (64.8 mg), not the gram"
    return problem


def _refused(unit: PlainUnit, dimension: str, reads: Callable[[UnitsContainer], bool]) -> bool:
    """Whether ``unit`` is of ``dimension`` and yet not one of the units ``reads`` accepts."""
    dimensionality = dict(unit._REGISTRY.get_dimensionality(unit._units))
    return dimensionality == {f"[{dimension}]": 1} and not reads(unit._units)


def time_unit_problem(unit: PlainUnit) -> str:
    """Why the pint ``unit`` is not read as a time: another dimension, or a time refused.

    For any unit :meth:`RegistryUnits.seconds_per` refuses: ``"meter is not a unit of
    time"``, or :func:`refused_time_unit`'s words for a unit of time this library does not
    read.
    """
    return refused_time_unit(unit) or f"{unit} is not a unit of time"


def refused_time_unit(unit: PlainUnit) -> str | None:
    """Why ``unit``, a unit of time, is not read as one; ``None`` for a unit that is read or
    is no time at all (whose callers say so in their own words).

    Only the units of :data:`TIME_UNITS_TEXT` are read (one unit, to the power 1); a
    prefixed second is named as pint read it, since it is most often a slip:

    >>> Q = application_registry().Quantity
    >>> problem = refused_time_unit(Q(16, "ys").units)
    >>> problem.startswith("yoctosecond is not a unit of time this library reads (years,")
    True
    >>> problem.endswith("; pint reads 'ys' as the yoctosecond (10⁻²⁴ s), not years")
    True
    >>> refused_time_unit(Q(16, "year").units) is None
    True
    """
    if not _refused(unit, "time", units_of(unit._REGISTRY).reads_as_time):
        return None
    problem = f"{unit} is not a unit of time this library reads ({TIME_UNITS_TEXT})"
    slip = _TIME_SLIPS.get(str(unit))
    if slip is not None:
        problem += f"; pint reads {slip}"
    return problem


#: Prefixed seconds whose symbols look like another time's abbreviation, and what pint
#: reads them as.
_TIME_SLIPS = {
    "yoctosecond": "'ys' as the yoctosecond (10⁻²⁴ s), not years",
    "millisecond": "'ms' as the millisecond, not months",
    "hectosecond": "'hs' as the hectosecond (100 s), not hours",
    "decisecond": "'ds' as the decisecond (0.1 s), not days",
}


def in_unit(number: float, factor: float) -> float:
    """``number`` times ``factor``, correctly rounded where ``factor`` is one over a whole number.

    ``30400 * 0.001`` is 30.400000000000002 (0.001 is no float), while ``30400 / 1000`` is
    the float nearest to 30.4: a factor such as a gram's in kg (or a microgram's in mg)
    divides by its whole reciprocal, so that the same fact in two units of the metric
    system gives the same float.  Other factors multiply.

    >>> in_unit(30400.0, 0.001), in_unit(2.0, 60.0)
    (30.4, 120.0)
    """
    whole = whole_reciprocal(factor)
    return number / whole if whole is not None else number * factor


def whole_reciprocal(factor: float) -> int | None:
    """The whole number ``factor`` is one over (1000 for 0.001), or ``None``."""
    if 0.0 < factor < 1.0:
        whole = round(1.0 / factor)
        if 1.0 / whole == factor:
            return whole
    return None


class ComparedByFacts:
    """Equality and hash by ``_facts()``: the values a class holds, in the library's units.

    A value holding caller quantities (:class:`~ae_systemic.Patient`,
    :class:`~ae_systemic.Prescription`) compares what the library reads from them (an age
    in seconds, a weight in kg), not pint's quantities, whose hash depends on the registry
    and the unit while their equality converts.
    """

    __slots__ = ()

    def _facts(self) -> tuple[object, ...]:
        raise NotImplementedError

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ComparedByFacts) or other.__class__ is not self.__class__:
            return NotImplemented
        return self._facts() == other._facts()

    def __ne__(self, other: object) -> bool:
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    def __hash__(self) -> int:
        return hash(self._facts())


def short(value: object) -> str:
    """``str(value)``, cut to 24 characters; never raises."""
    try:
        text = str(value)
    except Exception:  # an int beyond the str-conversion limit, say
        text = f"<{type(value).__name__}>"
    return text if len(text) <= 24 else text[:20] + "..."


def as_float(number: int | float) -> float:
    """``number`` as a float; integers too large for a float become infinity."""
    try:
        return float(number)
    except OverflowError:
        return math.inf if number > 0 else -math.inf


def scalar_magnitude(quantity: Any, argument: str, example: str) -> float:
    """The magnitude of a one-value quantity as a float, or a clear error.

    One real number: an int or a float (not a bool), a :class:`decimal.Decimal` or a
    :class:`fractions.Fraction` (a registry made with ``non_int_type=Decimal`` or
    ``Fraction``), a numpy integer or float, or a 0-d numpy array of one (a registry made
    with ``force_ndarray_like=True``).  NaN and infinities come back as themselves, for the
    caller's bounds to refuse.
    """
    magnitude = quantity.magnitude
    number = one_real_number(magnitude)
    if number is None:
        raise DoseInputError(
            argument,
            f"expected one real number with a unit, such as {example}, "
            f"got a magnitude of type {type(magnitude).__name__}",
        )
    return number


def one_real_number(magnitude: object) -> float | None:
    """``magnitude`` as a float when it is one real number (see :func:`scalar_magnitude`).

    ``None`` for anything else: a bool, a complex number, an array of more than one
    dimension or of another dtype (bools, complex numbers, times, objects), a masked value.
    A decimal or a fraction is rounded to the nearest float (NaN, a signalling one too, is
    NaN; a number beyond the floats is infinite).
    """
    if isinstance(magnitude, bool):
        return None
    if isinstance(magnitude, (int, float)):
        return as_float(magnitude)
    decimal = sys.modules.get("decimal")  # no Decimal exists before decimal is imported
    if decimal is not None and isinstance(magnitude, decimal.Decimal):
        return math.nan if magnitude.is_nan() else float(magnitude)
    fractions = sys.modules.get("fractions")  # likewise (``non_int_type=Fraction``)
    if fractions is not None and isinstance(magnitude, fractions.Fraction):
        try:
            return float(magnitude)
        except OverflowError:
            return math.inf if magnitude > 0 else -math.inf
    np = sys.modules.get("numpy")  # no numpy value exists before numpy is imported
    if (
        np is not None
        and isinstance(magnitude, (np.generic, np.ndarray))
        and magnitude.ndim == 0
        and magnitude.dtype.kind in "iuf"  # not bool (b), timedelta (m), complex (c), ...
        and not _masked(magnitude)
    ):
        return float(magnitude)
    return None


def _masked(array: object) -> bool:
    ma = sys.modules.get("numpy.ma")  # not imported by numpy: no masked array without it
    return ma is not None and isinstance(array, ma.MaskedArray) and bool(ma.is_masked(array))


def mass_in_kg(
    value: object, argument: str, example: str
) -> tuple[pint.UnitRegistry[float], Any, float]:
    """One mass as (registry, quantity, kg); any finite or infinite number, unchecked."""
    registry, quantity = quantity_of(value, argument, example)
    factor = units_of(registry).kg_per(quantity._units)
    if factor is None:
        refused = refused_mass_unit(quantity.units) if quantity._units else None
        raise DoseInputError(
            argument, refused or f"{unit_problem(quantity, 'mass')}; give a mass such as {example}"
        )
    return registry, quantity, in_unit(scalar_magnitude(quantity, argument, example), factor)


# --- body weight -------------------------------------------------------------------------


def weight_in_kg(
    weight: object, argument: str = "weight"
) -> tuple[pint.UnitRegistry[float], float | FloatArray]:
    """A body weight (scalar, or numpy array of weights) in kg, each within the bounds."""
    registry, quantity = quantity_of(weight, argument, _WEIGHT_EXAMPLE)
    factor = units_of(registry).kg_per(quantity._units)
    if factor is None:
        refused = refused_mass_unit(quantity.units) if quantity._units else None
        raise DoseInputError(
            argument, refused or f"{unit_problem(quantity, 'mass')}; give it in kg, g, lb or stone"
        )
    magnitude = quantity.magnitude
    # numpy values take the array path, which knows masks and names a bad element
    number = None if _is_numpy(magnitude) else one_real_number(magnitude)
    if number is not None:
        kg = in_unit(number, factor)
        _check_weight(kg, magnitude, quantity, argument, None)
        return registry, kg
    return registry, _array_in_kg(magnitude, factor, quantity, argument)


def _is_numpy(value: object) -> bool:
    return type(value).__module__.partition(".")[0] == "numpy"


def checked_weight(weight: object, argument: str = "weight") -> tuple[Any, float]:
    """One body ``weight`` as (quantity, kg), or :class:`DoseInputError` saying what is wrong."""
    _, quantity = quantity_of(weight, argument, _WEIGHT_EXAMPLE)
    _, kg = weight_in_kg(quantity, argument)
    if not isinstance(kg, float):
        raise DoseInputError(argument, "expected the weight of one person, got an array")
    return quantity, kg


def _array_in_kg(magnitude: object, factor: float, quantity: Any, argument: str) -> float | Any:
    import numpy as np

    if not isinstance(magnitude, np.ndarray) and not isinstance(magnitude, np.generic):
        raise DoseInputError(
            argument,
            f"the magnitude must be a real number or a numpy array, got {type(magnitude).__name__}",
        )
    ma = sys.modules.get("numpy.ma")  # not imported by numpy: no masked array without it
    if ma is not None and isinstance(magnitude, ma.MaskedArray) and ma.is_masked(magnitude):
        # np.asarray would drop the mask and dose the hidden values of the missing weights
        if magnitude.ndim == 0:
            raise DoseInputError(argument, "the weight is masked (missing); give the weight")
        first = np.argwhere(ma.getmaskarray(magnitude))[0]
        index = int(first[0]) if magnitude.ndim == 1 else tuple(int(i) for i in first)
        raise DoseInputError(
            argument,
            f"the weight at index {index} is masked (missing); give every weight, or leave the "
            "missing ones out",
        )
    array = np.asarray(magnitude)
    if array.dtype.kind not in "iuf":
        raise DoseInputError(
            argument, f"the magnitude must hold real numbers, got dtype {array.dtype}"
        )
    if array.ndim == 0:
        kg = in_unit(float(array), factor)
        _check_weight(kg, array.item(), quantity, argument, None)
        return kg
    if array.size == 0:
        raise DoseInputError(argument, "the array of weights is empty; give at least one weight")
    whole = whole_reciprocal(factor)  # as in_unit: grams in kg correctly rounded
    kg_array = array.astype(np.float64) / whole if whole else array.astype(np.float64) * factor
    low, high = kg_array.min(), kg_array.max()
    if not (low >= MIN_BODY_WEIGHT_KG and high <= MAX_BODY_WEIGHT_KG):  # NaN fails both
        bad = ~((kg_array >= MIN_BODY_WEIGHT_KG) & (kg_array <= MAX_BODY_WEIGHT_KG))
        flat = int(np.argmax(bad))
        where = np.unravel_index(flat, array.shape)
        index = int(where[0]) if array.ndim == 1 else tuple(int(i) for i in where)
        _check_weight(
            float(kg_array.flat[flat]),
            array.flat[flat].item(),
            quantity,
            argument,
            index,
            int(bad.sum()),
        )
    return kg_array


def _check_weight(
    kg: float,
    given: object,
    quantity: Any,
    argument: str,
    index: int | tuple[int, ...] | None,
    count: int = 1,
) -> None:
    if MIN_BODY_WEIGHT_KG <= kg <= MAX_BODY_WEIGHT_KG:
        return
    more = f" ({count} bad elements in all)" if count > 1 else ""
    value = f"{short(given)} {quantity.units}"
    if math.isnan(kg):
        problem = "is not a number (NaN)"
    elif math.isinf(kg):
        problem = "is infinite"
    elif kg <= 0.0:
        problem = "must be positive"
    elif kg < MIN_BODY_WEIGHT_KG:
        problem = (
            f"is below {MIN_BODY_WEIGHT_KG:g} kg, lighter than any person on record; "
            "check the unit (milligrams or grams read as kilograms?)"
        )
    else:
        problem = (
            f"is above {MAX_BODY_WEIGHT_KG:g} kg, heavier than any person on record; "
            "check the unit (grams or pounds read as kilograms?)"
        )
    raise DoseInputError(argument, f"{value} {problem}{more}", index)


# --- age ---------------------------------------------------------------------------------


def checked_age(age: object, argument: str = "age") -> tuple[pint.UnitRegistry[float], Any, float]:
    """``age`` as (registry, quantity, seconds), or :class:`DoseInputError` saying what is wrong.

    Ages are compared in seconds, where pint's year (365.25 days) and month (a
    twelfth of it) are whole numbers, so that 192 months is exactly 16 years.
    """
    registry, quantity = quantity_of(age, argument, _AGE_EXAMPLE)
    units = units_of(registry)
    factor = units.seconds_per(quantity._units)
    if factor is None:
        raise DoseInputError(
            argument, f"{unit_problem(quantity, 'time')}; give it in years or months"
        )
    seconds = in_unit(scalar_magnitude(quantity, argument, _AGE_EXAMPLE), factor)
    if not 0.0 <= seconds <= MAX_AGE_YEARS * units.seconds_per_year:
        raise DoseInputError(
            argument,
            f"{short(quantity.magnitude)} {quantity.units} must lie between 0 and "
            f"{MAX_AGE_YEARS:g} years",
        )
    return registry, quantity, seconds
