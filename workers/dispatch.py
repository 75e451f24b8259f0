"""The dispatcher: claims pending rows in batches and hands RQ one job per batch.

The stored review (or 12345 case) with a `pending` state is the durable job record; no request
enqueues anything with Redis configured. One loop (`flask --app wsgi jobs dispatcher`, or the
periodic `requeue_pending` as a safety net) polls every DISPATCH_POLL_MS:

- per queue, asks Redis how many jobs wait (queued + scheduled retries) and fills it up to
  DISPATCH_MAX_QUEUED_JOBS, so the queue depth stays bounded and a backlog waits in the database;
- claims up to DISPATCH_BATCH_SIZE rows (CLASSIFY_BATCH_SIZE for classification) with
  `FOR UPDATE SKIP LOCKED` (several dispatchers can run) and a lease (DISPATCH_LEASE_SECONDS),
  enqueues one job for them, and commits only when Redis took it (else rolls back: the rows stay
  as they were); a batch short of its size waits until its oldest row is DISPATCH_LINGER_MS old,
  so under load every job carries a full batch;
- hands out rows whose lease ran out (a job lost with Redis, a worker killed mid-batch) only while
  nothing is left in that queue, so a row whose job is still queued is never queued twice.

Without Redis (embedded mode) the same pass runs each batch inline.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from datetime import datetime, timedelta

from flask import Flask
from redis.exceptions import RedisError
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from service.domain import pending
from service.extensions import db
from service.models.types import utcnow
from workers.context import settings
from workers.queues import CLASSIFY, TICKETS, Call, dispatcher

log = logging.getLogger(__name__)

# pending kind -> (batch job, queue)
JOBS = {
    "open_tickets": ("workers.jobs.open_tickets_batch", TICKETS),
    "classify_reviews": ("workers.jobs.classify_reviews_batch", CLASSIFY),
    "classify_cases": ("workers.jobs.classify_cases_batch", CLASSIFY),
}
MAX_BACKOFF_SECONDS = 5.0


class EnqueueFailed(RedisError):
    """Redis did not take a batch; the claim was rolled back."""


def dispatch_once(session: Session, now: datetime) -> dict[str, int]:
    """One pass: returns how many rows of each kind were handed out."""
    s, queue = settings(), dispatcher()
    # Raises RedisError when Redis cannot answer within REDIS_TIMEOUT_MS: nothing is claimed.
    waiting = queue.backlog(tuple(sorted({name for _, name in JOBS.values()})))
    lease_until = now + timedelta(seconds=s.dispatch_lease_seconds)
    linger = timedelta(milliseconds=0 if queue.inline else s.dispatch_linger_ms)
    handed = {"classify_reviews": 0, "open_tickets": 0}
    for kind in pending.KINDS:
        func, name = JOBS[kind.name]
        size = s.classify_batch_size if kind.name.startswith("classify") else s.dispatch_batch_size
        expired_too = waiting[name] == 0
        while queue.inline or waiting[name] < s.dispatch_max_queued_jobs:
            ids = pending.claim(session, kind, now, lease_until, max(size, 1), expired_too, linger)
            if not ids:
                session.commit()
                break
            _hand_over(session, queue, Call(func, (ids,), name))
            waiting[name] += 0 if queue.inline else 1
            handed[kind.name] = handed.get(kind.name, 0) + len(ids)
    return {k: v for k, v in handed.items() if v or k != "classify_cases"}


def _hand_over(session: Session, queue, call: Call) -> None:
    if queue.inline:
        session.commit()  # the lease first: an inline job that fails leaves its rows leased
        queue.enqueue_many([call])
        return
    if not queue.enqueue_many([call]):
        session.rollback()
        raise EnqueueFailed(f"{call.func_path} not enqueued")
    session.commit()


def run(app: Flask, stop: threading.Event | None = None) -> None:
    """The dispatcher loop. Survives Redis and PostgreSQL going away: logs, backs off (up to 5 s),
    and goes on when they are back. Stops on SIGTERM/SIGINT (or `stop`)."""
    stop = stop or _stop_on_signals()
    with app.app_context():
        poll = max(settings().dispatch_poll_ms, 10) / 1000
    backoff = poll
    log.info("dispatcher started (poll %.0f ms)", poll * 1000)
    while not stop.is_set():
        wait = poll
        with app.app_context():
            try:
                handed = dispatch_once(db.session, utcnow())
                if any(handed.values()):
                    log.debug("handed out %s", handed)
                backoff = poll
            except (RedisError, SQLAlchemyError) as exc:
                log.warning("dispatch pass failed, retrying in %.1f s: %s", backoff, exc)
                wait, backoff = backoff, min(backoff * 2, MAX_BACKOFF_SECONDS)
            finally:
                _discard(db.session)
        stop.wait(wait)
    log.info("dispatcher stopped")


def _discard(session) -> None:
    try:
        session.rollback()
        session.remove()
    except SQLAlchemyError:  # the connection is gone; the pool hands out a fresh one next time
        pass


def _stop_on_signals() -> threading.Event:
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    return stop


def wait_until_drained(app: Flask, timeout: float, poll: float = 0.2) -> bool:
    """Test and benchmark helper: True once no row is pending (or False at the timeout)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with app.app_context():
            if not any(pending.count_pending(db.session).values()):
                return True
            db.session.remove()
        time.sleep(poll)
    return False
