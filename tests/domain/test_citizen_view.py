"""The citizen's view of a rate link (service/domain/citizen), at the domain level."""

from __future__ import annotations

from datetime import timedelta

import pytest

from service.domain import citizen, tickets
from service.domain.errors import AlreadyRated, NotFound, ValidationFailed
from service.domain.ratings import load_catalog
from service.models import Ticket
from tests.domain.tickets_support import MONDAY


@pytest.fixture
def catalog(desk):
    return load_catalog(desk.settings.rating_options_file)


def view_of(desk, catalog, token, now=MONDAY):
    return citizen.citizen_view(desk.session, desk.settings, catalog, token, now)


def test_a_bad_rating_whose_ticket_is_not_opened_yet_shows_the_deadline_it_will_get(desk, catalog):
    review, event = desk.bad_review()  # stored, its ticket job not run (as while Redis is busy)
    pending = view_of(desk, catalog, event["rate_token"]).ticket
    assert pending.status == "pending" and pending.id is None and not pending.may_confirm
    tickets.open_ticket_for_review(desk.session, desk.settings, review.id, MONDAY)
    opened = view_of(desk, catalog, event["rate_token"]).ticket
    assert opened.status == "processing" and opened.due_at == pending.due_at
    assert opened.id == desk.session.query(Ticket).one().id


def test_windows_and_gone(desk, catalog):
    _, event = desk.bad_review(level=5)
    token = event["rate_token"]
    view = view_of(desk, catalog, token)
    assert not view.rating_open and view.follow_up_open and view.ticket is None and not view.gone
    late = MONDAY + timedelta(days=desk.settings.follow_up_window_days + 1)
    assert not view_of(desk, catalog, token, late).follow_up_open
    assert not view_of(desk, catalog, token, late).gone  # still inside the 90 days: shows the rating
    assert view_of(desk, catalog, token, MONDAY + timedelta(days=200)).gone
    with pytest.raises(NotFound):
        view_of(desk, catalog, "unknown")


def test_the_page_form_rules(desk, catalog):
    token = desk.register_event()["rate_token"]

    def rate(**form):
        return citizen.rate_with_link(desk.session, desk.settings, catalog, token, citizen.RatingForm(**form), MONDAY)

    for form, field in (({}, "level"), ({"level": "6"}, "level"), ({"level": "2"}, "options"),
                        ({"level": "4", "options": ["overdue"]}, "options"),
                        ({"level": "3", "text": "字" * 2001}, "text"),
                        ({"level": "3", "channel": "hotline"}, "channel")):
        with pytest.raises(ValidationFailed) as caught:
            rate(**form)
        assert field in caught.value.details, form
    review = rate(level="2", options=["overdue"], text="  太慢了  ")
    assert (review.level, review.text, review.seq) == (2, "太慢了", 0)
    with pytest.raises(AlreadyRated):
        rate(level="5")
