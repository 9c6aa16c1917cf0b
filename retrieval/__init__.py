"""Ombudsman Q&A retrieval: search, cited answers and similar decisions over the index.

The Python API mirrors the command line::

    from retrieval import open_engine
    engine = open_engine()                      # the OQA_STORE_DIR index
    engine.answer("why won't they look at my school transport complaint?")

Module-level ``search``, ``answer`` and ``similar`` use one engine per store,
opened on first use.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from retrieval.engine import Engine, open_engine
from retrieval.types import Answer, SearchResult, SimilarResult, Turn

__all__ = [
    "Answer",
    "Engine",
    "SearchResult",
    "SimilarResult",
    "Turn",
    "answer",
    "open_engine",
    "search",
    "similar",
]


@lru_cache(maxsize=4)
def _engine(store_dir: str | None) -> Engine:
    return open_engine(store_dir=Path(store_dir) if store_dir else None)


def search(query: str, store_dir: Path | None = None, **options: Any) -> SearchResult:
    return _engine(str(store_dir) if store_dir else None).search(query, **options)


def answer(question: str, store_dir: Path | None = None, **options: Any) -> Answer:
    return _engine(str(store_dir) if store_dir else None).answer(question, **options)


def similar(store_dir: Path | None = None, **options: Any) -> SimilarResult:
    return _engine(str(store_dir) if store_dir else None).similar(**options)
