"""Property-based tests: whatever text arrives, parsers fail only with the project's own errors.

A user-facing error (``OQAError``) becomes a one-line reason in the build summary
or a message in the app; anything else would crash a build or a page. Example
counts are bounded so the module runs in seconds; no example database is kept
(tests never write into the repository).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from badfiles import decision_text
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from ingest.errors import OQAError, SourceError
from ingest.html import html_to_text, page_url
from ingest.parse import parse_decision
from ingest.records import SourceDoc
from ingest.sources import read_source
from ingest.storage import DecisionFilter
from retrieval.query import Vocabulary, plan_query

BOUNDED = settings(
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)

# Lines a decision is made of, so that generated texts reach deep into the parser.
_DECISION_LINES = [
    *decision_text("25 600 001").splitlines(),
    "LGO Quillford Reference 21-018-238 Sector Waste Category Bins Decided 29 March 2022",
    "Summary",
    "1. The Council was at fault.",
    "2) It agreed to apologise:",
    "a) within one month;",
    "(Local Government Act 1974, section 26B)",
    "- we could not add to that, or",
    "• a bullet",
    "Back to top",
    "## Analysis",
    "**Decision:** Upheld",
    "Michael King",
    "Local Government and Social Care Ombudsman",
    "Investigator's decision on behalf of the Ombudsman",
    "Decision date : 31 Feb 2025",
    "Decision date : 09-Aug-2026",
    "Organisation (99 999 999z)",
]
decision_like = st.lists(
    st.one_of(st.sampled_from(_DECISION_LINES), st.text(max_size=60)), max_size=40
).map("\n".join)
any_text = st.one_of(st.text(max_size=2000), decision_like)
optional_text = st.one_of(st.none(), st.text(max_size=80), st.just("https://www.lgo.org.uk/x"))


@BOUNDED
@given(text=any_text, path=st.text(max_size=40), url=optional_text)
def test_parse_decision_raises_only_project_errors(text: str, path: str, url: str | None) -> None:
    try:
        decision = parse_decision(SourceDoc(text=text, path=path, url=url))
    except OQAError:
        return
    # What the parser returns keeps its contract: it has a body (a copy cut off early may have
    # only its summary), and the summary and paragraphs are quotable from ``text``.
    assert decision.ref and (decision.sections or decision.summary)
    assert decision.summary in decision.text
    assert all(p.text in decision.text for p in decision.paragraphs)


def _as_page(text: str) -> str:
    return "<html><body><main><p>" + text.replace("\n", "</p><p>") + "</p></main></body></html>"


@BOUNDED
@given(html=st.one_of(st.text(max_size=2000), decision_like.map(_as_page)))
def test_html_to_text_never_raises(html: str) -> None:
    text = html_to_text(html)
    assert isinstance(text, str)
    assert page_url(html) is None or isinstance(page_url(html), str)


_TAGS = st.sampled_from(
    [
        "<main>",
        "</main>",
        "<p>",
        "</p>",
        "<ol start='x'>",
        "<ol start='3'>",
        "</ol>",
        "<li>",
        "</li>",
        "<dl>",
        "<dt>Category</dt>",
        "<dd>",
        "</dd>",
        "<script>",
        "<br>",
        "<!--",
        "-->",
        "<link rel='canonical'>",
        "<meta property='og:url' content=''>",
        "<div class='cookie'>",
        "<ul>",
        "&amp;",
        "&#0;",
        "<![CDATA[",
        "<table><tr>",
    ]
)


@BOUNDED
@example(parts=["<ol start='x'>", "<li>"])  # found by a long run: int('x') in the list numbering
@given(parts=st.lists(st.one_of(_TAGS, st.text(max_size=30)), max_size=60))
def test_html_to_text_on_tag_soup(parts: list[str]) -> None:
    html = "".join(parts)
    assert isinstance(html_to_text(html), str)
    page_url(html)


organisations = st.lists(
    st.one_of(
        st.sampled_from(["Quillford District Council", "Marrowby Borough Council"]),
        st.text(max_size=30),
    ),
    max_size=5,
)


@BOUNDED
@given(question=any_text, names=organisations, areas=organisations)
def test_plan_query_raises_only_project_errors(
    question: str, names: list[str], areas: list[str]
) -> None:
    try:
        plan = plan_query(question, Vocabulary(tuple(names), tuple(areas)))
    except OQAError:
        return
    assert set(plan.soft.organisations) <= set(names)
    assert plan.filters == DecisionFilter(refs=plan.filters.refs)  # free text never excludes
    for bound in plan.soft.dates:
        assert bound is None or len(bound) == 10


@settings(max_examples=120, deadline=None, database=None)
@given(
    raw=st.one_of(
        st.binary(max_size=3000),
        st.binary(max_size=3000).map(lambda b: b"%PDF-1.4\n" + b),
        any_text.map(lambda t: t.encode("utf-8")),
    ),
    suffix=st.sampled_from([".txt", ".md", ".html", ".pdf"]),
)
def test_read_source_raises_only_source_errors(raw: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"file{suffix}"
        path.write_bytes(raw)
        try:
            doc = read_source(path, Path(folder))
        except SourceError as error:
            assert error.reason and "\n" not in error.reason
            return
        assert doc.text.strip()
