"""The index on disk: SQLite records, the tantivy keyword index and Chroma vectors.

``open_store`` / ``opened_store`` give a ``Store``, whose parts are read directly
(``records``, ``passages``, ``overviews``, ``keywords``, ``vectors``) and whose
``write`` / ``delete_decisions`` keep them in step (see ``ingest.storage.store``).
"""

from ingest.storage.chunk_table import ChunkRow
from ingest.storage.database import DB_NAME, IndexIdentity, mismatch_message, sqlite_problem
from ingest.storage.store import Store, open_store, opened_store
from ingest.vocabulary.filters import DecisionFilter

__all__ = [
    "DB_NAME",
    "ChunkRow",
    "DecisionFilter",
    "IndexIdentity",
    "Store",
    "mismatch_message",
    "open_store",
    "opened_store",
    "sqlite_problem",
]
