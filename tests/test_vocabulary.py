"""The guideline's vocabulary: strength arrows, GRADE certainty and consensus percentages."""

from __future__ import annotations

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from ae_systemic import (
    Certainty,
    Consensus,
    ConsensusBasis,
    ConsensusBound,
    DataError,
    Strength,
)

# --- Strength of recommendation ------------------------------------------------------------

STRENGTHS: list[tuple[Strength, str, str]] = [
    (Strength.STRONG_FOR, "↑↑", "we recommend"),
    (Strength.WEAK_FOR, "↑", "we suggest"),
    (Strength.OPEN, "0", "we cannot make a recommendation with respect to"),
    (Strength.WEAK_AGAINST, "↓", "we suggest against"),
    (Strength.STRONG_AGAINST, "↓↓", "we recommend against"),
]


@pytest.mark.parametrize(("strength", "symbol", "wording"), STRENGTHS)
def test_strength_is_printed_as_its_guideline_arrow(
    strength: Strength, symbol: str, wording: str
) -> None:
    assert strength.symbol == symbol
    assert str(strength) == symbol


@pytest.mark.parametrize(("strength", "symbol", "wording"), STRENGTHS)
def test_strength_is_read_back_from_its_arrow(
    strength: Strength, symbol: str, wording: str
) -> None:
    assert Strength.from_symbol(symbol) is strength


@pytest.mark.parametrize(("strength", "symbol", "wording"), STRENGTHS)
def test_strength_carries_the_standard_euroguiderm_wording(
    strength: Strength, symbol: str, wording: str
) -> None:
    assert strength.wording == wording


def test_every_strength_has_a_distinct_arrow_and_wording() -> None:
    assert {s for s, _, _ in STRENGTHS} == set(Strength)
    assert len({s.symbol for s in Strength}) == len(Strength)
    assert len({s.wording for s in Strength}) == len(Strength)


@pytest.mark.parametrize(
    ("strength", "is_for", "is_strong"),
    [
        (Strength.STRONG_FOR, True, True),
        (Strength.WEAK_FOR, True, False),
        (Strength.OPEN, None, False),
        (Strength.WEAK_AGAINST, False, False),
        (Strength.STRONG_AGAINST, False, True),
    ],
)
def test_strength_direction_and_force(
    strength: Strength, is_for: bool | None, is_strong: bool
) -> None:
    assert strength.is_for is is_for
    assert strength.is_strong is is_strong


@pytest.mark.parametrize("symbol", ["", "↑↑↑", "↓↓↓", "↑ ↑", "up", "1", "+", "strong-for", "↑↓"])
def test_an_unknown_arrow_is_not_a_strength(symbol: str) -> None:
    with pytest.raises(ValueError, match="not a strength"):
        Strength.from_symbol(symbol)


# --- GRADE certainty -----------------------------------------------------------------------

ASCENDING = [Certainty.VERY_LOW, Certainty.LOW, Certainty.MODERATE, Certainty.HIGH]

CERTAINTY_SYMBOLS: list[tuple[Certainty, str, str]] = [
    (Certainty.HIGH, "⊕⊕⊕⊕", "HIGH"),
    (Certainty.MODERATE, "⊕⊕⊕○", "MODERATE"),
    (Certainty.LOW, "⊕⊕○○", "LOW"),
    (Certainty.VERY_LOW, "⊕○○○", "VERY LOW"),
]


def test_certainty_rises_from_very_low_to_high() -> None:
    assert Certainty.VERY_LOW < Certainty.LOW < Certainty.MODERATE < Certainty.HIGH
    assert Certainty.HIGH > Certainty.MODERATE > Certainty.LOW > Certainty.VERY_LOW
    assert not Certainty.HIGH < Certainty.LOW
    assert not Certainty.LOW > Certainty.MODERATE


def test_certainty_non_strict_comparisons() -> None:
    assert Certainty.LOW <= Certainty.LOW
    assert Certainty.LOW <= Certainty.MODERATE
    assert not Certainty.MODERATE <= Certainty.LOW
    assert Certainty.HIGH >= Certainty.HIGH
    assert Certainty.HIGH >= Certainty.VERY_LOW
    assert not Certainty.VERY_LOW >= Certainty.LOW


def test_sorting_certainties_orders_them_from_very_low_to_high() -> None:
    shuffled = [Certainty.MODERATE, Certainty.HIGH, Certainty.VERY_LOW, Certainty.LOW]
    assert sorted(shuffled) == ASCENDING
    assert sorted(shuffled, reverse=True) == ASCENDING[::-1]
    assert max(shuffled) is Certainty.HIGH
    assert min(shuffled) is Certainty.VERY_LOW


@pytest.mark.parametrize("other", [1, 2.5, "low", "⊕⊕○○", None])
def test_certainty_cannot_be_ordered_against_other_types(other: object) -> None:
    low = Certainty.LOW
    with pytest.raises(TypeError):
        _ = low < other
    with pytest.raises(TypeError):
        _ = low <= other
    with pytest.raises(TypeError):
        _ = low > other
    with pytest.raises(TypeError):
        _ = low >= other
    with pytest.raises(TypeError):
        _ = other < low
    with pytest.raises(TypeError):
        _ = other >= low


def test_certainty_is_not_equal_to_its_data_spelling() -> None:
    spelling: object = "low"
    assert spelling != Certainty.LOW
    assert Certainty("low") is Certainty.LOW


