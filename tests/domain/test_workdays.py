"""Working-day arithmetic (service/domain/calendar/). Pure functions: no app, no database.

Expected dates are computed by hand from the State Council 2026 arrangement (国办发明电〔2025〕7号)
as carried by chinese_calendar 1.11.0:
  元旦 2026-01-01..01-03 off, Sun 01-04 make-up workday;
  春节 2026-02-15..02-23 off, Sat 02-14 and Sat 02-28 make-up workdays;
  清明 2026-04-04..04-06 off (Mon 04-06 a holiday);
  中秋 2026-09-25..09-27 off (Fri..Sun);
  国庆 2026-10-01..10-07 off, Sat 10-10 make-up workday.
"""

from __future__ import annotations

import random
import re
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from service.domain.calendar import (
    CalendarFileError,
    Deadline,
    WorkCalendar,
    YearArrangement,
    add_working_days,
    add_working_hours,
    colour,
    parse_year_file,
    shift_deadline,
    working_day_after,
    working_days_between,
    yellow_from,
)

SH = ZoneInfo("Asia/Shanghai")
UTC = timezone.utc
EXAMPLE_2027 = Path(__file__).resolve().parents[2] / "data" / "calendar" / "example-2027.json"


def sh(*args: int) -> datetime:
    return datetime(*args, tzinfo=SH)


def end_of(y: int, m: int, d: int) -> datetime:
    """End of a local day = 00:00 Shanghai of the next day, in UTC."""
    return (datetime(y, m, d, tzinfo=SH) + timedelta(days=1)).astimezone(UTC)


@pytest.fixture(scope="module")
def cal() -> WorkCalendar:
    return WorkCalendar()


@pytest.fixture(scope="module")
def cal27() -> WorkCalendar:
    return WorkCalendar([parse_year_file(EXAMPLE_2027.read_text(encoding="utf-8"))])


# ------------------------------------------------------------------------------------------------
# The calendar


def test_package_year_range_and_working_days(cal):
    assert cal.is_known_year(2004) and cal.is_known_year(2026)
    assert not cal.is_known_year(2003) and not cal.is_known_year(2027)
    assert cal.is_working_day(date(2026, 2, 14))  # Saturday, Spring Festival make-up workday
    assert cal.is_working_day(date(2026, 1, 4))  # Sunday, New Year make-up workday
    assert not cal.is_working_day(date(2026, 4, 6))  # Monday, 清明 holiday
    assert not cal.is_working_day(date(2026, 10, 1))
    assert not cal.is_working_day(date(2026, 3, 7))  # ordinary Saturday
    assert cal.is_working_day(date(2026, 3, 9))  # ordinary Monday


def test_unknown_year_is_monday_to_friday(cal):
    assert cal.is_working_day(date(2027, 1, 1))  # a Friday; nobody told us it is a holiday
    assert not cal.is_working_day(date(2027, 1, 2))
    assert cal.is_working_day(date(2030, 6, 3))
    assert not cal.is_working_day(date(2030, 6, 2))


def test_loaded_year_is_known_and_overrides_the_package(cal27):
    assert cal27.is_known_year(2027) and cal27.loaded_years == (2027,)
    assert not cal27.is_working_day(date(2027, 1, 1))
    assert cal27.is_working_day(date(2027, 1, 31))  # example make-up Sunday
    override = WorkCalendar([YearArrangement(2026, frozenset({date(2026, 3, 9)}), frozenset())])
    assert not override.is_working_day(date(2026, 3, 9))
    assert override.is_working_day(date(2026, 10, 1))  # the loaded 2026 replaces the package's 2026
    assert not override.is_working_day(date(2026, 2, 14))
    assert override.is_working_day(date(2025, 12, 31))  # other years still from the package


def test_the_same_year_loaded_twice_is_refused():
    arrangement = YearArrangement(2027, frozenset({date(2027, 1, 1)}))
    with pytest.raises(ValueError):
        WorkCalendar([arrangement, arrangement])


