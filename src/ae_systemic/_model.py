"""The content model: frozen values for what a guideline section says about a drug.

A :class:`Guideline` holds :class:`Drug` s; a drug holds its recommendations,
effect estimates, dose regimens, licence, monitoring, screening, combinations,
interactions, special populations, head-to-head comparisons and its numbered
references.  Every fact carries the numbers of the references the source
attaches to it (possibly none) and the heading of the source it comes from.

All classes are frozen and slotted; collections are tuples.  The classes check
their own invariants on construction and raise :class:`~ae_systemic.DataError`
naming the offending field.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import attrs

from ._errors import (
    ArgumentTypeError,
    DataError,
    DataProblem,
    NotFoundError,
    UnknownDrugError,
    join_path,
    shown,
)
from ._notebook import NotebookDisplay
from ._text import counted, exact, interval, listed, sentence, span
from ._units import AMOUNT_UNITS, BODY_WEIGHT_UNITS, PERIOD_UNITS, application_registry
from ._validators import (
    atc_code,
    enum_of,
    fail,
    finite_float,
    instance_of,
    non_empty,
    non_empty_texts,
    optional,
    positive_int,
    reference_numbers,
    tuple_of,
    unit_in,
)
from ._vocabulary import (
    Certainty,
    CombinationAdvice,
    ComparisonResult,
    Consensus,
    DoseLevel,
    Measure,
    Outcome,
    Pathway,
    Phase,
    Population,
    Strength,
)

if TYPE_CHECKING:
    import pint

__all__ = [
    "Amount",
    "Arm",
    "Combination",
    "Comparison",
    "DoseRate",
    "DoseRegimen",
    "Drug",
    "EffectEstimate",
    "FixedDose",
    "Guideline",
    "Interaction",
    "Interval",
    "Licence",
    "Monitoring",
    "Recommendation",
    "Reference",
    "Screening",
    "SpecialPopulation",
    "Statement",
    "WeightBand",
]


def _references() -> Any:
    return attrs.field(default=(), validator=reference_numbers)


C = TypeVar("C", bound=type)


class _ValueMethods:
    """The ``__repr__``, ``__eq__`` and ``__hash__`` of every model class.

    They behave as the methods attrs would write, field by field in order: the repr is
    ``Reference(number=1, authors='...', ...)``, two values are equal when they are of the
    same class with equal fields, and equal values hash alike.  attrs writes (and compiles)
    these three anew for each class, which is most of the cost of creating the model's
    classes on first use; :func:`_value_methods` gives a class these instead, before attrs
    sees it, so that attrs writes only ``__init__``.
    """

    __slots__ = ()

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in _field_names(type(self)))
        return f"{type(self).__qualname__.rsplit('>.', 1)[-1]}({fields})"

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        names = _field_names(type(self))
        return all(getattr(self, name) == getattr(other, name) for name in names)

    def __hash__(self) -> int:
        return hash((type(self), *(getattr(self, name) for name in _field_names(type(self)))))


def _value_methods(cls: C) -> C:
    """``cls`` with the methods of :class:`_ValueMethods` (put under ``@attrs.frozen``)."""
    for name in ("__repr__", "__eq__", "__hash__"):
        setattr(cls, name, vars(_ValueMethods)[name])
    return cls


def _bool(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, bool):
        raise ArgumentTypeError(attribute.name, f"expected true or false, got {shown(value)}")


def _day(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    # A datetime is a date too, but its time would be lost in the data file's "YYYY-MM-DD".
    if value is not None and (
        not isinstance(value, datetime.date) or isinstance(value, datetime.datetime)
    ):
        raise ArgumentTypeError(
            attribute.name, f"expected a date (datetime.date, no time of day), got {shown(value)}"
        )


@attrs.frozen
@_value_methods
class Reference:
    """One numbered entry of a section's reference list, as printed in the source."""

    number: int = attrs.field(validator=positive_int)
    authors: str = attrs.field(validator=non_empty)
    title: str = attrs.field(validator=non_empty)
    source: str = attrs.field(validator=non_empty)
    year: int = attrs.field(validator=positive_int)
    url: str | None = attrs.field(default=None, validator=optional(non_empty))
    accessed: datetime.date | None = attrs.field(default=None, validator=_day)

    def __str__(self) -> str:
        citation = f"{self.number}. {self.authors}. {self.title}. {self.source}"
        if self.url:
            citation += f" Available at: {self.url}"
        if self.accessed:
            citation += f" (last accessed {self.accessed:%d %B %Y})"
        return citation


