"""The monitoring calendar: baseline, week 4, then every 3 months counted from the baseline."""

from __future__ import annotations

import calendar
import datetime
import itertools

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ae_systemic
from ae_systemic import (
    MAX_SCHEDULE_MONTHS,
    ArgumentTypeError,
    InputError,
    UnknownDrugError,
    Visit,
    add_months,
    monitoring_schedule,
)

D = datetime.date

#: What the source says to check at every visit: "Blood pressure, full blood count, renal and
#: liver profile (including GGT)".
CHECKS = ("blood pressure", "full blood count", "renal profile", "liver profile (including GGT)")


def dates_and_labels(visits: tuple[Visit, ...]) -> list[tuple[datetime.date, str]]:
    return [(v.date, v.label) for v in visits]


# -- worked examples ---------------------------------------------------------------------------


def test_a_year_from_15_january_2027() -> None:
    visits = monitoring_schedule("ciclosporin", D(2027, 1, 15))
    assert dates_and_labels(visits) == [
        (D(2027, 1, 15), "baseline"),
        (D(2027, 2, 12), "week 4"),
        (D(2027, 4, 15), "month 3"),
        (D(2027, 7, 15), "month 6"),
        (D(2027, 10, 15), "month 9"),
        (D(2028, 1, 15), "month 12"),
    ]


def test_12_months_is_the_default() -> None:
    start = D(2027, 1, 15)
    assert monitoring_schedule("ciclosporin", start) == monitoring_schedule(
        "ciclosporin", start, months=12
    )


def test_30_november_2027_gives_29_february_2028_in_the_leap_year() -> None:
    visits = monitoring_schedule("ciclosporin", D(2027, 11, 30), months=3)
    assert dates_and_labels(visits) == [
        (D(2027, 11, 30), "baseline"),
        (D(2027, 12, 28), "week 4"),
        (D(2028, 2, 29), "month 3"),
    ]


def test_30_november_2026_gives_28_february_2027() -> None:
    visits = monitoring_schedule("ciclosporin", D(2026, 11, 30), months=3)
    assert visits[-1].date == D(2027, 2, 28)
    assert visits[-1].label == "month 3"


def test_31_august_gives_30_november_and_later_months_count_from_the_baseline() -> None:
    visits = monitoring_schedule("ciclosporin", D(2027, 8, 31))
    assert dates_and_labels(visits) == [
        (D(2027, 8, 31), "baseline"),
        (D(2027, 9, 28), "week 4"),
        (D(2027, 11, 30), "month 3"),
        (D(2028, 2, 29), "month 6"),
        (D(2028, 5, 31), "month 9"),  # not 29 May, as chaining from 29 February would give
        (D(2028, 8, 31), "month 12"),
    ]


def test_three_months_ends_at_the_3_month_visit() -> None:
    visits = monitoring_schedule("ciclosporin", D(2027, 1, 15), months=3)
    assert [v.label for v in visits] == ["baseline", "week 4", "month 3"]
    assert visits[-1].date == D(2027, 4, 15)


@pytest.mark.parametrize("start", [D(2027, 1, 15), D(2027, 1, 31), D(2027, 2, 1), D(2028, 2, 29)])
def test_one_month_gives_the_baseline_and_week_4_only(start: datetime.date) -> None:
    visits = monitoring_schedule("ciclosporin", start, months=1)
    assert dates_and_labels(visits) == [
        (start, "baseline"),
        (start + datetime.timedelta(weeks=4), "week 4"),
    ]


@pytest.mark.parametrize(("months", "count"), [(2, 2), (4, 3), (5, 3), (6, 4), (24, 10), (120, 42)])
def test_the_number_of_visits(months: int, count: int) -> None:
    assert len(monitoring_schedule("ciclosporin", D(2027, 1, 15), months=months)) == count


def test_the_longest_calendar_is_10_years() -> None:
    assert MAX_SCHEDULE_MONTHS == 120
    visits = monitoring_schedule("ciclosporin", D(2027, 1, 15), months=120)
    assert (visits[-1].date, visits[-1].label) == (D(2037, 1, 15), "month 120")


