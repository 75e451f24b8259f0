"""Password login for staff: a short-lived API token, a per-account lockout with backoff, TOTP.

* Lockout: failures are counted per account *name*, known or not (a lock tells nobody whether the
  name exists). After LOGIN_LOCKOUT_THRESHOLD failures in a row the name is locked for
  LOGIN_LOCKOUT_BASE_SECONDS, doubled by each further failure up to LOGIN_LOCKOUT_MAX_SECONDS;
  while locked, attempts are refused (429) without checking the password, so a lock cannot be
  used to guess it. Failures older than LOGIN_FAILURE_RESET_HOURS are forgotten. The lock is per
  account, not per address: one attacker behind a service hall's shared address cannot lock the
  genuine citizens out of anything (the per-address limit is the rate limiter's).
* Audit: not one entry per attempt (a password spray would flood the chain that is never
  deleted), but a summary: `login_locked` when a name gets locked (how many failures, how long),
  and the successful `login` says how many failures preceded it.
* TOTP: when the account has a secret, the code is checked with the password and a wrong code is
  a failure like a wrong password, with the same answer. In production, admins and supervisors
  without TOTP cannot log in by password (403, once the password is right).
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from config.settings import Settings
from service.domain.accounts.audit import Entry, record
from service.domain.accounts.totp import Sealer, check_totp, totp_required
from service.domain.accounts.users import check_password, issue_token
from service.domain.errors import Forbidden, RateLimited, Unauthenticated
from service.models import LoginThrottle, User

FAILED = "用户名、密码或动态验证码错误。"


def login(session: Session, settings: Settings, sealer: Sealer, name: str, password: str, otp: str | None,
          now: datetime) -> tuple[str, datetime]:
    """Exchange a password (and TOTP code) for a token valid LOGIN_TOKEN_TTL_HOURS; returns
    (token, expires_at)."""
    throttle = _throttle(session, settings, name, now)
    if throttle is not None and throttle.locked_until is not None and throttle.locked_until > now:
        wait = math.ceil((throttle.locked_until - now).total_seconds())
        raise RateLimited(f"登录失败次数过多，请 {wait} 秒后再试。", wait)
    user = session.scalar(select(User).where(User.name == name, User.active.is_(True)))
    ok = user is not None and check_password(user, password)
    if ok and user.totp_secret_enc:
        ok = check_totp(user, sealer, otp, now)
    if not ok:
        _fail(session, settings, name, user, now)
        session.commit()
        raise Unauthenticated(FAILED)
    if totp_required(settings, user) and not user.totp_secret_enc:
        session.rollback()
        raise Forbidden("该角色须启用动态验证码（TOTP）后才能用密码登录：请管理员运行 flask users totp NAME。")
    failures = throttle.failures if throttle is not None else 0
    ttl = timedelta(hours=settings.login_token_ttl_hours)
    token = issue_token(session, user, ttl, now)
    session.execute(delete(LoginThrottle).where(LoginThrottle.name == name))
    record(session, Entry(actor=name, action="login", entity_type="user", entity_id=user.id, at=now,
                          data={"failed_attempts": failures} if failures else None))
    session.commit()
    return token, now + ttl


def _throttle(session: Session, settings: Settings, name: str, now: datetime) -> LoginThrottle | None:
    throttle = session.get(LoginThrottle, name)
    stale = now - timedelta(hours=settings.login_failure_reset_hours)
    if throttle is not None and throttle.last_failure_at < stale and not (
            throttle.locked_until and throttle.locked_until > now):
        session.delete(throttle)
        session.flush()
        return None
    return throttle


def _fail(session: Session, settings: Settings, name: str, user: User | None, now: datetime) -> None:
    """Count the failure in one statement (concurrent failures all count); lock from the threshold."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    stmt = insert(LoginThrottle).values(name=name, failures=1, last_failure_at=now)
    stmt = stmt.on_conflict_do_update(
        index_elements=["name"], set_={"failures": LoginThrottle.failures + 1, "last_failure_at": now},
    ).returning(LoginThrottle.failures)
    failures = session.execute(stmt).scalar_one()
    over = failures - settings.login_lockout_threshold
    if over < 0:
        return
    seconds = min(settings.login_lockout_base_seconds * 2 ** min(over, 30), settings.login_lockout_max_seconds)
    locked_until = now + timedelta(seconds=seconds)
    session.execute(LoginThrottle.__table__.update().where(LoginThrottle.name == name)
                    .values(locked_until=locked_until))
    record(session, Entry(actor=name, action="login_locked", entity_type="user",
                          entity_id=user.id if user else "-", at=now,
                          data={"failures": failures, "locked_seconds": seconds}))
