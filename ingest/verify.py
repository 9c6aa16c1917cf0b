"""``verify``: do the decisions table, chunks, keyword index and Chroma agree? ``--repair``.

The index lives in three stores written one after the other (Chroma vectors,
the tantivy keyword index, then one SQLite transaction), so a build killed at
the wrong moment, a disk filling up or a hand-edited file can leave them
disagreeing. What is checked:

- every chunk row belongs to a decision row, and every decision has chunks;
- no two chunks of a decision claim the same position; Chroma lists no id twice;
- the keyword index holds each decision once with as many passages as it has chunk
  rows, and no decision SQLite does not hold (and it can be read at all);
- Chroma holds a vector for every chunk row, and no vector without a chunk row;
- ``decision_reasons`` holds exactly the reasons of each decision row;
- an opening vector exists for exactly the decision rows.

What ``repair`` does, in this order (SQLite is the source of truth):

1. deletes a keyword index that cannot be read (step 6 writes it again);
2. drops chunk rows whose decision row is missing;
3. deletes each decision whose chunks lack vectors, has no chunks or has clashing
   positions (its rows, keyword entries and vectors): it is no longer "known", so the
   next ``ingest build`` parses and embeds it again from its source file;
4. deletes vectors that no chunk row refers to;
5. rewrites ``decision_reasons`` from the decisions table;
6. drops opening vectors without a decision, and adds the missing ones (with the
   index's model);
7. brings the keyword index in step with the decision and chunk rows: re-adds what it
   lacks or holds wrongly, drops the rest.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ingest.indexing.embeddings import Embedder, get_embedder
from ingest.indexing.pipeline import overview_vectors
from ingest.storage import Store, opened_store
from ingest.vocabulary.errors import IndexUnusableError
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
    keyword_missing: list[str] = field(default_factory=list)
    keyword_stale: list[str] = field(default_factory=list)
    keyword_unreadable: str = ""
    missing_vectors: list[str] = field(default_factory=list)
    orphan_vectors: list[str] = field(default_factory=list)
    reason_mismatches: list[str] = field(default_factory=list)
    overview_missing: list[str] = field(default_factory=list)
    overview_stale: list[str] = field(default_factory=list)

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
            (self.keyword_missing, "decisions missing from the keyword index or held there "
             "with other passages"),
            (self.keyword_stale, "decisions in the keyword index without a decision row"),
            (self.missing_vectors, "chunk rows without a vector in Chroma"),
            (self.orphan_vectors, "vectors in Chroma without a chunk row"),
            (self.reason_mismatches, "decisions whose decision_reasons rows disagree"),
            (self.overview_missing, "decisions without their opening vector "
             "(`ingest build` or `verify --repair` adds them)"),
            (self.overview_stale, "opening vectors without a decision row"),
        ]
        lines = [
            f"{len(items)} {what} (e.g. {_examples(items)})" for items, what in checks if items
        ]
        if self.keyword_unreadable:
            lines.append(f"the keyword index cannot be read: {self.keyword_unreadable}")
        return lines

    def lines(self) -> list[str]:
        counts = (
            f"{self.decisions} decisions, {self.chunks} chunks, "
            f"{self.keyword_rows} keyword passages, {self.vectors} vectors"
        )
        state = "consistent" if self.ok else "INCONSISTENT"
        out = [f"{counts}: {state}", *self.problems()]
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
    _check_keywords(store, report)
    return report


def _check_sqlite(store: Store, report: VerifyReport) -> set[str]:
    chunk_ids = store.passages.chunk_ids()
    report.decisions = store.records.count()
    report.chunks = len(chunk_ids)
    report.orphan_chunks = store.passages.orphans()
    report.empty_decisions = store.passages.decisions_without_chunks()
    report.duplicate_positions = store.passages.clashing_positions()
    report.reason_mismatches = store.records.reason_mismatches()
    report.overview_missing = [d.ref for d in store.overviews.missing()]
    report.overview_stale = store.overviews.stale()
    return chunk_ids


def _check_keywords(store: Store, report: VerifyReport) -> None:
    try:
        report.keyword_rows = store.keywords.document_counts()[0]
        report.keyword_missing, report.keyword_stale = store.keyword_differences()
    except (IndexUnusableError, ValueError) as error:
        report.keyword_unreadable = str(error)


def repair(store: Store, report: VerifyReport, embedder: Embedder) -> list[str]:
    """Make the stores agree (see the module docstring); returns what was done, one line each."""
    actions: list[str] = []
    if report.keyword_unreadable:  # first: the other steps delete from it
        store.recreate_keywords()
        actions.append("deleted the keyword index, which could not be read")
    if report.orphan_chunks:
        store.passages.drop_orphans()
        actions.append(f"dropped {len(report.orphan_chunks)} chunk rows without a decision row")
    redo = _refs_to_redo(store, report)
    if redo:
        store.delete_decisions(redo)
        actions.append(
            f"deleted {len(redo)} decisions with missing vectors or chunks "
            f"({_examples(redo)}); the next `ingest build` re-embeds them"
        )
    orphans = sorted(set(store.vectors.listed_ids()) - store.passages.chunk_ids())
    if orphans:
        store.vectors.delete(orphans)
        actions.append(f"deleted {len(orphans)} vectors without a chunk row")
    if report.reason_mismatches:
        store.records.rewrite_reasons()
        actions.append(f"rewrote decision_reasons for {len(report.reason_mismatches)} decisions")
    if report.overview_stale or report.overview_missing:
        actions.append(_repair_overviews(store, embedder))
    changed = store.sync_keywords(check_all=True)
    if changed:
        actions.append(
            f"brought the keyword index in step ({changed} decisions re-added or dropped)"
        )
    for action in actions:
        logger.info("repair: %s", action)
    return actions


def _repair_overviews(store: Store, embedder: Embedder) -> str:
    store.overviews.drop_stale()
    missing = store.overviews.missing()
    store.overviews.add(overview_vectors(embedder, missing))
    return f"made the opening vectors match the decisions ({len(missing)} added)"


def _refs_to_redo(store: Store, report: VerifyReport) -> list[str]:
    refs = store.passages.refs_of(set(report.missing_vectors))
    return sorted(refs | set(report.empty_decisions) | set(report.duplicate_positions))


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
    return final, actions


def _examples(items: Sequence[object]) -> str:
    shown = ", ".join(str(item) for item in items[:_EXAMPLES])
    return shown + (", ..." if len(items) > _EXAMPLES else "")


__all__ = ["VerifyReport", "repair", "verify", "verify_store"]
