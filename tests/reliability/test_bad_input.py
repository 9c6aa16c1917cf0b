"""A source folder full of bad files beside good decisions: nothing crashes, nothing is lost.

The bad files are generated in ``tmp_path`` by :mod:`badfiles` (at least 20 kinds,
one of them 50 MB), never committed.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
from badfiles import GOOD_REFS, BadFile, Expect, decision_text, write_corpus

from ingest.indexing.pipeline import BuildSummary, build
from ingest.parse.decision import parse_decision
from ingest.storage import opened_store
from ingest.verify import verify_store
from ingest.vocabulary.records import SourceDoc
from ingest.vocabulary.settings import Settings


@pytest.fixture(scope="module")
def bad_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[BadFile], Settings, Path]:
    root = tmp_path_factory.mktemp("bad")
    files = write_corpus(root / "src", root / "outside")
    settings = Settings(store_dir=root / "store")
    return files, settings, root / "src"


@pytest.fixture(scope="module")
def summary(bad_build: tuple[list[BadFile], Settings, Path]) -> BuildSummary:
    _, settings, source = bad_build
    return build([source], settings)


def test_the_corpus_has_at_least_twenty_kinds(bad_build: tuple[list[BadFile], Settings, Path]):
    files, _, source = bad_build
    assert len({f.kind for f in files}) >= 20
    assert (source / "huge.txt").stat().st_size >= 50 * 1024 * 1024


def test_every_bad_file_gets_a_one_line_reason(
    bad_build: tuple[list[BadFile], Settings, Path], summary: BuildSummary
) -> None:
    files, _, _ = bad_build
    failed = {Path(path).name: reason for path, reason in summary.failed}
    expected = {f.name: f for f in files if f.expect is Expect.FAIL}
    assert set(failed) == set(expected)
    for name, reason in failed.items():
        assert "\n" not in reason and len(reason) < 200, (name, reason)
        assert re.search(expected[name].reason, reason), (name, expected[name].kind, reason)


def test_every_good_file_is_ingested_and_the_index_agrees(
    bad_build: tuple[list[BadFile], Settings, Path], summary: BuildSummary
) -> None:
    files, settings, _ = bad_build
    ingested = {f.ref for f in files if f.expect is Expect.INGEST}
    # 25 600 013 sits inside the folder named x.txt: a folder is walked, not read.
    wanted = {*GOOD_REFS, *ingested, "25 600 013"}
    with opened_store(settings) as store:
        assert set(store.records.known_doc_hashes()) == wanted
    assert summary.added_decisions == len(wanted)
    report, _ = verify_store(settings)
    assert report.ok, report.lines()
    assert report.decisions == len(wanted) and report.chunks == report.vectors


def test_control_characters_are_dropped_and_the_decision_reads_as_a_clean_copy(
    bad_build: tuple[list[BadFile], Settings, Path], summary: BuildSummary
) -> None:
    _, settings, _ = bad_build
    with opened_store(settings) as store:
        stored = store.records.decision("25 600 015")
    assert stored is not None
    assert not [ch for ch in stored.text if unicodedata.category(ch) == "Cc" and ch not in "\n\t"]
    clean = parse_decision(SourceDoc(text=decision_text("25 600 015"), path="clean.txt"))
    assert stored.sections == clean.sections and stored.summary == clean.summary


def test_a_second_build_reports_the_same_and_changes_nothing(
    bad_build: tuple[list[BadFile], Settings, Path], summary: BuildSummary
) -> None:
    _, settings, source = bad_build
    again = build([source], settings)
    assert again.failed == summary.failed
    assert again.added_decisions == again.updated_decisions == again.chunks_added == 0
    assert verify_store(settings)[0].ok
