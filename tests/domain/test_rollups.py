"""Rollups equal raw rows: after a rebuild, and after random inserts, appeals, reopenings (which
keep their original deadline's day while the fresh deadline passes), late and timely replies,
repeated callbacks of a case, bad follow-ups, reassignments and the clock passing deadlines,
caught up incrementally."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
from sqlalchemy import insert, select

from service.domain.indicators import rollups
from service.domain.indicators.counts import day_counts
from service.domain.indicators.figures import own_counts
from service.domain.indicators.periods import parse_period
from service.models import HotlineCase, IndicatorDaily, Review, RollupDirty, RollupState, Ticket
from service.models.rollup import COUNTERS
from tests.domain.test_indicators import Factory, end_of, local, november


@pytest.fixture
def make(session, depts):
    return Factory(session, depts)

FIRST, LAST = date(2026, 9, 1), date(2026, 12, 31)


def stored(session) -> dict:
    rows = session.scalars(select(IndicatorDaily)).all()
    return {(r.department_id, r.day): [getattr(r, c) for c in COUNTERS] for r in rows}


def assert_rollups_equal_raw(session, now):
    assert stored(session) == day_counts(session, FIRST, LAST, now)


def assert_live_equals_raw(session, now, periods=("2026-10", "2026-11", "2026-Q4")):
    for label in periods:
        period = parse_period(label, now)
        assert own_counts(session, period, now, "live") == own_counts(session, period, now, "raw"), label


def random_world(f: Factory, rng: random.Random, n_events: int = 120) -> None:
    depts = ["ZJJ", "ZJJ-A", "ZJJ-A1", "ZJJ-B"]
    for _ in range(n_events):
        dept = rng.choice(depts)
        completed = local(2026, 10, 1, 9) + timedelta(hours=rng.randrange(0, 24 * 55))
        event = f.event(dept, completed, real_name=rng.random() < 0.4)
        if rng.random() < 0.8:
            review = f.review(event, rng.randint(1, 5), completed + timedelta(hours=rng.randrange(1, 200)),
                              is_default=rng.random() < 0.1,
                              effective_tags=rng.choice([",", ",delay,", ",quality,attitude,"]))
            if review.level <= 2:
                add_ticket(f, rng, dept, review.created_at, review=review)
            elif rng.random() < 0.3:  # a bad follow-up after a good rating opens its own ticket
                follow = f.review(event, rng.randint(1, 2), review.created_at + timedelta(days=2), seq=1,
                                  effective_tags=rng.choice([",", ",quality,"]))
                add_ticket(f, rng, dept, follow.created_at, review=follow)
        if rng.random() < 0.2:
            case = f.case(dept, rng.choice(["complaint", "report", "consult"]), completed,
                          effective_tags=rng.choice([",", ",delay,"]))
            add_ticket(f, rng, dept, completed, case=case)
            for _ in range(rng.choice([0, 0, 1, 2, 3])):  # callbacks count cases: the latest valid
                f.callback(case, rng.random() < 0.5, rng.choice(["satisfied", "basic", "unsatisfied"]),
                           completed + timedelta(days=rng.randrange(1, 20)), valid=rng.random() < 0.9)
    f.session.commit()


def add_ticket(f: Factory, rng: random.Random, dept: str, start, **link) -> Ticket:
    day = start.astimezone(local(2026, 1, 1).tzinfo)
    sign_due = end_of(day.year, day.month, day.day) + timedelta(days=1)
    due = sign_due + timedelta(days=rng.randrange(5, 25))
    extra = {}
    if rng.random() < 0.7:
        extra["signed_at"] = sign_due - timedelta(hours=rng.randrange(-30, 20))
        extra["status"] = "handling"
    if rng.random() < 0.4:
        extra.update(status="closed", outcome="resolved",
                     closed_at=due - timedelta(days=rng.randrange(-5, 10)))
    if rng.random() < 0.4:  # replied before or after the deadline
        extra["replied_at"] = due - timedelta(days=rng.randrange(-4, 12))
        extra["replied_late"] = extra["replied_at"] >= due
    return f.ticket(dept, start, sign_due, due, **link, **extra)


def mutate(session, rng: random.Random, f: Factory, now) -> None:
    """Appeals upheld, reopenings with fresh deadlines, reassignments, signing, tags, new rows."""
    tickets = session.scalars(select(Ticket).order_by(Ticket.id)).all()
    for ticket in rng.sample(tickets, min(len(tickets), 12)):
        action = rng.choice(["appeal", "reopen", "reassign", "sign", "close", "verify", "reply"])
        if action == "appeal" and ticket.review_id:
            review = session.get(Review, ticket.review_id)
            review.excluded, review.excluded_reason, review.excluded_at = True, "mistaken", now
            ticket.status, ticket.outcome, ticket.closed_at = "closed", "appeal_upheld", now
        elif action == "reopen":  # 重办: a fresh deadline, the period stays with the original one
            ticket.status, ticket.reopen_count = "handling", ticket.reopen_count + 1
            ticket.replied_at = ticket.replied_at or now - timedelta(days=1)
            ticket.clock_started_at = now
            ticket.due_at = now + timedelta(days=rng.randrange(1, 20))
        elif action == "reply":
            ticket.replied_at, ticket.status = now, "replied"
            ticket.replied_late = ticket.replied_late or now >= ticket.due_at
        elif action == "reassign":
            ticket.department_id = f.depts[rng.choice(["ZJJ-A", "ZJJ-B"])].id
            ticket.sign_due_at = ticket.sign_due_at + timedelta(days=2)
            ticket.period_due_at = ticket.due_at = ticket.due_at + timedelta(days=2)
        elif action == "sign":
            ticket.signed_at = ticket.sign_due_at - timedelta(hours=3)
        elif action == "close":
            ticket.status, ticket.outcome, ticket.closed_at = "closed", "verified_by_supervisor", now
        else:
            ticket.verified_at = now
    for review in rng.sample(session.scalars(select(Review)).all(), 5):
        review.effective_tags = ",attitude,"
    for case in rng.sample(session.scalars(select(HotlineCase)).all(), 3):  # a later callback
        f.callback(case, rng.random() < 0.5, "basic", now - timedelta(hours=rng.randrange(0, 300)))
    session.commit()
    random_world(f, rng, n_events=15)


def test_rebuild_equals_raw_for_the_hand_scenario(session, make):
    november(make)
    now = local(2026, 12, 10)
    result = rollups.rebuild_rollups(session, now)
    assert result["rows"] > 0
    assert_rollups_equal_raw(session, now)
    assert_live_equals_raw(session, now)
    period = parse_period("2026-11", now)
    assert own_counts(session, period, now, "rollup") == own_counts(session, period, now, "raw")


def test_incremental_refresh_matches_raw_after_random_changes(session, make):
    rng = random.Random(20261201)
    random_world(make, rng)
    now = local(2026, 11, 20, 9)
    rollups.refresh_rollups(session, now)  # first run builds everything
    assert_rollups_equal_raw(session, now)
    for round_ in range(4):
        now = now + timedelta(days=rng.randrange(1, 6), hours=rng.randrange(0, 24))
        mutate(session, rng, make, now)
        assert session.scalar(select(RollupDirty.id).limit(1)) is not None
        assert_live_equals_raw(session, now)  # before the job: live reads stale days raw
        rollups.refresh_rollups(session, now)
        assert_rollups_equal_raw(session, now)
        assert session.scalar(select(RollupDirty.id).limit(1)) is None, round_


def test_rows_inserted_behind_the_orm_are_caught_by_the_watermark(session, make):
    november(make)
    now = local(2026, 12, 10)
    rollups.refresh_rollups(session, now)
    event = make.event("ZJJ-B", local(2026, 10, 5))
    session.execute(RollupDirty.__table__.delete())  # as if the event had been COPY-ed in too
    session.execute(insert(Review), [{
        "service_event_id": event.id, "department_id": event.department_id, "seq": 0, "level": 1,
        "is_bad": True, "channel": "default", "options": [], "options_version": "t",
        "is_default": True, "real_name": False, "created_at": local(2026, 10, 20),
        "excluded": False, "mismatch": False, "classification_state": "done",
        "classification_attempts": 0, "ticket_state": "not_needed", "effective_tags": ",",
    }])
    session.commit()
    assert_live_equals_raw(session, now)
    rollups.refresh_rollups(session, now)
    assert_rollups_equal_raw(session, now)
    period = parse_period("2026-10", now)
    b = own_counts(session, period, now, "rollup")[make.depts["ZJJ-B"].id]
    assert b[COUNTERS.index("reviews_total")] == 1 and b[COUNTERS.index("service_events")] == 1


def test_a_deadline_passing_changes_figures_without_any_write(session, make):
    november(make)
    before = local(2026, 11, 27, 12)
    rollups.refresh_rollups(session, before)
    period = parse_period("2026-11", before)
    overdue = COUNTERS.index("overdue")
    assert sum(v[overdue] for v in own_counts(session, period, before, "rollup").values()) == 0
    after = local(2026, 11, 29, 8)  # T4 (27th) and the reopened T10 (28th) have expired
    assert sum(v[overdue] for v in own_counts(session, period, after, "live").values()) == 2
    rollups.refresh_rollups(session, after)
    assert sum(v[overdue] for v in own_counts(session, period, after, "rollup").values()) == 2
    assert_rollups_equal_raw(session, after)


def test_refresh_is_idempotent_and_catches_up_after_downtime(session, make):
    november(make)
    now = local(2026, 11, 12)
    rollups.refresh_rollups(session, now)
    first = stored(session)
    rollups.refresh_rollups(session, now)
    assert stored(session) == first
    later = local(2026, 12, 10)  # weeks without a run
    rollups.refresh_rollups(session, later)
    assert_rollups_equal_raw(session, later)
    state = session.get(RollupState, rollups.STATE)
    assert state.as_of == later and state.review_id > 0


def test_partial_rebuild_touches_only_its_days(session, make):
    november(make)
    now = local(2026, 12, 10)
    rollups.rebuild_rollups(session, now)
    session.execute(IndicatorDaily.__table__.update().values(reviews_total=99))
    session.commit()
    rollups.rebuild_rollups(session, now, date(2026, 11, 1), date(2026, 11, 30))
    rows = stored(session)
    index = COUNTERS.index("reviews_total")
    assert all(v[index] != 99 for (d, day), v in rows.items() if day.month == 11)
    assert any(v[index] == 99 for (d, day), v in rows.items() if day.month != 11)


def test_cli_rebuild_and_catch_up(app, session, make):
    november(make)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["indicators", "rebuild"])
    assert result.exit_code == 0, result.output
    assert '"rows"' in result.output
    result = runner.invoke(args=["indicators", "catch-up"])
    assert result.exit_code == 0 and '"days"' in result.output
    result = runner.invoke(args=["indicators", "rebuild", "--from", "2026-11-30", "--to", "2026-11-01"])
    assert result.exit_code != 0


def test_periodic_job_is_scheduled_and_runs_inline(app, session, make):
    from workers import jobs
    from workers.schedule import SCHEDULE

    assert any(job.func == "workers.jobs.refresh_rollups" for job in SCHEDULE)
    november(make)
    assert "days" in jobs.refresh_rollups()
    assert session.get(RollupState, rollups.STATE) is not None


def test_a_deadline_moved_on_an_unloaded_instance_still_marks_the_old_day(session, make):
    november(make)
    now = local(2026, 12, 10)
    rollups.refresh_rollups(session, now)
    ticket = session.scalars(select(Ticket).where(Ticket.status == "handling")).first()
    session.commit()  # expire it: the instance no longer knows its old deadline
    ticket.due_at = local(2026, 12, 5)
    ticket.status = "handling"
    session.commit()
    assert_live_equals_raw(session, now)
    rollups.refresh_rollups(session, now)
    assert_rollups_equal_raw(session, now)


def test_a_fresh_deadline_passing_moves_the_original_period_without_any_write(session, make):
    """A reopened ticket counts on its original deadline's day; its fresh deadline passing weeks
    later (no row written) must still reach that day's rollup."""
    event = make.event("ZJJ-B", local(2026, 10, 1))
    review = make.review(event, 1, local(2026, 10, 2))
    make.ticket("ZJJ-B", local(2026, 10, 2), end_of(2026, 10, 3), end_of(2026, 11, 25), review=review,
                period_due_at=end_of(2026, 10, 23), clock_started_at=local(2026, 11, 4),
                replied_at=local(2026, 10, 20), signed_at=local(2026, 10, 3), status="handling",
                reopen_count=1)
    session.commit()
    before = local(2026, 11, 20)
    rollups.refresh_rollups(session, before)
    overdue = COUNTERS.index("overdue")
    october = parse_period("2026-10", before)
    assert own_counts(session, october, before, "rollup")[make.depts["ZJJ-B"].id][overdue] == 0
    after = local(2026, 11, 27)  # the fresh deadline (end of the 25th) passed without a new reply
    assert own_counts(session, october, after, "live")[make.depts["ZJJ-B"].id][overdue] == 1
    rollups.refresh_rollups(session, after)
    assert own_counts(session, october, after, "rollup")[make.depts["ZJJ-B"].id][overdue] == 1
    assert_rollups_equal_raw(session, after)
