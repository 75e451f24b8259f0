"""GET /appraisal/scores: the appraisal role only; stable bytes and ETag per period and version."""

from __future__ import annotations

import pytest

from service.models import Publication
from tests.api.test_indicators import october
from tests.api.test_publications import close_appeal_window, post
from tests.conftest import bearer

PERIOD = "2026-10"


@pytest.fixture
def engine(make_token, depts, session):
    october(session, depts)
    return make_token("appraisal")


def scores(client, token, **query):
    return client.get("/api/v1/appraisal/scores", query_string={"period": PERIOD, **query},
                      headers=bearer(token))


def test_only_the_appraisal_role(client, engine, make_token):
    assert client.get(f"/api/v1/appraisal/scores?period={PERIOD}").status_code == 401
    for role in ("supervisor", "admin", "dept_staff"):
        token = make_token(role, "ZJJ-A" if role == "dept_staff" else None)
        assert scores(client, token).status_code == 403, role


def test_scores_explain_themselves(client, engine):
    response = scores(client, engine)
    assert response.status_code == 200
    items = {i["department_code"]: i for i in response.get_json()["items"]}
    a = items["ZJJ-A"]
    assert set(a["components"]) == {"satisfaction", "rectification", "response", "resolution"}
    assert a["weights"] == {"satisfaction": 0.35, "rectification": 0.3, "response": 0.15,
                            "resolution": 0.2}
    assert a["status"] == "provisional" and a["version"] == 0  # nothing published yet
    # satisfaction 56.25, rectification 0/1, response 1/1; resolution has no callbacks
    assert a["weights_applied"]["resolution"] == 0.0
    assert a["overdue_tickets"] == 1 and a["overdue_deduction"] == 2.0
    assert a["score"] == 41.36  # (0.35×56.25 + 0.30×0 + 0.15×100) / 0.8 − 2 = 43.36 − 2
    assert items["ZJJ-B"]["score"] is None


def test_published_version_is_byte_identical_with_etag_then_final(client, engine, make_token, session, known_year_clock):
    s1, s2 = make_token("supervisor"), make_token("supervisor")
    draft = post(client, "/publications", s1, {"period": PERIOD}).get_json()
    post(client, f"/publications/{draft['id']}/approve", s2)
    first, second = scores(client, engine), scores(client, engine)
    assert first.data == second.data and first.headers["ETag"] == second.headers["ETag"]
    assert {i["version"] for i in first.get_json()["items"]} == {1}
    assert {i["status"] for i in first.get_json()["items"]} == {"provisional"}  # appeal window open
    not_modified = client.get(f"/api/v1/appraisal/scores?period={PERIOD}",
                              headers={**bearer(engine), "If-None-Match": first.headers["ETag"]})
    assert not_modified.status_code == 304
    close_appeal_window(session, draft["id"])
    final = scores(client, engine)
    assert {i["status"] for i in final.get_json()["items"]} == {"final"}
    assert scores(client, engine, version=1).data == final.data
    assert scores(client, engine, version=7).status_code == 404
    assert session.get(Publication, draft["id"]).snapshot_hash == draft["snapshot_hash"]


@pytest.mark.parametrize("period", ["2026-13", "", "2099"])
def test_bad_periods_are_422(client, engine, period):
    response = scores(client, engine, period=period)
    assert response.status_code == 422 and "period" in response.get_json()["error"]["details"]
