"""Ticket deadlines in working days (domain.md §4–§5), computed from what the ticket stores.

A ticket keeps the basis of its deadlines: `dispatched_at` (sign-for and verification limits),
`clock_started_at` (dispatch, or the last reopening), the term (`term_days`, or `term_hours` for
urgent 12345 cases), approved `extension_days` and the appeal `pauses`. `apply_deadlines` turns
that basis into the stored columns the sweep compares with now — `due_at`, `yellow_from`,
`notice_at`, `escalate_at`, `sign_due_at`, `verify_due_at` — and marks them provisional when any
of them depends on a year the calendar does not know yet, so they can be recomputed later.

Choices:
- An extension adds working days after the deadline's own last day (an end-of-day deadline stays
  end-of-day); an urgent (hours) deadline extended by days ends at the end of a working day.
- The notice (催办通知书) is due at the start of the `notice_after_days`-th working day after the
  deadline's day, the escalation (通报) at the start of the `escalate_after_days`-th.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time

from config.settings import Settings
from service.domain import calendar as workdays
from service.domain.calendar import Deadline, WorkCalendar
from service.models import Ticket
from service.models.types import SHANGHAI


@dataclass(frozen=True)
class Term:
    days: int | None = None
    hours: float | None = None


def review_term(settings: Settings) -> Term:
    return Term(days=settings.deadlines.rectify_bad_review_days)


def case_term(settings: Settings, case_type: str, urgency: str) -> Term:
    if urgency == "urgent":
        return Term(hours=settings.deadlines.urgent_hours)
    return Term(days=int(settings.deadlines.case_days[case_type]))


def _unknown(calendar: WorkCalendar, *moments: datetime | None) -> bool:
    return any(
        m is not None and not calendar.is_known_year(m.astimezone(SHANGHAI).year) for m in moments
    )


def work_periods(spec: str) -> tuple[tuple[time, time], ...]:
    """'09:00-12:00,13:00-18:00' -> ((09:00, 12:00), (13:00, 18:00))."""
    periods = []
    for part in spec.split(","):
        begin, _, end = part.strip().partition("-")
        periods.append((time.fromisoformat(begin.strip()), time.fromisoformat(end.strip())))
    return tuple(periods)


def handling_due(calendar: WorkCalendar, settings: Settings, ticket: Ticket) -> Deadline:
    """The handling deadline: term from the clock start, plus extensions, shifted by pauses."""
    start = ticket.clock_started_at
    if ticket.term_hours:
        due = workdays.add_working_hours(
            calendar, start, ticket.term_hours, work_periods(settings.deadlines.work_hours)
        )
    else:
        due = workdays.add_working_days(calendar, start, ticket.term_days)
    provisional = due.provisional
    if ticket.extension_days:
        due = workdays.add_working_days(calendar, due.at - workdays.EPSILON, ticket.extension_days)
        provisional = provisional or due.provisional
    for paused_from, paused_until in ticket.pauses or []:
        due = workdays.shift_deadline(
            calendar, due.at, datetime.fromisoformat(paused_from), datetime.fromisoformat(paused_until)
        )
        provisional = provisional or due.provisional
    return Deadline(due.at, provisional)


def apply_deadlines(calendar: WorkCalendar, settings: Settings, ticket: Ticket, now: datetime) -> None:
    """Recompute every stored deadline column and the colour from the ticket's basis."""
    limits = settings.deadlines
    sign = workdays.add_working_days(calendar, ticket.dispatched_at, limits.sign_days)
    ticket.sign_due_at = sign.at
    verify_provisional = False
    if ticket.verify_due_at is not None:
        verify = workdays.add_working_days(calendar, ticket.dispatched_at, limits.verify_bad_review_days)
        ticket.verify_due_at, verify_provisional = verify.at, verify.provisional
    due = handling_due(calendar, settings, ticket)
    ticket.due_at = due.at
    ticket.yellow_from = workdays.yellow_from(
        calendar, ticket.clock_started_at, due.at, limits.yellow_days, limits.yellow_fraction
    )
    ticket.notice_at = workdays.working_day_after(calendar, due.at, limits.notice_after_days)
    ticket.escalate_at = workdays.working_day_after(calendar, due.at, limits.escalate_after_days)
    ticket.deadline_provisional = (
        sign.provisional or verify_provisional or due.provisional
        or _unknown(calendar, ticket.notice_at, ticket.escalate_at)
    )
    ticket.color = colour_at(ticket, now)


def colour_at(ticket: Ticket, now: datetime) -> str:
    """The colour the sweep would give: from the stored columns, so both always agree."""
    if now >= ticket.due_at:
        return "red"
    if now >= ticket.yellow_from:
        return "yellow"
    return "green"


def start_new_term(calendar: WorkCalendar, settings: Settings, ticket: Ticket, now: datetime) -> None:
    """A fresh handling term from `now` (reopening, reassignment): colours and reminders reset."""
    ticket.clock_started_at = now
    ticket.extension_days = 0
    ticket.pauses = []
    ticket.reminded_at = ticket.noticed_at = ticket.escalated_at = None
    apply_deadlines(calendar, settings, ticket, now)


def extend(calendar: WorkCalendar, settings: Settings, ticket: Ticket, days: int, now: datetime) -> None:
    """An approved extension: later deadline, and reminders re-armed if they are now in the future."""
    ticket.extension_days = (ticket.extension_days or 0) + days
    apply_deadlines(calendar, settings, ticket, now)
    _rearm(ticket, now)


def add_pause(calendar: WorkCalendar, settings: Settings, ticket: Ticket, until: datetime) -> None:
    """An appeal review ended without upholding: the clock stood still from paused_at to `until`."""
    ticket.pauses = [*(ticket.pauses or []), [ticket.paused_at.isoformat(), until.isoformat()]]
    ticket.paused_at = None
    apply_deadlines(calendar, settings, ticket, until)
    _rearm(ticket, until)


def _rearm(ticket: Ticket, now: datetime) -> None:
    # A reminder that belongs to the old deadline must fire again for the new one.
    if ticket.reminded_at is not None and ticket.yellow_from > now:
        ticket.reminded_at = None
    if ticket.noticed_at is not None and ticket.notice_at > now:
        ticket.noticed_at = None
    if ticket.escalated_at is not None and ticket.escalate_at > now:
        ticket.escalated_at = None
