"""Fixed-window rate limit for the endpoints citizens and the public reach without a token.

With Redis the count is shared by every worker; without it each process counts alone. When Redis
cannot be reached the request is let through: a citizen's rating matters more than the limit.
"""

from __future__ import annotations

import logging
import threading
import time

from flask import current_app, request
from redis.exceptions import RedisError
from werkzeug.exceptions import TooManyRequests

log = logging.getLogger(__name__)
_local: dict[str, tuple[int, int]] = {}
_lock = threading.Lock()


def limit_public(bucket: str) -> None:
    settings = current_app.extensions["settings"]
    limit, window = settings.public_rate_limit, settings.public_rate_window_seconds
    if limit <= 0:
        return
    slot = int(time.time() // window)
    key = f"rl:{bucket}:{request.remote_addr}:{slot}"
    count = _count_redis(key, window) if settings.redis_url else None
    if count is None:
        count = _count_local(key, slot)
    if count > limit:
        error = _too_many(window - int(time.time()) % window)
        raise error


def _count_redis(key: str, window: int) -> int | None:
    try:
        redis = current_app.extensions["queue"].redis
        pipe = redis.pipeline()
        pipe.incr(key)
        pipe.expire(key, window + 1)
        return int(pipe.execute()[0])
    except RedisError as exc:
        log.warning("rate limit store unreachable, allowing request: %s", exc)
        return 0


def _count_local(key: str, slot: int) -> int:
    with _lock:
        count = _local.get(key, (slot, 0))[1] + 1
        _local[key] = (slot, count)
        if len(_local) > 10000:  # drop old windows so memory stays bounded
            for stale in [k for k, (s, _) in _local.items() if s < slot]:
                del _local[stale]
        return count


def _too_many(retry_after: int):
    error = TooManyRequests()
    error.retry_after = max(1, retry_after)
    return error
