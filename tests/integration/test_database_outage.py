"""The database stops, restarts, or turns read-only under a running app: every endpoint answers
503 `unavailable` with Retry-After (never 500), /readyz says 503, and the service recovers by
itself when the database is back. Uses its own PostgreSQL cluster (started and stopped here), so
it runs once, in the PostgreSQL pass of scripts/test.sh."""

from __future__ import annotations

import flask_migrate
import pytest

from service.domain import accounts
from service.domain.accounts import departments
from service.extensions import db
from tests.conftest import bearer, is_postgres, make_app
from tests.integration.pg_cluster import Cluster, wait_until

pytestmark = pytest.mark.skipif(not is_postgres(), reason="needs PostgreSQL (the PostgreSQL pass)")

EVENT = {"department_code": "ZJJ", "item_name": "施工许可", "channel": "window",
         "completed_at": "2026-11-20T10:00:00+08:00"}


@pytest.fixture(scope="module")
def cluster():
    try:
        cluster = Cluster()
    except (RuntimeError, OSError) as exc:  # no binaries, or no way to run them as postgres
        pytest.skip(f"cannot make a PostgreSQL cluster here: {exc}")
    yield cluster
    cluster.destroy()


@pytest.fixture(scope="module")
def world(cluster, tmp_path_factory):
    app = make_app(cluster.url, model_dir=str(tmp_path_factory.mktemp("models")))
    with app.app_context():
        flask_migrate.upgrade()
        departments.create_department(db.session, "ZJJ", "市住建局", None, actor="test")
        tokens = {role: bearer(accounts.create_user(db.session, role, role)[1])
                  for role in ("admin", "intake", "supervisor")}
        db.session.remove()
    client = app.test_client()
    events = [client.post("/api/v1/service-events", json={**EVENT, "event_no": f"OUT-{n}"},
                          headers=tokens["intake"]).get_json() for n in range(4)]
    assert all("rate_token" in e for e in events)
    return app, client, tokens, events


def assert_unavailable(response):
    assert response.status_code == 503, response.get_data(as_text=True)[:300]
    assert response.headers["Retry-After"].isdigit()
    if response.request.path != "/readyz":
        assert response.get_json()["error"]["code"] == "unavailable"


def calls(client, tokens, event):
    """One call of each kind: staff reads and writes, a citizen's rating, a public read."""
    return {
        "list reviews": lambda: client.get("/api/v1/reviews", headers=tokens["admin"]),
        "get event": lambda: client.get(f"/api/v1/service-events/{event['id']}", headers=tokens["admin"]),
        "register event": lambda: client.post("/api/v1/service-events", headers=tokens["intake"],
                                              json={**EVENT, "event_no": "OUT-NEW"}),
        "rate": lambda: client.post("/api/v1/reviews", json={"rate_token": event["rate_token"], "level": 2,
                                                            "channel": "pc"}),
        "indicators": lambda: client.get("/api/v1/indicators?period=2026-11", headers=tokens["admin"]),
        "publish": lambda: client.post("/api/v1/publications", json={"period": "2026-10"},
                                       headers=tokens["supervisor"]),
        "public": lambda: client.get("/api/v1/public/indicators?period=2026-10"),
        "readyz": lambda: client.get("/readyz"),
    }


def test_stopped_database_is_503_everywhere_and_recovers(cluster, world):
    app, client, tokens, events = world
    assert client.get("/readyz").status_code == 200
    cluster.stop()
    try:
        for name, call in calls(client, tokens, events[0]).items():
            response = call()
            assert_unavailable(response), name
        assert client.get("/healthz").status_code == 200  # the process itself is alive
    finally:
        cluster.start()
    wait_until(lambda: client.get("/readyz").status_code == 200)
    rated = client.post("/api/v1/reviews", json={"rate_token": events[0]["rate_token"], "level": 2,
                                                 "channel": "pc"})
    assert rated.status_code == 201, rated.get_json()
    assert client.get("/api/v1/reviews", headers=tokens["admin"]).get_json()["total"] == 1


def test_read_only_database_refuses_writes_with_503_and_recovers(cluster, world):
    app, client, tokens, events = world
    cluster.psql("ALTER DATABASE outage SET default_transaction_read_only = on")
    # Existing sessions keep their setting: end them, as a failover to a replica would.
    cluster.psql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                 "WHERE datname = 'outage' AND pid <> pg_backend_pid()")
    try:
        assert_unavailable(client.get("/readyz"))
        rate = client.post("/api/v1/reviews", json={"rate_token": events[1]["rate_token"], "level": 1,
                                                    "channel": "pc"})
        assert_unavailable(rate)
        assert_unavailable(client.post("/api/v1/service-events", headers=tokens["intake"],
                                       json={**EVENT, "event_no": "OUT-RO"}))
        assert client.get("/api/v1/reviews", headers=tokens["admin"]).status_code == 200  # reads go on
    finally:
        cluster.psql("ALTER DATABASE outage SET default_transaction_read_only = off")
        cluster.psql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                     "WHERE datname = 'outage' AND pid <> pg_backend_pid()")
    wait_until(lambda: client.get("/readyz").status_code == 200)
    rated = client.post("/api/v1/reviews", json={"rate_token": events[1]["rate_token"], "level": 1,
                                                 "channel": "pc"})
    assert rated.status_code == 201, rated.get_json()
    with app.app_context():
        from service.models import Review

        assert db.session.query(Review).count() == 2  # nothing from the failed calls was stored
