import json

import pytest
import sklearn

from nlp import (
    IncompatibleModelError,
    ModelNotFoundError,
    TrainingDataError,
    load,
    read_labelled_file,
    save,
)
from nlp.datasets import read_seed_tags, validate
from nlp.features import prepare


def write(path, text, bom=False):
    path.write_bytes(("\ufeff" if bom else "").encode() + text.encode("utf-8"))
    return path


def test_csv_with_bom_and_semicolon_tags(tmp_path):
    f = write(tmp_path / "t.csv", "text,labels\n房子漏水还拖着,quality;delay\n挺好,\n推诿,attitude\n", bom=True)
    texts, labels = read_labelled_file(f, "tags")
    assert texts == ["房子漏水还拖着", "挺好", "推诿"]
    assert labels == [["delay", "quality"], [], ["attitude"]]


def test_jsonl_sentiment_with_custom_label_column(tmp_path):
    rows = [{"text": "很好", "polarity": "positive"}, {"text": "很差", "polarity": "negative"}]
    f = write(tmp_path / "s.jsonl", "\n".join(json.dumps(r, ensure_ascii=False) for r in rows))
    assert read_labelled_file(f, "sentiment", label_column="polarity")[1] == ["positive", "negative"]


def test_missing_column_is_named(tmp_path):
    f = write(tmp_path / "t.csv", "content,labels\n漏水,quality\n")
    with pytest.raises(TrainingDataError, match="text"):
        read_labelled_file(f, "tags")


def test_unknown_tag_names_the_row(tmp_path):
    f = write(tmp_path / "t.csv", "text,labels\n漏水,quality\n很慢,slow\n")
    with pytest.raises(TrainingDataError, match="第 3 行.*slow"):
        read_labelled_file(f, "tags")


@pytest.mark.parametrize("content", ["", "\ufeff", "text,label\n"])
def test_empty_file_is_refused(tmp_path, content):
    f = write(tmp_path / "e.csv", content)
    with pytest.raises(TrainingDataError):
        read_labelled_file(f, "dispatch")


def test_zero_usable_rows(tmp_path):
    f = write(tmp_path / "z.csv", "text,label\n,positive\n  ,negative\n")
    with pytest.raises(TrainingDataError):
        read_labelled_file(f, "sentiment")


def test_single_class_is_refused(tmp_path):
    f = write(tmp_path / "one.csv", "text,label\n很好,positive\n不错,positive\n")
    with pytest.raises(TrainingDataError, match="一个类别"):
        read_labelled_file(f, "sentiment")


def test_bad_sentiment_label(tmp_path):
    f = write(tmp_path / "b.jsonl", '{"text": "好", "label": "great"}\n')
    with pytest.raises(TrainingDataError, match="great"):
        read_labelled_file(f, "sentiment")


def test_tags_without_any_positive_for_a_tag():
    with pytest.raises(TrainingDataError, match="attitude"):
        validate("tags", ["慢", "漏水", "好"], [["delay"], ["quality"], []])


def test_unsupported_extension(tmp_path):
    with pytest.raises(TrainingDataError):
        read_labelled_file(write(tmp_path / "x.txt", "a"), "tags")


def test_holdout_split_is_disjoint_from_training():
    train_texts, _ = read_seed_tags()
    holdout_texts, holdout_labels = read_seed_tags(holdout=True)
    assert not set(train_texts) & set(holdout_texts)
    assert len(holdout_texts) >= 300 and any(not row for row in holdout_labels)


def test_save_then_load_roundtrip(tmp_path, tags_model):
    target = save(tags_model, tmp_path / "tags")
    assert sorted(p.name for p in target.iterdir()) == ["meta.json", "model.joblib"]
    meta = json.loads((target / "meta.json").read_text(encoding="utf-8"))
    for key in ("task", "version", "sklearn_version", "jieba_version", "numpy_version",
                "python_version", "labels", "thresholds", "metrics",
                "training_data_sha256", "n_train", "created_at"):
        assert key in meta
    loaded = load(target)
    assert loaded.version == tags_model.version and loaded.thresholds == tags_model.thresholds
    assert loaded.long_thresholds == tags_model.long_thresholds and loaded.scoring == tags_model.scoring
    assert (loaded.scores(["墙面开裂"]) == tags_model.scores(["墙面开裂"])).all()


def test_meta_of_an_older_model_loads_with_one_threshold_set(tmp_path, tags_model):
    target = save(tags_model, tmp_path / "old")
    meta = json.loads((target / "meta.json").read_text(encoding="utf-8"))
    for key in ("long_thresholds", "long_text_chars", "scoring"):
        del meta[key]
    (target / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    loaded = load(target)
    assert loaded.long_thresholds == {} and loaded.scoring == "doc"
    long_text = "尊敬的领导：" + "小区门口的路灯坏了很久。" * 12
    assert (loaded.cutoffs(prepare([long_text])) == loaded.cutoffs(prepare(["短"]))).all()


def test_save_replaces_atomically_and_leaves_no_temp(tmp_path, tags_model):
    save(tags_model, tmp_path / "m")
    save(tags_model, tmp_path / "m")
    assert [p.name for p in tmp_path.iterdir()] == ["m"]


def test_failed_save_leaves_previous_model(tmp_path, tags_model, monkeypatch):
    save(tags_model, tmp_path / "m")
    import nlp.artifacts as artifacts

    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(artifacts.joblib, "dump", boom)
    with pytest.raises(OSError):
        save(tags_model, tmp_path / "m")
    assert load(tmp_path / "m").version == tags_model.version
    assert [p.name for p in tmp_path.iterdir()] == ["m"]


def test_other_sklearn_version_is_refused_before_unpickling(tmp_path, tags_model):
    target = save(tags_model, tmp_path / "m")
    meta = json.loads((target / "meta.json").read_text(encoding="utf-8"))
    major, minor = sklearn.__version__.split(".")[:2]
    meta["sklearn_version"] = f"{major}.{int(minor) + 1}.0"
    (target / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    (target / "model.joblib").write_bytes(b"not a pickle")  # would fail loudly if unpickled
    with pytest.raises(IncompatibleModelError, match="scikit-learn"):
        load(target)


def test_missing_model_directory(tmp_path):
    with pytest.raises(ModelNotFoundError):
        load(tmp_path / "nothing")