# ------------------------------------------------------------------------------------------------
# add_working_days


def test_dispatch_on_mid_autumn_friday_two_days(cal):
    # Fri 2026-09-25 is itself 中秋 (09-25..09-27 off): working days after it are Mon 09-28, Tue 09-29.
    deadline = add_working_days(cal, sh(2026, 9, 25, 10), 2)
    assert deadline == Deadline(end_of(2026, 9, 29), False)
    assert deadline.at == datetime(2026, 9, 29, 16, 0, tzinfo=UTC)
    assert deadline.at.tzinfo == UTC


@pytest.mark.parametrize(
    ("days", "last_day"),
    [
        (3, date(2026, 9, 30)),
        # 国庆 10-01..10-07 off: 09-28, 09-29, 09-30, 10-08, 10-09
        (5, date(2026, 10, 9)),
        # Sat 10-10 is a make-up workday
        (6, date(2026, 10, 10)),
        # Sun 10-11 rests, Mon 10-12 works
        (7, date(2026, 10, 12)),
    ],
)
def test_across_national_day(cal, days, last_day):
    assert add_working_days(cal, sh(2026, 9, 25, 10), days) == Deadline(end_of(*last_day.timetuple()[:3]), False)


def test_make_up_working_day_counts(cal):
    # Fri 2026-02-13: next working day is Sat 02-14 (make-up), then 02-15..02-23 off, Tue 02-24.
    assert add_working_days(cal, sh(2026, 2, 13, 10), 1).at == end_of(2026, 2, 14)
    assert add_working_days(cal, sh(2026, 2, 13, 10), 2).at == end_of(2026, 2, 24)
    # Wed 2025-12-31: 2026-01-01..01-03 off, Sun 01-04 make-up.
    assert add_working_days(cal, sh(2025, 12, 31, 10), 1).at == end_of(2026, 1, 4)


def test_holiday_monday_does_not_count(cal):
    # Fri 2026-04-03: Sat, Sun, Mon 04-06 (清明) off -> Tue 04-07.
    assert add_working_days(cal, sh(2026, 4, 3, 10), 1).at == end_of(2026, 4, 7)


def test_days_must_be_positive(cal):
    for days in (0, -1):
        with pytest.raises(ValueError):
            add_working_days(cal, sh(2026, 3, 2, 10), days)


def test_naive_datetimes_are_refused(cal):
    with pytest.raises(ValueError):
        add_working_days(cal, datetime(2026, 3, 2, 10), 1)


def test_deadline_into_unknown_2027_is_provisional_on_weekdays(cal):
    # Mon 2026-12-21 + 15: Dec 22-25 (4), Dec 28-31 (8), Fri Jan 1 (9), Jan 4-8 (14), Mon Jan 11 (15).
    assert add_working_days(cal, sh(2026, 12, 21, 10), 15) == Deadline(end_of(2027, 1, 11), True)
    # 8 working days end on Thu 2026-12-31: the deadline instant is in 2027 but no 2027 day was walked.
    assert add_working_days(cal, sh(2026, 12, 21, 10), 8) == Deadline(end_of(2026, 12, 31), False)


def test_loading_2027_makes_it_final_and_moves_it(cal27):
    # Example file: Jan 1-3 off -> Jan 4-8 (13), Jan 11 (14), Tue Jan 12 (15).
    assert add_working_days(cal27, sh(2026, 12, 21, 10), 15) == Deadline(end_of(2027, 1, 12), False)


def test_example_2027_make_up_day_and_spring_festival(cal, cal27):
    assert add_working_days(cal, sh(2027, 1, 29, 10), 1) == Deadline(end_of(2027, 2, 1), True)
    assert add_working_days(cal27, sh(2027, 1, 29, 10), 1) == Deadline(end_of(2027, 1, 31), False)
    # Example 春节 02-06..02-14 off: Fri 02-05 + 2 -> Mon 02-15, Tue 02-16.
    assert add_working_days(cal27, sh(2027, 2, 5, 10), 2).at == end_of(2027, 2, 16)


