"""Cue-word features with negation, the fast TF-IDF transform and group-aware tuning data."""

import pickle

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from nlp import datasets, lexicon
from nlp.classifier import cv_groups
from nlp.data import build_seed
from nlp.features import GramTfidf, char_analyzer, prepare, word_analyzer
from nlp.lexicon import ContextCueFeatures, CueFeatures, describe, describe_context
from nlp.tokenizer import normalise


def cues(text):
    return describe(normalise(text))


@pytest.mark.parametrize(
    ("text", "tag", "plain", "negated"),
    [
        ("没有拖延，很快办好了", "delay", 0, 1),
        ("一点也没拖，三天就拿证了", "delay", 0, 1),
        ("也不慢", "delay", 0, 1),
        ("等了三个月还没办下来", "delay", 2, 0),
        ("态度挺好就是慢", "delay", 1, 0),
        ("没有发现渗水开裂", "quality", 0, 2),  # negation carries over to the adjacent cue
        ("没办法，墙又裂了", "quality", 1, 0),  # but never across a clause boundary
        ("墙面空鼓开裂", "quality", 2, 0),
        ("不是质量问题", "quality", 0, 1),
        ("没有不耐烦，解释得很清楚", "attitude", 0, 1),
        ("互相推诿踢皮球", "attitude", 2, 0),
        ("态度挺好的", "attitude", 0, 0),
    ],
)
def test_cue_counts_with_negation(text, tag, plain, negated):
    assert cues(text)[tag] == {"plain": plain, "negated": negated}


def test_traditional_and_full_width_text_is_normalised_first():
    assert cues("牆面開裂")["quality"]["plain"] == 1


def test_cue_features_freeze_the_lexicon(monkeypatch):
    feats = CueFeatures().fit(["x"])
    before = feats.transform(prepare(["工作人员很凶"])).toarray()
    monkeypatch.setitem(lexicon.CUES, "attitude", ("完全不同的词",))
    after = pickle.loads(pickle.dumps(feats)).transform(prepare(["工作人员很凶"])).toarray()
    assert (before == after).all() and before.sum() > 0
    assert len(pickle.dumps(feats)) < 20_000
    assert list(feats.get_feature_names_out())[:2] == ["cue_delay_plain", "cue_delay_negated"]


@pytest.mark.parametrize(
    ("text", "absent"),
    [
        ("没有拖延，很快办好了", "delay"),
        ("一点也没拖，当天就办结了", "delay"),
        ("质量没问题，墙面没有开裂", "quality"),
        ("没有推诿，工作人员很耐心", "attitude"),
    ],
)
def test_negated_mentions_do_not_raise_the_tag(classifier, text, absent):
    assert absent not in [t["tag"] for t in classifier.classify(text)["tags"]]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("态度挺好就是办得太慢，等了两个月", ["delay"]),
        ("想咨询一下房屋质量保修期多久", []),
    ],
)
def test_mixed_verdicts_and_hard_negatives(classifier, text, expected):
    assert [t["tag"] for t in classifier.classify(text)["tags"]] == expected


def test_fast_transform_matches_scikit_learn():
    train = prepare(["墙面空鼓开裂", "办理很慢很慢", "态度很好", "墙面开裂漏水", "办理太慢"])
    test = prepare(["", "墙面很慢很慢开裂", "完全陌生的字", "漏水"])
    for analyzer in (word_analyzer, char_analyzer):
        kw = dict(analyzer=analyzer, min_df=1, sublinear_tf=True, dtype=np.float32)
        ours = GramTfidf(**kw).fit(train)
        ref = TfidfVectorizer(**kw).fit(train)
        a, b = ours.transform(test), ref.transform(test)
        assert a.shape == b.shape and a.dtype == b.dtype
        assert np.abs((a - b).toarray()).max() < 1e-6
        assert ours.transform([]).shape == (0, len(ours.vocabulary_))


def test_seed_groups_align_with_rows_and_sub_pools_are_disjoint():
    texts, _ = datasets.read_seed_tags()
    groups = datasets.read_seed_tag_groups()
    assert len(groups) == len(texts)
    assert {g for g in groups if g.startswith("g")} == {f"g{i}" for i in range(build_seed.GROUPS)}
    pools = build_seed.split_pools(build_seed.read_pools(), "train")
    parts = build_seed.sub_pools(pools)
    for tag in ("delay", "quality", "attitude"):
        seen = [set(p[tag]) for p in parts]
        assert sum(map(len, seen)) == len(set().union(*seen)) == len(pools[tag])


def test_pools_are_large_enough():
    pools = build_seed.read_pools()
    for split, floor in (("train", 60), ("holdout", 25)):
        sizes = build_seed.split_pools(pools, split)
        assert all(len(sizes[t]) >= floor for t in ("delay", "quality", "attitude"))
    _, labels = datasets.read_seed_tags()
    assert all(sum(t in row for row in labels) >= 300 for t in ("delay", "quality", "attitude"))


