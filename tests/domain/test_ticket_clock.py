"""The department's clock (domain.md §5, issue 9 items 1, 2, 4, 9, 12): overdue and on time are
judged by the reply, a reopened ticket stays in the period of its original deadline, urgent
sign-for within one working hour and never after the handling deadline, reassignment restarts the
clock, and a closed ticket has no colour."""

from dataclasses import replace

import pytest

from service.domain import calendar as workdays
from service.domain import hotline, tickets
from service.domain.accounts import Scope
from service.domain.calendar import work_calendar
from service.domain.indicators import compute_indicators
from service.domain.privacy import ContactCipher
from service.domain.tickets import CITIZEN, sweep_tickets
from service.models import Ticket
from tests.conftest import utc
from tests.domain.tickets_support import MONDAY, later

# Monday 2026-11-02 10:00 Shanghai: 15 working days later is the end of Monday 2026-11-23.
NOV_2 = utc(2026, 11, 2, 2, 0)


@pytest.fixture
def staff(depts, desk):
    return {"a": desk.actor("dept_staff", "ZJJ-A"), "b": desk.actor("dept_staff", "ZJJ-B"),
            "sup": desk.actor("supervisor"), "op": desk.actor("operator")}


def figures(desk, period: str, now) -> dict:
    report = compute_indicators(desk.session, desk.settings, Scope(), period, now)
    return {item.department_code: item.indicators for item in report.items}


def rates(fig: dict) -> tuple:
    return (fig["overdue_tickets"], fig["rectification_rate"]["numerator"],
            fig["rectification_on_time_rate"]["numerator"], fig["rectification_rate"]["denominator"])


# ------------------------------------------------------------------------------------------------
# Item 1: the reply, not the confirmation, is judged against the deadline in force


def test_reply_on_time_confirmed_late_is_on_time_and_not_overdue(session, staff, desk):
    ticket, event = desk.review_ticket()
    due = ticket.due_at  # end of Monday 2026-12-14
    desk.act(ticket.id, staff["a"], MONDAY, action="sign")
    desk.act(ticket.id, staff["a"], later(due, hours=-6), action="reply", resolution="immediate",
             content="已整改")
    sweep_tickets(session, later(due, days=1))
    assert session.get(Ticket, ticket.id).color == "green"  # the sweep agrees: replied in time
    t = desk.act(ticket.id, CITIZEN, later(due, days=2), action="confirm", satisfied=True,
                 rate_token=event["rate_token"])
    assert (t.status, t.closed_on_time) == ("closed", True)
    a = figures(desk, "2026-12", later(due, days=5))["ZJJ-A"]
    # overdue, rectified, rectified on time, due
    assert rates(a) == (0, 1, 1, 1)


def test_extension_moves_the_deadline_in_force_and_a_late_reply_is_overdue_even_if_confirmed_at_once(session, staff, desk):
    ticket, event = desk.review_ticket()
    desk.act(ticket.id, staff["a"], MONDAY, action="sign")
    desk.act(ticket.id, staff["a"], MONDAY, action="request_extension", working_days=2, reason="检测")
    t = desk.act(ticket.id, staff["sup"], MONDAY, action="decide_extension", approve=True)
    extended = t.due_at  # end of Wednesday 2026-12-16
    # After the original deadline but inside the extension: on time.
    desk.act(ticket.id, staff["a"], later(extended, hours=-30), action="reply", resolution="immediate",
             content="已整改")
    desk.act(ticket.id, CITIZEN, later(extended, hours=-29), action="confirm", satisfied=True,
             rate_token=event["rate_token"])
    late, late_event = desk.review_ticket()
    desk.act(late.id, staff["a"], MONDAY, action="sign")
    desk.act(late.id, staff["a"], later(late.due_at, minutes=1), action="reply", resolution="explained",
             content="已说明")
    t = desk.act(late.id, CITIZEN, later(late.due_at, minutes=2), action="confirm", satisfied=True,
                 rate_token=late_event["rate_token"])
    assert t.closed_on_time is False
    a = figures(desk, "2026-12", later(extended, days=3))["ZJJ-A"]
    assert rates(a) == (1, 2, 1, 2)


