"""``verify``: do the decisions table, chunks, keyword index and Chroma agree? ``--repair``.

The index lives in two stores written one after the other (Chroma vectors,
then one SQLite transaction), so a build killed at the wrong moment, a disk
filling up or a hand-edited file can leave them disagreeing. What is checked:

- every chunk row belongs to a decision row, and every decision has chunks;
- no two chunks of a decision claim the same position; Chroma lists no id twice;
- the keyword index (FTS5) holds exactly the chunk rows, and its integrity check passes;
- Chroma holds a vector for every chunk row, and no vector without a chunk row;
- ``decision_reasons`` holds exactly the reasons of each decision row;
- the decision-level rows (whole-decision keyword row, opening vector) exist for
  exactly the decision rows.

What ``repair`` does, in this order (SQLite is the source of truth):

1. rebuilds the keyword index from the chunk rows, when it disagrees with them;
2. drops chunk rows whose decision row is missing;
3. deletes each decision whose chunks lack vectors, has no chunks or has clashing
   positions (its rows and its vectors): it is no longer "known", so the next
   ``ingest build`` parses and embeds it again from its source file;
4. deletes vectors that no chunk row refers to;
5. rewrites ``decision_reasons`` from the decisions table;
6. drops decision-level rows without a decision, and adds the missing ones
   (the opening vectors with the index's model).
"""

from __future__ import annotations

import logging
import os
import sqlite3
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ingest.impacts import build_impacts
from ingest.indexing.embeddings import Embedder, get_embedder
from ingest.indexing.pipeline import overview_vectors
from ingest.store import DB_NAME, Store, opened_store
from ingest.vocabulary.settings import Settings

logger = logging.getLogger(__name__)

_EXAMPLES = 3  # ids shown per problem line


@dataclass
class VerifyReport:
    """Counts of each store and every disagreement found (empty lists: none)."""

    decisions: int = 0
    chunks: int = 0
    vectors: int = 0
    keyword_rows: int = 0
    build_state: str = ""
    orphan_chunks: list[str] = field(default_factory=list)
    empty_decisions: list[str] = field(default_factory=list)
    duplicate_positions: list[str] = field(default_factory=list)
    duplicate_vectors: list[str] = field(default_factory=list)
    keyword_missing: list[int] = field(default_factory=list)
    keyword_stale: list[int] = field(default_factory=list)
    keyword_integrity: str = ""
    # Why FTS5's own check could not run (a read-only index); the other checks still did.
    keyword_integrity_skipped: str = ""
    missing_vectors: list[str] = field(default_factory=list)
    orphan_vectors: list[str] = field(default_factory=list)
    reason_mismatches: list[str] = field(default_factory=list)
    decision_level_missing: list[str] = field(default_factory=list)
    decision_level_stale: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems()

    @property
    def interrupted(self) -> bool:
        return self.build_state == "running"

    def problems(self) -> list[str]:
        """One line per kind of disagreement."""
        checks = [
            (self.orphan_chunks, "chunk rows whose decision row is missing"),
            (self.empty_decisions, "decisions without chunks"),
            (self.duplicate_positions, "decisions with two chunks at one position"),
            (self.duplicate_vectors, "chunk ids listed twice in Chroma"),
            (self.keyword_missing, "chunk rows missing from the keyword index"),
            (self.keyword_stale, "keyword index rows without a chunk row"),
            (self.missing_vectors, "chunk rows without a vector in Chroma"),
            (self.orphan_vectors, "vectors in Chroma without a chunk row"),
            (self.reason_mismatches, "decisions whose decision_reasons rows disagree"),
            (self.decision_level_missing, "decisions without their whole-decision keyword row "
             "or opening vector (`ingest build` or `verify --repair` adds them)"),
            (self.decision_level_stale, "decision-level rows without a decision row"),
        ]
        lines = [
            f"{len(items)} {what} (e.g. {_examples(items)})" for items, what in checks if items
        ]
        if self.keyword_integrity:
            lines.append(f"keyword index integrity check failed: {self.keyword_integrity}")
        return lines

    def lines(self) -> list[str]:
        counts = (
            f"{self.decisions} decisions, {self.chunks} chunks, "
            f"{self.keyword_rows} keyword rows, {self.vectors} vectors"
        )
        state = "consistent" if self.ok else "INCONSISTENT"
        out = [f"{counts}: {state}", *self.problems()]
        if self.keyword_integrity_skipped:
            out.append(f"keyword index integrity check not run: {self.keyword_integrity_skipped}")
        if self.interrupted:
            out.append("the last build did not finish; run `python -m ingest build` again")
        return out

    def to_json(self) -> dict[str, object]:
        return {**asdict(self), "ok": self.ok, "interrupted": self.interrupted}


