from service.domain import accounts
from service.models import ApiToken
from tests.conftest import bearer


def test_missing_or_unknown_token_is_401(client, depts):
    assert client.get("/api/v1/departments").status_code == 401
    response = client.get("/api/v1/departments", headers=bearer("not-a-token"))
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"
    assert client.get("/api/v1/departments", headers={"Authorization": "Basic abc"}).status_code == 401


def test_revoked_token_is_401(client, session, depts):
    user, token = accounts.create_user(session, "leaver", "admin")
    assert client.get("/api/v1/departments", headers=bearer(token)).status_code == 200
    accounts.revoke_tokens(session, "leaver")
    assert client.get("/api/v1/departments", headers=bearer(token)).status_code == 401


def test_known_token_without_role_is_403(client, make_token, depts):
    appraisal = make_token("appraisal")
    response = client.get("/api/v1/reviews", headers=bearer(appraisal))
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "forbidden"
    auditor = make_token("auditor")
    assert client.get("/api/v1/reviews", headers=bearer(auditor)).status_code == 403


def test_tokens_are_stored_only_as_hashes(session, depts):
    _, token = accounts.create_user(session, "someone", "operator")
    stored = session.query(ApiToken).one()
    assert stored.token_hash != token and token not in stored.token_hash
    assert len(token) >= 43  # 256 random bits, url-safe base64


def test_passwords_are_argon2_hashed(session, depts):
    user, _ = accounts.create_user(session, "pw-user", "supervisor", password="正确的密码")
    assert user.password_hash.startswith("$argon2")
    assert accounts.check_password(user, "正确的密码")
    assert not accounts.check_password(user, "wrong")


def test_dept_staff_account_needs_a_department(session, depts):
    import pytest

    from service.domain.errors import ValidationFailed

    with pytest.raises(ValidationFailed):
        accounts.create_user(session, "nobody", "dept_staff")


def test_admin_creates_departments_and_staff_see_their_subtree(client, make_token, depts):
    admin = make_token("admin")
    created = client.post("/api/v1/departments", json={"code": "ZJJ-A2", "name": "二组", "parent_code": "ZJJ-A"},
                          headers=bearer(admin))
    assert created.status_code == 201
    assert created.get_json() == {"code": "ZJJ-A2", "name": "二组", "parent_code": "ZJJ-A"}
    duplicate = client.post("/api/v1/departments", json={"code": "ZJJ-A2", "name": "x"}, headers=bearer(admin))
    assert duplicate.status_code == 409
    orphan = client.post("/api/v1/departments", json={"code": "X", "name": "x", "parent_code": "NOPE"},
                         headers=bearer(admin))
    assert orphan.status_code == 422
    staff = make_token("dept_staff", "ZJJ-A")
    codes = [d["code"] for d in client.get("/api/v1/departments", headers=bearer(staff)).get_json()["items"]]
    assert sorted(codes) == ["ZJJ-A", "ZJJ-A1", "ZJJ-A2"]
    everyone = client.get("/api/v1/departments?per_page=200", headers=bearer(admin)).get_json()
    assert everyone["total"] == 5
    assert client.post("/api/v1/departments", json={"code": "Y", "name": "y"}, headers=bearer(staff)).status_code == 403


def test_auth_is_checked_before_the_body(client, depts):
    response = client.post("/api/v1/departments", json={"nonsense": True})
    assert response.status_code == 401
