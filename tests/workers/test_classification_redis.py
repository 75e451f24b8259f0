"""New reviews get tags and sentiment through the worker: via a real Redis and inline."""

from rq import Queue, SimpleWorker
from rq.job import Job

import nlp
from service.extensions import db
from service.models import Review
from service.models.types import utcnow
from tests.conftest import COMPLETED_AT, bearer
from workers.dispatch import dispatch_once


def post_review(client, token, n, text):
    body = {"event_no": f"NLP-{n}", "department_code": "ZJJ-A", "item_name": "施工许可",
            "channel": "online", "completed_at": COMPLETED_AT}
    event = client.post("/api/v1/service-events", json=body, headers=bearer(token)).get_json()
    response = client.post("/api/v1/reviews", json={"rate_token": event["rate_token"], "level": 1,
                                                    "channel": "pc", "text": text})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def review(review_id) -> Review:
    db.session.expire_all()
    return db.session.get(Review, review_id)


def work(app, queue="classify"):
    dispatch_once(db.session, utcnow())  # what the dispatcher process does every DISPATCH_POLL_MS
    redis = app.extensions["queue"].redis
    SimpleWorker([Queue(queue, connection=redis)], connection=redis).work(burst=True)


def test_a_review_is_classified_by_an_rq_worker(redis_app, depts, make_token, active_models):
    review_id = post_review(redis_app.test_client(), make_token("intake"), 1, "审批拖了三个月还没办好")
    assert review(review_id).classification_state == "pending"  # stored, not yet handed out
    work(redis_app)
    done = review(review_id)
    assert done.classification_state == "done" and done.tags and done.sentiment["label"] == "negative"
    assert done.model_version == f"{active_models['tags'].version}+{active_models['sentiment'].version}"


def test_a_failing_job_is_retried_with_backoff_and_the_review_stays_pending(
    redis_app, depts, make_token, active_models, monkeypatch
):
    review_id = post_review(redis_app.test_client(), make_token("intake"), 2, "墙面开裂漏水")
    monkeypatch.setattr(nlp.Classifier, "classify_batch", lambda *a, **k: (_ for _ in ()).throw(OSError("boom")))
    work(redis_app)
    redis = redis_app.extensions["queue"].redis
    job = Job.fetch(Queue("classify", connection=redis).scheduled_job_registry.get_job_ids()[0], connection=redis)
    assert job.get_status() == "scheduled" and job.retries_left == 2  # RQ's Retry backs off
    pending = review(review_id)
    assert (pending.classification_state, pending.classification_attempts) == ("pending", 1)


def test_a_backlog_is_requeued_in_batches_and_classified(dead_redis_app, redis_app, depts, make_token,
                                                         active_models):
    token = make_token("intake")
    ids = [post_review(dead_redis_app.test_client(), token, 10 + i, text)
           for i, text in enumerate(("拖延两个月", "态度恶劣", "漏水开裂"))]
    assert {review(i).classification_state for i in ids} == {"pending"}
    from workers.jobs import requeue_pending

    with redis_app.app_context():
        assert requeue_pending()["classify_reviews"] == 3
    jobs = Queue("classify", connection=redis_app.extensions["queue"].redis).jobs
    assert [(j.func_name, j.args) for j in jobs] == [("workers.jobs.classify_reviews_batch", (ids,))]
    work(redis_app)
    assert {review(i).classification_state for i in ids} == {"done"}


def test_inline_without_redis_a_new_review_ends_done(client, depts, make_token, active_models):
    review_id = post_review(client, make_token("intake"), 3, "窗口人员态度很差，推诿扯皮")
    done = review(review_id)
    assert done.classification_state == "done" and "attitude" in done.effective_tags
