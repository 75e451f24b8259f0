"""Review intake benchmark (issues 2, 13): `make bench BENCH=intake`, or
`.venv/bin/python -m bench.intake.run` from the repository root.

Serves the app with gunicorn against its own throwaway PostgreSQL (fsync and synchronous_commit
ON: every rating is durable when answered) + Redis, and drives it with wrk from a separate process:
first `/healthz` (the ceiling of the stack), then `POST /api/v1/reviews` with a fresh rate token
per request, at 16 and at 64 connections, for each gunicorn configuration asked for; the reviews
stored for each pass are counted and compared with the 2xx answers. Each figure carries the load
average of the shared machine, the CPU the gunicorn workers and PostgreSQL spent per request, and
(at 16 connections) a py-spy profile of the workers (bench/intake/profile.py). Then the sustained
pass (bench/intake/sustained.py): ratings at the maximum rate for 5 minutes with the dispatcher and
the RQ workers running. Results: bench/results/intake.json and the summary in intake.txt.

Targets: at 16 connections intake ≥ 40 % of /healthz requests/s and p99 ≤ 50 ms; at 64 connections
p99 ≤ 150 ms; zero errors, zero lost; sustained: lag p99 ≤ 5 s, queue depth bounded, every rating
classified and every 差评 ticketed, zero duplicates.
"""

from __future__ import annotations

import argparse
import math
import os
import secrets
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import create_engine, func, insert, select, text

from bench.common import (
    RESULTS_DIR,
    ROOT,
    Gunicorn,
    app_env,
    cpu_seconds,
    ensure_wrk,
    git_commit,
    gunicorn,
    log,
    machine_info,
    migrate,
    now_iso,
    postgres_pids,
    run_wrk,
    services,
    write_result,
)
from bench.intake import profile, sustained

STATS_LUA = ROOT / "bench" / "wrk_stats.lua"
REVIEWS_LUA = ROOT / "bench" / "intake" / "reviews.lua"
TARGETS = {"min_ratio": 0.40, "max_p99_ms": 50.0, "connections": 16, "max_p99_ms_high": 150.0,
           "high_connections": 64, "sustained_lag_p99_s": 5.0}
DEPARTMENTS = [("BENCH-ZJJ", "基准测试住建局", None)] + [
    (f"BENCH-ZJJ-{i}", f"基准测试科室{i}", "BENCH-ZJJ") for i in range(1, 7)
]
ITEMS = ("建筑工程施工许可证核发", "商品房预售许可", "不动产登记", "物业专项维修资金使用审核")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=20, help="seconds per wrk pass")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--high-connections", type=int, default=64, help="0 to skip that pass")
    parser.add_argument("--configs", default="sync:3,gthread:2x8,gthread:3x8",
                        help="gunicorn configurations: sync:N or gthread:WxT, comma-separated")
    parser.add_argument("--profile", type=int, default=8, help="seconds of py-spy per config (0: none)")
    parser.add_argument("--sustained", type=int, default=300, help="seconds of the sustained pass (0: skip)")
    parser.add_argument("--workers", type=int, default=2, help="RQ workers in the sustained pass")
    parser.add_argument("--dispatch-poll-ms", type=int, default=200)
    parser.add_argument("--web-nice", type=int, default=10,
                        help="sustained pass: gunicorn's nice value (the workers keep priority; 0: same)")
    return parser.parse_args(argv)


def parse_config(spec: str) -> Gunicorn:
    kind, _, size = spec.strip().partition(":")
    if kind == "gthread":
        workers, _, threads = size.partition("x")
        return Gunicorn(workers=int(workers), worker_class="gthread", threads=int(threads or 4))
    return Gunicorn(workers=int(size or 3), worker_class=kind)


