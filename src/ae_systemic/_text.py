"""Small helpers that put facts into words, shared by the findings and the command line."""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["age_text", "listed"]


def listed(items: Sequence[str]) -> str:
    """``a, b and c``."""
    items = list(items)
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def age_text(years: float, *, days: bool = False) -> str:
    """An age in whole years and months, rounded down: 15.997 years is "15 years 11 months".

    With ``days``, an age below one month is given in days instead of "0 years".
    """
    whole, months = divmod(int(years * 12 + 1e-9), 12)
    if whole == 0 and months == 0 and days:
        count = int(years * 365.25 + 1e-9)
        return f"{count} day{'s' * (count != 1)}"
    parts = [f"{whole} year{'s' * (whole != 1)}"] if whole or not months else []
    if months:
        parts.append(f"{months} month{'s' * (months != 1)}")
    return " ".join(parts)
