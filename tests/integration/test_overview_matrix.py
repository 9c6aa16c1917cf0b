"""The matrix of decisions' opening vectors a reader keeps follows every commit: its own
and another connection's (it is kept between questions, and checked by a cheap stamp)."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np

from ingest.storage import opened_store
from ingest.vocabulary.settings import Settings

FICTIONAL_REF = "99-999-001"  # not a published decision: a vector row written by the test


def test_a_reader_sees_opening_vectors_written_by_another_connection(
    built_store: Settings, tmp_path: Path
) -> None:
    copy = tmp_path / "store"
    shutil.copytree(built_store.store_dir, copy)
    with opened_store(built_store, copy) as reader, opened_store(
        built_store, copy, read_only=False
    ) as writer:
        refs, matrix = reader.overviews.matrix()
        assert FICTIONAL_REF not in refs
        assert FICTIONAL_REF not in writer.overviews.matrix()[0]  # kept by the writer too
        vector = np.ones(matrix.shape[1], dtype=np.float32) / np.sqrt(matrix.shape[1])
        writer.overviews.add({FICTIONAL_REF: vector})
        assert FICTIONAL_REF in writer.overviews.matrix()[0]  # the writer's own change
        refs_after, matrix_after = reader.overviews.matrix()
        assert FICTIONAL_REF in refs_after
        assert matrix_after.shape[0] == matrix.shape[0] + 1
        writer.overviews.drop_stale()  # the ref has no decision row: it goes
        assert FICTIONAL_REF not in reader.overviews.matrix()[0]


def test_opening_similarities_rank_the_closest_opening_first(built_store: Settings) -> None:
    """The float16 matrix the reader keeps scores within 0.001 of float32's products."""
    with opened_store(built_store) as store:
        refs, matrix = store.overviews.matrix()
        vector = matrix[3].astype(np.float32)
        vector /= np.linalg.norm(vector)
        scored_refs, scores = store.overviews.similarities(vector)
    exact = matrix.astype(np.float32) @ vector
    assert scored_refs == refs
    assert scored_refs[int(np.argmax(scores))] == refs[3]
    assert np.abs(scores - exact).max() < 1e-3
