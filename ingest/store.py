"""The index: Chroma vectors + a SQLite file holding the decisions table and FTS5 keyword index.

Write order makes an interrupted build safe to re-run: vectors are upserted
into Chroma first (ids are content hashes, so a repeat is a no-op), then the
decision, its chunks and their keyword entries are replaced in one SQLite
transaction. SQLite is the source of truth: a vector whose chunk is not in
SQLite is never returned, and ``verify --repair`` removes it.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np

from ingest.vectors import CHROMA_DIR, VectorIndex, no_vectors_message, open_vector_index
from ingest.vocabulary.errors import IndexMismatchError, IndexMissingError, IndexUnusableError
from ingest.vocabulary.filters import DecisionFilter
from ingest.vocabulary.filters import filter_sql as _filter_sql
from ingest.vocabulary.filters import marks as _marks
from ingest.vocabulary.records import Chunk, Decision
from ingest.vocabulary.settings import Settings

logger = logging.getLogger(__name__)

DB_NAME = "oqa.sqlite3"
# BM25 column weights (heading, text); ingest.impacts precomputes scores with the same ones.
BM25_WEIGHTS = {"heading": 0.4, "text": 1.0}
BM25 = f"bm25(chunks_fts, {BM25_WEIGHTS['heading']}, {BM25_WEIGHTS['text']})"
_MATCH_COUNT_CACHE = 200_000  # phrases; a few MB at most
SCHEMA_VERSION = "1"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS decisions (
    ref TEXT PRIMARY KEY, doc_hash TEXT NOT NULL, organisation TEXT NOT NULL,
    category TEXT NOT NULL, sub_category TEXT NOT NULL, outcome TEXT NOT NULL,
    outcome_raw TEXT NOT NULL, date TEXT, url TEXT NOT NULL, summary TEXT NOT NULL,
    reasons TEXT NOT NULL, source_path TEXT NOT NULL, record TEXT NOT NULL,
    updated_at REAL NOT NULL, document_type TEXT NOT NULL DEFAULT 'statement'
);
CREATE INDEX IF NOT EXISTS decisions_org ON decisions(organisation);
CREATE INDEX IF NOT EXISTS decisions_cat ON decisions(category, sub_category);
CREATE INDEX IF NOT EXISTS decisions_outcome ON decisions(outcome);
CREATE INDEX IF NOT EXISTS decisions_date ON decisions(date);
CREATE TABLE IF NOT EXISTS decision_reasons (ref TEXT NOT NULL, reason TEXT NOT NULL,
    PRIMARY KEY (ref, reason));
CREATE INDEX IF NOT EXISTS decision_reasons_reason ON decision_reasons(reason);
CREATE TABLE IF NOT EXISTS chunks (
    id TEXT PRIMARY KEY, ref TEXT NOT NULL, section TEXT NOT NULL, paragraphs TEXT NOT NULL,
    position INTEGER NOT NULL, heading TEXT NOT NULL, text TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS chunks_ref ON chunks(ref, position);
-- Whole decisions, for decision-level BM25: a question's words are often spread over a
-- decision's sections (the council's name in the header, the subject in the complaint),
-- which no single chunk holds. rowid = decisions.rowid.
-- One vector per decision, of its opening (header, summary, the complaint): what the whole
-- decision is about, which a single chunk may not say. float32, the model's dimension.
CREATE TABLE IF NOT EXISTS decision_vectors (ref TEXT PRIMARY KEY, vector BLOB NOT NULL);
CREATE VIRTUAL TABLE IF NOT EXISTS decisions_fts USING fts5(
    header, text, tokenize='porter unicode61 remove_diacritics 2'
);
CREATE VIRTUAL TABLE IF NOT EXISTS chunks_fts USING fts5(
    heading, text, content='chunks', content_rowid='rowid',
    tokenize='porter unicode61 remove_diacritics 2'
);
-- Bumped by any change to a chunk row, whoever writes it: the keyword impact index
-- (ingest.impacts) is stamped with it and is not used once the chunks have moved on.
INSERT OR IGNORE INTO meta(key, value) VALUES ('generation', '0');
CREATE TRIGGER IF NOT EXISTS chunks_generation_insert AFTER INSERT ON chunks BEGIN
    UPDATE meta SET value = value + 1 WHERE key = 'generation'; END;
CREATE TRIGGER IF NOT EXISTS chunks_generation_update AFTER UPDATE ON chunks BEGIN
    UPDATE meta SET value = value + 1 WHERE key = 'generation'; END;
CREATE TRIGGER IF NOT EXISTS chunks_generation_delete AFTER DELETE ON chunks BEGIN
    UPDATE meta SET value = value + 1 WHERE key = 'generation'; END;
"""


