"""Remedies an organisation agreed in an upheld decision, each quoted verbatim and cited.

Read from the "Agreed action" / "Recommendations" / "Action" sections: a
lead-in ("Within one month of my final decision, the Council has agreed to:")
carries the deadline, and each list item after it is one remedy. When a
decision has no such section, the summary's "has agreed to ..." sentence is
used instead. Nothing is paraphrased: a remedy is the item's own words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ingest.vocabulary.records import SUMMARY_SECTION, Decision, Outcome
from retrieval.answering.citations import CitationList, locate, sentences
from retrieval.types import Citation

APOLOGY, PAYMENT, IMPROVEMENT, OTHER = "apology", "payment", "service_improvement", "other"
REMEDY_KINDS = (APOLOGY, PAYMENT, IMPROVEMENT, OTHER)
KIND_LABELS = {
    APOLOGY: "apology",
    PAYMENT: "payment",
    IMPROVEMENT: "service improvement",
    OTHER: "other action",
}

_REMEDY_HEADING = re.compile(r"^(agreed actions?|recommendations?|actions?|remedy|remedies)$")
_LIST_ITEM = re.compile(r"^\s*(?:[a-z]\)|\(?[ivx]+[.)]|\d+[.)]|[•\-*])\s+", re.IGNORECASE)
_AMOUNT = re.compile(r"£\s?\d+(?:,\d{3})*(?:\.\d{2})?")
_DEADLINE = re.compile(r"\bwithin (?:[\w-]+ ){1,2}?(?:days?|weeks?|months?)\b", re.IGNORECASE)
_AGREED = re.compile(r"\b(?:has|have) agreed|\bagreed to\b|\brecommend|\bshould\b|\bwill\b", re.I)
_COMPLIANCE = re.compile(r"provide us with evidence|evidence (?:that )?it has complied", re.I)
# Verb phrases, so "the review panel's recommendations" or "the complaints procedure"
# inside a payment item do not read as a promise to improve a service.
_KIND_PATTERNS = {
    APOLOGY: re.compile(r"\bapologi[sz]\w*", re.I),
    PAYMENT: re.compile(r"\b(?:pay|refund|reimburse|compensate|waive|write off)\b", re.I),
    IMPROVEMENT: re.compile(
        r"\b(?:review\s+(?!panel)\w|remind|introduce|put in place|audit|train\w*|make sure|"
        r"ensure (?:that|its|all)|improve|correct its|update its|change its|check that|"
        r"identify|set up|action plan|share (?:the|this) learning)",
        re.I,
    ),
}


@dataclass(frozen=True)
class Remedy:
    """One agreed action: its kinds, amounts and deadline, and the quote that states it."""

    ref: str
    kinds: tuple[str, ...]
    amounts: tuple[str, ...]
    deadline: str  # "within one month", or "" when the text gives none
    citation: Citation  # the action, verbatim
    deadline_citation: Citation | None  # the lead-in stating the deadline, when separate

    @property
    def text(self) -> str:
        return self.citation.quote

    def to_json(self) -> dict[str, Any]:
        return {
            "ref": self.ref,
            "kinds": list(self.kinds),
            "amounts": list(self.amounts),
            "deadline": self.deadline,
            "text": self.text,
            "citation": self.citation.to_json(),
            "deadline_citation": (
                self.deadline_citation.to_json() if self.deadline_citation else None
            ),
        }


@dataclass(frozen=True)
class _Candidate:
    quote: str
    section: str
    lead_in: str  # the sentence introducing a list item ("" for none)


def remedies_of(decision: Decision, citations: CitationList) -> list[Remedy]:
    """The remedies an upheld ``decision`` states, each cited through ``citations``."""
    if decision.outcome != Outcome.UPHELD:
        return []
    candidates = _section_candidates(decision) or _summary_candidates(decision)
    remedies = []
    for candidate in candidates:
        remedy = _remedy(decision, candidate, citations)
        if remedy is not None:
            remedies.append(remedy)
    return remedies


def classify(text: str) -> tuple[str, ...]:
    """The remedy kinds ``text`` states (``other`` when it names none of them)."""
    kinds = tuple(kind for kind, pattern in _KIND_PATTERNS.items() if pattern.search(text))
    if not kinds and _AMOUNT.search(text):
        kinds = (PAYMENT,)
    return kinds or (OTHER,)


def _section_candidates(decision: Decision) -> list[_Candidate]:
    found: list[_Candidate] = []
    for section in decision.sections:
        if not _REMEDY_HEADING.match(section.heading.strip().rstrip(":").lower()):
            continue
        for paragraph in section.paragraphs:
            found += _paragraph_candidates(paragraph.text, section.heading)
    return found


def _paragraph_candidates(text: str, section: str) -> list[_Candidate]:
    """List items under their lead-in; outside a list, each sentence that promises action."""
    found: list[_Candidate] = []
    lead_in = ""
    for line in (line.strip() for line in text.split("\n")):
        if not line:
            continue
        if _LIST_ITEM.match(line):
            found.append(_Candidate(line, section, lead_in))
            continue
        for sentence in sentences(line):
            if sentence.endswith(":"):
                lead_in = sentence
            elif _AGREED.search(sentence) and not _COMPLIANCE.search(sentence):
                found.append(_Candidate(sentence, section, ""))
    return found


def _summary_candidates(decision: Decision) -> list[_Candidate]:
    return [
        _Candidate(sentence, SUMMARY_SECTION, "")
        for sentence in sentences(decision.summary)
        if re.search(r"\bagreed to\b|\brecommend", sentence, re.I)
    ]


def _remedy(decision: Decision, candidate: _Candidate, citations: CitationList) -> Remedy | None:
    if locate(decision, candidate.quote, candidate.section) is None:
        return None  # not verbatim in the decision: never shown
    # The lead-in is cited first so that numbers run in reading order.
    deadline, deadline_citation = _deadline_of(decision, candidate, citations)
    n = citations.cite(decision, candidate.quote, candidate.section)
    if n is None:
        return None
    return Remedy(
        ref=decision.ref,
        kinds=classify(candidate.quote),
        amounts=tuple(dict.fromkeys(a.replace(" ", "") for a in _AMOUNT.findall(candidate.quote))),
        deadline=deadline,
        citation=citations.citations[n - 1],
        deadline_citation=deadline_citation,
    )


def _deadline_of(
    decision: Decision, candidate: _Candidate, citations: CitationList
) -> tuple[str, Citation | None]:
    """The deadline from the item's lead-in (cited), else from the item itself."""
    deadline = _deadline(candidate.lead_in)
    if not deadline:
        return _deadline(candidate.quote), None
    n = citations.cite(decision, candidate.lead_in, candidate.section)
    return (deadline, citations.citations[n - 1]) if n else ("", None)


def _deadline(text: str) -> str:
    match = _DEADLINE.search(text)
    return match.group(0).lower() if match else ""
