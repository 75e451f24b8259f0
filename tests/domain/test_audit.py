from sqlalchemy import update

from service.domain.accounts import audit
from service.models import AuditEntry


def test_chain_verifies_and_a_tampered_row_is_found(session):
    audit.record_many(session, [
        audit.Entry(actor="a", action="sign", entity_type="ticket", entity_id=1,
                    from_state="dispatched", to_state="handling", data={"n": i})
        for i in range(5)
    ])
    session.commit()
    assert audit.verify(session).ok
    assert audit.verify(session).checked == 5
    third = session.query(AuditEntry).order_by(AuditEntry.id).all()[2]
    session.execute(update(AuditEntry).where(AuditEntry.id == third.id).values(note="edited"))
    session.commit()
    result = audit.verify(session)
    assert not result.ok and result.broken_id == third.id


def test_deleted_row_breaks_the_next_link(session):
    for i in range(3):
        audit.record(session, audit.Entry(actor="a", action="x", entity_type="t", entity_id=i))
    session.commit()
    second = session.query(AuditEntry).order_by(AuditEntry.id).all()[1]
    third_id = second.id + 1
    session.delete(second)
    session.commit()
    result = audit.verify(session)
    assert not result.ok and result.broken_id == third_id


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
