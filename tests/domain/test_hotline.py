"""12345 cases through the domain: tickets by type, duplicates, 并单, callbacks driving the loop."""

import pytest

from service.domain import calendar as workdays
from service.domain import hotline
from service.domain.accounts import audit
from service.domain.calendar import work_calendar
from service.domain.errors import Conflict, InvalidTransition, ValidationFailed
from service.domain.privacy import ContactCipher
from service.domain.tickets import InMemoryNotifier
from service.models import HotlineCallback, HotlineCase, Ticket
from tests.conftest import utc
from tests.domain.tickets_support import MONDAY, later


def case_body(case_no: str, **extra) -> dict:
    body = {
        "case_no": case_no, "type": "complaint", "urgency": "normal",
        "content": "小区电梯长期故障，物业不处理", "department_code": "ZJJ-A",
        "caller": {"name": "李四", "phone": "13900139000", "anonymous": False},
        "address": "幸福路 1 号 3 栋", "received_at": MONDAY,
    }
    body.update(extra)
    return body


@pytest.fixture
def hl(session, depts, desk):
    s = desk.settings

    class Hotline:
        operator = desk.user("operator")
        cipher = ContactCipher(s.contact_key, s.blind_index_key)

        def create(self, case_no, now=MONDAY, **extra):
            view, created = hotline.create_case(session, s, self.cipher, self.operator, case_body(case_no, **extra), now)
            return view

        def callback(self, case_id, now, notifier=None, **data):
            return hotline.record_callback(session, desk.env(notifier), self.operator, case_id,
                                                    data, now)

    return Hotline()


def test_complaint_runs_the_whole_loop_through_callbacks(session, hl, desk):
    dept, sup = desk.actor("dept_staff", "ZJJ-A"), desk.actor("supervisor")
    notifier = InMemoryNotifier()
    view = hl.create("C-1")
    t = view.ticket
    assert (t.source, t.status, t.department_code) == ("hotline", "dispatched", "ZJJ-A")
    assert t.due_at == utc(2026, 12, 14, 16, 0)  # complaint: 15 working days
    desk.act(t.id, dept, later(MONDAY, hours=2), action="sign")
    desk.act(t.id, dept, later(MONDAY, days=1), action="request_extension", working_days=5, reason="r")
    desk.act(t.id, sup, later(MONDAY, days=1), notifier, action="decide_extension", approve=True)
    assert notifier.of_kind("deadline")[0][0] == "139****9000"  # the caller is told the new deadline
    desk.act(t.id, dept, later(MONDAY, days=2), notifier, action="reply", resolution="scheduled",
        content="已责令物业维修")
    callback = hl.callback(view.id, later(MONDAY, days=3), solved=False, satisfaction="unsatisfied",
                           note="电梯仍未修好")
    t = session.get(Ticket, t.id)
    assert (callback.ticket.status, t.status, t.reopen_count) == ("handling", "handling", 1)
    desk.act(t.id, dept, later(MONDAY, days=4), action="reply", resolution="immediate", content="已修复")
    hl.callback(view.id, later(MONDAY, days=5), solved=True, satisfaction="basic")
    t = session.get(Ticket, t.id)
    # Resolved, but not on time: the first reply was rejected at the callback (重办).
    assert (t.status, t.outcome, t.closed_on_time) == ("closed", "resolved", False)
    assert session.get(HotlineCase, view.id).status == "closed"
    actions = [e.action for e in audit.history(session, "ticket", t.id)]
    assert actions == ["open", "sign", "request_extension", "decide_extension", "reply", "confirm", "reply",
                       "confirm"]
    assert [e.action for e in audit.history(session, "hotline_case", view.id)] == [
        "case_received", "callback", "callback"]
    assert audit.verify(session).ok


def test_ticket_by_type_and_urgency(app, session, hl):
    # Every type has a tracked deadline (consult 2, suggestion 10 working days).
    assert hl.create("Q-1", type="consult").ticket.due_at == utc(2026, 11, 25, 16, 0)
    suggestion = hl.create("S-1", type="suggestion", address="y").ticket
    assert suggestion.due_at == workdays.add_working_days(work_calendar(session), MONDAY, 10).at
    help_ = hl.create("H-1", type="help", address="z").ticket
    assert help_.due_at == workdays.add_working_days(work_calendar(session), MONDAY, 10).at
    urgent = hl.create("U-1", urgency="urgent", address="w").ticket
    # 8 working hours from Monday 10:00 (09–12, 13–18): Tuesday 10:00 Shanghai.
    assert urgent.due_at == utc(2026, 11, 24, 2, 0) and urgent.term_hours == 8


