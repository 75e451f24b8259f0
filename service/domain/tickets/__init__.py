"""Rectification tickets (整改工单): one engine for 差评 and 12345 cases.

Owns: opening tickets (`engine.py`), the state machine as data (`machine.py`) with one handler
per transition (`handlers.py`) and the runner that checks and commits an action (`actions.py`),
working-day deadlines of a ticket (`deadlines.py`, `provisional.py`), the set-based sweep of colours,
reminders, notices and escalation (`sweep.py`), and who is told what (`notices.py`,
`notifications.py`).
May import: `accounts`, `calendar`, `privacy`, `ratings` (the event's rate token a citizen confirms with).
"""

from service.domain.tickets.actions import (
    authorize,
    perform_action,
    run_action,
)
from service.domain.tickets.deadlines import (
    Term,
    apply_deadlines,
    case_term,
    review_term,
)
from service.domain.tickets.engine import (
    SYSTEM,
    TicketFilters,
    get_ticket,
    list_tickets,
    new_ticket,
    open_ticket_for_review,
    open_tickets_for_reviews,
    ticket_history,
)
from service.domain.tickets.machine import (
    ACTIONS,
    CITIZEN,
    CITIZEN_ROLE,
    HANDLERS,
    RULES,
    Actor,
    Ctx,
    TicketEnv,
)
from service.domain.tickets.notices import (
    caller_cases,
)
from service.domain.tickets.notifications import (
    InMemoryNotifier,
    LoggingSmsNotifier,
    Message,
    Notifier,
    send_all,
)
from service.domain.tickets.provisional import (
    provisional_ticket_count,
    recompute_provisional,
)
from service.domain.tickets.sweep import (
    sweep_tickets,
)

__all__ = [
    "ACTIONS",
    "Actor",
    "CITIZEN",
    "CITIZEN_ROLE",
    "Ctx",
    "HANDLERS",
    "InMemoryNotifier",
    "LoggingSmsNotifier",
    "Message",
    "Notifier",
    "RULES",
    "SYSTEM",
    "Term",
    "TicketEnv",
    "TicketFilters",
    "apply_deadlines",
    "authorize",
    "caller_cases",
    "case_term",
    "get_ticket",
    "list_tickets",
    "new_ticket",
    "open_ticket_for_review",
    "open_tickets_for_reviews",
    "perform_action",
    "provisional_ticket_count",
    "recompute_provisional",
    "review_term",
    "run_action",
    "send_all",
    "sweep_tickets",
    "ticket_history",
]
