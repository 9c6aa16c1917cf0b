"""Turn document and user text into Markdown that Streamlit shows literally.

Streamlit's Markdown understands HTML-like tags, links, maths (``$``), colour
directives (``:red[...]``), emoji and icon short codes (``:material/home:``).
Backslash-escaping every ASCII punctuation character (CommonMark allows it for
all of them) switches every one of those off, so the text reads exactly as the
decision wrote it. Highlighting is then added with directives around escaped text.
"""

from __future__ import annotations

import re
import string

_PUNCTUATION = re.compile("([" + re.escape(string.punctuation) + "])")
_MARKER = re.compile(r"\[(\d+)\]")
_BULLET = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")
_RANGE = re.compile(r"(\d+)\s*[-–]\s*(\d+)")
_SPACES = re.compile(r"\s+")

HIGHLIGHT = "orange-background"
BADGE = "blue-badge"


def escape_md(text: str) -> str:
    """``text`` as Markdown that renders literally; line breaks are kept."""
    escaped = _PUNCTUATION.sub(r"\\\1", text)
    return escaped.replace("\r\n", "\n").replace("\n", "  \n")


def escape_inline(text: str) -> str:
    """``text`` on one line (labels, badges, highlighted quotes)."""
    return _PUNCTUATION.sub(r"\\\1", _SPACES.sub(" ", text).strip())


def badge(label: str, kind: str = BADGE) -> str:
    return f":{kind}[{escape_inline(label)}]"


def find_quote(paragraph: str, quote: str) -> tuple[int, int] | None:
    """Where ``quote`` sits in ``paragraph`` (exactly, else ignoring case and spacing)."""
    if not quote.strip():
        return None
    start = paragraph.find(quote)
    if start >= 0:
        return start, start + len(quote)
    words = [re.escape(word) for word in quote.split()]
    match = re.search(r"\s+".join(words), paragraph, flags=re.IGNORECASE)
    return (match.start(), match.end()) if match else None


def highlight(paragraph: str, quote: str) -> str:
    """``paragraph`` as safe Markdown with ``quote`` highlighted inside it.

    When the quote is not inside the paragraph, the quote alone is highlighted.
    """
    span = find_quote(paragraph, quote) if paragraph else None
    if span is None:
        return f":{HIGHLIGHT}[{escape_inline(quote or paragraph)}]"
    start, end = span
    before, marked, after = paragraph[:start], paragraph[start:end], paragraph[end:]
    return f"{escape_md(before)}:{HIGHLIGHT}[{escape_inline(marked)}]{escape_md(after)}"


def answer_markdown(text: str, citation_count: int) -> str:
    """An answer's text as safe Markdown: ``[n]`` markers become numbered badges.

    Lines that start with a bullet or a number stay list items.
    """
    lines = []
    for line in text.splitlines():
        bullet = _BULLET.match(line)
        body = _with_badges(line[bullet.end() :] if bullet else line, citation_count)
        lines.append(f"- {body}" if bullet else body)
    return "\n".join(_join_paragraph_lines(lines))


def _with_badges(line: str, citation_count: int) -> str:
    parts, last = [], 0
    for match in _MARKER.finditer(line):
        number = int(match.group(1))
        if not 1 <= number <= citation_count:
            continue
        parts.append(escape_md(line[last : match.start()]))
        parts.append(badge(str(number)))
        last = match.end()
    parts.append(escape_md(line[last:]))
    return "".join(parts)


def _join_paragraph_lines(lines: list[str]) -> list[str]:
    # Keep the author's line breaks (hard breaks), and end a list before plain text.
    joined = []
    for line, following in zip(lines, [*lines[1:], ""], strict=True):
        joined.append(line)
        if not (line and following):
            continue
        if line.startswith("- ") != following.startswith("- "):
            joined.append("")
        elif not following.startswith("- "):
            joined[-1] += "  "
    return joined


def paragraph_numbers(spec: str) -> set[int]:
    """``"4"``, ``"4-6"``, ``"4, 7"`` → the paragraph numbers they name."""
    numbers: set[int] = set()
    for part in spec.split(","):
        part = part.strip()
        if match := _RANGE.fullmatch(part):
            low, high = int(match.group(1)), int(match.group(2))
            numbers.update(range(low, min(high, low + 500) + 1))
        elif part.isdigit():
            numbers.add(int(part))
    return numbers


def safe_url(url: str) -> str | None:
    """The URL when it is a web address (http or https), else None."""
    url = url.strip()
    return url if re.match(r"https?://[^\s]+$", url, flags=re.IGNORECASE) else None
