"""Indicators of domain.md §6, per department (its whole subtree) and period.

Definitions (all counts come from service/domain/indicators/counts.py `day_counts`; a period is a
set of Asia/Shanghai days, and each row counts on exactly one day, so periods and departments add
up; a parent department's figures are the sums over its whole subtree). docs/indicators.md has the
same as a table (indicator → numerator, denominator, period rule) for departments to check theirs.

* Ratings count on the local day of their `created_at`, for the department of their service event.
  The **rating indicators** are over **primary** ratings (seq 0, 一事一评): one rating per event.
  - `reviews_total`: primary ratings, excluded ones included (they stay stored);
    `reviews_active`: those that are not default ratings (主动评价); `reviews_excluded` shown apart;
    `follow_up_reviews`: follow-up ratings (追评), reported apart.
  - valid ratings = primary ratings not excluded by an upheld appeal. `good_rate` = valid 3–5 /
    valid; `bad_rate` = valid 1–2 / valid; `active_good_rate` = the same over valid active ratings;
    `satisfaction_score` = mean of (level − 1) × 25 over valid ratings.
* **差评** (the 差评 indicators) = valid primary ratings 1–2, plus valid follow-ups 1–2 whose
  primary rating was 3–5 — exactly the ratings that open a rectification ticket of their own (a bad
  follow-up after a bad rating is the same 差评, answered by the primary's ticket). Each counts on
  its own local day. So `bad_reviews` = bad primary ratings + `bad_follow_up_reviews`, and it may
  exceed the numerator of `bad_rate`, which is a share of primary ratings.
  - `bad_callback_rate` (实名差评回访率) = real-name 差评 whose ticket has a verification callback
    (`verified_at`) / real-name 差评. `reply_rate` (回复率) = 差评 whose ticket was replied to
    (`replied_at`) / 差评.
  - `tag_counts`: 差评 plus complaint cases carrying the tag (the human label when there is one,
    else the model's: the `effective_tags` column); `tag_shares` divide by 差评 + complaint cases.
* Service events count on the local day of `completed_at`. `active_rate` = events completed in the
  period that have an active (non-default) primary rating, at any time up to now / events completed
  in the period; `unrated_rate` is its complement over the same denominator.
* 12345 complaint cases: cases of type complaint or report, not a duplicate (重复件) and not a
  child of a merged case (并单), on the local day of `received_at`. `complaint_rate_per_1000` =
  (差评 + complaint cases) × 1000 / service events.
* Callbacks count **cases**, not calls: every case (a duplicate and a merged child are cases too)
  counts once, with its latest valid callback, on that callback's local day, for the department it
  was recorded against. `resolution_rate` = cases whose latest valid callback says solved / cases
  with a valid callback; `callback_satisfaction_rate` = (满意 + basic_satisfaction_weight × 基本满意)
  / the same. A callback "not the unit's fault" (不满意 for reasons outside it) is not valid.
* Tickets count on the day of a deadline (an end-of-day deadline, 00:00 of the next day, belongs
  to its own day), for the department the ticket is with now. Tickets closed as appeal-upheld
  (rating excluded) or merged (a 并单 child, answered by its parent's ticket) are not counted.
  - `response_rate` = tickets signed by `sign_due_at` / tickets whose sign-for deadline is in the
    period and has passed (or that are already signed); on the day of `sign_due_at`.
  - The handling figures count on the day of `period_due_at`: the handling deadline in force of the
    dispatch (extensions and appeal pauses included). A reopening (重办) gives a fresh deadline but
    the ticket never leaves that day; a reassignment (改派) is a new dispatch with a new one.
  - `rectification_rate` = 差评 tickets closed with a confirmed outcome (resolved, or verified by a
    supervisor) / 差评 tickets whose period deadline is in the period and has passed (or that are
    already closed); tickets under appeal review (clock paused) are not yet due.
    `rectification_on_time_rate`: the same denominator; numerator = confirmed tickets whose accepted
    reply came before the deadline in force — judged by the **reply**, not by the confirmation or
    the callback (the department's clock stops at its reply); a reopened ticket never counts as on
    time (its first reply was rejected).
  - `overdue_tickets` (超期数) = tickets (差评 and 12345) whose deadline in force passed without a
    reply, as of now: a reply came at or after the deadline (kept through reopenings), or the
    current term has no reply and its deadline has passed (read at the pause while an appeal
    review stops the clock). A reopened ticket is overdue only if its fresh deadline passes
    without a new reply; it counts in the period of its original deadline.
Every rate is {"value", "numerator", "denominator"}; the value is a fraction rounded half-up to
4 places, or null when the denominator is 0 (never 0 or 1 for "no data").

Where the rules are silent, the choices kept here:
- Counts belong to the day of the deadline (sign-for: `sign_due_at`; handling: `period_due_at`),
  not to the day of the action; "due" and "overdue" are as of the moment the figures are read.
- Yellow is the last working day of a deadline or its last 20 % (tickets/deadlines.py).
- Started working days of an appeal pause count whole (tickets/deadlines.py).
- A rejected extension request may be repeated; only a granted one uses the allowance.
- The composite score drops a component without data and rescales the others (appraisal.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from config.settings import Settings
from service.domain.accounts import Scope, require_department
from service.domain.errors import ValidationFailed
from service.domain.indicators.counts import raw_counts
from service.domain.indicators.periods import Period, parse_period
from service.domain.indicators.rollups import rollup_counts, stale_days
from service.models import Department
from service.models.rollup import COUNTERS
from service.models.types import TAGS

SOURCES = ("live", "rollup", "raw")
RATE_KEYS = (
    "good_rate", "active_good_rate", "bad_rate", "active_rate", "unrated_rate", "bad_callback_rate",
    "rectification_rate", "rectification_on_time_rate", "reply_rate", "response_rate",
    "resolution_rate", "callback_satisfaction_rate",
)
COUNT_KEYS = (
    "reviews_total", "reviews_active", "reviews_valid", "reviews_excluded", "follow_up_reviews",
    "service_events", "bad_reviews", "bad_follow_up_reviews", "complaint_cases", "overdue_tickets",
)
_Q4 = Decimal("0.0001")
_Q2 = Decimal("0.01")


def _number(value: Decimal, quantum: Decimal) -> float:
    return float(value.quantize(quantum, rounding=ROUND_HALF_UP))


def _plain(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def rate(numerator: Decimal | int, denominator: int) -> dict[str, Any]:
    if denominator == 0:
        value = None
    elif isinstance(numerator, int):
        # Integer half-up rounding to 4 places: exact, and much cheaper than Decimal per figure.
        value = (numerator * 20000 + denominator) // (2 * denominator) / 10000
    else:
        value = _number(numerator / denominator, _Q4)
    return {"value": value, "numerator": _plain(Decimal(numerator)) if not isinstance(numerator, int)
            else numerator, "denominator": denominator}


def build_indicators(values: list[int], settings: Settings) -> dict[str, Any]:
    """The published indicator object from one department's summed counters."""
    c = dict(zip(COUNTERS, values, strict=True))
    # 差评: bad primary ratings and the bad follow-ups that opened a ticket of their own.
    bad, events = c["reviews_bad"] + c["bad_follow_ups"], c["service_events"]
    tagged_base = bad + c["complaint_cases"]  # 差评 and complaints: the base of tags and 投诉率
    tag_counts = {tag: c[f"bad_tag_{tag}"] + c[f"case_tag_{tag}"] for tag in TAGS}
    basic_weight = Decimal(str(settings.basic_satisfaction_weight))
    return {
        "reviews_total": c["reviews_total"],
        "reviews_active": c["reviews_active"],
        "reviews_valid": c["reviews_valid"],
        "reviews_excluded": c["reviews_excluded"],
        "follow_up_reviews": c["follow_ups"],
        "service_events": events,
        "bad_reviews": bad,
        "bad_follow_up_reviews": c["bad_follow_ups"],
        "complaint_cases": c["complaint_cases"],
        "overdue_tickets": c["overdue"],
        "tag_counts": tag_counts,
        "tag_shares": {tag: rate(n, tagged_base) for tag, n in tag_counts.items()},
        "good_rate": rate(c["reviews_good"], c["reviews_valid"]),
        "active_good_rate": rate(c["reviews_active_good"], c["reviews_active_valid"]),
        "bad_rate": rate(c["reviews_bad"], c["reviews_valid"]),
        "active_rate": rate(c["events_rated"], events),
        "unrated_rate": rate(events - c["events_rated"], events),
        "bad_callback_rate": rate(c["real_name_bad_verified"], c["real_name_bad"]),
        "rectification_rate": rate(c["rectified"], c["rectify_due"]),
        "rectification_on_time_rate": rate(c["rectified_on_time"], c["rectify_due"]),
        "reply_rate": rate(c["bad_replied"], bad),
        "response_rate": rate(c["signed_on_time"], c["sign_due"]),
        "resolution_rate": rate(c["callbacks_solved"], c["callbacks_valid"]),
        "callback_satisfaction_rate": rate(
            c["callbacks_satisfied"] + basic_weight * c["callbacks_basic"], c["callbacks_valid"]
        ),
        "complaint_rate_per_1000": None if events == 0
        else _number(Decimal(tagged_base) * 1000 / events, _Q2),
        "satisfaction_score": None if c["reviews_valid"] == 0
        else _number(Decimal(c["level_points"]) * 25 / c["reviews_valid"], _Q2),
        "satisfaction_points": c["level_points"] * 25,
    }


