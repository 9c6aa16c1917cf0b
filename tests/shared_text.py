"""Real published text the tests need, read from ``../shared`` (never copied into the
repository; importable: tests/ is on sys.path)."""

from __future__ import annotations

from pathlib import Path

SHARED = Path(__file__).resolve().parents[2] / "shared"
SEED = SHARED / "seeds" / "000_cf596154ab029a04.txt"


def seed_summary() -> str:
    """The summary of the real seed decision (24 020 817), as its "Summary:" line gives it."""
    lines = SEED.read_text("utf-8").splitlines()
    line = next(line for line in lines if line.startswith("Summary:"))
    return line.removeprefix("Summary:").strip()
