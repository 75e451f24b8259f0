"""Role × endpoint matrix (issue 11): every operation of the OpenAPI document, called with every
role's token and with none, against the table below.

Whoever adds an endpoint adds its row here: an operation of the document that is missing from the
table (or a row whose operation is gone) fails this test by name. A row says which roles may call
the operation ("public" = without a token). A role that may not gets 403; no token gets 401
(unless public); a role that may gets anything but 401/403 (here mostly 404 or 422: ids that do not
exist and empty bodies, so nothing is changed). The gate comes before the body is read, so a
refused role never gets a 422 that teaches it the body's rules.
"""

from __future__ import annotations

import pytest

from tests.conftest import bearer

ROLES = ("admin", "operator", "dept_staff", "supervisor", "auditor", "appraisal", "intake")
STAFF = {"admin", "operator", "dept_staff", "supervisor"}
EVERYONE = {*ROLES, "public"}

MATRIX: dict[str, set[str]] = {
    "POST /api/v1/auth/login": EVERYONE,
    "GET /api/v1/audit": {"auditor", "admin"},
    "POST /api/v1/departments": {"admin"},
    "GET /api/v1/departments": STAFF,
    "POST /api/v1/service-events": {"intake", "admin", "dept_staff"},
    "GET /api/v1/service-events/{event_id}": {"intake", *STAFF},
    "POST /api/v1/service-events/{event_id}/resend": {"intake", "operator"},
    "POST /api/v1/service-events/{event_id}/unmask": {"operator", "supervisor"},
    "POST /api/v1/reviews": {"operator", "public"},
    "GET /api/v1/reviews": STAFF,
    "GET /api/v1/reviews/{review_id}": STAFF,
    "PUT /api/v1/reviews/{review_id}/tags": {"operator", "supervisor"},
    "POST /api/v1/reviews/{review_id}/unmask": {"operator", "supervisor"},
    "GET /api/v1/indicators": STAFF,
    "GET /api/v1/indicators.csv": STAFF,
    "GET /api/v1/indicators.xlsx": STAFF,
    "POST /api/v1/publications": {"supervisor"},
    "GET /api/v1/publications": {"supervisor", "admin"},
    "GET /api/v1/publications/{publication_id}": {"supervisor", "admin"},
    "POST /api/v1/publications/{publication_id}/approve": {"supervisor"},
    "POST /api/v1/publications/{publication_id}/appeals": {"dept_staff", "supervisor", "admin"},
    "POST /api/v1/publications/{publication_id}/appeals/{appeal_id}/decide": {"supervisor"},
    "GET /api/v1/public/indicators": EVERYONE,
    "GET /api/v1/public/indicators.csv": EVERYONE,
    "GET /api/v1/appraisal/scores": {"appraisal"},
    "POST /api/v1/nlp/classify": STAFF,
    "GET /api/v1/nlp/model": STAFF,
    "GET /api/v1/nlp/review-queue": {"operator", "supervisor"},
    "GET /api/v1/tickets": STAFF,
    "GET /api/v1/tickets/{ticket_id}": STAFF,
    "POST /api/v1/tickets/{ticket_id}/actions": {*STAFF, "public"},  # a citizen confirms with the rate token
    "POST /api/v1/hotline/cases": {"operator"},
    "GET /api/v1/hotline/cases": STAFF,
    "GET /api/v1/hotline/cases/{case_id}": STAFF,
    "POST /api/v1/hotline/cases/{case_id}/callback": {"operator"},
    "POST /api/v1/hotline/cases/{case_id}/merge": {"operator"},
    "POST /api/v1/hotline/cases/{case_id}/unmask": {"operator", "supervisor"},
    "PUT /api/v1/hotline/cases/{case_id}/tags": {"operator", "supervisor"},
    "GET /api/v1/admin/calendar": {"admin"},
    "GET /api/v1/rate/{rate_token}": EVERYONE,  # the citizen's link: the token in the path is the key
    "GET /healthz": EVERYONE,
    "GET /readyz": EVERYONE,
}
# /metrics answers a `metrics` token or an allowed network only (tests/api/test_metrics.py).
NOT_WALKED = {"GET /metrics"}
METHODS = ("get", "post", "put", "patch", "delete")
MISSING_ID = "987654"


def operations(client) -> set[str]:
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    return {f"{method.upper()} {path}" for path, item in paths.items() for method in item if method in METHODS}


def call(client, operation: str, token: str | None):
    method, path = operation.split(" ", 1)
    url = "/".join(MISSING_ID if part.startswith("{") else part for part in path.split("/"))
    headers = bearer(token) if token else {}
    if method in ("POST", "PUT", "PATCH"):
        return client.open(url, method=method, json={}, headers=headers)
    return client.open(url, method=method, headers=headers)


@pytest.fixture
def tokens(make_token, depts):
    return {role: make_token(role, "ZJJ-A" if role == "dept_staff" else None) for role in ROLES}


def test_every_operation_of_the_openapi_document_has_a_row(client):
    documented = operations(client)
    missing = sorted(documented - MATRIX.keys() - NOT_WALKED)
    stale = sorted(MATRIX.keys() - documented)
    assert not missing, f"operations without a row in MATRIX (tests/api/test_role_matrix.py): {missing}"
    assert not stale, f"rows in MATRIX for operations the document no longer has: {stale}"


def test_every_role_and_no_token_against_every_operation(client, tokens):
    wrong = []
    for operation in sorted(operations(client) & MATRIX.keys()):
        allowed = MATRIX[operation]
        for role in (*ROLES, "public"):
            status = call(client, operation, tokens.get(role)).status_code
            if role in allowed:
                ok = status not in (401, 403, 500)  # 503: no model trained yet, for instance
                expected = "allowed (not 401/403/500)"
            else:
                expected = 401 if role == "public" else 403
                ok = status == expected
            if not ok:
                wrong.append(f"{operation} as {role}: {status}, expected {expected}")
    assert not wrong, "\n".join(wrong)


def test_refusals_use_the_one_error_shape_and_tell_nothing(client, tokens):
    refused = call(client, "GET /api/v1/audit", tokens["dept_staff"])
    assert refused.get_json() == {"error": {"code": "forbidden", "message": "无权执行此操作。", "details": {}}}
    anonymous = call(client, "POST /api/v1/hotline/cases", None)
    assert anonymous.status_code == 401 and anonymous.get_json()["error"]["code"] == "unauthorized"
