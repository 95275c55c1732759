"""Assessing a patient against what the guideline says about a drug.

:func:`assess` reads only the drug's content (licence, regimens,
combinations, interactions, special populations, safety, monitoring and screening) and
the patient's facts (the graded recommendations are the drug's, not a patient's: see
``Drug.recommendations``); every message is built from the data
and carries the data's reference numbers.  It adds no clinical rule of its own,
with one documented exception the source leaves open: the age from which the
adult regimens apply (``adult_from``, 18 years unless the caller says otherwise).
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, ClassVar

import attrs

from ._converter import JSONValue, json_quantity, unstructure
from ._dosing import DoseRange
from ._errors import ArgumentTypeError, printable_name
from ._lookup import resolve_drug
from ._model import DoseRegimen, Drug
from ._notebook import NotebookDisplay
from ._patient import (
    DEFAULT_ADULT_FROM_YEARS,
    Patient,
    dose_for,
    population_basis,
)
from ._prescription import DoseCheck, Prescription, compare, frequency_text
from ._text import age_text, cited, listed, sentence
from ._units import QuantityLike
from ._vocabulary import CombinationAdvice, DoseStatus, Phase, Population

if TYPE_CHECKING:
    pass

__all__ = ["Assessment", "Finding", "FindingKind", "assess"]


class FindingKind(enum.Enum):
    """Kinds of finding, in the order :func:`assess` reports them.

    First what concerns the order being written, when a prescription is given (its daily
    amount above or below the range, its administrations a day against the regimen's
    single doses); then what concerns this patient alone (off-label use, a planned
    phototherapy the drug should not be combined with, interactions with the patient's
    medicines and the medicines whose interactions could not be checked, pregnancy,
    children and adolescents); then what the guideline says for every patient (safety,
    monitoring, screening, the combinations it recommends).  ``str()`` gives the words
    users read (:attr:`label`).

    ``AVOID_COMBINATION`` is what the source words as "should not be combined";
    ``CONTRAINDICATED_COMBINATION``, its name before 0.1.0, is a deprecated alias.
    """

    DOSE_ABOVE_RANGE = "dose-above-range"
    DOSE_BELOW_RANGE = "dose-below-range"
    DOSE_FREQUENCY = "dose-frequency"
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
    # Type checkers see a class attribute, not a member of its own, so that a match over the
    # members is complete without it.
    if TYPE_CHECKING:
        CONTRAINDICATED_COMBINATION: ClassVar[FindingKind]
    else:
        CONTRAINDICATED_COMBINATION = "avoid-combination"

    @classmethod
    def _missing_(cls, value: object) -> FindingKind | None:
        """The value before 0.1.0 (``"contraindicated-combination"``) reads as its member."""
        return cls.AVOID_COMBINATION if value == "contraindicated-combination" else None

    @property
    def label(self) -> str:
        """The kind in words: ``should not be combined``, ``children and adolescents``."""
        return _FINDING_LABELS[self]

    def __str__(self) -> str:
        return self.label


_FINDING_LABELS = {
    FindingKind.DOSE_ABOVE_RANGE: "dose above the range",
    FindingKind.DOSE_BELOW_RANGE: "dose below the range",
    FindingKind.DOSE_FREQUENCY: "administrations a day",
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
    is the patient assessed, and ``dose_check`` the check of the prescription given to
    :func:`assess` (``None`` without one).
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
    dose_check: DoseCheck | None = None

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
            "dose_check": None if self.dose_check is None else self.dose_check._json_(),
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


def assess(
    drug: Drug | str,
    patient: Patient,
    *,
    phase: Phase | None = None,
    adult_from: QuantityLike | None = None,
    prescription: Prescription | None = None,
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

    With a ``prescription``, :func:`~ae_systemic.check_dose` compares it with the
    patient's range: ``Assessment.dose_check`` holds the result, and the findings start
    with the dose above or below the range and with administrations a day that differ
    from the regimen's single doses.

    The population follows from the age and ``adult_from`` (default
    :data:`DEFAULT_ADULT_FROM_YEARS`, a choice of this library); the assessment
    records both, and where a phase has no regimen for the patient's population the
    dose's ``fallback`` note says why this patient is in that population.
    """
    subject = resolve_drug(drug)
    if not isinstance(patient, Patient):
        raise ArgumentTypeError("patient", f"expected a Patient, got {type(patient).__name__}")
    found = dose_for(subject, patient, phase=phase, adult_from=adult_from, caller="assess")
    population, dose, years = found.population, found.dose, found.age_years
    licensed = years >= subject.licence.min_age_years
    findings: list[Finding] = []
    check = None
    if prescription is not None:
        if not isinstance(prescription, Prescription):
            raise ArgumentTypeError(
                "prescription", f"expected a Prescription, got {type(prescription).__name__}"
            )
        check = compare(dose, prescription)
        findings += _dose_findings(check)
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
        found.adult_from_years,
        found.adult_from_default,
        patient,
        check,
    )


def _dose_findings(check: DoseCheck) -> list[Finding]:
    findings = []
    kinds = {
        DoseStatus.ABOVE: FindingKind.DOSE_ABOVE_RANGE,
        DoseStatus.BELOW: FindingKind.DOSE_BELOW_RANGE,
    }
    if check.status in kinds:
        findings.append(Finding(kinds[check.status], check.message, check.references))
    if check.frequency_matches is False:
        findings.append(
            Finding(FindingKind.DOSE_FREQUENCY, frequency_text(check), check.references)
        )
    return findings


def _off_label(subject: Drug, years: float) -> Finding:
    licence = subject.licence
    return Finding(
        FindingKind.OFF_LABEL,
        f"{subject.name} is licensed from {licence.min_age_years} years of age; "
        f"at {age_text(years, days=True)} this patient is younger, so its use would be off-label.",
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
                f"{printable_name(medicine.name)} is a substrate of {pathways}; {subject.name} "
                f"is {roles}. "
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
            f"{printable_name(medicine.name)} was given without the pathways it is a substrate "
            "of, so its "
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
