"""The deadline sweep: colours, reminders, notices and escalations — each once, set-based."""

import pytest

from service.domain import tickets
from service.domain.accounts import audit
from service.domain.tickets import sweep_tickets
from service.models import AuditEntry, Ticket
from tests.conftest import utc
from tests.domain.tickets_support import MONDAY, later


@pytest.fixture
def dept_a(depts, desk):
    return desk.actor("dept_staff", "ZJJ-A")


def sweep_actions(session, ticket_id):
    return [h["action"] for h in tickets.ticket_history(session, ticket_id) if h["actor"] == "system:sweep"]


def test_overdue_ticket_turns_red_and_escalates_exactly_once(session, dept_a, desk):
    ticket, _ = desk.review_ticket()
    desk.act(ticket.id, dept_a, MONDAY, action="sign")  # the sign-for deadline has its own test
    tid, yellow, due, notice, escalate = (ticket.id, ticket.yellow_from, ticket.due_at, ticket.notice_at,
                                          ticket.escalate_at)
    # The notice is due on the first working day after the deadline's day: for an end-of-day
    # deadline that day starts at the very moment the ticket turns red.
    assert MONDAY < yellow < due == notice < escalate
    assert escalate == utc(2026, 12, 20, 16, 0)  # 00:00 of the 5th working day after Mon 12-14
    assert sweep_tickets(session, later(MONDAY, days=1))["tickets_fired"] == 0
    assert session.get(Ticket, tid).color == "green"

    result = sweep_tickets(session, yellow)
    assert (result["recoloured"], result["reminded"]) == (1, 1)
    assert session.get(Ticket, tid).color == "yellow"
    assert sweep_tickets(session, later(due, seconds=-1))["tickets_fired"] == 0
    result = sweep_tickets(session, due)
    assert (result["recoloured"], result["noticed"], result["escalated"]) == (1, 1, 0)
    assert session.get(Ticket, tid).color == "red"
    assert sweep_tickets(session, later(escalate, seconds=-1))["tickets_fired"] == 0
    for moment in (escalate, escalate, later(escalate, days=3)):
        sweep_tickets(session, moment)
    t = session.get(Ticket, tid)
    assert (t.color, t.reminded_at, t.noticed_at, t.escalated_at) == ("red", yellow, notice, escalate)
    assert sweep_actions(session, tid) == ["remind", "notice", "escalate"]
    # Each run's events are listed in one hash-chained entry per kind.
    batches = [(e.action, e.data["ticket_ids"]) for e in session.query(AuditEntry).filter_by(
        entity_type="ticket_sweep").order_by(AuditEntry.id)]
    assert batches == [("remind", [tid]), ("notice", [tid]), ("escalate", [tid])]
    assert audit.verify(session).ok


def test_second_run_changes_nothing(session, dept_a, desk):
    for _ in range(3):
        desk.review_ticket()
    late = later(MONDAY, days=40)
    first = sweep_tickets(session, late)
    assert (first["recoloured"], first["reminded"], first["noticed"], first["escalated"]) == (3, 3, 3, 3)
    # Never signed either: the sign-for deadline fired its three events too, in the same run.
    assert (first["sign_reminded"], first["sign_noticed"], first["sign_escalated"]) == (3, 3, 3)
    versions = [t.version for t in session.query(Ticket).order_by(Ticket.id)]
    second = sweep_tickets(session, late)
    assert set(second.values()) == {0}
    session.expire_all()
    assert [t.version for t in session.query(Ticket).order_by(Ticket.id)] == versions


def test_a_ticket_skipping_yellow_still_gets_one_reminder(session, dept_a, desk):
    ticket, _ = desk.review_ticket()
    result = sweep_tickets(session, later(ticket.notice_at, days=1))
    assert (result["reminded"], result["noticed"], result["escalated"]) == (1, 1, 0)


def test_replied_and_appealed_tickets_are_not_swept(session, dept_a, desk):
    sup = desk.actor("supervisor")
    replied, _ = desk.review_ticket()
    desk.act(replied.id, dept_a, MONDAY, action="sign")
    desk.act(replied.id, dept_a, MONDAY, action="reply", resolution="immediate", content="已整改")
    appealed, _ = desk.review_ticket()
    desk.act(appealed.id, dept_a, MONDAY, action="sign")
    desk.act(appealed.id, dept_a, MONDAY, action="appeal", reason="mistaken", evidence="e")
    result = sweep_tickets(session, later(MONDAY, days=60))
    assert result["tickets_fired"] == 0 and result["recoloured"] == 0
    # After a rejected appeal the clock runs again, with the paused days added.
    desk.act(appealed.id, sup, later(MONDAY, days=1), action="decide_appeal", upheld=False, note="n")
    assert sweep_tickets(session, later(MONDAY, days=60))["escalated"] == 1


def test_action_on_a_ticket_the_sweep_changed_meanwhile_is_a_conflict(session, dept_a, desk):
    from service.domain.errors import Conflict
    from service.domain.tickets.actions import perform_action

    ticket, _ = desk.review_ticket()
    desk.act(ticket.id, dept_a, MONDAY, action="sign")
    stale = session.get(Ticket, ticket.id)
    stale_version = stale.version
    # Another process sweeps; this session still holds the version it read.
    from sqlalchemy.orm import Session as OrmSession

    with OrmSession(session.get_bind()) as other:
        sweep_tickets(other, ticket.escalate_at)
    assert stale.version == stale_version
    with pytest.raises(Conflict):
        perform_action(session, desk.env(), ticket.id,
                       {"action": "reply", "resolution": "immediate", "content": "x"}, dept_a, ticket.escalate_at)
    session.expire_all()
    t = session.get(Ticket, ticket.id)
    assert (t.status, t.color) == ("handling", "red") and t.escalated_at is not None
