def test_healthz(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}


def test_readyz_checks_the_database_and_queue(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["queue"] == "inline"


def test_readyz_is_503_when_redis_is_unreachable(db_url):
    from tests.conftest import make_app

    app = make_app(db_url, redis_url="redis://127.0.0.1:1/0")
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.headers["Retry-After"]
    assert response.get_json()["checks"]["queue"].startswith("error")


def test_openapi_document_describes_the_contract(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    for path in ("/api/v1/reviews", "/api/v1/service-events", "/api/v1/departments",
                 "/api/v1/reviews/{review_id}/tags"):
        assert path in spec["paths"], path
    assert "ReviewCreate" in spec["components"]["schemas"]
