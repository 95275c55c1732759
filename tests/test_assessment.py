"""Assessing a patient: the exact findings the guideline's ciclosporin section gives, in order."""

from __future__ import annotations

import pickle
import re
from collections.abc import Iterator
from typing import Any

import attrs
import numpy as np
import pint
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ae_systemic
from ae_systemic import (
    DEFAULT_ADULT_FROM_YEARS,
    ArgumentTypeError,
    CoMedication,
    DoseInputError,
    FindingKind,
    InputError,
    Pathway,
    Patient,
    Phase,
    Phototherapy,
    Population,
    UnknownDrugError,
    assess,
    population_for,
)
from ae_systemic._report import assessment_report

APP: pint.UnitRegistry[float] = pint.get_application_registry()  # type: ignore[no-untyped-call]
Q = APP.Quantity

K = FindingKind
UVA, UVB, PUVA = Phototherapy.UVA, Phototherapy.UVB, Phototherapy.PUVA
CYP3A4, P_GP, OATP = Pathway.CYP3A4, Pathway.P_GP, Pathway.OATP

SIMVASTATIN = CoMedication("simvastatin", frozenset({CYP3A4}))
ATORVASTATIN = CoMedication("atorvastatin", frozenset({CYP3A4, OATP}))
DIGOXIN = CoMedication("digoxin", frozenset({P_GP}))
REPAGLINIDE = CoMedication("repaglinide", frozenset({P_GP, OATP}))
PARACETAMOL = CoMedication("paracetamol")

# The role text the drug data gives for each pathway it inhibits: it may only appear in an
# interaction finding when the co-medication is a substrate of that pathway.
TARGET_TEXT = {
    CYP3A4: "cytochrome P450 3A4",
    P_GP: "P-glycoprotein",
    OATP: "organic anion transporters",
}


def adult(**facts: Any) -> Patient:
    return Patient(Q(40, "year"), Q(70, "kg"), **facts)


def csa() -> ae_systemic.Drug:
    return ae_systemic.drug("ciclosporin")


# -- the exact findings, table-driven ---------------------------------------------------------

#: Words a message must contain; a tuple of words means "one of these" (equivalent wordings).
Words = tuple[str | tuple[str, ...], ...]
#: One expected finding: its kind, its reference numbers, and words its message must contain.
Expected = tuple[FindingKind, tuple[int, ...], Words]

MONITORING: Expected = (
    K.MONITORING,
    (),
    (
        "blood pressure",
        "full blood count",
        "renal profile",
        "liver profile (including GGT)",
        "baseline",
        "4 weeks",
        "3 months",
        "national guidelines",
    ),
)
SCREENING: Expected = (
    K.SCREENING,
    (),
    ("hepatitis B", "hepatitis C", "HIV", "before therapy", "considered", "section 8.1"),
)
EMOLLIENTS: Expected = (K.RECOMMENDED_COMBINATION, (), ("emollients",))
TOPICALS: Expected = (
    K.RECOMMENDED_COMBINATION,
    (),
    ("topical anti-inflammatory treatment", "whenever needed"),
)
SAFETY: tuple[Expected, ...] = (
    (K.SAFETY, (), ("narrow therapeutic index", "blood pressure", "renal impairment")),
    (K.SAFETY, (4, 11, 12), ("creatinine", "TREAT")),
    (K.SAFETY, (), ("oral hygiene", "gingival hyperplasia")),
)
ALWAYS: tuple[Expected, ...] = (*SAFETY, MONITORING, SCREENING, EMOLLIENTS, TOPICALS)
#: For a patient below the adult threshold (18 years unless the caller says otherwise).
CHILDREN: Expected = (K.CHILDREN, (3, 5, 13), ("children and adolescents", "tolerate"))


def not_checked(name: str) -> Expected:
    """The note for a co-medication given without pathways."""
    return (K.INTERACTION_NOT_CHECKED, (), (name, "could not be checked", "CYP3A4"))


def off_label(*age_texts: str) -> Expected:
    """The off-label finding, stating the patient's age in one of ``age_texts``."""
    return (K.OFF_LABEL, (), ("off-label", "16 years", age_texts))


def avoid(therapy: str) -> Expected:
    return (K.AVOID_COMBINATION, (), ("should not be combined", therapy, "skin cancer"))


def interaction(name: str, *pathways: Pathway) -> Expected:
    words: list[str | tuple[str, ...]] = [name, "substrate", "inhibitor"]
    words += ["higher plasma concentrations"]
    words += [str(p) for p in pathways] + [TARGET_TEXT[p] for p in pathways]
    return (K.INTERACTION, (), tuple(words))


PREGNANCY: tuple[Expected, ...] = (
    (K.PREGNANCY, (), ("considered", "pregnant women", "severe atopic eczema")),
    (K.PREGNANCY, (), ("congenital malformations", "fetal death", "so far")),
    (K.PREGNANCY, (14,), ("low birthweight", "cannot be excluded")),
    (K.PREGNANCY, (14,), ("first choice", "whole pregnancy")),
)

EVERYTHING = Patient(
    Q(15, "year"),
    Q(50, "kg"),
    pregnant=True,
    phototherapy=frozenset({PUVA, UVB, UVA}),
    co_medications=(DIGOXIN, PARACETAMOL, ATORVASTATIN),
)

