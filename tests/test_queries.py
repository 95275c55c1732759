"""Queries: the recommendations and the network meta-analysis evidence, filtered."""

from __future__ import annotations

from typing import Any

import pytest

import ae_systemic
from ae_systemic import (
    ArgumentTypeError,
    Certainty,
    DoseLevel,
    Outcome,
    Strength,
    UnknownDrugError,
    evidence,
    recommendations,
)

# The source's evidence table: short term (up to 16 weeks) vs placebo, standardised mean
# difference with its interval and GRADE certainty.
TABLE = {
    (DoseLevel.HIGHER, Outcome.SIGNS): (-1.0, -1.6, -0.4, Certainty.MODERATE),
    (DoseLevel.HIGHER, Outcome.QUALITY_OF_LIFE): (-0.7, -1.3, -0.1, Certainty.MODERATE),
    (DoseLevel.HIGHER, Outcome.ITCH): (-0.7, -1.5, 0.2, Certainty.LOW),
    (DoseLevel.LOWER, Outcome.SIGNS): (-0.7, -1.4, -0.1, Certainty.MODERATE),
    (DoseLevel.LOWER, Outcome.QUALITY_OF_LIFE): (-0.5, -1.1, 0.2, Certainty.LOW),
    (DoseLevel.LOWER, Outcome.ITCH): (-0.7, -1.6, 0.3, Certainty.LOW),
}


# -- recommendations --------------------------------------------------------------------------


def test_ciclosporin_has_four_recommendations_in_order() -> None:
    found = recommendations("ciclosporin")
    assert isinstance(found, tuple)
    assert [r.number for r in found] == [1, 2, 3, 4]
    assert "disease control" in found[0].statement
    assert "higher" in found[1].statement
    assert "blood pressure" in found[2].statement
    assert "emollients" in found[3].statement


def test_the_three_boxed_recommendations_are_strong_for() -> None:
    found = recommendations("ciclosporin", strength=Strength.STRONG_FOR)
    assert isinstance(found, tuple)
    assert [r.number for r in found] == [1, 2, 3]
    assert all(r.strength is Strength.STRONG_FOR for r in found)


@pytest.mark.parametrize(
    "strength",
    [Strength.WEAK_FOR, Strength.OPEN, Strength.WEAK_AGAINST, Strength.STRONG_AGAINST],
    ids=lambda s: s.name,
)
def test_no_recommendation_has_any_other_strength(strength: Strength) -> None:
    assert recommendations("ciclosporin", strength=strength) == ()


def test_strength_none_means_no_filter() -> None:
    assert recommendations("ciclosporin", strength=None) == recommendations("ciclosporin")


# -- evidence -------------------------------------------------------------------------------------


def test_all_six_estimates_without_a_filter() -> None:
    found = evidence("ciclosporin")
    assert isinstance(found, tuple)
    assert {(e.dose_level, e.outcome) for e in found} == set(TABLE)
    assert len(found) == 6


@pytest.mark.parametrize("outcome", list(Outcome), ids=lambda o: o.name)
def test_each_outcome_has_a_higher_and_a_lower_dose_estimate(outcome: Outcome) -> None:
    found = evidence("ciclosporin", outcome=outcome)
    assert isinstance(found, tuple)
    assert len(found) == 2
    assert all(e.outcome is outcome for e in found)
    assert {e.dose_level for e in found} == {DoseLevel.HIGHER, DoseLevel.LOWER}


@pytest.mark.parametrize("dose_level", list(DoseLevel), ids=lambda d: d.name)
def test_each_dose_level_has_signs_quality_of_life_and_itch(dose_level: DoseLevel) -> None:
    found = evidence("ciclosporin", dose_level=dose_level)
    assert isinstance(found, tuple)
    assert len(found) == 3
    assert all(e.dose_level is dose_level for e in found)
    assert {e.outcome for e in found} == set(Outcome)


