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
        return classify(session, review_id, now=utcnow())


def open_ticket_for_review(review_id: int) -> dict:
    from service.domain.tickets import open_ticket_for_review as open_ticket

    with job_session() as session:
        return open_ticket(session, settings(), review_id, now=utcnow())


def requeue_pending() -> dict:
    """Periodic: hand out again whatever was accepted but not yet processed (Redis was down, a
    worker crashed mid-job, a classification failed)."""
    from service.domain.pipeline import pending_work
    from workers.queues import CLASSIFY, enqueue

    with job_session() as session:
        work = pending_work(session, settings(), utcnow())
        for review_id in work.classify_reviews:
            enqueue("workers.jobs.classify_review", review_id, queue=CLASSIFY)
        for review_id in work.open_tickets:
            enqueue("workers.jobs.open_ticket_for_review", review_id)
        return work.summary()


def apply_default_ratings() -> dict:
    from service.domain.rating_options import load_catalog
    from service.domain.reviews import apply_default_ratings as apply

    with job_session() as session:
        s = settings()
        return {"default_ratings": apply(session, s, load_catalog(s.rating_options_file), utcnow())}
