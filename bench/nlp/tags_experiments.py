"""Tag model selection by group-aware cross-validation on the TRAINING rows only.

Run: .venv/bin/python -m bench.nlp.tags_experiments [variant ...]

Training rows are the short seed (groups g0..g3) and the long messages (m0..m3, h0..h3); a fold
holds the sub-pools with the same index of every family, so no fragment, sentence or hand-written
letter is on both sides. Each variant's out-of-fold probabilities are scored on the long rows and
on the short rows separately, with per-tag thresholds picked on those same out-of-fold scores
(the same rule the library uses, nlp.classifier.best_threshold): either one set for all texts or
one set per length class. No held-out or evaluation file is read here.
"""

from __future__ import annotations

import sys
import time

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import FeatureUnion, Pipeline

from nlp import datasets, preload
from nlp.classifier import TAGS, best_threshold, cv_groups, tags_matrix
from nlp.features import build_features, prepare

LONG_CHARS = 100


def features(variant: str) -> Pipeline:
    feats = build_features(lexicon="nolex" not in variant and "ctx" not in variant)
    union: FeatureUnion = feats.named_steps["tfidf"]
    extra = []
    if "ctx" in variant:
        from nlp.lexicon import ContextCueFeatures

        extra.append(("context", ContextCueFeatures()))
        if "ctxw" in variant:  # scaled: ctxw2 -> weight 2
            weight = float(variant.split("ctxw")[1].split("+")[0])
            union.transformer_weights = {"context": weight}
    if "topics" in variant:
        from nlp.lexicon import TOPIC_CUES, CueFeatures

        extra.append(("topics", CueFeatures(cues=tuple(TOPIC_CUES.items()))))
    if "length" in variant:
        from nlp.features import LengthFeatures

        extra.append(("length", LengthFeatures()))
    union.transformer_list = list(union.transformer_list) + extra
    return feats


def C_of(variant: str) -> float:
    for part in variant.split("+"):
        if part.startswith("C"):
            return float(part[1:])
    return 32.0


def fit_predict(variant: str, tr_docs, y_tr, va_docs) -> np.ndarray:
    feats = features(variant)
    Xtr = feats.fit_transform(tr_docs)
    Xva = feats.transform(va_docs)
    lr = dict(C=C_of(variant), class_weight="balanced", solver="liblinear")
    if "twostage" in variant:
        any_tr = y_tr.any(axis=1).astype(int)
        gate = LogisticRegression(**lr).fit(Xtr, any_tr)
        pos = any_tr == 1
        cond = OneVsRestClassifier(LogisticRegression(**lr)).fit(Xtr[pos], y_tr[pos])
        return gate.predict_proba(Xva)[:, [1]] * cond.predict_proba(Xva)
    if "gate" in variant:  # marginal one-vs-rest, multiplied by the any-tag gate
        any_tr = y_tr.any(axis=1).astype(int)
        gate = LogisticRegression(**lr).fit(Xtr, any_tr)
        ovr = OneVsRestClassifier(LogisticRegression(**lr)).fit(Xtr, y_tr)
        return np.sqrt(gate.predict_proba(Xva)[:, [1]] * ovr.predict_proba(Xva))
    return OneVsRestClassifier(LogisticRegression(**lr)).fit(Xtr, y_tr).predict_proba(Xva)


def report(y, p, mask) -> dict:
    out = {}
    for j, tag in enumerate(TAGS):
        t, stats = best_threshold(y[mask, j], p[mask, j])
        out[tag] = {**stats, "t": t}
    out["macro"] = round(float(np.mean([out[t]["f1"] for t in TAGS])), 4)
    return out


def with_thresholds(y, p, mask, cuts) -> dict:
    pred = p[mask] >= cuts
    out = {}
    for j, tag in enumerate(TAGS):
        tp = int((pred[:, j] & (y[mask, j] == 1)).sum())
        prec, rec = tp / max(int(pred[:, j].sum()), 1), tp / max(int(y[mask, j].sum()), 1)
        out[tag] = {"precision": round(prec, 3), "recall": round(rec, 3),
                    "f1": round(2 * prec * rec / (prec + rec), 4) if prec + rec else 0.0}
    out["macro"] = round(float(np.mean([out[t]["f1"] for t in TAGS])), 4)
    return out


