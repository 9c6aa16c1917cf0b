"""The keyword index: BM25 by tantivy over passages and over whole decisions.

Two tantivy indexes under the store's ``keywords/`` folder: ``passages`` (one
document per chunk) and ``decisions`` (one per decision: a question's words are
often spread over a decision's sections, which no single chunk holds). Each has
four searched fields — ``summary``, ``body``, ``organisation`` and ``headings``
(area, sub-area, section, reference) — scored as one sum of per-field BM25
weighted by ``FieldBoosts``, and filter fields searched by exact terms and
ranges, so a filter is applied inside the engine. Index and query text go
through one analyser (``english_analyser``): words and numbers, lower-cased,
accents folded, English-stemmed (Snowball, which also drops the possessive
"'s": "son's" → "son").

Writes are incremental: a decision's documents are deleted by its reference
and added again, and one commit makes one small segment (tantivy merges them in
the background). One process writes (tantivy's lock refuses a second); any number
of readers, in any process, see each commit as it lands. The keyword index is
committed before the SQLite transaction that records a decision, so after an
interruption it holds at most decisions SQLite does not (whose hits are dropped,
as an orphan vector's are, and which the next build replaces or ``sync``
removes) — never a duplicate, as every write deletes by reference first.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import threading
import weakref
from collections.abc import Sequence
from dataclasses import astuple, dataclass, fields
from pathlib import Path
from typing import Protocol

import tantivy

from ingest.vectors import copy_contents
from ingest.vocabulary.errors import IndexUnusableError
from ingest.vocabulary.filters import DecisionFilter
from ingest.vocabulary.records import SUMMARY_SECTION, Decision

logger = logging.getLogger(__name__)

KEYWORD_DIR = "keywords"
ANALYSER = "oqa_english"
# Words (letters and digits, "£200", "o'brien", "son's"), lower-cased, accents folded, stemmed.
_WORD = r"[\p{L}\p{N}£]+(?:['’]\p{L}+)*"
_WRITER_HEAP = 64_000_000  # bytes buffered before tantivy writes a segment
_MAX_TERMS_PER_REF = 1_000_000  # refs counted per aggregation (far above any store)


@dataclass(frozen=True)
class FieldBoosts:
    """Weight of each searched field in the BM25 sum."""

    summary: float = 1.0
    body: float = 1.0
    organisation: float = 2.0
    headings: float = 0.25


# Chosen by 5-fold cross-validation on the real development questions
# (bench/tune_fields.py; docs/keyword-engine.md gives the folds' figures).
DEFAULT_BOOSTS = FieldBoosts()
SEARCHED = tuple(f.name for f in fields(FieldBoosts))


class PassageText(Protocol):
    """What the keyword index reads of a chunk (a ``Chunk`` or a stored ``ChunkRow``)."""

    @property
    def id(self) -> str: ...

    @property
    def section(self) -> str: ...

    @property
    def text(self) -> str: ...


def english_analyser() -> tantivy.TextAnalyzer:
    """The one analyser for indexed text and query text."""
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.regex(_WORD))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
        .filter(tantivy.Filter.stemmer("english"))
        .build()
    )


_ANALYSER = english_analyser()


def analyse(text: str) -> list[str]:
    """``text``'s index terms, each once, in order."""
    return list(dict.fromkeys(_ANALYSER.analyze(text)))


def headings(decision: Decision, section: str = "") -> str:
    """Keyword-searchable context of a passage (or, without a section, of the decision)."""
    return " ".join(
        part for part in (decision.category, decision.sub_category, section, decision.ref) if part
    )


