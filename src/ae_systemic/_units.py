"""Units: the spellings allowed in data files and the caller's pint registry.

Data files name units as short strings from fixed allow-lists, checked when the
data is read, so that a misspelt or dimensionally wrong unit never reaches pint.
A per-kg dose is kept as three parts (amount unit, body-weight unit, period)
because a single ``mg/kg/d`` quantity cancels to ``1/[time]``.

pint is imported only when a quantity is first needed, and the registry used is
always the application registry the caller has set (never a private one).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pint

__all__ = [
    "AGE_UNITS",
    "AMOUNT_UNITS",
    "BODY_WEIGHT_UNITS",
    "PERIOD_UNITS",
    "application_registry",
    "underlying_registry",
]

#: Units a dose amount may be written in (``[mass]``).
AMOUNT_UNITS: tuple[str, ...] = ("mg", "g")
#: Units the body weight of a per-weight dose may be written in (``[mass]``).
BODY_WEIGHT_UNITS: tuple[str, ...] = ("kg",)
#: Periods a dose rate may be given per (``[time]``).
PERIOD_UNITS: tuple[str, ...] = ("day", "week")
#: Units ages are given in (``[time]``).
AGE_UNITS: tuple[str, ...] = ("year", "month", "week")


def application_registry() -> pint.UnitRegistry[float]:
    """The registry behind pint's application registry now (``pint.set_application_registry``).

    Looked up at every call, so a registry the caller sets after importing this
    package is used.  The underlying registry is returned (not pint's proxy) so
    that quantities made here mix with the caller's.
    """
    import pint

    application = pint.get_application_registry()  # type: ignore[no-untyped-call]
    registry: pint.UnitRegistry[float] = application.get()
    return registry


def underlying_registry(registry: pint.UnitRegistry[float]) -> pint.UnitRegistry[float]:
    """``registry`` itself, or the registry behind pint's application-registry proxy."""
    from pint.registry import ApplicationRegistry

    if isinstance(registry, ApplicationRegistry):
        inner: pint.UnitRegistry[float] = registry.get()
        return inner
    return registry
