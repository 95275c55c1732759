"""Checking a prescription against the guideline: is this order's dose within the range?

A :class:`Prescription` is an order as a prescriber writes it: an amount per
administration, how many administrations, and per which period ("150 mg twice daily",
"150 mg every 12 hours").  :func:`check_dose` compares its daily amount with the patient's
range under the guideline (:func:`~ae_systemic.daily_dose`) and says where it lies, by how
much, and whether the number of administrations a day matches the regimen's single doses.

The comparison adds no clinical rule: the range's bounds are inclusive, and a relative
tolerance of 1e-9 absorbs floating-point noise only (the guideline gives no clinical
tolerance, so the library adds none).  A caller who wants one says so with ``tolerance=``,
and the result echoes it.
"""

from __future__ import annotations

import copy
import math
import numbers
import re
import sys
from typing import TYPE_CHECKING, Any, Literal, SupportsIndex

import attrs

from ._converter import JSONValue, json_quantity, unstructure
from ._dosing import DoseRange, daily_dose
from ._errors import ArgumentTypeError, DoseInputError, InputError, shown
from ._lookup import resolve_drug
from ._model import Drug
from ._notebook import NotebookDisplay
from ._patient import Patient, dose_for
from ._text import apart, beyond, counted, decimals, exact, inside, number, percent, span
from ._units import (
    ComparedByFacts,
    QuantityLike,
    checked_weight,
    in_unit,
    quantity_of,
    refused_mass_unit,
    registry_of,
    scalar_magnitude,
    short,
    unit_problem,
    units_of,
)
from ._validators import MAX_COUNT
from ._vocabulary import DoseStatus, Phase, Population

if TYPE_CHECKING:
    import pint

__all__ = [
    "FLOAT_TOLERANCE",
    "MAX_AMOUNT_PER_ADMINISTRATION_MG",
    "DoseCheck",
    "Prescription",
    "check_dose",
    "compare",
    "frequency_text",
    "order_problem",
    "shown_figures",
    "shown_ranges",
    "single_dose_text",
    "unheld_amount_a_day",
]

#: The largest amount per administration a prescription may state, in mg (100 g): a
#: plausibility bound chosen by this library, far above any dose of a systemic drug, not a
#: guideline number.  It catches grams or micrograms typed as milligrams.
MAX_AMOUNT_PER_ADMINISTRATION_MG = 100_000.0

#: The relative tolerance of every comparison with a bound: floating-point noise only.
FLOAT_TOLERANCE = 1e-9

_AMOUNT_EXAMPLE = "'150 mg'"
_PERIOD_EXAMPLE = "'1 day' or '12 h'"

#: A number over a number before the unit ("1/2 mg"): a fraction, not one number.
_FRACTION = r"\s*(\d+(?:\.\d*)?|\.\d+)\s*/\s*(\d+(?:\.\d*)?|\.\d+)\s*([^\W\d]*)\s*"
#: A unit over another unit ("5 mg/kg", "150 mg / day"): an amount per something.
_PER_UNIT = r"/\s*[^\W\d]"


def _per_something(given: str) -> str:
    """The problem of an amount per body weight or per time given as an amount (one wording)."""
    return (
        f"{given} is an amount per something (per body weight, per time), not an amount per "
        "administration; a prescription gives the amount itself, e.g. '350 mg', and how "
        "often (frequency, period)"
    )


