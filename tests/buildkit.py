"""Helpers shared by the build, crash, concurrency and small-index tests (importable: tests/
is on sys.path)."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ingest.indexing.pipeline import build
from ingest.storage import DB_NAME, opened_store
from ingest.vocabulary.settings import Settings
from retrieval.engine import Engine, open_engine

REPO = Path(__file__).resolve().parents[1]
SMALL_CORPUS = ("21-103-417.txt", "25-114-380.txt", "23-319-040.md", "20-507-215.html")


def copy_small_corpus(folder: Path, sample_dir: Path, seed_path: Path) -> Path:
    """Four sample decisions (text, Markdown, HTML) and the real seed, in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in SMALL_CORPUS:
        shutil.copy(sample_dir / name, folder / name)
    shutil.copy(seed_path, folder / "seed.txt")
    return folder


def store_agrees(settings: Settings) -> dict[str, int]:
    """Counts, after checking SQLite chunks, keyword passages and Chroma vectors agree."""
    with opened_store(settings) as store:
        chunk_ids = store.passages.chunk_ids()
        assert store.vectors.all_ids() == chunk_ids
        assert store.keyword_differences() == ([], [])
        assert store.keywords.document_counts() == (len(chunk_ids), store.records.count())
        return store.counts()


def build_command(source: Path) -> list[str]:
    return [sys.executable, "-m", "ingest", "build", "--source", str(source)]


def wait_for_decisions(
    store_dir: Path, process: subprocess.Popen[bytes], at_least: int = 1, timeout: float = 120
) -> int:
    """Wait until the build in ``process`` has committed ``at_least`` decisions; return the count.

    Returns early (with the count so far) if the process ends first.
    """
    db = store_dir / DB_NAME
    deadline = time.monotonic() + timeout
    count = 0
    while time.monotonic() < deadline and process.poll() is None:
        count = _decision_count(db)
        if count >= at_least:
            return count
        time.sleep(0.02)
    if process.poll() is None:
        pytest.fail(f"the build wrote {count} decisions in {timeout:.0f} s, expected {at_least}")
    return _decision_count(db)


def _decision_count(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1) as connection:
            return connection.execute("SELECT count(*) FROM decisions").fetchone()[0]
    except sqlite3.OperationalError:
        return 0  # schema not created yet, or the file is being created


def engine_over(files: dict[str, str], factory: pytest.TempPathFactory) -> Engine:
    """An engine over a fresh index of ``files`` (name → text), every one of them parsed."""
    corpus = factory.mktemp("corpus")
    for name, text in files.items():
        (corpus / name).write_text(text, encoding="utf-8")
    settings = Settings(store_dir=factory.mktemp("store"))
    summary = build([corpus], settings, settings.store_dir)
    assert summary.failed == [] and summary.parsed == len(files)
    return open_engine(settings)
