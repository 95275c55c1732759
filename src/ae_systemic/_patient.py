"""The patient: the facts the guideline's statements depend on, and what follows from them.

:class:`Patient` (with its :class:`CoMedication` s) holds the facts, checked and copied on
the way in.  From the age follows the population whose regimens apply: adults from
``adult_from`` on (default :data:`DEFAULT_ADULT_FROM_YEARS`, a choice of this library,
since the guideline gives no age between its children's and adults' ranges), children
below; :func:`dose_for` gives a patient's population and dose range with the reasons,
for :func:`~ae_systemic.assess` and :func:`~ae_systemic.check_dose` alike.
"""

from __future__ import annotations

import copy
import math
import sys
from typing import TYPE_CHECKING, Any, cast

import attrs

from ._converter import JSONValue, json_quantity
from ._dosing import DoseRange, daily_dose, select_regimen
from ._errors import ArgumentTypeError, DoseInputError, InputError, shown
from ._model import Drug
from ._notebook import NotebookDisplay
from ._text import NO_AGE_BOUNDARY, age_text, beyond, decimals
from ._units import (
    ComparedByFacts,
    QuantityLike,
    checked_age,
    checked_weight,
    in_unit,
    registry_of,
    seconds_per_year,
    units_of,
)
from ._vocabulary import Pathway, Phase, Phototherapy, Population, in_order

if TYPE_CHECKING:
    from collections.abc import Callable

    import pint

__all__ = [
    "DEFAULT_ADULT_FROM_YEARS",
    "CoMedication",
    "Patient",
    "PatientDose",
    "age_beside_threshold",
    "dose_for",
    "not_daily",
    "population_basis",
    "population_for",
    "threshold_text",
]

#: Age in years from which :func:`assess` applies the adult regimens unless told otherwise.
#: The guideline does not say where children's dosing ends: this default (the usual age of
#: majority in Europe) is a choice of this library, overridable with ``adult_from``.
DEFAULT_ADULT_FROM_YEARS = 18


def _name(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str):
        raise ArgumentTypeError(
            attribute.name, f"expected a medicine name (a string), got {shown(value)}"
        )
    if not value.strip():
        raise InputError(
            attribute.name, "expected a medicine name, got an empty one (or spaces only)"
        )


def _pathways(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, frozenset) or not all(isinstance(p, Pathway) for p in value):
        raise ArgumentTypeError(
            attribute.name,
            f"expected a frozenset of Pathway ({', '.join(p.name for p in Pathway)}), "
            f"got {shown(value)}",
        )


def _stripped(value: str) -> str:
    """``value`` without surrounding spaces (a non-string is left for the validator to refuse)."""
    stripped: str = value.strip() if isinstance(value, str) else value  # type: ignore[redundant-expr]
    return stripped


@attrs.frozen
class CoMedication:
    """A medicine the patient takes, and the pathways it is a substrate of.

    >>> CoMedication("medicine X", frozenset({Pathway.CYP3A4, Pathway.OATP})).name
    'medicine X'
    """

    name: str = attrs.field(converter=_stripped, validator=_name)
    pathways: frozenset[Pathway] = attrs.field(default=frozenset(), validator=_pathways)


def _phototherapy(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, frozenset) or not all(isinstance(p, Phototherapy) for p in value):
        raise ArgumentTypeError(
            "phototherapy",
            f"expected a frozenset of Phototherapy (UVA, UVB, PUVA), got {shown(value)}",
        )


def _co_medications(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, tuple) or not all(isinstance(m, CoMedication) for m in value):
        raise ArgumentTypeError(
            "co_medications", f"expected a tuple of CoMedication, got {shown(value)}"
        )


def _pregnant(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, bool):
        raise ArgumentTypeError("pregnant", f"expected True or False, got {shown(value)}")


def _fresh_age(age: QuantityLike) -> pint.Quantity[float]:
    _, quantity, _ = checked_age(age)
    return _one_number(quantity)


def _fresh_weight(weight: QuantityLike) -> pint.Quantity[float]:
    quantity, _ = checked_weight(weight)
    return _one_number(quantity)


def _in_unit(quantity: Any, factor_of: Callable[[Any], float | None]) -> float:
    """A checked ``quantity``'s magnitude in the unit ``factor_of`` gives factors to."""
    return in_unit(float(quantity.magnitude), factor_of(quantity._units) or math.nan)


def _one_number(quantity: Any) -> pint.Quantity[float]:
    """A copy of a checked one-value ``quantity``, its magnitude one number, not an array.

    A 0-d numpy array becomes its numpy scalar, so that the patient holds one number.  (A
    registry made with ``force_ndarray_like=True`` turns every magnitude into an array
    again; its patients still hash, by their facts.)
    """
    magnitude = quantity.magnitude
    np = sys.modules.get("numpy")  # no numpy array exists before numpy is imported
    if np is not None and isinstance(magnitude, np.ndarray) and magnitude.ndim == 0:
        one: pint.Quantity[float] = quantity._REGISTRY.Quantity(magnitude[()], quantity.units)
        return one
    fresh: pint.Quantity[float] = copy.copy(quantity)
    return fresh


