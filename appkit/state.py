"""What one browser session remembers: the conversation, and what to show next."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import streamlit as st

from ingest.store import DecisionFilter
from retrieval.types import Answer, SimilarResult, Turn

TURNS = "turns"
PENDING = "pending_question"
VIEWER = "decision_viewer"
SIMILAR = "similar_result"
SIMILAR_REQUEST = "similar_request"
VIEW = "view"  # the tabs' key: which tab is open

CONVERSATION_TAB = "Conversation"
SIMILAR_TAB = "Similar decisions"


@dataclass(frozen=True)
class ChatTurn:
    """One question, the answer it got, and the filters that were on."""

    question: str
    answer: Answer
    filters: DecisionFilter


@dataclass(frozen=True)
class ViewerRequest:
    """Open the decision ``ref``, marking the cited passage when there is one."""

    ref: str
    section: str = ""
    paragraphs: str = ""
    quote: str = ""


def turns() -> list[ChatTurn]:
    return st.session_state.setdefault(TURNS, [])


def history() -> list[Turn]:
    return [Turn(question=turn.question, answer=turn.answer) for turn in turns()]


def ask(question: str) -> None:
    """Callback: queue ``question`` for this run (examples, chat box)."""
    st.session_state[PENDING] = question
    st.session_state[VIEW] = CONVERSATION_TAB


def ask_from_chat_box(key: str) -> None:
    question = st.session_state.get(key)
    text = getattr(question, "text", question)  # a plain str unless files are accepted
    if text and str(text).strip():
        ask(str(text).strip())


def take_pending() -> str | None:
    return st.session_state.pop(PENDING, None)


def clear_conversation() -> None:
    st.session_state[TURNS] = []
    st.session_state.pop(PENDING, None)
    st.session_state.pop(VIEWER, None)


def open_decision(request: ViewerRequest) -> None:
    st.session_state[VIEWER] = request


def take_viewer() -> ViewerRequest | None:
    return st.session_state.pop(VIEWER, None)


def find_similar(ref: str | None = None, text: str | None = None) -> None:
    """Callback: open the similar-decisions tab and search from ``ref`` or ``text``."""
    st.session_state[SIMILAR_REQUEST] = {"ref": ref, "text": text}
    st.session_state[VIEW] = SIMILAR_TAB
    if ref:
        st.session_state["similar_mode"] = "decision"
        st.session_state["similar_ref"] = ref


def take_similar_request() -> dict[str, Any] | None:
    return st.session_state.pop(SIMILAR_REQUEST, None)


def similar_result() -> tuple[dict[str, Any], SimilarResult] | None:
    return st.session_state.get(SIMILAR)


def keep_similar_result(request: dict[str, Any], result: SimilarResult) -> None:
    st.session_state[SIMILAR] = (request, result)
