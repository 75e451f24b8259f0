"""Helpers of the fault tests: a PostgreSQL cluster and a Redis of their own that a test may stop
and start again (scripts/services.sh starts them: initdb/pg_ctl as `postgres`, redis-server on a
free port), a burst of citizens' ratings, an RQ worker process and an in-process dispatcher."""

from __future__ import annotations

import os
import re
import secrets
import signal
import subprocess
import threading
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from redis import Redis
from sqlalchemy import create_engine, insert, select, text

ROOT = Path(__file__).resolve().parents[2]


class Cluster:
    """A throwaway PostgreSQL + Redis pair owned by one test module."""

    def __init__(self) -> None:
        out = subprocess.run(["bash", "scripts/services.sh", "start"], cwd=ROOT, capture_output=True,
                             text=True, timeout=180)
        exports = dict(re.findall(r"^export (\w+)=(\S+)$", out.stdout, re.M))
        self.dir = exports.get("FEEDBACK_SERVICES_DIR")
        if out.returncode != 0 or "TEST_DATABASE_URL" not in exports:
            self.close()
            raise RuntimeError(f"scripts/services.sh start failed:\n{out.stderr[-2000:]}")
        self.database_url, self.redis_url = exports["TEST_DATABASE_URL"], exports["TEST_REDIS_URL"]
        state = {}
        for line in Path(self.dir, "state").read_text().splitlines():
            key, _, value = line.partition("=")
            state[key] = value  # the last start attempt wins, like services.sh's own `source`
        self.pg_bin, self.pg_data, self.pg_port = state["PG_BINDIR"], state["PG_DATA"], state["PG_PORT"]
        self.redis_port = int(state["REDIS_PORT"])

    def _as_postgres(self, *command: str) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run([*prefix, *command], cwd="/", check=True, capture_output=True, timeout=60)

    def stop_postgres(self) -> None:
        # Fast shutdown: open sessions are terminated, like a crash or a failover for the client.
        self._as_postgres(f"{self.pg_bin}/pg_ctl", "-D", self.pg_data, "-m", "fast", "-w", "stop")

    def start_postgres(self) -> None:
        run_dir = str(Path(self.pg_data).parent / "run")
        opts = (f"-p {self.pg_port} -k {run_dir} -c listen_addresses=127.0.0.1 -c fsync=off "
                "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200")
        self._as_postgres(f"{self.pg_bin}/pg_ctl", "-D", self.pg_data, "-l",
                          str(Path(self.pg_data).parent / "postgres.log"), "-o", opts, "-w", "start")

    def stop_redis(self) -> None:
        try:
            Redis(port=self.redis_port, socket_timeout=2).shutdown(nosave=True)
        except Exception:  # SHUTDOWN closes the connection it came on
            pass
        _wait_until(lambda: not _redis_up(self.redis_port), 10)

    def start_redis(self) -> None:
        rdir = Path(self.dir, "redis")
        subprocess.run(["redis-server", "--port", str(self.redis_port), "--bind", "127.0.0.1",
                        "--save", "", "--appendonly", "no", "--dir", str(rdir), "--daemonize", "yes",
                        "--pidfile", str(rdir / "redis.pid"), "--logfile", str(rdir / "redis.log")],
                       check=True, capture_output=True, timeout=30)
        _wait_until(lambda: _redis_up(self.redis_port), 10)

    def close(self) -> None:
        if self.dir:
            subprocess.run(["bash", "scripts/services.sh", "stop", self.dir], cwd=ROOT,
                           capture_output=True, timeout=120)


def _redis_up(port: int) -> bool:
    try:
        return bool(Redis(port=port, socket_timeout=0.5, socket_connect_timeout=0.5).ping())
    except Exception:
        return False


