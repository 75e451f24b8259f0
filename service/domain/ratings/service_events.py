"""Service events (办件): registered by department systems, each with its own rate token.

The rate token is the citizen's key (domain.md §2): 256 random bits, handed once in the answer to
the system that registered the event (or asked for a resend) and stored only as its SHA-256, like an
API token. A resend rotates it (audited) and the old one stops working everywhere. The rating is open
until completion + RATE_TOKEN_TTL_DAYS; the follow-up and the confirmation of the event's ticket have
their own windows (reviews.py, tickets).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from config.settings import Settings
from service.domain.accounts import Entry, Scope, record, require_department, scope_for
from service.domain.errors import Conflict, Forbidden, NotFound, ValidationFailed
from service.domain.privacy import ContactCipher, mask_name, mask_phone
from service.models import ServiceEvent, User

CLOCK_SKEW = timedelta(minutes=5)


def fingerprint(data: dict[str, Any]) -> str:
    """A stable hash of a request body, to tell an idempotent replay from a conflicting one."""

    def default(value: Any) -> str:
        if isinstance(value, datetime):
            return value.isoformat()
        raise TypeError(type(value))

    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, default=default)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def register_service_event(
    session: Session,
    settings: Settings,
    cipher: ContactCipher,
    actor: User,
    data: dict[str, Any],
    now: datetime,
) -> tuple[ServiceEvent, bool]:
    """Returns (event, created). The same body again returns the stored event; another is 409."""
    print_ = fingerprint(data)
    scope = scope_for(actor)
    existing = session.scalar(select(ServiceEvent).where(ServiceEvent.event_no == data["event_no"]))
    if existing is not None:
        return _replay(scope, existing, print_), False
    department = require_department(session, data["department_code"])
    if not scope.allows(department):
        raise Forbidden("只能登记本部门的办件。")
    if data["completed_at"] > now + CLOCK_SKEW:
        raise ValidationFailed("办结时间不能晚于当前时间。", {"completed_at": ["办结时间不能晚于当前时间。"]})
    citizen = data.get("citizen") or {}
    event = ServiceEvent(
        event_no=data["event_no"],
        department=department,
        item_name=data["item_name"],
        item_code=data.get("item_code"),
        staff_no=data.get("staff_no"),
        channel=data["channel"],
        completed_at=data["completed_at"],
        # Rating is open for the TTL after the event's completion, not its registration (domain.md §2).
        rate_token_expires_at=data["completed_at"] + timedelta(days=settings.rate_token_ttl_days),
        citizen_name_enc=cipher.encrypt(citizen.get("name")),
        citizen_phone_enc=cipher.encrypt(citizen.get("phone")),
        citizen_phone_bidx=cipher.phone_index(citizen.get("phone")),
        citizen_name_masked=mask_name(citizen.get("name")),
        citizen_phone_masked=mask_phone(citizen.get("phone")),
        citizen_real_name=bool(citizen.get("real_name", False)),
        body_fingerprint=print_,
        created_by_id=actor.id,
    )
    token = _issue_rate_token(event)
    session.add(event)
    try:
        session.commit()
    except IntegrityError:
        # Another request registered the same event_no between our read and our insert.
        session.rollback()
        existing = session.scalar(select(ServiceEvent).where(ServiceEvent.event_no == data["event_no"]))
        if existing is None:
            raise
        return _replay(scope, existing, print_), False
    event.rate_token = token
    return event, True


def _replay(scope: Scope, existing: ServiceEvent, print_: str) -> ServiceEvent:
    """The same body again: the stored event, without its token (it was handed out once; a lost
    answer is recovered with a resend). Scope first, so another department learns nothing."""
    if not scope.allows(existing.department):
        raise NotFound("办件不存在。")
    if existing.body_fingerprint != print_:
        raise Conflict("办件编号已存在且内容不同。", {"event_no": ["办件编号已存在且内容不同。"]})
    return existing


def hash_rate_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _issue_rate_token(event: ServiceEvent) -> str:
    token = secrets.token_urlsafe(32)
    event.rate_token_hash = hash_rate_token(token)
    return token


def rotate_rate_token(session: Session, scope: Scope, event_id: int, actor: User, now: datetime) -> ServiceEvent:
    """重发评价链接: a fresh token replaces the old one, which stops working at once (audited)."""
    event = get_service_event(session, scope, event_id)
    token = _issue_rate_token(event)
    record(session, Entry(actor=actor.name, action="rate_token_rotated", entity_type="service_event",
                          entity_id=event.id, at=now))
    session.commit()
    event.rate_token = token
    return event


def get_service_event(session: Session, scope: Scope, event_id: int) -> ServiceEvent:
    event = session.get(ServiceEvent, event_id)
    if event is None or not scope.allows(event.department):
        raise NotFound("办件不存在。")
    return event


def event_for_token(session: Session, rate_token: str) -> ServiceEvent:
    """The event a rate token opens (whatever it is opened for); unknown or rotated ⇒ 404."""
    event = session.scalar(select(ServiceEvent).where(ServiceEvent.rate_token_hash == hash_rate_token(rate_token)))
    if event is None:
        raise NotFound("评价链接无效或已过期。")
    return event


def token_matches(event: ServiceEvent, rate_token: str | None) -> bool:
    """Constant-time check that `rate_token` is this event's current token."""
    return bool(rate_token) and hmac.compare_digest(event.rate_token_hash, hash_rate_token(rate_token))


def unmask_contact(
    session: Session, cipher: ContactCipher, scope: Scope, event_id: int, actor: User, reason: str
) -> dict[str, str | None]:
    """Reveal a citizen's contact data to a permitted role; the reading itself is audited."""
    event = get_service_event(session, scope, event_id)
    record(session, Entry(actor=actor.name, action="contact_unmasked", entity_type="service_event",
                          entity_id=event.id, note=reason))
    session.commit()
    return {"name": cipher.decrypt(event.citizen_name_enc), "phone": cipher.decrypt(event.citizen_phone_enc)}
