"""Classification jobs (idempotent, never dropping a text), the human label, and retraining."""

from datetime import timedelta

import pytest

import nlp
from service.domain.classification.classify import (
    classify_case,
    classify_review,
    classify_reviews,
    tag_string,
)
from service.domain.classification.training import feedback_rows
from service.domain.pending.work import pending_work
from service.models import HotlineCase, Review
from service.models.types import utcnow
from tests.conftest import bearer
from tests.nlp_fixtures import insert_model


def rate(client, event, level, text, options=()):
    body = {"rate_token": event["rate_token"], "level": level, "channel": "pc", "text": text,
            "options": list(options)}
    response = client.post("/api/v1/reviews", json=body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def fresh(session, model, row_id):
    session.expire_all()
    return session.get(model, row_id)


@pytest.fixture
def settings(app):
    return app.extensions["settings"]


def test_a_new_review_is_classified_after_commit(client, register_event, session, active_models):
    review_id = rate(client, register_event(), 1, "审批拖了三个月还没办好，一直让等")
    review = fresh(session, Review, review_id)
    assert review.classification_state == "done" and review.classification_attempts == 1
    assert "delay" in {t["tag"] for t in review.tags} and ",delay," in review.effective_tags
    assert review.sentiment["label"] == "negative"
    assert review.model_version.startswith(active_models["tags"].version)
    assert review.classified_at is not None and review.classification_next_at is None
    assert 0.0 <= review.tag_uncertainty <= 1.0  # stored for the review queue's order


def test_content_options_are_weak_labels_beside_the_model(client, register_event, session, active_models):
    review_id = rate(client, register_event(), 2, "就这样吧", options=["quality_problem"])
    review = fresh(session, Review, review_id)
    assert review.classification_state == "done"
    assert "quality" not in {t["tag"] for t in review.tags}
    assert ",quality," in review.effective_tags


def test_the_job_is_idempotent(client, register_event, session, active_models):
    review_id = rate(client, register_event(), 1, "窗口人员态度恶劣")
    again = classify_review(session, review_id, utcnow())
    assert again["status"] == "skipped"
    assert fresh(session, Review, review_id).classification_attempts == 1
    assert classify_review(session, 987654, utcnow())["status"] == "skipped"


def test_without_a_model_the_review_waits_and_is_picked_up_later(client, register_event, session, settings):
    review_id = rate(client, register_event(), 1, "拖了半年")
    review = fresh(session, Review, review_id)
    assert (review.classification_state, review.classification_attempts) == ("pending", 0)
    assert review_id not in pending_work(session, settings, utcnow()).classify_reviews
    later = utcnow() + timedelta(seconds=settings.classify_retry_base_seconds + 1)
    assert review_id in pending_work(session, settings, later).classify_reviews
    insert_model(session, "tags"), insert_model(session, "sentiment")
    assert classify_review(session, review_id, later)["status"] == "done"
    assert fresh(session, Review, review_id).classification_state == "done"


def test_a_failure_leaves_the_row_pending_with_backoff_and_requeue_retries_it(
    client, register_event, session, settings, active_models, monkeypatch
):
    def boom(self, texts, stars=None):
        raise RuntimeError("model exploded")

    monkeypatch.setattr(nlp.Classifier, "classify_batch", boom)
    review_id = rate(client, register_event(), 1, "墙面开裂")  # the inline job fails; 201 anyway
    review = fresh(session, Review, review_id)
    assert (review.classification_state, review.classification_attempts) == ("pending", 1)
    first_retry = review.classification_next_at
    with pytest.raises(RuntimeError):  # re-raised so RQ's Retry backs off too
        classify_review(session, review_id, first_retry)
    review = fresh(session, Review, review_id)
    assert review.classification_attempts == 2
    assert review.classification_next_at - first_retry == timedelta(seconds=2 * settings.classify_retry_base_seconds)
    assert review_id not in pending_work(session, settings, first_retry).classify_reviews

    monkeypatch.undo()
    review.classification_next_at = utcnow() - timedelta(seconds=1)  # the backoff has passed
    session.commit()
    from workers.jobs import requeue_pending

    assert requeue_pending()["classify_reviews"] == 1
    review = fresh(session, Review, review_id)
    assert review.classification_state == "done" and review.classification_attempts == 3


def test_the_human_label_wins_over_the_model(client, register_event, session, make_token):
    review_id = rate(client, register_event(), 1, "审批拖了三个月", options=["overdue"])
    supervisor = bearer(make_token("supervisor"))
    assert client.put(f"/api/v1/reviews/{review_id}/tags", json={"tags": ["attitude"]},
                      headers=supervisor).status_code == 200
    insert_model(session, "tags"), insert_model(session, "sentiment")
    classify_review(session, review_id, utcnow())
    review = fresh(session, Review, review_id)
    assert "delay" in {t["tag"] for t in review.tags}  # the model's output is kept beside it
    assert review.effective_tags == ",attitude,"


def test_a_backlog_is_classified_in_one_batch(client, register_event, session, settings):
    ids = [rate(client, register_event(), 1, text) for text in ("拖延", "漏水", "态度差", "😀")]
    insert_model(session, "tags"), insert_model(session, "sentiment")
    result = classify_reviews(session, ids + [424242], utcnow())
    assert result["classified"] == 4
    states = {fresh(session, Review, i).classification_state for i in ids}
    assert states == {"done"}


def test_cases_are_classified_and_swept(session, depts, settings):
    case = HotlineCase(case_no="C-1", type="complaint", content="楼上漏水三个月了，墙面开裂，没人来修",
                       department_id=depts["ZJJ-A"].id, received_at=utcnow(), body_fingerprint="f",
                       created_at=utcnow() - timedelta(minutes=5))
    session.add(case)
    session.commit()
    assert case.id in pending_work(session, settings, utcnow()).classify_cases
    insert_model(session, "tags"), insert_model(session, "sentiment")
    assert classify_case(session, case.id, utcnow(), settings)["status"] == "done"
    case = fresh(session, HotlineCase, case.id)
    assert case.classification_state == "done" and case.tags
    assert case.effective_tags == tag_string(t["tag"] for t in case.tags)
    assert case.sentiment["label"] == "negative" and case.classified_at is not None
    assert case.id not in pending_work(session, settings, utcnow()).classify_cases


def test_feedback_rows_use_human_labels_options_and_stars(client, register_event, session, settings, depts):
    rate(client, register_event(), 1, "拖了很久", options=["overdue"])
    labelled = rate(client, register_event(), 2, "态度不好还漏水", options=["overdue"])
    rate(client, register_event(), 3, "一般般")
    rate(client, register_event(), 5, "非常满意，效率高")
    review = fresh(session, Review, labelled)
    review.human_tags = ["attitude", "quality"]
    session.add(HotlineCase(case_no="C-9", type="complaint", content="邻居装修把我家墙打裂了",
                            department_id=depts["ZJJ-A"].id, received_at=utcnow(), body_fingerprint="f",
                            human_tags=[]))
    session.commit()
    tags = dict(feedback_rows(session, settings, "tags"))
    # The human label wins over the option's weak label (overdue => delay); a case's "none" counts.
    assert tags == {"拖了很久": ["delay"], "态度不好还漏水": ["attitude", "quality"], "邻居装修把我家墙打裂了": []}
    sentiment = dict(feedback_rows(session, settings, "sentiment"))
    assert sentiment == {"拖了很久": "negative", "态度不好还漏水": "negative", "非常满意，效率高": "positive"}
