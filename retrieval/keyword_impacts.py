"""Keyword search over the impact index (``ingest.impacts``): FTS5's BM25 ranking, exactly,
without scoring every matching chunk inside FTS5.

A question's phrases (``retrieval.keywords.query_phrases``) are tokenised by SQLite
itself, with the tokenizer the store's FTS5 table was created with. A phrase of one
token, or a word and a clitic ("son's" → "son" "s"), adds its precomputed impacts. Any
other phrase of several tokens ("o'brien") is scored by FTS5 alone (``bm25`` of a
one-phrase query is exactly that phrase's share of the sum), which is rare and cheap.
A phrase of no tokens adds nothing, as in FTS5. Filters keep the same ranking and mask
the rows outside them (IDF is over the whole table in FTS5 too).

``search`` returns None whenever the impact index is missing, unreadable or older than the
store's chunks: the caller then runs the FTS5 query (right, slower).
"""

from __future__ import annotations

import logging
import re
import sqlite3
import threading
import weakref

import numpy as np

from ingest.impacts import ImpactIndex, current_stamp, impacts_path, load_impacts
from ingest.store import BM25, Store
from ingest.vocabulary.filters import DecisionFilter, filter_sql, marks

logger = logging.getLogger(__name__)

_TOKEN_CACHE = 100_000  # words; a few MB at most
_readers: weakref.WeakKeyDictionary[Store, _Reader] = weakref.WeakKeyDictionary()
_readers_lock = threading.Lock()


def search(
    store: Store, phrases: list[str], k: int, where: DecisionFilter | None = None
) -> list[tuple[str, float]] | None:
    """(chunk id, BM25 score) as ``Store.keyword_search`` ranks the OR of ``phrases``, or None
    when the impact index cannot be used."""
    with _readers_lock:
        reader = _readers.get(store)
        if reader is None:
            reader = _readers[store] = _Reader(store)
    return reader.search(phrases, k, where or DecisionFilter())


class _Reader:
    """One store's impact index, reloaded when the file changes, used while its stamp holds."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.path = impacts_path(store.store_dir)
        self._lock = threading.Lock()
        self._index: ImpactIndex | None = None
        self._file: tuple[int, int, int] | None = None  # (inode, mtime, size) last loaded
        self._reported: str | None = None  # the stamp we last logged a fallback for
        self._tokeniser: _Tokeniser | None = None

    def search(
        self, phrases: list[str], k: int, where: DecisionFilter
    ) -> list[tuple[str, float]] | None:
        index = self._current()
        if index is None:
            return None
        positions, impacts = self._postings(index, phrases)
        if not positions:
            return []
        scores = np.bincount(
            np.concatenate(positions), np.concatenate(impacts), minlength=index.rowids.size
        )
        if not where.is_empty:
            scores[~self._allowed(index, where)] = 0.0
        return self._top(index, scores, k)

    def _current(self) -> ImpactIndex | None:
        with self.store.sql() as db:
            stamp = current_stamp(db)
        with self._lock:
            if self._index is None or self._index.stamp != stamp:
                self._reload()
            index = self._index
            if index is not None and index.stamp == stamp:
                return index
            if self._reported != stamp:
                self._reported = stamp
                logger.warning(
                    "keyword impact index %s is missing or older than the store; keyword search"
                    " uses FTS5 (slower) until `python -m ingest build` writes it",
                    self.path,
                )
            return None

    def _reload(self) -> None:
        try:
            info = self.path.stat()
        except FileNotFoundError:
            self._index, self._file = None, None
            return
        signature = (info.st_ino, info.st_mtime_ns, info.st_size)
        if signature != self._file:
            self._file = signature
            self._index = load_impacts(self.store.store_dir)

    def _postings(
        self, index: ImpactIndex, phrases: list[str]
    ) -> tuple[list[np.ndarray], list[np.ndarray]]:
        tokens = self._tokens().tokens([_unquote(p) for p in phrases])
        positions, impacts = [], []
        for phrase in phrases:
            terms = tokens[_unquote(phrase)]
            found = None  # no tokens: FTS5 matches nothing for it either
            if terms and index.covers(terms):
                found = index.postings(terms)
            elif terms:
                found = self._phrase_scores(index, phrase)
            if found is not None and found[0].size:
                positions.append(found[0])
                impacts.append(found[1])
        return positions, impacts

    def _phrase_scores(self, index: ImpactIndex, phrase: str) -> tuple[np.ndarray, np.ndarray]:
        """A several-token phrase's share of the score: FTS5's bm25 of that phrase alone."""
        query = f"SELECT rowid, -{BM25} FROM chunks_fts WHERE chunks_fts MATCH ?"
        with self.store.sql() as db:
            rows = db.execute(query, (phrase,)).fetchall()
        data = np.array(rows, dtype=np.float64).reshape(-1, 2)
        positions, known = _positions(index, data[:, 0].astype(np.int64))
        return positions[known], data[known, 1]

    def _allowed(self, index: ImpactIndex, where: DecisionFilter) -> np.ndarray:
        sql, args = filter_sql(where)
        query = f"SELECT c.rowid FROM chunks c JOIN decisions d ON d.ref = c.ref{sql}"
        with self.store.sql() as db:
            rowids = np.array([row[0] for row in db.execute(query, args)], dtype=np.int64)
        positions, known = _positions(index, rowids)
        allowed = np.zeros(index.rowids.size, dtype=bool)
        allowed[positions[known]] = True
        return allowed

    def _top(self, index: ImpactIndex, scores: np.ndarray, k: int) -> list[tuple[str, float]]:
        """The ``k`` best matching rows, best first (every match scores above zero)."""
        matched = np.flatnonzero(scores > 0)
        if matched.size > k:
            matched = matched[np.argpartition(-scores[matched], k - 1)[:k]]
        best = matched[np.lexsort((matched, -scores[matched]))]
        rowids = index.rowids[best].tolist()
        with self.store.sql() as db:
            ids = dict(
                db.execute(f"SELECT rowid, id FROM chunks WHERE rowid IN ({marks(rowids)})", rowids)
            )
        return [(ids[r], float(scores[p])) for r, p in zip(rowids, best, strict=True) if r in ids]

    def _tokens(self) -> _Tokeniser:
        if self._tokeniser is None:
            self._tokeniser = _Tokeniser(_table_tokenizer(self.store))
        return self._tokeniser


def _positions(index: ImpactIndex, rowids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positions of ``rowids`` in the index, and which of them it knows (all, while the stamp
    holds; a row written since, in the moment before a reader sees the new stamp, is not)."""
    if not index.rowids.size:
        return np.zeros(rowids.size, dtype=np.int64), np.zeros(rowids.size, dtype=bool)
    positions = np.minimum(np.searchsorted(index.rowids, rowids), index.rowids.size - 1)
    return positions, index.rowids[positions] == rowids


