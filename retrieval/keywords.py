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
    return or_expression(query_phrases(text, max_terms))


def query_phrases(text: str, max_terms: int = 24) -> list[str]:
    """The text's content words, each as a quoted FTS5 phrase."""
    words = re.findall(r"[A-Za-z0-9£]+(?:'[a-z]+)?", text.lower())
    terms = [w for w in dict.fromkeys(words) if w not in STOPWORDS and len(w) > 1]
    return [f'"{term}"' for term in terms[:max_terms]]


def or_expression(phrases: list[str]) -> str | None:
    return " OR ".join(phrases) if phrases else None


def within_budget(phrases: list[str], matches: dict[str, int], budget: int) -> list[str]:
    """The rarest phrases whose matching chunks add up to at most ``budget`` (0: all phrases).

    BM25 in FTS5 scores every chunk that matches any phrase, so its cost grows with the
    commonest words of a question, which weigh least in the score (low IDF). Past the
    budget those are left to dense retrieval; rare words — names, section numbers,
    "Information Commissioner" — are what the keyword side is for, and they are kept.
    """
    if budget <= 0 or sum(matches[p] for p in phrases) <= budget:
        return phrases
    kept, total = set(), 0
    for phrase in sorted(phrases, key=lambda p: matches[p]):
        if total + matches[phrase] > budget:
            break
        kept.add(phrase)
        total += matches[phrase]
    return [p for p in phrases if p in kept]


def content_terms(text: str) -> set[str]:
    """Stemmed content words of ``text``: what two sentences must share to say the same."""
    words = re.findall(r"[a-z0-9]+", text.lower())
    return {stem(w) for w in words if w not in STOPWORDS and len(w) > 2}


def stem(word: str) -> str:
    """A crude suffix strip, enough for "refused" to meet "refusing"."""
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word
