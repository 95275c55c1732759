"""The monitoring calendar as iCalendar: ``ae_systemic.ics.to_calendar``."""

from __future__ import annotations

import datetime
import hashlib
import re
import subprocess
import sys

import attrs
import icalendar
import pytest

import ae_systemic
from ae_systemic import ArgumentTypeError, InputError
from ae_systemic.ics import to_calendar

START = datetime.date(2027, 1, 15)
STAMP = datetime.datetime(2027, 1, 1, 8, 30, tzinfo=datetime.UTC)


def events(data: bytes) -> list[icalendar.cal.Component]:
    calendar = icalendar.Calendar.from_ical(data)
    return list(calendar.walk("VEVENT"))


def test_one_all_day_event_per_visit_of_the_schedule() -> None:
    visits = ae_systemic.monitoring_schedule("ciclosporin", START)
    found = events(to_calendar("ciclosporin", START, stamp=STAMP))
    assert [e.decoded("dtstart") for e in found] == [v.date for v in visits]
    assert [e.decoded("dtend") - e.decoded("dtstart") for e in found] == [
        datetime.timedelta(days=1)
    ] * len(visits)
    assert [str(e["summary"]) for e in found] == [
        f"ciclosporin monitoring: {v.label}" for v in visits
    ]


def test_each_event_lists_the_checks_and_the_example_caveat() -> None:
    monitoring = ae_systemic.drug("ciclosporin").monitoring
    visits = ae_systemic.monitoring_schedule("ciclosporin", START)
    description = str(events(to_calendar("CsA", START, stamp=STAMP))[1]["description"])
    assert description.startswith(f"Checks: {', '.join(monitoring.checks)}.")
    assert visits[1].note in description
    assert "national guidelines apply" in description


COURSE = "course-4711"
#: The course's part of the UIDs of COURSE: 16 hex digits of its SHA-256.
COURSE_KEY = hashlib.sha256(COURSE.encode()).hexdigest()[:16]


def uids(data: bytes) -> list[str]:
    return [str(e["uid"]) for e in events(data)]


def test_the_same_course_gives_the_same_bytes_and_stable_uids() -> None:
    first = to_calendar("ciclosporin", START, months=24, stamp=STAMP, course=COURSE)
    again = to_calendar(
        ae_systemic.drug("ciclosporin"), START, months=24, stamp=STAMP, course=COURSE
    )
    assert again == first
    found = uids(first)
    assert found[0] == f"ciclosporin-20270115-20270115-{COURSE_KEY}@ae-systemic"
    assert len(set(found)) == len(found)
    # Made again later for more months: the same events keep their UIDs (an update).
    later = datetime.datetime(2027, 6, 1, tzinfo=datetime.UTC)
    longer = uids(to_calendar("ciclosporin", START, months=36, stamp=later, course=COURSE))
    assert longer[: len(found)] == found


def test_two_patients_starting_the_same_day_never_share_a_uid() -> None:
    # Same drug, start and visits: the UIDs were equal, so that importing the second
    # patient's calendar into a shared one replaced the first patient's visits.
    one, other = (to_calendar("ciclosporin", START, stamp=STAMP) for _ in range(2))
    assert not set(uids(one)) & set(uids(other))
    pattern = r"ciclosporin-20270115-\d{8}-[0-9a-f]{16}@ae-systemic"
    assert all(re.fullmatch(pattern, uid) for uid in uids(one))
    courses = (to_calendar("ciclosporin", START, stamp=STAMP, course=c) for c in ("a", "b"))
    assert not set(uids(next(courses))) & set(uids(next(courses)))


@pytest.mark.parametrize("course", ["", " ", "\t\n"])
def test_a_course_of_spaces_only_is_refused(course: str) -> None:
    with pytest.raises(InputError, match=r"^course: .* names no course; give an identifier"):
        to_calendar("ciclosporin", START, course=course)


def test_a_course_that_is_not_text_is_refused() -> None:
    with pytest.raises(ArgumentTypeError, match=r"^course: expected None or a str, got "):
        to_calendar("ciclosporin", START, course=4711)  # type: ignore[arg-type]
    lone = to_calendar("ciclosporin", START, stamp=STAMP, course="\udce8")  # hashed, not written
    assert b"\xed" not in lone


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Ciclosporin A", "ciclosporin-a-"),
        ("Drug, A; B\\C", "drug-a-b-c-"),
        ("シクロスポリン", ""),
        ("ÄÖÜ", ""),
    ],
)
def test_a_data_pack_drug_name_is_escaped_and_gets_its_own_uids(name: str, slug: str) -> None:
    drug = attrs.evolve(ae_systemic.drug("ciclosporin"), name=name)
    data = to_calendar(drug, START, stamp=STAMP, course=COURSE)
    calendar = icalendar.Calendar.from_ical(data)
    # icalendar reads an X- property as it is written: unescape it as RFC 5545 TEXT
    written = str(calendar["x-wr-calname"])
    assert re.sub(r"\\([\\,;])", r"\1", written) == f"{name} monitoring"
    assert written.count("\\,") == name.count(",")  # escaped as TEXT, not a list
    found = list(calendar.walk("VEVENT"))
    assert str(found[0]["summary"]) == f"{name} monitoring: baseline"
    uid = str(found[0]["uid"])
    digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:12]
    assert uid == f"{slug}{digest}-20270115-20270115-{COURSE_KEY}@ae-systemic"


