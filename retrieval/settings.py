"""Retrieval reads the one settings tree defined beside ingestion (see ingest.settings)."""

from ingest.settings import Settings, get_settings

__all__ = ["Settings", "get_settings"]
