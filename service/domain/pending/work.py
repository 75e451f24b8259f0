"""What accepted work is still waiting for its follow-up jobs."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from config.settings import Settings
from service.models import HotlineCase, Review
from service.models.review import PENDING

BATCH = 1000


@dataclass
class PendingWork:
    classify_reviews: list[int] = field(default_factory=list)
    open_tickets: list[int] = field(default_factory=list)
    classify_cases: list[int] = field(default_factory=list)

    def summary(self) -> dict:
        out = {"classify_reviews": len(self.classify_reviews), "open_tickets": len(self.open_tickets)}
        if self.classify_cases:  # reported only when there are some, so the usual shape stays small
            out["classify_cases"] = len(self.classify_cases)
        return out


def pending_work(session: Session, settings: Settings, now: datetime) -> PendingWork:
    # Only rows older than the grace period: fresh ones are most likely still in the queue.
    cutoff = now - timedelta(seconds=settings.pending_requeue_after_seconds)
    classify = session.scalars(
        select(Review.id)
        .where(Review.classification_state == PENDING, Review.created_at < cutoff,
               _due(Review.classification_next_at, now))
        .order_by(Review.id)
        .limit(BATCH)
    ).all()
    tickets = session.scalars(
        select(Review.id)
        .where(Review.ticket_state == PENDING, Review.created_at < cutoff)
        .order_by(Review.id)
        .limit(BATCH)
    ).all()
    cases = session.scalars(
        select(HotlineCase.id)
        .where(HotlineCase.classification_state == PENDING, HotlineCase.created_at < cutoff,
               _due(HotlineCase.classification_next_at, now))
        .order_by(HotlineCase.id)
        .limit(BATCH)
    ).all()
    return PendingWork(list(classify), list(tickets), list(cases))


def _due(next_at, now: datetime):
    # A row whose classification failed waits out its backoff (set by the classifier), then is
    # handed out again; rows are never dropped however often they failed.
    return or_(next_at.is_(None), next_at <= now)


def count_pending(session: Session) -> dict[str, int]:
    return {
        "classification": session.scalar(
            select(func.count()).where(Review.classification_state == PENDING)
        ) or 0,
        "ticket": session.scalar(select(func.count()).where(Review.ticket_state == PENDING)) or 0,
        "case_classification": session.scalar(
            select(func.count()).where(HotlineCase.classification_state == PENDING)
        ) or 0,
    }
