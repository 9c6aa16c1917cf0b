"""Typed records handed from one ingestion stage to the next.

SourceDoc (raw text) → Decision (parsed) → Chunk (indexed). Ids are content
hashes, so re-ingesting the same text produces the same ids and is a no-op.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

# The section name of a decision's summary, the first passage of every decision.
SUMMARY_SECTION = "Summary"
# A decision whose text names no organisation is stored under this name.
UNKNOWN_ORGANISATION = "Unknown organisation"


class Outcome(StrEnum):
    UPHELD = "upheld"
    NOT_UPHELD = "not_upheld"
    CLOSED = "closed_after_initial_enquiries"
    DISCONTINUED = "discontinued"
    WITHDRAWN = "withdrawn"
    ADVICE_GIVEN = "advice_given"
    PREMATURE = "premature"
    UNKNOWN = "unknown"


class Reason(StrEnum):
    """Why a complaint was not investigated (the fixed vocabulary of DESIGN.md)."""

    LATE = "late"
    ALTERNATIVE_REMEDY_APPEAL = "alternative_remedy_appeal"
    ALTERNATIVE_REMEDY_COURT = "alternative_remedy_court"
    NOT_ENOUGH_FAULT = "not_enough_fault"
    NO_SIGNIFICANT_INJUSTICE = "no_significant_injustice"
    COULD_NOT_ADD = "could_not_add"
    DIFFERENT_OUTCOME_UNLIKELY = "different_outcome_unlikely"
    OTHER_BODY_BETTER_PLACED = "other_body_better_placed"
    OUT_OF_JURISDICTION = "out_of_jurisdiction"
    PREMATURE = "premature"
    AFFECTS_MOST_PEOPLE = "affects_most_people"
    OTHER = "other"


def content_hash(*parts: str) -> str:
    """A short stable id for the given text parts."""
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8"))
    return digest.hexdigest()[:32]


class DocumentType(StrEnum):
    """What the Ombudsman published: a decision statement or a public-interest report."""

    STATEMENT = "statement"
    REPORT = "report"


class SourceHints(BaseModel):
    """What the place a copy came from says about it (a crawl sidecar, a bulk-file line, the
    copy's URL); the parser uses a hint only where the text itself is silent."""

    model_config = ConfigDict(frozen=True)

    ref: str = ""
    organisation: str = ""
    category: str = Field("", description='"Area > Sub-area" or just the area.')
    outcome: str = ""
    date: str = ""
    document_type: DocumentType | None = None


class SourceDoc(BaseModel):
    """One decision's text as read from a file, a fetched page or a line of a bulk file."""

    model_config = ConfigDict(frozen=True)

    text: str
    path: str = Field(description="File path (or URL) the text came from, for error reports.")
    url: str | None = Field(None, description="Published page URL, when known.")
    hints: SourceHints = Field(default_factory=SourceHints)


class ComplianceFact(BaseModel):
    """The Ombudsman's dated note that a body did what was agreed (older decisions end with
    ``Ombudsman satisfied with council's response: 11 September 2017``)."""

    model_config = ConfigDict(frozen=True)

    text: str = Field(description="The line as published.")
    date: dt.date | None = None


class Paragraph(BaseModel):
    model_config = ConfigDict(frozen=True)

    number: int = Field(
        description="The number the page shows: explicit `1.` numbers when the text has them "
        "(they may restart per section), else a count running through the decision."
    )
    text: str


class Section(BaseModel):
    model_config = ConfigDict(frozen=True)

    heading: str
    paragraphs: list[Paragraph]


class Decision(BaseModel):
    """A parsed decision. ``text`` is the cleaned body every quote is taken from."""

    model_config = ConfigDict(frozen=True)

    ref: str = Field(description='Canonical reference, e.g. "24 020 817".')
    organisation: str
    category: str = Field("", description='Area, e.g. "Children\'s care services".')
    sub_category: str = Field("", description='Sub-area, e.g. "Child protection".')
    outcome: Outcome = Outcome.UNKNOWN
    outcome_raw: str = ""
    date: dt.date | None = None
    url: str
    summary: str = ""
    sections: list[Section] = Field(default_factory=list)
    reasons: list[Reason] = Field(default_factory=list)
    closing: str = ""
    document_type: DocumentType = DocumentType.STATEMENT
    compliance: ComplianceFact | None = None
    text: str = Field(description="Cleaned decision text (header, summary, sections).")
    source_path: str = ""
    read_from: str = Field(
        "",
        description='Where this copy was read: the site\'s host ("www.lgo.org.uk") for a page '
        'of it, else "file NAME" (with ", copy from HOST" when the copy names another site).',
    )

    @property
    def doc_hash(self) -> str:
        """Changes whenever anything that is indexed changes."""
        return content_hash(self.model_dump_json(exclude={"source_path"}))

    @property
    def paragraphs(self) -> list[Paragraph]:
        return [p for s in self.sections for p in s.paragraphs]


class Chunk(BaseModel):
    """An indexed passage: a run of whole paragraphs of one section (or the summary)."""

    model_config = ConfigDict(frozen=True)

    id: str
    ref: str
    section: str
    paragraphs: str = Field(description='Paragraph numbers, "4" or "4-6"; "" for the summary.')
    position: int = Field(description="Order of the chunk within its decision.")
    text: str
    metadata: dict[str, str | int | float | bool]
