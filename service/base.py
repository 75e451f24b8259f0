"""The application without its HTTP API and CLI: settings, logging, database and the queue handle.

Workers build their app from here (`workers/context.py`), so that nothing of `service.api` is
imported into a worker; `service.app.create_app` adds the blueprints, error handlers and commands.
Nothing is opened or read from the environment at import time.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask, current_app
from sqlalchemy import event
from sqlalchemy.engine import Engine

from config.settings import Settings
from service.domain.accounts import use_audit_key
from service.extensions import db, migrate, queue
from service.logging import configure_logging
from service.models.rollup import install_rollup_marks

MIGRATIONS_DIR = str(Path(__file__).resolve().parent.parent / "migrations")


def create_base_app(overrides: Mapping[str, Any] | None = None) -> Flask:
    settings = Settings.from_env(overrides=overrides)
    app = Flask("service", instance_relative_config=True)
    app.extensions["settings"] = settings
    app.config.update(
        SECRET_KEY=settings.secret_key,
        TESTING=settings.testing,
        SQLALCHEMY_DATABASE_URI=settings.database_url,
        SQLALCHEMY_ENGINE_OPTIONS=_engine_options(settings.database_url),
        MAX_CONTENT_LENGTH=settings.max_body_bytes,
        JSON_AS_ASCII=False,
    )
    app.json.ensure_ascii = False
    configure_logging(settings.log_level, settings.log_format)
    install_rollup_marks()
    # The audit chain's key comes from the settings of whichever app is current.
    use_audit_key(lambda: current_app.extensions["settings"].audit_key)
    db.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS_DIR, render_as_batch=True)
    queue.init_app(app)
    return app


def _engine_options(url: str) -> dict[str, Any]:
    # hide_parameters: a failed statement's exception (and so its traceback in the log) names the
    # SQL but never the values bound to it — a citizen's text, phone or a token hash.
    if url.startswith("sqlite"):
        return {"connect_args": {"timeout": 30}, "hide_parameters": True}
    # No pre-ping: it costs a round trip per checkout, on every rating. A connection that died (a
    # PostgreSQL restart or failover) fails its statement instead; SQLAlchemy then drops every
    # stale connection of the pool, the intake statement is retried once on a fresh one
    # (service/domain/ratings/intake.py) and any other request answers 503 with Retry-After
    # (service/api/errors.py) — the next one gets a fresh connection. A short connect timeout makes
    # an unreachable host answer 503 quickly instead of hanging; hidden parameters keep citizens'
    # data out of error messages and logs.
    return {"pool_size": 10, "max_overflow": 10, "hide_parameters": True,
            "connect_args": {"connect_timeout": 3}}


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # WAL lets readers proceed while one writer commits; foreign keys are off by default in SQLite.
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()
