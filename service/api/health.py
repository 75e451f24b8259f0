"""Liveness, readiness and Prometheus metrics, at the root (not under /api/v1), documented in the
OpenAPI document like every other operation."""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask import Response, current_app, jsonify
from marshmallow import Schema, fields
from sqlalchemy import text

from service.api import metrics as prom
from service.api.auth import bearer_optional
from service.api.contract import Blueprint
from service.extensions import db

log = logging.getLogger(__name__)
blp = Blueprint("health", __name__, description="运行状态与监控")
# Extra readiness checks other modules register (e.g. provisional calendar years): name -> fn
# returning a warning text or None. A warning reports without failing readiness; it is asked
# only when the database answered (the checks read it).
READINESS_WARNINGS: dict[str, Callable[[], str | None]] = {}
RETRY_AFTER_SECONDS = 5


class HealthOut(Schema):
    status = fields.String(required=True, metadata={"description": "ok"})


class ReadyOut(Schema):
    status = fields.String(required=True, metadata={"description": "ok | unavailable"})
    checks = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
    warnings = fields.Dict(keys=fields.String(), values=fields.String(), required=True)


@blp.route("/healthz", methods=["GET"])
@blp.response(200, HealthOut)
def healthz():
    """The process answers (nothing else is checked)."""
    return {"status": "ok"}


@blp.route("/readyz", methods=["GET"])
@blp.response(200, ReadyOut)
@blp.alt_response(503, schema=ReadyOut, description="数据库只读/不可达或队列不可达；Retry-After 秒后再试",
                  headers={"Retry-After": {"schema": {"type": "integer"}}})
def readyz():
    """Ready when the database accepts writes and the queue answers."""
    checks = {"database": _database_check(), "queue": _queue_check()}
    ok = all(value in ("ok", "inline") for value in checks.values())
    warnings = _warnings() if checks["database"] == "ok" else {}
    body = {"status": "ok" if ok else "unavailable", "checks": checks, "warnings": warnings}
    response = jsonify(body)
    response.status_code = 200 if ok else 503
    if not ok:
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _database_check() -> str:
    try:
        session = db.session
        session.execute(text("SELECT 1"))
        if session.get_bind().dialect.name == "postgresql":
            # A replica or a database set read-only answers SELECT 1 but refuses every rating.
            if session.execute(text("SHOW transaction_read_only")).scalar() == "on":
                return "error: read-only"
        return "ok"
    except Exception as exc:  # any driver error means "not ready"
        db.session.rollback()
        return f"error: {type(exc).__name__}"


def _queue_check() -> str:
    try:
        queue = current_app.extensions["queue"]
        queue.ping()
        return "inline" if queue.inline else "ok"
    except Exception as exc:
        return f"error: {type(exc).__name__}"


def _warnings() -> dict[str, str]:
    warnings = {}
    for name, check in READINESS_WARNINGS.items():
        try:
            detail = check()
        except Exception as exc:  # a warning check must never turn readiness into a crash
            db.session.rollback()
            log.warning("readiness warning %s failed: %s", name, type(exc).__name__)
            detail = f"check failed: {type(exc).__name__}"
        if detail:
            warnings[name] = detail
    return warnings


@blp.route("/metrics", methods=["GET"])
@bearer_optional
@blp.doc(responses={"200": {"description": "Prometheus 文本格式（所有 gunicorn worker 合计）",
                            "content": {prom.CONTENT_TYPE: {"schema": {"type": "string"}}}}})
def metrics():
    """Prometheus text for the whole server. Only for a `metrics` token, or from an address in
    METRICS_ALLOWED_NETWORKS."""
    prom.require_scrape_access()
    return Response(prom.render(), mimetype=prom.CONTENT_TYPE)
