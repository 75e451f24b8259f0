from tests.conftest import COMPLETED_AT, bearer

BODY = {
    "event_no": "SE-2026-0001",
    "department_code": "ZJJ-A",
    "item_name": "物业专项维修资金使用审核",
    "channel": "online",
    "completed_at": COMPLETED_AT,
    "citizen": {"name": "李四", "phone": "13800138000", "real_name": True},
}


def post(client, token, body=BODY):
    return client.post("/api/v1/service-events", json=body, headers=bearer(token))


def test_register_returns_rate_token_and_masked_citizen(client, intake_token):
    response = post(client, intake_token)
    assert response.status_code == 201
    event = response.get_json()
    assert event["event_no"] == "SE-2026-0001"
    assert event["department_code"] == "ZJJ-A"
    assert len(event["rate_token"]) >= 32
    assert event["rate_url"].endswith(event["rate_token"])
    assert event["citizen"] == {"name": "李*", "phone": "138****8000", "real_name": True}
    assert "13800138000" not in response.get_data(as_text=True)


def test_same_event_no_and_body_is_idempotent(client, intake_token):
    first = post(client, intake_token).get_json()
    again = post(client, intake_token)
    assert again.status_code == 200
    assert again.get_json()["id"] == first["id"]
    # The token was handed out once, in the 201; a replay does not show it again (resend does).
    assert again.get_json()["rate_token"] is None and again.get_json()["rate_url"] is None


def test_same_event_no_with_different_body_is_409(client, intake_token):
    post(client, intake_token)
    response = post(client, intake_token, {**BODY, "item_name": "别的事项"})
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "conflict"


def test_rate_tokens_are_unique_per_event(client, register_event):
    tokens = {register_event()["rate_token"] for _ in range(20)}
    assert len(tokens) == 20


def test_contact_data_is_encrypted_at_rest(client, intake_token, session):
    from service.models import ServiceEvent

    post(client, intake_token)
    event = session.query(ServiceEvent).one()
    assert b"13800138000" not in event.citizen_phone_enc
    assert "李四".encode() not in event.citizen_name_enc


def test_dept_staff_registers_only_for_own_subtree(client, make_token, depts):
    staff = make_token("dept_staff", "ZJJ-A")
    own_child = post(client, staff, {**BODY, "event_no": "SE-1", "department_code": "ZJJ-A1"})
    assert own_child.status_code == 201
    other = post(client, staff, {**BODY, "event_no": "SE-2", "department_code": "ZJJ-B"})
    assert other.status_code == 403
    assert other.get_json()["error"]["code"] == "forbidden"


def test_get_service_event_is_scoped(client, make_token, register_event):
    event = register_event(department="ZJJ-B")
    other_staff = make_token("dept_staff", "ZJJ-A")
    assert client.get(f"/api/v1/service-events/{event['id']}", headers=bearer(other_staff)).status_code == 404
    own = make_token("dept_staff", "ZJJ-B")
    response = client.get(f"/api/v1/service-events/{event['id']}", headers=bearer(own))
    assert response.status_code == 200
    assert response.get_json()["citizen"]["phone"] == "138****8000"


def test_completion_in_the_future_is_422(client, intake_token):
    response = post(client, intake_token, {**BODY, "completed_at": "2099-01-01T00:00:00+08:00"})
    assert response.status_code == 422
    assert "completed_at" in response.get_json()["error"]["details"]
