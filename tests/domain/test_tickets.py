"""The rectification loop of a 差评 through the domain, with injected time."""

import pytest

from service.domain import calendar as workdays
from service.domain import tickets
from service.domain.accounts import audit
from service.domain.calendar import work_calendar
from service.domain.errors import Conflict, Forbidden, InvalidTransition, NotFound, ValidationFailed
from service.domain.tickets import CITIZEN, InMemoryNotifier
from service.models import Review, Ticket
from tests.conftest import utc
from tests.domain.tickets_support import MONDAY, later


@pytest.fixture
def staff(depts, desk):
    return {
        "a": desk.actor("dept_staff", "ZJJ-A"),
        "b": desk.actor("dept_staff", "ZJJ-B"),
        "root": desk.actor("dept_staff", "ZJJ"),
        "a1": desk.actor("dept_staff", "ZJJ-A1"),
        "sup": desk.actor("supervisor"),
        "op": desk.actor("operator"),
        "admin": desk.actor("admin"),
    }


def test_bad_review_runs_the_whole_loop(session, staff, desk):
    notifier = InMemoryNotifier()
    ticket, event = desk.review_ticket()
    assert (ticket.source, ticket.status, ticket.color, ticket.department_code) == ("review", "dispatched", "green", "ZJJ-A")
    # 15 working days from Monday 2026-11-23: the end of Monday 2026-12-14 (Shanghai).
    assert ticket.due_at == utc(2026, 12, 14, 16, 0)
    assert ticket.sign_due_at == utc(2026, 11, 24, 16, 0)

    t = desk.act(ticket.id, staff["a"], later(MONDAY, hours=1), action="sign")
    assert t.status == "handling" and t.signed_at == later(MONDAY, hours=1)
    t = desk.act(ticket.id, staff["a"], later(MONDAY, days=1), action="request_extension",
            working_days=3, reason="需协调施工单位")
    assert t.status == "extension_requested"
    t = desk.act(ticket.id, staff["sup"], later(MONDAY, days=2), notifier, action="decide_extension",
            approve=True)
    assert (t.status, t.extension_count) == ("handling", 1)
    assert t.due_at == utc(2026, 12, 17, 16, 0)  # three more working days
    assert notifier.of_kind("deadline")[0][0] == "138****8000"
    t = desk.act(ticket.id, staff["a"], later(MONDAY, days=3), notifier, action="reply",
            resolution="immediate", content="已约谈窗口人员并整改")
    assert t.status == "replied" and notifier.of_kind("reply")

    reopened_at = later(MONDAY, days=4)
    t = desk.act(ticket.id, CITIZEN, reopened_at, action="confirm", satisfied=False,
            rate_token=event["rate_token"])
    assert (t.status, t.reopen_count, t.color) == ("handling", 1, "green")
    fresh = workdays.add_working_days(work_calendar(session), reopened_at, 15).at
    assert t.due_at == fresh and t.clock_started_at == reopened_at

    t = desk.act(ticket.id, staff["a"], later(MONDAY, days=5), action="reply",
            resolution="scheduled", content="已列入台账限期整改")
    closed_at = later(MONDAY, days=6)
    t = desk.act(ticket.id, CITIZEN, closed_at, action="confirm", satisfied=True,
            rate_token=event["rate_token"])
    # Rectified, but not on time: the first reply was rejected (domain.md §5, reopened tickets).
    assert (t.status, t.outcome, t.closed_at, t.closed_on_time) == ("closed", "resolved", closed_at, False)

    actions = [h["action"] for h in tickets.get_ticket(session, staff["admin"].scope, ticket.id).history]
    assert actions == ["open", "sign", "request_extension", "decide_extension", "reply", "confirm", "reply", "confirm"]
    assert audit.verify(session).ok


