"""`flask nlp train|evaluate|classify|bootstrap|status` with small files written in tmp_path."""

import csv
import json
from pathlib import Path

import pytest

from service.models import NlpModel
from tests.nlp_fixtures import dispatch_data, sentiment_sample, tags_sample


def run(app, *args):
    result = app.test_cli_runner().invoke(args=["nlp", *args])
    return result, (json.loads(result.stdout.strip().splitlines()[-1]) if result.exit_code == 0 else None)


def write_csv(path: Path, header, rows) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_jsonl(path: Path, rows) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def tags_csv(path: Path, n: int = 240) -> Path:
    texts, labels = tags_sample(n)
    return write_csv(path, ["text", "labels"], [(t, ";".join(lab)) for t, lab in zip(texts, labels, strict=True)])


def active_version(session, task):
    session.expire_all()
    row = session.query(NlpModel).filter_by(task=task, active=True).one_or_none()
    return row.version if row else None


def test_train_tags_prints_version_and_held_out_metrics_and_activates(app, session, tmp_path, trained_models):
    result, out = run(app, "train", "--task", "tags", "--input", str(tags_csv(tmp_path / "t.csv")))
    assert result.exit_code == 0, result.output
    assert out["activated"] is True and out["version"].startswith("tags-")
    assert out["holdout_source"].startswith("shipped")
    assert set(out["holdout"]["per_label"]) == {"delay", "quality", "attitude"}
    assert 0 < out["holdout"]["macro_f1"] <= 1
    assert active_version(session, "tags") == out["version"]
    assert (Path(session.query(NlpModel).one().path) / "meta.json").is_file()


def test_train_sentiment_from_json_lines_holds_out_a_hash_split(app, session, tmp_path, trained_models):
    texts, labels = sentiment_sample(300)
    path = write_jsonl(tmp_path / "s.jsonl", [{"text": t, "label": lab} for t, lab in zip(texts, labels, strict=True)])
    result, out = run(app, "train", "--task", "sentiment", "--input", str(path))
    assert result.exit_code == 0, result.output
    assert "20%" in out["holdout_source"]
    assert out["n_train"] + out["holdout"]["n"] == 300 and 30 < out["holdout"]["n"] < 90
    assert {"accuracy", "macro_f1", "per_label"} <= set(out["holdout"])


def test_train_dispatch_with_a_named_label_column(app, session, tmp_path, trained_models):
    texts, labels = dispatch_data()
    path = write_csv(tmp_path / "d.csv", ["text", "dept"], zip(texts * 3, labels * 3, strict=True))
    result, out = run(app, "train", "--task", "dispatch", "--input", str(path), "--label-column", "dept")
    assert result.exit_code == 0, result.output
    assert active_version(session, "dispatch") == out["version"]


BAD_FILES = {
    "missing-column": ("tags", "bad.csv", "text,label\n拖延,delay\n", "labels"),
    "unknown-label": ("tags", "bad.csv", "text,labels\n拖延,delay\n漏水,leakage\n", "leakage"),
    "empty-file": ("tags", "bad.csv", "", "为空"),
    "header-only": ("sentiment", "bad.jsonl", "\n\n", "为空"),
    "one-class": ("sentiment", "bad.csv", "text,label\n" + "".join(f"差评{i},negative\n" for i in range(40)),
                  "类别"),
    "wrong-type": ("tags", "bad.xlsx", "x", "不支持"),
    "too-small": ("dispatch", "bad.csv", "text,label\n公积金,fund\n施工,construction\n", ""),
}


@pytest.mark.parametrize("case", BAD_FILES, ids=list(BAD_FILES))
def test_a_failed_train_is_a_clear_error_and_keeps_the_previous_model(app, session, tmp_path, active_models,
                                                                      case):
    task, name, content, expected = BAD_FILES[case]
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    before = {t: active_version(session, t) for t in ("tags", "sentiment", "dispatch")}
    model_dir = Path(app.extensions["settings"].model_dir)
    files_before = sorted(model_dir.rglob("*"))
    result, _ = run(app, "train", "--task", task, "--input", str(path))
    assert result.exit_code == 1, result.output
    assert "错误：" in result.output and expected in result.output and "Traceback" not in result.output
    assert {t: active_version(session, t) for t in before} == before
    assert session.query(NlpModel).count() == 2
    assert sorted(model_dir.rglob("*")) == files_before, "no artifacts may be left behind"


def test_a_missing_input_file_is_a_clear_error(app, session, active_models):
    result, _ = run(app, "train", "--task", "tags", "--input", "/nonexistent/x.csv")
    assert result.exit_code == 1 and "找不到" in result.output


