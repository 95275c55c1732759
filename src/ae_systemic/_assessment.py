"""Assessing a patient against what the guideline says about a drug.

:func:`assess` reads only the drug's content (licence, regimens,
combinations, interactions, special populations, monitoring, screening and
recommendations) and the patient's facts; every message is built from the data
and carries the data's reference numbers.  It adds no clinical rule of its own,
with one documented exception the source leaves open: the age from which the
adult regimens apply (``adult_from``, 18 years unless the caller says otherwise).
"""

from __future__ import annotations

import copy
import enum
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import attrs

from ._converter import JSONValue, json_quantity, unstructure
from ._dosing import DoseRange, daily_dose
from ._errors import ArgumentTypeError, InputError, shown
from ._lookup import resolve_drug
from ._model import DoseRegimen, Drug
from ._notebook import NotebookDisplay
from ._text import NO_AGE_BOUNDARY, age_text, cited, listed, sentence
from ._units import QuantityLike, checked_age, checked_weight, seconds_per_year
from ._vocabulary import CombinationAdvice, Pathway, Phase, Phototherapy, Population

if TYPE_CHECKING:
    import pint

__all__ = [
    "DEFAULT_ADULT_FROM_YEARS",
    "Assessment",
    "CoMedication",
    "Finding",
    "FindingKind",
    "Patient",
    "assess",
    "population_for",
]

#: Age in years from which :func:`assess` applies the adult regimens unless told otherwise.
#: The guideline does not say where children's dosing ends: this default (the usual age of
#: majority in Europe) is a choice of this library, overridable with ``adult_from``.
DEFAULT_ADULT_FROM_YEARS = 18


class FindingKind(enum.Enum):
    """Kinds of finding, in the order :func:`assess` reports them.

    First what concerns this patient alone (off-label use, a planned phototherapy the drug
    should not be combined with, interactions with the patient's medicines and the medicines
    whose interactions could not be checked, pregnancy, children and adolescents), then
    what the guideline says for every patient (safety, monitoring, screening, the
    combinations it recommends).  ``str()`` gives the words users read (:attr:`label`).

    ``AVOID_COMBINATION`` is what the source words as "should not be combined";
    ``CONTRAINDICATED_COMBINATION``, its name before 0.1.0, is a deprecated alias.
    """

    OFF_LABEL = "off-label"
    AVOID_COMBINATION = "avoid-combination"
    INTERACTION = "interaction"
    INTERACTION_NOT_CHECKED = "interaction-not-checked"
    PREGNANCY = "pregnancy"
    CHILDREN = "children"
    SAFETY = "safety"
    MONITORING = "monitoring"
    SCREENING = "screening"
    RECOMMENDED_COMBINATION = "recommended-combination"
    # The name before 0.1.0, kept as a deprecated alias: the same value makes it one member.
    CONTRAINDICATED_COMBINATION = "avoid-combination"  # noqa: PIE796

    @property
    def label(self) -> str:
        """The kind in words: ``should not be combined``, ``children and adolescents``."""
        return _FINDING_LABELS[self]

    def __str__(self) -> str:
        return self.label


_FINDING_LABELS = {
    FindingKind.OFF_LABEL: "off-label",
    FindingKind.AVOID_COMBINATION: "should not be combined",
    FindingKind.INTERACTION: "interaction",
    FindingKind.INTERACTION_NOT_CHECKED: "interactions not checked",
    FindingKind.PREGNANCY: "pregnancy",
    FindingKind.CHILDREN: "children and adolescents",
    FindingKind.SAFETY: "safety",
    FindingKind.MONITORING: "monitoring",
    FindingKind.SCREENING: "screening",
    FindingKind.RECOMMENDED_COMBINATION: "recommended combination",
}


def _name(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str):
        raise ArgumentTypeError(
            attribute.name, f"expected a medicine name (a string), got {shown(value)}"
        )
    if not value.strip():
        raise InputError(attribute.name, f"expected a non-empty medicine name, got {shown(value)}")


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

    >>> CoMedication("atorvastatin", frozenset({Pathway.CYP3A4, Pathway.OATP})).name
    'atorvastatin'
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
    fresh: pint.Quantity[float] = copy.copy(quantity)
    return fresh


def _fresh_weight(weight: QuantityLike) -> pint.Quantity[float]:
    quantity, _ = checked_weight(weight)
    fresh: pint.Quantity[float] = copy.copy(quantity)
    return fresh


