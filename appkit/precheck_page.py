"""The pre-check page: "Will the Ombudsman look at my complaint?"

The person describes what happened and answers the plain questions from
``explanations.toml``; the page shows, for each test their answers point to, the
test in plain words with its law, what it means and what they could do, then the
similar published decisions where that reason was given (each with its cited
sentence) or raised and investigated all the same; then what similar
investigated decisions found. Counts, quotes and the reviewed sentences only:
it never predicts.
"""

from __future__ import annotations

from collections import Counter

import streamlit as st

from appkit import state
from appkit.links import decision_link
from appkit.loader import engine_or_stop
from appkit.sources_panel import CITED, show_viewer
from appkit.text import badge, escape_inline, escape_md, highlight
from retrieval import (
    Engine,
    Example,
    Finding,
    OQAError,
    Precheck,
    explanations,
    get_settings,
    link,
    outcome_label,
    outcome_meaning,
    precheck,
    reasons_from_answers,
    sentence,
)

SITUATION = "precheck_situation"
RESULT = "precheck_result"
APPLIED = "precheck_applied_link"  # the link's parameters already acted on


def precheck_page() -> None:
    engine = engine_or_stop(get_settings())
    from_link = _apply_link()
    st.title("Will the Ombudsman look at my complaint?")
    st.markdown(escape_md(sentence("precheck_intro")))
    st.caption(escape_md(sentence("not_advice")))
    with st.form("precheck_form", enter_to_submit=False):
        st.text_area(
            "What happened, in your own words",
            key=SITUATION,
            placeholder="e.g. The council refused my blue badge renewal and did not answer "
            "my complaint.",
        )
        for question in explanations().questions:
            st.radio(
                question.label,
                [option.label for option in question.options],
                index=None,
                key=f"precheck_{question.key}",
                help=f"Why we ask: {question.source}.",
            )
        checked = st.form_submit_button("Check", type="primary", icon=":material/fact_check:")
    if checked or from_link:
        _run(engine)
    result: Precheck | None = st.session_state.get(RESULT)
    if result is not None:
        _show(result)
    show_viewer(engine)


def _apply_link() -> bool:
    """A shared pre-check link (``?situation=...&aware=1...``) fills the form, once."""
    situation = st.query_params.get("situation", "")
    signature = tuple(sorted(st.query_params.to_dict().items()))
    if not situation or st.session_state.get(APPLIED) == signature:
        return False
    st.session_state[APPLIED] = signature
    st.session_state[SITUATION] = situation
    for question in explanations().questions:
        chosen = st.query_params.get(question.key, "")
        labels = [option.label for option in question.options]
        if chosen.isdigit() and int(chosen) < len(labels):
            st.session_state[f"precheck_{question.key}"] = labels[int(chosen)]
    return True


def _show_in_url(situation: str) -> None:
    """The check just run, as a link: the situation and each answer's position."""
    params = {"situation": situation}
    for question in explanations().questions:
        chosen = st.session_state.get(f"precheck_{question.key}")
        labels = [option.label for option in question.options]
        if chosen in labels:
            params[question.key] = str(labels.index(chosen))
    st.query_params.from_dict(params)
    st.session_state[APPLIED] = tuple(sorted(params.items()))


def _answers() -> dict[str, str]:
    return {
        q.key: st.session_state.get(f"precheck_{q.key}") or "" for q in explanations().questions
    }


def _run(engine: Engine) -> None:
    situation = (st.session_state.get(SITUATION) or "").strip()
    if not situation:
        st.warning("Describe what happened first: the check compares it with published decisions.")
        return
    try:
        with st.spinner("Comparing your situation with published decisions…"):
            st.session_state[RESULT] = precheck(engine, situation, reasons_from_answers(_answers()))
        _show_in_url(situation)
    except OQAError as error:
        st.error(escape_md(str(error)))


def _show(result: Precheck) -> None:
    st.header("What published decisions show", anchor=False)
    st.caption(escape_md(sentence("not_prediction")))
    st.markdown(escape_md(_pool_sentence(result)))
    if not result.findings:
        st.info(escape_md(sentence("no_tests")))
    for finding in result.findings:
        _finding(finding, len(result.pool.hits))
    st.subheader(escape_md(sentence("investigated_intro")), anchor=False)
    for i, example in enumerate(result.investigated):
        _example(example, f"investigated_{i}")
    how_to_complain("How to complain")


def _pool_sentence(result: Precheck) -> str:
    outcomes = Counter(hit.outcome for hit in result.pool.hits)
    parts = [f"{n} {outcome_label(outcome)}" for outcome, n in outcomes.most_common()]
    return (
        f"Of the {len(result.pool.hits)} published decisions in the index most like your "
        f"situation: {', '.join(parts)}."
    )


def _finding(finding: Finding, pool: int) -> None:
    test = finding.test
    with st.container(border=True, key=f"precheck_test_{test.reason}"):
        st.subheader(escape_inline(test.test[:1].upper() + test.test[1:]), anchor=False)
        if test.basis:
            st.caption(escape_inline(test.basis))
        st.markdown(escape_md(test.meaning))
        st.markdown("**What you could do:** " + escape_md(test.next_step))
        st.caption(
            f"{finding.given_in_pool} of the {pool} most similar decisions gave this reason; "
            f"{finding.given_in_index} decisions in the whole index did."
        )
        st.markdown(escape_md(sentence("reason_intro")))
        if not finding.given:
            st.caption(escape_md(sentence("none_found")))
        for i, example in enumerate(finding.given):
            _example(example, f"{test.reason}_given_{i}")
        if finding.overcome:
            st.markdown(escape_md(sentence("overcome_intro")))
            for i, example in enumerate(finding.overcome):
                _example(example, f"{test.reason}_overcome_{i}")


def _example(example: Example, key: str) -> None:
    citation, hit = example.citation, example.hit
    with st.container(border=True, key=f"precheck_example_{key}"):
        st.markdown(
            f"{badge(outcome_label(hit.outcome))} **{escape_inline(hit.organisation)}** "
            f"· {escape_inline(hit.ref)}",
            help=outcome_meaning(hit.outcome) or None,
        )
        paragraph = f", paragraph {citation.paragraphs}" if citation.paragraphs else ""
        where = citation.section + paragraph
        facts = (hit.date, str(getattr(hit, "document_type", "") or ""), where)
        st.caption(escape_inline(" · ".join(p for p in facts if p)))
        st.markdown(f"{CITED} " + highlight(citation.paragraph_text, citation.quote))
        with st.container(horizontal=True):
            st.button(
                "Open the decision",
                key=f"precheck_open_{key}",
                icon=":material/article:",
                on_click=state.open_decision,
                args=(
                    state.ViewerRequest(
                        citation.ref, citation.section, citation.paragraphs, citation.quote
                    ),
                ),
            )
            with st.popover("Copy link", icon=":material/link:", key=f"precheck_link_{key}"):
                st.code(
                    decision_link(citation.ref, citation.paragraphs), language=None, wrap_lines=True
                )


def how_to_complain(title: str, *extra: str) -> None:
    """Complain to the council first, the 12-month rule, and where to complain or get advice
    (``extra``: more links, already Markdown)."""
    st.subheader(title, anchor=False)
    st.markdown(escape_md(sentence("complain_first")))
    st.markdown(escape_md(sentence("twelve_months")))
    links = [
        f"[The Ombudsman's complaint form]({link('complain')})",
        f"[Free, independent advice]({link('advice')})",
        *extra,
    ]
    st.markdown(" · ".join(links))
