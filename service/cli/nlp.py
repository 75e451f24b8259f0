"""`flask --app wsgi nlp …`: train, evaluate, classify (kept exactly as issue 3 names them),
bootstrap, status, retrain, activate. The result is JSON on the last line of stdout; errors are one
Chinese line on stderr and a non-zero exit, never a traceback."""

from __future__ import annotations

import functools
import json
import logging
import os
import tempfile
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.exc import SQLAlchemyError

from service.domain.errors import DomainError
from service.domain.pending import count_pending
from service.extensions import db
from service.models.types import utcnow

log = logging.getLogger(__name__)
group = click.Group("nlp", help="文本分类模型：训练、评估、批量分类。")
TASKS = ("tags", "sentiment", "dispatch")
BATCH = 256


class CliError(click.ClickException):
    def show(self, file=None) -> None:
        click.echo(f"错误：{self.message}", err=True)


def _classification():
    # Imported on use, like the nlp stack below: the other command groups start without it.
    from service.domain import classification

    return classification


def _errors(func):
    """Turn every expected failure into a clear message and exit 1; nothing half-done stays active.

    The nlp stack (scikit-learn, jieba) is imported here, on use: `flask users …` and the other
    command groups then start without it.
    """

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        import nlp

        try:
            return func(*args, **kwargs)
        except (nlp.ClassificationError, DomainError) as exc:
            db.session.rollback()
            raise CliError(getattr(exc, "message", None) or str(exc)) from None
        except SQLAlchemyError as exc:
            db.session.rollback()
            log.debug("database error", exc_info=True)
            raise CliError(f"数据库不可用或未初始化，请先运行 flask --app wsgi db upgrade（{type(exc).__name__}）") from None
        except OSError as exc:
            raise CliError(f"文件读写失败：{exc.strerror or exc}（{exc.filename or ''}）") from None

    return wrapper


def _emit(result) -> None:
    click.echo(json.dumps(result, ensure_ascii=False, default=str))


def _settings():
    return current_app.extensions["settings"]


def _ensure(tasks: tuple[str, ...]) -> None:
    """Commands that need models train the shipped defaults the first time, and say so."""
    missing = [t for t in tasks if t in _classification().DEFAULT_TASKS
               and t not in _classification().active_models(db.session)]
    if missing:
        click.echo(f"尚无已启用的 {'、'.join(missing)} 模型，正在用内置数据训练默认模型（约需一分钟）…", err=True)
        _classification().bootstrap_defaults(db.session, _settings(), utcnow(), tasks=tuple(missing))


@group.command("train")
@click.option("--task", type=click.Choice(TASKS), required=True, help="tags、sentiment 或 dispatch")
@click.option("--input", "input_path", required=True, help="CSV 或 JSON Lines，含 text 列和标签列")
@click.option("--label-column", default=None, help="标签列名（默认 tags 为 labels，其余为 label）")
@with_appcontext
@_errors
def train(task, input_path, label_column):
    """Train on FILE, evaluate on a held-out split, then activate the new model."""

    result = _classification().train_from_file(db.session, _settings(), task, input_path, utcnow(), label_column)
    click.echo(f"已训练并启用 {task} 模型 {result['version']}（验证集：{result['holdout_source']}）", err=True)
    _emit(result)


@group.command("evaluate")
@click.option("--task", type=click.Choice(TASKS), required=True)
@click.option("--input", "input_path", required=True, help="带标签的 CSV 或 JSON Lines")
@click.option("--label-column", default=None)
@with_appcontext
@_errors
def evaluate(task, input_path, label_column):
    """Per-label precision/recall/F1, macro-F1 and accuracy of the active model; trains nothing new."""

    _ensure((task,))
    _emit(_classification().evaluate_file(db.session, task, input_path, label_column))


@group.command("classify")
@click.option("--input", "input_path", required=True, help="CSV（text 列）、JSON Lines 或每行一条的 .txt")
@click.option("--output", "output_path", required=True, help="输出 JSON Lines 文件")
@with_appcontext
@_errors
def classify(input_path, output_path):
    """Classify every row of FILE with the active models; one JSON object per input row."""
    from nlp.datasets import read_texts
    texts = read_texts(Path(input_path))
    _ensure(("tags", "sentiment"))
    classifier = _classification().current_classifier(db.session)
    target = Path(output_path)
    target.parent.mkdir(parents=True, exist_ok=True)
    # Written beside the target and renamed at the end: a failure never leaves half an output.
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            for start in range(0, len(texts), BATCH):
                chunk = texts[start:start + BATCH]
                for text, result in zip(chunk, classifier.classify_batch(chunk), strict=True):
                    row = {"text": text, "tags": result["tags"], "sentiment": result["sentiment"],
                           "dispatch": result["dispatch"]}
                    out.write(json.dumps(row, ensure_ascii=False) + "\n")
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _emit({"input": str(input_path), "output": str(target), "rows": len(texts),
           "model_version": classifier.model_version})


@group.command("bootstrap")
@click.option("--force", is_flag=True, help="即使已有启用的模型也重新训练")
@with_appcontext
@_errors
def bootstrap(force):
    """Train and activate the default tags and sentiment models from the shipped data if needed."""

    _emit(_classification().bootstrap_defaults(db.session, _settings(), utcnow(), force=force))


@group.command("retrain")
@click.option("--task", type=click.Choice(("tags", "sentiment")), required=True)
@with_appcontext
@_errors
def retrain(task):
    """Retrain with the bureau's feedback; activate only when not worse on the held-out split."""

    _emit(_classification().retrain(db.session, _settings(), task, utcnow()))


@group.command("activate")
@click.argument("version")
@with_appcontext
@_errors
def activate(version):
    """Activate a registered model version (e.g. to roll back)."""
    row = _classification().activate(db.session, version, utcnow(), actor="cli")
    _emit({"task": row.task, "version": row.version, "activated": True})


@group.command("status")
@with_appcontext
@_errors
def status():
    """The active model per task and how many texts wait for _classification()."""
    models = {
        task: {"version": row.version, "trained_at": row.created_at.isoformat(),
               "activated_at": row.activated_at.isoformat() if row.activated_at else None,
               "trained_on": row.trained_on, "holdout": (row.metrics or {}).get("holdout")}
        for task, row in _classification().active_models(db.session).items()
    }
    _emit({"models": models, "pending": count_pending(db.session)})
