"""Measurements that need a fresh process: cold start, resident memory, and index size on disk.

``python bench/probes.py STORE`` is the child process: it opens the engine on
STORE, answers one question, runs a few more operations, and prints one JSON line
with wall-clock stamps (seconds since the epoch, comparable with the parent's
launch time, so imports count) and its resident memory from ``/proc/self/status``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# First, even when PYTHONPATH holds it: run as a script, bench/ itself comes first, and its
# bench/ingest.py would shadow the ingest package.
sys.path.insert(0, str(REPO))

from bench.common import load_questions  # noqa: E402
from tests.servers import free_port  # noqa: E402

HEALTH_TIMEOUT_S = 120.0
WARM_QUERIES = 30


def memory_mb(pid: str = "self") -> dict[str, float]:
    """VmRSS (now) and VmHWM (peak) in MB, from /proc."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0]) / 1024
    return values


def disk_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6


def probe_child(store: Path) -> dict[str, float]:
    """Open, answer once (the cold start), then hold the engine through more work."""
    from ingest.vocabulary.filters import DecisionFilter
    from ingest.vocabulary.settings import Settings
    from retrieval.engine import open_engine

    engine = open_engine(Settings(store_dir=store))
    opened = time.time()
    questions = [q.query for q in load_questions()]
    engine.answer(questions[0])
    answered = time.time()
    refs = engine.index.store.records.filter_refs(DecisionFilter())
    for question, ref in zip(questions[1:WARM_QUERIES], refs, strict=False):
        engine.search(question)
        engine.answer(question)
        engine.similar(ref=ref)
    engine.options()
    return {
        "opened": opened,
        "answered": answered,
        **memory_mb(),
    }


def cold_start(store: Path, env: dict[str, str] | None = None) -> dict[str, float]:
    """Run the child on ``store``; times are from launching the process."""
    launched = time.time()
    out = subprocess.run(
        [sys.executable, __file__, str(store)],
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    stamps = json.loads(out.strip().splitlines()[-1])
    return {
        "engine_open_s": stamps["opened"] - launched,
        "first_answer_s": stamps["answered"] - launched,
        "rss_mb": stamps["VmRSS"],
        "peak_rss_mb": stamps["VmHWM"],
    }


def streamlit_health(store: Path, log: Path) -> float:
    """Seconds from `streamlit run app.py` to the first OK from /_stcore/health."""
    import httpx

    port = free_port()
    command = [sys.executable, "-m", "streamlit", "run", str(REPO / "app.py")]
    command += ["--server.headless", "true", "--server.address", "127.0.0.1"]
    command += ["--server.port", str(port), "--browser.gatherUsageStats", "false"]
    launched = time.time()
    with log.open("wb") as out:
        process = subprocess.Popen(
            command,
            cwd=REPO,
            env={**os.environ, "OQA_STORE_DIR": str(store)},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        while time.time() - launched < HEALTH_TIMEOUT_S:
            if process.poll() is not None:
                raise RuntimeError(f"streamlit exited: {log.read_text('utf-8', 'replace')}")
            try:
                if httpx.get(f"http://127.0.0.1:{port}/_stcore/health", timeout=1).is_success:
                    return time.time() - launched
            except httpx.TransportError:
                pass  # not listening yet
            time.sleep(0.1)
        raise RuntimeError(f"no health OK in {HEALTH_TIMEOUT_S:.0f} s")
    finally:
        process.terminate()
        process.wait(timeout=20)


if __name__ == "__main__":
    print(json.dumps(probe_child(Path(sys.argv[1]))))
