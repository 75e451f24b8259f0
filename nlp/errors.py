"""Exceptions raised by the nlp package. Messages are meant for people, so they are in Chinese."""


class ClassificationError(Exception):
    """Base class of every error the nlp package raises on purpose."""


class TrainingDataError(ClassificationError):
    """Training data cannot be used (missing column, unknown label, nothing usable, one class)."""


class IncompatibleModelError(ClassificationError):
    """A saved model was built with another scikit-learn version and must be retrained."""


class ModelNotFoundError(ClassificationError):
    """A model directory is missing or incomplete."""
