"""Errors retrieval raises; ``str(error)`` is the sentence to show a user."""

from ingest.errors import IndexMismatchError, IndexMissingError, OQAError


class QuestionError(OQAError):
    """A question that cannot be used as it is (empty, too long)."""


class UnknownReferenceError(OQAError):
    """A decision reference that is not in the index."""


__all__ = [
    "IndexMismatchError",
    "IndexMissingError",
    "OQAError",
    "QuestionError",
    "UnknownReferenceError",
]