def test_utc_time_already_next_day_in_shanghai(cal):
    # 2026-09-29 17:00 UTC is Wed 09-30 01:00 in Shanghai: count from 09-30, so 10-01..10-07 are
    # skipped and the first working day is 10-08 (counting from the UTC date would give 09-30).
    start = datetime(2026, 9, 29, 17, 0, tzinfo=UTC)
    assert add_working_days(cal, start, 1).at == end_of(2026, 10, 8)
    # Any input zone is accepted; the same instant expressed in New York gives the same result.
    assert add_working_days(cal, start.astimezone(ZoneInfo("America/New_York")), 1).at == end_of(2026, 10, 8)


# ------------------------------------------------------------------------------------------------
# add_working_hours (urgent cases)


@pytest.mark.parametrize(
    ("start", "hours", "expected"),
    [
        (sh(2026, 3, 9, 11), 2, sh(2026, 3, 9, 14)),  # crosses lunch 12:00-13:00
        (sh(2026, 3, 9, 10), 8, sh(2026, 3, 10, 10)),  # "same day, 8 working hours" crosses the evening
        (sh(2026, 3, 9, 12, 30), 1, sh(2026, 3, 9, 14)),  # starts at lunch -> starts at 13:00
        (sh(2026, 3, 9, 7), 3, sh(2026, 3, 9, 12)),  # ends exactly at a period end: 12:00, not 13:00
        (sh(2026, 3, 9, 20), 1, sh(2026, 3, 10, 10)),  # evening start
        (sh(2026, 3, 9, 11, 45), 0.5, sh(2026, 3, 9, 13, 15)),  # fractional hours
        (sh(2026, 3, 6, 17), 2, sh(2026, 3, 9, 10)),  # Friday evening -> Monday
        (sh(2026, 3, 7, 10), 1, sh(2026, 3, 9, 10)),  # dispatched on a Saturday
        # Thu 09-24 16:00: 2h Thu; 09-25..27 中秋 off; Mon 09-28 9-12 (3h), 13-16 (3h).
        (sh(2026, 9, 24, 16), 8, sh(2026, 9, 28, 16)),
        (sh(2026, 10, 9, 17), 2, sh(2026, 10, 10, 10)),  # Sat 10-10 make-up workday
        (sh(2026, 9, 30, 17), 2, sh(2026, 10, 8, 10)),  # into and over National Day
    ],
)
def test_working_hours(cal, start, hours, expected):
    deadline = add_working_hours(cal, start, hours)
    assert deadline == Deadline(expected.astimezone(UTC), False)


def test_working_hours_custom_periods(cal):
    periods = ((time(8, 30), time(12)), (time(14, 30), time(17, 30)))
    assert add_working_hours(cal, sh(2026, 3, 9, 11), 2, periods).at == sh(2026, 3, 9, 15, 30)


def test_working_hours_provisional_into_unknown_year(cal, cal27):
    assert add_working_hours(cal, sh(2026, 12, 31, 17), 2) == Deadline(sh(2027, 1, 1, 10).astimezone(UTC), True)
    assert add_working_hours(cal27, sh(2026, 12, 31, 17), 2) == Deadline(sh(2027, 1, 4, 10).astimezone(UTC), False)


def test_working_hours_timezone_edge(cal):
    # 2026-03-09 01:30 UTC = 09:30 Shanghai -> 2h -> 11:30 Shanghai = 03:30 UTC.
    assert add_working_hours(cal, datetime(2026, 3, 9, 1, 30, tzinfo=UTC), 2).at == datetime(2026, 3, 9, 3, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("hours", "periods"),
    [
        (0, ((time(9), time(12)),)),
        (-1, ((time(9), time(12)),)),
        (1, ()),
        (1, ((time(12), time(9)),)),
        (1, ((time(13), time(18)), (time(9), time(12)))),
        (1, ((time(9), time(13)), (time(12), time(18)))),
    ],
)
def test_working_hours_invalid_arguments(cal, hours, periods):
    with pytest.raises(ValueError):
        add_working_hours(cal, sh(2026, 3, 9, 10), hours, periods)


