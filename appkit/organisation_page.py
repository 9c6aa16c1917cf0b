"""The organisation page: what the index holds about one council or care provider.

``render_organisation_page(engine, name)`` draws it. Buttons here only set
session state through callbacks: "Open" asks ``appkit.sources_panel.show_viewer``
(run later in the same script) to open the decision viewer; "Ask about this
organisation" puts the organisation in the sidebar's organisation filter (a
chip) and switches to the conversation; ``show_organisation`` (a similar
organisation's button here; a citation's or the sidebar's in app.py) sets
``ORGANISATION`` and opens the ``ORGANISATION_TAB`` tab.
"""

from __future__ import annotations

import re

import pandas as pd
import streamlit as st

from appkit import state
from appkit.filter_sidebar import ORGS
from appkit.ordering import ordered
from appkit.text import badge, escape_inline, highlight
from retrieval import (
    GROUP_LABELS,
    KIND_LABELS,
    OUTCOME_GROUPS,
    Engine,
    OQAError,
    OrganisationProfile,
    Remedy,
    outcome_group,
    reason_label,
    row_reasons,
)

ORGANISATION = "organisation_page"  # session key: the organisation whose page to show
ORGANISATION_TAB = "Organisation"  # the label app.py gives the page's tab (state.VIEW)
ORGANISATION_PICK = "organisation_pick"  # the page's organisation selectbox
MAX_REMEDIES = 40  # beyond this the page gets long; the CLI's --json lists them all


def show_organisation(name: str) -> None:
    """Callback: show ``name``'s page (from a citation, the sidebar or a similar organisation)."""
    st.session_state[ORGANISATION] = name
    st.session_state[ORGANISATION_PICK] = name
    st.session_state[state.VIEW] = ORGANISATION_TAB


def current_organisation() -> str | None:
    return st.session_state.get(ORGANISATION)


def ask_about(variants: tuple[str, ...]) -> None:
    """Callback: scope the conversation to this organisation, shown as a filter chip."""
    st.session_state[ORGS] = list(variants)
    st.session_state[state.VIEW] = state.CONVERSATION_TAB


@st.cache_data(max_entries=32, show_spinner=False)
def _profile(_engine: Engine, store_dir: str, built: str, name: str) -> OrganisationProfile:
    # The store folder and its last build time stand for the engine in the cache key,
    # so a rebuilt index is profiled afresh.
    return _engine.organisation(name)


def render_organisation_page(engine: Engine, name: str) -> None:
    """Draw the page for ``name`` (matched loosely); a name that matches nothing gets a warning."""
    try:
        store = engine.index.store
        profile = _profile(engine, str(store.store_dir), store.meta().get("last_build", ""), name)
    except OQAError as error:
        st.warning(escape_inline(str(error)), icon=":material/search_off:")
        return
    key = _slug(profile.organisation)
    st.header(escape_inline(profile.organisation), anchor=False)
    st.caption(escape_inline(profile.scope_note))
    _metrics(profile)
    st.button(
        "Ask about this organisation",
        key=f"org_ask_{key}",
        icon=":material/forum:",
        on_click=ask_about,
        args=(profile.variants,),
        help="Adds it as a filter to your next questions.",
    )
    _charts(profile)
    _decisions_table(profile, key)
    _remedies(profile, key)
    _similar(profile, key)


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


def _metrics(profile: OrganisationProfile) -> None:
    outcomes = profile.outcomes
    share = outcomes.upheld_share
    columns = st.columns(5)
    columns[0].metric("Decisions in the index", profile.total)
    columns[1].metric("Upheld", outcomes.upheld)
    columns[2].metric("Not upheld", outcomes.not_upheld)
    columns[3].metric("Not investigated", outcomes.not_investigated)
    columns[4].metric(
        "Upheld, of those investigated",
        "–" if share is None else f"{share:.0%}",
        help="Upheld ÷ (upheld + not upheld); complaints not investigated are left out.",
    )


def _table(by_year: dict[str, dict[str, int]], columns: list[str]) -> pd.DataFrame:
    """Year → value → count as a year-by-value table with zeros filled in."""
    frame = pd.DataFrame.from_dict(by_year, orient="index").reindex(columns=columns)
    return frame.fillna(0).astype(int)