@attrs.frozen(repr=False)
class Patient(NotebookDisplay):
    """The facts about one patient that the guideline's statements depend on.

    ``age`` is a ``[time]`` and ``weight`` a ``[mass]`` quantity (or strings
    such as ``"12 years"`` and ``"35 kg"``); both are checked on construction
    (:class:`~ae_systemic.DoseInputError`) and copied, and handed out as fresh
    copies, so that no caller can change a patient.  The other fields are
    checked too (:class:`~ae_systemic.ArgumentTypeError` for a value of the wrong type).
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
        """The patient's age, as given (a fresh copy)."""
        age: pint.Quantity[float] = copy.copy(self._age)
        return age

    @property
    def weight(self) -> pint.Quantity[float]:
        """The patient's body weight, as given (a fresh copy)."""
        weight: pint.Quantity[float] = copy.copy(self._weight)
        return weight

    def _json_(self) -> JSONValue:
        """The JSON form (:func:`~ae_systemic.unstructure`): the age in years, the weight in kg."""
        return {
            "age": json_quantity(self._age.m_as("year"), "year"),
            "weight": json_quantity(self._weight.m_as("kg"), "kg"),
            "pregnant": self.pregnant,
            "phototherapy": _values(self.phototherapy),
            "co_medications": [
                {"name": m.name, "pathways": _values(m.pathways)} for m in self.co_medications
            ],
        }

    def __repr__(self) -> str:
        return (
            f"Patient(age={self._age!r}, weight={self._weight!r}, pregnant={self.pregnant!r}, "
            f"phototherapy={self.phototherapy!r}, co_medications={self.co_medications!r})"
        )


@attrs.frozen
class Finding:
    """One thing the guideline says that applies to this patient, with its references."""

    kind: FindingKind
    message: str = attrs.field(converter=sentence)
    references: tuple[int, ...] = ()

    def __str__(self) -> str:
        return cited(f"{self.kind}: {self.message}", self.references)


@attrs.frozen
class Assessment(NotebookDisplay):
    """What the guideline says about a drug for one patient.

    ``population`` and ``regimen`` are the regimen chosen for the patient's age
    (and ``phase``), ``dose`` the patient's :class:`~ae_systemic.DoseRange`,
    ``licensed`` whether the age is within the licence, and ``findings`` every
    applicable statement, in the order of :class:`FindingKind`.

    ``adult_from_years`` is the age from which the adult regimens were applied, and
    ``adult_from_default`` whether that is this library's default
    (:data:`DEFAULT_ADULT_FROM_YEARS`, a choice of the library: the guideline gives no
    age between its children's and adults' ranges) rather than the caller's;
    :attr:`population_basis` says it in words, and every output shows it.  ``patient``
    is the patient assessed.
    """

    drug: str
    population: Population
    regimen: DoseRegimen
    dose: DoseRange[float]
    licensed: bool
    findings: tuple[Finding, ...]
    adult_from_years: float = float(DEFAULT_ADULT_FROM_YEARS)
    adult_from_default: bool = True
    patient: Patient | None = None

    @property
    def population_basis(self) -> str:
        """Why this population: the age from which adult regimens apply, and whose choice it is."""
        return population_basis(self.adult_from_years, default=self.adult_from_default)

    def _json_(self) -> JSONValue:
        """The JSON form (:func:`~ae_systemic.unstructure`), the choice of population included."""
        return {
            "drug": self.drug,
            "patient": None if self.patient is None else self.patient._json_(),
            "population": self.population.value,
            "adult_from": json_quantity(self.adult_from_years, "year"),
            "adult_from_default": self.adult_from_default,
            "population_basis": self.population_basis,
            "regimen": unstructure(self.regimen),
            "dose": self.dose._json_(),
            "licensed": self.licensed,
            "findings": [unstructure(finding) for finding in self.findings],
        }

    def of_kind(self, kind: FindingKind) -> tuple[Finding, ...]:
        """The findings of one kind, in order."""
        return tuple(f for f in self.findings if f.kind is kind)

    def __str__(self) -> str:
        lines = [
            f"{self.drug}, {self.population} ({self.population_basis}): {self.dose}",
            f"licensed for this age: {'yes' if self.licensed else 'no'}",
        ]
        if self.dose.fallback:
            lines.append(f"note: {self.dose.fallback}")
        lines += [f"- {finding}" for finding in self.findings]
        return "\n".join(lines)


def _values(members: Iterable[enum.Enum]) -> list[JSONValue]:
    """The values of enum ``members`` in the order of their enum (a set has none)."""
    return [
        m.value for m in sorted(members, key=lambda m: [*type(m).__members__.values()].index(m))
    ]


def population_basis(adult_from_years: float, *, default: bool) -> str:
    """``adult regimens from 18 years, a choice of this library (...)``, or the caller's."""
    threshold = age_text(adult_from_years, days=True)
    if default:
        return f"adult regimens from {threshold}, a choice of this library: {NO_AGE_BOUNDARY}"
    return f"adult regimens from {threshold}, as the caller chose"


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


