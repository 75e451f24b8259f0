"""Daily per-department indicator counts (rollups), their dirty marks and the refresh watermark.

Every column of `IndicatorDaily` is an integer count, so any period and any department subtree is
an exact sum of rows; rates are derived only when reading (service/domain/indicators/figures.py).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import BigInteger, Date, ForeignKey, Index, Integer, String, event, select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Mapped, Session, mapped_column
from sqlalchemy.orm.base import NO_VALUE

from service.extensions import db
from service.models.hotline import HotlineCallback
from service.models.review import Review
from service.models.service_event import ServiceEvent
from service.models.types import SHANGHAI, UTCDateTime

# Order matters only for readability; the domain iterates this tuple.
COUNTERS = (
    # primary ratings, by the rating's local day
    "reviews_total", "reviews_active", "reviews_excluded", "reviews_valid", "reviews_good",
    "reviews_bad", "reviews_active_valid", "reviews_active_good", "level_points", "follow_ups",
    # 差评 (bad primary ratings and the bad follow-ups that opened a ticket), by their local day
    "bad_follow_ups", "real_name_bad", "real_name_bad_verified", "bad_replied",
    "bad_tag_delay", "bad_tag_quality", "bad_tag_attitude",
    # service events, by their completion day
    "service_events", "events_rated",
    # 12345 complaint/report cases, by their receipt day
    "complaint_cases", "case_tag_delay", "case_tag_quality", "case_tag_attitude",
    # cases called back (each with its latest valid callback), by that callback's day
    "callbacks_valid", "callbacks_solved", "callbacks_satisfied", "callbacks_basic",
    # tickets, by the day of their sign-for deadline
    "sign_due", "signed_on_time",
    # tickets, by the day of their handling deadline in force at dispatch (period_due_at)
    "rectify_due", "rectified", "rectified_on_time", "overdue",
)


def _count() -> Mapped[int]:
    return mapped_column(Integer, default=0, server_default="0")


class IndicatorDaily(db.Model):
    __tablename__ = "indicator_daily"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), primary_key=True)

    reviews_total: Mapped[int] = _count()
    reviews_active: Mapped[int] = _count()
    reviews_excluded: Mapped[int] = _count()
    reviews_valid: Mapped[int] = _count()
    reviews_good: Mapped[int] = _count()
    reviews_bad: Mapped[int] = _count()
    reviews_active_valid: Mapped[int] = _count()
    reviews_active_good: Mapped[int] = _count()
    level_points: Mapped[int] = _count()  # Σ(level − 1) over valid ratings; the score is 25× the mean
    follow_ups: Mapped[int] = _count()
    bad_follow_ups: Mapped[int] = _count()
    real_name_bad: Mapped[int] = _count()
    real_name_bad_verified: Mapped[int] = _count()
    bad_replied: Mapped[int] = _count()
    bad_tag_delay: Mapped[int] = _count()
    bad_tag_quality: Mapped[int] = _count()
    bad_tag_attitude: Mapped[int] = _count()
    service_events: Mapped[int] = _count()
    events_rated: Mapped[int] = _count()
    complaint_cases: Mapped[int] = _count()
    case_tag_delay: Mapped[int] = _count()
    case_tag_quality: Mapped[int] = _count()
    case_tag_attitude: Mapped[int] = _count()
    callbacks_valid: Mapped[int] = _count()
    callbacks_solved: Mapped[int] = _count()
    callbacks_satisfied: Mapped[int] = _count()
    callbacks_basic: Mapped[int] = _count()
    sign_due: Mapped[int] = _count()
    signed_on_time: Mapped[int] = _count()
    rectify_due: Mapped[int] = _count()
    rectified: Mapped[int] = _count()
    rectified_on_time: Mapped[int] = _count()
    overdue: Mapped[int] = _count()


# Recomputing a few days of rollups selects ratings by creation time alone; the foundation's
# (department_id, created_at) index cannot serve that, so the indicator migration adds this one.
Index("ix_reviews_created_at", Review.created_at)


class RollupDirty(db.Model):
    """A local day whose rollup rows must be recomputed. Written in the same transaction as the
    change (see service/domain/rollups.py), so a committed change is never missed."""

    __tablename__ = "rollup_dirty"

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True
    )
    day: Mapped[date] = mapped_column(Date)


class RollupState(db.Model):
    """The refresh watermark: up to which row ids and as of which instant the rollups are current."""

    __tablename__ = "rollup_state"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    as_of: Mapped[datetime] = mapped_column(UTCDateTime())
    refreshed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    review_id: Mapped[int] = mapped_column(BigInteger, default=0)
    event_id: Mapped[int] = mapped_column(BigInteger, default=0)
    case_id: Mapped[int] = mapped_column(BigInteger, default=0)
    callback_id: Mapped[int] = mapped_column(BigInteger, default=0)
    ticket_id: Mapped[int] = mapped_column(BigInteger, default=0)


# --------------------------------------------------------------------------------------------------
# Dirty marks on write: the rollup write hook. `install_rollup_marks()` (called by the app factory,
# service/base.py) listens on every Session, so every process that changes a rating, ticket,
# event, case or callback through the ORM marks the days its figures belong to, in the same
# transaction; the domain's writes (ratings.submit_review, the ticket actions, …) need no call.
# It lives with the models rather than in the domain because it must see every ORM write. The *old* days (a deadline moved by a
# reopening, a ticket reassigned) are read from the database before the UPDATE is sent, so they are
# known even for an instance that was modified without being loaded. Rows inserted with Core or
# COPY are found by the id watermark of the refresh job instead.

# model class name -> the columns that decide which day a row counts on (True: a deadline)
_DAY_COLUMNS = {
    "Review": (("created_at", False),),
    "Ticket": (("sign_due_at", True), ("period_due_at", True)),
    "HotlineCase": (("received_at", False),),
    "HotlineCallback": (("created_at", False),),
    "ServiceEvent": (("completed_at", False),),
}


def _day(moment: datetime | None, deadline: bool = False) -> date | None:
    if moment is None:
        return None
    if deadline:  # an end-of-day deadline (00:00 of the next day) belongs to its own day
        moment = moment - timedelta(seconds=1)
    return moment.astimezone(SHANGHAI).date()


def _tracked(session: Session, objects) -> dict[type, list]:
    by_class: dict[type, list] = {}
    for obj in objects:
        if type(obj).__name__ in _DAY_COLUMNS and (obj not in session.dirty or session.is_modified(obj)):
            by_class.setdefault(type(obj), []).append(obj)
    return by_class


def install_rollup_marks() -> None:
    """Listen on every Session (idempotent): old days before each flush, dirty days after it."""
    if not event.contains(Session, "before_flush", remember_old_days):
        event.listen(Session, "before_flush", remember_old_days)
        event.listen(Session, "after_flush", mark_dirty_days)


def remember_old_days(session: Session, _context, _instances) -> None:
    """Days the rows being updated or deleted count on *now*, before the flush changes them."""
    days, review_ids = session.info.setdefault("rollup_days", set()), set()
    persistent = [o for o in list(session.dirty) + list(session.deleted) if sa_inspect(o).has_identity]
    for model, objects in _tracked(session, persistent).items():
        columns = [getattr(model, name) for name, _ in _DAY_COLUMNS[model.__name__]]
        if model.__name__ == "Ticket":
            columns.append(model.review_id)
        ids = [sa_inspect(o).identity[0] for o in objects]
        for row in session.connection().execute(select(*columns).where(model.id.in_(ids))):
            for value, (_, deadline) in zip(row, _DAY_COLUMNS[model.__name__], strict=False):
                days.add(_day(value, deadline))
            if model.__name__ == "Ticket" and row[-1] is not None:
                review_ids.add(row[-1])
    session.info.setdefault("rollup_review_ids", set()).update(review_ids)


def _current(obj, name: str):
    """The value the row will hold after the flush, when the instance knows it (without loading)."""
    value = sa_inspect(obj).dict.get(name)
    return None if value is NO_VALUE else value


def mark_dirty_days(session: Session, _context) -> None:
    days: set = session.info.pop("rollup_days", set())
    review_ids: set = session.info.pop("rollup_review_ids", set())
    event_ids: set = set()  # a new rating changes its event's completion-day figures
    case_ids: set = set()  # a new callback replaces its case's earlier latest one (counted per case)
    for model, objects in _tracked(session, list(session.new) + list(session.dirty)).items():
        for obj in objects:
            for name, deadline in _DAY_COLUMNS[model.__name__]:
                days.add(_day(_current(obj, name), deadline))
            if model.__name__ == "Ticket":  # a reply or callback changes its rating's day
                review_ids.add(_current(obj, "review_id"))
            elif model.__name__ == "HotlineCallback" and obj in session.new:
                case_ids.add(_current(obj, "case_id"))
            elif model.__name__ == "Review" and obj in session.new:
                # Intake sets review.service_event, so its completion day is known without a query.
                event = _current(obj, "service_event")
                completed_at = _current(event, "completed_at") if event is not None else None
                if completed_at is not None:
                    days.add(_day(completed_at))
                else:
                    event_ids.add(_current(obj, "service_event_id"))
    connection = session.connection() if (days or review_ids or event_ids or case_ids) else None
    for column, key, ids in ((ServiceEvent.completed_at, ServiceEvent.id, event_ids),
                             (Review.created_at, Review.id, review_ids),
                             (HotlineCallback.created_at, HotlineCallback.case_id, case_ids)):
        ids.discard(None)
        if ids:
            days.update(_day(r[0]) for r in connection.execute(select(column).where(key.in_(ids))))
    days.discard(None)
    if days:
        connection.execute(RollupDirty.__table__.insert(), [{"day": d} for d in sorted(days)])