def _charts(profile: OrganisationProfile) -> None:
    left, right = st.columns(2)
    with left:
        st.subheader("Outcomes by year", anchor=False)
        groups = [g for g in OUTCOME_GROUPS if getattr(profile.outcomes, g)]
        frame = _table(profile.outcomes_by_year, groups)
        st.bar_chart(
            frame.rename(columns=GROUP_LABELS), x_label="Year", y_label="Decisions", height=280
        )
    with right:
        st.subheader("Reasons for not investigating, by year", anchor=False)
        if not profile.reasons:
            st.caption("No decision of this organisation gives a reason for not investigating.")
            return
        frame = _table(profile.reasons_by_year, list(profile.reasons))
        st.bar_chart(
            frame.rename(columns=reason_label), x_label="Year", y_label="Decisions", height=280
        )


def _decisions_frame(decisions: list[dict[str, str]]) -> pd.DataFrame:
    rows = [
        {
            "Reference": row["ref"],
            "Date": row["date"] or "",
            "Area": " > ".join(p for p in (row["category"], row["sub_category"]) if p),
            "Outcome": GROUP_LABELS[outcome_group(row["outcome"])],
            "Reasons": "; ".join(reason_label(r) for r in row_reasons(row)),
            "Published": row["url"],
        }
        for row in decisions
    ]
    return pd.DataFrame(rows)


def _decisions_table(profile: OrganisationProfile, key: str) -> None:
    st.subheader("Its decisions", anchor=False)
    st.caption("Click a column heading to sort; select a row to open the decision.")
    table_key = f"org_decisions_{key}"
    frame = _decisions_frame(profile.decisions)  # newest first; headings sort it otherwise
    st.dataframe(
        frame,
        key=table_key,
        hide_index=True,
        on_select=lambda: _open_selected(table_key, frame),
        selection_mode="single-row",
        column_config={"Published": st.column_config.LinkColumn("Published", display_text="open")},
    )
    refs = list(frame["Reference"])
    with st.container(horizontal=True, vertical_alignment="bottom"):
        chosen = st.selectbox("Decision", refs, key=f"org_pick_{key}")
        st.button(
            "Open the decision",
            key=f"org_open_{key}",
            icon=":material/article:",
            on_click=state.open_decision,
            args=(state.ViewerRequest(chosen or ""),),
            disabled=not refs,
        )


def _open_selected(table_key: str, frame: pd.DataFrame) -> None:
    """Callback: the row picked in the table opens in the decision viewer."""
    rows = st.session_state[table_key].selection.rows
    if rows:
        state.open_decision(state.ViewerRequest(str(frame.iloc[rows[0]]["Reference"])))


def _remedies(profile: OrganisationProfile, key: str) -> None:
    st.subheader("Remedies agreed in upheld decisions", anchor=False)
    counts = [f"{KIND_LABELS[kind]}: {n}" for kind, n in profile.remedy_counts.items() if n]
    if not profile.remedies:
        st.caption("No upheld decision of this organisation states an agreed remedy.")
        return
    st.caption(escape_inline("Decisions agreeing each kind: " + ", ".join(counts)))
    remedies = ordered(profile.remedies, f"org_remedy_order_{key}", lambda r: r.citation.date)
    for i, remedy in enumerate(remedies[:MAX_REMEDIES]):
        _remedy(remedy, f"{key}_{i}")
    if len(profile.remedies) > MAX_REMEDIES:
        st.caption(f"… and {len(profile.remedies) - MAX_REMEDIES} more.")


def _remedy(remedy: Remedy, key: str) -> None:
    citation = remedy.citation
    with st.container(border=True, key=f"org_remedy_{key}"):
        facts = [KIND_LABELS[k] for k in remedy.kinds] + list(remedy.amounts)
        if remedy.deadline:
            facts.append(remedy.deadline)
        st.markdown(" ".join(badge(fact) for fact in facts) + f" · {escape_inline(remedy.ref)}")
        st.markdown(highlight(citation.paragraph_text, citation.quote))
        request = state.ViewerRequest(
            citation.ref, citation.section, citation.paragraphs, citation.quote
        )
        st.button(
            "Open the decision",
            key=f"org_remedy_open_{key}",
            icon=":material/article:",
            on_click=state.open_decision,
            args=(request,),
        )


def _similar(profile: OrganisationProfile, key: str) -> None:
    st.subheader("Organisations with a similar mix of complaints", anchor=False)
    if not profile.similar:
        st.caption("No other organisation in the index shares an area of complaint.")
        return
    for i, other in enumerate(profile.similar):
        shared = ", ".join(other.shared[:3])
        st.button(
            escape_inline(f"{other.organisation} ({other.similarity:.0%} alike; shares {shared})"),
            key=f"org_similar_{key}_{i}",
            icon=":material/apartment:",
            on_click=show_organisation,
            args=(other.organisation,),
        )
