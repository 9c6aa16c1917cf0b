"""The one grounding check for answers, shared by every test that asks a question
(importable: tests/ is on sys.path).

An answer is grounded when each of its statements carries a citation and each citation quotes,
verbatim, the decision it names. Quoted decision text is left out before the statements are
split, because a quote may hold several sentences of its own and is cited as one.
"""

from __future__ import annotations

import re

from retrieval.citations import markers
from retrieval.engine import Engine
from retrieval.types import Answer

_QUOTE = re.compile(r"“[^”]*”")
# A statement ends at . ! ? or a citation marker, before a space that is not followed by a
# marker: "… outcome. [2]" and "… was late [1]. It …" both end where the next one starts.
_STATEMENT_END = re.compile(r"(?<=[.!?\]])\s+(?!\[)")


def assert_grounded(engine: Engine, answer: Answer) -> None:
    """Every [n] in the text has its citation and every citation is used; each quote is in its
    decision's text and in the paragraph given for context, and links to that decision's
    page; every statement of the answer's own words carries a marker; an answer that cites
    nothing says it does not answer."""
    assert set(markers(answer.text)) == {c.n for c in answer.citations}, answer.text
    assert answer.answered == bool(answer.citations), answer.text
    for citation in answer.citations:
        decision = engine.decision(citation.ref)
        assert decision is not None, citation.ref
        assert citation.quote in decision.text, (citation.ref, citation.quote)
        assert citation.quote in citation.paragraph_text, (citation.ref, citation.quote)
        assert citation.url == decision.url, citation.ref
    uncited = uncited_statements(answer.text) if answer.citations else []
    assert not uncited, f"uncited: {uncited} in {answer.text!r}"


def uncited_statements(text: str) -> list[str]:
    """The statements of ``text`` (quotes stood in for by «quote») that carry no marker."""
    own_words = _QUOTE.sub("«quote»", text)
    pieces = (p.strip() for paragraph in own_words.split("\n\n") for p in _split(paragraph))
    return [piece for piece in pieces if piece and not markers(piece)]


def _split(paragraph: str) -> list[str]:
    return _STATEMENT_END.split(paragraph.strip())
