"""Reading a review's full text (domain.md §2): every response shows review text with the numbers
inside it masked; a permitted role (operators and supervisors, for a callback) may read it whole,
and the reading itself is audited with the reason given, like unmasking contact fields."""

from __future__ import annotations

from sqlalchemy.orm import Session

from service.domain.accounts import Entry, Scope, record
from service.domain.ratings.reviews import get_review
from service.models import User


def unmask_review_text(session: Session, scope: Scope, review_id: int, actor: User, reason: str) -> dict:
    review = get_review(session, scope, review_id)
    record(session, Entry(actor=actor.name, action="text_unmasked", entity_type="review",
                          entity_id=review.id, note=reason))
    session.commit()
    return {"id": review.id, "text": review.text}
