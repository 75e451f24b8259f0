"""gunicorn settings, picked up from the working directory by `gunicorn wsgi:app`."""

import os
import tempfile

# Build the app and load jieba's dictionary once in the master, before forking: every worker
# shares those pages and no citizen's first rating waits ~1 s for the dictionary to load.
preload_app = True

# prometheus-client chooses multiprocess mode when it is first imported, so the directory must be
# known before the app is loaded: every worker writes its counts there and one scrape of any
# worker sums them all (service/api/metrics.py). Set PROMETHEUS_MULTIPROC_DIR to keep it elsewhere.
if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="feedback-metrics-")


def on_starting(server):
    import gc

    import nlp

    # Counts of a previous run of the server are not this run's.
    directory = os.environ["PROMETHEUS_MULTIPROC_DIR"]
    os.makedirs(directory, exist_ok=True)
    for name in os.listdir(directory):
        if name.endswith(".db"):
            os.remove(os.path.join(directory, name))
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


def child_exit(server, worker):
    # A dead worker's live gauges are dropped; its counters stay in the sum.
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
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