class Fixture:
    """The departments, the intake account and the service events the benchmark rates."""

    def __init__(self, database_url: str, workdir: Path) -> None:
        from service.app import create_app

        self.app = create_app({"database_url": database_url, "redis_url": None})
        self.engine = create_engine(database_url)
        self.workdir = workdir
        self.run_id = secrets.token_hex(3)
        with self.app.app_context():
            self.department_ids, self.user_id = self._departments_and_account()

    def _departments_and_account(self) -> tuple[list[int], int]:
        from service.domain import accounts
        from service.domain.accounts import departments
        from service.extensions import db
        from service.models import User

        session = db.session
        ids = []
        for code, name, parent in DEPARTMENTS:
            department = departments.department_by_code(session, code)
            if department is None:
                department = departments.create_department(session, code, name, parent, actor="bench")
            ids.append(department.id)
        user = session.scalar(select(User).where(User.name == "bench-intake"))
        if user is None:
            user, _token = accounts.create_user(session, "bench-intake", "intake")
        return ids[1:], user.id

    def register_events(self, label: str, count: int) -> tuple[Path, str]:
        """Bulk-insert `count` events with unique tokens; returns the tokens file and event_no prefix."""
        from service.domain.ratings import hash_rate_token
        from service.models import ServiceEvent
        from service.models.types import utcnow

        prefix = f"BENCH-{self.run_id}-{label}-"
        now = utcnow()
        tokens = [secrets.token_urlsafe(24) for _ in range(count)]
        rows = [
            {
                "event_no": f"{prefix}{i:07d}", "department_id": self.department_ids[i % len(self.department_ids)],
                "item_name": ITEMS[i % len(ITEMS)], "item_code": None, "staff_no": f"S{i % 40:03d}",
                "channel": "window" if i % 2 else "online", "completed_at": now - timedelta(hours=1),
                "rate_token_hash": hash_rate_token(token), "rate_token_expires_at": now + timedelta(days=90),
                "citizen_name_enc": None, "citizen_phone_enc": None, "citizen_phone_bidx": None,
                "citizen_name_masked": None, "citizen_phone_masked": None,
                "citizen_real_name": i % 3 == 0, "body_fingerprint": token.ljust(64, "0")[:64],
                "created_by_id": self.user_id, "created_at": now,
            }
            for i, token in enumerate(tokens)
        ]
        with self.engine.begin() as conn:
            for start in range(0, len(rows), 5000):
                conn.execute(insert(ServiceEvent.__table__), rows[start:start + 5000])
        path = self.workdir / f"tokens-{label}.txt"
        path.write_text("\n".join(tokens) + "\n")
        return path, prefix

    def reviews_for(self, prefix: str) -> int:
        sql = text("SELECT count(*) FROM reviews r JOIN service_events e ON e.id = r.service_event_id "
                   "WHERE e.event_no LIKE :p")
        with self.engine.connect() as conn:
            return conn.execute(sql, {"p": prefix + "%"}).scalar_one()

    def total_reviews(self) -> int:
        from service.models import Review

        with self.engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(Review)).scalar_one()


def figures(raw: dict) -> dict:
    """The figures the issue asks for, from the JSON wrk_stats.lua printed."""
    statuses = {int(k): v for k, v in raw.get("statuses", {}).items()}
    ok = sum(n for code, n in statuses.items() if 200 <= code < 300)
    sockets = sum(raw.get("socket_errors", {}).values())
    latency = raw.get("latency_ms", {})
    return {
        "requests_per_sec": float(raw["requests_per_sec"]),
        "p50_ms": float(latency["p50"]), "p90_ms": float(latency["p90"]),
        "p95_ms": float(latency["p95"]), "p99_ms": float(latency["p99"]),
        "max_ms": float(latency["max"]), "requests": raw["requests"], "responses_2xx": ok,
        "non_2xx": sum(statuses.values()) - ok, "socket_errors": raw.get("socket_errors"),
        "errors": sum(statuses.values()) - ok + sockets, "statuses": raw.get("statuses"),
        "tokens_exhausted": raw.get("tokens_exhausted", 0), "wrk_stdout": raw.get("wrk_stdout"),
    }


def queue_lengths(redis_url: str | None) -> dict[str, int]:
    if not redis_url:
        return {}
    from redis import Redis

    redis = Redis.from_url(redis_url)
    return {name: redis.llen(f"rq:queue:{name}") for name in ("classify", "default")}


