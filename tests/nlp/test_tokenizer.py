import pickle

from nlp.features import build_features, char_analyzer, word_analyzer
from nlp.tokenizer import MAX_CHARS, get_tokenizer, normalise, tokenize


def test_traditional_is_converted_to_simplified():
    assert normalise("等了三個月還沒辦下來") == "等了三个月还没办下来"


def test_full_width_and_latin_case_are_normalised():
    assert normalise("ＡＢＣ１２３，Ｏｋ") == "abc123,ok"


def test_emoji_and_control_characters_are_removed():
    assert normalise("漏水😡😡\u200b\x07严重") == "漏水 严重"


def test_user_dictionary_terms_stay_whole():
    words = tokenize("墙面大面积空鼓开裂，竣工验收不合格，物业维修基金没批")
    for term in ("空鼓", "开裂", "竣工验收", "物业维修基金"):
        assert term in words


def test_negations_are_not_stop_words():
    words = tokenize("没有拖延，也不慢，未超期，没办好")
    assert {"没有", "未", "没"} <= set(words)
    from nlp.tokenizer import stopwords

    assert not {"没有", "不", "没", "未"} & stopwords()


def test_stop_words_and_punctuation_are_dropped():
    words = tokenize("我的房子了，！？")
    assert "的" not in words and "了" not in words and "，" not in words


def test_very_long_text_is_capped():
    assert len(normalise("漏" * 100_000)) == MAX_CHARS
    assert len(tokenize("房子漏水" * 25_000)) <= MAX_CHARS


def test_empty_and_none_give_no_tokens():
    assert tokenize("") == [] and tokenize(None) == [] and tokenize(" \n\t ") == []


def test_tokenizer_is_a_dedicated_instance():
    import jieba

    assert get_tokenizer() is not jieba.dt
    assert get_tokenizer() is get_tokenizer()


def test_analyzers_pickle_by_reference():
    assert pickle.loads(pickle.dumps(word_analyzer)) is word_analyzer
    assert pickle.loads(pickle.dumps(char_analyzer)) is char_analyzer


def test_fitted_features_pickle_small_without_dictionary():
    feats = build_features(min_df=1)
    feats.fit(["墙面空鼓开裂", "办理很慢", "态度很好"])
    blob = pickle.dumps(feats)
    assert len(blob) < 20_000
    assert b"FREQ" not in blob and b"jieba.Tokenizer" not in blob and b"Tokenizer" not in blob


def test_cutting_a_batch_together_gives_each_texts_own_words():
    from nlp import datasets
    from nlp.tokenizer import segment, segment_many

    texts = datasets.read_message_tags(holdout=True)[0][:300] + datasets.read_short_tags(holdout=True)[0][:300]
    texts += ["", " ", "😀", "ABC-123#&%", "。。。", "请问？？", "a.b_c"]
    normalised = [normalise(t) for t in texts]
    for hmm in (True, False):
        assert segment_many(normalised, hmm) == [segment(t, hmm) for t in normalised]


def test_a_model_cuts_texts_the_way_it_was_trained():
    """Models trained now cut without jieba's HMM; one saved before the mode was recorded (its
    Preparer has no `hmm`) keeps cutting with it, so its features do not drift."""
    from nlp import tokenizer
    from nlp.features import Preparer, prepare

    assert tokenizer.HMM is False and build_features().named_steps["prepare"].hmm is False
    old = Preparer()
    del old.__dict__["hmm"]
    restored = pickle.loads(pickle.dumps(old))
    assert restored.hmm is True
    text = "小区旁边的翡翠湾会所装修扰民"
    assert [d.words for d in restored.transform([text])] == [tokenize(text, hmm=True)]
    batch = prepare([text])
    assert batch.hmm is False and prepare(batch, True) is not batch and prepare(batch, False) is batch
