"""Weight-based dosing with pint: a patient's daily dose, divided doses, licence, practical amounts.

The dose rules come from the drug's :class:`~ae_systemic.DoseRegimen` s; this
module only turns them into amounts for one patient (or a whole array of
patients) without ever confusing units:

* a weight must be a pint quantity of ``[mass]`` (or a string such as
  ``"154 lb"``); a bare number, another dimension, zero, a negative, NaN,
  infinite or superhuman weight is refused with :class:`~ae_systemic.DoseInputError`;
* results are built in the caller's registry (the one the weight came from,
  or the application registry for strings), never a private one;
* each unit is parsed once per registry; a call converts the weight once,
  computes on plain magnitudes and wraps each result once, on access.
"""

from __future__ import annotations

import functools
import math
import numbers
import re
import weakref
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Generic, TypeVar, overload

import attrs

from ._errors import DoseInputError, shown
from ._lookup import resolve_drug
from ._model import DoseRate, DoseRegimen, Drug
from ._units import application_registry, underlying_registry
from ._vocabulary import Phase, Population

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    import pint
    from pint.util import UnitsContainer

    FloatArray = npt.NDArray[np.float64]

__all__ = [
    "MAX_AGE_YEARS",
    "MAX_BODY_WEIGHT_KG",
    "MIN_BODY_WEIGHT_KG",
    "DoseRange",
    "daily_dose",
    "is_licensed",
    "round_to_strengths",
    "select_regimen",
]

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

M = TypeVar("M", float, "FloatArray")

_NUMBER_FIRST = re.compile(r"\s*[+-]?(\d|\.\d)")
#: What a quantity string may be: one number (decimal point, optional exponent) and at most
#: one unit word.  Anything else -- a decimal comma ("6,5 kg", which pint would read as 65 kg),
#: a second number, operators ("9**9**9 kg"), control characters -- is refused before pint
#: sees it, and so is text longer than ``_MAX_QUANTITY_TEXT``, which pint would parse slowly.
_QUANTITY_TEXT = re.compile(
    r"\s*[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d{1,4})?(?:\s*[^\W\d]+)?\s*"
)
_MAX_QUANTITY_TEXT = 64


class _RegistryUnits:
    """Units parsed once for one registry, and conversion factors found once per unit."""

    def __init__(self, registry: pint.UnitRegistry[float]) -> None:
        self.registry = registry
        self.mg = registry.Unit("mg")
        self.mg_per_day = registry.Unit("mg/day")
        self.kg = registry.Unit("kg")
        self._to_kg: dict[UnitsContainer, float | None] = {}
        self._to_second: dict[UnitsContainer, float | None] = {}
        self._named: dict[tuple[str, str], float] = {}

    @functools.cached_property
    def second(self) -> pint.Unit:
        return self.registry.Unit("second")

    @functools.cached_property
    def seconds_per_year(self) -> float:
        return float(self.registry.Quantity(1.0, "year").m_as(self.second))

    def kg_per(self, units: UnitsContainer) -> float | None:
        """Kilograms in one ``units``, or ``None`` when ``units`` is not a mass."""
        try:
            return self._to_kg[units]
        except KeyError:
            factor = self._factor(units, "[mass]", self.kg)
            self._to_kg[units] = factor
            return factor

    def seconds_per(self, units: UnitsContainer) -> float | None:
        """Seconds in one ``units``, or ``None`` when ``units`` is not a time."""
        try:
            return self._to_second[units]
        except KeyError:
            factor = self._factor(units, "[time]", self.second)
            self._to_second[units] = factor
            return factor

    def _factor(self, units: UnitsContainer, dimension: str, target: pint.Unit) -> float | None:
        one = self.registry.Quantity(1.0, units)
        if not one.check(dimension):
            return None
        if self.registry.Quantity(0.0, units).m_as(target) != 0.0:
            return None  # an offset unit: no single factor exists
        return float(one.m_as(target))

    def named(self, unit: str, target: str) -> float:
        """How many ``target`` in one ``unit``: both spellings from the data allow-lists."""
        key = (unit, target)
        try:
            return self._named[key]
        except KeyError:
            factor = float(self.registry.Quantity(1.0, unit).m_as(target))
            self._named[key] = factor
            return factor


_registries: weakref.WeakKeyDictionary[Any, _RegistryUnits] = weakref.WeakKeyDictionary()


