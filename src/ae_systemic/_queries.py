"""Queries: a drug's recommendations and evidence, filtered as asked."""

from __future__ import annotations

from ._errors import ArgumentTypeError, shown
from ._lookup import resolve_drug
from ._model import Drug, EffectEstimate, Recommendation
from ._vocabulary import DoseLevel, Outcome, Strength

__all__ = ["evidence", "recommendations"]


def recommendations(
    drug: Drug | str, *, strength: Strength | None = None
) -> tuple[Recommendation, ...]:
    """The drug's recommendations, only those of ``strength`` when given (possibly none).

    >>> len(recommendations("ciclosporin", strength=Strength.STRONG_FOR))
    3
    """
    _check(strength, Strength, "strength")
    return tuple(
        r for r in resolve_drug(drug).recommendations if strength is None or r.strength is strength
    )


def evidence(
    drug: Drug | str,
    *,
    outcome: Outcome | None = None,
    dose_level: DoseLevel | None = None,
) -> tuple[EffectEstimate, ...]:
    """The drug's effect estimates, filtered by ``outcome`` and ``dose_level`` when given.

    >>> [str(e.dose_level) for e in evidence("ciclosporin", outcome=Outcome.ITCH)]
    ['higher dose', 'lower dose']
    """
    _check(outcome, Outcome, "outcome")
    _check(dose_level, DoseLevel, "dose_level")
    return tuple(
        e
        for e in resolve_drug(drug).evidence
        if (outcome is None or e.outcome is outcome)
        and (dose_level is None or e.dose_level is dose_level)
    )


def _check(value: object, kind: type, name: str) -> None:
    if value is not None and not isinstance(value, kind):
        allowed = ", ".join(f"{kind.__name__}.{m.name}" for m in kind)  # type: ignore[attr-defined]
        raise ArgumentTypeError(name, f"expected None or one of {allowed}, got {shown(value)}")