def _checked_amount(value: QuantityLike) -> Any:
    """The amount per administration, a ``[mass]`` quantity within the bounds (a copy)."""
    if isinstance(value, str):
        _check_amount_text(value)
    registry, quantity = quantity_of(value, "amount", _AMOUNT_EXAMPLE)
    units = units_of(registry)
    factor = units.mg_per(quantity._units)
    if factor is None:
        # mg/kg (mass over mass) has no dimension; asked of the unit, not the magnitude.
        if quantity._units and not registry.get_dimensionality(quantity._units):
            raise DoseInputError(
                "amount",
                f"{quantity.units} is an amount per body weight, not an amount per "
                "administration; a prescription gives the amount itself, e.g. '350 mg' "
                "(the library works out the mg/kg/day)",
            )
        if _is_mass_per_something(registry, quantity._units):  # mg/day, mg/kg/day
            raise DoseInputError("amount", _per_something(str(quantity.units)))
        refused = refused_mass_unit(quantity.units) if quantity._units else None
        raise DoseInputError(
            "amount",
            refused or f"{unit_problem(quantity, 'mass')}; give it in mg, g or µg, e.g. '150 mg'",
        )
    mg = in_unit(scalar_magnitude(quantity, "amount", _AMOUNT_EXAMPLE), factor)
    given = f"{short(quantity.magnitude)} {quantity.units}"
    _check_positive(mg, given, "amount")
    if mg > MAX_AMOUNT_PER_ADMINISTRATION_MG:
        raise DoseInputError(
            "amount",
            f"{given} is more than {MAX_AMOUNT_PER_ADMINISTRATION_MG / 1000:g} g per "
            "administration, more than any dose of a systemic drug; check the unit "
            "(grams typed for milligrams?)",
        )
    return copy.copy(quantity)


def _check_amount_text(text: str) -> None:
    """A fraction ("1/2 mg") or an amount per something ("5 mg/kg") said as such."""
    fraction = re.fullmatch(_FRACTION, text)
    if fraction is not None:
        numerator, denominator, unit = fraction.groups()
        example = _AMOUNT_EXAMPLE
        if float(denominator) and math.isfinite(value := float(numerator) / float(denominator)):
            example = f"'{decimals(value, 0)} {unit or 'mg'}'"
        raise DoseInputError(
            "amount",
            f"{shown(text)} is a fraction, not one number and one unit; write the amount "
            f"as one number, e.g. {example}",
        )
    if re.search(_PER_UNIT, text) is not None:
        raise DoseInputError("amount", _per_something(shown(text)))


def _is_mass_per_something(registry: Any, units: Any) -> bool:
    """Whether ``units`` is one unit of mass over other units (mg/day, mg/kg/day)."""
    above = [(name, power) for name, power in units.items() if power > 0]
    below = [name for name, power in units.items() if power < 0]
    if len(above) != 1 or above[0][1] != 1 or not below:
        return False
    return dict(registry.get_dimensionality(above[0][0])) == {"[mass]": 1}


def _checked_period(value: QuantityLike | None) -> Any:
    """The period the administrations are counted over, a positive ``[time]`` (a copy).

    ``None`` stays ``None``: the order then makes its period one day, in its amount's registry.
    """
    if value is None:
        return None
    registry, quantity = quantity_of(value, "period", _PERIOD_EXAMPLE)
    factor = units_of(registry).seconds_per(quantity._units)
    if factor is None:
        raise DoseInputError(
            "period", f"{unit_problem(quantity, 'time')}; give it in days or hours, e.g. '1 day'"
        )
    seconds = in_unit(scalar_magnitude(quantity, "period", _PERIOD_EXAMPLE), factor)
    given = f"{short(quantity.magnitude)} {quantity.units}"
    _check_positive(seconds, given, "period")
    if seconds / 86_400.0 == 0:  # positive, but 0 days as a float: no administrations a day
        raise DoseInputError("period", too_short(given))
    return copy.copy(quantity)


def too_short(given: str) -> str:
    """The problem of a period too short to be counted in days (it rounds to 0 days)."""
    return f"{given} is too short to count in days (a float rounds it to 0 days)"


def _check_positive(value: float, given: str, argument: str) -> None:
    if math.isnan(value):
        raise DoseInputError(argument, f"{given} is not a number (NaN)")
    if math.isinf(value):
        raise DoseInputError(argument, f"{given} is infinite")
    if value <= 0:
        raise DoseInputError(argument, f"{given} must be positive")


