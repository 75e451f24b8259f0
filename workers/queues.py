"""Queue names and the one `enqueue()`.

Without REDIS_URL a job runs inline, in this process, right away. With it, the job goes to an RQ
queue. Either way a failure to run or to enqueue never fails the caller: the row it concerns stays
in a pending state and the dispatcher (workers/dispatch.py) hands it out again.

Every Redis call made through this handle gives up after `REDIS_TIMEOUT_MS` (200 ms): a slow or
hanging Redis costs a request at most that, never seconds. The RQ worker makes its own connection
(workers/supervisor.py): its blocking pop needs a long socket timeout.
"""

from __future__ import annotations

import importlib
import logging
from dataclasses import dataclass
from typing import Any

from flask import current_app
from redis import Redis
from redis.exceptions import RedisError
from rq import Queue, Retry

log = logging.getLogger(__name__)

DEFAULT = "default"
TICKETS = "tickets"
CLASSIFY = "classify"
PERIODIC = "periodic"
# A worker takes from the first non-empty queue in this order: a 差评's ticket never waits behind
# classification, and the periodic jobs take what is left.
QUEUES = (TICKETS, CLASSIFY, DEFAULT, PERIODIC)

JOB_TIMEOUT = 120  # the default of JOB_TIMEOUT_SECONDS
RESULT_TTL = 3600
FAILURE_TTL = 7 * 24 * 3600


@dataclass(frozen=True)
class Call:
    func_path: str  # dotted path, so the web process never imports the job's code
    args: tuple = ()
    queue: str = DEFAULT
    job_id: str | None = None


class Dispatcher:
    """The queue handle: created unbound in service/extensions.py, bound by `init_app`, connects
    to Redis only on first use."""

    def __init__(self, redis_url: str | None = None, retry_intervals: tuple[int, ...] = (),
                 timeout_ms: int = 200, job_timeout: int = JOB_TIMEOUT) -> None:
        self.redis_url = redis_url
        self.retry_intervals = list(retry_intervals)
        self.timeout = max(timeout_ms, 1) / 1000
        self.job_timeout = job_timeout
        self._redis = None
        self._queues: dict[str, Any] = {}

    def init_app(self, app) -> None:
        """Each app gets its own bound copy (tests build several apps with different settings)."""
        settings = app.extensions["settings"]
        app.extensions["queue"] = Dispatcher(settings.redis_url, settings.job_retry_intervals,
                                             settings.redis_timeout_ms, settings.job_timeout_seconds)

    @property
    def inline(self) -> bool:
        return not self.redis_url

    @property
    def redis(self):
        if self._redis is None and self.redis_url:
            # No retries inside redis-py: a timeout is reported at once and the row stays pending.
            self._redis = Redis.from_url(self.redis_url, socket_timeout=self.timeout,
                                         socket_connect_timeout=self.timeout, retry_on_timeout=False,
                                         retry=None, health_check_interval=30)
        return self._redis

    def queue(self, name: str):
        # Queue objects are cached: building one per call showed up in the intake profile.
        if name not in self._queues:
            self._queues[name] = Queue(name, connection=self.redis)
        return self._queues[name]

    def enqueue(self, func_path: str, *args: Any, queue: str = DEFAULT, job_id: str | None = None) -> bool:
        return self.enqueue_many([Call(func_path, args, queue, job_id)])

    def enqueue_many(self, calls: list[Call]) -> bool:
        """Enqueue several jobs in one Redis round trip (one MULTI/EXEC pipeline)."""
        if self.inline:
            return all([_run_inline(call.func_path, call.args) for call in calls])
        retry = Retry(max=len(self.retry_intervals), interval=self.retry_intervals)
        try:
            with self.redis.pipeline() as pipe:
                for call in calls:
                    self.queue(call.queue).enqueue_call(
                        call.func_path, args=call.args, job_id=call.job_id, retry=retry,
                        timeout=self.job_timeout, result_ttl=RESULT_TTL, failure_ttl=FAILURE_TTL,
                        pipeline=pipe,
                    )
                pipe.execute()
            return True
        except RedisError as exc:
            names = [c.func_path for c in calls]
            log.warning("enqueue %s failed, left pending for requeue: %s", names, exc)
            return False

    def ping(self) -> bool:
        return True if self.inline else bool(self.redis.ping())

    def backlog(self, names: tuple[str, ...]) -> dict[str, int]:
        """Jobs waiting per queue: queued plus scheduled for a delayed retry (one round trip).

        Raises RedisError when Redis cannot answer within the timeout."""
        if self.inline:
            return {name: 0 for name in names}
        with self.redis.pipeline(transaction=False) as pipe:
            for name in names:
                pipe.llen(f"rq:queue:{name}")
                pipe.zcard(f"rq:scheduled:{name}")
            counts = pipe.execute()
        return {name: counts[2 * i] + counts[2 * i + 1] for i, name in enumerate(names)}


def _run_inline(func_path: str, args: tuple) -> bool:
    module_name, _, func_name = func_path.rpartition(".")
    try:
        getattr(importlib.import_module(module_name), func_name)(*args)
        return True
    except Exception:
        # The row stays pending; requeue_pending retries it later, so nothing is dropped.
        log.exception("inline job %s%r failed; left pending", func_path, args)
        return False


def dispatcher() -> Dispatcher:
    return current_app.extensions["queue"]


def enqueue(func_path: str, *args: Any, queue: str = DEFAULT, job_id: str | None = None) -> bool:
    """Hand a job to the configured backend. Call only after the transaction has committed."""
    return dispatcher().enqueue(func_path, *args, queue=queue, job_id=job_id)


def enqueue_many(calls: list[Call]) -> bool:
    """Several jobs at once; with Redis, one round trip for all of them."""
    return dispatcher().enqueue_many(calls)


def after_commit(calls: list[Call]) -> None:
    """The follow-up work of rows a request has just committed in a `pending` state.

    Embedded mode (no Redis) runs it now, in this process. With Redis nothing happens here: the
    stored row is the job record, and the dispatcher (workers/dispatch.py) claims pending rows in
    batches within DISPATCH_POLL_MS and hands RQ one job per batch. So no answer waits for Redis,
    and a row is never queued twice (once by the request, once by the dispatcher)."""
    if calls and dispatcher().inline:
        enqueue_many(calls)
