"""GET /api/v1/rate/{rate_token}: the citizen's view of a rate link (api.md "Citizens")."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from service.models import Ticket
from tests.conftest import bearer

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=timezone.utc)  # Wednesday 10:00 in Shanghai


def view(client, token):
    return client.get(f"/api/v1/rate/{token}")


def rate(client, token, level=5, **extra):
    return client.post("/api/v1/reviews", json={"rate_token": token, "level": level, "channel": "mobile", **extra})


def act(client, ticket_id, token=None, **body):
    return client.post(f"/api/v1/tickets/{ticket_id}/actions", json=body, headers=bearer(token) if token else {})


def test_unknown_and_rotated_tokens_are_404(client, register_event, make_token):
    assert view(client, "no-such-token").status_code == 404
    event = register_event()
    client.post(f"/api/v1/service-events/{event['id']}/resend", headers=bearer(make_token("operator")))
    response = view(client, event["rate_token"])
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"


def test_a_fresh_link_shows_the_event_the_options_and_the_open_rating(client, register_event, time_machine):
    time_machine.move_to(NOW, tick=False)
    event = register_event(department="ZJJ-A")
    body = view(client, event["rate_token"]).get_json()
    assert body["event"] == {"item_name": "物业专项维修资金使用审核", "department_name": "物业管理科",
                             "completed_at": "2026-11-20T10:00:00+08:00"}
    assert body["options_version"] == "2026.1"
    assert set(body["options"]) == {"1", "2", "3", "4", "5"}
    assert {"code": "overdue", "label": "办理超时"} in body["options"]["1"]
    # Completion + 90 days, in Beijing time.
    assert body["rating"] == {"open": True, "until": "2027-02-18T10:00:00+08:00"}
    assert body["follow_up"] == {"open": False, "until": None}
    assert body["my_rating"] is None and body["ticket"] is None


def test_after_a_bad_rating_the_view_follows_the_ticket_to_the_citizens_confirmation(
        client, register_event, make_token, session, time_machine):
    time_machine.move_to(NOW, tick=False)
    event = register_event(department="ZJJ-A")
    token = event["rate_token"]
    assert rate(client, token, level=2, options=["overdue"], text="拖了很久").status_code == 201
    body = view(client, token).get_json()
    assert body["rating"]["open"] is False
    assert body["follow_up"] == {"open": True, "until": "2026-12-10T10:00:00+08:00"}
    assert body["my_rating"]["level"] == 2 and body["my_rating"]["options"] == [{"code": "overdue", "label": "办理超时"}]
    ticket = session.query(Ticket).one()
    assert body["ticket"]["id"] == ticket.id and body["ticket"]["status"] == "processing"
    assert body["ticket"]["may_confirm"] is False and body["ticket"]["reply"] is None
    assert body["ticket"]["due_at"] == ticket.due_at.astimezone(timezone(timedelta(hours=8))).isoformat()

    staff = make_token("dept_staff", "ZJJ-A")
    assert act(client, ticket.id, staff, action="sign").status_code == 200
    assert act(client, ticket.id, staff, action="reply", resolution="immediate", content="已当场补办").status_code == 200
    body = view(client, token).get_json()
    assert body["ticket"]["status"] == "replied" and body["ticket"]["may_confirm"] is True
    assert body["ticket"]["reply"] == {"resolution": "immediate", "content": "已当场补办",
                                       "replied_at": "2026-11-25T10:00:00+08:00"}

    # The confirmation itself is the ticket action with the rate token, as before.
    confirmed = act(client, body["ticket"]["id"], action="confirm", satisfied=False, rate_token=token)
    assert confirmed.status_code == 200
    body = view(client, token).get_json()
    assert body["ticket"]["status"] == "processing" and body["ticket"]["reopen_count"] == 1
    assert body["ticket"]["may_confirm"] is False


def test_the_view_never_shows_staff_names_notes_reasons_or_other_citizens(
        client, register_event, make_token, session, time_machine):
    """Everything staff wrote into the ticket besides the reply, and everything about other events,
    is searched for in the citizen's answer."""
    time_machine.move_to(NOW, tick=False)
    mine = register_event(department="ZJJ-A")
    other = register_event(department="ZJJ-A", citizen={"name": "李四", "phone": "13900139000", "real_name": True})
    rate(client, mine["rate_token"], level=1, options=["bad_attitude"], text="态度很差")
    rate(client, other["rate_token"], level=1, options=["overdue"], text="别人的投诉内容XYZ")
    ticket = session.query(Ticket).order_by(Ticket.id).first()
    staff = make_token("dept_staff", "ZJJ-A")
    supervisor = make_token("supervisor")
    secret_words = ["内部备注-甲", "延期理由-乙", "督办说明-丙"]
    assert act(client, ticket.id, staff, action="sign", note=secret_words[0]).status_code == 200
    assert act(client, ticket.id, staff, action="request_extension", working_days=2,
               reason=secret_words[1]).status_code == 200
    assert act(client, ticket.id, supervisor, action="decide_extension", approve=True,
               note=secret_words[2]).status_code == 200
    assert act(client, ticket.id, staff, action="reply", resolution="explained", content="答复正文").status_code == 200
    text = view(client, mine["rate_token"]).get_data(as_text=True)
    assert "答复正文" in text and "态度很差" in text
    names = [u for u in ("dept_staff-", "supervisor-", "intake-", "operator-")]
    forbidden = [*secret_words, *names, "李四", "张三", "13900139000", "13800138000", "别人的投诉内容XYZ",
                 "ZJJ-A", mine["event_no"], other["rate_token"], "history", "pending_request"]
    assert not [word for word in forbidden if word in text], text


def test_a_citizen_may_rate_anonymously_an_event_registered_as_real_name(client, register_event, session):
    from service.models import Review

    event = register_event(real_name=True)
    assert view(client, event["rate_token"]).get_json()["real_name_offered"] is True
    assert rate(client, event["rate_token"], level=2, options=["overdue"], real_name=False).status_code == 201
    assert session.query(Review).one().real_name is False
    plain = register_event(real_name=False)
    assert view(client, plain["rate_token"]).get_json()["real_name_offered"] is False
    # Asking for real name on an event registered without it changes nothing.
    assert rate(client, plain["rate_token"], level=5, real_name=True).status_code == 201
    assert session.query(Review).order_by(Review.id.desc()).first().real_name is False
