"""Finding content: the packaged guideline, its drugs, and a drug by any of its names.

The matching itself (case and spaces ignored, synonyms, suggestions for a misspelt
name) is :meth:`~ae_systemic.Guideline.drug`, so that a guideline read with
:func:`~ae_systemic.load_guideline` is searched the same way; :func:`drug` is that
lookup on the guideline shipped with the package.
"""

from __future__ import annotations

from ._errors import ArgumentTypeError
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
    """The drug of the shipped guideline called ``name``, or with ``name`` among its synonyms.

    The same lookup as :meth:`Guideline.drug <ae_systemic.Guideline.drug>` on
    :func:`guideline`: case and surrounding spaces are ignored, so ``drug(" CsA ")``
    is ciclosporin.  Raises :class:`~ae_systemic.UnknownDrugError` (a
    ``LookupError``) naming the closest known names, and
    :class:`~ae_systemic.ArgumentTypeError` (a ``TypeError``) when ``name`` is not
    a string.

    >>> drug("Cyclosporine").name
    'ciclosporin'
    """
    return packaged_guideline().drug(name)


def resolve_drug(subject: Drug | str, argument: str = "drug") -> Drug:
    """``subject`` itself when it is a :class:`Drug`, else the drug it names (see :func:`drug`)."""
    if isinstance(subject, Drug):
        return subject
    if isinstance(subject, str):
        return drug(subject)
    raise ArgumentTypeError(
        argument,
        f"expected a Drug or a drug name such as 'ciclosporin', got {type(subject).__name__}",
    )
