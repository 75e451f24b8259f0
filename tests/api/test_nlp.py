"""POST /api/v1/nlp/classify and GET /api/v1/nlp/model: shapes, roles, bad input, no model yet."""

import json

import pytest

from tests.conftest import bearer
from tests.nlp_fixtures import insert_model

URL = "/api/v1/nlp/classify"


@pytest.fixture
def staff(make_token, depts):
    return bearer(make_token("dept_staff", "ZJJ-A"))


def test_classify_returns_tags_sentiment_and_model_version(client, staff, active_models):
    body = client.post(URL, json={"text": "审批拖了三个月还没办好，窗口人员态度也很差"}, headers=staff)
    assert body.status_code == 200, body.get_json()
    data = body.get_json()
    assert {t["tag"] for t in data["tags"]} >= {"delay"}
    assert all(0 <= t["score"] <= 1 for t in data["tags"])
    assert data["sentiment"]["label"] == "negative" and 0 <= data["sentiment"]["score"] <= 1
    assert data["model_version"] == f"{active_models['tags'].version}+{active_models['sentiment'].version}"
    assert data["mismatch"] is False and data["dispatch"] is None


def test_stars_that_contradict_the_text_set_mismatch(client, staff, active_models):
    data = client.post(URL, json={"text": "墙面开裂漏水，拖了半年没人管", "level": 5}, headers=staff).get_json()
    assert data["mismatch"] is True


@pytest.mark.parametrize("text", [
    "😀😀👍👍🎉",
    "辦事員態度很差，拖延了兩個月才辦好",  # Traditional characters
    "Mixed 中文 English 123 漏水 leak 2026年",
    "a",
    "长" * 20000,  # the schema's ceiling; 60 KB of UTF-8, just under the 64 KB body limit
], ids=["emoji", "traditional", "mixed", "one-letter", "20k-chars"])
def test_odd_texts_get_a_sensible_answer_never_500(client, staff, active_models, text):
    body = json.dumps({"text": text}, ensure_ascii=False).encode("utf-8")
    assert len(body) < 64 * 1024
    response = client.post(URL, data=body, headers=staff, content_type="application/json")
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["sentiment"]["label"] in ("negative", "neutral", "positive")


@pytest.mark.parametrize("body, field", [
    ({"text": ""}, "text"),
    ({"text": "   \n\t "}, "text"),
    ({}, "text"),
    ({"text": None}, "text"),
    ({"text": 42}, "text"),
    ({"text": "好", "level": 9}, "level"),
    ({"text": "好", "extra": 1}, "extra"),
    ({"text": "x" * 20001}, "text"),
])
def test_empty_or_malformed_text_is_422(client, staff, active_models, body, field):
    response = client.post(URL, json=body, headers=staff)
    assert response.status_code == 422, response.get_json()
    error = response.get_json()["error"]
    assert error["code"] == "validation_error" and field in error["details"]


def test_100k_characters_is_413_not_500(client, staff, active_models):
    response = client.post(URL, json={"text": "差" * 100_000}, headers=staff)
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "payload_too_large"


def test_without_an_active_model_classify_and_model_are_503_with_retry_after(client, staff):
    for response in (client.post(URL, json={"text": "拖延"}, headers=staff),
                     client.get("/api/v1/nlp/model", headers=staff)):
        assert response.status_code == 503
        assert response.headers["Retry-After"]
        error = response.get_json()["error"]
        assert error["code"] == "unavailable" and "bootstrap" in error["message"]


def test_model_endpoint_reports_the_active_versions_and_metrics(client, staff, active_models, session):
    insert_model(session, "dispatch")
    data = client.get("/api/v1/nlp/model", headers=staff).get_json()
    assert data["version"] == active_models["tags"].version
    assert data["trained_at"] and data["metrics"]["holdout"]["macro_f1"] > 0.5
    assert set(data["models"]) == {"tags", "sentiment", "dispatch"}
    assert data["models"]["sentiment"]["metrics"]["holdout"]["accuracy"] > 0.7
    result = client.post(URL, json={"text": "公积金提取要多久"}, headers=staff).get_json()
    assert result["dispatch"]["label"] == "fund"


def test_only_staff_may_classify(client, make_token, depts, active_models):
    assert client.post(URL, json={"text": "拖延"}).status_code == 401
    auditor = bearer(make_token("auditor"))
    assert client.post(URL, json={"text": "拖延"}, headers=auditor).status_code == 403
    assert client.get("/api/v1/nlp/model", headers=auditor).status_code == 403
    for role in ("admin", "operator", "supervisor"):
        assert client.post(URL, json={"text": "拖延"}, headers=bearer(make_token(role))).status_code == 200


def test_an_unloadable_model_is_503_with_the_reason(client, staff, session, tmp_path, trained_models):
    import shutil

    from service.domain import classification
    from service.models import NlpModel

    for task in ("tags", "sentiment"):
        insert_model(session, task)
    broken = tmp_path / "old"
    shutil.copytree(trained_models["tags"][0], broken)
    meta = json.loads((broken / "meta.json").read_text(encoding="utf-8"))
    meta.update(version="tags-old", sklearn_version="0.24.2")
    (broken / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    session.query(NlpModel).filter_by(task="tags").update({"active": False})
    session.add(NlpModel(task="tags", version="tags-old", path=str(broken), metrics={}, trained_on={},
                         active=True))
    session.commit()
    classification.clear_cache()
    response = client.post(URL, json={"text": "拖延"}, headers=staff)
    assert response.status_code == 503
    assert "scikit-learn" in response.get_json()["error"]["message"]
