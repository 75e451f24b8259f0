"""Text classification for citizen feedback: tags, sentiment, mismatch flag and dispatch hints.

Pure library: no Flask, database or queue imports. Typical use in a worker::

    from nlp import Classifier, preload
    preload()                                   # before forking
    clf = Classifier.from_directories(tags_dir, sentiment_dir)
    clf.classify_batch(texts, stars)
"""

from nlp.artifacts import load, save
from nlp.baseline import KeywordRule
from nlp.classifier import TAGS, TrainedModel, mismatch, sentiment_of, tag_uncertainty
from nlp.datasets import read_labelled_file
from nlp.errors import (
    ClassificationError,
    IncompatibleModelError,
    ModelNotFoundError,
    TrainingDataError,
)
from nlp.evaluate import evaluate, evaluate_tags, tag_report
from nlp.service import Classifier, train, train_default
from nlp.tokenizer import preload, tokenize

__all__ = [
    "TAGS",
    "ClassificationError",
    "Classifier",
    "IncompatibleModelError",
    "KeywordRule",
    "ModelNotFoundError",
    "TrainedModel",
    "TrainingDataError",
    "evaluate",
    "evaluate_tags",
    "load",
    "mismatch",
    "preload",
    "read_labelled_file",
    "save",
    "sentiment_of",
    "tag_report",
    "tag_uncertainty",
    "tokenize",
    "train",
    "train_default",
]
