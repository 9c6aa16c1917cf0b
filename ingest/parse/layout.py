"""Line-level reading of a decision's plain text: cleaning, headings, paragraph markers.

Copies of one decision differ in layout (blank lines, ``#`` markdown, ``- `` or
``1.`` markers, site furniture); this module reduces each line to what it *is*
so that :mod:`ingest.parse.decision` can assemble the decision without caring where the
copy came from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

# Headings of published decisions (FORMAT.md), compared lower-case with straight apostrophes.
KNOWN_HEADINGS = frozenset(
    {
        "the complaint",
        "complaint",
        "the ombudsman's role and powers",
        "the ombudsman's role",
        "our role and powers",
        "how i considered this complaint",
        "how we considered this complaint",
        "my assessment",
        "assessment",
        "our assessment",
        "final decision",
        "decision",
        "what i have investigated",
        "what i have not investigated",
        "what i have and have not investigated",
        "what i did not investigate",
        "what i have not investigated and why",
        "parts of the complaint that i did not investigate",
        "parts of the complaint i did not investigate",
        "legal and administrative background",
        "relevant law and guidance",
        "law and guidance",
        "relevant law",
        "background",
        "what happened",
        "key facts",
        "analysis",
        "findings",
        "finding",
        "my findings",
        "what i found",
        "conclusions",
        "conclusion",
        "agreed action",
        "agreed actions",
        "recommendations",
        "recommendation",
        "recommended action",
        "recommended actions",
        "action",
        # public-interest reports
        "key to names used",
        "investigation",
        "the ombudsman's decision",
    }
)
FINAL_HEADINGS = frozenset({"final decision", "decision"})

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "ʼ": "'"})
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
# "[text](url)", "![alt](src)", "[text](url "title")"; a URL may hold one level of brackets
# ("https://en.wikipedia.org/wiki/Act_(UK)") and the text one level of square ones.
_MD_LINK = re.compile(
    r"!?\[((?:[^\[\]]|\[[^\[\]]*\])+)\]\(\s*(?:<[^<>]*>|(?:[^()\s]|\([^()\s]*\))*)"
    r"(?:\s+\"[^\"]*\")?\s*\)"
)
_MD_HEADING = re.compile(r"^#{1,6}\s*")
_MD_BOLD = re.compile(r"\*\*(.+?)\*\*")
_FURNITURE = re.compile(
    r"^(back to top|print this page|print|share this page|share|skip to (main )?content|"
    r"contents|table of contents|on this page|jump to|close|menu|search)$",
    re.IGNORECASE,
)

# Older decisions end with the date the Ombudsman accepted the body's compliance.
COMPLIANCE_LINE = re.compile(
    r"^ombudsman (?:was )?satisfied with (?:the )?[\w' ]{1,60}? response\s*[:\-–]?\s*"
    r"(?P<date>.*?)\.?$",
    re.IGNORECASE,
)
# What only a public-interest report says at its start.
REPORT_LINE = re.compile(
    r"^(report by the (local government (and social care )?)?ombudsman|"
    r"investigation into a complaint (against|about) |public interest report)",
    re.IGNORECASE,
)
FINAL_DECISION_LINE = re.compile(r"^the ombudsman's final decision\s*:?\s*(?P<rest>.*)$", re.I)
SUMMARY_LINE = re.compile(r"^(?:report )?summary(?:\s*[:\-–]\s*(?P<rest>.*)|\s*)$", re.IGNORECASE)
_CLOSING = re.compile(
    r"^([\w' ]{0,40}decision on behalf of the ombudsman|investigator|assistant ombudsman|"
    r"deputy ombudsman|ombudsman|local government and social care ombudsman|"
    r"local government ombudsman)\.?$",
    re.IGNORECASE,
)


def plain(line: str) -> str:
    """Comparison form: straight apostrophes, lower case."""
    return line.translate(_APOSTROPHES).lower()


def clean_lines(text: str) -> list[str]:
    """Non-blank lines with whitespace collapsed, markdown and site furniture removed."""
    lines = []
    for raw in text.splitlines():
        line = _unlist_heading(clean_line(raw))
        if line and not is_furniture(line):
            lines.append(line)
    return lines


def _unlist_heading(line: str) -> str:
    # A table of contents lists headings as "- The complaint"; no paragraph is only a heading.
    item = marked(line)
    if item.mark in (Mark.DASH, Mark.NUMBER) and (
        known_heading(item.text) or FINAL_DECISION_LINE.match(plain(item.text))
        or SUMMARY_LINE.match(item.text)
    ):
        return item.text
    return line


def clean_line(raw: str) -> str:
    line = " ".join(_INVISIBLE.sub("", raw).split())
    # "## The complaint", "**Category:** Housing", "[The complaint](#complaint)"
    line = _MD_BOLD.sub(r"\1", _MD_LINK.sub(r"\1", _MD_HEADING.sub("", line)))
    return " ".join(line.split())


def is_furniture(line: str) -> bool:
    # Cookie banners need no rule here: they come before the decision's first line or after
    # its closing, where the parser drops whatever is not a header field.
    return bool(_FURNITURE.match(line))


def known_heading(line: str) -> str | None:
    """The heading as written (without ``#`` or a trailing colon) if ``line`` is a known one."""
    text = line.rstrip(":").strip()
    return text if plain(text) in KNOWN_HEADINGS else None


def heading_like(line: str) -> bool:
    """An unknown heading: a short line that starts with a capital and has no end punctuation."""
    words = line.split()
    return (
        0 < len(words) <= 8
        and len(line) <= 70
        and line[0].isupper()
        and line[-1].isalnum()
    )


def name_like(line: str) -> bool:
    """An Ombudsman's name under the final decision: two to five capitalised words."""
    words = line.split()
    return heading_like(line) and 2 <= len(words) <= 5 and all(w[0].isupper() for w in words) and (
        not any(ch.isdigit() for ch in line)
    )


def is_closing(line: str) -> bool:
    return bool(_CLOSING.match(plain(line)))


class Mark(StrEnum):
    NUMBER = "number"  # "1." or "1)": the page's paragraph numbers
    DASH = "dash"  # "- " (also "* ", "+ ", "– "): paragraphs in some copies
    NESTED = "nested"  # "a)", "(i)", "ii.", "•", or a line wholly in parentheses
    NONE = "none"


@dataclass(frozen=True)
class Marked:
    """A body line split into its marker and the text after it."""

    mark: Mark
    text: str
    line: str
    number: int | None = None


_NUMBER = re.compile(r"^(\d{1,3})[.)]\s+(\S.*)$")
_DASH = re.compile(r"^[-*+–—]\s+(\S.*)$")
_NESTED = re.compile(
    r"^(?:\(?(?:[a-z]|[ivx]{1,5})\)|(?:[a-z]|[ivx]{1,5})\.(?=\s))\s*\S|^[•◦▪●○·‣⁃►]"
)


def marked(line: str) -> Marked:
    """Classify a body line by its leading marker."""
    if match := _NUMBER.match(line):
        return Marked(Mark.NUMBER, match.group(2), line, int(match.group(1)))
    if _NESTED.match(line) or _parenthesised(line):
        return Marked(Mark.NESTED, line, line)
    if match := _DASH.match(line):
        return Marked(Mark.DASH, match.group(1), line)
    return Marked(Mark.NONE, line, line)


_NESTED_MARKER = re.compile(r"^(?:\(?(?:[a-z]|[ivx]{1,5})\)|(?:[a-z]|[ivx]{1,5})\.|[•◦▪●○·‣⁃►])\s*")


def without_nested_marker(line: str) -> str:
    """``• text`` → ``text``: for a list item that opens a section and so is a paragraph."""
    return _NESTED_MARKER.sub("", line, count=1) or line


def _parenthesised(line: str) -> bool:
    # "(Local Government Act 1974, section 24A(6), as amended)" cites the paragraph above.
    body = line.rstrip(".")
    return body.startswith("(") and body.endswith(")") and body.count("(") == body.count(")")


def dominant_mark(lines: list[Marked]) -> Mark:
    """The marker the copy uses for its paragraphs: whichever starts most capitalised lines.

    ``lines`` should hold paragraph candidates only (no headings): nested lists are
    mostly lower-case, so they do not outvote the real paragraph marker.
    """
    counts = {Mark.NUMBER: 0, Mark.DASH: 0, Mark.NONE: 0}
    for item in lines:
        if item.mark in counts and item.text[:1].isupper():
            counts[item.mark] += 1
    best = max(counts, key=lambda mark: counts[mark])
    return best if counts[best] else Mark.NONE


def ends_sentence(text: str) -> bool:
    """Whether a paragraph's last line is complete (a wrapped line is continued below)."""
    return text.rstrip()[-1:] in {".", ":", ";", "!", "?", ")", '"', "'", "’", "”"}
