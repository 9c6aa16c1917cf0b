"""LangChain retrievers over our index: dense (Chroma), keyword (tantivy BM25) and hybrid (RRF).

Each returns chunk Documents whose metadata carries ``chunk_id``, ``ref`` and
scores; filters (a DecisionFilter) are pushed down into both indexes: the keyword
index applies them as term and range queries; SQLite resolves them to chunk ids,
which Chroma then searches among.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, ParamSpec, TypeVar

import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from ingest.vocabulary.filters import DecisionFilter
from retrieval.index import Index
from retrieval.keywords import query_words
from retrieval.retrieve.fusion import reciprocal_rank_fusion

# Passing Chroma an id list is fast for small filtered sets; past this many
# chunks we over-fetch and filter afterwards instead.
MAX_FILTER_IDS = 20_000
OVERFETCH = 8
# Threads for work beside the query embedding: the keyword searches (tantivy frees the GIL)
# and the openings' matrix product (torch frees it).
_BACKGROUND = ThreadPoolExecutor(max_workers=4, thread_name_prefix="oqa-search")

_P = ParamSpec("_P")
_T = TypeVar("_T")


def in_background(work: Callable[_P, _T], *args: _P.args, **kwargs: _P.kwargs) -> Future[_T]:
    """Run ``work`` on a background thread, beside the query embedding on this one."""
    return _BACKGROUND.submit(work, *args, **kwargs)


class _IndexRetriever(BaseRetriever):
    model_config = ConfigDict(arbitrary_types_allowed=True)

    index: Index
    k: int = 40

    def _documents(self, scored: list[tuple[str, float]], kind: str) -> list[Document]:
        rows = self.index.store.passages.chunks([chunk_id for chunk_id, _ in scored])
        return [
            Document(
                page_content=rows[chunk_id].text,
                metadata={
                    "chunk_id": chunk_id,
                    "ref": rows[chunk_id].ref,
                    "section": rows[chunk_id].section,
                    "paragraphs": rows[chunk_id].paragraphs,
                    kind: score,
                },
            )
            for chunk_id, score in scored
            if chunk_id in rows  # a vector without its chunk row is an orphan: never shown
        ]


class DenseRetriever(_IndexRetriever):
    """Nearest chunks by cosine similarity of all-MiniLM (or the configured model) vectors."""

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun, **kwargs: Any
    ) -> list[Document]:
        vector = kwargs.get("vector")
        if vector is None:
            vector = self.index.embed_query(query)
        return self._documents(self.scored(vector, kwargs.get("filters")), "similarity")

    def scored(self, vector: np.ndarray, filters: DecisionFilter | None) -> list[tuple[str, float]]:
        vectors = self.index.store.vectors
        if filters is None or filters.is_empty:
            return vectors.query(vector, self.k)
        ids = self.index.store.passages.filter_chunk_ids(filters, MAX_FILTER_IDS)
        if ids is not None:
            return vectors.query(vector, min(self.k, len(ids)), ids=ids) if ids else []
        allowed = set(self.index.store.records.filter_refs(filters))
        wide = vectors.query(vector, self.k * OVERFETCH)
        rows = self.index.store.passages.chunks([chunk_id for chunk_id, _ in wide])
        kept = [(cid, s) for cid, s in wide if cid in rows and rows[cid].ref in allowed]
        return kept[: self.k]


class KeywordRetriever(_IndexRetriever):
    """BM25 over the keyword index's passages (``ingest.storage.keyword_index``)."""

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun, **kwargs: Any
    ) -> list[Document]:
        return self._documents(self.scored(query, kwargs.get("filters")), "bm25")

    def scored(self, query: str, filters: DecisionFilter | None) -> list[tuple[str, float]]:
        words = query_words(query)
        if not words:
            return []
        return self.index.store.keywords.search_passages(" ".join(words), self.k, filters)


class HybridRetriever(_IndexRetriever):
    """Dense and keyword results fused by reciprocal rank, each chunk with its dense similarity."""

    keyword_k: int = 40
    rrf_k: int = 60
    dense_weight: float = 1.0  # the keyword list's weight is 1

    @classmethod
    def for_index(cls, index: Index) -> HybridRetriever:
        """The hybrid retriever as the settings configure it."""
        settings = index.settings
        return cls(
            index=index,
            k=settings.dense_k,
            keyword_k=settings.keyword_k,
            rrf_k=settings.rrf_k,
            dense_weight=settings.dense_weight,
        )

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun, **kwargs: Any
    ) -> list[Document]:
        filters, vector = kwargs.get("filters"), kwargs.get("vector")
        dense, keyword, vector = self.scored_lists(query, filters, vector)
        documents = self.fused_documents(dense, keyword)
        add_similarities(documents, vector, self.index.store.vectors.embeddings(lacking(documents)))
        return documents

    def scored_lists(
        self,
        query: str,
        filters: DecisionFilter | None,
        vector: np.ndarray | None = None,
        embed_text: str = "",
    ) -> tuple[list[tuple[str, float]], list[tuple[str, float]], np.ndarray]:
        """The dense and keyword chunk rankings, and the query vector used (``embed_text``'s,
        or the query's, when none is given)."""
        # The keyword search needs no vector: on a second core it overlaps the embedding.
        keyword_search = KeywordRetriever(index=self.index, k=self.keyword_k).scored
        pending = in_background(keyword_search, query, filters)
        if vector is None:
            vector = self.index.embed_query(embed_text or query)
        dense = DenseRetriever(index=self.index, k=self.k).scored(vector, filters)
        return dense, pending.result(), vector

    def fused_documents(
        self, dense: list[tuple[str, float]], keyword: list[tuple[str, float]]
    ) -> list[Document]:
        """Chunks of both rankings fused by reciprocal rank. Those the dense ranking found
        carry their similarity; keyword-only ones get theirs from ``add_similarities``, for
        just the decisions that are kept (each read of stored vectors costs a few ms)."""
        fused = reciprocal_rank_fusion(
            [[cid for cid, _ in dense], [cid for cid, _ in keyword]],
            self.rrf_k,
            weights=(self.dense_weight, 1.0),
        )
        documents = self._documents(list(fused.items()), "rrf")
        similarity = dict(dense)
        for document in documents:
            if document.metadata["chunk_id"] in similarity:
                document.metadata["similarity"] = similarity[document.metadata["chunk_id"]]
        return documents


def lacking(documents: list[Document]) -> list[str]:
    """Chunk ids of ``documents`` that have no similarity yet."""
    return [d.metadata["chunk_id"] for d in documents if "similarity" not in d.metadata]


def add_similarities(
    documents: list[Document], vector: np.ndarray, stored: dict[str, np.ndarray]
) -> None:
    """Each document's cosine similarity to ``vector`` where it lacks one, from the
    ``stored`` vectors (0 for a chunk whose vector could not be read)."""
    for document in documents:
        if "similarity" not in document.metadata:
            found = stored.get(document.metadata["chunk_id"])
            similarity = float(np.dot(found, vector)) if found is not None else 0.0
            document.metadata["similarity"] = similarity
