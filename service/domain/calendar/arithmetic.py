"""Arithmetic on working days and working hours for handling deadlines (domain.md §4–§5).

Pure Python, no framework imports. All public functions take and return timezone-aware datetimes;
calendar arithmetic happens in Asia/Shanghai and results are returned in UTC. Which days are
working days is the `WorkCalendar`'s business (`years.py`); every result whose computation walked
over a day of a year the calendar does not know is marked `provisional=True`.

Conventions used throughout:

* "the local date of t" is ``t.astimezone(Asia/Shanghai).date()``.
* An end-of-day deadline is 00:00 local of the following calendar day. "The last day of a deadline"
  is therefore the local date of ``due_at - 1 µs`` (`last_day`).
* Every limit (number of days, hours, yellow thresholds, work periods) is an argument; the
  module-level constants are only default values.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from service.domain.calendar.years import WorkCalendar
from service.models.types import SHANGHAI

ONE_DAY = timedelta(days=1)
EPSILON = timedelta(microseconds=1)

DEFAULT_WORK_PERIODS: tuple[tuple[time, time], ...] = ((time(9, 0), time(12, 0)), (time(13, 0), time(18, 0)))
DEFAULT_YELLOW_DAYS = 1
DEFAULT_YELLOW_FRACTION = 0.2


@dataclass(frozen=True)
class Deadline:
    """An instant (aware, UTC) and whether it depends on a year the calendar does not know yet."""

    at: datetime
    provisional: bool


# --------------------------------------------------------------------------------------------------
# Small helpers (local dates, walking)


def _local(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("a timezone-aware datetime is required")
    return moment.astimezone(SHANGHAI)


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(timezone.utc)


def _midnight(d: date) -> datetime:
    """00:00 Shanghai time of `d`."""
    return datetime.combine(d, time(0), tzinfo=SHANGHAI)


def last_day(moment: datetime) -> date:
    """The local date of `moment - 1 µs`: for an end-of-day deadline, the deadline's own day."""
    return _local(moment - EPSILON).date()


def _step(calendar: WorkCalendar, day: date, days: int, direction: int = 1) -> tuple[date, bool]:
    """The `days`-th working day strictly after (direction=1) or before (-1) `day`.

    Returns (that day, whether any day visited lies in an unknown year)."""
    provisional = False
    delta = ONE_DAY if direction > 0 else -ONE_DAY
    while days > 0:
        day += delta
        provisional = provisional or not calendar.is_known_year(day.year)
        if calendar.is_working_day(day):
            days -= 1
    return day, provisional


def _count(calendar: WorkCalendar, first: date, last: date) -> tuple[int, bool]:
    """Working days d with first <= d <= last, and whether any of those dates is in an unknown year."""
    count, provisional, day = 0, False, first
    while day <= last:
        count += calendar.is_working_day(day)
        provisional = provisional or not calendar.is_known_year(day.year)
        day += ONE_DAY
    return count, provisional


# --------------------------------------------------------------------------------------------------
# Deadlines


def add_working_days(calendar: WorkCalendar, start: datetime, days: int) -> Deadline:
    """End of the `days`-th working day strictly after the local date of `start`.

    The end of a day is 00:00 local of the following calendar day (returned in UTC). Provisional
    when any day from the day after `start` up to the deadline day is in an unknown year.
    """
    if days < 1:
        raise ValueError("days must be >= 1")
    day, provisional = _step(calendar, _local(start).date(), days)
    return Deadline(_utc(_midnight(day + ONE_DAY)), provisional)


def _check_periods(work_periods: Sequence[tuple[time, time]]) -> tuple[tuple[time, time], ...]:
    periods = tuple(work_periods)
    if not periods:
        raise ValueError("work_periods must not be empty")
    previous_end = time(0)
    for begin, end in periods:
        if begin.tzinfo is not None or end.tzinfo is not None:
            raise ValueError("work periods are local (Asia/Shanghai) naive times")
        if not begin < end or begin < previous_end:
            raise ValueError("work periods must be increasing and non-overlapping within one day")
        previous_end = end
    return periods


def add_working_hours(
    calendar: WorkCalendar,
    start: datetime,
    hours: float,
    work_periods: Sequence[tuple[time, time]] = DEFAULT_WORK_PERIODS,
) -> Deadline:
    """Walk `hours` forward through the work periods (local time) of working days only.

    Time outside a period does not count; starting outside a period starts at the next one. When
    the hours run out exactly at the end of a period the deadline is that period's end (e.g. 18:00),
    not the start of the next one. Provisional when any day visited is in an unknown year.
    """
    if hours <= 0:
        raise ValueError("hours must be > 0")
    periods = _check_periods(work_periods)
    remaining = timedelta(hours=hours)
    cursor = _local(start)
    day, provisional = cursor.date(), False
    while True:
        provisional = provisional or not calendar.is_known_year(day.year)
        if calendar.is_working_day(day):
            for begin, end in periods:
                period_end = datetime.combine(day, end, tzinfo=SHANGHAI)
                if period_end <= cursor:
                    continue
                period_start = max(cursor, datetime.combine(day, begin, tzinfo=SHANGHAI))
                if period_start + remaining <= period_end:
                    return Deadline(_utc(period_start + remaining), provisional)
                remaining -= period_end - period_start
        day += ONE_DAY


