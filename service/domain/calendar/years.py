"""The calendar of a year: which days are working days (domain.md §5, "Working days").

Working days follow the State Council holiday arrangement, including make-up working days (调休上班).
The `chinese_calendar` package supplies the years it knows; an administrator loads later years from a
file (`parse_year_file`). A loaded year overrides the package for that year. A year known to neither
falls back to Monday–Friday; `WorkCalendar.is_known_year` tells callers when a result depends on
such a year, so that it can be marked provisional and recomputed once the year is loaded.

Pure Python, no framework imports. Arithmetic on working days and hours is in `arithmetic.py`.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

try:  # the package is a requirement, but the module still works (weekdays only) without it
    import chinese_calendar as _cc
except ImportError:  # pragma: no cover
    _cc = None


# --------------------------------------------------------------------------------------------------
# Year arrangements and the calendar file format


class CalendarFileError(ValueError):
    """A holiday-arrangement file (or a YearArrangement) is invalid; the message is in Chinese."""


@dataclass(frozen=True)
class YearArrangement:
    """One year's holiday arrangement: holidays (放假) and make-up working days (调休上班).

    Validated on construction: every date lies in `year`, no date is both a holiday and a workday,
    every make-up workday is a Saturday or Sunday, and there is at least one holiday.
    """

    year: int
    holidays: frozenset[date]
    workdays: frozenset[date] = frozenset()
    names: dict[date, str] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.year, int) or isinstance(self.year, bool):
            raise CalendarFileError("年份必须是整数")
        object.__setattr__(self, "holidays", frozenset(self.holidays))
        object.__setattr__(self, "workdays", frozenset(self.workdays))
        object.__setattr__(self, "names", dict(self.names))
        for d in self.holidays | self.workdays:
            if not isinstance(d, date) or isinstance(d, datetime):
                raise CalendarFileError(f"日期类型错误：{d!r}")
            if d.year != self.year:
                raise CalendarFileError(f"日期 {d.isoformat()} 不在声明的年份 {self.year} 内")
        if not self.holidays:
            raise CalendarFileError(f"{self.year} 年的节假日列表为空")
        both = sorted(self.holidays & self.workdays)
        if both:
            raise CalendarFileError(f"日期 {both[0].isoformat()} 同时被列为节假日和调休上班日")
        for d in sorted(self.workdays):
            if d.weekday() < 5:
                raise CalendarFileError(f"调休上班日 {d.isoformat()} 不是周六或周日")

    def is_working_day(self, d: date) -> bool:
        return d in self.workdays or (d.weekday() < 5 and d not in self.holidays)


_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_JSON_KEYS = {"year", "holidays", "workdays", "note"}


def parse_year_file(text: str) -> YearArrangement:
    """Parse one year's holiday arrangement from JSON or CSV text.

    JSON (``note`` is optional and ignored; ``workdays`` may be omitted when there are none)::

        {
          "year": 2027,
          "note": "free text",
          "holidays": [
            {"name": "元旦", "dates": ["2027-01-01..2027-01-03"]},
            {"name": "春节", "dates": ["2027-02-06", "2027-02-07..2027-02-14"]}
          ],
          "workdays": ["2027-01-31", "2027-02-20"]
        }

    A ``dates`` (or ``workdays``) element is either one ISO date ``YYYY-MM-DD`` or an inclusive range
    ``"YYYY-MM-DD..YYYY-MM-DD"``. Unknown top-level keys are rejected (they usually are typos).

    CSV (UTF-8, optional BOM) with the header ``date,type,name``; ``type`` is ``holiday`` or
    ``workday``; ``name`` is optional. The year is the year of the dates; all rows share one year::

        date,type,name
        2027-01-01,holiday,元旦
        2027-01-31,workday,春节调休

    Raises CalendarFileError (a ValueError) with a Simplified-Chinese message on malformed input,
    wrong types, dates outside the declared year, a date both holiday and workday, a make-up workday
    that is not a Saturday or Sunday, or an empty holiday list.
    """
    if not isinstance(text, str):
        raise CalendarFileError("日历文件内容必须是文本")
    text = text.lstrip("\ufeff").strip()
    if not text:
        raise CalendarFileError("日历文件为空")
    if text[0] in "{[":
        return _parse_json(text)
    return _parse_csv(text)


def _parse_date(value: Any, where: str) -> date:
    if not isinstance(value, str) or not _DATE_RE.match(value.strip()):
        raise CalendarFileError(f"{where}：日期格式错误 {value!r}，应为 YYYY-MM-DD")
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise CalendarFileError(f"{where}：无效日期 {value!r}") from None


def _parse_dates(value: Any, where: str) -> list[date]:
    """One date or an inclusive range 'a..b'."""
    if isinstance(value, str) and ".." in value:
        first, _, last = value.partition("..")
        a, b = _parse_date(first, where), _parse_date(last, where)
        if b < a:
            raise CalendarFileError(f"{where}：日期范围 {value!r} 的结束早于开始")
        if b.year != a.year:
            raise CalendarFileError(f"{where}：日期范围 {value!r} 跨越年份")
        return [a + timedelta(days=i) for i in range((b - a).days + 1)]
    return [_parse_date(value, where)]


def _parse_json(text: str) -> YearArrangement:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CalendarFileError(f"JSON 格式错误（第 {exc.lineno} 行第 {exc.colno} 列）：{exc.msg}") from None
    if not isinstance(doc, dict):
        raise CalendarFileError("JSON 顶层必须是对象")
    unknown = sorted(set(doc) - _JSON_KEYS)
    if unknown:
        raise CalendarFileError(f"未知字段：{', '.join(unknown)}（允许的字段：year、holidays、workdays、note）")
    year = doc.get("year")
    if not isinstance(year, int) or isinstance(year, bool):
        raise CalendarFileError("缺少年份，或 year 不是整数")
    groups = doc.get("holidays")
    if not isinstance(groups, list):
        raise CalendarFileError("holidays 必须是列表")
    if not groups:
        raise CalendarFileError(f"{year} 年的节假日列表为空")
    holidays: set[date] = set()
    names: dict[date, str] = {}
    for i, group in enumerate(groups, start=1):
        where = f"holidays 第 {i} 项"
        if not isinstance(group, dict) or set(group) - {"name", "dates"}:
            raise CalendarFileError(f"{where}必须是只含 name 和 dates 的对象")
        name, dates = group.get("name"), group.get("dates")
        if not isinstance(name, str) or not name.strip():
            raise CalendarFileError(f"{where}：name 必须是非空字符串")
        if not isinstance(dates, list) or not dates:
            raise CalendarFileError(f"{where}（{name}）：dates 必须是非空列表")
        for value in dates:
            for d in _parse_dates(value, f"{where}（{name}）"):
                if d in holidays:
                    raise CalendarFileError(f"节假日 {d.isoformat()} 重复出现")
                holidays.add(d)
                names[d] = name.strip()
    raw_workdays = doc.get("workdays", [])
    if not isinstance(raw_workdays, list):
        raise CalendarFileError("workdays 必须是列表")
    workdays: set[date] = set()
    for value in raw_workdays:
        workdays.update(_parse_dates(value, "workdays"))
    return YearArrangement(year, frozenset(holidays), frozenset(workdays), names)


def _parse_csv(text: str) -> YearArrangement:
    try:
        rows = list(csv.reader(io.StringIO(text)))
    except csv.Error as exc:
        raise CalendarFileError(f"CSV 格式错误：{exc}") from None
    header = [c.strip().lower() for c in rows[0]]
    if header != ["date", "type", "name"]:
        raise CalendarFileError("CSV 表头必须是 date,type,name")
    holidays: set[date] = set()
    workdays: set[date] = set()
    names: dict[date, str] = {}
    year: int | None = None
    for line_no, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        where = f"CSV 第 {line_no} 行"
        if len(row) not in (2, 3):
            raise CalendarFileError(f"{where}：应有 3 列（date,type,name），实际 {len(row)} 列")
        d = _parse_date(row[0], where)
        kind = row[1].strip().lower()
        name = row[2].strip() if len(row) == 3 else ""
        year = d.year if year is None else year
        if d.year != year:
            raise CalendarFileError(f"{where}：日期 {d.isoformat()} 不在文件的年份 {year} 内")
        if kind == "holiday":
            if d in holidays:
                raise CalendarFileError(f"{where}：节假日 {d.isoformat()} 重复出现")
            holidays.add(d)
            if name:
                names[d] = name
        elif kind == "workday":
            workdays.add(d)
        else:
            raise CalendarFileError(f"{where}：type 必须是 holiday 或 workday，实际为 {row[1]!r}")
    if year is None:
        raise CalendarFileError("CSV 文件没有任何数据行")
    return YearArrangement(year, frozenset(holidays), frozenset(workdays), names)


# --------------------------------------------------------------------------------------------------
# The calendar


@dataclass(frozen=True)
class _Year:
    known: bool
    holidays: frozenset[date]
    workdays: frozenset[date]


def _package_year(year: int) -> _Year | None:
    """The package's arrangement for `year`, or None when the package has no data for it."""
    if _cc is None:
        return None
    try:
        _cc.is_workday(date(year, 1, 1))
    except NotImplementedError:
        return None
    days = [date(year, 1, 1) + timedelta(days=i) for i in range((date(year + 1, 1, 1) - date(year, 1, 1)).days)]
    working = {d for d in days if _cc.is_workday(d)}
    holidays = frozenset(d for d in days if d.weekday() < 5 and d not in working)
    workdays = frozenset(d for d in days if d.weekday() >= 5 and d in working)
    return _Year(True, holidays, workdays)


