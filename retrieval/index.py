"""Open the index read-only, with the model that built it, or refuse with a clear message."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ingest.indexing.embeddings import Embedder, get_embedder
from ingest.indexing.identity import index_identity
from ingest.storage import Store, mismatch_message, open_store
from ingest.vocabulary.errors import IndexMismatchError
from ingest.vocabulary.settings import Settings


@dataclass
class Index:
    """An opened store plus the embedder whose vectors it holds."""

    store: Store
    embedder: Embedder
    settings: Settings

    def embed_query(self, text: str) -> np.ndarray:
        vector: np.ndarray = self.embedder.embed([text], self.settings.embedding_query_threads)[0]
        return vector

    def close(self) -> None:
        self.store.close()


def open_index(settings: Settings, store_dir: Path | None = None) -> Index:
    store = open_store(settings, store_dir, read_only=True)
    built = store.identity()
    assert built is not None  # open_store refused an empty index (and another model) already
    embedder = get_embedder(settings)
    wanted = index_identity(settings, embedder)
    if built != wanted:
        store.close()
        raise IndexMismatchError(
            mismatch_message(store.store_dir, built.describe(), wanted.describe(), built.model)
        )
    return Index(store, embedder, settings)