@pytest.mark.parametrize(("certainty", "symbol", "label"), CERTAINTY_SYMBOLS)
def test_certainty_is_drawn_as_filled_and_open_circles(
    certainty: Certainty, symbol: str, label: str
) -> None:
    assert certainty.symbol == symbol
    assert certainty.label == label
    assert str(certainty) == f"{symbol} {label}"


@pytest.mark.parametrize(("certainty", "symbol", "label"), CERTAINTY_SYMBOLS)
def test_certainty_is_read_back_from_its_circles(
    certainty: Certainty, symbol: str, label: str
) -> None:
    assert Certainty.from_symbol(symbol) is certainty


@pytest.mark.parametrize("certainty", list(Certainty))
def test_certainty_symbol_round_trips(certainty: Certainty) -> None:
    assert Certainty.from_symbol(certainty.symbol) is certainty


@pytest.mark.parametrize(
    "symbol", ["", "○○○○", "⊕⊕⊕⊕⊕", "⊕⊕⊕", "⊕○⊕○", "○⊕⊕⊕", "moderate", "MODERATE", "++++"]
)
def test_an_unknown_circle_pattern_is_not_a_certainty(symbol: str) -> None:
    with pytest.raises(ValueError, match="not a GRADE certainty"):
        Certainty.from_symbol(symbol)


# --- Consensus -----------------------------------------------------------------------------


def test_more_than_75_percent_evidence_and_consensus_based_is_parsed() -> None:
    consensus = Consensus.parse(">75%", ConsensusBasis.EVIDENCE_AND_CONSENSUS)
    assert consensus.percent == 75
    assert consensus.bound is ConsensusBound.MORE_THAN
    assert consensus.basis is ConsensusBasis.EVIDENCE_AND_CONSENSUS
    assert str(consensus) == ">75%"
    assert consensus.text == ">75% Evidence and consensus based"


def test_100_percent_expert_consensus_is_parsed() -> None:
    consensus = Consensus.parse("100%", ConsensusBasis.EXPERT_CONSENSUS)
    assert consensus.percent == 100
    assert consensus.bound is ConsensusBound.EXACTLY
    assert consensus.basis is ConsensusBasis.EXPERT_CONSENSUS
    assert str(consensus) == "100%"
    assert consensus.text == "100% Expert Consensus"


def test_more_than_and_exactly_the_same_percent_differ() -> None:
    basis = ConsensusBasis.EXPERT_CONSENSUS
    assert Consensus.parse(">75%", basis) != Consensus.parse("75%", basis)
    assert str(Consensus.parse("75%", basis)) == "75%"


def test_the_same_percent_on_a_different_basis_differs() -> None:
    expert = Consensus.parse("100%", ConsensusBasis.EXPERT_CONSENSUS)
    evidence = Consensus.parse("100%", ConsensusBasis.EVIDENCE_AND_CONSENSUS)
    assert expert != evidence
    assert evidence.text == "100% Evidence and consensus based"


@pytest.mark.parametrize(
    "text", ["75", "abc", "", "%", ">%", "75%%", "-5%", "<75%", "1000%", "seventy-five %"]
)
def test_a_text_that_is_not_a_percentage_is_not_a_consensus(text: str) -> None:
    with pytest.raises(ValueError, match="not a consensus percentage"):
        Consensus.parse(text, ConsensusBasis.EXPERT_CONSENSUS)


@pytest.mark.parametrize("text", [">100%", "101%", "999%"])
def test_a_percentage_beyond_100_is_bad_data(text: str) -> None:
    with pytest.raises(DataError):
        Consensus.parse(text, ConsensusBasis.EXPERT_CONSENSUS)


@pytest.mark.parametrize("text", [">100%", "101%", "75", "abc"])
def test_every_bad_consensus_text_is_a_value_error(text: str) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - DataError is a ValueError too
        Consensus.parse(text, ConsensusBasis.EVIDENCE_AND_CONSENSUS)


def test_more_than_100_percent_cannot_be_built() -> None:
    with pytest.raises(DataError):
        Consensus(100, ConsensusBound.MORE_THAN, ConsensusBasis.EXPERT_CONSENSUS)


@pytest.mark.parametrize("percent", [-1, 101])
def test_a_percent_outside_0_to_100_cannot_be_built(percent: int) -> None:
    with pytest.raises(DataError):
        Consensus(percent, ConsensusBound.EXACTLY, ConsensusBasis.EXPERT_CONSENSUS)


def test_every_valid_consensus_prints_and_parses_back_equal() -> None:
    for basis in ConsensusBasis:
        for bound in ConsensusBound:
            for percent in range(101):
                if bound is ConsensusBound.MORE_THAN and percent == 100:
                    continue
                consensus = Consensus(percent, bound, basis)
                assert Consensus.parse(str(consensus), basis) == consensus


@settings(database=None)
@given(
    percent=st.integers(min_value=0, max_value=100),
    bound=st.sampled_from(ConsensusBound),
    basis=st.sampled_from(ConsensusBasis),
)
def test_str_of_any_consensus_parses_back_equal(
    percent: int, bound: ConsensusBound, basis: ConsensusBasis
) -> None:
    assume(not (bound is ConsensusBound.MORE_THAN and percent == 100))
    consensus = Consensus(percent, bound, basis)
    printed = str(consensus)
    assert printed == (">" if bound is ConsensusBound.MORE_THAN else "") + f"{percent}%"
    assert Consensus.parse(printed, basis) == consensus
    assert consensus.text == f"{printed} {basis.label}"
