"""gunicorn settings, picked up from the working directory by `gunicorn wsgi:app`."""

# Build the app and load jieba's dictionary once in the master, before forking: every worker
# shares those pages and no citizen's first rating waits ~1 s for the dictionary to load.
preload_app = True


def on_starting(server):
    import gc

    import nlp

    nlp.preload()
    # Move everything loaded so far out of the collector's reach: otherwise every worker's full
    # collections walk jieba's dictionary and copy its shared pages (measured on intake CPU/request).
    gc.collect()
    gc.freeze()


def post_fork(server, worker):
    # Connections must never be shared across a fork; the master opens none, but be explicit.
    from service.extensions import db
    from wsgi import app

    with app.app_context():
        db.engine.dispose()
