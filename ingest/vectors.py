"""The vector side of the index: a Chroma collection, embedded or on a Chroma server."""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import weakref
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ingest.vocabulary.errors import IndexMissingError, StoreUnavailableError
from ingest.vocabulary.records import Chunk, content_hash
from ingest.vocabulary.settings import Settings

if TYPE_CHECKING:  # chromadb is imported when a store is opened, not when this module is
    from chromadb.api import ClientAPI
    from chromadb.api.models.Collection import Collection

logger = logging.getLogger(__name__)

CHROMA_DIR = "chroma"
# Chroma rejects oversized requests; stay well under its batch limit.
_WRITE_BATCH = 1000
# A query among this many ids or fewer reads their vectors and ranks them exactly: local
# Chroma spends ~20 ms on any id-filtered query at 100k+ vectors, a read of 200 takes ~5.
EXACT_MAX_IDS = 200
# How wide the HNSW search looks (Chroma's ef_search). At Chroma's default, 100, a search
# misses some of the nearest chunks, and which ones changes from one process to the next:
# the same question could rank differently after a restart. Up to SMALL_INDEX_VECTORS a
# search 500 wide returns the same chunks every time (only the order of equal similarities
# can differ) for little cost; a larger index keeps the default, for its search time.
SMALL_INDEX_VECTORS = 50_000
WIDE_SEARCH = 500
DEFAULT_SEARCH = 100


class VectorIndex:
    """Chunk vectors keyed by chunk id, with the chunk's flat metadata beside them (no text)."""

    def __init__(self, collection: Collection) -> None:
        self._collection = collection

    def upsert(self, chunks: Sequence[Chunk], vectors: np.ndarray) -> None:
        for start in range(0, len(chunks), _WRITE_BATCH):
            part = chunks[start : start + _WRITE_BATCH]
            self._collection.upsert(
                ids=[c.id for c in part],
                embeddings=vectors[start : start + _WRITE_BATCH],
                metadatas=[c.metadata for c in part],
                # No documents: the text lives in SQLite (the source of truth), and Chroma
                # would full-text index it again: a third of the write time, half its disk.
            )

    def delete(self, ids: Sequence[str]) -> None:
        for start in range(0, len(ids), _WRITE_BATCH):
            self._collection.delete(ids=list(ids[start : start + _WRITE_BATCH]))

    def existing(self, ids: Sequence[str]) -> set[str]:
        if not ids:
            return set()
        return set(self._collection.get(ids=list(ids), include=[])["ids"])

    def embeddings(self, ids: Sequence[str]) -> dict[str, np.ndarray]:
        """Stored vectors of ``ids``; an id whose vector cannot be read is left out."""
        from chromadb.errors import ChromaError

        if not ids:
            return {}
        try:
            result = self._collection.get(ids=list(ids), include=["embeddings"])
        except ChromaError as error:
            # Seen with the embedded store while another process builds: this process's
            # Chroma lists ids that its vector segment cannot serve yet ("Error finding id").
            if len(ids) == 1:
                logger.info("no vector readable for %s yet (%s)", ids[0], error)
                return {}
            return {k: v for chunk_id in ids for k, v in self.embeddings([chunk_id]).items()}
        vectors = result["embeddings"]
        assert vectors is not None  # asked for with include=["embeddings"]
        return {
            chunk_id: np.asarray(vector, dtype=np.float32)
            for chunk_id, vector in zip(result["ids"], vectors, strict=True)
        }

    @property
    def search_breadth(self) -> int:
        """The collection's HNSW ef_search (Chroma's default when it states none)."""
        # The raw JSON: the parsed configuration warns about our collections' (absent)
        # embedding function each time it is read.
        hnsw = self._collection.configuration_json.get("hnsw") or {}
        return int(hnsw.get("ef_search") or DEFAULT_SEARCH)

    def fit_search_breadth(self) -> None:
        """Set how wide searches look for the collection's size; Chroma keeps the setting,
        so every reader opened after uses it."""
        from chromadb.errors import ChromaError

        wanted = WIDE_SEARCH if self.count() <= SMALL_INDEX_VECTORS else DEFAULT_SEARCH
        if self.search_breadth == wanted:
            return
        try:
            self._collection.modify(configuration={"hnsw": {"ef_search": wanted}})
        except ChromaError as error:
            # Seen as "database is locked" while another process had the store open: the
            # build's work is done and stays; searches keep the breadth they had.
            logger.warning("search breadth left at %d for now (%s); the next build sets it",
                           self.search_breadth, error)

    def all_ids(self) -> set[str]:
        return set(self._collection.get(include=[])["ids"])

    def listed_ids(self) -> list[str]:
        """Every id as Chroma lists it, so that a repeated id shows up twice (for verify)."""
        return list(self._collection.get(include=[])["ids"])

    def count(self) -> int:
        return int(self._collection.count())

    def query(
        self, vector: np.ndarray, k: int, ids: Sequence[str] | None = None
    ) -> list[tuple[str, float]]:
        """(chunk id, cosine similarity) of the nearest chunks, optionally among ``ids``."""
        if ids is not None and not ids:
            return []
        if ids is not None and len(ids) <= EXACT_MAX_IDS:
            return _nearest(self.embeddings(ids), vector, k)
        result = self._collection.query(
            query_embeddings=[vector],
            n_results=k,
            ids=list(ids) if ids else None,
            include=["distances"],
        )
        distances = result["distances"]
        assert distances is not None  # asked for with include=["distances"]
        return [
            (chunk_id, 1.0 - float(distance))
            for chunk_id, distance in zip(result["ids"][0], distances[0], strict=True)
        ]


