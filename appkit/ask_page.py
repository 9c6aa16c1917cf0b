"""The Ask page: the conversation, similar decisions and organisation pages, as tabs."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from appkit import state
from appkit.chat import (
    chat_box,
    clear_saved_conversation,
    conversation,
    restore_conversation,
    too_long_box,
)
from appkit.export import conversation_markdown
from appkit.filter_sidebar import date_bounds, show_chips, sidebar_filters
from appkit.links import apply_url, show_in_url
from appkit.loader import built_note, engine_or_stop, load_options
from appkit.organisation_page import (
    ORGANISATION_PICK,
    ORGANISATION_TAB,
    current_organisation,
    render_organisation_page,
    show_organisation,
)
from appkit.similar_page import similar_view
from appkit.sources_panel import show_viewer
from retrieval import Engine, get_settings


def conversation_controls(box: st.delta_generator.DeltaGenerator, store_dir: Path) -> None:
    """Clear and download the conversation (drawn last, so the export holds every turn)."""
    turns = state.turns()
    with box:
        st.header("Conversation")
        left, right = st.columns(2)
        left.button(
            "Clear",
            key="clear_conversation",
            icon=":material/delete:",
            on_click=clear_saved_conversation,
            args=(store_dir,),
            disabled=not turns,
            width="stretch",
            help="Empty the conversation and forget its saved copy and link.",
        )
        right.download_button(
            "Export",
            data=conversation_markdown(turns),
            file_name="ombudsman-qa-conversation.md",
            mime="text/markdown",
            key="export_conversation",
            icon=":material/download:",
            on_click="ignore",
            disabled=not turns,
            width="stretch",
            help="Download the conversation and its cited sources as Markdown.",
        )


def organisation_view(engine: Engine, organisations: list[str]) -> None:
    """Pick an organisation (or arrive from a citation) and show its page."""
    names = [n for n in organisations if n != "Unknown organisation"]
    st.session_state.setdefault(ORGANISATION_PICK, current_organisation())
    st.selectbox(
        "Organisation",
        names,
        placeholder="Choose a council or care provider",
        key=ORGANISATION_PICK,
        on_change=lambda: show_organisation(st.session_state[ORGANISATION_PICK]),
    )
    if chosen := current_organisation():
        render_organisation_page(engine, chosen)


def ask_page() -> None:
    settings = get_settings()
    engine = engine_or_stop(settings)
    controls = st.sidebar.container()
    options = load_options(str(settings.store_dir), settings.embedding_model, engine)
    filters = sidebar_filters(options)
    restore_conversation(settings.store_dir)
    apply_url()
    st.title("Ombudsman Q&A")
    st.caption(
        "Answers from published decisions of the Local Government and Social Care Ombudsman, "
        "each sentence cited to the decision it quotes. Not legal advice."
    )
    built_note()
    show_chips(date_bounds(options))
    talk, alike, organisation = st.tabs(
        [state.CONVERSATION_TAB, state.SIMILAR_TAB, ORGANISATION_TAB],
        key=state.VIEW,
        on_change="rerun",
    )
    if talk.open is not False:
        chat_box(settings.max_question_chars)  # first: closed at once while answering
        with talk:
            conversation(engine, filters, settings.store_dir)
            too_long_box(settings.max_question_chars)
    if alike.open:
        with alike:
            similar_view(engine, filters)
    if organisation.open:
        with organisation:
            organisation_view(engine, options.organisations)
    show_viewer(engine)
    show_in_url()
    conversation_controls(controls, settings.store_dir)