def _wait_until(check, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise TimeoutError("condition not reached")
        time.sleep(0.05)


def make_events(database_url: str, department_id: int, user_id: int, count: int) -> list[str]:
    """Bulk-insert `count` rateable events; returns their rate tokens."""
    from service.domain.ratings import hash_rate_token
    from service.models import ServiceEvent
    from service.models.types import utcnow

    now, run = utcnow(), secrets.token_hex(3)
    tokens = [secrets.token_urlsafe(24) for _ in range(count)]
    rows = [{
        "event_no": f"FAULT-{run}-{i:05d}", "department_id": department_id, "item_name": "施工许可",
        "item_code": None, "staff_no": None, "channel": "window", "completed_at": now - timedelta(hours=1),
        "rate_token_hash": hash_rate_token(token), "rate_token_expires_at": now + timedelta(days=90),
        "citizen_name_enc": None, "citizen_phone_enc": None, "citizen_phone_bidx": None,
        "citizen_name_masked": None, "citizen_phone_masked": None, "citizen_real_name": i % 4 == 0,
        "body_fingerprint": hash_rate_token(token), "created_by_id": user_id, "created_at": now,
    } for i, token in enumerate(tokens)]
    engine = create_engine(database_url)
    with engine.begin() as conn:
        conn.execute(insert(ServiceEvent.__table__), rows)
    engine.dispose()
    return tokens


TEXTS = {1: "工作人员态度很差，推诿扯皮，超过承诺时限还没办结。", 2: "跑了三趟才办完，希望改进。",
         3: "基本满意，材料清单可以再写清楚一些。", 4: "办理速度挺快的。", 5: "非常耐心，一次就办好了。"}


@dataclass
class Burst:
    """Citizens rating from several threads; every answer is recorded with the token it was for."""

    app: object
    tokens: list[str]
    threads: int = 6
    pause_after_503: float = 0.02
    answers: list[tuple[str, int, int | None]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    sent: int = 0

    def run(self) -> None:
        chunks = [self.tokens[i::self.threads] for i in range(self.threads)]
        workers = [threading.Thread(target=self._rate, args=(chunk,)) for chunk in chunks]
        for thread in workers:
            thread.start()
        for thread in workers:
            thread.join()

    def _rate(self, tokens: list[str]) -> None:
        client = self.app.test_client()
        for n, token in enumerate(tokens):
            level = 1 + n % 5
            response = client.post("/api/v1/reviews", json={
                "rate_token": token, "level": level, "channel": "mobile", "text": TEXTS[level]})
            body = response.get_json(silent=True) or {}
            with self._lock:
                self.answers.append((token, response.status_code, body.get("id")))
                self.sent += 1
            if response.status_code == 503:
                time.sleep(self.pause_after_503)  # a citizen does not hammer a busy service

    def when_sent(self, count: int, timeout: float = 60) -> None:
        _wait_until(lambda: self.sent >= count, timeout)


class WorkerProcess:
    """`flask --app wsgi jobs worker` in its own process group (so kill -9 takes its work horse too)."""

    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        self.log = open(log_path, "ab")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen([str(ROOT / ".venv/bin/flask"), "--app", "wsgi", "jobs", "worker"],
                                     cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT,
                                     start_new_session=True)

    def kill(self) -> None:
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()
        self.log.close()


def worker_env(cluster: Cluster, model_dir: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TEST_", "DATABASE_", "REDIS_"))}
    env.update(DATABASE_URL=cluster.database_url, REDIS_URL=cluster.redis_url, APP_ENV="development",
               MODEL_DIR=model_dir, CLASSIFY_RETRY_BASE_SECONDS="1", CLASSIFY_RETRY_MAX_SECONDS="2",
               JOB_RETRY_INTERVALS="1,1")
    return env


def pipeline_state(database_url: str) -> dict[str, int]:
    """What the end of a fault test checks: stored ratings, what is still pending, tickets."""
    engine = create_engine(database_url)
    with engine.connect() as conn:
        row = conn.execute(text(
            "SELECT count(*), "
            "count(*) FILTER (WHERE classification_state <> 'done'), "
            "count(*) FILTER (WHERE is_bad AND ticket_state <> 'done'), "
            "count(*) FILTER (WHERE is_bad), "
            "(SELECT count(*) FROM tickets), "
            "(SELECT count(DISTINCT review_id) FROM tickets) FROM reviews"
        )).one()
    engine.dispose()
    keys = ("reviews", "unclassified", "bad_without_ticket", "bad", "tickets", "ticketed_reviews")
    return dict(zip(keys, row, strict=True))


def stored_ids(database_url: str) -> list[int]:
    from service.models import Review

    engine = create_engine(database_url)
    with engine.connect() as conn:
        ids = list(conn.execute(select(Review.id)).scalars())
    engine.dispose()
    return ids


def fail_once(key: str) -> int:
    """An RQ job (run by the worker process) that fails on its first run and succeeds on the next."""
    runs = Redis.from_url(os.environ["REDIS_URL"]).incr(key)
    if runs == 1:
        raise RuntimeError("first run fails")
    return runs