@dataclass(frozen=True)
class IndexIdentity:
    """What changes the vectors: an index built with one identity refuses another."""

    model: str
    dimension: int
    chunking: str

    def describe(self) -> str:
        return f"model {self.model} ({self.dimension} dimensions), chunking {self.chunking}"


@dataclass(frozen=True)
class ChunkRow:
    id: str
    ref: str
    section: str
    paragraphs: str
    position: int
    text: str


class Store:
    """One open index. Readers share it across threads; one process writes."""

    def __init__(
        self, store_dir: Path, vectors: VectorIndex, read_only: bool, db: sqlite3.Connection
    ) -> None:
        self.store_dir = store_dir
        self.read_only = read_only
        self.vectors = vectors
        self._lock = threading.RLock()
        self._db = db
        # An index built before document types were recorded, opened read-only, holds only
        # statements (reports were not told apart).
        columns = {row[1] for row in self._db.execute("PRAGMA table_info(decisions)")}
        self._document_type = "d.document_type" if "document_type" in columns else "'statement'"
        # ... and one built before decision-level rows existed has no tables for them: its
        # decisions are then ranked by their passages alone until it is rebuilt.
        tables = {row[0] for row in self._db.execute("SELECT name FROM sqlite_master")}
        self.decision_level = {"decisions_fts", "decision_vectors"} <= tables
        self._match_counts: dict[str, int] = {}  # FTS5 phrase → matching chunks (readers only)
        self._overviews: tuple[tuple[int, int], list[str], np.ndarray] | None = None

    # --- identity ---------------------------------------------------------
    def identity(self) -> IndexIdentity | None:
        meta = self.meta()
        if "model" not in meta:
            return None
        return IndexIdentity(meta["model"], int(meta["dimension"]), meta["chunking"])

    def claim_identity(self, wanted: IndexIdentity) -> None:
        """Record ``wanted`` on a new index, or refuse if the index was built otherwise."""
        current = self.identity()
        if current is None:
            self._set_meta(
                model=wanted.model,
                dimension=str(wanted.dimension),
                chunking=wanted.chunking,
                schema=SCHEMA_VERSION,
            )
        elif current != wanted:
            raise IndexMismatchError(
                mismatch_message(
                    self.store_dir, current.describe(), wanted.describe(), current.model
                )
            )

    def meta(self) -> dict[str, str]:
        with self._lock:
            return dict(self._db.execute("SELECT key, value FROM meta").fetchall())

    def _set_meta(self, **values: str) -> None:
        with self._lock, self._db:
            self._db.executemany(
                "INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", values.items()
            )

    def mark_started(self) -> None:
        """Recorded before a build writes, so ``verify`` can tell a build did not finish."""
        self._set_meta(build_state="running")

    def mark_built(self) -> None:
        self._set_meta(last_build=time.strftime("%Y-%m-%dT%H:%M:%S%z"), build_state="finished")

    # --- writing ----------------------------------------------------------
    def known_doc_hashes(self) -> dict[str, str]:
        with self._lock:
            return dict(self._db.execute("SELECT ref, doc_hash FROM decisions").fetchall())

    def source_paths(self) -> dict[str, str]:
        with self._lock:
            return dict(self._db.execute("SELECT ref, source_path FROM decisions").fetchall())

    def write(
        self,
        batch: Sequence[tuple[Decision, list[Chunk]]],
        vectors: dict[str, np.ndarray],
        overviews: dict[str, np.ndarray],
    ) -> None:
        """Store decisions with their chunks; ``vectors`` holds each chunk not yet in Chroma,
        ``overviews`` each decision's opening vector (``decision_vectors``)."""
        chunks = [c for _, decision_chunks in batch for c in decision_chunks if c.id in vectors]
        if chunks:
            self.vectors.upsert(chunks, np.stack([vectors[c.id] for c in chunks]))
        stale: list[str] = []
        with self._lock, self._db:
            for decision, decision_chunks in batch:
                stale += self._replace_decision(decision, decision_chunks)
            self._write_overviews(overviews)
        self.vectors.delete(stale)

    def _replace_decision(self, decision: Decision, chunks: list[Chunk]) -> list[str]:
        """Swap a decision's rows inside the caller's transaction; return dropped chunk ids."""
        old = self._delete_rows(decision.ref)
        cursor = self._db.execute(
            "INSERT INTO decisions VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            _decision_row(decision),
        )
        self._db.execute(
            "INSERT INTO decisions_fts(rowid, header, text) VALUES (?,?,?)",
            (cursor.lastrowid, _heading(decision, ""), decision.text),
        )
        self._db.executemany(
            "INSERT INTO decision_reasons(ref, reason) VALUES (?, ?)",
            [(decision.ref, r.value) for r in dict.fromkeys(decision.reasons)],
        )
        for chunk in chunks:
            self._insert_chunk(chunk, _heading(decision, chunk.section))
        kept = {c.id for c in chunks}
        return [chunk_id for chunk_id in old if chunk_id not in kept]

    def _write_overviews(self, overviews: dict[str, np.ndarray]) -> None:
        self._db.executemany(
            "INSERT OR REPLACE INTO decision_vectors(ref, vector) VALUES (?, ?)",
            [(ref, vector.astype(np.float32).tobytes()) for ref, vector in overviews.items()],
        )

    def _insert_chunk(self, chunk: Chunk, heading: str) -> None:
        cursor = self._db.execute(
            "INSERT OR REPLACE INTO chunks(id, ref, section, paragraphs, position, heading, text)"
            " VALUES (?,?,?,?,?,?,?)",
            (
                chunk.id,
                chunk.ref,
                chunk.section,
                chunk.paragraphs,
                chunk.position,
                heading,
                chunk.text,
            ),
        )
        self._db.execute(
            "INSERT INTO chunks_fts(rowid, heading, text) VALUES (?,?,?)",
            (cursor.lastrowid, heading, chunk.text),
        )

    def _delete_rows(self, ref: str) -> list[str]:
        rows = self._db.execute(
            "SELECT rowid, id, heading, text FROM chunks WHERE ref = ?", (ref,)
        ).fetchall()
        self._db.executemany(
            "INSERT INTO chunks_fts(chunks_fts, rowid, heading, text) VALUES ('delete',?,?,?)",
            [(rowid, heading, text) for rowid, _, heading, text in rows],
        )
        self._db.execute("DELETE FROM chunks WHERE ref = ?", (ref,))
        self._db.execute("DELETE FROM decision_reasons WHERE ref = ?", (ref,))
        self._db.execute("DELETE FROM decision_vectors WHERE ref = ?", (ref,))
        self._db.execute(
            "DELETE FROM decisions_fts WHERE rowid IN (SELECT rowid FROM decisions WHERE ref = ?)",
            (ref,),
        )
        self._db.execute("DELETE FROM decisions WHERE ref = ?", (ref,))
        return [chunk_id for _, chunk_id, _, _ in rows]

    def delete_decisions(self, refs: Iterable[str]) -> int:
        dropped: list[str] = []
        refs = list(refs)
        with self._lock, self._db:
            for ref in refs:
                dropped += self._delete_rows(ref)
        self.vectors.delete(dropped)
        return len(refs)

    # --- reading ----------------------------------------------------------
    def counts(self) -> dict[str, int]:
        with self._lock:
            decisions = self._db.execute("SELECT count(*) FROM decisions").fetchone()[0]
            chunks = self._db.execute("SELECT count(*) FROM chunks").fetchone()[0]
        return {"decisions": decisions, "chunks": chunks, "vectors": self.vectors.count()}

    def newest_decision_date(self) -> date | None:
        with self._lock:
            value = self._db.execute("SELECT max(date) FROM decisions").fetchone()[0]
        return date.fromisoformat(value) if value else None

    def decision(self, ref: str) -> Decision | None:
        with self._lock:
            row = self._db.execute("SELECT record FROM decisions WHERE ref = ?", (ref,)).fetchone()
        return Decision.model_validate_json(row[0]) if row else None

    def decisions(self, refs: Iterable[str]) -> dict[str, Decision]:
        refs = list(dict.fromkeys(refs))
        with self._lock:
            rows = self._db.execute(
                f"SELECT ref, record FROM decisions WHERE ref IN ({_marks(refs)})", refs
            ).fetchall()
        return {ref: Decision.model_validate_json(record) for ref, record in rows}

    def chunks(self, ids: Sequence[str]) -> dict[str, ChunkRow]:
        with self._lock:
            rows = self._db.execute(
                "SELECT id, ref, section, paragraphs, position, text FROM chunks"
                f" WHERE id IN ({_marks(ids)})",
                list(ids),
            ).fetchall()
        return {row[0]: ChunkRow(*row) for row in rows}

    def chunks_of(self, ref: str) -> list[ChunkRow]:
        with self._lock:
            rows = self._db.execute(
                "SELECT id, ref, section, paragraphs, position, text FROM chunks WHERE ref = ?"
                " ORDER BY position",
                (ref,),
            ).fetchall()
        return [ChunkRow(*row) for row in rows]

    def chunk_ids(self) -> set[str]:
        with self._lock:
            return {row[0] for row in self._db.execute("SELECT id FROM chunks")}

    def filter_refs(self, where: DecisionFilter) -> list[str]:
        """References of the decisions that pass ``where`` (the indexed, fast path)."""
        sql, args = _filter_sql(where)
        with self._lock:
            return [row[0] for row in self._db.execute(f"SELECT d.ref FROM decisions d{sql}", args)]

    def filter_chunk_ids(self, where: DecisionFilter, limit: int) -> list[str] | None:
        """Chunk ids under ``where``; None when there are more than ``limit``."""
        sql, args = _filter_sql(where)
        with self._lock:
            rows = self._db.execute(
                f"SELECT c.id FROM chunks c JOIN decisions d ON d.ref = c.ref{sql} LIMIT ?",
                [*args, limit + 1],
            ).fetchall()
        return None if len(rows) > limit else [row[0] for row in rows]

    def keyword_search(
        self, match: str, k: int, where: DecisionFilter | None = None
    ) -> list[tuple[str, float]]:
        """(chunk id, BM25 score, higher is better) for an FTS5 MATCH expression."""
        sql, args = _filter_sql(where or DecisionFilter(), prefix="AND")
        if sql:
            query = (
                f"SELECT c.id, -{BM25} AS score FROM chunks_fts"
                " JOIN chunks c ON c.rowid = chunks_fts.rowid JOIN decisions d ON d.ref = c.ref"
                f" WHERE chunks_fts MATCH ?{sql} ORDER BY {BM25} LIMIT ?"
            )
        else:  # unfiltered: rank inside FTS5 alone, join only the k rows kept
            query = (
                f"SELECT c.id, -s.rank FROM (SELECT rowid, {BM25} AS rank"
                " FROM chunks_fts WHERE chunks_fts MATCH ? ORDER BY rank LIMIT ?) s"
                " JOIN chunks c ON c.rowid = s.rowid ORDER BY s.rank"
            )
        with self._lock:
            return [(row[0], float(row[1])) for row in self._db.execute(query, [match, *args, k])]

    def decision_keyword_search(
        self, match: str, k: int, where: DecisionFilter | None = None
    ) -> list[tuple[str, float]]:
        """(decision ref, BM25 score over the whole decision, higher is better)."""
        if not self.decision_level:
            return []
        sql, args = _filter_sql(where or DecisionFilter(), prefix="AND")
        query = (
            "SELECT d.ref, -bm25(decisions_fts) AS score FROM decisions_fts"
            " JOIN decisions d ON d.rowid = decisions_fts.rowid"
            f" WHERE decisions_fts MATCH ?{sql} ORDER BY bm25(decisions_fts) LIMIT ?"
        )
        with self._lock:
            return [(row[0], float(row[1])) for row in self._db.execute(query, [match, *args, k])]

    def decisions_without_overview(self) -> list[Decision]:
        """Decisions stored before decision vectors existed (a build adds theirs)."""
        with self._lock:
            rows = self._db.execute(
                "SELECT record FROM decisions WHERE ref NOT IN (SELECT ref FROM decision_vectors)"
            ).fetchall()
        return [Decision.model_validate_json(row[0]) for row in rows]

    def add_overviews(self, overviews: dict[str, np.ndarray]) -> None:
        with self._lock, self._db:
            self._write_overviews(overviews)

    def overview_matrix(self) -> tuple[list[str], np.ndarray]:
        """Every decision's opening vector: (refs, matrix with one row each). Read once per
        store state and kept (a reader searches it with one matrix product)."""
        if not self.decision_level:
            return [], np.zeros((0, 0), dtype=np.float32)
        with self._lock:
            stamp = self._db.execute(
                "SELECT count(*), coalesce(max(rowid), 0) FROM decision_vectors"
            ).fetchone()
            if self._overviews is None or self._overviews[0] != stamp:
                rows = self._db.execute("SELECT ref, vector FROM decision_vectors").fetchall()
                matrix = np.array([np.frombuffer(v, dtype=np.float32) for _, v in rows])
                self._overviews = (stamp, [ref for ref, _ in rows], matrix)
            return self._overviews[1], self._overviews[2]

    def uses_word(self, word: str) -> bool:
        """Whether any decision's text has ``word`` (stemmed as the keyword index stems)."""
        if not word.isalpha() or not self.decision_level:
            return False
        query = "SELECT 1 FROM decisions_fts WHERE decisions_fts MATCH ? LIMIT 1"
        with self._lock:
            return self._db.execute(query, (f'"{word}"',)).fetchone() is not None

    def backfill_decision_keywords(self) -> int:
        """Add decisions missing from the whole-decision keyword table (stores built before
        it existed); returns how many were added."""
        with self._lock, self._db:
            rows = self._db.execute(
                "SELECT d.rowid, d.record FROM decisions d"
                " WHERE d.rowid NOT IN (SELECT rowid FROM decisions_fts)"
            ).fetchall()
            for rowid, record in rows:
                decision = Decision.model_validate_json(record)
                self._db.execute(
                    "INSERT INTO decisions_fts(rowid, header, text) VALUES (?,?,?)",
                    (rowid, _heading(decision, ""), decision.text),
                )
        return len(rows)

    def match_counts(self, phrases: Sequence[str]) -> dict[str, int]:
        """Chunks matching each FTS5 phrase, cached in a reader (a count only steers which
        words the keyword search keeps, so one gone stale after an update does no harm)."""
        counts = {p: self._match_counts[p] for p in phrases if p in self._match_counts}
        with self._lock:
            for phrase in dict.fromkeys(p for p in phrases if p not in counts):
                query = "SELECT count(*) FROM chunks_fts WHERE chunks_fts MATCH ?"
                counts[phrase] = int(self._db.execute(query, (phrase,)).fetchone()[0])
        if self.read_only and len(self._match_counts) < _MATCH_COUNT_CACHE:
            self._match_counts.update(counts)
        return counts

    def facet(self, column: str, where: DecisionFilter | None = None) -> dict[str, int]:
        """Decision counts per value of a column (``reason`` counts decision_reasons)."""
        sql, args = _filter_sql(where or DecisionFilter())
        if column == "reason":
            query = (
                "SELECT r.reason, count(*) FROM decision_reasons r JOIN decisions d"
                f" ON d.ref = r.ref{sql} GROUP BY r.reason ORDER BY count(*) DESC"
            )
        elif column in {"organisation", "category", "sub_category", "outcome"}:
            query = (
                f"SELECT d.{column}, count(*) FROM decisions d{sql}"
                f" GROUP BY d.{column} ORDER BY count(*) DESC"
            )
        else:
            raise ValueError(f"no facet for column {column!r}")
        with self._lock:
            return dict(self._db.execute(query, args).fetchall())

    def category_mix(self) -> list[tuple[str, str, str, int]]:
        """(organisation, area, sub-area, decisions): what each organisation is complained of."""
        query = (
            "SELECT organisation, category, sub_category, count(*) FROM decisions"
            " GROUP BY organisation, category, sub_category"
        )
        with self._lock:
            return [(o, c, s, int(n)) for o, c, s, n in self._db.execute(query).fetchall()]

    def decision_rows(self, where: DecisionFilter | None = None) -> list[dict[str, str]]:
        """Header fields of every decision under ``where``, newest first."""
        sql, args = _filter_sql(where or DecisionFilter())
        query = (
            "SELECT d.ref, d.organisation, d.category, d.sub_category, d.outcome, d.outcome_raw,"
            f" d.date, d.url, d.reasons, {self._document_type} AS document_type"
            f" FROM decisions d{sql} ORDER BY d.date DESC, d.ref"
        )
        with self._lock:
            cursor = self._db.execute(query, args)
            names = [column[0] for column in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    @contextmanager
    def sql(self) -> Iterator[sqlite3.Connection]:
        """The SQLite connection under the store's lock (for ``ingest.verify``'s raw checks)."""
        with self._lock:
            yield self._db

    def close(self) -> None:
        with self._lock:
            self._db.close()


# --- helpers ------------------------------------------------------------------


def mismatch_message(store_dir: Path, built: str, wanted: str, built_model: str) -> str:
    return (
        f"The index in {store_dir} was built with {built}, but the settings ask for "
        f"{wanted}. Rebuild it with `python -m ingest build --store NEW_DIR` (or "
        f"delete {store_dir} and run `python -m ingest build`), or set OQA_EMBEDDING_MODEL back "
        f"to {built_model}."
    )


def _connect(path: Path, read_only: bool) -> sqlite3.Connection:
    if read_only:
        if not path.exists():
            raise IndexMissingError(
                f"No index found in {path.parent}. Build one with "
                f"`python -m ingest build --store {path.parent}`."
            )
        db = sqlite3.connect(_read_only_uri(path), uri=True, check_same_thread=False)
    else:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise IndexUnusableError(
                f"Cannot create the index folder {path.parent} ({error.strerror or error}); "
                "give --store (or OQA_STORE_DIR) a folder that can be written."
            ) from error
        db = sqlite3.connect(path, check_same_thread=False)
    try:
        db.execute("PRAGMA busy_timeout=10000")
        db.execute("SELECT count(*) FROM sqlite_master").fetchone()  # reads the file's header
        if not read_only:
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(_SCHEMA)
            _add_missing_columns(db)
    except sqlite3.DatabaseError as error:
        db.close()
        raise IndexUnusableError(sqlite_problem(path, error)) from error
    return db


def _read_only_uri(path: Path) -> str:
    """A WAL-mode file on read-only media opens only if its ``-wal`` and ``-shm`` files are
    there or can be made; without them (a published copy) nothing is pending in a log, so
    the file is opened as immutable: no log, no locks, nothing written."""
    log = path.with_name(path.name + "-wal")
    if not log.exists() and not os.access(path.parent, os.W_OK):
        return f"file:{path}?mode=ro&immutable=1"
    return f"file:{path}?mode=ro"


def sqlite_problem(path: Path, error: sqlite3.DatabaseError) -> str:
    """The sentence for an index file SQLite cannot use."""
    if isinstance(error, sqlite3.OperationalError):  # access to the file, not its content
        return (
            f"The index file {path} cannot be used ({error}); check that it and its folder "
            "can be read (and written, to build), and that no other build holds it."
        )
    return (
        f"The index file {path} is damaged or is not an index ({error}). Rebuild the index "
        f"with `python -m ingest build --store NEW_DIR`, or delete {path.parent} and build it "
        "again."
    )


def _add_missing_columns(db: sqlite3.Connection) -> None:
    """Bring an index built by an earlier version up to the current table: a new column is
    filled from each decision's stored record (which an earlier version wrote without it:
    those read as statements until the next build re-parses them)."""
    columns = {row[1] for row in db.execute("PRAGMA table_info(decisions)")}
    if "document_type" not in columns:
        with db:
            db.execute("ALTER TABLE decisions ADD COLUMN document_type TEXT NOT NULL"
                       " DEFAULT 'statement'")
            db.execute("UPDATE decisions SET document_type ="
                       " coalesce(json_extract(record, '$.document_type'), 'statement')")


def _decision_row(decision: Decision) -> tuple[object, ...]:
    return (
        decision.ref,
        decision.doc_hash,
        decision.organisation,
        decision.category,
        decision.sub_category,
        decision.outcome.value,
        decision.outcome_raw,
        decision.date.isoformat() if decision.date else None,
        decision.url,
        decision.summary,
        ",".join(r.value for r in decision.reasons),
        decision.source_path,
        decision.model_dump_json(),
        time.time(),
        decision.document_type.value,
    )


def _heading(decision: Decision, section: str) -> str:
    """Keyword-searchable context for a chunk: who, what area, which section."""
    area = " ".join((decision.category, decision.sub_category))
    return f"{decision.organisation} {area} {section} {decision.ref}"


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
    db = _connect(directory / DB_NAME, read_only)
    try:
        if read_only:
            _check_built(db, directory, settings.embedding_model)
        vectors = open_vector_index(settings, directory, read_only)
    except BaseException:
        db.close()
        raise
    store = Store(directory, vectors, read_only, db)
    if read_only:
        _check_vectors(store)
    return store


def _check_built(db: sqlite3.Connection, directory: Path, wanted: str) -> None:
    """Refuse an index not built yet, or built with another model, before its vectors are
    looked for (they would be missing, or in another collection)."""
    try:
        meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
    except sqlite3.DatabaseError as error:  # a SQLite file, but not an index's
        raise IndexUnusableError(
            f"{directory / DB_NAME} is not an index ({error}). Build one with "
            f"`python -m ingest build --store {directory}`."
        ) from error
    if "model" not in meta:
        raise IndexMissingError(
            f"The index in {directory} is empty. Build it with "
            f"`python -m ingest build --store {directory}`."
        )
    if meta["model"] != wanted:
        built = IndexIdentity(meta["model"], int(meta["dimension"]), meta["chunking"])
        raise IndexMismatchError(
            mismatch_message(directory, built.describe(), f"model {wanted}", built.model)
        )


def _check_writable(directory: Path) -> None:
    """A writer refuses a read-only index in one sentence (SQLite and Chroma would fail
    half-way with "attempt to write a readonly database")."""
    parts = [directory, directory / DB_NAME, *directory.glob(f"{DB_NAME}-*")]
    chroma = directory / CHROMA_DIR
    parts += [chroma, *chroma.rglob("*")] if chroma.is_dir() else []
    locked = next((p for p in parts if p.exists() and not os.access(p, os.W_OK)), None)
    if locked is not None:
        raise IndexUnusableError(
            f"The index in {directory} is read-only ({locked} cannot be written). Build into "
            "a writable folder (--store DIR or OQA_STORE_DIR) and publish that folder."
        )


def _check_vectors(store: Store) -> None:
    """Chunks without a single vector: the vector store was emptied or replaced."""
    with store.sql() as db:
        has_chunks = db.execute("SELECT 1 FROM chunks LIMIT 1").fetchone() is not None
    if has_chunks and store.vectors.count() == 0:
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