# ------------------------------------------------------------------------------------------------
# working_days_between / working_day_after


def test_working_days_between(cal):
    assert working_days_between(cal, sh(2026, 9, 25, 10), sh(2026, 9, 30, 9)) == 3  # 09-28, 29, 30
    assert working_days_between(cal, sh(2026, 9, 30, 10), sh(2026, 10, 8, 10)) == 1  # holidays skipped
    assert working_days_between(cal, sh(2026, 9, 30, 10), sh(2026, 10, 10, 10)) == 3  # make-up Sat counts
    assert working_days_between(cal, sh(2026, 3, 9, 9), sh(2026, 3, 9, 17)) == 0  # same day
    assert working_days_between(cal, sh(2026, 3, 10), sh(2026, 3, 9)) == 0  # end before start
    assert working_days_between(cal, sh(2026, 3, 9), sh(2026, 3, 9)) == 0


def test_working_days_between_timezone_edge(cal):
    # start = 09-30 01:00 Shanghai (still 09-29 in UTC): only 10-08 lies in (09-30, 10-08].
    start = datetime(2026, 9, 29, 17, tzinfo=UTC)
    assert working_days_between(cal, start, datetime(2026, 10, 8, 1, tzinfo=UTC)) == 1


def test_escalation_five_working_days_after_expiry(cal):
    due = add_working_days(cal, sh(2026, 9, 25, 10), 2).at  # end of 09-29 = 09-30 00:00 local
    # (09-30, 10-12] = 10-08, 10-09, 10-10 (make-up), 10-12 -> 4; 10-13 makes 5.
    assert working_days_between(cal, due, sh(2026, 10, 12, 10)) == 4
    assert working_days_between(cal, due, sh(2026, 10, 13, 10)) == 5


def test_working_day_after(cal):
    due = end_of(2026, 9, 29)
    # The day after expiry of an end-of-day deadline is the next working day itself (09-30).
    assert working_day_after(cal, due) == sh(2026, 9, 30).astimezone(UTC)
    assert working_day_after(cal, due, 2) == sh(2026, 10, 8).astimezone(UTC)
    # A mid-day moment: the next working day after its day.
    assert working_day_after(cal, sh(2026, 9, 30, 15)) == sh(2026, 10, 8).astimezone(UTC)
    with pytest.raises(ValueError):
        working_day_after(cal, due, 0)


# ------------------------------------------------------------------------------------------------
# Colours


def test_colours_fifteen_day_ticket(cal):
    dispatched = sh(2026, 3, 2, 10)
    due = add_working_days(cal, dispatched, 15).at  # March 2026 has no holidays: end of Mon 03-23
    assert due == end_of(2026, 3, 23)
    # span = 21 d 14 h = 518 h; 20 % = 103.6 h = 4 d 7 h 36 min before 03-24 00:00 -> 03-19 16:24,
    # earlier than the last working day (03-23 00:00).
    assert yellow_from(cal, dispatched, due) == sh(2026, 3, 19, 16, 24).astimezone(UTC)
    assert colour(cal, sh(2026, 3, 2, 10), dispatched, due) == "green"
    assert colour(cal, sh(2026, 3, 19, 16, 23), dispatched, due) == "green"
    assert colour(cal, sh(2026, 3, 19, 16, 24), dispatched, due) == "yellow"
    assert colour(cal, sh(2026, 3, 23, 23, 59), dispatched, due) == "yellow"
    assert colour(cal, sh(2026, 3, 24, 0, 0), dispatched, due) == "red"
    assert colour(cal, sh(2026, 4, 30), dispatched, due) == "red"


