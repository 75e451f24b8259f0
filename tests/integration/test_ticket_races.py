"""Races on one ticket end in one consistent state (PostgreSQL, real concurrent connections)."""

import threading

import pytest
from sqlalchemy import text

from service.domain import tickets
from service.domain.accounts import audit
from service.domain.errors import Conflict
from service.domain.tickets import actions as ticket_actions
from service.domain.tickets import sweep_tickets
from service.extensions import db
from service.models import Ticket
from tests.conftest import bearer, is_postgres
from tests.domain.tickets_support import MONDAY, later

pytestmark = pytest.mark.skipif(not is_postgres(), reason="needs PostgreSQL (TEST_DATABASE_URL)")
WAIT = 15  # seconds: a bound on waiting for another thread, never a sleep


def entries(session, ticket_id, action):
    return [h for h in tickets.ticket_history(session, ticket_id) if h["action"] == action]


def test_two_units_signing_at_once_leave_one_signature(app, client, session, make_token, desk):
    ticket, _ = desk.review_ticket()
    tid = ticket.id
    tokens = [make_token("dept_staff", "ZJJ-A"), make_token("dept_staff", "ZJJ")]  # the unit and its parent
    barrier, codes = threading.Barrier(2, timeout=WAIT), []

    def sign(token):
        local = app.test_client()
        barrier.wait()
        codes.append(local.post(f"/api/v1/tickets/{tid}/actions", json={"action": "sign"},
                                headers=bearer(token)).status_code)

    threads = [threading.Thread(target=sign, args=(t,)) for t in tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT)
    assert sorted(codes) == [200, 409]
    session.expire_all()
    t = session.get(Ticket, tid)
    assert t.status == "handling" and len(entries(session, tid, "sign")) == 1
    assert audit.verify(session).ok


def _wait_for_lock_waiter(session) -> None:
    pause = threading.Event()
    for _ in range(WAIT * 100):
        waiting = session.execute(text(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"
        )).scalar()
        session.rollback()
        if waiting:
            return
        pause.wait(0.01)
    raise AssertionError("the sweep never waited for the row lock")


def test_reply_holding_the_row_makes_a_concurrent_sweep_skip_it(app, session, monkeypatch, desk):
    """The reply has updated the row but not committed when the sweep reaches it: the sweep waits,
    re-reads the row (now `replied`, clock stopped) and neither colours nor escalates it."""
    dept = desk.actor("dept_staff", "ZJJ-A")
    ticket, _ = desk.review_ticket()
    desk.act(ticket.id, dept, MONDAY, action="sign")
    tid, escalate_at = ticket.id, ticket.escalate_at
    flushed, go, results = threading.Event(), threading.Event(), {}
    original = ticket_actions.record_many

    def held_record_many(s, batch):
        flushed.set()  # the ticket row is updated and locked by this transaction
        go.wait(WAIT)
        return original(s, batch)

    monkeypatch.setattr(ticket_actions, "record_many", held_record_many)

    def reply():
        with app.app_context():
            results["reply"] = ticket_actions.perform_action(
                db.session, desk.env(), tid, {"action": "reply", "resolution": "immediate", "content": "已整改"},
                dept, escalate_at).status

    def sweep():
        with app.app_context():
            results["sweep"] = sweep_tickets(db.session, escalate_at)

    replier = threading.Thread(target=reply)
    replier.start()
    assert flushed.wait(WAIT)
    sweeper = threading.Thread(target=sweep)
    sweeper.start()
    _wait_for_lock_waiter(session)
    go.set()
    replier.join(WAIT)
    sweeper.join(WAIT)
    assert results["reply"] == "replied"
    assert results["sweep"]["tickets_fired"] == 0  # ("recoloured" is counted before the UPDATE waits)
    session.expire_all()
    t = session.get(Ticket, tid)
    # Red from the reply itself (it came after the deadline: 超期 for good), not from the sweep.
    assert (t.status, t.color, t.escalated_at, t.replied_late) == ("replied", "red", None, True)
    assert entries(session, tid, "escalate") == [] and audit.verify(session).ok


def test_action_after_a_committed_escalation_is_a_conflict_then_succeeds_on_retry(app, session, desk):
    dept = desk.actor("dept_staff", "ZJJ-A")
    ticket, _ = desk.review_ticket()
    desk.act(ticket.id, dept, MONDAY, action="sign")
    stale = session.get(Ticket, ticket.id)  # read before the sweep commits elsewhere
    with app.app_context():
        assert sweep_tickets(db.session, stale.escalate_at)["escalated"] == 1
    body = {"action": "reply", "resolution": "immediate", "content": "已整改"}
    with pytest.raises(Conflict):
        ticket_actions.perform_action(session, desk.env(), stale.id, dict(body), dept, stale.escalate_at)
    t = ticket_actions.perform_action(session, desk.env(), stale.id, dict(body), dept, stale.escalate_at)
    assert (t.status, t.color) == ("replied", "red") and t.escalated_at is not None
    assert len(entries(session, t.id, "escalate")) == 1 and audit.verify(session).ok


def test_confirm_racing_sweeps_keeps_one_consistent_state(app, session, desk):
    """Citizen confirmations (unsatisfied: reopen with a fresh deadline) race sweeps far past every
    deadline: whichever commits first, history and columns agree and nothing fires twice."""
    dept = desk.actor("dept_staff", "ZJJ-A")
    ticket, event = desk.review_ticket()
    tid = ticket.id
    desk.act(tid, dept, MONDAY, action="sign")
    desk.act(tid, dept, MONDAY, action="reply", resolution="immediate", content="x")
    moment = later(session.get(Ticket, tid).escalate_at, days=1)
    barrier, outcomes = threading.Barrier(3, timeout=WAIT), []

    def confirm():
        with app.app_context():
            barrier.wait()
            try:
                ticket_actions.perform_action(
                    db.session, desk.env(), tid,
                    {"action": "confirm", "satisfied": False, "rate_token": event["rate_token"]},
                    tickets.CITIZEN, moment)
                outcomes.append("confirmed")
            except Conflict:
                outcomes.append("conflict")

    def sweep():
        with app.app_context():
            barrier.wait()
            outcomes.append(sweep_tickets(db.session, moment))

    threads = [threading.Thread(target=confirm), threading.Thread(target=sweep), threading.Thread(target=sweep)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT)
    assert outcomes.count("confirmed") == 1
    session.expire_all()
    t = session.get(Ticket, tid)
    # Reopened at `moment` with a fresh deadline; a sweep that ran after the commit sees a green,
    # un-reminded ticket, one that ran before saw a replied one: either way nothing fired.
    assert (t.status, t.reopen_count, t.color) == ("handling", 1, "green")
    assert t.reminded_at is None and t.escalated_at is None
    assert entries(session, t.id, "escalate") == [] and audit.verify(session).ok
