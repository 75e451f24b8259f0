from service.domain import accounts
from service.models import AuditEntry
from tests.conftest import bearer


def test_password_login_issues_a_working_token_and_is_audited(client, session, depts):
    accounts.create_user(session, "zhang", "supervisor", password="s3cret-密码")
    response = client.post("/api/v1/auth/login", json={"name": "zhang", "password": "s3cret-密码"})
    assert response.status_code == 200
    token = response.get_json()["token"]
    assert client.get("/api/v1/departments", headers=bearer(token)).status_code == 200
    bad = client.post("/api/v1/auth/login", json={"name": "zhang", "password": "wrong"})
    assert bad.status_code == 401 and bad.get_json()["error"]["code"] == "unauthorized"
    # One failure is not an audit entry (a summary is written when an account gets locked).
    actions = [e.action for e in session.query(AuditEntry).order_by(AuditEntry.id)]
    assert actions[-2:] == ["user_created", "login"]


def test_unmasking_is_role_restricted_and_audited(client, register_event, make_token, session):
    event = register_event(real_name=True)
    staff = make_token("dept_staff", "ZJJ-A")
    path = f"/api/v1/service-events/{event['id']}/unmask"
    assert client.post(path, json={"reason": "回访核实"}, headers=bearer(staff)).status_code == 403
    operator = make_token("operator")
    assert client.post(path, json={}, headers=bearer(operator)).status_code == 422
    response = client.post(path, json={"reason": "差评回访核实"}, headers=bearer(operator))
    assert response.status_code == 200
    assert response.get_json() == {"name": "张三", "phone": "13800138000"}
    entry = session.query(AuditEntry).filter_by(action="contact_unmasked").one()
    assert entry.note == "差评回访核实" and entry.entity_id == str(event["id"])


def test_auditor_reads_the_audit_log_and_nothing_else(client, make_token, depts):
    auditor = make_token("auditor")
    page = client.get("/api/v1/audit?entity_type=department", headers=bearer(auditor)).get_json()
    assert page["total"] == 4 and {e["action"] for e in page["items"]} == {"department_created"}
    assert all(len(e["hash"]) == 64 for e in page["items"])
    assert client.get("/api/v1/reviews", headers=bearer(auditor)).status_code == 403
    staff = make_token("dept_staff", "ZJJ-A")
    assert client.get("/api/v1/audit", headers=bearer(staff)).status_code == 403
