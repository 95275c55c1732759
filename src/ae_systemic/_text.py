"""How facts are put into words: the one home of each small wording every output shares.

Ranges, reference lists, listings, ages and counts are written here once and used by
``str()`` of the values, the notebook display, the command line, the FHIR narrative and
the iCalendar export, so that a fact reads the same wherever a user meets it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from typing import Final

__all__ = [
    "INTERVAL_AS_PRINTED",
    "MOST_DECIMALS",
    "NO_AGE_BOUNDARY",
    "RANGE_DASH",
    "age_text",
    "apart",
    "beyond",
    "cited",
    "counted",
    "decimals",
    "doses_a_day",
    "ends_across",
    "exact",
    "inside",
    "interval",
    "listed",
    "number",
    "percent",
    "point",
    "reference_list",
    "sentence",
    "span",
]

#: The dash between the ends of a range: an en dash, as in "2.5–5 mg/kg/day".
RANGE_DASH = "–"

#: The most decimals :func:`span` rounds a range's ends to before it writes them exactly.
MOST_DECIMALS = 9

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

    Without ``digits``, numbers are written as stored (:func:`exact`), for numbers of the
    data, printed as the source prints them.  With ``digits``, for computed ranges, each
    end is rounded *into* the range to ``digits`` decimals (the low end up, the high end
    down), so that a printed bound never lies outside the computed range: 81.25–162.5 mg
    shows as ``81.3–162.5 mg``, never ``81.2``.  Where that would cross the ends, more
    decimals are shown (up to :data:`MOST_DECIMALS`, then the shortest exact forms), so
    that no range is ever printed backwards; two equal ends are one number, rounded to
    ``digits`` decimals but to three significant digits at least (:func:`point`), so that
    a small amount never shows as 0.

    >>> span(116.83333333333333, 116.83333333333333, "mg", digits=1)
    '116.8 mg'
    >>> span(70.1234565, 70.1234566, "kg", digits=1)
    '70.1234565–70.1234566 kg'
    >>> span(3.25, 3.25, "mg", digits=1), span(0.004, 0.004, "mg", digits=1)
    ('3.25 mg', '0.004 mg')
    """
    if digits is None:
        shown = [exact(low), exact(high)]
    elif low == high:
        shown = [point(low, digits)] * 2
    else:
        shown = _inward_ends(low, high, digits)
    return _joined(shown, unit)


def _joined(ends: Sequence[str], unit: str) -> str:
    numbers = ends[0] if ends[0] == ends[1] else RANGE_DASH.join(ends)
    return f"{numbers} {unit}" if unit else numbers


def point(value: float, digits: int) -> str:
    """One computed number: ``digits`` decimals, more where they would show fewer than three
    significant digits (3.25, 0.004; never 0 for a number that is not), and the shortest
    exact form beyond :data:`MOST_DECIMALS`.

    >>> point(116.83333333333333, 1), point(3.25, 1), point(0.0041666, 1), point(0.0, 1)
    ('116.8', '3.25', '0.00417', '0')
    """
    if value == 0.0 or not math.isfinite(value):
        return number(value, digits)
    places = max(digits, 2 - math.floor(math.log10(abs(value))))
    return number(value, places) if places <= MOST_DECIMALS else exact(value)


def ends_across(
    pairs: Sequence[tuple[float, float]], unit: str, *, digits: int, upper: bool
) -> str:
    """The lower (or, with ``upper``, the upper) ends of some ranges, from the first pair's
    to the last's, each end printed as :func:`span` prints it in its own range: rounded into
    that range, so that a lower end is never shown below it nor an upper end above it.

    For the ends of many patients' ranges, the pairs of the least and the greatest:

    >>> ends_across([(83.25, 166.5), (83.25, 166.5)], "mg/day", digits=1, upper=False)
    '83.3 mg/day'
    >>> ends_across([(83.25, 166.5), (100.05, 200.1)], "mg/day", digits=1, upper=True)
    '166.5–200.1 mg/day'
    """
    side = 1 if upper else 0
    return _joined([_inward_ends(*pair, digits)[side] for pair in (pairs[0], pairs[-1])], unit)