@attrs.frozen(repr=False, eq=False)
class Patient(ComparedByFacts, NotebookDisplay):
    """The facts about one patient that the guideline's statements depend on.

    ``age`` is a ``[time]`` and ``weight`` a ``[mass]`` quantity (or strings such as
    ``"12 years"`` and ``"35 kg"``; the age in years, months, weeks, days, hours, minutes
    or seconds; the weight in grams with any SI prefix, pounds, ounces
    or stones, never grains: pint reads ``"70 kgr"`` as 70 kilograins); both are checked
    on construction (:class:`~ae_systemic.DoseInputError`) and copied, and handed out as
    fresh copies, so that no caller can change a patient.  The other fields are checked
    too (:class:`~ae_systemic.ArgumentTypeError` for a value of the wrong type).

    Two patients are equal, and hash alike, when they hold the same facts: the same age
    in seconds and weight in kg (each converted once, to the nearest float), whatever
    the units and the registry they were given in, and the same other fields.

    >>> Patient("16 years", "30.4 kg") == Patient("192 months", "30400 g")
    True
    """

    _age: pint.Quantity[float] = attrs.field(alias="age", converter=_fresh_age)
    _weight: pint.Quantity[float] = attrs.field(alias="weight", converter=_fresh_weight)
    pregnant: bool = attrs.field(default=False, validator=_pregnant)
    phototherapy: frozenset[Phototherapy] = attrs.field(
        default=frozenset(), validator=_phototherapy
    )
    co_medications: tuple[CoMedication, ...] = attrs.field(default=(), validator=_co_medications)

    @property
    def age(self) -> pint.Quantity[float]:
        """The patient's age, as given (a fresh copy): its magnitude keeps the type given, a
        ``Decimal`` of a registry made with ``non_int_type=Decimal`` say, which the annotation
        does not tell (every result of the library is a float)."""
        age: pint.Quantity[float] = copy.copy(self._age)
        return age

    @property
    def weight(self) -> pint.Quantity[float]:
        """The patient's body weight, as given (a fresh copy; its magnitude keeps the type
        given, as :attr:`age`'s does)."""
        weight: pint.Quantity[float] = copy.copy(self._weight)
        return weight

    def _facts(self) -> tuple[object, ...]:
        """What equality and the hash compare: the age in seconds, the weight in kg, ..."""
        return (
            _in_unit(self._age, units_of(registry_of(self._age)).seconds_per),
            _in_unit(self._weight, units_of(registry_of(self._weight)).kg_per),
            self.pregnant,
            self.phototherapy,
            self.co_medications,
        )

    def _json_(self) -> JSONValue:
        """The JSON form (:func:`~ae_systemic.unstructure`): the age in years, the weight in kg.

        Both converted as equality (:meth:`_facts`) and the dose convert them, so that equal
        patients write equal JSON (``30400 g`` is ``30.4``, as the dose computed from it).
        """
        seconds, kg, *_ = self._facts()
        units = units_of(registry_of(self._age))
        return {
            "age": json_quantity(cast("float", seconds) / units.seconds_per_year, "year"),
            "weight": json_quantity(cast("float", kg), "kg"),
            "pregnant": self.pregnant,
            "phototherapy": [p.value for p in in_order(self.phototherapy)],
            "co_medications": [
                {"name": m.name, "pathways": [p.value for p in in_order(m.pathways)]}
                for m in self.co_medications
            ],
        }

    def __repr__(self) -> str:
        return (
            f"Patient(age={self._age!r}, weight={self._weight!r}, pregnant={self.pregnant!r}, "
            f"phototherapy={self.phototherapy!r}, co_medications={self.co_medications!r})"
        )


def population_basis(adult_from_years: float, *, default: bool) -> str:
    """``adult regimens from 18 years, a choice of this library (...)``, or the caller's.

    The age is written as :func:`threshold_text` writes it: exactly, in days where it is
    no whole number of months.
    """
    threshold = threshold_text(adult_from_years)
    if default:
        return f"adult regimens from {threshold}, a choice of this library: {NO_AGE_BOUNDARY}"
    return f"adult regimens from {threshold}, as the caller chose"


def threshold_text(adult_from_years: float) -> str:
    """The age from which the adult regimens apply, in words that do not round it.

    ``18 years`` or ``17 years 6 months`` for a whole number of months; otherwise in days
    (pint's year is 365.25 days), ``6574 days`` (not "17 years 11 months", which a child of
    6573 days is too).
    """
    if _whole_months(adult_from_years):
        return age_text(adult_from_years, days=True)
    return _days(decimals(adult_from_years * _DAYS_PER_YEAR, least=0))


