"""Free text is masked for departments and exports (issue 11 item 3, domain.md §2): phone, ID-card
and bank-card numbers written inside review text and case content never reach a response whole;
operators and supervisors read them through an audited unmask, like contact fields."""

from __future__ import annotations

import pytest

from service.models import AuditEntry, Ticket
from tests.conftest import bearer

PHONE, ID_CARD, BANK_CARD = "13912345678", "11010119900307123X", "6222021234567890"
TEXT = f"办了三个月还没好，请打{PHONE}联系我，身份证{ID_CARD}，退款到{BANK_CARD}"
MASKED = "办了三个月还没好，请打139****5678联系我，身份证110***********123X，退款到6222********7890"


@pytest.fixture
def tokens(make_token, depts):
    return {"staff": make_token("dept_staff", "ZJJ-A"), "op": make_token("operator"),
            "sup": make_token("supervisor"), "admin": make_token("admin"), "auditor": make_token("auditor")}


@pytest.fixture
def review(client, register_event):
    event = register_event()
    response = client.post("/api/v1/reviews", json={"rate_token": event["rate_token"], "level": 1,
                                                    "channel": "mobile", "options": ["overdue"], "text": TEXT})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def assert_clean(response):
    body = response.get_data(as_text=True)
    for number in (PHONE, ID_CARD, BANK_CARD):
        assert number not in body, (response.request.path, number)


def test_review_text_is_masked_for_every_staff_reader(client, tokens, review):
    for role in ("staff", "op", "sup", "admin"):
        one = client.get(f"/api/v1/reviews/{review['id']}", headers=bearer(tokens[role]))
        assert one.status_code == 200 and one.get_json()["text"] == MASKED
        listed = client.get("/api/v1/reviews", headers=bearer(tokens[role]))
        assert [r["text"] for r in listed.get_json()["items"]] == [MASKED]
        assert_clean(one)
        assert_clean(listed)


def test_operators_and_supervisors_unmask_review_text_audited(client, tokens, review, session):
    path = f"/api/v1/reviews/{review['id']}/unmask"
    for role in ("staff", "admin", "auditor"):
        assert client.post(path, json={"reason": "回访"}, headers=bearer(tokens[role])).status_code == 403
    assert client.post(path, json={}, headers=bearer(tokens["op"])).status_code == 422
    response = client.post(path, json={"reason": "差评回访核实"}, headers=bearer(tokens["op"]))
    assert response.status_code == 200 and response.get_json() == {"id": review["id"], "text": TEXT}
    assert client.post(path, json={"reason": "督办复核"}, headers=bearer(tokens["sup"])).status_code == 200
    entries = session.query(AuditEntry).filter_by(action="text_unmasked").order_by(AuditEntry.id).all()
    assert [(e.entity_type, e.entity_id, e.note) for e in entries] == [
        ("review", str(review["id"]), "差评回访核实"), ("review", str(review["id"]), "督办复核")]
    assert client.post("/api/v1/reviews/999999/unmask", json={"reason": "回访"},
                       headers=bearer(tokens["op"])).status_code == 404


def test_reply_content_and_notes_on_a_ticket_are_masked(client, tokens, review, session):
    ticket = session.query(Ticket).one()
    act = f"/api/v1/tickets/{ticket.id}/actions"
    client.post(act, json={"action": "sign"}, headers=bearer(tokens["staff"]))
    reply = client.post(act, json={"action": "reply", "resolution": "immediate",
                                   "content": f"已电话{PHONE}联系", "note": f"卡号{BANK_CARD}"},
                        headers=bearer(tokens["staff"]))
    assert reply.status_code == 200 and reply.get_json()["reply_content"] == "已电话139****5678联系"
    assert_clean(reply)
    assert_clean(client.get(f"/api/v1/tickets/{ticket.id}", headers=bearer(tokens["op"])))


CASE = {"case_no": "12345-M1", "type": "complaint", "urgency": "normal", "content": TEXT,
        "department_code": "ZJJ-A", "caller": {"name": "王五", "phone": "13512345678", "anonymous": False},
        "address": "和平路 8 号", "received_at": "2026-11-23T09:00:00+08:00"}


def test_case_content_is_masked_and_unmasked_only_for_operators_and_supervisors(client, tokens, session):
    created = client.post("/api/v1/hotline/cases", json=CASE, headers=bearer(tokens["op"]))
    assert created.status_code == 201
    case_id = created.get_json()["id"]
    for role in ("staff", "op", "sup"):
        one = client.get(f"/api/v1/hotline/cases/{case_id}", headers=bearer(tokens[role]))
        assert one.get_json()["content"] == MASKED
        assert_clean(one)
        assert_clean(client.get("/api/v1/hotline/cases", headers=bearer(tokens[role])))
    path = f"/api/v1/hotline/cases/{case_id}/unmask"
    assert client.post(path, json={"reason": "回访"}, headers=bearer(tokens["staff"])).status_code == 403
    full = client.post(path, json={"reason": "回访来电人"}, headers=bearer(tokens["op"]))
    assert full.status_code == 200
    assert full.get_json() == {"id": case_id, "content": TEXT, "caller": {"name": "王五", "phone": "13512345678"}}
    entry = session.query(AuditEntry).filter_by(action="case_unmasked").one()
    assert (entry.entity_id, entry.note) == (str(case_id), "回访来电人")


def test_a_role_that_may_not_rate_is_refused_before_the_body_is_read(client, tokens):
    # 403, not 422: the role gate comes first, so nobody learns the body's rules by probing.
    assert client.post("/api/v1/reviews", json={}, headers=bearer(tokens["admin"])).status_code == 403
    assert client.post("/api/v1/tickets/1/actions", json={},
                       headers=bearer(tokens["auditor"])).status_code == 403
