"""One scrape covers every gunicorn worker: prometheus-client's multiprocess mode with the
directory gunicorn.conf.py sets and its child_exit hook. A real gunicorn with two workers."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from tests.conftest import is_postgres
from tests.integration.pg_cluster import wait_until

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(is_postgres(), reason="the server's database does not matter: SQLite pass only")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(app, db_url, tmp_path):
    port = free_port()
    env = {**os.environ, "DATABASE_URL": db_url, "METRICS_ALLOWED_NETWORKS": "127.0.0.1/32",
           "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"), "MODEL_DIR": str(tmp_path / "models"),
           "RATE_LIMIT_ENABLED": "0"}
    env.pop("REDIS_URL", None)
    (tmp_path / "metrics").mkdir()
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}", "wsgi:app"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=(tmp_path / "gunicorn.log").open("w"))
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: _up(base), timeout=60)
        yield base, tmp_path / "metrics"
    finally:
        process.terminate()
        process.wait(timeout=30)


def _up(base: str) -> bool:
    try:
        return httpx.get(base + "/healthz", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def healthz_total(text: str) -> float:
    prefix = 'http_requests_total{endpoint="health.healthz",method="GET",status="200"} '
    return sum(float(row[len(prefix):]) for row in text.splitlines() if row.startswith(prefix))


def test_one_scrape_sums_every_worker(server):
    base, directory = server
    start = healthz_total(httpx.get(base + "/metrics", timeout=5).text)
    with ThreadPoolExecutor(max_workers=8) as pool:  # concurrent, so both workers take requests
        codes = list(pool.map(lambda _: httpx.get(base + "/healthz", timeout=10).status_code, range(60)))
    assert codes == [200] * 60
    counters = [f for f in os.listdir(directory) if f.startswith("counter_")]
    assert len(counters) >= 2, counters  # both workers counted something
    # Whichever worker answers the scrape, it reports all 60 (plus the readiness polls before).
    totals = {healthz_total(httpx.get(base + "/metrics", timeout=5).text) - start for _ in range(6)}
    assert totals == {60.0}, totals
