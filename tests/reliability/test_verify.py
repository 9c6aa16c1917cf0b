"""``ingest verify`` finds each kind of disagreement between the stores; ``--repair`` fixes it."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from badfiles import decision_text, write_good
from typer.testing import CliRunner

from ingest.cli import app
from ingest.indexing.pipeline import build
from ingest.storage import Store, opened_store
from ingest.storage.keyword_index import KEYWORD_DIR
from ingest.verify import verify_store
from ingest.vocabulary.filters import DecisionFilter
from ingest.vocabulary.records import Chunk
from ingest.vocabulary.settings import Settings

REFS = ("25 600 001", "25 600 002", "25 600 003", "25 600 004", "25 600 005")
PHANTOM = "25 699 999"  # a decision only the keyword index holds


@pytest.fixture
def source(tmp_path: Path) -> Path:
    folder = tmp_path / "src"
    folder.mkdir()
    write_good(folder)
    for ref in REFS[3:]:
        # Reasons for not investigating, so that decision_reasons has rows to disagree about.
        extra = "The complaint is late: Mr Q knew of the problem three years ago."
        (folder / f"{ref.replace(' ', '-')}.txt").write_text(decision_text(ref, extra=extra))
    return folder


def _damage(store: Store) -> dict[str, str]:
    """One of each kind of damage; returns which chunk or decision each one hit."""
    chunks = {ref: store.passages.chunks_of(ref) for ref in REFS}
    lost_vector = chunks[REFS[0]][0].id
    store.vectors.delete([lost_vector])
    orphan = Chunk(
        id="f" * 32,
        ref="99 999 999",
        section="Summary",
        paragraphs="",
        position=0,
        text="x",
        metadata={"ref": "99 999 999"},
    )
    store.vectors.upsert([orphan], np.ones((1, 384), dtype=np.float32) / np.sqrt(384))
    # The keyword index out of step: a decision gone from it, one only it holds.
    store.keywords.delete([REFS[1]])
    known = store.records.decision(REFS[2])
    assert known is not None
    store.keywords.replace([(known.model_copy(update={"ref": PHANTOM}), chunks[REFS[2]])])
    with store.database.transaction() as db:
        db.execute("INSERT INTO decision_reasons VALUES (?, 'premature')", (REFS[2],))
        db.execute("DELETE FROM decisions WHERE ref = ?", (REFS[3],))
        db.execute("DELETE FROM decision_vectors WHERE ref = ?", (REFS[4],))
    return {"lost_vector": lost_vector, "orphan": orphan.id}


def test_verify_reports_each_disagreement_and_repair_fixes_it(tmp_path: Path, source: Path) -> None:
    settings = Settings(store_dir=tmp_path / "store")
    assert not build([source], settings).failed
    with opened_store(settings) as store:
        clean_ids, clean_hashes = store.passages.chunk_ids(), store.records.known_doc_hashes()
    assert verify_store(settings)[0].ok
    with opened_store(settings, read_only=False) as store:
        hit = _damage(store)

    report, actions = verify_store(settings)
    assert not actions and not report.ok
    assert report.missing_vectors == [hit["lost_vector"]]
    assert report.orphan_vectors == [hit["orphan"]]
    assert report.keyword_missing == [REFS[1]]
    # The decision whose row was deleted is still in the keyword index, as is the phantom.
    assert report.keyword_stale == [REFS[3], PHANTOM]
    assert report.reason_mismatches == sorted([REFS[2], REFS[3]])
    assert len(report.orphan_chunks) == len(clean_ids & _ids_of(settings, REFS[3]))
    assert report.overview_missing == [REFS[4]]
    assert report.overview_stale == [REFS[3]]
    assert len(report.problems()) == 8  # each kind on its own line

    result = CliRunner().invoke(app, ["verify", "--store", str(settings.store_dir), "--repair"])
    assert result.exit_code == 0, result.output
    assert "deleted 1 decisions with missing vectors" in result.output
    assert "made the opening vectors match the decisions (1 added)" in result.output
    # REFS[1] re-added; REFS[3] and the phantom dropped (REFS[0] went with its decision).
    assert "brought the keyword index in step (3 decisions re-added or dropped)" in result.output
    assert result.output.rstrip().endswith("consistent")
    with opened_store(settings) as store:
        assert store.keywords.search_decisions("bin collections", 10, DecisionFilter(
            refs=(REFS[1],))) != []
        assert store.keyword_differences() == ([], [])

    # The decisions repair dropped are rebuilt by the next build; the rest is untouched.
    again = build([source], settings)
    assert again.added_decisions == 2 and again.unchanged == 3
    with opened_store(settings) as store:
        assert store.passages.chunk_ids() == clean_ids
        assert store.records.known_doc_hashes() == clean_hashes
    assert verify_store(settings)[0].ok


def test_a_keyword_index_that_cannot_be_read_is_written_again(
    tmp_path: Path, source: Path
) -> None:
    settings = Settings(store_dir=tmp_path / "store")
    build([source], settings)
    (settings.store_dir / KEYWORD_DIR / "passages" / "meta.json").write_text("{not json")
    report, _ = verify_store(settings)
    assert not report.ok and "keyword index cannot be read" in report.problems()[0]
    report, actions = verify_store(settings, fix=True)
    assert report.ok, report.problems()
    assert actions[0] == "deleted the keyword index, which could not be read"
    with opened_store(settings) as store:
        assert store.keywords.document_counts() == (len(store.passages.chunk_ids()), len(REFS))


def test_verify_cli_json_and_exit_codes(tmp_path: Path, source: Path) -> None:
    settings = Settings(store_dir=tmp_path / "store")
    build([source], settings)
    runner = CliRunner()
    ok = runner.invoke(app, ["verify", "--store", str(settings.store_dir), "--json"])
    assert ok.exit_code == 0
    info = json.loads(ok.output)
    assert info["ok"] and not info["interrupted"] and info["decisions"] == len(REFS)
    with opened_store(settings, read_only=False) as store:
        store.vectors.delete([next(iter(store.passages.chunk_ids()))])
    bad = runner.invoke(app, ["verify", "--store", str(settings.store_dir)])
    assert bad.exit_code == 1 and "1 chunk rows without a vector in Chroma" in bad.output
    missing = runner.invoke(app, ["verify", "--store", str(tmp_path / "nothing-here")])
    assert missing.exit_code == 2 and "No index found" in missing.output


def _ids_of(settings: Settings, ref: str) -> set[str]:
    with opened_store(settings) as store:
        return {row.id for row in store.passages.chunks_of(ref)}
