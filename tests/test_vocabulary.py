"""The guideline's vocabulary: strength arrows, GRADE certainty and consensus percentages."""

from __future__ import annotations

import enum

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import ae_systemic._vocabulary
from ae_systemic import (
    ArgumentTypeError,
    Certainty,
    CombinationAdvice,
    ComparisonResult,
    Consensus,
    ConsensusBasis,
    ConsensusBound,
    DataError,
    DoseLevel,
    DoseStatus,
    InputError,
    Measure,
    Outcome,
    Pathway,
    Phase,
    Phototherapy,
    Population,
    Strength,
)

# --- Every enum of the vocabulary: a string enum, printed in words -------------------------

VOCABULARY: list[type[enum.StrEnum]] = [
    Certainty,
    CombinationAdvice,
    ComparisonResult,
    ConsensusBasis,
    ConsensusBound,
    DoseLevel,
    Measure,
    Outcome,
    Pathway,
    Phase,
    Phototherapy,
    Population,
    Strength,
    DoseStatus,
]
MEMBERS = [member for kind in VOCABULARY for member in kind]

#: What ``str()`` gave before the enums became string enums, and still gives.
PRINTED: dict[enum.Enum, str] = {
    Certainty.MODERATE: "⊕⊕⊕○ MODERATE",
    Certainty.VERY_LOW: "⊕○○○ VERY LOW",
    Strength.STRONG_FOR: "↑↑",
    Strength.OPEN: "0",
    Outcome.SIGNS: "change in signs",
    Outcome.QUALITY_OF_LIFE: "quality of life",
    DoseLevel.HIGHER: "higher dose",
    Measure.SMD: "standardised mean difference",
    Population.CHILD: "children",
    Phase.ACUTE: "acute flare, short-term",
    Pathway.P_GP: "P-gp",
    Phototherapy.PUVA: "PUVA",
    ConsensusBasis.EXPERT_CONSENSUS: "Expert Consensus",
    ConsensusBound.MORE_THAN: "ConsensusBound.MORE_THAN",
    CombinationAdvice.AVOID: "CombinationAdvice.AVOID",
    ComparisonResult.SIMILAR: "ComparisonResult.SIMILAR",
    DoseStatus.ABOVE: "above the range",
}


def test_every_vocabulary_enum_is_listed_here() -> None:
    exported = {
        value
        for value in vars(ae_systemic._vocabulary).values()
        if isinstance(value, type) and issubclass(value, enum.Enum) and len(value)
    }
    assert exported == set(VOCABULARY)


@pytest.mark.parametrize("member", MEMBERS, ids=repr)
def test_a_member_is_its_data_spelling(member: enum.StrEnum) -> None:
    spelling: object = member.value
    assert type(spelling) is str
    assert isinstance(member, str)
    assert member == spelling
    assert spelling == member
    assert not member != spelling  # noqa: SIM202 - the != operator itself is under test
    assert hash(member) == hash(spelling)
    by_spelling: dict[object, str] = {spelling: "found"}
    by_member: dict[object, str] = {member: "found"}
    assert by_spelling[member] == "found"
    assert by_member[spelling] == "found"
    assert spelling in {member}
    assert type(member)(spelling) is member


@pytest.mark.parametrize("member", MEMBERS, ids=repr)
def test_a_member_prints_in_words_and_formats_as_it_prints(member: enum.StrEnum) -> None:
    printed = str(member)
    assert f"{member}" == printed
    assert format(member) == printed
    assert "{}".format(member) == printed  # noqa: UP032 - str.format itself is under test
    assert "%s" % member == printed  # noqa: UP031 - so is %-formatting
    assert f"{member}" == printed
    assert f"{member:>40}" == f"{printed:>40}"
    assert f"{member!s}" == printed
    assert repr(member) == f"<{type(member).__name__}.{member.name}: {member.value!r}>"


@pytest.mark.parametrize(("member", "printed"), list(PRINTED.items()), ids=repr)
def test_printing_is_as_before(member: enum.Enum, printed: str) -> None:
    assert str(member) == printed


def test_members_of_different_enums_are_different() -> None:
    assert len({member.value for member in MEMBERS}) == len(MEMBERS)
    assert len(set(MEMBERS)) == len(MEMBERS)


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


