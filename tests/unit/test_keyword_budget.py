"""The keyword side's cost bound: the commonest words of a question go first, rare ones stay."""

from __future__ import annotations

from retrieval.keywords import match_expression, or_expression, query_phrases, within_budget

PHRASES = ['"school"', '"bus"', '"ashcombe"', '"refused"']
MATCHES = {'"school"': 9000, '"bus"': 700, '"ashcombe"': 12, '"refused"': 2500}


def test_everything_is_kept_while_the_question_is_cheap() -> None:
    assert within_budget(PHRASES, MATCHES, 20_000) == PHRASES
    assert within_budget(PHRASES, MATCHES, 0) == PHRASES  # 0: no limit


def test_the_commonest_words_are_dropped_first_and_the_order_is_kept() -> None:
    assert within_budget(PHRASES, MATCHES, 5_000) == ['"bus"', '"ashcombe"', '"refused"']
    assert within_budget(PHRASES, MATCHES, 1_000) == ['"bus"', '"ashcombe"']
    assert within_budget(PHRASES, MATCHES, 100) == ['"ashcombe"']


def test_no_keyword_search_when_even_the_rarest_word_is_too_common() -> None:
    assert within_budget(PHRASES, MATCHES, 10) == []
    assert or_expression([]) is None


def test_the_phrases_make_the_same_expression_as_before() -> None:
    question = "Why did Ashcombe council refuse my son's school bus pass?"
    assert or_expression(query_phrases(question)) == match_expression(question)
    expected = ['"ashcombe"', '"refuse"', '"son\'s"', '"school"', '"bus"', '"pass"']
    assert query_phrases(question) == expected  # stopwords ("why", "council", "my") gone
    assert query_phrases(question, max_terms=4) == expected[:4]
