"""Retention (issue 11 item 9): contact data is anonymised CONTACT_RETENTION_DAYS after the event
(default 3 years) by a periodic job; ratings and figures stay; audit entries are never deleted."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from service.domain import indicators
from service.domain.accounts import Scope
from service.domain.privacy import ContactCipher
from service.models import AuditEntry, HotlineCase, Review, ServiceEvent, Ticket
from tests.conftest import bearer

NOW = datetime(2029, 12, 1, 2, 0, tzinfo=timezone.utc)
OLD = datetime(2026, 11, 20, 2, 0, tzinfo=timezone.utc)  # more than 1095 days before NOW
PHONE = "13900139000"


@pytest.fixture
def history(client, session, make_token, depts, time_machine):
    """An old event with a bad review (text with a phone number, ticket closed), an old 12345 case
    (caller phone, closed), and a recent event: everything through the API."""
    time_machine.move_to(OLD, tick=False)
    intake, operator = make_token("intake"), make_token("operator")
    staff = make_token("dept_staff", "ZJJ-A")
    events = {}
    for no, completed in (("OLD-1", OLD), ("NEW-1", NOW - timedelta(days=30))):
        time_machine.move_to(completed + timedelta(hours=1), tick=False)
        token = intake if completed == OLD else make_token("intake")  # tokens expire after 90 days
        body = {"event_no": no, "department_code": "ZJJ-A", "item_name": "不动产登记", "channel": "window",
                "completed_at": completed.isoformat(), "citizen": {"name": "张三", "phone": PHONE, "real_name": True}}
        events[no] = client.post("/api/v1/service-events", json=body, headers=bearer(token)).get_json()
    time_machine.move_to(OLD + timedelta(hours=2), tick=False)
    review = client.post("/api/v1/reviews", json={"rate_token": events["OLD-1"]["rate_token"], "level": 1,
                                                  "channel": "mobile", "text": f"请回电{PHONE}"})
    assert review.status_code == 201
    ticket = session.query(Ticket).one()
    for action in ({"action": "sign"}, {"action": "reply", "resolution": "immediate", "content": "已处理"}):
        client.post(f"/api/v1/tickets/{ticket.id}/actions", json=action, headers=bearer(staff))
    client.post(f"/api/v1/tickets/{ticket.id}/actions",
                json={"action": "confirm", "satisfied": True, "rate_token": events["OLD-1"]["rate_token"]})
    case = client.post("/api/v1/hotline/cases", headers=bearer(operator), json={
        "case_no": "12345-OLD", "type": "consult", "urgency": "normal", "content": f"来电人电话{PHONE}",
        "department_code": "ZJJ-A", "caller": {"name": "王五", "phone": PHONE, "anonymous": False},
        "received_at": OLD.isoformat(), "answer": "已在来电中解答"}).get_json()
    # Every case has a ticket now (issue 9): the consult answered on the call is closed by its callback.
    callback = client.post(f"/api/v1/hotline/cases/{case['id']}/callback", headers=bearer(operator),
                           json={"solved": True, "satisfaction": "satisfied"})
    assert callback.status_code == 201, callback.get_json()
    return {"events": events, "review": review.get_json(), "case": case}


def run_job(app, time_machine):
    from workers import jobs

    time_machine.move_to(NOW, tick=False)
    return jobs.anonymise_contacts()


def test_old_contact_data_is_erased_and_ratings_and_figures_stay(app, session, history, time_machine):
    figures_before = indicators.compute_indicators(session, app.extensions["settings"], Scope(), "2026-11", NOW)
    audit_before = session.query(AuditEntry).count()
    result = run_job(app, time_machine)
    assert result["service_events"] == 1 and result["hotline_cases"] == 1
    session.expire_all()
    old = session.query(ServiceEvent).filter_by(event_no="OLD-1").one()
    assert old.contact_anonymised_at is not None
    assert (old.citizen_name_enc, old.citizen_phone_enc, old.citizen_phone_bidx, old.citizen_name_masked,
            old.citizen_phone_masked) == (None, None, None, None, None)
    assert old.citizen_real_name is True  # what the figures count stays
    review = session.get(Review, history["review"]["id"])
    assert review.level == 1 and review.text == "请回电139****9000"
    case = session.get(HotlineCase, history["case"]["id"])
    assert case.content == "来电人电话139****9000" and case.caller_phone_enc is None
    recent = session.query(ServiceEvent).filter_by(event_no="NEW-1").one()
    cipher = ContactCipher(app.extensions["settings"].contact_key, app.extensions["settings"].blind_index_key)
    assert recent.contact_anonymised_at is None and cipher.decrypt(recent.citizen_phone_enc) == PHONE
    figures_after = indicators.compute_indicators(session, app.extensions["settings"], Scope(), "2026-11", NOW)
    assert [i.indicators for i in figures_after.items] == [i.indicators for i in figures_before.items]
    # Audit entries are kept: one summary added, none removed.
    assert session.query(AuditEntry).count() == audit_before + 1
    summary = session.query(AuditEntry).filter_by(action="contacts_anonymised").one()
    assert summary.data["service_events"] == 1 and PHONE not in str(summary.data)
    assert run_job(app, time_machine) == {**result, "service_events": 0, "hotline_cases": 0}  # idempotent


def test_a_record_with_an_open_ticket_keeps_its_contact_until_it_closes(app, session, history, time_machine):
    ticket = session.query(Ticket).filter(Ticket.review_id.is_not(None)).one()
    session.execute(Ticket.__table__.update().where(Ticket.id == ticket.id).values(status="replied"))
    session.commit()
    assert run_job(app, time_machine)["service_events"] == 0
    assert session.query(ServiceEvent).filter_by(event_no="OLD-1").one().citizen_phone_enc is not None


def test_the_retention_period_is_configuration(app, session, history, time_machine, monkeypatch):
    from dataclasses import replace

    monkeypatch.setitem(app.extensions, "settings", replace(app.extensions["settings"],
                                                            contact_retention_days=5000))
    assert run_job(app, time_machine)["service_events"] == 0


def test_the_job_is_in_the_periodic_table():
    from workers.schedule import SCHEDULE

    assert "workers.jobs.anonymise_contacts" in [job.func for job in SCHEDULE]


def test_the_application_never_deletes_audit_entries():
    """Retention of the audit log (domain.md §7): no code path deletes from it (the database
    refuses it too, tests/domain/test_audit_tampering.py)."""
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent.parent
    offenders = []
    for path in [*(root / "service").rglob("*.py"), *(root / "workers").rglob("*.py")]:
        source = path.read_text(encoding="utf-8")
        for marker in ("delete(AuditEntry", "AuditEntry.__table__.delete", "DELETE FROM audit_log",
                       "TRUNCATE audit_log"):
            if marker in source:
                offenders.append(f"{path.relative_to(root)}: {marker}")
    assert not offenders
