"""The one definition of every indicator count: grouped SQL over raw rows per (department, day).

What each count means is documented in service/domain/indicators/figures.py. Days are Asia/Shanghai dates;
a deadline belongs to the day it ends (an end-of-day deadline is 00:00 of the next day, so it is
shifted back one second). Everything is computed in SQL (one UNION ALL statement), so a rollup
refresh is INSERT … SELECT and the counts never travel to Python and back.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from sqlalchemy import and_, case, exists, func, literal, literal_column, or_, select, union_all
from sqlalchemy.orm import Session, aliased

from service.domain.indicators.periods import local_midnight
from service.models import HotlineCallback, HotlineCase, Review, ServiceEvent, Ticket
from service.models.rollup import COUNTERS
from service.models.types import TAGS, UTCDateTime

COMPLAINT_TYPES = ("complaint", "report")
CONFIRMED = ("resolved", "verified_by_supervisor")
NOT_COUNTED_OUTCOMES = ("appeal_upheld", "merged")
MAX_RANGE_DAYS = 31  # one query per month at most, so a rebuild never holds a year in memory
Counts = dict[tuple[int, date], list[int]]


# --------------------------------------------------------------------------------------------------
# SQL helpers


def local_day(column, dialect: str, deadline: bool = False):
    """The Asia/Shanghai date of a UTC column; deadlines shift 1 s back (00:00 belongs to the day before)."""
    if dialect == "postgresql":
        value = column - literal_column("interval '1 second'") if deadline else column
        return func.date(func.timezone("Asia/Shanghai", value))
    # SQLite keeps naive UTC text; Shanghai has had a fixed +08:00 offset since 1991.
    modifiers = ("+8 hours", "-1 seconds") if deadline else ("+8 hours",)
    return func.date(column, *modifiers)


def _in_days(column, first: date, last: date, deadline: bool = False):
    shift = timedelta(seconds=1) if deadline else timedelta(0)
    return and_(column >= local_midnight(first) + shift,
                column < local_midnight(last + timedelta(days=1)) + shift)


def as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _n(condition):
    return func.sum(case((condition, 1), else_=0))


# --------------------------------------------------------------------------------------------------
# The counts


def _review_columns(now: datetime, primary) -> dict:
    """`primary`: the primary rating of a follow-up (outer-joined; NULL for primary ratings)."""
    r, t = Review, Ticket
    valid = and_(r.seq == 0, r.excluded.is_(False))
    active = r.is_default.is_(False)
    bad = and_(valid, r.level <= 2)
    # A bad follow-up counts as a 差评 when its primary rating was not bad: that is when it opens a
    # ticket of its own (ratings.submit_review); after a bad primary it is the same 差评.
    bad_follow_up = and_(r.seq > 0, r.excluded.is_(False), r.level <= 2, primary.is_bad.is_(False))
    grievance = or_(bad, bad_follow_up)
    real_bad = and_(grievance, r.real_name.is_(True))
    columns = {
        "reviews_total": _n(r.seq == 0),
        "reviews_active": _n(and_(r.seq == 0, active)),
        "reviews_excluded": _n(and_(r.seq == 0, r.excluded.is_(True))),
        "reviews_valid": _n(valid),
        "reviews_good": _n(and_(valid, r.level >= 3)),
        "reviews_bad": _n(bad),
        "reviews_active_valid": _n(and_(valid, active)),
        "reviews_active_good": _n(and_(valid, active, r.level >= 3)),
        "level_points": func.sum(case((valid, r.level - 1), else_=0)),
        "follow_ups": _n(r.seq > 0),
        "bad_follow_ups": _n(bad_follow_up),
        "real_name_bad": _n(real_bad),
        "real_name_bad_verified": _n(and_(real_bad, t.verified_at.isnot(None))),
        "bad_replied": _n(and_(grievance, t.replied_at.isnot(None))),
    }
    for tag in TAGS:
        columns[f"bad_tag_{tag}"] = _n(and_(grievance, r.effective_tags.like(f"%,{tag},%")))
    return columns


def _counted_ticket():
    # An upheld appeal removes the rating; a merged 12345 child is answered by its parent's ticket.
    return or_(Ticket.outcome.is_(None), Ticket.outcome.not_in(NOT_COUNTED_OUTCOMES))


def overdue_condition(now: datetime):
    """超期 (domain.md §5): a deadline in force passed without a reply. Either a reply came late
    (`replied_late`, kept through reopenings), or the current term has no reply yet and its
    deadline has passed — read at the pause while an appeal review stops the clock."""
    t = Ticket
    unanswered = or_(t.replied_at.is_(None), t.replied_at < t.clock_started_at)
    clock = func.coalesce(t.paused_at, literal(now, UTCDateTime()))
    return and_(_counted_ticket(), or_(t.replied_late.is_(True), and_(unanswered, t.due_at <= clock)))


def _ticket_due_columns(now: datetime) -> dict:
    t = Ticket
    not_upheld = _counted_ticket()
    running = t.status != "appealed"  # the clock is paused during an appeal review
    closed = t.status == "closed"
    confirmed = and_(closed, t.outcome.in_(CONFIRMED))
    review = t.source == "review"
    return {
        "rectify_due": _n(and_(review, not_upheld, running, or_(t.period_due_at <= now, closed))),
        "rectified": _n(and_(review, confirmed)),
        # The accepted reply came before the deadline in force; a reopened ticket never did.
        "rectified_on_time": _n(and_(review, confirmed, t.reopen_count == 0, t.replied_at < t.due_at)),
        "overdue": _n(overdue_condition(now)),
    }


def latest_valid_callback():
    """A callback that is its case's latest valid one: callback rates count cases, not calls."""
    cb, newer = HotlineCallback, aliased(HotlineCallback)
    return and_(cb.valid.is_(True), ~exists().where(
        newer.case_id == cb.case_id, newer.valid.is_(True),
        or_(newer.created_at > cb.created_at, and_(newer.created_at == cb.created_at, newer.id > cb.id))))


