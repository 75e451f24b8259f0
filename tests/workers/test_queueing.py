"""The rating survives Redis being down or hanging; the dispatcher hands pending rows to RQ in
batches, once, and again only when their job was lost."""

import socket
import time
from datetime import timedelta

import pytest
from redis.exceptions import RedisError
from rq import Queue, SimpleWorker
from rq.job import Job

from service.extensions import db
from service.models import Review
from service.models.types import utcnow
from tests.conftest import COMPLETED_AT, bearer, make_app
from workers.dispatch import dispatch_once


def register(client, token, n=1):
    events = []
    for i in range(n):
        body = {"event_no": f"Q-{i}", "department_code": "ZJJ-A", "item_name": "施工许可",
                "channel": "online", "completed_at": COMPLETED_AT}
        events.append(client.post("/api/v1/service-events", json=body, headers=bearer(token)).get_json())
    return events


def rate(client, event, level=1, text="一直拖着不办"):
    response = client.post("/api/v1/reviews", json={"rate_token": event["rate_token"], "level": level,
                                                    "channel": "pc", "text": text})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def queued(app, name):
    return Queue(name, connection=app.extensions["queue"].redis).jobs


def test_a_rating_waits_pending_and_the_dispatcher_hands_rq_one_job_per_batch(redis_app, depts, make_token):
    client = redis_app.test_client()
    events = register(client, make_token("intake"), 3)
    ids = [rate(client, event) for event in events]
    # The request enqueued nothing: the stored row is the job record.
    assert queued(redis_app, "classify") == [] and queued(redis_app, "tickets") == []
    assert dispatch_once(db.session, utcnow()) == {"classify_reviews": 3, "open_tickets": 3}
    [classify], [tickets] = queued(redis_app, "classify"), queued(redis_app, "tickets")
    assert (classify.func_name, classify.args) == ("workers.jobs.classify_reviews_batch", (ids,))
    assert (tickets.func_name, tickets.args) == ("workers.jobs.open_tickets_batch", (ids,))
    assert classify.retries_left == len(redis_app.extensions["settings"].job_retry_intervals)
    # Still queued: a second pass (the dispatcher's or the periodic requeue's) adds nothing.
    assert dispatch_once(db.session, utcnow()) == {"classify_reviews": 0, "open_tickets": 0}
    assert len(queued(redis_app, "classify")) == 1


def test_a_job_lost_with_redis_is_handed_out_again_after_its_lease(redis_app, depts, make_token):
    client = redis_app.test_client()
    review_id = rate(client, register(client, make_token("intake"))[0], level=5, text="很好")
    dispatch_once(db.session, utcnow())
    lease = redis_app.extensions["settings"].dispatch_lease_seconds
    later = utcnow() + timedelta(seconds=lease + 1)
    # Lease over, but the job is still in the queue: not queued twice.
    assert dispatch_once(db.session, later)["classify_reviews"] == 0
    redis_app.extensions["queue"].redis.flushdb()  # Redis restarted without persistence
    assert dispatch_once(db.session, later)["classify_reviews"] == 1
    assert [j.args for j in queued(redis_app, "classify")] == [([review_id],)]


def test_the_queue_depth_is_bounded_and_the_rest_waits_in_the_database(db_url, redis_url, app, depts,
                                                                       make_token):
    bounded = make_app(db_url, redis_url=redis_url, dispatch_max_queued_jobs=2, classify_batch_size=2)
    with bounded.app_context():
        client = bounded.test_client()
        for event in register(client, make_token("intake"), 5):
            rate(client, event, level=5, text="满意")
        assert dispatch_once(db.session, utcnow())["classify_reviews"] == 4  # two jobs of two
        assert len(queued(bounded, "classify")) == 2
        SimpleWorker([Queue("classify", connection=bounded.extensions["queue"].redis)],
                     connection=bounded.extensions["queue"].redis).work(burst=True)
        assert dispatch_once(db.session, utcnow())["classify_reviews"] == 1


