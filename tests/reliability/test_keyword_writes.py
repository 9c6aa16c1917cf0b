"""Keyword index writes: one decision added is one small segment; an interrupted write is
completed by the next build without duplicates."""

from __future__ import annotations

import json
from pathlib import Path

from badfiles import decision_text, write_good

from ingest.indexing.pipeline import build
from ingest.storage import opened_store
from ingest.storage.keyword_index import KEYWORD_DIR
from ingest.verify import verify_store
from ingest.vocabulary.settings import Settings

NEW = "25 610 001"
WORD = "zebrawalk"  # in the new decision only


def _segments(store_dir: Path, level: str) -> dict[str, int]:
    """The committed segments of one keyword index: id → documents written into it."""
    meta = json.loads((store_dir / KEYWORD_DIR / level / "meta.json").read_text())
    return {s["segment_id"]: s["max_doc"] for s in meta["segments"]}


def test_adding_a_decision_commits_one_small_segment(tmp_path: Path) -> None:
    source = tmp_path / "src"
    source.mkdir()
    write_good(source)
    settings = Settings(store_dir=tmp_path / "store")
    build([source], settings)
    before = _segments(settings.store_dir, "passages")
    (source / "new.txt").write_text(decision_text(NEW, extra=f"The {WORD} crossing was closed."))
    assert build([source], settings).added_decisions == 1

    after = _segments(settings.store_dir, "passages")
    assert before.items() <= after.items()  # nothing written before was rewritten
    with opened_store(settings) as store:
        new_chunks = {row.id for row in store.passages.chunks_of(NEW)}
        assert list(after.values())[len(before):] == [len(new_chunks)]
        assert {cid for cid, _ in store.keywords.search_passages(WORD, 10)} <= new_chunks
        assert store.keywords.search_decisions(WORD, 10)[0][0] == NEW

    (source / "new.txt").unlink()
    assert build([source], settings, prune=True).pruned == 1
    with opened_store(settings) as store:
        assert store.keywords.search_passages(WORD, 10) == []
        assert store.keyword_differences() == ([], [])


def test_a_write_interrupted_after_the_keyword_commit_leaves_no_duplicate(tmp_path: Path) -> None:
    """The keyword index commits before SQLite: a build killed in between leaves it holding a
    decision SQLite does not know, which the next build writes once."""
    source = tmp_path / "src"
    source.mkdir()
    write_good(source)
    settings = Settings(store_dir=tmp_path / "store")
    build([source], settings)
    (source / "new.txt").write_text(decision_text(NEW, extra=f"The {WORD} crossing was closed."))
    other = tmp_path / "other"
    build([source], Settings(store_dir=other))
    with opened_store(Settings(store_dir=other)) as done:
        decision, passages = done.records.decision(NEW), done.passages.chunks_of(NEW)
    with opened_store(settings, read_only=False) as store:
        assert decision is not None
        store.keywords.replace([(decision, passages)])  # the keyword half of the write
    assert verify_store(settings)[0].keyword_stale == [NEW]

    assert build([source], settings).added_decisions == 1
    with opened_store(settings) as store:
        assert store.keywords.decision_counts()[NEW] == 1
        assert store.keywords.passage_counts()[NEW] == len(store.passages.chunks_of(NEW))
        assert len(store.keywords.search_passages(WORD, 10)) == len(
            [c for c in store.passages.chunks_of(NEW) if WORD in c.text]
        )
    assert verify_store(settings)[0].ok
