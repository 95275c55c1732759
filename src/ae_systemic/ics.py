"""The monitoring calendar as iCalendar (RFC 5545): one all-day event per visit.

:func:`to_calendar` turns :func:`~ae_systemic.monitoring_schedule` into the text of an
``.ics`` file that any calendar program imports, as :mod:`ae_systemic.fhir` turns the
content into a FHIR Bundle.  Each visit is an all-day ``VEVENT`` whose ``UID`` is made of
the drug (a drug whose name is not plain lower-case ASCII also gets a hash of its name),
the start and visit dates, and the course of treatment: a hash of the caller's ``course``,
so that the calendar of the same course made again updates its events instead of doubling
them, or without one a random part, so that two patients' calendars never share a UID (a
calendar program would take one patient's visits for updates of the other's).  The
description lists the checks, their references and the visit's note (the source's
example, national guidelines apply; how the dates are counted).

icalendar is an optional dependency (the extra ``ics``); it is imported when
:func:`to_calendar` is called, never when ``ae_systemic`` or this module is imported.
"""

from __future__ import annotations

import datetime
import hashlib
import re
import secrets

from ._errors import ArgumentTypeError, InputError, MissingExtraError, shown
from ._lookup import resolve_drug
from ._model import Drug
from ._monitoring import monitoring_schedule
from ._text import counted, reference_list
from ._version import __version__

__all__ = ["to_calendar"]


def to_calendar(
    drug: Drug | str,
    start: datetime.date,
    *,
    months: int = 12,
    stamp: datetime.datetime | None = None,
    course: str | None = None,
) -> bytes:
    """The monitoring visits of ``drug`` from ``start`` as an iCalendar file (UTF-8 bytes).

    ``drug`` is a :class:`~ae_systemic.Drug` or a drug name; ``start`` and ``months``
    are those of :func:`~ae_systemic.monitoring_schedule`, which chooses the visits.
    ``stamp`` is the time the calendar is made (``DTSTAMP``, in UTC; default: now), so
    that a caller who needs the same bytes twice can fix it.  Write the result to a
    file with ``Path("visits.ics").write_bytes(...)``.

    ``course`` names this patient's course of treatment (a pseudonymous identifier the
    caller keeps, such as ``"course-4711"``): the events' ``UID`` s hold a hash of it, so
    that the calendar of the same course, made again (a later ``stamp``, more ``months``),
    updates the events a calendar program holds instead of adding copies.  Without it
    each calendar gets UIDs of its own at random: RFC 5545 wants them unique everywhere,
    and two patients who start on the same day would otherwise share them, so that
    importing one calendar would move or replace the other's visits.  The hash is no
    secret (a short identifier can be guessed from it): give a pseudonym, not a name.

    A calendar holds at least one visit (RFC 5545 needs a component): a schedule without
    any (no baseline visit, and a first follow-up after ``months``) raises
    :class:`~ae_systemic.InputError` naming ``months``.

    Needs icalendar (``pip install 'ae-systemic[ics]'``); without it raises
    :class:`~ae_systemic.MissingExtraError`, an :class:`ImportError`.

    >>> calendar = to_calendar("ciclosporin", datetime.date(2027, 1, 15),
    ...                        stamp=datetime.datetime(2027, 1, 1, tzinfo=datetime.UTC))
    >>> calendar.count(b"BEGIN:VEVENT"), b"SUMMARY:ciclosporin monitoring: week 4" in calendar
    (6, True)
    """
    key = _course_key(course)
    try:
        import icalendar
    except ImportError as exc:
        raise MissingExtraError("to_calendar", "icalendar", "ics") from exc
    subject = resolve_drug(drug)
    visits = monitoring_schedule(subject, start, months=months)
    if not visits:  # RFC 5545: a calendar holds at least one component
        weeks = subject.monitoring.first_follow_up_weeks
        raise InputError(
            "months",
            f"no monitoring visit of {subject.name} falls within {counted(months, 'month')} "
            f"from {start} (no baseline visit; the first follow-up is at week {weeks}); "
            "ask for more months",
        )
    if visits[-1].date == datetime.date.max:  # its DTEND, the next day, cannot be
        raise InputError(
            "start",
            f"the visit of {visits[-1].date} would end on the day after it, beyond the calendar "
            "(year 9999); choose an earlier start or fewer months",
        )
    made = _utc(stamp)
    slug = _slug(subject.name)
    calendar = icalendar.Calendar()
    calendar.add("prodid", f"-//ae_systemic//ae-systemic {__version__}//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", icalendar.vText(f"{subject.name} monitoring"))
    for visit in visits:
        event = icalendar.Event()
        event.add("uid", f"{slug}-{start:%Y%m%d}-{visit.date:%Y%m%d}-{key}@ae-systemic")
        event.add("dtstamp", made)
        event.add("dtstart", visit.date)
        event.add("dtend", visit.date + datetime.timedelta(days=1))
        event.add("summary", f"{subject.name} monitoring: {visit.label}")
        description = f"Checks: {', '.join(visit.checks)}."
        if visit.references:
            description += f" References: {reference_list(visit.references)}."
        if visit.note:
            description += f"\n{visit.note}"
        event.add("description", description)
        event.add("transp", "TRANSPARENT")
        calendar.add_component(event)
    ical: bytes = calendar.to_ical()
    return ical


def _slug(name: str) -> str:
    """The drug's part of each ``UID``: its name when that is already lower-case ASCII
    letters, digits and hyphens (``ciclosporin``); otherwise those characters of it, then
    a hash of the whole name, so that two drugs never share their events' UIDs."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    if slug == name:
        return slug
    digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:12]
    return f"{slug}-{digest}" if slug else digest


def _course_key(course: object) -> str:
    """The course's part of each ``UID``: 16 hex digits of a hash of ``course``, or at
    random (from :mod:`secrets`) for a calendar without one."""
    if course is None:
        return secrets.token_hex(8)
    if not isinstance(course, str):
        raise ArgumentTypeError("course", f"expected None or a str, got {shown(course)}")
    if not course.strip():
        raise InputError(
            "course",
            f"{course!r} names no course; give an identifier of this patient's course of "
            "treatment (a pseudonym such as 'course-4711'), or leave it out for UIDs at random",
        )
    return hashlib.sha256(course.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def _utc(stamp: object) -> datetime.datetime:
    """``stamp`` in UTC, to the second; now when it is ``None``."""
    if stamp is None:
        return datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    if not isinstance(stamp, datetime.datetime):
        raise ArgumentTypeError(
            "stamp", f"expected None or an aware datetime.datetime, got {shown(stamp)}"
        )
    if stamp.tzinfo is None or stamp.utcoffset() is None:
        raise InputError("stamp", "expected an aware datetime (with a time zone), got a naive one")
    try:
        return stamp.astimezone(datetime.UTC).replace(microsecond=0)
    except OverflowError:  # 0001-01-01 01:00 at +05:00 is before year 1 in UTC
        raise InputError(
            "stamp", f"{stamp.isoformat()} lies beyond the calendar (years 1 to 9999) in UTC"
        ) from None