def test_every_visit_carries_the_four_checks() -> None:
    visits = monitoring_schedule("ciclosporin", D(2027, 1, 15), months=24)
    assert visits
    for visit in visits:
        assert visit.checks == CHECKS
        assert visit.references == ()


def test_a_visit_prints_its_date_label_and_checks() -> None:
    first = monitoring_schedule("ciclosporin", D(2027, 1, 15))[0]
    assert str(first) == (
        "15 Jan 2027 (baseline): blood pressure, full blood count, renal profile, "
        "liver profile (including GGT). An example schedule: national guidelines apply. "
        "Visits every 3 months are counted from the baseline date, a reading of this library "
        "(they could also be counted from the week-4 visit)."
    )


def test_every_visit_says_the_schedule_is_an_example_and_how_its_dates_are_counted() -> None:
    schedule = monitoring_schedule("ciclosporin", D(2027, 1, 15))
    assert {visit.note for visit in schedule} == {schedule.note}
    assert schedule.note.startswith("An example schedule: national guidelines apply.")
    assert "counted from the baseline date, a reading of this library" in schedule.note


def test_visits_are_frozen() -> None:
    first = monitoring_schedule("ciclosporin", D(2027, 1, 15))[0]
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        first.date = D(2027, 1, 16)  # type: ignore[misc]


def test_the_drug_may_be_given_as_a_drug_or_any_name() -> None:
    start = D(2027, 1, 15)
    by_name = monitoring_schedule("ciclosporin", start)
    assert monitoring_schedule(ae_systemic.drug("ciclosporin"), start) == by_name
    assert monitoring_schedule("CsA", start) == by_name


def test_an_unknown_drug_is_refused() -> None:
    with pytest.raises(UnknownDrugError):
        monitoring_schedule("tacrolimus", D(2027, 1, 15))


# -- add_months ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (D(2027, 1, 15), 0, D(2027, 1, 15)),
        (D(2027, 1, 15), 1, D(2027, 2, 15)),
        (D(2027, 11, 15), 3, D(2028, 2, 15)),
        (D(2027, 11, 30), 3, D(2028, 2, 29)),
        (D(2026, 11, 30), 3, D(2027, 2, 28)),
        (D(2027, 12, 31), 1, D(2028, 1, 31)),
        (D(2027, 1, 31), 1, D(2027, 2, 28)),
        (D(2028, 1, 31), 1, D(2028, 2, 29)),
        (D(2027, 5, 31), 1, D(2027, 6, 30)),
        (D(2027, 8, 31), 3, D(2027, 11, 30)),
        (D(2024, 2, 29), 12, D(2025, 2, 28)),
        (D(2024, 2, 29), 48, D(2028, 2, 29)),
        (D(2027, 10, 31), 14, D(2028, 12, 31)),
        (D(2027, 1, 15), 120, D(2037, 1, 15)),
        (D(1899, 12, 31), 2, D(1900, 2, 28)),  # 1900 is not a leap year
        (D(1999, 12, 31), 2, D(2000, 2, 29)),  # 2000 is
    ],
    ids=str,
)
def test_add_months(start: datetime.date, months: int, expected: datetime.date) -> None:
    assert add_months(start, months) == expected


# -- bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "start",
    [datetime.datetime(2027, 1, 15), datetime.datetime(2027, 1, 15, 9, 30), "2027-01-15", None, 0],
    ids=repr,
)
def test_a_start_that_is_not_a_date_is_refused(start: object) -> None:
    with pytest.raises(ArgumentTypeError, match=r"^start"):
        monitoring_schedule("ciclosporin", start)  # type: ignore[arg-type]


@pytest.mark.parametrize("months", [0, -1, 121], ids=repr)
def test_a_number_of_months_out_of_bounds_is_refused(months: int) -> None:
    with pytest.raises(InputError, match=r"^months"):
        monitoring_schedule("ciclosporin", D(2027, 1, 15), months=months)


