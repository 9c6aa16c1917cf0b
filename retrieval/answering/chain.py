"""The answer chain, as a LangChain Runnable: rewrite → understand → retrieve → compose.

The state passed along is typed per stage: each step takes what the steps before it made
and adds its own key, so a step that reads a key no earlier step wrote is a type error.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypedDict

from langchain_core.runnables import Runnable, RunnableLambda

from ingest.vocabulary.filters import DecisionFilter
from ingest.vocabulary.records import Decision
from retrieval.types import Answer, QueryPlan, SearchResult, Turn


class Question(TypedDict):
    """What the caller asks: the question, the filters they set, the conversation so far."""

    question: str
    filters: DecisionFilter | None
    history: list[Turn]


class Rewritten(Question):
    query: str  # the question made stand-alone (the question itself when not a follow-up)


class Understood(Rewritten):
    plan: QueryPlan


class Retrieved(Understood):
    search: SearchResult
    focus: Decision | None  # the decision a "similar to 24 020 817" question is about


def prepare_chain(
    rewrite: Callable[[Question], Rewritten],
    understand: Callable[[Rewritten], Understood],
    retrieve: Callable[[Understood], Retrieved],
) -> Runnable[Question, Retrieved]:
    """Everything before composing: each step takes the state and extends it, so any step
    can be swapped or traced. Streaming runs this, then streams the compose step itself."""
    return (
        RunnableLambda(rewrite, name="rewrite")
        | RunnableLambda(understand, name="understand")
        | RunnableLambda(retrieve, name="retrieve")
    )


def answer_chain(
    prepare: Runnable[Question, Retrieved], compose: Callable[[Retrieved], Answer]
) -> Runnable[Question, Answer]:
    """The whole chain; the compose step picks the answerer (extractive or LLM)."""
    return prepare | RunnableLambda(compose, name="compose")
