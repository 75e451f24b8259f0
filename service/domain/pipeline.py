"""What accepted work is still waiting for its follow-up jobs."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from config.settings import Settings
from service.models import Review
from service.models.review import PENDING

BATCH = 1000


@dataclass
class PendingWork:
    classify_reviews: list[int] = field(default_factory=list)
    open_tickets: list[int] = field(default_factory=list)

    def summary(self) -> dict:
        return {"classify_reviews": len(self.classify_reviews), "open_tickets": len(self.open_tickets)}


def pending_work(session: Session, settings: Settings, now: datetime) -> PendingWork:
    # Only rows older than the grace period: fresh ones are most likely still in the queue.
    cutoff = now - timedelta(seconds=settings.pending_requeue_after_seconds)
    classify = session.scalars(
        select(Review.id)
        .where(Review.classification_state == PENDING, Review.created_at < cutoff)
        .order_by(Review.id)
        .limit(BATCH)
    ).all()
    tickets = session.scalars(
        select(Review.id)
        .where(Review.ticket_state == PENDING, Review.created_at < cutoff)
        .order_by(Review.id)
        .limit(BATCH)
    ).all()
    return PendingWork(list(classify), list(tickets))


def count_pending(session: Session) -> dict[str, int]:
    from sqlalchemy import func

    return {
        "classification": session.scalar(
            select(func.count()).where(Review.classification_state == PENDING)
        ) or 0,
        "ticket": session.scalar(select(func.count()).where(Review.ticket_state == PENDING)) or 0,
    }
