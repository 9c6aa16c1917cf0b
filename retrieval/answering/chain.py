"""The answer chain, as a LangChain Runnable: rewrite → understand → retrieve → compose."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from langchain_core.runnables import Runnable, RunnableLambda

Step = Callable[[dict[str, Any]], dict[str, Any]]


def prepare_chain(rewrite: Step, understand: Step, retrieve: Step) -> Runnable:
    """Everything before composing: each step takes and extends one state dict, so any step
    can be swapped or traced. Streaming runs this, then streams the compose step itself."""
    return (
        RunnableLambda(rewrite, name="rewrite")
        | RunnableLambda(understand, name="understand")
        | RunnableLambda(retrieve, name="retrieve")
    )


def answer_chain(prepare: Runnable, compose: Callable[[dict[str, Any]], Any]) -> Runnable:
    """The whole chain; the compose step picks the answerer (extractive or LLM)."""
    return prepare | RunnableLambda(compose, name="compose")
