"""How wide the vector search looks is set by the build for the index's size, and kept by
Chroma for every reader after (a small index gets a search wide enough to return the same
chunks in every process)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import ingest.vectors
from ingest.storage import opened_store
from ingest.vectors import DEFAULT_SEARCH, WIDE_SEARCH
from ingest.vocabulary.settings import Settings


def test_a_built_small_index_searches_wide(built_store: Settings) -> None:
    with opened_store(built_store) as store:
        assert store.vectors.search_breadth == WIDE_SEARCH


def test_a_large_index_keeps_the_default_breadth_for_its_readers(
    built_store: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = tmp_path / "store"
    shutil.copytree(built_store.store_dir, copy)
    monkeypatch.setattr(ingest.vectors, "SMALL_INDEX_VECTORS", 10)  # the sample is "large"
    with opened_store(built_store, copy, read_only=False) as writer:
        writer.vectors.fit_search_breadth()
    with opened_store(built_store, copy) as reader:  # a new reader reads Chroma's setting
        assert reader.vectors.search_breadth == DEFAULT_SEARCH

