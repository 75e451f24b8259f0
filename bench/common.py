"""Helpers the HTTP benchmarks share: throwaway services, migrations, gunicorn, wrk, results.

Everything here runs from the repository root and cleans up after itself: each context manager
stops what it started, even when the benchmark fails half-way.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
RESULTS_DIR = ROOT / "bench" / "results"
MARKER = "BENCH-JSON:"  # lines the wrk Lua scripts print from done()


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


@dataclass
class Services:
    database_url: str
    redis_url: str | None
    started_dir: str | None = None  # set when we started them (and so must stop them)


@contextlib.contextmanager
def services(durable: bool = False) -> Iterator[Services]:
    """Reuse BENCH_/TEST_DATABASE_URL (+ _REDIS_URL) when given, else start a throwaway pair.

    `durable`: always start an own pair whose PostgreSQL runs with fsync and synchronous_commit on
    (the test cluster that scripts/bench.sh starts has them off, which flatters every write)."""
    db_url = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL")
    if db_url and not durable:
        redis_url = os.environ.get("BENCH_REDIS_URL") or os.environ.get("TEST_REDIS_URL")
        log(f"reusing database {db_url} and redis {redis_url}")
        yield Services(db_url, redis_url)
        return
    env = dict(os.environ, SERVICES_PG_DURABLE="1" if durable else "")
    env.pop("FEEDBACK_SERVICES_DIR", None)  # never the caller's instance: ours, stopped by us
    proc = subprocess.run(
        ["bash", "scripts/services.sh", "start"], cwd=ROOT, capture_output=True, text=True, env=env
    )
    exports = dict(re.findall(r"^export (\w+)=(\S+)$", proc.stdout, re.M))
    started = exports.get("FEEDBACK_SERVICES_DIR")
    try:
        if proc.returncode != 0 or "TEST_DATABASE_URL" not in exports:
            raise RuntimeError(f"scripts/services.sh start failed:\n{proc.stderr[-2000:]}")
        yield Services(exports["TEST_DATABASE_URL"], exports.get("TEST_REDIS_URL"), started)
    finally:
        if started:
            log(f"stopping throwaway services in {started}")
            subprocess.run(["bash", "scripts/services.sh", "stop", started], cwd=ROOT,
                           capture_output=True, text=True)


def postgres_pids(svc: Services) -> list[int]:
    """The postmaster and its children (backends, walwriter, checkpointer) of a pair we started."""
    if not svc.started_dir:
        return []
    state = dict(line.split("=", 1) for line in Path(svc.started_dir, "state").read_text().splitlines()
                 if "=" in line)
    try:
        master = int(Path(state["PG_DATA"], "postmaster.pid").read_text().split()[0])
    except (KeyError, OSError, ValueError, IndexError):
        return []
    return [master, *children(master)]


def children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU the processes have used so far (a pass's delta is load-independent)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / tick


def app_env(svc: Services, **extra: str) -> dict[str, str]:
    """Environment for flask/gunicorn against the benchmark services."""
    env = dict(os.environ)
    env.update(DATABASE_URL=svc.database_url, APP_ENV="development")
    if svc.redis_url:
        env["REDIS_URL"] = svc.redis_url
    else:
        env.pop("REDIS_URL", None)
    env.update(extra)
    return env


def migrate(svc: Services) -> None:
    subprocess.run([str(VENV_BIN / "flask"), "--app", "wsgi", "db", "upgrade"], cwd=ROOT,
                   env=app_env(svc), check=True, capture_output=True, text=True)


def ensure_wrk() -> str | None:
    """Path of wrk, installing it with apt-get when missing; None when it cannot be had."""
    if shutil.which("wrk"):
        return shutil.which("wrk")
    log("installing wrk with apt-get")
    apt = ["apt-get", "install", "-y", "-qq", "wrk"]
    if os.geteuid() != 0:
        apt = ["sudo", "-n", *apt]
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    if subprocess.run(apt, env=env, capture_output=True).returncode != 0:
        subprocess.run([*apt[:-4], "update", "-qq"], env=env, capture_output=True)
        subprocess.run(apt, env=env, capture_output=True)
    return shutil.which("wrk")


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Gunicorn:
    workers: int
    worker_class: str = "sync"
    threads: int = 1
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen | None = None
    nice: int = 0  # > 0: run below the background workers' priority (the sustained intake pass)

    @property
    def label(self) -> str:
        if self.worker_class == "gthread":
            return f"gthread {self.workers}x{self.threads}"
        return f"{self.worker_class} x{self.workers}"

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        cmd = [str(VENV_BIN / "gunicorn"), "-w", str(self.workers), "-b", f"127.0.0.1:{self.port}",
               "--worker-class", self.worker_class, "--backlog", "2048", "--timeout", "60"]
        if self.worker_class == "gthread":
            cmd += ["--threads", str(self.threads)]
        return (["nice", "-n", str(self.nice)] if self.nice else []) + cmd + ["wsgi:app"]

    def worker_pids(self) -> list[int]:
        return children(self.proc.pid) if self.proc is not None else []

    def cpu_seconds(self) -> float:
        """User + system CPU the workers have used so far (a pass's delta is load-independent)."""
        return cpu_seconds(self.worker_pids())

    def rss_mb(self) -> dict[str, float]:
        """Resident memory of the master and each worker, from /proc (MiB)."""
        pids = {"master": self.proc.pid} if self.proc else {}
        pids.update({f"worker_{pid}": pid for pid in self.worker_pids()})
        return {name: round(_rss_kb(pid) / 1024, 1) for name, pid in pids.items()}


def _rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


@contextlib.contextmanager
def gunicorn(server: Gunicorn, env: dict[str, str], log_path: Path) -> Iterator[Gunicorn]:
    with open(log_path, "ab") as log_file:
        server.proc = subprocess.Popen(server.command(), cwd=ROOT, env=env, stdout=log_file,
                                       stderr=subprocess.STDOUT, start_new_session=True)
    try:
        _wait_ready(server)
        yield server
    finally:
        _stop(server.proc)


def _wait_ready(server: Gunicorn, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.proc.returncode}")
        with contextlib.suppress(OSError):
            with urllib.request.urlopen(server.base_url + "/healthz", timeout=1) as answer:
                if answer.status == 200 and len(server.worker_pids()) >= server.workers:
                    return
        time.sleep(0.2)
    raise RuntimeError("gunicorn did not become ready")


def _stop(proc: subprocess.Popen | None) -> None:
    if proc is None or proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)  # graceful: the master stops its workers
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)  # our own session only (start_new_session)
        proc.wait(timeout=10)