def test_cv_groups_fall_back_to_texts():
    docs = prepare(["a", "b", "a"])
    assert cv_groups(docs, ["g1", "g1", "g2"], folds=4) == ["a", "b", "a"]
    assert cv_groups(docs, ["g1", "g2", "g3"], folds=3) == ["1", "2", "3"]
    # Sub-pools with the same index of the short and the long seed share a fold.
    assert cv_groups(docs, ["g1", "m1", "m2"], folds=2) == ["1", "1", "2"]
    assert cv_groups(docs, ["extra-1", "extra-2", "m2"], folds=3) == ["extra-1", "extra-2", "2"]


def ctx(text):
    return describe_context(normalise(text))


@pytest.mark.parametrize(
    ("text", "tag", "kind"),
    [
        ("窗口工作人员态度非常恶劣", "attitude", "object"),  # regex cue with a gap, staff named
        ("楼上邻居态度极差，一上门就摔门", "attitude", "other_subject"),  # a neighbour is not staff
        ("他说话很难听", "attitude", "other"),
        ("没有推诿", "attitude", "negated"),
        ("办证拖了三个月还没办下来", "delay", "object"),
        ("没有拖延，很快办好了", "delay", "negated"),
        ("墙面开裂漏水", "quality", "object"),
        ("工地围挡锈得厉害，一刮风就晃", "quality", None),  # dropped cues: 锈, 晃
        ("路灯坏了，井盖也裂了", "quality", "other_subject"),
        ("请问审批一般要等几个月", "delay", "framed"),  # a question about a duration
        ("新装的门禁三个月坏了七次", "delay", "framed"),  # a breakdown count is no delay
        ("楼上漏下来的水把我家天花板泡坏了", "quality", "framed"),  # a neighbour's leak
        ("这栋老楼的墙体开裂了", "quality", "framed"),  # an old building's wear
        ("漏水修好了，感谢维修师傅", "quality", "framed"),  # thanks for a repair
    ],
)
def test_context_cues(text, tag, kind):
    counts = ctx(text)[tag]
    if kind is None:
        assert sum(counts.values()) == 0, counts
    else:
        assert counts[kind] >= 1 and sum(v for k, v in counts.items() if k != kind) == 0, counts


def test_context_counts_batch_equals_per_text_and_features_are_frozen(monkeypatch):
    texts = [d.text for d in prepare(["窗口态度恶劣。邻居骂人", "", "没有发现渗水开裂", "拖了半年，材料还在审"])]
    args = tuple(lexicon._freeze(x) for x in (lexicon.TAG_CUES, lexicon.TAG_OBJECTS, lexicon.TOPIC_CUES,
                                               lexicon.TAG_OTHER_SUBJECTS))
    batch = lexicon.context_counts(texts, *args)
    assert (batch == np.vstack([lexicon.context_counts([t], *args) for t in texts])).all()
    feats = ContextCueFeatures().fit(["x"])
    before = feats.transform(prepare(texts)).toarray()
    monkeypatch.setitem(lexicon.TAG_CUES, "attitude", ("完全不同的词",))
    after = pickle.loads(pickle.dumps(feats)).transform(prepare(texts)).toarray()
    assert (before == after).all() and before.shape == (4, 15)


def test_a_model_fitted_before_frames_existed_transforms_as_it_did():
    texts = prepare(["请问办证一般需要多长时间", "楼上漏水，天花板泡坏了", "窗口态度恶劣"])
    feats = ContextCueFeatures().fit(["x"])
    del feats.frames_  # as unpickled from a model saved before frames
    old = feats.transform(texts).toarray()
    args = tuple(lexicon._freeze(x) for x in (lexicon.TAG_CUES, lexicon.TAG_OBJECTS, (), lexicon.TAG_OTHER_SUBJECTS))
    expected = np.log1p(lexicon.context_counts([d.text for d in texts], *args))
    assert old.shape == (3, 12) and np.allclose(old, expected)
    assert len(feats.get_feature_names_out()) == 12


def test_trie_regex_matches_like_the_longest_first_alternation():
    import random
    import re

    words = {w for ws in lexicon.TAG_CUES.values() for w in ws if not w.startswith("re:")}
    flat = re.compile("|".join(re.escape(w) for w in sorted(words, key=lambda w: (-len(w), w))))
    trie = re.compile(lexicon.trie_regex(words))
    rng = random.Random(0)
    alphabet = "".join(sorted({c for w in words for c in w})) + "的了是我"
    for _ in range(300):
        text = "".join(rng.choice(alphabet) for _ in range(40))
        assert [m.group() for m in flat.finditer(text)] == [m.group() for m in trie.finditer(text)]