@pytest.mark.parametrize("months", [1.5, 12.0, True, False, "12", None], ids=repr)
def test_months_that_are_not_a_whole_number_are_refused(months: object) -> None:
    with pytest.raises(ArgumentTypeError, match=r"^months"):
        monitoring_schedule("ciclosporin", D(2027, 1, 15), months=months)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("start", "months"),
    [
        (D(9999, 12, 1), 1),
        (D(9999, 12, 31), 1),
        (D(9999, 1, 1), 12),
        (D(9999, 6, 1), 120),
        (D.max, 1),
    ],
    ids=str,
)
def test_a_calendar_beyond_year_9999_is_refused_with_input_error(
    start: datetime.date, months: int
) -> None:
    with pytest.raises(InputError, match=r"^start") as caught:
        monitoring_schedule("ciclosporin", start, months=months)
    assert not isinstance(caught.value, OverflowError)


def test_a_calendar_ending_in_december_9999_is_drawn() -> None:
    visits = monitoring_schedule("ciclosporin", D(9998, 12, 31))
    assert visits[-1].date == D(9999, 12, 31)


@pytest.mark.parametrize("weeks", [53, 600_000, 1_000_000])
def test_a_first_follow_up_beyond_the_window_leaves_the_baseline_alone_even_beyond_year_9999(
    weeks: int,
) -> None:
    # "after N weeks, then every M months": no month visit comes before the first follow-up
    csa = ae_systemic.drug("ciclosporin")
    late = attrs.evolve(csa, monitoring=attrs.evolve(csa.monitoring, first_follow_up_weeks=weeks))
    visits = monitoring_schedule(late, D(2027, 1, 15))
    assert dates_and_labels(visits) == [(D(2027, 1, 15), "baseline")]


def test_a_first_follow_up_on_the_last_day_of_the_window_is_kept() -> None:
    # 4 weeks after 1 February 2027 is 1 March 2027, the last day of a one-month window
    assert dates_and_labels(monitoring_schedule("ciclosporin", D(2027, 2, 1), months=1)) == [
        (D(2027, 2, 1), "baseline"),
        (D(2027, 3, 1), "week 4"),
    ]
    csa = ae_systemic.drug("ciclosporin")
    late = attrs.evolve(csa, monitoring=attrs.evolve(csa.monitoring, first_follow_up_weeks=5))
    assert dates_and_labels(monitoring_schedule(late, D(2027, 2, 1), months=1)) == [
        (D(2027, 2, 1), "baseline")
    ]


def schedule_of(weeks: int, every: int, *, baseline: bool = True) -> ae_systemic.Drug:
    """Ciclosporin with another monitoring schedule, as a data pack could give it."""
    csa = ae_systemic.drug("ciclosporin")
    monitoring = attrs.evolve(
        csa.monitoring, at_baseline=baseline, first_follow_up_weeks=weeks, interval_months=every
    )
    return attrs.evolve(csa, name="testdrug", synonyms=(), monitoring=monitoring)


def test_month_visits_start_after_the_first_follow_up() -> None:
    # "after 8 weeks, then every month": month 1 (28 February) would come before week 8
    visits = monitoring_schedule(schedule_of(8, 1, baseline=False), D(2027, 1, 31), months=3)
    assert dates_and_labels(visits) == [
        (D(2027, 3, 28), "week 8"),
        (D(2027, 3, 31), "month 2"),
        (D(2027, 4, 30), "month 3"),
    ]


def test_a_week_visit_on_a_month_visit_keeps_both_labels() -> None:
    # 4 weeks after 1 February 2027 is 1 March 2027, also month 1
    visits = monitoring_schedule(schedule_of(4, 1), D(2027, 2, 1), months=2)
    assert dates_and_labels(visits) == [
        (D(2027, 2, 1), "baseline"),
        (D(2027, 3, 1), "week 4, month 1"),
        (D(2027, 4, 1), "month 2"),
    ]


def test_without_a_baseline_and_a_later_first_follow_up_there_is_no_visit() -> None:
    assert monitoring_schedule(schedule_of(8, 3, baseline=False), D(2027, 1, 31), months=1) == ()


# -- properties ---------------------------------------------------------------------------------


