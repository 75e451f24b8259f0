"""Saving and loading models: model.joblib + meta.json, written atomically, version-checked."""

from __future__ import annotations

import json
import os
import platform
import shutil
import tempfile
from pathlib import Path

import jieba
import joblib
import numpy
import sklearn

from nlp.classifier import LONG_TEXT_CHARS, TrainedModel
from nlp.errors import ClassificationError, IncompatibleModelError, ModelNotFoundError

MODEL_FILE = "model.joblib"
META_FILE = "meta.json"
FORMAT = 1


def _major_minor(version: str) -> str:
    return ".".join(version.split(".")[:2])


def build_meta(model: TrainedModel) -> dict:
    return {
        "format": FORMAT,
        "task": model.task,
        "version": model.version,
        "labels": list(model.labels),
        "thresholds": dict(model.thresholds),
        "long_thresholds": dict(model.long_thresholds),
        "long_text_chars": LONG_TEXT_CHARS,
        "scoring": model.scoring,
        "metrics": model.metrics,
        "n_train": model.n_train,
        "training_data_sha256": model.data_sha256,
        "created_at": model.created_at,
        "sklearn_version": sklearn.__version__,
        "jieba_version": jieba.__version__,
        "numpy_version": numpy.__version__,
        "python_version": platform.python_version(),
    }


def save(model: TrainedModel, directory: str | Path) -> Path:
    """Write the model into `directory` so that readers see either the old or the new model.

    Files go to a temporary sibling directory first, which is then renamed into place; a crash
    mid-write leaves only a stray temp directory, never a half-written model.
    """
    target = Path(directory)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=target.parent))
    try:
        joblib.dump(model.pipeline, tmp / MODEL_FILE, compress=3)
        meta = json.dumps(build_meta(model), ensure_ascii=False, indent=2)
        (tmp / META_FILE).write_text(meta, encoding="utf-8")
        for name in (MODEL_FILE, META_FILE):
            with open(tmp / name, "rb") as fh:
                os.fsync(fh.fileno())
        _swap_into_place(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return target


def _swap_into_place(tmp: Path, target: Path) -> None:
    # rename() cannot replace a non-empty directory, so the old one is moved aside first; the
    # window in which `target` is absent is two renames long and readers get ModelNotFoundError.
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.old-{os.getpid()}")
        shutil.rmtree(old, ignore_errors=True)
        os.rename(target, old)
    os.rename(tmp, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def read_meta(directory: str | Path) -> dict:
    path = Path(directory) / META_FILE
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelNotFoundError(f"模型目录中没有 {META_FILE}：{directory} (model metadata missing)") from None
    except json.JSONDecodeError:
        raise ClassificationError(f"模型元数据损坏：{path} (meta.json is not valid JSON)") from None


def check_compatible(meta: dict) -> None:
    """Refuse models pickled by another scikit-learn major.minor: unpickling them is unsafe."""
    saved = str(meta.get("sklearn_version", "unknown"))
    installed = sklearn.__version__
    if _major_minor(saved) != _major_minor(installed):
        raise IncompatibleModelError(
            f"模型 {meta.get('version', '?')} 由 scikit-learn {saved} 训练，"
            f"与当前安装的 {installed} 不兼容，请重新训练模型。"
            f" (model built with scikit-learn {saved}, installed {installed}: retrain it)"
        )


def load(directory: str | Path) -> TrainedModel:
    """Load a saved model; meta.json is checked before anything is unpickled.

    joblib files are pickles: only load directories written by this service.
    """
    meta = read_meta(directory)
    check_compatible(meta)
    model_path = Path(directory) / MODEL_FILE
    if not model_path.is_file():
        raise ModelNotFoundError(f"模型目录中没有 {MODEL_FILE}：{directory} (model file missing)")
    pipeline = joblib.load(model_path)
    return TrainedModel(
        task=meta["task"],
        labels=list(meta["labels"]),
        pipeline=pipeline,
        thresholds={k: float(v) for k, v in (meta.get("thresholds") or {}).items()},
        long_thresholds={k: float(v) for k, v in (meta.get("long_thresholds") or {}).items()},
        scoring=meta.get("scoring", "doc"),
        metrics=meta.get("metrics") or {},
        version=meta.get("version", ""),
        n_train=int(meta.get("n_train", 0)),
        data_sha256=meta.get("training_data_sha256", ""),
        created_at=meta.get("created_at", ""),
    )
