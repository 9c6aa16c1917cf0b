"""The conversation: example questions, past turns, and the answer being streamed."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path

import streamlit as st
from streamlit.elements.lib.mutable_status_container import StatusContainer

from appkit import saved, state
from appkit.filters import describe_filter, understood
from appkit.sources import sources_panel
from appkit.text import answer_markdown, escape_inline, escape_md
from ingest.errors import OQAError
from ingest.storage import DecisionFilter
from retrieval import Engine
from retrieval.feedback import ANSWER, WRONG_CITATION, Feedback, record
from retrieval.types import Answer

CHAT_KEY = "chat_question"
SHORTEN_KEY = "too_long_edit"
BUSY_PLACEHOLDER = "Answering your question… the box opens again when the answer is ready."
FAILED = "unanswered_questions"  # (question, why) pairs: an error is kept, not lost

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


def conversation(engine: Engine, filters: DecisionFilter, store_dir: Path) -> None:
    """Past turns, then the oldest waiting question answered as it streams, then the next."""
    question = state.next_question()
    turns = state.turns()
    if not turns and not question:
        examples()
    for index, turn in enumerate(turns):
        _show_turn(index, turn, store_dir, latest=index == len(turns) - 1 and not question)
    _show_unanswered()
    if question is None:
        return
    turn = _answer(engine, question, filters, len(turns), store_dir)
    state.answered(question)
    if turn is not None:
        turns.append(turn)
        saved_conversation(store_dir)
    st.rerun()  # the next waiting question, or the chat box open again


def chat_box(max_chars: int) -> None:
    """The question box; closed, saying so, while a question is being answered.

    Streamlit keeps only the newest of several submissions that reach the server
    during one run, so the box is closed while answering instead of losing them; a
    question that still arrives then waits in the queue (``state.ask``).
    """
    busy = bool(state.queue())
    # No max_chars on the widget: the browser would cut a long paste silently. The
    # callback keeps a too-long question for the person to shorten instead.
    st.chat_input(
        BUSY_PLACEHOLDER if busy else "Ask about Ombudsman decisions…",
        key=CHAT_KEY,
        on_submit=state.ask_from_chat_box,
        args=(CHAT_KEY, max_chars),
        disabled=busy,
    )


def too_long_box(max_chars: int) -> None:
    """A question over the limit, kept in an editable box with what to do about it."""
    text = st.session_state.get(state.TOO_LONG)
    if not text:
        return
    st.warning(
        f"Your question is {len(text):,} characters long; the limit is {max_chars:,}. "
        "It is kept below: shorten it to the situation and what you want to know, then ask it."
    )
    if st.session_state.get(SHORTEN_KEY) is None:
        st.session_state[SHORTEN_KEY] = text
    st.text_area("Your question, to shorten", key=SHORTEN_KEY, height=160)
    left, right = st.columns(2)
    left.button("Ask it", key="shorten_ask", on_click=_ask_shortened, args=(max_chars,))
    right.button("Discard it", key="shorten_discard", on_click=_discard_long)


def _ask_shortened(max_chars: int) -> None:
    text = (st.session_state.get(SHORTEN_KEY) or "").strip()
    st.session_state[state.TOO_LONG] = text
    if text and len(text) <= max_chars:
        _discard_long()
        state.ask(text)


def _discard_long() -> None:
    st.session_state.pop(state.TOO_LONG, None)
    st.session_state.pop(SHORTEN_KEY, None)


def _show_unanswered() -> None:
    """Questions waiting behind the one being answered, failures and refusals: all visible."""
    waiting = state.queue()[1:]
    if waiting:
        st.caption(
            f"Waiting to be answered ({len(waiting)}): "
            + "; ".join(escape_inline(q[:80]) for q in waiting)
        )
    for question, message in st.session_state.get(FAILED, []):
        st.error(f"Not answered: {escape_inline(question[:200])}. {escape_inline(message)}")
    refused = state.refused()
    if refused:
        st.warning(
            f"{len(refused)} question(s) were not sent because {state.MAX_QUEUED} were already "
            "waiting; ask again when those are answered: "
            + "; ".join(escape_inline(q[:80]) for q in refused)
        )


def saved_conversation(store_dir: Path) -> None:
    """Keep the turns in the local file under the URL's conversation id (a refresh keeps them)."""
    conversation_id = st.session_state.setdefault(state.CONVERSATION_ID, saved.new_id())
    try:
        saved.save(store_dir, conversation_id, state.turns())
    except OQAError as error:
        st.caption("This conversation is not kept after a refresh: " + escape_inline(str(error)))
        return
    st.query_params["c"] = conversation_id


def restore_conversation(store_dir: Path) -> None:
    """A link or refresh with ``?c=``: bring the saved turns back into an empty session."""
    conversation_id = st.query_params.get("c")
    if not conversation_id or st.session_state.get(state.CONVERSATION_ID) == conversation_id:
        return
    try:
        turns = saved.load(store_dir, conversation_id)
    except OQAError as error:
        st.warning(escape_inline(str(error)))
        return
    if turns is None:
        st.info("That saved conversation is no longer here; start a new one below.")
        del st.query_params["c"]
        return
    st.session_state[state.CONVERSATION_ID] = conversation_id
    st.session_state[state.TURNS] = turns


