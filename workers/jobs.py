"""RQ jobs: ids in, one domain call, a small dict out. Safe to run twice.

Each job runs inside an app context: the caller's when run inline, else one app built once per
worker process (never at import).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask, current_app, has_app_context
from sqlalchemy.orm import Session

from service.extensions import db
from service.models.types import utcnow

log = logging.getLogger(__name__)
_worker_app: Flask | None = None


def worker_app() -> Flask:
    global _worker_app
    if _worker_app is None:
        from service.app import create_app

        _worker_app = create_app()
    return _worker_app


@contextmanager
def job_session() -> Iterator[Session]:
    if has_app_context():
        try:
            yield db.session
        except Exception:
            db.session.rollback()
            raise
        return
    with worker_app().app_context():
        try:
            yield db.session
        except Exception:
            db.session.rollback()
            raise
        finally:
            db.session.remove()


def settings():
    return current_app.extensions["settings"]


def classify_review(review_id: int) -> dict:
    from service.domain.classification import classify_review as classify

    with job_session() as session:
        return classify(session, review_id, now=utcnow(), settings=settings())


def classify_reviews_batch(review_ids: list[int]) -> dict:
    """Many pending reviews in one job: the texts go through the model as one batch."""
    from service.domain.classification import classify_reviews

    with job_session() as session:
        return classify_reviews(session, review_ids, now=utcnow(), settings=settings())


def classify_case(case_id: int) -> dict:
    from service.domain.classification import classify_case as classify

    with job_session() as session:
        return classify(session, case_id, now=utcnow(), settings=settings())


def classify_cases_batch(case_ids: list[int]) -> dict:
    from service.domain.classification import classify_cases

    with job_session() as session:
        return classify_cases(session, case_ids, now=utcnow(), settings=settings())


def retrain_models() -> dict:
    """Periodic (daily): retrain tags and sentiment with the bureau's feedback; a candidate is
    activated only when it is not worse than the active model on the same held-out split."""
    from service.domain.nlp_training import DEFAULT_TASKS, retrain

    out = {}
    with job_session() as session:
        for task in DEFAULT_TASKS:
            out[task] = retrain(session, settings(), task, now=utcnow())
    return out


def open_ticket_for_review(review_id: int) -> dict:
    from service.domain.tickets import open_ticket_for_review as open_ticket

    with job_session() as session:
        return open_ticket(session, settings(), review_id, now=utcnow())


def requeue_pending() -> dict:
    """Periodic: hand out again whatever was accepted but not yet processed (Redis was down, a
    worker crashed mid-job, a classification failed)."""
    from service.domain.pipeline import pending_work
    from workers.queues import enqueue

    with job_session() as session:
        work = pending_work(session, settings(), utcnow())
        _enqueue_classification("review", work.classify_reviews)
        _enqueue_classification("case", work.classify_cases)
        for review_id in work.open_tickets:
            enqueue("workers.jobs.open_ticket_for_review", review_id)
        return work.summary()


def _enqueue_classification(kind: str, ids: list[int]) -> None:
    from workers.queues import CLASSIFY, enqueue

    if len(ids) == 1:
        enqueue(f"workers.jobs.classify_{kind}", ids[0], queue=CLASSIFY)
        return
    size = max(settings().classify_batch_size, 1)
    for start in range(0, len(ids), size):  # a backlog goes through the model in batches
        enqueue(f"workers.jobs.classify_{kind}s_batch", ids[start:start + size], queue=CLASSIFY)


def apply_default_ratings() -> dict:
    from service.domain.rating_options import load_catalog
    from service.domain.reviews import apply_default_ratings as apply

    with job_session() as session:
        s = settings()
        return {"default_ratings": apply(session, s, load_catalog(s.rating_options_file), utcnow())}


def refresh_rollups() -> dict:
    """Periodic: bring the indicator rollups up to date (incremental, idempotent, catches up)."""
    from service.domain.rollups import refresh_rollups as refresh

    with job_session() as session:
        return refresh(session, utcnow())


def sweep_tickets() -> dict:
    """Periodic: recolour open tickets; record reminders, notices and escalations (set-based)."""
    from service.domain.ticket_sweep import sweep_tickets as sweep

    with job_session() as session:
        return sweep(session, utcnow())


def recompute_provisional_deadlines() -> dict:
    """Periodic: recompute deadlines that reached into a year whose holidays were unknown."""
    from service.domain.calendar_store import recompute_provisional

    with job_session() as session:
        return recompute_provisional(session, settings(), utcnow())