CASES: list[tuple[str, Patient, tuple[Expected, ...]]] = [
    ("adult with nothing special", adult(), ALWAYS),
    (
        "12-year-old, 35 kg",
        Patient(Q(12, "year"), Q(35, "kg")),
        (off_label("12 years"), CHILDREN, *ALWAYS),
    ),
    (
        "15 years 11 months",
        Patient(Q(15, "year") + Q(11, "month"), Q(60, "kg")),
        (off_label("15 years 11 months", "15.9 years"), CHILDREN, *ALWAYS),
    ),
    ("16 years", Patient(Q(16, "year"), Q(60, "kg")), (CHILDREN, *ALWAYS)),
    (
        "191 months",
        Patient(Q(191, "month"), Q(60, "kg")),
        (off_label("15 years 11 months", "15.9 years"), CHILDREN, *ALWAYS),
    ),
    ("192 months", Patient(Q(192, "month"), Q(60, "kg")), (CHILDREN, *ALWAYS)),
    ("17 years", Patient(Q(17, "year"), Q(60, "kg")), (CHILDREN, *ALWAYS)),
    ("18 years", Patient(Q(18, "year"), Q(60, "kg")), ALWAYS),
    ("UVA", adult(phototherapy=frozenset({UVA})), (avoid("UVA"), *ALWAYS)),
    ("UVB", adult(phototherapy=frozenset({UVB})), (avoid("UVB"), *ALWAYS)),
    ("PUVA", adult(phototherapy=frozenset({PUVA})), (avoid("PUVA"), *ALWAYS)),
    (
        "UVA, UVB and PUVA",
        adult(phototherapy=frozenset({PUVA, UVB, UVA})),
        (avoid("UVA"), avoid("UVB"), avoid("PUVA"), *ALWAYS),
    ),
    (
        "a CYP3A4 substrate",
        adult(co_medications=(SIMVASTATIN,)),
        (interaction("Simvastatin", CYP3A4), *ALWAYS),
    ),
    (
        "a P-gp and OATP substrate",
        adult(co_medications=(REPAGLINIDE,)),
        (interaction("Repaglinide", P_GP, OATP), *ALWAYS),
    ),
    (
        "a co-medication with no pathways",
        adult(co_medications=(PARACETAMOL,)),
        (not_checked("Paracetamol"), *ALWAYS),
    ),
    (
        "several co-medications, in the patient's order",
        adult(co_medications=(DIGOXIN, PARACETAMOL, ATORVASTATIN)),
        (
            interaction("Digoxin", P_GP),
            interaction("Atorvastatin", CYP3A4, OATP),
            not_checked("Paracetamol"),
            *ALWAYS,
        ),
    ),
    (
        "the same co-medications the other way round",
        adult(co_medications=(ATORVASTATIN, PARACETAMOL, DIGOXIN)),
        (
            interaction("Atorvastatin", CYP3A4, OATP),
            interaction("Digoxin", P_GP),
            not_checked("Paracetamol"),
            *ALWAYS,
        ),
    ),
    ("pregnancy", adult(pregnant=True), (*PREGNANCY, *ALWAYS)),
    (
        "everything at once",
        EVERYTHING,
        (
            off_label("15 years"),
            avoid("UVA"),
            avoid("UVB"),
            avoid("PUVA"),
            interaction("Digoxin", P_GP),
            interaction("Atorvastatin", CYP3A4, OATP),
            not_checked("Paracetamol"),
            *PREGNANCY,
            CHILDREN,
            *ALWAYS,
        ),
    ),
]


def mentions(message: str, word: str) -> bool:
    """``word`` occurs in ``message`` as a whole word or phrase (so ``UVA`` is not in ``PUVA``)."""
    return re.search(rf"(?<!\w){re.escape(word)}(?!\w)", message) is not None


def mentions_any(message: str, words: str | tuple[str, ...]) -> bool:
    alternatives = (words,) if isinstance(words, str) else words
    return any(mentions(message, w) for w in alternatives)


