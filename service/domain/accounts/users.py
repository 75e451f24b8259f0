"""Users, service accounts, API tokens (each with an expiry, rotated by `users rotate`), and the
department scope a user may see. Password login with lockout and TOTP: login.py, totp.py."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from config.settings import Settings
from service.domain.accounts.audit import Entry, record
from service.domain.errors import Conflict, NotFound, ValidationFailed
from service.models import ApiToken, Department, User
from service.models.types import utcnow
from service.models.user import ROLES

_hasher = PasswordHasher()
# Roles that act for one department and so see only its subtree.
DEPARTMENT_ROLES = ("dept_staff",)
# The configured default (API_TOKEN_TTL_DAYS); the CLI passes the running settings' value.
DEFAULT_TOKEN_TTL = timedelta(days=Settings.api_token_ttl_days)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_user(
    session: Session,
    name: str,
    role: str,
    department_code: str | None = None,
    password: str | None = None,
    token_ttl: timedelta = DEFAULT_TOKEN_TTL,
) -> tuple[User, str]:
    """Create a user or service account with a fresh token; the token is returned once, never stored."""
    if role not in ROLES:
        raise ValidationFailed("角色无效。", {"role": [f"可选角色：{', '.join(ROLES)}"]})
    department = None
    if department_code:
        department = session.scalar(select(Department).where(Department.code == department_code))
        if department is None:
            raise ValidationFailed("部门不存在。", {"department": ["部门不存在。"]})
    if role in DEPARTMENT_ROLES and department is None:
        raise ValidationFailed("承办单位账号必须指定部门。", {"department": ["必填。"]})
    if session.scalar(select(User.id).where(User.name == name)) is not None:
        raise Conflict("用户名已存在。", {"name": ["用户名已存在。"]})
    user = User(
        name=name,
        role=role,
        department=department,
        password_hash=_hasher.hash(password) if password else None,
    )
    session.add(user)
    session.flush()
    token = issue_token(session, user, token_ttl)
    record(session, Entry(actor="system", action="user_created", entity_type="user",
                          entity_id=user.id, to_state=role))
    session.commit()
    return user, token


def issue_token(session: Session, user: User, ttl: timedelta = DEFAULT_TOKEN_TTL,
                now: datetime | None = None) -> str:
    """A fresh 256-bit token valid for `ttl`; only its hash is stored."""
    token = secrets.token_urlsafe(32)
    now = now or utcnow()
    session.add(ApiToken(user_id=user.id, token_hash=hash_token(token), prefix=token[:8], created_at=now,
                         expires_at=now + ttl))
    return token


def rotate_tokens(session: Session, name: str, ttl: timedelta, now: datetime,
                  grace: timedelta = timedelta(0)) -> str:
    """`users rotate`: a fresh token; the account's other tokens stop working at once, or after
    `grace` so a service account's system can switch over. Audited; the new token is returned once."""
    user = session.scalar(select(User).where(User.name == name))
    if user is None:
        raise NotFound("用户不存在。")
    old = (ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None), ApiToken.expires_at > now + grace)
    count = session.execute(update(ApiToken).where(*old).values(expires_at=now + grace)).rowcount
    token = issue_token(session, user, ttl, now)
    record(session, Entry(actor="system", action="tokens_rotated", entity_type="user", entity_id=user.id,
                          at=now, data={"replaced": count, "grace_seconds": int(grace.total_seconds()),
                                        "expires_at": (now + ttl).isoformat()}))
    session.commit()
    return token


def revoke_tokens(session: Session, name: str) -> int:
    user = session.scalar(select(User).where(User.name == name))
    if user is None:
        raise NotFound("用户不存在。")
    tokens = session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    ).all()
    for token in tokens:
        token.revoked_at = utcnow()
    record(session, Entry(actor="system", action="tokens_revoked", entity_type="user",
                          entity_id=user.id, data={"count": len(tokens)}))
    session.commit()
    return len(tokens)


def user_for_token(session: Session, token: str, now: datetime | None = None) -> User | None:
    """The active user a token belongs to, while it is neither revoked nor expired."""
    stmt = (
        select(User)
        .join(ApiToken, ApiToken.user_id == User.id)
        .where(
            ApiToken.token_hash == hash_token(token),
            ApiToken.revoked_at.is_(None),
            ApiToken.expires_at > (now or utcnow()),
            User.active.is_(True),
        )
    )
    return session.scalar(stmt)


def check_password(user: User, password: str) -> bool:
    if not user.password_hash:
        return False
    try:
        return _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@dataclass(frozen=True)
class Scope:
    """What a user may see: everything, or one department's subtree (by its path prefix)."""

    path_prefix: str | None = None

    @property
    def everything(self) -> bool:
        return self.path_prefix is None

    def allows(self, department: Department) -> bool:
        return self.everything or department.path.startswith(self.path_prefix)


def scope_for(user: User) -> Scope:
    if user.role in DEPARTMENT_ROLES and user.department is not None:
        return Scope(user.department.path)
    return Scope()
