"""TOTP, the second factor of a password login (RFC 6238 via pyotp): optional for every staff
account, required for the roles in TOTP_REQUIRED_ROLES (admin, supervisor) in production.

The secret is encrypted at rest by the caller's sealer (the contact-data cipher: accounts sits
below privacy, so it is handed in rather than imported). A code is accepted within one time step
of the clock, and never twice: the step last accepted is stored.
"""

from __future__ import annotations

import hmac
from datetime import datetime
from typing import Protocol

import pyotp
from sqlalchemy import select
from sqlalchemy.orm import Session

from config.settings import Settings
from service.domain.accounts.audit import Entry, record
from service.domain.errors import NotFound
from service.models import User


class Sealer(Protocol):
    def encrypt(self, value: str | None) -> bytes | None: ...

    def decrypt(self, blob: bytes | None) -> str | None: ...


def enable_totp(session: Session, settings: Settings, sealer: Sealer, name: str, now: datetime) -> dict[str, str]:
    """A fresh secret (replacing any earlier one); returns it and the otpauth:// URI to scan,
    shown once. Audited."""
    user = session.scalar(select(User).where(User.name == name))
    if user is None:
        raise NotFound("用户不存在。")
    secret = pyotp.random_base32()
    user.totp_secret_enc, user.totp_last_step = sealer.encrypt(secret), None
    record(session, Entry(actor="system", action="totp_enabled", entity_type="user", entity_id=user.id, at=now))
    session.commit()
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.name, issuer_name=settings.totp_issuer)
    return {"secret": secret, "uri": uri}


def disable_totp(session: Session, name: str, now: datetime) -> None:
    user = session.scalar(select(User).where(User.name == name))
    if user is None:
        raise NotFound("用户不存在。")
    user.totp_secret_enc, user.totp_last_step = None, None
    record(session, Entry(actor="system", action="totp_disabled", entity_type="user", entity_id=user.id, at=now))
    session.commit()


def totp_required(settings: Settings, user: User) -> bool:
    required = {role.strip() for role in settings.totp_required_roles.split(",") if role.strip()}
    return settings.production and user.role in required


def check_totp(user: User, sealer: Sealer, code: str | None, now: datetime) -> bool:
    """True, and the step remembered, when `code` is the user's current code (±1 step) and was
    not used before."""
    if not code or not user.totp_secret_enc:
        return False
    totp = pyotp.TOTP(sealer.decrypt(user.totp_secret_enc))
    current = totp.timecode(now)
    for step in (current - 1, current, current + 1):
        if hmac.compare_digest(totp.generate_otp(step), code.strip()):
            if user.totp_last_step is not None and step <= user.totp_last_step:
                return False  # replayed
            user.totp_last_step = step
            return True
    return False
