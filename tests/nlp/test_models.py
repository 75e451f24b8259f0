import pickle

import pytest

from nlp import Classifier, evaluate, mismatch, sentiment_of


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("等了三个月还没办下来", ["delay"]),
        ("墙面大面积空鼓开裂", ["quality"]),
        ("窗口工作人员态度恶劣", ["attitude"]),
        ("办事很快，非常满意", []),
    ],
)
def test_obvious_texts_get_the_right_tags(classifier, text, expected):
    tags = [t["tag"] for t in classifier.classify(text)["tags"]]
    assert tags == expected


def test_result_shape(classifier):
    result = classifier.classify("房子漏水，物业推诿不管", stars=5)
    assert set(result) == {"tags", "sentiment", "mismatch", "dispatch", "model_version", "tag_uncertainty"}
    assert 0.0 <= result["tag_uncertainty"] <= 1.0
    assert result["sentiment"]["label"] in {"negative", "neutral", "positive"}
    assert 0.0 <= result["sentiment"]["score"] <= 1.0
    assert all(0.0 <= t["score"] <= 1.0 for t in result["tags"])
    assert set(result["dispatch"]) == {"label", "score"}
    assert "+" in result["model_version"]


def test_praise_is_positive_and_complaint_negative(classifier):
    good, bad = classifier.classify_batch(["服务很好，非常满意，谢谢", "太差了，非常失望，再也不来了"])
    assert good["sentiment"]["score"] > bad["sentiment"]["score"]
    assert bad["sentiment"]["label"] == "negative"


def test_five_stars_with_complaint_text_is_mismatch(classifier):
    assert classifier.classify("窗口工作人员态度恶劣，互相推诿", stars=5)["mismatch"] is True


@pytest.mark.parametrize("text", ["", "   \n\t", None, "😡😡😡"])
def test_empty_text_is_neutral_without_tags(classifier, text):
    result = classifier.classify(text, stars=5)
    assert result["tags"] == [] and result["sentiment"] == {"label": "neutral", "score": 0.5}
    assert result["mismatch"] is False and result["dispatch"] is None


@pytest.mark.parametrize(
    "text",
    ["房子漏水" * 25_000, "APP上办理ＯＫ了123，👍👍", "等了三個月還沒辦下來，態度惡劣", "。。。！！！", "a" * 10],
)
def test_unusual_input_never_crashes(classifier, text):
    result = classifier.classify(text)
    assert isinstance(result["tags"], list)


def test_traditional_text_is_tagged_like_simplified(classifier):
    tags = [t["tag"] for t in classifier.classify("牆面大面積空鼓開裂")["tags"]]
    assert "quality" in tags


def test_batch_preserves_order_and_stars(classifier):
    texts = ["墙面开裂漏水", "", "办得很快"]
    results = classifier.classify_batch(texts, stars=[5, None, 1])
    assert len(results) == 3 and results[1]["tags"] == []


def test_stars_length_must_match(classifier):
    from nlp import ClassificationError

    with pytest.raises(ClassificationError):
        classifier.classify_batch(["a", "b"], stars=[5])


def test_classifier_works_without_dispatch(tags_model, sentiment_model):
    result = Classifier(tags_model, sentiment_model).classify("房子漏水")
    assert result["dispatch"] is None


def test_dispatch_suggests_a_department(classifier):
    assert classifier.classify("公积金提取")["dispatch"]["label"] == "fund"


@pytest.mark.parametrize(
    ("stars", "score", "tags", "expected"),
    [
        (None, 0.01, [{"tag": "delay", "score": 0.99}], False),
        (5, 0.1, [], True),
        (4, 0.7, [{"tag": "attitude", "score": 0.9}], True),
        (5, 0.7, [{"tag": "delay", "score": 0.5}], False),
        (5, 0.9, [], False),
        (1, 0.95, [], True),
        (2, 0.95, [{"tag": "quality", "score": 0.6}], False),
        (1, 0.5, [], False),
        (3, 0.01, [{"tag": "delay", "score": 0.99}], False),
    ],
)
def test_mismatch_rules(stars, score, tags, expected):
    assert mismatch(stars, score, tags) is expected


def test_sentiment_band():
    assert sentiment_of(0.1)["label"] == "negative"
    assert sentiment_of(0.5)["label"] == "neutral"
    assert sentiment_of(0.912345) == {"label": "positive", "score": 0.9123}


def test_thresholds_come_from_training_data(tags_model):
    assert set(tags_model.thresholds) == {"delay", "quality", "attitude"}
    assert all(0.0 < t < 1.0 for t in tags_model.thresholds.values())
    assert "validation" in tags_model.metrics


def test_evaluate_tags_shape(tags_model):
    out = evaluate(tags_model, ["等了三个月还没办下来", "墙面空鼓", "挺好"], [["delay"], ["quality"], []])
    assert set(out["per_label"]) == {"delay", "quality", "attitude"}
    assert set(out["per_label"]["delay"]) == {"precision", "recall", "f1", "support"}
    assert {"macro_f1", "micro_f1", "subset_accuracy", "n"} <= set(out)
    import json

    json.dumps(out)


def test_evaluate_sentiment_shape(sentiment_model):
    out = evaluate(sentiment_model, ["很好", "很差"], ["positive", "negative"])
    assert {"accuracy", "macro_f1", "per_label", "confident_accuracy"} <= set(out)


def test_pickled_pipeline_does_not_carry_jieba(tags_model):
    blob = pickle.dumps(tags_model.pipeline)
    assert b"jieba" not in blob.lower().replace(b"nlp.tokenizer", b"")
    assert len(blob) < 5_000_000