def test_names_with_the_same_letters_get_different_uids() -> None:
    def first_uid(name: str) -> str:
        drug = attrs.evolve(ae_systemic.drug("ciclosporin"), name=name)
        return uids(to_calendar(drug, START, stamp=STAMP, course=COURSE))[0]

    found = {first_uid(name) for name in ("Drug A", "drug-a", "DRUG A", "アA", "イA")}
    assert len(found) == 5
    assert first_uid("drug-a") == f"drug-a-20270115-20270115-{COURSE_KEY}@ae-systemic"


def test_the_stamp_is_written_in_utc() -> None:
    berlin = datetime.timezone(datetime.timedelta(hours=1))
    stamp = datetime.datetime(2027, 1, 1, 9, 30, 15, 999, tzinfo=berlin)
    found = events(to_calendar("ciclosporin", START, stamp=stamp))
    assert found[0].decoded("dtstamp") == datetime.datetime(
        2027, 1, 1, 8, 30, 15, tzinfo=datetime.UTC
    )


def test_a_naive_or_wrong_stamp_is_refused() -> None:
    with pytest.raises(InputError, match=r"^stamp: expected an aware datetime"):
        to_calendar("ciclosporin", START, stamp=datetime.datetime(2027, 1, 1))
    with pytest.raises(ArgumentTypeError, match=r"^stamp"):
        to_calendar("ciclosporin", START, stamp="2027-01-01")  # type: ignore[arg-type]


def test_a_stamp_beyond_the_calendar_in_utc_is_refused() -> None:
    early = datetime.datetime(1, 1, 1, 1, tzinfo=datetime.timezone(datetime.timedelta(hours=5)))
    with pytest.raises(InputError) as raised:
        to_calendar("ciclosporin", START, stamp=early)
    assert str(raised.value) == (
        "stamp: 0001-01-01T01:00:00+05:00 lies beyond the calendar (years 1 to 9999) in UTC"
    )


def test_a_visit_on_the_last_day_of_the_calendar_is_refused_not_a_crash() -> None:
    """Its DTEND, the day after 9999-12-31, cannot be written."""
    last = datetime.date(9998, 12, 31)
    assert ae_systemic.monitoring_schedule("ciclosporin", last)[-1].date == datetime.date.max
    with pytest.raises(InputError) as raised:
        to_calendar("ciclosporin", last)
    assert str(raised.value) == (
        "start: the visit of 9999-12-31 would end on the day after it, beyond the calendar "
        "(year 9999); choose an earlier start or fewer months"
    )
    assert to_calendar("ciclosporin", last, months=11).count(b"BEGIN:VEVENT") == 5


def test_the_schedule_rules_apply() -> None:
    with pytest.raises(ArgumentTypeError, match=r"^start"):
        to_calendar("ciclosporin", "2027-01-15")  # type: ignore[arg-type]
    with pytest.raises(InputError, match=r"^months"):
        to_calendar("ciclosporin", START, months=0)
    with pytest.raises(ae_systemic.UnknownDrugError):
        to_calendar("tacrolimus", START)


def test_without_icalendar_the_extra_is_named() -> None:
    code = (
        "import sys, datetime; sys.modules['icalendar'] = None\n"
        "from ae_systemic.ics import to_calendar\n"
        "import ae_systemic\n"
        "try:\n"
        "    to_calendar('ciclosporin', datetime.date(2027, 1, 15))\n"
        "except ae_systemic.MissingExtraError as exc:\n"
        "    print(type(exc).__name__, exc.name, exc.extra, exc)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert result.stdout.strip() == (
        "MissingExtraError icalendar ics to_calendar needs icalendar: "
        "pip install 'ae-systemic[ics]'"
    )


def test_importing_the_module_does_not_import_icalendar() -> None:
    code = "import sys, ae_systemic.ics; print('icalendar' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert result.stdout.strip() == "False"


def test_a_schedule_without_any_visit_is_refused_not_an_empty_calendar() -> None:
    """RFC 5545 needs a component: no baseline and a first follow-up after the months asked."""
    csa = ae_systemic.drug("ciclosporin")
    monitoring = attrs.evolve(csa.monitoring, at_baseline=False, first_follow_up_weeks=8)
    late = attrs.evolve(csa, name="testdrug", synonyms=(), monitoring=monitoring)
    with pytest.raises(InputError) as raised:
        to_calendar(late, datetime.date(2027, 1, 31), months=1, stamp=STAMP)
    assert str(raised.value) == (
        "months: no monitoring visit of testdrug falls within 1 month from 2027-01-31 (no "
        "baseline visit; the first follow-up is at week 8); ask for more months"
    )
    assert (
        to_calendar(late, datetime.date(2027, 1, 31), months=2, stamp=STAMP).count(b"BEGIN:VEVENT")
        == 1
    )  # week 8, on 28 March
