"""A 12345 case whose text carries all three tags keeps all three — through intake, the
classification job and the published figures (issue 9 item 10: the tag string was once built from
a generator that the first membership test consumed, so only `delay` survived)."""

from datetime import datetime, timezone

from tests.api.test_publications import post
from tests.conftest import bearer

TEXT = "物业拖了三个月不维修，墙体开裂漏水，工作人员态度恶劣还推诿"  # delay, quality, attitude


def test_a_case_with_three_tags_is_counted_for_all_three(client, make_token, depts, active_models,
                                                         time_machine):
    time_machine.move_to(datetime(2026, 11, 23, 2, 0, tzinfo=timezone.utc), tick=False)
    operator, supervisors = make_token("operator"), (make_token("supervisor"), make_token("supervisor"))
    created = client.post("/api/v1/hotline/cases", headers=bearer(operator), json={
        "case_no": "TAG-1", "type": "complaint", "urgency": "normal", "content": TEXT,
        "department_code": "ZJJ-A", "received_at": "2026-11-23T09:30:00+08:00"})
    assert created.status_code == 201
    # No Redis in the tests: the classification job ran inline with the active models.
    case = client.get(f"/api/v1/hotline/cases/{created.get_json()['id']}", headers=bearer(operator)).get_json()
    assert (case["classification_state"], sorted(case["effective_tags"])) == (
        "done", ["attitude", "delay", "quality"])

    live = client.get("/api/v1/indicators?period=2026-11&department=ZJJ-A", headers=bearer(supervisors[0]))
    figures = live.get_json()["items"][0]["indicators"]
    assert figures["tag_counts"] == {"delay": 1, "quality": 1, "attitude": 1}
    assert figures["tag_shares"]["quality"] == {"value": 1.0, "numerator": 1, "denominator": 1}

    time_machine.move_to(datetime(2026, 12, 2, 2, 0, tzinfo=timezone.utc), tick=False)
    draft = post(client, "/publications", supervisors[0], {"period": "2026-11"}).get_json()
    assert post(client, f"/publications/{draft['id']}/approve", supervisors[1]).status_code == 200
    public = client.get("/api/v1/public/indicators?period=2026-11").get_json()
    a = next(i for i in public["items"] if i["department_code"] == "ZJJ-A")
    assert a["indicators"]["tag_counts"] == {"delay": 1, "quality": 1, "attitude": 1}
