"""Ombudsman Q&A: ask about published Ombudsman decisions and check every cited excerpt.

Run with ``streamlit run app.py``. A thin router over ``retrieval``: each page in
``views/`` is drawn by ``appkit``; the index is the one ``OQA_STORE_DIR`` names.
"""

from __future__ import annotations

import streamlit as st

from appkit.links import PAGE_PATH
from appkit.loader import engine_or_stop
from retrieval import get_settings, link, sentence

st.set_page_config(page_title="Ombudsman Q&A", page_icon=":material/gavel:", layout="wide")

PAGES = [
    st.Page("views/ask.py", title="Ask", icon=":material/forum:", default=True),
    st.Page(
        "views/check.py",
        title="Will the Ombudsman look at my complaint?",
        icon=":material/fact_check:",
        url_path="check",
    ),
    st.Page("views/about.py", title="About", icon=":material/info:", url_path="about"),
]


def footer() -> None:
    """On every page: whose decisions these are and the terms they are re-used on."""
    st.divider()
    st.caption(f"{sentence('whose')} {sentence('reuse')} {sentence('not_advice')}")
    # Links outside the caption: its faded colour would take them below AA contrast.
    st.markdown(
        f"[The Ombudsman's site]({link('ombudsman')}) · [Copyright and re-use]({link('copyright')})"
    )


def main() -> None:
    engine_or_stop(get_settings())  # no index: the page says how to build one, and stops
    page = st.navigation(PAGES, position="top")
    st.session_state[PAGE_PATH] = page.url_path
    page.run()
    footer()


main()