def _nearest(stored: dict[str, np.ndarray], vector: np.ndarray, k: int) -> list[tuple[str, float]]:
    """Exact cosine top-k over a few stored vectors."""
    if not stored:
        return []
    matrix = np.stack(list(stored.values()))
    norms = np.linalg.norm(matrix, axis=1) * (np.linalg.norm(vector) or 1.0)
    similarity = matrix @ vector / np.where(norms > 0, norms, 1.0)
    best = np.argsort(-similarity, kind="stable")[:k]
    ids = list(stored)
    return [(ids[i], float(similarity[i])) for i in best]


def collection_name(settings: Settings) -> str:
    """One collection per embedding model, so vectors of two models never mix."""
    return f"{settings.collection}-{content_hash(settings.embedding_model)[:12]}"


def chroma_client(settings: Settings, store_dir: Path) -> ClientAPI:
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


def open_vector_index(settings: Settings, store_dir: Path, read_only: bool = False) -> VectorIndex:
    """The collection of ``settings``' model. A reader never creates one: a missing vector
    store is an error, not an empty one that would leave search to keywords alone."""
    import httpx
    from chromadb.errors import ChromaError, NotFoundError

    where = store_dir if settings.chroma_host or not read_only else _readable_copy(store_dir)
    try:
        client = chroma_client(settings, where)
        if read_only:
            collection = client.get_collection(collection_name(settings), embedding_function=None)
        else:
            collection = client.get_or_create_collection(
                collection_name(settings),
                configuration={"hnsw": {"space": "cosine"}},
                embedding_function=None,
            )
    except (NotFoundError, ValueError) as error:
        if not read_only or "does not exist" not in str(error):
            raise StoreUnavailableError(_problem(settings, store_dir, error)) from error
        raise IndexMissingError(no_vectors_message(store_dir)) from error
    except (ChromaError, httpx.HTTPError) as error:
        raise StoreUnavailableError(_problem(settings, store_dir, error)) from error
    index = VectorIndex(collection)
    if where != store_dir:  # the private copy goes when the index does
        weakref.finalize(index, shutil.rmtree, where, True)
    return index


def no_vectors_message(store_dir: Path) -> str:
    return (
        f"The index in {store_dir} has no vector store (its {CHROMA_DIR} folder or collection "
        "is missing), so questions cannot be searched by meaning. Run `python -m ingest verify "
        f"--repair --store {store_dir}` and then `python -m ingest build --store {store_dir}` "
        "with your sources to embed the decisions again."
    )


def _readable_copy(store_dir: Path) -> Path:
    """``store_dir``, or a private copy of its Chroma folder when that is read-only: Chroma
    writes to its files even to read (migrations, locks), so it cannot open them in place."""
    folder = store_dir / CHROMA_DIR
    if not folder.is_dir():
        raise IndexMissingError(no_vectors_message(store_dir))
    if all(os.access(path, os.W_OK) for path in (folder, *folder.rglob("*"))):
        return store_dir
    copy = Path(tempfile.mkdtemp(prefix="oqa-vectors-"))
    try:
        copy_contents(folder, copy / CHROMA_DIR)
    except OSError as error:
        shutil.rmtree(copy, ignore_errors=True)
        raise StoreUnavailableError(
            f"The vector store in {folder} is read-only and could not be copied to a temporary "
            f"folder ({error.strerror or error}); give this process a writable copy of the index "
            "(OQA_STORE_DIR), or serve the vectors from a Chroma server (OQA_CHROMA_HOST)."
        ) from error
    logger.info("%s is read-only: reading a private copy of it in %s", folder, copy)
    return copy


def copy_contents(source: Path, target: Path) -> None:
    """Contents only, not permissions: the copy must be writable (for Chroma, for tantivy)."""
    target.mkdir(parents=True, exist_ok=True)
    for path in source.rglob("*"):
        destination = target / path.relative_to(source)
        if path.is_dir():
            destination.mkdir(parents=True, exist_ok=True)
        else:
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, destination)


def _problem(settings: Settings, store_dir: Path, error: Exception) -> str:
    if settings.chroma_host:
        return _server_problem(settings, error)
    return (
        f"The vector store in {store_dir / CHROMA_DIR} cannot be opened "
        f"({str(error) or type(error).__name__}). Check that the folder is complete and "
        f"readable, or rebuild the index: `python -m ingest build --store NEW_DIR`."
    )


def _server_problem(settings: Settings, error: Exception) -> str:
    """One sentence for a user; the token is never echoed, whatever the client's message says."""
    detail = str(error) or type(error).__name__
    token = settings.chroma_token.get_secret_value()
    if token:
        detail = detail.replace(token, "***")
    return (
        f"Cannot use the Chroma server at {settings.chroma_host}:{settings.chroma_port} "
        f"({detail}). Start it (`chroma run --path DIR --port PORT`), check OQA_CHROMA_HOST, "
        "OQA_CHROMA_PORT and OQA_CHROMA_TOKEN, or unset OQA_CHROMA_HOST for the embedded store."
    )
