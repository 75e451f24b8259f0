"""The long-message seed: realistic shape, enough hard negatives, held-out disjoint by construction."""

import re

from nlp import datasets
from nlp.data import build_messages


def _pools():
    return build_messages.read_pools(build_messages.POOLS)


def test_every_pool_section_feeds_every_group():
    for name, lines in _pools().items():
        assert len(lines) >= build_messages.GROUPS, name
    for name in build_messages.topics(_pools()):
        assert len(_pools()[f"topic:{name}:body"]) >= 2 * build_messages.GROUPS, name


def test_held_out_messages_share_no_pool_line_with_training():
    pools = _pools()
    held = build_messages.group_pools(pools, build_messages.HELD_OUT_GROUP)
    train_lines = {line for g in range(build_messages.GROUPS) if g != build_messages.HELD_OUT_GROUP
                   for lines in build_messages.group_pools(pools, g).values() for line in lines}
    assert not train_lines & {line for lines in held.values() for line in lines}
    # Sentences of training groups never appear in a generated held-out message (slot-free ones
    # can be checked literally; the hand-written held-out messages are separate texts).
    texts, _ = datasets.read_message_tags(holdout=True)
    body = [line for name, lines in pools.items() if ":body" in name or name.startswith("near:")
            for line in lines if "{" not in line]
    train_body = [line for line in body if line in train_lines and len(line) > 12]
    assert train_body
    assert not [line for line in train_body for t in texts if line in t]


def test_long_messages_look_like_the_real_thing():
    for holdout in (False, True):
        texts, labels = datasets.read_message_tags(holdout)
        none = sum(not row for row in labels) / len(labels)
        assert none >= 0.40  # hard negatives: complaints that carry none of the tags
        assert sum(len(t) for t in texts) / len(texts) >= 150
        for tag in ("delay", "quality", "attitude"):
            assert sum(tag in row for row in labels) >= 100
    assert len(datasets.read_message_tags(holdout=True)[0]) >= 400


def test_generator_is_deterministic():
    a = build_messages.generate("holdout")
    b = build_messages.generate("holdout")
    assert a == b
    on_disk = {t for t in datasets.read_message_tags(holdout=True)[0]}
    assert {r["text"] for r in a} <= on_disk


def test_slots_are_all_filled():
    for holdout in (False, True):
        texts, _ = datasets.read_message_tags(holdout)
        assert not [t for t in texts if re.search(r"\{\w+\}", t)]


def test_shipped_groups_cover_training_rows():
    groups = datasets.shipped_tag_groups()
    texts, _ = datasets.read_seed_tags()
    assert all(t in groups for t in texts)
    held, _ = datasets.read_seed_tags(holdout=True)
    assert not set(held) & set(texts)


def test_default_tags_model_beats_the_keyword_rule_on_long_messages(tags_model):
    """Never ship a tagger that loses to the plain keyword rule on letters it has not seen."""
    from nlp import KeywordRule, evaluate_tags, tag_report

    texts, labels = datasets.read_message_tags(holdout=True)
    model = evaluate_tags(tags_model, texts, labels)
    rule = tag_report(labels, KeywordRule().predict(texts))
    assert model["macro_f1"] >= rule["macro_f1"] + 0.10, (model["macro_f1"], rule["macro_f1"])
    for tag in ("delay", "quality", "attitude"):
        assert model["per_label"][tag]["f1"] > rule["per_label"][tag]["f1"], tag


def test_long_texts_have_their_own_thresholds(tags_model):
    assert set(tags_model.long_thresholds) == {"delay", "quality", "attitude"}
    assert set(tags_model.metrics["validation"]) == {"all", "short", "long"}


def test_train_without_groups_keeps_the_shipped_groups(monkeypatch):
    """The service retrains on the shipped rows without passing groups: CV must still be
    group-aware (the shipped pool groups), not one group per text."""
    import nlp.classifier as classifier
    from nlp import train

    seen = {}

    def fake_tune(docs, labels, seed=0, folds=4, groups=None, scoring="doc"):
        seen["groups"] = groups
        return {t: 0.5 for t in classifier.TAGS}, {}, {}

    monkeypatch.setattr("nlp.service.tune_tag_thresholds", fake_tune)
    texts, labels = datasets.read_message_tags()
    train("tags", texts[:300] + ["全新的一句话，墙面开裂"], labels[:300] + [["quality"]])
    expected = datasets.read_seed_tag_groups()[len(datasets.read_short_tags()[0]):][:300]
    assert seen["groups"][:300] == expected and seen["groups"][300] == "text:全新的一句话，墙面开裂"