@attrs.frozen
@_value_methods
class Statement:
    """A fact of the source, in our own words, with its references.

    ``key`` names the fact within its drug (``"pregnancy.low-birthweight"``) so
    that code can find it; ``location`` is the heading of the source it is under.
    """

    key: str = attrs.field(validator=non_empty)
    text: str = attrs.field(validator=non_empty)
    location: str = attrs.field(validator=non_empty)
    references: tuple[int, ...] = _references()


@attrs.frozen
@_value_methods
class Recommendation(NotebookDisplay):
    """A recommendation of the guideline with its strength and consensus.

    ``number`` is its position among the section's recommendations.  A
    recommendation printed in a box has an arrow (``strength``) and a
    ``consensus``; for a statement the source gives without a box, both are
    ``None``, meaning *not stated*, never filled in.
    """

    number: int = attrs.field(validator=positive_int)
    statement: str = attrs.field(validator=non_empty)
    strength: Strength | None = attrs.field(validator=optional(enum_of(Strength)))
    consensus: Consensus | None = attrs.field(validator=optional(instance_of(Consensus)))
    boxed: bool = attrs.field(validator=_bool)
    location: str = attrs.field(validator=non_empty)
    references: tuple[int, ...] = _references()
    see_also: str | None = attrs.field(default=None, validator=optional(non_empty))
    note: str | None = attrs.field(default=None, validator=optional(non_empty))

    def __attrs_post_init__(self) -> None:
        if self.boxed and (self.strength is None or self.consensus is None):
            raise fail("boxed", "a boxed recommendation needs both strength and consensus")

    def __str__(self) -> str:
        grade = f"{self.strength} " if self.strength else ""
        consensus = f" [{self.consensus.text}]" if self.consensus else ""
        return f"{grade}{self.statement}{consensus}"


@attrs.frozen
@_value_methods
class EffectEstimate(NotebookDisplay):
    """One network meta-analysis estimate with its GRADE certainty.

    ``estimate`` is the standardised mean difference versus ``comparator``,
    signed as the source prints it, with its interval ``ci_low``..``ci_high`` as the
    source prints it (the source names neither the level of the interval nor which sign
    favours the drug), over a time frame of up to ``max_weeks`` weeks.
    """

    outcome: Outcome = attrs.field(validator=enum_of(Outcome))
    dose_level: DoseLevel = attrs.field(validator=enum_of(DoseLevel))
    measure: Measure = attrs.field(validator=enum_of(Measure))
    comparator: str = attrs.field(validator=non_empty)
    estimate: float = attrs.field(validator=finite_float)
    ci_low: float = attrs.field(validator=finite_float)
    ci_high: float = attrs.field(validator=finite_float)
    certainty: Certainty = attrs.field(validator=enum_of(Certainty))
    max_weeks: int = attrs.field(validator=positive_int)
    analysis: str = attrs.field(validator=non_empty)
    location: str = attrs.field(validator=non_empty)
    references: tuple[int, ...] = _references()

    def __attrs_post_init__(self) -> None:
        if self.ci_low > self.ci_high:
            raise fail(
                "ci_low",
                f"the interval's lower end {self.ci_low} is above its upper end {self.ci_high} "
                "(ci_low <= ci_high)",
            )
        if not self.ci_low <= self.estimate <= self.ci_high:
            raise fail(
                "estimate",
                f"{self.estimate} must lie within its interval "
                f"[{self.ci_low}, {self.ci_high}] (ci_low <= estimate <= ci_high)",
            )

    @property
    def is_significant(self) -> bool:
        """``True`` when the interval, as printed (level not stated), excludes 0."""
        return self.ci_high < 0 or self.ci_low > 0

    def __str__(self) -> str:
        return (
            f"{self.certainty} {self.dose_level}, {self.outcome}: "
            f"SMD {exact(self.estimate)} {interval(self.ci_low, self.ci_high)}"
        )


#: Dose numbers in the data lie in this span (in their own unit: mg, g, per kg or not). A bound
#: of this library, far wider than any dose, that keeps every computed dose finite and positive.
DOSE_NUMBER_SPAN = (1e-6, 1e6)


def _dose_number() -> Any:
    """A dose number of the data (``low``, ``high``): finite, within :data:`DOSE_NUMBER_SPAN`.

    The span is checked with the range (:func:`_check_range`); the field's metadata carries
    it to the JSON Schema as ``minimum`` and ``maximum``.
    """
    smallest, largest = DOSE_NUMBER_SPAN
    return attrs.field(validator=finite_float, metadata={"minimum": smallest, "maximum": largest})


