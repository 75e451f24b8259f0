"""Helpers for the ticket and 12345 tests (not a test module)."""

from __future__ import annotations

from datetime import datetime, timedelta

from service.domain import accounts, tickets
from service.domain.privacy import ContactCipher
from service.domain.ratings import reviews
from service.domain.ratings.options import load_catalog
from service.domain.tickets import InMemoryNotifier
from service.models import Review, Ticket, User
from tests.conftest import utc

# Monday 2026-11-23 10:00 in Shanghai: a plain working week, 2026 is known to chinese-calendar.
MONDAY = utc(2026, 11, 23, 2, 0)


def settings_of(app):
    return app.extensions["settings"]


def env_of(app, notifier: InMemoryNotifier | None = None) -> tickets.TicketEnv:
    s = settings_of(app)
    return tickets.TicketEnv(s, ContactCipher(s.contact_key, s.blind_index_key), notifier)


def actor(session, role: str, department: str | None = None) -> tickets.Actor:
    n = session.query(User).count() + 1
    user, _ = accounts.create_user(session, f"{role}-{department or 'all'}-{n}", role, department)
    return tickets.Actor.of(user)


def user(session, role: str, department: str | None = None):
    n = session.query(User).count() + 1
    return accounts.create_user(session, f"{role}-{department or 'all'}-{n}", role, department)[0]


def bad_review(app, session, register_event, department: str = "ZJJ-A", real_name: bool = False,
               level: int = 1, now: datetime = MONDAY) -> tuple[Review, dict]:
    """A 差评 stored through the domain (no job enqueued), and the event JSON with its rate_token."""
    event = register_event(department=department, real_name=real_name)
    s = settings_of(app)
    review, _ = reviews.submit_review(
        session, s, load_catalog(s.rating_options_file),
        {"rate_token": event["rate_token"], "level": level, "channel": "mobile", "text": "办理超时"},
        now,
    )
    # The stored row: on PostgreSQL the citizen's path answers with an AcceptedReview, not the ORM object.
    return session.get(Review, review.id), event


def review_ticket(app, session, register_event, now: datetime = MONDAY, **kwargs) -> tuple[Ticket, dict]:
    review, event = bad_review(app, session, register_event, now=now, **kwargs)
    result = tickets.open_ticket_for_review(session, settings_of(app), review.id, now)
    return session.get(Ticket, result["ticket_id"]), event


def act(app, session, ticket_id: int, who, now: datetime, notifier=None, **data) -> Ticket:
    return tickets.perform_action(session, env_of(app, notifier), ticket_id, data, who, now)


class TicketDesk:
    """The ticket tests' helper (after flaskr's AuthActions): one object that knows the app, the
    session and how to register an event, instead of passing (app, session, register_event)
    through every helper. The `desk` fixture hands one to each test."""

    def __init__(self, app, session, register_event) -> None:
        self.app, self.session, self.register_event = app, session, register_event

    @property
    def settings(self):
        return settings_of(self.app)

    def env(self, notifier: InMemoryNotifier | None = None) -> tickets.TicketEnv:
        return env_of(self.app, notifier)

    def actor(self, role: str, department: str | None = None) -> tickets.Actor:
        return actor(self.session, role, department)

    def user(self, role: str, department: str | None = None):
        return user(self.session, role, department)

    def bad_review(self, **kwargs) -> tuple[Review, dict]:
        return bad_review(self.app, self.session, self.register_event, **kwargs)

    def review_ticket(self, now: datetime = MONDAY, **kwargs) -> tuple[Ticket, dict]:
        return review_ticket(self.app, self.session, self.register_event, now, **kwargs)

    def act(self, ticket_id: int, who, now: datetime, notifier=None, **data) -> Ticket:
        return act(self.app, self.session, ticket_id, who, now, notifier, **data)


def later(moment: datetime, **delta) -> datetime:
    return moment + timedelta(**delta)
