"""How facts are put into words: the one home of each small wording every output shares.

Ranges, reference lists, listings, ages and counts are written here once and used by
``str()`` of the values, the notebook display, the command line, the FHIR narrative and
the iCalendar export, so that a fact reads the same wherever a user meets it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

__all__ = [
    "INTERVAL_AS_PRINTED",
    "NO_AGE_BOUNDARY",
    "RANGE_DASH",
    "age_text",
    "beyond",
    "cited",
    "counted",
    "decimals",
    "doses_a_day",
    "exact",
    "inside",
    "interval",
    "listed",
    "number",
    "reference_list",
    "sentence",
    "span",
]

#: The dash between the ends of a range: an en dash, as in "2.5–5 mg/kg/day".
RANGE_DASH = "–"

#: Where children end and adults begin for dosing: the source gives no age.
NO_AGE_BOUNDARY = "the guideline gives no age between its children's and adults' ranges"

#: What an effect estimate's interval is: the source prints intervals without their level.
INTERVAL_AS_PRINTED = "interval as printed in the guideline (level not stated)"


def listed(items: Sequence[str]) -> str:
    """``a, b and c``; ``a`` alone; empty for none."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def span(low: float, high: float, unit: str = "", *, digits: int | None = None) -> str:
    """A range of numbers with its unit: ``2.5–5 mg/kg/day``, or ``5 mg`` when both ends agree.

    Without ``digits``, numbers are written with ``:g``, for numbers stored as printed in
    the source.  With ``digits``, for computed ranges, each end is rounded *into* the range
    to ``digits`` decimals (the low end up, the high end down), so that a printed bound
    never lies outside the computed range: 81.25–162.5 mg shows as ``81.3–162.5 mg``, never
    ``81.2``.  Where that would cross the ends, more decimals are shown.
    """
    if digits is None:
        shown = [f"{low:g}", f"{high:g}"]
    else:
        while True:
            ends = (_inward(low, digits, up=True), _inward(high, digits, up=False))
            if ends[0] <= ends[1] or digits >= 6:
                break
            digits += 1
        shown = [number(end, digits) for end in ends]
    numbers = shown[0] if shown[0] == shown[1] else RANGE_DASH.join(shown)
    return f"{numbers} {unit}" if unit else numbers


def _inward(value: float, digits: int, *, up: bool) -> float:
    """``value`` rounded to ``digits`` decimals, up or down; floating-point noise is ignored."""
    scale = 10.0**digits
    scaled = value * scale
    nearest = round(scaled)
    if abs(scaled - nearest) <= 1e-9 * max(1.0, abs(scaled)):
        return nearest / scale
    return (math.ceil(scaled) if up else math.floor(scaled)) / scale


def doses_a_day(count: int) -> str:
    """``1 dose a day``, ``2 doses a day``."""
    return f"{counted(count, 'dose')} a day"


def interval(low: float, high: float) -> str:
    """An interval as the guideline prints it: ``(-1.6, -0.4)``."""
    return f"({low:g}, {high:g})"


def number(value: float, digits: int = 1) -> str:
    """``value`` rounded to ``digits`` decimals, without trailing zeros: 280, 43.8."""
    text = f"{value:.{digits}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def beyond(value: float, bound: float, digits: int = 1) -> str:
    """``value``, which lies above or below ``bound``, shown so that it still does.

    ``digits`` decimals as :func:`number` writes them, or more where the rounded number
    would reach the bound: 350.02 against 350 shows as ``350.02``, never ``350``, so that a
    value said to be outside a range is never printed on its end (nor a small amount as
    0).  Where six decimals are not enough, the shortest exact form (:func:`exact`).

    >>> beyond(350.02, 350.0), beyond(174.96, 175.0), beyond(400.0, 350.0)
    ('350.02', '174.96', '400')
    """
    above = value > bound
    for places in range(digits, 7):
        text = number(value, places)
        shown = float(text)
        if ((shown > bound) if above else (shown < bound)) and (shown != 0.0 or value == 0.0):
            return text
    return exact(value)


def inside(value: float, low: float, high: float, unit: str, digits: int = 1) -> tuple[str, str]:
    """``value``, which lies within ``low``–``high``, and that range as :func:`span` writes it.

    The range's ends are rounded into it, so a value close to an end could be printed
    outside the printed range (175.32 as ``175.3`` against ``175.4–350.6`` for
    175.309–350.617): both are then written with more decimals, until the value is shown
    inside.  A value within only by floating-point noise, or by a tolerance asked for, is
    written as it rounds.

    >>> inside(200.0, 175.0, 350.0, "mg/day")
    ('200', '175–350 mg/day')
    >>> inside(175.32, 175.30864, 350.61728, "mg/day")
    ('175.32', '175.31–350.61 mg/day')
    """
    for places in range(digits, 7):
        text = number(value, places)
        ends = (_inward(low, places, up=True), _inward(high, places, up=False))
        if ends[0] <= ends[1] and ends[0] <= float(text) <= ends[1]:
            return text, span(low, high, unit, digits=places)
    return number(value, digits), span(low, high, unit, digits=digits)


def decimals(value: float, least: int = 2, most: int = 6) -> str:
    """``value`` with the fewest decimals, from ``least`` to ``most``, that still read as it.

    For amounts worked out from what was written (a daily amount from an amount and a
    frequency): ``350.0002``, not ``350``; ``0.033333`` for a thirtieth.

    >>> decimals(400.0), decimals(350.0002), decimals(1 / 30)
    ('400', '350.0002', '0.033333')
    """
    for places in range(least, most + 1):
        text = number(value, places)
        if abs(float(text) - value) <= 1e-9 * max(1.0, abs(value)):
            return text
    return number(value, most)


def exact(value: float) -> str:
    """``value`` as given, nothing rounded: 200, 12.345, 0.25 (the shortest exact form)."""
    text = repr(float(value))
    return text.removesuffix(".0")


def reference_list(numbers: Iterable[int]) -> str:
    """Reference numbers as a list: ``1, 2, 5`` (empty for none)."""
    return ", ".join(map(str, numbers))


def cited(text: str, numbers: Sequence[int]) -> str:
    """``text`` followed by its references: ``"... [refs 1, 2]"``; unchanged without any."""
    return f"{text} [refs {reference_list(numbers)}]" if numbers else text


def counted(count: int, noun: str) -> str:
    """``1 dose``, ``2 doses``: a count and a regular noun."""
    return f"{count} {noun}{'s' * (count != 1)}"


def sentence(text: str) -> str:
    """``text`` with its first letter capitalised (drug names are lower case in the data)."""
    return text[:1].upper() + text[1:]


def age_text(years: float, *, days: bool = False) -> str:
    """An age in whole years and months, rounded down: 15.997 years is "15 years 11 months".

    With ``days``, an age below one month is given in days instead of "0 years".
    """
    whole, months = divmod(int(years * 12 + 1e-9), 12)
    if whole == 0 and months == 0 and days:
        return counted(int(years * 365.25 + 1e-9), "day")
    parts = [counted(whole, "year")] if whole or not months else []
    if months:
        parts.append(counted(months, "month"))
    return " ".join(parts)
