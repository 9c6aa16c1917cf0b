"""Many users at once on one store: one shared Engine, threads, and a build writing meanwhile.

What the embedded mode supports (measured here, and written up in
docs/reliability.md): any number of threads sharing one Engine, and readers in
other processes while one ``ingest build`` writes. Several writing processes, or
app replicas on several machines, need the Chroma server mode.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from badfiles import decision_text
from buildkit import REPO, build_command

from ingest.vocabulary.settings import Settings
from retrieval.engine import Engine, open_engine

THREADS = 16

# (operation, argument): a mix of the three things users come for.
OPERATIONS: list[tuple[str, str]] = [
    ("search", "school transport walking route not safe"),
    ("search", "care home fees deferred payment"),
    ("search", "24-020-817"),
    ("ask", "why won't the ombudsman look at my complaint about my son's bus pass?"),
    ("ask", "why wouldn't they investigate the Liverpool social workers sharing information?"),
    ("ask", "what happens if I complain too late?"),
    ("similar", "21 103 417"),
    ("similar", "the council missed my bin collection for weeks"),
    ("search", "noise from a neighbour's music"),
    ("ask", "can the ombudsman make the council change a planning decision?"),
]


def run_operation(engine: Engine, operation: tuple[str, str]) -> dict[str, Any]:
    kind, argument = operation
    if kind == "search":
        return engine.search(argument).to_json()
    if kind == "ask":
        return engine.answer(argument).to_json()
    if argument[:2].isdigit():
        return engine.similar(ref=argument).to_json()
    return engine.similar(text=argument).to_json()


@pytest.fixture(scope="module")
def engine(built_store: Settings) -> Engine:
    opened = open_engine(built_store)
    yield opened
    opened.close()


@pytest.fixture(scope="module")
def expected(engine: Engine) -> dict[tuple[str, str], dict[str, Any]]:
    """Every operation's result, computed one at a time."""
    return {operation: run_operation(engine, operation) for operation in OPERATIONS}


def hammer(
    engine: Engine, calls_per_thread: int, check: Callable[[tuple[str, str], dict], None]
) -> tuple[int, list[str]]:
    """THREADS threads, each making ``calls_per_thread`` mixed calls; (calls, errors)."""

    def worker(number: int) -> tuple[int, list[str]]:
        errors = []
        for call in range(calls_per_thread):
            operation = OPERATIONS[(number * 3 + call) % len(OPERATIONS)]
            try:
                check(operation, run_operation(engine, operation))
            except Exception as error:  # every failure is counted, none stops the others
                errors.append(f"{operation}: {error!r}")
        return calls_per_thread, errors

    started = time.perf_counter()
    with ThreadPoolExecutor(THREADS) as pool:
        outcomes = list(pool.map(worker, range(THREADS)))
    calls, errors = sum(n for n, _ in outcomes), [e for _, errors in outcomes for e in errors]
    seconds = time.perf_counter() - started
    print(f"threads: {THREADS} x {calls_per_thread} calls in {seconds:.1f} s, {len(errors)} errors")
    return calls, errors


def _same_as(expected: dict[tuple[str, str], dict[str, Any]]) -> Callable:
    def check(operation: tuple[str, str], result: dict[str, Any]) -> None:
        assert result == expected[operation], "differs from the single-threaded result"

    return check


def test_sixteen_threads_share_one_engine(engine: Engine, expected: dict) -> None:
    calls, errors = hammer(engine, 10, _same_as(expected))
    assert calls == THREADS * 10 and errors == []


@pytest.mark.slow
def test_sixteen_threads_a_hundred_calls_each(engine: Engine, expected: dict) -> None:
    calls, errors = hammer(engine, 100, _same_as(expected))
    assert calls == THREADS * 100 and errors == []


NEW_REFS = [f"25 700 {n:03d}" for n in range(1, 6)]


def test_queries_succeed_while_a_build_adds_decisions(
    tmp_path: Path, built_store: Settings
) -> None:
    store = tmp_path / "store"
    shutil.copytree(built_store.store_dir, store)
    new = tmp_path / "new"
    new.mkdir()
    for ref in NEW_REFS:
        (new / f"{ref.replace(' ', '-')}.txt").write_text(
            decision_text(ref, organisation="Marrowby Borough Council")
        )
    settings = Settings(store_dir=store)
    engine = open_engine(settings)  # opened before the build starts, kept open throughout
    env = {**os.environ, "OQA_STORE_DIR": str(store), "OQA_BUILD_FLUSH_CHUNKS": "2"}
    build = subprocess.Popen(
        build_command(new), env=env, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    calls, errors = 0, []
    deadline = time.monotonic() + 300
    while build.poll() is None and time.monotonic() < deadline:
        try:
            run_operation(engine, OPERATIONS[calls % len(OPERATIONS)])
        except Exception as error:
            errors.append(repr(error))
        calls += 1
    _, err = build.communicate(timeout=60)
    print(f"during build: {calls} calls while `ingest build` added {len(NEW_REFS)} decisions")
    assert build.returncode == 0, err.decode()[-2000:]
    assert errors == [] and calls > 0
    _new_decisions_are_found(engine, store)
    engine.close()


def _new_decisions_are_found(engine: Engine, store: Path) -> None:
    """What a reader that was open during the build sees afterwards, and what a new process sees.

    The open engine reads SQLite, so the new decisions and their keyword matches are there at
    once; its embedded Chroma keeps serving the vectors it had loaded (the new ones reach it
    only when the process restarts). A new process sees every vector.
    """
    assert all(engine.decision(ref) for ref in NEW_REFS)
    hits = engine.search("Marrowby Borough Council recycling lorry", k=10).hits
    assert set(NEW_REFS) & {h.ref for h in hits}, [h.ref for h in hits]
    verify = subprocess.run(
        [sys.executable, "-m", "ingest", "verify", "--store", str(store), "--json"],
        capture_output=True, text=True, cwd=REPO,
    )  # fmt: skip
    report = json.loads(verify.stdout)
    assert report["ok"] and report["vectors"] == report["chunks"], report
