"""The default folders are the repository's own, wherever the settings module sits."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.vocabulary.settings import Settings

REPO = Path(__file__).resolve().parents[2]


def test_the_default_folders_are_under_the_repository(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("OQA_STORE_DIR", "OQA_SAMPLE_DIR", "OQA_CRAWL_OUT_DIR"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings(_env_file=None)
    assert settings.store_dir == REPO / "data" / "store"
    assert settings.crawl_out_dir == REPO / "data" / "crawl"
    # The sample decisions ship in the repository: the "Build the sample index" button reads them.
    assert settings.sample_dir == REPO / "data" / "sample"
    assert any(settings.sample_dir.iterdir())
