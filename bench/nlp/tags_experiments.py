"""Tag model selection by group-aware cross-validation on the TRAINING rows only.

Run: .venv/bin/python -m bench.nlp.tags_experiments
Folds follow the generator's fragment sub-pools ("group"), so no fragment is on both sides. The
held-out split is not read here.
"""

from __future__ import annotations

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold, cross_val_predict
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import Pipeline

from nlp import datasets, preload
from nlp.classifier import TAGS, best_threshold, tags_matrix
from nlp.features import build_features, prepare


def pipeline(C: float, lexicon: bool, weight: float, cw) -> Pipeline:
    feats = build_features(lexicon=lexicon)
    if lexicon:
        feats.named_steps["tfidf"].transformer_list[2][1].set_params(weight=weight)
    model = OneVsRestClassifier(LogisticRegression(C=C, class_weight=cw, solver="liblinear"))
    return Pipeline([*feats.steps, ("model", model)])


def main() -> None:
    preload()
    texts, labels = datasets.read_seed_tags()
    groups = datasets.read_seed_tag_groups()
    docs, y = prepare(texts), tags_matrix(labels)
    cv = list(GroupKFold(n_splits=4).split(docs, y, groups))
    grid = [(C, lex, w, cw) for lex, w in ((False, 1.0), (True, 1.0), (True, 2.0))
            for C in (2.0, 8.0, 32.0) for cw in ("balanced",)]
    for C, lex, w, cw in grid:
        oof = cross_val_predict(pipeline(C, lex, w, cw), docs, y, cv=cv, method="predict_proba")
        f1 = {tag: best_threshold(y[:, j], oof[:, j])[1]["f1"] for j, tag in enumerate(TAGS)}
        print(f"C={C:<5} lexicon={lex!s:5} weight={w} macro-F1={np.mean(list(f1.values())):.4f}", f1,
              flush=True)


if __name__ == "__main__":
    main()