def test_evaluate_prints_per_label_metrics_without_training(app, session, tmp_path, active_models):
    texts, labels = tags_sample(120)
    path = write_jsonl(tmp_path / "e.jsonl", [{"text": t, "labels": lab} for t, lab in zip(texts, labels, strict=True)])
    result, out = run(app, "evaluate", "--task", "tags", "--input", str(path))
    assert result.exit_code == 0, result.output
    assert out["version"] == active_models["tags"].version and out["n"] == 120
    assert {"precision", "recall", "f1"} <= set(out["per_label"]["delay"])
    assert 0 <= out["macro_f1"] <= 1 and 0 <= out["accuracy"] <= 1
    assert session.query(NlpModel).count() == 2


def test_evaluate_refuses_an_incompatible_model_with_a_clear_message(app, session, tmp_path, active_models):
    import shutil

    broken = tmp_path / "old"
    shutil.copytree(active_models["sentiment"].path, broken)
    meta = json.loads((broken / "meta.json").read_text(encoding="utf-8"))
    (broken / "meta.json").write_text(json.dumps({**meta, "sklearn_version": "0.24.2"}), encoding="utf-8")
    active_models["sentiment"].path, active_models["sentiment"].version = str(broken), "sentiment-old"
    session.commit()
    path = write_csv(tmp_path / "e.csv", ["text", "label"], [("很好", "positive"), ("很差", "negative")])
    result, _ = run(app, "evaluate", "--task", "sentiment", "--input", str(path))
    assert result.exit_code == 1 and "scikit-learn" in result.output and "Traceback" not in result.output


def test_classify_writes_one_json_object_per_input_row(app, tmp_path, active_models):
    rows = [("1", "审批拖了三个月"), ("2", ""), ("3", "😀👍"), ("4", "辦事員態度很差"), ("5", "长" * 100_000)]
    source = write_csv(tmp_path / "in.csv", ["id", "text"], rows)
    target = tmp_path / "out" / "result.jsonl"
    result, out = run(app, "classify", "--input", str(source), "--output", str(target))
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert out["rows"] == len(lines) == 5
    assert [line["text"] for line in lines] == [text for _, text in rows]
    assert all(set(line) == {"text", "tags", "sentiment", "dispatch"} for line in lines)
    assert lines[1]["tags"] == [] and lines[1]["sentiment"]["label"] == "neutral"
    assert "delay" in {t["tag"] for t in lines[0]["tags"]}


def test_classify_rejects_a_file_without_text_column(app, tmp_path, active_models):
    source = write_csv(tmp_path / "in.csv", ["content"], [("拖延",)])
    target = tmp_path / "out.jsonl"
    result, _ = run(app, "classify", "--input", str(source), "--output", str(target))
    assert result.exit_code == 1 and "text" in result.output and not target.exists()


def test_bootstrap_leaves_active_models_alone_and_status_reports_them(app, active_models):
    result, out = run(app, "bootstrap")
    assert result.exit_code == 0, result.output
    assert {task: v["status"] for task, v in out.items()} == {"tags": "already_active",
                                                             "sentiment": "already_active"}
    result, out = run(app, "status")
    assert out["models"]["tags"]["version"] == active_models["tags"].version
    assert "classification" in out["pending"]


def test_retrain_prints_the_figures_before_and_after_and_the_decision(app, session, active_models, monkeypatch):
    """`flask nlp retrain` (and the daily job: the same domain call) says what it decided and why."""
    from service.domain.classification import retraining
    from service.domain.classification.training import TrainingSet
    from service.models import AuditEntry
    from tests.nlp_fixtures import tags_holdout_sample

    texts, labels = tags_sample(300)
    small = TrainingSet(texts, labels, holdouts={"short_holdout": tags_holdout_sample()})
    monkeypatch.setattr(retraining, "default_training_set", lambda task: small)
    result, out = run(app, "retrain", "--task", "tags")
    assert result.exit_code == 0, result.output
    assert out["status"] in ("activated", "rejected") and set(out["checks"]) == {"short_holdout", "corrections"}
    check = out["checks"]["short_holdout"]
    assert check["n"] == 300 and {"active", "candidate", "verdict"} <= set(check)
    assert out["checks"]["corrections"]["verdict"] == "too_few"  # nobody has corrected anything yet
    action = "nlp_model_accepted" if out["status"] == "activated" else "nlp_model_rejected"
    assert session.query(AuditEntry).filter_by(action=action).count() == 1
