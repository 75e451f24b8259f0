"""The app a job runs in: the caller's when run inline, else one base app per worker process.

Built from service/base.py (settings, database, queue handle), never from service/app.py, so a
worker imports nothing of the HTTP API. Built on first use, never at import.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask, current_app, has_app_context
from sqlalchemy.orm import Session

from config.settings import Settings
from service.base import create_base_app
from service.extensions import db

_worker_app: Flask | None = None


def worker_app() -> Flask:
    global _worker_app
    if _worker_app is None:
        _worker_app = create_base_app()
    return _worker_app


@contextmanager
def job_session() -> Iterator[Session]:
    """The session of the caller's app context (inline), or of the worker's app."""
    if has_app_context():
        try:
            yield db.session
        except Exception:
            db.session.rollback()
            raise
        return
    with worker_app().app_context():
        try:
            yield db.session
        except Exception:
            db.session.rollback()
            raise
        finally:
            db.session.remove()


def settings() -> Settings:
    return current_app.extensions["settings"]