@pytest.mark.parametrize(
    "other", [1, 2.5, "⊕⊕○○", "LOW", "very low", "", Outcome.SIGNS, Strength.OPEN, None]
)
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


def test_certainty_is_equal_to_its_data_spelling() -> None:
    # Typed as object: mypy's strict equality holds an enum and a str literal apart.
    spelling: object = "low"
    other: object = "moderate"
    assert spelling == Certainty.LOW
    assert Certainty.LOW == spelling  # noqa: SIM300 - the member on the left
    assert Certainty.LOW != other  # noqa: SIM300
    assert Certainty("low") is Certainty.LOW


def test_certainty_orders_against_its_data_spellings_by_rank_not_alphabet() -> None:
    # As strings, "low" < "moderate" < "very-low"; as GRADE ranks, very-low is lowest.
    # The string on the left is the reflected comparison, answered by Certainty too.
    assert Certainty.VERY_LOW < "low"
    assert "very-low" < Certainty.LOW  # noqa: SIM300
    assert Certainty.LOW > "very-low"
    assert "moderate" >= Certainty.LOW  # noqa: SIM300
    assert Certainty.MODERATE >= "moderate"
    assert Certainty.MODERATE <= "moderate"
    assert not Certainty.HIGH < "very-low"
    assert not "high" <= Certainty.MODERATE  # noqa: SIM300
    mixed: list[Certainty | str] = ["high", Certainty.LOW, "very-low"]
    assert [Certainty(item) for item in sorted(mixed, key=Certainty)] == [
        Certainty.VERY_LOW,
        Certainty.LOW,
        Certainty.HIGH,
    ]
    assert max(mixed, key=Certainty) == "high"


def test_an_unorderable_string_is_named_in_the_error() -> None:
    with pytest.raises(ArgumentTypeError, match=r"'⊕⊕○○'.*'very-low', 'low', 'moderate'"):
        _ = Certainty.LOW < "⊕⊕○○"


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


@pytest.mark.parametrize("text", [">100%", "101%", ">999%"])
def test_a_consensus_above_100_percent_is_refused_as_text_that_cannot_be_read(text: str) -> None:
    """Before: a DataError of the class's field ("bound: ..."), not the InputError of parse."""
    with pytest.raises(InputError) as raised:
        Consensus.parse(text, ConsensusBasis.EVIDENCE_AND_CONSENSUS)
    assert raised.value.argument == "text"
    assert str(raised.value) == (
        f"text: {text!r} is not a consensus percentage: agreement cannot be more than 100%; "
        "expected e.g. '>75%' or '100%'"
    )


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


@pytest.mark.parametrize("text", [">100%", "101%", "75", "abc"])
def test_every_bad_consensus_text_is_a_value_error(text: str) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - InputError is a ValueError
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


# --- Only certainty has an order -----------------------------------------------------------

UNORDERED = [member for member in MEMBERS if not isinstance(member, Certainty)]


@pytest.mark.parametrize("member", UNORDERED, ids=repr)
@pytest.mark.parametrize("other", ["a", "zzz", Outcome.ITCH, Certainty.LOW, Strength.WEAK_FOR])
def test_a_word_of_the_vocabulary_has_no_alphabetical_order(
    member: enum.StrEnum, other: str
) -> None:
    for left, right in ((member, other), (other, member)):
        with pytest.raises(TypeError):
            _ = left < right
        with pytest.raises(TypeError):
            _ = left <= right
        with pytest.raises(TypeError):
            _ = left > right
        with pytest.raises(TypeError):
            _ = left >= right


@pytest.mark.parametrize("other", [1, None, 2.5])
def test_a_word_of_the_vocabulary_cannot_be_ordered_against_other_types(other: object) -> None:
    with pytest.raises(TypeError):
        _ = Strength.STRONG_FOR < other  # noqa: SIM300 - the member's own comparison
    with pytest.raises(TypeError):
        _ = other >= Outcome.SIGNS


def test_sorting_strengths_is_refused_rather_than_alphabetical() -> None:
    with pytest.raises(ArgumentTypeError, match="Strength has no order"):
        sorted(Strength)
