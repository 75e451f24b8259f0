"""Liveness, readiness and Prometheus metrics (per process; scrape each gunicorn worker)."""

from __future__ import annotations

import threading
import time
from collections import defaultdict

from flask import Blueprint, Flask, Response, current_app, g, jsonify, request
from sqlalchemy import text

from service.domain.pending import count_pending
from service.extensions import db

bp = Blueprint("health", __name__)
_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)
_lock = threading.Lock()
_requests: dict[tuple[str, str, int], int] = defaultdict(int)
_latency: dict[str, list[float]] = defaultdict(lambda: [0] * (len(_BUCKETS) + 2))
# Extra readiness checks other modules register (e.g. provisional calendar years): name -> fn
# returning (ok, detail). A warning check reports without failing readiness.
READINESS_WARNINGS: dict[str, callable] = {}


@bp.get("/healthz")
def healthz():
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz():
    checks, ok = {}, True
    try:
        db.session.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:  # any driver error means "not ready"
        checks["database"], ok = f"error: {type(exc).__name__}", False
    try:
        queue = current_app.extensions["queue"]
        queue.ping()
        checks["queue"] = "inline" if queue.inline else "ok"
    except Exception as exc:
        checks["queue"], ok = f"error: {type(exc).__name__}", False
    warnings = {}
    for name, check in READINESS_WARNINGS.items():
        detail = check()
        if detail:
            warnings[name] = detail
    body = {"status": "ok" if ok else "unavailable", "checks": checks, "warnings": warnings}
    response = jsonify(body)
    response.status_code = 200 if ok else 503
    if not ok:
        response.headers["Retry-After"] = "5"
    return response


@bp.get("/metrics")
def metrics():
    lines = [
        "# HELP http_requests_total Requests handled by this process.",
        "# TYPE http_requests_total counter",
    ]
    with _lock:
        for (endpoint, method, status), count in sorted(_requests.items()):
            lines.append(
                f'http_requests_total{{endpoint="{endpoint}",method="{method}",status="{status}"}} {count}'
            )
        lines += ["# HELP http_request_seconds Request latency.", "# TYPE http_request_seconds histogram"]
        for endpoint, counts in sorted(_latency.items()):
            cumulative = 0
            for bound, n in zip(_BUCKETS, counts, strict=False):
                cumulative += n
                lines.append(f'http_request_seconds_bucket{{endpoint="{endpoint}",le="{bound}"}} {cumulative}')
            total = cumulative + counts[len(_BUCKETS)]
            lines.append(f'http_request_seconds_bucket{{endpoint="{endpoint}",le="+Inf"}} {total}')
            lines.append(f'http_request_seconds_count{{endpoint="{endpoint}"}} {total}')
    lines += _pending_gauges()
    return Response("\n".join(lines) + "\n", mimetype="text/plain; version=0.0.4")


def _pending_gauges() -> list[str]:
    try:
        pending = count_pending(db.session)
    except Exception:
        return []
    lines = ["# HELP pending_jobs Rows accepted but not yet processed.", "# TYPE pending_jobs gauge"]
    lines += [f'pending_jobs{{kind="{kind}"}} {n}' for kind, n in pending.items()]
    return lines


def install_metrics(app: Flask) -> None:
    @app.before_request
    def _start_timer():
        g._started = time.perf_counter()

    @app.after_request
    def _count(response):
        endpoint = request.endpoint or "unmatched"
        elapsed = time.perf_counter() - g.get("_started", time.perf_counter())
        index = next((i for i, bound in enumerate(_BUCKETS) if elapsed <= bound), len(_BUCKETS))
        with _lock:
            _requests[(endpoint, request.method, response.status_code)] += 1
            _latency[endpoint][index] += 1
        return response
