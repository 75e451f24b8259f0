import os

import pytest
from redis import Redis

from tests.conftest import make_app


@pytest.fixture
def redis_url():
    url = os.environ.get("TEST_REDIS_URL")
    if not url:
        pytest.skip("TEST_REDIS_URL is not set: run through scripts/test.sh for a real Redis")
    connection = Redis.from_url(url)
    connection.flushdb()
    yield url
    connection.flushdb()


@pytest.fixture
def redis_app(app, db_url, redis_url):
    """An app on the same database whose jobs go to the real Redis instead of running inline."""
    queued = make_app(db_url, redis_url=redis_url)
    ctx = queued.app_context()
    ctx.push()
    yield queued
    ctx.pop()


@pytest.fixture
def dead_redis_app(app, db_url):
    """Redis configured but unreachable: nothing listens on port 1."""
    broken = make_app(db_url, redis_url="redis://127.0.0.1:1/0")
    ctx = broken.app_context()
    ctx.push()
    yield broken
    ctx.pop()
