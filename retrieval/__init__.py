"""Ombudsman Q&A retrieval: search, cited answers and similar decisions over the index.

The Python API mirrors the command line::

    from retrieval import open_engine
    engine = open_engine()                      # the OQA_STORE_DIR index
    engine.answer("why won't they look at my school transport complaint?")

Module-level ``search``, ``answer`` and ``similar`` use one engine per store,
opened on first use.

Everything the app uses is exported here, including the shared vocabulary its calls take
and return (filters, decisions, settings, errors). Names load on first use: importing
this package loads neither LangChain nor the index.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ingest.vocabulary.lazy import lazy_exports

if TYPE_CHECKING:
    from ingest.vocabulary.errors import IndexMissingError, OQAError
    from ingest.vocabulary.filters import DecisionFilter
    from ingest.vocabulary.outcomes import OUTCOME_GROUPS, outcome_group
    from ingest.vocabulary.records import Decision, Section
    from ingest.vocabulary.settings import Settings, get_settings
    from retrieval.answering.precheck import (
        Example,
        Finding,
        Precheck,
        precheck,
        reasons_from_answers,
    )
    from retrieval.engine import Engine, open_engine
    from retrieval.feedback import ANSWER, WRONG_CITATION, Feedback, record_feedback
    from retrieval.labels import outcome_label, reason_label
    from retrieval.localdata import local_db
    from retrieval.organisation.profile import GROUP_LABELS, OrganisationProfile, row_reasons
    from retrieval.organisation.remedies import KIND_LABELS, Remedy
    from retrieval.types import (
        NOT_SHOWN_WORDS,
        Answer,
        Citation,
        DecisionHit,
        FilterOptions,
        Intent,
        QueryPlan,
        SearchResult,
        SimilarResult,
        SoftHints,
        Turn,
    )
    from retrieval.wording import explanations, link, outcome_meaning, sentence

__all__ = [
    "ANSWER",
    "GROUP_LABELS",
    "KIND_LABELS",
    "NOT_SHOWN_WORDS",
    "OUTCOME_GROUPS",
    "WRONG_CITATION",
    "Answer",
    "Citation",
    "Decision",
    "DecisionFilter",
    "DecisionHit",
    "Engine",
    "Example",
    "Feedback",
    "FilterOptions",
    "Finding",
    "IndexMissingError",
    "Intent",
    "OQAError",
    "OrganisationProfile",
    "Precheck",
    "QueryPlan",
    "Remedy",
    "SearchResult",
    "Section",
    "Settings",
    "SimilarResult",
    "SoftHints",
    "Turn",
    "answer",
    "explanations",
    "get_settings",
    "link",
    "local_db",
    "open_engine",
    "outcome_group",
    "outcome_label",
    "outcome_meaning",
    "precheck",
    "reason_label",
    "reasons_from_answers",
    "record_feedback",
    "row_reasons",
    "search",
    "sentence",
    "similar",
]

_load = lazy_exports(
    __name__,
    {
        "ingest.vocabulary.errors": ("IndexMissingError", "OQAError"),
        "ingest.vocabulary.filters": ("DecisionFilter",),
        "ingest.vocabulary.outcomes": ("OUTCOME_GROUPS", "outcome_group"),
        "ingest.vocabulary.records": ("Decision", "Section"),
        "ingest.vocabulary.settings": ("Settings", "get_settings"),
        "retrieval.engine": ("Engine", "open_engine"),
        "retrieval.wording": ("explanations", "link", "outcome_meaning", "sentence"),
        "retrieval.feedback": ("ANSWER", "WRONG_CITATION", "Feedback", "record_feedback"),
        "retrieval.labels": ("outcome_label", "reason_label"),
        "retrieval.localdata": ("local_db",),
        "retrieval.organisation.profile": ("GROUP_LABELS", "OrganisationProfile", "row_reasons"),
        "retrieval.answering.precheck": (
            "Example",
            "Finding",
            "Precheck",
            "precheck",
            "reasons_from_answers",
        ),
        "retrieval.organisation.remedies": ("KIND_LABELS", "Remedy"),
        "retrieval.types": (
            "NOT_SHOWN_WORDS",
            "Answer",
            "Citation",
            "DecisionHit",
            "FilterOptions",
            "Intent",
            "QueryPlan",
            "SearchResult",
            "SimilarResult",
            "SoftHints",
            "Turn",
        ),
    },
)


def __getattr__(name: str) -> object:
    return _load(name)


@lru_cache(maxsize=4)
def _engine(store_dir: str | None) -> Engine:
    from retrieval.engine import open_engine  # here: the engine loads LangChain and the index

    return open_engine(store_dir=Path(store_dir) if store_dir else None)


def search(query: str, store_dir: Path | None = None, **options: Any) -> SearchResult:
    return _engine(str(store_dir) if store_dir else None).search(query, **options)


def answer(question: str, store_dir: Path | None = None, **options: Any) -> Answer:
    return _engine(str(store_dir) if store_dir else None).answer(question, **options)


def similar(store_dir: Path | None = None, **options: Any) -> SimilarResult:
    return _engine(str(store_dir) if store_dir else None).similar(**options)
