"""The OpenAPI document says what the code does (api.md "Conventions"), and the conventions that
are easiest to break by accident hold: one list envelope, +08:00 times, actions without a body."""

from __future__ import annotations

import pytest

from tests.api.test_indicators import october
from tests.conftest import bearer

ERROR_REFS = {"400": "BadRequest", "401": "Unauthorized", "403": "Forbidden", "404": "NotFound",
              "409": "Conflict", "413": "PayloadTooLarge", "422": "ValidationError", "429": "RateLimited",
              "503": "Unavailable"}
# Operations a citizen or the public calls without a token (a bearer token is optional at most).
TOKENLESS = {"submit_review", "act_on_ticket", "rate_link", "public_indicators", "public_indicators_csv", "login",
             "healthz", "readyz", "metrics"}


@pytest.fixture(scope="module")
def spec(_app):
    return _app.test_client().get("/api/v1/openapi.json").get_json()


def operations(spec):
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if method in ("get", "post", "put", "patch", "delete"):
                yield path, method, op


def test_every_operation_has_an_id_security_and_its_error_statuses(spec):
    ids = [op["operationId"] for _, _, op in operations(spec)]
    assert len(ids) == len(set(ids)) and all(ids)
    for path, method, op in operations(spec):
        name = op["operationId"]
        if name in TOKENLESS:
            assert {} in op["security"] or op["security"] == [], name
        else:
            assert op["security"] == [{"bearerAuth": []}], name
            assert {"401", "403", "429"} <= set(op["responses"]), name
        assert {"422", "503"} <= set(op["responses"]), name
        if method in ("post", "put"):
            assert {"400", "413"} <= set(op["responses"]), name
        if "{" in path:
            assert "404" in op["responses"], name
        for status, response in op["responses"].items():
            if status in ERROR_REFS and "$ref" in response:
                assert response["$ref"] == f"#/components/responses/{ERROR_REFS[status]}", (name, status)


def test_error_responses_carry_the_one_error_body_and_retry_after(spec):
    responses = spec["components"]["responses"]
    for name in ERROR_REFS.values():
        assert responses[name]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
    assert "Retry-After" in responses["RateLimited"]["headers"]
    assert "Retry-After" in responses["Unavailable"]["headers"]
    body = spec["components"]["schemas"]["ErrorBody"]
    assert set(body["required"]) == {"code", "message", "details"}


def test_downloads_declare_their_media_types_and_operations_outside_the_api_are_documented(spec):
    paths = spec["paths"]
    assert "text/csv" in paths["/api/v1/indicators.csv"]["get"]["responses"]["200"]["content"]
    assert "text/csv" in paths["/api/v1/public/indicators.csv"]["get"]["responses"]["200"]["content"]
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert xlsx in paths["/api/v1/indicators.xlsx"]["get"]["responses"]["200"]["content"]
    for path in ("/healthz", "/readyz", "/metrics"):
        assert "get" in paths[path], path


def test_field_limits_in_the_document_are_the_enforced_ones(spec, client, register_event, app):
    text = spec["components"]["schemas"]["ReviewCreate"]["properties"]["text"]
    limit = app.extensions["settings"].review_text_max
    assert text["maxLength"] == limit == 2000
    event = register_event()
    over = client.post("/api/v1/reviews", json={"rate_token": event["rate_token"], "level": 3,
                                                "channel": "pc", "text": "好" * (limit + 1)})
    assert over.status_code == 422 and "text" in over.get_json()["error"]["details"]
    ids = spec["paths"]["/api/v1/tickets/{ticket_id}"]["parameters"][0]["schema"]  # path-level
    assert ids == {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}


@pytest.mark.parametrize("path", ["/api/v1/publications", "/api/v1/reviews", "/api/v1/tickets",
                                  "/api/v1/hotline/cases", "/api/v1/departments", "/api/v1/audit"])
def test_every_list_has_the_one_envelope(client, make_token, depts, path):
    response = client.get(f"{path}?per_page=1", headers=bearer(make_token("admin")))
    assert set(response.get_json()) == {"items", "page", "per_page", "total"}
    assert response.get_json()["per_page"] == 1


def test_appraisal_scores_are_a_page_too(client, make_token, depts, session):
    october(session, depts)
    page = client.get("/api/v1/appraisal/scores?period=2026-10&per_page=2",
                      headers=bearer(make_token("appraisal"))).get_json()
    assert set(page) == {"items", "page", "per_page", "total"}
    assert len(page["items"]) == 2 and page["total"] == len(depts)


def test_times_are_returned_in_shanghai_time(client, register_event, make_token):
    event = register_event(completed_at="2026-11-20T02:00:00Z")
    assert event["completed_at"] == "2026-11-20T10:00:00+08:00"
    assert event["created_at"].endswith("+08:00") and event["rate_token_expires_at"].endswith("+08:00")
    page = client.get("/api/v1/audit", headers=bearer(make_token("auditor"))).get_json()
    assert page["items"] and all(e["at"].endswith("+08:00") for e in page["items"])


def test_approve_takes_no_body_and_refuses_fields(client, make_token, depts, session):
    october(session, depts)
    first, second = bearer(make_token("supervisor")), bearer(make_token("supervisor"))
    draft = client.post("/api/v1/publications", json={"period": "2026-10"}, headers=first).get_json()
    junk = client.post(f"/api/v1/publications/{draft['id']}/approve", json={"force": True}, headers=second)
    assert junk.status_code == 422 and "force" in junk.get_json()["error"]["details"]
    approved = client.post(f"/api/v1/publications/{draft['id']}/approve", headers=second)
    assert approved.status_code == 200 and approved.get_json()["status"] == "published"