def verify(store: Store) -> VerifyReport:
    """Compare the stores of an opened index; changes nothing."""
    report = VerifyReport(build_state=store.meta().get("build_state", ""))
    chunk_ids = _check_sqlite(store, report)
    listed = store.vectors.listed_ids()
    report.vectors = len(set(listed))
    report.duplicate_vectors = sorted(i for i, n in Counter(listed).items() if n > 1)
    report.missing_vectors = sorted(chunk_ids - set(listed))
    report.orphan_vectors = sorted(set(listed) - chunk_ids)
    db_path = store.store_dir / DB_NAME
    if os.access(db_path, os.W_OK):
        report.keyword_integrity = _keyword_integrity(db_path)
    else:
        report.keyword_integrity_skipped = "the index is read-only (FTS5 checks with a write)"
    return report


def _check_sqlite(store: Store, report: VerifyReport) -> set[str]:
    with store.sql() as db:
        report.decisions = db.execute("SELECT count(*) FROM decisions").fetchone()[0]
        chunk_rows = db.execute("SELECT id, rowid FROM chunks").fetchall()
        report.chunks = len(chunk_rows)
        report.orphan_chunks = _column(
            db, "SELECT id FROM chunks WHERE ref NOT IN (SELECT ref FROM decisions)"
        )
        report.empty_decisions = _column(
            db, "SELECT ref FROM decisions WHERE ref NOT IN (SELECT ref FROM chunks)"
        )
        report.duplicate_positions = _column(
            db, "SELECT DISTINCT ref FROM chunks GROUP BY ref, position HAVING count(*) > 1"
        )
        indexed = set(_column(db, "SELECT id FROM chunks_fts_docsize"))
        rowids = {rowid for _, rowid in chunk_rows}
        report.keyword_rows = len(indexed)
        report.keyword_missing = sorted(rowids - indexed)
        report.keyword_stale = sorted(indexed - rowids)
        report.reason_mismatches = _reason_mismatches(db)
        report.decision_level_missing = _column(db, _MISSING_DECISION_LEVEL)
        report.decision_level_stale = _column(db, _STALE_DECISION_LEVEL)
    return {chunk_id for chunk_id, _ in chunk_rows}


_MISSING_DECISION_LEVEL = (
    "SELECT ref FROM decisions WHERE rowid NOT IN (SELECT rowid FROM decisions_fts)"
    " OR ref NOT IN (SELECT ref FROM decision_vectors) ORDER BY ref"
)
_STALE_DECISION_LEVEL = (
    "SELECT 'keyword row ' || rowid FROM decisions_fts WHERE rowid NOT IN"
    " (SELECT rowid FROM decisions) UNION ALL SELECT 'vector ' || ref FROM decision_vectors"
    " WHERE ref NOT IN (SELECT ref FROM decisions)"
)


def _reason_mismatches(db: sqlite3.Connection) -> list[str]:
    wanted = {
        ref: {r for r in reasons.split(",") if r}
        for ref, reasons in db.execute("SELECT ref, reasons FROM decisions")
    }
    stored: dict[str, set[str]] = {}
    for ref, reason in db.execute("SELECT ref, reason FROM decision_reasons"):
        stored.setdefault(ref, set()).add(reason)
    refs = set(wanted) | set(stored)
    return sorted(ref for ref in refs if wanted.get(ref, set()) != stored.get(ref, set()))


def _keyword_integrity(db_path: Path) -> str:
    """FTS5's own check of its index against the chunk rows ("" when it passes)."""
    # The check is an INSERT command, refused on the store's read-only connection; it
    # writes nothing, so a short-lived connection of its own is used.
    db = sqlite3.connect(db_path)
    try:
        db.execute("PRAGMA busy_timeout=10000")
        db.execute("INSERT INTO chunks_fts(chunks_fts, rank) VALUES ('integrity-check', 1)")
        return ""
    except sqlite3.DatabaseError as error:
        return str(error)
    finally:
        db.rollback()
        db.close()


