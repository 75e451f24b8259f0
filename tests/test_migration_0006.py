"""Migration 0006 re-keys the audit chain that earlier versions wrote (plain SHA-256, no
positions), and refuses to launder a chain that was already broken."""

from __future__ import annotations

import hashlib
import importlib.util
import json
from datetime import datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import insert, text

from service.domain.accounts import audit
from service.extensions import db
from service.models import AuditEntry

MIGRATION = Path(__file__).resolve().parent.parent / "migrations" / "versions" / "0006_security.py"


def load_migration():
    spec = importlib.util.spec_from_file_location("migration_0006", MIGRATION)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def legacy_rows(count: int) -> list[dict]:
    """Entries as 0001–0005 wrote them: sha256(prev_hash + canonical content)."""
    rows, prev = [], audit.GENESIS
    for i in range(count):
        row = {"at": datetime(2026, 11, 20, 2, i, tzinfo=timezone.utc), "actor": "张三", "action": "sign",
               "entity_type": "ticket", "entity_id": str(i), "from_state": "dispatched", "to_state": "handling",
               "note": None, "data": {"n": i}}
        canonical = json.dumps({**row, "at": row["at"].isoformat()}, ensure_ascii=False, sort_keys=True,
                               separators=(",", ":"))
        row["prev_hash"], row["hash"] = prev, hashlib.sha256((prev + canonical).encode()).hexdigest()
        row["seq"] = -(i + 1)  # the column exists here already; the migration numbers the entries
        prev = row["hash"]
        rows.append(row)
    return rows


def run_rekey(session, rows):
    with db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":  # the trigger exists already in the test schema
            connection.execute(text("SET LOCAL session_replication_role = replica"))
        connection.execute(insert(AuditEntry), rows)
        load_migration()._rekey_audit_chain(connection)


def test_the_legacy_chain_is_rekeyed_with_positions_and_verifies(app, session):
    run_rekey(session, legacy_rows(4))
    entries = session.query(AuditEntry).order_by(AuditEntry.id).all()
    assert [e.seq for e in entries] == [1, 2, 3, 4]
    result = audit.verify(session)
    assert result.ok and result.checked == 4


def test_a_legacy_chain_that_is_already_broken_stops_the_upgrade(app, session):
    rows = legacy_rows(3)
    rows[1]["note"] = "edited after the fact"
    with pytest.raises(RuntimeError, match="does not verify under the old chain"):
        run_rekey(session, rows)
    assert session.query(AuditEntry).count() == 0  # the transaction rolled back