_UNKNOWN_YEAR = _Year(False, frozenset(), frozenset())


class WorkCalendar:
    """Working days: the chinese_calendar package's years ∪ loaded years (loaded ones win).

    Unknown years fall back to Monday–Friday. Per-year sets are computed once per instance.
    """

    def __init__(self, loaded: Iterable[YearArrangement] = ()) -> None:
        self._years: dict[int, _Year] = {}
        self._loaded: dict[int, YearArrangement] = {}
        for arrangement in loaded:
            if arrangement.year in self._loaded:
                raise ValueError(f"year {arrangement.year} loaded twice")
            self._loaded[arrangement.year] = arrangement

    @property
    def loaded_years(self) -> tuple[int, ...]:
        """Years supplied by loaded arrangements (they override the package)."""
        return tuple(sorted(self._loaded))

    def _year(self, year: int) -> _Year:
        info = self._years.get(year)
        if info is None:
            arrangement = self._loaded.get(year)
            if arrangement is not None:
                info = _Year(True, arrangement.holidays, arrangement.workdays)
            else:
                info = _package_year(year) or _UNKNOWN_YEAR
            self._years[year] = info
        return info

    def is_known_year(self, year: int) -> bool:
        return self._year(year).known

    def is_working_day(self, d: date) -> bool:
        info = self._year(d.year)
        return d in info.workdays or (d.weekday() < 5 and d not in info.holidays)
