"""Where a rating's time goes: py-spy samples of the gunicorn workers during an intake pass.

`py-spy record --subprocesses --format raw` on the gunicorn master, twice: on-CPU samples only
(how the workers' CPU divides between the layers), then with --idle (wall time of the threads
serving requests, where waiting for PostgreSQL's durable commit shows up under the driver). Each
sampled stack is given to the first layer found walking from the innermost frame outwards, so a
regular expression run by marshmallow counts as validation and a socket write by gunicorn as the
server. Samples outside a request (accept, poll, idle pool threads) are left out of the shares.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

from bench.common import VENV_BIN, log

# (layer, pattern on a frame "function (path:line)"), first match from the innermost frame wins.
LAYERS = (
    ("PostgreSQL round trip (psycopg: send, wait, receive)", re.compile(r"/psycopg(_binary|_c)?/")),
    ("SQLAlchemy (Core statement, pool, result)", re.compile(r"/sqlalchemy/")),
    ("validation and serialisation (marshmallow, webargs)", re.compile(r"/(marshmallow|webargs)/|service/schemas/")),
    ("JSON encode/decode", re.compile(r"/(json|orjson)/|json\.py|/flask/json/")),
    ("application (service/, workers/)", re.compile(r"\((/[^ ]*)?/(service|workers|config)/")),
    ("Flask, flask-smorest, Werkzeug, gunicorn", re.compile(r"/(flask|flask_smorest|flask_sqlalchemy|werkzeug|gunicorn)/")),
)
# A sample belongs to a request when one of its frames is gunicorn's or Flask's request handling;
# everything else (waiting in accept/select, idle threads of a gthread pool) is idle.
REQUEST = re.compile(r"(^|\.)(handle|handle_request|wsgi_app) \(.*/(gunicorn|flask)/")


def py_spy() -> str | None:
    candidate = VENV_BIN / "py-spy"
    return str(candidate) if candidate.exists() else shutil.which("py-spy")


def start(master_pid: int, seconds: int, out: Path, idle: bool) -> subprocess.Popen | None:
    """Start sampling every gunicorn worker for `seconds` (None when py-spy is missing)."""
    binary = py_spy()
    if binary is None:
        log("py-spy not installed: no profile")
        return None
    cmd = [binary, "record", "--pid", str(master_pid), "--subprocesses", "--nonblocking", "--full-filenames",
           "--rate", "200", "--duration", str(seconds), "--format", "raw", "--output", str(out)]
    if idle:
        cmd.append("--idle")
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def finish(proc: subprocess.Popen | None, out: Path) -> dict | None:
    if proc is None:
        return None
    _, err = proc.communicate(timeout=120)
    if not out.exists():
        log(f"py-spy wrote no profile: {err.decode(errors='replace')[-500:]}")
        return None
    return breakdown(out.read_text())


def _layer(stack: list[str]) -> str:
    if not any(REQUEST.search(frame) for frame in stack):
        return "idle"
    for frame in reversed(stack):
        for name, pattern in LAYERS:
            if pattern.search(frame):
                return name
    return "other (interpreter, stdlib)"


def breakdown(raw: str) -> dict:
    """Shares of the busy samples per layer, plus the heaviest innermost functions."""
    layers, leaves = Counter(), Counter()
    for line in raw.splitlines():
        stack_text, _, count = line.rpartition(" ")
        if not stack_text or not count.isdigit():
            continue
        stack = stack_text.split(";")
        layer = _layer(stack)
        layers[layer] += int(count)
        if layer != "idle":
            leaves[stack[-1]] += int(count)
    busy = sum(n for name, n in layers.items() if name != "idle")
    return {
        "samples_busy": busy, "samples_idle": layers.get("idle", 0),
        "share_of_busy": {name: round(n / busy, 3) for name, n in layers.most_common() if name != "idle"}
        if busy else {},
        "top_functions": [{"frame": frame, "share": round(n / busy, 3)} for frame, n in leaves.most_common(12)]
        if busy else [],
    }
