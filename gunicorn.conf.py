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


# Every line gunicorn writes (errors and the access log) is a masked JSON line with the request id,
# the same as the application's own (service/logging.py): an access line never shows a rate token
# from a /rate/<token> path or a phone number from a query string.
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "service.logging.ContextFilter"}},
    "formatters": {"json": {"()": "service.logging.JsonFormatter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "json", "filters": ["context"],
                    "stream": "ext://sys.stderr"},
    },
    "root": {"level": "INFO", "handlers": ["console"]},
    "loggers": {
        "gunicorn.error": {"level": "INFO", "handlers": ["console"], "propagate": False},
        "gunicorn.access": {"level": "INFO", "handlers": ["console"], "propagate": False},
    },
}
