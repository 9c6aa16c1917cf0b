"""One open index: its parts, and the writes that keep them in step.

The parts: ``records`` (decision rows and their reasons), ``passages`` (chunk
rows), ``overviews`` (each decision's opening vector), all in one SQLite file;
``keywords`` (the tantivy keyword index) and ``vectors`` (Chroma). Callers read
a part directly; writes go through the store, which orders them so an
interrupted build is safe to re-run: vectors are upserted into Chroma first (ids
are content hashes, so a repeat is a no-op), then the keyword index commits the
decisions, then their rows are replaced in one SQLite transaction. SQLite is the
source of truth: a vector or keyword entry whose chunk is not in SQLite is never
returned, and ``verify --repair`` removes it.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from ingest.storage.chunk_table import ChunkTable
from ingest.storage.database import DB_NAME, Database, IndexIdentity, check_built
from ingest.storage.decision_table import DecisionRecords
from ingest.storage.keyword_index import (
    KEYWORD_DIR,
    KeywordIndex,
    headings,
    remove_keyword_index,
)
from ingest.storage.overviews import DecisionVectors
from ingest.vectors import CHROMA_DIR, VectorIndex, no_vectors_message, open_vector_index
from ingest.vocabulary.errors import IndexMissingError, IndexUnusableError
from ingest.vocabulary.records import Chunk, Decision
from ingest.vocabulary.settings import Settings

logger = logging.getLogger(__name__)

_SYNC_BATCH = 500  # decisions re-added to the keyword index per commit


class Store:
    """One open index. Readers share it across threads; one process writes."""

    def __init__(
        self, store_dir: Path, database: Database, vectors: VectorIndex, keywords: KeywordIndex
    ) -> None:
        self.store_dir = store_dir
        self.read_only = database.read_only
        self.database = database
        self.records = DecisionRecords(database)
        self.passages = ChunkTable(database)
        self.overviews = DecisionVectors(database)
        self.keywords = keywords
        self.vectors = vectors

    # --- identity and build state (the meta table) ------------------------------------
    def identity(self) -> IndexIdentity | None:
        return self.database.identity()

    def claim_identity(self, wanted: IndexIdentity) -> None:
        self.database.claim_identity(wanted, self.store_dir)

    def meta(self) -> dict[str, str]:
        return self.database.meta()

    def mark_started(self) -> None:
        self.database.mark_started()

    def mark_built(self) -> None:
        self.database.mark_built()

    # --- writing ----------------------------------------------------------------------
    def write(
        self,
        batch: Sequence[tuple[Decision, list[Chunk]]],
        vectors: dict[str, np.ndarray],
        overviews: dict[str, np.ndarray],
    ) -> None:
        """Store decisions with their chunks; ``vectors`` holds each chunk not yet in Chroma,
        ``overviews`` each decision's opening vector."""
        chunks = [c for _, decision_chunks in batch for c in decision_chunks if c.id in vectors]
        if chunks:
            self.vectors.upsert(chunks, np.stack([vectors[c.id] for c in chunks]))
        self.keywords.replace(batch)
        stale: list[str] = []
        with self.database.transaction() as db:
            for decision, decision_chunks in batch:
                old = self._delete_rows(db, decision.ref)
                self.records.insert(db, decision)
                for chunk in decision_chunks:
                    self.passages.insert(db, chunk, headings(decision, chunk.section))
                kept = {c.id for c in decision_chunks}
                stale += [chunk_id for chunk_id in old if chunk_id not in kept]
            self.overviews.write(db, overviews)
        self.vectors.delete(stale)

    def delete_decisions(self, refs: Iterable[str]) -> int:
        """Drop decisions from every part (SQLite first: what is left behind elsewhere is
        never shown, and is what ``verify --repair`` removes)."""
        refs = list(refs)
        dropped: list[str] = []
        with self.database.transaction() as db:
            for ref in refs:
                dropped += self._delete_rows(db, ref)
        self.keywords.delete(refs)
        self.vectors.delete(dropped)
        return len(refs)

    def _delete_rows(self, db: sqlite3.Connection, ref: str) -> list[str]:
        dropped = self.passages.delete(db, ref)
        self.overviews.delete(db, ref)
        self.records.delete(db, ref)
        return dropped

    def keyword_differences(self) -> tuple[list[str], list[str]]:
        """(decisions the keyword index lacks or holds wrongly, references it holds that
        SQLite does not): where it is out of step with the stored decisions."""
        chunk_counts = self.passages.counts_by_ref()
        passages = self.keywords.passage_counts()
        decisions = self.keywords.decision_counts()
        known = set(self.records.known_doc_hashes())
        wrong = sorted(
            ref for ref in known
            if decisions.get(ref) != 1 or passages.get(ref, 0) != chunk_counts.get(ref, 0)
        )
        extra = sorted((set(passages) | set(decisions)) - known)
        return wrong, extra

    def sync_keywords(self, check_all: bool = False) -> int:
        """Bring the keyword index in step with SQLite: re-add the decisions it lacks or
        holds wrongly, drop what SQLite does not hold. Unless ``check_all``, only when its
        document counts differ from SQLite's (the quick check a build makes). Returns how
        many decisions were re-added or dropped."""
        counts = (self.passages.count(), self.records.count())
        if not check_all and self.keywords.document_counts() == counts:
            return 0
        wrong, extra = self.keyword_differences()
        if extra:
            self.keywords.delete(extra)
        for start in range(0, len(wrong), _SYNC_BATCH):
            refs = wrong[start : start + _SYNC_BATCH]
            decisions = self.records.decisions(refs)
            self.keywords.replace(
                [(decisions[ref], self.passages.chunks_of(ref)) for ref in refs]
            )
        if wrong or extra:
            logger.info("keyword index: %d decisions re-added, %d dropped", len(wrong), len(extra))
        return len(wrong) + len(extra)

    def recreate_keywords(self) -> None:
        """An empty keyword index in place of one that cannot be read (``sync_keywords``
        then fills it from the rows)."""
        self.keywords.close()
        remove_keyword_index(self.store_dir)
        self.keywords = KeywordIndex(self.store_dir, self.read_only)

    # --- reading ----------------------------------------------------------------------
    def counts(self) -> dict[str, int]:
        return {
            "decisions": self.records.count(),
            "chunks": self.passages.count(),
            "vectors": self.vectors.count(),
        }

    def close(self) -> None:
        self.keywords.close()
        self.database.close()


