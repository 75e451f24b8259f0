"""Issue 9 over HTTP: what the items change at the contract's edge."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta, timezone

import pytest

from tests.api.test_indicators import october
from tests.api.test_publications import post
from tests.conftest import bearer


@pytest.fixture
def tokens(make_token, depts):
    return {"op": make_token("operator"), "a": make_token("dept_staff", "ZJJ-A"),
            "sup": make_token("supervisor"), "s2": make_token("supervisor"), "admin": make_token("admin"),
            "appraisal": make_token("appraisal")}


def act(client, ticket_id, token=None, **body):
    return client.post(f"/api/v1/tickets/{ticket_id}/actions", json=body,
                       headers=bearer(token) if token else {})


# Item 5 / item 6 -----------------------------------------------------------------------------


def case_body(case_no, **extra):
    return {"case_no": case_no, "type": "consult", "urgency": "normal", "content": "公积金怎么提取？",
            "department_code": "ZJJ-A", "received_at": "2026-11-23T10:00:00+08:00",
            "caller": {"phone": "13512345678", "anonymous": False}, **extra}


def test_every_case_answers_with_its_deadline_and_a_callback_comes_once(client, tokens, time_machine):
    time_machine.move_to(datetime(2026, 11, 23, 2, 5, tzinfo=timezone.utc), tick=False)
    consult = client.post("/api/v1/hotline/cases", json=case_body("Q-1"), headers=bearer(tokens["op"]))
    assert consult.status_code == 201
    body = consult.get_json()
    # A consult: two working days from Monday — the end of Wednesday 25 November, Shanghai.
    assert datetime.fromisoformat(body["due_at"]) == datetime(2026, 11, 25, 16, 0, tzinfo=timezone.utc)
    assert body["ticket_id"] is not None
    early = client.post(f"/api/v1/hotline/cases/{body['id']}/callback", headers=bearer(tokens["op"]),
                        json={"solved": True, "satisfaction": "satisfied"})
    assert early.status_code == 409 and early.get_json()["error"]["code"] == "invalid_transition"

    answered = client.post("/api/v1/hotline/cases", headers=bearer(tokens["op"]),
                           json=case_body("Q-2", address="别处", answer="携带身份证到窗口办理。"))
    assert answered.status_code == 201 and answered.get_json()["due_at"] is not None
    first = client.post(f"/api/v1/hotline/cases/{answered.get_json()['id']}/callback",
                        headers=bearer(tokens["op"]), json={"solved": True, "satisfaction": "satisfied"})
    assert first.status_code == 201 and first.get_json()["ticket_status"] == "closed"
    second = client.post(f"/api/v1/hotline/cases/{answered.get_json()['id']}/callback",
                         headers=bearer(tokens["op"]), json={"solved": True, "satisfaction": "satisfied"})
    assert second.status_code == 409 and second.get_json()["error"]["code"] == "conflict"
    wrong = client.post("/api/v1/hotline/cases", headers=bearer(tokens["op"]),
                        json=case_body("C-1", type="complaint", answer="当场答复"))
    assert wrong.status_code == 422 and "answer" in wrong.get_json()["error"]["details"]


# Item 12 -------------------------------------------------------------------------------------


def test_closed_ticket_has_no_colour_over_http(client, register_event, tokens):
    event = register_event(department="ZJJ-A")
    client.post("/api/v1/reviews", json={"rate_token": event["rate_token"], "level": 1, "channel": "mobile"})
    ticket = client.get("/api/v1/tickets", headers=bearer(tokens["admin"])).get_json()["items"][0]
    act(client, ticket["id"], tokens["a"], action="sign")
    act(client, ticket["id"], tokens["a"], action="reply", resolution="immediate", content="已整改")
    closed = act(client, ticket["id"], action="confirm", satisfied=True, rate_token=event["rate_token"])
    assert closed.get_json()["color"] is None
    for colour in ("green", "yellow", "red"):
        listed = client.get(f"/api/v1/tickets?color={colour}", headers=bearer(tokens["admin"]))
        assert listed.get_json()["total"] == 0, colour


# Item 13 -------------------------------------------------------------------------------------


def test_csv_has_one_charset_and_one_overdue_column(client, session, depts, tokens):
    october(session, depts)
    staff = client.get("/api/v1/indicators.csv?period=2026-10", headers=bearer(tokens["sup"]))
    assert staff.headers["Content-Type"] == "text/csv; charset=utf-8"
    header = next(csv.reader(io.StringIO(staff.data.decode("utf-8-sig"))))
    assert header.count("超期数") == 1 and "超期扣分" in header and "综合得分" in header
    draft = post(client, "/publications", tokens["sup"], {"period": "2026-10"}).get_json()
    post(client, f"/publications/{draft['id']}/approve", tokens["s2"])
    public = client.get("/api/v1/public/indicators.csv?period=2026-10")
    assert public.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert next(csv.reader(io.StringIO(public.data.decode("utf-8-sig")))).count("超期数") == 1


# Item 14 -------------------------------------------------------------------------------------


def test_appraisal_scores_are_private_and_revalidate_with_a_weak_etag(client, session, depts, tokens):
    october(session, depts)
    first = client.get("/api/v1/appraisal/scores?period=2026-10", headers=bearer(tokens["appraisal"]))
    assert first.status_code == 200
    assert first.headers["Cache-Control"].startswith("private")
    assert "Authorization" in first.headers["Vary"]
    etag = first.headers["ETag"]
    weak = client.get("/api/v1/appraisal/scores?period=2026-10",
                      headers={**bearer(tokens["appraisal"]), "If-None-Match": f"W/{etag}"})
    assert weak.status_code == 304
    other = client.get("/api/v1/appraisal/scores?period=2026-10",
                       headers={**bearer(tokens["appraisal"]), "If-None-Match": 'W/"other"'})
    assert other.status_code == 200
    # The public figures still cache publicly, and answer a weak validator too.
    draft = post(client, "/publications", tokens["sup"], {"period": "2026-10"}).get_json()
    post(client, f"/publications/{draft['id']}/approve", tokens["s2"])
    public = client.get("/api/v1/public/indicators?period=2026-10")
    assert public.headers["Cache-Control"].startswith("public")
    again = client.get("/api/v1/public/indicators?period=2026-10",
                       headers={"If-None-Match": f"W/{public.headers['ETag']}"})
    assert again.status_code == 304


# Item 15 -------------------------------------------------------------------------------------


def test_operator_rating_on_a_callers_behalf_is_idempotent(client, register_event, tokens, session):
    from service.models import Review

    event = register_event()
    body = {"event_no": event["event_no"], "level": 2, "channel": "hotline", "options": ["overdue"],
            "text": "来电反映办理超时"}
    first = client.post("/api/v1/reviews", json=body, headers=bearer(tokens["op"]))
    again = client.post("/api/v1/reviews", json=body, headers=bearer(tokens["op"]))
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.get_json() == first.get_json()
    different = client.post("/api/v1/reviews", json={**body, "level": 1}, headers=bearer(tokens["op"]))
    assert different.status_code == 409 and different.get_json()["error"]["code"] == "already_rated"
    assert session.query(Review).count() == 1
    # A citizen's own rating is never "the same" as an operator's call.
    rated = register_event()
    client.post("/api/v1/reviews", json={"rate_token": rated["rate_token"], "level": 2, "channel": "mobile"})
    replay = client.post("/api/v1/reviews", headers=bearer(tokens["op"]),
                         json={"event_no": rated["event_no"], "level": 2, "channel": "hotline"})
    assert replay.status_code == 409


# Item 16 -------------------------------------------------------------------------------------


def test_rating_opens_for_ninety_days_after_completion_not_registration(client, register_event):
    old = register_event(completed_at="2025-06-01T10:00:00+08:00")
    response = client.post("/api/v1/reviews", json={"rate_token": old["rate_token"], "level": 5,
                                                     "channel": "mobile"})
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"
    assert old["rate_token_expires_at"].startswith("2025-08-30")


# Items 3, 4, 9 ---------------------------------------------------------------------------------


def test_urgent_sign_for_its_sweep_events_and_reassignment_over_http(client, runner, tokens, time_machine):
    monday = datetime(2026, 11, 23, 2, 0, tzinfo=timezone.utc)  # 10:00 Shanghai
    time_machine.move_to(monday, tick=False)
    created = client.post("/api/v1/hotline/cases", headers=bearer(tokens["op"]), json=case_body(
        "U-1", type="complaint", urgency="urgent", received_at="2026-11-23T10:00:00+08:00")).get_json()
    ticket = client.get(f"/api/v1/tickets/{created['ticket_id']}", headers=bearer(tokens["admin"])).get_json()
    assert datetime.fromisoformat(ticket["sign_due_at"]) == monday + timedelta(hours=1)  # one working hour
    time_machine.move_to(monday + timedelta(hours=2), tick=False)
    assert runner.invoke(args=["jobs", "run", "sweep_tickets"]).exit_code == 0
    ticket = client.get(f"/api/v1/tickets/{created['ticket_id']}", headers=bearer(tokens["admin"])).get_json()
    # Sign-for due 11:00, on its own day: yellow (reminded) at once, red after 11:00; its notice
    # comes at the start of the next working day. Handling (due Tuesday 10:00) is still green.
    swept = [h["action"] for h in ticket["history"] if h["actor"] == "system:sweep"]
    assert swept == ["sign_remind"] and ticket["color"] == "red"

    # 改派: the new unit's clock, sign-for and extension allowance start afresh.
    tid = ticket["id"]
    act(client, tid, tokens["a"], action="request_return", reason="属物业管理科二组职责")
    moved = act(client, tid, tokens["sup"], action="decide_return", approve=True, reassign_to="ZJJ-B").get_json()
    assert moved["dispatched_at"] == moved["history"][-1]["at"] and moved["extension_count"] == 0
    # Moved at 12:00: one working hour after the lunch break (12:00–13:00) is 14:00.
    assert datetime.fromisoformat(moved["sign_due_at"]) == monday + timedelta(hours=4)
    assert moved["color"] == "yellow"  # its sign-for deadline falls today: yellow at once, not red


# Item 8 ----------------------------------------------------------------------------------------


def test_a_provisional_appeal_window_is_shown_and_settled_by_loading_the_year(
        client, runner, session, depts, tokens, time_machine, tmp_path):
    october(session, depts)
    time_machine.move_to(datetime(2026, 12, 28, 2, 0, tzinfo=timezone.utc), tick=False)
    draft = post(client, "/publications", tokens["sup"], {"period": "2026-10"}).get_json()
    published = post(client, f"/publications/{draft['id']}/approve", tokens["s2"]).get_json()
    assert published["appeal_deadline_provisional"] is True
    status = client.get("/api/v1/admin/calendar", headers=bearer(tokens["admin"])).get_json()
    assert status["provisional_appeal_windows"] == 1 and any("公示申诉期" in w for w in status["warnings"])
    path = tmp_path / "2027.json"
    path.write_text('{"year": 2027, "holidays": [{"name": "元旦", "dates": ["2027-01-01"]}]}', encoding="utf-8")
    loaded = runner.invoke(args=["calendar", "load", str(path)])
    assert loaded.exit_code == 0, loaded.output
    assert '"appeal_windows": {"checked": 1, "settled": 1, "still_provisional": 0}' in loaded.output
    again = client.get(f"/api/v1/publications/{draft['id']}", headers=bearer(tokens["admin"])).get_json()
    assert again["appeal_deadline_provisional"] is False
    assert datetime.fromisoformat(again["appeal_deadline"]) == datetime(2027, 1, 5, 16, 0, tzinfo=timezone.utc)


# Item 11 ---------------------------------------------------------------------------------------


def test_a_bad_follow_up_is_a_grievance_in_the_live_figures(client, register_event, tokens, time_machine):
    time_machine.move_to(datetime(2026, 11, 25, 2, 0, tzinfo=timezone.utc), tick=False)
    event = register_event(department="ZJJ-B")
    rate = {"rate_token": event["rate_token"], "channel": "mobile"}
    assert client.post("/api/v1/reviews", json={**rate, "level": 5}).status_code == 201
    assert client.post("/api/v1/reviews", json={**rate, "level": 1, "follow_up": True,
                                                 "options": ["quality_problem"]}).status_code == 201
    body = client.get("/api/v1/indicators?period=2026-11&department=ZJJ-B", headers=bearer(tokens["sup"]))
    b = body.get_json()["items"][0]["indicators"]
    assert (b["bad_reviews"], b["bad_follow_up_reviews"], b["tag_counts"]["quality"]) == (1, 1, 1)
    assert b["bad_rate"]["numerator"] == 0 and b["reply_rate"]["denominator"] == 1