def _checked_frequency(value: SupportsIndex) -> int:
    """The number of administrations as a Python ``int``, from 1 to :data:`MAX_COUNT`.

    Any integral number is one (a numpy integer, as a pandas row gives); a ``bool``, a
    float or a string is not.
    """
    # numbers.Integral: int and numpy's integers, never numpy's bool_ (not registered).
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ArgumentTypeError(
            "frequency", f"expected a whole number of administrations, got {shown(value)}"
        )
    whole = int(value)
    if not 1 <= whole <= MAX_COUNT:
        raise InputError(
            "frequency", f"must be a whole number from 1 to {MAX_COUNT}, got {shown(value)}"
        )
    return whole


@attrs.frozen(repr=False, eq=False)
class Prescription(ComparedByFacts, NotebookDisplay):
    """An order: ``amount`` per administration, ``frequency`` administrations per ``period``.

    ``amount`` is a ``[mass]`` quantity or a string (``"150 mg"``, ``"0.15 g"``,
    ``"150000 µg"``); ``frequency`` a whole number, an ``int`` or a numpy integer, kept
    as an ``int`` (default 1); ``period`` a ``[time]`` quantity or a string (default
    ``None``: one day, in the registry of ``amount``).  "150 mg twice daily" is
    ``Prescription("150 mg", frequency=2)``, "150 mg every 12 hours" is
    ``Prescription("150 mg", period="12 h")``: both are 300 mg a day in 2 administrations.

    Refused with :class:`~ae_systemic.DoseInputError`: an amount that is not a mass (an
    amount per body weight or per time such as ``"5 mg/kg"`` or ``"150 mg/day"`` says
    so, and a fraction such as ``"1/2 mg"``), zero, negative, NaN, infinite or above
    :data:`MAX_AMOUNT_PER_ADMINISTRATION_MG`; a period that is not a time or is not
    positive; an order whose amount a day a float cannot hold (infinite, or 0 or below
    the smallest normal float).  A frequency that is not a whole number (a ``bool``, a
    ``float``) is an :class:`~ae_systemic.ArgumentTypeError`; one below 1 an
    :class:`~ae_systemic.InputError`.

    >>> order = Prescription("150 mg", frequency=2)
    >>> order.daily, order.administrations_per_day
    (<Quantity(300.0, 'milligram / day')>, 2.0)

    Two orders are equal, and hash alike, when they say the same: the same amount in mg,
    frequency and period in days (each converted once, to the nearest float), whatever
    the units and the registry they were given in.

    >>> Prescription("0.15 g", frequency=2) == Prescription("150 mg", 2, period="24 h")
    True
    """

    _amount: pint.Quantity[float] = attrs.field(alias="amount", converter=_checked_amount)
    frequency: int = attrs.field(default=1, converter=_checked_frequency)
    _period: pint.Quantity[float] = attrs.field(
        alias="period",
        default=None,
        converter=_checked_period,
    )

    def __attrs_post_init__(self) -> None:
        """The amounts a day must be numbers a float holds, so that no check prints inf or 0.

        Without a period, the order's period is one day, in the registry of its amount
        (quantities of two registries cannot be combined).
        """
        if self._period is None:
            registry = registry_of(self._amount)
            object.__setattr__(self, "_period", registry.Quantity(1, units_of(registry).day))
        problem = unheld_amount_a_day(self.administrations_per_day, self.daily_mg)
        if problem is None:
            return
        amount = f"{short(self._amount.magnitude)} {self._amount.units}"
        period = f"{short(self._period.magnitude)} {self._period.units}"
        raise DoseInputError("period", order_problem(amount, self.frequency, period, problem))

    @property
    def amount(self) -> pint.Quantity[float]:
        """The amount per administration, as given (a fresh copy)."""
        amount: pint.Quantity[float] = copy.copy(self._amount)
        return amount

    @property
    def period(self) -> pint.Quantity[float]:
        """The period the administrations are counted over, as given (a fresh copy)."""
        period: pint.Quantity[float] = copy.copy(self._period)
        return period

    @property
    def amount_mg(self) -> float:
        """The amount per administration in mg."""
        factor = units_of(registry_of(self._amount)).mg_per(self._amount._units)
        return in_unit(float(self._amount.magnitude), factor or math.nan)

    @property
    def period_days(self) -> float:
        """The period in days."""
        units = units_of(registry_of(self._period))
        factor = units.seconds_per(self._period._units) or 0.0
        seconds = in_unit(float(self._period.magnitude), factor)
        return seconds / 86_400.0

    @property
    def administrations_per_day(self) -> float:
        """How many administrations a day: ``frequency`` over the period in days."""
        return self.frequency / self.period_days

    @property
    def daily_mg(self) -> float:
        """The amount a day, in mg."""
        return self.amount_mg * self.administrations_per_day

    @property
    def daily(self) -> pint.Quantity[float]:
        """The amount a day, in mg/day (a fresh quantity in the amount's registry)."""
        registry = registry_of(self._amount)
        daily: pint.Quantity[float] = registry.Quantity(
            self.daily_mg, units_of(registry).mg_per_day
        )
        return daily

    def _json_(self) -> JSONValue:
        """The JSON form (:func:`~ae_systemic.unstructure`): the order and its daily amount."""
        return {
            "amount": json_quantity(self.amount_mg, "mg"),
            "frequency": self.frequency,
            "period": json_quantity(self.period_days, "day"),
            "daily": json_quantity(self.daily_mg, "mg/day"),
            "administrations_per_day": self.administrations_per_day,
        }

    def __str__(self) -> str:
        """``200 mg twice per day (400 mg/day)``, ``50 mg 3 times every 2 days (75 mg/day)``."""
        times = _times(self.frequency)
        unit = format(self._period.units, "P")  # the unit's name: "day", not "d"
        length = self._period.magnitude
        every = f"per {unit}" if length == 1 else f"every {exact(length)} {unit}s"
        amount = f"{exact(self._amount.magnitude)} {format(self._amount.units, '~P')}"
        return f"{amount} {times} {every} ({decimals(self.daily_mg)} mg/day)"

    def __repr__(self) -> str:
        return (
            f"Prescription(amount={self._amount!r}, frequency={self.frequency!r}, "
            f"period={self._period!r})"
        )

    def _facts(self) -> tuple[float, int, float]:
        """What equality and the hash compare: the amount in mg, the frequency, the period."""
        return (self.amount_mg, self.frequency, self.period_days)


