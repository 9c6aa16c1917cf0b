"""The answer chain, as a LangChain Runnable: understand → retrieve → compose."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from langchain_core.runnables import Runnable, RunnableLambda


def answer_chain(
    understand: Callable[[dict[str, Any]], dict[str, Any]],
    retrieve: Callable[[dict[str, Any]], dict[str, Any]],
    compose: Callable[[dict[str, Any]], Any],
) -> Runnable:
    """Each step takes and extends one state dict, so any step can be swapped or traced."""
    return (
        RunnableLambda(understand, name="understand")
        | RunnableLambda(retrieve, name="retrieve")
        | RunnableLambda(compose, name="compose")
    )