def age_beside_threshold(age_years: float, adult_from_years: float) -> str:
    """A patient's age, written so that it lies on its side of the adult threshold.

    In years and months (rounded down, as :func:`~ae_systemic._text.age_text`) beside a
    threshold of whole months; in whole days, rounded down, beside a threshold in days
    (:func:`threshold_text`): ``6573 days`` beside ``6574 days`` for 6573.5 days.  Within a
    day of a threshold that is no whole number of days, with the decimals that keep the
    age on its side of it.
    """
    if _whole_months(adult_from_years):
        return age_text(age_years, days=True)
    days, threshold = age_years * _DAYS_PER_YEAR, adult_from_years * _DAYS_PER_YEAR
    whole = math.floor(days + 1e-9)  # 6573 days computed as 6572.999999999999 is 6573
    if (whole < threshold) is (days < threshold):
        return _days(str(whole))
    return _days(beyond(days, threshold, digits=0))


#: Days in pint's year (the Julian year), by which ages in seconds are also divided.
_DAYS_PER_YEAR = 365.25


def _whole_months(years: float) -> bool:
    months = years * 12
    return abs(months - round(months)) <= 1e-9 * max(1.0, months)


def _days(count: str) -> str:
    return f"{count} {'day' if count == '1' else 'days'}"


def population_for(
    age: QuantityLike,
    *,
    adult_from: QuantityLike | None = None,
) -> Population:
    """``Population.ADULT`` from ``adult_from`` (default 18 years) on, else ``Population.CHILD``.

    The guideline does not say at which age the children's dosing ends; the
    default is this library's choice (see :data:`DEFAULT_ADULT_FROM_YEARS`).
    """
    registry, _, seconds = checked_age(age)
    return _population(seconds, registry, adult_from)


def _population(
    seconds: float, registry: pint.UnitRegistry[float], adult_from: object
) -> Population:
    return Population.ADULT if seconds >= _threshold(registry, adult_from) else Population.CHILD


def _threshold(registry: pint.UnitRegistry[float], adult_from: object) -> float:
    """The age from which adult regimens apply, in seconds."""
    if adult_from is None:
        return DEFAULT_ADULT_FROM_YEARS * seconds_per_year(registry)
    _, _, threshold = checked_age(adult_from, "adult_from")
    return threshold


@attrs.frozen
class PatientDose:
    """A patient's population and dose range under the guideline, with the reasons.

    ``adult_from_years`` is the age from which adult regimens were applied and
    ``adult_from_default`` whether that is this library's default; ``age_years`` the
    patient's age.  Where the phase asked for has no regimen for the patient's
    population, the dose's ``fallback`` note starts with why this patient is in it.
    """

    population: Population
    dose: DoseRange[float]
    age_years: float
    adult_from_years: float
    adult_from_default: bool

    @property
    def basis(self) -> str:
        """Why this population, in words (see :func:`population_basis`)."""
        return population_basis(self.adult_from_years, default=self.adult_from_default)


def not_daily(subject: Drug, population: Population, phase: Phase | None, caller: str) -> str:
    """Why ``caller`` cannot check ``subject``'s regimen for ``population``: no daily rate."""
    regimen, _ = select_regimen(subject, population, phase)
    return (
        f"{subject.name}'s regimen for {population} ({regimen}) is not a weight-based daily "
        f"dose; {caller} computes those only (dose_plan gives any regimen's amount and "
        "interval)"
    )


def dose_for(
    subject: Drug,
    patient: Patient,
    *,
    phase: Phase | None,
    adult_from: QuantityLike | None,
    caller: str,
) -> PatientDose:
    """The population ``patient``'s age puts them in, and their dose range in ``phase``.

    ``caller`` names the public function in the error for a regimen that is no
    weight-based daily dose (a data pack's weekly, fixed or banded regimen).
    """
    registry, _, seconds = checked_age(patient.age)
    per_year = seconds_per_year(registry)
    threshold = _threshold(registry, adult_from)
    population = Population.ADULT if seconds >= threshold else Population.CHILD
    try:
        dose = daily_dose(subject, patient.weight, population=population, phase=phase)
    except DoseInputError as exc:
        if exc.argument != "regimen":
            raise
        raise DoseInputError("regimen", not_daily(subject, population, phase, caller)) from None
    found = PatientDose(
        population,
        dose,
        seconds / per_year,
        threshold / per_year,
        adult_from is None,
    )
    fallback = found.dose.fallback
    if fallback is not None and population is Population.CHILD:
        age = age_beside_threshold(found.age_years, found.adult_from_years)
        why = f"At {age}, this patient gets the children's regimens ({found.basis}). "
        found = attrs.evolve(found, dose=attrs.evolve(found.dose, fallback=why + fallback))
    return found
