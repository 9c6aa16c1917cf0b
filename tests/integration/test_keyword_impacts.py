"""The keyword impact index ranks exactly as FTS5's bm25 does, and is never used when stale."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest

from bench.common import load_questions
from ingest.impacts import build_impacts, impacts_path, load_impacts
from ingest.indexing.pipeline import build
from ingest.store import Store, opened_store
from ingest.vocabulary.filters import DecisionFilter
from ingest.vocabulary.records import Outcome
from ingest.vocabulary.settings import Settings
from retrieval import keyword_impacts
from retrieval.index import open_index
from retrieval.keywords import or_expression, query_phrases
from retrieval.retrieve.retrievers import KeywordRetriever

K = 40
EVERYTHING = DecisionFilter(outcomes=tuple(o.value for o in Outcome))
SEED = DecisionFilter(refs=("24 020 817",))
SOME = DecisionFilter(organisations=("Northmoor Borough Council",), date_from="2021-01-01")


def assert_same_ranking(fast: list[tuple[str, float]], fts: list[tuple[str, float]]) -> None:
    """Same scores in the same order (to float32 rounding); ids may differ only within ties."""
    assert len(fast) == len(fts)
    assert [s for _, s in fast] == pytest.approx([s for _, s in fts], rel=1e-5, abs=1e-6)
    scores = dict(fts) | dict(fast)
    for (fast_id, _), (fts_id, _) in zip(fast, fts, strict=True):
        if fast_id != fts_id:
            assert scores[fast_id] == pytest.approx(scores[fts_id], rel=1e-5)


def compare(
    store: Store, phrases: list[str], where: DecisionFilter | None = None
) -> list[tuple[str, float]]:
    fast = keyword_impacts.search(store, phrases, K, where)
    assert fast is not None, "the impact index was not used"
    expression = or_expression(phrases)
    assert expression
    assert_same_ranking(fast, store.keyword_search(expression, K, where))
    return fast


@pytest.mark.parametrize(
    "where", [None, EVERYTHING, SEED, SOME], ids=["all", "every", "one", "org"]
)
def test_every_bench_question_ranks_as_fts5_does(
    built_store: Settings, where: DecisionFilter | None
) -> None:
    questions = [q.query for q in load_questions()]
    assert len(questions) > 100
    with opened_store(built_store) as store:
        sizes = [len(compare(store, query_phrases(q), where)) for q in questions]
    assert sum(n > 0 for n in sizes) > 10
    if where in (None, EVERYTHING):
        assert sum(n == K for n in sizes) > 100  # whole top-K rankings were compared


def test_clitic_pairs_longer_phrases_empty_phrases_and_shared_stems(built_store: Settings) -> None:
    # "son's" is "son" "s", adjacent: a precomputed pair. "ring road" and "tanner's lane"
    # are left to FTS5; "££" has no tokens; "refused" and "refusing" share a stem.
    phrases = ['"son\'s"', '"££"', '"refused"', '"refusing"', '"ring road"', '"tanner\'s lane"']
    with opened_store(built_store) as store:
        compare(store, phrases)
        assert len(compare(store, ['"son\'s"'])) > 0
        assert len(compare(store, ['"ring road"', '"unlit"'])) > 0
        assert keyword_impacts.search(store, ['"££"'], K) == []
        assert keyword_impacts.search(store, ['"zzqxw"', '"zzqxw\'s"'], K) == []
    index = load_impacts(built_store.store_dir)
    assert index is not None and index.postings(("son", "s")) is not None
    assert not index.covers(("ring", "road"))


def copied_store(built_store: Settings, tmp_path: Path) -> Settings:
    shutil.copytree(built_store.store_dir, tmp_path / "store")
    return built_store.model_copy(update={"store_dir": tmp_path / "store"})


def keyword_results(settings: Settings, question: str) -> tuple[list, list]:
    """(what KeywordRetriever returns, what FTS5 alone returns) for ``question``."""
    index = open_index(settings)
    try:
        retriever = KeywordRetriever(index=index, k=K)
        expression = or_expression(query_phrases(question))
        return retriever.scored(question, None), index.store.keyword_search(expression, K)
    finally:
        index.close()


def test_a_stale_index_is_not_used_until_rebuilt(
    built_store: Settings, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = copied_store(built_store, tmp_path)
    question = "school transport walking route unlit path"
    before = load_impacts(settings.store_dir)
    assert before is not None
    with opened_store(settings, read_only=False) as store:
        store.delete_decisions(["21 103 417"])
    with opened_store(settings) as store, caplog.at_level(logging.WARNING):
        assert keyword_impacts.search(store, query_phrases(question), K) is None
        assert keyword_impacts.search(store, query_phrases(question), K) is None
    assert sum("older than the store" in r.message for r in caplog.records) == 1  # logged once
    fast, fts = keyword_results(settings, question)  # the retriever falls back to FTS5
    assert fast == fts
    assert all(not cid.startswith("21 103 417") for cid, _ in fts)
    assert build_impacts(settings.store_dir)
    assert load_impacts(settings.store_dir).stamp != before.stamp
    with opened_store(settings) as store:
        compare(store, query_phrases(question))


def test_a_changed_decision_rebuilt_is_exact_again(
    built_store: Settings, corpus_dir: Path, tmp_path: Path
) -> None:
    settings = copied_store(built_store, tmp_path)
    corpus = shutil.copytree(corpus_dir, tmp_path / "corpus")
    source = corpus / "21-103-417.txt"
    source.write_text(source.read_text().replace("unlit path", "unlit zebrawalk path"))
    before = load_impacts(settings.store_dir).stamp
    with opened_store(settings) as store:  # a reader open across the rebuild
        # The copy is another file for 21 103 417: replacing the indexed one is asked for.
        summary = build([corpus], settings, replace=True)
        assert summary.updated_decisions == 1
        assert load_impacts(settings.store_dir).stamp != before
        compare(store, query_phrases("zebrawalk school route"))
        found = keyword_impacts.search(store, ['"zebrawalk"'], K)
        assert found
        assert {store.chunks([cid])[cid].ref for cid, _ in found} == {"21 103 417"}


@pytest.mark.parametrize("damage", ["missing", "garbage", "truncated"])
def test_a_missing_or_damaged_file_falls_back_to_fts5(
    built_store: Settings, tmp_path: Path, damage: str
) -> None:
    settings = copied_store(built_store, tmp_path)
    path = impacts_path(settings.store_dir)
    if damage == "missing":
        path.unlink()
    elif damage == "garbage":
        path.write_bytes(b"not an index" * 100)
    else:
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    question = "council refused free school transport"
    with opened_store(settings) as store:
        assert keyword_impacts.search(store, query_phrases(question), K) is None
    fast, fts = keyword_results(settings, question)
    assert fast == fts and len(fts) == K
    assert build_impacts(settings.store_dir)  # the next build writes a good one
    with opened_store(settings) as store:
        compare(store, query_phrases(question))