def _check_range(low: float, high: float) -> None:
    smallest, largest = DOSE_NUMBER_SPAN
    if low <= 0:
        raise fail("low", f"a dose must be positive, got {low}")
    if low < smallest:
        raise fail("low", f"{low} is below {smallest:g}, the smallest dose number accepted")
    if low > high:
        raise fail("high", f"the range is inverted: low {low} > high {high}")
    if high > largest:
        raise fail("high", f"{high} is above {largest:g}, the largest dose number accepted")


@attrs.frozen
@_value_methods
class DoseRate:
    """A weight-based dose range, kept as separate, checked parts.

    ``low``..``high`` of ``amount_unit`` per ``body_weight_unit`` of body
    weight per ``period``: ``DoseRate(2.5, 5)`` is 2.5-5 mg/kg per day.  The
    parts stay apart because a single ``mg/kg/d`` quantity cancels to
    ``1/[time]`` and would convert silently from any frequency.
    """

    low: float = _dose_number()
    high: float = _dose_number()
    amount_unit: str = attrs.field(
        default="mg",
        validator=unit_in(AMOUNT_UNITS, "a dose amount"),
        metadata={"enum": AMOUNT_UNITS},
    )
    body_weight_unit: str = attrs.field(
        default="kg",
        validator=unit_in(BODY_WEIGHT_UNITS, "body weight"),
        metadata={"enum": BODY_WEIGHT_UNITS},
    )
    period: str = attrs.field(
        default="day",
        validator=unit_in(PERIOD_UNITS, "a dosing period"),
        metadata={"enum": PERIOD_UNITS},
    )

    def __attrs_post_init__(self) -> None:
        _check_range(self.low, self.high)

    @property
    def unit(self) -> str:
        """The compound unit for display, e.g. ``mg/kg/day`` (never parsed as one)."""
        return f"{self.amount_unit}/{self.body_weight_unit}/{self.period}"

    def __str__(self) -> str:
        return span(self.low, self.high, self.unit)


@attrs.frozen
@_value_methods
class Amount:
    """A fixed amount per administration, not based on body weight: ``low``..``high`` ``unit``."""

    low: float = _dose_number()
    high: float = _dose_number()
    unit: str = attrs.field(
        default="mg",
        validator=unit_in(AMOUNT_UNITS, "a dose amount"),
        metadata={"enum": AMOUNT_UNITS},
    )

    def __attrs_post_init__(self) -> None:
        _check_range(self.low, self.high)

    def __str__(self) -> str:
        return span(self.low, self.high, self.unit)


@attrs.frozen
@_value_methods
class Interval:
    """Time from one administration to the next: every ``count`` ``unit`` s."""

    count: int = attrs.field(validator=positive_int)
    unit: str = attrs.field(
        default="day",
        validator=unit_in(PERIOD_UNITS, "an interval"),
        metadata={"enum": PERIOD_UNITS},
    )

    def __str__(self) -> str:
        return f"every {self.unit}" if self.count == 1 else f"every {self.count} {self.unit}s"


@attrs.frozen
@_value_methods
class FixedDose:
    """A fixed amount given at a fixed interval, whatever the body weight."""

    amount: Amount = attrs.field(validator=instance_of(Amount))
    every: Interval = attrs.field(validator=instance_of(Interval))

    def __str__(self) -> str:
        return f"{self.amount} {self.every}"


@attrs.frozen
@_value_methods
class WeightBand:
    """The fixed dose for weights from ``min_weight`` (inclusive) to ``max_weight`` (exclusive).

    A missing bound is open: ``WeightBand(dose, max_weight=60)`` is "below 60 kg".
    """

    dose: FixedDose = attrs.field(validator=instance_of(FixedDose))
    min_weight: float | None = attrs.field(
        default=None, validator=optional(finite_float), metadata={"minimum": 0}
    )
    max_weight: float | None = attrs.field(
        default=None, validator=optional(finite_float), metadata={"exclusiveMinimum": 0}
    )
    weight_unit: str = attrs.field(
        default="kg",
        validator=unit_in(BODY_WEIGHT_UNITS, "body weight"),
        metadata={"enum": BODY_WEIGHT_UNITS},
    )

    def __attrs_post_init__(self) -> None:
        if self.min_weight is None and self.max_weight is None:
            raise fail("min_weight", "a weight band needs min_weight, max_weight or both")
        if self.min_weight is not None and self.min_weight < 0:
            raise fail("min_weight", f"must not be negative, got {self.min_weight}")
        if self.max_weight is not None and self.max_weight <= 0:
            raise fail("max_weight", f"must be positive, got {self.max_weight}")
        if (
            self.min_weight is not None
            and self.max_weight is not None
            and self.min_weight >= self.max_weight
        ):
            raise fail(
                "max_weight",
                f"the band is empty or inverted: min_weight {self.min_weight} "
                f">= max_weight {self.max_weight}",
            )

    def contains(self, weight: float) -> bool:
        """Whether ``weight`` (in ``weight_unit``) falls in this band."""
        above = self.min_weight is None or weight >= self.min_weight
        return above and (self.max_weight is None or weight < self.max_weight)

    def __str__(self) -> str:
        lower = exact(self.min_weight) if self.min_weight is not None else ""
        upper = exact(self.max_weight) if self.max_weight is not None else ""
        if not lower:
            return f"below {upper} {self.weight_unit}: {self.dose}"
        if not upper:
            return f"{lower} {self.weight_unit} and above: {self.dose}"
        return f"{lower} to below {upper} {self.weight_unit}: {self.dose}"


