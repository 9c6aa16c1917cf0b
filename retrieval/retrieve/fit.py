"""Does the best decision answer the question, or is it only the nearest one?

Two signals, both about the best-ranked decision: how close its best passage
is in meaning (cosine similarity), and how many of the question's subject
words its text uses ("coverage": each word weighted by how specific it is in
English, so "knotweed" counts for much and "like" for little; the
organisation's name and the words every question uses do not count). A
question about a subject no decision covers ("Japanese knotweed next door")
still finds a nearest decision, but it is far in meaning and lacks the
subject's words. The thresholds were chosen by cross-validation (``python
bench/abstain.py``) so that answerable questions are almost never refused. A decision
that passes on one signal alone (close in meaning but using few of the question's words,
or the reverse) is given as a partial match: the answer says so first.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache

from wordfreq import zipf_frequency

from ingest.vocabulary.records import Decision, Reason
from retrieval.keywords import is_content_word, spoken_words, stem
from retrieval.types import DecisionHit, QueryPlan
from retrieval.understand.query import distinctive_words


@dataclass(frozen=True)
class AbstainRule:
    """Answer when the best passage is at least ``min_similarity`` close and either
    ``confident_similarity`` close or its decision covers ``min_coverage`` of the
    question's subject words."""

    min_similarity: float = 0.2  # the settings' OQA_MIN_RELEVANCE replaces it in the engine
    confident_similarity: float = 0.5
    min_coverage: float = 0.2


DEFAULT_RULE = AbstainRule()
MIN_SPECIFICITY = 0.5
# "isn't" must not leave "isn", a rare and so heavy "subject word" that no decision uses,
# and "mum's" is about "mum".
_CONTRACTION = re.compile(r"(?:n['’]t|['’](?:ve|re|d|ll|m))$")
_POSSESSIVE = re.compile(r"['’]s$")
_LETTERS_AND_DIGITS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")  # as content_terms splits


def subject_words(plan: QueryPlan) -> list[str]:
    """The question's content words, with the Ombudsman's term for a lay phrase it uses
    ("blue badge" for "disabled parking permit", as the keyword searches read it), less
    the names of the organisations it names and the contracted function words ("won't",
    "I've")."""
    names = (*plan.soft.organisations, plan.soft.unlisted_council)
    named = {w for name in names for w in distinctive_words(name)}
    spoken = spoken_words(plan.keyword_text or plan.text)
    words = [_POSSESSIVE.sub("", w) for w in spoken if not _CONTRACTION.search(w)]
    return [w for w in dict.fromkeys(words) if is_content_word(w) and w not in named]


@lru_cache(maxsize=50_000)
def specificity(word: str) -> float:
    """How much a word says about a subject: rare words ("knotweed", "allotment") a lot,
    everyday ones ("like", "door") little. From its frequency in English (wordfreq's Zipf
    scale, 0 for unknown words up to about 7.5 for "the")."""
    return max(MIN_SPECIFICITY, 7.0 - zipf_frequency(word, "en"))


def coverage(plan: QueryPlan, decision: Decision) -> float:
    """Share of the question's subject words the decision uses, each weighted by how
    specific it is."""
    return coverages(plan, {decision.ref: decision.text})[decision.ref]


def coverages(plan: QueryPlan, texts: Mapping[str, str]) -> dict[str, float]:
    """``coverage`` of each decision's text, by reference: the question's words are weighed
    once, and each text is searched for those words alone."""
    words = subject_words(plan)
    if not words:
        return dict.fromkeys(texts, 1.0)  # nothing to check the subject by
    weighted = [(stem(w), specificity(w)) for w in words]
    total = sum(weight for _, weight in weighted)
    finders = {term: re.compile(re.escape(term) + "[a-z0-9]*") for term, _ in weighted}
    out = {}
    for ref, text in texts.items():
        lowered = text.lower()
        used = {term for term, finder in finders.items() if _uses(finder, term, lowered)}
        out[ref] = sum(weight for term, weight in weighted if term in used) / total
    return out


def _uses(finder: re.Pattern[str], term: str, text: str) -> bool:
    """Whether ``text`` (lower case) has a word whose stem is ``term``: what
    ``content_terms(text)`` would say, without stemming every word of a long decision (for
    112 candidates that took 9 ms a question), and stopping at the first such word."""
    for found in finder.finditer(text):
        start = found.start()
        if start and text[start - 1] in _LETTERS_AND_DIGITS:
            continue  # the middle of a longer word
        word = found.group()
        if is_content_word(word) and stem(word) == term:
            return True
    return False


class Fit(Enum):
    """How well the best decision fits the question."""

    NONE = "none"  # no decision answers it: say so
    PARTIAL = "partial"  # one signal only: answer, but say it may be about another matter
    CLEAR = "clear"  # close in meaning and using the question's words, or named by reference


def answer_fit(
    plan: QueryPlan,
    hits: list[DecisionHit],
    decisions: dict[str, Decision],
    rule: AbstainRule = DEFAULT_RULE,
) -> Fit:
    """How well the best hit answers ``plan``'s question. Either signal alone is enough to
    answer, but on the real development questions such answers led with a wrong decision
    about half the time (against one in twelve when both agree), so they are only partial."""
    if not hits:
        return Fit.NONE
    if plan.filters.refs:
        return Fit.CLEAR
    top = hits[0]
    if top.similarity < rule.min_similarity:
        return Fit.NONE
    decision = decisions.get(top.ref)
    covered = decision is not None and coverage(plan, decision) >= rule.min_coverage
    close = top.similarity >= rule.confident_similarity
    if close and covered:
        return Fit.CLEAR
    return Fit.PARTIAL if close or covered else Fit.NONE


def is_answerable(
    plan: QueryPlan,
    hits: list[DecisionHit],
    decisions: dict[str, Decision],
    rule: AbstainRule = DEFAULT_RULE,
) -> bool:
    """Whether the best hit answers ``plan``'s question (a reference always does)."""
    return answer_fit(plan, hits, decisions, rule) is not Fit.NONE


def fitting_hits(
    plan: QueryPlan,
    hits: list[DecisionHit],
    decisions: dict[str, Decision],
    rule: AbstainRule = DEFAULT_RULE,
) -> list[DecisionHit]:
    """The best hit and those after it that answer the question too: a decision about
    something else is never quoted beside the answer as if it were "a similar decision"
    (soft hints lift, say, every decision of a named council, whatever its subject)."""
    top = hits[:1]
    return top + [
        hit
        for hit in hits[1:]
        if same_subject(top[0], hit) and is_answerable(plan, [hit], decisions, rule)
    ]


def same_subject(first: DecisionHit, other: DecisionHit) -> bool:
    """Same sub-area (or area, when a sub-area is missing). When either copy shows neither,
    a reason for not investigating that both give is the only common ground left to call
    them alike: sharing some of the question's words is not (a planning decision once stood
    as "a similar decision" beside an answer about a son's direct payments)."""
    for field in ("sub_category", "category"):
        mine, theirs = getattr(first, field), getattr(other, field)
        if mine and theirs:
            return bool(mine == theirs)
    return bool((set(first.reasons) & set(other.reasons)) - {Reason.OTHER})
