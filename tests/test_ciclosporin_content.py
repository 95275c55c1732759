"""Every fact of the ciclosporin section, against the source's own numbers.

Source: the ciclosporin section of the European (EuroGuiDerm) atopic eczema guideline,
chapter on systemic treatment, conventional immunomodulatory drugs
(``shared/source/000_9a7f73cf19bc6f61.txt`` beside the repository).  The tables below are
copied from it, so that a wrong digit in the packaged data fails a test.  Only the public API
is used.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator

import attrs
import pint
import pytest

import ae_systemic
from ae_systemic import (
    Certainty,
    Comparison,
    ComparisonResult,
    Consensus,
    ConsensusBasis,
    ConsensusBound,
    DoseLevel,
    DoseRate,
    Drug,
    EffectEstimate,
    Measure,
    Outcome,
    Pathway,
    Phase,
    Population,
    Recommendation,
    SpecialPopulation,
    Statement,
    Strength,
)


def _recommendation(csa: Drug, number: int) -> Recommendation:
    found = [r for r in csa.recommendations if r.number == number]
    assert len(found) == 1, f"recommendation {number}: {found}"
    return found[0]


def _population(csa: Drug, word: str) -> SpecialPopulation:
    found = [p for p in csa.special_populations if word in p.group.lower()]
    assert len(found) == 1, f"special population {word!r}: {found}"
    return found[0]


def _comparison(csa: Drug, comparator_word: str, *, head_to_head: bool) -> Comparison:
    found = [
        c
        for c in csa.comparisons
        if comparator_word.lower() in c.comparator.treatment.lower()
        and ("head-to-head" in c.design.lower()) is head_to_head
    ]
    assert len(found) == 1, f"comparison with {comparator_word!r}: {found}"
    return found[0]


def _lower(text: str | None) -> str:
    assert text is not None
    return text.lower()


def _all_statements(csa: Drug) -> Iterator[Statement]:
    yield from csa.mechanism
    yield from csa.efficacy
    yield from csa.safety
    yield from csa.licence.notes
    for population in csa.special_populations:
        yield from population.statements
    for comparison in csa.comparisons:
        yield from comparison.findings


# --- Names ---------------------------------------------------------------------------------

SYNONYMS = ["ciclosporine", "cyclosporine", "cyclosporin", "CsA"]


def test_drug_is_named_ciclosporin_with_its_synonyms(csa: Drug) -> None:
    assert csa.name == "ciclosporin"
    assert set(csa.synonyms) == set(SYNONYMS)
    assert len(csa.synonyms) == len(SYNONYMS)
    assert set(csa.names) == {"ciclosporin", *SYNONYMS}


@pytest.mark.parametrize("name", ["ciclosporin", *SYNONYMS, "CICLOSPORIN", " csa ", "Cyclosporine"])
def test_every_spelling_of_ciclosporin_finds_the_same_drug(name: str) -> None:
    assert ae_systemic.drug(name) is ae_systemic.drug("ciclosporin")


def test_ciclosporin_is_among_the_drugs_of_the_guideline(csa: Drug) -> None:
    assert csa in ae_systemic.drugs()
    assert csa in ae_systemic.guideline().drugs


def test_guideline_is_the_euroguiderm_atopic_eczema_guideline() -> None:
    guideline = ae_systemic.guideline()
    assert "EuroGuiDerm" in guideline.title
    assert "atopic eczema" in guideline.title.lower()
    chapter = guideline.chapter.lower()
    assert "systemic" in chapter
    assert "conventional immunomodulatory" in chapter


# --- Recommendations -----------------------------------------------------------------------


def test_section_has_three_boxed_recommendations_and_one_unboxed_statement(csa: Drug) -> None:
    assert len(csa.recommendations) == 4
    assert sorted(r.number for r in csa.recommendations if r.boxed) == [1, 2, 3]
    assert [r.boxed for r in csa.recommendations].count(False) == 1


@pytest.mark.parametrize("number", [1, 2, 3])
def test_every_boxed_recommendation_is_a_strong_recommendation_for(csa: Drug, number: int) -> None:
    rec = _recommendation(csa, number)
    assert rec.boxed is True
    assert rec.strength is Strength.STRONG_FOR
    assert str(rec.strength) == "↑↑"
    assert rec.strength.wording == "we recommend"


def test_ciclosporin_is_recommended_for_disease_control_in_systemic_candidates(
    csa: Drug,
) -> None:
    statement = _recommendation(csa, 1).statement.lower()
    assert "disease control" in statement
    assert "ciclosporin" in statement
    assert "systemic" in statement


def test_disease_control_recommendation_has_more_than_75_percent_evidence_and_consensus(
    csa: Drug,
) -> None:
    rec = _recommendation(csa, 1)
    assert rec.consensus == Consensus(
        75, ConsensusBound.MORE_THAN, ConsensusBasis.EVIDENCE_AND_CONSENSUS
    )
    assert rec.consensus is not None
    assert str(rec.consensus) == ">75%"
    assert rec.consensus.text == ">75% Evidence and consensus based"


def test_disease_control_recommendation_refers_to_the_evidence_report(csa: Drug) -> None:
    assert "Evidence Report" in (_recommendation(csa, 1).see_also or "")


def test_start_with_higher_doses_for_a_more_rapid_response(csa: Drug) -> None:
    statement = _recommendation(csa, 2).statement.lower()
    assert "higher" in statement
    assert "rapid" in statement
    assert "systemic" in statement


def test_close_follow_up_for_blood_pressure_and_renal_impairment(csa: Drug) -> None:
    statement = _recommendation(csa, 3).statement.lower()
    assert "close" in statement
    assert "blood pressure" in statement
    assert "renal impairment" in statement


@pytest.mark.parametrize("number", [2, 3])
def test_higher_dose_and_follow_up_recommendations_have_100_percent_expert_consensus(
    csa: Drug, number: int
) -> None:
    rec = _recommendation(csa, number)
    assert rec.consensus == Consensus(100, ConsensusBound.EXACTLY, ConsensusBasis.EXPERT_CONSENSUS)
    assert rec.consensus is not None
    assert str(rec.consensus) == "100%"
    assert rec.consensus.text == "100% Expert Consensus"


def test_combining_with_emollients_and_topical_anti_inflammatories_is_unboxed_and_ungraded(
    csa: Drug,
) -> None:
    (rec,) = [r for r in csa.recommendations if not r.boxed]
    statement = rec.statement.lower()
    assert "emollient" in statement
    assert "topical anti-inflammatory" in statement
    assert "whenever needed" in statement
    assert "systemic" in statement
    assert rec.strength is None
    assert rec.consensus is None


def test_recommendations_cite_no_numbered_reference(csa: Drug) -> None:
    assert [r.references for r in csa.recommendations] == [(), (), (), ()]


# --- Network meta-analysis estimates -------------------------------------------------------

# Short term (up to 16 weeks) vs placebo, NMA 2022 (refs 1, 2); SMD (95% CI).
NMA: list[tuple[Outcome, DoseLevel, float, float, float, Certainty, bool]] = [
    (Outcome.SIGNS, DoseLevel.HIGHER, -1.0, -1.6, -0.4, Certainty.MODERATE, True),
    (Outcome.QUALITY_OF_LIFE, DoseLevel.HIGHER, -0.7, -1.3, -0.1, Certainty.MODERATE, True),
    (Outcome.ITCH, DoseLevel.HIGHER, -0.7, -1.5, 0.2, Certainty.LOW, False),
    (Outcome.SIGNS, DoseLevel.LOWER, -0.7, -1.4, -0.1, Certainty.MODERATE, True),
    (Outcome.QUALITY_OF_LIFE, DoseLevel.LOWER, -0.5, -1.1, 0.2, Certainty.LOW, False),
    (Outcome.ITCH, DoseLevel.LOWER, -0.7, -1.6, 0.3, Certainty.LOW, False),
]


def _estimate(csa: Drug, outcome: Outcome, level: DoseLevel) -> EffectEstimate:
    found = [e for e in csa.evidence if e.outcome is outcome and e.dose_level is level]
    assert len(found) == 1, f"{level} {outcome}: {found}"
    return found[0]


def test_there_are_six_nma_estimates_one_per_outcome_and_dose_level(csa: Drug) -> None:
    assert len(csa.evidence) == 6
    assert {(e.outcome, e.dose_level) for e in csa.evidence} == {(o, d) for o, d, *_ in NMA}


@pytest.mark.parametrize(
    ("outcome", "level", "estimate", "ci_low", "ci_high", "certainty", "significant"), NMA
)
def test_nma_smd_versus_placebo_matches_the_source(
    csa: Drug,
    outcome: Outcome,
    level: DoseLevel,
    estimate: float,
    ci_low: float,
    ci_high: float,
    certainty: Certainty,
    significant: bool,
) -> None:
    found = _estimate(csa, outcome, level)
    assert (found.estimate, found.ci_low, found.ci_high) == (estimate, ci_low, ci_high)
    assert found.certainty is certainty
    assert found.measure is Measure.SMD
    assert found.comparator == "placebo"
    assert found.max_weeks == 16
    assert found.references == (1, 2)


@pytest.mark.parametrize(
    ("outcome", "level", "estimate", "ci_low", "ci_high", "certainty", "significant"), NMA
)
def test_nma_estimate_is_significant_only_when_its_interval_excludes_zero(
    csa: Drug,
    outcome: Outcome,
    level: DoseLevel,
    estimate: float,
    ci_low: float,
    ci_high: float,
    certainty: Certainty,
    significant: bool,
) -> None:
    assert _estimate(csa, outcome, level).is_significant is significant


def test_nma_certainty_symbols_are_as_printed(csa: Drug) -> None:
    symbols = {(e.outcome, e.dose_level): e.certainty.symbol for e in csa.evidence}
    assert symbols == {
        (Outcome.SIGNS, DoseLevel.HIGHER): "⊕⊕⊕○",
        (Outcome.QUALITY_OF_LIFE, DoseLevel.HIGHER): "⊕⊕⊕○",
        (Outcome.ITCH, DoseLevel.HIGHER): "⊕⊕○○",
        (Outcome.SIGNS, DoseLevel.LOWER): "⊕⊕⊕○",
        (Outcome.QUALITY_OF_LIFE, DoseLevel.LOWER): "⊕⊕○○",
        (Outcome.ITCH, DoseLevel.LOWER): "⊕⊕○○",
    }


def test_nma_is_the_2022_network_meta_analysis(csa: Drug) -> None:
    for estimate in csa.evidence:
        assert "2022" in estimate.analysis
        assert "network meta-analysis" in estimate.analysis.lower()
        assert "placebo" in estimate.analysis.lower()


def test_versus_other_drugs_the_source_refers_to_the_evidence_report(csa: Drug) -> None:
    texts = [s.text for s in _all_statements(csa) if "Evidence Report" in s.text]
    assert any("other drugs" in t for t in texts)


# --- Dosing --------------------------------------------------------------------------------

REGIMENS: list[tuple[Population, Phase | None, float, float]] = [
    (Population.ADULT, None, 2.5, 5.0),
    (Population.ADULT, Phase.ACUTE, 4.0, 5.0),
    (Population.ADULT, Phase.LONG_TERM, 2.5, 3.0),
    (Population.CHILD, None, 2.5, 5.0),
]


def _regimen_rate(csa: Drug, population: Population, phase: Phase | None) -> DoseRate:
    found = [r for r in csa.regimens if r.population is population and r.phase is phase]
    assert len(found) == 1, f"{population} {phase}: {found}"
    assert found[0].doses_per_day == 2
    rate = found[0].rate
    assert rate is not None, "every ciclosporin regimen is a weight-based daily rate"
    return rate


def test_there_are_four_dose_regimens(csa: Drug) -> None:
    assert len(csa.regimens) == 4
    assert {(r.population, r.phase) for r in csa.regimens} == {(p, q) for p, q, _, _ in REGIMENS}


@pytest.mark.parametrize(("population", "phase", "low", "high"), REGIMENS)
def test_every_regimen_is_in_mg_per_kg_per_day_in_two_single_doses(
    csa: Drug, population: Population, phase: Phase | None, low: float, high: float
) -> None:
    rate = _regimen_rate(csa, population, phase)
    assert (rate.low, rate.high) == (low, high)
    assert (rate.amount_unit, rate.body_weight_unit, rate.period) == ("mg", "kg", "day")
    assert rate.unit == "mg/kg/day"


def test_standard_dose_is_2_5_to_5_mg_per_kg_per_day_for_adults(csa: Drug) -> None:
    rate = _regimen_rate(csa, Population.ADULT, None)
    assert (rate.low, rate.high) == (2.5, 5.0)


def test_acute_flare_dose_is_4_to_5_mg_per_kg_per_day_for_adults(csa: Drug) -> None:
    rate = _regimen_rate(csa, Population.ADULT, Phase.ACUTE)
    assert (rate.low, rate.high) == (4.0, 5.0)


def test_long_term_dose_is_2_5_to_3_mg_per_kg_per_day_for_adults(csa: Drug) -> None:
    rate = _regimen_rate(csa, Population.ADULT, Phase.LONG_TERM)
    assert (rate.low, rate.high) == (2.5, 3.0)


def test_commonly_used_dose_is_2_5_to_5_mg_per_kg_per_day_for_children(csa: Drug) -> None:
    rate = _regimen_rate(csa, Population.CHILD, None)
    assert (rate.low, rate.high) == (2.5, 5.0)


def test_children_have_no_phase_specific_dose(csa: Drug) -> None:
    assert [r.phase for r in csa.regimens if r.population is Population.CHILD] == [None]


# --- Licence -------------------------------------------------------------------------------


def test_licensed_from_16_years_of_age(csa: Drug) -> None:
    assert csa.licence.min_age_years == 16


def test_licence_age_is_a_pint_quantity_of_16_years(csa: Drug) -> None:
    registry = pint.get_application_registry()  # type: ignore[no-untyped-call]
    min_age = csa.licence.min_age
    assert isinstance(min_age, pint.Quantity)
    assert min_age == registry.Quantity(16, "year")
    assert min_age == registry.Quantity(192, "month")
    assert min_age != registry.Quantity(15, "year")
    assert min_age.to("month").magnitude == pytest.approx(192)


def test_licence_notes_approval_in_adults_in_many_european_countries(csa: Drug) -> None:
    texts = [n.text.lower() for n in csa.licence.notes]
    assert any("adults" in t and "european" in t for t in texts)


# --- Monitoring and screening --------------------------------------------------------------


def test_monitoring_checks_blood_pressure_blood_count_renal_and_liver_with_ggt(
    csa: Drug,
) -> None:
    checks = [c.lower() for c in csa.monitoring.checks]
    assert len(checks) == 4
    assert "blood pressure" in checks
    assert "full blood count" in checks
    assert any("renal" in c for c in checks)
    (liver,) = [c for c in csa.monitoring.checks if "liver" in c.lower()]
    assert "GGT" in liver


def test_monitoring_at_baseline_4_weeks_then_every_3_months_as_an_example(csa: Drug) -> None:
    monitoring = csa.monitoring
    assert monitoring.at_baseline is True
    assert monitoring.first_follow_up_weeks == 4
    assert monitoring.interval_months == 3
    assert monitoring.schedule_is_example is True
    assert "national guidelines" in monitoring.note.lower()
    assert "e.g. at baseline, 4 weeks and then 3-monthly" in monitoring.note


def test_screening_for_hepatitis_b_c_and_hiv_before_therapy_should_be_considered(
    csa: Drug,
) -> None:
    screening = csa.screening
    assert sorted(screening.tests) == ["HIV", "hepatitis B", "hepatitis C"]
    assert screening.when == "before therapy"
    assert screening.advice == "should be considered"


def test_screening_refers_to_section_8_1(csa: Drug) -> None:
    assert "8.1" in (csa.screening.see_also or "")


# --- Combinations and interactions ---------------------------------------------------------


def test_there_are_five_combination_statements(csa: Drug) -> None:
    assert len(csa.combinations) == 5


def test_combining_with_emollients_is_recommended(csa: Drug) -> None:
    (combination,) = [c for c in csa.combinations if "emollient" in c.therapy.lower()]
    assert combination.advice is ae_systemic.CombinationAdvice.RECOMMENDED
    assert combination.condition is None


def test_combining_with_topical_anti_inflammatories_is_recommended_whenever_needed(
    csa: Drug,
) -> None:
    (combination,) = [
        c for c in csa.combinations if "topical anti-inflammatory" in c.therapy.lower()
    ]
    assert combination.advice is ae_systemic.CombinationAdvice.RECOMMENDED
    assert combination.condition == "whenever needed"


@pytest.mark.parametrize("therapy", ["UVA", "UVB", "PUVA"])
def test_uv_light_is_not_combined_because_of_skin_cancer_risk(csa: Drug, therapy: str) -> None:
    (combination,) = [c for c in csa.combinations if c.therapy == therapy]
    assert combination.advice is ae_systemic.CombinationAdvice.AVOID
    assert "skin cancer" in _lower(combination.reason)


def test_only_uv_light_is_to_be_avoided(csa: Drug) -> None:
    avoided = {
        c.therapy for c in csa.combinations if c.advice is ae_systemic.CombinationAdvice.AVOID
    }
    assert avoided == {"UVA", "UVB", "PUVA"}


def test_ciclosporin_inhibits_cyp3a4_p_gp_and_oatp(csa: Drug) -> None:
    assert len(csa.interactions) == 3
    assert {i.pathway for i in csa.interactions} == {Pathway.CYP3A4, Pathway.P_GP, Pathway.OATP}
    assert {i.role for i in csa.interactions} == {"inhibitor"}


@pytest.mark.parametrize(
    ("pathway", "target_words"),
    [
        (Pathway.CYP3A4, ["CYP3A4"]),
        (Pathway.P_GP, ["P-glycoprotein", "efflux"]),
        (Pathway.OATP, ["organic anion"]),
    ],
)
def test_interaction_raises_plasma_levels_of_co_administered_substrates(
    csa: Drug, pathway: Pathway, target_words: list[str]
) -> None:
    (interaction,) = [i for i in csa.interactions if i.pathway is pathway]
    for word in target_words:
        assert word in interaction.target
    consequence = interaction.consequence.lower()
    assert "substrate" in consequence
    assert "plasma concentration" in consequence
    assert "higher" in consequence or "increase" in consequence


# --- Special populations -------------------------------------------------------------------


def test_children_and_adolescents_benefit_and_tolerate_it_better(csa: Drug) -> None:
    children = _population(csa, "children")
    assert "adolescent" in children.group.lower()
    assert children.references == (3, 5, 13)
    assert any("tolerate" in s.text.lower() for s in children.statements)


def _pregnancy_statement(csa: Drug, *words: str) -> Statement:
    pregnancy = _population(csa, "pregnan")
    found = [s for s in pregnancy.statements if all(w in s.text.lower() for w in words)]
    assert len(found) == 1, f"pregnancy statement with {words}: {found}"
    return found[0]


def test_pregnancy_has_four_statements(csa: Drug) -> None:
    assert len(_population(csa, "pregnan").statements) == 4


def test_ciclosporin_can_be_considered_in_pregnancy_with_severe_eczema(csa: Drug) -> None:
    statement = _pregnancy_statement(csa, "considered", "severe")
    assert "pregnant" in statement.text.lower()


def test_no_increased_malformation_or_fetal_death_in_pregnancy_reported(csa: Drug) -> None:
    statement = _pregnancy_statement(csa, "malformation", "fetal death")
    assert "background" in statement.text.lower()
    assert "no " in statement.text.lower()


def test_low_birthweight_in_pregnancy_cannot_be_ruled_out_ref_14(csa: Drug) -> None:
    statement = _pregnancy_statement(csa, "low birthweight")
    assert statement.references == (14,)


def test_first_choice_where_systemic_therapy_is_needed_throughout_pregnancy_ref_14(
    csa: Drug,
) -> None:
    statement = _pregnancy_statement(csa, "first choice")
    assert "whole pregnancy" in statement.text.lower() or "throughout" in statement.text.lower()
    assert statement.references == (14,)


# --- Head-to-head comparisons --------------------------------------------------------------

HEAD_TO_HEAD: list[tuple[str, ComparisonResult]] = [
    ("methotrexate", ComparisonResult.SUPERIOR),
    ("prednisolone", ComparisonResult.SUPERIOR),
    ("IVIG", ComparisonResult.SUPERIOR),
    ("UVA", ComparisonResult.SUPERIOR),
    ("UVB", ComparisonResult.SUPERIOR),
    ("EC-MPS", ComparisonResult.SIMILAR),
]


def test_there_are_six_head_to_head_comparisons(csa: Drug) -> None:
    assert len([c for c in csa.comparisons if "head-to-head" in c.design.lower()]) == 6


@pytest.mark.parametrize(("comparator", "result"), HEAD_TO_HEAD)
def test_head_to_head_in_adults_ciclosporin_against_comparator(
    csa: Drug, comparator: str, result: ComparisonResult
) -> None:
    comparison = _comparison(csa, comparator, head_to_head=True)
    assert comparison.result is result
    assert comparison.intervention.treatment == "ciclosporin"
    assert comparison.population == "adults"
    assert comparison.references == (9, 10)


def test_similar_efficacy_to_enteric_coated_mycophenolate_sodium(csa: Drug) -> None:
    comparison = _comparison(csa, "EC-MPS", head_to_head=True)
    assert "mycophenolate" in comparison.comparator.treatment.lower()
    assert comparison.result is ComparisonResult.SIMILAR


def test_dupilumab_similarly_effective_with_longer_drug_survival_after_16_months(
    csa: Drug,
) -> None:
    comparison = _comparison(csa, "dupilumab", head_to_head=False)
    # Similar effectiveness, but longer drug survival of dupilumab: a mixed result.
    assert comparison.result is ComparisonResult.MIXED
    # Adult trials in the network meta-analysis; adults and children in A-STAR.
    assert comparison.population.startswith("adults in the network meta-analysis")
    assert "adults and children in the A-STAR register" in comparison.population
    assert comparison.references == (6, 7, 8)
    (a_star,) = [f for f in comparison.findings if f.references == (6,)]
    assert "A-STAR" in a_star.text
    assert "16 weeks" in a_star.text
    (survival,) = [f for f in comparison.findings if f.references == (7, 8)]
    assert "16 months" in survival.text
    assert "survival" in survival.text.lower()
    assert "dupilumab" in survival.text.lower()


def _treat(csa: Drug) -> Comparison:
    found = [c for c in csa.comparisons if c.trial == "TREAT"]
    assert len(found) == 1
    return found[0]


def test_treat_trial_enrolled_103_children_aged_2_to_16_years(csa: Drug) -> None:
    treat = _treat(csa)
    assert treat.participants == 103
    assert "children" in treat.population
    assert "2 to 16 years" in treat.population
    assert "randomised" in treat.design.lower()
    assert "blinded" in treat.design.lower()


def test_treat_trial_compared_ciclosporin_4_mg_per_kg_per_day_with_mtx_0_4_mg_per_kg_per_week(
    csa: Drug,
) -> None:
    treat = _treat(csa)
    assert treat.intervention.treatment == "ciclosporin"
    assert treat.intervention.dose == DoseRate(4.0, 4.0, "mg", "kg", "day")
    assert "methotrexate" in treat.comparator.treatment.lower()
    assert treat.comparator.dose == DoseRate(0.4, 0.4, "mg", "kg", "week")


def test_treat_trial_findings_cite_reference_11(csa: Drug) -> None:
    treat = _treat(csa)
    assert treat.references == (11,)
    assert all(f.references == (11,) for f in treat.findings)
    assert treat.result is ComparisonResult.MIXED


def test_treat_ciclosporin_responded_faster_by_12_weeks(csa: Drug) -> None:
    texts = [f.text.lower() for f in _treat(csa).findings]
    assert any("faster" in t and "12 weeks" in t for t in texts)


def test_treat_methotrexate_superior_later_up_to_week_60_after_stop_at_36_weeks(
    csa: Drug,
) -> None:
    (finding,) = [f for f in _treat(csa).findings if "week 60" in f.text]
    assert "36 weeks" in finding.text
    assert "methotrexate" in finding.text.lower()
    assert "superior" in finding.text.lower()
    assert "EASI" in finding.text
    assert "o-SCORAD" in finding.text


def test_treat_both_drugs_improved_cdlqi_with_no_serious_adverse_events(csa: Drug) -> None:
    (finding,) = [f for f in _treat(csa).findings if "CDLQI" in f.text]
    assert "minimal important difference" in finding.text.lower()
    assert "serious adverse" in finding.text.lower()


def test_treat_no_significant_effect_on_renal_tubular_function(csa: Drug) -> None:
    (finding,) = [f for f in _treat(csa).findings if "tubular" in f.text.lower()]
    assert "biomarker" in finding.text.lower()


def test_higher_dose_5_mg_per_kg_per_day_beats_lower_dose_2_5_to_3_mg_per_kg_per_day(
    csa: Drug,
) -> None:
    found = [
        c
        for c in csa.comparisons
        if c.intervention.treatment.startswith("ciclosporin")
        and c.comparator.treatment.startswith("ciclosporin")
    ]
    assert len(found) == 1
    comparison = found[0]
    assert comparison.intervention.dose == DoseRate(5.0, 5.0, "mg", "kg", "day")
    assert comparison.comparator.dose == DoseRate(2.5, 3.0, "mg", "kg", "day")
    assert comparison.result is ComparisonResult.SUPERIOR
    assert comparison.references == (9,)
    assert "short" in comparison.design.lower()
    (finding,) = comparison.findings
    assert "faster" in finding.text.lower() or "rapid" in finding.text.lower()
    assert "efficacious" in finding.text.lower()


# --- Mechanism, efficacy, safety -----------------------------------------------------------


def test_mechanism_is_nfat_dependent_t_cell_inhibition(csa: Drug) -> None:
    (mechanism,) = csa.mechanism
    assert "NFAT" in mechanism.text
    assert "T cell" in mechanism.text


def test_very_effective_in_children_and_adults_refs_3_to_5(csa: Drug) -> None:
    found = [s for s in csa.efficacy if "children" in s.text and "adults" in s.text]
    assert [s.references for s in found if "tolerate" in s.text] == [(3, 4, 5)]


def test_first_line_option_for_severe_disease_when_novel_therapies_unavailable(
    csa: Drug,
) -> None:
    texts = [s.text.lower() for s in csa.efficacy]
    assert any("first-line" in t and "severe" in t and "novel" in t for t in texts)


def test_long_term_use_is_possible_up_to_1_year_with_limited_evidence_ref_9(csa: Drug) -> None:
    found = [s for s in _all_statements(csa) if "1 year" in s.text]
    assert len(found) == 1
    assert "limited" in found[0].text.lower()
    assert found[0].references == (9,)


def test_narrow_therapeutic_index_needs_blood_pressure_and_renal_follow_up(csa: Drug) -> None:
    (statement,) = [s for s in csa.safety if "therapeutic index" in s.text]
    assert "blood pressure" in statement.text
    assert "renal" in statement.text
    # The source joins the two with "and": the index does not cause the follow-up ("so").
    assert "narrow therapeutic index and needs close follow-up" in statement.text


def test_relevant_creatinine_rise_less_common_than_expected_refs_4_11_12(csa: Drug) -> None:
    (statement,) = [s for s in csa.safety if "creatinine" in s.text]
    assert "less common" in statement.text
    assert "TREAT" in statement.text
    assert statement.references == (4, 11, 12)


def test_oral_hygiene_prevents_gingival_hyperplasia(csa: Drug) -> None:
    (statement,) = [s for s in csa.safety if "gingival hyperplasia" in s.text]
    assert "oral hygiene" in statement.text.lower()


# --- References ----------------------------------------------------------------------------

# number, first author, year, journal citation as printed, a word of the title
REFERENCES: list[tuple[int, str, int, str, str]] = [
    (1, "Drucker AM", 2022, "JAMA Dermatol 2022;158(5):523–32", "Living Systematic Review"),
    (2, "Drucker AM", 2022, "2022", "living systematic review"),
    (3, "Schmitt J", 2007, "J Eur Acad Dermatol Venereol 2007;21(5):606–19", "Cyclosporin"),
    (4, "Seger EW", 2019, "J Am Acad Dermatol 2019;80(2):411–6.e4", "Relative efficacy"),
    (5, "Flohr C", 2023, "Br J Dermatol 2023;189(6):674–84", "TREAT"),
    (6, "Alexander H", 2024, "Br J Dermatol 2024", "A-STAR"),
    (7, "Drucker AM", 2020, "JAMA Dermatol 2020;156(6):659–67", "Network Meta-analysis"),
    (8, "Dal Bello G", 2020, "Dermatol Ther 2020;33(6):e13979", "Drug survival"),
    (9, "Roekevisch E", 2014, "J Allergy Clin Immunol 2014;133(2):429–38", "systematic review"),
    (10, "Goujon C", 2018, "J Allergy Clin Immunol Pract 2018;6(2):562–9.e3", "Noninferiority"),
    (11, "Bruce G", 2024, "Br J Dermatol 2024", "kidney function"),
    (12, "van der Schaft J", 2015, "Acta Derm Venereol 2015;95(8):963–7", "Serum creatinine"),
    (13, "Berth-Jones J", 1996, "J Am Acad Dermatol 1996;34(6):1016–21", "childhood"),
    (14, "Vestergaard C", 2019, "J Eur Acad Dermatol Venereol 2019;33(9):1644–59", "pregnancy"),
]


def test_section_has_14_references_numbered_1_to_14(csa: Drug) -> None:
    assert [r.number for r in csa.references] == list(range(1, 15))


@pytest.mark.parametrize(
    ("number", "first_author", "year", "citation", "title_word"),
    REFERENCES,
    ids=[f"reference-{row[0]}" for row in REFERENCES],  # ASCII ids: see docs/testing.md
)
def test_reference_first_author_year_and_citation_match_the_source(
    csa: Drug, number: int, first_author: str, year: int, citation: str, title_word: str
) -> None:
    reference = csa.reference(number)
    assert reference.number == number
    assert reference.authors.startswith(first_author)
    assert reference.year == year
    assert citation in reference.source
    assert title_word in reference.title


def test_reference_2_is_the_living_review_website_accessed_12_may_2025(csa: Drug) -> None:
    reference = csa.reference(2)
    assert reference.url == "https://eczematherapies.com/research/"
    assert reference.accessed == datetime.date(2025, 5, 12)


def test_only_reference_2_has_a_url_and_access_date(csa: Drug) -> None:
    assert [r.number for r in csa.references if r.url is not None] == [2]
    assert [r.number for r in csa.references if r.accessed is not None] == [2]


def _cited(value: object) -> Iterator[int]:
    """Every reference number cited by a fact below ``value`` (not the reference list)."""
    if isinstance(value, tuple):
        for item in value:
            yield from _cited(item)
        return
    cls = type(value)
    if not attrs.has(cls) or isinstance(value, ae_systemic.Reference):
        return
    for field in attrs.fields(cls):
        item = getattr(value, field.name)
        if (
            field.name == "references"
            and isinstance(item, tuple)
            and all(isinstance(n, int) for n in item)
        ):
            yield from item
        else:
            yield from _cited(item)


def test_the_walker_finds_citations_of_every_kind_of_fact(csa: Drug) -> None:
    assert set(_cited(csa.evidence)) == {1, 2}
    assert set(_cited(csa.special_populations)) == {3, 5, 13, 14}
    assert set(_cited(csa.comparisons)) == {6, 7, 8, 9, 10, 11}
    assert set(_cited(csa.safety)) == {4, 11, 12}


def test_every_cited_reference_number_lies_in_1_to_14(csa: Drug) -> None:
    cited = list(_cited(csa))
    assert cited, "no citations found at all"
    assert all(1 <= n <= 14 for n in cited), sorted(set(cited))


def test_every_one_of_the_14_references_is_cited_by_some_fact(csa: Drug) -> None:
    assert set(_cited(csa)) == set(range(1, 15))
