"""Parse a decision's plain text into a :class:`Decision`.

The text is read line by line (:mod:`ingest.parse.layout` says what each line is);
:class:`_Reader` files each line under the header, the summary, a section's
paragraphs or the closing. The decision's ``text`` is then rebuilt from those
parts, so every paragraph and the summary are verbatim substrings of it: the
answerer quotes sentences of paragraphs and the quotes must be found in ``text``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ingest.parse.header import Header
from ingest.parse.layout import (
    COMPLIANCE_LINE,
    FINAL_DECISION_LINE,
    FINAL_HEADINGS,
    REPORT_LINE,
    SUMMARY_LINE,
    Mark,
    clean_lines,
    dominant_mark,
    ends_sentence,
    heading_like,
    is_closing,
    known_heading,
    marked,
    name_like,
    plain,
    without_nested_marker,
)
from ingest.parse.reasons import extract_reasons
from ingest.vocabulary.errors import ParseError
from ingest.vocabulary.normalise import (
    REF_PATTERN,
    SITE,
    canonical_ref,
    category_in_url,
    decision_url,
    normalise_organisation,
    normalise_outcome,
    normalise_url,
    parse_date,
    url_host,
)
from ingest.vocabulary.records import (
    UNKNOWN_ORGANISATION,
    ComplianceFact,
    Decision,
    DocumentType,
    Outcome,
    Paragraph,
    Section,
    SourceDoc,
)

FINDING_HEADINGS = frozenset({"finding", "findings"})
# A PDF's wrapped line continues the paragraph above; short lines ("- apologise") do not wrap.
_WRAP_MIN_CHARS = 50
# The longest published decisions run to a few hundred lines; far more is not one decision
# (and would make the line-by-line reader slow).
MAX_LINES = 10_000


@dataclass
class _Para:
    number: int
    text: str


@dataclass
class _Section:
    heading: str
    known: bool
    paragraphs: list[_Para] = field(default_factory=list)


def parse_decision(doc: SourceDoc, site: str = SITE) -> Decision:
    """Parse one decision, or raise ParseError saying why the text is not one.

    A copy cut off early (the summary and the complaint only) is still a decision: it is
    refused only when it shows neither a summary nor a known section with paragraphs.
    ``site``: the published site (OQA_CRAWL_BASE_URL); a page URL on another host is not
    taken as the decision's link (see :func:`_published_url`)."""
    lines = clean_lines(doc.text)
    if len(lines) > MAX_LINES:
        raise ParseError(doc.path, f"{len(lines):,} lines: too many for one decision")
    reader = _Reader.read(lines)
    reader.header.fill(doc.hints)
    if not reader.header.category and doc.url:
        reader.header.category, reader.header.sub_category = category_in_url(doc.url)
    ref = reader.header.ref or _fallback_ref(doc)
    if not ref:
        raise ParseError(doc.path, "no decision reference in the text, URL or file name")
    if not reader.summary and not any(s.known and s.paragraphs for s in reader.sections):
        raise ParseError(
            doc.path, "no decision body (no summary and no known section heading with paragraphs)"
        )
    fields = _fields(doc, reader, ref, site)
    return Decision(**fields, text=_compose_text(fields, summary_line=bool(reader.summary)))


def _fields(doc: SourceDoc, reader: _Reader, ref: str, site: str) -> dict[str, Any]:
    """Every Decision field but ``text``, normalised."""
    header, sections = reader.header, reader.sections_out()
    summary = " ".join(reader.summary)
    stand_in = _first_paragraph(sections, FINAL_HEADINGS)
    outcome = normalise_outcome(header.outcome_raw) if header.outcome_raw else Outcome.UNKNOWN
    if outcome is Outcome.UNKNOWN:
        finding = _first_paragraph(sections, FINDING_HEADINGS)
        outcome = _outcome_from_wording(" ".join((summary or stand_in, finding)))
    body = "\n".join([summary, *(p.text for s in sections for p in s.paragraphs)])
    organisation = (
        header.organisation
        or _organisation_in_address(doc)
        or _organisation_in(body)
        or UNKNOWN_ORGANISATION
    )
    url, read_from = _published_url(doc, decision_url(ref, *_category(header), site=site), site)
    return {
        "ref": ref,
        "organisation": normalise_organisation(organisation),
        "category": header.category,
        "sub_category": header.sub_category,
        "outcome": outcome,
        "outcome_raw": header.outcome_raw,
        "date": parse_date(header.date_raw) if header.date_raw else None,
        "url": url,
        "read_from": read_from,
        "summary": summary or stand_in,
        "sections": sections,
        "reasons": extract_reasons(outcome, summary, sections),
        "closing": "\n".join(reader.closing),
        "document_type": doc.hints.document_type or reader.document_type,
        "compliance": reader.compliance,
        "source_path": doc.path,
    }


