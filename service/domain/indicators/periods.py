"""Reporting periods (统计周期): a day, month, quarter or year on Asia/Shanghai boundaries.

`2026-11-05`, `2026-11`, `2026-Q4`, `2026`. A period whose first day has not begun is refused (a
figure for the future would be a guess); a period still running is allowed and reported "open".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from service.domain.errors import ValidationFailed
from service.models.types import SHANGHAI

_PATTERNS = (
    ("day", re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")),
    ("month", re.compile(r"^(\d{4})-(\d{2})$")),
    ("quarter", re.compile(r"^(\d{4})-Q([1-4])$")),
    ("year", re.compile(r"^(\d{4})$")),
)
MIN_YEAR = 2000


@dataclass(frozen=True)
class Period:
    """Inclusive local days [first, last]; `start`/`end` are the UTC instants bounding them."""

    label: str
    kind: str
    first: date
    last: date

    @property
    def start(self) -> datetime:
        return local_midnight(self.first)

    @property
    def end(self) -> datetime:
        return local_midnight(self.last + timedelta(days=1))

    def is_open(self, now: datetime) -> bool:
        return now < self.end

    def days(self) -> list[date]:
        return [self.first + timedelta(days=i) for i in range((self.last - self.first).days + 1)]


def local_midnight(day: date) -> datetime:
    """00:00 Asia/Shanghai of `day`, as an aware UTC datetime."""
    return datetime.combine(day, time(0), tzinfo=SHANGHAI).astimezone(timezone.utc)


def local_date(moment: datetime) -> date:
    return moment.astimezone(SHANGHAI).date()


def deadline_day(moment: datetime) -> date:
    """The day a deadline belongs to: an end-of-day deadline (00:00 next day) counts on its own day."""
    return local_date(moment - timedelta(seconds=1))


def _invalid(message: str) -> ValidationFailed:
    return ValidationFailed(message, {"period": [message]})


def parse_period(text: str | None, now: datetime) -> Period:
    """Parse a period label; malformed, impossible or not-yet-begun periods are validation errors."""
    if not text:
        raise _invalid("缺少统计周期（period），格式：YYYY-MM-DD、YYYY-MM、YYYY-Qn 或 YYYY。")
    text = text.strip()
    for kind, pattern in _PATTERNS:
        match = pattern.match(text)
        if match:
            period = _build(kind, text, [int(g) for g in match.groups()])
            if period.first > local_date(now):
                raise _invalid("统计周期尚未开始，不能统计未来的数据。")
            return period
    raise _invalid("统计周期格式错误，应为 YYYY-MM-DD、YYYY-MM、YYYY-Qn 或 YYYY。")


def _build(kind: str, label: str, parts: list[int]) -> Period:
    year = parts[0]
    if year < MIN_YEAR:
        raise _invalid(f"统计周期年份不能早于 {MIN_YEAR}。")
    try:
        if kind == "day":
            first = last = date(year, parts[1], parts[2])
        elif kind == "month":
            first = date(year, parts[1], 1)
            last = _month_end(year, parts[1])
        elif kind == "quarter":
            first = date(year, 3 * parts[1] - 2, 1)
            last = _month_end(year, 3 * parts[1])
        else:
            first, last = date(year, 1, 1), date(year, 12, 31)
    except ValueError:
        raise _invalid("统计周期不是有效日期。") from None
    return Period(label, kind, first, last)


def _month_end(year: int, month: int) -> date:
    following = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return following - timedelta(days=1)