def test_opening_is_idempotent_and_only_for_bad_reviews(session, depts, desk):
    review, _ = desk.bad_review()
    first = tickets.open_ticket_for_review(session, desk.settings, review.id, MONDAY)
    second = tickets.open_ticket_for_review(session, desk.settings, review.id, MONDAY)
    assert first["created"] is True and second == {"review_id": review.id, "ticket_id": first["ticket_id"],
                                                   "created": False}
    assert session.get(Review, review.id).ticket_state == "done"
    good, _ = desk.bad_review(level=4)
    assert tickets.open_ticket_for_review(session, desk.settings, good.id, MONDAY)["skipped"]
    excluded, _ = desk.bad_review()
    excluded.excluded = True
    session.commit()
    assert tickets.open_ticket_for_review(session, desk.settings, excluded.id, MONDAY)["skipped"]
    assert session.query(Ticket).count() == 1


def test_real_name_bad_review_is_verified_once(staff, desk):
    ticket, _ = desk.review_ticket(real_name=True)
    assert ticket.verify_due_at == utc(2026, 11, 24, 16, 0)  # 1 working day
    with pytest.raises(Forbidden):
        desk.act(ticket.id, staff["a"], MONDAY, action="verify")
    t = desk.act(ticket.id, staff["op"], later(MONDAY, hours=3), action="verify", note="已电话核实")
    assert t.verified_at == later(MONDAY, hours=3) and t.status == "dispatched"
    with pytest.raises(Conflict):
        desk.act(ticket.id, staff["sup"], later(MONDAY, hours=4), action="verify")


def test_roles_departments_and_states_are_enforced(staff, desk):
    ticket, event = desk.review_ticket()
    with pytest.raises(NotFound):  # another department's ticket does not exist for them
        desk.act(ticket.id, staff["b"], MONDAY, action="sign")
    with pytest.raises(NotFound):  # a sub-unit does not act for (or see) its parent's
        desk.act(ticket.id, staff["a1"], MONDAY, action="sign")
    with pytest.raises(Forbidden):  # the role decides, not the department
        desk.act(ticket.id, staff["sup"], MONDAY, action="sign")
    with pytest.raises(Forbidden):
        desk.act(ticket.id, staff["admin"], MONDAY, action="sign")
    with pytest.raises(InvalidTransition):
        desk.act(ticket.id, staff["a"], MONDAY, action="reply", resolution="immediate", content="x")
    desk.act(ticket.id, staff["root"], MONDAY, action="sign")  # the parent unit may act
    desk.act(ticket.id, staff["a"], MONDAY, action="reply", resolution="explained", content="x")
    with pytest.raises(Forbidden):  # a department never closes its own ticket
        desk.act(ticket.id, staff["a"], MONDAY, action="confirm", satisfied=True)
    with pytest.raises(Forbidden):
        desk.act(ticket.id, CITIZEN, MONDAY, action="confirm", satisfied=True, rate_token="wrong")
    with pytest.raises(ValidationFailed):  # a supervisor closes only with a note
        desk.act(ticket.id, staff["sup"], MONDAY, action="confirm", satisfied=True)
    t = desk.act(ticket.id, staff["sup"], MONDAY, action="confirm", satisfied=True,
            note="评价人电话无法接通，现场核实已整改")
    assert (t.status, t.outcome) == ("closed", "verified_by_supervisor")
    with pytest.raises(InvalidTransition):
        desk.act(ticket.id, staff["a"], MONDAY, action="reply", resolution="immediate", content="x")