@pytest.mark.parametrize(("patient", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_a_patient_gets_exactly_the_findings_the_guideline_gives(
    patient: Patient, expected: tuple[Expected, ...]
) -> None:
    findings = assess("ciclosporin", patient).findings
    assert tuple(f.kind for f in findings) == tuple(kind for kind, _, _ in expected)
    assert tuple(f.references for f in findings) == tuple(refs for _, refs, _ in expected)
    for finding, (_, _, words) in zip(findings, expected, strict=True):
        missing = [w for w in words if not mentions_any(finding.message, w)]
        assert not missing, f"{finding.message!r} lacks {missing}"


def test_the_adult_with_nothing_special_is_treated_within_the_licence_at_175_to_350_mg() -> None:
    assessment = assess("ciclosporin", adult())
    assert assessment.drug == "ciclosporin"
    assert assessment.population is Population.ADULT
    assert assessment.licensed is True
    assert assessment.regimen.population is Population.ADULT
    assert assessment.regimen.phase is None
    assert assessment.dose.low.m_as("mg/day") == 175.0
    assert assessment.dose.high.m_as("mg/day") == 350.0
    assert assessment.dose.fallback is None
    assert not assessment.of_kind(K.OFF_LABEL)


def test_a_12_year_old_of_35_kg_is_off_label_on_the_childrens_regimen() -> None:
    assessment = assess("ciclosporin", Patient(Q(12, "year"), Q(35, "kg")))
    assert assessment.population is Population.CHILD
    assert assessment.licensed is False
    assert assessment.regimen.population is Population.CHILD
    assert assessment.regimen.label == "commonly used dosage children"
    assert (assessment.dose.low.m_as("mg/day"), assessment.dose.high.m_as("mg/day")) == (
        87.5,
        175.0,
    )
    assert len(assessment.of_kind(K.OFF_LABEL)) == 1


@pytest.mark.parametrize(
    ("age", "licensed"),
    [
        (Q(15, "year") + Q(11, "month"), False),
        (Q(16, "year"), True),
        (Q(191, "month"), False),
        (Q(192, "month"), True),
        (Q(5843, "day"), False),
        (Q(5844, "day"), True),
        ("16 years", True),
    ],
    ids=str,
)
def test_use_is_off_label_below_16_years_exactly(age: Any, licensed: bool) -> None:
    assessment = assess("ciclosporin", Patient(age, Q(60, "kg")))
    assert assessment.licensed is licensed
    assert bool(assessment.of_kind(K.OFF_LABEL)) is not licensed


def stated_age_in_years(message: str) -> float:
    """The age a message states after "at": "15.9 years", "15 years 11 months", "3 days"."""
    return years_in(message, "at")


def years_in(message: str, before: str) -> float:
    """The age in years written after the word ``before`` in ``message``, in years, months
    and days (pint's year of 365.25 days, its month a twelfth of it)."""
    number = r"\d+(?:\.\d+)?(?:e[-+]?\d+)?"
    age = rf"\b{before} ((?:{number} (?:years?|months?|days?) ?)+)"
    stated = re.search(age, message, flags=re.IGNORECASE)
    assert stated is not None, message
    parts = re.findall(r"(\S+) (year|month|day)", stated.group(1))
    per_year = {"year": 1, "month": 12, "day": 365.25}
    return sum(float(n) / per_year[unit] for n, unit in parts)


@pytest.mark.parametrize(
    "age",
    [Q(5843, "day"), Q(191.9, "month"), Q(15.99, "year"), Q(15, "year") + Q(11.9, "month")],
    ids=str,
)
def test_the_off_label_message_states_an_age_below_16_years(age: Any) -> None:
    (finding,) = assess("ciclosporin", Patient(age, Q(60, "kg"))).of_kind(K.OFF_LABEL)
    assert stated_age_in_years(finding.message) < 16, finding.message


@pytest.mark.parametrize(
    ("age", "years"),
    [
        (Q(15, "year") + Q(11, "month"), 15 + 11 / 12),
        (Q(15, "year") + Q(6, "month"), 15.5),
        (Q(9, "year") + Q(3, "month"), 9.25),
    ],
    ids=["15 years + 11 months", "15 years + 6 months", "9 years + 3 months"],
)
def test_the_off_label_message_states_an_age_in_years_and_months(age: Any, years: float) -> None:
    (finding,) = assess("ciclosporin", Patient(age, Q(30, "kg"))).of_kind(K.OFF_LABEL)
    assert stated_age_in_years(finding.message) == pytest.approx(years, abs=0.051), finding.message


@pytest.mark.parametrize(
    ("age", "stated"),
    [("3 days", "3 days"), ("1 day", "1 day"), ("0 days", "0 days"), ("45 days", "1 month")],
)
def test_a_baby_is_off_label_at_its_age_in_days_as_the_fallback_note_says(
    age: str, stated: str
) -> None:
    # Before: "at 0 years this patient is younger", beside "At 3 days, this patient ...".
    assessment = assess("ciclosporin", Patient(age, "3 kg"), phase=Phase.ACUTE)
    (finding,) = assessment.of_kind(K.OFF_LABEL)
    assert f"; at {stated} this patient is younger, so its use" in finding.message
    assert assessment.dose.fallback is not None
    assert assessment.dose.fallback.startswith(f"At {stated}, this patient gets the children's")


def test_every_whole_month_age_below_16_years_is_stated_as_itself() -> None:
    # Stated to within 0.05 years: in years and months, or to 3 significant figures.
    misread: dict[int, str] = {}
    for months in range(192):
        (finding,) = assess("ciclosporin", Patient(Q(months, "month"), Q(30, "kg"))).of_kind(
            K.OFF_LABEL
        )
        if abs(stated_age_in_years(finding.message) - months / 12) > 0.051:
            misread[months] = finding.message
    assert not misread, f"{len(misread)} of 192 ages misstated: {misread}"


def test_the_value_before_0_1_0_reads_as_the_avoid_combination_kind() -> None:
    # JSON written before 0.1.0 says "contraindicated-combination"; it still reads.
    assert K("contraindicated-combination") is K.AVOID_COMBINATION
    assert K("avoid-combination") is K.AVOID_COMBINATION
    assert ae_systemic.unstructure(K.AVOID_COMBINATION) == "avoid-combination"


@pytest.mark.parametrize(
    "value",
    ["contraindicated", "Contraindicated-Combination", "CONTRAINDICATED_COMBINATION", 1, None],
)
def test_other_values_are_no_finding_kind(value: object) -> None:
    with pytest.raises(ValueError, match="is not a valid FindingKind"):
        K(value)


# -- phototherapy --------------------------------------------------------------------------


@pytest.mark.parametrize("therapy", list(Phototherapy), ids=str)
def test_each_phototherapy_alone_is_named_and_no_other(therapy: Phototherapy) -> None:
    (finding,) = assess("ciclosporin", adult(phototherapy=frozenset({therapy}))).of_kind(
        K.CONTRAINDICATED_COMBINATION
    )
    assert mentions(finding.message, str(therapy))
    assert "skin cancer" in finding.message
    for other in Phototherapy:
        if other is not therapy:
            assert not mentions(finding.message, str(other))


class _Ordered(frozenset[Phototherapy]):
    """A frozenset that iterates in the order it was given, to show the order is not used."""

    _order: tuple[Phototherapy, ...]

    def __new__(cls, items: tuple[Phototherapy, ...]) -> _Ordered:
        made = super().__new__(cls, items)
        made._order = items
        return made

    def __iter__(self) -> Iterator[Phototherapy]:
        return iter(self._order)


@pytest.mark.parametrize(
    "order",
    [(UVA, UVB, PUVA), (PUVA, UVB, UVA), (UVB, PUVA, UVA)],
    ids=lambda o: "-".join(map(str, o)),
)
def test_phototherapies_come_in_the_sources_order_whatever_the_sets_order(
    order: tuple[Phototherapy, ...],
) -> None:
    patient = adult(phototherapy=_Ordered(order))
    findings = assess("ciclosporin", patient).of_kind(K.CONTRAINDICATED_COMBINATION)
    named = [next(str(p) for p in Phototherapy if mentions(f.message, str(p))) for f in findings]
    assert named == ["UVA", "UVB", "PUVA"]


# -- co-medications ------------------------------------------------------------------------


def test_a_co_medication_names_only_the_pathways_it_shares() -> None:
    (finding,) = assess("ciclosporin", adult(co_medications=(REPAGLINIDE,))).of_kind(K.INTERACTION)
    assert "P-glycoprotein" in finding.message
    assert "organic anion transporters" in finding.message
    assert "cytochrome P450 3A4" not in finding.message


def test_the_same_co_medication_given_twice_is_reported_once() -> None:
    findings = assess("ciclosporin", adult(co_medications=(SIMVASTATIN, SIMVASTATIN))).findings
    assert [f.kind for f in findings].count(K.INTERACTION) == 1


def test_two_different_co_medications_on_the_same_pathway_are_both_reported() -> None:
    lovastatin = CoMedication("lovastatin", frozenset({CYP3A4}))
    findings = assess("ciclosporin", adult(co_medications=(SIMVASTATIN, lovastatin))).of_kind(
        K.INTERACTION
    )
    assert [f.message.split()[0] for f in findings] == ["Simvastatin", "Lovastatin"]


# -- general properties of the findings -------------------------------------------------------


@pytest.mark.parametrize("patient", [c[1] for c in CASES], ids=[c[0] for c in CASES])
def test_findings_never_repeat(patient: Patient) -> None:
    findings = assess("ciclosporin", patient).findings
    assert len(set(findings)) == len(findings)
    assert len({(f.kind, f.message) for f in findings}) == len(findings)


@pytest.mark.parametrize("patient", [c[1] for c in CASES], ids=[c[0] for c in CASES])
def test_every_message_starts_with_a_capital_letter(patient: Patient) -> None:
    for finding in assess("ciclosporin", patient).findings:
        assert finding.message[:1].isupper(), finding.message


def test_a_co_medication_name_with_surrounding_spaces_still_starts_a_capitalised_message() -> None:
    padded = CoMedication("  atorvastatin ", frozenset({CYP3A4}))
    (finding,) = assess("ciclosporin", adult(co_medications=(padded,))).of_kind(K.INTERACTION)
    assert finding.message.startswith("Atorvastatin"), repr(finding.message)


@pytest.mark.parametrize("patient", [c[1] for c in CASES], ids=[c[0] for c in CASES])
def test_every_reference_of_a_finding_is_in_the_drugs_reference_list(patient: Patient) -> None:
    known = {r.number for r in csa().references}
    for finding in assess("ciclosporin", patient).findings:
        assert set(finding.references) <= known


def test_the_pregnancy_findings_cite_reference_14_vestergaard() -> None:
    findings = assess("ciclosporin", adult(pregnant=True)).of_kind(K.PREGNANCY)
    cited = {n for f in findings for n in f.references}
    assert cited == {14}
    (vestergaard,) = [r for r in csa().references if r.number == 14]
    assert "pregnancy" in vestergaard.title


def test_the_drug_may_be_given_as_a_drug_or_any_name() -> None:
    by_name = assess("ciclosporin", EVERYTHING)
    assert assess(csa(), EVERYTHING) == by_name
    assert assess(" CsA ", EVERYTHING) == by_name


# -- adults, children and the phase ----------------------------------------------------------


def test_the_default_adult_age_is_18_years() -> None:
    assert DEFAULT_ADULT_FROM_YEARS == 18


def test_adult_from_overrides_the_default_18_years() -> None:
    seventeen = Patient(Q(17, "year"), Q(60, "kg"))
    assert assess("ciclosporin", seventeen).population is Population.CHILD
    overridden = assess("ciclosporin", seventeen, adult_from=Q(16, "year"))
    assert overridden.population is Population.ADULT
    assert overridden.regimen.label == "standard dosage adults"
    assert assess("ciclosporin", seventeen, adult_from="16 years").population is Population.ADULT


def test_adult_from_does_not_change_the_licence() -> None:
    thirteen = Patient(Q(13, "year"), Q(45, "kg"))
    assessment = assess("ciclosporin", thirteen, adult_from=Q(12, "year"))
    assert assessment.population is Population.ADULT
    assert assessment.licensed is False
    assert len(assessment.of_kind(K.OFF_LABEL)) == 1


@pytest.mark.parametrize(
    ("age", "adult_from", "threshold", "stated"),
    [
        # Before: "At 17 years 11 months ... (adult regimens from 17 years 11 months ...)".
        ("6573 days", "6574 days", "6574 days", "6573 days"),
        (Q(6573.5, "day"), "6574 days", "6574 days", "6573 days"),
        (Q(6573.99, "day"), "6574 days", "6574 days", "6573 days"),
        ("1 day", "20 days", "20 days", "1 day"),
        ("17.9 years", "17.99 years", "6570.8475 days", "6537 days"),
        # A threshold of whole months is said in years and months, the age rounded down.
        ("17.99 years", "18 years", "18 years", "17 years 11 months"),
        ("215 months", "216 months", "18 years", "17 years 11 months"),
        ("17 years", "17.5 years", "17 years 6 months", "17 years"),
        ("3 days", "16 years", "16 years", "3 days"),
    ],
)
def test_a_child_below_the_threshold_is_stated_below_it_not_on_it(
    age: Any, adult_from: str, threshold: str, stated: str
) -> None:
    assessment = assess(
        "ciclosporin", Patient(age, "30 kg"), phase=Phase.ACUTE, adult_from=adult_from
    )
    assert assessment.population is Population.CHILD
    basis = f"adult regimens from {threshold}, as the caller chose"
    assert assessment.population_basis == basis
    assert assessment.dose.fallback is not None
    assert assessment.dose.fallback.startswith(
        f"At {stated}, this patient gets the children's regimens ({basis}). "
    )


@settings(max_examples=200, deadline=None)
@given(
    st.one_of(
        st.integers(min_value=1, max_value=130 * 365).map(lambda d: Q(d, "day")),
        st.integers(min_value=1, max_value=130 * 12).map(lambda m: Q(m, "month")),
        st.floats(min_value=0.01, max_value=130).map(lambda y: Q(y, "year")),
    ),
    st.one_of(st.integers(min_value=1, max_value=400), st.floats(min_value=1e-3, max_value=400)),
)
def test_a_child_is_never_stated_at_or_above_the_age_adults_start_from(
    adult_from: Any, days_below: float
) -> None:
    days = max(0.0, adult_from.m_as("day") - days_below)
    assessment = assess(
        "ciclosporin", Patient(Q(days, "day"), "30 kg"), phase=Phase.ACUTE, adult_from=adult_from
    )
    assert assessment.population is Population.CHILD
    assert assessment.dose.fallback is not None
    stated = years_in(assessment.dose.fallback, "at")
    threshold = years_in(assessment.population_basis, "from")
    assert stated <= days / 365.25 + 1e-9, assessment.dose.fallback
    assert stated < threshold, assessment.dose.fallback
    # The threshold as given: exactly, or in days to within a relative 1e-9 or 6 decimals.
    assert threshold == pytest.approx(adult_from.m_as("year"), rel=1.01e-9, abs=0.51e-6 / 365.25)


@pytest.mark.parametrize(
    ("age", "adult_from", "population"),
    [
        (Q(18, "year"), None, Population.ADULT),
        (Q(216, "month"), None, Population.ADULT),
        (Q(215, "month"), None, Population.CHILD),
        ("17.9 years", None, Population.CHILD),
        (Q(0, "year"), None, Population.CHILD),
        (Q(90, "year"), None, Population.ADULT),
        (Q(16, "year"), Q(16, "year"), Population.ADULT),
        (Q(15, "year"), Q(16, "year"), Population.CHILD),
        (Q(20, "year"), "21 years", Population.CHILD),
        (Q(20, "year"), Q(240, "month"), Population.ADULT),
    ],
    ids=str,
)
def test_population_for_an_age(age: Any, adult_from: Any, population: Population) -> None:
    assert population_for(age, adult_from=adult_from) is population


@pytest.mark.parametrize(
    ("age", "adult_from"),
    [(16, None), (Q(16, "kg"), None), (Q(-1, "year"), None), (Q(16, "year"), "16"), ("x", None)],
    ids=str,
)
def test_population_for_refuses_a_bad_age(age: Any, adult_from: Any) -> None:
    with pytest.raises(DoseInputError):
        population_for(age, adult_from=adult_from)


def test_a_bad_adult_from_is_refused_by_assess() -> None:
    with pytest.raises(DoseInputError, match="adult_from"):
        assess("ciclosporin", adult(), adult_from=Q(16, "kg"))


def test_an_adult_of_70_kg_in_an_acute_flare_gets_280_to_350_mg_a_day() -> None:
    assessment = assess("ciclosporin", adult(), phase=Phase.ACUTE)
    assert assessment.regimen.phase is Phase.ACUTE
    assert assessment.dose.low.m_as("mg/day") == 280.0
    assert assessment.dose.high.m_as("mg/day") == 350.0
    assert assessment.dose.fallback is None


def test_an_adult_of_70_kg_long_term_gets_175_to_210_mg_a_day() -> None:
    assessment = assess("ciclosporin", adult(), phase=Phase.LONG_TERM)
    assert assessment.regimen.phase is Phase.LONG_TERM
    assert assessment.dose.low.m_as("mg/day") == 175.0
    assert assessment.dose.high.m_as("mg/day") == 210.0


@pytest.mark.parametrize("phase", [Phase.ACUTE, Phase.LONG_TERM], ids=str)
def test_a_child_with_a_phase_gets_the_childrens_range_and_a_note_saying_so(phase: Phase) -> None:
    assessment = assess("ciclosporin", Patient(Q(12, "year"), Q(35, "kg")), phase=phase)
    assert assessment.population is Population.CHILD
    assert assessment.regimen.phase is None
    assert assessment.dose.fallback is not None
    assert str(phase) in assessment.dose.fallback
    assert assessment.dose.low.m_as("mg/day") == 87.5


def test_a_bad_phase_is_refused() -> None:
    with pytest.raises(ArgumentTypeError, match="phase"):
        assess("ciclosporin", adult(), phase="acute")  # type: ignore[arg-type]


# -- the patient -----------------------------------------------------------------------------

GOOD_WEIGHT = Q(70, "kg")
GOOD_AGE = Q(40, "year")

BAD_AGES: list[object] = [
    Q(-1, "year"),
    Q(131, "year"),
    Q(40, "kg"),
    Q(40, "m"),
    40,
    40.0,
    "40",
    "forty years",
    "40 flibbertigibbets",
    "",
    None,
    Q(np.array([40.0]), "year"),
]


@pytest.mark.parametrize("age", BAD_AGES, ids=repr)
def test_a_patient_with_a_bad_age_is_refused(age: object) -> None:
    # Nothing is a wrong type; a quantity or a string that cannot be an age is a wrong value.
    expected = ArgumentTypeError if age is None else DoseInputError
    with pytest.raises(expected, match=r"^age") as caught:
        Patient(age, GOOD_WEIGHT)  # type: ignore[arg-type]
    assert caught.value.argument == "age"


BAD_WEIGHTS: list[object] = [
    Q(70, "year"),
    Q(70, "m"),
    70,
    70.0,
    "70",
    Q(0, "kg"),
    Q(-70, "kg"),
    "seventy kg",
    None,
    Q(np.array([70.0]), "kg"),
    Q(np.array([70.0, 80.0]), "kg"),
]


@pytest.mark.parametrize("weight", BAD_WEIGHTS, ids=repr)
def test_a_patient_with_a_bad_weight_is_refused(weight: object) -> None:
    expected = ArgumentTypeError if weight is None else DoseInputError
    with pytest.raises(expected, match=r"^weight") as caught:
        Patient(GOOD_AGE, weight)  # type: ignore[arg-type]
    assert caught.value.argument == "weight"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("pregnant", "yes"),
        ("pregnant", 1),
        ("pregnant", 0),
        ("pregnant", None),
        ("phototherapy", {UVA}),
        ("phototherapy", [UVA]),
        ("phototherapy", (UVA,)),
        ("phototherapy", UVA),
        ("phototherapy", frozenset({"UVA"})),
        ("phototherapy", frozenset({UVA, "PUVA"})),
        ("phototherapy", None),
        ("co_medications", [SIMVASTATIN]),
        ("co_medications", SIMVASTATIN),
        ("co_medications", ("simvastatin",)),
        ("co_medications", (SIMVASTATIN, "digoxin")),
        ("co_medications", None),
    ],
    ids=repr,
)
def test_a_patient_with_a_fact_of_the_wrong_type_is_refused(field: str, value: object) -> None:
    facts: dict[str, Any] = {field: value}
    with pytest.raises(ArgumentTypeError, match=rf"^{field}") as caught:
        Patient(GOOD_AGE, GOOD_WEIGHT, **facts)
    assert caught.value.argument == field


