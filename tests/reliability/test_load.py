"""Bounded load on loopback: the running app's health endpoint, and a scripted question loop.

Every loop is bounded in count and in time and stops by itself; the only server
contacted is the ``streamlit run`` this test starts on 127.0.0.1.
"""

from __future__ import annotations

import json
import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from buildkit import REPO
from grounding import assert_grounded
from servers import streamlit_app

from ingest.vocabulary.settings import Settings
from retrieval.engine import Engine, open_engine

HEALTH_REQUESTS = 400
HEALTH_WORKERS = 8
HEALTH_SECONDS = 60  # the whole burst must finish within this
QUESTIONS = sorted((REPO / "bench" / "questions").glob("*.jsonl"))
QUESTION_LIMIT = 40  # bounded default run; the slow variant asks all of them
QUESTION_SECONDS = 300


def _burst(url: str, requests: int, workers: int, seconds: float) -> list[tuple[int, float]]:
    """(status, seconds) per request, ``workers`` at once; stops at the deadline."""
    deadline = time.monotonic() + seconds

    def worker(share: int) -> list[tuple[int, float]]:
        results = []
        with httpx.Client(timeout=10) as client:
            for _ in range(share):
                if time.monotonic() > deadline:
                    break
                started = time.perf_counter()
                status = client.get(url).status_code
                results.append((status, time.perf_counter() - started))
        return results

    shares = [requests // workers + (i < requests % workers) for i in range(workers)]
    with ThreadPoolExecutor(workers) as pool:
        return [r for part in pool.map(worker, shares) for r in part]


def test_the_app_health_endpoint_holds_a_burst(built_store: Settings, tmp_path: Path) -> None:
    with streamlit_app(built_store.store_dir, tmp_path / "streamlit.log") as url:
        started = time.perf_counter()
        results = _burst(f"{url}/_stcore/health", HEALTH_REQUESTS, HEALTH_WORKERS, HEALTH_SECONDS)
        elapsed = time.perf_counter() - started
        page = httpx.get(url, timeout=10)  # and the app's page still loads after it
    latencies = sorted(seconds for _, seconds in results)
    p95 = latencies[int(len(latencies) * 0.95) - 1]
    print(
        f"health: {len(results)} requests, {HEALTH_WORKERS} at once, {elapsed:.1f} s, "
        f"{len(results) / elapsed:.0f}/s, p50 {statistics.median(latencies) * 1000:.0f} ms, "
        f"p95 {p95 * 1000:.0f} ms"
    )
    assert len(results) == HEALTH_REQUESTS
    assert {status for status, _ in results} == {200}
    assert page.status_code == 200 and "<html" in page.text.lower()


@pytest.fixture(scope="module")
def engine(built_store: Settings) -> Engine:
    opened = open_engine(built_store)
    yield opened
    opened.close()


def _questions(limit: int | None) -> list[str]:
    lines = [line for path in QUESTIONS for line in path.read_text("utf-8").splitlines()]
    return [json.loads(line)["query"] for line in lines if line.strip()][:limit]


def _check_grounded(engine: Engine, question: str) -> float:
    """Ask; check the answer is grounded (tests/grounding.py); return seconds."""
    started = time.perf_counter()
    answer = engine.answer(question)
    seconds = time.perf_counter() - started
    assert_grounded(engine, answer)
    return seconds


def _question_loop(engine: Engine, limit: int | None) -> None:
    questions = _questions(limit)
    deadline = time.monotonic() + QUESTION_SECONDS
    seconds = []
    for question in questions:
        assert time.monotonic() < deadline, f"{len(seconds)} questions in {QUESTION_SECONDS} s"
        seconds.append(_check_grounded(engine, question))
    seconds.sort()
    print(
        f"questions: {len(seconds)}, p50 {statistics.median(seconds) * 1000:.0f} ms, "
        f"max {seconds[-1] * 1000:.0f} ms"
    )
    assert len(seconds) == len(questions) > 0


def test_a_scripted_question_loop_stays_grounded(engine: Engine) -> None:
    _question_loop(engine, QUESTION_LIMIT)


@pytest.mark.slow
def test_every_labelled_question_stays_grounded(engine: Engine) -> None:
    _question_loop(engine, None)
