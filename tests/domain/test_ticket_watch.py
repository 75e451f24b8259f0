"""The sign-for deadline and the verification callback of a real-name 差评 are watched like the
handling deadline (issue 9 item 3): colour, reminder, notice and escalation, each exactly once,
set-based, in the ticket's history and the hash-chained audit log."""

import random

import pytest

from service.domain import tickets
from service.domain.accounts import audit
from service.domain.tickets import sweep_tickets
from service.domain.tickets.deadlines import colour_at
from service.models import AuditEntry, Ticket
from tests.conftest import utc
from tests.domain.tickets_support import MONDAY, later


@pytest.fixture
def dept_a(depts, desk):
    return desk.actor("dept_staff", "ZJJ-A")


def sweep_actions(session, ticket_id):
    return [h["action"] for h in tickets.ticket_history(session, ticket_id) if h["actor"] == "system:sweep"]


def batches(session):
    return [(e.action, e.data["ticket_ids"]) for e in session.query(AuditEntry).filter_by(
        entity_type="ticket_sweep").order_by(AuditEntry.id)]


def test_unsigned_ticket_is_reminded_noticed_and_escalated_once(session, dept_a, desk):
    ticket, _ = desk.review_ticket()
    tid = ticket.id
    # Dispatched Monday 10:00: sign by the end of Tuesday; yellow from Tuesday 00:00; the notice
    # at the start of Wednesday, the escalation at the start of the 5th working day after Tuesday.
    assert ticket.sign_due_at == utc(2026, 11, 24, 16, 0)
    assert ticket.sign_yellow_from == utc(2026, 11, 23, 16, 0)
    assert ticket.sign_notice_at == ticket.sign_due_at
    assert ticket.sign_escalate_at == utc(2026, 11, 30, 16, 0)  # 00:00 Tuesday 1 December
    assert sweep_tickets(session, later(ticket.sign_yellow_from, seconds=-1))["tickets_fired"] == 0

    result = sweep_tickets(session, ticket.sign_yellow_from)
    assert (result["recoloured"], result["sign_reminded"], result["reminded"]) == (1, 1, 0)
    assert session.get(Ticket, tid).color == "yellow"
    result = sweep_tickets(session, ticket.sign_due_at)
    assert (result["recoloured"], result["sign_noticed"], result["sign_escalated"]) == (1, 1, 0)
    # Red although the handling deadline (14 December) is far: the sign-for deadline has passed.
    assert session.get(Ticket, tid).color == "red"
    for moment in (ticket.sign_escalate_at, ticket.sign_escalate_at, later(ticket.sign_escalate_at, days=1)):
        sweep_tickets(session, moment)
    t = session.get(Ticket, tid)
    assert (t.sign_reminded_at, t.sign_noticed_at, t.sign_escalated_at) == (
        ticket.sign_yellow_from, ticket.sign_due_at, ticket.sign_escalate_at)
    assert sweep_actions(session, tid) == ["sign_remind", "sign_notice", "sign_escalate"]
    assert batches(session) == [("sign_remind", [tid]), ("sign_notice", [tid]), ("sign_escalate", [tid])]

    # Signed late: the sign-for deadline stops counting, the handling deadline is on track.
    t = desk.act(tid, dept_a, later(ticket.sign_escalate_at, days=1), action="sign")
    assert t.color == "green"
    assert sweep_tickets(session, later(ticket.sign_escalate_at, days=2))["tickets_fired"] == 0
    assert audit.verify(session).ok


def test_verification_callback_deadline_is_watched_until_verified(session, dept_a, desk):
    op = desk.actor("operator")
    ticket, _ = desk.review_ticket(real_name=True)
    desk.act(ticket.id, dept_a, MONDAY, action="sign")
    assert ticket.verify_due_at == utc(2026, 11, 24, 16, 0)
    result = sweep_tickets(session, ticket.verify_yellow_from)
    assert (result["verify_reminded"], result["sign_reminded"]) == (1, 0)
    result = sweep_tickets(session, ticket.verify_notice_at)
    assert (result["verify_noticed"], session.get(Ticket, ticket.id).color) == (1, "red")
    desk.act(ticket.id, op, later(ticket.verify_notice_at, hours=2), action="verify")
    assert session.get(Ticket, ticket.id).color == "green"
    # Verified: no escalation for it, ever.
    assert sweep_tickets(session, ticket.verify_escalate_at)["verify_escalated"] == 0
    assert sweep_actions(session, ticket.id) == ["verify_remind", "verify_notice"]
    history = tickets.ticket_history(session, ticket.id)
    assert [h["note"] for h in history if h["action"] == "verify_notice"] == ["已超过回访核实期限，发出催办通知书。"]


def test_verification_is_not_watched_once_the_ticket_is_closed(session, dept_a, desk):
    sup = desk.actor("supervisor")
    ticket, _ = desk.review_ticket(real_name=True)
    desk.act(ticket.id, dept_a, MONDAY, action="sign")
    desk.act(ticket.id, dept_a, MONDAY, action="reply", resolution="immediate", content="已整改")
    desk.act(ticket.id, sup, MONDAY, action="confirm", satisfied=True, note="现场核实")
    result = sweep_tickets(session, later(MONDAY, days=30))
    assert result["tickets_fired"] == 0 and session.get(Ticket, ticket.id).color is None


def test_colour_rule_in_python_and_in_the_sweep_agree(session, depts, desk):
    """colour_at (used when an action is taken) and the sweep's SQL give the same colour."""
    rng = random.Random(9)
    staff = {"a": desk.actor("dept_staff", "ZJJ-A"), "op": desk.actor("operator"),
             "sup": desk.actor("supervisor")}
    ids = []
    for _ in range(24):
        ticket, event = desk.review_ticket(real_name=rng.random() < 0.5)
        ids.append(ticket.id)
        moment = later(MONDAY, hours=rng.randrange(1, 30 * 24))
        if rng.random() < 0.7:
            desk.act(ticket.id, staff["a"], later(MONDAY, hours=rng.randrange(0, 60)), action="sign")
            roll = rng.random()
            if roll < 0.3:
                desk.act(ticket.id, staff["a"], moment, action="reply", resolution="explained", content="x")
            elif roll < 0.45:
                desk.act(ticket.id, staff["a"], moment, action="appeal", reason="mistaken", evidence="e")
        if ticket.verify_due_at is not None and rng.random() < 0.5:
            desk.act(ticket.id, staff["op"], later(MONDAY, hours=rng.randrange(0, 72)), action="verify")
    for days in (1, 3, 12, 20, 40):
        now = later(MONDAY, days=days)
        sweep_tickets(session, now)
        session.expire_all()
        for tid in ids:
            t = session.get(Ticket, tid)
            assert t.color == colour_at(t, now), (tid, days)