def test_same_caller_same_open_matter_attaches_without_restarting_the_clock(app, session, hl):
    first = hl.create("D-1")
    again = hl.create("D-2", received_at=later(MONDAY, days=3), now=later(MONDAY, days=3))
    assert (again.duplicate_of.id, again.ticket.id, again.ticket.due_at) == (first.id, first.ticket.id,
                                                                          first.ticket.due_at)
    assert session.query(Ticket).count() == 1
    other_matter = hl.create("D-3", address="另一小区")
    other_caller = hl.create("D-4", caller={"phone": "13700137000", "anonymous": True})
    assert other_matter.ticket.id != first.ticket.id and other_caller.ticket.id != first.ticket.id


def test_idempotent_case_no(session, hl, desk):
    s = desk.settings
    first, created = hotline.create_case(session, s, hl.cipher, hl.operator, case_body("I-1"), MONDAY)
    again, created_again = hotline.create_case(session, s, hl.cipher, hl.operator, case_body("I-1"), MONDAY)
    assert (created, created_again, again.id, again.ticket.id) == (True, False, first.id, first.ticket.id)
    with pytest.raises(Conflict):
        hotline.create_case(session, s, hl.cipher, hl.operator, case_body("I-1", content="别的"), MONDAY)


def test_merged_cases_answer_every_caller(session, hl, desk):
    dept = desk.actor("dept_staff", "ZJJ-A")
    parent = hl.create("M-1")
    child = hl.create("M-2", caller={"phone": "13600136000", "anonymous": True})
    dup_of_child = hl.create("M-3", caller={"phone": "13600136000", "anonymous": True})
    assert dup_of_child.duplicate_of.id == child.id
    with pytest.raises(ValidationFailed):
        hotline.merge_cases(session, desk.actor("operator").scope, hl.operator, parent.id,
                                     [hl.create("M-4", type="report").id], MONDAY)
    merged = hotline.merge_cases(session, desk.actor("operator").scope, hl.operator, parent.id,
                                          [child.id], MONDAY)
    assert [(c["case_no"], c["relation"], c["phone"]) for c in merged.callers] == [
        ("M-1", "self", "139****9000"), ("M-2", "merged", "136****6000"), ("M-3", "duplicate", "136****6000")]
    child_ticket = session.get(Ticket, child.ticket.id)
    assert (child_ticket.status, child_ticket.outcome) == ("closed", "merged")
    notifier = InMemoryNotifier()
    t = parent.ticket.id
    desk.act(t, dept, MONDAY, action="sign")
    desk.act(t, dept, MONDAY, notifier, action="reply", resolution="immediate", content="已处理")
    assert sorted(m[0] for m in notifier.of_kind("reply")) == ["136****6000", "139****9000"]
    # The child's caller is called back too; the parent's ticket answers.
    hl.callback(child.id, later(MONDAY, days=1), solved=True, satisfaction="satisfied")
    assert session.get(Ticket, t).status == "closed"


def test_callback_rules(session, hl, desk):
    dept = desk.actor("dept_staff", "ZJJ-A")
    view = hl.create("B-1")
    with pytest.raises(InvalidTransition):  # nothing replied yet
        hl.callback(view.id, MONDAY, solved=False, satisfaction="unsatisfied")
    desk.act(view.ticket.id, dept, MONDAY, action="sign")
    desk.act(view.ticket.id, dept, MONDAY, action="reply", resolution="explained", content="政策所限")
    cb = hl.callback(view.id, MONDAY, solved=False, satisfaction="unsatisfied", unit_at_fault=False)
    assert (cb.valid, cb.ticket.status) == (False, "closed")  # not the unit's fault: closed, not counted
    # A consult has its ticket too: called back after its reply, which closes it.
    consult = hl.create("B-2", type="consult", address="q")
    with pytest.raises(InvalidTransition):
        hl.callback(consult.id, MONDAY, solved=True, satisfaction="satisfied")
    desk.act(consult.ticket.id, dept, MONDAY, action="sign")
    desk.act(consult.ticket.id, dept, MONDAY, action="reply", resolution="explained", content="已解答")
    assert hl.callback(consult.id, MONDAY, solved=True, satisfaction="satisfied").ticket.status == "closed"
    assert session.query(HotlineCallback).count() == 2