def test_hotline_reply_on_time_called_back_late_is_on_time(session, staff, desk):
    s = desk.settings
    operator = desk.user("operator")
    cipher = ContactCipher(s.contact_key, s.blind_index_key)
    view, _ = hotline.create_case(session, s, cipher, operator, {
        "case_no": "T-1", "type": "complaint", "urgency": "normal", "content": "电梯故障",
        "department_code": "ZJJ-A", "received_at": MONDAY}, MONDAY)
    due = view.ticket.due_at
    desk.act(view.ticket.id, staff["a"], MONDAY, action="sign")
    desk.act(view.ticket.id, staff["a"], later(due, hours=-1), action="reply", resolution="immediate",
             content="已修复")
    hotline.record_callback(session, desk.env(), operator, view.id,
                            {"solved": True, "satisfaction": "satisfied"}, later(due, days=3))
    t = session.get(Ticket, view.ticket.id)
    assert (t.status, t.closed_on_time) == ("closed", True)
    assert figures(desk, "2026-12", later(due, days=4))["ZJJ-A"]["overdue_tickets"] == 0


# ------------------------------------------------------------------------------------------------
# Item 2: a reopened ticket stays in the period of its original deadline


def test_reopened_ticket_stays_in_the_original_period(session, staff, desk):
    ticket, event = desk.review_ticket(now=NOV_2)
    original = ticket.due_at
    assert original == utc(2026, 11, 23, 16, 0)
    desk.act(ticket.id, staff["a"], NOV_2, action="sign")
    desk.act(ticket.id, staff["a"], utc(2026, 11, 10, 2), action="reply", resolution="immediate",
             content="已整改")
    t = desk.act(ticket.id, CITIZEN, utc(2026, 11, 20, 2), action="confirm", satisfied=False,
                 rate_token=event["rate_token"])
    fresh = t.due_at
    assert fresh == workdays.add_working_days(work_calendar(session), utc(2026, 11, 20, 2), 15).at
    assert fresh.month == 12
    # After the original deadline, before the fresh one: due in November, not rectified, not overdue.
    nov, dec = figures(desk, "2026-11", utc(2026, 11, 25, 2)), figures(desk, "2026-12", utc(2026, 12, 1, 2))
    assert rates(nov["ZJJ-A"]) == (0, 0, 0, 1)
    assert rates(dec["ZJJ-A"]) == (0, 0, 0, 0)
    # The fresh deadline passes without a new reply: overdue, still in November.
    after_fresh = later(fresh, hours=1)
    assert rates(figures(desk, "2026-11", after_fresh)["ZJJ-A"]) == (1, 0, 0, 1)
    assert rates(figures(desk, "2026-12", after_fresh)["ZJJ-A"]) == (0, 0, 0, 0)


def test_reopened_ticket_replied_again_in_time_is_rectified_but_not_on_time(session, staff, desk):
    ticket, event = desk.review_ticket(now=NOV_2)
    desk.act(ticket.id, staff["a"], NOV_2, action="sign")
    desk.act(ticket.id, staff["a"], utc(2026, 11, 10, 2), action="reply", resolution="immediate",
             content="已整改")
    t = desk.act(ticket.id, CITIZEN, utc(2026, 11, 20, 2), action="confirm", satisfied=False,
                 rate_token=event["rate_token"])
    fresh = t.due_at
    desk.act(ticket.id, staff["a"], utc(2026, 12, 3, 2), action="reply", resolution="scheduled",
             content="已返工")
    t = desk.act(ticket.id, CITIZEN, later(fresh, days=3), action="confirm", satisfied=True,
                 rate_token=event["rate_token"])
    assert (t.status, t.closed_on_time) == ("closed", False)
    assert rates(figures(desk, "2026-11", later(fresh, days=4))["ZJJ-A"]) == (0, 1, 0, 1)


# ------------------------------------------------------------------------------------------------
# Item 4: urgent sign-for within one working hour; sign-for never after the handling deadline


