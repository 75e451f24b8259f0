"""No input answers 500 (api.md "Conventions"): numbers beyond any column, NUL bytes, lone
surrogates, deep nesting, impossible dates and oversized chunked bodies are 400/404/413/422 in the
error shape, and nothing is stored. Run on SQLite and on PostgreSQL (which refuses NUL bytes)."""

import io
import json

import pytest

from service.models import AuditEntry, HotlineCase, Review, ServiceEvent
from tests.api.test_bad_input import assert_error
from tests.conftest import bearer

EVENT = {
    "event_no": "HOSTILE-1",
    "department_code": "ZJJ-A",
    "item_name": "施工许可",
    "channel": "window",
    "completed_at": "2026-11-20T10:00:00+08:00",
}
HUGE = "9" * 25  # beyond 64 bits
THOUSANDS = "9" * 5000  # beyond what Python will even parse (4,300 digits)


@pytest.fixture
def staff(make_token, depts):
    return {"admin": bearer(make_token("admin")), "intake": bearer(make_token("intake")),
            "operator": bearer(make_token("operator")), "supervisor": bearer(make_token("supervisor"))}


def nothing_stored(session):
    session.expire_all()
    assert session.query(ServiceEvent).count() == 0
    assert session.query(Review).count() == 0
    assert session.query(HotlineCase).count() == 0


def post_raw(client, path, text, headers=None):
    return client.post(path, data=text.encode("utf-8", "surrogatepass"),
                       content_type="application/json", headers=headers or {})


@pytest.mark.parametrize("path", [
    f"/api/v1/tickets/{HUGE}", f"/api/v1/reviews/{HUGE}", f"/api/v1/service-events/{2**63}",
    f"/api/v1/hotline/cases/{2**31}", f"/api/v1/publications/{THOUSANDS}", "/api/v1/tickets/-1",
    "/api/v1/tickets/0",
])
def test_path_ids_beyond_the_column_are_404(client, staff, path):
    assert_error(client.get(path, headers=staff["admin"]), 404, "not_found")


def test_action_on_an_id_beyond_64_bits_is_404_and_stores_nothing(client, staff, session):
    response = client.post(f"/api/v1/tickets/{HUGE}/actions", json={"action": "sign"}, headers=staff["admin"])
    assert_error(response, 404, "not_found")
    assert session.query(AuditEntry).filter(AuditEntry.entity_type == "ticket").count() == 0


@pytest.mark.parametrize("query", [f"page={HUGE}", f"page={THOUSANDS}", f"per_page={HUGE}", "page=-1"])
def test_page_beyond_range_is_422(client, staff, query):
    for path in ("/api/v1/tickets", "/api/v1/reviews", "/api/v1/publications", "/api/v1/audit"):
        response = client.get(f"{path}?{query}", headers=staff["admin"])
        assert_error(response, 422, "validation_error", query.split("=")[0])


def test_largest_page_is_an_empty_page_not_an_overflow(client, staff):
    response = client.get("/api/v1/tickets?page=2147483647&per_page=200", headers=staff["admin"])
    assert response.status_code == 200 and response.get_json()["items"] == []


@pytest.mark.parametrize("number", [THOUSANDS, "9" * 1000, HUGE, f"-{HUGE}", "1e400"])
def test_integers_with_many_digits_are_422_and_store_nothing(client, register_event, session, number):
    event = register_event()
    response = post_raw(client, "/api/v1/reviews",
                        f'{{"rate_token": "{event["rate_token"]}", "level": {number}, "channel": "pc"}}')
    assert_error(response, 422, "validation_error")
    assert session.query(Review).count() == 0


def test_huge_ids_inside_a_body_are_422(client, staff):
    response = post_raw(client, "/api/v1/hotline/cases/1/merge", f'{{"case_ids": [{HUGE}]}}', staff["operator"])
    assert_error(response, 422, "validation_error", "case_ids")


@pytest.mark.parametrize("patch", [
    {"item_name": "物业\x00维修"},
    {"event_no": "\x00"},
    {"citizen": {"name": "张\x00三", "real_name": False}},
    {"item_name": "x", "\x00": "key with a NUL"},
])
def test_nul_bytes_in_a_body_are_422_and_store_nothing(client, staff, session, patch):
    response = client.post("/api/v1/service-events", json={**EVENT, **patch}, headers=staff["intake"])
    assert_error(response, 422, "validation_error")
    nothing_stored(session)


def test_nul_bytes_in_a_review_and_a_case_are_422(client, register_event, staff, session):
    event = register_event()
    review = client.post("/api/v1/reviews", json={"rate_token": event["rate_token"], "level": 1,
                                                  "channel": "pc", "text": "太慢\x00了"})
    assert_error(review, 422, "validation_error", "text")
    case = client.post("/api/v1/hotline/cases", headers=staff["operator"], json={
        "case_no": "C-\x00", "type": "complaint", "urgency": "normal", "content": "漏水",
        "department_code": "ZJJ-A", "received_at": "2026-11-20T10:00:00+08:00"})
    assert_error(case, 422, "validation_error", "case_no")
    assert session.query(Review).count() == 0 and session.query(HotlineCase).count() == 0


@pytest.mark.parametrize("query", ["department=ZJJ%00", "tag=delay%00", "from=2026-11-01%00", "dep%00=x"])
def test_nul_bytes_in_a_query_are_422(client, staff, query):
    assert_error(client.get(f"/api/v1/reviews?{query}", headers=staff["admin"]), 422, "validation_error")