def unheld_amount_a_day(per_day: float, daily_mg: float) -> str | None:
    """Why an order's administrations or mg a day are no number a float holds; else ``None``."""
    if math.isfinite(per_day) and math.isfinite(daily_mg) and daily_mg >= sys.float_info.min:
        return None
    if not math.isfinite(per_day):
        return "is more administrations a day than a float holds (it overflows to inf)"
    if not math.isfinite(daily_mg):
        return "is more mg a day than a float holds (it overflows to inf)"
    return (
        f"is less than {sys.float_info.min:.1e} mg a day, too little for a float to "
        "hold (it rounds towards 0 mg/day)"
    )


def order_problem(amount: str, frequency: int, period: str, problem: str) -> str:
    """The message of an order (``amount`` ``frequency`` times every ``period``) and its problem."""
    order = f"{amount} {_times(frequency)} every {period}"
    return f"{order} {problem}; check the amount, frequency and period and their units"


def _times(frequency: int) -> str:
    """``once``, ``twice``, ``3 times``."""
    return {1: "once", 2: "twice"}.get(frequency, f"{frequency} times")


@attrs.frozen
class DoseCheck(NotebookDisplay):
    """Where a prescription's daily amount lies against the patient's range under the guideline.

    Built by :func:`check_dose` (and by :func:`~ae_systemic.assess` given a prescription).

    ``status`` is :class:`~ae_systemic.DoseStatus` ``BELOW``, ``WITHIN`` or ``ABOVE``;
    ``range`` the :class:`~ae_systemic.DoseRange` compared with (its ``fallback`` note
    included); ``deviation`` the signed relative distance to the nearest bound (0 within,
    ``(daily - high) / high`` above, ``(daily - low) / low`` below);
    ``frequency_matches`` whether the administrations a day equal the regimen's single
    doses a day; ``tolerance`` the relative tolerance the caller asked for (0 unless
    widened on purpose); ``message`` one sentence with the numbers; ``references`` those
    of the regimen.  :attr:`daily` is in mg/day and :attr:`per_kg` in mg/kg/day (kept
    as mg/kg/day, not cancelled).
    """

    status: DoseStatus
    prescription: Prescription
    range: DoseRange[float]
    deviation: float
    frequency_matches: bool | None
    tolerance: float
    message: str

    @property
    def daily(self) -> pint.Quantity[float]:
        """The prescribed amount a day, in mg/day, in the registry of the range (the
        weight's), as :attr:`per_kg` and the range are: the three compare with each other
        even when the prescription was built in another registry."""
        registry = registry_of(self.range.weight)
        daily: pint.Quantity[float] = registry.Quantity(
            self.prescription.daily_mg, units_of(registry).mg_per_day
        )
        return daily

    @property
    def per_kg(self) -> pint.Quantity[float]:
        """The prescribed amount a day over the body weight, in mg/kg/day."""
        registry = registry_of(self.range.weight)
        kg = self.range.weight.m_as(units_of(registry).kg)
        per_kg: pint.Quantity[float] = registry.Quantity(
            self.prescription.daily_mg / kg, units_of(registry).mg_per_kg_per_day
        )
        return per_kg

    @property
    def references(self) -> tuple[int, ...]:
        """The references of the regimen compared with."""
        return self.range.references

    @property
    def single_dose_status(self) -> DoseStatus:
        """Where the amount per administration lies against the single doses of the range.

        The range's single doses are its daily amounts divided into the regimen's doses a
        day (``range.per_dose_low`` to ``range.per_dose_high``).  A daily amount within the
        range may still be given in larger administrations than the regimen's (2450 mg
        once a week is 350 mg a day): this says so, with the same ``tolerance``.
        """
        low, high = _in(self.range.per_dose_low, "mg"), _in(self.range.per_dose_high, "mg")
        amount = self.prescription.amount_mg
        margin = FLOAT_TOLERANCE + self.tolerance
        if amount > high * (1 + margin):
            return DoseStatus.ABOVE
        if amount < low * (1 - margin):
            return DoseStatus.BELOW
        return DoseStatus.WITHIN

    def _json_(self) -> JSONValue:
        """The JSON form (:func:`~ae_systemic.unstructure`)."""
        return {
            "status": self.status.value,
            "prescription": self.prescription._json_(),
            "daily": json_quantity(self.prescription.daily_mg, "mg/day"),
            "per_kg": json_quantity(self.per_kg.magnitude, "mg/kg/day"),
            "range": unstructure(self.range),
            "deviation": self.deviation,
            "frequency_matches": self.frequency_matches,
            "single_dose_status": self.single_dose_status.value,
            "tolerance": self.tolerance,
            "message": self.message,
            "references": list(self.references),
        }

    def __str__(self) -> str:
        return self.message


