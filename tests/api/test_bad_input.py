"""Bad input: a clear 4xx in the contract's error shape, never a 500, and nothing stored."""

import json

import pytest

from service.models import Review, ServiceEvent
from tests.conftest import COMPLETED_AT, bearer

EVENT = {
    "event_no": "BAD-1",
    "department_code": "ZJJ-A",
    "item_name": "施工许可",
    "channel": "window",
    "completed_at": COMPLETED_AT,
}


def assert_error(response, status, code, field=None):
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    assert "Traceback" not in response.get_data(as_text=True)
    if field:
        assert field in body["error"]["details"], body


def test_body_that_is_not_json_is_400(client, intake_token, session):
    response = client.post("/api/v1/service-events", data="{not json", headers={
        **bearer(intake_token), "Content-Type": "application/json"})
    assert_error(response, 400, "bad_request")
    assert session.query(ServiceEvent).count() == 0


def test_wrong_content_type_is_400(client, intake_token):
    response = client.post("/api/v1/service-events", data=json.dumps(EVENT), headers={
        **bearer(intake_token), "Content-Type": "text/plain"})
    assert_error(response, 400, "bad_request")


def test_form_encoded_review_is_400(client, depts):
    response = client.post("/api/v1/reviews", data={"rate_token": "x", "level": "5"})
    assert_error(response, 400, "bad_request")


def test_body_over_64kb_is_413(client, intake_token, session):
    body = {**EVENT, "item_name": "x" * (65 * 1024)}
    response = client.post("/api/v1/service-events", json=body, headers=bearer(intake_token))
    assert_error(response, 413, "payload_too_large")
    assert session.query(ServiceEvent).count() == 0


def test_json_array_body_is_422(client, intake_token):
    response = client.post("/api/v1/service-events", json=[EVENT], headers=bearer(intake_token))
    assert_error(response, 422, "validation_error")


@pytest.mark.parametrize("field,value", [
    ("event_no", None),
    ("event_no", 123),
    ("department_code", "NOPE"),
    ("channel", "fax"),
    ("completed_at", "yesterday"),
    ("completed_at", "2026-11-20T10:00:00"),  # no offset: ambiguous, refused
    ("item_name", ""),
])
def test_bad_service_event_fields_are_422(client, intake_token, session, field, value):
    response = client.post("/api/v1/service-events", json={**EVENT, field: value}, headers=bearer(intake_token))
    assert_error(response, 422, "validation_error", field)
    assert session.query(ServiceEvent).count() == 0


def test_missing_required_field_is_422(client, intake_token):
    body = {k: v for k, v in EVENT.items() if k != "item_name"}
    response = client.post("/api/v1/service-events", json=body, headers=bearer(intake_token))
    assert_error(response, 422, "validation_error", "item_name")
    assert response.get_json()["error"]["details"]["item_name"] == ["缺少必填字段。"]


def test_unknown_field_is_422(client, intake_token):
    response = client.post("/api/v1/service-events", json={**EVENT, "departmnet": "x"}, headers=bearer(intake_token))
    assert_error(response, 422, "validation_error", "departmnet")


@pytest.mark.parametrize("patch,field", [
    ({"level": 0}, "level"),
    ({"level": 6}, "level"),
    ({"level": "5"}, "level"),
    ({"level": True}, "level"),
    ({"level": 4.5}, "level"),
    ({"level": None}, "level"),
    ({"channel": "carrier_pigeon"}, "channel"),
    ({"options": ["no_such_option"]}, "options"),
    ({"level": 5, "options": ["overdue"]}, "options"),  # a 差评 option on a 5-star rating
    ({"options": "overdue"}, "options"),
    ({"text": "差" * 2001}, "text"),
    ({"text": 42}, "text"),
    ({"follow_up": "yes"}, "follow_up"),
    ({"follow_up": 1}, "follow_up"),
    ({"stars": 5}, "stars"),
])
def test_bad_review_fields_are_422_and_store_nothing(client, register_event, session, patch, field):
    event = register_event()
    body = {"rate_token": event["rate_token"], "level": 1, "channel": "pc", **patch}
    response = client.post("/api/v1/reviews", json=body)
    assert_error(response, 422, "validation_error", field)
    assert session.query(Review).count() == 0


def test_text_at_the_limit_is_accepted(client, register_event):
    event = register_event()
    body = {"rate_token": event["rate_token"], "level": 3, "channel": "pc", "text": "好" * 2000}
    assert client.post("/api/v1/reviews", json=body).status_code == 201


def test_replayed_rating_is_409_and_stores_one(client, register_event, session):
    event = register_event()
    body = {"rate_token": event["rate_token"], "level": 2, "channel": "qrcode"}
    codes = [client.post("/api/v1/reviews", json=body).status_code for _ in range(3)]
    assert codes == [201, 409, 409]
    assert session.query(Review).count() == 1


def test_bad_query_parameters_are_422(client, make_token, depts):
    admin = make_token("admin")
    for query, field in (("per_page=201", "per_page"), ("page=0", "page"), ("level=9", "level"),
                         ("tag=noise", "tag"), ("from=notadate", "from"), ("department=NOPE", "department")):
        response = client.get(f"/api/v1/reviews?{query}", headers=bearer(admin))
        assert_error(response, 422, "validation_error", field)


def test_unknown_path_is_404_in_the_error_shape(client):
    assert_error(client.get("/api/v1/nothing-here"), 404, "not_found")
