"""Chunk rows: each passage's text and place in its decision (the vectors are Chroma's, the
keyword entries the keyword index's; both are keyed by the chunk id)."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

from ingest.storage.database import Database
from ingest.vocabulary.filters import DecisionFilter, filter_sql, marks
from ingest.vocabulary.records import Chunk

_COLUMNS = "c.id, c.ref, c.section, c.paragraphs, c.position, c.text"


@dataclass(frozen=True)
class ChunkRow:
    id: str
    ref: str
    section: str
    paragraphs: str
    position: int
    text: str


class ChunkTable:
    """The chunks table."""

    def __init__(self, database: Database) -> None:
        self._database = database

    # --- writing (inside the caller's transaction) ----------------------------------
    @staticmethod
    def insert(db: sqlite3.Connection, chunk: Chunk, heading: str) -> None:
        db.execute(
            "INSERT OR REPLACE INTO chunks(id, ref, section, paragraphs, position, heading, text)"
            " VALUES (?,?,?,?,?,?,?)",
            (chunk.id, chunk.ref, chunk.section, chunk.paragraphs, chunk.position, heading,
             chunk.text),
        )

    @staticmethod
    def delete(db: sqlite3.Connection, ref: str) -> list[str]:
        """Drop a decision's chunk rows; returns their ids."""
        ids = [row[0] for row in db.execute("SELECT id FROM chunks WHERE ref = ?", (ref,))]
        db.execute("DELETE FROM chunks WHERE ref = ?", (ref,))
        return ids

    def drop_orphans(self) -> None:
        """Chunk rows whose decision row is gone (``verify --repair``)."""
        with self._database.transaction() as db:
            db.execute("DELETE FROM chunks WHERE ref NOT IN (SELECT ref FROM decisions)")

    # --- reading --------------------------------------------------------------------
    def count(self) -> int:
        with self._database.reading() as db:
            return int(db.execute("SELECT count(*) FROM chunks").fetchone()[0])

    def chunks(self, ids: Sequence[str]) -> dict[str, ChunkRow]:
        with self._database.reading() as db:
            rows = db.execute(
                f"SELECT {_COLUMNS} FROM chunks c WHERE c.id IN ({marks(ids)})", list(ids)
            ).fetchall()
        return {row[0]: ChunkRow(*row) for row in rows}

    def chunks_of(self, ref: str) -> list[ChunkRow]:
        return self.chunks_of_each([ref]).get(ref, [])

    def chunks_of_each(self, refs: Sequence[str]) -> dict[str, list[ChunkRow]]:
        """Each decision's chunks in reading order, in one query (decisions with none are
        left out)."""
        with self._database.reading() as db:
            rows = db.execute(
                f"SELECT {_COLUMNS} FROM chunks c WHERE c.ref IN ({marks(refs)})"
                " ORDER BY c.ref, c.position",
                list(refs),
            ).fetchall()
        found: dict[str, list[ChunkRow]] = {}
        for row in rows:
            chunk = ChunkRow(*row)
            found.setdefault(chunk.ref, []).append(chunk)
        return found

    def chunk_ids(self) -> set[str]:
        with self._database.reading() as db:
            return {row[0] for row in db.execute("SELECT id FROM chunks")}

    def counts_by_ref(self) -> dict[str, int]:
        """Chunk rows per decision reference."""
        with self._database.reading() as db:
            return dict(db.execute("SELECT ref, count(*) FROM chunks GROUP BY ref").fetchall())

    def filter_chunk_ids(self, where: DecisionFilter, limit: int) -> list[str] | None:
        """Chunk ids under ``where``; None when there are more than ``limit``."""
        sql, args = filter_sql(where)
        with self._database.reading() as db:
            rows = db.execute(
                f"SELECT c.id FROM chunks c JOIN decisions d ON d.ref = c.ref{sql} LIMIT ?",
                [*args, limit + 1],
            ).fetchall()
        return None if len(rows) > limit else [row[0] for row in rows]

    def orphans(self) -> list[str]:
        return self._column("SELECT id FROM chunks WHERE ref NOT IN (SELECT ref FROM decisions)")

    def decisions_without_chunks(self) -> list[str]:
        return self._column(
            "SELECT ref FROM decisions WHERE ref NOT IN (SELECT ref FROM chunks)"
        )

    def clashing_positions(self) -> list[str]:
        """Decisions with two chunks at one position."""
        return self._column(
            "SELECT DISTINCT ref FROM chunks GROUP BY ref, position HAVING count(*) > 1"
        )

    def refs_of(self, ids: set[str]) -> set[str]:
        """The decisions of the chunks ``ids``."""
        with self._database.reading() as db:
            return {ref for chunk_id, ref in db.execute("SELECT id, ref FROM chunks")
                    if chunk_id in ids}

    def _column(self, query: str) -> list[str]:
        with self._database.reading() as db:
            return [row[0] for row in db.execute(query)]
