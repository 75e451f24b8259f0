"""The RQ worker, kept alive across Redis outages: `flask --app wsgi jobs worker`.

RQ's work loop quits when Redis goes away (a timeout, an error in its heartbeat or maintenance).
This loop starts it again with a fresh connection after a backoff (1 s doubling to 30 s) until it
was asked to stop (SIGTERM/SIGINT, or the end of a --burst run). Each worker runs RQ's scheduler
(`with_scheduler`): whichever worker holds the lock moves delayed retries from `rq:scheduled` back
to their queue.
"""

from __future__ import annotations

import logging
import time

from redis import Redis
from redis.exceptions import RedisError

from workers.queues import QUEUES

log = logging.getLogger(__name__)
MAX_BACKOFF_SECONDS = 30.0
# How often a worker checks its scheduler is alive and cleans registries (RQ's default is 10 min).
MAINTENANCE_SECONDS = 60
MAX_DEQUEUE_RECONNECT_SECONDS = 5.0


def connect(redis_url: str) -> Redis:
    # The worker's own connection: RQ sets a socket timeout longer than its blocking pop itself;
    # keepalive and a health check notice a Redis that went away while the pop waits.
    return Redis.from_url(redis_url, socket_connect_timeout=2, socket_keepalive=True,
                          health_check_interval=15)


def _in_process_worker():
    from rq import SimpleWorker

    from service.extensions import db

    class InProcessWorker(SimpleWorker):
        """Jobs in this process; each job starts with an empty session (no rows of the last one)."""

        def execute_job(self, job, queue):
            try:
                super().execute_job(job, queue)
            finally:
                db.session.remove()

    return InProcessWorker


def run(redis_url: str, burst: bool = False, worker_ttl: int = 60, fork: bool = False) -> None:
    """`fork`: RQ's Worker (a forked work horse per job) instead of running jobs in this process.

    In-process is the default: jobs carry whole batches, and a fork per job (copying the page
    tables of a process holding jieba and the models, then a new PostgreSQL connection in the
    child) cost about as much as the job itself in the sustained benchmark. A job that crashes the
    process takes the worker with it; the process supervisor starts it again and the rows' leases
    hand the batch out again."""
    from rq import Queue, Worker  # the worker process's import only

    worker_class = Worker if fork else _in_process_worker()

    backoff = 1.0
    while True:
        worker = None
        try:
            redis = connect(redis_url)
            redis.ping()
            worker = worker_class([Queue(name, connection=redis) for name in QUEUES], connection=redis,
                                  worker_ttl=worker_ttl, maintenance_interval=MAINTENANCE_SECONDS)
            # RQ's own reconnect wait inside its dequeue loop doubles up to 60 s; 5 s is plenty.
            worker.max_connection_wait_time = MAX_DEQUEUE_RECONNECT_SECONDS
            worker.work(burst=burst, with_scheduler=True)
            backoff = 1.0
        except RedisError as exc:
            log.warning("worker lost Redis (%s); starting again in %.0f s", exc, backoff)
        # RQ notes a SIGTERM/SIGINT here (when idle it leaves `_stop_requested` unset).
        if burst or (worker is not None and worker._shutdown_requested_date is not None):
            return
        time.sleep(backoff)
        backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)
