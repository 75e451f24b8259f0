"""The human review queue: classified texts without a human label, least sure first.

A few minutes of labelling a day teach the model the city's own language only if people see the
texts the model is least sure about. The order is the tag uncertainty stored when each row was
classified (`nlp.tag_uncertainty`: 1 = some tag's score on its threshold, 0 = every tag clearly
decided), so a request never runs the model; rows classified before the uncertainty was stored
come after the others, newest first. The uncertainty is the classifying model's: a row keeps it
until it is classified again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.domain.accounts import Scope, subtree_ids
from service.domain.pagination import Page, paginate
from service.models import HotlineCase, Review

SOURCES = {"review": Review, "case": HotlineCase}


@dataclass(frozen=True)
class QueueItem:
    """One text to label: where it comes from and the stored row."""

    source: str
    row: Any

    @property
    def text(self) -> str:
        return self.row.text if self.source == "review" else self.row.content


def _waiting(session: Session, scope: Scope, source: str):
    """Rows of one source a person should label: classified by a model, no human label yet."""
    model = SOURCES[source]
    text = model.text if source == "review" else model.content
    return select(model).where(
        model.model_version.is_not(None), model.human_tags.is_(None),
        text.is_not(None), func.length(func.trim(text)) > 0,
        model.department_id.in_(subtree_ids(session, scope)),
    )


def _ordered(stmt, model):
    return stmt.order_by(model.tag_uncertainty.desc().nulls_last(), model.id.desc())


def review_queue(session: Session, scope: Scope, source: str | None, page: int, per_page: int) -> Page:
    """The page of the queue of one source ("review", "case") or of both, least sure first.

    Both sources: each table gives its first `page * per_page` rows in queue order and the two
    lists are merged (ties: reviews first, then newer rows); nothing sorts a union of every
    unlabelled text.
    """
    if source:
        model = SOURCES[source]
        found = paginate(session, _ordered(_waiting(session, scope, source), model), page, per_page)
        return Page([QueueItem(source, row) for row in found.items], page, per_page, found.total)
    waiting = {name: _waiting(session, scope, name) for name in SOURCES}
    counts = {name: session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
              for name, stmt in waiting.items()}
    total, start = sum(counts.values()), (page - 1) * per_page
    if start >= total:  # past the end (a page number can be far beyond it): nothing to read
        return Page([], page, per_page, total)
    merged = []
    for name, stmt in waiting.items():
        rows = session.scalars(_ordered(stmt, SOURCES[name]).limit(min(page * per_page, counts[name]))).all()
        merged += [QueueItem(name, row) for row in rows]
    merged.sort(key=_sort_key)
    return Page(merged[start:start + per_page], page, per_page, total)


def _sort_key(item: QueueItem) -> tuple:
    u = item.row.tag_uncertainty
    return (u is None, -(u or 0.0), list(SOURCES).index(item.source), -item.row.id)
