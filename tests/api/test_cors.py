"""CORS for the citizen and public API, for the origins in CORS_ORIGINS only (none by default)."""

from __future__ import annotations

import pytest

from tests.conftest import make_app

PORTAL = "https://www.city.example.gov.cn"


@pytest.fixture
def cors_client(_app):
    # A second app on the same database, with the setting; the session app has none.
    app = make_app(_app.extensions["settings"].database_url, cors_origins=f"{PORTAL}, https://h5.city.example")
    return app.test_client()


def preflight(client, path, origin=PORTAL, method="POST", headers="Content-Type"):
    return client.options(path, headers={"Origin": origin, "Access-Control-Request-Method": method,
                                         "Access-Control-Request-Headers": headers})


def test_no_origin_is_allowed_by_default(client):
    response = client.get("/api/v1/rate/some-token", headers={"Origin": PORTAL})
    assert "Access-Control-Allow-Origin" not in response.headers
    assert "Access-Control-Allow-Origin" not in preflight(client, "/api/v1/reviews").headers


def test_the_configured_origins_may_call_the_citizen_and_public_endpoints(cors_client):
    for path in ("/api/v1/reviews", "/api/v1/tickets/12/actions"):
        response = preflight(cors_client, path)
        assert response.headers.get("Access-Control-Allow-Origin") == PORTAL, path
        assert "POST" in response.headers["Access-Control-Allow-Methods"]
    for path in ("/api/v1/rate/unknown", "/api/v1/public/indicators?period=2026-10"):
        response = cors_client.get(path, headers={"Origin": "https://h5.city.example"})
        assert response.headers.get("Access-Control-Allow-Origin") == "https://h5.city.example", path
        assert "Access-Control-Allow-Credentials" not in response.headers


def test_other_origins_staff_endpoints_and_the_authorization_header_are_not_opened(cors_client):
    assert "Access-Control-Allow-Origin" not in cors_client.get(
        "/api/v1/rate/x", headers={"Origin": "https://evil.example"}).headers
    for path in ("/api/v1/reviews/5/tags", "/api/v1/tickets", "/api/v1/service-events"):
        assert "Access-Control-Allow-Origin" not in preflight(cors_client, path).headers, path
    staff_call = preflight(cors_client, "/api/v1/reviews", headers="Authorization")
    assert "authorization" not in staff_call.headers.get("Access-Control-Allow-Headers", "").lower()
