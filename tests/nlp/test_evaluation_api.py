"""What the service needs from the library: figures on any labelled rows, a review-queue order,
and the keyword rule the models are compared with."""

import json

import numpy as np
import pytest

from nlp import TAGS, ClassificationError, KeywordRule, evaluate, evaluate_tags, tag_report, tag_uncertainty
from nlp.baseline import TAGS as BASELINE_TAGS
from nlp.classifier import tag_margins

ROWS = [("等了三个月还没办下来", ["delay"]), ("墙面空鼓开裂", ["quality"]), ("挺好", []),
        ("窗口工作人员态度恶劣", ["attitude"])]


def test_evaluate_tags_accepts_pairs_dicts_and_columns(tags_model):
    texts, labels = zip(*ROWS, strict=True)
    by_pairs = evaluate_tags(tags_model, ROWS)
    by_dicts = evaluate_tags(tags_model, [{"text": t, "labels": lab} for t, lab in ROWS])
    by_service_tags = evaluate_tags(tags_model, [{"text": t, "tags": [{"tag": x, "score": 1.0} for x in lab]}
                                                 for t, lab in ROWS])
    by_columns = evaluate_tags(tags_model, texts, labels)
    assert by_pairs == by_dicts == by_service_tags == by_columns
    assert set(by_pairs["per_label"]) == set(TAGS) and 0.0 <= by_pairs["macro_f1"] <= 1.0
    assert set(by_pairs["per_label"]["delay"]) == {"precision", "recall", "f1", "support"}
    json.dumps(by_pairs)
    legacy = evaluate(tags_model, texts, labels)
    assert {k: legacy[k] for k in by_pairs} == by_pairs


def test_evaluate_tags_refuses_unknown_tags_and_other_tasks(tags_model, sentiment_model):
    with pytest.raises(ClassificationError):
        evaluate_tags(tags_model, [("x", ["slow"])])
    with pytest.raises(ClassificationError):
        evaluate_tags(sentiment_model, ROWS)


def test_tag_report_of_any_tagger():
    out = tag_report([["delay"], [], ["quality", "attitude"]], [["delay"], ["delay"], ["quality"]])
    assert out["per_label"]["delay"] == {"precision": 0.5, "recall": 1.0, "f1": 0.6667, "support": 1}
    assert out["per_label"]["attitude"]["recall"] == 0.0 and out["n"] == 3
    with pytest.raises(ClassificationError):
        tag_report([["delay"]], [])


def test_uncertainty_is_one_on_the_threshold_and_zero_when_certain():
    cuts = np.array([0.5, 0.2, 0.8])
    u = tag_uncertainty(np.array([[0.5, 0.0, 0.0], [1.0, 0.0, 0.0], [0.9, 0.1, 0.9], [0.75, 1.0, 0.0]]), cuts)
    np.testing.assert_allclose(u, [1.0, 0.0, 0.5, 0.5])
    np.testing.assert_allclose(tag_margins([0.6, 0.1], [0.2, 0.2]), [0.5, 0.5])
    assert tag_uncertainty([0.5, 0.5, 0.5], [0.5, 0.5, 0.5]).shape == (1,)


def test_classifier_review_order_puts_unsure_texts_first(classifier):
    texts = ["墙面大面积空鼓开裂，漏水严重", "", "还行吧，一般般", "办事很快，非常满意"]
    u = classifier.tag_uncertainty(texts)
    assert len(u) == 4 and u[1] == 0.0 and all(0.0 <= x <= 1.0 for x in u)
    order = classifier.review_order(texts)
    assert sorted(order) == [0, 1, 2, 3] and order[-1] == 1
    assert [u[i] for i in order] == sorted(u, reverse=True)
    assert classifier.review_order(texts, limit=2) == order[:2]


@pytest.mark.parametrize(
    ("text", "expected"),
    [("没有拖延，办得很快", []), ("拖了三个月", ["delay"]), ("墙面开裂，工作人员不耐烦", ["quality", "attitude"]),
     ("态度很好", []), ("从不推诿", []), ("", [])],
)
def test_keyword_rule(text, expected):
    assert KeywordRule().tags(text) == expected


def test_keyword_rule_negation_can_be_switched_off():
    assert KeywordRule(negation=False).tags("没有拖延") == ["delay"]
    assert BASELINE_TAGS == TAGS


def test_classify_batch_returns_the_same_uncertainty_the_queue_orders_by(classifier):
    texts = ["墙面大面积空鼓开裂，漏水严重", "", "还行吧，一般般", "等了三个月还没办下来，窗口态度也差"]
    results = classifier.classify_batch(texts)
    assert [r["tag_uncertainty"] for r in results] == classifier.tag_uncertainty(texts)
    assert results[1]["tag_uncertainty"] == 0.0