def test_colours_last_working_day_rule(cal):
    dispatched = sh(2026, 3, 6, 10)  # Fri + 2 -> Mon 03-09, Tue 03-10
    due = add_working_days(cal, dispatched, 2).at
    # span 110 h, 20 % = 22 h -> 03-10 02:00; the last working day starts at 03-10 00:00 (earlier).
    assert yellow_from(cal, dispatched, due) == sh(2026, 3, 10).astimezone(UTC)
    assert colour(cal, sh(2026, 3, 9, 23, 59), dispatched, due) == "green"
    assert colour(cal, sh(2026, 3, 10, 0, 0), dispatched, due) == "yellow"


def test_colours_deadline_before_a_weekend(cal):
    # Thu 03-05 + 1 -> Fri 03-06; due Sat 00:00. Yellow from Fri 00:00, not already on Thursday.
    dispatched = sh(2026, 3, 5, 10)
    due = add_working_days(cal, dispatched, 1).at
    assert yellow_from(cal, dispatched, due) == sh(2026, 3, 6).astimezone(UTC)
    assert colour(cal, sh(2026, 3, 5, 18), dispatched, due) == "green"


def test_colours_yellow_days_over_a_holiday(cal):
    # Last day Thu 10-08; with yellow_days=2 the two last working days are 09-30 and 10-08.
    dispatched, due = sh(2026, 9, 1, 10), end_of(2026, 10, 8)
    assert yellow_from(cal, dispatched, due, yellow_days=2, yellow_fraction=0) == sh(2026, 9, 30).astimezone(UTC)
    assert colour(cal, sh(2026, 9, 29, 20), dispatched, due, 2, 0) == "green"
    assert colour(cal, sh(2026, 10, 3, 12), dispatched, due, 2, 0) == "yellow"
    # yellow_days=0 and yellow_fraction=0: never yellow.
    assert yellow_from(cal, dispatched, due, 0, 0) == due
    assert colour(cal, sh(2026, 10, 8, 23), dispatched, due, 0, 0) == "green"


def test_colours_urgent_ticket_and_non_working_last_day(cal):
    dispatched = sh(2026, 3, 9, 10)
    due = add_working_hours(cal, dispatched, 8).at  # Tue 03-10 10:00
    assert yellow_from(cal, dispatched, due) == sh(2026, 3, 10).astimezone(UTC)
    # A hand-set deadline on Sunday noon: the last working day before it is Friday.
    assert yellow_from(cal, sh(2026, 3, 2, 10), sh(2026, 3, 8, 12), yellow_fraction=0) == sh(2026, 3, 6).astimezone(UTC)


def test_colour_invalid_thresholds(cal):
    with pytest.raises(ValueError):
        yellow_from(cal, sh(2026, 3, 2), sh(2026, 3, 10), yellow_days=-1)
    with pytest.raises(ValueError):
        colour(cal, sh(2026, 3, 3), sh(2026, 3, 2), sh(2026, 3, 10), yellow_fraction=1.5)


@pytest.mark.parametrize("calendar_name", ["cal", "cal27"])
def test_colour_agrees_with_yellow_from_and_the_definition(request, calendar_name):
    calendar = request.getfixturevalue(calendar_name)
    rng = random.Random(20260925)
    base = datetime(2026, 1, 1, tzinfo=UTC)
    for _ in range(1500):
        dispatched = base + timedelta(seconds=rng.randrange(0, 440 * 86400))
        if rng.random() < 0.2:
            due = add_working_hours(calendar, dispatched, rng.choice([1, 4, 8, 16])).at
        else:
            due = add_working_days(calendar, dispatched, rng.choice([1, 2, 5, 10, 15])).at
        yellow_days = rng.choice([0, 1, 1, 2, 3])
        fraction = rng.choice([0.0, 0.2, 0.2, 0.5])
        start = yellow_from(calendar, dispatched, due, yellow_days, fraction)
        assert start <= due and start.tzinfo == UTC
        span = (due - dispatched).total_seconds()
        samples = [start, start - timedelta(microseconds=1), due, due - timedelta(microseconds=1)]
        samples += [dispatched + timedelta(seconds=rng.uniform(-86400, span + 2 * 86400)) for _ in range(6)]
        for now in samples:
            got = colour(calendar, now, dispatched, due, yellow_days, fraction)
            assert (got == "yellow") == (start <= now < due)
            # Independent statement of the rule (see yellow_from's docstring).
            if now >= due:
                expected = "red"
            elif (
                working_days_between(calendar, now, due - timedelta(microseconds=1)) < yellow_days
                or now >= due - (due - dispatched) * fraction
            ):
                expected = "yellow"
            else:
                expected = "green"
            assert got == expected, (dispatched, due, now, yellow_days, fraction)