def months_apart(a: datetime.date, b: datetime.date) -> int:
    """Whole calendar months from ``a``'s month to ``b``'s month."""
    return (b.year - a.year) * 12 + (b.month - a.month)


def last_day(d: datetime.date) -> int:
    return calendar.monthrange(d.year, d.month)[1]


def months_later(start: datetime.date, months: int) -> datetime.date:
    """Independent oracle: step month by month, then clamp the day once at the end."""
    year, month = start.year, start.month
    for _ in range(months):
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return D(year, month, min(start.day, calendar.monthrange(year, month)[1]))


dates = st.dates(min_value=D(1900, 1, 1), max_value=D(2200, 12, 31))


@settings(max_examples=100, deadline=None)
@given(dates, st.integers(min_value=0, max_value=1200))
def test_add_months_moves_by_whole_months_and_clamps_the_day(
    start: datetime.date, months: int
) -> None:
    moved = add_months(start, months)
    assert months_apart(start, moved) == months
    assert moved.day == min(start.day, last_day(moved))
    assert moved == months_later(start, months)


@settings(max_examples=100, deadline=None)
@given(dates, st.integers(min_value=1, max_value=MAX_SCHEDULE_MONTHS))
def test_any_schedule_has_baseline_week_4_and_every_3_months(
    start: datetime.date, months: int
) -> None:
    visits = monitoring_schedule("ciclosporin", start, months=months)
    days = [v.date for v in visits]
    end = months_later(start, months)
    assert all(a < b for a, b in itertools.pairwise(days))
    assert visits[0].date == start
    assert visits[0].label == "baseline"
    week_4 = start + datetime.timedelta(days=28)
    assert week_4 <= end  # no month is shorter than 28 days
    assert (visits[1].date, visits[1].label) == (week_4, "week 4")
    rest = visits[2:]
    assert len(visits) == 2 + months // 3
    for k, visit in enumerate(rest, start=1):
        assert visit.label == f"month {3 * k}"
        assert months_apart(start, visit.date) == 3 * k
        assert visit.date.day == min(start.day, last_day(visit.date))
    assert all(d <= end for d in days)
    for visit in visits:
        assert visit.checks == CHECKS


@pytest.mark.parametrize(
    ("start", "months"),
    [
        (D(2027, 1, 15), "3"),
        (D(2027, 1, 15), True),
        (D(2027, 1, 15), 1.0),
        ("2027-01-15", 3),
        (datetime.datetime(2027, 1, 15, 9, 30), 3),
        (None, 3),
    ],
    ids=repr,
)
def test_add_months_refuses_what_is_not_a_date_or_a_whole_number(
    start: object, months: object
) -> None:
    with pytest.raises(ArgumentTypeError):
        add_months(start, months)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("start", "months", "message"),
    [
        (D(9999, 12, 1), 1, "months: 9999-12-01 plus 1 month lies outside the years 1 to 9999"),
        (D(9999, 12, 1), 2, "months: 9999-12-01 plus 2 months lies outside the years 1 to 9999"),
        (D(1, 1, 1), -1, "months: 0001-01-01 plus -1 months lies outside the years 1 to 9999"),
    ],
    ids=str,
)
def test_add_months_beyond_the_calendar_is_an_input_error(
    start: datetime.date, months: int, message: str
) -> None:
    with pytest.raises(InputError) as raised:
        add_months(start, months)
    assert str(raised.value) == message


@pytest.mark.parametrize(
    ("start", "months", "message"),
    [
        (D(9999, 12, 31), 1, "start: 9999-12-31 plus 1 month lies beyond the calendar (year 9999)"),
        (D(9999, 12, 1), 2, "start: 9999-12-01 plus 2 months lies beyond the calendar (year 9999)"),
    ],
    ids=str,
)
def test_a_schedule_beyond_the_calendar_counts_its_months_in_words(
    start: datetime.date, months: int, message: str
) -> None:
    with pytest.raises(InputError) as raised:
        monitoring_schedule("ciclosporin", start, months=months)
    assert str(raised.value) == message


def test_add_months_goes_backwards_too() -> None:
    assert add_months(D(2027, 3, 31), -1) == D(2027, 2, 28)
