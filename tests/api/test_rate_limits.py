"""Rate limits (service/api/ratelimit.py, Flask-Limiter): per rate token, a higher ceiling per
address, invalid API tokens per address, trusted proxies, shared through Redis, failing open.
Every 429 is in the error shape with Retry-After."""

from __future__ import annotations

import logging
import os

import pytest
import redis

from tests.conftest import bearer, make_app

HALL = "10.20.30.40"  # a service hall: many citizens behind one address
LIMITS = {"rate_limit_enabled": True, "rate_limit_token": "3/minute", "rate_limit_address": "8/minute",
          "rate_limit_public": "4/minute", "rate_limit_login": "3/minute", "rate_limit_invalid_token": "4/minute"}


@pytest.fixture
def limited(db_url, app):
    def build(**overrides):
        return make_app(db_url, **{**LIMITS, **overrides}).test_client()

    return build


def rate(client, token, address=HALL, level=5, headers=None):
    return client.post("/api/v1/reviews", json={"rate_token": token, "level": level, "channel": "pc"},
                       environ_base={"REMOTE_ADDR": address}, headers=headers or {})


def assert_limited(response):
    assert response.status_code == 429, response.get_data(as_text=True)[:200]
    assert response.get_json()["error"]["code"] == "rate_limited"
    assert set(response.get_json()) == {"error"}
    assert 1 <= int(response.headers["Retry-After"]) <= 61  # the window (60 s), rounded up


def test_one_rate_token_is_limited_without_locking_out_the_hall(limited, register_event):
    client = limited()
    attacker, citizen = register_event(), register_event()
    codes = [rate(client, attacker["rate_token"]).status_code for _ in range(3)]
    assert codes == [201, 409, 409]
    assert_limited(rate(client, attacker["rate_token"]))
    # A genuine citizen in the same hall still rates.
    assert rate(client, citizen["rate_token"]).status_code == 201


def test_the_address_ceiling_is_higher_and_per_address(limited, register_event):
    client = limited()
    events = [register_event() for _ in range(9)]
    codes = [rate(client, e["rate_token"]).status_code for e in events]
    assert codes[:8] == [201] * 8
    assert_limited(rate(client, events[8]["rate_token"]))
    assert rate(client, events[8]["rate_token"], address="10.99.0.1").status_code == 201


def test_staff_calls_to_citizen_endpoints_are_not_counted_as_citizens(limited, register_event, make_token):
    client = limited(rate_limit_address="2/minute")
    operator = bearer(make_token("operator"))
    for _ in range(4):
        response = client.post("/api/v1/reviews", headers=operator, environ_base={"REMOTE_ADDR": HALL},
                               json={"event_no": "NOPE", "level": 5, "channel": "hotline"})
        assert response.status_code == 404  # unknown event, never 429


def test_citizen_confirmation_is_limited_per_token(limited, register_event):
    client = limited()
    event = register_event()
    codes = [client.post("/api/v1/tickets/1/actions", environ_base={"REMOTE_ADDR": HALL},
                         json={"action": "confirm", "satisfied": True, "rate_token": event["rate_token"]}
                         ).status_code for _ in range(4)]
    assert codes[:3] == [404] * 3 and codes[3] == 429


def test_public_figures_are_limited_per_address(limited, depts):
    client = limited()
    get = lambda address: client.get("/api/v1/public/indicators?period=2026-10",  # noqa: E731
                                     environ_base={"REMOTE_ADDR": address})
    assert [get(HALL).status_code for _ in range(4)] == [404] * 4
    assert_limited(get(HALL))
    assert get("10.99.0.2").status_code == 404


def test_password_logins_are_limited_per_address(limited, depts):
    client = limited()
    login = lambda: client.post("/api/v1/auth/login", json={"name": "x", "password": "y"},  # noqa: E731
                                environ_base={"REMOTE_ADDR": HALL})
    assert [login().status_code for _ in range(3)] == [401] * 3
    assert_limited(login())


def test_invalid_api_tokens_are_limited_per_address_and_valid_ones_never(limited, make_token, depts):
    client = limited()
    admin = bearer(make_token("admin"))
    guess = lambda address=HALL: client.get("/api/v1/reviews", headers=bearer("guessed-token"),  # noqa: E731
                                            environ_base={"REMOTE_ADDR": address})
    assert [guess().status_code for _ in range(4)] == [401] * 4
    assert_limited(guess())
    assert client.get("/api/v1/reviews", headers=admin, environ_base={"REMOTE_ADDR": HALL}).status_code == 200
    assert guess("10.99.0.3").status_code == 401


def test_forwarded_for_counts_only_through_configured_proxy_hops(limited, register_event):
    event = register_event()
    behind_proxy = limited(proxy_hops=1)
    for n in range(4):  # four citizens behind one proxy, each its own address
        forwarded = {"X-Forwarded-For": f"192.0.2.{n}"}
        assert rate(behind_proxy, f"unknown-{n}", address="127.0.0.1", headers=forwarded).status_code == 404
    direct = limited(rate_limit_address="2/minute")  # no trusted proxy: the header is ignored
    spoofed = [rate(direct, event["rate_token"] + "x", headers={"X-Forwarded-For": f"198.51.100.{n}"}).status_code
               for n in range(3)]
    assert spoofed[:2] == [404, 404] and spoofed[2] == 429


@pytest.fixture
def redis_url():
    url = os.environ.get("TEST_REDIS_URL")
    if not url:
        pytest.skip("TEST_REDIS_URL is not set: run through scripts/test.sh for a real Redis")
    client = redis.Redis.from_url(url)
    for key in client.scan_iter("LIMITS:*"):
        client.delete(key)
    return url


def test_limits_are_shared_through_redis_by_every_worker(limited, register_event, redis_url):
    workers = [limited(redis_url=redis_url), limited(redis_url=redis_url)]  # two processes' apps
    event = register_event()
    codes = [rate(workers[n % 2], event["rate_token"]).status_code for n in range(4)]
    assert codes[:3] == [201, 409, 409]
    assert_limited(rate(workers[1], event["rate_token"]))


def test_unreachable_redis_lets_citizens_through_and_logs(limited, register_event, caplog):
    client = limited(redis_url="redis://127.0.0.1:1/0", rate_limit_token="1/minute")
    event = register_event()
    with caplog.at_level(logging.WARNING):
        codes = [rate(client, event["rate_token"]).status_code for _ in range(3)]
    assert codes == [201, 409, 409]  # never 429, never 500
    assert any("rate limit" in r.getMessage().lower() for r in caplog.records), [r.getMessage() for r in caplog.records]
