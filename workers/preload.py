"""Work done once in the parent worker process, so every forked job starts warm."""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)


def before_fork() -> None:
    """Load jieba and the active models, then drop DB connections a fork must not share."""
    from workers.jobs import worker_app

    app = worker_app()
    try:
        import nlp  # noqa: F401  (the library warms its tokenizer on first use)

        preload = getattr(nlp, "preload", None)
        if preload:
            preload()
    except ImportError:
        log.info("nlp library not available; classification jobs will load it lazily")
    with app.app_context():
        from service.domain.classification import preload_active
        from service.extensions import db

        # Loaded once here, the models are shared copy-on-write by every forked job; a job only
        # reloads when another version was activated meanwhile.
        preload_active(db.session)
        db.session.remove()
        db.engine.dispose()  # connections opened before fork would be shared by children