def check_dose(
    drug: Drug | str,
    patient: Patient | QuantityLike,
    prescription: Prescription,
    *,
    phase: Phase | None = None,
    population: Population | None = None,
    adult_from: QuantityLike | None = None,
    tolerance: float = 0.0,
) -> DoseCheck:
    """Whether ``prescription`` lies within the guideline's daily range for ``patient``.

    ``patient`` is a :class:`~ae_systemic.Patient` (its age chooses the population as
    :func:`~ae_systemic.assess` does, with the same ``adult_from``) or a body weight alone
    (then ``population`` chooses, default adults, as in :func:`~ae_systemic.daily_dose`).
    ``phase`` chooses the regimen as everywhere.  ``tolerance`` (relative, default 0)
    widens the range on purpose; floating-point noise is absorbed anyway.

    >>> check = check_dose("ciclosporin", "70 kg", Prescription("200 mg", frequency=2))
    >>> check.status, round(check.deviation, 6)
    (<DoseStatus.ABOVE: 'above'>, 0.142857)
    >>> print(check.message)
    400 mg/day (5.7 mg/kg/day) is above the range of 175–350 mg/day (2.5–5 mg/kg/day) \
for a 70 kg adult, by 14 %.
    """
    subject = resolve_drug(drug)
    if not isinstance(prescription, Prescription):
        raise ArgumentTypeError(
            "prescription", f"expected a Prescription, got {type(prescription).__name__}"
        )
    if isinstance(patient, Patient):
        if population is not None:
            raise InputError(
                "population",
                "the patient's age chooses the population; give population= only with a "
                "body weight alone",
            )
        dose = dose_for(
            subject, patient, phase=phase, adult_from=adult_from, caller="check_dose"
        ).dose
    else:
        if adult_from is not None:
            raise InputError(
                "adult_from", "adult_from= goes with a Patient, whose age it is compared with"
            )
        weight, _ = checked_weight(patient, "patient")  # one person, not an array
        adults = population or Population.ADULT
        dose = daily_dose(subject, weight, population=adults, phase=phase)
    return compare(dose, prescription, tolerance=tolerance)