# ------------------------------------------------------------------------------------------------
# shift_deadline (appeal review pauses the clock)


def test_shift_deadline_counts_started_working_days(cal):
    due = end_of(2026, 3, 23)
    # Wed 03-11 15:00 .. Thu 03-12 10:00 touches two working days -> end of Wed 03-25.
    assert shift_deadline(cal, due, sh(2026, 3, 11, 15), sh(2026, 3, 12, 10)) == Deadline(end_of(2026, 3, 25), False)
    # Fri 17:00 .. Mon 00:00 touches only Friday.
    assert shift_deadline(cal, due, sh(2026, 3, 13, 17), sh(2026, 3, 16)).at == end_of(2026, 3, 24)
    # A pause over a weekend only, or an empty pause, changes nothing.
    assert shift_deadline(cal, due, sh(2026, 3, 14, 10), sh(2026, 3, 15, 18)) == Deadline(due, False)
    assert shift_deadline(cal, due, sh(2026, 3, 11, 15), sh(2026, 3, 11, 15)) == Deadline(due, False)
    with pytest.raises(ValueError):
        shift_deadline(cal, due, sh(2026, 3, 12), sh(2026, 3, 11))


def test_shift_deadline_over_holidays_and_mid_day(cal):
    due = end_of(2026, 9, 29)
    assert shift_deadline(cal, due, sh(2026, 9, 28, 10), sh(2026, 9, 28, 11)).at == end_of(2026, 9, 30)
    assert shift_deadline(cal, due, sh(2026, 9, 28, 10), sh(2026, 9, 29, 11)).at == end_of(2026, 10, 8)
    # An urgent deadline keeps its time of day: Tue 10:00 -> Wed 10:00.
    assert shift_deadline(cal, sh(2026, 3, 10, 10), sh(2026, 3, 9, 11), sh(2026, 3, 9, 12)).at == sh(2026, 3, 11, 10)


def test_shift_deadline_provisional(cal, cal27):
    due = end_of(2026, 12, 31)
    pause = (sh(2026, 12, 30, 10), sh(2026, 12, 30, 11))
    assert shift_deadline(cal, due, *pause) == Deadline(end_of(2027, 1, 1), True)
    assert shift_deadline(cal27, due, *pause) == Deadline(end_of(2027, 1, 4), False)


# ------------------------------------------------------------------------------------------------
# parse_year_file


def test_parse_example_file():
    arrangement = parse_year_file(EXAMPLE_2027.read_text(encoding="utf-8"))
    assert arrangement.year == 2027
    assert {date(2027, 1, 1), date(2027, 1, 2), date(2027, 1, 3)} <= arrangement.holidays
    assert arrangement.workdays == {date(2027, 1, 31), date(2027, 2, 20)}
    assert arrangement.names[date(2027, 1, 2)] == "元旦"
    assert "示例" in __import__("json").loads(EXAMPLE_2027.read_text(encoding="utf-8"))["note"]


def test_parse_json_ranges_and_optional_workdays():
    text = '{"year": 2027, "holidays": [{"name": "国庆节", "dates": ["2027-10-01..2027-10-03", "2027-10-06"]}]}'
    arrangement = parse_year_file(text)
    assert arrangement.holidays == {date(2027, 10, 1), date(2027, 10, 2), date(2027, 10, 3), date(2027, 10, 6)}
    assert arrangement.workdays == frozenset()


