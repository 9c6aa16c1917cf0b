"""The Markdown helpers: document text is shown literally, quotes are highlighted."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from dataclasses import fields as fields_of

import pytest

from appkit.export import conversation_markdown
from appkit.sources import citation_facts
from appkit.state import ChatTurn
from appkit.text import (
    answer_markdown,
    escape_inline,
    escape_md,
    find_quote,
    highlight,
    paragraph_numbers,
    safe_url,
)
from ingest.storage import DecisionFilter
from retrieval.types import Answer, Citation, Intent, QueryPlan, SearchResult

NASTY = "<script>alert(1)</script> <img src=x onerror=alert(2)> [a](javascript:x) :red[b] $c$"


@pytest.mark.parametrize("text", [NASTY, "**bold** _it_ # h", ":material/home: :smile:", "a\\b"])
def test_escape_leaves_no_markup_character_unescaped(text: str) -> None:
    escaped = escape_md(text)
    unescaped = [
        ch
        for i, ch in enumerate(escaped)
        if not ch.isalnum() and not ch.isspace() and escaped[i - 1 : i] != "\\" and ch != "\\"
    ]
    assert unescaped == []
    # Removing the escapes gives back the text exactly.
    assert escaped.replace("\\\\", "\x00").replace("\\", "").replace("\x00", "\\") == text


def test_escape_keeps_line_breaks() -> None:
    assert escape_md("one\ntwo") == "one  \ntwo"
    assert escape_inline("one\n two ") == "one two"


def test_highlight_marks_the_quote_inside_its_paragraph() -> None:
    paragraph = "Mr X complained late. We will not investigate because it is late (12 months)."
    quote = "We will not investigate because it is late (12 months)."
    marked = highlight(paragraph, quote)
    assert marked.startswith("Mr X complained late\\. :orange-background[We will not")
    assert marked.endswith("\\(12 months\\)\\.]")


def test_highlight_finds_the_quote_despite_spacing_and_case() -> None:
    assert find_quote("The  Council\nwas at fault.", "the council was") == (0, 16)
    assert highlight("nothing alike", "a quote") == ":orange-background[a quote]"


def test_answer_markers_become_badges_only_for_known_citations() -> None:
    text = "First <b>point</b> [1].\n- a listed point [2]\nThen [7]."
    rendered = answer_markdown(text, citation_count=2)
    assert ":blue-badge[1]" in rendered and ":blue-badge[2]" in rendered
    assert "\\[7\\]" in rendered
    assert "\\<b\\>point\\<\\/b\\>" in rendered
    assert "\n- a listed point" in rendered


@pytest.mark.parametrize(
    ("spec", "numbers"),
    [("4", {4}), ("4-6", {4, 5, 6}), ("4–5, 9", {4, 5, 9}), ("", set()), ("x", set())],
)
def test_paragraph_numbers(spec: str, numbers: set[int]) -> None:
    assert paragraph_numbers(spec) == numbers


def test_only_web_links_are_linked() -> None:
    assert safe_url(" https://www.lgo.org.uk/decisions/x ") == "https://www.lgo.org.uk/decisions/x"
    assert safe_url("javascript:alert(1)") is None
    assert safe_url("") is None


def _answer(quote: str) -> Answer:
    citation = Citation(
        n=1,
        ref="24 020 817",
        organisation="Fictional <b>Testborough</b> Council",
        url="https://www.lgo.org.uk/decisions/x/y/24-020-817",
        section="Summary",
        paragraphs="",
        quote=quote,
        paragraph_text=quote,
        outcome="closed_after_initial_enquiries",
        date="2025-04-15",
    )
    plan = QueryPlan(text="q", filters=DecisionFilter(), intent=Intent.GENERAL)
    search = SearchResult(query="q", plan=plan, hits=[])
    return Answer("why?", "Because it was late [1].", [citation], search, answered=True)


def test_export_holds_question_answer_and_sources() -> None:
    turn = ChatTurn(
        "Why <not>?",
        _answer("We will not investigate *this*."),
        DecisionFilter(outcomes=("closed_after_initial_enquiries",)),
    )
    exported = conversation_markdown([turn], exported=dt.datetime(2025, 1, 2, 3, 4))
    assert exported.startswith("# Ombudsman Q&A: conversation")
    assert "## 1. Why \\<not\\>?" in exported
    assert "Because it was late [1]." in exported
    assert "[1] Fictional \\<b\\>Testborough\\</b\\> Council (24 020 817)" in exported
    assert "> We will not investigate \\*this\\*." in exported
    assert "<https://www.lgo.org.uk/decisions/x/y/24-020-817>" in exported
    assert (
        "Cite as: Local Government and Social Care Ombudsman, decision 24 020 817 "
        "(Fictional \\<b\\>Testborough\\</b\\> Council), 15 April 2025, Summary. "
        "https://www.lgo.org.uk/decisions/x/y/24-020-817"
    ) in exported
    assert "re-used with attribution" in exported and "Local Government and Social Care" in exported
    assert "Filters: outcome: not investigated" in exported


@dataclass(frozen=True)
class _CitationWithSource(Citation):
    """A citation that also carries its decision's document type."""

    document_type: str = "report"


def test_source_facts_name_document_type_and_provenance_when_present() -> None:
    fields = {f.name: getattr(_answer("Q.").citations[0], f.name) for f in fields_of(Citation)}
    plain = citation_facts(Citation(**fields))
    later = citation_facts(_CitationWithSource(**{**fields, "provenance": "www.lgo.org.uk"}))
    assert plain == "not investigated (closed after initial enquiries) · 2025-04-15 · Summary"
    assert later == (
        "not investigated (closed after initial enquiries) · 2025-04-15 · report · "
        "Summary · from www.lgo.org.uk"
    )
