"""Loaded holiday arrangements (CalendarYear rows), the WorkCalendar built from them, and the
recomputation of provisional deadlines once a missing year arrives.

The `chinese-calendar` package knows the years up to its release; an administrator loads later
years from a file (`flask --app wsgi calendar load FILE`). Until a year is known, deadlines that
reach into it are computed on weekdays and marked `deadline_provisional` — never refused. Loading a
year recomputes the open provisional tickets at once, and the periodic job
`recompute_provisional_deadlines` does it again in case a load happened elsewhere.

Closed tickets keep the deadlines they were closed against (their on-time flag is history).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select, true
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from config.settings import Settings
from service.domain.audit import Entry, record, record_many
from service.domain.deadlines import apply_deadlines
from service.domain.workdays import SHANGHAI, WorkCalendar, YearArrangement, parse_year_file
from service.models import CalendarYear, Ticket
from service.models.ticket import OPEN_STATUSES

RECOMPUTE_BATCH = 500


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


def load_year(
    session: Session, settings: Settings, text: str, source: str, actor: str, now: datetime
) -> dict[str, Any]:
    """Parse a year file, store it (replacing an earlier load of that year), recompute deadlines.

    Raises workdays.CalendarFileError (a ValueError, Chinese message) for a malformed file.
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
    result = recompute_provisional(session, settings, now)
    return {"year": arrangement.year, "holidays": len(row.holidays), "workdays": len(row.workdays),
            "replaced": replaced, **result}


def recompute_provisional(session: Session, settings: Settings, now: datetime) -> dict[str, int]:
    """Recompute open provisional tickets with the calendar as it is now; commits per batch.

    Rare and small (only tickets reaching into an unknown year), so a loop over rows is fine here,
    unlike the sweep. Tickets changed concurrently are skipped by the version check and retried on
    the next run.
    """
    calendar = work_calendar(session)
    checked = settled = 0
    last_id = 0
    while True:
        tickets = session.scalars(
            select(Ticket)
            .where(Ticket.deadline_provisional == true(), Ticket.status.in_(OPEN_STATUSES), Ticket.id > last_id)
            .order_by(Ticket.id)
            .limit(RECOMPUTE_BATCH)
        ).all()
        if not tickets:
            break
        entries = []
        for ticket in tickets:
            before = ticket.due_at
            apply_deadlines(calendar, settings, ticket, now)
            checked += 1
            if not ticket.deadline_provisional:
                settled += 1
            if ticket.due_at != before or not ticket.deadline_provisional:
                entries.append(Entry(
                    actor="system", action="deadline_recomputed", entity_type="ticket", entity_id=ticket.id,
                    from_state=ticket.status, to_state=ticket.status, at=now,
                    note="节假日安排已加载，期限重新计算。",
                    data={"before": before.isoformat(), "due_at": ticket.due_at.isoformat(),
                          "provisional": ticket.deadline_provisional},
                ))
        last_id = tickets[-1].id
        try:
            session.flush()
        except StaleDataError:
            # A ticket of this batch was changed meanwhile: drop the batch, the next run redoes it.
            session.rollback()
            return {"checked": checked, "settled": settled, "still_provisional": checked - settled,
                    "retry_later": True}
        record_many(session, entries)
        session.commit()
    return {"checked": checked, "settled": settled, "still_provisional": checked - settled}


def calendar_status(session: Session, now: datetime) -> dict[str, Any]:
    """Known years and the warnings /readyz and the admin API show."""
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
    provisional = provisional_ticket_count(session)
    warnings = []
    if provisional:
        unknown = [y["year"] for y in years if not y["known"] and y["year"] >= this_year]
        warnings.append(
            f"{provisional} 个未办结工单的期限为临时计算（按周一至周五），"
            f"请加载 {'、'.join(map(str, unknown)) or '相关'} 年度节假日安排。"
        )
    return {"years": years, "provisional_tickets": provisional, "warnings": warnings}


def provisional_ticket_count(session: Session) -> int:
    return session.scalar(
        select(func.count()).select_from(Ticket)
        .where(Ticket.deadline_provisional == true(), Ticket.status.in_(OPEN_STATUSES))
    ) or 0
