"""Ticket deadlines in working days (domain.md §4–§5), computed from what the ticket stores.

A ticket keeps the basis of its deadlines: `dispatched_at` (sign-for limit), `created_at` (the
verification-callback limit of a real-name 差评: the bureau's own call, not the unit's clock, so a
reassignment does not move it), `clock_started_at` (dispatch, or the last reopening), the term
(`term_days`, or `term_hours` for urgent 12345 cases), approved `extension_days` and the appeal
`pauses`. `apply_deadlines` turns that basis into the stored columns the sweep compares with now —
for each of the three watched deadlines (handling, sign-for, verification) its end, the start of
its yellow, its notice (催办通知书) and its escalation (通报) — and marks them provisional when any
of them depends on a year the calendar does not know yet, so they can be recomputed later.

The department's clock stops at its reply (办结): the handling deadline is judged by the reply
(`replied_at`, `replied_late`), never by the citizen's confirmation or the callback. Counts belong
to the ticket's `period_due_at`: the handling deadline in force of the dispatch; a reopening (重办)
gives a fresh `due_at` but leaves `period_due_at` where it was; a reassignment restarts everything.

Where the rules are silent, the choices kept here:
- Yellow = the last working day of a deadline, or the last 20 % of its span, whichever starts
  first (`yellow_days`, `yellow_fraction`); a deadline on the day of dispatch (an urgent case's
  sign-for) is therefore yellow at once.
- An appeal review pauses the clock; every working day it touches counts whole (a pause from
  Monday 10:00 to Wednesday 10:00 adds three working days).
- A rejected extension request does not use up the extension allowed: it may be asked again,
  before the deadline, until one is granted.
- An extension adds working days after the deadline's own last day (an end-of-day deadline stays
  end-of-day); an urgent (hours) deadline extended by days ends at the end of a working day.
- The notice is due at the start of the `notice_after_days`-th working day after the deadline's
  day, the escalation at the start of the `escalate_after_days`-th — for all three deadlines.
- Sign-for within `sign_days` working days, within `urgent_sign_hours` working hours for an urgent
  case, and never after the handling deadline of the dispatch.
- Colours (open tickets only; a closed ticket has none): the worst of the deadlines still pending —
  the handling deadline (read at the pause while paused; once replied, red if the reply was late
  and nothing otherwise), the sign-for deadline until signed, the verification deadline until
  verified. `colour_at` and the sweep's SQL are the same rule.
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


def sign_due(calendar: WorkCalendar, settings: Settings, ticket: Ticket, handling: datetime) -> Deadline:
    """Sign-for: `sign_days` working days after dispatch, `urgent_sign_hours` working hours for an
    urgent case, and never after the dispatch's handling deadline."""
    limits = settings.deadlines
    if ticket.term_hours:
        sign = workdays.add_working_hours(
            calendar, ticket.dispatched_at, limits.urgent_sign_hours, work_periods(limits.work_hours)
        )
    else:
        sign = workdays.add_working_days(calendar, ticket.dispatched_at, limits.sign_days)
    return Deadline(min(sign.at, handling), sign.provisional)


def _thresholds(calendar: WorkCalendar, settings: Settings, start: datetime, due: datetime
                ) -> tuple[datetime, datetime, datetime]:
    """(yellow from, notice at, escalate at) of a deadline running from `start` to `due`."""
    limits = settings.deadlines
    return (
        workdays.yellow_from(calendar, start, due, limits.yellow_days, limits.yellow_fraction),
        workdays.working_day_after(calendar, due, limits.notice_after_days),
        workdays.working_day_after(calendar, due, limits.escalate_after_days),
    )


def apply_deadlines(calendar: WorkCalendar, settings: Settings, ticket: Ticket, now: datetime) -> None:
    """Recompute every stored deadline column and the colour from the ticket's basis."""
    due = handling_due(calendar, settings, ticket)
    ticket.due_at = due.at
    if ticket.reopen_count == 0 or ticket.period_due_at is None:
        ticket.period_due_at = due.at  # a reopening keeps the period of the original deadline
    ticket.yellow_from, ticket.notice_at, ticket.escalate_at = _thresholds(
        calendar, settings, ticket.clock_started_at, due.at)
    sign = sign_due(calendar, settings, ticket, ticket.period_due_at)
    ticket.sign_due_at = sign.at
    ticket.sign_yellow_from, ticket.sign_notice_at, ticket.sign_escalate_at = _thresholds(
        calendar, settings, ticket.dispatched_at, sign.at)
    moments = [ticket.notice_at, ticket.escalate_at, ticket.sign_notice_at, ticket.sign_escalate_at]
    provisional = due.provisional or sign.provisional
    if ticket.verify_due_at is not None:
        anchor = ticket.created_at or ticket.dispatched_at
        verify = workdays.add_working_days(calendar, anchor, settings.deadlines.verify_bad_review_days)
        ticket.verify_due_at, provisional = verify.at, provisional or verify.provisional
        ticket.verify_yellow_from, ticket.verify_notice_at, ticket.verify_escalate_at = _thresholds(
            calendar, settings, anchor, verify.at)
        moments += [ticket.verify_notice_at, ticket.verify_escalate_at]
    ticket.deadline_provisional = provisional or _unknown(calendar, *moments)
    ticket.color = colour_at(ticket, now)


def colour_at(ticket: Ticket, now: datetime) -> str | None:
    """The colour the sweep would give (the same rule as its SQL): None once closed, else the
    worst of the pending deadlines. The handling deadline is read at the pause while an appeal is
    reviewed; once replied it is red if the reply was late and adds nothing otherwise (the
    department's clock stopped at its reply)."""
    if ticket.status == "closed":
        return None
    replied = ticket.status == "replied"
    at = ticket.paused_at or now
    sign_pending = ticket.signed_at is None
    verify_pending = ticket.verify_due_at is not None and ticket.verified_at is None
    if ((ticket.replied_late if replied else at >= ticket.due_at)
            or (sign_pending and now >= ticket.sign_due_at)
            or (verify_pending and now >= ticket.verify_due_at)):
        return "red"
    if ((not replied and at >= ticket.yellow_from)
            or (sign_pending and now >= ticket.sign_yellow_from)
            or (verify_pending and now >= ticket.verify_yellow_from)):
        return "yellow"
    return "green"


def reply_is_late(ticket: Ticket, now: datetime) -> bool:
    """A reply at or after the deadline in force: overdue (the sweep shows red from `due_at` on)."""
    return now >= ticket.due_at


def start_new_term(calendar: WorkCalendar, settings: Settings, ticket: Ticket, now: datetime) -> None:
    """A fresh handling term from `now` (重办): colours and reminders reset; `period_due_at`
    stays with the original deadline."""
    ticket.clock_started_at = now
    ticket.extension_days = 0
    ticket.pauses = []
    ticket.reminded_at = ticket.noticed_at = ticket.escalated_at = None
    apply_deadlines(calendar, settings, ticket, now)


def restart_clock(calendar: WorkCalendar, settings: Settings, ticket: Ticket, now: datetime) -> None:
    """改派: the new department gets everything afresh — sign-for, handling term, its own extension,
    no reopenings or late reply of the previous unit, and a new period deadline. The verification
    callback (the bureau's, from the ticket's creation) is not restarted."""
    ticket.dispatched_at, ticket.signed_at = now, None
    ticket.reopen_count = ticket.extension_count = 0
    ticket.replied_late = False
    ticket.period_due_at = None
    ticket.sign_reminded_at = ticket.sign_noticed_at = ticket.sign_escalated_at = None
    start_new_term(calendar, settings, ticket, now)


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
