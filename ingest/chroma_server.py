"""A local Chroma server (`chroma run`) on loopback, for tests, benchmarks and one-host set-ups.

The `chroma` command is installed by the chromadb package beside the Python
interpreter. The server holds the vectors of every store that points at it with
``OQA_CHROMA_HOST`` / ``OQA_CHROMA_PORT``; see the README's Deployment section.
"""

from __future__ import annotations

import logging
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

logger = logging.getLogger(__name__)

START_TIMEOUT_S = 30.0


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


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


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


def stop_process(process: subprocess.Popen[bytes], timeout_s: float) -> None:
    """Ask a child server to stop; kill it if it has not within ``timeout_s``."""
    process.terminate()
    try:
        process.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _wait_for_heartbeat(server: ChromaServer, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
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
        f"chroma run gave no heartbeat in {START_TIMEOUT_S:.0f} s:\n{log_tail(server.log)}"
    )


def log_tail(log: Path, chars: int = 5000) -> str:
    return log.read_text("utf-8", "replace")[-chars:] if log.exists() else "(no log)"
