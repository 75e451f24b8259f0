"""Deadlines that reached into a year whose holiday arrangement was not known yet.

Until a year is known, deadlines that reach into it are computed on weekdays and marked
`deadline_provisional` — never refused. Loading a year (`provisional.load_calendar_year`, which
also settles the indicators' appeal windows) recomputes the open provisional tickets at once, and
the periodic job `recompute_provisional_deadlines` does it again in case a load happened elsewhere.
Closed tickets keep the deadlines they were closed against (their on-time flag is history).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, true
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from config.settings import Settings
from service.domain.accounts import Entry, record_many
from service.domain.calendar import work_calendar
from service.domain.tickets.deadlines import apply_deadlines, colour_at, reply_is_late
from service.models import Ticket
from service.models.ticket import OPEN_STATUSES

RECOMPUTE_BATCH = 500


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
            if ticket.status == "replied" and ticket.reopen_count == 0:
                # The reply is judged against the deadline as it really is (make-up working days
                # can bring it forward); a reopened ticket's earlier lateness is not re-judged.
                ticket.replied_late = reply_is_late(ticket, ticket.replied_at)
                ticket.color = colour_at(ticket, now)
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


def provisional_ticket_count(session: Session) -> int:
    return session.scalar(
        select(func.count()).select_from(Ticket)
        .where(Ticket.deadline_provisional == true(), Ticket.status.in_(OPEN_STATUSES))
    ) or 0
