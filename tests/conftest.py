"""Shared fixtures. The database is real: SQLite by default, PostgreSQL when TEST_DATABASE_URL is
set (scripts/test.sh runs the suite on both). Redis tests use TEST_REDIS_URL."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import datetime, timezone

import flask_migrate
import pytest
import time_machine
from sqlalchemy import text

from service.app import create_app
from service.domain import accounts
from service.domain.accounts import departments
from service.extensions import db
from tests.openapi_check import ValidatingClient

# Text-classification fixtures (small models trained once per session), shared by every test dir.
pytest_plugins = ["tests.nlp_fixtures"]

TEST_DEPARTMENTS = [
    ("ZJJ", "市住房和城乡建设局", None),
    ("ZJJ-A", "物业管理科", "ZJJ"),
    ("ZJJ-A1", "物业管理科一组", "ZJJ-A"),
    ("ZJJ-B", "政务服务科", "ZJJ"),
]


# The suite's own clock. Test data is dated around November 2026 (events completed on the 20th,
# periods 2026-10/11), so every test runs on a clock that starts here, ticking, whatever the
# machine's clock says: rate tokens never expire under the suite and no event is "in the future".
# TEST_CLOCK moves the start (scripts/test.sh runs the date-sensitive tests at a month and a year
# boundary: 2026-12-31T17:00Z, already January 1st in Shanghai, and 2027-01-01T00:30+08:00).
# A test that needs an exact moment still freezes it itself (time_machine.move_to, tick=False).
SUITE_CLOCK = "2026-11-25T02:00:00Z"  # a Wednesday, 10:00 in Shanghai


@pytest.fixture(scope="session", autouse=True)
def test_clock():
    moment = datetime.fromisoformat(os.environ.get("TEST_CLOCK", SUITE_CLOCK).replace("Z", "+00:00"))
    with time_machine.travel(moment, tick=True) as traveller:
        yield traveller


@pytest.fixture
def known_year_clock(time_machine):
    """For tests of a flow, not of the clock: a moment (2026-11-25 10:00 Shanghai, ticking) whose
    working-day windows stay inside a year the holiday calendar knows, whatever TEST_CLOCK says.
    (Across an unloaded year an appeal window is provisional and a version never becomes final.)"""
    time_machine.move_to(datetime.fromisoformat(SUITE_CLOCK.replace("Z", "+00:00")), tick=True)


def database_url(tmp_path_factory) -> str:
    return os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_path_factory.mktemp('db')}/test.db"


def is_postgres() -> bool:
    return bool(os.environ.get("TEST_DATABASE_URL"))


def make_app(url: str, **overrides):
    settings = {
        "database_url": url,
        "redis_url": None,
        "testing": True,
        "rate_limit_enabled": False,
        "pending_requeue_after_seconds": 0,
        "dispatch_linger_ms": 0,  # the dispatcher hands out a lone pending row at once
    }
    settings.update(overrides)
    app = create_app(settings)
    app.test_client_class = ValidatingClient  # every response is checked against the OpenAPI document
    return app


@pytest.fixture(scope="session")
def db_url(tmp_path_factory) -> str:
    return database_url(tmp_path_factory)


@pytest.fixture(scope="session")
def _app(db_url, tmp_path_factory):
    app = make_app(db_url, model_dir=str(tmp_path_factory.mktemp("models")))
    with app.app_context():
        if is_postgres():
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        flask_migrate.upgrade()  # the schema is made only by migrations, in tests too
    return app


def _clean(app) -> None:
    with app.app_context():
        tables = [t for t in reversed(db.metadata.sorted_tables)]
        with db.engine.begin() as conn:
            if is_postgres():
                names = ", ".join(f'"{t.name}"' for t in tables)
                # The audit table refuses TRUNCATE (migration 0006); the test superuser steps past
                # its trigger for the cleanup only, as replication would.
                conn.execute(text("SET LOCAL session_replication_role = replica"))
                conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            else:
                for table in tables:
                    conn.execute(table.delete())
        db.session.remove()


@pytest.fixture
def app(_app):
    ctx = _app.app_context()
    ctx.push()
    try:
        yield _app
    finally:
        db.session.remove()
        ctx.pop()
        _clean(_app)


@pytest.fixture
def session(app):
    return db.session


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def depts(session):
    for code, name, parent in TEST_DEPARTMENTS:
        departments.create_department(session, code, name, parent, actor="test")
    return {code: departments.department_by_code(session, code) for code, _, _ in TEST_DEPARTMENTS}


@pytest.fixture
def make_token(session) -> Callable[..., str]:
    counter = {"n": 0}

    def make(role: str, department: str | None = None) -> str:
        counter["n"] += 1
        _, token = accounts.create_user(session, f"{role}-{counter['n']}", role, department)
        return token

    return make


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def intake_token(make_token, depts) -> str:
    return make_token("intake")


@pytest.fixture
def register_event(client, intake_token):
    """POST a service event through the API and return its JSON."""
    counter = {"n": 0}

    def register(department: str = "ZJJ-A", real_name: bool = False, **extra) -> dict:
        counter["n"] += 1
        body = {
            "event_no": f"EV-{counter['n']:05d}",
            "department_code": department,
            "item_name": "物业专项维修资金使用审核",
            "channel": "window",
            "completed_at": COMPLETED_AT,
            "citizen": {"name": "张三", "phone": "13800138000", "real_name": real_name},
        }
        body.update(extra)
        response = client.post("/api/v1/service-events", json=body, headers=bearer(intake_token))
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    return register


@pytest.fixture
def desk(app, session, register_event):
    """The ticket tests' helper object (tests/domain/tickets_support.py)."""
    from tests.domain.tickets_support import TicketDesk

    return TicketDesk(app, session, register_event)


@pytest.fixture
def runner(app):
    """The CLI, as flaskr's tests use it: runner.invoke(args=[...])."""
    return app.test_cli_runner()


# Events of the tests complete here: five days before the suite clock's start, inside every rating
# window the clock runs of scripts/test.sh reach (rating is open 90 days after completion).
COMPLETED_AT = "2026-11-20T10:00:00+08:00"


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)
