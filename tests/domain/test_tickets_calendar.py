"""Deadlines reaching into a year the calendar does not know: provisional, never refused, and
recomputed when an administrator loads the year."""

import json

import pytest

from service.domain import calendar, provisional, tickets
from service.domain.accounts import audit
from service.domain.calendar import CalendarFileError
from service.models import CalendarYear, Ticket
from tests.conftest import utc

DECEMBER_MONDAY = utc(2026, 12, 21, 2, 0)  # 15 working days later is in January 2027
YEAR_2027 = json.dumps({
    "year": 2027,
    "holidays": [{"name": "元旦", "dates": ["2027-01-01"]},
                 {"name": "春节", "dates": ["2027-02-06..2027-02-13"]}],
    "workdays": ["2027-02-20"],
})


def test_december_deadline_is_provisional_then_recomputed_on_load(session, depts, desk):
    ticket, _ = desk.review_ticket(now=DECEMBER_MONDAY)
    # Weekdays only: 2027-01-01 counts as a working day, so the end of Monday 2027-01-11.
    assert ticket.deadline_provisional is True
    assert ticket.due_at == utc(2027, 1, 11, 16, 0)
    status = provisional.calendar_status(session, DECEMBER_MONDAY)
    assert status["provisional_tickets"] == 1 and "2027" in status["warnings"][0]

    result = provisional.load_calendar_year(session, desk.settings, YEAR_2027, "2027.json", "admin", DECEMBER_MONDAY)
    assert (result["year"], result["checked"], result["settled"]) == (2027, 1, 1)
    t = session.get(Ticket, ticket.id)
    assert t.deadline_provisional is False
    assert t.due_at == utc(2027, 1, 12, 16, 0)  # New Year's Day is a holiday after all
    assert provisional.calendar_status(session, DECEMBER_MONDAY)["warnings"] == []
    assert [e.action for e in audit.history(session, "ticket", t.id)] == ["open", "deadline_recomputed"]
    assert audit.verify(session).ok


def test_loading_a_year_again_replaces_it_and_bad_files_are_refused(session, depts, desk):
    provisional.load_calendar_year(session, desk.settings, YEAR_2027, "a.json", "admin", DECEMBER_MONDAY)
    again = provisional.load_calendar_year(session, desk.settings, YEAR_2027, "b.json", "admin", DECEMBER_MONDAY)
    assert again["replaced"] is True and session.query(CalendarYear).count() == 1
    with pytest.raises(CalendarFileError):
        provisional.load_calendar_year(session, desk.settings, '{"year": 2027, "holidays": []}', "c", "admin",
                                 DECEMBER_MONDAY)
    work = calendar.work_calendar(session)
    assert work.is_known_year(2027) and not work.is_working_day(utc(2027, 1, 1).date())


def test_recompute_job_leaves_settled_tickets_alone(session, depts, desk):
    desk.review_ticket()  # a November ticket: known year
    assert tickets.recompute_provisional(session, desk.settings, DECEMBER_MONDAY) == {
        "checked": 0, "settled": 0, "still_provisional": 0}


def test_a_reply_is_judged_again_when_the_loaded_year_brings_the_deadline_forward(session, depts, desk):
    dept = desk.actor("dept_staff", "ZJJ-A")
    ticket, _ = desk.review_ticket(now=DECEMBER_MONDAY)
    assert ticket.due_at == utc(2027, 1, 11, 16, 0)  # weekdays only: the end of Monday 11 January
    desk.act(ticket.id, dept, DECEMBER_MONDAY, action="sign")
    t = desk.act(ticket.id, dept, utc(2027, 1, 11, 2, 0), action="reply", resolution="immediate", content="已整改")
    assert (t.replied_late, t.color) == (False, "green")
    # The arrangement makes the weekend of 9–10 January working days: the deadline was Sunday's end.
    year = json.dumps({"year": 2027, "holidays": [{"name": "元旦", "dates": ["2027-01-01"]}],
                       "workdays": ["2027-01-09", "2027-01-10"]})
    provisional.load_calendar_year(session, desk.settings, year, "2027.json", "admin", utc(2027, 1, 11, 3, 0))
    t = session.get(Ticket, ticket.id)
    assert (t.due_at, t.replied_late, t.color) == (utc(2027, 1, 10, 16, 0), True, "red")