class KeywordIndex:
    """The passages and decisions indexes of one store."""

    def __init__(self, store_dir: Path, read_only: bool) -> None:
        self.path = store_dir / KEYWORD_DIR
        if read_only:
            self.path = self._readable(self.path)
        self.passages = _Engine(self.path / "passages", "chunk_id", read_only)
        self.decisions = _Engine(self.path / "decisions", "ref", read_only)
        self.boosts = DEFAULT_BOOSTS

    def _readable(self, folder: Path) -> Path:
        """``folder``, or a private copy of it when it is read-only (a published index):
        tantivy takes a lock file even to read, so it cannot open such a folder in place."""
        if not folder.is_dir() or all(
            os.access(path, os.W_OK) for path in (folder, *folder.rglob("*"))
        ):
            return folder
        copy = Path(tempfile.mkdtemp(prefix="oqa-keywords-"))
        try:
            copy_contents(folder, copy)
        except OSError as error:
            shutil.rmtree(copy, ignore_errors=True)
            raise IndexUnusableError(
                f"The keyword index in {folder} is read-only and could not be copied to a "
                f"temporary folder ({error.strerror or error}); give this process a writable "
                "copy of the index (OQA_STORE_DIR)."
            ) from error
        logger.info("%s is read-only: reading a private copy of it in %s", folder, copy)
        weakref.finalize(self, shutil.rmtree, copy, True)  # the copy goes with the index
        return copy

    # --- writing ----------------------------------------------------------------------
    def replace(self, batch: Sequence[tuple[Decision, Sequence[PassageText]]]) -> None:
        """Write each decision with its passages (replacing what its reference had), and
        commit: one segment per index."""
        for decision, passages in batch:
            self.passages.delete(decision.ref)
            self.decisions.delete(decision.ref)
            for passage in passages:
                self.passages.add(_passage_document(decision, passage))
            self.decisions.add(_decision_document(decision))
        self.commit()

    def delete(self, refs: Sequence[str]) -> None:
        for ref in refs:
            self.passages.delete(ref)
            self.decisions.delete(ref)
        self.commit()

    def commit(self) -> None:
        # Passages first: a decision's document says its passages are there too.
        self.passages.commit()
        self.decisions.commit()

    # --- searching ----------------------------------------------------------------------
    def search_passages(
        self, text: str, k: int, where: DecisionFilter | None = None
    ) -> list[tuple[str, float]]:
        """(chunk id, BM25 score, higher is better), best first."""
        return self.passages.search(analyse(text), self.boosts, k, where)

    def search_decisions(
        self, text: str, k: int, where: DecisionFilter | None = None
    ) -> list[tuple[str, float]]:
        """(decision reference, BM25 score over the whole decision), best first."""
        return self.decisions.search(analyse(text), self.boosts, k, where)

    def uses_word(self, word: str) -> bool:
        """Whether any decision's text has ``word`` (analysed as indexed text is)."""
        terms = analyse(word)
        return word.isalpha() and len(terms) == 1 and self.decisions.has_term("body", terms[0])

    # --- checking -----------------------------------------------------------------------
    def passage_counts(self) -> dict[str, int]:
        """Passages per decision reference."""
        return self.passages.counts_by_ref()

    def decision_counts(self) -> dict[str, int]:
        """Documents per decision reference in the decisions index (1 each, when sound)."""
        return self.decisions.counts_by_ref()

    def document_counts(self) -> tuple[int, int]:
        """(passages, decisions) documents."""
        return self.passages.count(), self.decisions.count()

    def clear(self) -> None:
        self.passages.clear()
        self.decisions.clear()
        self.commit()

    def close(self) -> None:
        self.passages.close()
        self.decisions.close()


class _Engine:
    """One tantivy index: its reader, and its writer while this process writes."""

    def __init__(self, path: Path, id_field: str, read_only: bool) -> None:
        self.path = path
        self.id_field = id_field
        self.read_only = read_only
        self._schema = _schema(with_chunk_id=id_field == "chunk_id")
        self._index: tantivy.Index | None = None
        self._writer: tantivy.IndexWriter | None = None
        self._lock = threading.Lock()
        self._warned = False

    def _opened(self) -> tantivy.Index | None:
        """The index; None while a read-only store has none (built by an earlier version:
        keyword search finds nothing until the next build adds it)."""
        with self._lock:
            if self._index is None:
                if self.read_only and not tantivy.Index.exists(str(self.path)):
                    self._warn_missing()
                    return None
                self._index = self._open()
            return self._index

    def _warn_missing(self) -> None:
        if not self._warned:
            self._warned = True
            logger.warning(
                "no keyword index in %s (an index built by an earlier version): keyword search"
                " finds nothing until `python -m ingest build` adds it", self.path,
            )

    def _open(self) -> tantivy.Index:
        try:
            if self.read_only:
                index = tantivy.Index.open(str(self.path))
            else:
                self.path.mkdir(parents=True, exist_ok=True)
                index = tantivy.Index(self._schema, str(self.path))
        except (OSError, ValueError) as error:
            raise IndexUnusableError(
                f"The keyword index {self.path} cannot be used ({error}). Run "
                "`python -m ingest verify --repair` to rebuild it from the stored decisions."
            ) from error
        index.register_tokenizer(ANALYSER, _ANALYSER)
        return index

    def _searcher(self) -> tantivy.Searcher | None:
        index = self._opened()
        return index.searcher() if index is not None else None

    def writer(self) -> tantivy.IndexWriter:
        index = self._opened()
        assert index is not None and not self.read_only, "a read-only store does not write"
        with self._lock:
            if self._writer is None:
                try:
                    self._writer = index.writer(_WRITER_HEAP, 1)
                except ValueError as error:  # the lock: another process writes
                    raise IndexUnusableError(
                        f"The keyword index {self.path} is being written by another build "
                        f"({error}); wait for it to finish."
                    ) from error
            return self._writer

    def add(self, document: tantivy.Document) -> None:
        self.writer().add_document(document)

    def delete(self, ref: str) -> None:
        self.writer().delete_documents_by_term("ref", ref)

    def commit(self) -> None:
        if self._writer is not None:
            self._writer.commit()
            index = self._opened()
            assert index is not None
            index.reload()  # this process reads its own writes at once

    def clear(self) -> None:
        self.writer().delete_all_documents()

    def search(
        self, terms: list[str], boosts: FieldBoosts, k: int, where: DecisionFilter | None
    ) -> list[tuple[str, float]]:
        searcher = self._searcher()
        if searcher is None or not terms:
            return []
        # A flat OR of (field, term) queries, each boosted: tantivy scores it with
        # block-max WAND, skipping documents that cannot reach the top k.
        should = [
            (tantivy.Occur.Should, tantivy.Query.boost_query(
                tantivy.Query.term_query(self._schema, name, term, "freq"), boost))
            for term in terms
            for name, boost in zip(SEARCHED, astuple(boosts), strict=True)
            if boost > 0
        ]
        if not should:
            return []
        query = tantivy.Query.boolean_query(should)
        restriction = _filter_query(self._schema, where or DecisionFilter())
        if restriction is not None:
            query = tantivy.Query.boolean_query([
                (tantivy.Occur.Must, query),
                (tantivy.Occur.Must, tantivy.Query.const_score_query(restriction, 0.0)),
            ])
        hits = searcher.search(query, k, count=False).hits
        return [(searcher.doc(address)[self.id_field][0], float(score)) for score, address in hits]

    def has_term(self, field: str, term: str) -> bool:
        searcher = self._searcher()
        return searcher is not None and searcher.doc_freq(field, term) > 0

    def count(self) -> int:
        searcher = self._searcher()
        return searcher.num_docs if searcher is not None else 0

    def counts_by_ref(self) -> dict[str, int]:
        searcher = self._searcher()
        if searcher is None or searcher.num_docs == 0:
            return {}
        found = searcher.aggregate(
            tantivy.Query.all_query(),
            {"refs": {"terms": {"field": "ref", "size": _MAX_TERMS_PER_REF}}},
        )
        return {b["key"]: int(b["doc_count"]) for b in found["refs"]["buckets"]}

    def close(self) -> None:
        with self._lock:
            if self._writer is not None:
                self._writer.wait_merging_threads()  # finishes merges, releases the lock
                self._writer = None
            self._index = None


