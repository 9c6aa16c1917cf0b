"""The About page: what the index holds, whose decisions these are, what the app is not,
and the words the answers use."""

from __future__ import annotations

from collections import Counter
from urllib.parse import urlparse

import streamlit as st

from appkit.loader import engine_or_stop, load_options
from appkit.precheck_page import how_to_complain
from appkit.text import escape_inline, escape_md
from retrieval import (
    Engine,
    explanations,
    get_settings,
    link,
    outcome_label,
    reason_label,
    sentence,
)


def about_page() -> None:
    settings = get_settings()
    engine = engine_or_stop(settings)
    st.title("About Ombudsman Q&A")
    st.markdown(escape_md(sentence("whose")))
    st.markdown(
        escape_md(sentence("reuse")) + f" [The Ombudsman's copyright page]({link('copyright')})."
    )
    _holdings(engine, settings.store_dir, settings.embedding_model)
    st.subheader("What it is not", anchor=False)
    st.markdown(escape_md(sentence("not_advice")))
    how_to_complain("Before you complain", f"[The Local Government Act 1974]({link('act')})")
    _glossary()


def _holdings(engine: Engine, store_dir: object, model: str) -> None:
    store = engine.index.store
    counts, meta = store.counts(), store.meta()
    options = load_options(str(store_dir), model, engine)
    st.subheader("What the index holds", anchor=False)
    columns = st.columns(4)
    columns[0].metric("Decisions", counts["decisions"])
    columns[1].metric("Passages", counts["chunks"])
    columns[2].metric("Decided from", options.date_min or "–")
    columns[3].metric("Decided to", options.date_max or "–")
    st.caption(
        escape_inline(
            f"Last updated {meta.get('last_build', 'never')}; "
            f"{counts['vectors']} passage vectors, model {meta.get('model', '?')}."
        )
    )
    rows = store.records.decision_rows()
    hosts = Counter(urlparse(row["url"]).netloc or "no address" for row in rows)
    st.markdown(
        "Where the decisions were published: "
        + "; ".join(f"{escape_inline(host)} ({n})" for host, n in hosts.most_common())
    )


def _glossary() -> None:
    st.subheader("Words used in the answers", anchor=False)
    st.markdown("**Outcomes**")
    st.markdown(
        "\n".join(
            f"- **{escape_inline(outcome_label(key))}**: {escape_inline(text)}"
            for key, text in explanations().outcomes.items()
        )
    )
    st.markdown("**Reasons for not investigating, and the law behind each**")
    st.markdown(
        "\n".join(
            f"- **{escape_inline(reason_label(key))}** "
            f"({escape_inline(test.basis or 'no statutory test')}): {escape_inline(test.meaning)}"
            for key, test in explanations().tests.items()
        )
    )
