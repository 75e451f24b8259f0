"""Classifying review and 12345 case texts with the active models.

Jobs are idempotent (a row already `done` is skipped) and never drop a text: the attempt is
counted and committed first, so a crash or an error leaves the row `pending` with a backoff time
(`classification_next_at`) after which the periodic sweep hands it out again.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from config.settings import Settings
from service.domain.classification.registry import ModelUnavailable, current_classifier
from service.domain.errors import ValidationFailed
from service.domain.ratings import load_catalog
from service.models import HotlineCase, Review
from service.models.review import DONE, PENDING
from service.models.types import tag_string

log = logging.getLogger(__name__)

def retry_delay(settings: Settings, attempts: int) -> timedelta:
    """Exponential backoff by attempts, capped: a failing row is retried ever more rarely, never dropped."""
    seconds = settings.classify_retry_base_seconds * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, settings.classify_retry_max_seconds))


def classify_text(session: Session, text: str, level: int | None = None) -> dict:
    """One text through the active models (for the API); empty text is a validation error."""
    if text is None or not str(text).strip():
        raise ValidationFailed("文本不能为空。", {"text": ["不能为空。"]})
    return current_classifier(session).classify_batch([text], [level])[0]


def classify_review(session: Session, review_id: int, now: datetime, settings: Settings | None = None) -> dict:
    """The job body for one review (see classify_reviews)."""
    return classify_reviews(session, [review_id], now, settings)


def classify_reviews(
    session: Session, review_ids: Sequence[int], now: datetime, settings: Settings | None = None
) -> dict:
    """Classify the pending reviews among `review_ids` in one batch (the model is loaded once).

    Effective tags: the human label when there is one, else the model's tags united with the weak
    labels of the 差评's content options (办理超时 ⇒ delay, …).
    """
    settings = settings or Settings()
    catalog = load_catalog(settings.rating_options_file)

    def apply(review: Review, result: dict) -> None:
        review.mismatch = bool(result["mismatch"])
        if review.human_tags is None:
            weak = catalog.tags_for(review.level, review.options or [])
            review.effective_tags = tag_string({t["tag"] for t in result["tags"]} | weak)

    return _classify(session, settings, Review, review_ids, now, apply, stars=lambda r: r.level)


def classify_case(session: Session, case_id: int, now: datetime, settings: Settings | None = None) -> dict:
    """The job body for one 12345 case (see classify_cases)."""
    return classify_cases(session, [case_id], now, settings)


def classify_cases(
    session: Session, case_ids: Sequence[int], now: datetime, settings: Settings | None = None
) -> dict:
    """Classify pending 12345 cases; the human label, when present, stays the effective one."""

    def apply(case: HotlineCase, result: dict) -> None:
        if case.human_tags is None:
            case.effective_tags = tag_string(t["tag"] for t in result["tags"])

    return _classify(session, settings or Settings(), HotlineCase, case_ids, now, apply, stars=None)


def _text(row) -> str:
    return (row.text if isinstance(row, Review) else row.content) or ""


def _classify(session, settings, model, ids, now, apply, stars) -> dict:
    kind = model.__tablename__
    rows = _pending(session, model, ids)
    if not rows:
        return {kind: list(ids), "status": "skipped", "classified": 0}
    try:
        classifier = current_classifier(session)
    except ModelUnavailable as exc:
        # Training inside a job would stall the queue for minutes: leave the rows pending and
        # say what to do; the sweep retries them after the backoff.
        log.warning("%s %s left pending: %s", kind, [r.id for r in rows], exc.message)
        for row in rows:
            row.classification_next_at = now + retry_delay(settings, 1)
        session.commit()
        return {kind: [r.id for r in rows], "status": "no_model", "classified": 0}
    ids = [r.id for r in rows]
    texts = [_text(r) for r in rows]
    levels = [stars(r) for r in rows] if stars else None
    for row in rows:  # counted and committed before the attempt, so a crash counts too
        row.classification_attempts = (row.classification_attempts or 0) + 1
        row.classification_next_at = now + retry_delay(settings, row.classification_attempts)
    session.commit()
    try:
        results = classifier.classify_batch(texts, levels)
    except Exception:
        log.exception("classification of %s %s failed; left pending for retry", kind, ids)
        raise
    return _store(session, model, ids, results, now, apply, kind)


def _pending(session: Session, model, ids: Sequence[int]) -> list:
    return list(session.scalars(
        select(model).where(model.id.in_(list(ids)), model.classification_state == PENDING)
        .order_by(model.id)
    ))


def _store(session, model, ids, results, now, apply, kind) -> dict:
    # Re-read under a row lock: a human label set meanwhile must win, and a concurrent run of the
    # same job must not write twice.
    rows = {r.id: r for r in session.scalars(
        select(model).where(model.id.in_(ids), model.classification_state == PENDING)
        .order_by(model.id)  # the lock order of every batch job: two batches never deadlock
        .with_for_update().execution_options(populate_existing=True)
    )}
    for row_id, result in zip(ids, results, strict=True):
        row = rows.get(row_id)
        if row is None:
            continue
        row.tags = result["tags"]
        row.sentiment = result["sentiment"]
        row.model_version = result["model_version"]
        row.tag_uncertainty = result.get("tag_uncertainty")  # the review queue's order
        row.classification_state = DONE
        row.classified_at, row.classification_next_at = now, None
        apply(row, result)
    session.commit()
    return {kind: ids, "status": "done", "classified": len(rows)}

