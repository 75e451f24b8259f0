"""Staff accounts (issue 11 items 7 and 8): tokens expire and rotate; TOTP for password logins,
required for admins and supervisors in production; a per-account login lockout with backoff that
is audited as a summary, not per attempt."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pyotp
import pytest

from service.domain import accounts
from service.models import ApiToken, AuditEntry, LoginThrottle
from tests.conftest import bearer

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=timezone.utc)
PASSWORD = "正确的密码-Aa1"


def login(client, name, password=PASSWORD, **extra):
    return client.post("/api/v1/auth/login", json={"name": name, "password": password, **extra})


def audit_actions(session, *actions):
    return [e.action for e in session.query(AuditEntry).order_by(AuditEntry.id) if e.action in actions]


@pytest.fixture
def production(app, monkeypatch):
    monkeypatch.setitem(app.extensions, "settings", replace(app.extensions["settings"], env="production"))


# -- token expiry and rotation ------------------------------------------------------------------

def test_an_api_token_stops_working_when_it_expires(client, session, depts, time_machine):
    time_machine.move_to(NOW, tick=False)
    _, token = accounts.create_user(session, "svc", "appraisal", token_ttl=timedelta(days=90))
    assert session.query(ApiToken).one().expires_at == NOW + timedelta(days=90)
    time_machine.move_to(NOW + timedelta(days=89), tick=False)
    assert client.get("/api/v1/appraisal/scores?period=2026-10", headers=bearer(token)).status_code == 200
    time_machine.move_to(NOW + timedelta(days=90, seconds=1), tick=False)
    assert client.get("/api/v1/appraisal/scores?period=2026-10", headers=bearer(token)).status_code == 401


def test_users_rotate_issues_a_new_token_and_retires_the_old_one(runner, client, session, depts):
    _, old = accounts.create_user(session, "intake-sys", "intake")
    result = runner.invoke(args=["users", "rotate", "intake-sys"])
    assert result.exit_code == 0, result.output
    new = result.output.strip().splitlines()[-1]
    assert new != old and len(new) >= 43
    assert client.get("/api/v1/service-events/1", headers=bearer(old)).status_code == 401
    assert client.get("/api/v1/service-events/1", headers=bearer(new)).status_code == 404
    [entry] = session.query(AuditEntry).filter_by(action="tokens_rotated").all()
    assert entry.data["replaced"] == 1 and new not in str(entry.data) and old not in str(entry.data)
    assert runner.invoke(args=["users", "rotate", "nobody"]).exit_code != 0


def test_rotation_with_a_grace_period_keeps_the_old_token_until_then(client, session, depts, time_machine):
    time_machine.move_to(NOW, tick=False)
    _, old = accounts.create_user(session, "intake-sys", "intake")
    new = accounts.rotate_tokens(session, "intake-sys", timedelta(days=90), NOW, grace=timedelta(hours=24))
    time_machine.move_to(NOW + timedelta(hours=23), tick=False)
    assert client.get("/api/v1/service-events/1", headers=bearer(old)).status_code == 404  # still accepted
    time_machine.move_to(NOW + timedelta(hours=25), tick=False)
    assert client.get("/api/v1/service-events/1", headers=bearer(old)).status_code == 401
    assert client.get("/api/v1/service-events/1", headers=bearer(new)).status_code == 404


def test_a_password_login_token_is_short_lived(client, session, depts, time_machine):
    time_machine.move_to(NOW, tick=False)
    accounts.create_user(session, "zhang", "operator", password=PASSWORD)
    response = login(client, "zhang")
    assert response.status_code == 200
    token = response.get_json()["token"]
    assert response.get_json()["expires_at"] == "2026-11-25T14:00:00+00:00"  # LOGIN_TOKEN_TTL_HOURS 12
    time_machine.move_to(NOW + timedelta(hours=12, seconds=1), tick=False)
    assert client.get("/api/v1/departments", headers=bearer(token)).status_code == 401


# -- TOTP ----------------------------------------------------------------------------------------

def enrol(runner, name) -> str:
    result = runner.invoke(args=["users", "totp", name])
    assert result.exit_code == 0, result.output
    uri = result.output.strip().splitlines()[-1]
    assert uri.startswith("otpauth://totp/")
    return pyotp.parse_uri(uri).secret


def test_totp_is_checked_with_the_password_and_a_code_is_never_accepted_twice(runner, client, session, depts):
    accounts.create_user(session, "li", "operator", password=PASSWORD)
    secret = enrol(runner, "li")
    assert login(client, "li").status_code == 401  # the password alone no longer does
    assert login(client, "li", otp="000000").status_code == 401
    code = pyotp.TOTP(secret).now()
    ok = login(client, "li", otp=code)
    assert ok.status_code == 200
    assert login(client, "li", otp=code).status_code == 401  # replayed
    wrong_password = login(client, "li", password="wrong", otp=pyotp.TOTP(secret).now())
    assert wrong_password.get_json()["error"]["message"] == login(client, "li").get_json()["error"]["message"]
    assert secret not in str([(e.note, e.data) for e in session.query(AuditEntry)])
    assert runner.invoke(args=["users", "totp", "li", "--disable"]).exit_code == 0
    assert login(client, "li").status_code == 200


def test_totp_is_required_for_admins_and_supervisors_in_production(runner, client, session, depts, production):
    accounts.create_user(session, "boss", "admin", password=PASSWORD)
    accounts.create_user(session, "sup", "supervisor", password=PASSWORD)
    accounts.create_user(session, "op", "operator", password=PASSWORD)
    assert login(client, "boss").status_code == 403 and login(client, "sup").status_code == 403
    assert login(client, "boss", password="wrong").status_code == 401  # says nothing more
    assert login(client, "op").status_code == 200  # optional for the other roles
    secret = enrol(runner, "boss")
    assert login(client, "boss", otp=pyotp.TOTP(secret).now()).status_code == 200


def test_totp_is_optional_in_development(client, session, depts):
    accounts.create_user(session, "dev-admin", "admin", password=PASSWORD)
    assert login(client, "dev-admin").status_code == 200


# -- lockout -------------------------------------------------------------------------------------

def test_an_account_is_locked_after_repeated_failures_with_growing_backoff(client, session, depts, time_machine):
    time_machine.move_to(NOW, tick=False)
    accounts.create_user(session, "wang", "operator", password=PASSWORD)
    for _ in range(5):
        assert login(client, "wang", password="guess").status_code == 401
    locked = login(client, "wang")  # even the right password: the lock is not an oracle
    assert locked.status_code == 429 and locked.get_json()["error"]["code"] == "rate_limited"
    assert locked.headers["Retry-After"] == "60"
    time_machine.move_to(NOW + timedelta(seconds=61), tick=False)
    assert login(client, "wang", password="guess").status_code == 401  # sixth failure: 120 s
    assert login(client, "wang").headers["Retry-After"] == "120"
    time_machine.move_to(NOW + timedelta(seconds=61 + 121), tick=False)
    response = login(client, "wang")
    assert response.status_code == 200
    assert session.get(LoginThrottle, "wang") is None
    # A summary, not one row per attempt: two locks and the success with its count.
    assert audit_actions(session, "login", "login_failed", "login_locked") == ["login_locked", "login_locked", "login"]
    summary = session.query(AuditEntry).filter_by(action="login").one()
    assert summary.data == {"failed_attempts": 6}


def test_the_lock_is_per_account_and_says_nothing_about_unknown_names(client, session, depts):
    accounts.create_user(session, "zhao", "operator", password=PASSWORD)
    for _ in range(5):
        login(client, "ghost", password="guess")
    assert login(client, "ghost").status_code == 429  # unknown names lock the same way
    assert login(client, "zhao").status_code == 200  # another account is not affected


def test_backoff_is_capped_and_old_failures_are_forgotten(client, session, depts, time_machine):
    time_machine.move_to(NOW, tick=False)
    accounts.create_user(session, "qian", "operator", password=PASSWORD)
    moment = NOW
    for _ in range(12):
        login(client, "qian", password="guess")
        moment += timedelta(hours=2)
        time_machine.move_to(moment, tick=False)
    login(client, "qian", password="guess")
    assert login(client, "qian").headers["Retry-After"] == "3600"  # LOGIN_LOCKOUT_MAX_SECONDS
    time_machine.move_to(moment + timedelta(hours=25), tick=False)
    assert login(client, "qian", password="guess").status_code == 401  # counting starts again
    assert login(client, "qian").status_code == 200