@attrs.frozen
@_value_methods
class DoseRegimen:
    """A dose statement of the source: for whom, in which phase, how much and how often.

    ``phase`` is ``None`` for the standard range.  The maintenance dose takes
    exactly one of three shapes:

    * ``rate``: a weight-based range (:class:`DoseRate`) per day, divided into
      ``doses_per_day`` single doses, or per week, given once a week
      (``doses_per_day`` is then ``None``);
    * ``fixed``: a :class:`FixedDose`, not based on weight;
    * ``bands``: :class:`WeightBand` s, each with its fixed dose.

    ``loading`` is an optional :class:`Amount` given once before the
    maintenance dose starts.
    """

    population: Population = attrs.field(validator=enum_of(Population))
    phase: Phase | None = attrs.field(validator=optional(enum_of(Phase)))
    label: str = attrs.field(validator=non_empty)
    rate: DoseRate | None = attrs.field(validator=optional(instance_of(DoseRate)))
    doses_per_day: int | None = attrs.field(validator=optional(positive_int))
    location: str = attrs.field(validator=non_empty)
    references: tuple[int, ...] = _references()
    note: str | None = attrs.field(default=None, validator=optional(non_empty))
    fixed: FixedDose | None = attrs.field(default=None, validator=optional(instance_of(FixedDose)))
    bands: tuple[WeightBand, ...] = attrs.field(
        default=(), validator=tuple_of(instance_of(WeightBand))
    )
    loading: Amount | None = attrs.field(default=None, validator=optional(instance_of(Amount)))

    def __attrs_post_init__(self) -> None:
        shapes = [name for name in ("rate", "fixed", "bands") if getattr(self, name)]
        if len(shapes) != 1:
            found = ", ".join(shapes) if shapes else "none"
            raise fail(
                shapes[1] if shapes else "rate",
                f"a regimen needs exactly one of rate, fixed or bands (found: {found})",
            )
        daily_rate = self.rate is not None and self.rate.period == "day"
        if daily_rate and self.doses_per_day is None:
            raise fail("doses_per_day", "a daily rate needs the number of doses a day")
        if not daily_rate and self.doses_per_day is not None:
            raise fail(
                "doses_per_day",
                "only a daily rate is divided into doses a day; use null here "
                "(a weekly rate is one dose a week; a fixed dose has its interval)",
            )
        for index in range(1, len(self.bands)):
            previous, band = self.bands[index - 1], self.bands[index]
            if (
                previous.weight_unit != band.weight_unit
                or previous.max_weight is None
                or band.min_weight is None
                or band.min_weight < previous.max_weight
            ):
                raise fail(
                    f"bands[{index}]",
                    "weight bands must be in ascending order, in one unit, without overlap "
                    "(each min_weight at or above the previous max_weight)",
                )

    @property
    def dose_text(self) -> str:
        """The dose in words, without the label: ``2.5–5 mg/kg/day in 2 single doses``."""
        if self.rate is not None:
            split = (
                f"in {counted(self.doses_per_day, 'single dose')}"
                if self.doses_per_day
                else "once a week"
            )
            text = f"{self.rate} {split}"
        elif self.fixed is not None:
            text = str(self.fixed)
        else:
            text = "; ".join(str(b) for b in self.bands)
        return f"{text}, after a loading dose of {self.loading}" if self.loading else text

    def __str__(self) -> str:
        return f"{self.label}: {self.dose_text}"