@pytest.mark.parametrize(
    ("dose_level", "outcome"), list(TABLE), ids=lambda x: x.name if hasattr(x, "name") else str(x)
)
def test_both_filters_give_the_one_estimate_printed_in_the_source(
    dose_level: DoseLevel, outcome: Outcome
) -> None:
    found = evidence("ciclosporin", outcome=outcome, dose_level=dose_level)
    assert isinstance(found, tuple)
    (estimate,) = found
    assert (estimate.estimate, estimate.ci_low, estimate.ci_high, estimate.certainty) == TABLE[
        (dose_level, outcome)
    ]
    assert estimate.comparator == "placebo"
    assert estimate.max_weeks == 16
    assert estimate.references == (1, 2)


def test_lower_dose_itch_is_minus_0_7_from_minus_1_6_to_0_3_low() -> None:
    (itch,) = evidence("ciclosporin", outcome=Outcome.ITCH, dose_level=DoseLevel.LOWER)
    assert (itch.estimate, itch.ci_low, itch.ci_high) == (-0.7, -1.6, 0.3)
    assert itch.certainty is Certainty.LOW


# -- the drug --------------------------------------------------------------------------------------


@pytest.mark.parametrize("drug", ["ciclosporin", "CsA", " cyclosporine ", "CICLOSPORIN"])
def test_the_drug_may_be_named_by_any_synonym(drug: str) -> None:
    csa = ae_systemic.drug("ciclosporin")
    assert recommendations(drug) == csa.recommendations
    assert evidence(drug) == csa.evidence
    assert recommendations(drug, strength=Strength.STRONG_FOR) == recommendations(
        csa, strength=Strength.STRONG_FOR
    )
    assert evidence(drug, outcome=Outcome.SIGNS) == evidence(csa, outcome=Outcome.SIGNS)


def test_a_drug_object_is_accepted() -> None:
    csa = ae_systemic.drug("ciclosporin")
    assert [r.number for r in recommendations(csa)] == [1, 2, 3, 4]
    assert len(evidence(csa, dose_level=DoseLevel.HIGHER)) == 3


@pytest.mark.parametrize("drug", [None, 5, b"ciclosporin", ["ciclosporin"]], ids=repr)
def test_a_drug_that_is_neither_a_drug_nor_a_name_is_refused(drug: object) -> None:
    with pytest.raises(ArgumentTypeError, match=r"^drug"):
        recommendations(drug)  # type: ignore[arg-type]
    with pytest.raises(ArgumentTypeError, match=r"^drug"):
        evidence(drug)  # type: ignore[arg-type]


@pytest.mark.parametrize("drug", ["tacrolimus", "", "ciclosporin A"])
def test_an_unknown_drug_is_refused(drug: str) -> None:
    with pytest.raises(UnknownDrugError):
        recommendations(drug)
    with pytest.raises(UnknownDrugError):
        evidence(drug)


# -- bad filters ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "strength", ["strong-for", "↑↑", 1, True, Outcome.ITCH, Certainty.HIGH], ids=repr
)
def test_a_strength_that_is_not_a_strength_is_refused(strength: Any) -> None:
    with pytest.raises(ArgumentTypeError, match=r"^strength"):
        recommendations("ciclosporin", strength=strength)


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"outcome": "itch"}, "outcome"),
        ({"outcome": 1}, "outcome"),
        ({"outcome": DoseLevel.LOWER}, "outcome"),
        ({"dose_level": "lower"}, "dose_level"),
        ({"dose_level": 1}, "dose_level"),
        ({"dose_level": Outcome.ITCH}, "dose_level"),
        ({"outcome": Outcome.ITCH, "dose_level": "higher"}, "dose_level"),
    ],
    ids=repr,
)
def test_an_evidence_filter_of_the_wrong_kind_is_refused(kwargs: dict[str, Any], name: str) -> None:
    with pytest.raises(ArgumentTypeError, match=rf"^{name}"):
        evidence("ciclosporin", **kwargs)