@dataclass
class DepartmentFigures:
    department_code: str
    department_name: str
    path: str
    indicators: dict[str, Any]


@dataclass
class IndicatorReport:
    period: Period
    as_of: datetime
    open: bool
    source: str
    items: list[DepartmentFigures]


def own_counts(session: Session, period: Period, now: datetime, source: str = "live") -> dict[int, list[int]]:
    """Counters per department (its own rows, not yet its subtree) for the period.

    "live": rollup rows for clean days + raw counts for stale days (exactly the raw figures);
    "rollup": rollup rows only (as of the last refresh); "raw": raw rows only.
    """
    days = period.days()
    if source == "raw":
        stale = set(days)
    elif source == "rollup":
        stale = set()
    else:
        known = stale_days(session, now)
        stale = set(days) if known is None else {d for d in known if period.first <= d <= period.last}
    totals = rollup_counts(session, period.first, period.last, skip=stale) if stale != set(days) else {}
    for (dept, day), values in raw_counts(session, stale, now).items():
        if period.first <= day <= period.last:
            bucket = totals.setdefault(dept, [0] * len(COUNTERS))
            for i, v in enumerate(values):
                bucket[i] += v
    return totals


def subtree_totals(departments: list, own: dict[int, list[int]]) -> dict[int, list[int]]:
    """Add each department's own counters to itself and every ancestor (by path)."""
    by_code = {d.code: d.id for d in departments}
    totals = {d.id: [0] * len(COUNTERS) for d in departments}
    for dept in departments:
        values = own.get(dept.id)
        if not values:
            continue
        for code in dept.path.strip("/").split("/"):
            target_id = by_code.get(code)
            if target_id in totals:
                totals[target_id] = [a + b for a, b in zip(totals[target_id], values, strict=True)]
    return totals


