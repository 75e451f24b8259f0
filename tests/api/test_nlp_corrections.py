"""Learning from people over HTTP: tag labels of 12345 cases, and the review queue (least sure first)."""

from datetime import datetime, timezone

import pytest

from service.domain.indicators import refresh_rollups
from service.models import AuditEntry, HotlineCase, Review
from service.models.types import utcnow
from tests.conftest import bearer

NOW = datetime(2026, 11, 25, 4, 0, tzinfo=timezone.utc)


@pytest.fixture
def tokens(make_token, depts):
    return {"op": make_token("operator"), "sup": make_token("supervisor"), "admin": make_token("admin"),
            "staff": make_token("dept_staff", "ZJJ-A"), "auditor": make_token("auditor")}


def new_case(client, tokens, n: int, content: str, department: str = "ZJJ-A") -> dict:
    body = {"case_no": f"12345-{n:04d}", "type": "complaint", "urgency": "normal", "content": content,
            "department_code": department, "received_at": "2026-11-23T09:00:00+08:00"}
    response = client.post("/api/v1/hotline/cases", json=body, headers=bearer(tokens["op"]))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def label(client, token, case_id, tags):
    return client.put(f"/api/v1/hotline/cases/{case_id}/tags", json={"tags": tags}, headers=bearer(token))


def test_operators_and_supervisors_label_a_case_and_the_label_wins(client, tokens, session, active_models):
    case = new_case(client, tokens, 1, "楼上装修把我家卫生间泡漏水了，邻居不承认")
    stored = session.get(HotlineCase, case["id"])
    assert stored.classification_state == "done" and stored.tag_uncertainty is not None
    response = label(client, tokens["op"], case["id"], ["attitude", "delay", "delay"])
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["human_tags"] == ["delay", "attitude"] and body["effective_tags"] == ["delay", "attitude"]
    assert isinstance(body["tags"], list)  # the model's output is kept beside the label
    response = label(client, tokens["sup"], case["id"], [])  # "none of the three" is a label too
    assert response.status_code == 200 and response.get_json()["effective_tags"] == []
    entries = session.query(AuditEntry).filter_by(action="case_tags_labelled").order_by(AuditEntry.id).all()
    assert [e.data for e in entries] == [{"before": None, "after": ["delay", "attitude"]},
                                         {"before": ["delay", "attitude"], "after": []}]
    assert entries[0].entity_type == "hotline_case" and entries[0].entity_id == str(case["id"])


def test_the_human_label_of_a_case_counts_in_the_figures(client, tokens, session, time_machine):
    time_machine.move_to(NOW)
    case = new_case(client, tokens, 2, "物业经理对业主恶语相向")
    refresh_rollups(session, utcnow())  # the case's day is in the rollups before it is labelled

    def tag_counts():
        response = client.get("/api/v1/indicators", query_string={"period": "2026-11", "department": "ZJJ-A"},
                              headers=bearer(tokens["sup"]))
        items = {i["department_code"]: i["indicators"] for i in response.get_json()["items"]}
        return items["ZJJ-A"]["tag_counts"]

    assert tag_counts() == {"delay": 0, "quality": 0, "attitude": 0}  # no model ran: no tag
    assert label(client, tokens["op"], case["id"], ["attitude"]).status_code == 200
    assert tag_counts() == {"delay": 0, "quality": 0, "attitude": 1}
    refresh_rollups(session, utcnow())
    assert tag_counts() == {"delay": 0, "quality": 0, "attitude": 1}


def test_only_operators_and_supervisors_label_and_bad_bodies_are_422(client, tokens):
    case = new_case(client, tokens, 3, "房产证三年没办下来")
    for role in ("staff", "admin", "auditor"):
        assert label(client, tokens[role], case["id"], ["delay"]).status_code == 403, role
    assert label(client, tokens["op"], 987654, ["delay"]).status_code == 404
    for body in ({"tags": ["slow"]}, {"tags": "delay"}, {}, {"tags": ["delay"], "note": "x"}):
        response = client.put(f"/api/v1/hotline/cases/{case['id']}/tags", json=body, headers=bearer(tokens["op"]))
        assert response.status_code == 422, body
        assert set(response.get_json()["error"]) == {"code", "message", "details"}


