"""Errors that carry a sentence a user can act on, raised by ingestion and retrieval alike."""

from __future__ import annotations


class OQAError(Exception):
    """Base class: ``str(error)`` is a complete, user-facing sentence."""


class SourceError(OQAError):
    """A source file could not be read or is not a decision; it is skipped."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class ParseError(SourceError):
    """The text was read but is not a recognisable decision."""


class IndexMismatchError(OQAError):
    """The index was built with other embedding or chunking settings."""


class IndexMissingError(OQAError):
    """No index has been built at the configured store."""


class SettingsError(OQAError):
    """An OQA_ setting whose value is not valid."""


class FilterError(OQAError, ValueError):
    """A filter value with no canonical form (a date that is none, an unknown outcome)."""


class IndexUnusableError(OQAError):
    """The index folder cannot be used as it is: a file, damaged, or read-only for a writer."""


class StoreUnavailableError(OQAError):
    """The vector store cannot be reached or refused us (Chroma server mode)."""


class QuestionError(OQAError):
    """A question that cannot be used as it is (empty, too long)."""


class UnknownReferenceError(OQAError):
    """A decision reference that is not in the index."""


class UnknownOrganisationError(OQAError):
    """An organisation name that matches nothing (or several things) in the index."""

    def __init__(self, message: str, close_names: list[str]) -> None:
        super().__init__(message)
        self.close_names = close_names