@attrs.frozen
@_value_methods
class Licence:
    """From which age the drug is licensed, and what else the source says of it."""

    min_age_years: int = attrs.field(validator=positive_int)
    location: str = attrs.field(validator=non_empty)
    references: tuple[int, ...] = _references()
    notes: tuple[Statement, ...] = attrs.field(
        default=(), validator=tuple_of(instance_of(Statement))
    )

    @property
    def min_age(self) -> pint.Quantity[int]:
        """The licensing age as a fresh quantity in years, in the application registry."""
        quantity: pint.Quantity[int] = application_registry().Quantity(self.min_age_years, "year")
        return quantity


@attrs.frozen
@_value_methods
class Monitoring:
    """Laboratory and clinical checks during treatment and when they are due.

    The timing fields describe the schedule the source gives;
    ``schedule_is_example`` records that the source offers it as an example
    (national guidelines decide).
    """

    checks: tuple[str, ...] = attrs.field(validator=non_empty_texts)
    at_baseline: bool = attrs.field(validator=_bool)
    first_follow_up_weeks: int = attrs.field(validator=positive_int)
    interval_months: int = attrs.field(validator=positive_int)
    schedule_is_example: bool = attrs.field(validator=_bool)
    note: str = attrs.field(validator=non_empty)
    location: str = attrs.field(validator=non_empty)
    references: tuple[int, ...] = _references()

    @property
    def timing(self) -> str:
        """The schedule in words: "at baseline, after 4 weeks, then every 3 months"."""
        parts = ["at baseline"] if self.at_baseline else []
        parts += [
            f"after {counted(self.first_follow_up_weeks, 'week')}",
            f"then every {counted(self.interval_months, 'month')}",
        ]
        return ", ".join(parts)

    @property
    def summary(self) -> str:
        """The checks and their timing in words, as the source puts them (every output uses this).

        Where the schedule is the source's example, the words say so: "Monitoring of ...
        according to national guidelines, for example at baseline, after 4 weeks, then
        every 3 months."
        """
        checks = f" of {listed(self.checks)}" if self.checks else ""
        if self.schedule_is_example:
            return (
                f"Monitoring{checks} according to national guidelines, for example {self.timing}."
            )
        return f"Monitoring{checks}: {self.timing}."


@attrs.frozen
@_value_methods
class Screening:
    """Tests to consider before starting treatment."""

    tests: tuple[str, ...] = attrs.field(validator=non_empty_texts)
    when: str = attrs.field(validator=non_empty)
    advice: str = attrs.field(validator=non_empty)
    location: str = attrs.field(validator=non_empty)
    references: tuple[int, ...] = _references()
    see_also: str | None = attrs.field(default=None, validator=optional(non_empty))

    @property
    def summary(self) -> str:
        """The screening in words: ``Screening for a, b and c before therapy should be ...``."""
        see = f" See {self.see_also}." if self.see_also else ""
        tests = f" for {listed(self.tests)}" if self.tests else ""
        return f"Screening{tests} {self.when} {self.advice}.{see}"


@attrs.frozen
@_value_methods
class Combination:
    """Whether to combine the drug with another therapy, when, and why."""

    therapy: str = attrs.field(validator=non_empty)
    advice: CombinationAdvice = attrs.field(validator=enum_of(CombinationAdvice))
    location: str = attrs.field(validator=non_empty)
    references: tuple[int, ...] = _references()
    condition: str | None = attrs.field(default=None, validator=optional(non_empty))
    reason: str | None = attrs.field(default=None, validator=optional(non_empty))

    def sentence(self, drug: str) -> str:
        """The advice in words, for ``drug``: see :func:`combination_sentence`."""
        return combination_sentence(drug, (self,))


def combination_sentence(drug: str, combinations: Sequence[Combination]) -> str:
    """One sentence for combinations that share their advice, condition and reason.

    ``"Ciclosporin should not be combined with UVA, UVB and PUVA, because of ..."``;
    ``"Combine ciclosporin with topical anti-inflammatory treatment (whenever needed)."``
    """
    first = combinations[0]
    therapies = listed([c.therapy for c in combinations])
    condition = f" ({first.condition})" if first.condition else ""
    reason = f", because of {first.reason}" if first.reason else ""
    if first.advice is CombinationAdvice.AVOID:
        return sentence(f"{drug} should not be combined with {therapies}{condition}{reason}.")
    return f"Combine {drug} with {therapies}{condition}{reason}."


@attrs.frozen
@_value_methods
class Interaction:
    """An enzyme or transporter the drug acts on, and what follows for other drugs."""

    pathway: Pathway = attrs.field(validator=enum_of(Pathway))
    target: str = attrs.field(validator=non_empty)
    role: str = attrs.field(validator=non_empty)
    consequence: str = attrs.field(validator=non_empty)
    location: str = attrs.field(validator=non_empty)
    references: tuple[int, ...] = _references()

    @property
    def summary(self) -> str:
        """What the drug does on the pathway: ``inhibitor of cytochrome P450 3A4 (CYP3A4)``."""
        return f"{self.role} of {self.target}"


