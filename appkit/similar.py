"""Similar decisions: from a decision or a described situation, listed and charted."""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from appkit import state
from appkit.links import link
from appkit.ordering import ordered
from appkit.text import escape_inline, escape_md, safe_url
from ingest.errors import OQAError
from ingest.storage import DecisionFilter
from retrieval import Engine
from retrieval.explanations import outcome_meaning
from retrieval.labels import outcome_label, reason_label
from retrieval.types import DecisionHit, SimilarResult

MODE, REF, TEXT = "similar_mode", "similar_ref", "similar_text"
MODES = {"situation": "A situation I describe", "decision": "A decision's reference"}
PASSAGE_CHARS = 400


def similar_view(engine: Engine, filters: DecisionFilter) -> None:
    st.markdown(
        "Find decisions like a situation or like a decision you have read, and see how they ended."
    )
    _form()
    request = state.take_similar_request()
    if request:
        _search(engine, request, filters)
    kept = state.similar_result()
    if kept:
        _show(*kept)


def _form() -> None:
    if MODE not in st.session_state:
        st.session_state[MODE] = "situation"
    st.segmented_control(
        "Start from", list(MODES), format_func=MODES.__getitem__, key=MODE, required=True
    )
    if st.session_state[MODE] == "decision":
        st.text_input("Decision reference", key=REF, placeholder="e.g. 24 020 817")
    else:
        st.text_area(
            "Describe the situation",
            key=TEXT,
            placeholder="e.g. The council took months to finish my son's EHC plan and "
            "he missed a term of school.",
        )
    st.button("Find similar decisions", key="similar_go", type="primary", on_click=_request)


def _request() -> None:
    if st.session_state.get(MODE) == "decision":
        state.find_similar(ref=(st.session_state.get(REF) or "").strip() or None)
    else:
        state.find_similar(text=(st.session_state.get(TEXT) or "").strip() or None)


def _search(engine: Engine, request: dict[str, Any], filters: DecisionFilter) -> None:
    if not (request.get("ref") or request.get("text")):
        st.warning("Type a decision reference or describe a situation first.")
        return
    try:
        with st.spinner("Finding similar decisions…"):
            result = engine.similar(
                ref=request.get("ref"), text=request.get("text"), filters=filters
            )
    except OQAError as error:
        st.error(escape_md(str(error)))
        return
    state.keep_similar_result(request, result)


def _show(request: dict[str, Any], result: SimilarResult) -> None:
    source = request.get("ref") or request.get("text") or ""
    st.subheader("Similar decisions")
    st.caption(("Like decision " if request.get("ref") else "Like: ") + escape_inline(source[:200]))
    if not result.hits:
        st.info("No similar decisions found; try other words or fewer filters.")
        return
    if result.overview:
        st.markdown(escape_md(result.overview))
    with st.popover("Copy link", icon=":material/link:", key="similar_copy_link"):
        st.caption("A link to this search:")
        st.code(
            link(similar=request.get("ref") or "", situation=request.get("text") or ""),
            language=None,
            wrap_lines=True,
        )
    _charts(result)
    for hit in ordered(result.hits, "similar_order", lambda hit: hit.date):
        _hit(hit)


def counts_frame(counts: dict[str, int], label: Any, column: str) -> pd.DataFrame:
    rows = [(label(key), count) for key, count in counts.items() if count]
    return pd.DataFrame(rows, columns=[column, "decisions"])


def _charts(result: SimilarResult) -> None:
    outcomes = counts_frame(result.outcome_counts, outcome_label, "outcome")
    reasons = counts_frame(result.reason_counts, reason_label, "reason")
    st.markdown("**How they ended**")
    st.altair_chart(bar_chart(outcomes, "outcome"), width="stretch")
    if not reasons.empty:
        st.markdown("**Why those not investigated were not**")
        st.altair_chart(bar_chart(reasons, "reason"), width="stretch")


def bar_chart(frame: pd.DataFrame, column: str) -> alt.Chart:
    """Horizontal bars, longest first, with labels long enough to read whole."""
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X("decisions:Q", title="decisions", axis=alt.Axis(tickMinStep=1)),
            y=alt.Y(f"{column}:N", sort="-x", title=None, axis=alt.Axis(labelLimit=420)),
            tooltip=[column, "decisions"],
        )
        .properties(height=alt.Step(26))
    )


def _hit(hit: DecisionHit) -> None:
    with st.container(border=True, key=f"similar_hit_{hit.rank}"):
        st.markdown(f"**{hit.rank}. {escape_inline(hit.organisation)}** · {escape_inline(hit.ref)}")
        area = " > ".join(part for part in (hit.category, hit.sub_category) if part)
        facts = [outcome_label(hit.outcome), hit.date, area, getattr(hit, "document_type", "")]
        st.caption(
            escape_inline(" · ".join(part for part in facts if part)),
            help=outcome_meaning(hit.outcome) or None,
        )
        if hit.why_similar:
            st.markdown(
                "Why similar:\n" + "\n".join(f"- {escape_inline(w)}" for w in hit.why_similar)
            )
        if hit.passages:
            text = hit.passages[0].text
            cut = (
                text
                if len(text) <= PASSAGE_CHARS
                else text[:PASSAGE_CHARS].rsplit(" ", 1)[0] + " …"
            )
            st.caption(escape_md(cut))
        with st.container(horizontal=True):
            st.button(
                "Open the decision",
                key=f"similar_open_{hit.rank}",
                icon=":material/article:",
                on_click=state.open_decision,
                args=(state.ViewerRequest(hit.ref),),
            )
            if link := safe_url(hit.url):
                st.link_button(
                    "Published decision",
                    link,
                    key=f"similar_link_{hit.rank}",
                    icon=":material/open_in_new:",
                )