def measured(wrk: str, server: Gunicorn, url: str, script: Path, connections: int, duration: int,
             svc, script_args: tuple[str, ...] = ()) -> tuple[dict, dict]:
    """One wrk pass plus what the machine did meanwhile: CPU per request of the gunicorn workers
    and of PostgreSQL, and the load average (the benchmark shares its 2 cores with whatever else
    runs; the CPU figures do not depend on that)."""
    pg = postgres_pids(svc)  # backends live as long as the pool's connections
    load_before, cpu_before, pg_before = os.getloadavg(), server.cpu_seconds(), cpu_seconds(pg)
    raw = run_wrk(wrk, url, script, connections, duration, script_args=script_args)
    result = figures(raw)
    pg_after = sorted(set(pg) | set(postgres_pids(svc)))  # a backend opened meanwhile counts whole
    cpu, pg_cpu = server.cpu_seconds() - cpu_before, cpu_seconds(pg_after) - pg_before
    requests = max(1, raw["requests"])
    result.update(worker_cpu_ms_per_request=round(cpu * 1000 / requests, 3),
                  postgres_cpu_ms_per_request=round(pg_cpu * 1000 / requests, 3),
                  loadavg_before=[round(x, 2) for x in load_before],
                  loadavg_1m_before=round(load_before[0], 2), loadavg_1m_after=round(os.getloadavg()[0], 2))
    return result, raw


def bench_server(wrk: str, server: Gunicorn, fixture: Fixture, args, svc, workdir: Path) -> dict:
    url = server.base_url
    stats_only = workdir / "healthz.lua"
    stats_only.write_text(STATS_LUA.read_text())
    intake_script = intake_lua(workdir)
    run_wrk(wrk, url + "/healthz", stats_only, args.connections, 3)  # warm-up
    result = {"server": server.label, "command": " ".join(server.command()[1:]), "passes": {}}
    for connections in [c for c in (args.connections, args.high_connections) if c]:
        log(f"{server.label}: /healthz at {connections} connections for {args.duration}s")
        healthz, _ = measured(wrk, server, url + "/healthz", stats_only, connections, args.duration, svc)
        # Intake never outruns the bare endpoint, so its rate bounds the tokens a pass can use.
        count = math.ceil(healthz["requests_per_sec"] * args.duration * 1.05) + 2000
        label = f"{server.label.replace(' ', '')}-c{connections}"
        log(f"{server.label}: registering {count} service events")
        tokens, prefix = fixture.register_events(label, count)
        log(f"{server.label}: POST /api/v1/reviews at {connections} connections for {args.duration}s")
        intake, raw = measured(wrk, server, url + "/api/v1/reviews", intake_script, connections,
                               args.duration, svc, script_args=(str(tokens), "2"))
        stored = fixture.reviews_for(prefix)
        intake.update(
            requests_sent=raw.get("requests_sent"), reviews_in_db=stored,
            reviews_lost=max(0, intake["responses_2xx"] - stored),
            # Requests still in flight when wrk stopped are stored but never counted as answered.
            stored_unanswered=max(0, stored - intake["responses_2xx"]),
            tokens_registered=count,
        )
        result["passes"][str(connections)] = {
            "healthz": healthz, "intake": intake,
            "ratio": round(intake["requests_per_sec"] / healthz["requests_per_sec"], 3),
        }
    if args.profile:
        result["profile"] = profile_pass(wrk, server, fixture, args, workdir, intake_script)
    result["worker_rss_mb"] = server.rss_mb()
    result["queue_lengths"] = queue_lengths(svc.redis_url)
    return result


def intake_lua(workdir: Path) -> Path:
    script = workdir / "intake.lua"
    script.write_text(STATS_LUA.read_text() + "\n" + REVIEWS_LUA.read_text())
    return script


def profile_pass(wrk: str, server: Gunicorn, fixture: Fixture, args, workdir: Path, script: Path) -> dict:
    """Separate intake passes under py-spy (sampling slows the workers: not measured passes): one
    of on-CPU samples, one with idle samples too (the wall time of a request)."""
    seconds, label = args.profile, server.label.replace(" ", "")
    out = {}
    for kind, idle in (("cpu", False), ("wall", True)):
        tokens, _ = fixture.register_events(f"{label}-profile-{kind}", 3000 * seconds)
        path = workdir / f"profile-{label}-{kind}.txt"
        log(f"{server.label}: py-spy ({kind}) of an intake pass at {args.connections} connections, {seconds}s")
        spy = profile.start(server.proc.pid, seconds, path, idle)
        time.sleep(0.5)  # py-spy attaches to each worker
        run_wrk(wrk, server.base_url + "/api/v1/reviews", script, args.connections, seconds,
                script_args=(str(tokens), "2"))
        out[kind] = profile.finish(spy, path)
    return out


