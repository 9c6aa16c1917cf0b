"""What one browser session remembers: the conversation, and what to show next."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import streamlit as st

from ingest.storage import DecisionFilter
from retrieval.types import Answer, SimilarResult, Turn

TURNS = "turns"
QUEUE = "question_queue"  # questions waiting to be answered, oldest first
REFUSED = "refused_questions"  # sent while the queue was full: shown, never dropped silently
TOO_LONG = "too_long_question"  # a question over the limit, kept for the person to shorten
CONVERSATION_ID = "conversation_id"  # the saved conversation (?c= in the URL)
MAX_QUEUED = 10
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


def queue() -> list[str]:
    return st.session_state.setdefault(QUEUE, [])


def ask(question: str) -> None:
    """Callback: queue ``question`` (examples, chat box, links); refused visibly when full.

    A question sent while another is being answered interrupts that run; the one being
    answered stays first in the queue, so it is answered again rather than lost.
    """
    waiting = queue()
    if len(waiting) >= MAX_QUEUED:
        st.session_state.setdefault(REFUSED, []).append(question)
    else:
        waiting.append(question)
        st.session_state.pop(REFUSED, None)  # the person is asking again: the notice has done
    st.session_state[VIEW] = CONVERSATION_TAB


def ask_from_chat_box(key: str, max_chars: int) -> None:
    """Callback: a question over ``max_chars`` is kept to be shortened, never emptied."""
    question = st.session_state.get(key)
    text = str(getattr(question, "text", question) or "").strip()  # str unless files accepted
    if len(text) > max_chars:
        st.session_state[TOO_LONG] = text
    elif text:
        st.session_state.pop(TOO_LONG, None)
        ask(text)


def next_question() -> str | None:
    """The oldest waiting question; it leaves the queue only once answered (``answered``)."""
    waiting = queue()
    return waiting[0] if waiting else None


def answered(question: str) -> None:
    waiting = queue()
    if waiting and waiting[0] == question:
        waiting.pop(0)


def refused() -> list[str]:
    """Questions refused because the queue was full (shown until the next one is accepted)."""
    return st.session_state.get(REFUSED, [])


def clear_conversation() -> None:
    st.session_state[TURNS] = []
    st.session_state[QUEUE] = []
    st.session_state.pop(VIEWER, None)
    st.session_state.pop(CONVERSATION_ID, None)


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
