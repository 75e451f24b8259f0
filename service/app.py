"""The application factory: nothing is opened or read from the environment at import time."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

from config.settings import Settings
from service.extensions import api, db, migrate

MIGRATIONS_DIR = str(__import__("pathlib").Path(__file__).resolve().parent.parent / "migrations")


def create_app(overrides: Mapping[str, Any] | None = None) -> Flask:
    settings = Settings.from_env(overrides=overrides)
    app = Flask(__name__, instance_relative_config=True)
    app.extensions["settings"] = settings
    app.config.update(
        SECRET_KEY=settings.secret_key,
        TESTING=settings.testing,
        SQLALCHEMY_DATABASE_URI=settings.database_url,
        SQLALCHEMY_ENGINE_OPTIONS=_engine_options(settings.database_url),
        MAX_CONTENT_LENGTH=settings.max_body_bytes,
        API_TITLE="住建局好差评与12345诉求服务 API",
        API_VERSION="1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api/v1",
        OPENAPI_JSON_PATH="openapi.json",
        JSON_AS_ASCII=False,
    )
    app.json.ensure_ascii = False
    _configure_logging()
    db.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS_DIR, render_as_batch=True)
    api.init_app(app)
    _register_api(app)
    _register_cli(app)
    return app


def _engine_options(url: str) -> dict[str, Any]:
    if url.startswith("sqlite"):
        return {"connect_args": {"timeout": 30}}
    return {"pool_size": 10, "max_overflow": 10, "pool_pre_ping": True}


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # WAL lets readers proceed while one writer commits; foreign keys are off by default in SQLite.
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()


def _configure_logging() -> None:
    from service.logging import install_contact_mask

    install_contact_mask()


def _register_api(app: Flask) -> None:
    from service.api import register_blueprints
    from service.api.errors import register_error_handlers

    register_blueprints(app, api)
    register_error_handlers(app)


def _register_cli(app: Flask) -> None:
    from service.cli import register_commands

    register_commands(app)
