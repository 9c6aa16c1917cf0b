"""The words ingestion and retrieval share: records, outcome groups, errors, filters, settings.

Nothing here reads files, opens the index or loads a model, so any part of the product can
import it cheaply.
"""
