"""Typed results of the retrieval API; their ``to_json`` shapes are the CLI's contract."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

from ingest.vocabulary.filters import DecisionFilter


class Intent(StrEnum):
    WHY_NOT = "why_not"
    SIMILAR = "similar"
    LOOKUP = "lookup"
    STATS = "stats"  # "how often / how many / what share": answered with counts
    GENERAL = "general"


@dataclass(frozen=True)
class SoftHints:
    """What a question says about the decisions it wants; each boosts, none excludes."""

    organisations: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()  # area or sub-area names
    reasons: tuple[str, ...] = ()
    outcomes: tuple[str, ...] = ()
    dates: tuple[str | None, str | None] = (None, None)  # usually the events', not decisions'
    # A council the question names that no indexed organisation line carries ("Bury council"):
    # its decisions can only be among the copies that do not name their organisation.
    unlisted_council: str = ""

    def notes(self) -> list[str]:
        notes = [f"organisation: {name}" for name in self.organisations]
        if self.unlisted_council:
            notes.append(f"organisation: {self.unlisted_council} (no decision names it; "
                         "decisions that do not name their council rank higher)")
        notes += [f"area: {c}" for c in self.categories] + [f"reason: {r}" for r in self.reasons]
        notes += [f"outcome: {o}" for o in self.outcomes]
        if any(self.dates):
            notes.append(f"dates: {self.dates[0] or '…'} to {self.dates[1] or '…'}")
        return notes

    def as_filter(self) -> DecisionFilter:
        """The hints as the hard filter a user can choose to apply (one click in the app)."""
        return DecisionFilter(
            organisations=self.organisations,
            sub_categories=self.categories,
            outcomes=self.outcomes,
            date_from=self.dates[0],
            date_to=self.dates[1],
        )


@dataclass(frozen=True)
class QueryPlan:
    """What a question asks for: the text to search, hard filters, soft hints and the intent.

    ``filters`` are hard: a reference in the question and what the user chose. ``soft`` only
    ranks."""

    text: str
    filters: DecisionFilter
    intent: Intent
    soft: SoftHints = SoftHints()
    notes: tuple[str, ...] = ()  # what was understood, for the user ("organisation: ...")
    dense_text: str = ""  # what the embedding search reads, when it differs from ``text``
    keyword_text: str = ""  # what the keyword searches read, when it differs from ``text``


@dataclass(frozen=True)
class Passage:
    chunk_id: str
    section: str
    paragraphs: str
    text: str
    score: float


@dataclass
class DecisionHit:
    """One decision in a ranked list, with its best passages first."""

    rank: int
    ref: str
    organisation: str
    category: str
    sub_category: str
    outcome: str
    outcome_raw: str
    date: str
    url: str
    reasons: list[str]
    score: float
    similarity: float  # best dense cosine similarity of its passages (0 if none)
    passages: list[Passage]
    why_similar: list[str] = field(default_factory=list)
    document_type: str = "statement"  # or "report": a public-interest report

    def to_json(self) -> dict[str, Any]:
        return {
            "rank": self.rank,
            "ref": self.ref,
            "organisation": self.organisation,
            "category": " > ".join(p for p in (self.category, self.sub_category) if p),
            "outcome": self.outcome,
            "date": self.date,
            "url": self.url,
            "document_type": self.document_type,
            "score": round(self.score, 6),
            "reasons": self.reasons,
            "passages": [
                {"section": p.section, "paragraphs": p.paragraphs, "text": p.text}
                for p in self.passages
            ],
            **({"why_similar": self.why_similar} if self.why_similar else {}),
        }


@dataclass
class SearchResult:
    query: str
    plan: QueryPlan
    hits: list[DecisionHit]

    def to_json(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "understood": list(self.plan.notes),
            "results": [hit.to_json() for hit in self.hits],
        }


@dataclass(frozen=True)
class Citation:
    """A numbered source: ``quote`` is verbatim text of the decision ``ref``."""

    n: int
    ref: str
    organisation: str
    url: str
    section: str
    paragraphs: str
    quote: str
    paragraph_text: str  # the whole paragraph around the quote, for context
    outcome: str = ""
    date: str = ""
    # Where the quoted copy was read ("www.lgo.org.uk", "file NAME", "..., copy from HOST").
    provenance: str = ""

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("paragraph_text")
        return data


@dataclass(frozen=True)
class RemovedSentence:
    """A sentence of an LLM draft that the citation checker kept from the user, and why."""

    sentence: str
    reason: str  # "no citation", "cites [9], which was not given", "not supported by [2]"
    citations: int = 0  # how many [n] markers it carried

    def to_json(self) -> dict[str, str]:
        return {"sentence": self.sentence, "reason": self.reason}


@dataclass
class Answer:
    question: str
    text: str
    citations: list[Citation]
    search: SearchResult
    answered: bool  # False when the corpus does not answer the question
    notice: str = ""  # e.g. "the LLM was unreachable; showing the extractive answer"
    rewritten_query: str = ""
    # Sentences of an LLM draft the citation checker removed (empty for extractive answers).
    removed: list[RemovedSentence] = field(default_factory=list)
    # The best decision fits the question only in part; the text opens by saying so.
    partial_match: bool = False

    def to_json(self) -> dict[str, Any]:
        data = {
            "question": self.question,
            "answer": self.text,
            "partial_match": self.partial_match,
            "citations": [c.to_json() for c in self.citations],
            "results": [hit.to_json() for hit in self.search.hits],
        }
        if self.notice:
            data["notice"] = self.notice
        if self.rewritten_query:
            data["rewritten_query"] = self.rewritten_query
        if self.removed:
            data["removed"] = [r.to_json() for r in self.removed]
        return data


@dataclass
class SimilarResult:
    query: str
    hits: list[DecisionHit]
    overview: str  # "Of 10 similar decisions, 7 were not investigated: ..."
    outcome_counts: dict[str, int]
    reason_counts: dict[str, int]

    def to_json(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "overview": self.overview,
            "outcome_counts": self.outcome_counts,
            "reason_counts": self.reason_counts,
            "results": [hit.to_json() for hit in self.hits],
        }


@dataclass(frozen=True)
class Turn:
    """One exchange of a conversation, for follow-up questions."""

    question: str
    answer: Answer | None = None


@dataclass(frozen=True)
class FilterOptions:
    """The values the index holds, for filter widgets."""

    organisations: list[str]
    categories: dict[str, list[str]]  # area → its sub-areas
    outcomes: list[str]
    reasons: list[str]
    date_min: str | None
    date_max: str | None
    # Decisions whose copy shows no area / names no organisation: a filter on it leaves them out.
    without_area: int = 0
    without_organisation: int = 0


# What a copy lacks, by column, for one decision and for several ("1 decision that shows no
# area", "3 decisions that name no organisation").
NOT_SHOWN_WORDS: dict[str, tuple[str, str]] = {
    "category": ("shows no area", "show no area"),
    "organisation": ("names no organisation", "name no organisation"),
}
