"""Every file of the bundled sample corpus parses into a well-formed decision."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.parse.decision import parse_decision
from ingest.parse.sources import discover, read_source
from ingest.vocabulary.normalise import canonical_ref
from ingest.vocabulary.outcomes import NOT_INVESTIGATED
from ingest.vocabulary.records import Decision

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample"
SAMPLE_FILES = list(discover(SAMPLE)) if SAMPLE.is_dir() else []


@pytest.fixture(scope="module", params=SAMPLE_FILES, ids=lambda p: p.name)
def parsed(request: pytest.FixtureRequest) -> tuple[Path, Decision]:
    path: Path = request.param
    return path, parse_decision(read_source(path, SAMPLE))


def test_corpus_is_there(sample_dir: Path) -> None:
    assert sample_dir == SAMPLE
    assert len(SAMPLE_FILES) >= 10


def test_ref_matches_file_name(parsed: tuple[Path, Decision]) -> None:
    path, decision = parsed
    assert decision.ref == canonical_ref(path.name)


def test_no_empty_sections(parsed: tuple[Path, Decision]) -> None:
    _, decision = parsed
    assert decision.sections
    for section in decision.sections:
        assert section.heading and section.paragraphs, section.heading
        assert all(p.text.strip() for p in section.paragraphs)


def test_not_investigated_has_a_reason(parsed: tuple[Path, Decision]) -> None:
    _, decision = parsed
    if decision.outcome in NOT_INVESTIGATED:
        assert decision.reasons


def test_paragraphs_and_summary_are_quotable(parsed: tuple[Path, Decision]) -> None:
    _, decision = parsed
    assert decision.summary and decision.summary in decision.text
    for paragraph in decision.paragraphs:
        assert paragraph.text in decision.text


def test_header_fields_are_sane(parsed: tuple[Path, Decision]) -> None:
    _, decision = parsed
    assert decision.organisation
    assert decision.url.startswith("https://www.lgo.org.uk/decisions/")
    assert decision.url.endswith(decision.ref.replace(" ", "-"))
    assert not any(p.text.startswith(("Back to top", "Investigator")) for p in decision.paragraphs)
