"""The conversation and its citations as a Markdown document to download."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

from appkit.filter_sidebar import describe_filter
from appkit.links import formal_citation
from appkit.state import ChatTurn
from appkit.text import safe_url
from retrieval import Citation, link, outcome_label, sentence

# Characters that would turn quoted decision text into markup or raw HTML in a
# Markdown viewer; the rest stays readable as plain text.
_MARKUP = re.compile(r"([\\`*_\[\]<>|#])")
_MARKER = re.compile(r"\[(\d+)\]")


def _plain(text: str) -> str:
    return _MARKUP.sub(r"\\\1", text)


def _answer_text(text: str) -> str:
    # Escape the prose but keep the answer's [n] markers as they are.
    parts, last = [], 0
    for match in _MARKER.finditer(text):
        parts += [_plain(text[last : match.start()]), match.group(0)]
        last = match.end()
    return "".join([*parts, _plain(text[last:])])


def conversation_markdown(turns: Sequence[ChatTurn], exported: dt.datetime | None = None) -> str:
    """Every question, its answer with ``[n]`` markers, and the numbered sources."""
    stamp = (exported or dt.datetime.now()).strftime("%Y-%m-%d %H:%M")
    lines = [
        "# Ombudsman Q&A: conversation",
        "",
        f"Exported {stamp}. Each quote is verbatim text of the decision cited.",
        "",
        _plain(f"{sentence('whose')} {sentence('reuse')} Copyright: {link('copyright')}"),
    ]
    for number, turn in enumerate(turns, start=1):
        lines += ["", f"## {number}. {_plain(turn.question)}", ""]
        if not turn.filters.is_empty:
            lines += [f"*Filters: {_plain(describe_filter(turn.filters))}*", ""]
        lines.append(_answer_text(turn.answer.text))
        if turn.answer.citations:
            lines += ["", "### Sources", ""]
            for citation in turn.answer.citations:
                lines += _citation_lines(citation)
    return "\n".join(lines).rstrip() + "\n"


def _citation_lines(citation: Citation) -> list[str]:
    facts = [f"{_plain(citation.organisation)} ({citation.ref})"]
    if citation.outcome:
        facts.append(outcome_label(citation.outcome))
    if citation.date:
        facts.append(citation.date)
    where = _plain(citation.section)
    if citation.paragraphs:
        where += f", paragraph {citation.paragraphs}"
    lines = [f"[{citation.n}] {', '.join(facts)}. {where}.", ""]
    lines += [f"> {_plain(line)}" if line.strip() else ">" for line in citation.quote.splitlines()]
    url = safe_url(citation.url)
    if url and not set(url) & set("<>"):
        lines += ["", f"<{url}>"]
    lines += ["", f"Cite as: {_plain(formal_citation(citation))}"]
    return [*lines, ""]