def test_parse_csv_with_bom():
    text = "\ufeffdate,type,name\r\n2027-01-01,holiday,元旦\r\n2027-01-02,holiday,元旦\r\n\r\n2027-01-31,workday,春节调休\r\n"
    arrangement = parse_year_file(text)
    assert arrangement == YearArrangement(2027, frozenset({date(2027, 1, 1), date(2027, 1, 2)}), frozenset({date(2027, 1, 31)}))
    assert arrangement.names == {date(2027, 1, 1): "元旦", date(2027, 1, 2): "元旦"}


def _json(holidays: str = '[{"name": "元旦", "dates": ["2027-01-01"]}]', workdays: str = "[]", year: str = "2027") -> str:
    return f'{{"year": {year}, "holidays": {holidays}, "workdays": {workdays}}}'


BAD_FILES = {
    "empty": "   ",
    "malformed json": '{"year": 2027, "holidays": [',
    "top level list": "[1, 2]",
    "year as string": _json(year='"2027"'),
    "year as bool": _json(year="true"),
    "year missing": '{"holidays": [{"name": "元旦", "dates": ["2027-01-01"]}]}',
    "unknown key": '{"year": 2027, "holidays": [{"name": "元旦", "dates": ["2027-01-01"]}], "workday": []}',
    "holidays not a list": _json(holidays='{"元旦": ["2027-01-01"]}'),
    "empty holidays": _json(holidays="[]"),
    "holiday without name": _json(holidays='[{"dates": ["2027-01-01"]}]'),
    "holiday name not string": _json(holidays='[{"name": 1, "dates": ["2027-01-01"]}]'),
    "empty dates": _json(holidays='[{"name": "元旦", "dates": []}]'),
    "date not string": _json(holidays='[{"name": "元旦", "dates": [20270101]}]'),
    "bad date format": _json(holidays='[{"name": "元旦", "dates": ["2027/01/01"]}]'),
    "impossible date": _json(holidays='[{"name": "春节", "dates": ["2027-02-30"]}]'),
    "date outside year": _json(holidays='[{"name": "元旦", "dates": ["2026-12-31", "2027-01-01"]}]'),
    "reversed range": _json(holidays='[{"name": "元旦", "dates": ["2027-01-03..2027-01-01"]}]'),
    "duplicate holiday": _json(holidays='[{"name": "A", "dates": ["2027-01-01"]}, {"name": "B", "dates": ["2027-01-01"]}]'),
    "both holiday and workday": _json(workdays='["2027-01-02", "2027-01-01"]'),
    "workday on a weekday": _json(workdays='["2027-01-04"]'),
    "workday outside year": _json(workdays='["2028-01-01"]'),
    "workdays not a list": _json(workdays='"2027-01-31"'),
    "csv bad header": "day,kind,name\n2027-01-01,holiday,元旦\n",
    "csv bad type": "date,type,name\n2027-01-01,vacation,元旦\n",
    "csv bad date": "date,type,name\n2027-13-01,holiday,元旦\n",
    "csv mixed years": "date,type,name\n2027-01-01,holiday,元旦\n2028-01-01,holiday,元旦\n",
    "csv no holidays": "date,type,name\n2027-01-31,workday,调休\n",
    "csv header only": "date,type,name\n",
    "csv too many columns": "date,type,name\n2027-01-01,holiday,元旦,extra\n",
    "csv workday on weekday": "date,type,name\n2027-01-01,holiday,元旦\n2027-01-04,workday,\n",
}


@pytest.mark.parametrize("text", BAD_FILES.values(), ids=BAD_FILES.keys())
def test_parse_errors(text):
    with pytest.raises(CalendarFileError) as info:
        parse_year_file(text)
    assert isinstance(info.value, ValueError)
    assert re.search(r"[\u4e00-\u9fff]", str(info.value)), str(info.value)


def test_year_arrangement_validates_direct_construction():
    with pytest.raises(CalendarFileError):
        YearArrangement(2027, frozenset())
    with pytest.raises(CalendarFileError):
        YearArrangement(2027, frozenset({date(2027, 1, 1)}), frozenset({date(2027, 1, 5)}))