def _schema(with_chunk_id: bool) -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    if with_chunk_id:
        builder.add_text_field("chunk_id", stored=True, tokenizer_name="raw",
                               index_option="basic")
    builder.add_text_field("ref", stored=True, fast=True, tokenizer_name="raw",
                           index_option="basic")
    for name in SEARCHED:
        builder.add_text_field(name, tokenizer_name=ANALYSER, index_option="freq")
    for name in _KEYS:
        builder.add_text_field(name, tokenizer_name="raw", index_option="basic")
    builder.add_unsigned_field("date", indexed=True, fast=True)
    return builder.build()


# Filter fields: exact terms (names lower-cased, as SQL's NOCASE matches them).
_KEYS = ("organisation_key", "category_key", "sub_category_key", "outcome", "reasons")


def _document(decision: Decision, **searched: str) -> tantivy.Document:
    """A document of ``decision``: the ``searched`` fields' text and its filter fields."""
    document = tantivy.Document(
        ref=decision.ref,
        organisation=decision.organisation,
        organisation_key=decision.organisation.lower(),
        category_key=decision.category.lower(),
        sub_category_key=decision.sub_category.lower(),
        outcome=decision.outcome.value,
        reasons=[r.value for r in dict.fromkeys(decision.reasons)],
        **searched,
    )
    if decision.date:
        document.add_unsigned("date", _day_number(decision.date.isoformat()))
    return document


def _passage_document(decision: Decision, passage: PassageText) -> tantivy.Document:
    # A passage's text is its summary when it is the decision's summary section, so the
    # summary's boost lifts exactly those passages.
    text_field = "summary" if passage.section == SUMMARY_SECTION else "body"
    return _document(
        decision,
        chunk_id=passage.id,
        headings=headings(decision, passage.section),
        **{text_field: passage.text},
    )


def _decision_document(decision: Decision) -> tantivy.Document:
    return _document(
        decision, summary=decision.summary, body=decision.text, headings=headings(decision)
    )


def _filter_query(schema: tantivy.Schema, where: DecisionFilter) -> tantivy.Query | None:
    """``where`` as tantivy term and range queries (None: nothing is filtered)."""
    parts = [
        tantivy.Query.term_set_query(schema, name, [v.lower() if lower else v for v in values])
        for name, values, lower in (
            ("ref", where.refs, False),
            ("organisation_key", where.organisations, True),
            ("category_key", where.categories, True),
            ("sub_category_key", where.sub_categories, True),
            ("outcome", where.outcomes, False),
            ("reasons", where.reasons, False),
        )
        if values
    ]
    if where.date_from or where.date_to:
        parts.append(tantivy.Query.range_query(
            schema, "date", tantivy.FieldType.Unsigned,
            _day_number(where.date_from or "0000-01-01"),
            _day_number(where.date_to or "9999-12-31"),
        ))
    if not parts:
        return None
    return tantivy.Query.boolean_query([(tantivy.Occur.Must, part) for part in parts])


def _day_number(iso: str) -> int:
    """2024-03-15 → 20240315: dates compare as these numbers do."""
    return int(iso.replace("-", ""))


def remove_keyword_index(store_dir: Path) -> None:
    """Delete the keyword index files (``verify --repair`` rebuilds one that will not open)."""
    shutil.rmtree(store_dir / KEYWORD_DIR, ignore_errors=True)