def compute_indicators(
    session: Session,
    settings: Settings,
    scope: Scope,
    period_text: str | None,
    now: datetime,
    department_code: str | None = None,
    source: str = "live",
) -> IndicatorReport:
    """Figures for every department in scope (or under `department_code`), each with its subtree."""
    period = parse_period(period_text, now)
    if source not in SOURCES:
        raise ValueError(f"unknown source {source}")
    departments = session.execute(select(Department.id, Department.code, Department.name,
                                         Department.path).order_by(Department.path)).all()
    chosen = departments
    if department_code:
        root = require_department(session, department_code, field="department")
        chosen = [d for d in departments if d.path.startswith(root.path)]
    if not scope.everything:
        if department_code and not chosen[0].path.startswith(scope.path_prefix):
            # Outside the caller's scope reads exactly like an unknown code: nobody learns it exists.
            raise ValidationFailed("部门不存在。", {"department": [f"未知部门编码：{department_code}"]})
        chosen = [d for d in chosen if scope.allows(d)]
    totals = subtree_totals(departments, own_counts(session, period, now, source))
    items = [
        DepartmentFigures(d.code, d.name, d.path, build_indicators(totals[d.id], settings))
        for d in chosen
    ]
    return IndicatorReport(period, now, period.is_open(now), source, items)
