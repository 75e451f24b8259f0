"""The append-only, hash-chained audit log. Every state change goes through `record`."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import insert, select, text
from sqlalchemy.orm import Session

from service.domain.pagination import paginate
from service.models import AuditEntry
from service.models.types import utcnow

GENESIS = "0" * 64
_LOCK_KEY = 7_345_001  # one advisory lock serialises appends to the single chain on PostgreSQL


@dataclass(frozen=True)
class Entry:
    actor: str
    action: str
    entity_type: str
    entity_id: str | int
    from_state: str | None = None
    to_state: str | None = None
    note: str | None = None
    data: dict[str, Any] | None = None
    at: datetime | None = None


def _digest(prev_hash: str, row: dict[str, Any]) -> str:
    payload = {
        "at": row["at"].isoformat(),
        "actor": row["actor"],
        "action": row["action"],
        "entity_type": row["entity_type"],
        "entity_id": row["entity_id"],
        "from_state": row["from_state"],
        "to_state": row["to_state"],
        "note": row["note"],
        "data": row["data"],
    }
    canonical = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256((prev_hash + canonical).encode("utf-8")).hexdigest()


def _last_hash(session: Session) -> str:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_KEY})
    last = session.scalar(select(AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1))
    return last or GENESIS


def record_many(session: Session, entries: Iterable[Entry]) -> int:
    """Append entries in order within the caller's transaction; returns how many were written."""
    rows = []
    prev = None
    for entry in entries:
        if prev is None:
            prev = _last_hash(session)
        row = {
            # Hashed exactly as stored: UTC, so a caller's +08:00 time cannot break the chain.
            "at": (entry.at or utcnow()).astimezone(timezone.utc),
            "actor": entry.actor,
            "action": entry.action,
            "entity_type": entry.entity_type,
            "entity_id": str(entry.entity_id),
            "from_state": entry.from_state,
            "to_state": entry.to_state,
            "note": entry.note,
            "data": entry.data,
        }
        row["prev_hash"] = prev
        row["hash"] = prev = _digest(prev, row)
        rows.append(row)
    if rows:
        session.execute(insert(AuditEntry), rows)
    return len(rows)


def record(session: Session, entry: Entry) -> None:
    record_many(session, [entry])


def history(session: Session, entity_type: str, entity_id: str | int) -> list[AuditEntry]:
    stmt = (
        select(AuditEntry)
        .where(AuditEntry.entity_type == entity_type, AuditEntry.entity_id == str(entity_id))
        .order_by(AuditEntry.id)
    )
    return list(session.scalars(stmt))


def list_entries(session: Session, entity_type: str | None, entity_id: str | None, action: str | None,
                 page: int, per_page: int):
    stmt = select(AuditEntry)
    if entity_type:
        stmt = stmt.where(AuditEntry.entity_type == entity_type)
    if entity_id:
        stmt = stmt.where(AuditEntry.entity_id == entity_id)
    if action:
        stmt = stmt.where(AuditEntry.action == action)
    return paginate(session, stmt.order_by(AuditEntry.id.desc()), page, per_page)


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    broken_id: int | None = None
    reason: str | None = None


def verify(session: Session, batch: int = 5000) -> VerifyResult:
    """Walk the whole chain in id order; report the first entry whose link does not hold."""
    prev, checked, last_id = GENESIS, 0, 0
    while True:
        stmt = select(AuditEntry).where(AuditEntry.id > last_id).order_by(AuditEntry.id).limit(batch)
        chunk = list(session.scalars(stmt))
        if not chunk:
            return VerifyResult(True, checked)
        for entry in chunk:
            row = {c: getattr(entry, c) for c in ("at", "actor", "action", "entity_type",
                                                   "entity_id", "from_state", "to_state",
                                                   "note", "data")}
            if entry.prev_hash != prev:
                return VerifyResult(False, checked, entry.id, "prev_hash does not match")
            if _digest(prev, row) != entry.hash:
                return VerifyResult(False, checked, entry.id, "content does not match its hash")
            prev, checked, last_id = entry.hash, checked + 1, entry.id
        session.expunge_all()