def verdict(result: dict, connections: int, high: int) -> dict:
    run = result["passes"][str(connections)]
    intake = run["intake"]
    checks = {
        "ratio_ge_40pct": run["ratio"] >= TARGETS["min_ratio"],
        "p99_le_50ms": intake["p99_ms"] <= TARGETS["max_p99_ms"],
        "zero_errors": intake["errors"] == 0,
        "zero_lost_reviews": intake["reviews_lost"] == 0 and intake["tokens_exhausted"] == 0,
    }
    if str(high) in result["passes"]:
        high_intake = result["passes"][str(high)]["intake"]
        checks["high_p99_le_150ms"] = high_intake["p99_ms"] <= TARGETS["max_p99_ms_high"]
        checks["high_zero_errors_and_lost"] = high_intake["errors"] == 0 and high_intake["reviews_lost"] == 0
    return {"met": all(checks.values()), **checks}


def summary_lines(results: list[dict], data: dict) -> list[str]:
    connections = data["config"]["connections"]
    line = "{:<12} {:>5} {:>8} {:>7} {:>7} {:>7} {:>8} {:>6} {:>5} {:>11} {:>7} {:>7} {:>16}"
    out = [f"intake benchmark {data['timestamp']} (git {data['git']['commit'][:10]}), PostgreSQL "
           f"fsync={data['postgres']['fsync']} synchronous_commit={data['postgres']['synchronous_commit']}",
           "", line.format("server", "conns", "endpoint", "req/s", "p50 ms", "p95 ms", "p99 ms", "errors",
                           "ratio", "db/2xx", "web ms", "pg ms", "load 1/5/15 min")]
    for result in results:
        for conns, run in result["passes"].items():
            for name in ("healthz", "intake"):
                f = run[name]
                out.append(line.format(
                    result["server"], conns, name, f"{f['requests_per_sec']:.0f}", f"{f['p50_ms']:.1f}",
                    f"{f['p95_ms']:.1f}", f"{f['p99_ms']:.1f}", f["errors"],
                    f"{run['ratio']:.0%}" if name == "intake" else "",
                    f"{f['reviews_in_db']}/{f['responses_2xx']}" if name == "intake" else "",
                    f"{f['worker_cpu_ms_per_request']:.2f}", f"{f['postgres_cpu_ms_per_request']:.2f}",
                    "/".join(f"{x:.1f}" for x in f["loadavg_before"])))
        out.append(f"  {result['server']}: targets at c{connections}: {result['verdict']}")
        for kind, title in (("cpu", "active samples (a wait inside psycopg counts as active)"),
                            ("wall", "wall time of a request")):
            found = (result.get("profile") or {}).get(kind)
            if found:
                shares = ", ".join(f"{k} {v:.0%}" for k, v in found["share_of_busy"].items())
                out.append(f"  {result['server']}: py-spy, {title}: {shares}")
    s = data.get("sustained")
    if s:
        out += ["", f"sustained {s['duration_s']} s on {s['server']} with 1 dispatcher and {s['workers']} "
                f"RQ workers: {s['requests_per_sec']:.0f} ratings/s, p99 {s['latency_ms']['p99']:.1f} ms, "
                f"errors {s['errors']}, lost {s['reviews_lost']}, duplicates {s['duplicates']}",
                f"  lag rating→classified {s['lag_rating_to_classified_s']}, 差评→ticket "
                f"{s['lag_bad_rating_to_ticket_s']}",
                f"  at the end: unclassified {s['unclassified_at_end']}, 差评 without ticket "
                f"{s['bad_without_ticket_at_end']} ({s['tickets']} tickets for {s['bad']} 差评); drained "
                f"{s['drained_after_wrk_s']} s after the load stopped; max RQ jobs queued {s['max_rq_jobs']}, "
                f"max rows pending {s['max_pending_rows']}",
                f"  CPU per rating: web {s['web_cpu_ms_per_rating']} ms, dispatcher+workers "
                f"{s['background_cpu_ms_per_rating']} ms; load before {s['loadavg_before']}, after "
                f"{s['loadavg_after']}", f"  targets: {s['verdict']}"]
    return out


