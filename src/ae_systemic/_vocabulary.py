"""The guideline's vocabulary: strength of recommendation, GRADE certainty, consensus.

These are the small closed sets a reader of the EuroGuiDerm guideline meets in
every recommendation box and evidence table, as enums and frozen values.  Enum
*values* are the spellings used in the data files; ``str()`` gives the symbol
printed in the guideline.

Every enum here is a string enum (:class:`enum.StrEnum`): a member *is* its data
spelling, so it equals it, hashes like it and finds it as a dict key or in a pandas
column (``Outcome.SIGNS == "signs"``, ``frame[frame.outcome == Outcome.SIGNS]``).
``str()`` and ``format()`` still give the guideline's wording, not the spelling, and
:class:`Certainty` orders by GRADE rank, also against a spelling
(``Certainty.MODERATE > "low"``).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable

import attrs

from ._errors import ArgumentTypeError, DataError, InputError, shown
from ._validators import enum_of, fail, percent

__all__ = [
    "Certainty",
    "CombinationAdvice",
    "ComparisonResult",
    "Consensus",
    "ConsensusBasis",
    "ConsensusBound",
    "DoseLevel",
    "DoseStatus",
    "Measure",
    "Outcome",
    "Pathway",
    "Phase",
    "Phototherapy",
    "Population",
    "Strength",
    "in_order",
]


def in_order(members: Iterable[enum.Enum]) -> list[enum.Enum]:
    """Enum ``members`` in the order of their enum (a set has none): UVA before PUVA."""
    return sorted(members, key=lambda member: [*type(member).__members__.values()].index(member))


class _Vocabulary(enum.StrEnum):
    """A string enum of the vocabulary: equal to its data spelling, printed in words.

    :class:`enum.StrEnum` prints and formats a member as its value; the vocabulary
    keeps the printing of a plain :class:`enum.Enum`: ``str()`` is the member's own
    ``__str__`` (the guideline's wording) or ``ClassName.MEMBER``, and ``format()``
    (f-strings) gives the same text as ``str()``.  Nor does it take the alphabet's order
    of a str: ``<`` and the like are refused, except by :class:`Certainty`, which orders
    by rank.
    """

    def __str__(self) -> str:
        return f"{type(self).__name__}.{self.name}"

    def __format__(self, format_spec: str) -> str:
        return format(str(self), format_spec)

    # A plain Enum has no order; a str has the alphabet's, which would order these words
    # (strong-against < strong-for < weak-for) without meaning.  Only Certainty has an order.
    def __lt__(self, other: object) -> bool:
        _refuse_order(self, other)
        return NotImplemented

    def __le__(self, other: object) -> bool:
        _refuse_order(self, other)
        return NotImplemented

    def __gt__(self, other: object) -> bool:
        _refuse_order(self, other)
        return NotImplemented

    def __ge__(self, other: object) -> bool:
        _refuse_order(self, other)
        return NotImplemented


def _refuse_order(member: _Vocabulary, other: object) -> None:
    """:class:`~ae_systemic.ArgumentTypeError` when ``other`` is a string.

    str's own comparison would answer by the alphabet; for anything else the
    comparison returns ``NotImplemented``, so that Python tries the other side
    (a pandas Series) and otherwise raises its own ``TypeError``.
    """
    if isinstance(other, str):
        raise ArgumentTypeError(
            "other", f"{type(member).__name__} has no order; compare with == or != only"
        )


class Strength(_Vocabulary):
    """Strength and direction of a recommendation, as the guideline's arrows.

    >>> str(Strength.STRONG_FOR)
    '↑↑'
    >>> Strength.from_symbol("↓↓")
    <Strength.STRONG_AGAINST: 'strong-against'>
    >>> Strength.WEAK_FOR.wording
    'we suggest'
    """

    STRONG_FOR = "strong-for"
    WEAK_FOR = "weak-for"
    OPEN = "open"
    WEAK_AGAINST = "weak-against"
    STRONG_AGAINST = "strong-against"

    @property
    def symbol(self) -> str:
        """The arrow(s) printed in the guideline: ``↑↑``, ``↑``, ``0``, ``↓``, ``↓↓``."""
        return _STRENGTH_SYMBOLS[self]

    @property
    def wording(self) -> str:
        """The standard EuroGuiDerm wording that goes with this strength."""
        return _STRENGTH_WORDING[self]

    @property
    def is_for(self) -> bool | None:
        """``True`` for a recommendation for, ``False`` against, ``None`` when open."""
        if self is Strength.OPEN:
            return None
        return self in (Strength.STRONG_FOR, Strength.WEAK_FOR)

    @property
    def is_strong(self) -> bool:
        """``True`` for ↑↑ and ↓↓."""
        return self in (Strength.STRONG_FOR, Strength.STRONG_AGAINST)

    @classmethod
    def from_symbol(cls, symbol: str) -> Strength:
        """The strength printed as ``symbol`` (``"↑↑"``, ``"↑"``, ``"0"``, ``"↓"``, ``"↓↓"``)."""
        for strength, known in _STRENGTH_SYMBOLS.items():
            if _text_argument(symbol, "symbol", "'↑↑'").strip() == known:
                return strength
        raise InputError(
            "symbol",
            f"{shown(symbol)} is not a strength of recommendation; "
            f"expected one of {', '.join(_STRENGTH_SYMBOLS.values())}",
        )

    def __str__(self) -> str:
        return self.symbol


_STRENGTH_SYMBOLS = {
    Strength.STRONG_FOR: "↑↑",
    Strength.WEAK_FOR: "↑",
    Strength.OPEN: "0",
    Strength.WEAK_AGAINST: "↓",
    Strength.STRONG_AGAINST: "↓↓",
}

# The EuroGuiDerm methods' standard phrases for each arrow.
_STRENGTH_WORDING = {
    Strength.STRONG_FOR: "we recommend",
    Strength.WEAK_FOR: "we suggest",
    Strength.OPEN: "we cannot make a recommendation with respect to",
    Strength.WEAK_AGAINST: "we suggest against",
    Strength.STRONG_AGAINST: "we recommend against",
}


@enum.unique
class Certainty(_Vocabulary):
    """GRADE certainty of evidence, ordered from ``VERY_LOW`` to ``HIGH``.

    Values are the codes of the FHIR R5 ``certainty-rating`` code system.

    >>> Certainty.LOW < Certainty.MODERATE
    True
    >>> Certainty.LOW == "low", Certainty.VERY_LOW < "low"
    (True, True)
    >>> Certainty.MODERATE.symbol
    '⊕⊕⊕○'
    >>> Certainty.from_symbol("⊕○○○")
    <Certainty.VERY_LOW: 'very-low'>
    """

    VERY_LOW = "very-low"
    LOW = "low"
    MODERATE = "moderate"
    HIGH = "high"

    @property
    def rank(self) -> int:
        """1 for very low up to 4 for high: the number of filled circles."""
        return _CERTAINTY_ORDER.index(self) + 1

    @property
    def symbol(self) -> str:
        """Filled and open circles as in GRADE tables, e.g. ``⊕⊕⊕○`` for moderate."""
        return "⊕" * self.rank + "○" * (4 - self.rank)

    @property
    def label(self) -> str:
        """The word printed in the guideline: ``MODERATE``, ``VERY LOW``."""
        return self.name.replace("_", " ")

    @classmethod
    def from_symbol(cls, symbol: str) -> Certainty:
        """The certainty drawn as ``symbol``, four circles of which the first are filled."""
        for certainty in _CERTAINTY_ORDER:
            if _text_argument(symbol, "symbol", "'⊕⊕⊕○'").strip() == certainty.symbol:
                return certainty
        raise InputError(
            "symbol",
            f"{shown(symbol)} is not a GRADE certainty symbol; expected one of "
            f"{', '.join(c.symbol for c in _CERTAINTY_ORDER)}",
        )

    def __str__(self) -> str:
        return f"{self.symbol} {self.label}"

    # Ordered by rank, against another certainty or a data spelling ("low"); the order of
    # the spellings as strings ("low" < "very-low") would be wrong.  Anything else that is a
    # string cannot be ordered: str's own comparison must not be reached.
    def __lt__(self, other: object) -> bool:
        rank = _rank_of(other)
        return NotImplemented if rank is None else self.rank < rank

    def __le__(self, other: object) -> bool:
        rank = _rank_of(other)
        return NotImplemented if rank is None else self.rank <= rank

    def __gt__(self, other: object) -> bool:
        rank = _rank_of(other)
        return NotImplemented if rank is None else self.rank > rank

    def __ge__(self, other: object) -> bool:
        rank = _rank_of(other)
        return NotImplemented if rank is None else self.rank >= rank


_CERTAINTY_ORDER = (Certainty.VERY_LOW, Certainty.LOW, Certainty.MODERATE, Certainty.HIGH)


def _rank_of(other: object) -> int | None:
    """The rank of a certainty or of its data spelling; ``None`` for what is no string.

    A string that spells no certainty, or a member of another enum, cannot be ordered
    against a certainty: :class:`~ae_systemic.ArgumentTypeError` (a ``TypeError``).
    """
    if isinstance(other, Certainty):
        return other.rank
    if not isinstance(other, str):
        return None
    if not isinstance(other, enum.Enum):
        for certainty in _CERTAINTY_ORDER:
            if other == certainty.value:
                return certainty.rank
    raise ArgumentTypeError(
        "other",
        f"cannot order {shown(other)} against a GRADE certainty; expected a Certainty "
        f"or one of {', '.join(repr(c.value) for c in _CERTAINTY_ORDER)}",
    )


class ConsensusBasis(_Vocabulary):
    """What a recommendation's consensus rests on."""

    EVIDENCE_AND_CONSENSUS = "evidence-and-consensus"
    EXPERT_CONSENSUS = "expert-consensus"

    @property
    def label(self) -> str:
        """The basis as the guideline prints it."""
        return _BASIS_LABELS[self]

    def __str__(self) -> str:
        return self.label


_BASIS_LABELS = {
    ConsensusBasis.EVIDENCE_AND_CONSENSUS: "Evidence and consensus based",
    ConsensusBasis.EXPERT_CONSENSUS: "Expert Consensus",
}


class ConsensusBound(_Vocabulary):
    """How the printed percentage bounds the agreement: ``>75%`` or exactly ``100%``."""

    MORE_THAN = "more-than"
    EXACTLY = "exactly"

    @property
    def prefix(self) -> str:
        return ">" if self is ConsensusBound.MORE_THAN else ""


_CONSENSUS_TEXT = r"\s*(>)?\s*([0-9]{1,3})\s*%\s*"  # ASCII digits only; compiled on first use


@attrs.frozen
class Consensus:
    """Agreement of the guideline group behind a recommendation.

    ``percent`` with its ``bound`` (``>75%`` means more than 75 %, ``100%``
    exactly 100 %) and the ``basis`` of the recommendation.

    >>> c = Consensus.parse(">75%", ConsensusBasis.EVIDENCE_AND_CONSENSUS)
    >>> str(c), c.percent, c.bound
    ('>75%', 75, <ConsensusBound.MORE_THAN: 'more-than'>)
    >>> c.text
    '>75% Evidence and consensus based'
    """

    percent: int = attrs.field(validator=percent)
    bound: ConsensusBound = attrs.field(validator=enum_of(ConsensusBound))
    basis: ConsensusBasis = attrs.field(validator=enum_of(ConsensusBasis))

    def __attrs_post_init__(self) -> None:
        if self.bound is ConsensusBound.MORE_THAN and self.percent == 100:
            raise fail("bound", "agreement cannot be more than 100%; use 'exactly' for 100%")

    @classmethod
    def parse(cls, text: str, basis: ConsensusBasis) -> Consensus:
        """Read a percentage as printed in the guideline (``">75%"``, ``"100%"``).

        The digits are ASCII (``0``-``9``): digits of other scripts (``"٧٥%"``) and
        full-width ones are refused with :class:`~ae_systemic.InputError`.
        """
        match = re.fullmatch(_CONSENSUS_TEXT, _text_argument(text, "text", "'>75%'"))
        if match is None:
            raise InputError(
                "text",
                f"{shown(text)} is not a consensus percentage; expected e.g. '>75%' or '100%', "
                "in the digits 0-9",
            )
        bound = ConsensusBound.MORE_THAN if match.group(1) else ConsensusBound.EXACTLY
        try:
            return cls(int(match.group(2)), bound, basis)
        except DataError:  # ">100%", "101%": more agreement than there is
            raise InputError(
                "text",
                f"{shown(text)} is not a consensus percentage: agreement cannot be more than "
                "100%; expected e.g. '>75%' or '100%'",
            ) from None

    @property
    def text(self) -> str:
        """Percentage and basis as the guideline prints them in the box."""
        return f"{self} {self.basis.label}"

    def __str__(self) -> str:
        return f"{self.bound.prefix}{self.percent}%"


def _text_argument(value: object, argument: str, example: str) -> str:
    """``value`` if it is a string, else :class:`~ae_systemic.ArgumentTypeError`."""
    if not isinstance(value, str):
        raise ArgumentTypeError(
            argument, f"expected a string such as {example}, got {type(value).__name__}"
        )
    return value


class Outcome(_Vocabulary):
    """Outcome measured by an effect estimate."""

    SIGNS = "signs"
    QUALITY_OF_LIFE = "quality-of-life"
    ITCH = "itch"

    @property
    def label(self) -> str:
        return _OUTCOME_LABELS[self]

    def __str__(self) -> str:
        return self.label


_OUTCOME_LABELS = {
    Outcome.SIGNS: "change in signs",
    Outcome.QUALITY_OF_LIFE: "quality of life",
    Outcome.ITCH: "itch",
}


class DoseLevel(_Vocabulary):
    """Dose group of a network meta-analysis estimate."""

    HIGHER = "higher"
    LOWER = "lower"

    def __str__(self) -> str:
        return f"{self.value} dose"


class Measure(_Vocabulary):
    """The statistic an effect estimate reports."""

    SMD = "smd"

    @property
    def label(self) -> str:
        return "standardised mean difference"

    def __str__(self) -> str:
        return self.label


class Population(_Vocabulary):
    """Who a dose regimen is for."""

    ADULT = "adult"
    CHILD = "child"

    def __str__(self) -> str:
        return "adults" if self is Population.ADULT else "children"


class DoseStatus(_Vocabulary):
    """Where a prescribed daily amount lies against the guideline's range for the patient."""

    BELOW = "below"
    WITHIN = "within"
    ABOVE = "above"

    def __str__(self) -> str:
        return f"{self.value} the range"


class Phase(_Vocabulary):
    """Phase of treatment a dose regimen is meant for; no phase means the standard range."""

    ACUTE = "acute"
    LONG_TERM = "long-term"

    def __str__(self) -> str:
        return "acute flare, short-term" if self is Phase.ACUTE else "long-term"


class Pathway(_Vocabulary):
    """Enzyme or transporter through which a drug interacts with others."""

    CYP3A4 = "CYP3A4"
    P_GP = "P-gp"
    OATP = "OATP"

    def __str__(self) -> str:
        return self.value


class Phototherapy(_Vocabulary):
    """Ultraviolet light treatments a patient may be planned for."""

    UVA = "UVA"
    UVB = "UVB"
    PUVA = "PUVA"

    def __str__(self) -> str:
        return self.value


class CombinationAdvice(_Vocabulary):
    """What the guideline says about combining a drug with another therapy."""

    RECOMMENDED = "recommended"
    AVOID = "avoid"


class ComparisonResult(_Vocabulary):
    """How the drug fared against a comparator in the comparisons the source reports.

    Trials, network meta-analyses, registers or real-life data (``Comparison.design``
    says which); ``MIXED``: the comparison comes out differently by measure or by time
    (either drug better on one, not on another; or alike on one, one drug better on
    another), so that neither "superior" nor "similar" says it: the findings do.
    """

    SUPERIOR = "superior"
    SIMILAR = "similar"
    MIXED = "mixed"