def working_days_between(calendar: WorkCalendar, start: datetime, end: datetime) -> int:
    """Working days whose local date is strictly after start's local date and <= end's local date.

    0 when end <= start. Example: escalation "5 working days after expiry" is
    ``working_days_between(cal, due_at, now) >= 5``.
    """
    if end <= start:
        return 0
    return _count(calendar, _local(start).date() + ONE_DAY, _local(end).date())[0]


def working_day_after(calendar: WorkCalendar, moment: datetime, days: int = 1) -> datetime:
    """Start (00:00 local, returned in UTC) of the `days`-th working day after `moment`'s day.

    "After" is counted from ``last_day(moment)``, so for an end-of-day deadline (00:00 of the next
    day) ``working_day_after(cal, due_at)`` is the first working day after the deadline's day — the
    day the expiry notice (催办通知书) is due — and for a mid-day instant it is the next working day.
    Equivalently: the `days`-th working day whose start is at or after `moment`.
    """
    if days < 1:
        raise ValueError("days must be >= 1")
    day, _ = _step(calendar, last_day(moment), days)
    return _utc(_midnight(day))


def shift_deadline(calendar: WorkCalendar, due_at: datetime, paused_from: datetime, paused_until: datetime) -> Deadline:
    """Extend `due_at` by the working days touched by the pause [paused_from, paused_until).

    Rule: n = number of working days (local dates) on which the pause overlaps a non-empty part of
    the day — any started working day counts as a whole one; pauses over weekends/holidays only give
    n = 0. The new deadline keeps the local time of day of `due_at` and moves its last day
    (``last_day(due_at)``) forward by n working days: an end-of-day deadline stays end-of-day.
    Provisional when a paused day or a day walked over is in an unknown year (the provisional flag
    of the original deadline is the caller's to combine).
    """
    if paused_until < paused_from:
        raise ValueError("paused_until must not be before paused_from")
    if paused_until == paused_from:
        return Deadline(_utc(due_at), False)
    n, provisional = _count(calendar, _local(paused_from).date(), last_day(paused_until))
    if n == 0:
        return Deadline(_utc(due_at), provisional)
    base = last_day(due_at)
    offset = _local(due_at) - _midnight(base)
    day, walked_unknown = _step(calendar, base, n)
    return Deadline(_utc(_midnight(day) + offset), provisional or walked_unknown)


# --------------------------------------------------------------------------------------------------
# Colours


def _check_yellow(yellow_days: int, yellow_fraction: float) -> None:
    if yellow_days < 0:
        raise ValueError("yellow_days must be >= 0")
    if not 0 <= yellow_fraction <= 1:
        raise ValueError("yellow_fraction must be within [0, 1]")


def yellow_from(
    calendar: WorkCalendar,
    dispatched_at: datetime,
    due_at: datetime,
    yellow_days: int = DEFAULT_YELLOW_DAYS,
    yellow_fraction: float = DEFAULT_YELLOW_FRACTION,
) -> datetime:
    """The earliest instant (UTC) at which the ticket is yellow; it stays yellow until due_at.

    Definition ("within `yellow_days` working day(s) or the last `yellow_fraction` of the span"):
    yellow_from = min(day_start, fraction_start, due_at), where

    * day_start = 00:00 local of the `yellow_days`-th working day counted back from the deadline's
      last day, inclusive: L = the last working day <= last_day(due_at), then step back
      (yellow_days - 1) working days. So the final `yellow_days` working days are yellow in full.
      Equivalently: now >= day_start  ⇔  working_days_between(now, due_at - 1 µs) < yellow_days,
      i.e. fewer than `yellow_days` whole working days remain after today. yellow_days = 0 disables.
    * fraction_start = due_at - yellow_fraction × (due_at - dispatched_at).

    Suitable for a stored column: a sweep compares ``yellow_from <= now < due_at``.
    """
    _check_yellow(yellow_days, yellow_fraction)
    candidates = [due_at, due_at - (due_at - dispatched_at) * yellow_fraction]
    if yellow_days > 0:
        day = last_day(due_at)
        if not calendar.is_working_day(day):
            day, _ = _step(calendar, day, 1, direction=-1)
        day, _ = _step(calendar, day, yellow_days - 1, direction=-1)
        candidates.append(_midnight(day))
    return _utc(min(candidates))


def colour(
    calendar: WorkCalendar,
    now: datetime,
    dispatched_at: datetime,
    due_at: datetime,
    yellow_days: int = DEFAULT_YELLOW_DAYS,
    yellow_fraction: float = DEFAULT_YELLOW_FRACTION,
) -> str:
    """"red" when now >= due_at, "yellow" when now >= yellow_from(...) (see there), else "green"."""
    if now >= due_at:
        return "red"
    if now >= yellow_from(calendar, dispatched_at, due_at, yellow_days, yellow_fraction):
        return "yellow"
    return "green"
