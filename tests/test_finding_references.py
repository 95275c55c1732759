"""The references of every finding, asserted exactly.

In the packaged ciclosporin content the source prints no reference for the licence, the
interactions, the combinations, the monitoring and the screening, so those findings carry
the empty tuple (asserted below, kind by kind).  That alone could not tell a finding built
without its statement's references from one built with them; the synthetic drug below
(made-up test data: ciclosporin's content renamed, with reference numbers from its list
attached where the source has none) can: every finding must carry exactly the references
of the statement it comes from.
"""

from __future__ import annotations

import datetime

import attrs
import pint
import pytest

import ae_systemic
from ae_systemic import (
    CoMedication,
    Drug,
    FindingKind,
    Pathway,
    Patient,
    Phototherapy,
    Prescription,
    assess,
)

APP: pint.UnitRegistry[float] = pint.get_application_registry()  # type: ignore[no-untyped-call]
Q = APP.Quantity
K = FindingKind
CSA = ae_systemic.drug("ciclosporin")

#: Made-up references per statement (numbers from ciclosporin's list, attached for the test).
LICENCE_REFS = (1,)
INTERACTION_REFS = {Pathway.CYP3A4: (7, 2), Pathway.P_GP: (3,), Pathway.OATP: (2, 9)}
COMBINATION_REFS = {
    "emollients": (6,),
    "topical anti-inflammatory treatment": (8, 10),
    "UVA": (5,),
    "UVB": (11,),
    "PUVA": (12, 13),
}
MONITORING_REFS = (4,)
SCREENING_REFS = (13,)
REGIMEN_REFS = (1, 2)


def cited_drug() -> Drug:
    """Ciclosporin's content renamed, every statement citing made-up references."""
    return attrs.evolve(
        CSA,
        name="Examplocitin",
        synonyms=(),
        atc=None,
        licence=attrs.evolve(CSA.licence, references=LICENCE_REFS),
        interactions=tuple(
            attrs.evolve(i, references=INTERACTION_REFS[i.pathway]) for i in CSA.interactions
        ),
        combinations=tuple(
            attrs.evolve(c, references=COMBINATION_REFS[c.therapy]) for c in CSA.combinations
        ),
        monitoring=attrs.evolve(CSA.monitoring, references=MONITORING_REFS),
        screening=attrs.evolve(CSA.screening, references=SCREENING_REFS),
        regimens=tuple(attrs.evolve(r, references=REGIMEN_REFS) for r in CSA.regimens),
    )


CITED = cited_drug()
EVERYTHING = Patient(
    Q(15, "year"),
    Q(50, "kg"),
    pregnant=True,
    phototherapy=frozenset({Phototherapy.UVA, Phototherapy.UVB, Phototherapy.PUVA}),
    co_medications=(
        CoMedication("Digoxin", frozenset({Pathway.P_GP})),
        CoMedication("Atorvastatin", frozenset({Pathway.OATP, Pathway.CYP3A4})),
        CoMedication("Paracetamol"),
    ),
)


def refs_of(drug: Drug, patient: Patient) -> list[tuple[FindingKind, tuple[int, ...]]]:
    return [(f.kind, f.references) for f in assess(drug, patient).findings]


def test_every_finding_carries_exactly_its_statements_references() -> None:
    pregnancy = [
        s.references
        for p in CSA.special_populations
        if p.group == "pregnancy"
        for s in p.statements
    ]
    children = [
        s.references
        for p in CSA.special_populations
        if p.group == "children and adolescents"
        for s in p.statements
    ]
    assert refs_of(CITED, EVERYTHING) == [
        (K.OFF_LABEL, LICENCE_REFS),
        (K.AVOID_COMBINATION, (5,)),
        (K.AVOID_COMBINATION, (11,)),
        (K.AVOID_COMBINATION, (12, 13)),
        (K.INTERACTION, (3,)),
        # Atorvastatin shares CYP3A4 (7, 2) and OATP (2, 9): each number once, in order.
        (K.INTERACTION, (2, 7, 9)),
        (K.INTERACTION_NOT_CHECKED, ()),
        *((K.PREGNANCY, r) for r in pregnancy),
        *((K.CHILDREN, r) for r in children),
        *((K.SAFETY, s.references) for s in CSA.safety),
        (K.MONITORING, MONITORING_REFS),
        (K.SCREENING, SCREENING_REFS),
        (K.RECOMMENDED_COMBINATION, (6,)),
        (K.RECOMMENDED_COMBINATION, (8, 10)),
    ]


