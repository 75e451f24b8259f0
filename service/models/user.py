from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.extensions import db
from service.models.department import Department
from service.models.types import UTCDateTime, utcnow

ROLES = ("admin", "operator", "dept_staff", "supervisor", "auditor", "appraisal", "intake", "metrics")


class User(db.Model):
    """A staff member or a service account (appraisal engine, department system)."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # TOTP (second factor of a password login): the secret encrypted at rest, and the last time
    # step accepted, so a code is never accepted twice.
    totp_secret_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    totp_last_step: Mapped[int | None] = mapped_column(Integer)

    department: Mapped[Department | None] = relationship()


class ApiToken(db.Model):
    """Only the SHA-256 of a token is stored: tokens are 256 random bits, so a fast hash is safe.
    Every token expires (API_TOKEN_TTL_DAYS for accounts, LOGIN_TOKEN_TTL_HOURS for a password
    login); `flask users rotate` replaces an account's tokens."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()


class LoginThrottle(db.Model):
    """Failed password logins per account name (known or not, so a lockout tells nobody whether
    the name exists): after LOGIN_LOCKOUT_THRESHOLD failures the name is locked, each further
    failure doubling the lock up to LOGIN_LOCKOUT_MAX_SECONDS. A success removes the row."""

    __tablename__ = "login_throttles"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_failure_at: Mapped[datetime] = mapped_column(UTCDateTime())
