"""Loaded holiday arrangements (CalendarYear rows) and the WorkCalendar built from them.

The `chinese-calendar` package knows the years up to its release; an administrator loads later
years from a file (`flask --app wsgi calendar load FILE`). What a newly loaded year means for
deadlines already computed is the business of those who computed them (tickets, indicators),
brought together by `provisional.load_calendar_year`.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.domain.accounts import Entry, record
from service.domain.calendar.years import WorkCalendar, YearArrangement, parse_year_file
from service.models import CalendarYear
from service.models.types import SHANGHAI


def arrangement_of(row: CalendarYear) -> YearArrangement:
    return YearArrangement(
        row.year,
        frozenset(date.fromisoformat(d) for d in row.holidays),
        frozenset(date.fromisoformat(d) for d in row.workdays),
    )


def work_calendar(session: Session) -> WorkCalendar:
    """The package's years plus every loaded year (a loaded year overrides the package)."""
    rows = session.scalars(select(CalendarYear).order_by(CalendarYear.year)).all()
    return WorkCalendar([arrangement_of(row) for row in rows])


def store_year(session: Session, text: str, source: str, actor: str, now: datetime) -> dict[str, Any]:
    """Parse a year file and store it (replacing an earlier load of that year); commits.

    Raises CalendarFileError (a ValueError, Chinese message) for a malformed file.
    """
    arrangement = parse_year_file(text)
    row = session.get(CalendarYear, arrangement.year)
    replaced = row is not None
    if row is None:
        row = CalendarYear(year=arrangement.year)
        session.add(row)
    row.holidays = sorted(d.isoformat() for d in arrangement.holidays)
    row.workdays = sorted(d.isoformat() for d in arrangement.workdays)
    row.source, row.loaded_by, row.loaded_at = source[:255], actor[:120], now
    record(session, Entry(
        actor=actor, action="calendar_loaded", entity_type="calendar_year", entity_id=arrangement.year,
        note=source[:255], at=now,
        data={"holidays": len(row.holidays), "workdays": len(row.workdays), "replaced": replaced},
    ))
    session.commit()
    return {"year": arrangement.year, "holidays": len(row.holidays), "workdays": len(row.workdays),
            "replaced": replaced}


def years_status(session: Session, now: datetime) -> list[dict[str, Any]]:
    """Last, this and next year plus every loaded one: known or not, and where from."""
    calendar = work_calendar(session)
    loaded = {row.year: row for row in session.scalars(select(CalendarYear)).all()}
    this_year = now.astimezone(SHANGHAI).year
    years = []
    for year in sorted(set(range(this_year - 1, this_year + 2)) | set(loaded)):
        row = loaded.get(year)
        years.append({
            "year": year,
            "known": calendar.is_known_year(year),
            "source": "loaded" if row else ("package" if calendar.is_known_year(year) else None),
            "loaded_at": row.loaded_at.isoformat() if row else None,
            "loaded_by": row.loaded_by if row else None,
        })
    return years
