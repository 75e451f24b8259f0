"""Faults of the background pipeline (issue 10, "Faults"): PostgreSQL stopped during a burst of
ratings, Redis stopped, the worker killed with kill -9 mid-batch. Each time: the citizens got only
201 or 503, every 201 is stored exactly once, and after recovery every stored rating is classified
and every 差评 has its one ticket.

The test owns its PostgreSQL and Redis (scripts/services.sh), so it can stop them; it runs in the
PostgreSQL pass of `make test`. The dispatcher runs in this process, the RQ worker as
`flask jobs worker` in its own process group.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections import Counter

import flask_migrate
import pytest
from rq.registry import StartedJobRegistry
from sqlalchemy import text

from service.domain import accounts
from service.domain.accounts import departments
from service.extensions import db
from tests.conftest import make_app
from tests.integration.faults import (
    Burst,
    Cluster,
    WorkerProcess,
    make_events,
    pipeline_state,
    stored_ids,
    worker_env,
)
from tests.nlp_fixtures import insert_model
from workers import dispatch

pytestmark = pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL") or not shutil.which("redis-server"),
    reason="fault tests run in the PostgreSQL pass of make test (they start their own cluster)",
)
DRAIN_SECONDS = 90  # a bound for a loaded machine; the pipeline drains in seconds


@pytest.fixture(scope="module")
def cluster():
    own = Cluster()
    yield own
    own.close()


@pytest.fixture(scope="module")
def fault_app(cluster, tmp_path_factory):
    app = make_app(cluster.database_url, redis_url=cluster.redis_url, dispatch_lease_seconds=2,
                   dispatch_poll_ms=100, model_dir=str(tmp_path_factory.mktemp("fault-models")))
    with app.app_context():
        flask_migrate.upgrade()
        department = departments.create_department(db.session, "FAULT", "故障测试科", None, actor="test")
        user, _ = accounts.create_user(db.session, "fault-intake", "intake")
        for task in ("tags", "sentiment"):
            insert_model(db.session, task)
        ids = (department.id, user.id)
        db.session.remove()
    app.fault_ids = ids
    return app


@pytest.fixture
def pipeline(fault_app, cluster, tmp_path):
    """A clean database and Redis, the dispatcher (thread) and one worker (process)."""
    with fault_app.app_context():
        with db.engine.begin() as conn:
            conn.execute(text("TRUNCATE service_events, rollup_dirty RESTART IDENTITY CASCADE"))
        fault_app.extensions["queue"].redis.flushdb()
    stop = threading.Event()
    dispatcher = threading.Thread(target=dispatch.run, args=(fault_app, stop), daemon=True)
    dispatcher.start()
    env = worker_env(cluster, fault_app.extensions["settings"].model_dir)
    state = {"worker": WorkerProcess(env, tmp_path / "worker.log")}
    state["start_worker"] = lambda: WorkerProcess(env, tmp_path / "worker.log")
    yield state
    stop.set()
    dispatcher.join(timeout=10)
    state["worker"].stop()


def tokens_for(app, cluster, count):
    department_id, user_id = app.fault_ids
    return make_events(cluster.database_url, department_id, user_id, count)


def assert_exactly_once(burst: Burst, database_url: str) -> Counter:
    statuses = Counter(status for _, status, _ in burst.answers)
    assert set(statuses) <= {201, 503}, statuses
    created = [review_id for _, status, review_id in burst.answers if status == 201]
    stored = stored_ids(database_url)
    assert len(set(created)) == len(created)  # no id answered twice
    assert set(created) <= set(stored)  # every 201 is stored
    # The rest of the stored rows are 503s whose commit happened before the connection dropped.
    assert len(stored) - len(created) <= statuses[503]
    return statuses


def assert_drained(database_url: str) -> dict:
    deadline = time.monotonic() + DRAIN_SECONDS
    while True:
        state = pipeline_state(database_url)
        done = (state["unclassified"] == 0 and state["bad_without_ticket"] == 0
                and state["tickets"] == state["ticketed_reviews"] == state["bad"])
        if done or time.monotonic() > deadline:
            break
        time.sleep(0.3)
    assert state["unclassified"] == 0, state
    assert state["bad_without_ticket"] == 0, state
    assert state["tickets"] == state["ticketed_reviews"] == state["bad"], state  # one ticket per 差评
    return state


def test_postgresql_stopped_during_a_burst(fault_app, cluster, pipeline):
    burst = Burst(fault_app, tokens_for(fault_app, cluster, 400), pause_after_503=0.1)
    sender = threading.Thread(target=burst.run)
    sender.start()
    burst.when_sent(80)
    cluster.stop_postgres()
    time.sleep(0.5)
    cluster.start_postgres()
    sender.join(timeout=120)
    statuses = assert_exactly_once(burst, cluster.database_url)
    assert statuses[503] > 0  # the outage was seen by citizens, as 503 and nothing else
    assert {status for _, status, _ in burst.answers[-30:]} == {201}  # and it recovered by itself
    state = assert_drained(cluster.database_url)
    assert state["reviews"] >= statuses[201]


def test_redis_stopped_during_a_burst(fault_app, cluster, pipeline):
    burst = Burst(fault_app, tokens_for(fault_app, cluster, 300))
    sender = threading.Thread(target=burst.run)
    sender.start()
    burst.when_sent(60)
    cluster.stop_redis()  # the worker and the dispatcher lose it; queued jobs are lost with it
    burst.when_sent(200)
    cluster.start_redis()
    sender.join(timeout=120)
    statuses = assert_exactly_once(burst, cluster.database_url)
    assert statuses == Counter({201: 300})  # Redis is not on the rating's path
    assert_drained(cluster.database_url)
    assert pipeline["worker"].proc.poll() is None  # the same worker process, reconnected


def test_worker_killed_mid_batch(fault_app, cluster, pipeline):
    pipeline["worker"].stop()  # a backlog first, so that the next worker starts on a big batch
    burst = Burst(fault_app, tokens_for(fault_app, cluster, 300))
    burst.run()
    assert_exactly_once(burst, cluster.database_url)
    redis = fault_app.extensions["queue"].redis
    started = [StartedJobRegistry(name, connection=redis) for name in ("classify", "tickets")]
    worker = pipeline["start_worker"]()
    deadline = time.monotonic() + 60
    while not any(registry.get_job_ids() for registry in started) and time.monotonic() < deadline:
        time.sleep(0.005)
    worker.kill()  # kill -9 of the worker, its work horse and its scheduler
    # Killed while a job was running: RQ never got to clean it up.
    assert any(registry.get_job_ids() for registry in started)
    assert pipeline_state(cluster.database_url)["unclassified"] > 0
    pipeline["worker"] = pipeline["start_worker"]()  # what systemd or the container runtime does
    assert_drained(cluster.database_url)


def test_a_retry_with_delay_runs_because_the_worker_runs_the_scheduler(fault_app, pipeline):
    from rq import Queue, Retry
    from rq.job import Job

    redis = fault_app.extensions["queue"].redis
    job = Queue("default", connection=redis).enqueue("tests.integration.faults.fail_once", "flaky",
                                                     retry=Retry(max=2, interval=1))
    deadline = time.monotonic() + 60
    while Job.fetch(job.id, connection=redis).get_status() != "finished" and time.monotonic() < deadline:
        time.sleep(0.2)
    # Failed once, waited in rq:scheduled, was moved back to its queue and ran again.
    assert Job.fetch(job.id, connection=redis).get_status() == "finished"
    assert int(redis.get("flaky")) == 2
