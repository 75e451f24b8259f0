"""The trainable pipelines: shared TF-IDF features, then per task

- tags: TF-IDF + cue counts in context (nlp/lexicon.py: tag cues said about the tag's object,
  about another subject, in a framed sentence - a question, thanks, an old building, a
  neighbour - other tag cues, negated cues) -> one-vs-rest logistic regression. A text's score
  is the whole text's ("doc"; "doc+sentences" averages it with the best sentence's, see
  nlp.service.TAG_SCORING). Per-tag thresholds are tuned on group-aware out-of-fold scores, one
  set for short texts and one for long ones;
- sentiment: soft vote of LR, LinearSVC, SGD (modified Huber) and NB-LR;
- dispatch: logistic regression.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse
from scipy.special import expit
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.ensemble import VotingClassifier
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.model_selection import GroupKFold
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.svm import LinearSVC

from nlp.features import Doc, build_features, drop_fit_leftovers, prepare, sentence_batch
from nlp.features import warm_up as features_warm_up

TASKS = ("tags", "sentiment", "dispatch")
TAGS = ("delay", "quality", "attitude")
SENTIMENT_LABELS = ("negative", "positive")

# P(positive) inside this band is reported as neutral (defaults; the service may pass its own).
NEUTRAL_BAND = (0.4, 0.6)
# Thresholds are tuned within these bounds so a tiny validation fold cannot pick an absurd value;
# the highest-F1 cut that reaches MIN_PRECISION wins (else the highest-F1 one). Chosen by group
# CV with cross-fitted thresholds (bench/nlp/precision_experiments.py): a 0.90 floor with cuts up
# to 0.97 gives long letters the same macro-F1 as 0.80 / 0.85 and a third fewer no-tag letters
# tagged.
THRESHOLD_GRID = np.round(np.arange(0.15, 0.98, 0.01), 2)
MIN_PRECISION = 0.90
# Texts longer than this (normalised characters) get the long-text thresholds: letters to the
# bureau, not reviews. Their scores are distributed differently (bench/nlp/tags_experiments.py).
LONG_TEXT_CHARS = 100
# Fewer positives than this for a tag in one length class: that class uses the overall threshold.
MIN_POSITIVES_PER_CLASS = 20
SCORINGS = ("doc", "doc+sentences")


def is_long(doc: Doc) -> bool:
    return len(doc.text) > LONG_TEXT_CHARS


@dataclass
class TrainedModel:
    """A fitted pipeline plus everything needed to interpret and audit its output."""

    task: str
    labels: list[str]
    pipeline: Pipeline
    thresholds: dict[str, float] = field(default_factory=dict)
    metrics: dict = field(default_factory=dict)
    version: str = ""
    n_train: int = 0
    data_sha256: str = ""
    created_at: str = ""
    # Tags only: thresholds for long texts (empty: `thresholds` for every text) and how a text's
    # score is made ("doc": the whole text; "doc+sentences": mean of that and the best sentence).
    long_thresholds: dict[str, float] = field(default_factory=dict)
    scoring: str = "doc"

    @property
    def hmm(self) -> bool:
        """Whether this model's texts are cut with jieba's HMM (the mode it was trained with)."""
        step = getattr(self.pipeline, "named_steps", {}).get("prepare")
        return getattr(step, "hmm", True)

    def scores(self, docs: Sequence[Doc | str]) -> np.ndarray:
        """Probability per (text, label), columns in `self.labels` order."""
        if len(docs) == 0:
            return np.zeros((0, len(self.labels)))
        docs = prepare(docs, self.hmm)
        proba = np.asarray(_predict_proba(self.pipeline, docs))
        if self.task == "tags" and self.scoring == "doc+sentences":
            # A one-sentence text is its own best sentence: only the others are scored again.
            several = [i for i, d in enumerate(docs) if d.several_sentences]
            if several:
                sentences, owner = sentence_batch([docs[i] for i in several])
                best = np.zeros((len(several), proba.shape[1]))
                np.maximum.at(best, owner, np.asarray(_predict_proba(self.pipeline, sentences)))
                proba = proba.copy()
                proba[several] = (proba[several] + best) / 2.0
        classes = [str(c) for c in self.pipeline.classes_] if self.task != "tags" else self.labels
        order = [classes.index(label) for label in self.labels]
        return proba[:, order]

    def cutoffs(self, docs: Sequence[Doc]) -> np.ndarray:
        """(n_texts, n_labels) decision thresholds: the long-text set for long texts."""
        short = np.array([self.thresholds.get(t, 0.5) for t in self.labels])
        if not self.long_thresholds:
            return np.tile(short, (len(docs), 1))
        long = np.array([self.long_thresholds.get(t, self.thresholds.get(t, 0.5)) for t in self.labels])
        mask = np.fromiter((is_long(d) for d in docs), dtype=bool, count=len(docs))
        return np.where(mask[:, None], long, short)


class NBLogisticRegression(ClassifierMixin, BaseEstimator):
    """NB-LR (Wang & Manning 2012): logistic regression on features scaled by the log-count
    ratio of the two classes, computed on binarised features with add-`alpha` smoothing."""

    def __init__(self, C: float = 4.0, alpha: float = 1.0, random_state: int | None = None) -> None:
        self.C, self.alpha, self.random_state = C, alpha, random_state

    def fit(self, X, y) -> NBLogisticRegression:
        X = sparse.csr_matrix(X)
        self.classes_, yi = np.unique(y, return_inverse=True)
        binary = X.copy()
        binary.data = np.ones_like(binary.data)
        p = self.alpha + np.asarray(binary[yi == 1].sum(axis=0)).ravel()
        q = self.alpha + np.asarray(binary[yi == 0].sum(axis=0)).ravel()
        self.ratio_ = np.log((p / p.sum()) / (q / q.sum())).astype(np.float32)
        self.model_ = LogisticRegression(C=self.C, solver="liblinear", random_state=self.random_state)
        self.model_.fit(self._scale(X), yi)
        return self

    def _scale(self, X):
        return sparse.csr_matrix(X).multiply(self.ratio_).tocsr()

    def predict_proba(self, X) -> np.ndarray:
        return self.model_.predict_proba(self._scale(X))

    def predict(self, X) -> np.ndarray:
        return self.classes_[self.predict_proba(X).argmax(axis=1)]


class SigmoidSVC(ClassifierMixin, BaseEstimator):
    """LinearSVC with a fixed logistic squashing of its margin, so it can take part in soft voting."""

    def __init__(self, C: float = 0.3, scale: float = 2.0, random_state: int | None = None) -> None:
        self.C, self.scale, self.random_state = C, scale, random_state

    def fit(self, X, y) -> SigmoidSVC:
        self.model_ = LinearSVC(C=self.C, random_state=self.random_state).fit(X, y)
        self.classes_ = self.model_.classes_
        return self

    def predict_proba(self, X) -> np.ndarray:
        p = 1.0 / (1.0 + np.exp(-self.scale * self.model_.decision_function(X)))
        return np.column_stack([1.0 - p, p])

    def predict(self, X) -> np.ndarray:
        return self.classes_[(self.predict_proba(X)[:, 1] > 0.5).astype(int)]


def _sentiment_estimator(seed: int):
    """Soft vote of the best configuration of each family, chosen by 5-fold CV on the training
    split only (bench/nlp/sentiment_experiments.py): LR C=4, LinearSVC C=0.3, SGD modified-huber
    alpha=1e-4, NB-LR C=4."""
    return VotingClassifier(
        [
            ("lr", LogisticRegression(C=4.0, solver="liblinear", random_state=seed)),
            ("svm", SigmoidSVC(C=0.3, random_state=seed)),
            ("sgd", SGDClassifier(loss="modified_huber", alpha=1e-4, max_iter=50, tol=None,
                                  random_state=seed)),
            ("nblr", NBLogisticRegression(C=4.0, random_state=seed)),
        ],
        voting="soft",
    )


_heads: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _linear_member(est):
    """(coef, intercept, link) of a fitted binary linear member of our sentiment vote, else None."""
    if type(est) is LogisticRegression and est.coef_.shape[0] == 1:
        return est.coef_[0], est.intercept_[0], ("logistic", 1.0)
    if type(est) is SigmoidSVC and est.model_.coef_.shape[0] == 1:
        return est.model_.coef_[0], est.model_.intercept_[0], ("logistic", float(est.scale))
    if type(est) is SGDClassifier and est.loss == "modified_huber" and est.coef_.shape[0] == 1:
        return est.coef_[0], est.intercept_[0], ("huber", 1.0)
    if type(est) is NBLogisticRegression and est.model_.coef_.shape[0] == 1:
        # LR on X * ratio_ == LR on X with coefficients ratio_ * coef.
        return (est.ratio_.astype(np.float64) * est.model_.coef_[0], est.model_.intercept_[0],
                ("logistic", 1.0))
    return None


def _linear_head(model):
    """The fitted model as one (n_features, k) weight matrix plus how to turn the k margins into
    probabilities, when it is a soft vote of binary linear models or a multilabel one-vs-rest of
    logistic regressions; None for any other model. Built once per model and never pickled."""
    try:
        return _heads[model]
    except (KeyError, TypeError):
        pass
    head = None
    if isinstance(model, VotingClassifier) and model.voting == "soft" and model.weights is None \
            and len(model.classes_) == 2:
        members = [_linear_member(e) for e in model.estimators_]
        if members and all(m is not None for m in members):
            head = ("vote", members)
    elif isinstance(model, OneVsRestClassifier) and model.multilabel_:
        members = [(e.coef_[0], e.intercept_[0], ("logistic", 1.0)) for e in model.estimators_
                   if type(e) is LogisticRegression and e.coef_.shape[0] == 1]
        if len(members) == len(model.estimators_):
            head = ("ovr", members)
    if head is not None:
        kind, members = head
        W = np.column_stack([np.asarray(c, dtype=np.float64) for c, _, _ in members])
        b = np.array([i for _, i, _ in members], dtype=np.float64)
        head = (kind, W, b, [link for _, _, link in members])
    try:
        _heads[model] = head
    except TypeError:
        pass
    return head


def _member_probabilities(margins: np.ndarray, links) -> np.ndarray:
    out = np.empty_like(margins)
    for j, (kind, scale) in enumerate(links):
        d = margins[:, j]
        if kind == "logistic":
            out[:, j] = 1.0 / (1.0 + np.exp(-scale * d)) if scale != 1.0 else expit(d)
        else:  # modified Huber, as SGDClassifier.predict_proba
            out[:, j] = (np.clip(d, -1.0, 1.0) + 1.0) / 2.0
    return out


def _predict_proba(pipeline: Pipeline, docs: list[Doc]) -> np.ndarray:
    """`pipeline.predict_proba` without the per-call machinery (joblib dispatch, output wrappers)
    around our own prepare -> FeatureUnion -> model layout; any other layout goes the normal way.

    Linear models (the sentiment vote, the tags one-vs-rest) are evaluated as one product of each
    feature block with the stacked coefficients: no stacked matrix, no per-member validation."""
    steps = [name for name, _ in pipeline.steps]
    union = pipeline.named_steps.get("tfidf")
    if steps != ["prepare", "tfidf", "model"] or not isinstance(union, FeatureUnion) \
            or union.transformer_weights:
        return pipeline.predict_proba(docs)
    blocks = [t.transform(docs) for _, t in union.transformer_list if t not in ("drop", "passthrough")]
    model = pipeline.named_steps["model"]
    head = _linear_head(model)
    if head is not None and sum(X.shape[1] for X in blocks) == head[1].shape[0]:
        kind, W, b, links = head
        margins = np.tile(b, (len(docs), 1))
        start = 0
        for X in blocks:
            stop = start + X.shape[1]
            margins += X @ W[start:stop]
            start = stop
        p = _member_probabilities(margins, links)
        if kind == "ovr":
            return p
        p = p.mean(axis=1)
        return np.column_stack([1.0 - p, p])
    X = sparse.hstack(blocks, format="csr") if len(blocks) > 1 else blocks[0]
    return model.predict_proba(X)


def warm_up(pipeline: Pipeline) -> None:
    """Build the fast-transform tables and the linear head now (e.g. before workers fork)."""
    features_warm_up(pipeline)
    model = getattr(pipeline, "named_steps", {}).get("model")
    if model is not None:
        _linear_head(model)


def _estimator(task: str, seed: int):
    if task == "tags":
        # C chosen by group-aware CV on the training rows (bench/nlp/tags_experiments.py).
        base = LogisticRegression(C=32.0, class_weight="balanced", solver="liblinear", random_state=seed)
        return OneVsRestClassifier(base)
    if task == "sentiment":
        return _sentiment_estimator(seed)
    # Dispatch: departments are unbalanced; balanced weights keep small ones reachable.
    return LogisticRegression(C=4.0, class_weight="balanced", max_iter=2000, random_state=seed)


def build_pipeline(task: str, seed: int = 0) -> Pipeline:
    # Tags also get the curated cue-word counts (with negation); see nlp/lexicon.py.
    features = build_features(lexicon=task == "tags")
    return Pipeline([*features.steps, ("model", _estimator(task, seed))])


def tags_matrix(labels: Sequence[Sequence[str]]) -> np.ndarray:
    return np.array([[tag in row for tag in TAGS] for row in labels], dtype=int)


def fit_pipeline(task: str, docs: list[Doc], labels: Sequence, seed: int = 0) -> Pipeline:
    pipe = build_pipeline(task, seed)
    y = tags_matrix(labels) if task == "tags" else np.asarray(labels)
    pipe.fit(docs, y)
    drop_fit_leftovers(pipe)
    return pipe


def best_threshold(y: np.ndarray, p: np.ndarray) -> tuple[float, dict]:
    """Highest-F1 threshold among those reaching MIN_PRECISION (else highest F1 overall)."""
    best, best_key = 0.5, (-1, -1.0, -1.0)
    stats = {}
    for t in THRESHOLD_GRID:
        pred = p >= t
        tp = int((pred & (y == 1)).sum())
        prec = tp / max(int(pred.sum()), 1)
        rec = tp / max(int(y.sum()), 1)
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        # Prefer reaching the precision floor, then F1, then a higher (more conservative) cut.
        key = (int(prec >= MIN_PRECISION), f1, float(t))
        if key > best_key:
            best, best_key = float(t), key
            stats = {"precision": round(prec, 4), "recall": round(rec, 4), "f1": round(f1, 4)}
    return best, stats


_POOL_GROUP = re.compile(r"^[a-z]+(\d+)$")


def cv_groups(docs: Sequence[Doc], groups: Sequence | None, folds: int) -> list:
    """Groups for GroupKFold: the given ones if there are enough, else one group per distinct text.

    Generated training data records which pool sub-split each row came from ("g0".."g3" for the
    short seed's fragment sub-pools, "m0".."m3" for the long messages' sentence groups, "h0".."h3"
    for hand-written letters), so validation folds share no fragment or sentence with the rows
    they are scored by (rows of the same template would otherwise sit on both sides and make
    thresholds look better than they generalise). Sub-splits with the same index of different
    families share nothing either, so they are put in one fold ("g1", "m1" and "h1" -> "1"): every
    fold then holds short and long texts alike. Any other group name is kept as it is.
    User-supplied files have no groups; identical texts are then at least kept together.
    """
    if groups is not None:
        keys = [m.group(1) if (m := _POOL_GROUP.match(str(g))) else str(g) for g in groups]
        if len(set(keys)) >= folds:
            return keys
    return [d.text for d in docs]


def oof_tag_scores(docs: list[Doc], y: np.ndarray, cv, seed: int = 0, scoring: str = "doc+sentences") -> np.ndarray:
    """Out-of-fold tag scores, made exactly as the fitted model will make them (`scoring`)."""
    oof = np.zeros(y.shape)
    for train_idx, val_idx in cv:
        pipe = build_pipeline("tags", seed)
        pipe.fit(prepare([docs[i] for i in train_idx]), y[train_idx])
        model = TrainedModel("tags", list(TAGS), pipe, scoring=scoring)
        oof[val_idx] = model.scores(prepare([docs[i] for i in val_idx]))
    return oof


def tune_tag_thresholds(docs: list[Doc], labels: Sequence, seed: int = 0, folds: int = 4,
                        groups: Sequence | None = None, scoring: str = "doc+sentences"):
    """Per-tag thresholds from group-aware out-of-fold scores on the training data only: one set
    for short texts, one for long texts (a length class with too few positives of a tag takes the
    threshold tuned on all texts). Returns (thresholds, long_thresholds, validation)."""
    y = tags_matrix(labels)
    g = cv_groups(docs, groups, folds)
    cv = list(GroupKFold(n_splits=folds).split(docs, y, g))
    oof = oof_tag_scores(docs, y, cv, seed, scoring)
    long = np.fromiter((is_long(d) for d in docs), dtype=bool, count=len(docs))
    thresholds, long_thresholds = {}, {}
    validation: dict = {"all": {}, "short": {}, "long": {}}
    for j, tag in enumerate(TAGS):
        overall, validation["all"][tag] = best_threshold(y[:, j], oof[:, j])
        for name, mask, out in (("short", ~long, thresholds), ("long", long, long_thresholds)):
            if int(y[mask, j].sum()) >= MIN_POSITIVES_PER_CLASS:
                out[tag], validation[name][tag] = best_threshold(y[mask, j], oof[mask, j])
            else:
                out[tag] = overall
    return thresholds, long_thresholds, validation


def tag_margins(scores: np.ndarray, cutoffs: np.ndarray) -> np.ndarray:
    """How far each tag score is from its threshold, as a fraction of the room on that side:
    (s - t) / (1 - t) above the threshold, (t - s) / t below; 0 = on the threshold, 1 = certain."""
    s, t = np.asarray(scores, dtype=float), np.asarray(cutoffs, dtype=float)
    above = s >= t
    room = np.where(above, 1.0 - t, t)
    return np.clip(np.abs(s - t) / np.maximum(room, 1e-9), 0.0, 1.0)


def tag_uncertainty(scores, cutoffs) -> np.ndarray:
    """Per text, 1 - the smallest normalised margin over the tags (see `tag_margins`): 1 when some
    tag's score sits exactly on its threshold, 0 when every tag is clearly decided. Higher = show
    it to a person first. `scores` (n, k) or (k,) with `cutoffs` of the same shape (or (k,));
    e.g. `tag_uncertainty(model.scores(docs), model.cutoffs(docs))`."""
    s = np.atleast_2d(np.asarray(scores, dtype=float))
    t = np.broadcast_to(np.asarray(cutoffs, dtype=float), s.shape)
    if s.shape[1] == 0:
        return np.zeros(s.shape[0])
    return 1.0 - tag_margins(s, t).min(axis=1)


def sentiment_of(p_positive: float, band: tuple[float, float] = NEUTRAL_BAND) -> dict:
    """Map P(positive) to the label/score pair the service stores."""
    p = float(p_positive)
    label = "negative" if p < band[0] else "positive" if p > band[1] else "neutral"
    return {"label": label, "score": round(p, 4)}


def _tag_scores(tags: Sequence[Mapping | str] | None) -> list[float]:
    return [1.0 if isinstance(t, str) else float(t.get("score", 1.0)) for t in tags or []]


def mismatch(
    stars: int | None,
    sentiment_score: float | None,
    tags: Sequence[Mapping | str] | None,
    *,
    negative_below: float = 0.25,
    positive_above: float = 0.8,
    strong_tag: float = 0.7,
) -> bool:
    """True when the stars and the text clearly disagree (the rating is then shown for review).

    `tags` are the emitted tags, as {"tag", "score"} dicts or bare tag names.
    """
    if stars is None or sentiment_score is None:
        return False
    scores = _tag_scores(tags)
    if stars >= 4:
        return sentiment_score < negative_below or any(s >= strong_tag for s in scores)
    if stars <= 2:
        return sentiment_score > positive_above and not scores
    return False
