"""Which questions lean on the conversation (pure rules; the engine-level tests are in
tests/integration/test_conversation.py)."""

from __future__ import annotations

import pytest

from ingest.storage import DecisionFilter
from retrieval.conversation import Focus, is_follow_up
from retrieval.keywords import content_terms

FOCUS = Focus(
    ref="24 020 817",
    outcome="closed_after_initial_enquiries",
    filters=DecisionFilter(),
    explicit_ref=False,
    terms=frozenset(content_terms("an alleged data breach by social workers; repay the money")),
)


@pytest.mark.parametrize(
    "question",
    [
        "why was that?",
        "why?",
        "any similar ones?",
        "show me similar ones",
        "and what about the data breach part?",
        "what did the council agree to do?",
        "what was the outcome?",
        "did they apologise?",
        "what should I do instead?",
        "and the repayment?",
    ],
)
def test_follow_ups(question: str) -> None:
    assert is_follow_up(question, FOCUS)


@pytest.mark.parametrize(
    "question",
    [
        "what happened in 21 103 417?",  # names its own decision
        "why won't they look at my complaint about my son's school transport?",  # own situation
        "what about parking fines?",  # a new topic
        "council tax appeals",
        "what is the capital of France?",
        "what does the council have to do about noise from a neighbour's loud music at night?",
    ],
)
def test_questions_that_stand_alone(question: str) -> None:
    assert not is_follow_up(question, FOCUS)
