"""Structure-aware chunking: the summary alone, then runs of whole paragraphs per section.

No chunk is longer than the embedding model's maximum sequence length in that
model's own tokens (counted with the section label the model is given), so
nothing is silently truncated: a paragraph too long for one chunk is split at
sentence boundaries, and a sentence too long at word boundaries.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from ingest.vocabulary.records import SUMMARY_SECTION, Chunk, Decision, Paragraph, content_hash

CHUNKER_VERSION = "1"
_SENTENCE_END = re.compile(r"(?<=[.!?;:])\s+(?=[\"'‘“(]?[A-Z0-9•\-])|\n+")

TokenCounter = Callable[[list[str]], list[int]]


@dataclass(frozen=True)
class ChunkLimits:
    max_tokens: int
    target_tokens: int

    @property
    def fingerprint(self) -> str:
        return f"v{CHUNKER_VERSION}:max{self.max_tokens}:target{self.target_tokens}"


@dataclass(frozen=True)
class _Piece:
    """Text of one or more whole paragraphs (or part of one) before it becomes a Chunk."""

    section: str
    first: int | None
    last: int | None
    text: str


def chunk_decision(decision: Decision, limits: ChunkLimits, count: TokenCounter) -> list[Chunk]:
    """Chunks of one decision, in reading order."""
    pieces: list[_Piece] = []
    if decision.summary:
        pieces += _split_text(SUMMARY_SECTION, None, decision.summary, decision, limits, count)
    for section in decision.sections:
        pieces += _pack_section(section.heading, section.paragraphs, decision, limits, count)
    return [_to_chunk(decision, piece, position) for position, piece in enumerate(pieces)]


def embedding_text(decision: Decision, section: str, text: str) -> str:
    """What the model embeds: the passage with its context, which a bare paragraph lacks."""
    area = " > ".join(p for p in (decision.category, decision.sub_category) if p)
    label = " | ".join(p for p in (decision.organisation, area, section) if p)
    return f"{label}\n{text}"


def _pack_section(
    heading: str,
    paragraphs: list[Paragraph],
    decision: Decision,
    limits: ChunkLimits,
    count: TokenCounter,
) -> list[_Piece]:
    """Greedily join consecutive paragraphs up to the target size, never past the maximum."""
    sizes = count([embedding_text(decision, heading, p.text) for p in paragraphs])
    label_size = count([embedding_text(decision, heading, "")])[0]
    pieces: list[_Piece] = []
    run: list[Paragraph] = []
    run_size = label_size
    for paragraph, size in zip(paragraphs, sizes, strict=True):
        body_size = size - label_size
        if run and run_size + body_size > limits.target_tokens:
            pieces.append(_join(heading, run))
            run, run_size = [], label_size
        if size > limits.max_tokens:
            pieces += _split_text(
                heading, paragraph.number, paragraph.text, decision, limits, count
            )
            continue
        run.append(paragraph)
        run_size += body_size
    if run:
        pieces.append(_join(heading, run))
    return pieces


def _join(heading: str, run: list[Paragraph]) -> _Piece:
    return _Piece(heading, run[0].number, run[-1].number, "\n".join(p.text for p in run))


def _split_text(
    section: str,
    number: int | None,
    text: str,
    decision: Decision,
    limits: ChunkLimits,
    count: TokenCounter,
) -> list[_Piece]:
    """Split one long text into pieces that fit, keeping every piece a verbatim substring."""
    units = _units(text, decision, section, limits, count)
    pieces: list[_Piece] = []
    start = 0
    while start < len(units):
        end = start + 1
        while end < len(units) and _fits(
            text[units[start][0] : units[end][1]], decision, section, limits, count
        ):
            end += 1
        piece_text = text[units[start][0] : units[end - 1][1]]
        pieces.append(_Piece(section, number, number, piece_text))
        start = end
    return pieces


def _fits(
    text: str, decision: Decision, section: str, limits: ChunkLimits, count: TokenCounter
) -> bool:
    """Does ``text``, with the label the model is given, stay within the token limit?"""
    return count([embedding_text(decision, section, text)])[0] <= limits.max_tokens


def _units(
    text: str, decision: Decision, section: str, limits: ChunkLimits, count: TokenCounter
) -> list[tuple[int, int]]:
    """Sentence spans; a sentence that alone exceeds the limit is cut into word spans."""
    spans: list[tuple[int, int]] = []
    for start, end in _sentence_spans(text):
        spans += _fitting_spans(text, start, end, decision, section, limits, count)
    return spans


def _fitting_spans(
    text: str,
    start: int,
    end: int,
    decision: Decision,
    section: str,
    limits: ChunkLimits,
    count: TokenCounter,
) -> list[tuple[int, int]]:
    """``text[start:end]`` as one span if it fits, else halved at a word boundary until it does."""
    if _fits(text[start:end], decision, section, limits, count):
        return [(start, end)]
    words = [(m.start() + start, m.end() + start) for m in re.finditer(r"\S+", text[start:end])]
    if len(words) < 2:
        return [(start, end)]  # one enormous "word": nothing smaller keeps it verbatim
    middle = len(words) // 2
    left = _fitting_spans(text, words[0][0], words[middle - 1][1], decision, section, limits, count)
    right = _fitting_spans(text, words[middle][0], words[-1][1], decision, section, limits, count)
    return left + right


def _sentence_spans(text: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for match in _SENTENCE_END.finditer(text):
        if text[start : match.start()].strip():
            spans.append((start, match.start()))
        start = match.end()
    if text[start:].strip():
        spans.append((start, len(text.rstrip())))
    return spans


def _to_chunk(decision: Decision, piece: _Piece, position: int) -> Chunk:
    paragraphs = _paragraph_label(piece.first, piece.last)
    return Chunk(
        id=content_hash(decision.ref, piece.section, paragraphs, piece.text),
        ref=decision.ref,
        section=piece.section,
        paragraphs=paragraphs,
        position=position,
        text=piece.text,
        metadata=chunk_metadata(decision, piece.section, paragraphs, position),
    )


def _paragraph_label(first: int | None, last: int | None) -> str:
    if first is None:
        return ""
    return str(first) if first == last else f"{first}-{last}"


def chunk_metadata(
    decision: Decision, section: str, paragraphs: str, position: int
) -> dict[str, str | int | float | bool]:
    """Flat metadata: the decision's header fields plus where the chunk sits."""
    return {
        "ref": decision.ref,
        "organisation": decision.organisation,
        "category": decision.category,
        "sub_category": decision.sub_category,
        "outcome": decision.outcome.value,
        "outcome_raw": decision.outcome_raw,
        "date": decision.date.isoformat() if decision.date else "",
        "year": decision.date.year if decision.date else 0,
        "url": decision.url,
        "reasons": ",".join(r.value for r in decision.reasons),
        "section": section,
        "paragraphs": paragraphs,
        "position": position,
    }
