from tests.conftest import bearer


def test_users_create_prints_the_token_alone_on_the_last_line(app, client, depts):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "create", "wy-staff", "--role", "dept_staff", "--department", "ZJJ-A"])
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1]
    assert " " not in token and len(token) >= 43
    response = client.get("/api/v1/departments", headers=bearer(token))
    assert response.status_code == 200
    assert {d["code"] for d in response.get_json()["items"]} == {"ZJJ-A", "ZJJ-A1"}


def test_users_create_rejects_unknown_role_and_department(app, depts):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["users", "create", "x", "--role", "king"]).exit_code != 0
    result = runner.invoke(args=["users", "create", "y", "--role", "dept_staff", "--department", "NOPE"])
    assert result.exit_code != 0 and "部门不存在" in result.output


def test_users_revoke(app, client, depts):
    runner = app.test_cli_runner()
    token = runner.invoke(args=["users", "create", "tmp", "--role", "admin"]).output.strip().splitlines()[-1]
    assert runner.invoke(args=["users", "revoke", "tmp"]).exit_code == 0
    assert client.get("/api/v1/departments", headers=bearer(token)).status_code == 401


def test_demo_load_is_repeatable_and_its_rate_tokens_work(app, client):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "load"])
    assert first.exit_code == 0, first.output
    second = runner.invoke(args=["demo", "load"])
    assert second.exit_code == 0, second.output
    token = next(line.split("rate_token=")[1] for line in second.output.splitlines() if "rate_token=" in line)
    response = client.post("/api/v1/reviews", json={"rate_token": token, "level": 5, "channel": "pc"})
    assert response.status_code == 201
