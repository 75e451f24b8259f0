"""The batch-shared n-gram keys, the stacked linear heads and the batch lexicon scan must give
what the plain scikit-learn / per-text code gives."""

from dataclasses import replace

import numpy as np
import pytest
from scipy import sparse

from nlp.classifier import _linear_head
from nlp.features import DocBatch, prepare
from nlp.lexicon import CUES, _batch_counts, _counts

TEXTS = ["等了三个月还没办下来", "墙面大面积空鼓开裂，物业推诿", "服务很好，非常满意", "。。。",
         "没有拖延，一点都不慢", "房子漏水漏水漏水", "完全陌生的字词组合", "态度恶劣 态度恶劣"]


def _generic(model, docs):
    union = model.pipeline.named_steps["tfidf"]
    X = sparse.hstack([t.transform(list(docs)) for _, t in union.transformer_list], format="csr")
    X.sort_indices()
    return model.pipeline.named_steps["model"].predict_proba(X)


@pytest.mark.parametrize("name", ["tags_model", "sentiment_model"])
def test_linear_head_matches_predict_proba(request, name):
    model = replace(request.getfixturevalue(name), scoring="doc")
    assert _linear_head(model.pipeline.named_steps["model"]) is not None
    docs = prepare(TEXTS)
    fast = model.scores(docs)
    classes = [str(c) for c in model.pipeline.classes_] if model.task != "tags" else model.labels
    slow = _generic(model, docs)[:, [classes.index(label) for label in model.labels]]
    # The SGD member of the vote keeps float32 coefficients; the head works in float64.
    np.testing.assert_allclose(fast, slow, atol=1e-6)


def test_sentence_pooling_is_mean_of_text_and_best_sentence(tags_model):
    tags_model = replace(tags_model, scoring="doc+sentences")
    texts = ["尊敬的领导：楼下烧烤店油烟很大。去窗口问的时候工作人员态度恶劣。希望处理", "墙面开裂", ""]
    doc_only = replace(tags_model, scoring="doc")
    pooled = tags_model.scores(prepare(texts))
    for i, text in enumerate(texts):
        doc = prepare([text])[0]
        best = doc_only.scores(doc.sentences()).max(axis=0)
        np.testing.assert_allclose(pooled[i], (doc_only.scores([doc])[0] + best) / 2, atol=1e-9)


def test_sentences_have_the_words_of_the_text():
    doc = prepare(["标题：房子漏水\n尊敬的领导：我家卫生间漏水！物业不管。 谢谢"])[0]
    sentences = doc.sentences()
    assert [s.text for s in sentences] == ["标题:房子漏水", "尊敬的领导:我家卫生间漏水", "物业不管", "谢谢"]
    assert [w for s in sentences for w in s.words] == doc.words
    one = prepare(["墙面开裂"])[0]
    assert one.sentences() == [one] and not one.several_sentences


def test_batch_is_shared_and_unchanged_by_sharing(tags_model, sentiment_model):
    batch = prepare(TEXTS)
    assert isinstance(batch, DocBatch) and prepare(batch) is batch
    for model in (tags_model, sentiment_model):
        for _, vec in model.pipeline.named_steps["tfidf"].transformer_list[:2]:
            shared = vec.transform(batch).toarray()
            alone = vec.transform(prepare(list(TEXTS))).toarray()
            one_by_one = np.vstack([vec.transform(prepare([t])).toarray() for t in TEXTS])
            np.testing.assert_allclose(shared, alone, atol=1e-7)
            np.testing.assert_allclose(shared, one_by_one, atol=1e-7)
    assert "_char_pairs" in batch.__dict__ and "_word_pairs" in batch.__dict__


def test_batch_lexicon_scan_equals_per_text():
    cues = tuple(CUES.items())
    texts = [d.text for d in prepare(TEXTS + ["", "没", "拖", "没有发现渗水开裂"])]
    per_text = np.array([_counts(t, cues) for t in texts], dtype=np.float32)
    assert (_batch_counts(texts, cues) == per_text).all()
    assert _batch_counts([], cues).shape == (0, 2 * len(cues))
