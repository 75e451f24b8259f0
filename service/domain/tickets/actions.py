"""Running one ticket action: permission, state and the action's own rules, then the handler,
the history entry and the commit, in one transaction; notifications after the commit.

Who may act (after the HTTP schema's 422, checked in this order: department scope 404 — a ticket
outside a department user's subtree does not exist for them, for actions as for reads — then
role 403, state 409, then the action's own rules 422/409):
- sign, request_return, request_extension, reply, appeal: `dept_staff` whose department subtree
  contains the ticket's department (a unit's own staff or its parent's), never another unit's.
- decide_return, decide_extension, decide_appeal: `supervisor`.
- confirm: the citizen (no account; the rated event's `rate_token`, 差评 tickets only), an
  `operator` after a callback, or a `supervisor` with a note (outcome `verified_by_supervisor`).
  A department can never close its own ticket.
- verify (回访核实 of a real-name 差评, sets `verified_at` once): `operator`, `supervisor`.
`admin` reads only. The states and transitions themselves are in `machine.py`.

Concurrency: the ORM's version counter makes every ticket UPDATE conditional on the version read,
so of two racing actions (or an action and the sweep) one wins and the other gets 409 `conflict`.
The ticket row is flushed before the audit entry so the audit chain's lock is always taken last.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from service.domain.accounts import Entry, record_many
from service.domain.errors import Conflict, Forbidden, InvalidTransition, NotFound
from service.domain.ratings import token_matches
from service.domain.tickets import (
    deadlines,
    handlers,  # noqa: F401  (fills machine.HANDLERS)
)
from service.domain.tickets.engine import ticket_history
from service.domain.tickets.machine import CITIZEN_ROLE, HANDLERS, RULES, Actor, Ctx, TicketEnv
from service.domain.tickets.notifications import send_all
from service.models import Review, Ticket


def perform_action(
    session: Session, env: TicketEnv, ticket_id: int, data: dict[str, Any], actor: Actor, now: datetime
) -> Ticket:
    """Apply one action in one transaction; notifications go out after the commit."""
    ticket = session.get(Ticket, ticket_id)
    if ticket is None:
        raise NotFound("工单不存在。")
    authorize(session, ticket, data["action"], actor, data)
    ctx = run_action(session, env, ticket, data, actor, now)
    send_all(env.notifier, ctx.outbox)
    ticket.history = ticket_history(session, ticket.id)
    return ticket


def run_action(
    session: Session, env: TicketEnv, ticket: Ticket, data: dict[str, Any], actor: Actor, now: datetime,
    extra: list[Entry] | None = None,
) -> Ctx:
    """State check, handler, history entry (+ `extra` entries), commit — for an already authorised
    actor. Returns the context whose outbox the caller sends once everything is committed."""
    action = data["action"]
    if ticket.status not in RULES[action].states:
        raise InvalidTransition(f"工单当前状态（{ticket.status}）不允许执行 {action}。")
    ctx = Ctx(session, env, actor, now, data)
    before = ticket.status
    handler = HANDLERS[action]
    try:  # autoflush inside a handler may already hit the version check
        note = handler(ctx, ticket)
        commit_transition(ctx, ticket, action, before, note, extra or [])
    except StaleDataError as exc:
        session.rollback()
        raise Conflict("工单已被他人同时修改，请刷新后重试。") from exc
    return ctx


def authorize(session: Session, ticket: Ticket, action: str, actor: Actor, data: dict[str, Any]) -> None:
    if not actor.scope.allows(ticket.department):
        raise NotFound("工单不存在。")
    if actor.role not in RULES[action].roles:
        raise Forbidden("当前角色无权执行此操作。")
    if actor.role == CITIZEN_ROLE:
        _check_rate_token(session, ticket, data.get("rate_token"))


def _check_rate_token(session: Session, ticket: Ticket, token: str | None) -> None:
    if ticket.source != "review" or not token:
        raise Forbidden("仅差评整改工单可由评价人凭评价凭证确认。")
    review = session.get(Review, ticket.review_id)
    if not token_matches(review.service_event, token):
        raise Forbidden("评价凭证与工单不符。")


def commit_transition(
    ctx: Ctx, ticket: Ticket, action: str, before: str, note: str | None, extra: list[Entry]
) -> None:
    """Flush the ticket (version-checked), append the history entries, commit."""
    session = ctx.session
    payload = {k: v for k, v in ctx.data.items() if k not in ("action", "rate_token", "note")}
    # The stored colour follows the action at once (signed, verified, replied, closed) instead of
    # waiting for the next sweep; the same rule as the sweep's.
    ticket.color = deadlines.colour_at(ticket, ctx.now)
    session.flush()
    record_many(session, [Entry(
        actor=ctx.actor.name, action=action, entity_type="ticket", entity_id=ticket.id,
        from_state=before, to_state=ticket.status, note=ctx.data.get("note") or note,
        data=payload or None, at=ctx.now,
    ), *extra])
    session.commit()
