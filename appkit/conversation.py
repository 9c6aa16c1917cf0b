"""The conversation: example questions, past turns, and the answer being streamed."""

from __future__ import annotations

from collections.abc import Iterator

import streamlit as st

from appkit import state
from appkit.filters import describe_filter
from appkit.sources import sources_panel
from appkit.text import answer_markdown, escape_inline, escape_md
from ingest.errors import OQAError
from ingest.store import DecisionFilter
from retrieval import Engine
from retrieval.types import Answer

CHAT_KEY = "chat_question"

# One per use: why a complaint was not investigated, similar decisions, an excerpt.
EXAMPLES: tuple[tuple[str, str], ...] = (
    (
        "Why not investigated?",
        "Why did the Ombudsman not investigate the complaint about free school transport?",
    ),
    (
        "Similar decisions",
        "Find decisions similar to a complaint that a council failed to act on noise "
        "from a neighbour.",
    ),
    (
        "Show me the excerpt",
        "Show me the excerpt where the Ombudsman says the Information Commissioner "
        "is better placed to deal with the complaint.",
    ),
)


def examples() -> None:
    st.markdown(
        "Ask about published decisions of the Local Government and Social Care "
        "Ombudsman. Every answer cites the decisions it comes from; open a source "
        "to read the paragraph in the whole decision."
    )
    st.caption("Try one of these:")
    for index, (title, question) in enumerate(EXAMPLES):
        st.button(
            f"**{title}**: {escape_inline(question)}",
            key=f"example_{index}",
            on_click=state.ask,
            args=(question,),
            width="stretch",
        )


def conversation(engine: Engine, filters: DecisionFilter) -> None:
    """Past turns, then the pending question (if any) answered as it streams."""
    pending = state.take_pending()
    turns = state.turns()
    if not turns and not pending:
        examples()
    for index, turn in enumerate(turns):
        _show_turn(index, turn, latest=index == len(turns) - 1 and not pending)
    if pending:
        _answer(engine, pending, filters, len(turns))


def chat_box(max_chars: int) -> None:
    st.chat_input(
        "Ask about Ombudsman decisions…",
        key=CHAT_KEY,
        max_chars=max_chars,
        on_submit=state.ask_from_chat_box,
        args=(CHAT_KEY,),
    )


def _show_turn(index: int, turn: state.ChatTurn, latest: bool) -> None:
    with st.chat_message("user"):
        st.markdown(escape_md(turn.question))
        if not turn.filters.is_empty:
            st.caption("Filters: " + escape_inline(describe_filter(turn.filters)))
    with st.chat_message("assistant"):
        _answer_body(index, turn.answer, expanded=latest)


def _answer_body(index: int, answer: Answer, expanded: bool) -> None:
    st.markdown(answer_markdown(answer.text, len(answer.citations)))
    if answer.rewritten_query:
        st.caption("Searched for: " + escape_inline(answer.rewritten_query))
    if answer.notice:
        st.caption(escape_inline(answer.notice))
    if answer.removed:  # what the citation checker kept from the user, and why
        with st.expander(f"Sentences removed by the check ({len(answer.removed)})"):
            for removed in answer.removed:
                st.markdown(
                    f"- {escape_inline(removed.sentence)}: *{escape_inline(removed.reason)}*"
                )
    if not answer.answered:
        st.caption("No decision in the index answers this; try other words or fewer filters.")
    sources_panel(index, answer.citations, expanded=expanded)


def _answer(engine: Engine, question: str, filters: DecisionFilter, index: int) -> None:
    with st.chat_message("user"):
        st.markdown(escape_md(question))
        if not filters.is_empty:
            st.caption("Filters: " + escape_inline(describe_filter(filters)))
    with st.chat_message("assistant"):
        slot = st.empty()
        final: list[Answer] = []
        try:
            with slot.container():
                st.write_stream(_pieces(engine, question, filters, final))
        except OQAError as error:
            slot.error(escape_md(str(error)))
            return
        if not final:
            slot.error("The answer did not complete; please ask again.")
            return
        with slot.container():
            _answer_body(index, final[0], expanded=True)
    state.turns().append(state.ChatTurn(question, final[0], filters))


def _pieces(
    engine: Engine, question: str, filters: DecisionFilter, final: list[Answer]
) -> Iterator[str]:
    """The answer's text pieces, escaped as they arrive; the Answer goes to ``final``."""
    history = state.history()
    for piece in engine.stream_answer(question, filters=filters, history=history):
        if isinstance(piece, Answer):
            final.append(piece)
        elif piece:
            yield escape_md(piece)
