"""Chroma server mode: a real `chroma run` on loopback, filled by ingest, read by two processes.

The server is the `chroma` command that the chromadb package installs beside the
Python interpreter. It holds the vectors; the decisions table and keyword index stay
in the store folder's SQLite file. Token auth is not tested: the Chroma 1.x server
(Rust) ignores the `CHROMA_SERVER_AUTHN_*` settings and accepts any token, so a
token is only useful behind a proxy that checks it (see docs/deployment.md).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from servers import ChromaServer, chroma_command, log_tail, running_chroma_server

from ingest.indexing.pipeline import build
from ingest.storage import DB_NAME, opened_store
from ingest.vectors import CHROMA_DIR
from ingest.vocabulary.settings import Settings

pytestmark = pytest.mark.server

# A few decisions of different areas, plus the real seed decision.
FILES = ("21-103-417.txt", "22-318-905.txt", "24-316-230.txt", "24-503-117.html", "25-114-380.txt")
QUERIES = (
    "why wouldn't the ombudsman look at the dad's complaint about Liverpool social workers "
    "sharing his information?",
    "free school bus pass refused, walking route along a dark busy road",
    "parking ticket, worn yellow lines",
)


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChromaServer]:
    """A Chroma server on a free loopback port; always stopped; its log printed on teardown."""
    assert chroma_command().is_file(), f"chromadb's `chroma` command is missing: {chroma_command()}"
    folder = tmp_path_factory.mktemp("chroma-server")
    log = folder / "server.log"
    try:
        with running_chroma_server(folder / "db", log) as server:
            yield server
    finally:
        # pytest shows a fixture's output only when a test failed: the server log, then.
        print(f"--- chroma server log ({log}) ---\n{log_tail(log)}")


@pytest.fixture(scope="module")
def few_files(tmp_path_factory: pytest.TempPathFactory, sample_dir: Path, seed_path: Path) -> Path:
    folder = tmp_path_factory.mktemp("few")
    for name in FILES:
        shutil.copy(sample_dir / name, folder / name)
    shutil.copy(seed_path, folder / "24-020-817.txt")
    return folder


@pytest.fixture(scope="module")
def stores(
    chroma_server: ChromaServer, few_files: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Settings, Settings]:
    """The same files built twice: into the Chroma server, and into an embedded store."""
    server = Settings(
        chroma_host=chroma_server.host,
        chroma_port=chroma_server.port,
        store_dir=tmp_path_factory.mktemp("server-store"),
    )
    embedded = Settings(store_dir=tmp_path_factory.mktemp("embedded-store"))
    for settings in (server, embedded):
        summary = build([few_files], settings)
        assert not summary.failed and summary.added_decisions == len(FILES) + 1
    return server, embedded


def search_in_process(settings: Settings, batch: Path) -> subprocess.Popen[str]:
    """`python -m retrieval search --batch` in a fresh process, configured by environment."""
    env = {**os.environ, "OQA_STORE_DIR": str(settings.store_dir)}
    env.pop("OQA_CHROMA_HOST", None)
    if settings.chroma_host:
        env |= {
            "OQA_CHROMA_HOST": settings.chroma_host,
            "OQA_CHROMA_PORT": str(settings.chroma_port),
        }
    return subprocess.Popen(
        [sys.executable, "-m", "retrieval", "search", "--json", "--batch", str(batch)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def results_of(process: subprocess.Popen[str]) -> list[dict[str, object]]:
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0, err
    return [json.loads(line) for line in out.splitlines()]


def test_vectors_live_in_the_server_and_the_rest_in_the_store_folder(
    stores: tuple[Settings, Settings],
) -> None:
    server, embedded = stores
    assert not (server.store_dir / CHROMA_DIR).exists()  # nothing embedded was created
    assert (server.store_dir / DB_NAME).is_file()  # decisions table + keyword index
    with opened_store(server) as on_server, opened_store(embedded) as local:
        counts = on_server.counts()
        assert counts == local.counts()
        assert counts["vectors"] == counts["chunks"] > 0


def test_two_processes_query_the_server_and_agree_with_the_embedded_index(
    stores: tuple[Settings, Settings], tmp_path: Path
) -> None:
    server, embedded = stores
    batch = tmp_path / "queries.jsonl"
    batch.write_text(
        "".join(json.dumps({"id": i, "query": q}) + "\n" for i, q in enumerate(QUERIES))
    )
    # Three processes at once: two readers of the server, one of the embedded store.
    processes = [search_in_process(s, batch) for s in (server, server, embedded)]
    first, second, local = (results_of(p) for p in processes)
    assert len(local) == len(QUERIES) and all(row["results"] for row in local)
    assert local[0]["results"][0]["ref"] == "24 020 817"
    for row in local:
        assert "error" not in row, row
    assert first == second
    for remote, expected in zip(first, local, strict=True):
        assert [h["ref"] for h in remote["results"]] == [h["ref"] for h in expected["results"]]
        assert [h["passages"] for h in remote["results"]] == [
            h["passages"] for h in expected["results"]
        ]
        for got, want in zip(remote["results"], expected["results"], strict=True):
            assert got["score"] == pytest.approx(want["score"], rel=1e-4)
