"""The ticket state machine (domain.md §5, api.md `POST /tickets/{id}/actions`).

    dispatched →sign→ handling →reply→ replied →confirm(satisfied)→ closed
    return_requested   (request_return from dispatched/handling within the return window;
                        approve ⇒ dispatched to the new department with a fresh clock,
                        reject ⇒ back where it was)
    extension_requested (request_extension from handling before expiry; either decision ⇒ handling)
    appealed           (差评 only, from handling; the clock pauses; upheld ⇒ rating excluded and
                        ticket closed `appeal_upheld`; rejected ⇒ handling, deadline shifted)
    replied →confirm(unsatisfied)→ handling, reopen_count + 1, fresh deadline from now (重办)

Who may act (after the HTTP schema's 422, checked in this order: role 403, department 403,
state 409, then the action's own rules 422/409):
- sign, request_return, request_extension, reply, appeal: `dept_staff` whose department subtree
  contains the ticket's department (a unit's own staff or its parent's), never another unit's.
- decide_return, decide_extension, decide_appeal: `supervisor`.
- confirm: the citizen (no account; the rated event's `rate_token`, 差评 tickets only), an
  `operator` after a callback, or a `supervisor` with a note (outcome `verified_by_supervisor`).
  A department can never close its own ticket.
- verify (回访核实 of a real-name 差评, sets `verified_at` once): `operator`, `supervisor`.
`admin` reads only.

Concurrency: the ORM's version counter makes every ticket UPDATE conditional on the version read,
so of two racing actions (or an action and the sweep) one wins and the other gets 409 `conflict`.
The ticket row is flushed before the audit entry so the audit chain's lock is always taken last.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from config.settings import Settings
from service.domain import calendar_store, deadlines
from service.domain.accounts import Scope, scope_for
from service.domain.audit import Entry, record_many
from service.domain.contacts import ContactCipher
from service.domain.errors import Conflict, Forbidden, InvalidTransition, NotFound
from service.domain.notifications import Message, Notifier, send_all
from service.domain.ticket_notices import deadline_message, recipients, reply_message
from service.domain.tickets import ticket_history
from service.domain.workdays import WorkCalendar
from service.models import Ticket, User

CITIZEN_ROLE = "citizen"
DEPARTMENT = ("dept_staff",)
SUPERVISOR = ("supervisor",)


@dataclass(frozen=True)
class Actor:
    name: str
    role: str
    scope: Scope = field(default_factory=Scope)

    @classmethod
    def of(cls, user: User) -> Actor:
        return cls(user.name, user.role, scope_for(user))


CITIZEN = Actor(CITIZEN_ROLE, CITIZEN_ROLE)


@dataclass
class TicketEnv:
    """What an action needs besides the session: rules, contact decryption, the notifier."""

    settings: Settings
    cipher: ContactCipher | None = None
    notifier: Notifier | None = None


@dataclass
class Ctx:
    session: Session
    env: TicketEnv
    actor: Actor
    now: datetime
    data: dict[str, Any]
    outbox: list[Message] = field(default_factory=list)
    _calendar: WorkCalendar | None = None

    @property
    def calendar(self) -> WorkCalendar:
        if self._calendar is None:
            self._calendar = calendar_store.work_calendar(self.session)
        return self._calendar

    @property
    def settings(self) -> Settings:
        return self.env.settings

    def tell(self, ticket: Ticket, kind: str) -> None:
        text = reply_message(ticket) if kind == "reply" else deadline_message(ticket)
        self.outbox += [Message(p, text, kind) for p in recipients(self.session, self.env.cipher, ticket)]


@dataclass(frozen=True)
class Rule:
    roles: tuple[str, ...]
    states: tuple[str, ...]


RULES: dict[str, Rule] = {
    "sign": Rule(DEPARTMENT, ("dispatched",)),
    "request_return": Rule(DEPARTMENT, ("dispatched", "handling")),
    "decide_return": Rule(SUPERVISOR, ("return_requested",)),
    "request_extension": Rule(DEPARTMENT, ("handling",)),
    "decide_extension": Rule(SUPERVISOR, ("extension_requested",)),
    "reply": Rule(DEPARTMENT, ("handling",)),
    "confirm": Rule((CITIZEN_ROLE, "operator", "supervisor"), ("replied",)),
    "appeal": Rule(DEPARTMENT, ("handling",)),
    "decide_appeal": Rule(SUPERVISOR, ("appealed",)),
    "verify": Rule(("operator", "supervisor"), ("dispatched", "handling", "replied", "closed",
                                                "return_requested", "extension_requested", "appealed")),
}
ACTIONS = tuple(RULES)


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
    from service.domain import ticket_handlers  # the handlers import this module's helpers

    action = data["action"]
    if ticket.status not in RULES[action].states:
        raise InvalidTransition(f"工单当前状态（{ticket.status}）不允许执行 {action}。")
    ctx = Ctx(session, env, actor, now, data)
    before = ticket.status
    handler: Callable[[Ctx, Ticket], str | None] = getattr(ticket_handlers, action)
    try:  # autoflush inside a handler may already hit the version check
        note = handler(ctx, ticket)
        commit_transition(ctx, ticket, action, before, note, extra or [])
    except StaleDataError as exc:
        session.rollback()
        raise Conflict("工单已被他人同时修改，请刷新后重试。") from exc
    return ctx


def authorize(session: Session, ticket: Ticket, action: str, actor: Actor, data: dict[str, Any]) -> None:
    if actor.role not in RULES[action].roles:
        raise Forbidden("当前角色无权执行此操作。")
    if actor.role in DEPARTMENT and not actor.scope.allows(ticket.department):
        raise Forbidden("只能处理本单位的工单。")
    if actor.role == CITIZEN_ROLE:
        _check_rate_token(session, ticket, data.get("rate_token"))


def _check_rate_token(session: Session, ticket: Ticket, token: str | None) -> None:
    from service.models import Review

    if ticket.source != "review" or not token:
        raise Forbidden("仅差评整改工单可由评价人凭评价凭证确认。")
    review = session.get(Review, ticket.review_id)
    if not hmac.compare_digest(review.service_event.rate_token.encode(), token.encode()):
        raise Forbidden("评价凭证与工单不符。")


def commit_transition(
    ctx: Ctx, ticket: Ticket, action: str, before: str, note: str | None, extra: list[Entry]
) -> None:
    """Flush the ticket (version-checked), append the history entries, commit."""
    session = ctx.session
    payload = {k: v for k, v in ctx.data.items() if k not in ("action", "rate_token", "note")}
    session.flush()
    record_many(session, [Entry(
        actor=ctx.actor.name, action=action, entity_type="ticket", entity_id=ticket.id,
        from_state=before, to_state=ticket.status, note=ctx.data.get("note") or note,
        data=payload or None, at=ctx.now,
    ), *extra])
    session.commit()


def close(ctx: Ctx, ticket: Ticket, outcome: str) -> None:
    ticket.status = "closed"
    ticket.outcome = outcome
    ticket.closed_at = ctx.now
    # 按时整改: confirmed before the (current) deadline; an upheld appeal is no rectification.
    ticket.closed_on_time = None if outcome == "appeal_upheld" else ctx.now <= ticket.due_at
    ticket.pending_request = ticket.previous_status = ticket.paused_at = None
    _case_status(ctx, ticket, "closed")


def reopen(ctx: Ctx, ticket: Ticket) -> None:
    """Unsatisfied confirmation (重办): back to handling with a fresh deadline from now."""
    ticket.status = "handling"
    ticket.reopen_count += 1
    deadlines.start_new_term(ctx.calendar, ctx.settings, ticket, ctx.now)
    _case_status(ctx, ticket, "open")
    ctx.tell(ticket, "deadline")


def _case_status(ctx: Ctx, ticket: Ticket, status: str) -> None:
    if ticket.case_id is not None:
        from service.models import HotlineCase

        ctx.session.get(HotlineCase, ticket.case_id).status = status
