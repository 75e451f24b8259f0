"""Calendar administration (CLI and admin API), readiness warnings, the sweep as a job."""

import json

from service.domain import tickets
from tests.conftest import bearer, utc

YEAR_2027 = {"year": 2027, "holidays": [{"name": "元旦", "dates": ["2027-01-01"]}]}


def provisional_ticket(desk):
    review, _ = desk.bad_review()
    return tickets.open_ticket_for_review(desk.session, desk.settings, review.id, utc(2026, 12, 21, 2, 0))


def test_provisional_deadlines_are_warned_about_and_settled_by_loading_the_year(
        client, desk, runner, make_token, tmp_path):
    admin = make_token("admin")
    provisional_ticket(desk)
    status = client.get("/api/v1/admin/calendar", headers=bearer(admin)).get_json()
    assert status["provisional_tickets"] == 1 and status["warnings"]
    assert {"year": 2027, "known": False, "source": None, "loaded_at": None, "loaded_by": None} in status["years"]
    assert "calendar" in client.get("/readyz").get_json()["warnings"]
    listed = client.get("/api/v1/tickets?provisional=true", headers=bearer(admin)).get_json()
    assert listed["total"] == 1 and listed["items"][0]["deadline_provisional"] is True

    path = tmp_path / "2027.json"
    path.write_text(json.dumps(YEAR_2027, ensure_ascii=False), encoding="utf-8")
    result = runner.invoke(args=["calendar", "load", str(path)])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["settled"] == 1
    status = client.get("/api/v1/admin/calendar", headers=bearer(admin)).get_json()
    assert status["provisional_tickets"] == 0 and status["warnings"] == []
    assert "calendar" not in client.get("/readyz").get_json()["warnings"]
    assert "2027" in runner.invoke(args=["calendar", "status"]).output


def test_bad_calendar_file_is_refused(runner, depts, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("date,type,name\n2027-01-04,workday,周一不是调休\n", encoding="utf-8")
    result = runner.invoke(args=["calendar", "load", str(path)])
    assert result.exit_code != 0 and "日历文件无效" in result.output


def test_calendar_admin_api_is_for_admins(client, make_token, depts):
    assert client.get("/api/v1/admin/calendar", headers=bearer(make_token("supervisor"))).status_code == 403


def test_sweep_and_recompute_run_as_jobs(desk, runner):
    provisional_ticket(desk)
    sweep = runner.invoke(args=["jobs", "run", "sweep_tickets"])
    assert sweep.exit_code == 0 and '"recoloured"' in sweep.output
    again = runner.invoke(args=["jobs", "run", "recompute_provisional_deadlines"])
    assert again.exit_code == 0 and '"still_provisional": 1' in again.output
