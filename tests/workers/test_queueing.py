"""The rating survives Redis being down; accepted work reaches RQ after commit and is re-enqueued."""

from rq import Queue, SimpleWorker
from rq.job import Job

from service.extensions import db
from service.models import Review
from tests.conftest import COMPLETED_AT, bearer


def register(client, token, n=1):
    events = []
    for i in range(n):
        body = {"event_no": f"Q-{i}", "department_code": "ZJJ-A", "item_name": "施工许可",
                "channel": "online", "completed_at": COMPLETED_AT}
        events.append(client.post("/api/v1/service-events", json=body, headers=bearer(token)).get_json())
    return events


def test_accepted_bad_review_is_enqueued_to_redis(redis_app, depts, make_token):
    client = redis_app.test_client()
    event = register(client, make_token("intake"))[0]
    response = client.post("/api/v1/reviews", json={"rate_token": event["rate_token"], "level": 1,
                                                    "channel": "pc", "text": "一直拖着不办"})
    assert response.status_code == 201
    redis = redis_app.extensions["queue"].redis
    classify, default = Queue("classify", connection=redis), Queue("default", connection=redis)
    assert [j.func_name for j in classify.jobs] == ["workers.jobs.classify_review"]
    assert [j.func_name for j in default.jobs] == ["workers.jobs.open_ticket_for_review"]
    assert classify.jobs[0].args == (response.get_json()["id"],)
    assert classify.jobs[0].retries_left == len(redis_app.extensions["settings"].job_retry_intervals)


def test_rating_is_kept_when_redis_is_down_and_requeued_later(dead_redis_app, redis_app, depts, make_token):
    client = dead_redis_app.test_client()
    event = register(client, make_token("intake"))[0]
    response = client.post("/api/v1/reviews", json={"rate_token": event["rate_token"], "level": 2,
                                                    "channel": "pc", "text": "态度很差"})
    assert response.status_code == 201
    review = db.session.get(Review, response.get_json()["id"])
    assert (review.classification_state, review.ticket_state) == ("pending", "pending")

    from workers.jobs import requeue_pending

    with redis_app.app_context():
        summary = requeue_pending()
    assert summary == {"classify_reviews": 1, "open_tickets": 1}
    redis = redis_app.extensions["queue"].redis
    assert Queue("classify", connection=redis).count == 1
    assert Queue("default", connection=redis).count == 1


def test_periodic_job_runs_through_a_real_worker(redis_app, depts):
    redis = redis_app.extensions["queue"].redis
    queue = Queue("periodic", connection=redis)
    job = queue.enqueue("workers.jobs.requeue_pending")
    SimpleWorker([queue], connection=redis).work(burst=True)
    job = Job.fetch(job.id, connection=redis)
    assert job.is_finished, job.latest_result()
    assert job.return_value() == {"classify_reviews": 0, "open_tickets": 0}


def test_cron_config_registers_the_schedule():
    import importlib

    from rq import cron

    import workers.cron_config
    from workers.schedule import SCHEDULE

    cron._job_data_registry.clear()
    importlib.reload(workers.cron_config)
    assert [j["name"] for j in cron._job_data_registry] == [job.func for job in SCHEDULE]
    assert all(j["interval"] for j in cron._job_data_registry)
