"""The append-only, keyed hash chain of the audit log. Every state change goes through `record`.

Each entry has a position `seq` (1, 2, 3, … with no gap) and a hash that is an HMAC-SHA256, keyed
with AUDIT_KEY, over the previous entry's hash, its position and its content. Without the key
nobody can write an entry that verifies, so a forged row, an edited row, or a rewritten tail
whose later hashes were recomputed all show. What a keyed chain alone cannot show — rows cut off
the end, every row deleted, or a chain rewritten by someone holding the key — is shown by the
anchors: signed checkpoints of (count, head) kept outside the table (`checkpoint`, written to a
file and a log line by a periodic job) and in every publication record (`anchor`).
`audit_verify.verify` checks the chain against them. PostgreSQL refuses UPDATE, DELETE and
TRUNCATE on the table (migration 0006); the application never deletes an entry.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.domain.accounts.audit_chain import (
    GENESIS,
    Entry,
    anchor,
    append_checkpoint,
    audit_key,
    checkpoint_audit,
    digest,
    record,
    record_many,
    signature_holds,
    use_audit_key,
)
from service.domain.accounts.audit_verify import Anchor, VerifyResult, read_anchors, verify
from service.domain.pagination import paginate
from service.models import AuditEntry

__all__ = [
    "GENESIS", "Anchor", "Entry", "VerifyResult", "anchor", "append_checkpoint", "audit_key", "checkpoint_audit",
    "digest", "history", "list_entries", "read_anchors", "record", "record_many", "signature_holds",
    "use_audit_key", "verify",
]


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
