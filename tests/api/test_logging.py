"""Logs carry no personal data and no secrets (issue 11 item 4): JSON lines with a request id;
tracebacks and SQL parameters masked too; tokens never logged; RQ job ids left intact."""

from __future__ import annotations

import io
import json
import logging

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from service.logging import build_handler
from tests.conftest import make_app

PHONE = "13800138000"
TOKEN = "4xYgk2Wq_-AbCdEfGhIjKlMnOpQrStUvWxYz0123456"


@pytest.fixture
def log_lines():
    """What production writes: the root logger's JSON handler, read back line by line."""
    stream = io.StringIO()
    handler = build_handler("json", stream)
    root = logging.getLogger()
    root.addHandler(handler)
    previous = root.level
    root.setLevel(logging.INFO)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        root.removeHandler(handler)
        root.setLevel(previous)


def test_a_traceback_is_masked_and_carries_the_request_id(log_lines):
    app = make_app("sqlite://")  # an app of its own: the shared one has served requests already

    @app.get("/api/v1/_test/boom")
    def boom():
        raise ValueError(f"rate_token={TOKEN} phone=\x00{PHONE} 身份证110101199003071234")

    response = app.test_client().get("/api/v1/_test/boom", headers={"X-Request-ID": "req-42"})
    assert response.status_code == 500 and response.headers["X-Request-ID"] == "req-42"
    [line] = [entry for entry in log_lines() if entry["message"] == "unhandled error"]
    assert line["request_id"] == "req-42" and line["level"] == "ERROR" and "timestamp" in line
    assert "ValueError" in line["exc_info"] and "138****8000" in line["exc_info"]
    dumped = json.dumps(line, ensure_ascii=False)
    assert PHONE not in dumped and TOKEN not in dumped and "110101199003071234" not in dumped


def test_every_request_gets_an_id_even_without_one_from_the_proxy(client):
    first, second = client.get("/api/v1/openapi.json"), client.get("/api/v1/openapi.json")
    assert len(first.headers["X-Request-ID"]) == 32
    assert first.headers["X-Request-ID"] != second.headers["X-Request-ID"]
    forged = client.get("/api/v1/openapi.json", headers={"X-Request-ID": '" {"level": "ERROR"} ' + "x" * 80})
    assert len(forged.headers["X-Request-ID"]) == 32  # a proxy's id is taken only when it is sane


def test_sql_parameters_never_reach_an_exception_or_a_log(session, depts, log_lines):
    insert = text("INSERT INTO departments (code, name, path) VALUES (:code, :name, :path)")
    private = "".join(("张三丰", "的私人备注"))  # not a literal: a traceback quotes source lines
    with pytest.raises(IntegrityError) as caught:
        session.execute(insert, {"code": "ZJJ-A", "name": private, "path": "/x/"})
    session.rollback()
    logging.getLogger("service.test").error("insert failed", exc_info=caught.value)
    assert "parameters hidden" in str(caught.value)
    # PostgreSQL still quotes the failing row in its DETAIL; the log line must not.
    assert "张三丰" not in json.dumps(log_lines(), ensure_ascii=False)


def test_a_rating_text_with_a_nul_byte_leaves_no_number_in_the_log(client, register_event, log_lines):
    event = register_event()
    response = client.post("/api/v1/reviews", json={"rate_token": event["rate_token"], "level": 1,
                                                    "channel": "mobile", "text": f"回电\x00{PHONE}"})
    assert response.status_code < 600  # PostgreSQL refuses NUL in text; the log must stay clean either way
    dumped = json.dumps(log_lines(), ensure_ascii=False)
    assert PHONE not in dumped and event["rate_token"] not in dumped


def test_tokens_passwords_and_totp_secrets_are_masked_but_job_ids_are_not(log_lines):
    job_id = "a1b2c3d4-1380-0138-0000-e13800138000"
    log = logging.getLogger("rq.worker")
    log.info("classify: workers.jobs.classify_review(7) (%s)", job_id)
    log.warning("Authorization: Bearer %s totp %s", TOKEN, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    first, second = log_lines()
    assert first["message"] == f"classify: workers.jobs.classify_review(7) ({job_id})"
    assert TOKEN not in second["message"] and "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP" not in second["message"]


def test_a_login_attempt_never_logs_the_password(client, session, depts, log_lines):
    from service.domain import accounts

    accounts.create_user(session, "zhao", "operator", password="s3cret-密码-1380013")
    client.post("/api/v1/auth/login", json={"name": "zhao", "password": "wrong-密码-1380013"})
    client.post("/api/v1/auth/login", json={"name": "zhao", "password": "s3cret-密码-1380013"})
    dumped = json.dumps(log_lines(), ensure_ascii=False)
    assert "密码-1380013" not in dumped


def test_the_access_log_never_shows_a_rate_token(client, register_event, log_lines):
    event = register_event()
    logging.getLogger("gunicorn.access").info('%(h)s "%(r)s" %(s)s', {
        "h": "10.0.0.1", "r": f"GET /rate/{event['rate_token']} HTTP/1.1", "s": "200"})
    assert event["rate_token"] not in json.dumps(log_lines())
