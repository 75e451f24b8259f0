"""Publication end to end over HTTP: two supervisors, the public endpoints, appeals, versions."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from service.models import Publication
from service.models.types import utcnow
from tests.api.test_indicators import october
from tests.conftest import bearer

PERIOD = "2026-10"


@pytest.fixture
def tokens(make_token, depts, session):
    october(session, depts)
    return {"s1": make_token("supervisor"), "s2": make_token("supervisor"),
            "staff": make_token("dept_staff", "ZJJ-A"), "admin": make_token("admin")}


def post(client, path, token, body=None):
    return client.post(f"/api/v1{path}", json=body if body is not None else {}, headers=bearer(token))


def public(client, **query):
    return client.get("/api/v1/public/indicators", query_string={"period": PERIOD, **query})


def close_appeal_window(session, publication_id):
    # Time passing: a Core update, because the ORM refuses to touch a published row.
    session.execute(Publication.__table__.update().where(Publication.id == publication_id)
                    .values(appeal_deadline=utcnow() - timedelta(seconds=1)))
    session.commit()


def test_publication_flow_with_two_supervisors_appeal_window_and_correction(client, tokens, session, known_year_clock):
    draft = post(client, "/publications", tokens["s1"], {"period": PERIOD})
    assert draft.status_code == 201
    draft = draft.get_json()
    assert draft["status"] == "draft" and draft["version"] == 1 and draft["provisional"] is False
    assert public(client).status_code == 404

    same = post(client, f"/publications/{draft['id']}/approve", tokens["s1"])
    assert same.status_code == 409 and same.get_json()["error"]["code"] == "conflict"
    review = client.get(f"/api/v1/publications/{draft['id']}", headers=bearer(tokens["s2"]))
    assert {i["department_code"] for i in review.get_json()["items"]} == {"ZJJ", "ZJJ-A", "ZJJ-A1", "ZJJ-B"}
    approved = post(client, f"/publications/{draft['id']}/approve", tokens["s2"])
    assert approved.status_code == 200
    assert approved.get_json()["status"] == "published" and approved.get_json()["appeal_deadline"]
    again = post(client, f"/publications/{draft['id']}/approve", tokens["s2"])
    assert again.status_code == 409

    body = public(client).get_json()
    assert body["period"] == PERIOD and body["version"] == 1 and body["status"] == "published"
    a = next(i for i in body["items"] if i["department_code"] == "ZJJ-A")
    assert a["indicators"]["good_rate"] == {"value": 0.75, "numerator": 3, "denominator": 4}
    assert a["color"] in ("green", "yellow", "red") and a["score"] is not None

    appeal = post(client, f"/publications/{draft['id']}/appeals", tokens["staff"],
                  {"department_code": "ZJJ-A", "indicator": "overdue_tickets", "reason": "已获延期"})
    assert appeal.status_code == 201 and appeal.get_json()["status"] == "open"
    decided = post(client, f"/publications/{draft['id']}/appeals/{appeal.get_json()['id']}/decide",
                   tokens["s1"], {"accepted": True, "note": "将以更正版本发布"})
    assert decided.status_code == 200 and decided.get_json()["status"] == "accepted"

    close_appeal_window(session, draft["id"])
    late = post(client, f"/publications/{draft['id']}/appeals", tokens["staff"],
                {"department_code": "ZJJ-A", "indicator": "overdue_tickets", "reason": "再次申诉"})
    assert late.status_code == 409
    # The accepted appeal keeps the version from becoming final until the correction is approved.
    assert public(client).get_json()["status"] == "under_correction"
    assert post(client, f"/publications/{draft['id']}/approve", tokens["s2"]).status_code == 409

    no_reason = post(client, "/publications", tokens["s2"], {"period": PERIOD})
    assert no_reason.status_code == 422 and "reason" in no_reason.get_json()["error"]["details"]
    correction = post(client, "/publications", tokens["s2"], {"period": PERIOD, "reason": "申诉成立，更正"})
    assert correction.status_code == 201 and correction.get_json()["version"] == 2
    assert post(client, f"/publications/{correction.get_json()['id']}/approve", tokens["s1"]).status_code == 200

    latest = public(client).get_json()
    assert latest["version"] == 2 and latest["status"] == "published"
    assert [(v["version"], v["status"]) for v in latest["versions"]] == [(1, "superseded"), (2, "published")]
    assert latest["versions"][1]["reason"] == "申诉成立，更正"
    assert public(client, version=1).get_json()["status"] == "superseded"
    listing = client.get(f"/api/v1/publications?period={PERIOD}", headers=bearer(tokens["admin"]))
    assert [p["version"] for p in listing.get_json()["items"]] == [1, 2]


def test_public_csv_has_a_bom_and_etag(client, tokens):
    draft = post(client, "/publications", tokens["s1"], {"period": PERIOD}).get_json()
    post(client, f"/publications/{draft['id']}/approve", tokens["s2"])
    response = client.get(f"/api/v1/public/indicators.csv?period={PERIOD}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.data.startswith("\ufeff部门编码,部门名称".encode())
    first = public(client)
    assert first.headers["ETag"]
    cached = client.get(f"/api/v1/public/indicators?period={PERIOD}",
                        headers={"If-None-Match": first.headers["ETag"]})
    assert cached.status_code == 304 and cached.data == b""
    assert public(client).data == first.data


def test_open_period_is_provisional_and_roles_are_enforced(client, tokens, time_machine):
    # 17:00 UTC on the month's last day is already the 1st in Shanghai, where periods are counted:
    # the test froze nothing before and failed in that window every month.
    time_machine.move_to(datetime(2026, 11, 30, 17, 0, tzinfo=timezone.utc), tick=False)
    this_month = "2026-12"
    provisional = post(client, "/publications", tokens["s1"], {"period": this_month})
    assert provisional.status_code == 201 and provisional.get_json()["provisional"] is True
    assert post(client, "/publications", tokens["staff"], {"period": PERIOD}).status_code == 403
    assert post(client, "/publications", tokens["admin"], {"period": PERIOD}).status_code == 403
    assert client.post("/api/v1/publications", json={"period": PERIOD}).status_code == 401
    assert post(client, "/publications", tokens["s1"], {"period": "2099-01"}).status_code == 422
    assert post(client, "/publications", tokens["s1"], {"period": PERIOD, "x": 1}).status_code == 422
    assert post(client, "/publications/999/approve", tokens["s2"]).status_code == 404


def test_public_endpoint_bad_input(client, depts):
    assert public(client).status_code == 404
    assert public(client).get_json()["error"]["code"] == "not_found"
    assert client.get("/api/v1/public/indicators?period=2026-1").status_code == 422
    assert client.get("/api/v1/public/indicators").status_code == 422
    assert client.get(f"/api/v1/public/indicators.csv?period={PERIOD}").status_code == 404


def test_public_json_is_gzipped_on_request_with_its_own_etag(client, tokens):
    import gzip
    import json

    draft = post(client, "/publications", tokens["s1"], {"period": PERIOD}).get_json()
    post(client, f"/publications/{draft['id']}/approve", tokens["s2"])
    plain = public(client)
    zipped = client.get(f"/api/v1/public/indicators?period={PERIOD}",
                        headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert json.loads(gzip.decompress(zipped.data)) == plain.get_json()
    assert zipped.headers["ETag"] != plain.headers["ETag"]
    assert "Accept-Encoding" in zipped.headers["Vary"]
