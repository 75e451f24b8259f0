"""/metrics: Prometheus text from prometheus-client, only for a `metrics` scrape token or an
address in METRICS_ALLOWED_NETWORKS. (One scrape covering every gunicorn worker:
tests/integration/test_metrics_gunicorn.py.)"""

from tests.api.test_bad_input import assert_error
from tests.conftest import bearer, make_app


def test_metrics_need_a_scrape_token_or_an_allowed_address(client, make_token, depts):
    assert_error(client.get("/metrics"), 401, "unauthorized")
    assert_error(client.get("/metrics", headers=bearer(make_token("admin"))), 403, "forbidden")
    assert_error(client.get("/metrics", headers=bearer("not-a-token")), 401, "unauthorized")
    scrape = client.get("/metrics", headers=bearer(make_token("metrics")))
    assert scrape.status_code == 200 and scrape.mimetype == "text/plain"


def test_metrics_from_an_allowed_network_need_no_token(db_url, app):
    client = make_app(db_url, metrics_allowed_networks="10.1.0.0/16, 192.0.2.7").test_client()
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "10.1.2.3"}).status_code == 200
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "192.0.2.7"}).status_code == 200
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "10.2.0.1"}).status_code == 401


def test_forwarded_addresses_count_only_through_trusted_proxies(db_url, app):
    spoofed = {"X-Forwarded-For": "10.1.2.3"}
    direct = make_app(db_url, metrics_allowed_networks="10.1.0.0/16").test_client()
    assert direct.get("/metrics", headers=spoofed, environ_base={"REMOTE_ADDR": "203.0.113.9"}).status_code == 401
    proxied = make_app(db_url, metrics_allowed_networks="10.1.0.0/16", proxy_hops=1).test_client()
    assert proxied.get("/metrics", headers=spoofed, environ_base={"REMOTE_ADDR": "127.0.0.1"}).status_code == 200


def test_metrics_count_requests_and_pending_work(client, make_token, depts):
    token = bearer(make_token("metrics"))
    before = client.get("/metrics", headers=token).get_data(as_text=True)
    client.get("/healthz")
    client.get("/healthz")
    text = client.get("/metrics", headers=token).get_data(as_text=True)
    line = 'http_requests_total{endpoint="health.healthz",method="GET",status="200"}'
    assert count(text, line) == count(before, line) + 2
    assert "http_request_seconds_bucket" in text
    assert 'pending_jobs{kind="classification"} 0.0' in text


def count(text: str, prefix: str) -> float:
    for row in text.splitlines():
        if row.startswith(prefix + " "):
            return float(row.split()[-1])
    return 0.0
