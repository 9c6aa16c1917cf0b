"""Retrieval reads the one settings tree (see ingest.vocabulary.settings)."""

from ingest.vocabulary.settings import Settings, get_settings

__all__ = ["Settings", "get_settings"]