def compare(
    dose: DoseRange[float], prescription: Prescription, *, tolerance: float = 0.0
) -> DoseCheck:
    """The :class:`DoseCheck` of ``prescription`` against the range ``dose``."""
    tolerance = _checked_tolerance(tolerance)
    low, high = _in(dose.low, "mg_per_day"), _in(dose.high, "mg_per_day")
    daily = prescription.daily_mg
    margin = FLOAT_TOLERANCE + tolerance
    if daily < low * (1 - margin):
        status, deviation = DoseStatus.BELOW, (daily - low) / low
    elif daily > high * (1 + margin):
        status, deviation = DoseStatus.ABOVE, (daily - high) / high
    else:
        status, deviation = DoseStatus.WITHIN, 0.0
    doses = dose.doses_per_day
    per_day = prescription.administrations_per_day
    matches = abs(per_day - doses) <= FLOAT_TOLERANCE * doses
    message = _message(dose, prescription, status, deviation, tolerance)
    return DoseCheck(status, prescription, dose, deviation, matches, tolerance, message)


def _in(quantity: pint.Quantity[float], unit: Literal["mg", "mg_per_day", "kg"]) -> float:
    """The magnitude of ``quantity`` in ``unit`` of its own registry, parsed once per registry
    (``m_as("mg/day")`` would parse the text on every call: most of the time of a check)."""
    units = units_of(registry_of(quantity))
    targets = {"mg": units.mg, "mg_per_day": units.mg_per_day, "kg": units.kg}
    return float(quantity.m_as(targets[unit]))


def _checked_tolerance(tolerance: object) -> float:
    if isinstance(tolerance, bool) or not isinstance(tolerance, (int, float)):
        raise ArgumentTypeError(
            "tolerance", f"expected a relative tolerance such as 0.1, got {shown(tolerance)}"
        )
    if not 0 <= tolerance < 1:
        raise InputError(
            "tolerance", f"must lie from 0 (none) to below 1 (100 %), got {shown(tolerance)}"
        )
    return float(tolerance)


def _message(
    dose: DoseRange[float],
    prescription: Prescription,
    status: DoseStatus,
    deviation: float,
    tolerance: float,
) -> str:
    """``"400 mg/day (5.7 mg/kg/day) is above the range of ... for a 70 kg adult, by 14 %."``"""
    rate = dose.regimen.rate  # never None: a DoseRange holds a weight-based regimen
    who = "adult" if dose.regimen.population is Population.ADULT else "child"
    given, per_kg, range_text = _figures(dose, prescription.daily_mg, status, tolerance)
    text = (
        f"{given} mg/day ({per_kg} mg/kg/day) is {status} of "
        f"{range_text} ({rate}) for a {_weight_figure(dose, prescription, tolerance)} kg {who}"
    )
    if status is not DoseStatus.WITHIN:
        text += f", by {_percent(abs(deviation), tolerance)}"
    if tolerance:
        text += f" (with a tolerance of {percent(tolerance)} asked for)"
    return text + "."


