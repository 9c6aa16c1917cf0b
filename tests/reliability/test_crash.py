"""``ingest build`` killed with SIGKILL at random points: nothing is lost, nothing is doubled.

Each run starts a real ``python -m ingest build`` on a fresh store, kills it at a
random moment (during start-up, or after a random number of decisions were
committed plus a random delay, so often in the middle of a Chroma or SQLite
write), then checks that ``verify`` describes the state, that a re-run
completes, and that the index equals an uninterrupted build's. Small flushes
(``OQA_BUILD_FLUSH_CHUNKS=2``) put many commits in a small corpus.
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from badfiles import decision_text, write_good
from buildkit import REPO, build_command, wait_for_decisions

from ingest.indexing.pipeline import build
from ingest.storage import opened_store
from ingest.verify import VerifyReport, verify_store
from ingest.vocabulary.errors import IndexMissingError
from ingest.vocabulary.settings import Settings

SEED = 20260508
PARALLEL = 3  # killed builds running at once


@dataclass(frozen=True)
class Index:
    decisions: dict[str, str]  # ref -> content hash
    chunks: frozenset[str]

    @classmethod
    def read(cls, settings: Settings) -> Index:
        with opened_store(settings) as store:
            return cls(store.records.known_doc_hashes(), frozenset(store.passages.chunk_ids()))


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Six short decisions (~25 chunks): re-runs embed little, so start-up dominates."""
    folder = tmp_path_factory.mktemp("crash") / "src"
    folder.mkdir()
    write_good(folder)
    for n, extra in enumerate(("The lorry was too wide.", "The lane is private.", "It snowed.")):
        ref = f"25 600 10{n}"
        (folder / f"{ref.replace(' ', '-')}.txt").write_text(decision_text(ref, extra=extra))
    return folder


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory: pytest.TempPathFactory, corpus: Path) -> Index:
    settings = Settings(store_dir=tmp_path_factory.mktemp("reference"))
    assert not build([corpus], settings).failed
    return Index.read(settings)


def _start_build(store: Path, corpus: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "OQA_STORE_DIR": str(store), "OQA_BUILD_FLUSH_CHUNKS": "2"}
    return subprocess.Popen(
        build_command(corpus), env=env, cwd=REPO, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip


def _kill_at(process: subprocess.Popen[bytes], store: Path, point: tuple[int, float]) -> None:
    """SIGKILL once ``decisions`` are committed (0: during start-up) and ``delay`` s later."""
    decisions, delay = point
    if decisions:
        wait_for_decisions(store, process, at_least=decisions)
    _sleep(process, delay)
    process.send_signal(signal.SIGKILL)
    process.wait()


def _kill_builds(stores: list[Path], corpus: Path, rng: random.Random, total: int) -> None:
    """Builds into each store at once (start-up is the slow part), each killed at its point."""
    points = [
        (target, rng.uniform(0.0, 0.4) if target else rng.uniform(0.5, 8.0))
        for target in (rng.randrange(total) for _ in stores)
    ]
    processes = [_start_build(store, corpus) for store in stores]
    with ThreadPoolExecutor(len(stores)) as pool:
        list(pool.map(_kill_at, processes, stores, points))


def _sleep(process: subprocess.Popen[bytes], seconds: float) -> None:
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=seconds)


def _committed(store: Path) -> int:
    if not (store / "oqa.sqlite3").exists():
        return 0
    try:
        with opened_store(Settings(store_dir=store)) as opened:
            return opened.counts()["decisions"]
    except IndexMissingError:  # killed before the build recorded its model: nothing committed
        return 0


def _check_after_kill(report: VerifyReport) -> None:
    # SQLite commits a decision with its chunks and keyword rows in one transaction, after
    # its vectors: the only trace a kill may leave is vectors not yet claimed by a chunk row.
    others = [p for p in report.problems() if "vectors in Chroma without a chunk row" not in p]
    assert others == [], report.lines()


def _all_searchable(settings: Settings) -> None:
    """Chroma's search index (not only its id list) holds every chunk's vector after the kill."""
    with opened_store(settings) as store:
        ids = sorted(store.passages.chunk_ids())
        probe = store.vectors.embeddings(ids[:1])[ids[0]]
        found = {hit for hit, _ in store.vectors.query(probe, k=len(ids))}
    assert found == set(ids)


def _run_kills(tmp_path: Path, corpus: Path, reference: Index, runs: int, seed: int) -> None:
    rng = random.Random(seed)
    stores = [tmp_path / f"store-{run}" for run in range(runs)]
    for start in range(0, runs, PARALLEL):
        _kill_builds(stores[start : start + PARALLEL], corpus, rng, len(reference.decisions))
    interrupted, orphaned, commits = 0, 0, []
    for run, store in enumerate(stores):
        committed = _committed(store)
        commits.append(committed)
        settings = Settings(store_dir=store)
        if committed:
            report, _ = verify_store(settings)
            _check_after_kill(report)
            interrupted += report.interrupted
            orphaned += bool(report.orphan_vectors)
        summary = build([corpus], settings)  # the re-run
        assert not summary.failed
        assert summary.added_decisions == len(reference.decisions) - committed
        final, _ = verify_store(settings)
        assert final.ok and not final.interrupted, final.lines()
        assert Index.read(settings) == reference, f"run {run} (seed {seed})"
        _all_searchable(settings)
    print(
        f"kills: {runs} runs, decisions committed before each kill {commits} of "
        f"{len(reference.decisions)}, {interrupted} killed mid-build, {orphaned} left "
        "vectors without chunk rows; every re-run matched the uninterrupted index"
    )
    assert interrupted, "no kill landed in the middle of a build"


def test_killed_builds_resume_to_the_uninterrupted_index(
    tmp_path: Path, corpus: Path, uninterrupted: Index
) -> None:
    _run_kills(tmp_path, corpus, uninterrupted, runs=3, seed=SEED)


@pytest.mark.slow
def test_killed_builds_resume_to_the_uninterrupted_index_many_times(
    tmp_path: Path, corpus: Path, uninterrupted: Index
) -> None:
    _run_kills(tmp_path, corpus, uninterrupted, runs=12, seed=SEED + 1)