def main() -> None:
    preload()
    texts, labels = datasets.read_seed_tags()
    groups = datasets.read_seed_tag_groups()
    docs, y = prepare(texts), tags_matrix(labels)
    folds = cv_groups(docs, groups, 4)
    cv = list(GroupKFold(n_splits=4).split(docs, y, folds))
    long = np.array([len(d.text) > LONG_CHARS for d in docs])
    print(f"{len(docs)} rows, {int(long.sum())} long; folds {sorted(set(folds))}", flush=True)
    variants = sys.argv[1:] or ["base", "topics", "length", "topics+length", "twostage",
                                 "topics+length+twostage", "topics+length+gate", "nolex+topics+length",
                                 "topics+length+C8", "topics+length+C64"]
    for variant in variants:
        start = time.perf_counter()
        oof = np.zeros(y.shape)
        for tr, va in cv:
            oof[va] = fit_predict(variant, [docs[i] for i in tr], y[tr], [docs[i] for i in va])
        one = np.array([best_threshold(y[:, j], oof[:, j])[0] for j in range(3)])
        per_len_long, per_len_short = report(y, oof, long), report(y, oof, ~long)
        single_long, single_short = with_thresholds(y, oof, long, one), with_thresholds(y, oof, ~long, one)
        print(f"{variant:28s} ({time.perf_counter() - start:.0f}s) "
              f"long: per-length {per_len_long['macro']:.4f} single {single_long['macro']:.4f} | "
              f"short: per-length {per_len_short['macro']:.4f} single {single_short['macro']:.4f}", flush=True)
        print("   long per-length P/R:", {t: (per_len_long[t]["precision"], per_len_long[t]["recall"],
                                            per_len_long[t]["t"]) for t in TAGS},
              "short:", {t: (per_len_short[t]["precision"], per_len_short[t]["recall"],
                             per_len_short[t]["t"]) for t in TAGS}, flush=True)


if __name__ == "__main__":
    main()


# --- sentence-level scoring (prototype) -----------------------------------------------------
import re  # noqa: E402

from nlp.data import build_messages  # noqa: E402

_SPLIT = re.compile(r"[。！？!?；;\s]+")


def sentences(doc) -> list[str]:
    return [s for s in _SPLIT.split(doc.text) if len(s) >= 2] or [doc.text]


def sentence_experiment(variant: str = "sent") -> None:
    preload()
    texts, labels = datasets.read_seed_tags()
    groups = datasets.read_seed_tag_groups()
    docs, y = prepare(texts), tags_matrix(labels)
    folds = cv_groups(docs, groups, 4)
    units = build_messages.sentence_rows("train")
    u_docs, u_y = prepare([u["text"] for u in units]), tags_matrix([u["labels"] for u in units])
    u_fold = cv_groups(u_docs, [u["group"] for u in units], 4)
    long = np.array([len(d.text) > LONG_CHARS for d in docs])
    sent_lists = [sentences(d) for d in docs]
    flat = prepare([s for lst in sent_lists for s in lst])
    owner = np.repeat(np.arange(len(docs)), [len(lst) for lst in sent_lists])
    p_doc, p_max = np.zeros(y.shape), np.zeros(y.shape)
    for k in sorted(set(folds)):
        tr = [i for i, f in enumerate(folds) if f != k]
        va = np.array([i for i, f in enumerate(folds) if f == k])
        tr_units = [i for i, f in enumerate(u_fold) if f != k] if "units" in variant else []
        feats = features(variant)
        X = feats.fit_transform([docs[i] for i in tr] + [u_docs[i] for i in tr_units])
        Y = np.vstack([y[tr], u_y[tr_units]]) if tr_units else y[tr]
        model = OneVsRestClassifier(LogisticRegression(C=C_of(variant), class_weight="balanced",
                                                       solver="liblinear")).fit(X, Y)
        p_doc[va] = model.predict_proba(feats.transform([docs[i] for i in va]))
        mask = np.isin(owner, va)
        ps = model.predict_proba(feats.transform([flat[i] for i in np.where(mask)[0]]))
        agg = np.zeros((len(docs), 3))
        np.maximum.at(agg, owner[mask], ps)
        p_max[va] = agg[va]
    for name, p in (("doc", p_doc), ("maxsent", p_max), ("mean", (p_doc + p_max) / 2),
                    ("geo", np.sqrt(p_doc * p_max)), ("max", np.maximum(p_doc, p_max))):
        rl, rs = report(y, p, long), report(y, p, ~long)
        print(f"{variant}:{name:8s} long {rl['macro']:.4f} short {rs['macro']:.4f}",
              {t: (rl[t]["precision"], rl[t]["recall"]) for t in TAGS}, flush=True)


def library_cv(scoring: str) -> None:
    """The library's own pipeline and scoring (nlp.classifier.oof_tag_scores), same folds."""
    from nlp.classifier import oof_tag_scores

    preload()
    texts, labels = datasets.read_seed_tags()
    docs, y = prepare(texts), tags_matrix(labels)
    folds = cv_groups(docs, datasets.read_seed_tag_groups(), 4)
    cv = list(GroupKFold(n_splits=4).split(docs, y, folds))
    long = np.array([len(d.text) > LONG_CHARS for d in docs])
    start = time.perf_counter()
    oof = oof_tag_scores(docs, y, cv, scoring=scoring)
    rl, rs = report(y, oof, long), report(y, oof, ~long)
    print(f"library {scoring:14s} ({time.perf_counter() - start:.0f}s) long {rl['macro']:.4f} short {rs['macro']:.4f}",
          "long P/R/t:", {t: (rl[t]["precision"], rl[t]["recall"], rl[t]["t"]) for t in TAGS}, flush=True)