class _Reader:
    """Files each cleaned line of one decision under header, summary, sections or closing."""

    def __init__(self, mode: Mark) -> None:
        self.mode = mode
        self.header = Header()
        self.summary: list[str] = []
        self.sections: list[_Section] = []
        self.closing: list[str] = []
        self.in_summary = False
        self.closed = False  # the closing line has been read
        self.closing_open = False  # ... and the lines right after it may continue it
        self.parent = ""  # the last known heading: unknown headings are its sub-headings
        self.count = 0  # paragraphs so far (the number when the copy has no numbers)
        self.last_number = 0
        self.nested_run: int | None = None  # a numbered sub-list inside a paragraph
        self.document_type = DocumentType.STATEMENT
        self.compliance: ComplianceFact | None = None

    @classmethod
    def read(cls, lines: list[str]) -> _Reader:
        reader = cls(_paragraph_mark(lines))
        for index, line in enumerate(lines):
            reader.feed(line, lines[index + 1] if index + 1 < len(lines) else None)
        return reader

    def feed(self, line: str, following: str | None) -> None:
        if not self._has_body() and REPORT_LINE.match(line):
            self.document_type = DocumentType.REPORT  # a report's title may also be its header
        if not self._has_body() and self._header_or_summary_start(line):
            return
        heading = known_heading(line)
        compliance = COMPLIANCE_LINE.match(plain(line))
        if compliance:
            self.compliance = ComplianceFact(text=line, date=parse_date(compliance.group("date")))
            self.closed = True  # only page furniture follows it
        elif heading:
            self._open(heading, known=True)
        elif self.closed:
            self._after_closing(line)
        elif is_closing(line):
            self._close(line)
        elif self.in_summary and self.summary and _starts_section(line, following):
            self._open(line, known=False)  # a heading of its own ends the summary
        elif self.in_summary:
            self.summary.append(line)
        elif self.sections:
            self._body_line(line, following)
        # else: text before the decision starts (banners, page titles): not part of it

    def _has_body(self) -> bool:
        return any(s.paragraphs for s in self.sections)

    def _header_or_summary_start(self, line: str) -> bool:
        """Header fields, then ``The Ombudsman's final decision`` and ``Summary``."""
        if not self.in_summary and self.header.read(line):
            return True
        match = FINAL_DECISION_LINE.match(plain(line)) or SUMMARY_LINE.match(line)
        if not match:
            return False
        rest = line[match.start("rest") :] if match.group("rest") else ""
        inner = SUMMARY_LINE.match(rest)
        rest = (inner.group("rest") or "") if inner else rest
        self.in_summary = True
        self.sections.clear()  # headings seen so far were a table of contents
        if rest:
            self.summary.append(rest)
        return True

    def _open(self, heading: str, known: bool) -> None:
        self.in_summary = False
        self.closed = False
        if self.sections and not self.sections[-1].paragraphs:
            self.sections.pop()  # a heading with nothing under it: a contents list, a parent
        if known:
            self.parent = heading
        elif self.parent:  # "Analysis > The joint account"
            heading = f"{self.parent} > {heading}"
        self.sections.append(_Section(heading, known))

    def _close(self, line: str) -> None:
        self.closing.append(line)
        self.closed = self.closing_open = True

    def _after_closing(self, line: str) -> None:
        # "Michael King" / "Local Government and Social Care Ombudsman"; then page furniture.
        if self.closing_open and len(self.closing) < 3 and (is_closing(line) or name_like(line)):
            self.closing.append(line)
        else:
            self.closing_open = False

    def _body_line(self, line: str, following: str | None) -> None:
        item = marked(line)
        section = self.sections[-1]
        last = section.paragraphs[-1] if section.paragraphs else None
        if item.mark is Mark.NONE:
            self._unmarked(line, following, last)
        elif item.mark is Mark.NUMBER and self.mode is Mark.NUMBER:
            self._numbered(item.number or 0, item.text, line, last)
        elif item.mark is Mark.DASH and self.mode is Mark.DASH and not _nested_item(item.text):
            self._new_paragraph(item.text)
        elif last:
            self._nest(last, line, item.mark)
        else:
            self._new_paragraph(without_nested_marker(item.text))

    def _unmarked(self, line: str, following: str | None, last: _Para | None) -> None:
        if last and _wrapped(last.text):
            last.text += " " + line
        elif _starts_section(line, following):
            if self._in_final_section() and name_like(line):
                self._close(line)
            else:
                self._open(line, known=False)
        elif last and (self.mode is not Mark.NONE or line[0].islower()):
            self._nest(last, line, Mark.NONE)
        else:
            self._new_paragraph(line)

    def _numbered(self, number: int, text: str, line: str, last: _Para | None) -> None:
        # A number that does not move forward belongs to a sub-list ("The Guidance says: 1. ...").
        if last is None or (number > self.last_number and number != (self.nested_run or -1) + 1):
            self._new_paragraph(text, number)
        else:
            self._nest(last, line, Mark.NUMBER, number)

    def _new_paragraph(self, text: str, number: int | None = None) -> None:
        self.count += 1
        if self.mode is Mark.NUMBER:
            number = number if number is not None else self.last_number + 1
            self.last_number = number
        self.nested_run = None
        self.sections[-1].paragraphs.append(_Para(number or self.count, text))

    def _nest(self, last: _Para, line: str, mark: Mark, number: int | None = None) -> None:
        self.nested_run = number if mark is Mark.NUMBER else self.nested_run
        last.text += "\n" + line

    def _in_final_section(self) -> bool:
        section = self.sections[-1]
        return bool(section.paragraphs) and plain(section.heading) in FINAL_HEADINGS

    def sections_out(self) -> list[Section]:
        return [
            Section(heading=s.heading, paragraphs=[Paragraph(number=p.number, text=p.text)
                                                    for p in s.paragraphs])
            for s in self.sections
            if s.paragraphs
        ]