def clear_saved_conversation(store_dir: Path) -> None:
    """Callback: empty the conversation and forget its saved copy and its link."""
    conversation_id = st.session_state.get(state.CONVERSATION_ID)
    if conversation_id:
        with contextlib.suppress(OQAError):  # nothing was saved: nothing to forget
            saved.forget(store_dir, conversation_id)
    state.clear_conversation()
    st.session_state.pop(FAILED, None)
    st.query_params.pop("c", None)


def _show_turn(index: int, turn: state.ChatTurn, store_dir: Path, latest: bool) -> None:
    with st.chat_message("user"):
        st.markdown(escape_md(turn.question))
        if not turn.filters.is_empty:
            st.caption("Filters: " + escape_inline(describe_filter(turn.filters)))
    with st.chat_message("assistant"):
        _answer_body(index, turn.answer, store_dir, expanded=latest)


def _answer_body(index: int, answer: Answer, store_dir: Path, expanded: bool) -> None:
    st.markdown(answer_markdown(answer.text, len(answer.citations)))
    if answer.rewritten_query:
        st.caption("Searched for: " + escape_inline(answer.rewritten_query))
    if answer.notice:
        st.caption(escape_inline(answer.notice))
    understood(index, answer.search.plan, answer.search.hits)
    if answer.removed:  # what the citation checker kept from the user, and why
        with st.expander(f"Sentences removed by the check ({len(answer.removed)})"):
            for removed in answer.removed:
                st.markdown(
                    f"- {escape_inline(removed.sentence)}: *{escape_inline(removed.reason)}*"
                )
    if not answer.answered:
        st.caption("No decision in the index answers this; try other words or fewer filters.")
    sources_panel(index, answer.citations, expanded=expanded, report=_wrong_citation(store_dir))
    st.caption("Was this answer useful? Your rating is kept on this computer only.")
    st.feedback(
        "thumbs",
        key=f"feedback_{index}",
        on_change=_rate,
        args=(store_dir, index),
    )


def _rate(store_dir: Path, index: int) -> None:
    """Callback: keep a thumbs up or down with the question, answer and citations."""
    rating = st.session_state.get(f"feedback_{index}")
    turn = state.turns()[index]
    _keep(
        store_dir,
        Feedback(ANSWER, turn.question, turn.answer.text, turn.answer.citations, rating=rating),
    )


def _wrong_citation(store_dir: Path) -> Callable[[int, int], None]:
    def report(index: int, n: int) -> None:
        turn = state.turns()[index]
        _keep(
            store_dir,
            Feedback(
                WRONG_CITATION, turn.question, turn.answer.text, turn.answer.citations, citation_n=n
            ),
        )

    return report


def _keep(store_dir: Path, feedback: Feedback) -> None:
    try:
        record(store_dir, feedback)
    except OQAError as error:
        st.toast(escape_inline(str(error)), icon=":material/error:")
        return
    st.toast("Thank you: your feedback is saved on this computer only.", icon=":material/done:")


def _answer(
    engine: Engine, question: str, filters: DecisionFilter, index: int, store_dir: Path
) -> state.ChatTurn | None:
    with st.chat_message("user"):
        st.markdown(escape_md(question))
        if not filters.is_empty:
            st.caption("Filters: " + escape_inline(describe_filter(filters)))
    with st.chat_message("assistant"):
        steps = st.status("Searching the published decisions…")
        slot = st.empty()
        final: list[Answer] = []
        try:
            with slot.container():
                st.write_stream(_pieces(engine, question, filters, final, steps))
        except OQAError as error:
            steps.update(label="Not answered", state="error")
            st.session_state.setdefault(FAILED, []).append((question, str(error)))
            slot.error(escape_md(str(error)))
            return None
        if not final:
            steps.update(label="Not answered", state="error")
            slot.error("The answer did not complete; please ask again.")
            return None
        _report_steps(steps, final[0], uses_llm=engine.llm is not None)
        with slot.container():
            _answer_body(index, final[0], store_dir, expanded=True)
    return state.ChatTurn(question, final[0], filters)


def _report_steps(steps: StatusContainer, answer: Answer, uses_llm: bool) -> None:
    """What was done, once the answer is complete: searched, written, checked."""
    steps.write(f"Searched the index: {len(answer.search.hits)} decisions matched.")
    if uses_llm and not answer.notice:
        steps.write("Written by the language model from the passages found.")
    else:
        steps.write("Written by quoting the decisions found.")
    removed = len(answer.removed)
    steps.write(
        f"Checked {len(answer.citations)} citations: each quote is in its decision."
        + (f" {removed} sentence(s) without support were left out." if removed else "")
    )
    steps.update(label="Answered and checked", state="complete", expanded=False)


def _pieces(
    engine: Engine,
    question: str,
    filters: DecisionFilter,
    final: list[Answer],
    steps: StatusContainer,
) -> Iterator[str]:
    """The answer's text pieces, escaped as they arrive; the Answer goes to ``final``."""
    history = state.history()
    started = False
    for piece in engine.stream_answer(question, filters=filters, history=history):
        if not started:
            steps.update(label="Writing the answer from the passages found…")
            started = True
        if isinstance(piece, Answer):
            final.append(piece)
        elif piece:
            yield escape_md(piece)