@attrs.frozen
@_value_methods
class SpecialPopulation:
    """What the source says for one group of patients (children, pregnancy)."""

    group: str = attrs.field(validator=non_empty)
    statements: tuple[Statement, ...] = attrs.field(validator=tuple_of(instance_of(Statement)))

    @property
    def references(self) -> tuple[int, ...]:
        """Every reference the statements cite, in ascending order."""
        return tuple(sorted({n for s in self.statements for n in s.references}))


@attrs.frozen
@_value_methods
class Arm:
    """One side of a comparison: a treatment and, where the source gives it, its dose."""

    treatment: str = attrs.field(validator=non_empty)
    dose: DoseRate | None = attrs.field(default=None, validator=optional(instance_of(DoseRate)))

    def __str__(self) -> str:
        return f"{self.treatment} ({self.dose})" if self.dose else self.treatment


@attrs.frozen
@_value_methods
class Comparison:
    """A head-to-head result: ``intervention`` against ``comparator``.

    ``result`` is how the intervention fared; ``findings`` say it in detail,
    each with its references.  ``trial`` names a trial where the source does.
    """

    key: str = attrs.field(validator=non_empty)
    intervention: Arm = attrs.field(validator=instance_of(Arm))
    comparator: Arm = attrs.field(validator=instance_of(Arm))
    result: ComparisonResult = attrs.field(validator=enum_of(ComparisonResult))
    design: str = attrs.field(validator=non_empty)
    population: str = attrs.field(validator=non_empty)
    findings: tuple[Statement, ...] = attrs.field(validator=tuple_of(instance_of(Statement)))
    trial: str | None = attrs.field(default=None, validator=optional(non_empty))
    participants: int | None = attrs.field(default=None, validator=optional(positive_int))

    @property
    def references(self) -> tuple[int, ...]:
        """Every reference the findings cite, in ascending order."""
        return tuple(sorted({n for s in self.findings for n in s.references}))

    @property
    def summary(self) -> str:
        """The comparison in one line: arms, result, design, trial and population.

        ``"ciclosporin (4 mg/kg/day) vs methotrexate (MTX) (0.4 mg/kg/week): mixed result;
        investigator-blinded randomised controlled trial (TREAT, n=103); children aged 2 to
        16 years"``
        """
        trial = [self.trial] if self.trial else []
        trial += [f"n={self.participants}"] if self.participants else []
        where = f" ({', '.join(trial)})" if trial else ""
        return (
            f"{self.intervention} vs {self.comparator}: {self.result.value} result; "
            f"{self.design}{where}; {self.population}"
        )


_field_names_of: dict[type, tuple[str, ...]] = {}


def _field_names(cls: type) -> tuple[str, ...]:
    """The field names of a model class, in order; none for any other type."""
    try:
        return _field_names_of[cls]
    except KeyError:
        names = tuple(field.name for field in attrs.fields(cls)) if attrs.has(cls) else ()
        _field_names_of[cls] = names
        return names


def _citations_and_keys(
    drug: Drug, path: str | None
) -> tuple[list[tuple[str, int]], list[tuple[str, str]]]:
    """Every reference number cited and every key in ``drug``, each with its path.

    With ``path=None`` no paths are built (they are empty strings): validation
    walks fast and builds paths only to report a problem.
    """
    cited: list[tuple[str, int]] = []
    keys: list[tuple[str, str]] = []
    _collect(drug, path, cited, keys)
    return cited, keys


def _collect(
    value: object, path: str | None, cited: list[tuple[str, int]], keys: list[tuple[str, str]]
) -> None:
    """Add the citations and keys of every model object below ``value``, depth first."""
    if isinstance(value, tuple):
        for index, item in enumerate(value):
            _collect(item, None if path is None else f"{path}[{index}]", cited, keys)
        return
    for name in _field_names(type(value)):
        item = getattr(value, name)
        if name == "references" and isinstance(item, tuple) and item and isinstance(item[0], int):
            where = join_path(path or "", name)
            cited.extend((where, number) for number in item)
        elif name == "key" and isinstance(item, str):
            keys.append((join_path(path or "", name), item))
        if isinstance(item, tuple) or _field_names(type(item)):
            _collect(item, None if path is None else join_path(path, name), cited, keys)


