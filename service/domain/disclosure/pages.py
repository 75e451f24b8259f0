"""The published periods, one period's table and the bureau's trend, from published versions only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, defer

from service.domain.indicators import (
    parse_period,
    public_items,
    published_view,
    snapshot_of,
    version_status,
)
from service.models import Department, Publication
from service.models.publication import PUBLISHED

TREND_LENGTH = 12  # published periods of the same kind shown in the trend, the latest last


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    kind: str  # count | rate | score


# The 公示 table's columns (ui.md), in order; each can sort the table.
COLUMNS = (
    Column("reviews_total", "评价量", "count"),
    Column("good_rate", "好评率", "rate"),
    Column("bad_rate", "差评率", "rate"),
    Column("rectification_rate", "差评整改率", "rate"),
    Column("rectification_on_time_rate", "按时整改率", "rate"),
    Column("satisfaction_score", "满意度得分", "score"),
    Column("overdue_tickets", "超期数", "count"),
    Column("score", "综合得分", "score"),
)
_BY_KEY = {c.key: c for c in COLUMNS}


@dataclass(frozen=True)
class PeriodEntry:
    period: str
    kind: str
    version: int
    status: str  # published (appeal window open or provisional) | final
    provisional: bool
    published_at: datetime
    appeal_deadline: datetime
    reason: str | None  # why this version corrects an earlier one


@dataclass(frozen=True)
class TrendPoint:
    period: str
    satisfaction_score: float | None
    good_rate: float | None  # a fraction in [0, 1]


@dataclass
class PublishedTable:
    entry: PeriodEntry
    versions: list[dict[str, Any]]
    rows: list[dict[str, Any]]
    trend: list[TrendPoint]
    sort: str | None
    descending: bool


def published_periods(session: Session, now: datetime) -> list[PeriodEntry]:
    """Every period with a published version: its latest one, newest period first."""
    return [_entry(pub, version_status(session, pub, now, pub.version)) for pub in _latest_published(session, now)]


def _latest_published(session: Session, now: datetime) -> list[Publication]:
    latest: dict[str, Publication] = {}
    published = select(Publication).options(defer(Publication.snapshot)).where(Publication.status == PUBLISHED)
    for pub in session.scalars(published):
        if pub.period not in latest or pub.version > latest[pub.period].version:
            latest[pub.period] = pub
    return sorted(latest.values(), key=lambda p: (p.first_day, p.last_day), reverse=True)


def _entry(pub: Publication, status: str) -> PeriodEntry:
    return PeriodEntry(pub.period, pub.period_kind, pub.version, status, pub.provisional, pub.approved_at,
                       pub.appeal_deadline, pub.reason)


def published_table(session: Session, period_text: str, now: datetime, version: int | None = None,
                    sort: str | None = None, descending: bool = True) -> PublishedTable:
    """One period's published table (the latest version, or `version`), sorted by a column."""
    view = published_view(session, period_text, now, version)
    pub = view.publication
    rows = public_items(snapshot_of(session, pub))
    if sort in _BY_KEY:
        rows = _sorted(rows, sort, descending)
    else:
        sort = None
    return PublishedTable(_entry(pub, view.status), view.versions, rows, trend(session, pub.period, now),
                          sort, descending)


def value_of(row: dict[str, Any], key: str) -> float | int | None:
    if key == "score":
        return row["score"]
    figure = row["indicators"].get(key)
    return figure.get("value") if isinstance(figure, dict) else figure


def _sorted(rows: list[dict[str, Any]], key: str, descending: bool) -> list[dict[str, Any]]:
    # Departments without data for the column go last whichever the direction.
    present = [r for r in rows if value_of(r, key) is not None]
    missing = [r for r in rows if value_of(r, key) is None]
    return sorted(present, key=lambda r: value_of(r, key), reverse=descending) + missing


def trend(session: Session, period_text: str, now: datetime) -> list[TrendPoint]:
    """The bureau's figures over the published periods of the same kind up to this one."""
    kind = parse_period(period_text, now).kind
    # Labels of one kind sort as their periods do (2026-09 < 2026-10, 2026-Q3 < 2026-Q4).
    pubs = [p for p in _latest_published(session, now) if p.period_kind == kind and p.period <= period_text]
    roots = set(session.scalars(select(Department.code).where(Department.parent_id.is_(None))))
    points = []
    for pub in reversed(pubs[:TREND_LENGTH]):
        items = snapshot_of(session, pub)["items"]
        # The bureau is the root department: its figures are the sums over the whole tree.
        bureau = next((i for i in items if i["department_code"] in roots), items[0] if items else None)
        if bureau is None:
            continue
        figures = bureau["indicators"]
        points.append(TrendPoint(pub.period, figures.get("satisfaction_score"),
                                 (figures.get("good_rate") or {}).get("value")))
    return points
