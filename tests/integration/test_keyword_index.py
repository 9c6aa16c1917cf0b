"""The keyword index's fast paths give what the general query gives, on the real sample index."""

from __future__ import annotations

import pytest

from ingest.store import opened_store
from ingest.vocabulary.filters import DecisionFilter
from ingest.vocabulary.records import Outcome
from ingest.vocabulary.settings import Settings
from retrieval.keywords import match_expression, query_phrases

QUESTIONS = (
    "why wouldn't the ombudsman look at the dad's complaint about Liverpool social workers",
    "free school bus pass refused, walking route along a dark busy road",
    "Information Commissioner data breach",
)
# Every outcome: a filter that keeps every decision but takes the filtered (joined) path.
EVERYTHING = DecisionFilter(outcomes=tuple(o.value for o in Outcome))


@pytest.mark.parametrize("question", QUESTIONS)
def test_unfiltered_ranking_equals_the_filtered_path(built_store: Settings, question: str) -> None:
    expression = match_expression(question)
    assert expression
    with opened_store(built_store) as store:
        fast = store.keyword_search(expression, 40)
        joined = store.keyword_search(expression, 40, EVERYTHING)
    assert len(fast) == 40
    assert [cid for cid, _ in fast] == [cid for cid, _ in joined]
    assert [s for _, s in fast] == pytest.approx([s for _, s in joined])


def test_match_counts_are_the_chunks_each_word_matches(built_store: Settings) -> None:
    phrases = query_phrases(QUESTIONS[1])
    with opened_store(built_store) as store:
        counts = store.match_counts(phrases)
        again = store.match_counts(phrases)  # from the reader's cache
        for phrase in phrases:
            assert counts[phrase] == len(store.keyword_search(phrase, 10_000))
    assert counts == again
    assert counts['"school"'] > counts['"bus"'] >= 1
    assert counts['"dark"'] == 0  # the sample's route is "unlit"
