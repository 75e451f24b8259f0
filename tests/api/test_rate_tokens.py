"""The rate token is the citizen's key (domain.md §2, issue 11 item 1–2): handed once, stored as a
hash, never shown to staff, rotated by a resend; rating open for 90 days after completion, the same
link valid for the follow-up and for confirming the event's ticket while it waits for the citizen."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from service.domain import tickets
from service.models import ServiceEvent, Ticket
from tests.conftest import bearer

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=timezone.utc)  # Wednesday 10:00 in Shanghai


def rate(client, token, level=5, **extra):
    return client.post("/api/v1/reviews", json={"rate_token": token, "level": level, "channel": "mobile", **extra})


def test_the_token_is_stored_only_as_a_hash_and_never_shown_to_staff(client, register_event, session, make_token):
    event = register_event()
    stored = session.get(ServiceEvent, event["id"])
    assert event["rate_token"] not in str([getattr(stored, c.key) for c in ServiceEvent.__table__.columns])
    for role, dept in (("admin", None), ("operator", None), ("supervisor", None), ("dept_staff", "ZJJ-A"),
                       ("intake", None)):
        response = client.get(f"/api/v1/service-events/{event['id']}", headers=bearer(make_token(role, dept)))
        assert response.status_code == 200
        assert event["rate_token"] not in response.get_data(as_text=True)
        assert "rate_token" not in response.get_json() and "rate_url" not in response.get_json()


def test_resend_rotates_the_token_and_the_old_one_stops_working(client, register_event, make_token, session):
    event = register_event()
    operator = make_token("operator")
    resent = client.post(f"/api/v1/service-events/{event['id']}/resend", headers=bearer(operator))
    assert resent.status_code == 200
    fresh = resent.get_json()
    assert fresh["rate_token"] != event["rate_token"] and fresh["rate_url"].endswith(fresh["rate_token"])
    assert rate(client, event["rate_token"]).status_code == 404
    assert rate(client, fresh["rate_token"]).status_code == 201
    history = client.get(f"/api/v1/audit?entity_type=service_event&entity_id={event['id']}",
                         headers=bearer(make_token("auditor"))).get_json()["items"]
    assert [e["action"] for e in history] == ["rate_token_rotated"] and fresh["rate_token"] not in str(history)


def test_resend_is_for_intake_and_operators_in_scope(client, register_event, make_token):
    event = register_event()
    path = f"/api/v1/service-events/{event['id']}/resend"
    assert client.post(path, headers=bearer(make_token("dept_staff", "ZJJ-A"))).status_code == 403
    assert client.post(path, headers=bearer(make_token("supervisor"))).status_code == 403
    assert client.post(path).status_code == 401
    assert client.post("/api/v1/service-events/999999/resend", headers=bearer(make_token("intake"))).status_code == 404
    assert client.post(path, headers=bearer(make_token("intake"))).status_code == 200


def test_a_replay_from_another_department_is_404_and_tells_nothing(client, register_event, make_token):
    event = register_event(department="ZJJ-A")
    other = make_token("dept_staff", "ZJJ-B")
    body = {"event_no": event["event_no"], "department_code": "ZJJ-B", "item_name": "物业专项维修资金使用审核",
            "channel": "window", "completed_at": "2026-11-20T10:00:00+08:00",
            "citizen": {"name": "张三", "phone": "13800138000", "real_name": False}}
    for guess in (body, {**body, "department_code": "ZJJ-A"}, {**body, "citizen": {"phone": "13900139000"}}):
        response = client.post("/api/v1/service-events", json=guess, headers=bearer(other))
        assert response.status_code in (403, 404), response.get_json()
        assert event["rate_token"] not in response.get_data(as_text=True)
    same_department = {**body, "department_code": "ZJJ-A"}
    assert client.post("/api/v1/service-events", json=same_department,
                       headers=bearer(other)).get_json()["error"]["code"] == "not_found"


def test_rating_opens_for_90_days_after_completion_not_registration(client, intake_token, time_machine):
    time_machine.move_to(NOW, tick=False)
    old = {"event_no": "OLD-1", "department_code": "ZJJ-A", "item_name": "不动产登记", "channel": "window",
           "completed_at": (NOW - timedelta(days=91)).isoformat()}
    registered = client.post("/api/v1/service-events", json=old, headers=bearer(intake_token)).get_json()
    assert rate(client, registered["rate_token"]).status_code == 404
    recent = {**old, "event_no": "NEW-1", "completed_at": (NOW - timedelta(days=89)).isoformat()}
    registered = client.post("/api/v1/service-events", json=recent, headers=bearer(intake_token)).get_json()
    assert rate(client, registered["rate_token"]).status_code == 201


def test_the_same_link_serves_the_follow_up_and_the_confirmation_after_the_rating_window(
        client, intake_token, make_token, app, session, time_machine, depts):
    completed = NOW - timedelta(days=85)
    time_machine.move_to(completed + timedelta(hours=2), tick=False)
    body = {"event_no": "LATE-1", "department_code": "ZJJ-A", "item_name": "不动产登记", "channel": "window",
            "completed_at": completed.isoformat()}
    event = client.post("/api/v1/service-events", json=body, headers=bearer(intake_token)).get_json()
    time_machine.move_to(completed + timedelta(days=88), tick=False)
    assert rate(client, event["rate_token"], level=1, options=["overdue"], text="拖了很久").status_code == 201
    ticket = session.query(Ticket).one()
    staff = make_token("dept_staff", "ZJJ-A")
    for action in ({"action": "sign"}, {"action": "reply", "resolution": "immediate", "content": "已整改"}):
        assert client.post(f"/api/v1/tickets/{ticket.id}/actions", json=action,
                           headers=bearer(staff)).status_code == 200
    time_machine.move_to(completed + timedelta(days=95), tick=False)  # the rating window is over
    assert rate(client, event["rate_token"], level=2, follow_up=True).status_code == 201
    confirm = client.post(f"/api/v1/tickets/{ticket.id}/actions",
                          json={"action": "confirm", "satisfied": True, "rate_token": event["rate_token"]})
    assert confirm.status_code == 200 and confirm.get_json()["status"] == "closed"
    assert tickets.get_ticket(session, tickets.CITIZEN.scope, ticket.id).status == "closed"
