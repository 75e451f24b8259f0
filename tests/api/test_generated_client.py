"""A client generated from /api/v1/openapi.json by openapi-python-client works the whole loop
against a live server: register an event (intake), rate it (citizen, no token), work the ticket
(department signs and replies, the citizen confirms), read the indicators (supervisor) — and it
parses a 422 and a 409 through the generated error model. If the document lies about a field, a
status, a security requirement or a media type, this test breaks."""

from __future__ import annotations

import importlib
import json
import socket
import subprocess
import sys
import threading
from datetime import datetime
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from werkzeug.serving import make_server

from service.models.types import SHANGHAI

PACKAGE = "feedback_client"
# The generator has no parser for the xlsx media type; reading it as bytes is what a client does.
CONFIG = {"post_hooks": [], "content_type_overrides": {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "application/octet-stream"}}


@pytest.fixture(scope="module")
def generated(tmp_path_factory, _app):
    """Generate the client package once per run, from the document the app serves."""
    root = tmp_path_factory.mktemp("client")
    (root / "openapi.json").write_text(json.dumps(FlaskClient(_app).get("/api/v1/openapi.json").get_json()))
    (root / "config.json").write_text(json.dumps(CONFIG))
    tool = Path(sys.executable).with_name("openapi-python-client")
    result = subprocess.run(
        [str(tool), "generate", "--path", str(root / "openapi.json"), "--output-path", str(root / PACKAGE),
         "--meta", "none", "--config", str(root / "config.json")],
        capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Warning" not in result.stdout, result.stdout  # every operation and response was understood
    sys.path.insert(0, str(root))
    try:
        yield lambda name: importlib.import_module(f"{PACKAGE}.{name}")
    finally:
        sys.path.remove(str(root))
        for name in [m for m in sys.modules if m == PACKAGE or m.startswith(PACKAGE + ".")]:
            del sys.modules[name]


@pytest.fixture
def live_server(app):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


def test_generated_client_runs_the_whole_loop(generated, live_server, make_token, depts):
    client_mod, models = generated("client"), generated("models")
    api = lambda name: generated(f"api.{name}")  # noqa: E731

    def staff(role, department=None):
        return client_mod.AuthenticatedClient(base_url=live_server, token=make_token(role, department),
                                              raise_on_unexpected_status=True)

    citizen = client_mod.Client(base_url=live_server, raise_on_unexpected_status=True)
    intake, dept, supervisor = staff("intake"), staff("dept_staff", "ZJJ-A"), staff("supervisor")

    event = api("service_events.register_service_event").sync(client=intake, body=models.ServiceEventCreate(
        event_no="GEN-1", department_code="ZJJ-A", item_name="物业专项维修资金使用审核",
        channel=models.ServiceEventCreateChannel.WINDOW,
        completed_at=datetime(2026, 11, 20, 10, 0, tzinfo=SHANGHAI)))
    assert isinstance(event, models.ServiceEventIssued), event
    assert event.completed_at.utcoffset().total_seconds() == 8 * 3600

    def rating(level):
        return models.ReviewCreate(rate_token=event.rate_token, level=level,
                                   channel=models.ReviewCreateChannel.MINIPROGRAM)

    submit = api("reviews.submit_review")
    invalid = submit.sync(client=citizen, body=rating(9))
    assert isinstance(invalid, models.Error) and invalid.error.code == "validation_error"
    assert "level" in invalid.error.details.additional_properties
    review = submit.sync(client=citizen, body=rating(1))
    assert isinstance(review, models.ReviewCreated) and review.is_bad
    again = submit.sync(client=citizen, body=rating(1))
    assert isinstance(again, models.Error) and again.error.code == "already_rated"
    assert submit.sync_detailed(client=citizen, body=rating(1)).status_code == 409

    page = api("tickets.list_tickets").sync(client=dept)
    assert isinstance(page, models.TicketListItemPage) and page.total == 1
    ticket_id = page.items[0].id
    act = api("tickets.act_on_ticket").sync
    action = models.TicketAction
    ticket = act(ticket_id, client=dept, body=action(action=models.TicketActionAction.SIGN))
    assert ticket.status == "handling", ticket
    conflict = act(ticket_id, client=dept, body=action(action=models.TicketActionAction.SIGN))
    assert isinstance(conflict, models.Error) and conflict.error.code == "invalid_transition"
    ticket = act(ticket_id, client=dept, body=action(
        action=models.TicketActionAction.REPLY, resolution=models.TicketActionResolution.IMMEDIATE,
        content="已当场办结并致歉"))
    assert ticket.status == "replied", ticket
    # The citizen confirms with the rate token and no Authorization header.
    ticket = act(ticket_id, client=citizen, body=action(
        action=models.TicketActionAction.CONFIRM, satisfied=True, rate_token=event.rate_token))
    assert ticket.status == "closed" and ticket.history[-1].action == "confirm"

    period = datetime.now(SHANGHAI).strftime("%Y-%m")
    report = api("indicators.live_indicators").sync(client=supervisor, period=period, department="ZJJ-A")
    assert isinstance(report, models.IndicatorReportOut), report
    figures = report.items[0].indicators
    assert figures.bad_reviews == 1 and figures.reviews_total == 1

    csv = api("indicators.export_csv").sync(client=supervisor, period=period)
    assert csv.startswith("\ufeff") and "ZJJ-A" in csv  # text/csv with a BOM, parsed as text
    xlsx = api("indicators.export_xlsx").sync(client=supervisor, period=period)
    assert xlsx.payload.read(2) == b"PK"  # a zip container: the workbook
