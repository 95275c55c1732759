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

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Generic, TypeVar, overload

import attrs

from ._converter import JSONValue, json_quantity, unstructure
from ._errors import ArgumentError, ArgumentTypeError, DoseInputError, shown
from ._lookup import resolve_drug
from ._model import DoseRate, DoseRegimen, Drug
from ._notebook import NotebookDisplay
from ._text import counted, doses_a_day, span
from ._units import (
    MAX_BODY_WEIGHT_KG,
    MIN_BODY_WEIGHT_KG,
    QuantityLike,
    checked_age,
    mass_in_kg,
    restore_in_application_registry,
    short,
    state_without_registry,
    underlying_registry,
    units_of,
    weight_in_kg,
)
from ._vocabulary import Phase, Population

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    import pint

    FloatArray = npt.NDArray[np.float64]

__all__ = [
    "MAX_UNITS_PER_DOSE",
    "DoseRange",
    "daily_dose",
    "is_licensed",
    "range_text",
    "round_to_strengths",
    "select_regimen",
    "strength_units",
]

M = TypeVar("M", float, "FloatArray")


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
        "weight_kg",
        f"expected a weight in kg from {MIN_BODY_WEIGHT_KG:g} to {MAX_BODY_WEIGHT_KG:g} "
        "(a float or a read-only float64 array); build dose ranges with daily_dose",
    )


def _daily_rate(regimen: DoseRegimen) -> tuple[DoseRate, int]:
    """The weight-based daily rate of ``regimen`` and its doses a day, or a clear error."""
    rate, doses = regimen.rate, regimen.doses_per_day
    if rate is None or rate.period != "day" or doses is None:
        raise DoseInputError(
            "regimen",
            f"{shown(regimen.label)} is not a weight-based daily dose ({regimen}); "
            "daily_dose computes those only; use dose_plan for every shape of regimen",
        )
    return rate, doses


def _weight_based_daily(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, DoseRegimen):
        raise ArgumentTypeError("regimen", f"expected a DoseRegimen, got {type(value).__name__}")
    _daily_rate(value)


@attrs.frozen
class DoseRange(NotebookDisplay, Generic[M]):
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
        units = units_of(self._registry)
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
            self._scaled(1.0), units_of(self._registry).kg
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
            self._scaled(self._per_kg(rate)), units_of(self._registry).mg_per_day
        )
        return daily

    def _single(self, rate: float) -> pint.Quantity[M]:
        single: pint.Quantity[M] = self._registry.Quantity(
            self._scaled(self._per_kg(rate) / self.doses_per_day),
            units_of(self._registry).mg,
        )
        return single

    def __getstate__(self) -> dict[str, Any]:
        return state_without_registry(self)

    def __setstate__(self, state: dict[str, Any]) -> None:
        state["_weight_kg"] = _private_copy(state["_weight_kg"])
        restore_in_application_registry(self, state)

    def _json_(self) -> JSONValue:
        """The JSON form (:func:`~ae_systemic.unstructure`): quantities in kg, mg/day and mg."""
        return {
            "weight": json_quantity(self._scaled(1.0), "kg"),
            "low": json_quantity(self.low.magnitude, "mg/day"),
            "high": json_quantity(self.high.magnitude, "mg/day"),
            "per_dose_low": json_quantity(self.per_dose_low.magnitude, "mg"),
            "per_dose_high": json_quantity(self.per_dose_high.magnitude, "mg"),
            "doses_per_day": self.doses_per_day,
            "regimen": unstructure(self.regimen),
            "fallback": self.fallback,
            "references": list(self.references),
        }

    def __str__(self) -> str:
        if not isinstance(self._weight_kg, float):
            return f"{self.regimen} for {counted(self._weight_kg.size, 'weight')}"
        rate = _daily_rate(self.regimen)[0]
        low, high = self._scaled(self._per_kg(rate.low)), self._scaled(self._per_kg(rate.high))
        per = self.doses_per_day
        return range_text(
            self, span(low, high, "mg/day", digits=2), span(low / per, high / per, "mg", digits=2)
        )


def range_text(dose: DoseRange[float], daily: str, single: str) -> str:
    """``dose`` in words around its ranges as printed (``str(dose)`` rounds them itself):
    ``175–350 mg/day (87.5–175 mg per dose, 2 doses a day) for 70 kg: ...``."""
    note = f" ({dose.regimen.note})" if dose.regimen.note else ""
    return (
        f"{daily} ({single} per dose, {doses_a_day(dose.doses_per_day)}) "
        f"for {dose.weight.m_as('kg'):g} kg: {dose.regimen}{note}"
    )


