"""The keyword impact index: FTS5's own BM25, precomputed per (term, chunk), in one file.

FTS5's ``bm25(chunks_fts, 0.4, 1.0)`` of a row is a sum over the query's phrases of

    IDF(p) * f * (k1 + 1) / (f + k1 * (1 - b + b * D / avgdl))

with k1 = 1.2, b = 0.75, f = the column-weighted count of p in the row, D = the row's
tokens over all columns, avgdl = the table's mean D and IDF = log((N - n + 0.5) /
(n + 0.5)), set to 1e-6 when not positive (N rows, n of them matching p; see
``fts5Bm25Function`` in SQLite's fts5_aux.c). For a one-token phrase every term of that
sum depends on the term and the row only, so it can be computed once per build: this
file holds, per term, the rows it occurs in and its score there ("impacts"). A query is
then a weighted bincount over its terms' rows (``retrieval.keyword_impacts``) instead
of FTS5 scoring every chunk that matches any word (~1 us each, 30-45% of all chunks).

A two-token phrase must match adjacently, which per-term postings cannot tell. The
ones questions make are a word and what follows an apostrophe ("son's" → "son" "s",
"didn't" → "didn" "t"); FTS5 scores those slowly when common ("children's": 150k chunks
at 100k decisions). So every such adjacent pair in the index ("son s") gets postings of
its own, computed the same way (its IDF counts the rows holding the pair).

It is read from the FTS5 index itself (``fts5vocab`` tables, the docsize and averages
records), so tokens, counts and lengths are FTS5's. The file (``ingest.arrayfile``) is
stamped with the store's chunk generation (bumped by a trigger on every chunk row
change) and a hash of FTS5's averages record; a reader uses it only while both match.
Arrays: ``rowids`` int64 (sorted chunk rowids); per kind (terms, then pairs) ``offsets``
int64[names + 1], ``rows`` int32 (positions in ``rowids``) and ``impacts`` float32.
"""

from __future__ import annotations

import hashlib
import logging
import math
import sqlite3
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ingest.arrayfile import ArrayWriter, atomic_file, read_arrays
from ingest.store import BM25_WEIGHTS, DB_NAME

logger = logging.getLogger(__name__)

IMPACTS_NAME = "keyword-impacts.bin"
FORMAT_VERSION = 2
K1, B = 1.2, 0.75  # fts5_aux.c's constants
# Tokens after an apostrophe: pairs ending in one of these get their own postings.
CLITICS = ("s", "t", "d", "m", "ve", "re", "ll")
_FETCH = 200_000  # instances per fetch while building
_OFFSET_BITS = 20  # token offsets within a column stay far below 2**20


@dataclass(frozen=True)
class Postings:
    """Per name (a term, or a pair "son s"), the rows holding it and its impact there."""

    names: dict[str, int]
    offsets: np.ndarray
    rows: np.ndarray
    impacts: np.ndarray

    def get(self, name: str) -> tuple[np.ndarray, np.ndarray] | None:
        i = self.names.get(name)
        if i is None:
            return None
        start, end = int(self.offsets[i]), int(self.offsets[i + 1])
        return self.rows[start:end], self.impacts[start:end]


@dataclass(frozen=True)
class ImpactIndex:
    """A loaded impact index (arrays memory-mapped from the file)."""

    stamp: str
    rowids: np.ndarray
    terms: Postings
    pairs: Postings

    def postings(self, tokens: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray] | None:
        """(row positions, impacts) of a one-token phrase or a word-clitic pair; None when
        no chunk holds it. Other phrases are not here (``covers`` says which)."""
        if len(tokens) == 1:
            return self.terms.get(tokens[0])
        return self.pairs.get(" ".join(tokens))

    @staticmethod
    def covers(tokens: tuple[str, ...]) -> bool:
        return len(tokens) == 1 or (len(tokens) == 2 and tokens[1] in CLITICS)


def impacts_path(store_dir: Path) -> Path:
    return Path(store_dir) / IMPACTS_NAME


def current_stamp(db: sqlite3.Connection) -> str:
    """What the store's chunks are now: their generation and FTS5's row/token totals."""
    generation, averages = db.execute(
        "SELECT (SELECT value FROM meta WHERE key = 'generation'),"
        " (SELECT block FROM chunks_fts_data WHERE id = 1)"
    ).fetchone()
    digest = hashlib.blake2b(averages or b"", digest_size=8).hexdigest()
    return f"{generation}:{digest}"


def build_impacts(store_dir: Path) -> bool:
    """Write the impact index of the store in ``store_dir``; False when it was up to date."""
    path = impacts_path(store_dir)
    with closing(_reader(Path(store_dir) / DB_NAME)) as db:
        db.execute("BEGIN")  # one snapshot for the stamp and every array
        stamp = current_stamp(db)
        existing = load_impacts(store_dir)
        if existing is not None and existing.stamp == stamp:
            return False
        with atomic_file(path) as temp:
            _write(db, stamp, ArrayWriter(temp))
    return True


