"""Deadline-sweep benchmark.  Run: .venv/bin/python -m bench.tickets.run

Seeds PostgreSQL with open tickets across 300 departments, dispatched over the last 30 calendar
days (15-working-day terms, so deadlines spread from ~2 weeks ago to ~3 weeks ahead of now), never
swept before (all green, no reminders): the worst case for a first run. Dispatched (unsigned)
tickets have their sign-for deadline watched too (issue 9), so their sign reminders, notices and
escalations fire in the same run. Then times
`sweep_tickets` (a count, one UPDATE feeding the ticket_events insert, one hash-chained audit entry
per kind of event) at 50k, 100k and 200k tickets; then a second run at the same `now`, which must
find nothing to do, and a periodic run five minutes later. Each size is seeded and swept
TICKETS_BENCH_REPEAT times (default 3) and the median trial is reported, with every trial's time.
Results: bench/results/tickets.json.

Reuses BENCH_DATABASE_URL / TEST_DATABASE_URL when set, else starts a throwaway PostgreSQL.
Sizes can be overridden: TICKETS_BENCH_SIZES=50000,100000,200000.
"""

from __future__ import annotations

import io
import os
import random
import time
from datetime import datetime, timedelta, timezone

from sqlalchemy import text

from bench.common import git_commit, log, machine_info, migrate, now_iso, services, write_result

SIZES = tuple(int(n) for n in os.environ.get("TICKETS_BENCH_SIZES", "50000,100000,200000").split(","))
# The machine is shared: each size is seeded and swept this many times; the median is reported.
REPEAT = int(os.environ.get("TICKETS_BENCH_REPEAT", "3"))
DEPARTMENTS = 300
TERM_DAYS = 15
SPREAD_DAYS = 30
STATUSES = (("handling", 0.70), ("dispatched", 0.15), ("extension_requested", 0.05), ("replied", 0.05),
            ("appealed", 0.05))
COLUMNS = ("source", "department_id", "status", "color", "dispatched_at", "sign_due_at", "clock_started_at",
           "term_days", "extension_days", "pauses", "due_at", "yellow_from", "notice_at", "escalate_at",
           "deadline_provisional", "reopen_count", "extension_count", "paused_at", "version", "created_at",
           "updated_at", "period_due_at", "sign_yellow_from", "sign_notice_at", "sign_escalate_at",
           "signed_at", "replied_at")


def seed_departments(conn) -> list[int]:
    conn.execute(text("INSERT INTO departments (code, name, path, created_at) VALUES ('B', '住建局', '/B/', now())"))
    root = conn.execute(text("SELECT id FROM departments WHERE code = 'B'")).scalar()
    conn.execute(text(
        "INSERT INTO departments (code, name, parent_id, path, created_at) "
        "SELECT 'B-' || g, '单位' || g, :root, '/B/B-' || g || '/', now() FROM generate_series(1, :n) g"
    ), {"root": root, "n": DEPARTMENTS - 1})
    return list(conn.execute(text("SELECT id FROM departments ORDER BY id")).scalars())


class DeadlineCache:
    """Deadlines per dispatch date (the working-day parts depend on the date only)."""

    def __init__(self, settings):
        from service.domain import calendar as workdays
        from service.models.types import SHANGHAI

        self.w, self.cal, self.limits = workdays, workdays.WorkCalendar(), settings.deadlines
        self.shanghai = SHANGHAI
        self.by_date: dict = {}

    def for_dispatch(self, at: datetime) -> tuple[datetime, ...]:
        day = at.astimezone(self.shanghai).date()
        if day not in self.by_date:
            due = self.w.add_working_days(self.cal, at, TERM_DAYS).at
            sign = self.w.add_working_days(self.cal, at, self.limits.sign_days).at
            day_yellow = self.w.yellow_from(self.cal, due, due, self.limits.yellow_days, 0.0)
            sign_day_yellow = self.w.yellow_from(self.cal, sign, sign, self.limits.yellow_days, 0.0)
            notice = self.w.working_day_after(self.cal, due, self.limits.notice_after_days)
            escalate = self.w.working_day_after(self.cal, due, self.limits.escalate_after_days)
            sign_notice = self.w.working_day_after(self.cal, sign, self.limits.notice_after_days)
            sign_escalate = self.w.working_day_after(self.cal, sign, self.limits.escalate_after_days)
            self.by_date[day] = (sign, due, day_yellow, notice, escalate, sign_day_yellow, sign_notice,
                                 sign_escalate)
        sign, due, day_yellow, notice, escalate, sign_day_yellow, sign_notice, sign_escalate = self.by_date[day]
        yellow = min(day_yellow, due - (due - at) * self.limits.yellow_fraction)
        sign_yellow = min(sign_day_yellow, sign - (sign - at) * self.limits.yellow_fraction)
        return sign, due, yellow, notice, escalate, sign_yellow, sign_notice, sign_escalate