def _starts_section(line: str, following: str | None) -> bool:
    """An unknown heading: heading-shaped and followed by content, not by another heading."""
    return heading_like(line) and following is not None and not known_heading(following)


def _wrapped(text: str) -> bool:
    last_line = text[text.rfind("\n") + 1 :]  # not rsplit: that copies the whole paragraph
    return len(last_line) >= _WRAP_MIN_CHARS and not ends_sentence(last_line)


def _nested_item(text: str) -> bool:
    # "- we could not add to ..., or": a lower-case bullet continues the paragraph's list.
    return text[:1].islower()


def _paragraph_mark(lines: list[str]) -> Mark:
    """Which marker this copy puts before its paragraphs (headings and header excluded)."""
    probe = Header()
    candidates = [
        marked(line)
        for line in lines
        if not (known_heading(line) or heading_like(line) or is_closing(line))
        and not (SUMMARY_LINE.match(line) or FINAL_DECISION_LINE.match(plain(line)))
        and not probe.read(line)
    ]
    return dominant_mark(candidates)


def _published_url(doc: SourceDoc, derived: str, site: str) -> tuple[str, str]:
    """(the decision's link, where this copy was read).

    A page's canonical link or sidecar URL is the link only on the site's own host: a
    copy may name any address, and a link the answer offers must not lead elsewhere. Another
    host is kept as words ("copy from HOST"), the link is then derived from the reference."""
    file = f"file {Path(doc.path).name}"
    host = url_host(doc.url) if doc.url else ""
    if not host:
        return derived, file
    if host == url_host(site):
        return normalise_url(doc.url or ""), host
    return derived, f"{file}, copy from {host}"


def _fallback_ref(doc: SourceDoc) -> str:
    """A copy without a header: the reference is in the page URL or the file name."""
    for source in (doc.url or "", Path(doc.path).name):
        ref = canonical_ref(source)
        if ref:
            return ref
    return ""


# Lower-case words inside a body's name, as a URL slug loses the case ("london-borough-of-...").
_NAME_LINK_WORDS = frozenset({"of", "and", "upon", "on", "the", "in", "under", "le", "for"})


