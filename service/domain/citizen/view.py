"""The citizen's view of one service event, found by its rate token.

Built only from what the citizen may see: the event's item, department name and completion time;
the option catalogue; their own ratings; and of the event's ticket only its citizen-facing status,
current deadline and the department's reply. The ticket's history (actors, notes), pending
requests (extension and appeal reasons), staff accounts and contact data are never read into it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from config.settings import Settings
from service.domain.calendar import add_working_days, work_calendar
from service.domain.ratings import OptionCatalog, event_for_token
from service.models import Review, ServiceEvent, Ticket
from service.models.review import PENDING

# Internal ticket states as the citizen sees them: the department is working on it (whatever the
# internal step: signing, a return, an extension, an appeal), it has replied, or it is closed.
CITIZEN_STATUS = {
    "dispatched": "processing",
    "handling": "processing",
    "return_requested": "processing",
    "extension_requested": "processing",
    "appealed": "processing",
    "replied": "replied",
    "closed": "closed",
}


@dataclass(frozen=True)
class OptionChoice:
    code: str
    label: str


@dataclass(frozen=True)
class EventSummary:
    item_name: str
    department_name: str
    completed_at: datetime


@dataclass(frozen=True)
class RatingGiven:
    level: int
    is_bad: bool
    follow_up: bool
    is_default: bool
    options: list[OptionChoice]
    text: str | None
    created_at: datetime


@dataclass(frozen=True)
class Reply:
    resolution: str  # immediate | scheduled | explained
    content: str
    replied_at: datetime


@dataclass(frozen=True)
class CitizenTicket:
    """`status`: pending (the 差评 is accepted, the ticket not opened yet), processing, replied,
    closed. `due_at` is the current reply deadline (for pending: the expected one)."""

    id: int | None
    status: str
    department_name: str  # the unit handling it now (a return may have reassigned it)
    due_at: datetime
    reopen_count: int
    reply: Reply | None
    may_confirm: bool
    outcome: str | None
    closed_at: datetime | None

    @property
    def in_progress(self) -> bool:
        return self.status != "closed"


@dataclass(frozen=True)
class CitizenView:
    event: EventSummary
    options_version: str
    levels: dict[int, list[OptionChoice]]
    rating_open: bool
    rating_open_until: datetime
    follow_up_open: bool
    follow_up_open_until: datetime | None
    rating: RatingGiven | None
    follow_up: RatingGiven | None
    ticket: CitizenTicket | None
    now: datetime
    real_name_offered: bool = False  # registered as real-name: the citizen may still rate anonymously

    @property
    def may_confirm(self) -> bool:
        return self.ticket is not None and self.ticket.may_confirm

    @property
    def gone(self) -> bool:
        """The rating window is over and the link has nothing left to do or to follow (410)."""
        busy = self.rating_open or self.follow_up_open or (self.ticket is not None and self.ticket.in_progress)
        return not busy and self.now >= self.rating_open_until

    @property
    def rating_window(self) -> dict:
        return {"open": self.rating_open, "until": self.rating_open_until}

    @property
    def follow_up_window(self) -> dict:
        return {"open": self.follow_up_open, "until": self.follow_up_open_until}

    @property
    def latest_rating(self) -> RatingGiven | None:
        return self.follow_up or self.rating


def citizen_view(session: Session, settings: Settings, catalog: OptionCatalog, rate_token: str,
                 now: datetime) -> CitizenView:
    """Everything the rating page and the citizen API show for a rate token; unknown ⇒ NotFound."""
    event = event_for_token(session, rate_token)
    reviews = {r.seq: r for r in session.scalars(select(Review).where(Review.service_event_id == event.id))}
    primary, follow_up = reviews.get(0), reviews.get(1)
    follow_up_until = None
    if primary is not None:
        follow_up_until = primary.created_at + timedelta(days=settings.follow_up_window_days)
    return CitizenView(
        event=_event(event),
        options_version=catalog.version,
        levels={level: _choices(catalog, level, list(catalog.levels[level])) for level in sorted(catalog.levels)},
        rating_open=primary is None and now < event.rate_token_expires_at,
        rating_open_until=event.rate_token_expires_at,
        follow_up_open=primary is not None and follow_up is None and now <= follow_up_until,
        follow_up_open_until=follow_up_until,
        rating=_rating(catalog, primary),
        follow_up=_rating(catalog, follow_up),
        ticket=_ticket(session, settings, [r for r in (primary, follow_up) if r is not None]),
        now=now,
        real_name_offered=event.citizen_real_name,
    )


def _event(event: ServiceEvent) -> EventSummary:
    return EventSummary(event.item_name, event.department.name, event.completed_at)


def _choices(catalog: OptionCatalog, level: int, codes: list[str]) -> list[OptionChoice]:
    options = catalog.levels.get(level, {})
    # A code from an older catalogue version keeps its code as its label rather than vanishing.
    return [OptionChoice(code, options.get(code, {}).get("label", code)) for code in codes]


def _rating(catalog: OptionCatalog, review: Review | None) -> RatingGiven | None:
    if review is None:
        return None
    return RatingGiven(
        level=review.level, is_bad=review.is_bad, follow_up=review.follow_up, is_default=review.is_default,
        options=_choices(catalog, review.level, list(review.options or [])), text=review.text,
        created_at=review.created_at,
    )


def _ticket(session: Session, settings: Settings, reviews: list[Review]) -> CitizenTicket | None:
    """The event's ticket: at most one, opened by the primary 差评 or else by a bad follow-up."""
    if not reviews:
        return None
    ticket = session.scalar(select(Ticket).where(Ticket.review_id.in_([r.id for r in reviews])))
    if ticket is None:
        waiting = next((r for r in reviews if r.ticket_state == PENDING), None)
        if waiting is None:
            return None
        # Accepted, the job that opens the ticket has not run yet: the deadline it will get.
        expected = add_working_days(work_calendar(session), waiting.created_at,
                                    settings.deadlines.rectify_bad_review_days).at
        department = waiting.service_event.department.name
        return CitizenTicket(None, "pending", department, expected, 0, None, False, None, None)
    reply = None
    if ticket.replied_at is not None:
        reply = Reply(ticket.reply_resolution, ticket.reply_content, ticket.replied_at)
    status = CITIZEN_STATUS[ticket.status]
    return CitizenTicket(
        id=ticket.id, status=status, department_name=ticket.department.name, due_at=ticket.due_at,
        reopen_count=ticket.reopen_count, reply=reply,
        may_confirm=status == "replied" and ticket.source == "review",
        outcome=ticket.outcome, closed_at=ticket.closed_at,
    )
