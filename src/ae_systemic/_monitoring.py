"""The monitoring calendar: dated visits from the drug's monitoring schedule.

The schedule itself is data (:class:`~ae_systemic.Monitoring`): for ciclosporin
a baseline visit, one after 4 weeks, then one every 3 months.  This module only
puts dates on it, with exact calendar arithmetic: months are counted from the
baseline date (never chained from the previous visit), and a day past the end
of a shorter month falls on that month's last day.
"""

from __future__ import annotations

import calendar
import datetime

import attrs

from ._errors import ArgumentTypeError, InputError, shown
from ._lookup import resolve_drug
from ._model import Drug, Monitoring
from ._notebook import NotebookDisplay
from ._text import cited, counted

__all__ = [
    "MAX_SCHEDULE_MONTHS",
    "Schedule",
    "Visit",
    "add_months",
    "monitoring_schedule",
    "schedule_note",
]

#: The longest calendar :func:`monitoring_schedule` draws, in months (a library bound).
MAX_SCHEDULE_MONTHS = 120


@attrs.frozen
class Visit(NotebookDisplay):
    """One dated monitoring visit: when, which visit it is, and the checks due.

    ``note`` says how far the date is the guideline's and how far this library's reading:
    for ciclosporin the source gives the schedule as an example (national guidelines
    apply), and counting the 3-monthly visits from the baseline date is this library's
    reading of "4 weeks and then 3-monthly".  ``str()`` ends with it.
    """

    date: datetime.date
    label: str
    checks: tuple[str, ...]
    references: tuple[int, ...] = ()
    note: str = ""

    def __str__(self) -> str:
        visit = cited(
            f"{self.date:%d %b %Y} ({self.label}): {', '.join(self.checks)}", self.references
        )
        return f"{visit}. {self.note}" if self.note else visit


class Schedule(NotebookDisplay, tuple[Visit, ...]):
    """The visits of :func:`monitoring_schedule`: a plain tuple of :class:`Visit` s, in date order.

    A tuple subclass that only adds notebook display (an HTML or Markdown
    table) and :attr:`note`; indexing, equality with a tuple of the same visits and
    hashing are those of the tuple.
    """

    __slots__ = ()

    @property
    def note(self) -> str:
        """What the dates rest on (the note every visit carries), or ``""`` for no visits."""
        return self[0].note if self else ""


def add_months(start: datetime.date, months: int) -> datetime.date:
    """``start`` moved by whole calendar ``months``, clamped to the end of a shorter month.

    ``start`` is a date (a ``datetime``, which would lose its time, is refused) and
    ``months`` a whole number, possibly negative (a ``bool`` is refused): both with
    :class:`~ae_systemic.ArgumentTypeError`.  A result outside the years 1 to 9999
    raises :class:`~ae_systemic.InputError`.

    >>> add_months(datetime.date(2027, 11, 30), 3)
    datetime.date(2028, 2, 29)
    """
    if not _is_date(start):
        raise ArgumentTypeError(
            "start", f"expected a datetime.date such as date(2027, 1, 15), got {shown(start)}"
        )
    if isinstance(months, bool) or not isinstance(months, int):
        raise ArgumentTypeError("months", f"expected a whole number of months, got {shown(months)}")
    year, month_index = divmod(start.month - 1 + months, 12)
    year += start.year
    if not datetime.MINYEAR <= year <= datetime.MAXYEAR:
        raise InputError(
            "months",
            f"{start} plus {shown(months)} month{'s' * (months != 1)} lies outside the years 1 "
            "to 9999",  # shown: an int too long to write in full (10**5000) is named by type
        )
    last_day = calendar.monthrange(year, month_index + 1)[1]
    return datetime.date(year, month_index + 1, min(start.day, last_day))


