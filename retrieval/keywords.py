"""A question's content words for keyword search, and the stemmed words two sentences share."""

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


def query_words(text: str, max_terms: int = 24) -> list[str]:
    """The text's content words, for the keyword index (which analyses them as it analysed
    the decisions: stems, possessives)."""
    words = re.findall(r"[A-Za-z0-9£]+(?:['’][a-z]+)?", text.lower())
    terms = [w for w in dict.fromkeys(words) if w not in STOPWORDS and len(w) > 1]
    return terms[:max_terms]


def spoken_words(text: str) -> list[str]:
    """Lower-case words, each with its clitic ("isn't", "mum's"), so that a contraction is
    never split into a stray rare word ("isn")."""
    return re.findall(r"[a-z]+(?:['’][a-z]+)?", text.lower())


def content_terms(text: str) -> set[str]:
    """Stemmed content words of ``text``: what two sentences must share to say the same."""
    words = re.findall(r"[a-z0-9]+", text.lower())
    return {stem(w) for w in words if is_content_word(w)}


def is_content_word(word: str) -> bool:
    """Not a stop word, and longer than two letters (a lower-case word)."""
    return word not in STOPWORDS and len(word) > 2


def stem(word: str) -> str:
    """A crude suffix strip, enough for "refused" to meet "refusing"."""
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word
