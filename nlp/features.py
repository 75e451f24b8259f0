"""Feature extraction: TF-IDF over jieba words (1-2 grams) plus character 1-3 grams.

Texts are turned into `Doc` objects once; every model in a batch then reuses the same
normalisation, segmentation and n-gram lists instead of repeating them (jieba dominates the cost).
All callables referenced by a fitted pipeline live at module level so pickles stay small.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from itertools import chain, count, repeat
from operator import add

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.preprocessing import normalize

from nlp import tokenizer
from nlp.lexicon import ContextCueFeatures
from nlp.tokenizer import normalise, segment, segment_many

CHAR_NGRAMS = (1, 2, 3)  # Doc.char_grams is written for n <= 3
# Sentence ends. jieba never joins words across these characters (its blocks stop at them), so
# the sentences' words are exactly the whole text's words.
_SENTENCE_SPLIT = re.compile(r"[。！？!?；;\s]+")
MIN_SENTENCE_CHARS = 2


class Doc:
    """A normalised text with its words (cut with or without jieba's HMM: `hmm`); n-gram lists
    are computed on first use and cached."""

    __slots__ = ("text", "words", "hmm", "_word_grams", "_char_grams")

    def __init__(self, raw: str | None, hmm: bool | None = None) -> None:
        self.hmm = tokenizer.HMM if hmm is None else hmm
        self.text = normalise(raw)
        self.words = segment(self.text, self.hmm)
        self._word_grams: list[str] | None = None
        self._char_grams: list[str] | None = None

    @classmethod
    def _of(cls, text: str, words: list[str], hmm: bool) -> Doc:
        doc = cls.__new__(cls)
        doc.text, doc.words, doc.hmm = text, words, hmm
        doc._word_grams = doc._char_grams = None
        return doc

    @property
    def several_sentences(self) -> bool:
        return _SENTENCE_SPLIT.search(self.text) is not None

    def sentences(self) -> list[Doc]:
        """The sentences (at least MIN_SENTENCE_CHARS long) as Docs; a one-sentence text is its
        own only sentence. Computed on demand (jieba runs again on each sentence): only the
        "doc+sentences" tag scoring needs them."""
        if not self.several_sentences:
            return [self]
        pieces = [p for p in _SENTENCE_SPLIT.split(self.text) if len(p) >= MIN_SENTENCE_CHARS]
        return [Doc._of(p, segment(p, self.hmm), self.hmm) for p in pieces] or [self]

    @property
    def empty(self) -> bool:
        return not self.words and not self.text.strip()

    @property
    def word_grams(self) -> list[str]:
        if self._word_grams is None:
            w = self.words
            # A space cannot occur inside a jieba word of normalised text, so "a b" is unambiguous.
            self._word_grams = w + [f"{a} {b}" for a, b in zip(w, w[1:], strict=False)]
        return self._word_grams

    @property
    def char_grams(self) -> list[str]:
        if self._char_grams is None:
            # Spaces are dropped so n-grams do not straddle the gaps left by removed emoji.
            s = self.text.replace(" ", "")
            # C-level concatenation of shifted strings is several times faster than slicing.
            grams: list[str] = list(s) if 1 in CHAR_NGRAMS else []
            bigrams = list(map(add, s, s[1:]))
            if 2 in CHAR_NGRAMS:
                grams += bigrams
            if 3 in CHAR_NGRAMS:
                grams += map(add, bigrams, s[2:])
            self._char_grams = grams
        return self._char_grams

    def __reduce__(self):
        # Docs are transient; should one be pickled (e.g. by joblib), only the text matters.
        return (Doc, (self.text, self.hmm))


def as_doc(item: str | Doc | None) -> Doc:
    return item if isinstance(item, Doc) else Doc(item)


class DocBatch(list):
    """The `Doc`s of one batch. The n-gram keys of the batch (and their distinct (row, key) pairs
    with counts) are computed on first use and shared by every model that vectorises it, so a
    batch scored by the tags and the sentiment model is analysed once. `hmm`: how its docs were
    cut (set by `prepare`)."""

    hmm: bool | None = None

    def char_pairs(self) -> tuple:
        pairs = self.__dict__.get("_char_pairs")
        if pairs is None:
            rows, keys = _char_gram_keys(self)
            pairs = self.__dict__["_char_pairs"] = _distinct_pairs(rows, keys)
        return pairs

    def word_pairs(self) -> tuple:
        """Like `char_pairs`, keyed by batch-local word ids; also returns the distinct words and
        their local ids (a word's id is 1 + the position of its first occurrence)."""
        pairs = self.__dict__.get("_word_pairs")
        if pairs is None:
            local: dict[str, int] = {}
            words = list(chain.from_iterable(d.words for d in self))
            ids = np.fromiter(map(local.setdefault, words, count(1)), dtype=np.uint64, count=len(words))
            row = np.repeat(np.arange(len(self)), np.fromiter((len(d.words) for d in self),
                                                              dtype=np.int64, count=len(self)))
            ok2 = row[:-1] == row[1:]
            k2 = (ids[:-1] << np.uint64(_WORD_BITS)) | ids[1:]
            rows, keys = np.concatenate([row, row[:-1][ok2]]), np.concatenate([ids, k2[ok2]])
            local_ids = np.fromiter(local.values(), dtype=np.int64, count=len(local))
            pairs = self.__dict__["_word_pairs"] = (*_distinct_pairs(rows, keys), list(local), local_ids)
        return pairs


def _distinct_pairs(rows: np.ndarray, keys: np.ndarray) -> tuple:
    """(distinct keys, and per distinct (row, key) pair: row, index into the keys, count),
    pairs ordered by row."""
    uniq, inverse = np.unique(keys, return_inverse=True)
    n = max(len(uniq), 1)
    pair, counts = np.unique(rows.astype(np.int64) * n + inverse.ravel(), return_counts=True)
    return uniq, pair // n, pair % n, counts


def sentence_batch(docs: Sequence[Doc]) -> tuple[DocBatch, np.ndarray]:
    """The sentences of a batch of Docs as one DocBatch, and the index of each one's Doc."""
    lists = [d.sentences() for d in docs]
    owner = np.repeat(np.arange(len(lists)), [len(x) for x in lists])
    return prepare(chain.from_iterable(lists), docs[0].hmm if len(docs) else None), owner


def prepare(texts: Iterable[str | Doc | None], hmm: bool | None = None) -> DocBatch:
    """Normalise and segment each text once, cut with jieba's HMM or without (`hmm`; None: the
    library's default for new texts, and any mode for docs already prepared). Docs already cut in
    that mode pass through and a `DocBatch` of them is returned as it is, keeping its shared
    n-gram keys; other texts are cut together (tokenizer.segment_many: the same words as one
    `Doc` at a time)."""
    if isinstance(texts, DocBatch) and (hmm is None or texts.hmm == hmm):
        return texts
    mode = tokenizer.HMM if hmm is None else hmm
    items = list(texts)
    if hmm is None and items and all(isinstance(t, Doc) for t in items):
        mode = items[0].hmm  # prepared docs keep the mode they were cut in
    todo = [i for i, t in enumerate(items) if not (isinstance(t, Doc) and t.hmm == mode)]
    if todo:
        texts_ = [items[i].text if isinstance(items[i], Doc) else normalise(items[i]) for i in todo]
        for i, text, words in zip(todo, texts_, segment_many(texts_, mode), strict=True):
            items[i] = Doc._of(text, words, mode)
    batch = DocBatch(items)
    batch.hmm = mode
    return batch


def word_analyzer(item: str | Doc) -> list[str]:
    return as_doc(item).word_grams


def char_analyzer(item: str | Doc) -> list[str]:
    return as_doc(item).char_grams


class Preparer(TransformerMixin, BaseEstimator):
    """Pipeline step turning raw strings into `Doc`s, cut the way the model was trained (`hmm`;
    stateless, so fitting is free). Unpickled from a model saved before the mode was recorded,
    it cuts with the HMM, as such models were trained."""

    def __init__(self, hmm: bool = False) -> None:
        self.hmm = hmm

    def __setstate__(self, state: dict) -> None:
        super().__setstate__({"hmm": True, **state})

    def fit(self, X: Sequence, y=None) -> Preparer:
        return self

    def transform(self, X: Sequence) -> list[Doc]:
        return prepare(X, self.hmm)


_CP_BITS = 21  # every Unicode code point fits in 21 bits, so up to 3 chars pack into a uint64
_WORD_BITS = 32


def _char_key(gram: str) -> int:
    key = 0
    for ch in gram:
        key = (key << _CP_BITS) | ord(ch)
    return key


def _char_gram_keys(docs: Sequence[Doc]) -> tuple[np.ndarray, np.ndarray]:
    """(row, key) of every char 1-3-gram of a batch, computed on code points without Python loops.

    Keys of different lengths never collide: normalised text has no NUL, so the first code point
    of a longer gram is >= 1 and shifts its key above every shorter one.
    """
    joined = "\x00".join(d.text.replace(" ", "") for d in docs) + "\x00"
    cp = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    sep = cp == 0
    row = np.cumsum(sep) - sep
    shift = np.uint64(_CP_BITS)
    ok2 = ~sep[:-1] & ~sep[1:]
    k2 = (cp[:-1] << shift) | cp[1:]
    ok3 = ok2[:-1] & ~sep[2:]
    k3 = (k2[:-1] << shift) | cp[2:]
    keys = np.concatenate([cp[~sep], k2[ok2], k3[ok3]])
    rows = np.concatenate([row[~sep], row[:-1][ok2], row[:-2][ok3]])
    return rows, keys


class GramTfidf(TfidfVectorizer):
    """TfidfVectorizer whose `transform` is vectorised for our Docs.

    Fitting is scikit-learn's own. `transform` gives the same matrix as the parent class (tested)
    without a Python loop over n-grams: character n-grams become integer keys computed from code
    points for the whole batch at once; word n-grams need one dictionary lookup per word (word
    bigrams are keyed by the pair of word ids). Keys are matched against the vocabulary with a
    binary search, counts come from the COO -> CSR conversion, and sublinear tf, idf weighting and
    L2 normalisation are array operations. The lookup tables are derived from `vocabulary_` on
    first use and never pickled.
    """

    def __getstate__(self):
        state = super().__getstate__()
        state.pop("_fast", None)
        return state

    def _tables(self):
        fast = getattr(self, "_fast", None)
        if fast is None:
            grams = list(self.vocabulary_)
            cols = np.fromiter(self.vocabulary_.values(), dtype=np.int64, count=len(grams))
            word_ids: dict[str, int] = {}
            if self.analyzer is char_analyzer:
                keys = np.fromiter(map(_char_key, grams), dtype=np.uint64, count=len(grams))
            else:
                for g in grams:
                    for w in g.split(" "):
                        word_ids.setdefault(w, len(word_ids) + 1)
                keys = np.empty(len(grams), dtype=np.uint64)
                for i, g in enumerate(grams):
                    a, _, b = g.partition(" ")
                    keys[i] = (word_ids[a] << _WORD_BITS) | word_ids[b] if b else word_ids[a]
            order = np.argsort(keys)
            fast = self._fast = (keys[order], cols[order], word_ids)
        return fast

    def transform(self, raw_documents) -> sparse.csr_matrix:
        if self.analyzer not in (word_analyzer, char_analyzer) or self.binary or not self.use_idf:
            return super().transform(raw_documents)
        docs = prepare(raw_documents)
        table_keys, table_cols, word_ids = self._tables()
        n_cols = len(self.vocabulary_)
        if not docs:
            return sparse.csr_matrix((0, n_cols), dtype=self.dtype)
        if self.analyzer is char_analyzer:
            uniq, p_row, p_key, p_count = docs.char_pairs()
        else:
            uniq, p_row, p_key, p_count, words, local_ids = docs.word_pairs()
            # Batch-local word ids -> this vocabulary's word ids (0: unknown word), then the keys.
            to_model = np.zeros(len(words) + 1 if not len(local_ids) else int(local_ids.max()) + 1,
                                dtype=np.uint64)
            to_model[local_ids] = np.fromiter(map(word_ids.get, words, repeat(0)), dtype=np.uint64,
                                              count=len(words))
            first = to_model[(uniq >> np.uint64(_WORD_BITS)).astype(np.int64)]
            second = to_model[(uniq & np.uint64(0xFFFFFFFF)).astype(np.int64)]
            bigram = uniq >= np.uint64(1 << _WORD_BITS)
            known = (second > 0) & (~bigram | (first > 0))
            uniq = np.where(bigram, (first << np.uint64(_WORD_BITS)) | second, second)
            uniq[~known] = 0  # no vocabulary key is 0
        # Binary search of the distinct keys only (about a third of all keys).
        pos = np.searchsorted(table_keys, uniq)
        pos[pos == len(table_keys)] = 0
        if len(table_keys):
            col_of = np.where(table_keys[pos] == uniq, table_cols[pos], -1)[p_key]
        else:
            col_of = np.full(len(p_key), -1, dtype=np.int64)
        found = col_of >= 0
        row_of = p_row[found]
        data = p_count[found].astype(np.float64)
        if self.sublinear_tf:
            np.log(data, out=data)
            data += 1.0
        indices = col_of[found].astype(np.int32)
        data *= self.idf_[indices]
        if self.norm == "l2":
            norms = np.sqrt(np.bincount(row_of, weights=data**2, minlength=len(docs)))
            data /= norms[row_of]  # rows with entries have a positive norm
        indptr = np.zeros(len(docs) + 1, dtype=np.int32)
        np.cumsum(np.bincount(row_of, minlength=len(docs)), out=indptr[1:])
        # Pairs are ordered by row, not by column within a row; tell scipy so.
        X = sparse.csr_matrix((data.astype(self.dtype), indices, indptr), shape=(len(docs), n_cols))
        X.has_sorted_indices = False
        if self.norm and self.norm != "l2":
            X = normalize(X, norm=self.norm, copy=False)
        return X


def _tfidf(analyzer, min_df: int, max_features: int | None) -> TfidfVectorizer:
    return GramTfidf(
        analyzer=analyzer,
        min_df=min_df,
        max_features=max_features,
        sublinear_tf=True,
        dtype=np.float32,
    )


class LengthFeatures(TransformerMixin, BaseEstimator):
    """How long the text is: log(1 + characters) / 6 and whether it is a long message (> 100
    characters). A long letter's TF-IDF row is spread over many n-grams, so the same complaint
    scores lower than in a short review; these columns let the model shift its margin by length.
    Stateless."""

    def fit(self, X, y=None) -> LengthFeatures:
        return self

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        return np.array(["log_chars", "long_text"], dtype=object)

    def transform(self, X) -> sparse.csr_matrix:
        n = np.fromiter((len(as_doc(item).text) for item in X), dtype=np.float32)
        return sparse.csr_matrix(np.column_stack([np.log1p(n) / 6.0, (n > 100).astype(np.float32)]))


def build_features(min_df: int = 2, max_features: int | None = 200_000,
                   lexicon: bool = False) -> Pipeline:
    """Doc preparation followed by the union of word and character TF-IDF (and cue counts)."""
    parts = [
        ("words", _tfidf(word_analyzer, min_df, max_features)),
        ("chars", _tfidf(char_analyzer, min_df, max_features)),
    ]
    if lexicon:
        parts.append(("lexicon", ContextCueFeatures()))
    return Pipeline([("prepare", Preparer(tokenizer.HMM)), ("tfidf", FeatureUnion(parts))])


def warm_up(pipeline: Pipeline) -> None:
    """Build the fast-transform lookup tables now (e.g. before workers fork) instead of on the
    first request; pipelines of another layout are left alone."""
    union = getattr(pipeline, "named_steps", {}).get("tfidf")
    for _, step in getattr(union, "transformer_list", []):
        if isinstance(step, GramTfidf) and hasattr(step, "vocabulary_"):
            step._tables()


def drop_fit_leftovers(features: Pipeline) -> None:
    """Remove `stop_words_` (all pruned n-grams): only for introspection and it bloats pickles."""
    for _, vec in features.named_steps["tfidf"].transformer_list:
        if hasattr(vec, "stop_words_"):
            del vec.stop_words_