def select_regimen(
    subject: Drug, population: Population, phase: Phase | None
) -> tuple[DoseRegimen, str | None]:
    """The regimen for ``population`` in ``phase``, and a note when it falls back.

    Where the source gives no regimen for the phase asked for (children with a
    phase), the population's standard regimen is used and the note says so;
    no regimen is ever invented.
    """
    if not isinstance(population, Population):
        raise ArgumentTypeError(
            "population", f"expected Population.ADULT or Population.CHILD, got {shown(population)}"
        )
    if phase is not None and not isinstance(phase, Phase):
        raise ArgumentTypeError(
            "phase", f"expected None, Phase.ACUTE or Phase.LONG_TERM, got {shown(phase)}"
        )
    standard = None
    for regimen in subject.regimens:
        if regimen.population is population:
            if regimen.phase is phase:
                return regimen, None
            if regimen.phase is None:
                standard = regimen
    if standard is None:
        phases = [r.phase.value for r in subject.regimens if r.population is population and r.phase]
        if not phases:
            raise DoseInputError(
                "population", f"the guideline gives {subject.name} no dose regimen for {population}"
            )
        asked = f"{phase} regimen" if phase else "standard regimen (no phase)"
        raise DoseInputError(
            "phase",
            f"the guideline gives {subject.name} no {asked} for {population}; "
            f"give phase as one of {', '.join(repr(p) for p in dict.fromkeys(phases))}",
        )
    dose = standard.rate if standard.rate is not None else standard.dose_text
    note = (
        f"The guideline gives no {phase} regimen of {subject.name} for {population}; "
        f"the {standard.label} ({dose}) is used instead."
    )
    return standard, note


