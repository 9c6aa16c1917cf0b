"""Errors retrieval raises; ``str(error)`` is the sentence to show a user."""

from ingest.errors import IndexMismatchError, IndexMissingError, OQAError


class QuestionError(OQAError):
    """A question that cannot be used as it is (empty, too long)."""


class UnknownReferenceError(OQAError):
    """A decision reference that is not in the index."""


class UnknownOrganisationError(OQAError):
    """An organisation name that matches nothing (or several things) in the index."""

    def __init__(self, message: str, close_names: list[str]) -> None:
        super().__init__(message)
        self.close_names = close_names


__all__ = [
    "IndexMismatchError",
    "IndexMissingError",
    "OQAError",
    "QuestionError",
    "UnknownOrganisationError",
    "UnknownReferenceError",
]
