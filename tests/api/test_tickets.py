"""Tickets over HTTP: the contract's shapes, roles, scoping and error codes."""

import pytest

from service.domain.tickets import InMemoryNotifier
from tests.conftest import bearer


@pytest.fixture
def tokens(make_token, depts):
    return {
        "a": make_token("dept_staff", "ZJJ-A"),
        "b": make_token("dept_staff", "ZJJ-B"),
        "sup": make_token("supervisor"),
        "op": make_token("operator"),
        "admin": make_token("admin"),
        "auditor": make_token("auditor"),
    }


@pytest.fixture
def bad_ticket(client, register_event, tokens):
    """A 差评 submitted by the citizen; the ticket is opened by the (inline) job."""

    def make(department="ZJJ-A", real_name=False):
        event = register_event(department=department, real_name=real_name)
        response = client.post("/api/v1/reviews", json={"rate_token": event["rate_token"], "level": 2,
                                                        "channel": "mobile", "options": ["overdue"]})
        assert response.status_code == 201
        listing = client.get("/api/v1/tickets?source=review", headers=bearer(tokens["admin"])).get_json()
        ticket = next(t for t in listing["items"] if t["review_id"] == response.get_json()["id"])
        return ticket, event

    return make


def act(client, ticket_id, token=None, **body):
    headers = bearer(token) if token else {}
    return client.post(f"/api/v1/tickets/{ticket_id}/actions", json=body, headers=headers)


def test_bad_review_loop_over_http(app, client, bad_ticket, tokens):
    notifier = app.extensions["notifier"] = InMemoryNotifier()
    try:
        ticket, event = bad_ticket()
        tid = ticket["id"]
        assert (ticket["status"], ticket["color"], ticket["department_code"]) == ("dispatched", "green", "ZJJ-A")
        assert act(client, tid, tokens["a"], action="sign").get_json()["status"] == "handling"
        assert act(client, tid, tokens["a"], action="request_extension", working_days=2,
                   reason="等待检测报告").status_code == 200
        extended = act(client, tid, tokens["sup"], action="decide_extension", approve=True).get_json()
        assert extended["extension_count"] == 1 and extended["due_at"] > ticket["due_at"]
        act(client, tid, tokens["a"], action="reply", resolution="immediate", content="已整改")
        reopened = act(client, tid, action="confirm", satisfied=False, rate_token=event["rate_token"])
        assert reopened.status_code == 200, reopened.get_json()
        assert (reopened.get_json()["status"], reopened.get_json()["reopen_count"]) == ("handling", 1)
        act(client, tid, tokens["a"], action="reply", resolution="scheduled", content="已列入台账")
        closed = act(client, tid, action="confirm", satisfied=True, rate_token=event["rate_token"]).get_json()
        # Not on time: the first reply was rejected (重办) — judged by the reply, domain.md §5.
        assert (closed["status"], closed["outcome"], closed["closed_on_time"]) == ("closed", "resolved", False)
        assert closed["color"] is None
        assert [m[1] for m in notifier.sent] == ["deadline", "reply", "deadline", "reply"]
        assert all(m[0] == "138****8000" for m in notifier.sent)
    finally:
        app.extensions.pop("notifier")
    body = client.get(f"/api/v1/tickets/{tid}", headers=bearer(tokens["a"])).get_json()
    assert [(h["action"], h["from"], h["to"]) for h in body["history"]] == [
        ("open", None, "dispatched"), ("sign", "dispatched", "handling"),
        ("request_extension", "handling", "extension_requested"),
        ("decide_extension", "extension_requested", "handling"), ("reply", "handling", "replied"),
        ("confirm", "replied", "handling"), ("reply", "handling", "replied"), ("confirm", "replied", "closed"),
    ]
    assert body["history"][5]["actor"] == "citizen" and body["history"][0]["at"]
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 0 and '"ok": true' in result.output