@pytest.mark.parametrize(
    ("name", "pathways"),
    [
        ("", frozenset()),
        ("   ", frozenset()),
        (None, frozenset()),
        (5, frozenset()),
        ("simvastatin", {"CYP3A4"}),
        ("simvastatin", frozenset({"CYP3A4"})),
        ("simvastatin", {CYP3A4}),
        ("simvastatin", [CYP3A4]),
        ("simvastatin", CYP3A4),
        ("simvastatin", None),
    ],
    ids=repr,
)
def test_a_bad_co_medication_is_refused(name: object, pathways: object) -> None:
    # A blank name is a bad value (InputError); everything else here is a wrong type.
    expected = InputError if isinstance(name, str) and not name.strip() else ArgumentTypeError
    with pytest.raises(expected) as raised:
        CoMedication(name, pathways)  # type: ignore[arg-type]
    if expected is InputError:  # before: "got ''" for spaces, which the caller did not write
        assert str(raised.value) == (
            "name: expected a medicine name, got an empty one (or spaces only)"
        )


def test_age_and_weight_may_be_given_as_strings() -> None:
    patient = Patient("12 years", "35 kg")
    assert patient.age.m_as("year") == 12.0
    assert patient.weight.m_as("kg") == 35.0
    assert patient == Patient(Q(12, "year"), Q(35, "kg"))


