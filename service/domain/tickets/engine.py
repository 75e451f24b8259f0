"""Rectification tickets (整改工单): opening, listing and reading. One engine for both sources.

Every 差评 (level 1–2, not excluded) opens a ticket for the rated event's department, due
`rectify_bad_review_days` working days after dispatch; a real-name 差评 also gets a verification
callback limit (`verify_due_at`, recorded by the `verify` action into `verified_at`). Every 12345
case that is not a duplicate opens one for the case's main department, due by type (or in working
hours when urgent) — consult and suggestion included, so every case has a tracked deadline; a
consult the operator answered on the call is met at intake; see the hotline package.

The clock starts at dispatch, i.e. when the ticket is opened. Actions live in actions.py/handlers.py,
the periodic colouring in sweep.py, deadline arithmetic in deadlines.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import literal, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from config.settings import Settings
from service.domain.accounts import Entry, Scope, history, record, record_many, subtree_ids
from service.domain.calendar import WorkCalendar, work_calendar
from service.domain.errors import NotFound
from service.domain.pagination import Page, paginate
from service.domain.tickets.deadlines import Term, apply_deadlines, colour_at, review_term
from service.domain.tickets.sweep import ACTOR as SWEEP_ACTOR
from service.domain.tickets.sweep import NOTES as SWEEP_NOTES
from service.models import Department, HotlineCase, Review, ServiceEvent, Ticket
from service.models.review import DONE, NOT_NEEDED, PENDING
from service.models.ticket import TicketEvent

SYSTEM = "system"


def new_ticket(
    session: Session,
    settings: Settings,
    calendar: WorkCalendar,
    *,
    source: str,
    department: Department,
    term: Term,
    now: datetime,
    review: Review | None = None,
    case: HotlineCase | None = None,
    needs_verification: bool = False,
    actor: str = SYSTEM,
    answer: str | None = None,
) -> Ticket:
    """Add a dispatched ticket and its first history entry to the session; the caller commits.

    `answer`: a 12345 consult the operator answered on the call — the deadline is met at intake:
    the ticket starts signed and replied (by `actor`) and waits for the callback like any other."""
    ticket = _dispatched(settings, calendar, source=source, department=department, term=term, now=now,
                         review=review, case=case, needs_verification=needs_verification)
    session.add(ticket)
    session.flush()
    record(session, _opened(ticket, department, source, now, actor))
    if answer is not None:
        _answer_at_intake(session, ticket, answer, actor, now)
    return ticket


def _opened(ticket: Ticket, department: Department, source: str, now: datetime, actor: str) -> Entry:
    return Entry(
        actor=actor, action="open", entity_type="ticket", entity_id=ticket.id, to_state="dispatched",
        at=now, note=f"派单至 {department.code}",
        data={"source": source, "due_at": ticket.due_at.isoformat(),
              "provisional": ticket.deadline_provisional},
    )


def _dispatched(settings: Settings, calendar: WorkCalendar, *, source: str, department: Department,
                term: Term, now: datetime, review: Review | None, case: HotlineCase | None,
                needs_verification: bool) -> Ticket:
    """A dispatched ticket with its deadlines, not yet in a session (new_ticket and the batch)."""
    ticket = Ticket(
        source=source,
        review_id=review.id if review else None,
        case_id=case.id if case else None,
        department=department,
        department_id=department.id,
        status="dispatched",
        dispatched_at=now,
        clock_started_at=now,
        term_days=term.days,
        term_hours=term.hours,
        extension_days=0,
        pauses=[],
        # A placeholder that apply_deadlines replaces with the real verification limit.
        verify_due_at=now if needs_verification else None,
        reopen_count=0,
        extension_count=0,
        replied_late=False,
        created_at=now,  # the verification deadline counts from here (deadlines.py)
    )
    apply_deadlines(calendar, settings, ticket, now)
    return ticket


def _review_ticket(settings: Settings, calendar: WorkCalendar, review: Review, now: datetime) -> Ticket:
    return _dispatched(settings, calendar, source="review", department=review.service_event.department,
                       term=review_term(settings), now=now, review=review, case=None,
                       needs_verification=review.real_name)


def open_tickets_for_reviews(session: Session, settings: Settings, review_ids: list[int],
                             now: datetime) -> dict[str, Any]:
    """Open the tickets of a batch of 差评 in one transaction (the dispatcher's job).

    Set-based: the pending reviews are locked in id order (a second run of the same batch waits,
    then finds them done), the tickets are inserted in one flush and their audit entries in one
    append. Idempotent like open_ticket_for_review, which it falls back to if a ticket was opened
    meanwhile by another path."""
    reviews = list(session.scalars(
        select(Review).where(Review.id.in_(list(review_ids)), Review.ticket_state == PENDING)
        .order_by(Review.id).with_for_update()
        .options(selectinload(Review.service_event).selectinload(ServiceEvent.department))
        .execution_options(populate_existing=True)
    ))
    have = set(session.scalars(select(Ticket.review_id).where(Ticket.review_id.in_([r.id for r in reviews]))))
    calendar = work_calendar(session) if reviews else None
    opened: list[Ticket] = []
    for review in reviews:
        if review.id in have:
            review.ticket_state = DONE
        elif not review.is_bad or review.excluded:
            review.ticket_state = NOT_NEEDED
        else:
            review.ticket_state = DONE
            opened.append(_review_ticket(settings, calendar, review, now))
    try:
        session.add_all(opened)
        session.flush()
        record_many(session, [_opened(t, t.department, "review", now, SYSTEM) for t in opened])
        session.commit()
    except IntegrityError:
        session.rollback()
        results = [open_ticket_for_review(session, settings, rid, now) for rid in review_ids]
        return {"reviews": len(review_ids), "opened": sum(bool(r.get("created")) for r in results)}
    return {"reviews": len(review_ids), "opened": len(opened), "settled": len(reviews)}


def _answer_at_intake(session: Session, ticket: Ticket, answer: str, actor: str, now: datetime) -> None:
    ticket.signed_at = ticket.replied_at = now
    ticket.status, ticket.reply_resolution, ticket.reply_content = "replied", "explained", answer
    ticket.replied_late = False
    ticket.color = colour_at(ticket, now)
    session.flush()
    record(session, Entry(
        actor=actor, action="reply", entity_type="ticket", entity_id=ticket.id, from_state="dispatched",
        to_state="replied", at=now, note="话务员受理时当场答复", data={"resolution": "explained"},
    ))


def open_ticket_for_review(session: Session, settings: Settings, review_id: int, now: datetime) -> dict[str, Any]:
    """Open the ticket of a 差评. Idempotent: a second call for the same review does nothing."""
    review = session.get(Review, review_id)
    if review is None:
        return {"review_id": review_id, "skipped": "not_found"}
    existing = session.scalar(select(Ticket.id).where(Ticket.review_id == review.id))
    if existing is not None:
        return _mark(session, review, DONE, {"ticket_id": existing, "created": False})
    if not review.is_bad or review.excluded:
        return _mark(session, review, NOT_NEEDED, {"skipped": "not_bad_or_excluded"})
    calendar = work_calendar(session)
    # Set before new_ticket flushes: rows are written before the audit chain's lock is taken.
    review.ticket_state = DONE
    ticket = new_ticket(
        session, settings, calendar, source="review", department=review.service_event.department,
        term=review_term(settings), now=now, review=review, needs_verification=review.real_name,
    )
    try:
        session.commit()
    except IntegrityError:
        # Two workers opened it at once: the unique review_id decided; the other one stands.
        session.rollback()
        existing = session.scalar(select(Ticket.id).where(Ticket.review_id == review_id))
        return _mark(session, session.get(Review, review_id), DONE, {"ticket_id": existing, "created": False})
    return {"review_id": review_id, "ticket_id": ticket.id, "created": True}


def _mark(session: Session, review: Review, state: str, result: dict[str, Any]) -> dict[str, Any]:
    if review.ticket_state != state:
        review.ticket_state = state
        session.commit()
    return {"review_id": review.id, **result}


@dataclass(frozen=True)
class TicketFilters:
    department: str | None = None
    status: str | None = None
    color: str | None = None
    source: str | None = None
    provisional: bool | None = None


def list_tickets(session: Session, scope: Scope, filters: TicketFilters, page: int, per_page: int) -> Page:
    stmt = select(Ticket).where(Ticket.department_id.in_(subtree_ids(session, scope, filters.department)))
    if filters.status:
        stmt = stmt.where(Ticket.status == filters.status)
    if filters.color:
        stmt = stmt.where(Ticket.color == filters.color)
    if filters.source:
        stmt = stmt.where(Ticket.source == filters.source)
    if filters.provisional is not None:
        stmt = stmt.where(Ticket.deadline_provisional == literal(filters.provisional))
    return paginate(session, stmt.order_by(Ticket.id.desc()), page, per_page)


def get_ticket(session: Session, scope: Scope, ticket_id: int) -> Ticket:
    """A ticket with its history; outside the caller's scope it does not exist (404)."""
    ticket = session.get(Ticket, ticket_id)
    if ticket is None or not scope.allows(ticket.department):
        raise NotFound("工单不存在。")
    ticket.history = ticket_history(session, ticket.id)
    return ticket


def ticket_history(session: Session, ticket_id: int) -> list[dict[str, Any]]:
    """Transitions (per-ticket audit entries) and the sweep's reminders, notices and escalations
    (ticket_events, each covered by a batch audit entry of its run), in time order."""
    entries = [
        {"action": e.action, "from": e.from_state, "to": e.to_state, "actor": e.actor, "at": e.at,
         "note": e.note}
        for e in history(session, "ticket", ticket_id)
    ]
    events = session.scalars(
        select(TicketEvent).where(TicketEvent.ticket_id == ticket_id).order_by(TicketEvent.id)
    ).all()
    entries += [
        {"action": action, "from": e.status, "to": e.status, "actor": SWEEP_ACTOR, "at": e.at,
         "note": SWEEP_NOTES.get(action)}
        for e in events for action in e.actions.split(",")
    ]
    return sorted(entries, key=lambda entry: entry["at"])  # stable: same-moment entries keep order
