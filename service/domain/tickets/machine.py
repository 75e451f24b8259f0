"""The ticket state machine as data: who may do what from which state, and the table of
transitions that `handlers.py` registers into (domain.md §5, api.md `POST /tickets/{id}/actions`).

    dispatched →sign→ handling →reply→ replied →confirm(satisfied)→ closed
    return_requested   (request_return from dispatched/handling within the return window;
                        approve ⇒ dispatched to the new department with a fresh clock,
                        reject ⇒ back where it was)
    extension_requested (request_extension from handling before expiry; either decision ⇒ handling)
    appealed           (差评 only, from handling; the clock pauses; upheld ⇒ rating excluded and
                        ticket closed `appeal_upheld`; rejected ⇒ handling, deadline shifted)
    replied →confirm(unsatisfied)→ handling, reopen_count + 1, fresh deadline from now (重办)
    closed: no colour; `closed_on_time` = the accepted reply came before the deadline in force

`RULES` says who may act from which states; `HANDLERS` holds one function per action, registered
with `@transition(action)`. Running an action (checks, handler, history, commit) is `actions.py`'s.
Also here: the context a handler gets (`Ctx`) and the two moves several handlers share, `close` and
`reopen`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from config.settings import Settings
from service.domain.accounts import Scope, scope_for
from service.domain.calendar import WorkCalendar, work_calendar
from service.domain.privacy import ContactCipher
from service.domain.tickets import deadlines
from service.domain.tickets.notices import deadline_message, recipients, reply_message
from service.domain.tickets.notifications import Message, Notifier
from service.models import HotlineCase, Ticket, User

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
            self._calendar = work_calendar(self.session)
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

Handler = Callable[["Ctx", Ticket], "str | None"]
HANDLERS: dict[str, Handler] = {}


def transition(action: str) -> Callable[[Handler], Handler]:
    """Register the handler of `action`: `handler(ctx, ticket) -> note`, state change only."""
    if action not in RULES:
        raise KeyError(f"no rule for ticket action {action!r}")

    def register(handler: Handler) -> Handler:
        HANDLERS[action] = handler
        return handler

    return register


def close(ctx: Ctx, ticket: Ticket, outcome: str) -> None:
    ticket.status = "closed"
    ticket.outcome = outcome
    ticket.closed_at = ctx.now
    ticket.closed_on_time = None if outcome == "appeal_upheld" else rectified_on_time(ticket)
    ticket.pending_request = ticket.previous_status = ticket.paused_at = None
    _case_status(ctx, ticket, "closed")


def rectified_on_time(ticket: Ticket) -> bool:
    """按时整改 (domain.md §5): the accepted reply came before the deadline in force — judged by the
    reply, not by the confirmation. A reopened ticket was not rectified on time in its period.
    The indicator counts (indicators/counts.py) apply the same rule in SQL."""
    return ticket.reopen_count == 0 and ticket.replied_at is not None and ticket.replied_at < ticket.due_at


def reopen(ctx: Ctx, ticket: Ticket) -> None:
    """Unsatisfied confirmation (重办): back to handling with a fresh deadline from now."""
    ticket.status = "handling"
    ticket.reopen_count += 1
    deadlines.start_new_term(ctx.calendar, ctx.settings, ticket, ctx.now)
    _case_status(ctx, ticket, "open")
    ctx.tell(ticket, "deadline")


def _case_status(ctx: Ctx, ticket: Ticket, status: str) -> None:
    if ticket.case_id is not None:
        ctx.session.get(HotlineCase, ticket.case_id).status = status