def test_a_patient_is_frozen() -> None:
    patient = adult()
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        patient.pregnant = True  # type: ignore[misc]
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        patient.co_medications = (SIMVASTATIN,)  # type: ignore[misc]
    with pytest.raises(AttributeError):
        patient.age = Q(12, "year")  # type: ignore[misc]


def test_changing_a_handed_out_age_or_weight_changes_nothing_in_the_patient() -> None:
    patient = adult()
    age = patient.age
    age.ito("month")
    assert age.magnitude == 480
    assert patient.age.magnitude == 40
    assert str(patient.age.units) == "year"
    weight = patient.weight
    weight.ito("g")
    assert patient.weight.magnitude == 70


def test_changing_the_callers_quantity_afterwards_changes_nothing_in_the_patient() -> None:
    age, weight = Q(12, "year"), Q(35, "kg")
    patient = Patient(age, weight)
    age.ito("month")
    weight.ito("g")
    assert patient.age.m_as("year") == 12.0
    assert patient.weight.m_as("kg") == 35.0
    assert assess("ciclosporin", patient).population is Population.CHILD


@pytest.mark.parametrize(
    ("age", "population"),
    [
        (Q(np.int64(17), "year"), Population.CHILD),
        (Q(np.float32(18.5), "year"), Population.ADULT),
        (Q(np.array(16.0), "year"), Population.CHILD),
        (Q(np.array(216), "month"), Population.ADULT),
    ],
)
def test_a_patient_may_be_given_an_age_of_one_numpy_number(
    age: Any, population: Population
) -> None:
    # Before: "age: expected one real number with a unit ..., got a magnitude of type int64".
    assessment = assess("ciclosporin", Patient(age, "60 kg"))
    assert assessment.population is population
    assert assessment.licensed is True


