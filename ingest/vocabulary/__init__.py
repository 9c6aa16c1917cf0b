"""What ingestion and retrieval share: records, outcome groups, errors, filters, the canonical
forms of references, dates and names, settings, and the lazy exports of both public APIs.

Nothing here reads files, opens the index or loads a model, so any part of the product can
import it cheaply.
"""