def load_impacts(store_dir: Path) -> ImpactIndex | None:
    """The impact index in ``store_dir``; None (logged) when it is missing or unreadable."""
    path = impacts_path(store_dir)
    try:
        header, arrays = read_arrays(path)
        if header.get("version") != FORMAT_VERSION:
            raise ValueError(f"format version {header.get('version')}")
        kinds = [_postings(header[kind], arrays, kind) for kind in ("terms", "pairs")]
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as error:
        logger.warning("keyword impact index %s is unreadable (%s); not used", path, error)
        return None
    return ImpactIndex(header["stamp"], arrays["rowids"], *kinds)


def _postings(names: list[str], arrays: dict[str, np.ndarray], kind: str) -> Postings:
    offsets = arrays[f"{kind}_offsets"]
    if offsets.size != len(names) + 1 or int(offsets[-1]) != arrays[f"{kind}_rows"].size:
        raise ValueError(f"{kind} offsets do not fit")
    names_at = {name: i for i, name in enumerate(names)}
    return Postings(names_at, offsets, arrays[f"{kind}_rows"], arrays[f"{kind}_impacts"])


# --- building -------------------------------------------------------------------


@dataclass
class _Bm25:
    """FTS5's per-phrase BM25 term over the table as it is."""

    rowids: np.ndarray
    scale: np.ndarray  # k1 * (1 - b + b * D / avgdl) per row
    total_rows: int

    def impacts(self, docs: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(row positions, impacts) from a phrase's instances: rowid and column weight each,
        in rowid order."""
        starts = np.flatnonzero(np.r_[True, docs[1:] != docs[:-1]])
        freq = np.add.reduceat(weights, starts) if starts.size else np.zeros(0)
        rows = np.searchsorted(self.rowids, docs[starts])
        if rows.size and not np.array_equal(
            self.rowids[np.minimum(rows, self.rowids.size - 1)], docs[starts]
        ):
            raise RuntimeError("FTS5 vocabulary disagrees with its docsize records")
        idf = _idf(self.total_rows, rows.size)
        return rows.astype(np.int32), (idf * freq * (K1 + 1) / (freq + self.scale[rows]))


@dataclass
class _Pairs:
    """Postings of word-clitic pairs, found while each word's instances pass by."""

    after: tuple[np.ndarray, np.ndarray]  # sorted positions just before a clitic, its index
    names: list[str] = field(default_factory=list)
    rows: list[np.ndarray] = field(default_factory=list)
    impacts: list[np.ndarray] = field(default_factory=list)

    def add(self, term: str, instances: tuple[np.ndarray, ...], model: _Bm25) -> None:
        before, clitic = self.after
        if not before.size:
            return
        docs, heading, _ = instances
        positions = _position(*instances)
        at = np.minimum(np.searchsorted(before, positions), before.size - 1)
        hit = np.flatnonzero(before[at] == positions)
        for label in np.unique(clitic[at[hit]]):
            chosen = hit[clitic[at[hit]] == label]
            weights = np.where(heading[chosen], BM25_WEIGHTS["heading"], BM25_WEIGHTS["text"])
            rows, impacts = model.impacts(docs[chosen], weights)
            self.names.append(f"{term} {CLITICS[label]}")
            self.rows.append(rows)
            self.impacts.append(impacts)


def _write(db: sqlite3.Connection, stamp: str, writer: ArrayWriter) -> None:
    terms = db.execute("SELECT term, doc FROM temp.oqa_vocab_row ORDER BY term").fetchall()
    rowids, lengths = _row_lengths(db)
    total_rows, total_tokens = _averages(db)
    avgdl = total_tokens / max(total_rows, 1)
    model = _Bm25(rowids, K1 * (1 - B + B * lengths / avgdl), total_rows)
    counts = np.array([n for _, n in terms], dtype=np.int64)
    writer.add("rowids", rowids)
    writer.add("terms_offsets", np.concatenate(([0], np.cumsum(counts))))
    rows = writer.allocate("terms_rows", np.int32, int(counts.sum()))
    impacts = writer.allocate("terms_impacts", np.float32, int(counts.sum()))
    pairs = _Pairs(_clitic_positions(db, {term for term, _ in terms}))
    start = 0
    for term, matching in terms:
        instances = _instances(db, term)
        weights = np.where(instances[1], BM25_WEIGHTS["heading"], BM25_WEIGHTS["text"])
        term_rows, term_impacts = model.impacts(instances[0], weights)
        if term_rows.size != matching:
            raise RuntimeError(f"FTS5 vocabulary disagrees with itself at {term!r}")
        rows[start : start + matching] = term_rows
        impacts[start : start + matching] = term_impacts
        start += matching
        pairs.add(term, instances, model)
    for array in (rows, impacts):
        if isinstance(array, np.memmap):
            array.flush()
    _add_pairs(writer, pairs)
    names = [term for term, _ in terms]
    writer.finish({"version": FORMAT_VERSION, "stamp": stamp, "terms": names, "pairs": pairs.names})
    logger.info(
        "keyword impact index: %d terms, %d pairs, %d rows",
        len(names),
        len(pairs.names),
        rowids.size,
    )


def _add_pairs(writer: ArrayWriter, pairs: _Pairs) -> None:
    sizes = [r.size for r in pairs.rows]
    writer.add("pairs_offsets", np.concatenate(([0], np.cumsum(sizes))).astype(np.int64))
    writer.add("pairs_rows", np.concatenate([np.zeros(0, np.int32), *pairs.rows]))
    writer.add(
        "pairs_impacts",
        np.concatenate([np.zeros(0, np.float32), *pairs.impacts]).astype(np.float32),
    )


def _reader(db_path: Path) -> sqlite3.Connection:
    """A read-only connection with fts5vocab views of the store's FTS5 index."""
    db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, isolation_level=None)
    db.execute("PRAGMA busy_timeout=10000")
    for kind in ("row", "instance"):
        db.execute(
            f"CREATE VIRTUAL TABLE temp.oqa_vocab_{kind} USING fts5vocab(main, chunks_fts, {kind})"
        )
    return db


