import json

from sqlalchemy import delete

from service.domain.accounts import audit
from service.models import AuditEntry
from service.models.types import utcnow


def test_chain_verifies_with_positions_and_keyed_hashes(session):
    audit.record_many(session, [
        audit.Entry(actor="a", action="sign", entity_type="ticket", entity_id=1,
                    from_state="dispatched", to_state="handling", data={"n": i})
        for i in range(5)
    ])
    session.commit()
    rows = session.query(AuditEntry).order_by(AuditEntry.id).all()
    assert [r.seq for r in rows] == [1, 2, 3, 4, 5]
    assert rows[0].prev_hash == audit.GENESIS and all(b.prev_hash == a.hash for a, b in zip(rows, rows[1:], strict=False))
    assert audit.verify(session).ok and audit.verify(session).checked == 5
    # Tampering cases: tests/domain/test_audit_tampering.py


def test_history_lists_an_entitys_entries_in_order(session):
    for state in ("handling", "replied"):
        audit.record(session, audit.Entry(actor="a", action="x", entity_type="ticket", entity_id=7, to_state=state))
    audit.record(session, audit.Entry(actor="a", action="x", entity_type="ticket", entity_id=8))
    session.commit()
    assert [e.to_state for e in audit.history(session, "ticket", 7)] == ["handling", "replied"]


def test_audit_verify_command(app, session):
    audit.record(session, audit.Entry(actor="a", action="x", entity_type="t", entity_id=1))
    session.commit()
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 0 and '"ok": true' in result.output


def test_entries_given_a_local_time_still_verify(session):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    at = datetime(2026, 11, 23, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
    audit.record(session, audit.Entry(actor="a", action="x", entity_type="t", entity_id=1, at=at))
    session.commit()
    assert audit.verify(session).ok


def test_audit_verify_command_names_what_is_missing(app, session, tmp_path):
    for i in range(3):
        audit.record(session, audit.Entry(actor="a", action="x", entity_type="t", entity_id=i))
    session.commit()
    path = tmp_path / "cp.jsonl"
    runner = app.test_cli_runner()
    audit.checkpoint_audit(session, str(path), utcnow())
    from tests.domain.test_audit_tampering import tampering

    with tampering(session):
        session.execute(delete(AuditEntry).where(AuditEntry.seq == 3))
    result = runner.invoke(args=["audit", "verify", "--anchors", str(path)])
    assert result.exit_code == 1
    report = json.loads(result.output)
    assert report["ok"] is False and report["checked"] == 2 and report["anchors"] == 1
    assert report["problems"][0].startswith("entry #3 missing: the chain ends at #2")
    missing = runner.invoke(args=["audit", "verify", "--anchors", str(tmp_path / "nope.jsonl")])
    assert missing.exit_code != 0 and "锚点文件不存在" in missing.output


def test_the_periodic_checkpoint_job_writes_the_configured_file(app, session, tmp_path, monkeypatch):
    from dataclasses import replace

    from workers import jobs
    from workers.schedule import SCHEDULE

    assert "workers.jobs.checkpoint_audit_log" in [job.func for job in SCHEDULE]
    audit.record(session, audit.Entry(actor="a", action="x", entity_type="t", entity_id=1))
    session.commit()
    path = tmp_path / "instance" / "cp.jsonl"
    monkeypatch.setitem(app.extensions, "settings", replace(app.extensions["settings"],
                                                            audit_checkpoint_file=str(path)))
    first, second = jobs.checkpoint_audit_log(), jobs.checkpoint_audit_log()
    lines = [json.loads(line)["audit_checkpoint"] for line in path.read_text().splitlines()]
    assert lines == [first, second] and first["count"] == 1 and len(first["signature"]) == 64