@pytest.mark.parametrize("path", ["/api/v1/reviews/1%00", "/api/v1/tickets/%00/actions", "/api/v1/%00"])
def test_nul_bytes_in_a_path_are_404(client, staff, path):
    assert_error(client.get(path, headers=staff["admin"]), 404, "not_found")


def test_lone_surrogates_are_422_and_store_nothing(client, staff, register_event, session):
    response = post_raw(client, "/api/v1/service-events",
                        json.dumps({**EVENT, "item_name": "施工\ud800许可"}), staff["intake"])
    assert_error(response, 422, "validation_error", "item_name")
    event = register_event()
    review = post_raw(client, "/api/v1/reviews", json.dumps(
        {"rate_token": event["rate_token"], "level": 2, "channel": "pc", "text": "\udfff"}))
    assert_error(review, 422, "validation_error", "text")
    assert session.query(ServiceEvent).filter(ServiceEvent.event_no == EVENT["event_no"]).count() == 0
    assert session.query(Review).count() == 0


@pytest.mark.parametrize("depth", [40, 1000, 100_000])
def test_deeply_nested_json_is_refused(client, staff, session, depth):
    body = '{"citizen": ' + "[" * depth + "]" * depth + "}"
    response = post_raw(client, "/api/v1/service-events", body, staff["intake"])
    assert response.status_code in (400, 413, 422), response.get_data(as_text=True)[:200]
    assert set(response.get_json()) == {"error"}
    nothing_stored(session)


@pytest.mark.parametrize("moment", [
    "0001-01-01T00:00:00+08:00",  # converting to UTC would leave year 1
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59-12:00",  # converting to UTC overflows year 9999
    "9999-12-31T23:59:59+00:00",
    "1999-12-31T23:59:59-12:00",
    "2026-11-20T10:00:00",  # no offset
    "2026-02-30T10:00:00+08:00",
    "2026-11-20T10:00:00+25:00",
    "2026-11-20",
])
def test_impossible_or_ambiguous_times_are_422_in_chinese(client, staff, session, moment):
    response = client.post("/api/v1/service-events", json={**EVENT, "completed_at": moment},
                           headers=staff["intake"])
    assert_error(response, 422, "validation_error", "completed_at")
    message = response.get_json()["error"]["details"]["completed_at"][0]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message), message
    nothing_stored(session)


def test_a_time_without_offset_names_the_offset(client, staff):
    response = client.post("/api/v1/service-events", json={**EVENT, "completed_at": "2026-11-20T10:00:00"},
                           headers=staff["intake"])
    assert "时区偏移" in response.get_json()["error"]["details"]["completed_at"][0]


@pytest.mark.parametrize("bound", ["0001-01-01", "9999-12-31", "9999-12-31T23:59:59-12:00",
                                   "2026-11-20T10:00:00"])
def test_query_times_at_the_edges_are_422(client, staff, bound):
    assert_error(client.get(f"/api/v1/reviews?from={bound}", headers=staff["admin"]), 422,
                 "validation_error", "from")


def test_hotline_received_at_edge_is_422(client, staff, session):
    response = client.post("/api/v1/hotline/cases", headers=staff["operator"], json={
        "case_no": "C-EDGE", "type": "complaint", "urgency": "normal", "content": "漏水",
        "department_code": "ZJJ-A", "received_at": "9999-12-31T23:59:59-12:00"})
    assert_error(response, 422, "validation_error", "received_at")
    nothing_stored(session)


def post_chunked(client, headers, size: int):
    """A body without Content-Length, as a WSGI server hands over a chunked upload (the server
    de-chunks it and marks the input terminated)."""
    body = b'{"event_no": "CHUNKED", "item_name": "' + b"x" * size + b'"}'
    return client.post("/api/v1/service-events", input_stream=io.BytesIO(body),
                       environ_overrides={"wsgi.input_terminated": True},
                       headers={**headers, "Content-Type": "application/json", "Transfer-Encoding": "chunked"})


def test_chunked_body_over_64kb_is_413_and_stores_nothing(client, staff, session):
    assert_error(post_chunked(client, staff["intake"], 80 * 1024), 413, "payload_too_large")
    nothing_stored(session)


def test_chunked_body_under_the_limit_is_parsed(client, staff):
    response = post_chunked(client, staff["intake"], 4096)
    assert_error(response, 422, "validation_error", "department_code")  # read, then judged


@pytest.mark.parametrize("path,query", [
    ("/api/v1/reviews", "mismatch=true"), ("/api/v1/tickets", "colour=red"),
    ("/api/v1/publications", "state=draft"), ("/api/v1/reviews/1", "verbose=1"),
    ("/api/v1/indicators", "period=2026-11&dept=ZJJ"), ("/api/v1/nlp/model", "x=1"),
    ("/api/v1/departments", "q=ZJJ"), ("/healthz", "x=1"),
])
def test_unknown_query_parameters_are_422_everywhere(client, staff, path, query):
    response = client.get(f"{path}?{query}", headers=staff["admin"])
    assert_error(response, 422, "validation_error", query.split("&")[-1].split("=")[0])


def test_unknown_query_parameter_on_a_public_endpoint_is_422(client, depts):
    response = client.get("/api/v1/public/indicators?period=2026-10&lang=en")
    assert_error(response, 422, "validation_error", "lang")
