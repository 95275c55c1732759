"""Dose plans: how much per administration and how often, for every shape of regimen.

:func:`~ae_systemic.daily_dose` answers for weight-based daily regimens (the
ciclosporin shape).  Other drugs of the chapter are dosed weekly, at fixed
amounts, by weight band, or after a loading dose; :func:`dose_plan` computes
each of these shapes from a regimen in the data, with the same unit safety.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import attrs

from ._converter import JSONValue, json_quantity, unstructure
from ._dosing import select_regimen
from ._errors import DoseInputError, shown
from ._lookup import resolve_drug
from ._model import Amount, DoseRegimen, Drug, WeightBand
from ._notebook import NotebookDisplay
from ._text import apart, doses_a_day, exact, span
from ._units import (
    QuantityLike,
    application_registry,
    checked_weight,
    registry_of,
    restore_in_application_registry,
    state_without_registry,
    underlying_registry,
    units_of,
)
from ._vocabulary import Phase, Population

if TYPE_CHECKING:
    import pint

__all__ = ["DosePlan", "amount_text", "dose_plan", "how_often", "interval_text"]


@attrs.frozen(repr=False)
class DosePlan(NotebookDisplay):
    """One patient's dose under one regimen: the amount per administration and how often.

    Quantities are handed out fresh on every access: :attr:`amount_low` and
    :attr:`amount_high` in mg per administration, :attr:`interval` between
    administrations (in the regimen's period: days or weeks), and the
    optional loading dose (:attr:`loading_low`, :attr:`loading_high`) given
    once before the first maintenance dose.  ``band`` is the weight band used,
    if the regimen has bands; ``fallback`` says why the regimen differs from the
    one asked for, if it does.

    A daily rate given in a number of doses a day (ciclosporin's "2.5-5 mg/kg per
    day in two single doses") says how many doses, not how far apart: ``str()`` and
    the notebook say so (``87.5–175 mg per dose, 2 doses a day``), and
    :attr:`interval` is then this library's reading, 1 day divided by the doses a
    day (``0.5 day`` for two), not the source's words.  A weekly rate, a fixed dose
    and a weight band's dose have an interval of their own: ``300 mg every 2 weeks``.
    """

    regimen: DoseRegimen
    _amount_mg: tuple[float, float] = attrs.field(alias="amount_mg")
    _interval: tuple[float, str] = attrs.field(alias="interval")
    _loading_mg: tuple[float, float] | None = attrs.field(alias="loading_mg")
    _registry: pint.UnitRegistry[float] = attrs.field(
        alias="registry", converter=underlying_registry, eq=False, repr=False
    )
    band: WeightBand | None = None
    fallback: str | None = None

    def _mg(self, value: float) -> pint.Quantity[float]:
        amount: pint.Quantity[float] = self._registry.Quantity(value, units_of(self._registry).mg)
        return amount

    @property
    def amount_low(self) -> pint.Quantity[float]:
        """Lower end of each administration, in mg."""
        return self._mg(self._amount_mg[0])

    @property
    def amount_high(self) -> pint.Quantity[float]:
        """Upper end of each administration, in mg."""
        return self._mg(self._amount_mg[1])

    @property
    def interval(self) -> pint.Quantity[float]:
        """Time from one administration to the next, in the regimen's period.

        For a daily rate in N doses a day, 1/N day (``0.5 day`` for two): the library's
        reading of "N doses a day", which gives no spacing; for a weekly rate 1 week, for
        a fixed dose or a weight band the interval of the data.
        """
        value, unit = self._interval
        interval: pint.Quantity[float] = self._registry.Quantity(value, unit)
        return interval

    @property
    def loading_low(self) -> pint.Quantity[float] | None:
        """Lower end of the loading dose in mg, or ``None`` without one."""
        return None if self._loading_mg is None else self._mg(self._loading_mg[0])

    @property
    def loading_high(self) -> pint.Quantity[float] | None:
        """Upper end of the loading dose in mg, or ``None`` without one."""
        return None if self._loading_mg is None else self._mg(self._loading_mg[1])

    def __getstate__(self) -> dict[str, Any]:
        return state_without_registry(self)

    def __setstate__(self, state: dict[str, Any]) -> None:
        restore_in_application_registry(self, state)

    def _json_(self) -> JSONValue:
        """The JSON form (:func:`~ae_systemic.unstructure`): amounts in mg."""
        low, high = self.loading_low, self.loading_high
        value, unit = self._interval
        return {
            "regimen": unstructure(self.regimen),
            "amount_low": json_quantity(self._amount_mg[0], "mg"),
            "amount_high": json_quantity(self._amount_mg[1], "mg"),
            "interval": json_quantity(value, unit),
            "loading_low": None if low is None else json_quantity(low.magnitude, "mg"),
            "loading_high": None if high is None else json_quantity(high.magnitude, "mg"),
            "band": None if self.band is None else unstructure(self.band),
            "fallback": self.fallback,
        }

    def __repr__(self) -> str:
        return (
            f"DosePlan(regimen={self.regimen.label!r}, amount_low={self.amount_low!r}, "
            f"amount_high={self.amount_high!r}, interval={self.interval!r}, "
            f"loading_low={self.loading_low!r}, loading_high={self.loading_high!r}, "
            f"band={self.band!r}, fallback={self.fallback!r})"
        )

    def __str__(self) -> str:
        text = f"{amount_text(self, 2)} {how_often(self)}"
        if self.regimen.loading is not None:
            text = f"loading dose {self.regimen.loading}, then {text}"
        return f"{text} ({self.regimen.label})"


def amount_text(plan: DosePlan, digits: int) -> str:
    """The amount per administration in words.

    A fixed dose and a weight band's dose as the data writes them (``0.125 mg``, ``1 g``:
    nothing rounded); an amount worked out from the weight in mg, each end rounded into
    the range to ``digits`` decimals (``87.5–175 mg``; one amount to three significant
    digits at least, never 0).
    """
    regimen = plan.regimen
    given = plan.band.dose if plan.band is not None else regimen.fixed
    if regimen.rate is None and given is not None:
        return str(given.amount)
    return span(*plan._amount_mg, "mg", digits=digits)


def how_often(plan: DosePlan) -> str:
    """How often the amount is given, in words, after the amount: ``per dose, 2 doses a
    day`` for a daily rate divided into doses, ``every 2 weeks`` (:func:`interval_text`)
    for a weekly rate, a fixed dose or a weight band.
    """
    count = plan.regimen.doses_per_day  # only a daily rate has doses a day
    if count is not None:
        return f"per dose, {doses_a_day(count)}"
    return f"every {interval_text(plan)}"


def interval_text(plan: DosePlan) -> str:
    """The time between administrations in words, its count written exactly: ``2 weeks``,
    ``1 day``, ``1000000 days``.

    ``str()`` of a plan from a weekly rate, a fixed dose or a weight band says "every"
    before it, the notebook display puts it under "Every"; a plan from a daily rate in
    doses a day is worded in doses a day instead (:func:`how_often`), never as the part
    of a day its :attr:`~DosePlan.interval` holds.
    """
    value, unit = plan._interval
    return f"{exact(value)} {unit}" + ("s" if value != 1 else "")


def dose_plan(
    drug: Drug | str,
    weight: QuantityLike | None = None,
    *,
    population: Population = Population.ADULT,
    phase: Phase | None = None,
) -> DosePlan:
    """The amount per administration and the interval for one patient, for any regimen shape.

    * a daily weight-based rate in N doses: ``weight`` x rate / N per dose, N doses a
      day (the interval, 1/N day, is this library's reading: the source gives none);
    * a weekly weight-based rate: ``weight`` x rate once a week;
    * a fixed dose: its amount at its interval (``weight`` may be omitted);
    * weight bands: the fixed dose of the band that holds ``weight``;
    * a loading dose, where the regimen has one, comes with any of these.

    ``weight`` is one body weight (a ``[mass]`` quantity or a string such as
    ``"70 kg"``); it is required by weight-based and banded regimens.  Errors
    are :class:`~ae_systemic.DoseInputError`.

    >>> import pint
    >>> Q = pint.get_application_registry().Quantity
    >>> plan = dose_plan("ciclosporin", Q(70, "kg"), phase=Phase.ACUTE)
    >>> plan.amount_low, plan.amount_high, plan.interval
    (<Quantity(140.0, 'milligram')>, <Quantity(175.0, 'milligram')>, <Quantity(0.5, 'day')>)
    """
    subject = resolve_drug(drug)
    regimen, fallback = select_regimen(subject, population, phase)
    if weight is None:
        registry, kg = application_registry(), None
    else:
        quantity, kg = checked_weight(weight)
        registry = registry_of(quantity)
    units = units_of(registry)

    def mg(amount: Amount) -> tuple[float, float]:
        factor = units.named(amount.unit, "mg")
        return amount.low * factor, amount.high * factor

    band = None
    if regimen.rate is not None:
        rate = regimen.rate
        if kg is None:
            raise DoseInputError(
                "weight",
                f"{shown(regimen.label)} is dosed by body weight ({rate}); give the weight",
            )
        per_kg = units.named(rate.amount_unit, "mg") / units.named(rate.body_weight_unit, "kg")
        doses = regimen.doses_per_day or 1
        amount_mg = (kg * rate.low * per_kg / doses, kg * rate.high * per_kg / doses)
        interval = (1 / doses, rate.period)
    elif regimen.fixed is not None:
        amount_mg = mg(regimen.fixed.amount)
        interval = (float(regimen.fixed.every.count), regimen.fixed.every.unit)
    else:
        band = _band_for(regimen, kg, units.named)
        amount_mg = mg(band.dose.amount)
        interval = (float(band.dose.every.count), band.dose.every.unit)
    loading = None if regimen.loading is None else mg(regimen.loading)
    return DosePlan(regimen, amount_mg, interval, loading, registry, band, fallback)


def _band_for(
    regimen: DoseRegimen, kg: float | None, kg_per: Callable[[str, str], float]
) -> WeightBand:
    if kg is None:
        raise DoseInputError(
            "weight", f"{shown(regimen.label)} is dosed by weight band; give the weight"
        )
    for band in regimen.bands:
        if band.contains(kg / kg_per(band.weight_unit, "kg")):
            return band
    bands = "; ".join(str(b) for b in regimen.bands)
    bounds = [
        bound * kg_per(band.weight_unit, "kg")
        for band in regimen.bands
        for bound in (band.min_weight, band.max_weight)
        if bound is not None
    ]
    weight = apart(kg, bounds, 2)  # 59.99999 kg is never shown as 60 beside a band from 60
    raise DoseInputError(
        "weight", f"no weight band of {shown(regimen.label)} holds {weight} kg (bands: {bands})"
    )