def _instances(db: sqlite3.Connection, term: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every occurrence of ``term`` in rowid order: (rowid, in the heading?, token offset).
    Fetched in batches: the commonest terms occur millions of times at 100k decisions."""
    cursor = db.execute(
        "SELECT doc, col = 'heading', offset FROM temp.oqa_vocab_instance WHERE term = ?", (term,)
    )
    parts = [np.zeros((0, 3), dtype=np.int64)]
    while batch := cursor.fetchmany(_FETCH):
        parts.append(np.array(batch, dtype=np.int64))
    data = np.concatenate(parts)
    if data.size and int(data[:, 2].max()) >= 1 << _OFFSET_BITS:
        raise RuntimeError(f"a column longer than {1 << _OFFSET_BITS} tokens at {term!r}")
    return data[:, 0], data[:, 1].astype(bool), data[:, 2]


def _position(docs: np.ndarray, heading: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """One int64 per token position: rowid, column, offset."""
    return (docs << (_OFFSET_BITS + 1)) | (heading.astype(np.int64) << _OFFSET_BITS) | offsets


def _clitic_positions(
    db: sqlite3.Connection, vocabulary: set[str]
) -> tuple[np.ndarray, np.ndarray]:
    """Sorted positions of the token just before each clitic, and which clitic follows."""
    positions, labels = [np.zeros(0, np.int64)], [np.zeros(0, np.int8)]
    for label, clitic in enumerate(CLITICS):
        if clitic in vocabulary:
            docs, heading, offsets = _instances(db, clitic)
            positions.append(_position(docs, heading, offsets) - 1)
            labels.append(np.full(docs.size, label, dtype=np.int8))
    position, label = np.concatenate(positions), np.concatenate(labels)
    order = np.argsort(position, kind="stable")
    return position[order], label[order]


def _row_lengths(db: sqlite3.Connection) -> tuple[np.ndarray, np.ndarray]:
    """Sorted rowids and each row's tokens over all columns (FTS5's docsize record, D)."""
    rowids, lengths = [], []
    for rowid, sizes in db.execute("SELECT id, sz FROM chunks_fts_docsize ORDER BY id"):
        rowids.append(rowid)
        # One varint per column; nearly always one byte each, so the sum is the length.
        lengths.append(sum(sizes) if max(sizes, default=0) < 0x80 else sum(_varints(sizes)))
    return np.array(rowids, dtype=np.int64), np.array(lengths, dtype=np.float64)


def _averages(db: sqlite3.Connection) -> tuple[int, int]:
    """FTS5's row count and total tokens (its averages record): N and N * avgdl."""
    row = db.execute("SELECT block FROM chunks_fts_data WHERE id = 1").fetchone()
    values = _varints(row[0]) if row and row[0] else [0]
    return values[0], sum(values[1:])


def _varints(data: bytes) -> list[int]:
    """SQLite's big-endian varints (FTS5 stores sizes and totals so)."""
    values, value, length = [], 0, 0
    for byte in data:
        length += 1
        if length == 9:  # the ninth byte carries 8 bits
            values.append((value << 8) | byte)
            value, length = 0, 0
            continue
        value = (value << 7) | (byte & 0x7F)
        if byte < 0x80:
            values.append(value)
            value, length = 0, 0
    return values


def _idf(total_rows: int, matching: int) -> float:
    idf = math.log((total_rows - matching + 0.5) / (matching + 0.5))
    return idf if idf > 0 else 1e-6


__all__ = ["ImpactIndex", "build_impacts", "current_stamp", "impacts_path", "load_impacts"]
