"""12345 cases over HTTP."""

import pytest

from service.models import HotlineCase
from tests.conftest import bearer


@pytest.fixture
def tokens(make_token, depts):
    return {"op": make_token("operator"), "a": make_token("dept_staff", "ZJJ-A"),
            "b": make_token("dept_staff", "ZJJ-B"), "sup": make_token("supervisor")}


def body(case_no="12345-0001", **extra):
    data = {
        "case_no": case_no, "type": "complaint", "urgency": "normal",
        "content": "装修噪音扰民，物业不管", "department_code": "ZJJ-A", "co_department_codes": ["ZJJ-B"],
        "caller": {"name": "王五", "phone": "13512345678", "anonymous": False},
        "address": "和平路 8 号", "received_at": "2026-11-23T09:00:00+08:00",
    }
    data.update(extra)
    return data


def post_case(client, tokens, **extra):
    return client.post("/api/v1/hotline/cases", json=body(**extra), headers=bearer(tokens["op"]))


def act(client, ticket_id, token, **data):
    return client.post(f"/api/v1/tickets/{ticket_id}/actions", json=data, headers=bearer(token))


def test_complaint_loop_over_http(client, tokens):
    created = post_case(client, tokens)
    assert created.status_code == 201, created.get_json()
    case = created.get_json()
    assert set(case) >= {"id", "case_no", "ticket_id", "duplicate_of", "due_at"} and case["duplicate_of"] is None
    tid = case["ticket_id"]
    act(client, tid, tokens["a"], action="sign")
    act(client, tid, tokens["a"], action="request_extension", working_days=3, reason="需联合执法")
    act(client, tid, tokens["sup"], action="decide_extension", approve=True)
    act(client, tid, tokens["a"], action="reply", resolution="immediate", content="已约谈施工方")
    callback = client.post(f"/api/v1/hotline/cases/{case['id']}/callback", headers=bearer(tokens["op"]),
                           json={"solved": False, "satisfaction": "unsatisfied", "note": "仍有噪音"})
    assert callback.status_code == 201 and callback.get_json()["ticket_status"] == "handling"
    act(client, tid, tokens["a"], action="reply", resolution="scheduled", content="限期整改")
    callback = client.post(f"/api/v1/hotline/cases/{case['id']}/callback", headers=bearer(tokens["op"]),
                           json={"solved": True, "satisfaction": "satisfied"})
    assert callback.get_json()["ticket_status"] == "closed"
    ticket = client.get(f"/api/v1/tickets/{tid}", headers=bearer(tokens["a"])).get_json()
    assert (ticket["status"], ticket["outcome"], ticket["reopen_count"], ticket["case_id"]) == (
        "closed", "resolved", 1, case["id"])
    assert [h["action"] for h in ticket["history"]] == ["open", "sign", "request_extension", "decide_extension",
                                                        "reply", "confirm", "reply", "confirm"]


def test_replayed_case_no_is_idempotent_and_a_different_body_conflicts(client, tokens, session):
    first = post_case(client, tokens).get_json()
    again = post_case(client, tokens)
    assert again.status_code == 200 and again.get_json() == first
    other = post_case(client, tokens, content="别的内容")
    assert other.status_code == 409 and other.get_json()["error"]["code"] == "conflict"
    assert session.query(HotlineCase).count() == 1


def test_case_shows_masked_contact_only(client, tokens):
    case = post_case(client, tokens).get_json()
    response = client.get(f"/api/v1/hotline/cases/{case['id']}", headers=bearer(tokens["b"]))  # co-department
    assert response.status_code == 200
    data = response.get_json()
    assert data["caller"] == {"name": "王*", "phone": "135****5678", "anonymous": False}
    assert data["callers"][0]["relation"] == "self" and "13512345678" not in response.get_data(as_text=True)
    assert data["classification_state"] in ("pending", "done", "failed")


def test_duplicate_call_answers_with_the_original_ticket(client, tokens):
    first = post_case(client, tokens).get_json()
    dup = post_case(client, tokens, case_no="12345-0002", received_at="2026-11-23T11:00:00+08:00").get_json()
    assert (dup["duplicate_of"], dup["ticket_id"], dup["due_at"]) == (first["id"], first["ticket_id"], first["due_at"])
    callers = client.get(f"/api/v1/hotline/cases/{first['id']}", headers=bearer(tokens["op"])).get_json()["callers"]
    assert [c["relation"] for c in callers] == ["self", "duplicate"]


def test_merge_under_a_parent(client, tokens):
    parent = post_case(client, tokens).get_json()
    child = post_case(client, tokens, case_no="12345-0003", caller={"phone": "13611112222", "anonymous": True}).get_json()
    merged = client.post(f"/api/v1/hotline/cases/{parent['id']}/merge", json={"case_ids": [child["id"]]},
                         headers=bearer(tokens["op"]))
    assert merged.status_code == 200, merged.get_json()
    assert [c["case_no"] for c in merged.get_json()["callers"]] == ["12345-0001", "12345-0003"]
    child_ticket = client.get(f"/api/v1/tickets/{child['ticket_id']}", headers=bearer(tokens["op"])).get_json()
    assert child_ticket["outcome"] == "merged"
    again = client.post(f"/api/v1/hotline/cases/{parent['id']}/merge", json={"case_ids": [child["id"]]},
                        headers=bearer(tokens["op"]))
    assert again.status_code == 422


def test_appeal_on_a_hotline_ticket_is_409(client, tokens):
    case = post_case(client, tokens).get_json()
    act(client, case["ticket_id"], tokens["a"], action="sign")
    response = act(client, case["ticket_id"], tokens["a"], action="appeal", reason="mistaken", evidence="e")
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "invalid_transition"


@pytest.mark.parametrize("extra, field", [
    ({"type": "praise"}, "type"),
    ({"urgency": None}, "urgency"),
    ({"department_code": "NOPE"}, "department_code"),
    ({"co_department_codes": ["NOPE"]}, "co_department_codes"),
    ({"event_no": "EV-NONE"}, "event_no"),
    ({"received_at": "2026-11-23T09:00:00"}, "received_at"),
    ({"caller": {"phone": "not a phone"}}, "caller"),
    ({"surprise": 1}, "surprise"),
])
def test_bad_case_input_is_422(client, tokens, extra, field):
    response = post_case(client, tokens, **extra)
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["error"]["details"]


def test_unknown_case_and_roles(client, tokens):
    assert client.get("/api/v1/hotline/cases/999", headers=bearer(tokens["op"])).status_code == 404
    response = client.post("/api/v1/hotline/cases/999/callback", headers=bearer(tokens["op"]),
                           json={"solved": True, "satisfaction": "satisfied"})
    assert response.status_code == 404
    assert client.post("/api/v1/hotline/cases", json=body(), headers=bearer(tokens["a"])).status_code == 403
    case = post_case(client, tokens).get_json()
    early = client.post(f"/api/v1/hotline/cases/{case['id']}/callback", headers=bearer(tokens["op"]),
                        json={"solved": True, "satisfaction": "satisfied"})
    assert early.status_code == 409  # no reply yet
    listing = client.get("/api/v1/hotline/cases?type=complaint", headers=bearer(tokens["a"])).get_json()
    assert listing["total"] == 1