def _parts(dialect: str, first: date, last: date, now: datetime) -> list:
    """One grouped SELECT per source table, each projecting every counter (0 where not its own)."""
    r, e, c, cb, t = Review, ServiceEvent, HotlineCase, HotlineCallback, Ticket
    rated, primary = aliased(Review), aliased(Review)
    case_cols = {"complaint_cases": func.count(c.id)}
    for tag in TAGS:
        case_cols[f"case_tag_{tag}"] = _n(c.effective_tags.like(f"%,{tag},%"))
    parts = [
        (r.department_id, local_day(r.created_at, dialect), _review_columns(now, primary),
         lambda q: q.outerjoin(t, t.review_id == r.id).outerjoin(primary, and_(
             r.seq > 0, primary.service_event_id == r.service_event_id, primary.seq == 0)),
         [_in_days(r.created_at, first, last)]),
        (e.department_id, local_day(e.completed_at, dialect),
         {"service_events": func.count(e.id), "events_rated": _n(rated.id.isnot(None))},
         lambda q: q.outerjoin(rated, and_(rated.service_event_id == e.id, rated.seq == 0,
                                           rated.is_default.is_(False))),
         [_in_days(e.completed_at, first, last)]),
        (c.department_id, local_day(c.received_at, dialect), case_cols, None,
         [_in_days(c.received_at, first, last), c.type.in_(COMPLAINT_TYPES),
          c.duplicate_of_id.is_(None), c.parent_case_id.is_(None)]),
        (cb.department_id, local_day(cb.created_at, dialect),
         {"callbacks_valid": func.count(cb.id), "callbacks_solved": _n(cb.solved.is_(True)),
          "callbacks_satisfied": _n(cb.satisfaction == "satisfied"),
          "callbacks_basic": _n(cb.satisfaction == "basic")},
         None, [_in_days(cb.created_at, first, last), latest_valid_callback()]),
        (t.department_id, local_day(t.sign_due_at, dialect, deadline=True),
         {"sign_due": _n(or_(t.sign_due_at <= now, t.signed_at.isnot(None))),
          "signed_on_time": _n(and_(t.signed_at.isnot(None), t.signed_at <= t.sign_due_at))},
         None, [_in_days(t.sign_due_at, first, last, deadline=True), _counted_ticket()]),
        (t.department_id, local_day(t.period_due_at, dialect, deadline=True), _ticket_due_columns(now),
         None, [_in_days(t.period_due_at, first, last, deadline=True)]),
    ]
    selects = []
    for dept, day, columns, join, where in parts:
        counters = [columns.get(name, literal_column("0")).label(name) for name in COUNTERS]
        stmt = select(dept.label("department_id"), day.label("day"), *counters)
        stmt = (join(stmt) if join else stmt).where(*where).group_by(dept, day)
        selects.append(stmt)
    return selects


def counts_select(dialect: str, first: date, last: date, now: datetime):
    """All counters per (department, day) for first..last in one statement; all-zero rows dropped."""
    union = union_all(*_parts(dialect, first, last, now)).subquery("parts")
    sums = [func.sum(union.c[name]).label(name) for name in COUNTERS]
    # SQLite's date() is text: compare it with ISO text there, with dates on PostgreSQL.
    low, high = (first, last) if dialect == "postgresql" else (first.isoformat(), last.isoformat())
    total = sum((func.sum(union.c[name]) for name in COUNTERS[1:]), func.sum(union.c[COUNTERS[0]]))
    return (select(union.c.department_id, union.c.day, *sums)
            .where(union.c.day.between(low, high))
            .group_by(union.c.department_id, union.c.day).having(total > 0))


def day_counts(session: Session, first: date, last: date, now: datetime) -> Counts:
    """Every counter per (department id, local day) for days first..last, straight from raw rows."""
    stmt = counts_select(session.get_bind().dialect.name, first, last, now)
    return {(row[0], as_date(row[1])): [int(v) for v in row[2:]] for row in session.execute(stmt)}


def raw_counts(session: Session, days: Iterable[date], now: datetime) -> Counts:
    """day_counts for exactly these days (ranges bridge small gaps; the bridged days are dropped)."""
    days = set(days)
    counts: Counts = {}
    for first, last in ranges(days):
        counts.update((key, values) for key, values in day_counts(session, first, last, now).items()
                      if key[1] in days)
    return counts


def ranges(days: Iterable[date]) -> list[tuple[date, date]]:
    """Sorted days as inclusive ranges, gaps of a day or two bridged, each at most a month long."""
    ranges: list[list[date]] = []
    for day in sorted(set(days)):
        if ranges and (day - ranges[-1][1]).days <= 3 and (day - ranges[-1][0]).days < MAX_RANGE_DAYS:
            ranges[-1][1] = day
        else:
            ranges.append([day, day])
    return [(a, b) for a, b in ranges]
