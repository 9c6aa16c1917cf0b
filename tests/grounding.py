"""The one grounding check for answers, shared by every test that asks a question
(importable: tests/ is on sys.path)."""

from __future__ import annotations

from retrieval.answering.citations import markers
from retrieval.answering.extractive import PARTIAL_MATCH
from retrieval.engine import Engine
from retrieval.types import Answer


def assert_grounded(engine: Engine, answer: Answer) -> None:
    """Every [n] in the text has its citation and every citation is used; each quote is in its
    decision's text and in the paragraph given for context, and links to that decision's page;
    every paragraph carries a marker (a paragraph's reviewed explanation, from
    retrieval/explanations.toml, follows the cited statement it explains) except the warning
    that opens a partial match; an answer that cites nothing is one that says the decisions do
    not answer the question."""
    assert set(markers(answer.text)) == {c.n for c in answer.citations}, answer.text
    assert answer.answered == bool(answer.citations), answer.text
    for citation in answer.citations:
        decision = engine.decision(citation.ref)
        assert decision is not None, citation.ref
        assert citation.quote in decision.text, (citation.ref, citation.quote)
        assert citation.quote in citation.paragraph_text, (citation.ref, citation.quote)
        assert citation.url == decision.url, citation.ref
    if answer.citations:
        paragraphs = answer.text.split("\n\n")
        if answer.partial_match:  # the warning speaks of the index, not of a decision
            assert paragraphs.pop(0) == PARTIAL_MATCH, answer.text
        uncited = [p for p in paragraphs if not markers(p)]
        assert not uncited, f"uncited paragraphs: {uncited}"