def _organisation_in_address(doc: SourceDoc) -> str:
    """A body named after the reference in the copy's address (``.../lgo-22-004-379-
    herefordshire-council/`` or a file ``22-004-379-herefordshire-council.txt``)."""
    for address in (doc.url or "", Path(doc.path).stem):
        last = address.rstrip("/").rpartition("/")[2].split("?")[0]
        match = REF_PATTERN.search(last)
        words = re.split(r"[-_\s]+", last[match.end():]) if match else []
        words = [w for w in words if w.isalpha()]
        if len(words) >= 2:
            return " ".join(w.lower() if i and w.lower() in _NAME_LINK_WORDS else w.capitalize()
                            for i, w in enumerate(words))
    return ""


def _category(header: Header) -> tuple[str, str]:
    return header.category, header.sub_category


# Only for copies without a header outcome: the summary's own wording is unambiguous here.
_NOT_INVESTIGATED = re.compile(
    r"\b(will not|won't|cannot|can't|decided not to|did not|do not|should not) "
    r"(start an |begin an |open an )?investigat",
    re.IGNORECASE,
)
_DISCONTINUED = re.compile(r"\bdiscontinu(ed|ing) (our|my|the|this) investigation", re.IGNORECASE)
# An older decision's finding: "The Ombudsman upheld the complaint and found fault ...".
_NOT_UPHELD = re.compile(r"\b(did not uphold|has not upheld|not uphold) (the|this|[A-Z]\w*'s)"
                         r" complaint", re.IGNORECASE)
_UPHELD = re.compile(r"\b(upheld|uphold) (the|this|[A-Z]\w*'s) complaint", re.IGNORECASE)


def _outcome_from_wording(wording: str) -> Outcome:
    if _DISCONTINUED.search(wording):
        return Outcome.DISCONTINUED
    if _NOT_INVESTIGATED.search(wording):
        return Outcome.CLOSED
    if _NOT_UPHELD.search(wording):
        return Outcome.NOT_UPHELD
    if _UPHELD.search(wording):
        return Outcome.UPHELD
    return Outcome.UNKNOWN


def _first_paragraph(sections: list[Section], headings: frozenset[str]) -> str:
    """The first paragraph under one of ``headings`` (``Final decision``: the summary's
    stand-in; ``Finding``: what an older decision concluded)."""
    for section in sections:
        if plain(section.heading) in headings and section.paragraphs:
            return section.paragraphs[0].text
    return ""


_ORG_IN_TEXT = re.compile(
    r"\b((?:[A-Z][\w'’&-]*\s+(?:of\s+|and\s+|upon\s+)?){1,5}"
    r"(?:Council|Combined Authority|Fire Authority|Care Ltd|Ltd|Limited))\b"
)
_GENERIC_ORG_WORDS = frozenset(
    {"The", "A", "An", "This", "That", "Each", "Every", "Our", "Your", "Any", "County", "City",
     "Borough", "District", "Parish", "Town", "Metropolitan", "Combined", "Unitary", "Local"}
)


def _organisation_in(text: str) -> str:
    """A named body in a copy without a header ("Westerleigh County Council"), if any."""
    for match in _ORG_IN_TEXT.finditer(text):
        words = match.group(1).split()
        while words and words[0] in _GENERIC_ORG_WORDS:
            words.pop(0)
        if len(words) >= 2 and words[0] not in _GENERIC_ORG_WORDS:
            return " ".join(words)
    return ""


def _compose_text(fields: dict[str, Any], summary_line: bool) -> str:
    """The cleaned decision: header, summary, headings with their paragraphs, closing."""
    lines = [f"{fields['organisation']} ({fields['ref']})"]
    if fields["category"]:
        sub = fields["sub_category"]
        lines.append(f"Category : {fields['category']}" + (f" > {sub}" if sub else ""))
    if fields["outcome_raw"]:
        lines.append(f"Decision : {fields['outcome_raw']}")
    if fields["date"]:
        lines.append(f"Decision date : {fields['date']:%d %b %Y}")
    if summary_line:
        lines.append(f"Summary: {fields['summary']}")
    for section in fields["sections"]:
        lines.append(section.heading)
        lines.extend(p.text for p in section.paragraphs)
    if fields["closing"]:
        lines.append(fields["closing"])
    if fields["compliance"]:
        lines.append(fields["compliance"].text)
    return "\n".join(lines)
