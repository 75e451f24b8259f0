"""Daily per-department rollups of the indicator counts: maintained incrementally, rebuilt on demand.

Rollup rows are `counts.day_counts` stored; live figures are rollup rows for clean days
plus `day_counts` for stale days; the "raw" figures are `day_counts` for the whole period. Rollups
and raw rows therefore agree by construction whenever the stale-day bookkeeping is right, which the
tests check after random inserts, appeals and reopenings.

Stale days (recomputed by `refresh_rollups`, read raw by live figures):
* days marked dirty on write (service/models/rollup.py, same transaction as the change);
* days of rows inserted behind the ORM's back (COPY, bulk INSERT): rows with an id above the
  watermark;
* the days from the day before the last refresh up to today, because "due" and "overdue" depend on
  the clock: a deadline passing changes a count without any row changing;
* for the same reason, the original-deadline days of reopened tickets whose fresh deadline passed
  since the last refresh (a reopened ticket counts on the day of `period_due_at`, found through
  the partial index on reopened tickets' `due_at`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from sqlalchemy import and_, delete, func, insert, select
from sqlalchemy.orm import Session, aliased

from service.domain.indicators.counts import as_date, counts_select, local_day, ranges
from service.domain.indicators.periods import local_date, local_midnight
from service.models import (
    HotlineCallback,
    HotlineCase,
    IndicatorDaily,
    Review,
    RollupDirty,
    RollupState,
    ServiceEvent,
    Ticket,
)
from service.models.rollup import COUNTERS
from service.models.types import utcnow

STATE = "daily"

# --------------------------------------------------------------------------------------------------
# Maintaining the rollups


def recompute_days(session: Session, days: Iterable[date], now: datetime) -> int:
    """Replace the rollup rows of these days (every department) with fresh counts; no commit.

    INSERT … SELECT: the counts never travel to Python and back."""
    dialect = session.get_bind().dialect.name
    written = 0
    for first, last in ranges(days):
        session.execute(delete(IndicatorDaily).where(IndicatorDaily.day.between(first, last)))
        stmt = insert(IndicatorDaily.__table__).from_select(
            ["department_id", "day", *COUNTERS], counts_select(dialect, first, last, now))
        session.execute(stmt)
        # rowcount of INSERT … SELECT is not reliable across drivers: count what is there.
        written += session.scalar(select(func.count()).select_from(IndicatorDaily)
                                  .where(IndicatorDaily.day.between(first, last))) or 0
    return written


_WATERMARKS = (
    ("review_id", Review), ("event_id", ServiceEvent), ("case_id", HotlineCase),
    ("callback_id", HotlineCallback), ("ticket_id", Ticket),
)


def _max_ids(session: Session) -> dict[str, int]:
    return {name: session.scalar(select(func.coalesce(func.max(model.id), 0))) or 0
            for name, model in _WATERMARKS}


def _new_row_days(session: Session, state: RollupState, upto: dict[str, int] | None = None) -> set[date]:
    """Days touched by rows inserted since the watermark (also those no ORM flush has marked)."""
    dialect = session.get_bind().dialect.name
    r, e, t = Review, ServiceEvent, Ticket
    earlier = aliased(HotlineCallback)

    def new_rows(name: str):
        def condition(model):
            low = model.id > getattr(state, name)
            return and_(low, model.id <= upto[name]) if upto else low
        return condition

    above = {name: new_rows(name) for name, _ in _WATERMARKS}
    queries = [
        select(local_day(r.created_at, dialect)).where(above["review_id"](r)),
        select(local_day(e.completed_at, dialect)).join(r, r.service_event_id == e.id)
        .where(above["review_id"](r)),
        select(local_day(e.completed_at, dialect)).where(above["event_id"](e)),
        select(local_day(HotlineCase.received_at, dialect)).where(above["case_id"](HotlineCase)),
        select(local_day(HotlineCallback.created_at, dialect))
        .where(above["callback_id"](HotlineCallback)),
        # A new callback replaces its case's earlier latest one: that one's day changes too.
        select(local_day(earlier.created_at, dialect))
        .join(HotlineCallback, HotlineCallback.case_id == earlier.case_id)
        .where(above["callback_id"](HotlineCallback)),
        select(local_day(t.sign_due_at, dialect, True)).where(above["ticket_id"](t)),
        select(local_day(t.period_due_at, dialect, True)).where(above["ticket_id"](t)),
        select(local_day(r.created_at, dialect)).join(t, t.review_id == r.id)
        .where(above["ticket_id"](t)),
    ]
    days: set[date] = set()
    for stmt in queries:
        days.update(as_date(d) for d in session.scalars(stmt.distinct()) if d is not None)
    return days


def _clock_days(session: Session, as_of: datetime, now: datetime) -> set[date]:
    """Days whose counts the clock may have changed since `as_of`: the days from the day before
    up to today (deadlines passing on their own day), and the original-deadline days of reopened
    tickets whose fresh deadline passed meanwhile (they count on the day of `period_due_at`)."""
    first = local_date(min(as_of, now)) - timedelta(days=1)
    days = {first + timedelta(days=i) for i in range((local_date(now) - first).days + 1)}
    t = Ticket
    moved = (select(local_day(t.period_due_at, session.get_bind().dialect.name, True)).distinct()
             .where(t.reopen_count > 0, t.due_at >= local_midnight(first), t.due_at <= max(as_of, now)))
    return days | {as_date(d) for d in session.scalars(moved)}


def stale_days(session: Session, now: datetime) -> set[date] | None:
    """Days whose rollup rows may not match raw rows as of `now`; None when never built."""
    state = session.get(RollupState, STATE)
    if state is None:
        return None
    days = set(session.scalars(select(RollupDirty.day).distinct()))
    return days | _new_row_days(session, state) | _clock_days(session, state.as_of, now)


def _lock_state(session: Session) -> RollupState | None:
    # One refresh at a time: the second waits for the first, then sees its watermark.
    return session.scalar(select(RollupState).where(RollupState.name == STATE).with_for_update())


def refresh_rollups(session: Session, now: datetime) -> dict:
    """Bring the rollups up to date incrementally. Idempotent; after downtime it catches up from
    the watermark. Builds everything on first run."""
    state = _lock_state(session)
    if state is None:
        return rebuild_rollups(session, now)
    dirty = session.execute(select(RollupDirty.id, RollupDirty.day)).all()
    upto = _max_ids(session)
    days = {d for _, d in dirty} | _new_row_days(session, state, upto) | _clock_days(session, state.as_of, now)
    written = recompute_days(session, days, now)
    _consume_marks(session, [i for i, _ in dirty])
    for name, value in upto.items():
        setattr(state, name, value)
    state.as_of, state.refreshed_at = now, utcnow()
    session.commit()
    return {"days": len(days), "rows": written, "dirty_marks": len(dirty)}


def _consume_marks(session: Session, ids: list[int]) -> None:
    # Only the marks read before recomputing: one committed meanwhile is kept for the next run.
    for start in range(0, len(ids), 1000):
        session.execute(delete(RollupDirty).where(RollupDirty.id.in_(ids[start:start + 1000])))


def _data_bounds(session: Session) -> tuple[date, date] | None:
    columns = (Review.created_at, ServiceEvent.completed_at, HotlineCase.received_at,
               HotlineCallback.created_at, Ticket.sign_due_at, Ticket.period_due_at)
    lows, highs = [], []
    for column in columns:
        low, high = session.execute(select(func.min(column), func.max(column))).one()
        if low is not None:
            lows.append(local_date(low) - timedelta(days=1))
            highs.append(local_date(high))
    return (min(lows), max(highs)) if lows else None


def rebuild_rollups(session: Session, now: datetime, first: date | None = None,
                    last: date | None = None) -> dict:
    """Recompute rollups from raw rows: every day with data, or only first..last when given."""
    partial = first is not None or last is not None
    state = _lock_state(session)
    marks = list(session.scalars(select(RollupDirty.id))) if not partial else []
    upto = _max_ids(session)
    bounds = _data_bounds(session)
    written, days = 0, 0
    if bounds:
        first = first or bounds[0]
        last = last or bounds[1]
        if not partial:
            session.execute(delete(IndicatorDaily))
        span = [first + timedelta(days=i) for i in range((last - first).days + 1)]
        written, days = recompute_days(session, span, now), len(span)
    if not partial:
        _consume_marks(session, marks)
        if state is None:
            state = RollupState(name=STATE, as_of=now, refreshed_at=utcnow())
            session.add(state)
        for name, value in upto.items():
            setattr(state, name, value)
        state.as_of, state.refreshed_at = now, utcnow()
    session.commit()
    return {"days": days, "rows": written}


def rollup_counts(session: Session, first: date, last: date, skip: set[date] = frozenset()) -> dict[int, list[int]]:
    """Per-department sums of the rollup rows for first..last, leaving out the days in `skip`."""
    d = IndicatorDaily
    stmt = (select(d.department_id, *[func.sum(getattr(d, name)) for name in COUNTERS])
            .where(d.day.between(first, last)).group_by(d.department_id))
    skip = {day for day in skip if first <= day <= last}
    if skip:
        stmt = stmt.where(d.day.not_in(sorted(skip)))
    return {row[0]: [int(v or 0) for v in row[1:]] for row in session.execute(stmt)}