def _case(desk, settings, case_no, **extra):
    operator = desk.user("operator")
    cipher = ContactCipher(settings.contact_key, settings.blind_index_key)
    body = {"case_no": case_no, "type": "complaint", "urgency": "normal", "content": "楼道漏水",
            "department_code": "ZJJ-A", "received_at": MONDAY, **extra}
    view, _ = hotline.create_case(desk.session, settings, cipher, operator, body, body["received_at"])
    return view.ticket


def test_urgent_case_is_signed_within_one_working_hour(depts, desk):
    ticket = _case(desk, desk.settings, "U-1", urgency="urgent")
    assert ticket.sign_due_at == utc(2026, 11, 23, 3, 0)  # Monday 11:00 Shanghai
    assert ticket.due_at == utc(2026, 11, 24, 2, 0)  # 8 working hours: Tuesday 10:00
    # Received at 17:30: one working hour is Tuesday 09:30, before the handling deadline.
    evening = _case(desk, desk.settings, "U-2", urgency="urgent", received_at=utc(2026, 11, 23, 9, 30))
    assert evening.sign_due_at < evening.due_at


def test_sign_deadline_never_falls_after_the_handling_deadline(depts, desk):
    slow = replace(desk.settings, deadlines=replace(desk.settings.deadlines, sign_days=3))
    ticket = _case(desk, slow, "Q-1", type="consult")  # consult: 2 working days
    assert ticket.due_at == utc(2026, 11, 25, 16, 0)
    assert ticket.sign_due_at == ticket.due_at


# ------------------------------------------------------------------------------------------------
# Item 9: reassignment restarts the clock for the new department


def test_reassignment_restarts_the_clock_for_the_new_department(session, staff, desk):
    ticket, _ = desk.review_ticket(real_name=True)
    verify_due = ticket.verify_due_at
    desk.act(ticket.id, staff["op"], MONDAY, action="verify")
    desk.act(ticket.id, staff["a"], MONDAY, action="sign")
    desk.act(ticket.id, staff["a"], MONDAY, action="request_extension", working_days=3, reason="r")
    desk.act(ticket.id, staff["sup"], MONDAY, action="decide_extension", approve=True)
    desk.act(ticket.id, staff["a"], later(MONDAY, hours=2), action="request_return", reason="非本科室职责")
    moved = later(MONDAY, days=1, hours=1)  # Tuesday 11:00
    t = desk.act(ticket.id, staff["sup"], moved, action="decide_return", approve=True, reassign_to="ZJJ-B")
    calendar = work_calendar(session)
    assert t.dispatched_at == moved and t.clock_started_at == moved
    assert t.due_at == workdays.add_working_days(calendar, moved, 15).at
    assert t.sign_due_at == workdays.add_working_days(calendar, moved, 1).at
    assert (t.extension_days, t.extension_count, t.color) == (0, 0, "green")
    assert t.verify_due_at == verify_due  # the bureau's verification callback is not the unit's clock
    # The new department has its own extension to ask for.
    desk.act(ticket.id, staff["b"], moved, action="sign")
    t = desk.act(ticket.id, staff["b"], moved, action="request_extension", working_days=2, reason="r")
    assert t.status == "extension_requested"


# ------------------------------------------------------------------------------------------------
# Item 12: a closed ticket has no colour


def test_closed_ticket_has_no_colour_and_leaves_the_colour_filter(session, staff, desk):
    ticket, event = desk.review_ticket()
    desk.act(ticket.id, staff["a"], MONDAY, action="sign")
    sweep_tickets(session, ticket.yellow_from)
    assert session.get(Ticket, ticket.id).color == "yellow"
    desk.act(ticket.id, staff["a"], ticket.yellow_from, action="reply", resolution="immediate", content="已整改")
    t = desk.act(ticket.id, CITIZEN, later(ticket.yellow_from, hours=1), action="confirm", satisfied=True,
                 rate_token=event["rate_token"])
    assert t.color is None
    sweep_tickets(session, later(ticket.due_at, days=10))
    assert session.get(Ticket, ticket.id).color is None
    for colour in ("green", "yellow", "red"):
        page = tickets.list_tickets(session, Scope(), tickets.TicketFilters(color=colour), 1, 50)
        assert page.total == 0, colour
