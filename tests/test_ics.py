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


def test_the_same_input_gives_the_same_bytes_and_stable_uids() -> None:
    first = to_calendar("ciclosporin", START, months=24, stamp=STAMP)
    assert to_calendar(ae_systemic.drug("ciclosporin"), START, months=24, stamp=STAMP) == first
    uids = [str(e["uid"]) for e in events(first)]
    assert uids[0] == "ciclosporin-20270115-20270115@ae-systemic"
    assert len(set(uids)) == len(uids)


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
    data = to_calendar(drug, START, stamp=STAMP)
    calendar = icalendar.Calendar.from_ical(data)
    # icalendar reads an X- property as it is written: unescape it as RFC 5545 TEXT
    written = str(calendar["x-wr-calname"])
    assert re.sub(r"\\([\\,;])", r"\1", written) == f"{name} monitoring"
    assert written.count("\\,") == name.count(",")  # escaped as TEXT, not a list
    found = list(calendar.walk("VEVENT"))
    assert str(found[0]["summary"]) == f"{name} monitoring: baseline"
    uid = str(found[0]["uid"])
    digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:12]
    assert uid == f"{slug}{digest}-20270115-20270115@ae-systemic"


def test_names_with_the_same_letters_get_different_uids() -> None:
    def first_uid(name: str) -> str:
        drug = attrs.evolve(ae_systemic.drug("ciclosporin"), name=name)
        return str(events(to_calendar(drug, START, stamp=STAMP))[0]["uid"])

    uids = {first_uid(name) for name in ("Drug A", "drug-a", "DRUG A", "アA", "イA")}
    assert len(uids) == 5
    assert first_uid("drug-a") == "drug-a-20270115-20270115@ae-systemic"


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