def _units_of(registry: pint.UnitRegistry[float]) -> _RegistryUnits:
    try:
        return _registries[registry]
    except KeyError:
        found = _registries[registry] = _RegistryUnits(registry)
        return found


def _same_magnitude(a: object, b: object) -> bool:
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        return a == b
    import numpy as np

    return bool(np.array_equal(a, b))  # type: ignore[arg-type]


def _private_copy(value: M) -> M:
    """An array of weights copied and made read-only, so no caller holds a writable reference."""
    if type(value).__module__ != "numpy" or isinstance(value, float):
        return value
    import numpy as np

    copied = np.array(value, copy=True)
    copied.flags.writeable = False
    result: M = copied
    return result


def _plausible_weight_kg(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """A weight in kg within [MIN_BODY_WEIGHT_KG, MAX_BODY_WEIGHT_KG]: a float or an array."""
    if isinstance(value, float):
        if MIN_BODY_WEIGHT_KG <= value <= MAX_BODY_WEIGHT_KG:
            return
    elif type(value).__module__ == "numpy":
        import numpy as np

        if (
            isinstance(value, np.ndarray)
            and value.dtype == np.float64
            and value.size > 0
            and not value.flags.writeable
            and value.min() >= MIN_BODY_WEIGHT_KG
            and value.max() <= MAX_BODY_WEIGHT_KG
        ):
            return
    raise DoseInputError(
        f"weight_kg: expected a weight in kg from {MIN_BODY_WEIGHT_KG:g} to {MAX_BODY_WEIGHT_KG:g} "
        "(a float or a read-only float64 array); build dose ranges with daily_dose"
    )


def _daily_rate(regimen: DoseRegimen) -> tuple[DoseRate, int]:
    """The weight-based daily rate of ``regimen`` and its doses a day, or a clear error."""
    rate, doses = regimen.rate, regimen.doses_per_day
    if rate is None or rate.period != "day" or doses is None:
        raise DoseInputError(
            f"regimen: {shown(regimen.label)} is not a weight-based daily dose ({regimen}); "
            "daily_dose computes those only; use dose_plan for every shape of regimen"
        )
    return rate, doses


def _weight_based_daily(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, DoseRegimen):
        raise DoseInputError(f"regimen: expected a DoseRegimen, got {type(value).__name__}")
    _daily_rate(value)


@attrs.frozen
class DoseRange(Generic[M]):
    """A patient's daily dose range under one regimen, with the divided doses.

    Built by :func:`daily_dose`.  Quantities are handed out fresh on every
    access, in the registry of the weight they were computed from:
    :attr:`low` and :attr:`high` in mg/day, :attr:`per_dose_low` and
    :attr:`per_dose_high` in mg per administration.  For an array of weights
    every quantity is an array of the same shape, element by element.
    ``fallback`` says why the regimen differs from the one asked for, if it does.
    """

    regimen: DoseRegimen = attrs.field(validator=_weight_based_daily)
    _weight_kg: M = attrs.field(
        alias="weight_kg",
        converter=_private_copy,
        eq=attrs.cmp_using(eq=_same_magnitude),
        hash=False,
        validator=_plausible_weight_kg,
    )
    _registry: pint.UnitRegistry[float] = attrs.field(
        alias="registry", converter=underlying_registry, eq=False, repr=False
    )
    fallback: str | None = None

    def _scaled(self, factor: float) -> M:
        scaled: M = self._weight_kg * factor
        return scaled

    def _per_kg(self, rate: float) -> float:
        units = _units_of(self._registry)
        parts, _ = _daily_rate(self.regimen)
        return (
            rate
            * units.named(parts.amount_unit, "mg")
            / (units.named(parts.body_weight_unit, "kg") * units.named(parts.period, "day"))
        )

    @property
    def weight(self) -> pint.Quantity[M]:
        """The body weight the dose was computed for, in kg."""
        weight: pint.Quantity[M] = self._registry.Quantity(
            self._scaled(1.0), _units_of(self._registry).kg
        )
        return weight

    @property
    def low(self) -> pint.Quantity[M]:
        """Lower end of the daily dose, in mg/day."""
        return self._daily(_daily_rate(self.regimen)[0].low)

    @property
    def high(self) -> pint.Quantity[M]:
        """Upper end of the daily dose, in mg/day."""
        return self._daily(_daily_rate(self.regimen)[0].high)

    @property
    def per_dose_low(self) -> pint.Quantity[M]:
        """Lower end of each single dose, in mg per administration."""
        return self._single(_daily_rate(self.regimen)[0].low)

    @property
    def per_dose_high(self) -> pint.Quantity[M]:
        """Upper end of each single dose, in mg per administration."""
        return self._single(_daily_rate(self.regimen)[0].high)

    @property
    def doses_per_day(self) -> int:
        """How many single doses the daily amount is divided into."""
        return _daily_rate(self.regimen)[1]

    @property
    def references(self) -> tuple[int, ...]:
        """References of the regimen used."""
        return self.regimen.references

    def _daily(self, rate: float) -> pint.Quantity[M]:
        daily: pint.Quantity[M] = self._registry.Quantity(
            self._scaled(self._per_kg(rate)), _units_of(self._registry).mg_per_day
        )
        return daily

    def _single(self, rate: float) -> pint.Quantity[M]:
        single: pint.Quantity[M] = self._registry.Quantity(
            self._scaled(self._per_kg(rate) / self.doses_per_day),
            _units_of(self._registry).mg,
        )
        return single

    def __str__(self) -> str:
        if not isinstance(self._weight_kg, float):
            return f"{self.regimen} for {self._weight_kg.size} weights"
        low, high = (
            self._scaled(self._per_kg(_daily_rate(self.regimen)[0].low)),
            self._scaled(self._per_kg(_daily_rate(self.regimen)[0].high)),
        )
        per = self.doses_per_day
        return (
            f"{low:g}-{high:g} mg/day ({low / per:g}-{high / per:g} mg per dose, "
            f"{per} doses a day) for {self._weight_kg:g} kg: {self.regimen}"
        )

    def _repr_html_(self) -> str:
        from . import _display

        return _display.dose_range_html(self)

    def _repr_markdown_(self) -> str:
        from . import _display

        return _display.dose_range_markdown(self)


def select_regimen(
    subject: Drug, population: Population, phase: Phase | None
) -> tuple[DoseRegimen, str | None]:
    """The regimen for ``population`` in ``phase``, and a note when it falls back.

    Where the source gives no regimen for the phase asked for (children with a
    phase), the population's standard regimen is used and the note says so;
    no regimen is ever invented.
    """
    if not isinstance(population, Population):
        raise DoseInputError(
            f"population: expected Population.ADULT or Population.CHILD, got {shown(population)}"
        )
    if phase is not None and not isinstance(phase, Phase):
        raise DoseInputError(
            f"phase: expected None, Phase.ACUTE or Phase.LONG_TERM, got {shown(phase)}"
        )
    standard = None
    for regimen in subject.regimens:
        if regimen.population is population:
            if regimen.phase is phase:
                return regimen, None
            if regimen.phase is None:
                standard = regimen
    if standard is None:
        raise DoseInputError(
            f"population: the guideline gives {subject.name} no dose regimen for {population}"
        )
    note = (
        f"The guideline gives no {phase} regimen of {subject.name} for {population}; "
        f"the {standard.label} ({standard.rate}) is used instead."
    )
    return standard, note


@overload
def daily_dose(
    drug: Drug | str,
    weight: pint.Quantity[float] | pint.Quantity[int] | str,
    *,
    population: Population = ...,
    phase: Phase | None = ...,
) -> DoseRange[float]: ...


@overload
def daily_dose(
    drug: Drug | str,
    weight: pint.Quantity[FloatArray],
    *,
    population: Population = ...,
    phase: Phase | None = ...,
) -> DoseRange[FloatArray]: ...


def daily_dose(
    drug: Drug | str,
    weight: pint.Quantity[float] | pint.Quantity[int] | pint.Quantity[FloatArray] | str,
    *,
    population: Population = Population.ADULT,
    phase: Phase | None = None,
) -> DoseRange[float] | DoseRange[FloatArray]:
    """The daily dose range for a patient of ``weight``, from the guideline's regimens.

    ``drug`` is a :class:`~ae_systemic.Drug` or any name :func:`~ae_systemic.drug`
    accepts.  ``weight`` is a pint quantity of ``[mass]`` in any unit (scalar
    or numpy array) or a string such as ``"154 lb"``.  Adults without a phase
    get the standard range; ``Phase.ACUTE`` and ``Phase.LONG_TERM`` their own.

    >>> import pint
    >>> Q = pint.get_application_registry().Quantity
    >>> dose = daily_dose("ciclosporin", Q(70, "kg"), phase=Phase.ACUTE)
    >>> dose.low, dose.high, dose.per_dose_low, dose.per_dose_high
    (<Quantity(280.0, 'milligram / day')>, <Quantity(350.0, 'milligram / day')>, \
<Quantity(140.0, 'milligram')>, <Quantity(175.0, 'milligram')>)
    """
    subject = resolve_drug(drug)
    regimen, fallback = select_regimen(subject, population, phase)
    _daily_rate(regimen)
    registry, weight_kg = _weight_in_kg(weight)
    if isinstance(weight_kg, float):
        return DoseRange(regimen, weight_kg, registry, fallback)
    return DoseRange(regimen, weight_kg, registry, fallback)


def _quantity(value: object, what: str, example: str) -> tuple[pint.UnitRegistry[float], Any]:
    """``value`` as a pint quantity and its registry; strings use the application registry."""
    import pint

    if isinstance(value, pint.Quantity):
        return value._REGISTRY, value
    if isinstance(value, str):
        registry = application_registry()
        if len(value) > _MAX_QUANTITY_TEXT:
            raise DoseInputError(
                f"{what}: {shown(value)} is too long for a quantity "
                f"(at most {_MAX_QUANTITY_TEXT} characters); write e.g. {example}"
            )
        if _NUMBER_FIRST.match(value) is None:
            raise DoseInputError(
                f"{what}: {shown(value)} does not start with a number; write e.g. {example}"
            )
        if _QUANTITY_TEXT.fullmatch(value) is None:
            raise DoseInputError(
                f"{what}: {shown(value)} is not one number and one unit; write e.g. {example} "
                "(with a decimal point, not a comma)"
            )
        try:
            parsed: pint.Quantity[Any] = registry.Quantity(value)
        except Exception:  # pint raises several unrelated types for unreadable text
            raise DoseInputError(
                f"{what}: {shown(value)} cannot be read as a quantity; write e.g. {example}"
            ) from None
        return registry, parsed
    if isinstance(value, numbers.Number) or type(value).__module__ == "numpy":
        raise DoseInputError(
            f"{what}: {shown(value)} has no unit; "
            f"pass a pint quantity or a string such as {example}"
        )
    raise DoseInputError(
        f"{what}: expected a pint quantity or a string such as {example}, "
        f"got {type(value).__name__}"
    )


def _weight_in_kg(weight: object) -> tuple[pint.UnitRegistry[float], float | FloatArray]:
    registry, quantity = _quantity(weight, "weight", "'70 kg' or '154 lb'")
    factor = _units_of(registry).kg_per(quantity._units)
    if factor is None:
        raise DoseInputError(
            f"weight: {_unit_problem(quantity, 'mass')}; give it in kg, g, lb or stone"
        )
    magnitude = quantity.magnitude
    if isinstance(magnitude, (int, float)) and not isinstance(magnitude, bool):
        kg = _as_float(magnitude) * factor
        _check_weight(kg, magnitude, quantity, None)
        return registry, kg
    return registry, _array_in_kg(magnitude, factor, quantity)


def _unit_problem(quantity: Any, dimension: str) -> str:
    if not quantity._units:  # pint calls mg/kg "unitless" too
        return f"{_short(quantity.magnitude)} has no unit"
    return f"{quantity.units} is not a unit of {dimension}"


def _short(value: object) -> str:
    try:
        text = str(value)
    except Exception:  # an int beyond the str-conversion limit, say
        text = f"<{type(value).__name__}>"
    return text if len(text) <= 24 else text[:20] + "..."


def _as_float(number: int | float) -> float:
    """``number`` as a float; integers too large for a float become infinity."""
    try:
        return float(number)
    except OverflowError:
        return math.inf if number > 0 else -math.inf


def _array_in_kg(magnitude: object, factor: float, quantity: Any) -> float | FloatArray:
    import numpy as np

    if not isinstance(magnitude, np.ndarray) and not isinstance(magnitude, np.generic):
        raise DoseInputError(
            f"weight: the magnitude must be a real number or a numpy array, "
            f"got {type(magnitude).__name__}"
        )
    array = np.asarray(magnitude)
    if array.dtype.kind not in "iuf":
        raise DoseInputError(
            f"weight: the magnitude must hold real numbers, got dtype {array.dtype}"
        )
    if array.ndim == 0:
        kg = float(array) * factor
        _check_weight(kg, array.item(), quantity, None)
        return kg
    if array.size == 0:
        raise DoseInputError("weight: the array of weights is empty; give at least one weight")
    kg_array: FloatArray = array.astype(np.float64) * factor
    low, high = kg_array.min(), kg_array.max()
    if not (low >= MIN_BODY_WEIGHT_KG and high <= MAX_BODY_WEIGHT_KG):  # NaN fails both
        bad = ~((kg_array >= MIN_BODY_WEIGHT_KG) & (kg_array <= MAX_BODY_WEIGHT_KG))
        flat = int(np.argmax(bad))
        index = np.unravel_index(flat, array.shape)
        where = index[0] if array.ndim == 1 else tuple(int(i) for i in index)
        _check_weight(
            float(kg_array.flat[flat]), array.flat[flat].item(), quantity, where, int(bad.sum())
        )
    return kg_array


def _check_weight(kg: float, given: object, quantity: Any, index: object, count: int = 1) -> None:
    if MIN_BODY_WEIGHT_KG <= kg <= MAX_BODY_WEIGHT_KG:
        return
    where = "" if index is None else f" at index {index}"
    more = f" ({count} bad elements in all)" if count > 1 else ""
    shown = f"{_short(given)} {quantity.units}"
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
    raise DoseInputError(f"weight{where}: {shown} {problem}{more}")


def is_licensed(drug: Drug | str, age: pint.Quantity[float] | pint.Quantity[int] | str) -> bool:
    """Whether a patient of ``age`` (a ``[time]`` quantity) is within the drug's licence.

    >>> import pint
    >>> Q = pint.get_application_registry().Quantity
    >>> is_licensed("ciclosporin", Q(16, "year")), is_licensed("ciclosporin", Q(191, "month"))
    (True, False)
    """
    subject = resolve_drug(drug)
    registry, _, seconds = checked_age(age)
    return seconds >= subject.licence.min_age_years * _units_of(registry).seconds_per_year


def checked_age(age: object, what: str = "age") -> tuple[pint.UnitRegistry[float], Any, float]:
    """``age`` as (registry, quantity, seconds), or :class:`DoseInputError` saying what is wrong.

    Ages are compared in seconds, where pint's year (365.25 days) and month (a
    twelfth of it) are whole numbers, so that 192 months is exactly 16 years.
    """
    registry, quantity = _quantity(age, what, "'16 years' or '18 months'")
    units = _units_of(registry)
    factor = units.seconds_per(quantity._units)
    if factor is None:
        raise DoseInputError(
            f"{what}: {_unit_problem(quantity, 'time')}; give it in years or months"
        )
    magnitude = quantity.magnitude
    if isinstance(magnitude, bool) or not isinstance(magnitude, (int, float)):
        raise DoseInputError(
            f"{what}: expected one age as a real number with a unit, got {type(magnitude).__name__}"
        )
    seconds = _as_float(magnitude) * factor
    if not 0.0 <= seconds <= MAX_AGE_YEARS * units.seconds_per_year:
        raise DoseInputError(
            f"{what}: {_short(magnitude)} {quantity.units} must lie between 0 and "
            f"{MAX_AGE_YEARS:g} years"
        )
    return registry, quantity, seconds


def seconds_per_year(registry: pint.UnitRegistry[float]) -> float:
    """Seconds in pint's year (365.25 days) in ``registry``."""
    return _units_of(registry).seconds_per_year


def checked_weight(weight: object, what: str = "weight") -> tuple[Any, float]:
    """One body ``weight`` as (quantity, kg), or :class:`DoseInputError` saying what is wrong."""
    _, quantity = _quantity(weight, what, "'70 kg' or '154 lb'")
    _, kg = _weight_in_kg(quantity)
    if not isinstance(kg, float):
        raise DoseInputError(f"{what}: expected the weight of one person, got an array")
    return quantity, kg


def round_to_strengths(
    dose: DoseRange[float],
    strengths: Sequence[pint.Quantity[float] | pint.Quantity[int] | str],
) -> pint.Quantity[float]:
    """The single-dose amount nearest the middle of ``dose``'s range that the strengths can make.

    ``strengths`` are the unit strengths the caller has (for example capsules
    of 25, 50 and 100 mg); the library ships none.  The amount lies within
    ``per_dose_low``..``per_dose_high`` and is a sum of whole units; of two
    amounts equally near the middle the lower is chosen.  Raises
    :class:`~ae_systemic.DoseInputError` when no such amount exists.
    """
    if not _is_one_patient(dose):
        raise DoseInputError(
            "dose: expected the DoseRange of one patient (a scalar weight) from daily_dose"
        )
    if not isinstance(strengths, (list, tuple)):
        raise DoseInputError(
            "strengths: expected a list of unit strengths such as ['25 mg', '50 mg', '100 mg']"
        )
    if not strengths:
        raise DoseInputError("strengths: give at least one unit strength, e.g. ['25 mg']")
    units_ug = [_strength_in_micrograms(s, i) for i, s in enumerate(strengths)]
    low_mg, high_mg = dose.per_dose_low.m_as("mg"), dose.per_dose_high.m_as("mg")
    step = math.gcd(*units_ug)
    low_n = max(1, math.ceil((low_mg * 1000 - 1e-6) / step))
    high_n = math.floor((high_mg * 1000 + 1e-6) / step)
    if high_n > _MAX_ROUNDING_STEPS:
        raise DoseInputError(
            f"strengths: the dose ({high_mg:g} mg) is more than {_MAX_ROUNDING_STEPS} times the "
            f"common measure of the strengths ({step / 1000:g} mg); give coarser strengths"
        )
    reachable = _sums_up_to([u // step for u in units_ug], high_n)
    best = _nearest_set_bit(reachable, low_n, high_n, (low_mg + high_mg) * 500 / step)
    if best is None:
        listed = ", ".join(f"{u / 1000:g} mg" for u in units_ug)
        raise DoseInputError(
            f"strengths: no amount between {low_mg:g} and {high_mg:g} mg per dose "
            f"can be made from {listed}"
        )
    registry = dose._registry
    amount: pint.Quantity[float] = registry.Quantity(best * step / 1000, _units_of(registry).mg)
    return amount


#: The finest grid :func:`round_to_strengths` searches, in multiples of the strengths'
#: common measure (a bound on time and memory: 1000 mg in steps of 1 microgram).
_MAX_ROUNDING_STEPS = 10**6


def _nearest_set_bit(bits: int, low: int, high: int, middle: float) -> int | None:
    """The set bit of ``bits`` in ``low..high`` nearest ``middle`` (the lower one on a tie)."""
    if low > high:
        return None
    window = bin(bits >> low)[2:][::-1][: high - low + 1]  # window[i] is bit low + i
    centre = min(max(round(middle) - low, 0), len(window) - 1)
    below = window.rfind("1", 0, centre + 1)
    above = window.find("1", centre)
    candidates = [low + i for i in (below, above) if i >= 0]
    if not candidates:
        return None
    return min(candidates, key=lambda n: (abs(n - middle), n))


def _is_one_patient(dose: object) -> bool:
    return isinstance(dose, DoseRange) and isinstance(dose._weight_kg, float)


def _strength_in_micrograms(strength: object, index: int) -> int:
    registry, quantity = _quantity(strength, f"strengths[{index}]", "'25 mg'")
    factor = _units_of(registry).kg_per(quantity._units)
    magnitude = quantity.magnitude
    if factor is None:
        raise DoseInputError(f"strengths[{index}]: {_unit_problem(quantity, 'mass')}")
    if isinstance(magnitude, bool) or not isinstance(magnitude, (int, float)):
        raise DoseInputError(f"strengths[{index}]: expected one amount, such as '25 mg'")
    micrograms = _as_float(magnitude) * factor * 1e9
    if not (math.isfinite(micrograms) and micrograms >= 1 and micrograms < 1e12):
        raise DoseInputError(
            f"strengths[{index}]: {_short(magnitude)} {quantity.units} is not a usable strength; "
            "give a positive amount of at least 1 microgram"
        )
    whole = round(micrograms)
    if abs(micrograms - whole) > 1e-6 * max(1.0, micrograms):
        raise DoseInputError(
            f"strengths[{index}]: {magnitude} {quantity.units} is not a whole number of micrograms"
        )
    return whole


def _sums_up_to(units: list[int], limit: int) -> int:
    """A bit set of every sum of whole multiples of ``units`` up to ``limit``."""
    mask = (1 << (limit + 1)) - 1
    reachable = 1
    for unit in units:
        shift = unit
        while shift <= limit:  # doubling: multiples 0..2^k-1 of ``unit``
            reachable = (reachable | reachable << shift) & mask
            shift <<= 1
    return reachable
