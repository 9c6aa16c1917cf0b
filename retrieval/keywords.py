"""Turn free text into a safe FTS5 MATCH expression."""

from __future__ import annotations

import re

# Words that carry no evidence in this corpus: every decision is a complaint to
# the Ombudsman about a council, so these only add noise to BM25.
STOPWORDS = frozenset(
    """a an and are as at be been but by can could did do does doesn't don't for from had has
    have he her him his how i i'm if in into is it its it's me my no not of on or our she so
    than that the their them then there these they this those to too us was we were what when
    where which who why will with would won't wouldn't you your yours about any also just
    ombudsman ombudsman's complaint complaints complain complained council council's look
    looked looking investigate investigated investigation investigating decision decisions
    case cases show tell find please know want get got said say says""".split()
)


def match_expression(text: str, max_terms: int = 24) -> str | None:
    """OR of the text's content words, each quoted so no user text is FTS5 syntax."""
    words = re.findall(r"[A-Za-z0-9£]+(?:'[a-z]+)?", text.lower())
    terms = [w for w in dict.fromkeys(words) if w not in STOPWORDS and len(w) > 1]
    if not terms:
        return None
    return " OR ".join(f'"{term}"' for term in terms[:max_terms])