@overload
def daily_dose(
    drug: Drug | str,
    weight: QuantityLike,
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
    weight: QuantityLike | pint.Quantity[FloatArray],
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
    registry, weight_kg = weight_in_kg(weight)
    if isinstance(weight_kg, float):
        return DoseRange(regimen, weight_kg, registry, fallback)
    return DoseRange(regimen, weight_kg, registry, fallback)


def is_licensed(drug: Drug | str, age: QuantityLike) -> bool:
    """Whether a patient of ``age`` (a ``[time]`` quantity) is within the drug's licence.

    >>> import pint
    >>> Q = pint.get_application_registry().Quantity
    >>> is_licensed("ciclosporin", Q(16, "year")), is_licensed("ciclosporin", Q(191, "month"))
    (True, False)
    """
    subject = resolve_drug(drug)
    registry, _, seconds = checked_age(age)
    return seconds >= subject.licence.min_age_years * units_of(registry).seconds_per_year


def round_to_strengths(
    dose: DoseRange[float],
    strengths: Sequence[QuantityLike],
) -> pint.Quantity[float]:
    """The single-dose amount nearest the middle of ``dose``'s range that the strengths can make.

    ``strengths`` are the unit strengths the caller has (for example capsules
    of 25, 50 and 100 mg); the library ships none.  The amount lies within
    ``per_dose_low``..``per_dose_high`` and is a sum of at most
    :data:`MAX_UNITS_PER_DOSE` (20) whole units; of two amounts equally near the
    middle the lower is chosen.  The rule and the bound are choices of this library:
    the guideline gives no rule for rounding a dose to the strengths at hand.
    :func:`strength_units` says which units make the amount.  Raises
    :class:`~ae_systemic.DoseInputError` when no such amount exists, saying so when
    the strengths could make one only from more than :data:`MAX_UNITS_PER_DOSE` units.
    """
    if not isinstance(dose, DoseRange):
        raise ArgumentTypeError(
            "dose", f"expected the DoseRange of one patient from daily_dose, got {shown(dose)}"
        )
    if not _is_one_patient(dose):
        raise DoseInputError(
            "dose", "expected the DoseRange of one patient (a scalar weight) from daily_dose"
        )
    units_ug = _strengths_in_micrograms(strengths)
    low_mg, high_mg = dose.per_dose_low.m_as("mg"), dose.per_dose_high.m_as("mg")
    step = math.gcd(*units_ug)
    low_n = max(1, math.ceil((low_mg * 1000 - 1e-6) / step))
    high_n = math.floor((high_mg * 1000 + 1e-6) / step)
    if high_n > _MAX_ROUNDING_STEPS:
        raise _too_fine("strengths", f"the dose ({high_mg:g} mg)", step)
    units = _distinct_units(units_ug, step, high_n)
    middle = (low_mg + high_mg) * 500 / step
    reachable = _sums_of_at_most(units, high_n, MAX_UNITS_PER_DOSE)[-1]
    best = _nearest_set_bit(reachable, low_n, high_n, middle)
    if best is None:
        made_from = _strengths_text(units_ug)
        if _nearest_set_bit(_sums_up_to(units, high_n), low_n, high_n, middle) is not None:
            raise DoseInputError(
                "strengths",
                f"every amount between {low_mg:g} and {high_mg:g} mg per dose that "
                f"{made_from} can make takes more than {MAX_UNITS_PER_DOSE} units a dose "
                "(a bound of this library, MAX_UNITS_PER_DOSE; the guideline sets none); "
                "give larger strengths",
            )
        raise DoseInputError(
            "strengths",
            f"no amount between {low_mg:g} and {high_mg:g} mg per dose "
            f"can be made from {made_from}",
        )
    registry = dose._registry
    amount: pint.Quantity[float] = registry.Quantity(best * step / 1000, units_of(registry).mg)
    return amount


#: The most whole units (capsules, tablets) one single dose may be made of, in
#: :func:`round_to_strengths` and :func:`strength_units`.  A choice of this library, not
#: a number of the guideline: it keeps fine strengths (``1 ug``) from answering with
#: thousands of units a dose.
MAX_UNITS_PER_DOSE = 20

#: The finest grid :func:`round_to_strengths` searches, in multiples of the strengths'
#: common measure (a bound on time and memory: 1000 mg in steps of 1 microgram).
_MAX_ROUNDING_STEPS = 10**6


def _too_fine(argument: str, amount: str, step: int) -> DoseInputError:
    """The error for an amount finer than :data:`_MAX_ROUNDING_STEPS` steps can make."""
    return DoseInputError(
        argument,
        f"{amount} is more than {_MAX_ROUNDING_STEPS} times the common measure of the "
        f"strengths ({step / 1000:g} mg); give coarser strengths",
    )


def _nearest_set_bit(bits: int, low: int, high: int, middle: float) -> int | None:
    """The set bit of ``bits`` in ``low..high`` nearest ``middle`` (the lower one on a tie)."""
    if low > high:
        return None
    window = bin(bits >> low)[2:][::-1][: high - low + 1]  # window[i] is bit low + i
    # The nearest set bits at or below and at or above the middle (both, when it is a .5).
    below = window.rfind("1", 0, max(math.floor(middle) - low + 1, 0))
    above = window.find("1", max(math.ceil(middle) - low, 0))
    candidates = [low + i for i in (below, above) if i >= 0]
    if not candidates:
        return None
    return min(candidates, key=lambda n: (abs(n - middle), n))


#: The amounts a strength, or an amount made of strengths, may have, in micrograms: from
#: 1 microgram (the grid of the rounding) to below 10^12 micrograms (1000 kg, where whole
#: micrograms are no longer exact in a float).
_MIN_MICROGRAMS = 1
_MAX_MICROGRAMS = 10**12
_USABLE_AMOUNTS = "an amount of at least 1 µg (0.001 mg) and below 1000 kg"


def _usable_micrograms(micrograms: float) -> bool:
    """Whether ``micrograms`` lies from :data:`_MIN_MICROGRAMS` to below the maximum."""
    return math.isfinite(micrograms) and _MIN_MICROGRAMS <= micrograms < _MAX_MICROGRAMS


def _is_one_patient(dose: object) -> bool:
    return isinstance(dose, DoseRange) and isinstance(dose._weight_kg, float)


def _strengths_in_micrograms(strengths: object) -> list[int]:
    """The caller's list of unit strengths, each in whole micrograms, or a clear error."""
    if not isinstance(strengths, (list, tuple)):
        raise ArgumentTypeError(
            "strengths",
            "expected a list of unit strengths such as ['25 mg', '50 mg', '100 mg'], "
            f"got {type(strengths).__name__}",
        )
    if not strengths:
        raise DoseInputError("strengths", "give at least one unit strength, e.g. ['25 mg']")
    return [_strength_in_micrograms(s, i) for i, s in enumerate(strengths)]


def _strength_in_micrograms(strength: object, index: int) -> int:
    try:
        _, quantity, kg = mass_in_kg(strength, "strengths", "'25 mg'")
    except ArgumentError as exc:
        raise exc.with_index(index) from None
    micrograms = kg * 1e9
    if not _usable_micrograms(micrograms):
        raise DoseInputError(
            "strengths",
            f"{short(quantity.magnitude)} {quantity.units} is not a usable strength; "
            f"give {_USABLE_AMOUNTS}, e.g. '25 mg'",
            index,
        )
    whole = round(micrograms)
    if abs(micrograms - whole) > 1e-6 * max(1.0, micrograms):
        raise DoseInputError(
            "strengths",
            f"{quantity.magnitude} {quantity.units} is not a whole number of micrograms",
            index,
        )
    return whole


def _strengths_text(units_ug: list[int]) -> str:
    """The strengths for a message, each once, in mg: ``25 mg, 50 mg``; a long list cut short."""
    distinct = list(dict.fromkeys(units_ug))
    text = ", ".join(f"{u / 1000:g} mg" for u in distinct[:6])
    return f"{text} and {len(distinct) - 6} more" if len(distinct) > 6 else text


def _distinct_units(units_ug: list[int], step: int, limit: int) -> list[int]:
    """The strengths in multiples of ``step``, each once, none above ``limit``, largest first."""
    return sorted({u // step for u in units_ug if u // step <= limit}, reverse=True)


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


def _sums_of_at_most(units: list[int], limit: int, count: int) -> list[int]:
    """Bit sets of the sums up to ``limit`` of at most 0, 1, ..., ``count`` of ``units``.

    Item ``j`` holds every sum of ``j`` units or fewer (item 0 only the empty sum); the
    list ends early when one more unit reaches no new sum.
    """
    mask = (1 << (limit + 1)) - 1
    layers = [1]
    for _ in range(count):
        previous = layers[-1]
        reachable = previous
        for unit in units:
            reachable |= (previous << unit) & mask
        if reachable == previous:
            break
        layers.append(reachable)
    return layers


def strength_units(
    amount: QuantityLike, strengths: Sequence[QuantityLike]
) -> tuple[pint.Quantity[float], ...]:
    """The fewest whole units of ``strengths`` that make up ``amount``, largest first.

    Says which units make the amount :func:`round_to_strengths` chose: 150 mg from
    capsules of 25, 50 and 100 mg is ``(100 mg, 50 mg)``.  Of several ways with as
    few units, the one with the largest units first is given, so the answer is always
    the same.  Each unit is a quantity in mg, in the registry of ``amount`` (a pint
    quantity of ``[mass]`` or a string such as ``"150 mg"``).  Raises
    :class:`~ae_systemic.DoseInputError` when no sum of at most
    :data:`MAX_UNITS_PER_DOSE` units of the strengths makes the amount.

    >>> [str(unit) for unit in strength_units("150 mg", ["25 mg", "50 mg", "100 mg"])]
    ['100.0 milligram', '50.0 milligram']
    """
    units_ug = _strengths_in_micrograms(strengths)
    registry, quantity, kg = mass_in_kg(amount, "amount", "'150 mg'")
    micrograms = kg * 1e9
    shown_amount = f"{short(quantity.magnitude)} {quantity.units}"
    if not _usable_micrograms(micrograms):
        raise DoseInputError(
            "amount",
            f"{shown_amount} is not a usable amount; give {_USABLE_AMOUNTS}, e.g. '150 mg'",
        )
    step = math.gcd(*units_ug)
    target = round(micrograms / step)
    made_from = _strengths_text(units_ug)
    cannot = DoseInputError(
        "amount",
        f"{shown_amount} cannot be made from at most {MAX_UNITS_PER_DOSE} units of "
        f"{made_from} (MAX_UNITS_PER_DOSE, a bound of this library)",
    )
    if abs(micrograms - target * step) > 1e-9 * max(1.0, micrograms):
        raise cannot
    if target > MAX_UNITS_PER_DOSE * max(units_ug) // step:
        raise cannot
    if target > _MAX_ROUNDING_STEPS:
        raise _too_fine("amount", shown_amount, step)
    units = _distinct_units(units_ug, step, target)
    layers = _sums_of_at_most(units, target, MAX_UNITS_PER_DOSE)
    fewest = next((j for j, sums in enumerate(layers) if sums >> target & 1), None)
    if fewest is None:
        raise cannot
    chosen: list[int] = []
    remaining = target
    for j in range(fewest, 0, -1):
        # The largest unit whose remainder the other j - 1 units can still make.
        unit = next(u for u in units if u <= remaining and layers[j - 1] >> (remaining - u) & 1)
        chosen.append(unit)
        remaining -= unit
    mg = units_of(registry).mg
    return tuple(registry.Quantity(unit * step / 1000, mg) for unit in chosen)
