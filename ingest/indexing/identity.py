"""What an index's vectors depend on: the model, its dimension, and how decisions were cut.

The build stamps this identity on a new index; a reader opening it (retrieval.index)
computes it again and refuses an index built another way. Kept apart from the build
pipeline so that reading an identity needs neither the file readers nor the parser.
"""

from __future__ import annotations

from ingest.indexing.chunk import ChunkLimits
from ingest.indexing.embeddings import Embedder
from ingest.storage import IndexIdentity
from ingest.vocabulary.settings import Settings


def chunk_limits(settings: Settings, embedder: Embedder) -> ChunkLimits:
    maximum = settings.chunk_max_tokens or embedder.max_tokens
    maximum = min(maximum, embedder.max_tokens)
    return ChunkLimits(max_tokens=maximum, target_tokens=min(settings.chunk_target_tokens, maximum))


def index_identity(settings: Settings, embedder: Embedder) -> IndexIdentity:
    limits = chunk_limits(settings, embedder)
    return IndexIdentity(settings.embedding_model, embedder.dimension, limits.fingerprint)
