"""Citations as data: verbatim quotes located in their decision, numbered once each."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ingest.vocabulary.records import SUMMARY_SECTION, Decision
from retrieval.check.instructions import looks_like_instruction
from retrieval.types import Citation

# A sentence ends at . ! or ? followed by space and a capital, quote or digit (or markup,
# "</passage>", which starts something else); "Mr X." style abbreviations are rare in
# decisions because the Ombudsman writes "Mr X".
_SENTENCE = re.compile(r"(?<=[.!?])[\"”’)]?\s+(?=[\"“‘(]?[A-Z0-9]|<)|\n+")
_ABBREVIATION = re.compile(r"\b(?:e\.g|i\.e|etc|para|paras|s|No|Mr|Mrs|Ms|Dr|St|v)\.$")
_MARKER = re.compile(r"\[(\d+)\]")


def sentences(text: str) -> list[str]:
    """Sentences of a passage, each a verbatim substring of it."""
    pieces: list[str] = []
    start = 0
    for match in _SENTENCE.finditer(text):
        candidate = text[start : match.start()].strip()
        if _ABBREVIATION.search(candidate) and "\n" not in match.group(0):
            continue  # not a real sentence end; keep extending
        if candidate:
            pieces.append(candidate)
        start = match.end()
    if text[start:].strip():
        pieces.append(text[start:].strip())
    return pieces


def statements(text: str) -> list[str]:
    """The passage's sentences that state something: instructions planted in it are left out
    (they are never quoted, nor evidence for a claim)."""
    return [s for s in sentences(text) if not looks_like_instruction(s)]


def markers(text: str) -> list[int]:
    """The citation numbers used in an answer, in order of appearance."""
    return [int(n) for n in _MARKER.findall(text)]


def locate(decision: Decision, quote: str, section: str) -> tuple[str, str, str] | None:
    """(section, paragraph number, paragraph text) holding ``quote``, or None if not verbatim."""
    if quote not in decision.text:
        return None
    if section == SUMMARY_SECTION and quote in decision.summary:
        return SUMMARY_SECTION, "", decision.summary
    candidates = [
        (s.heading, p) for s in decision.sections for p in s.paragraphs if quote in p.text
    ]
    candidates.sort(key=lambda pair: pair[0] != section)  # prefer the passage's own section
    if not candidates:
        return None
    heading, paragraph = candidates[0]
    return heading, str(paragraph.number), paragraph.text


@dataclass
class CitationList:
    """Numbers quotes in the order they are cited; the same quote keeps its number."""

    citations: list[Citation] = field(default_factory=list)

    def cite(self, decision: Decision, quote: str, section: str) -> int | None:
        """The quote's number; None when it is not verbatim text of ``decision`` or is an
        instruction planted in it (quoting one would only pass it on)."""
        if looks_like_instruction(quote):
            return None
        for citation in self.citations:
            if citation.ref == decision.ref and citation.quote == quote:
                return citation.n
        located = locate(decision, quote, section)
        if located is None:
            return None
        heading, paragraph, paragraph_text = located
        citation = Citation(
            n=len(self.citations) + 1,
            ref=decision.ref,
            organisation=decision.organisation,
            url=decision.url,
            section=heading,
            paragraphs=paragraph,
            quote=quote,
            paragraph_text=paragraph_text,
            outcome=decision.outcome.value,
            date=decision.date.isoformat() if decision.date else "",
            provenance=decision.read_from,
        )
        self.citations.append(citation)
        return citation.n
