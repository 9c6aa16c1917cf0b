"""The ingestion pipeline against the real model, real Chroma and SQLite in tmp dirs."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from buildkit import REPO, copy_small_corpus, store_agrees, wait_for_decisions

from ingest.indexing.pipeline import build
from ingest.storage import opened_store
from ingest.vocabulary.errors import IndexMismatchError
from ingest.vocabulary.settings import Settings


@pytest.fixture
def small_corpus(tmp_path: Path, sample_dir: Path, seed_path: Path) -> Path:
    return copy_small_corpus(tmp_path / "src", sample_dir, seed_path)


def test_second_build_adds_nothing(built_store: Settings, corpus_dir: Path) -> None:
    before = store_agrees(built_store)
    summary = build([corpus_dir], built_store)
    assert summary.chunks_added == 0
    assert summary.added_decisions == summary.updated_decisions == 0
    assert summary.unchanged == summary.parsed == before["decisions"]
    assert store_agrees(built_store) == before


def test_changed_file_replaces_its_chunks_and_prune_drops_removed(
    tmp_path: Path, small_corpus: Path
) -> None:
    settings = Settings(store_dir=tmp_path / "store")
    first = build([small_corpus], settings)
    assert first.added_decisions == 5 and not first.failed
    seed = small_corpus / "seed.txt"
    seed.write_text(seed.read_text().replace("poor", "very poor"), "utf-8")
    second = build([small_corpus], settings)
    assert (second.updated_decisions, second.unchanged) == (1, 4)
    assert 0 < second.chunks_added < first.chunks_added  # only the changed chunks re-embedded
    with opened_store(settings) as store:
        assert "very poor" in store.records.decision("24 020 817").text
    (small_corpus / "25-114-380.txt").unlink()
    third = build([small_corpus], settings, prune=True)
    assert third.pruned == 1
    counts = store_agrees(settings)
    assert counts["decisions"] == 4


def test_bad_files_are_reported_and_the_rest_ingested(tmp_path: Path, small_corpus: Path) -> None:
    bad = {
        "empty.txt": b"",
        "binary.txt": b"\x00\x01\x02PK\x03\x04" * 50,
        "latin1.txt": "Décision du conseil: café".encode("latin-1"),
        "not-a-decision.html": b"<html><body><main><h1>Contact us</h1><p>Phone us.</p></main>"
        b"</body></html>",
        "truncated.txt": b"Northmoor Borough Council (23 100 001)\nCategory : Education",
    }
    for name, content in bad.items():
        (small_corpus / name).write_bytes(content)
    settings = Settings(store_dir=tmp_path / "store")
    summary = build([small_corpus], settings)
    failed = {Path(path).name: reason for path, reason in summary.failed}
    assert set(failed) == set(bad)
    assert all(reason and "\n" not in reason for reason in failed.values())
    assert summary.added_decisions == 5
    assert store_agrees(settings)["decisions"] == 5


def test_cli_exit_status_and_summary_line(tmp_path: Path, small_corpus: Path) -> None:
    env = {**os.environ, "OQA_STORE_DIR": str(tmp_path / "store")}
    command = [sys.executable, "-m", "ingest", "build", "--source", str(small_corpus)]
    ok = subprocess.run(command, capture_output=True, text=True, env=env, cwd=REPO)
    assert ok.returncode == 0, ok.stderr
    assert "5 files seen, 5 parsed, 0 failed, 5 decisions added" in ok.stdout
    (small_corpus / "empty.txt").write_bytes(b"")
    failed = subprocess.run(command, capture_output=True, text=True, env=env, cwd=REPO)
    assert failed.returncode == 1
    assert "empty.txt: empty file" in failed.stderr
    assert "0 chunks added" in failed.stdout
    status = subprocess.run(
        [sys.executable, "-m", "ingest", "status", "--json"],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
    )
    info = json.loads(status.stdout)
    assert info["decisions"] == 5 and info["model"] == "bundled:all-MiniLM-L6-v2"


def test_index_refuses_other_chunking_or_model(tmp_path: Path, small_corpus: Path) -> None:
    from retrieval.engine import open_engine

    store = tmp_path / "store"
    build([small_corpus], Settings(store_dir=store))
    with pytest.raises(IndexMismatchError, match="chunking"):
        build([small_corpus], Settings(store_dir=store, chunk_target_tokens=64))
    with pytest.raises(IndexMismatchError, match="some/other-model"):
        open_engine(Settings(store_dir=store, embedding_model="some/other-model"))


def test_killed_build_resumes_without_duplicates(tmp_path: Path, small_corpus: Path) -> None:
    """SIGKILL part-way through, then a re-run: the index equals an uninterrupted build."""
    store = tmp_path / "store"
    # Small flushes, so that the kill lands between two written batches.
    env = {**os.environ, "OQA_STORE_DIR": str(store), "OQA_BUILD_FLUSH_CHUNKS": "8"}
    command = [sys.executable, "-m", "ingest", "build", "--source", str(small_corpus)]
    process = subprocess.Popen(
        command, env=env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    wait_for_decisions(store, process)
    process.send_signal(signal.SIGKILL)
    process.wait()
    partial = store_agrees(Settings(store_dir=store))["decisions"]
    rerun = subprocess.run(command, env=env, cwd=REPO, capture_output=True, text=True)
    assert rerun.returncode == 0, rerun.stderr
    reference = Settings(store_dir=tmp_path / "reference")
    build([small_corpus], reference)
    with opened_store(Settings(store_dir=store)) as resumed, opened_store(reference) as clean:
        assert resumed.passages.chunk_ids() == clean.passages.chunk_ids()
        assert resumed.records.known_doc_hashes() == clean.records.known_doc_hashes()
    assert 0 < partial < store_agrees(reference)["decisions"]