def _unquote(phrase: str) -> str:
    """The text of a quoted FTS5 phrase (``retrieval.keywords.query_phrases`` quotes them)."""
    if len(phrase) >= 2 and phrase[0] == phrase[-1] == '"':
        return phrase[1:-1].replace('""', '"')
    return phrase


def _table_tokenizer(store: Store) -> str:
    """The tokenize= argument the store's FTS5 table was created with."""
    with store.sql() as db:
        sql = db.execute("SELECT sql FROM sqlite_master WHERE name = 'chunks_fts'").fetchone()[0]
    found = re.search(r"tokenize\s*=\s*'([^']*)'", sql)
    return found.group(1) if found else "unicode61"


class _Tokeniser:
    """Words → FTS5 tokens, by SQLite itself (a private in-memory FTS5 table)."""

    def __init__(self, tokenize: str) -> None:
        self._db = sqlite3.connect(":memory:", check_same_thread=False)
        quoted = tokenize.replace("'", "''")
        self._db.execute(f"CREATE VIRTUAL TABLE words USING fts5(word, tokenize='{quoted}')")
        self._db.execute("CREATE VIRTUAL TABLE words_vocab USING fts5vocab(words, instance)")
        self._lock = threading.Lock()
        self._cache: dict[str, tuple[str, ...]] = {}

    def tokens(self, words: list[str]) -> dict[str, tuple[str, ...]]:
        """Each word's tokens in order (no tokens: nothing FTS5 could match)."""
        missing = [w for w in dict.fromkeys(words) if w not in self._cache]
        if missing:
            with self._lock, self._db:
                self._db.execute("DELETE FROM words")
                self._db.executemany(
                    "INSERT INTO words(rowid, word) VALUES (?, ?)", enumerate(missing)
                )
                found: dict[int, list[str]] = {i: [] for i in range(len(missing))}
                for term, doc in self._db.execute(
                    "SELECT term, doc FROM words_vocab ORDER BY doc, offset"
                ):
                    found[doc].append(term)
            if len(self._cache) > _TOKEN_CACHE:
                self._cache.clear()
            self._cache.update({missing[i]: tuple(terms) for i, terms in found.items()})
        return {w: self._cache[w] for w in words}


__all__ = ["search"]
