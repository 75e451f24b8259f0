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


def test_metrics_are_prometheus_text(client):
    client.get("/healthz")
    response = client.get("/metrics")
    assert response.mimetype == "text/plain"
    text = response.get_data(as_text=True)
    assert 'http_requests_total{endpoint="health.healthz",method="GET",status="200"}' in text
    assert "pending_jobs" in text


def test_public_rating_endpoint_is_rate_limited(db_url):
    from tests.conftest import make_app

    app = make_app(db_url, public_rate_limit=3)
    client = app.test_client()
    codes = [client.post("/api/v1/reviews", json={"rate_token": "x", "level": 5, "channel": "pc"},
                         environ_base={"REMOTE_ADDR": "10.9.9.9"}).status_code for _ in range(5)]
    assert codes[:3] == [404, 404, 404]
    assert codes[3:] == [429, 429]
    limited = client.post("/api/v1/reviews", json={"rate_token": "x", "level": 5, "channel": "pc"},
                          environ_base={"REMOTE_ADDR": "10.9.9.9"})
    assert limited.get_json()["error"]["code"] == "rate_limited"
    assert int(limited.headers["Retry-After"]) >= 1
