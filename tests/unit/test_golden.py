"""Re-parse chosen sample decisions and compare with their reviewed golden parses.

A failure means the parser (or the sample file) changed what a decision parses
into. If the new parse is right, check it by eye and regenerate with
``tests/fixtures/make_golden.py``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ingest.parse.decision import parse_decision
from ingest.parse.sources import read_source

GOLDEN = Path(__file__).resolve().parents[1] / "fixtures" / "golden"
GOLDEN_FILES = sorted(GOLDEN.glob("*.json"))


def test_there_are_golden_files() -> None:
    assert len(GOLDEN_FILES) >= 8


@pytest.mark.parametrize("golden", GOLDEN_FILES, ids=lambda p: p.stem)
def test_parse_matches_golden(golden: Path, sample_dir: Path) -> None:
    sources = sorted(sample_dir.glob(f"{golden.stem}.*"))
    assert len(sources) == 1, f"no single sample file for {golden.name}: {sources}"
    decision = parse_decision(read_source(sources[0], sample_dir))
    expected = json.loads(golden.read_text("utf-8"))
    assert decision.model_dump(mode="json", exclude={"source_path", "text"}) == expected