def open_store(settings: Settings, store_dir: Path | None = None, read_only: bool = True) -> Store:
    """Open the index at ``store_dir`` (default: the settings' store)."""
    directory = Path(store_dir or settings.store_dir)
    if directory.exists() and not directory.is_dir():
        raise IndexUnusableError(
            f"{directory} is a file, not an index folder; give --store (or OQA_STORE_DIR) a "
            "folder."
        )
    if not read_only:
        _check_writable(directory)
    # SQLite first: a missing index, or one built with another model (whose vectors are in
    # another collection), must fail before Chroma is opened.
    database = Database(directory / DB_NAME, read_only)
    try:
        if read_only:
            check_built(database, directory, settings.embedding_model)
        vectors = open_vector_index(settings, directory, read_only)
    except BaseException:
        database.close()
        raise
    store = Store(directory, database, vectors, KeywordIndex(directory, read_only))
    if read_only:
        _check_vectors(store)
    return store


def _check_writable(directory: Path) -> None:
    """A writer refuses a read-only index in one sentence (SQLite, Chroma and tantivy would
    fail half-way with "attempt to write a readonly database")."""
    parts = [directory, directory / DB_NAME, *directory.glob(f"{DB_NAME}-*")]
    for folder in (directory / CHROMA_DIR, directory / KEYWORD_DIR):
        parts += [folder, *folder.rglob("*")] if folder.is_dir() else []
    locked = next((p for p in parts if p.exists() and not os.access(p, os.W_OK)), None)
    if locked is not None:
        raise IndexUnusableError(
            f"The index in {directory} is read-only ({locked} cannot be written). Build into "
            "a writable folder (--store DIR or OQA_STORE_DIR) and publish that folder."
        )


def _check_vectors(store: Store) -> None:
    """Chunks without a single vector: the vector store was emptied or replaced."""
    if store.passages.count() and store.vectors.count() == 0:
        store.close()
        raise IndexMissingError(no_vectors_message(store.store_dir))


@contextmanager
def opened_store(
    settings: Settings, store_dir: Path | None = None, read_only: bool = True
) -> Iterator[Store]:
    store = open_store(settings, store_dir, read_only)
    try:
        yield store
    finally:
        store.close()
