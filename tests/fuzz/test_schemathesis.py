"""Schemathesis over the whole OpenAPI document, as an admin and as an anonymous caller, with a
fixed seed and a bounded number of examples per operation: no input may answer 500, every status
and body must be the documented one. `make fuzz` runs these on both databases (.ci/run too);
FUZZ_EXAMPLES raises the bound for a longer local run."""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis import checks

from tests.conftest import bearer

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "12"))
CHECKS = [checks.not_a_server_error, checks.status_code_conformance, checks.content_type_conformance,
          checks.response_schema_conformance]
FUZZ = settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck))


@pytest.fixture
def fuzz_schema(app):
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


schema = schemathesis.pytest.from_fixture("fuzz_schema")


@pytest.fixture
def seeded(client, make_token, register_event, depts, active_models):
    """Some rows for the path ids to find (two events, a bad review and its ticket) and active
    text models, so that a 503 can only mean a fault."""
    event = register_event()
    register_event(department="ZJJ-B")
    client.post("/api/v1/reviews", json={"rate_token": event["rate_token"], "level": 1, "channel": "pc"})
    return bearer(make_token("admin"))


@schema.parametrize()
@FUZZ
def test_fuzz_as_admin(case, seeded):
    case.call_and_validate(headers=seeded, checks=CHECKS)


@schema.parametrize()
@FUZZ
def test_fuzz_anonymous(case, depts, active_models):
    case.call_and_validate(checks=CHECKS)