def run_wrk(wrk: str, url: str, script: Path, connections: int, duration: int, threads: int = 2,
            script_args: tuple[str, ...] = (), timeout: int = 10) -> dict:
    """Run wrk and return the JSON its Lua done() printed, plus wrk's own Requests/sec line."""
    # wrk's default 2 s timeout drops slower answers from the latency histogram (while still
    # counting them); 10 s keeps the percentiles honest under overload.
    cmd = [wrk, f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency",
           f"--timeout={timeout}s", "-s", str(script), url]
    if script_args:
        cmd += ["--", *script_args]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 120)
    if out.returncode != 0:
        raise RuntimeError(f"wrk failed: {out.stderr[-2000:]}")
    data = {}
    for line in out.stdout.splitlines():
        if line.startswith(MARKER):
            data = json.loads(line[len(MARKER):])
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out.stdout)
    data["wrk_requests_per_sec"] = float(rps.group(1)) if rps else None
    data["wrk_stdout"] = out.stdout.strip().splitlines()
    return data


def machine_info() -> dict:
    cpu = ""
    with contextlib.suppress(OSError):
        cpu = next((line.split(":", 1)[1].strip() for line in
                    Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")), "")
    mem = ""
    with contextlib.suppress(OSError):
        mem = Path("/proc/meminfo").read_text().splitlines()[0].split(":", 1)[1].strip()
    return {"cpus": os.cpu_count(), "cpu_model": cpu, "memory": mem, "kernel": platform.release(),
            "python": platform.python_version(), "platform": platform.platform()}


def git_commit() -> dict:
    def git(*args: str) -> str:
        out = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)
        return out.stdout.strip()

    return {"commit": git("rev-parse", "HEAD"), "dirty": bool(git("status", "--porcelain"))}


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def write_result(name: str, data: dict) -> Path:
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"{name}.json"
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path
