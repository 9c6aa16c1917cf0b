"""The citation checker: a sentence of an LLM draft reaches the user only if its passages say it.

Pure functions over text. A draft is split into claims (sentences with their
``[n]`` markers). A claim is kept when

- it cites at least one passage that was given (invented numbers are dropped),
- one sentence, or two sentences, of a cited passage say it (retrieval.check.support):
  every number, date, amount, name, reference and person of the claim is
  there (the passage's header - its organisation and reference - counts too,
  so naming the council is not a new fact); every predicate of the legal
  vocabulary (investigate, uphold, fault, pay, better placed ...) is there
  with the same polarity and the same actors - "the council was at fault" is
  not supported by "we found no fault by the Council", nor "the ICO is better
  placed" by "the Council is better placed"; the claim adds no certainty
  ("never", "must", "may") and drops no qualification ("normally"); and at
  least ``min_support`` of its other content words are there.

A sentence its own citations do not support, but another passage of the same
decision given to the model does, is kept with that passage as its citation
(small models often cite the summary for what a later passage says): what the
user reads is still what the cited passage says. Never another decision's: the
model wrote the sentence about the decision it cited, and a reader takes "this
complaint" or "the Council" to mean that one.

A passage from the decision's "The complaint" section is the complainant's
account: it supports only a sentence that says so ("Mr X complained that ...").

Sentences of a passage that give orders to a reader ("ignore previous
instructions ...") are never evidence: passages are data, and an instruction
planted in a decision must not make a claim look supported. Everything removed
is reported with its reason, the first thing the passage does not say.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import combinations

from retrieval.answering.citations import sentences, statements
from retrieval.check.support import Reading, read, reports, unsupported
from retrieval.types import RemovedSentence

# "[1]", "[1][2]", "[1, 2]" - what the prompt asks for, and its common variants.
_MARKER = r"\[\d+(?:\s*,\s*\d+)*\]"  # "[1]", "[1, 2]"
_MARKERS = re.compile(r"\s*\[(\d+(?:\s*,\s*\d+)*)\]")
# A marker written after the full stop ("... placed. [1]") belongs to that sentence.
_MARKERS_AFTER_STOP = re.compile(rf"([.!?])((?:\s*{_MARKER})+)")
# After the markers that close a claim a new claim starts, whatever case it begins with.
_CLAIM_END = re.compile(r"(?:(?<=\])|(?<=\][.!?]))\s+(?!\[)")
_MARKER_LINE = re.compile(rf"(?:\s*{_MARKER}[.]?)+\s*")
_BULLET = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")
_WORD = re.compile(r"[a-z0-9]+")
# An item of a list after a lead-in ending in ":" ("• refused to ...", "2. failed to ...").
_LIST_ITEM = re.compile(r"[•·*–-]?\s*(?:\(?(?:\d+|[a-z])[.)])?\s*[a-z]")
MIN_CLAIM_WORDS = 3  # "The Council apologised" is a claim; "The complaint" is a heading


@dataclass(frozen=True)
class Claim:
    """One sentence of a draft, markers included; ``new_paragraph`` when a line starts with it."""

    text: str
    new_paragraph: bool = False


@dataclass(frozen=True)
class Evidence:
    """A numbered passage as the model saw it: its text, a header naming its decision, and
    the section it comes from."""

    text: str
    header: str = ""
    section: str = ""

    @property
    def is_complainants_account(self) -> bool:
        """ "The complaint" section says what the complainant says, not what was found."""
        return self.section.strip().lower().startswith(("the complaint", "complaint"))


@dataclass(frozen=True)
class KeptClaim:
    """A supported claim: its words without markers, and for each supporting passage the
    sentence of it that best supports the claim (the verbatim quote to cite)."""

    text: str
    quotes: dict[int, str]
    new_paragraph: bool = False
    dropped_markers: int = 0  # citations of this claim that were invented or unsupported
    recited: bool = False  # none of its own citations said it; another given passage does


@dataclass
class CheckReport:
    kept: list[KeptClaim] = field(default_factory=list)
    removed: list[RemovedSentence] = field(default_factory=list)

    @property
    def citations_given(self) -> int:
        kept = sum(len(c.quotes) + c.dropped_markers for c in self.kept)
        return kept + sum(r.citations for r in self.removed)

    @property
    def citations_kept(self) -> int:
        return sum(len(c.quotes) for c in self.kept)


def split_claims(draft: str) -> list[Claim]:
    """The draft's sentences, each with the markers that follow it.

    A line of markers alone ("[1] [2]" after a paragraph, as small models often write
    their sources) cites each uncited sentence just before it; each must still be
    supported by one of those passages to be kept.
    """
    claims: list[Claim] = []
    for line in draft.split("\n"):
        line = _MARKERS_AFTER_STOP.sub(r"\2\1", _BULLET.sub("", line.strip()))
        if _MARKER_LINE.fullmatch(line):
            _cite_trailing_uncited(claims, line)
            continue
        pieces = [s for part in _CLAIM_END.split(line) for s in sentences(part)]
        claims += [Claim(piece, new_paragraph=i == 0) for i, piece in enumerate(pieces)]
    return claims


def _cite_trailing_uncited(claims: list[Claim], marker_line: str) -> None:
    for i in range(len(claims) - 1, -1, -1):
        if cited_numbers(claims[i].text):
            return
        claims[i] = Claim(f"{claims[i].text} {marker_line}", claims[i].new_paragraph)


class ClaimStream:
    """Claims from a draft that arrives in pieces: each is released once the next has begun,
    so a claim is never checked before its markers have arrived."""

    def __init__(self) -> None:
        self.text = ""
        self._released = 0

    def feed(self, piece: str) -> list[Claim]:
        self.text += piece
        ready = split_claims(self._settled())[:-1]  # the last one may still grow
        # An uncited sentence may yet be cited by a line of markers: hold it and what follows.
        cited = next((i for i, claim in enumerate(ready) if not cited_numbers(claim.text)), None)
        return self._release(ready[:cited])

    def _settled(self) -> str:
        """The text, less a last line that may be a line of markers still arriving."""
        head, newline, last = self.text.rpartition("\n")
        return head + newline if newline and last.lstrip().startswith("[") else self.text

    def finish(self) -> list[Claim]:
        return self._release(split_claims(self.text))

    def _release(self, claims: list[Claim]) -> list[Claim]:
        new = claims[self._released :]
        self._released = max(self._released, len(claims))
        return new


def cited_numbers(claim: str) -> list[int]:
    """Passage numbers a claim cites, in order, each once."""
    numbers = (int(n) for group in _MARKERS.findall(claim) for n in group.split(","))
    return list(dict.fromkeys(numbers))


def without_markers(claim: str) -> str:
    text = _MARKERS.sub("", claim)
    return re.sub(r"\s+([.,;:!?])", r"\1", text).strip()


def check_draft(draft: str, passages: Mapping[int, Evidence], min_support: float) -> CheckReport:
    report = CheckReport()
    for claim in split_claims(draft):
        result = check_claim(claim, passages, min_support)
        if isinstance(result, KeptClaim):
            report.kept.append(result)
        else:
            report.removed.append(result)
    return report


def check_claim(
    claim: Claim, passages: Mapping[int, Evidence], min_support: float
) -> KeptClaim | RemovedSentence:
    text = without_markers(claim.text)
    numbers = cited_numbers(claim.text)
    if not numbers:
        return RemovedSentence(text, "no citation")
    given = [n for n in numbers if n in passages]
    if not given:
        return RemovedSentence(
            text,
            f"cites {_listed(numbers)}, which {_was(numbers)} not given",
            citations=len(numbers),
        )
    if len(_WORD.findall(text.lower())) < MIN_CLAIM_WORDS:
        # A heading echoed back ("The complaint. [1]") is "supported" by any passage of its
        # section, and says nothing.
        return RemovedSentence(text, "not a sentence", citations=len(numbers))
    claim_reading = read(text)
    quotes, gaps = {}, []
    for n in given:
        quote, gap = best_support(claim_reading, passages[n], min_support)
        if quote:
            quotes[n] = quote
        else:
            gaps.append(gap)
    if not quotes:
        other = _other_support(claim_reading, passages, given, min_support)
        if other:  # said, but cited to the wrong passage: shown with the one that says it
            return KeptClaim(text, other, claim.new_paragraph, len(numbers), recited=True)
        reason = f"not supported by {_listed(given)}: {gaps[0]}"
        return RemovedSentence(text, reason, citations=len(numbers))
    return KeptClaim(text, quotes, claim.new_paragraph, len(numbers) - len(quotes))


def _other_support(
    claim: Reading, passages: Mapping[int, Evidence], cited: list[int], min_support: float
) -> dict[int, str]:
    """{n: quote} of the first passage given but not cited, of a cited decision, that says
    the claim."""
    decisions = {passages[n].header for n in cited}
    others = (n for n in sorted(passages) if n not in cited and passages[n].header in decisions)
    for n in others:
        quote, _ = best_support(claim, passages[n], min_support)
        if quote:
            return {n: quote}
    return {}


def best_support(claim: Reading, passage: Evidence, min_support: float) -> tuple[str, str]:
    """(the passage sentence that best supports the claim, "") when one or two of its
    sentences say it; else ("", what the closest of them does not say)."""
    if passage.is_complainants_account and not reports(claim):
        return "", "the passage is the complainant's account, not a finding"
    header = _reading(passage.header)
    closest = (-1, "the passage says none of it")
    items = tuple(statements(passage.text))
    leads = _lead_ins(items)
    for window in _windows(items):
        # A list item is read after its lead-in: "He says the Council:" says who did
        # "• refused to accept his offer", and that it is his account.
        read_with = sorted({*window, *(leads[i] for i in window if i in leads)})
        evidence = _reading(" ".join(items[i] for i in read_with))
        gap = unsupported(claim, evidence, header, min_support)
        if not gap:
            quote = max(window, key=lambda i: len(claim.terms & _reading(items[i]).terms))
            return items[quote], ""
        shared = len(claim.terms & evidence.terms) + len(set(claim.facts) & set(evidence.facts))
        if shared > closest[0]:
            closest = (shared, gap)
    return "", closest[1]


@lru_cache(maxsize=4096)
def _reading(text: str) -> Reading:
    """Passages recur across the claims of one answer (and across answers): read once."""
    return read(text)


def _windows(items: tuple[str, ...]) -> Iterator[tuple[int, ...]]:
    """Each sentence alone, then each pair in reading order (a claim often joins two, and
    a summary's reason can be two sentences from its decision), by index."""
    yield from ((i,) for i in range(len(items)))
    yield from combinations(range(len(items)), 2)


def _lead_ins(items: tuple[str, ...]) -> dict[int, int]:
    """{a list item: the sentence that introduces its list} - "He says the Council:"
    before "• owes him ...;" and "• refused to accept ...;"."""
    leads: dict[int, int] = {}
    lead: int | None = None
    for i, item in enumerate(items):
        if lead is not None and _LIST_ITEM.match(item):
            leads[i] = lead
            continue
        lead = i if item.rstrip().endswith(":") else None
    return leads


def _listed(numbers: list[int]) -> str:
    return "".join(f"[{n}]" for n in numbers)


def _was(numbers: list[int]) -> str:
    return "was" if len(numbers) == 1 else "were"
