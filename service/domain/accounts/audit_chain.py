"""The keyed hash chain itself: the key, each entry's HMAC, appending, and signed anchors of the
head. The overview is in audit.py."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select, text
from sqlalchemy.orm import Session

from service.models import AuditEntry
from service.models.types import utcnow

log = logging.getLogger(__name__)
GENESIS = "0" * 64
_LOCK_KEY = 7_345_001  # one advisory lock serialises appends to the single chain on PostgreSQL
_key_source: Callable[[], bytes] | None = None


def use_audit_key(source: Callable[[], bytes]) -> None:
    """Where the chain's key comes from: the app's settings (service/base.py installs it)."""
    global _key_source
    _key_source = source


def audit_key() -> bytes:
    if _key_source is None:
        raise RuntimeError("the audit key is not configured (service.base.create_base_app installs it)")
    return _key_source()


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


CONTENT = ("at", "actor", "action", "entity_type", "entity_id", "from_state", "to_state", "note", "data")


def digest(key: bytes, prev_hash: str, seq: int, row: dict[str, Any]) -> str:
    """The entry's keyed hash: HMAC-SHA256 over the previous hash, the position and the content."""
    payload = {name: row[name] for name in CONTENT}
    payload["at"] = row["at"].astimezone(timezone.utc).isoformat()
    canonical = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hmac.new(key, f"{prev_hash}|{seq}|{canonical}".encode(), hashlib.sha256).hexdigest()


def _head(session: Session) -> tuple[int, str]:
    """(seq, hash) of the last entry, locked against concurrent appends on PostgreSQL."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_KEY})
    last = session.execute(select(AuditEntry.seq, AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1)).first()
    return (last.seq, last.hash) if last else (0, GENESIS)


def record_many(session: Session, entries: Iterable[Entry]) -> int:
    """Append entries in order within the caller's transaction; returns how many were written."""
    rows, head, key = [], None, None
    for entry in entries:
        if head is None:
            head, key = _head(session), audit_key()
        seq, prev = head[0] + 1, head[1]
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
        row.update(seq=seq, prev_hash=prev, hash=digest(key, prev, seq, row))
        head = (seq, row["hash"])
        rows.append(row)
    if rows:
        session.execute(insert(AuditEntry), rows)
    return len(rows)


def record(session: Session, entry: Entry) -> None:
    record_many(session, [entry])


# -- anchors: the head of the chain, signed, kept outside the table ----------------------------

def _signature(key: bytes, count: int, head_id: int, head_hash: str, at: str) -> str:
    message = f"audit-anchor|{count}|{head_id}|{head_hash}|{at}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def anchor(session: Session, now: datetime) -> dict[str, Any]:
    """The chain's head now — how many entries, the last one's id and hash — signed with the
    audit key. Kept in a publication record, a checkpoint file and a log line."""
    last = session.execute(
        select(AuditEntry.seq, AuditEntry.id, AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1)
    ).first()
    count, head_id, head_hash = (last.seq, last.id, last.hash) if last else (0, 0, GENESIS)
    at = now.astimezone(timezone.utc).isoformat()
    return {"count": count, "head_id": head_id, "head_hash": head_hash, "at": at,
            "signature": _signature(audit_key(), count, head_id, head_hash, at)}


def signature_holds(data: dict[str, Any]) -> bool:
    try:
        expected = _signature(audit_key(), int(data["count"]), int(data["head_id"]), str(data["head_hash"]),
                              str(data["at"]))
    except (KeyError, TypeError, ValueError):
        return False
    return hmac.compare_digest(expected, str(data.get("signature", "")))


def append_checkpoint(path: str, checkpoint: dict[str, Any]) -> None:
    """One JSON line per checkpoint, appended and flushed to disk (the file is never rewritten)."""
    with open(path, "a", encoding="utf-8") as out:
        out.write(json.dumps({"audit_checkpoint": checkpoint}, sort_keys=True) + "\n")
        out.flush()


def checkpoint_audit(session: Session, path: str, now: datetime) -> dict[str, Any]:
    """A signed checkpoint of the head, appended to `path` and written as a log line: two copies
    outside the table (ship the log off the machine, back the file up elsewhere)."""
    made = anchor(session, now)
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    append_checkpoint(path, made)
    log.info("audit checkpoint", extra={"audit_checkpoint": made})
    return made
