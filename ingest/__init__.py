"""Ombudsman Q&A ingestion: decision files in, a searchable index out.

The Python API mirrors ``python -m ingest build``::

    from ingest import build, get_settings
    summary = build([Path("decisions/")], get_settings())

The words both halves of the product share (records, outcomes, errors, filters, settings)
live in :mod:`ingest.vocabulary`; the most used are exported here too. Names load on first
use, so importing this package reads no file and loads no model.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ingest.vocabulary.lazy import lazy_exports

if TYPE_CHECKING:
    from ingest.indexing.pipeline import BuildSummary, build
    from ingest.vocabulary.errors import IndexMissingError, OQAError
    from ingest.vocabulary.filters import DecisionFilter
    from ingest.vocabulary.records import Decision, Outcome, Reason
    from ingest.vocabulary.settings import Settings, get_settings

__all__ = [
    "BuildSummary",
    "Decision",
    "DecisionFilter",
    "IndexMissingError",
    "OQAError",
    "Outcome",
    "Reason",
    "Settings",
    "build",
    "get_settings",
]

_load = lazy_exports(
    __name__,
    {
        "ingest.indexing.pipeline": ("BuildSummary", "build"),
        "ingest.vocabulary.errors": ("IndexMissingError", "OQAError"),
        "ingest.vocabulary.filters": ("DecisionFilter",),
        "ingest.vocabulary.records": ("Decision", "Outcome", "Reason"),
        "ingest.vocabulary.settings": ("Settings", "get_settings"),
    },
)


def __getattr__(name: str) -> object:
    return _load(name)
