"""The keyword index (tantivy): one analyser for text and questions, filters inside the engine."""

from __future__ import annotations

import pytest

from ingest.storage import ChunkRow, Store, opened_store
from ingest.storage.keyword_index import analyse
from ingest.vocabulary.filters import DecisionFilter
from ingest.vocabulary.settings import Settings

EVERY = 100_000  # more passages than the sample has: the whole matching set
FILTERS = [
    DecisionFilter(organisations=("liverpool city council",)),  # any case, as SQL's NOCASE
    DecisionFilter(categories=("Education",), outcomes=("upheld",)),
    DecisionFilter(date_from="2022-01-01", date_to="2023-06-30"),
    DecisionFilter(reasons=("premature",)),
    DecisionFilter(refs=("24 020 817", "21 103 417")),
    DecisionFilter(sub_categories=("no such area",)),
]


def test_index_and_question_text_are_analysed_alike() -> None:
    assert analyse("My son's schools were REFUSED") == ["my", "son", "school", "were", "refus"]
    assert analyse("the son’s café") == ["the", "son", "cafe"]  # curly apostrophe, accents
    assert analyse("refusing refused refuses") == ["refus"]  # each term once


def test_possessives_and_inflections_find_the_same_passages(built_store: Settings) -> None:
    with opened_store(built_store) as store:
        keywords = store.keywords
        son = keywords.search_passages("son", EVERY)
        assert son and keywords.search_passages("son's", EVERY) == son
        assert keywords.search_passages("sons", EVERY) == son
        refused = keywords.search_passages("refused", EVERY)
        assert keywords.search_passages("refusing", EVERY) == refused
        texts = store.passages.chunks([cid for cid, _ in refused[:5]])
        assert all("refus" in row.text.lower() for row in texts.values())
        # What the index holds is the analysed term, never the surface form.
        assert keywords.decisions.has_term("body", "son")
        assert not keywords.decisions.has_term("body", "son's")


@pytest.mark.parametrize("where", FILTERS, ids=lambda f: repr(f)[:60])
def test_filters_done_by_the_engine_keep_exactly_what_sql_keeps(
    built_store: Settings, where: DecisionFilter
) -> None:
    question = "school transport refused son's care home fees council delay"
    with opened_store(built_store) as store:
        allowed = set(store.records.filter_refs(where))
        ref_of_passage = {cid: row.ref for cid, row in _all_passages(store).items()}
        for level, ref_of in ((store.keywords.search_passages, ref_of_passage.__getitem__),
                              (store.keywords.search_decisions, str)):
            everything = level(question, EVERY)
            filtered = level(question, EVERY, where)
            # The engine's filter is SQL's, and it changes no score (statistics stay global).
            assert filtered == [(key, score) for key, score in everything
                                if ref_of(key) in allowed]
    assert bool(allowed) == (where != FILTERS[-1])


def _all_passages(store: Store) -> dict[str, ChunkRow]:
    return store.passages.chunks(sorted(store.passages.chunk_ids()))


def test_decision_level_ranks_whole_decisions(built_store: Settings) -> None:
    with opened_store(built_store) as store:
        found = store.keywords.search_decisions("Liverpool social workers data", 5)
        assert found[0][0] == "24 020 817"
        assert [s for _, s in found] == sorted((s for _, s in found), reverse=True)
        assert store.keywords.uses_word("social") and not store.keywords.uses_word("zzqxw")