def monitoring_schedule(drug: Drug | str, start: datetime.date, *, months: int = 12) -> Schedule:
    """Dated monitoring visits from ``start`` up to and including ``start`` + ``months``.

    The result is a :class:`Schedule`, a ``tuple[Visit, ...]`` that notebooks
    display as a table.

    A visit at ``start`` (baseline, where the schedule has one), one after the
    first follow-up interval in weeks, then one every interval of months
    counted from the baseline date (a reading of this library; the source's "4 weeks
    and then 3-monthly" could also count them from the week-4 visit), none before the
    first follow-up ("after N weeks, then every M months"); a month visit on the day of the
    week visit is one visit with both labels (``week 4, month 1``).  Every visit lists
    the drug's checks and a ``note`` saying so, and, where the source gives the schedule
    as an example, that national guidelines apply.

    >>> for visit in monitoring_schedule("ciclosporin", datetime.date(2027, 1, 15)):
    ...     print(visit.date, visit.label)
    2027-01-15 baseline
    2027-02-12 week 4
    2027-04-15 month 3
    2027-07-15 month 6
    2027-10-15 month 9
    2028-01-15 month 12
    """
    subject = resolve_drug(drug)
    if not _is_date(start):
        raise ArgumentTypeError(
            "start", f"expected a datetime.date such as date(2027, 1, 15), got {shown(start)}"
        )
    if isinstance(months, bool) or not isinstance(months, int):
        raise ArgumentTypeError("months", f"expected a whole number of months, got {shown(months)}")
    if not 1 <= months <= MAX_SCHEDULE_MONTHS:
        raise InputError(
            "months", f"must lie between 1 and {MAX_SCHEDULE_MONTHS}, got {shown(months)}"
        )
    monitoring = subject.monitoring
    end = _shifted(start, months, "month")
    labels: dict[datetime.date, list[str]] = {start: ["baseline"]} if monitoring.at_baseline else {}
    weeks = monitoring.first_follow_up_weeks
    if weeks * 7 > (end - start).days:  # a later first follow-up may lie beyond year 9999
        return _schedule(monitoring, labels)  # and every month visit comes after it
    first = _shifted(start, weeks * 7, "day")
    labels[first] = [f"week {weeks}"]
    step = monitoring.interval_months
    for offset in range(step, months + 1, step):
        day = add_months(start, offset)  # within the calendar: the schedule's end is
        if day >= first:  # "after N weeks, then every M months": none before the first
            labels.setdefault(day, []).append(f"month {offset}")
    return _schedule(monitoring, labels)


def _schedule(monitoring: Monitoring, labels: dict[datetime.date, list[str]]) -> Schedule:
    """The visits of ``labels`` in date order; two visits on one day are one, both labels."""
    note = schedule_note(monitoring)
    return Schedule(
        Visit(day, ", ".join(names), monitoring.checks, monitoring.references, note)
        for day, names in sorted(labels.items())
    )


def schedule_note(monitoring: Monitoring) -> str:
    """What a dated schedule rests on: the source's example, and this library's reading."""
    months = monitoring.interval_months
    reading = (
        f"Visits every {counted(months, 'month')} are counted from the baseline date, a "
        "reading of this library (they could also be counted from the "
        f"week-{monitoring.first_follow_up_weeks} visit)."
    )
    if monitoring.schedule_is_example:
        return f"An example schedule: national guidelines apply. {reading}"
    return reading


def _is_date(value: object) -> bool:
    return isinstance(value, datetime.date) and not isinstance(value, datetime.datetime)


def _shifted(start: datetime.date, amount: int, unit: str) -> datetime.date:
    """``start`` plus ``amount`` of ``unit`` (``"day"`` or ``"month"``), or a clear error."""
    try:
        if unit == "day":
            return start + datetime.timedelta(days=amount)
        return add_months(start, amount)
    except (OverflowError, ValueError):
        raise InputError(
            "start", f"{start} plus {counted(amount, unit)} lies beyond the calendar (year 9999)"
        ) from None
