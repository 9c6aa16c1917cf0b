"""Links that can be shared: every view has a URL, and every source a formal citation.

``?ref=24-020-817&para=5`` opens the decision at paragraph 5; ``?q=...`` asks a
question; ``?similar=REF`` or ``?situation=...`` finds similar decisions;
``?organisation=NAME`` opens an organisation's page; ``?c=ID`` brings a saved
conversation back. ``apply_url`` acts on those once per link; ``show_in_url``
writes the current view back, so the address bar can always be copied.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

import streamlit as st

from appkit import state
from appkit.organisation_page import ORGANISATION_TAB, current_organisation, show_organisation
from retrieval import Citation

PAGE_PATH = "page_url_path"  # session key: the url_path of the page being shown
_APPLIED = "applied_url"  # session key: the link parameters already acted on
_VIEW_KEYS = ("ref", "para", "q", "similar", "situation", "organisation")
UNKNOWN_ORGANISATION = "Unknown organisation"
OMBUDSMAN = "Local Government and Social Care Ombudsman"


def app_root() -> str:
    """The app's address without the current page's path (links open the Ask page)."""
    url = (st.context.url or "").rstrip("/")
    path = st.session_state.get(PAGE_PATH, "")
    if path and url.endswith("/" + path):
        url = url[: -len(path) - 1]
    return url + "/"


def link(**params: str) -> str:
    return app_root() + "?" + urlencode({k: v for k, v in params.items() if v})


def decision_link(ref: str, paragraphs: str = "") -> str:
    """A link opening decision ``ref`` at the first cited paragraph."""
    first = paragraphs.replace("–", "-").split(",")[0].split("-")[0].strip()
    return link(ref=ref.replace(" ", "-"), para=first)


def formal_citation(citation: Citation) -> str:
    """Whose decision, which, when, where in it, and its published address: one line."""
    parts = [f"{OMBUDSMAN}, decision {citation.ref}"]
    if citation.organisation and citation.organisation != UNKNOWN_ORGANISATION:
        parts[0] += f" ({citation.organisation})"
    if citation.date:
        parts.append(_long_date(citation.date))
    where = citation.section or "Summary"
    if citation.paragraphs:
        where += f", paragraph {citation.paragraphs}"
    parts.append(where)
    line = ", ".join(parts) + "."
    return f"{line} {citation.url}" if citation.url else line


def _long_date(iso: str) -> str:
    try:
        return dt.date.fromisoformat(iso[:10]).strftime("%-d %B %Y")
    except ValueError:
        return iso


def apply_url() -> None:
    """Act on a shared link's parameters once (a rerun or our own URL updates do not repeat it)."""
    params = {key: st.query_params.get(key, "") for key in _VIEW_KEYS}
    signature = tuple(sorted(params.items()))
    if st.session_state.get(_APPLIED) == signature:
        return
    st.session_state[_APPLIED] = signature
    if params["ref"]:
        state.open_decision(state.ViewerRequest(params["ref"], paragraphs=params["para"]))
    if params["q"]:
        state.ask(params["q"])
    if params["similar"] or params["situation"]:
        state.find_similar(ref=params["similar"] or None, text=params["situation"] or None)
        if params["situation"]:
            st.session_state["similar_mode"] = "situation"
            st.session_state["similar_text"] = params["situation"]
    if params["organisation"]:
        show_organisation(params["organisation"])


def show_in_url() -> None:
    """Write the view now shown into the address bar (a question asked by link is dropped:
    the saved conversation's ``c`` carries it)."""
    view = st.session_state.get(state.VIEW, state.CONVERSATION_TAB)
    current = {key: st.query_params.get(key, "") for key in _VIEW_KEYS}
    wanted = dict.fromkeys(_VIEW_KEYS, "")
    kept = state.similar_result()
    if view == state.SIMILAR_TAB and kept:
        wanted["similar"] = kept[0].get("ref") or ""
        wanted["situation"] = kept[0].get("text") or ""
    elif view == ORGANISATION_TAB and current_organisation():
        wanted["organisation"] = current_organisation() or ""
    elif view == state.CONVERSATION_TAB:  # a decision opened by link stays linkable
        wanted["ref"], wanted["para"] = current["ref"], current["para"]
    if wanted == current:
        return
    for key, value in wanted.items():
        if value:
            st.query_params[key] = value
        else:
            st.query_params.pop(key, None)
    st.session_state[_APPLIED] = tuple(sorted(wanted.items()))
