"""``build``: files → SourceDoc → Decision → Chunks → vectors → index, idempotently.

Unchanged decisions (same content hash) are skipped before chunking; chunks
whose vectors Chroma already holds are not embedded again. Work is written in
batches, each one SQLite transaction, so an interrupted build loses at most
the batch in flight and a re-run completes it without duplicates.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ingest.indexing.chunk import chunk_decision, embedding_text
from ingest.indexing.embeddings import Embedder, get_embedder
from ingest.indexing.identity import chunk_limits, index_identity
from ingest.parse.bulk import count_lines, is_bulk, read_lines, source_file
from ingest.parse.decision import parse_decision
from ingest.parse.sources import check_inside, discover, read_source
from ingest.storage import Store, open_store
from ingest.vocabulary.errors import SourceError
from ingest.vocabulary.records import Chunk, Decision, SourceDoc
from ingest.vocabulary.settings import Settings

logger = logging.getLogger(__name__)

_MAX_REASON = 300  # characters of a failure's reason (an exception's text can be a page long)
ProgressCallback = Callable[[int, int, str], None]
"""Called with (decisions read so far, in all, where the last came from): one a file, or one
a line of a bulk file."""


@dataclass
class BuildSummary:
    seen: int = 0
    parsed: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)
    # Entries a source folder holds that are not read: hidden files, links (see discover).
    skipped: list[tuple[str, str]] = field(default_factory=list)
    unchanged: int = 0
    added_decisions: int = 0
    updated_decisions: int = 0
    chunks_added: int = 0
    chunks_reused: int = 0
    pruned: int = 0
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)

    def line(self) -> str:
        return (
            f"{self.seen} files seen, {self.parsed} parsed, {len(self.failed)} failed, "
            f"{self.added_decisions} decisions added, {self.updated_decisions} updated, "
            f"{self.unchanged} unchanged, {self.chunks_added} chunks added, "
            f"{self.chunks_reused} chunks reused, {self.pruned} pruned, "
            f"{len(self.skipped)} entries skipped, {self.seconds:.1f} s"
        )

    def time(self, stage: str, seconds: float) -> None:
        self.timings[stage] = self.timings.get(stage, 0.0) + seconds


def build(
    sources: list[Path],
    settings: Settings,
    store_dir: Path | None = None,
    prune: bool = False,
    progress: ProgressCallback | None = None,
    replace: bool = False,
) -> BuildSummary:
    """Index every decision file under ``sources``; see the module docstring.

    A decision already indexed from another file is a conflict, reported and left as it
    is, unless ``replace``: a file elsewhere must not silently take over a reference."""
    started = time.perf_counter()
    store = open_store(settings, store_dir, read_only=False)  # before the model: fails fast
    try:
        embedder = get_embedder(settings)
        store.claim_identity(index_identity(settings, embedder))
        store.mark_started()
        store.sync_keywords()  # a store from an earlier version, or an interrupted write
        _backfill_overviews(store, embedder)
        run = _BuildRun(store, embedder, settings, replace)
        paths = [
            (path, root) for root in sources for path in discover(root, run.summary.skipped)
        ]
        total = sum(count_lines(path) if is_bulk(path) else 1 for path, _ in paths)
        for done, (label, doc) in enumerate(_read_all(paths), start=1):
            run.add(label, doc)
            if progress:
                progress(done, total, label)
        run.flush()
        if prune:
            run.summary.pruned = _prune(store, sources, run.seen_refs)
        store.vectors.fit_search_breadth()
        store.mark_built()
    finally:
        store.close()
    run.summary.seconds = time.perf_counter() - started
    return run.summary


class _BuildRun:
    """State of one build: what was seen and what waits to be embedded."""

    def __init__(self, store: Store, embedder: Embedder, settings: Settings, replace: bool) -> None:
        self.store = store
        self.flush_chunks = settings.build_flush_chunks
        self.site = settings.crawl_base_url
        self.embedder = embedder
        self.limits = chunk_limits(settings, embedder)
        self.summary = BuildSummary()
        self.known = store.records.known_doc_hashes()
        self.indexed_from = store.records.source_paths()
        self.replace = replace
        self.seen_refs: dict[str, str] = {}
        self.pending: list[tuple[Decision, list[Chunk]]] = []

    def add(self, label: str, doc: SourceDoc | SourceError) -> None:
        """One file's decision, or one line's of a bulk file (``label``: where it came from,
        ``doc`` the text read or why none could be)."""
        self.summary.seen += 1
        read = self._read(label, doc)
        if read is not None:
            self._queue(*read)

    def _read(
        self, label: str, doc: SourceDoc | SourceError
    ) -> tuple[Decision, list[Chunk]] | None:
        """The decision and its chunks when they are to be written; None when it failed
        (reported), is a duplicate or conflict (reported) or is unchanged."""
        path = Path(label)
        try:
            if isinstance(doc, SourceError):
                raise doc
            decision = self._parse(doc)
            self.summary.parsed += 1
            if self._is_duplicate(decision, path) or self._conflicts(decision, path):
                return None
            if self.known.get(decision.ref) == decision.doc_hash:
                self.summary.unchanged += 1
                return None
            return decision, self._chunk(decision)
        except SourceError as error:
            self._fail(path, error.reason)
            logger.warning("skipped %s", error)
        except Exception as error:  # one odd file must not stop the build
            # Whatever a file makes the parser or chunker raise, it is that file's failure:
            # reported in one line (the traceback with -v) and the build goes on.
            self._fail(path, f"could not be read ({type(error).__name__}: {error})")
            logger.info("skipped %s", path, exc_info=True)
        return None

    def _parse(self, doc: SourceDoc) -> Decision:
        tick = time.perf_counter()
        try:
            return parse_decision(doc, self.site)
        finally:
            self.summary.time("parse", time.perf_counter() - tick)

    def _fail(self, path: Path, reason: str) -> None:
        self.summary.failed.append((str(path), " ".join(reason.split())[:_MAX_REASON]))

    def _is_duplicate(self, decision: Decision, path: Path) -> bool:
        first = self.seen_refs.setdefault(decision.ref, str(path))
        if first == str(path):
            return False
        self._fail(path, f"reference {decision.ref} already read from {first}; skipped")
        return True

    def _conflicts(self, decision: Decision, path: Path) -> bool:
        """True (and reported) when the reference is indexed from another file and this
        one differs: applied only with ``replace``."""
        indexed = self.indexed_from.get(decision.ref)
        if (
            self.replace
            or indexed is None
            or self.known.get(decision.ref) == decision.doc_hash
            or _same_file(Path(indexed), path)
        ):
            return False
        self._fail(
            path,
            f"reference {decision.ref} is already indexed from {indexed}; not replaced "
            "(build with --replace to index this file instead)",
        )
        return True

    def _chunk(self, decision: Decision) -> list[Chunk]:
        tick = time.perf_counter()
        try:
            return chunk_decision(decision, self.limits, self.embedder.count_tokens)
        finally:
            self.summary.time("chunk", time.perf_counter() - tick)

    def _queue(self, decision: Decision, chunks: list[Chunk]) -> None:
        if decision.ref in self.known:
            self.summary.updated_decisions += 1
        else:
            self.summary.added_decisions += 1
        self.pending.append((decision, chunks))
        if sum(len(c) for _, c in self.pending) >= self.flush_chunks:
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        chunks = {c.id: (d, c) for d, cs in self.pending for c in cs}
        tick = time.perf_counter()
        stored = self.store.vectors.existing(list(chunks))
        to_embed = [pair for chunk_id, pair in chunks.items() if chunk_id not in stored]
        vectors = self._embed(to_embed)
        overviews = overview_vectors(self.embedder, [d for d, _ in self.pending])
        self.summary.time("embed", time.perf_counter() - tick)
        tick = time.perf_counter()
        self.store.write(self.pending, vectors, overviews)
        self.summary.time("write", time.perf_counter() - tick)
        self.summary.chunks_added += len(to_embed)
        self.summary.chunks_reused += len(chunks) - len(to_embed)
        self.pending = []

    def _embed(self, pairs: list[tuple[Decision, Chunk]]) -> dict[str, np.ndarray]:
        texts = [embedding_text(d, c.section, c.text) for d, c in pairs]
        matrix = self.embedder.embed(texts)
        return {c.id: matrix[i] for i, (_, c) in enumerate(pairs)}


def overview_vectors(embedder: Embedder, decisions: list[Decision]) -> dict[str, np.ndarray]:
    """Each decision's opening embedded whole: the model reads its first 256 tokens, which
    hold the header, the summary and the start of the complaint."""
    if not decisions:
        return {}
    matrix = embedder.embed([d.text for d in decisions])
    return {d.ref: matrix[i] for i, d in enumerate(decisions)}


def _backfill_overviews(store: Store, embedder: Embedder) -> None:
    missing = store.overviews.missing()
    if missing:
        logger.info(
            "adding decision vectors to %d decisions indexed before they existed", len(missing)
        )
        store.overviews.add(overview_vectors(embedder, missing))


def _read_all(paths: list[tuple[Path, Path]]) -> Iterator[tuple[str, SourceDoc | SourceError]]:
    """(where it came from, the SourceDoc or why there is none) for each file and bulk line."""
    for path, root in paths:
        try:
            if not is_bulk(path):
                yield str(path), read_source(path, root)
                continue
            check_inside(path, root)
        except SourceError as error:
            yield str(path), error
            continue
        for doc in read_lines(path):
            yield doc.path, doc


def _same_file(first: Path, second: Path) -> bool:
    try:
        return first.resolve() == second.resolve()
    except (OSError, RuntimeError):  # a link loop
        return first == second


def _prune(store: Store, sources: list[Path], seen: dict[str, str]) -> int:
    """Drop decisions whose source file under ``sources`` was not seen in this build."""
    roots = [root.resolve() for root in sources]
    gone = [
        ref
        for ref, source in store.records.source_paths().items()
        if ref not in seen
        and any(Path(source_file(source)).resolve().is_relative_to(r) for r in roots)
    ]
    return store.delete_decisions(gone)


__all__ = ["BuildSummary", "build"]