def _inward_ends(low: float, high: float, digits: int) -> list[str]:
    """The ends rounded into the range, with the fewest decimals from ``digits`` that keep
    them in order; the shortest exact forms where none up to :data:`MOST_DECIMALS` do."""
    for places in range(digits, max(digits, MOST_DECIMALS) + 1):
        ends = (_inward(low, places, up=True), _inward(high, places, up=False))
        if ends[0] <= ends[1]:
            return [number(end, places) for end in ends]
    return [exact(low), exact(high)]


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
    return f"({exact(low)}, {exact(high)})"


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

    >>> beyond(350.02, 350.0), beyond(174.96, 175.0), beyond(400.0, 350.0), beyond(4e-5, 1.0)
    ('350.02', '174.96', '400', '0.00004')
    """
    return apart(value, (bound, 0.0), digits)  # 0.0: a value that is not 0 is not shown as 0


def apart(value: float, bounds: Iterable[float], digits: int = 1) -> str:
    """``value`` shown on the same side of each of ``bounds`` as it lies (or on one it equals).

    ``digits`` decimals as :func:`number` writes them, or more where the rounded number
    would reach or cross a bound: 59.99999 kg beside bands from 60 kg shows as
    ``59.99999``, never ``60``.  Where six decimals are not enough, the shortest exact
    form (:func:`exact`).

    >>> apart(59.99999, [60.0, 100.0], 2), apart(80.0, [60.0, 100.0], 2)
    ('59.99999', '80')
    """
    bounds = list(bounds)
    for places in range(digits, 7):
        text = number(value, places)
        shown = float(text)
        if all(_side(shown, bound) == _side(value, bound) for bound in bounds):
            return text
    return exact(value)


def _side(value: float, bound: float) -> int:
    """-1 below ``bound``, 0 on it, 1 above it."""
    return (value > bound) - (value < bound)


def percent(fraction: float) -> str:
    """``fraction`` as a percentage, nothing rounded: 0.125 is ``12.5 %``, 0.005 ``0.5 %``.

    For a fraction the user gave (a tolerance asked for): the decimals they typed, no more,
    so that 0.1 reads ``10 %`` and not ``10.000000000000002 %``.

    >>> percent(0.125), percent(0.005), percent(0.1)
    ('12.5 %', '0.5 %', '10 %')
    """
    import decimal  # on first use: the command line's cold start does not pay for it

    value = decimal.Decimal(repr(float(fraction))).scaleb(2).normalize()
    return f"{value:f} %"


def inside(value: float, low: float, high: float, unit: str, digits: int = 1) -> tuple[str, str]:
    """``value``, which lies within ``low``–``high``, and that range as :func:`span` writes it.

    The range's ends are rounded into it, so a value close to an end could be printed
    outside the printed range (175.32 as ``175.3`` against ``175.4–350.6`` for
    175.309–350.617, or 87.66 as written in an order against ``87.7–175.3``): both are then
    written with more decimals (up to :data:`MOST_DECIMALS`), until the value, rounded and
    as given (up to floating-point noise), lies inside the printed range.  A value within
    only by floating-point noise, or by a tolerance asked for, is written as it rounds.

    >>> inside(200.0, 175.0, 350.0, "mg/day")
    ('200', '175–350 mg/day')
    >>> inside(175.32, 175.30864, 350.61728, "mg/day")
    ('175.32', '175.31–350.61 mg/day')
    >>> inside(87.66, 87.65375, 175.3075, "mg")
    ('87.66', '87.66–175.3 mg')
    """
    noise = 1e-9 * max(1.0, abs(value))  # 1e-9 at least: the grid of MOST_DECIMALS
    for places in range(digits, MOST_DECIMALS + 1):
        text = number(value, places)
        ends = (_inward(low, places, up=True), _inward(high, places, up=False))
        shown = (min(float(text), value + noise), max(float(text), value - noise))
        if ends[0] <= shown[0] and shown[1] <= ends[1]:
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
    """``value`` as given, nothing rounded: 200, 12.345, 0.00001 (the shortest exact form).

    The shortest decimal that reads back as the same float, without an exponent: a number
    of the data is printed as the data holds it (12.345678 mg, never 12.3457 mg).

    >>> exact(200.0), exact(12.345678), exact(1e-05), exact(-1.0)
    ('200', '12.345678', '0.00001', '-1')
    """
    text = repr(float(value))
    if "e" in text:  # 1e-05: written out by decimal (imported only then, for a cold start)
        import decimal

        text = format(decimal.Decimal(text), "f")
    return text.removesuffix(".0")


def reference_list(numbers: Iterable[int]) -> str:
    """Reference numbers as a list: ``1, 2, 5`` (empty for none)."""
    return ", ".join(map(str, numbers))


def cited(text: str, numbers: Sequence[int]) -> str:
    """``text`` followed by its references: ``"... [refs 1, 2]"``; unchanged without any."""
    return f"{text} [refs {reference_list(numbers)}]" if numbers else text


#: A word of letters (hyphens or apostrophes inside), maybe ending a clause.
_WORD: Final = r"[^\W\d_]+(?:[-'\u2019][^\W\d_]+)*[,;:]?"


def counted(count: int, noun: str) -> str:
    """``1 dose``, ``2 doses``: a count and a regular noun."""
    return f"{count} {noun}{'s' * (count != 1)}"


def sentence(text: str) -> str:
    """``text`` with its first letter capitalised (drug names are lower case in the data).

    Only a first word of lower-case letters is capitalised (``ciclosporin``, ``the``):
    an address or a code (``evil.com/x``, ``http://...``) or a word with a capital inside
    (``mTOR``) is left as written.
    """
    first = text.split(maxsplit=1)[0] if text.strip() else ""
    if not (re.fullmatch(_WORD, first) and first.islower()) or text[:1] != first[:1]:
        return text
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