def test_rating_is_kept_when_redis_is_down_and_dispatched_later(dead_redis_app, redis_app, depts, make_token):
    client = dead_redis_app.test_client()
    event = register(client, make_token("intake"))[0]
    review_id = rate(client, event, level=2, text="态度很差")
    review = db.session.get(Review, review_id)
    assert (review.classification_state, review.ticket_state) == ("pending", "pending")
    with dead_redis_app.app_context(), pytest.raises(RedisError):
        dispatch_once(db.session, utcnow())  # Redis down: nothing is claimed
    db.session.expire_all()
    assert db.session.get(Review, review_id).classification_next_at is None

    from workers.jobs import requeue_pending

    with redis_app.app_context():
        summary = requeue_pending()
    assert summary == {"classify_reviews": 1, "open_tickets": 1}
    assert len(queued(redis_app, "classify")) == 1 and len(queued(redis_app, "tickets")) == 1


@pytest.fixture
def hanging_redis_url():
    """A server that accepts connections and never answers: a Redis that hangs."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    yield f"redis://127.0.0.1:{server.getsockname()[1]}/0"
    server.close()


def test_a_hanging_redis_costs_a_rating_at_most_its_short_timeout(app, db_url, hanging_redis_url, depts,
                                                                  make_token):
    # The rate limit is on, so the citizen's request itself talks to the hanging Redis.
    hanging = make_app(db_url, redis_url=hanging_redis_url, rate_limit_enabled=True)
    with hanging.app_context():
        assert hanging.extensions["queue"].redis.connection_pool.connection_kwargs["socket_timeout"] == 0.2
        client = hanging.test_client()
        event = register(client, make_token("intake"))[0]
        started = time.monotonic()
        review_id = rate(client, event, level=1)
        elapsed = time.monotonic() - started
        with pytest.raises(RedisError):
            dispatch_once(db.session, utcnow())
    # The old client waited 2 s per try; 200 ms ± scheduling noise now (a loose bound, not a timing).
    assert elapsed < 1.5
    assert db.session.get(Review, review_id).classification_state == "pending"


def test_periodic_job_runs_through_a_real_worker(redis_app, depts):
    redis = redis_app.extensions["queue"].redis
    queue = Queue("periodic", connection=redis)
    job = queue.enqueue("workers.jobs.requeue_pending")
    SimpleWorker([queue], connection=redis).work(burst=True)
    job = Job.fetch(job.id, connection=redis)
    assert job.is_finished, job.latest_result()
    assert job.return_value() == {"classify_reviews": 0, "open_tickets": 0}


def test_cron_config_registers_the_schedule_and_retrain_waits_for_its_time():
    import importlib

    from rq import cron

    import workers.cron_config
    from workers.schedule import SCHEDULE

    cron._job_data_registry.clear()
    importlib.reload(workers.cron_config)
    registered = {j["name"]: j for j in cron._job_data_registry}
    assert list(registered) == [job.func for job in SCHEDULE]
    retrain = registered.pop("workers.jobs.retrain_models")
    assert retrain["cron"] and not retrain.get("interval")
    assert all(j["interval"] for j in registered.values())
    # An interval job runs when `rq cron` starts; the retrain only at its time of day.
    job = cron.CronJob(func=print, queue_name="periodic", cron=retrain["cron"])
    assert not job.should_run()


def test_a_partial_batch_waits_for_its_linger_a_full_one_goes_at_once(db_url, redis_url, app, depts,
                                                                       make_token):
    lingering = make_app(db_url, redis_url=redis_url, dispatch_linger_ms=500, classify_batch_size=2,
                         dispatch_batch_size=2)
    with lingering.app_context():
        client = lingering.test_client()
        events = register(client, make_token("intake"), 3)
        rate(client, events[0], level=5, text="满意")
        now = utcnow()
        assert dispatch_once(db.session, now)["classify_reviews"] == 0  # one row, young: it waits
        assert dispatch_once(db.session, now + timedelta(milliseconds=600))["classify_reviews"] == 1
        rate(client, events[1], level=5, text="满意")
        rate(client, events[2], level=5, text="满意")
        assert dispatch_once(db.session, utcnow())["classify_reviews"] == 2  # a full batch at once
