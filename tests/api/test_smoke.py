from tests.conftest import bearer


def test_citizen_rates_a_registered_event_once(client, register_event):
    event = register_event()
    body = {"rate_token": event["rate_token"], "level": 1, "channel": "miniprogram",
            "options": ["overdue"], "text": "等了三个月还没办下来"}
    first = client.post("/api/v1/reviews", json=body)
    assert first.status_code == 201, first.get_json()
    assert first.get_json()["is_bad"] is True
    second = client.post("/api/v1/reviews", json=body)
    assert second.status_code == 409
    assert second.get_json()["error"]["code"] == "already_rated"
