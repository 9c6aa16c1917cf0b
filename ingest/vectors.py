"""The vector side of the index: a Chroma collection, embedded or on a Chroma server."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ingest.records import Chunk, content_hash
from ingest.settings import Settings

logger = logging.getLogger(__name__)

CHROMA_DIR = "chroma"
# Chroma rejects oversized requests; stay well under its batch limit.
_WRITE_BATCH = 1000


class VectorIndex:
    """Chunk vectors keyed by chunk id, with the chunk's flat metadata beside them."""

    def __init__(self, collection: object) -> None:
        self._collection = collection

    def upsert(self, chunks: Sequence[Chunk], vectors: np.ndarray) -> None:
        for start in range(0, len(chunks), _WRITE_BATCH):
            part = chunks[start : start + _WRITE_BATCH]
            self._collection.upsert(
                ids=[c.id for c in part],
                embeddings=vectors[start : start + _WRITE_BATCH],
                metadatas=[c.metadata for c in part],
                documents=[c.text for c in part],
            )

    def delete(self, ids: Sequence[str]) -> None:
        for start in range(0, len(ids), _WRITE_BATCH):
            self._collection.delete(ids=list(ids[start : start + _WRITE_BATCH]))

    def existing(self, ids: Sequence[str]) -> set[str]:
        if not ids:
            return set()
        return set(self._collection.get(ids=list(ids), include=[])["ids"])

    def embeddings(self, ids: Sequence[str]) -> dict[str, np.ndarray]:
        result = self._collection.get(ids=list(ids), include=["embeddings"])
        return {
            chunk_id: np.asarray(vector, dtype=np.float32)
            for chunk_id, vector in zip(result["ids"], result["embeddings"], strict=True)
        }

    def all_ids(self) -> set[str]:
        return set(self._collection.get(include=[])["ids"])

    def count(self) -> int:
        return int(self._collection.count())

    def query(
        self, vector: np.ndarray, k: int, ids: Sequence[str] | None = None
    ) -> list[tuple[str, float]]:
        """(chunk id, cosine similarity) of the nearest chunks, optionally among ``ids``."""
        if ids is not None and not ids:
            return []
        result = self._collection.query(
            query_embeddings=[vector],
            n_results=k,
            ids=list(ids) if ids else None,
            include=["distances"],
        )
        return [
            (chunk_id, 1.0 - float(distance))
            for chunk_id, distance in zip(result["ids"][0], result["distances"][0], strict=True)
        ]


def collection_name(settings: Settings) -> str:
    """One collection per embedding model, so vectors of two models never mix."""
    return f"{settings.collection}-{content_hash(settings.embedding_model)[:12]}"


def chroma_client(settings: Settings, store_dir: Path) -> object:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_host:
        token = settings.chroma_token.get_secret_value()
        headers = {"Authorization": f"Bearer {token}"} if token else None
        return chromadb.HttpClient(
            host=settings.chroma_host,
            port=settings.chroma_port,
            ssl=settings.chroma_ssl,
            headers=headers,
            settings=chroma_settings,
        )
    return chromadb.PersistentClient(path=str(store_dir / CHROMA_DIR), settings=chroma_settings)


def open_vector_index(settings: Settings, store_dir: Path) -> VectorIndex:
    client = chroma_client(settings, store_dir)
    collection = client.get_or_create_collection(
        collection_name(settings),
        configuration={"hnsw": {"space": "cosine"}},
        embedding_function=None,
    )
    return VectorIndex(collection)
