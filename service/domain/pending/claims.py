"""Claiming pending rows for the dispatcher: one batch at a time, each row with a lease.

A claimed row stays `pending` (its state changes only when its job has done the work) but carries
a lease in its `*_next_at` column; until the lease runs out no other claim takes it. Rows never
handed out (`next_at` NULL) are claimed first; rows whose lease or retry backoff ran out only when
the caller says nothing of that kind is still waiting in the queue (`expired_too`), so a row whose
job is still queued is never queued a second time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from service.models import HotlineCase, Review
from service.models.review import PENDING


@dataclass(frozen=True)
class PendingKind:
    name: str
    model: type
    state: str  # column names
    next_at: str


KINDS = (
    # Order of the dispatcher's pass: tickets first, they carry deadlines.
    PendingKind("open_tickets", Review, "ticket_state", "ticket_next_at"),
    PendingKind("classify_reviews", Review, "classification_state", "classification_next_at"),
    PendingKind("classify_cases", HotlineCase, "classification_state", "classification_next_at"),
)


def claim(session: Session, kind: PendingKind, now: datetime, lease_until: datetime, limit: int,
          expired_too: bool, linger: timedelta = timedelta(0)) -> list[int]:
    """Ids of up to `limit` pending rows, leased until `lease_until` in the caller's transaction.

    A batch short of `limit` is claimed only once its oldest row has waited `linger`: under load
    the jobs carry full batches (a job has a fixed cost: fork, calendar, audit lock, commit), when
    quiet a lone rating waits at most that long. SKIP LOCKED: several dispatchers never wait for
    nor claim each other's rows (PostgreSQL; SQLite has a single writer anyway)."""
    table = kind.model.__table__
    state, next_at = table.c[kind.state], table.c[kind.next_at]
    due = or_(next_at.is_(None), next_at <= now) if expired_too else next_at.is_(None)
    rows = session.execute(
        select(table.c.id, table.c.created_at).where(state == PENDING, due).order_by(table.c.id)
        .limit(limit).with_for_update(skip_locked=True)
    ).all()
    if len(rows) < limit and rows and min(r.created_at for r in rows) > now - linger:
        return []  # the caller's rollback or commit releases the row locks
    ids = [r.id for r in rows]
    if ids:
        session.execute(update(table).where(table.c.id.in_(ids)).values({kind.next_at: lease_until}))
    return ids


def release(session: Session, kind: PendingKind, ids: list[int]) -> None:
    """Give claimed rows back at once (their job could not be handed to the queue)."""
    table = kind.model.__table__
    if ids:
        session.execute(update(table).where(table.c.id.in_(ids), table.c[kind.state] == PENDING)
                        .values({kind.next_at: None}))
