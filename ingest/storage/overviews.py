"""Decision vectors: one per decision, of its opening (header, summary, the complaint), which
the overview ranking searches with one matrix product.

Stored as float32; a reader holds them as float16: half the memory (75 MB at 100k
decisions), and the product over them takes half the time, with similarities within
0.0003 of float32's.
"""

from __future__ import annotations

import sqlite3

import numpy as np

from ingest.storage.database import Database
from ingest.vocabulary.records import Decision


class DecisionVectors:
    """The decision_vectors table, and the matrix a reader keeps of it."""

    def __init__(self, database: Database) -> None:
        self._database = database
        self._matrix: tuple[tuple[int, int], list[str], np.ndarray] | None = None

    def similarities(self, vector: np.ndarray) -> tuple[list[str], np.ndarray]:
        """Every decision's opening similarity to ``vector``: (refs, float32 scores)."""
        refs, matrix = self.matrix()
        if not refs:
            return [], np.zeros(0, dtype=np.float32)
        # numpy has no fast float16 matrix-vector product; torch (already loaded for the
        # embedding model) has: 3 ms at 100k decisions against numpy's 6 ms in float32.
        import torch

        query = torch.from_numpy(vector.astype(np.float16))
        scores = torch.mv(torch.from_numpy(matrix), query).numpy()
        # Widened by numpy: torch's own conversion runs on its thread pool, which waits for
        # a busy core (8 ms at 100k on a loaded 2-core machine, against 0.1 ms).
        return refs, scores.astype(np.float32)

    @staticmethod
    def write(db: sqlite3.Connection, overviews: dict[str, np.ndarray]) -> None:
        """Inside the caller's transaction."""
        db.executemany(
            "INSERT OR REPLACE INTO decision_vectors(ref, vector) VALUES (?, ?)",
            [(ref, vector.astype(np.float32).tobytes()) for ref, vector in overviews.items()],
        )

    @staticmethod
    def delete(db: sqlite3.Connection, ref: str) -> None:
        db.execute("DELETE FROM decision_vectors WHERE ref = ?", (ref,))

    def add(self, overviews: dict[str, np.ndarray]) -> None:
        with self._database.transaction() as db:
            self.write(db, overviews)

    def drop_stale(self) -> None:
        """Vectors of decisions that are gone (``verify --repair``)."""
        with self._database.transaction() as db:
            db.execute("DELETE FROM decision_vectors WHERE ref NOT IN (SELECT ref FROM decisions)")

    def stale(self) -> list[str]:
        with self._database.reading() as db:
            query = "SELECT ref FROM decision_vectors WHERE ref NOT IN (SELECT ref FROM decisions)"
            return [row[0] for row in db.execute(query)]

    def missing(self) -> list[Decision]:
        """Decisions without an opening vector (stored before they existed, or repaired)."""
        with self._database.reading() as db:
            rows = db.execute(
                "SELECT record FROM decisions WHERE ref NOT IN (SELECT ref FROM decision_vectors)"
                " ORDER BY ref"
            ).fetchall()
        return [Decision.model_validate_json(row[0]) for row in rows]

    def matrix(self) -> tuple[list[str], np.ndarray]:
        """Every decision's opening vector: (refs, float16 matrix with one row each). Read
        once per table state and kept."""
        with self._database.reading() as db:
            # Changes when another connection commits (data_version) or this one writes
            # (total_changes): O(1), where counting the rows took 10 ms at 100k decisions.
            stamp = (db.execute("PRAGMA data_version").fetchone()[0], db.total_changes)
            if self._matrix is None or self._matrix[0] != stamp:
                self._matrix = None  # the old matrix goes before the new one is read
                refs, matrix = _read_matrix(db)
                self._matrix = (stamp, refs, matrix)
            return self._matrix[1], self._matrix[2]


def _read_matrix(db: sqlite3.Connection) -> tuple[list[str], np.ndarray]:
    """Rows copied one by one into a matrix sized up front: holding every row's bytes and a
    list of arrays on the way took another copy of the matrix at its peak (150 MB at 100k
    decisions), and the process kept that memory."""
    count = db.execute("SELECT count(*) FROM decision_vectors").fetchone()[0]
    first = db.execute("SELECT vector FROM decision_vectors LIMIT 1").fetchone()
    if first is None:
        return [], np.zeros((0, 0), dtype=np.float16)
    matrix = np.empty((count, len(first[0]) // 4), dtype=np.float16)
    refs: list[str] = []
    later: list[np.ndarray] = []  # rows another process added after the count
    for row, (ref, vector) in enumerate(db.execute("SELECT ref, vector FROM decision_vectors")):
        values = np.frombuffer(vector, dtype=np.float32).astype(np.float16)
        if row < count:
            matrix[row] = values
        else:
            later.append(values)
        refs.append(ref)
    if later:
        return refs, np.vstack([matrix, *later])
    return refs, matrix[: len(refs)]