def assess(
    drug: Drug | str,
    patient: Patient,
    *,
    phase: Phase | None = None,
    adult_from: QuantityLike | None = None,
) -> Assessment:
    """Evaluate ``patient`` against what the guideline says about ``drug``.

    The findings come in the order of :class:`FindingKind`: off-label use,
    each planned phototherapy the drug should not be combined with (in the
    source's order), each co-medication sharing a pathway with the drug's
    interactions (in the patient's order), each co-medication given without
    pathways (its interactions could not be checked), pregnancy, the statements on
    children and adolescents for a patient below the adult threshold, then always the
    safety statements, monitoring, screening and the recommended combinations.  No
    finding is repeated.

    The population follows from the age and ``adult_from`` (default
    :data:`DEFAULT_ADULT_FROM_YEARS`, a choice of this library); the assessment
    records both, and where a phase has no regimen for the patient's population the
    dose's ``fallback`` note says why this patient is in that population.
    """
    subject = resolve_drug(drug)
    if not isinstance(patient, Patient):
        raise ArgumentTypeError("patient", f"expected a Patient, got {type(patient).__name__}")
    registry, _, seconds = checked_age(patient.age)
    per_year = seconds_per_year(registry)
    years = seconds / per_year
    threshold = _threshold(registry, adult_from)
    population = Population.ADULT if seconds >= threshold else Population.CHILD
    basis = population_basis(threshold / per_year, default=adult_from is None)
    dose = daily_dose(subject, patient.weight, population=population, phase=phase)
    if dose.fallback is not None and population is Population.CHILD:
        age = age_text(years, days=True)
        why = f"At {age}, this patient gets the children's regimens ({basis}). "
        dose = attrs.evolve(dose, fallback=why + dose.fallback)
    licensed = seconds >= subject.licence.min_age_years * per_year
    findings: list[Finding] = []
    if not licensed:
        findings.append(_off_label(subject, years))
    findings += _phototherapy_findings(subject, patient)
    findings += _interaction_findings(subject, patient)
    findings += _unchecked_interaction_findings(subject, patient)
    if patient.pregnant:
        findings += _group_findings(subject, "pregnancy", FindingKind.PREGNANCY)
    if population is Population.CHILD:
        findings += _group_findings(subject, "children and adolescents", FindingKind.CHILDREN)
    findings += [Finding(FindingKind.SAFETY, s.text, s.references) for s in subject.safety]
    findings.append(_monitoring_finding(subject))
    findings.append(_screening_finding(subject))
    findings += _recommended_combination_findings(subject)
    return Assessment(
        subject.name,
        population,
        dose.regimen,
        dose,
        licensed,
        tuple(dict.fromkeys(findings)),
        threshold / per_year,
        adult_from is None,
        patient,
    )


def _off_label(subject: Drug, years: float) -> Finding:
    licence = subject.licence
    return Finding(
        FindingKind.OFF_LABEL,
        f"{subject.name} is licensed from {licence.min_age_years} years of age; "
        f"at {age_text(years)} this patient is younger, so its use would be off-label.",
        licence.references,
    )


def _phototherapy_findings(subject: Drug, patient: Patient) -> list[Finding]:
    planned = {p.value for p in patient.phototherapy}
    return [
        Finding(FindingKind.AVOID_COMBINATION, c.sentence(subject.name), c.references)
        for c in subject.combinations
        if c.advice is CombinationAdvice.AVOID and c.therapy in planned
    ]


def _interaction_findings(subject: Drug, patient: Patient) -> list[Finding]:
    findings = []
    for medicine in patient.co_medications:
        shared = [i for i in subject.interactions if i.pathway in medicine.pathways]
        if not shared:
            continue
        pathways = listed(tuple(str(i.pathway) for i in shared))
        roles = listed(tuple(f"an {i.summary}" for i in shared))
        effects = " ".join(dict.fromkeys(i.consequence for i in shared))
        refs = tuple(sorted({n for i in shared for n in i.references}))
        findings.append(
            Finding(
                FindingKind.INTERACTION,
                f"{medicine.name} is a substrate of {pathways}; {subject.name} is {roles}. "
                f"{effects}",
                refs,
            )
        )
    return findings


def _unchecked_interaction_findings(subject: Drug, patient: Patient) -> list[Finding]:
    """A note for each medicine given without pathways: nothing could be checked for it."""
    if not subject.interactions:
        return []
    pathways = listed(tuple(dict.fromkeys(str(i.pathway) for i in subject.interactions)))
    return [
        Finding(
            FindingKind.INTERACTION_NOT_CHECKED,
            f"{medicine.name} was given without the pathways it is a substrate of, so its "
            f"interactions with {subject.name} ({pathways}) could not be checked.",
        )
        for medicine in patient.co_medications
        if not medicine.pathways
    ]


def _group_findings(subject: Drug, group: str, kind: FindingKind) -> list[Finding]:
    """The statements of the drug's special population ``group``, as findings of ``kind``."""
    return [
        Finding(kind, statement.text, statement.references)
        for population in subject.special_populations
        if population.group == group
        for statement in population.statements
    ]


def _monitoring_finding(subject: Drug) -> Finding:
    monitoring = subject.monitoring
    return Finding(FindingKind.MONITORING, monitoring.summary, monitoring.references)


def _screening_finding(subject: Drug) -> Finding:
    screening = subject.screening
    return Finding(FindingKind.SCREENING, screening.summary, screening.references)


def _recommended_combination_findings(subject: Drug) -> list[Finding]:
    return [
        Finding(FindingKind.RECOMMENDED_COMBINATION, c.sentence(subject.name), c.references)
        for c in subject.combinations
        if c.advice is CombinationAdvice.RECOMMENDED
    ]
