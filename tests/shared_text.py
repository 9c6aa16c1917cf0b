"""Real published text the tests need, read from ``../shared`` (never copied into the
repository; importable: tests/ is on sys.path)."""

from __future__ import annotations

import re
from pathlib import Path

SHARED = Path(__file__).resolve().parents[2] / "shared"
SEED = SHARED / "seeds" / "000_cf596154ab029a04.txt"


def seed_summary() -> str:
    """The summary of the real seed decision (24 020 817), as its "Summary:" line gives it."""
    lines = SEED.read_text("utf-8").splitlines()
    line = next(line for line in lines if line.startswith("Summary:"))
    return line.removeprefix("Summary:").strip()


def seed_sentence_words(sentence: int, first: int, end: int) -> str:
    """Words ``first``..``end`` (exclusive) of the seed summary's sentence ``sentence`` (0-based):
    stock wording a test builds claims from, read here rather than copied into the test."""
    sentences = re.split(r"(?<=\.)\s+", seed_summary())
    return " ".join(sentences[sentence].split()[first:end])


def seed_label() -> str:
    """The seed decision's heading without its brackets: "<organisation> <reference>"."""
    heading = SEED.read_text("utf-8").splitlines()[0]
    return heading.replace("(", "").replace(")", "").strip()
