"""The SQLite file of an index: its tables, how it is opened, and its meta rows.

SQLite holds the records (decisions, their reasons, chunk text, opening vectors)
and is the source of truth; it ranks nothing (the keyword index does that).
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ingest.vocabulary.errors import IndexMismatchError, IndexMissingError, IndexUnusableError

DB_NAME = "oqa.sqlite3"
SCHEMA_VERSION = "2"

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
-- One vector per decision, of its opening (header, summary, the complaint): what the whole
-- decision is about, which a single chunk may not say. float32, the model's dimension.
CREATE TABLE IF NOT EXISTS decision_vectors (ref TEXT PRIMARY KEY, vector BLOB NOT NULL);
"""
# Tables and triggers of earlier versions (FTS5 ranking, the keyword impact index's
# stamp): ranking moved to the keyword index, so a writer drops them.
_RETIRED = """
DROP TRIGGER IF EXISTS chunks_generation_insert;
DROP TRIGGER IF EXISTS chunks_generation_update;
DROP TRIGGER IF EXISTS chunks_generation_delete;
DROP TABLE IF EXISTS chunks_fts;
DROP TABLE IF EXISTS decisions_fts;
DELETE FROM meta WHERE key = 'generation';
"""


@dataclass(frozen=True)
class IndexIdentity:
    """What changes the vectors: an index built with one identity refuses another."""

    model: str
    dimension: int
    chunking: str

    def describe(self) -> str:
        return f"model {self.model} ({self.dimension} dimensions), chunking {self.chunking}"


class Database:
    """The SQLite connection under one lock (readers share it across threads)."""

    def __init__(self, path: Path, read_only: bool) -> None:
        self.path = path
        self.read_only = read_only
        self._lock = threading.RLock()
        self._db = _connect(path, read_only)

    @contextmanager
    def reading(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            yield self._db

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One transaction: committed when the block ends, rolled back if it raises."""
        with self._lock, self._db:
            yield self._db

    def columns(self, table: str) -> set[str]:
        with self.reading() as db:
            return {row[1] for row in db.execute(f"PRAGMA table_info({table})")}

    def meta(self) -> dict[str, str]:
        with self.reading() as db:
            return dict(db.execute("SELECT key, value FROM meta").fetchall())

    def set_meta(self, **values: str) -> None:
        with self.transaction() as db:
            db.executemany("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", values.items())

    def identity(self) -> IndexIdentity | None:
        return identity_of(self.meta())

    def claim_identity(self, wanted: IndexIdentity, store_dir: Path) -> None:
        """Record ``wanted`` on a new index, or refuse if the index was built otherwise."""
        current = self.identity()
        if current is None:
            self.set_meta(
                model=wanted.model,
                dimension=str(wanted.dimension),
                chunking=wanted.chunking,
                schema=SCHEMA_VERSION,
            )
        elif current != wanted:
            raise IndexMismatchError(
                mismatch_message(store_dir, current.describe(), wanted.describe(), current.model)
            )

    def mark_started(self) -> None:
        """Recorded before a build writes, so ``verify`` can tell a build did not finish."""
        self.set_meta(build_state="running")

    def mark_built(self) -> None:
        self.set_meta(last_build=time.strftime("%Y-%m-%dT%H:%M:%S%z"), build_state="finished")

    def close(self) -> None:
        with self._lock:
            self._db.close()


def identity_of(meta: dict[str, str]) -> IndexIdentity | None:
    if "model" not in meta:
        return None
    return IndexIdentity(meta["model"], int(meta["dimension"]), meta["chunking"])


def mismatch_message(store_dir: Path, built: str, wanted: str, built_model: str) -> str:
    return (
        f"The index in {store_dir} was built with {built}, but the settings ask for "
        f"{wanted}. Rebuild it with `python -m ingest build --store NEW_DIR` (or "
        f"delete {store_dir} and run `python -m ingest build`), or set OQA_EMBEDDING_MODEL back "
        f"to {built_model}."
    )


def check_built(database: Database, directory: Path, wanted: str) -> None:
    """Refuse an index not built yet, or built with another model, before its vectors are
    looked for (they would be missing, or in another collection)."""
    try:
        meta = database.meta()
    except sqlite3.DatabaseError as error:  # a SQLite file, but not an index's
        raise IndexUnusableError(
            f"{directory / DB_NAME} is not an index ({error}). Build one with "
            f"`python -m ingest build --store {directory}`."
        ) from error
    built = identity_of(meta)
    if built is None:
        raise IndexMissingError(
            f"The index in {directory} is empty. Build it with "
            f"`python -m ingest build --store {directory}`."
        )
    if built.model != wanted:
        raise IndexMismatchError(
            mismatch_message(directory, built.describe(), f"model {wanted}", built.model)
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
            db.executescript(_SCHEMA + _RETIRED)
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
