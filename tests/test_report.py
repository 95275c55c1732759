"""The plain-text report of a drug: a recommendation's strength and consensus, each as stated.

The recommendations changed here belong to synthetic drugs (ciclosporin's content, renamed):
their strength and consensus are test inputs, never clinical content.
"""

from __future__ import annotations

import attrs
import pytest

import ae_systemic
from ae_systemic import Drug, Recommendation, Strength
from ae_systemic._report import drug_report
from synthetic_drugs import synthetic


def _heading(recommendation: Recommendation) -> str:
    """The report's line for ``recommendation`` (its number, strength and consensus)."""
    subject = attrs.evolve(synthetic("Examplumab"), recommendations=(recommendation,))
    report = drug_report(subject, ae_systemic.guideline()).splitlines()
    return report[report.index("Recommendations") + 1]


@pytest.fixture(scope="module")
def unboxed(csa: Drug) -> Recommendation:
    """Ciclosporin's recommendation 4, printed without a box: no strength, no consensus."""
    recommendation = csa.recommendations[3]
    assert (recommendation.number, recommendation.boxed) == (4, False)
    assert recommendation.strength is None
    assert recommendation.consensus is None
    return recommendation


def test_a_recommendation_without_strength_and_consensus_states_neither(
    unboxed: Recommendation,
) -> None:
    assert _heading(unboxed) == "   4. –  strength and consensus not stated"


def test_a_boxed_recommendation_gives_its_strength_and_consensus(csa: Drug) -> None:
    first = csa.recommendations[0]  # ↑↑ we recommend, >75% evidence and consensus based
    assert _heading(first) == "   1. ↑↑ we recommend, consensus >75% Evidence and consensus based"


def test_a_stated_strength_is_kept_when_the_consensus_is_not_stated(
    unboxed: Recommendation,
) -> None:
    weak = attrs.evolve(unboxed, strength=Strength.WEAK_FOR)
    assert _heading(weak) == "   4. ↑  we suggest, consensus not stated"
    assert str(weak).startswith("↑ ")  # as str(Recommendation) gives it


def test_a_stated_consensus_is_kept_when_the_strength_is_not_stated(
    csa: Drug, unboxed: Recommendation
) -> None:
    consensus = csa.recommendations[0].consensus
    assert consensus is not None
    agreed = attrs.evolve(unboxed, consensus=consensus)
    assert _heading(agreed) == (
        "   4. –  strength not stated, consensus >75% Evidence and consensus based"
    )
    assert str(agreed).endswith(f"[{consensus.text}]")  # as str(Recommendation) gives it
