"""一事一评 under concurrency: the unique (event, seq) constraint decides, not a read-then-write."""

import threading

from service.models import Review, ServiceEvent
from tests.conftest import COMPLETED_AT


def test_concurrent_ratings_of_one_event_store_exactly_one(app, client, register_event, session):
    event = register_event()
    barrier = threading.Barrier(6)
    codes = []

    def submit(level):
        local = app.test_client()
        barrier.wait()
        response = local.post("/api/v1/reviews", json={"rate_token": event["rate_token"], "level": level,
                                                       "channel": "mobile"})
        codes.append(response.status_code)

    threads = [threading.Thread(target=submit, args=(1 + i % 5,)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(codes) == [201, 409, 409, 409, 409, 409]
    session.expire_all()
    assert session.query(Review).count() == 1


def test_concurrent_registration_of_one_event_no_is_idempotent(app, client, intake_token, session):
    from tests.conftest import bearer

    body = {"event_no": "RACE-1", "department_code": "ZJJ-A", "item_name": "施工许可",
            "channel": "online", "completed_at": COMPLETED_AT}
    barrier = threading.Barrier(4)
    results = []

    def register():
        local = app.test_client()
        barrier.wait()
        response = local.post("/api/v1/service-events", json=body, headers=bearer(intake_token))
        results.append((response.status_code, response.get_json().get("rate_token")))

    threads = [threading.Thread(target=register) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(code for code, _ in results) == [200, 200, 200, 201]
    # One token, handed out once, in the 201; the replays carry none.
    assert sorted((code, token is None) for code, token in results) == [(200, True)] * 3 + [(201, False)]
    session.expire_all()
    assert session.query(ServiceEvent).count() == 1
