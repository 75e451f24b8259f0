"""The audit chain proves completeness, not only consistency (issue 11 item 5): the seven tampering
cases of the security review, each found and named by `audit verify`, against signed anchors kept
outside the table (checkpoint file, log line, publication records)."""

from __future__ import annotations

import hashlib
import json
import os
from contextlib import contextmanager

import pytest
from flask import current_app
from sqlalchemy import delete, insert, text, update
from sqlalchemy.exc import DBAPIError

from service.domain.accounts import audit
from service.models import AuditEntry
from service.models.types import utcnow
from tests.conftest import is_postgres


@contextmanager
def tampering(session):
    """What an attacker with the database owner's rights does: step past the append-only trigger
    (PostgreSQL) and change rows directly."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL session_replication_role = replica"))
    yield
    session.commit()


def entries(session) -> list[AuditEntry]:
    return session.query(AuditEntry).order_by(AuditEntry.id).all()


@pytest.fixture
def chain(session, tmp_path):
    """Six entries and a signed checkpoint of them in a file, as the periodic job writes it."""
    audit.record_many(session, [
        audit.Entry(actor="zhang", action="sign", entity_type="ticket", entity_id=i, to_state="handling")
        for i in range(1, 7)
    ])
    session.commit()
    path = tmp_path / "checkpoints.jsonl"
    audit.checkpoint_audit(session, str(path), utcnow())
    return path


def verify_with(session, path):
    anchors, problems = audit.read_anchors([path])
    return audit.verify(session, anchors, problems)


def rewrite_from(session, first_seq: int, key: bytes | None, note: str) -> None:
    """Rewrite entry `first_seq` and recompute every later hash: with the real key (an insider),
    with another key, or (key None) with plain SHA-256 as the old unkeyed chain did."""
    rows = entries(session)
    prev = rows[first_seq - 2].hash if first_seq > 1 else audit.GENESIS
    with tampering(session):
        for row in rows[first_seq - 1:]:
            content = {name: getattr(row, name) for name in audit_content()}
            if row.seq == first_seq:
                content["note"] = note
            if key is None:
                canonical = json.dumps({**content, "at": content["at"].isoformat()}, ensure_ascii=False,
                                       sort_keys=True, separators=(",", ":"))
                new = hashlib.sha256((prev + canonical).encode()).hexdigest()
            else:
                new = audit.digest(key, prev, row.seq, content)
            session.execute(update(AuditEntry).where(AuditEntry.id == row.id)
                            .values(note=content["note"], prev_hash=prev, hash=new))
            prev = new


def audit_content():
    from service.domain.accounts.audit_chain import CONTENT

    return CONTENT


def test_an_intact_chain_verifies_against_its_checkpoint(session, chain):
    result = verify_with(session, chain)
    assert result.ok and result.checked == 6 and result.anchors == 1 and result.problems == []


def test_1_an_edited_middle_row_is_named(session, chain):
    third = entries(session)[2]
    with tampering(session):
        session.execute(update(AuditEntry).where(AuditEntry.id == third.id).values(note="edited"))
    result = verify_with(session, chain)
    assert not result.ok and result.broken_id == third.id
    assert result.problems == [f"entry #3 (id {third.id}): content does not match its keyed hash "
                               "(edited, forged, or written without the audit key)"]


def test_2_a_deleted_middle_row_is_named_by_position(session, chain):
    third, fourth = entries(session)[2:4]
    with tampering(session):
        session.execute(delete(AuditEntry).where(AuditEntry.id == third.id))
    result = verify_with(session, chain)
    assert result.problems == [f"entry #3 missing (deleted before id {fourth.id})"]


def test_3_truncated_last_rows_are_named_against_the_checkpoint(session, chain):
    with tampering(session):
        session.execute(delete(AuditEntry).where(AuditEntry.seq > 4))
    result = verify_with(session, chain)
    assert len(result.problems) == 1
    assert result.problems[0].startswith("entries #5–#6 missing: the chain ends at #4, the anchor of ")
    assert result.problems[0].endswith("recorded 6 (truncated)") and str(chain) in result.problems[0]


def test_4_every_row_deleted_is_named(session, chain):
    with tampering(session):
        session.execute(delete(AuditEntry))
    result = verify_with(session, chain)
    assert not result.ok and result.checked == 0
    assert result.problems[0].startswith("all 6 entries missing: the table is empty")


def test_5_a_forged_row_appended_does_not_verify(session, chain):
    last = entries(session)[-1]
    row = {"at": utcnow(), "actor": "zhang", "action": "close", "entity_type": "ticket", "entity_id": "1",
           "from_state": "handling", "to_state": "closed", "note": None, "data": None}
    forged = audit.digest(os.urandom(32), last.hash, 7, row)  # everything right but the key
    with tampering(session):
        session.execute(insert(AuditEntry).values(**row, seq=7, prev_hash=last.hash, hash=forged))
    result = verify_with(session, chain)
    assert len(result.problems) == 1 and result.problems[0].startswith("entry #7 (id ")
    assert "content does not match its keyed hash" in result.problems[0]


def test_6_a_rewritten_row_with_every_later_hash_recomputed_without_the_key(session, chain):
    ids = [e.id for e in entries(session)]
    rewrite_from(session, 3, None, "rewritten")  # what verified before the chain was keyed
    result = verify_with(session, chain)
    assert [p.split(":")[0] for p in result.problems if "keyed hash" in p] == [
        f"entry #{seq} (id {ids[seq - 1]})" for seq in range(3, 7)]
    assert any("differs from the anchor" in p for p in result.problems)


def test_7_a_chain_rewritten_with_the_key_is_caught_by_the_anchor(session, chain, tmp_path):
    head_id = entries(session)[-1].id
    rewrite_from(session, 3, audit.audit_key(), "rewritten by an insider")
    result = verify_with(session, chain)
    assert len(result.problems) == 1
    assert result.problems[0].startswith(f"entry #6 (id {head_id}) differs from the anchor of ")
    assert result.problems[0].endswith("the chain was rewritten after it")
    no_anchor = tmp_path / "empty.jsonl"
    no_anchor.touch()
    assert verify_with(session, no_anchor).ok  # why anchors: the key holder's chain is consistent


def test_a_forged_checkpoint_is_reported_and_not_trusted(session, chain):
    line = json.loads(chain.read_text().splitlines()[0])
    line["audit_checkpoint"]["count"] = 3
    chain.write_text(json.dumps(line) + "\n")
    result = verify_with(session, chain)
    assert result.anchors == 0 and len(result.problems) == 1
    assert result.problems[0] == f"{chain}:1: checkpoint signature does not hold (forged or altered); not trusted"


def test_the_checkpoint_is_also_a_log_line_that_verify_reads(session, chain, tmp_path, caplog):
    with caplog.at_level("INFO", logger="service.domain.accounts.audit_chain"):
        made = audit.checkpoint_audit(session, str(tmp_path / "other.jsonl"), utcnow())
    [record] = [r for r in caplog.records if r.getMessage() == "audit checkpoint"]
    assert record.audit_checkpoint == made and made["count"] == 6
    log_file = tmp_path / "app.log"
    log_file.write_text('{"level": "INFO", "message": "x"}\n' + json.dumps(
        {"message": "audit checkpoint", "audit_checkpoint": made}) + "\nnot json\n")
    with tampering(session):
        session.execute(delete(AuditEntry).where(AuditEntry.seq == 6))
    assert verify_with(session, log_file).problems[0].startswith("entry #6 missing: the chain ends at #5")


@pytest.mark.skipif(not is_postgres(), reason="the append-only trigger is PostgreSQL's")
@pytest.mark.parametrize("statement", ["UPDATE audit_log SET note = 'x'", "DELETE FROM audit_log",
                                       "TRUNCATE audit_log"])
def test_postgresql_refuses_to_change_the_audit_table(session, chain, statement):
    with pytest.raises(DBAPIError, match="append-only"):
        session.execute(text(statement))
    session.rollback()
    assert verify_with(session, chain).ok


def test_publication_records_anchor_the_chain(session, depts):
    """Without any checkpoint file, the anchors in a publication record still show a truncation."""
    from service.domain.accounts import create_user
    from service.domain.indicators import approve_publication, create_publication
    from tests.api.test_indicators import october

    october(session, depts)
    s1, _ = create_user(session, "s1", "supervisor")
    s2, _ = create_user(session, "s2", "supervisor")
    settings = current_app.extensions["settings"]
    publication = create_publication(session, settings, "2026-10", s1, utcnow())
    publication = approve_publication(session, settings, publication.id, s2, utcnow())
    frozen, approved = publication.audit_anchors
    assert approved["count"] == frozen["count"] + 1 == entries(session)[-1].seq
    assert audit.verify(session).ok and audit.verify(session).anchors == 2
    with tampering(session):
        session.execute(delete(AuditEntry).where(AuditEntry.seq == approved["count"]))
    result = audit.verify(session)
    assert result.problems == [f"entry #{approved['count']} missing: the chain ends at #{frozen['count']}, "
                               f"the anchor of {approved['at']} (publication {publication.id}) recorded "
                               f"{approved['count']} (truncated)"]
