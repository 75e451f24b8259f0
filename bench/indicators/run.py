"""Indicator benchmark (issue 5): `.venv/bin/python -m bench.indicators.run` from the repository root.

Against a throwaway PostgreSQL (or BENCH_DATABASE_URL): generates a year of data (300 departments,
2,000,000 ratings, their service events, tickets, 12345 cases and callbacks) with INSERT … SELECT,
builds the rollups, then reports
* one month's indicators for all departments from the rollups, the same straight from raw rows,
  and their ratio (median of several warm runs, in one process);
* the time to catch the rollups up after 100,000 new ratings (inserted behind the ORM, so found by
  the watermark), and after nothing at all;
* the public endpoint's requests per second under gunicorn (wrk).
Results: a summary on stdout and bench/results/indicators.json.

Note: under 一事一评 an event carries at most two ratings (primary + follow-up), so 2,000,000
ratings need about 1.8 million service events, not the 200,000 the issue names; the generator
makes as many events as the ratings require (see `events` in the result).

Targets: all departments' month from rollups ≤ 200 ms and ≥ 20× faster than from raw rows.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import text

from bench.common import (
    ROOT,
    Gunicorn,
    app_env,
    ensure_wrk,
    git_commit,
    gunicorn,
    log,
    machine_info,
    migrate,
    now_iso,
    run_wrk,
    services,
    write_result,
)
from bench.indicators import data

STATS_LUA = ROOT / "bench" / "wrk_stats.lua"
GZIP_LUA = Path("/tmp/bench-indicators-gzip.lua")
TARGETS = {"max_rollup_ms": 200.0, "min_ratio": 20.0}
MONTH = "2026-10"
NOW = datetime(2026, 11, 23, 4, tzinfo=timezone.utc)  # fixed, so runs are comparable


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ratings", type=int, default=2_000_000)
    parser.add_argument("--departments", type=int, default=300)
    parser.add_argument("--cases", type=int, default=60_000)
    parser.add_argument("--new-ratings", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=7, help="warm runs per measurement")
    parser.add_argument("--duration", type=int, default=15, help="seconds per wrk pass")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--configs", default="sync:4,gthread:2x4")
    return parser.parse_args(argv)


def timed(fn, repeat: int) -> tuple[float, list[float]]:
    fn()  # warm-up: plans, caches, imports
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples), [round(s, 1) for s in samples]


def generate(session, args) -> dict:
    rated_share, follow_every = 0.91, 10
    n_events = round(args.ratings / (rated_share * (1 + 1 / follow_every)))
    conn = session.connection()
    started = time.perf_counter()
    # Load first, index after (as pg_restore does): plain indexes are dropped and recreated.
    indexes = conn.execute(text(
        "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' "
        "AND tablename IN ('service_events', 'reviews', 'tickets', 'hotline_cases') "
        "AND indexname NOT IN (SELECT conname FROM pg_constraint)")).all()
    for name, _ in indexes:
        conn.execute(text(f'DROP INDEX "{name}"'))
    data.departments(conn, args.departments)
    data.events(conn, 1, n_events, args.departments, data.YEAR_START, 365)
    ratings = data.reviews(conn, 1, n_events, rated_share, follow_every)
    tickets = data.review_tickets(conn)
    hotline = data.hotline(conn, args.cases, args.departments)
    for _, definition in indexes:
        conn.execute(text(definition))
    session.commit()
    for table in ("service_events", "reviews", "tickets", "hotline_cases", "hotline_callbacks"):
        conn = session.connection()
        conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                          f"(SELECT max(id) FROM {table}))"))
        session.commit()
    session.connection().exec_driver_sql("ANALYZE")
    session.commit()
    return {"events": n_events, "ratings": ratings, "review_tickets": tickets, **hotline,
            "seconds": round(time.perf_counter() - started, 1)}


def measure_month(session, settings, repeat: int) -> dict:
    from service.domain.accounts import Scope
    from service.domain.indicators import compute_indicators

    def run(source):
        report = compute_indicators(session, settings, Scope(), MONTH, NOW, source=source)
        session.rollback()  # end the read transaction, as a request would
        return report

    assert [i.indicators for i in run("rollup").items] == [i.indicators for i in run("raw").items]
    rollup_ms, rollup_samples = timed(lambda: run("rollup"), repeat)
    live_ms, live_samples = timed(lambda: run("live"), repeat)
    raw_ms, raw_samples = timed(lambda: run("raw"), max(3, repeat // 2))
    return {"departments": len(run("rollup").items), "rollup_ms": round(rollup_ms, 1),
            "live_ms": round(live_ms, 1), "raw_ms": round(raw_ms, 1),
            "ratio_raw_over_rollup": round(raw_ms / rollup_ms, 1),
            "samples": {"rollup": rollup_samples, "live": live_samples, "raw": raw_samples}}


def catch_up(session, args) -> dict:
    from service.domain.indicators import rollups

    conn = session.connection()
    first = session.scalar(text("SELECT max(id) FROM service_events")) + 1
    n_events = round(args.new_ratings / 0.91 * 1.02)
    data.events(conn, first, n_events, args.departments, "2026-11-01 00:00+08", 22)
    inserted = data.reviews(conn, first, first + n_events - 1, 0.91, 10**9)
    session.commit()
    started = time.perf_counter()
    result = rollups.refresh_rollups(session, NOW)
    seconds = time.perf_counter() - started
    started = time.perf_counter()
    idle = rollups.refresh_rollups(session, NOW)
    idle_seconds = time.perf_counter() - started
    return {"new_ratings": inserted, "new_events": n_events, "seconds": round(seconds, 2),
            "result": result, "idle_refresh_seconds": round(idle_seconds, 3), "idle_result": idle}


def publish(session, settings) -> None:
    from service.domain import accounts
    from service.domain.indicators import publications

    s1, _ = accounts.create_user(session, "bench-s1", "supervisor")
    s2, _ = accounts.create_user(session, "bench-s2", "supervisor")
    draft = publications.create_publication(session, settings, MONTH, s1, NOW)
    publications.approve_publication(session, settings, draft.id, s2, NOW)


def public_rps(svc, args) -> list[dict]:
    wrk = ensure_wrk()
    if wrk is None:
        log("wrk unavailable: skipping the public endpoint")
        return []
    env = app_env(svc, RATE_LIMIT_ENABLED="0")
    env.pop("REDIS_URL", None)
    passes = []
    _gzip_script()
    for spec in args.configs.split(","):
        kind, _, size = spec.partition(":")
        server = (Gunicorn(int(size.split("x")[0]), "gthread", int(size.split("x")[1]))
                  if kind == "gthread" else Gunicorn(int(size)))
        with gunicorn(server, env, Path("/tmp/bench-indicators-gunicorn.log")):
            url = f"{server.base_url}/api/v1/public/indicators?period={MONTH}"
            for encoding, script in (("identity", STATS_LUA), ("gzip", GZIP_LUA)):
                result = run_wrk(wrk, url, script, args.connections, args.duration)
                result.pop("wrk_stdout", None)
                passes.append({"gunicorn": server.label, "connections": args.connections,
                               "accept_encoding": encoding, **result})
                log(f"public endpoint {server.label} {encoding}: {result['wrk_requests_per_sec']} req/s")
    return passes


def _gzip_script() -> Path:
    """wrk_stats.lua plus an Accept-Encoding: gzip header (wrk takes a single script)."""
    path = Path("/tmp/bench-indicators-gzip.lua")
    path.write_text(f'dofile("{STATS_LUA}")\nwrk.headers["Accept-Encoding"] = "gzip"\n')
    return path


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    with services() as svc:
        os.environ["DATABASE_URL"] = svc.database_url
        migrate(svc)
        from service.app import create_app
        from service.domain.indicators import rollups
        from service.extensions import db

        app = create_app({"database_url": svc.database_url, "redis_url": None})
        with app.app_context():
            session, settings = db.session, app.extensions["settings"]
            log("generating data …")
            generated = generate(session, args)
            log(f"generated {generated}")
            started = time.perf_counter()
            rebuild = rollups.rebuild_rollups(session, NOW)
            rebuild["seconds"] = round(time.perf_counter() - started, 1)
            log(f"rebuilt rollups {rebuild}")
            month = measure_month(session, settings, args.repeat)
            log(f"month {MONTH}: rollup {month['rollup_ms']} ms, raw {month['raw_ms']} ms")
            caught = catch_up(session, args)
            log(f"catch-up after {caught['new_ratings']} ratings: {caught['seconds']} s")
            publish(session, settings)
            db.session.remove()
            db.engine.dispose()
        http = public_rps(svc, args)
    result = {
        "benchmark": "indicators", "at": now_iso(), "machine": machine_info(), "git": git_commit(),
        "command": ".venv/bin/python -m bench.indicators.run " + " ".join(argv or sys.argv[1:]),
        "data": generated, "rebuild": rebuild, "month": {"period": MONTH, **month},
        "catch_up": caught, "public_endpoint": http, "targets": TARGETS,
        "met": {"rollup_ms": month["rollup_ms"] <= TARGETS["max_rollup_ms"],
                "ratio": month["ratio_raw_over_rollup"] >= TARGETS["min_ratio"]},
    }
    path = write_result("indicators", result)
    print(f"month {MONTH}, {month['departments']} departments: rollup {month['rollup_ms']} ms, "
          f"live {month['live_ms']} ms, raw {month['raw_ms']} ms, ratio {month['ratio_raw_over_rollup']}×")
    print(f"catch-up after {caught['new_ratings']} new ratings: {caught['seconds']} s "
          f"(idle refresh {caught['idle_refresh_seconds']} s); rebuild {rebuild['seconds']} s")
    for p in http:
        print(f"public endpoint {p['gunicorn']} c={p['connections']} {p['accept_encoding']}: "
              f"{p['wrk_requests_per_sec']} req/s")
    print(f"written {path}")
    return 0 if all(result["met"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