def shown_figures(check: DoseCheck) -> tuple[str, str]:
    """The daily amount (mg/day) and its rate (mg/kg/day) as ``check.message`` shows them."""
    prescription, status, tolerance = check.prescription, check.status, check.tolerance
    given, per_kg, _ = _figures(check.range, prescription.daily_mg, status, tolerance)
    return given, per_kg


def shown_weight(dose: DoseRange[float], check: DoseCheck | None = None) -> str:
    """The body weight of ``dose`` in kg as every face prints it: two decimals, or more
    beside a ``check`` where two would put it across a weight that decides the status.

    The weights that decide are those at which the prescribed amount (a day, or each
    administration) would lie on an end of the range (or of the range widened by the
    tolerance asked for): 69.996 kg against 350 mg/day shows as ``69.996``, never ``70``,
    whose 5 mg/kg/day would make 350 mg/day within.

    >>> check = check_dose("ciclosporin", "69.996 kg", Prescription("175 mg", frequency=2))
    >>> shown_weight(check.range), shown_weight(check.range, check)
    ('70', '69.996')
    """
    if check is None:
        return number(_in(dose.weight, "kg"), 2)
    return _weight_figure(dose, check.prescription, check.tolerance)


def _weight_figure(dose: DoseRange[float], prescription: Prescription, tolerance: float) -> str:
    """:func:`shown_weight` beside ``prescription`` checked with ``tolerance``."""
    kg = _in(dose.weight, "kg")
    ends: list[float] = []
    for given, (low, high) in (
        (prescription.daily_mg, (_in(dose.low, "mg_per_day"), _in(dose.high, "mg_per_day"))),
        (prescription.amount_mg, (_in(dose.per_dose_low, "mg"), _in(dose.per_dose_high, "mg"))),
    ):
        for end in (low, high, low * (1 - tolerance), high * (1 + tolerance)):
            if end > 0:
                ends.append(given / (end / kg))  # the weight at which ``given`` is on ``end``
    return apart(kg, ends, 2)


def shown_ranges(dose: DoseRange[float], check: DoseCheck | None = None) -> tuple[str, str]:
    """The daily range (mg/day) and the single doses' range (mg) as every face prints them.

    One decimal, each end rounded into the range; beside a ``check`` of a prescription
    against ``dose``, the daily range as ``check.message`` shows it and the single doses'
    with the decimals that keep the amount per administration inside it where it is, so
    that no prescribed amount falls outside the range printed beside it.

    >>> check = check_dose("ciclosporin", "70.123 kg", Prescription("87.66 mg", frequency=2))
    >>> shown_ranges(check.range), shown_ranges(check.range, check)
    (('175.4–350.6 mg/day', '87.7–175.3 mg'), ('175.31–350.61 mg/day', '87.66–175.3 mg'))
    """
    low, high = _in(dose.per_dose_low, "mg"), _in(dose.per_dose_high, "mg")
    if check is None:
        daily_low, daily_high = _in(dose.low, "mg_per_day"), _in(dose.high, "mg_per_day")
        return span(daily_low, daily_high, "mg/day", digits=1), span(low, high, "mg", digits=1)
    _, _, daily = _figures(dose, check.prescription.daily_mg, check.status, check.tolerance)
    _, single = inside(check.prescription.amount_mg, low, high, "mg")
    return daily, single


