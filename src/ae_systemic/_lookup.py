"""Finding content: the guideline, its drugs, and a drug by any of its names."""

from __future__ import annotations

import functools

from ._errors import InputError, UnknownDrugError
from ._loading import packaged_guideline
from ._model import Drug, Guideline

__all__ = ["drug", "drugs", "guideline", "resolve_drug"]


def guideline() -> Guideline:
    """The guideline content shipped with this package (read on first use, then cached)."""
    return packaged_guideline()


def drugs() -> tuple[Drug, ...]:
    """Every drug of the shipped guideline, in the order of the guideline."""
    return packaged_guideline().drugs


def drug(name: str) -> Drug:
    """The drug called ``name``, or with ``name`` among its synonyms.

    Case and surrounding spaces are ignored: ``drug(" CsA ")`` is ciclosporin.
    Raises :class:`~ae_systemic.UnknownDrugError` (a ``LookupError``) naming
    the closest known names, and ``TypeError`` when ``name`` is not a string.

    >>> drug("Cyclosporine").name
    'ciclosporin'
    """
    if not isinstance(name, str):
        raise TypeError(f"drug name must be a string, got {type(name).__name__}")
    found = _packaged_index().get(_normalise(name))
    if found is None:
        import difflib

        known = [n for d in packaged_guideline().drugs for n in d.names]
        folded = {_normalise(n): n for n in known}
        close = difflib.get_close_matches(_normalise(name), folded, n=3, cutoff=0.6)
        raise UnknownDrugError(name, [folded[c] for c in close], known)
    return found


def _normalise(name: str) -> str:
    return name.strip().casefold()


@functools.cache
def _packaged_index() -> dict[str, Drug]:
    return {_normalise(n): d for d in packaged_guideline().drugs for n in d.names}


def resolve_drug(subject: Drug | str) -> Drug:
    """``subject`` itself when it is a :class:`Drug`, else the drug it names (see :func:`drug`)."""
    if isinstance(subject, Drug):
        return subject
    if isinstance(subject, str):
        return drug(subject)
    raise InputError(
        f"drug: expected a Drug or a drug name such as 'ciclosporin', got {type(subject).__name__}"
    )
