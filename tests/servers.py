"""Real servers on loopback for tests and benchmarks: ``streamlit run app.py`` (browser and load
tests) and ``chroma run`` (the Chroma server mode's tests, ``bench/latency.py --server``).

The ``chroma`` command is installed by the chromadb package beside the Python interpreter; the
server holds the vectors of every store that points at it with ``OQA_CHROMA_HOST`` /
``OQA_CHROMA_PORT`` (docs/deployment.md).
"""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

REPO = Path(__file__).resolve().parents[1]
CHROMA_START_TIMEOUT_S = 30.0

logger = logging.getLogger(__name__)


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def stop_process(process: subprocess.Popen[bytes], timeout_s: float) -> None:
    """Ask a child server to stop; kill it if it has not within ``timeout_s``."""
    process.terminate()
    try:
        process.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def wait_healthy(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"streamlit exited with {process.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as reply:
                if reply.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    pytest.fail(f"streamlit did not answer /_stcore/health within 60 s:\n{log.read_text()}")


@contextmanager
def streamlit_app(store_dir: Path, log: Path, env: dict[str, str] | None = None) -> Iterator[str]:
    """The app on a free 127.0.0.1 port over ``store_dir``; yields its URL once healthy."""
    port = free_port()
    env = {**os.environ, **(env or {}), "OQA_STORE_DIR": str(store_dir), "HF_HUB_OFFLINE": "1"}
    command = [sys.executable, "-m", "streamlit", "run", str(REPO / "app.py")]
    command += ["--server.headless", "true", "--server.port", str(port)]
    command += ["--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"]
    with log.open("wb") as sink:
        process = subprocess.Popen(command, cwd=REPO, env=env, stdout=sink, stderr=sink)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, process, log)
        yield url
    finally:
        stop_process(process, timeout_s=15)


# --- chroma run ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ChromaServer:
    host: str
    port: int
    log: Path

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"


def chroma_command() -> Path:
    """The `chroma` executable of this interpreter's chromadb installation."""
    return Path(sys.executable).parent / "chroma"


@contextmanager
def running_chroma_server(
    data_dir: Path, log: Path, host: str = "127.0.0.1", port: int | None = None
) -> Iterator[ChromaServer]:
    """Start `chroma run` on ``data_dir``, wait for its heartbeat, and always stop it."""
    port = port or free_port(host)
    command = [str(chroma_command()), "run", "--path", str(data_dir), "--host", host]
    command += ["--port", str(port)]
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    try:
        server = ChromaServer(host, port, log)
        _wait_for_heartbeat(server, process)
        logger.info("chroma server on %s (data %s)", server.url, data_dir)
        yield server
    finally:
        stop_process(process, timeout_s=10)


def _wait_for_heartbeat(server: ChromaServer, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + CHROMA_START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"chroma run exited ({process.returncode}):\n{log_tail(server.log)}")
        try:
            if httpx.get(f"{server.url}/api/v2/heartbeat", timeout=1.0).status_code == 200:
                return
        except httpx.TransportError:
            pass  # not listening yet
        time.sleep(0.2)
    raise RuntimeError(
        f"chroma run gave no heartbeat in {CHROMA_START_TIMEOUT_S:.0f} s:\n{log_tail(server.log)}"
    )


def log_tail(log: Path, chars: int = 5000) -> str:
    return log.read_text("utf-8", "replace")[-chars:] if log.exists() else "(no log)"