def test_extension_limits(session, staff, desk):
    ticket, _ = desk.review_ticket()
    desk.act(ticket.id, staff["a"], MONDAY, action="sign")
    with pytest.raises(ValidationFailed) as exc:
        desk.act(ticket.id, staff["a"], MONDAY, action="request_extension", working_days=11, reason="r")
    assert "working_days" in exc.value.details
    desk.act(ticket.id, staff["a"], MONDAY, action="request_extension", working_days=2, reason="r")
    desk.act(ticket.id, staff["sup"], MONDAY, action="decide_extension", approve=False)
    assert session.get(Ticket, ticket.id).status == "handling"
    # A rejected request does not use up the one extension allowed.
    desk.act(ticket.id, staff["a"], MONDAY, action="request_extension", working_days=2, reason="r")
    desk.act(ticket.id, staff["sup"], MONDAY, action="decide_extension", approve=True)
    with pytest.raises(Conflict):  # at most once
        desk.act(ticket.id, staff["a"], MONDAY, action="request_extension", working_days=1, reason="r")
    overdue, _ = desk.review_ticket()
    desk.act(overdue.id, staff["a"], MONDAY, action="sign")
    with pytest.raises(Conflict):  # only before expiry
        desk.act(overdue.id, staff["a"], later(overdue.due_at, minutes=1), action="request_extension",
            working_days=1, reason="r")


def test_upheld_appeal_excludes_the_rating_and_closes(session, staff, desk):
    ticket, _ = desk.review_ticket()
    desk.act(ticket.id, staff["a"], MONDAY, action="sign")
    t = desk.act(ticket.id, staff["a"], later(MONDAY, hours=2), action="appeal", reason="malicious",
            evidence="同一号码当天连续差评 20 次")
    assert t.status == "appealed" and t.paused_at == later(MONDAY, hours=2)
    t = desk.act(ticket.id, staff["sup"], later(MONDAY, days=1), action="decide_appeal", upheld=True,
            note="经核查属恶意差评")
    assert (t.status, t.outcome, t.closed_on_time) == ("closed", "appeal_upheld", None)
    review = session.get(Review, t.review_id)
    assert (review.excluded, review.excluded_reason) == (True, "malicious")  # kept, flagged
    assert [e.action for e in audit.history(session, "review", review.id)] == ["review_excluded"]


def test_rejected_appeal_resumes_with_the_paused_days_added(session, staff, desk):
    ticket, _ = desk.review_ticket()
    due = ticket.due_at
    desk.act(ticket.id, staff["a"], MONDAY, action="sign")
    desk.act(ticket.id, staff["a"], MONDAY, action="appeal", reason="mistaken", evidence="评错办件")
    # Paused Monday 10:00 → Wednesday 10:00: three working days touched.
    t = desk.act(ticket.id, staff["sup"], later(MONDAY, days=2), action="decide_appeal", upheld=False,
            note="证据不足")
    assert (t.status, t.paused_at) == ("handling", None)
    assert t.due_at == workdays.shift_deadline(work_calendar(session), due, MONDAY, later(MONDAY, days=2)).at
    assert t.due_at > due and len(t.pauses) == 1


def test_return_is_decided_by_a_supervisor(staff, desk):
    ticket, _ = desk.review_ticket()
    desk.act(ticket.id, staff["a"], MONDAY, action="request_return", reason="不属于本科室职责")
    t = desk.act(ticket.id, staff["sup"], MONDAY, action="decide_return", approve=False)
    assert t.status == "dispatched"
    desk.act(ticket.id, staff["a"], MONDAY, action="request_return", reason="不属于本科室职责")
    with pytest.raises(ValidationFailed):
        desk.act(ticket.id, staff["sup"], MONDAY, action="decide_return", approve=True)
    moved_at = later(MONDAY, days=1)
    t = desk.act(ticket.id, staff["sup"], moved_at, action="decide_return", approve=True,
            reassign_to="ZJJ-B")
    assert (t.status, t.department_code, t.dispatched_at, t.signed_at) == ("dispatched", "ZJJ-B", moved_at, None)
    with pytest.raises(NotFound):  # reassigned away: no longer theirs to see
        desk.act(ticket.id, staff["a"], moved_at, action="sign")
    desk.act(ticket.id, staff["b"], moved_at, action="sign")
    late = later(MONDAY, days=7)  # past the two-working-day window of the new dispatch
    with pytest.raises(Conflict):
        desk.act(ticket.id, staff["b"], late, action="request_return", reason="r")
