"""The periodic deadline sweep: colours, reminders (催办), notices (催办通知书), escalations (通报)
for each of a ticket's three watched deadlines — handling (办理), sign-for (签收) and the
verification callback of a real-name 差评 (回访核实).

Set-based, whatever the number of open tickets — no Python loop over rows:
1. one counting SELECT (how many colours change, for the report — counted just before the UPDATE,
   so a ticket an action changes meanwhile may be counted but left alone);
2. one UPDATE that writes the colour where it differs and each of the nine fired-at columns
   (reminded_at, sign_reminded_at, verify_reminded_at, …) where it is still NULL and now due,
   bumping `version`;
3. one `ticket_events` row per ticket that fired something, straight from the UPDATE's RETURNING —
   on PostgreSQL in the same statement (a data-modifying CTE), on SQLite by one executemany;
4. one hash-chained audit entry per kind of event fired in this run (entity_type "ticket_sweep",
   entity_id the run's time) listing the ticket ids, so the event rows are covered by the chain.
   Hashing one audit entry per ticket in Python would cost more than the whole sweep (measured:
   ~12 µs per entry here, 160k entries at 200k tickets); a ticket's history joins its events in.

Idempotent: a second run with the same `now` matches no row, writes nothing, records nothing.
Which deadline is watched when (each fires its reminder, notice and escalation exactly once):
* handling: while the clock runs (RUNNING_STATUSES, not paused) — a replied ticket waits for the
  citizen, an appealed one is paused;
* sign-for: until the ticket is signed;
* verification callback: until it is recorded, while the ticket is open.
The colour of an open ticket is the worst of its pending deadlines (deadlines.colour_at is the same
rule in Python); a closed ticket has none and is not swept. The version bump makes an action that
read the ticket before the sweep changed it lose with 409 instead of overwriting it. On PostgreSQL
a transaction-level advisory lock keeps two sweeps from running at once (the second returns).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, func, insert, literal, or_, select, text, update
from sqlalchemy.orm import Session

from service.domain.accounts import Entry, record_many
from service.models import Ticket
from service.models.ticket import OPEN_STATUSES, RUNNING_STATUSES, TicketEvent
from service.models.types import UTCDateTime

_SWEEP_LOCK = 7_345_002
ACTOR = "system:sweep"
# fired-at column, action, count key, note — for each watched deadline (prefix "", sign_, verify_)
EVENTS = (
    ("reminded_at", "remind", "reminded", "临近办理期限，催办。"),
    ("noticed_at", "notice", "noticed", "已超过办理期限，发出催办通知书。"),
    ("escalated_at", "escalate", "escalated", "超期未办结，通报督办。"),
    ("sign_reminded_at", "sign_remind", "sign_reminded", "临近签收期限，催办签收。"),
    ("sign_noticed_at", "sign_notice", "sign_noticed", "已超过签收期限，发出催办通知书。"),
    ("sign_escalated_at", "sign_escalate", "sign_escalated", "超期未签收，通报督办。"),
    ("verify_reminded_at", "verify_remind", "verify_reminded", "临近实名差评回访核实期限，催办。"),
    ("verify_noticed_at", "verify_notice", "verify_noticed", "已超过回访核实期限，发出催办通知书。"),
    ("verify_escalated_at", "verify_escalate", "verify_escalated", "超期未回访核实，通报督办。"),
)
NOTES = {action: note for _, action, _, note in EVENTS}


def _watched(t, now: datetime) -> tuple[Any, dict[str, Any]]:
    """The colour expression and, per fired-at column, the condition that it fires now."""
    at = literal(now, UTCDateTime())
    running = and_(t.c.status.in_(RUNNING_STATUSES), t.c.paused_at.is_(None))
    unsigned = t.c.signed_at.is_(None)
    unverified = and_(t.c.verify_due_at.isnot(None), t.c.verified_at.is_(None))
    # The handling clock is read at the pause while paused; once replied it stopped (red if late).
    replied, waiting = t.c.status == "replied", t.c.status != "replied"
    handling_at = case((t.c.paused_at.isnot(None), t.c.paused_at), else_=at)
    red = or_(and_(replied, t.c.replied_late.is_(True)), and_(waiting, t.c.due_at <= handling_at),
              and_(unsigned, t.c.sign_due_at <= at), and_(unverified, t.c.verify_due_at <= at))
    yellow = or_(and_(waiting, t.c.yellow_from <= handling_at), and_(unsigned, t.c.sign_yellow_from <= at),
                 and_(unverified, t.c.verify_yellow_from <= at))
    colour = case((red, "red"), (yellow, "yellow"), else_="green")
    due = {}
    for prefix, pending in (("", running), ("sign_", unsigned), ("verify_", unverified)):
        start = "yellow_from" if not prefix else f"{prefix}yellow_from"
        for fired, threshold in (("reminded_at", start), ("noticed_at", f"{prefix}notice_at"),
                                 ("escalated_at", f"{prefix}escalate_at")):
            column = f"{prefix}{fired}"
            due[column] = and_(pending, t.c[column].is_(None), t.c[threshold] <= at)
    return colour, due


def sweep_tickets(session: Session, now: datetime) -> dict[str, Any]:
    """Recolour and fire due reminders/notices/escalations at `now`; commits."""
    postgres = session.get_bind().dialect.name == "postgresql"
    if postgres:
        if not session.execute(text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": _SWEEP_LOCK}).scalar():
            session.rollback()
            return {"skipped": "another sweep is running"}
        # The changed rows pass through a CTE; keep a large first run from spilling it to disk.
        session.execute(text("SET LOCAL work_mem = '64MB'"))
    t = Ticket.__table__
    open_ = t.c.status.in_(OPEN_STATUSES)
    colour, due = _watched(t, now)
    recoloured = session.scalar(select(func.count()).select_from(t).where(open_, t.c.color != colour))
    changed = (
        update(t)
        .where(open_, or_(t.c.color != colour, *due.values()))
        .values(color=colour, version=t.c.version + 1,
                **{col: case((cond, now), else_=t.c[col]) for col, cond in due.items()})
        .returning(t.c.id, t.c.status, t.c.color,
                   *[(t.c[col] == now).label(action) for col, action, _, _ in EVENTS])
    )
    fired = _fire_postgres(session, changed, now) if postgres else _fire_portable(session, changed, now)
    ids: dict[str, list[int]] = {action: [] for _, action, _, _ in EVENTS}
    for ticket_id, actions in fired:
        for action in actions.split(","):
            ids[action].append(ticket_id)
    record_many(session, [
        Entry(actor=ACTOR, action=action, entity_type="ticket_sweep", entity_id=now.isoformat(),
              note=NOTES[action], data={"count": len(ids[action]), "ticket_ids": sorted(ids[action])}, at=now)
        for _, action, _, _ in EVENTS if ids[action]
    ])
    session.commit()
    return {"recoloured": recoloured or 0, "tickets_fired": len(fired),
            **{key: len(ids[action]) for _, action, key, _ in EVENTS}}


def _fire_postgres(session: Session, changed, now: datetime) -> list[tuple[int, str]]:
    """UPDATE ... RETURNING feeding INSERT INTO ticket_events in one statement (a DML CTE)."""
    rows = changed.cte("changed")
    actions = func.concat_ws(",", *[case((rows.c[action], action)) for _, action, _, _ in EVENTS])
    events = TicketEvent.__table__
    stmt = (
        insert(events)
        .from_select(
            ["ticket_id", "at", "actions", "status", "color"],
            select(rows.c.id, literal(now, UTCDateTime()), actions, rows.c.status, rows.c.color)
            .where(or_(*[rows.c[action] for _, action, _, _ in EVENTS])),
        )
        .returning(events.c.ticket_id, events.c.actions)
    )
    return [(r[0], r[1]) for r in session.execute(stmt)]


def _fire_portable(session: Session, changed, now: datetime) -> list[tuple[int, str]]:
    events = []
    for r in session.execute(changed):
        actions = ",".join(action for _, action, _, _ in EVENTS if getattr(r, action))
        if actions:
            events.append({"ticket_id": r.id, "at": now, "actions": actions, "status": r.status, "color": r.color})
    if events:
        session.execute(insert(TicketEvent.__table__), events)
    return [(e["ticket_id"], e["actions"]) for e in events]