def repair(store: Store, report: VerifyReport, embedder: Embedder) -> list[str]:
    """Make the stores agree (see the module docstring); returns what was done, one line each."""
    actions: list[str] = []
    if report.keyword_missing or report.keyword_stale or report.keyword_integrity:
        with store.sql() as db, db:
            db.execute("INSERT INTO chunks_fts(chunks_fts) VALUES ('rebuild')")
        actions.append("rebuilt the keyword index from the chunk rows")
    if report.orphan_chunks:
        _drop_orphan_chunks(store)
        actions.append(f"dropped {len(report.orphan_chunks)} chunk rows without a decision row")
    redo = _refs_to_redo(store, report)
    if redo:
        store.delete_decisions(redo)
        actions.append(
            f"deleted {len(redo)} decisions with missing vectors or chunks "
            f"({_examples(redo)}); the next `ingest build` re-embeds them"
        )
    orphans = sorted(set(store.vectors.listed_ids()) - store.chunk_ids())
    if orphans:
        store.vectors.delete(orphans)
        actions.append(f"deleted {len(orphans)} vectors without a chunk row")
    if report.reason_mismatches:
        _rewrite_reasons(store)
        actions.append(f"rewrote decision_reasons for {len(report.reason_mismatches)} decisions")
    if report.decision_level_stale or report.decision_level_missing:
        actions.append(_repair_decision_level(store, embedder))
    for action in actions:
        logger.info("repair: %s", action)
    return actions


def _repair_decision_level(store: Store, embedder: Embedder) -> str:
    with store.sql() as db, db:
        db.execute("DELETE FROM decisions_fts WHERE rowid NOT IN (SELECT rowid FROM decisions)")
        db.execute("DELETE FROM decision_vectors WHERE ref NOT IN (SELECT ref FROM decisions)")
    keyword_rows = store.backfill_decision_keywords()
    missing = store.decisions_without_overview()
    store.add_overviews(overview_vectors(embedder, missing))
    return (
        f"made the decision-level rows match the decisions ({keyword_rows} keyword rows and "
        f"{len(missing)} opening vectors added)"
    )


def _drop_orphan_chunks(store: Store) -> None:
    with store.sql() as db, db:
        orphan = "ref NOT IN (SELECT ref FROM decisions)"
        db.execute(
            "INSERT INTO chunks_fts(chunks_fts, rowid, heading, text) SELECT 'delete', rowid,"
            f" heading, text FROM chunks WHERE {orphan}"
        )
        db.execute(f"DELETE FROM chunks WHERE {orphan}")


def _refs_to_redo(store: Store, report: VerifyReport) -> list[str]:
    missing = set(report.missing_vectors)
    with store.sql() as db:
        refs = {
            ref for chunk_id, ref in db.execute("SELECT id, ref FROM chunks") if chunk_id in missing
        }
    return sorted(refs | set(report.empty_decisions) | set(report.duplicate_positions))


def _rewrite_reasons(store: Store) -> None:
    with store.sql() as db, db:
        rows = db.execute("SELECT ref, reasons FROM decisions").fetchall()
        db.execute("DELETE FROM decision_reasons")
        db.executemany(
            "INSERT INTO decision_reasons(ref, reason) VALUES (?, ?)",
            [(ref, r) for ref, reasons in rows for r in dict.fromkeys(reasons.split(",")) if r],
        )


def verify_store(
    settings: Settings, store_dir: Path | None = None, fix: bool = False
) -> tuple[VerifyReport, list[str]]:
    """Verify the index (and repair it when ``fix``); returns the final report and the actions."""
    with opened_store(settings, store_dir, read_only=not fix) as store:
        report = verify(store)
        if not fix or report.ok:
            return report, []
        actions = repair(store, report, get_embedder(settings))
        final = verify(store)
    # A repair changes chunk rows, which retires the keyword impact index: rebuild it, as
    # a build does, so keyword search does not drop to the slow FTS5 path.
    if build_impacts(store.store_dir):
        actions.append("rebuilt the keyword impact index")
    return final, actions


def _column(db: sqlite3.Connection, query: str) -> list:
    return [row[0] for row in db.execute(query)]


def _examples(items: list) -> str:
    shown = ", ".join(str(item) for item in items[:_EXAMPLES])
    return shown + (", ..." if len(items) > _EXAMPLES else "")


__all__ = ["VerifyReport", "repair", "verify", "verify_store"]