@attrs.frozen
@_value_methods
class Drug(NotebookDisplay):
    """Everything the guideline section says about one systemic drug.

    ``references`` is the section's numbered reference list; every
    ``references`` field below cites numbers from it.  ``atc`` is the drug's code in the
    WHO ATC classification (ciclosporin ``L04AD01``), by which health records name it;
    it is not from the guideline (see the provenance page), and :meth:`Guideline.drug`
    finds the drug by it.
    """

    name: str = attrs.field(validator=non_empty)
    synonyms: tuple[str, ...] = attrs.field(validator=non_empty_texts)
    mechanism: tuple[Statement, ...] = attrs.field(validator=tuple_of(instance_of(Statement)))
    efficacy: tuple[Statement, ...] = attrs.field(validator=tuple_of(instance_of(Statement)))
    recommendations: tuple[Recommendation, ...] = attrs.field(
        validator=tuple_of(instance_of(Recommendation))
    )
    evidence: tuple[EffectEstimate, ...] = attrs.field(
        validator=tuple_of(instance_of(EffectEstimate))
    )
    regimens: tuple[DoseRegimen, ...] = attrs.field(validator=tuple_of(instance_of(DoseRegimen)))
    licence: Licence = attrs.field(validator=instance_of(Licence))
    monitoring: Monitoring = attrs.field(validator=instance_of(Monitoring))
    screening: Screening = attrs.field(validator=instance_of(Screening))
    combinations: tuple[Combination, ...] = attrs.field(
        validator=tuple_of(instance_of(Combination))
    )
    interactions: tuple[Interaction, ...] = attrs.field(
        validator=tuple_of(instance_of(Interaction))
    )
    special_populations: tuple[SpecialPopulation, ...] = attrs.field(
        validator=tuple_of(instance_of(SpecialPopulation))
    )
    comparisons: tuple[Comparison, ...] = attrs.field(validator=tuple_of(instance_of(Comparison)))
    safety: tuple[Statement, ...] = attrs.field(validator=tuple_of(instance_of(Statement)))
    references: tuple[Reference, ...] = attrs.field(validator=tuple_of(instance_of(Reference)))
    atc: str | None = attrs.field(default=None, validator=optional(atc_code))

    def __attrs_post_init__(self) -> None:
        if self._problems(None):  # a fast check first; paths only to report
            raise DataError(self._problems(""))

    def _problems(self, path: str | None) -> list[DataProblem]:
        cited, keys = _citations_and_keys(self, path)
        seen = [("name", self.name)]
        seen += [(f"synonyms[{i}]", s) for i, s in enumerate(self.synonyms)]
        problems = _repeats(seen, "name (ignoring case)", _folded)
        numbers = [(f"references[{i}].number", r.number) for i, r in enumerate(self.references)]
        problems += _repeats(numbers, "reference number")
        known = {r.number for r in self.references}
        problems += [
            DataProblem(
                where,
                f"cites reference {number}, which is not in the drug's references "
                f"(numbers {_span(known)})",
            )
            for where, number in cited
            if number not in known
        ]
        problems += _repeats(keys, "key")
        recommendations = [
            (f"recommendations[{i}].number", r.number) for i, r in enumerate(self.recommendations)
        ]
        problems += _repeats(recommendations, "recommendation number")
        regimens = [
            (f"regimens[{i}]", (r.population.value, r.phase.value if r.phase else "standard"))
            for i, r in enumerate(self.regimens)
        ]
        problems += _repeats(regimens, "regimen for (population, phase)")
        return problems

    @property
    def names(self) -> tuple[str, ...]:
        """The name followed by the synonyms."""
        return (self.name, *self.synonyms)

    def reference(self, number: int) -> Reference:
        """The reference numbered ``number`` in this drug's section.

        Raises :class:`~ae_systemic.NotFoundError` (a ``LookupError``) for a number
        not in the list.
        """
        if isinstance(number, bool) or not isinstance(number, int):
            raise ArgumentTypeError("number", f"expected a whole number, got {shown(number)}")
        for ref in self.references:
            if ref.number == number:
                return ref
        raise NotFoundError(
            number, what="reference", owner=self.name, known=[r.number for r in self.references]
        )

    @property
    def statements(self) -> tuple[Statement, ...]:
        """Every statement of the drug, wherever it sits: mechanism, efficacy, safety,
        licence notes, special populations and comparisons, in that order."""
        pools = [self.mechanism, self.efficacy, self.safety, self.licence.notes]
        pools += [p.statements for p in self.special_populations]
        pools += [c.findings for c in self.comparisons]
        return tuple(statement for pool in pools for statement in pool)

    def statement(self, key: str) -> Statement:
        """The statement with this ``key``, wherever it sits in the drug.

        Raises :class:`~ae_systemic.NotFoundError` (a ``LookupError``), with the
        closest keys, for a key the drug does not have.
        """
        if not isinstance(key, str):
            raise ArgumentTypeError("key", f"expected a string, got {shown(key)}")
        for statement in self.statements:
            if statement.key == key:
                return statement
        import difflib

        keys = [s.key for s in self.statements]
        raise NotFoundError(
            key,
            what="statement",
            owner=self.name,
            known=keys,
            suggestions=difflib.get_close_matches(key, keys, n=3, cutoff=0.6),
        )

    def __str__(self) -> str:
        return self.name


