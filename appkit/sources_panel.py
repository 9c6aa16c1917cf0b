"""The sources panel under an answer, and the decision viewer it opens."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import streamlit as st

from appkit import state
from appkit.links import decision_link, formal_citation
from appkit.organisation_page import show_organisation
from appkit.text import (
    badge,
    escape_inline,
    escape_md,
    find_quote,
    highlight,
    paragraph_numbers,
    safe_url,
)
from retrieval import Citation, Decision, Engine, Section, outcome_label, outcome_meaning

SUMMARY = "summary"
CITED = badge("cited", "orange-badge")


def citation_facts(citation: Citation) -> str:
    facts = [
        outcome_label(citation.outcome) if citation.outcome else "",
        citation.date,
        # A statement or a public-interest report, where a citation carries it.
        getattr(citation, "document_type", "") or "",
    ]
    where = citation.section or "Summary"
    if citation.paragraphs:
        where += f", paragraph {citation.paragraphs}"
    read_from = f"from {citation.provenance}" if citation.provenance else ""  # file or host
    return " · ".join(part for part in [*facts, where, read_from] if part)


def sources_panel(
    turn_id: int,
    citations: Sequence[Citation],
    expanded: bool,
    report: Callable[[int, int], None] | None = None,
) -> None:
    """Each numbered source: who, what, where, the quote in its paragraph, and links.

    ``report(turn_id, n)``: keeps a "wrong citation" report (no button without it).
    """
    if not citations:
        return
    label = f"Sources ({len(citations)})"
    icon = ":material/menu_book:"
    with st.expander(label, expanded=expanded, icon=icon, key=f"sources_{turn_id}"):
        for citation in citations:
            _source(turn_id, citation, report)


def _source(turn_id: int, citation: Citation, report: Callable[[int, int], None] | None) -> None:
    with st.container(border=True, key=f"source_{turn_id}_{citation.n}"):
        st.markdown(
            f"{badge(str(citation.n))} **{escape_inline(citation.organisation)}** "
            f"· {escape_inline(citation.ref)}"
        )
        st.caption(
            escape_inline(citation_facts(citation)), help=outcome_meaning(citation.outcome) or None
        )
        st.markdown(f"{CITED} " + highlight(citation.paragraph_text, citation.quote))
        request = state.ViewerRequest(
            citation.ref, citation.section, citation.paragraphs, citation.quote
        )
        key = f"{turn_id}_{citation.n}"
        _actions(key, citation, request)
        _share(key, citation)
        if report is not None:
            st.button(
                "Report a wrong citation",
                key=f"wrong_{key}",
                icon=":material/flag:",
                type="tertiary",
                on_click=report,
                args=(turn_id, citation.n),
                help="Tell us this quote does not support the sentence citing it "
                "(kept on this computer).",
            )


def _share(key: str, citation: Citation) -> None:
    """Copy link and Copy citation: the text in a code block, whose button copies it."""
    with st.container(horizontal=True):
        with st.popover("Copy link", icon=":material/link:", key=f"copy_link_{key}"):
            st.caption("A link to this paragraph in this app:")
            st.code(
                decision_link(citation.ref, citation.paragraphs), language=None, wrap_lines=True
            )
        with st.popover(
            "Copy citation", icon=":material/format_quote:", key=f"copy_citation_{key}"
        ):
            st.caption("The citation, with the published decision's address:")
            st.code(formal_citation(citation), language=None, wrap_lines=True)


def _actions(key: str, citation: Citation, request: state.ViewerRequest) -> None:
    with st.container(horizontal=True):
        st.button(
            "Open the decision",
            key=f"open_{key}",
            icon=":material/article:",
            on_click=state.open_decision,
            args=(request,),
        )
        st.button(
            "Similar decisions",
            key=f"similar_{key}",
            icon=":material/compare:",
            on_click=state.find_similar,
            kwargs={"ref": citation.ref},
        )
        st.button(
            "Organisation",
            key=f"org_{key}",
            icon=":material/account_balance:",
            on_click=show_organisation,
            args=(citation.organisation,),
            help="What the Ombudsman decided about this organisation, and why.",
        )
        if link := safe_url(citation.url):
            st.link_button(
                "Published decision", link, key=f"link_{key}", icon=":material/open_in_new:"
            )


def show_viewer(engine: Engine) -> None:
    """Open the decision viewer when a button asked for it in this run."""
    request = state.take_viewer()
    if request is not None:
        _viewer(engine, request)


@st.dialog("Decision", width="large")
def _viewer(engine: Engine, request: state.ViewerRequest) -> None:
    decision = engine.decision(request.ref)
    if decision is None:
        st.warning(f"Decision {escape_inline(request.ref)} is not in the index.")
        return
    _decision_header(decision)
    marked = paragraph_numbers(request.paragraphs)
    # A link may name only a paragraph (?ref=...&para=5): that is not the summary.
    cited_summary = request.section.strip().lower() in ("", SUMMARY) and not (
        marked and not request.section
    )
    if decision.summary:
        st.markdown("**Summary**")
        if cited_summary and request.quote:
            with st.container(border=True, key="viewer_cited_summary"):
                st.markdown(f"{CITED} " + highlight(decision.summary, request.quote))
        else:
            st.markdown(escape_md(decision.summary))
    target = None if cited_summary else _cited_section(decision, request)
    for index, section in enumerate(decision.sections):
        cited = index == target
        _section(section, index, marked if cited else set(), request.quote if cited else "")
    if st.button(
        "Similar decisions",
        key="viewer_similar",
        icon=":material/compare:",
        on_click=state.find_similar,
        kwargs={"ref": decision.ref},
    ):
        st.rerun()  # leave the dialog for the similar-decisions tab


def _decision_header(decision: Decision) -> None:
    st.markdown(f"#### {escape_inline(decision.organisation)} ({escape_inline(decision.ref)})")
    facts = [
        " > ".join(part for part in (decision.category, decision.sub_category) if part),
        outcome_label(decision.outcome),
        ""
        if decision.outcome_raw.lower() in outcome_label(decision.outcome)
        else decision.outcome_raw,
        decision.date.strftime("%-d %B %Y") if decision.date else "",
        str(getattr(decision, "document_type", "") or ""),  # statement / report, when known
        str(getattr(decision, "provenance", "") or ""),  # where the copy came from, when known
    ]
    st.caption(escape_inline(" · ".join(dict.fromkeys(part for part in facts if part))))
    if link := safe_url(decision.url):
        st.link_button("Published decision", link, key="viewer_link", icon=":material/open_in_new:")


def _cited_section(decision: Decision, request: state.ViewerRequest) -> int | None:
    """The section the citation names, else the first one holding the quote."""
    for index, section in enumerate(decision.sections):
        if _same_heading(section.heading, request.section):
            return index
    for index, section in enumerate(decision.sections):
        if request.quote and any(find_quote(p.text, request.quote) for p in section.paragraphs):
            return index
    marked = paragraph_numbers(request.paragraphs)
    for index, section in enumerate(decision.sections):
        if any(p.number in marked for p in section.paragraphs):
            return index
    return None


def _same_heading(heading: str, cited: str) -> bool:
    def norm(text: str) -> str:
        return " ".join(text.lower().rstrip(":").split())

    return bool(cited) and norm(heading) == norm(cited)


def _section(section: Section, index: int, marked: set[int], quote: str) -> None:
    # The cited section opens; the others stay folded, so the cited paragraph
    # is on screen when the viewer opens.
    label = escape_inline(section.heading) or f"Section {index + 1}"
    with st.expander(label, expanded=bool(marked or quote), key=f"viewer_section_{index}"):
        for paragraph in section.paragraphs:
            number = f"**{paragraph.number}.** "
            has_quote = bool(quote) and find_quote(paragraph.text, quote) is not None
            if not (has_quote or paragraph.number in marked):
                st.markdown(number + escape_md(paragraph.text))
                continue
            body = highlight(paragraph.text, quote) if has_quote else escape_md(paragraph.text)
            with st.container(border=True, key=f"viewer_cited_{index}_{paragraph.number}"):
                st.markdown(f"{CITED} {number}{body}")