def test_a_patient_of_0_d_arrays_hashes_and_equals_the_same_patient_of_floats() -> None:
    # Before: accepted, but hash() raised TypeError (an unhashable 0-d array was kept).
    age: Any = Q(np.array(30.0), "year")  # QuantityLike names float and int magnitudes only
    weight: Any = Q(np.array(70.0), "kg")
    arrays = Patient(age, weight)
    floats = Patient("30 years", Q(70.0, "kg"))
    assert arrays == floats
    assert hash(arrays) == hash(floats)
    assert not isinstance(arrays.weight.magnitude, np.ndarray)
    assert not isinstance(arrays.age.magnitude, np.ndarray)
    assert arrays.weight.magnitude == 70.0
    assert hash(assess("ciclosporin", arrays)) == hash(assess("ciclosporin", floats))
    assert Patient("30 years", weight * 71 / 70) != floats


def test_patients_with_the_same_facts_are_equal() -> None:
    a = Patient(Q(40, "year"), Q(70, "kg"), pregnant=True, co_medications=(DIGOXIN,))
    b = Patient("40 years", "70 kg", pregnant=True, co_medications=(DIGOXIN,))
    assert a == b
    assert hash(a) == hash(b)
    assert a != Patient(Q(40, "year"), Q(70, "kg"), pregnant=False, co_medications=(DIGOXIN,))
    assert a != Patient(Q(41, "year"), Q(70, "kg"), pregnant=True, co_medications=(DIGOXIN,))
    assert a != Patient(Q(40, "year"), Q(71, "kg"), pregnant=True, co_medications=(DIGOXIN,))