def _repeats(
    items: list[tuple[str, Any]], what: str, key: Callable[[Any], Any] | None = None
) -> list[DataProblem]:
    """A problem for each item whose value (compared by ``key``) an earlier item has.

    The message shows the value as written, and the earlier one where it is written
    otherwise (``'CSA' of synonyms[3] ('CsA')``): never the form compared.
    """
    first: dict[Any, tuple[str, Any]] = {}
    problems = []
    for path, value in items:
        compared = value if key is None else key(value)
        if compared not in first:
            first[compared] = (path, value)
            continue
        where, written = first[compared]
        also = f" ({written!r})" if written != value else ""
        problems.append(DataProblem(path, f"repeats the {what} {value!r} of {where}{also}"))
    return problems


def _span(numbers: frozenset[int] | set[int]) -> str:
    """``1-12, 14``: whole numbers as runs; ``none`` for none."""
    runs: list[list[int]] = []
    for number in sorted(numbers):
        if runs and number == runs[-1][-1] + 1:
            runs[-1].append(number)
        else:
            runs.append([number])
    return ", ".join(f"{r[0]}-{r[-1]}" if len(r) > 1 else str(r[0]) for r in runs) or "none"


@attrs.frozen
@_value_methods
class Guideline:
    """A guideline (or the part of it this package carries) and its drugs.

    ``references`` lists references of the guideline as a whole; each drug's
    section keeps its own numbered list in :attr:`Drug.references`, as the
    source does.
    """

    title: str = attrs.field(validator=non_empty)
    short_title: str = attrs.field(validator=non_empty)
    chapter: str = attrs.field(validator=non_empty)
    edition: str | None = attrs.field(validator=optional(non_empty))
    drugs: tuple[Drug, ...] = attrs.field(validator=tuple_of(instance_of(Drug)))
    references: tuple[Reference, ...] = attrs.field(
        default=(), validator=tuple_of(instance_of(Reference))
    )
    note: str | None = attrs.field(default=None, validator=optional(non_empty))

    def __attrs_post_init__(self) -> None:
        names = []  # drug by drug, so that a repeat is found in the later drug
        for i, drug in enumerate(self.drugs):
            names += [(f"drugs[{i}].name", drug.name)]
            names += [(f"drugs[{i}].synonyms[{j}]", s) for j, s in enumerate(drug.synonyms)]
            names += [(f"drugs[{i}].atc", drug.atc)] if drug.atc else []
        problems = _repeats(names, "drug name or ATC code (ignoring case)", _folded)
        numbers = [(f"references[{i}].number", r.number) for i, r in enumerate(self.references)]
        problems += _repeats(numbers, "reference number")
        if problems:
            raise DataError(problems)

    @functools.cached_property
    def _index(self) -> dict[str, Drug]:
        index = {_folded(drug.atc): drug for drug in self.drugs if drug.atc is not None}
        index.update((_folded(name), drug) for drug in self.drugs for name in drug.names)
        return index

    def drug(self, name: str) -> Drug:
        """The drug of this guideline called ``name``, or with ``name`` among its synonyms.

        Case and surrounding spaces are ignored: ``drug(" CsA ")`` is ciclosporin.  A
        drug's ATC code finds it too: ``drug("L04AD01")``.
        Raises :class:`~ae_systemic.UnknownDrugError` (a ``LookupError``) naming
        the closest known names, and :class:`~ae_systemic.ArgumentTypeError` when
        ``name`` is not a string.
        """
        if not isinstance(name, str):
            raise ArgumentTypeError(
                "name", f"expected a drug name (a string), got {type(name).__name__}"
            )
        found = self._index.get(_folded(name))
        if found is None:
            import difflib

            known = [n for d in self.drugs for n in d.names]
            folded = {_folded(n): n for n in known}
            close = difflib.get_close_matches(_folded(name), folded, n=3, cutoff=0.6)
            raise UnknownDrugError(name, [folded[c] for c in close], known)
        return found


def _folded(name: str) -> str:
    return name.strip().casefold()