def ticket_rows(n: int, departments: list[int], now: datetime, cache: DeadlineCache, rng: random.Random):
    statuses, weights = zip(*STATUSES, strict=True)
    for _ in range(n):
        at = now - timedelta(seconds=rng.randrange(SPREAD_DAYS * 86400))
        sign, due, yellow, notice, escalate, sign_yellow, sign_notice, sign_escalate = cache.for_dispatch(at)
        status = rng.choices(statuses, weights)[0]
        paused = (at + (now - at) / 2) if status == "appealed" else None
        # Only dispatched tickets are unsigned (their sign-for deadline is watched too); a replied
        # one has its reply (in time: it stays green).
        signed = None if status == "dispatched" else min(at + timedelta(hours=2), now)
        replied = min(at + (now - at) / 3, due - timedelta(hours=1)) if status == "replied" else None
        yield ("review", rng.choice(departments), status, "green", at, sign, at, TERM_DAYS, 0, "[]", due, yellow,
               notice, escalate, False, 0, 0, paused, 1, at, at, due, sign_yellow, sign_notice, sign_escalate,
               signed, replied)


def copy_tickets(raw, rows) -> None:
    def fmt(value):
        if value is None:
            return r"\N"
        if isinstance(value, datetime):
            return value.isoformat()
        return str(value).lower() if isinstance(value, bool) else str(value)

    buffer = io.StringIO()
    for row in rows:
        buffer.write("\t".join(fmt(v) for v in row) + "\n")
    buffer.seek(0)
    with raw.cursor() as cursor:
        with cursor.copy(f"COPY tickets ({', '.join(COLUMNS)}) FROM STDIN") as copy:
            while chunk := buffer.read(1 << 20):
                copy.write(chunk)
    raw.commit()


def reset(db) -> None:
    with db.engine.begin() as conn:
        # audit_log refuses TRUNCATE (migration 0006); the benchmark's superuser steps past it.
        conn.execute(text("SET LOCAL session_replication_role = replica"))
        conn.execute(text("TRUNCATE ticket_events, tickets, audit_log, departments RESTART IDENTITY CASCADE"))


def run_size(app, db, n: int, now: datetime) -> dict:
    from service.domain.tickets import sweep_tickets

    reset(db)
    with db.engine.begin() as conn:
        departments = seed_departments(conn)
    started = time.perf_counter()
    raw = db.engine.raw_connection()
    try:
        copy_tickets(raw.driver_connection, ticket_rows(n, departments, now,
                                                        DeadlineCache(app.extensions["settings"]),
                                                        random.Random(n)))
    finally:
        raw.close()
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE tickets"))
    seeded = time.perf_counter() - started
    runs = {}
    # first: never swept (worst case); second: same `now` again (must change nothing);
    # periodic: five minutes later, what the scheduled job does in steady operation.
    for label, moment in (("first", now), ("second", now), ("periodic", now + timedelta(minutes=5))):
        db.session.remove()
        load = os.getloadavg()[0]
        t0 = time.perf_counter()
        result = sweep_tickets(db.session, moment)
        runs[label] = {"seconds": round(time.perf_counter() - t0, 3), "loadavg_1m": round(load, 2), **result}
        log(f"{n} tickets, {label} sweep: {runs[label]}")
    return {"tickets": n, "seed_seconds": round(seeded, 1), **runs}


def _median_trial(trials: list[dict]) -> dict:
    ordered = sorted(trials, key=lambda t: t["first"]["seconds"])
    median = dict(ordered[len(ordered) // 2])
    median["first_seconds_all_trials"] = [t["first"]["seconds"] for t in trials]
    median["second_seconds_all_trials"] = [t["second"]["seconds"] for t in trials]
    return median


def main() -> None:
    from service.app import create_app
    from service.extensions import db

    with services() as svc:
        migrate(svc)
        app = create_app({"database_url": svc.database_url, "redis_url": None})
        now = datetime.now(timezone.utc)
        results = []
        with app.app_context():
            for n in SIZES:
                trials = [run_size(app, db, n, now) for _ in range(REPEAT)]
                results.append(_median_trial(trials))
            reset(db)
        largest = results[-1]
        summary = {
            "name": "tickets", "at": now_iso(), "machine": machine_info(), "git": git_commit(),
            "setup": {"departments": DEPARTMENTS, "term_working_days": TERM_DAYS,
                      "dispatched_over_last_days": SPREAD_DAYS, "statuses": dict(STATUSES),
                      "initial_state": "never swept: all green, no reminders (worst case)"},
            "sizes": results,
            "first_sweep_ms_per_1000_tickets": {
                r["tickets"]: round(r["first"]["seconds"] / r["tickets"] * 1e6, 2) for r in results},
            "note": "2 shared cores; other engineers' tests and benchmarks ran at the same time "
                    "(see loadavg_1m per run)",
            "target": {"max_seconds_at_200k": 3.0, "met": largest["first"]["seconds"] <= 3.0},
        }
        path = write_result("tickets", summary)
        log(f"wrote {path}")
        for r in results:
            print(f"{r['tickets']:>7} tickets: first sweep {r['first']['seconds']:.2f}s "
                  f"(recoloured {r['first']['recoloured']}, tickets fired {r['first']['tickets_fired']}), "
                  f"second {r['second']['seconds']:.3f}s, periodic {r['periodic']['seconds']:.3f}s "
                  f"(load {r['first']['loadavg_1m']})")


if __name__ == "__main__":
    main()
