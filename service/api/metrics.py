"""Prometheus metrics with prometheus-client.

Under gunicorn, PROMETHEUS_MULTIPROC_DIR (set by gunicorn.conf.py unless given) makes every worker
write its counts to files there, and one scrape of any worker sums them all; gunicorn's child_exit
hook marks a dead worker's files. Without the variable (tests, `flask run`) the process's own
registry is used. The metric objects are made on first use, never at import.

Who may scrape: a bearer token of the `metrics` role, or a client address inside
METRICS_ALLOWED_NETWORKS (comma-separated CIDRs; the address is the one ProxyFix trusted).
"""

from __future__ import annotations

import ipaddress
import os
import threading
import time
from functools import lru_cache

from flask import Flask, abort, current_app, g, request

from service.api.auth import current_user
from service.domain.pending import count_pending
from service.extensions import db

CONTENT_TYPE = "text/plain"
_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
_lock = threading.Lock()
_metrics: dict | None = None


def _instruments() -> dict:
    global _metrics
    with _lock:
        if _metrics is None:
            from prometheus_client import Counter, Histogram

            _metrics = {
                "requests": Counter("http_requests", "Requests handled, all workers together.",
                                    ("endpoint", "method", "status")),
                "latency": Histogram("http_request_seconds", "Request latency.", ("endpoint",),
                                     buckets=_BUCKETS),
            }
        return _metrics


class _PendingCollector:
    """Rows accepted but not yet processed, read from the database at scrape time (so it is the
    same whichever worker answers, and needs no multiprocess gauge)."""

    def collect(self):
        from prometheus_client.core import GaugeMetricFamily

        gauge = GaugeMetricFamily("pending_jobs", "Rows accepted but not yet processed.", labels=["kind"])
        try:
            for kind, n in count_pending(db.session).items():
                gauge.add_metric([kind], n)
        except Exception:  # the database may be down: the scrape still answers
            db.session.rollback()
        yield gauge


def render() -> bytes:
    from prometheus_client import REGISTRY, CollectorRegistry, generate_latest, multiprocess

    _instruments()
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)
        registry.register(_PendingCollector())
        return generate_latest(registry)
    registry.register(_PendingCollector())
    return generate_latest(REGISTRY) + generate_latest(registry)


@lru_cache(maxsize=16)
def _networks(spec: str) -> tuple:
    return tuple(ipaddress.ip_network(part.strip(), strict=False) for part in spec.split(",") if part.strip())


def _address_allowed() -> bool:
    spec = current_app.extensions["settings"].metrics_allowed_networks
    try:
        address = ipaddress.ip_address(request.remote_addr or "")
    except ValueError:
        return False
    return any(address in network for network in _networks(spec))


def require_scrape_access() -> None:
    """401 without a token from an address outside the allowed networks; 403 for any role but
    `metrics` (a staff token is not a scrape token)."""
    if "Authorization" not in request.headers and _address_allowed():
        return
    user = current_user(optional=False)
    if user.role != "metrics":
        abort(403)


def install_metrics(app: Flask) -> None:
    instruments = _instruments()

    @app.before_request
    def _start_timer():
        g._started = time.perf_counter()

    @app.after_request
    def _count(response):
        endpoint = request.endpoint or "unmatched"
        elapsed = time.perf_counter() - g.get("_started", time.perf_counter())
        instruments["requests"].labels(endpoint, request.method, str(response.status_code)).inc()
        instruments["latency"].labels(endpoint).observe(elapsed)
        return response