#: Units of mass with their factor to g, and of time with their factor to days, by hand.
_GRAMS_PER = {"kg": 1000, "g": 1, "mg": 0.001}
_DAYS_PER = {"week": 7, "day": 1}


@settings(max_examples=300, deadline=None)
@given(
    grams=st.integers(200_000, 700_000),
    days=st.integers(1, 36_500),
    mass=st.sampled_from(["kg", "g", "mg"]),
    time=st.sampled_from(["day", "week"]),
)
def test_the_same_patient_in_other_units_is_equal_and_hashes_alike(
    grams: int, days: int, mass: str, time: str
) -> None:
    """Before: equal patients in g and kg hashed differently (687 of 2,062 pairs), so sets
    kept both and dictionaries missed them.  Now both compare and hash by their facts."""
    in_kg = Patient(Q(days, "day"), Q(grams / 1000, "kg"))
    weight = Q(grams / _GRAMS_PER[mass], mass)
    age = Q(days / _DAYS_PER[time], time) if days % _DAYS_PER[time] == 0 else Q(days, "day")
    other = Patient(age, weight)
    assert other == in_kg
    assert hash(other) == hash(in_kg)
    assert len({other, in_kg}) == 1
    assert pickle.loads(pickle.dumps(other)) == in_kg
    assert hash(pickle.loads(pickle.dumps(other))) == hash(in_kg)


def test_a_patient_in_a_registry_of_its_own_equals_and_hashes_as_in_the_application_registry() -> (
    None
):
    own: pint.UnitRegistry[float] = pint.UnitRegistry()
    mine = Patient(own.Quantity(30, "year"), own.Quantity(70, "kg"))
    theirs = Patient("30 years", "70000 g")
    assert mine == theirs
    assert hash(mine) == hash(theirs)
    assert mine != Patient("30 years", "70001 g")
    assert (mine == "30 years") is False


def test_patients_and_orders_compare_by_class_and_facts_with_both_operators() -> None:
    same, other = Patient("30 years", "70 kg"), Patient("30 years", "70000 g")
    heavier = Patient("30 years", "71 kg")
    assert (same == other, same != other) == (True, False)
    assert (same == heavier, same != heavier) == (False, True)
    assert hash(same) == hash(other)
    assert hash(same) != hash(heavier)
    assert (same == "30 years", same != "30 years") == (False, True)
    order, in_grams = ae_systemic.Prescription("150 mg", 2), ae_systemic.Prescription("0.15 g", 2)
    thrice = ae_systemic.Prescription("150 mg", 3)
    assert (order == in_grams, order != in_grams) == (True, False)
    assert (order == thrice, order != thrice) == (False, True)
    assert hash(order) == hash(in_grams)
    assert hash(order) != hash(thrice)
    assert (same == order, same != order, order == same) == (False, True, False)

    class Subclassed(Patient):
        """A caller's subclass: equal facts, but not the same kind of value (as attrs has it)."""

    assert (Subclassed("30 years", "70 kg") == same, same == Subclassed("30 years", "70 kg")) == (
        False,
        False,
    )


@pytest.mark.parametrize("patient", [None, {"age": "40 years", "weight": "70 kg"}, (40, 70)])
def test_assess_refuses_anything_but_a_patient(patient: object) -> None:
    with pytest.raises(ArgumentTypeError, match=r"^patient"):
        assess("ciclosporin", patient)  # type: ignore[arg-type]


