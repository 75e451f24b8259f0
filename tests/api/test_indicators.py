"""GET /indicators (staff, scoped) and the staff exports."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from service.domain.accounts.audit import history
from tests.conftest import bearer
from tests.domain.test_indicators import Factory, end_of, local

RATES = ("good_rate", "active_good_rate", "bad_rate", "active_rate", "unrated_rate",
         "bad_callback_rate", "rectification_rate", "rectification_on_time_rate", "reply_rate",
         "response_rate", "resolution_rate", "callback_satisfaction_rate")
COUNTS = ("reviews_total", "reviews_active", "service_events", "bad_reviews", "overdue_tickets")


def october(session, depts) -> None:
    """A closed month: three ratings in ZJJ-A (one bad with an overdue ticket), one in ZJJ-A1."""
    f = Factory(session, depts)
    for level in (5, 4):
        f.review(f.event("ZJJ-A", local(2026, 10, 9)), level, local(2026, 10, 10))
    bad = f.review(f.event("ZJJ-A", local(2026, 10, 12)), 1, local(2026, 10, 12),
                   effective_tags=",delay,")
    f.ticket("ZJJ-A", local(2026, 10, 12), end_of(2026, 10, 13), end_of(2026, 10, 30), review=bad,
             signed_at=local(2026, 10, 13), status="handling")
    f.review(f.event("ZJJ-A1", local(2026, 10, 20)), 3, local(2026, 10, 21))
    f.event("ZJJ-A1", local(2026, 10, 22))
    session.commit()


@pytest.fixture
def data(session, depts):
    october(session, depts)


def get(client, token, **query):
    return client.get("/api/v1/indicators", query_string=query, headers=bearer(token))


def test_live_indicators_follow_the_contract(client, make_token, data):
    response = get(client, make_token("supervisor"), period="2026-10")
    assert response.status_code == 200
    body = response.get_json()
    assert body["period"] == "2026-10" and body["open"] is False
    items = {i["department_code"]: i["indicators"] for i in body["items"]}
    assert list(items) == ["ZJJ", "ZJJ-A", "ZJJ-A1", "ZJJ-B"]
    a = items["ZJJ-A"]
    for key in RATES:
        assert set(a[key]) == {"value", "numerator", "denominator"}, key
    for key in COUNTS:
        assert isinstance(a[key], int), key
    assert a["reviews_total"] == 4 and a["service_events"] == 5
    assert a["good_rate"] == {"value": 0.75, "numerator": 3, "denominator": 4}
    assert a["tag_counts"] == {"delay": 1, "quality": 0, "attitude": 0}
    assert a["overdue_tickets"] == 1
    assert a["satisfaction_score"] == 56.25  # (4 + 3 + 0 + 2) × 25 / 4
    assert a["complaint_rate_per_1000"] == 200.0
    b = items["ZJJ-B"]
    assert b["good_rate"]["value"] is None and b["satisfaction_score"] is None
    assert b["complaint_rate_per_1000"] is None and b["reviews_total"] == 0


def test_staff_only(client, make_token, depts):
    assert client.get("/api/v1/indicators?period=2026-10").status_code == 401
    for role in ("auditor", "appraisal", "intake"):
        response = get(client, make_token(role), period="2026-10")
        assert response.status_code == 403, role
        assert response.get_json()["error"]["code"] == "forbidden"


def test_department_staff_see_only_their_subtree(client, make_token, data):
    token = make_token("dept_staff", "ZJJ-A")
    codes = [i["department_code"] for i in get(client, token, period="2026-10").get_json()["items"]]
    assert codes == ["ZJJ-A", "ZJJ-A1"]
    only = get(client, token, period="2026-10", department="ZJJ-A1").get_json()["items"]
    assert [i["department_code"] for i in only] == ["ZJJ-A1"]
    outside = get(client, token, period="2026-10", department="ZJJ-B")  # reads like an unknown code
    assert outside.status_code == 422 and "department" in outside.get_json()["error"]["details"]


@pytest.mark.parametrize("query,field", [
    ({"period": "2026-13"}, "period"),
    ({"period": "2026/10"}, "period"),
    ({"period": "2099-01"}, "period"),
    ({}, "period"),
    ({"period": "2026-10", "department": "NOPE"}, "department"),
    ({"period": "2026-10", "colour": "red"}, "colour"),
])
def test_bad_input_is_422_with_the_field(client, make_token, depts, query, field):
    response = get(client, make_token("supervisor"), **query)
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "validation_error" and field in error["details"]


def test_a_period_with_no_data_is_all_null(client, make_token, depts):
    body = get(client, make_token("admin"), period="2026-03").get_json()
    for item in body["items"]:
        assert item["indicators"]["reviews_total"] == 0
        assert all(item["indicators"][k]["value"] is None for k in RATES)


def test_csv_export_has_a_bom_and_is_audited(client, make_token, data, session):
    response = client.get("/api/v1/indicators.csv?period=2026-10", headers=bearer(make_token("supervisor")))
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.data.startswith(b"\xef\xbb\xbf")
    text = response.data.decode("utf-8-sig").splitlines()
    assert text[0].startswith("部门编码,部门名称,评价总量")
    assert "综合得分" in text[0]
    assert text[2].startswith("ZJJ-A,")
    assert [e.action for e in history(session, "indicators", "2026-10")] == ["indicators_exported"]


def test_xlsx_export_has_one_sheet_per_family(client, make_token, data):
    token = make_token("dept_staff", "ZJJ-A")
    response = client.get("/api/v1/indicators.xlsx?period=2026-10", headers=bearer(token))
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.data))
    assert workbook.sheetnames == ["评价", "整改", "12345", "标签", "综合得分"]
    sheet = workbook["评价"]
    assert sheet.cell(2, 1).value == "部门编码"
    assert [sheet.cell(r, 1).value for r in (3, 4)] == ["ZJJ-A", "ZJJ-A1"]


def test_openapi_documents_the_indicator_endpoints(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in ("/api/v1/indicators", "/api/v1/indicators.csv", "/api/v1/indicators.xlsx",
                 "/api/v1/publications", "/api/v1/publications/{publication_id}/approve",
                 "/api/v1/public/indicators", "/api/v1/public/indicators.csv",
                 "/api/v1/appraisal/scores"):
        assert path in paths, path