def queue(client, token, **query):
    return client.get("/api/v1/nlp/review-queue", query_string=query, headers=bearer(token))


def rate(client, event, text):
    response = client.post("/api/v1/reviews", json={"rate_token": event["rate_token"], "level": 2,
                                                    "channel": "pc", "text": text})
    assert response.status_code == 201
    return response.get_json()["id"]


TEXTS = ["等了三个月还没办下来", "墙面空鼓开裂", "还行吧", "窗口态度恶劣", "办事挺快的", "房子有点问题，也不知道算不算"]


def test_the_queue_lists_unlabelled_texts_least_sure_first(client, tokens, session, register_event, active_models):
    review_ids = [rate(client, register_event(), text) for text in TEXTS]
    case = new_case(client, tokens, 4, "小区门口的路灯坏了两个月，晚上出行不安全")
    labelled = review_ids[0]
    assert client.put(f"/api/v1/reviews/{labelled}/tags", json={"tags": ["delay"]},
                      headers=bearer(tokens["sup"])).status_code == 200
    legacy = session.get(Review, review_ids[1])
    legacy.tag_uncertainty = None  # classified before uncertainties were stored: listed last
    session.commit()

    body = queue(client, tokens["op"]).get_json()
    assert set(body) == {"items", "page", "per_page", "total"} and body["total"] == 6
    items = body["items"]
    assert {(i["source"], i["id"]) for i in items} == (
        {("review", i) for i in review_ids[1:]} | {("case", case["id"])})
    known = [i["tag_uncertainty"] for i in items if i["tag_uncertainty"] is not None]
    assert known == sorted(known, reverse=True) and (items[-1]["source"], items[-1]["id"]) == ("review", legacy.id)
    first = items[0]
    assert set(first) >= {"text", "tags", "effective_tags", "model_version", "classified_at",
                          "department_code", "label_url"}
    assert first["label_url"].endswith(f"/{first['id']}/tags")

    reviews = queue(client, tokens["sup"], source="review", per_page=2, page=2).get_json()
    assert (reviews["total"], reviews["page"], reviews["per_page"]) == (5, 2, 2)
    everything = [i for i in items if i["source"] == "review"]
    assert [i["id"] for i in reviews["items"]] == [i["id"] for i in everything[2:4]]
    cases = queue(client, tokens["op"], source="case").get_json()
    assert [i["id"] for i in cases["items"]] == [case["id"]] and cases["items"][0]["case_no"] == "12345-0004"
    both_paged = [i["id"] for p in (1, 2, 3) for i in queue(client, tokens["op"], per_page=2, page=p).get_json()["items"]]
    assert both_paged == [i["id"] for i in items]

    assert label(client, tokens["op"], case["id"], []).status_code == 200
    assert queue(client, tokens["op"], source="case").get_json()["total"] == 0


def test_the_queue_skips_texts_no_model_has_seen(client, tokens, register_event):
    rate(client, register_event(), "拖了很久")  # no active model: still pending
    assert queue(client, tokens["op"]).get_json()["total"] == 0


def test_the_queue_is_for_operators_and_supervisors_with_strict_queries(client, tokens):
    for role in ("staff", "admin", "auditor"):
        assert queue(client, tokens[role]).status_code == 403, role
    assert client.get("/api/v1/nlp/review-queue").status_code == 401
    for query in ({"source": "ticket"}, {"per_page": 201}, {"page": 0}, {"sort": "id"}):
        response = queue(client, tokens["op"], **query)
        assert response.status_code == 422, query
        assert response.get_json()["error"]["code"] == "validation_error"


def test_a_page_far_past_the_end_of_the_queue_is_empty(client, tokens, register_event, active_models):
    rate(client, register_event(), "窗口态度恶劣")
    for source in ({}, {"source": "review"}):
        body = queue(client, tokens["op"], page=2**31 - 1, per_page=200, **source).get_json()
        assert (body["items"], body["total"]) == ([], 1)