def _figures(
    dose: DoseRange[float], daily: float, status: DoseStatus, tolerance: float = 0.0
) -> tuple[str, str, str]:
    """The daily amount, its rate and the range, written so that none misstates the status.

    A dose outside the range is never printed on the range's end, nor on the end widened
    by the ``tolerance`` asked for, nor a small one as 0; one within it never outside the
    printed range, whose ends are rounded into it.
    """
    kg = _in(dose.weight, "kg")
    low, high = _in(dose.low, "mg_per_day"), _in(dose.high, "mg_per_day")
    if status is DoseStatus.WITHIN:
        given, range_text = inside(daily, low, high, "mg/day")
        per_kg, _ = inside(daily / kg, low / kg, high / kg, "mg/kg/day")
        if tolerance and not low <= daily <= high:  # within by the tolerance asked for only
            widened = (low * (1 - tolerance), high * (1 + tolerance))
            given = _within(daily, *widened)
            per_kg = _within(daily / kg, widened[0] / kg, widened[1] / kg)
        return given, per_kg, range_text
    # The end widened by the tolerance: a dose beyond it is printed beyond it (and so
    # beyond the end itself), never on it, where a dose within the tolerance may be.
    bound = high * (1 + tolerance) if status is DoseStatus.ABOVE else low * (1 - tolerance)
    return beyond(daily, bound), beyond(daily / kg, bound / kg), span(low, high, "mg/day", digits=1)


def _within(value: float, low: float, high: float) -> str:
    """``value``, within ``low``–``high`` (up to floating-point noise), never shown beyond them."""
    return apart(min(max(value, low), high), (low, high))


def _percent(fraction: float, tolerance: float = 0.0) -> str:
    """``14 %``; never ``100 %`` short of it, nor ``0 %`` above it; plain decimals below 1 %.

    A gap beyond a ``tolerance`` asked for is never printed on it either (``by 5.003 %``
    with a tolerance of 5 %, never ``by 5 %``).
    """
    percent = fraction * 100  # never 0: a gap, or a tolerance asked for
    if percent >= 100:
        return f"{number(percent, 0)} %"
    digits = 0 if percent >= 1 else 1 - math.floor(math.log10(percent))  # two significant
    if digits > 6:  # below 0.00001 %: more decimals than apart tries; exact on a tolerance
        text = number(percent, digits)
        return f"{text if float(text) > tolerance * 100 else exact(percent)} %"
    return f"{apart(percent, (100.0, 0.0, tolerance * 100), digits)} %"


def frequency_text(check: DoseCheck) -> str:
    """The administrations a day against the regimen's single doses, in words.

    With an amount per administration above the range's single doses, that first
    (:attr:`DoseCheck.single_dose_status`).
    """
    per_day = check.prescription.administrations_per_day
    doses = check.range.doses_per_day
    # two decimals, but a rare administration is not 0 a day, nor 1.998 the regimen's 2
    count = apart(per_day, (0.0, float(doses)), 2)
    given = f"{count} administration{'s' * (count != '1')} a day"
    text = (
        f"The prescription gives {given}; the regimen divides the daily dose into "
        f"{counted(doses, 'single dose')}."
    )
    if check.single_dose_status is DoseStatus.ABOVE:  # the graver fact first
        text = f"{single_dose_text(check)} {text}"
    return text


def single_dose_text(check: DoseCheck) -> str:
    """``"Each administration, 2450 mg, is above the single doses of 87.5–175 mg ..."``."""
    low, high = _in(check.range.per_dose_low, "mg"), _in(check.range.per_dose_high, "mg")
    amount = check.prescription.amount_mg
    bound = high * (1 + check.tolerance)
    kg = shown_weight(check.range, check)
    written = decimals(amount, 0)  # as prescribed, never on the bound
    shown = written if float(written) > bound else beyond(amount, bound)
    asked = f" (with a tolerance of {percent(check.tolerance)} asked for)" * bool(check.tolerance)
    return (
        f"Each administration, {shown} mg, is above the single doses of "
        f"{span(low, high, 'mg', digits=1)} that the range gives for {kg} kg, by "
        f"{_percent((amount - high) / high, check.tolerance)}{asked}."
    )
