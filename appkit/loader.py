"""Open the engine once per process, or explain why it cannot be opened.

The model and the index are loaded by :func:`load_engine` (``st.cache_resource``,
one per store and model) and warmed with one query, so later questions pay
neither the import nor the first-query cost.
"""

from __future__ import annotations

import logging

import streamlit as st

from appkit.text import escape_md
from retrieval import Engine, FilterOptions, IndexMissingError, OQAError, Settings, open_engine

logger = logging.getLogger(__name__)

BUILT_NOTE = "sample_build_summary"
WARM_QUERY = "why was the complaint not investigated"


@st.cache_resource(show_spinner=False, max_entries=4)
def load_engine(store_dir: str, model: str, _settings: Settings) -> Engine:
    """The engine for ``store_dir`` built with ``model``; both arguments key the cache."""
    engine = open_engine(_settings)
    engine.search(WARM_QUERY, k=1)  # loads the model's weights and touches the index
    logger.info("engine ready for %s (%s)", store_dir, model)
    return engine


@st.cache_data(show_spinner=False, ttl=300, max_entries=4)
def load_options(store_dir: str, model: str, _engine: Engine) -> FilterOptions:
    """Filter values in the index, re-read every five minutes (a rebuild adds some)."""
    return _engine.options()


def engine_or_stop(settings: Settings) -> Engine:
    """The engine, or a page that says what to do (and ``st.stop()``)."""
    try:
        with st.spinner("Loading the model and the index (only the first visit waits)…"):
            return load_engine(str(settings.store_dir), settings.embedding_model, settings)
    except IndexMissingError as error:
        _no_index(settings, str(error))
    except OQAError as error:  # e.g. IndexMismatchError: its text says how to fix it
        st.title("Ombudsman Q&A")
        st.error(escape_md(str(error)))
    st.stop()
    raise AssertionError("unreachable")  # st.stop() raises


def _no_index(settings: Settings, message: str) -> None:
    st.title("Ombudsman Q&A")
    st.info(escape_md(message))
    st.markdown("Index your own decision files (text, Markdown, HTML or PDF) with:")
    st.code(f"python -m ingest build --source DIR --store {settings.store_dir}", language="bash")
    st.markdown("or try the app on the bundled fictional sample of decisions:")
    st.code(f"python -m ingest build --store {settings.store_dir}", language="bash")
    if st.button("Build the sample index", key="build_sample", type="primary"):
        _build_sample(settings)


def _build_sample(settings: Settings) -> None:
    from ingest import build

    with st.spinner("Indexing the bundled sample decisions (a minute or two)…"):
        try:
            summary = build([settings.sample_dir], settings, settings.store_dir)
        except OQAError as error:
            st.error(escape_md(str(error)))
            return
    st.session_state[BUILT_NOTE] = summary.line()
    load_engine.clear()
    st.rerun()


def built_note() -> None:
    """After the sample was built from the app: say what was indexed, once."""
    note = st.session_state.pop(BUILT_NOTE, None)
    if note:
        st.success("Sample index built: " + escape_md(note))