@pytest.mark.parametrize(
    ("amount", "kind"), [("500 mg", K.DOSE_ABOVE_RANGE), ("10 mg", K.DOSE_BELOW_RANGE)]
)
def test_dose_findings_carry_the_references_of_the_regimen(amount: str, kind: FindingKind) -> None:
    adult = Patient(Q(30, "year"), Q(70, "kg"))
    prescription = Prescription(amount, frequency=1, period="1 day")
    findings = assess(CITED, adult, prescription=prescription).findings
    assert [(f.kind, f.references) for f in findings[:2]] == [
        (kind, REGIMEN_REFS),
        (K.DOSE_FREQUENCY, REGIMEN_REFS),
    ]


def test_the_packaged_findings_cite_nothing_where_the_source_prints_no_reference() -> None:
    refs = dict(refs_of(CSA, EVERYTHING))
    for kind in (
        K.OFF_LABEL,
        K.AVOID_COMBINATION,
        K.INTERACTION,
        K.INTERACTION_NOT_CHECKED,
        K.MONITORING,
        K.SCREENING,
        K.RECOMMENDED_COMBINATION,
    ):
        assert refs[kind] == (), kind
    assert refs[K.CHILDREN] == (3, 5, 13)
    pregnancy = [r for k, r in refs_of(CSA, EVERYTHING) if k is K.PREGNANCY]
    assert pregnancy == [(), (), (14,), (14,)]
    safety = [r for k, r in refs_of(CSA, EVERYTHING) if k is K.SAFETY]
    assert safety == [(), (4, 11, 12), ()]


def test_a_visit_cites_its_references_and_ends_with_its_note() -> None:
    from ae_systemic import Visit

    visit = Visit(datetime.date(2027, 1, 15), "baseline", ("blood pressure",), (4, 8), "A note.")
    assert str(visit) == "15 Jan 2027 (baseline): blood pressure [refs 4, 8]. A note."
    bare = Visit(datetime.date(2027, 1, 15), "baseline", ("blood pressure",))
    assert str(bare) == "15 Jan 2027 (baseline): blood pressure"
    cited = attrs.evolve(CSA, monitoring=attrs.evolve(CSA.monitoring, references=(4,)))
    visits = ae_systemic.monitoring_schedule(cited, datetime.date(2027, 1, 15), months=3)
    assert {v.references for v in visits} == {(4,)}
    assert str(visits[0]).startswith("15 Jan 2027 (baseline): blood pressure, full blood count")
    assert f"[refs 4]. {visits[0].note}" in str(visits[0])


def test_the_interaction_and_combination_findings_word_for_word() -> None:
    patient = Patient(
        Q(30, "year"),
        Q(70, "kg"),
        phototherapy=frozenset({Phototherapy.UVA}),
        co_medications=(CoMedication("Atorvastatin", frozenset({Pathway.CYP3A4, Pathway.OATP})),),
    )
    avoid, interaction = assess(CITED, patient).findings[:2]
    assert avoid.message == (
        "Examplocitin should not be combined with UVA, because of a potentially increased "
        "risk of developing skin cancer."
    )
    assert interaction.message == (
        "Atorvastatin is a substrate of CYP3A4 and OATP; Examplocitin is an inhibitor of "
        "cytochrome P450 3A4 (CYP3A4) and an inhibitor of the organic anion transporters "
        "(OATP). Drugs that are substrates of CYP3A4, P-gp or OATP may reach higher plasma "
        "concentrations when taken together with ciclosporin."
    )


def test_the_recommended_combinations_name_the_drug() -> None:
    findings = assess(CITED, Patient(Q(30, "year"), Q(70, "kg"))).of_kind(K.RECOMMENDED_COMBINATION)
    assert findings[0].message == "Combine Examplocitin with emollients."
    assert findings[1].message.startswith(
        "Combine Examplocitin with topical anti-inflammatory treatment"
    )