def postgres_settings(database_url: str) -> dict:
    engine = create_engine(database_url)
    with engine.connect() as conn:
        values = {name: conn.execute(text(f"SHOW {name}")).scalar_one()
                  for name in ("fsync", "synchronous_commit", "full_page_writes", "server_version")}
    engine.dispose()
    return values


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    wrk = ensure_wrk()
    if wrk is None:
        log("wrk is not available and could not be installed")
        return 2
    servers = [parse_config(spec) for spec in args.configs.split(",") if spec.strip()]
    results, sustained_result = [], None
    with tempfile.TemporaryDirectory(prefix="bench-intake-") as tmp, services(durable=True) as svc:
        workdir = Path(tmp)
        log("migrating the schema")
        migrate(svc)
        pg_settings = postgres_settings(svc.database_url)
        fixture = Fixture(svc.database_url, workdir)
        env = app_env(svc, RATE_LIMIT_ENABLED="0", MODEL_DIR=str(workdir / "models"))
        for server in servers:
            with gunicorn(server, env, workdir / "gunicorn.log"):
                result = bench_server(wrk, server, fixture, args, svc, workdir)
            result["verdict"] = verdict(result, args.connections, args.high_connections)
            results.append(result)
        best = max(results, key=lambda r: r["passes"][str(args.connections)]["ratio"])
        if args.sustained:
            log("sustained: training the default models (flask nlp bootstrap)")
            trained_in = sustained.bootstrap_models(env)
            rate = best["passes"][str(args.connections)]["intake"]["requests_per_sec"]
            server = parse_config(_spec(best))
            server.nice = args.web_nice
            sustained_result = sustained.run_pass(wrk, server, fixture, svc, env, intake_lua(workdir),
                                                  args, workdir, rate)
            sustained_result.update(models_trained_in_s=trained_in, verdict=sustained.verdict(sustained_result))
        total_reviews = fixture.total_reviews()
        fixture.engine.dispose()
    data = {
        "benchmark": "intake", "timestamp": now_iso(), "git": git_commit(), "machine": machine_info(),
        "loadavg_at_end": [round(x, 2) for x in os.getloadavg()], "postgres": pg_settings,
        "load_generator": "wrk 4.x (-t2, Lua: fresh rate token per request, response() status counts)",
        "config": {"duration_s": args.duration, "connections": args.connections,
                   "high_connections": args.high_connections, "wrk_threads": 2,
                   "servers": [r["command"] for r in results], "targets": TARGETS,
                   "sustained_s": args.sustained, "workers": args.workers,
                   "env": {"APP_ENV": "development", "RATE_LIMIT_ENABLED": "0",
                           "REDIS_URL": "throwaway redis (the dispatcher and workers run only in the "
                                        "sustained pass)",
                           "DATABASE_URL": "throwaway PostgreSQL, fsync and synchronous_commit on, psycopg 3"}},
        "best_server": best["server"], "targets_met": best["verdict"]["met"],
        "summary": best["passes"][str(args.connections)], "sustained": sustained_result,
        "reviews_total_in_db": total_reviews, "results": results,
    }
    lines = summary_lines(results, data)
    print("\n" + "\n".join(lines))
    path = write_result("intake", data)
    (RESULTS_DIR / "intake.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"\nbest at c{args.connections}: {best['server']} — targets met: {best['verdict']['met']}; "
          f"written {path.relative_to(ROOT)} and bench/results/intake.txt")
    return 0


def _spec(result: dict) -> str:
    label = result["server"]  # "sync x3" or "gthread 2x4"
    if label.startswith("gthread"):
        return "gthread:" + label.split()[1]
    return f"{label.split()[0]}:{label.split('x')[-1]}"


if __name__ == "__main__":
    sys.exit(main())
