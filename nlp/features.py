"""Feature extraction: TF-IDF over jieba words (1-2 grams) plus character 1-3 grams.

Texts are turned into `Doc` objects once; every model in a batch then reuses the same
normalisation, segmentation and n-gram lists instead of repeating them (jieba dominates the cost).
All callables referenced by a fitted pipeline live at module level so pickles stay small.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion, Pipeline

from nlp.tokenizer import normalise, segment

CHAR_NGRAMS = (1, 2, 3)


class Doc:
    """A normalised text with its words; n-gram lists are computed on first use and cached."""

    __slots__ = ("text", "words", "_word_grams", "_char_grams")

    def __init__(self, raw: str | None) -> None:
        self.text = normalise(raw)
        self.words = segment(self.text)
        self._word_grams: list[str] | None = None
        self._char_grams: list[str] | None = None

    @property
    def empty(self) -> bool:
        return not self.words and not self.text.strip()

    @property
    def word_grams(self) -> list[str]:
        if self._word_grams is None:
            w = self.words
            # A space cannot occur inside a jieba word of normalised text, so "a b" is unambiguous.
            self._word_grams = w + [f"{a} {b}" for a, b in zip(w, w[1:])]
        return self._word_grams

    @property
    def char_grams(self) -> list[str]:
        if self._char_grams is None:
            # Spaces are dropped so n-grams do not straddle the gaps left by removed emoji.
            s = self.text.replace(" ", "")
            grams: list[str] = []
            for n in CHAR_NGRAMS:
                grams.extend(s[i : i + n] for i in range(len(s) - n + 1))
            self._char_grams = grams
        return self._char_grams

    def __reduce__(self):
        # Docs are transient; should one be pickled (e.g. by joblib), only the raw text matters.
        return (Doc, (self.text,))


def as_doc(item: str | Doc | None) -> Doc:
    return item if isinstance(item, Doc) else Doc(item)


def prepare(texts: Iterable[str | Doc | None]) -> list[Doc]:
    """Normalise and segment each text once (already-prepared docs pass through)."""
    return [as_doc(t) for t in texts]


def word_analyzer(item: str | Doc) -> list[str]:
    return as_doc(item).word_grams


def char_analyzer(item: str | Doc) -> list[str]:
    return as_doc(item).char_grams


class Preparer(TransformerMixin, BaseEstimator):
    """Pipeline step turning raw strings into `Doc`s; stateless, so fitting is free."""

    def fit(self, X: Sequence, y=None) -> Preparer:
        return self

    def transform(self, X: Sequence) -> list[Doc]:
        return prepare(X)


def _tfidf(analyzer, min_df: int, max_features: int | None) -> TfidfVectorizer:
    return TfidfVectorizer(
        analyzer=analyzer,
        min_df=min_df,
        max_features=max_features,
        sublinear_tf=True,
        dtype=np.float32,
    )


def build_features(min_df: int = 2, max_features: int | None = 200_000) -> Pipeline:
    """Doc preparation followed by the union of word and character TF-IDF."""
    union = FeatureUnion(
        [
            ("words", _tfidf(word_analyzer, min_df, max_features)),
            ("chars", _tfidf(char_analyzer, min_df, max_features)),
        ]
    )
    return Pipeline([("prepare", Preparer()), ("tfidf", union)])


def drop_fit_leftovers(features: Pipeline) -> None:
    """Remove `stop_words_` (all pruned n-grams): only for introspection and it bloats pickles."""
    for _, vec in features.named_steps["tfidf"].transformer_list:
        if hasattr(vec, "stop_words_"):
            del vec.stop_words_