def test_unknown_ticket_is_404(client, tokens):
    assert client.get("/api/v1/tickets/999", headers=bearer(tokens["admin"])).status_code == 404
    response = act(client, 999, tokens["a"], action="sign")
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("body, field", [
    ({"action": "reply", "resolution": "immediate"}, "content"),
    ({"action": "reply", "resolution": "fixed", "content": "x"}, "resolution"),
    ({"action": "request_extension", "working_days": 0, "reason": "r"}, "working_days"),
    ({"action": "request_extension", "working_days": 100, "reason": "r"}, "working_days"),
    ({"action": "request_extension", "working_days": "3", "reason": "r"}, "working_days"),
    ({"action": "sign", "content": "x"}, "content"),
    ({"action": "fly"}, "action"),
    ({"action": "appeal", "reason": "不服", "evidence": "e"}, "reason"),
    ({"action": "decide_appeal", "upheld": True}, "note"),
])
def test_action_with_missing_or_wrong_field_is_422(client, bad_ticket, tokens, body, field):
    ticket, _ = bad_ticket()
    act(client, ticket["id"], tokens["a"], action="sign")
    response = act(client, ticket["id"], tokens["a"], **body)
    assert response.status_code == 422, response.get_json()
    error = response.get_json()["error"]
    assert error["code"] == "validation_error" and field in error["details"]


def test_roles_departments_and_states(client, bad_ticket, tokens):
    ticket, event = bad_ticket()
    tid = ticket["id"]
    assert act(client, tid, tokens["b"], action="sign").status_code == 404  # another department: not theirs to see
    assert act(client, tid, tokens["sup"], action="sign").status_code == 403  # wrong role
    assert act(client, tid, tokens["admin"], action="sign").status_code == 403
    assert act(client, tid, action="sign").status_code == 401  # only confirm works without a token
    response = act(client, tid, tokens["a"], action="reply", resolution="immediate", content="x")
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "invalid_transition"
    act(client, tid, tokens["a"], action="sign")
    act(client, tid, tokens["a"], action="reply", resolution="immediate", content="x")
    assert act(client, tid, tokens["a"], action="confirm", satisfied=True).status_code == 403
    assert act(client, tid, action="confirm", satisfied=True, rate_token="nope").status_code == 403
    assert act(client, tid, action="confirm", satisfied=True).status_code == 403
    ok = act(client, tid, tokens["op"], action="confirm", satisfied=True, note="回访满意")
    assert ok.get_json()["outcome"] == "resolved"


def test_upheld_appeal_marks_the_rating_excluded(client, bad_ticket, tokens):
    ticket, _ = bad_ticket()
    act(client, ticket["id"], tokens["a"], action="sign")
    appealed = act(client, ticket["id"], tokens["a"], action="appeal", reason="mistaken", evidence="评错对象")
    assert appealed.get_json()["status"] == "appealed" and appealed.get_json()["paused_at"]
    closed = act(client, ticket["id"], tokens["sup"], action="decide_appeal", upheld=True, note="属实").get_json()
    assert closed["outcome"] == "appeal_upheld"
    review = client.get(f"/api/v1/reviews/{ticket['review_id']}", headers=bearer(tokens["admin"])).get_json()
    assert (review["excluded"], review["excluded_reason"]) == (True, "mistaken")


def test_list_is_scoped_and_filtered(client, bad_ticket, tokens):
    a_ticket, _ = bad_ticket("ZJJ-A")
    b_ticket, _ = bad_ticket("ZJJ-B")
    act(client, b_ticket["id"], tokens["b"], action="sign")
    mine = client.get("/api/v1/tickets", headers=bearer(tokens["a"])).get_json()
    assert [t["id"] for t in mine["items"]] == [a_ticket["id"]] and mine["total"] == 1
    assert client.get(f"/api/v1/tickets/{b_ticket['id']}", headers=bearer(tokens["a"])).status_code == 404
    everything = client.get("/api/v1/tickets?status=handling", headers=bearer(tokens["sup"])).get_json()
    assert [t["id"] for t in everything["items"]] == [b_ticket["id"]]
    assert client.get("/api/v1/tickets?color=green&department=ZJJ", headers=bearer(tokens["sup"])).get_json()[
        "total"] == 2
    assert client.get("/api/v1/tickets?color=purple", headers=bearer(tokens["sup"])).status_code == 422
    assert client.get("/api/v1/tickets?department=NOPE", headers=bearer(tokens["sup"])).status_code == 422
    assert client.get("/api/v1/tickets", headers=bearer(tokens["auditor"])).status_code == 403
    assert client.get("/api/v1/tickets").status_code == 401


def test_real_name_bad_review_verification(client, bad_ticket, tokens):
    ticket, _ = bad_ticket(real_name=True)
    assert ticket["verify_due_at"] and ticket["verified_at"] is None
    verified = act(client, ticket["id"], tokens["op"], action="verify", note="电话核实属实").get_json()
    assert verified["verified_at"] and verified["status"] == "dispatched"
    assert act(client, ticket["id"], tokens["op"], action="verify").status_code == 409
