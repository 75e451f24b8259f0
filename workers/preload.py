"""Work done once in the parent worker process, so every forked job starts warm."""

from __future__ import annotations

import nlp
from service.domain import classification
from service.extensions import db
from workers.context import worker_app


def before_fork() -> None:
    """Load jieba and the active models, then drop DB connections a fork must not share."""
    app = worker_app()
    nlp.preload()
    with app.app_context():
        # Loaded once here, the models are shared copy-on-write by every forked job; a job only
        # reloads when another version was activated meanwhile.
        classification.preload_active(db.session)
        db.session.remove()
        db.engine.dispose()  # connections opened before fork would be shared by children
