"""12345 rules of issue 9: every case has a tracked deadline (item 5); a callback only after a
reply, once per reply and case, duplicates and merged children alike, and callback rates count
cases with their latest valid callback (item 6)."""

import pytest

from service.domain import hotline
from service.domain.accounts import Scope
from service.domain.errors import Conflict, InvalidTransition, ValidationFailed
from service.domain.indicators import compute_indicators
from service.domain.privacy import ContactCipher
from service.domain.tickets import sweep_tickets
from service.models import HotlineCallback, HotlineCase, Ticket
from tests.conftest import utc
from tests.domain.tickets_support import MONDAY, later


@pytest.fixture
def hl(session, depts, desk):
    s = desk.settings

    class Hotline:
        operator = desk.user("operator")
        dept = desk.actor("dept_staff", "ZJJ-A")
        cipher = ContactCipher(s.contact_key, s.blind_index_key)

        def create(self, case_no, now=MONDAY, **extra):
            body = {"case_no": case_no, "type": "complaint", "urgency": "normal", "content": "电梯停运",
                    "department_code": "ZJJ-A", "address": "幸福路 1 号", "received_at": now,
                    "caller": {"phone": "13900139000", "anonymous": False}, **extra}
            return hotline.create_case(session, s, self.cipher, self.operator, body, now)[0]

        def callback(self, case_id, now, **data):
            data = {"solved": True, "satisfaction": "satisfied", **data}
            return hotline.record_callback(session, desk.env(), self.operator, case_id, data, now)

        def reply(self, ticket_id, now, sign=True):
            if sign:
                desk.act(ticket_id, self.dept, now, action="sign")
            desk.act(ticket_id, self.dept, now, action="reply", resolution="explained", content="已答复")

    return Hotline()


# ------------------------------------------------------------------------------------------------
# Item 5: every case has a tracked deadline


def test_consult_and_suggestion_cases_have_tracked_deadlines(session, hl):
    consult = hl.create("Q-1", type="consult")
    assert consult.ticket.due_at == utc(2026, 11, 25, 16, 0)  # 2 working days
    suggestion = hl.create("S-1", type="suggestion", address="别处")
    assert suggestion.ticket.due_at == utc(2026, 12, 7, 16, 0)  # 10 working days
    # Tracked: the sweep watches it, and the reply and callback close the case.
    assert sweep_tickets(session, later(consult.ticket.due_at, days=1))["noticed"] == 1
    hl.reply(consult.ticket.id, later(MONDAY, hours=1))
    hl.callback(consult.id, later(MONDAY, hours=2))
    assert session.get(HotlineCase, consult.id).status == "closed"
    assert session.get(Ticket, consult.ticket.id).outcome == "resolved"


def test_consult_answered_on_the_call_is_met_at_intake(session, hl):
    view = hl.create("Q-2", type="consult", answer="住房公积金提取须携带身份证和购房合同。")
    t = view.ticket
    assert (t.status, t.replied_at, t.signed_at, t.reply_resolution) == ("replied", MONDAY, MONDAY, "explained")
    assert t.due_at == utc(2026, 11, 25, 16, 0) and t.replied_late is False
    cb = hl.callback(view.id, later(MONDAY, days=1), satisfaction="basic")
    assert cb.ticket.status == "closed" and session.get(HotlineCase, view.id).status == "closed"
    with pytest.raises(ValidationFailed) as exc:
        hl.create("C-9", answer="当场答复")  # only a consult can be answered on the call
    assert "answer" in exc.value.details


# ------------------------------------------------------------------------------------------------
# Item 6: callbacks after a reply only, once per reply and case; rates count cases


def test_duplicate_callback_waits_for_the_new_reply_after_a_reopening(session, hl):
    root = hl.create("D-1")
    dup = hl.create("D-2", now=later(MONDAY, hours=1))
    assert dup.duplicate_of.id == root.id
    with pytest.raises(InvalidTransition):
        hl.callback(dup.id, MONDAY)  # nothing replied yet
    hl.reply(root.ticket.id, later(MONDAY, hours=2))
    hl.callback(root.id, later(MONDAY, days=1), solved=False, satisfaction="unsatisfied")  # 重办
    assert session.get(Ticket, root.ticket.id).status == "handling"
    with pytest.raises(InvalidTransition):
        hl.callback(dup.id, later(MONDAY, days=1, hours=1))  # handled again, no new reply yet
    with pytest.raises(InvalidTransition):
        hl.callback(root.id, later(MONDAY, days=1, hours=1))
    hl.reply(root.ticket.id, later(MONDAY, days=2), sign=False)
    hl.callback(dup.id, later(MONDAY, days=3))
    assert session.get(Ticket, root.ticket.id).status == "closed"
    hl.callback(root.id, later(MONDAY, days=3))  # the root's caller too, once for this reply


def test_a_closed_case_is_not_called_back_twice_and_merged_children_wait_for_a_reply(session, hl, desk):
    parent = hl.create("M-1")
    child = hl.create("M-2", caller={"phone": "13600136000", "anonymous": True})
    hotline.merge_cases(session, Scope(), hl.operator, parent.id, [child.id], MONDAY)
    with pytest.raises(InvalidTransition):
        hl.callback(child.id, MONDAY)
    hl.reply(parent.ticket.id, later(MONDAY, hours=1))
    hl.callback(parent.id, later(MONDAY, hours=2))
    with pytest.raises(Conflict):
        hl.callback(parent.id, later(MONDAY, hours=3))  # closed, already called back
    hl.callback(child.id, later(MONDAY, hours=3))  # every caller gets one
    with pytest.raises(Conflict):
        hl.callback(child.id, later(MONDAY, hours=4))
    assert session.query(HotlineCallback).count() == 2


def test_callback_rates_count_cases_with_their_latest_valid_callback(session, hl, desk):
    view = hl.create("R-1")
    hl.reply(view.ticket.id, later(MONDAY, hours=1))
    hl.callback(view.id, later(MONDAY, hours=2), solved=False, satisfaction="unsatisfied")
    hl.reply(view.ticket.id, later(MONDAY, days=1), sign=False)
    hl.callback(view.id, later(MONDAY, days=2), solved=True, satisfaction="basic")
    report = compute_indicators(session, desk.settings, Scope(), "2026-11", later(MONDAY, days=3))
    a = next(i.indicators for i in report.items if i.department_code == "ZJJ-A")
    assert a["resolution_rate"] == {"value": 1.0, "numerator": 1, "denominator": 1}
    assert a["callback_satisfaction_rate"] == {"value": 1.0, "numerator": 1, "denominator": 1}