def test_assess_refuses_an_unknown_drug() -> None:
    with pytest.raises(UnknownDrugError):
        assess("tacrolimus", adult())


@pytest.mark.parametrize("drug", [None, 5, b"ciclosporin"])
def test_assess_refuses_a_drug_that_is_neither_a_drug_nor_a_name(drug: object) -> None:
    with pytest.raises(ArgumentTypeError, match=r"^drug"):
        assess(drug, adult())  # type: ignore[arg-type]


# -- property --------------------------------------------------------------------------------

DAYS_IN_16_YEARS = 16 * 365.25  # pint's year is 365.25 days
DAYS_IN_18_YEARS = 18 * 365.25

# Ages with their age in days, exact for whole days and months; float years are kept away
# from the 16- and 18-year boundaries by far more than rounding could move them.
ages = st.one_of(
    st.integers(min_value=0, max_value=36525).map(lambda d: (Q(d, "day"), float(d))),
    st.integers(min_value=0, max_value=1200).map(lambda m: (Q(m, "month"), m * 365.25 / 12)),
    st.floats(min_value=0, max_value=100)
    .filter(lambda y: abs(y - 16) > 1e-9 and abs(y - 18) > 1e-9)
    .map(lambda y: (Q(y, "year"), y * 365.25)),
)
co_medications = st.builds(
    CoMedication,
    st.sampled_from(["simvastatin", "digoxin", "repaglinide", "paracetamol", "Tacrolimus"]),
    st.frozensets(st.sampled_from(list(Pathway))),
)


@settings(max_examples=80, deadline=None)
@given(
    ages,
    st.floats(min_value=2, max_value=200),
    st.frozensets(st.sampled_from(list(Phototherapy))),
    st.booleans(),
    st.lists(co_medications, max_size=4),
)
def test_any_patient_gets_well_ordered_findings(
    age: tuple[Any, float],
    kg: float,
    phototherapy: frozenset[Phototherapy],
    pregnant: bool,
    medicines: list[CoMedication],
) -> None:
    quantity, days = age
    patient = Patient(quantity, Q(kg, "kg"), pregnant, phototherapy, tuple(medicines))
    assessment = assess("ciclosporin", patient)
    kinds = [f.kind for f in assessment.findings]
    order = list(FindingKind)
    assert [order.index(k) for k in kinds] == sorted(order.index(k) for k in kinds)
    assert kinds.count(K.MONITORING) == 1
    assert kinds.count(K.SCREENING) == 1
    assert kinds.count(K.RECOMMENDED_COMBINATION) == 2
    assert (K.OFF_LABEL in kinds) is (days < DAYS_IN_16_YEARS)
    assert assessment.licensed is (days >= DAYS_IN_16_YEARS)
    expected_population = Population.ADULT if days >= DAYS_IN_18_YEARS else Population.CHILD
    assert assessment.population is expected_population
    assert kinds.count(K.CONTRAINDICATED_COMBINATION) == len(phototherapy)
    assert kinds.count(K.PREGNANCY) == (4 if pregnant else 0)
    assert kinds.count(K.INTERACTION) == len({m for m in medicines if m.pathways})
    assert len(set(assessment.findings)) == len(assessment.findings)
    known = {r.number for r in csa().references}
    for finding in assessment.findings:
        assert finding.message[:1].isupper()
        assert set(finding.references) <= known


@pytest.mark.parametrize(
    ("name", "start"),
    [
        ("paracetamol", "Paracetamol was given"),
        ("the medicine of order 7", "The medicine of order 7 was given"),
        ("evil.com/x", "evil.com/x was given"),
        ("http://snomed.info/sct|372756006", "http://snomed.info/sct|372756006 was given"),
        ("mTOR inhibitor", "mTOR inhibitor was given"),
        ("5-FU", "5-FU was given"),
    ],
)
def test_a_finding_capitalises_a_medicine_name_only_when_it_is_a_word(
    name: str, start: str
) -> None:
    """A name from a record may be a code or an address: "Http://..." would misquote it."""
    found = ae_systemic.assess(csa(), adult(co_medications=(CoMedication(name),))).findings
    (finding,) = [f for f in found if f.kind is K.INTERACTION_NOT_CHECKED]
    assert finding.message.startswith(start + " without the pathways")


@pytest.mark.parametrize(
    "name", ["x\n- safety: none needed", "x\x1b[2J", "x\u202eevil", "x\r\ny"], ids=repr
)
def test_a_medicine_name_that_would_act_is_shown_quoted_and_escaped(name: str) -> None:
    """A line break in it would forge a line of the report; an escape would act on a terminal."""
    medicines = (CoMedication(name, frozenset({OATP})), CoMedication(name))
    patient = Patient("30 years", "70 kg", co_medications=medicines)
    result = assess("ciclosporin", patient)
    text = str(result)
    assert "- safety: none needed" not in text.splitlines()[3:]  # no line of its own
    assert "\x1b" not in text
    assert "\u202e" not in text
    assert f"{name!r} is a substrate of OATP" in text
    assert f"{name!r} was given without the pathways" in text
    report = assessment_report(result, patient, ae_systemic.drug("ciclosporin"))
    assert f"takes {name!r} (OATP)" in report
    assert "\x1b" not in report


def test_a_plain_medicine_name_is_shown_as_it_is() -> None:
    patient = Patient("30 years", "70 kg", co_medications=(CoMedication("medicine X, 5 mg"),))
    text = str(assess("ciclosporin", patient))
    assert "edicine X, 5 mg was given without" in text  # its sentence capitalises it
    assert "'medicine X" not in text
