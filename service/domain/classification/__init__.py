"""Text classification in the service: the model registry, retraining, and the domain side of the
classification jobs (reviews and 12345 cases).

Owns: which model is active per task (`registry.py`), training and retraining that activates only
when not worse (`training.py`, the rule in `retraining.py`), classifying stored texts idempotently
with backoff (`classify.py`), and the human review queue, least sure first (`queue.py`). The models themselves are the pure `nlp` library's.
May import: `accounts`, `ratings` (the option catalogue's weak labels), the `nlp` library.
"""

from service.domain.classification.classify import (
    classify_case,
    classify_cases,
    classify_review,
    classify_reviews,
    classify_text,
    retry_delay,
)
from service.domain.classification.queue import SOURCES as QUEUE_SOURCES
from service.domain.classification.queue import QueueItem, review_queue
from service.domain.classification.registry import (
    NO_MODEL_MESSAGE,
    TASKS,
    ModelUnavailable,
    activate,
    active_model,
    active_model_info,
    active_models,
    clear_cache,
    current_classifier,
    preload_active,
    register_model,
)
from service.domain.classification.retraining import retrain
from service.domain.classification.training import (
    DEFAULT_TASKS,
    bootstrap_defaults,
    default_training_set,
    evaluate_file,
    feedback_rows,
    human_labels,
    train_from_file,
)

__all__ = [
    "DEFAULT_TASKS",
    "ModelUnavailable",
    "NO_MODEL_MESSAGE",
    "QUEUE_SOURCES",
    "QueueItem",
    "TASKS",
    "activate",
    "active_model",
    "active_model_info",
    "active_models",
    "bootstrap_defaults",
    "classify_case",
    "classify_cases",
    "classify_review",
    "classify_reviews",
    "classify_text",
    "clear_cache",
    "current_classifier",
    "default_training_set",
    "evaluate_file",
    "feedback_rows",
    "human_labels",
    "preload_active",
    "register_model",
    "retrain",
    "review_queue",
    "retry_delay",
    "train_from_file",
]
