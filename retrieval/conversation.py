"""Follow-up questions: rewrite one into a stand-alone query using the conversation so far.

The deterministic rewriter (always available) finds what the last answer was
about - the decision it cited first or was asked about, and the organisation
and dates it was filtered on - and carries that into a question that leans on
it ("why was that?", "any similar ones?", "what did the council agree to
do?"). A question that stands on its own (it names a decision, describes a
situation of the asker's own, or has enough words of its own) is left alone.

With a chat model, the model rewrites instead, from the questions and the
decisions cited (never the answer text, which quotes decisions and could carry
instructions); a failed or implausible rewrite falls back to the deterministic
one.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage, SystemMessage

from ingest.normalise import find_refs
from ingest.storage import DecisionFilter
from retrieval.keywords import content_terms
from retrieval.labels import NOT_INVESTIGATED, outcome_label
from retrieval.llm import LLMFailure, complete
from retrieval.types import Answer, QueryPlan, Turn

log = logging.getLogger(__name__)

MAX_OWN_TERMS = 3  # a question with more content words of its own is about something new
HISTORY_TURNS = 3  # turns shown to an LLM rewriter

_LEAD_IN = re.compile(r"^\s*(?:and|but|so|also|then|what about|how about|ok(?:ay)?)\b", re.I)
# Words that can only point back at something already said.
_STRONG_POINTER = re.compile(
    r"\b(?:that|this|it|its|they|them|their|those|these|he|she|his|her|the same|ones?|"
    r"next|instead|after that|in the end)\b",
    re.I,
)
# Words that usually point back, but every question about a council may use them.
_WEAK_POINTER = re.compile(
    r"\b(?:the (?:council|decision|complaint|provider|outcome|ombudsman|investigator))\b", re.I
)
# "the data breach part", "the repayment": a definite thing, so one already spoken of.
_DEFINITE = re.compile(r"\bthe\b", re.I)
_PART = re.compile(r"\b(?:part|bit|side|aspect|point)\b", re.I)
_PLURAL = re.compile(r"\b(?:them|those|these|which ones|any of|how many|all of)\b", re.I)
_FIRST_PERSON = re.compile(r"\b(?:i|i'm|i've|me|my|mine|we|our|us)\b", re.I)
_SIMILAR = re.compile(
    r"\b(?:similar|like (?:that|this|it)|same kind|comparable|others? like)\b", re.I
)
_BARE_WHY = re.compile(
    r"^\s*(?:and |so |but )?(?:why|how come)\b(?:\s+(?:was|is|did|were|does|that|this|it|"
    r"not|they|so|the case|happen|happened|do))*\s*[?.!]*\s*$",
    re.I,
)
# Words that only point back ("part", "ones") or carry no topic ("should", "yet").
_NON_TOPIC_TERMS = content_terms(
    "one ones part parts bit similar same next happen happened else other instead should "
    "must might yet now still ever always really much many did does done"
)
# Words about what a decision did rather than what it was about: a question made of these
# ("what did the council agree to do?") asks about the decision in focus.
_PROCEDURE_TERMS = content_terms(
    "agree agreed apologise apologised apology pay paid remedy remedies recommend recommended "
    "outcome reason reasons decide decided fault found finding findings injustice upheld long "
    "take took time result action actions wrong right evidence conclude concluded"
)

REWRITE_PROMPT = """You rewrite the last question of a conversation about Ombudsman decisions \
into one stand-alone search question. Resolve words such as "that", "it", "the council" or \
"similar ones" using the conversation, and keep the decision reference (like 24 020 817) or \
organisation they point to. If the question already stands alone, return it unchanged. Reply \
with the question only, on one line."""


@dataclass(frozen=True)
class Focus:
    """What the conversation was last about."""

    ref: str | None
    outcome: str
    filters: DecisionFilter
    explicit_ref: bool  # the user asked about this decision, not just got it cited
    terms: frozenset[str] = frozenset()  # content words of what the answer showed of it


def rewrite(
    question: str,
    history: Sequence[Turn],
    model: BaseChatModel | None = None,
    timeout_s: float = 30.0,
) -> str:
    """``question`` as a stand-alone query (unchanged when it needs no history)."""
    fallback = resolve(question, history)
    if model is None or not history:
        return fallback
    try:
        rewritten = _clean(complete(model, _rewrite_messages(question, history), timeout_s))
    except LLMFailure as failure:
        log.info("LLM rewrite failed (%s); using the deterministic rewrite", failure.kind)
        return fallback
    if not _plausible(rewritten, question) or (find_refs(fallback) and not find_refs(rewritten)):
        return fallback  # a small model that drops the decision in focus loses the thread
    return question if _same(rewritten, question) else rewritten


def resolve(question: str, history: Sequence[Turn]) -> str:
    """The deterministic rewrite."""
    focus = current_focus(history)
    if focus is None or not is_follow_up(question, focus):
        return question
    bare = _LEAD_IN.sub("", question).strip(" ,?.!") or question.strip(" ?")
    if focus.ref and _SIMILAR.search(question):
        return f"decisions similar to {focus.ref}"
    if focus.ref and _BARE_WHY.match(question):
        return f"why was {focus.ref} {_outcome_phrase(focus.outcome)}?"
    if _PLURAL.search(question) and not focus.explicit_ref and _carried(focus.filters):
        return f"{bare} ({_carried(focus.filters)})"
    if focus.ref:
        return f"{bare} in decision {focus.ref}?"
    carried = _carried(focus.filters)
    return f"{bare} ({carried})" if carried else question


def is_follow_up(question: str, focus: Focus | None = None) -> bool:
    """Does the question lean on the conversation rather than stand alone?"""
    if find_refs(question):
        return False
    own = content_terms(question) - _NON_TOPIC_TERMS
    if _FIRST_PERSON.search(question) and len(own) >= 2:
        return False  # the asker describing their own situation: a new topic
    if not own:
        return True
    if len(own) > MAX_OWN_TERMS:
        return False
    if _STRONG_POINTER.search(question) or _PART.search(question):
        return True
    lead_in = bool(_LEAD_IN.search(question))
    if lead_in or _WEAK_POINTER.search(question):
        # "and what about the repayment?" continues; "what about parking fines?" does not.
        related = focus is not None and bool(own & focus.terms)
        definite = lead_in and bool(_DEFINITE.search(question))
        return related or definite or own <= _PROCEDURE_TERMS
    return False


def current_focus(history: Sequence[Turn]) -> Focus | None:
    """The decision and filters of the latest answer that had any."""
    for turn in reversed(history):
        answer = turn.answer
        if answer is None:
            continue
        refs = answer.search.plan.filters.refs
        ref = refs[0] if len(refs) == 1 else (answer.citations[0].ref if answer.citations else None)
        filters = _scope(answer.search.plan)
        if ref or not filters.is_empty:
            return Focus(
                ref, _outcome_of(answer, ref), filters, len(refs) == 1, _terms_of(answer, ref)
            )
    return None


def _scope(plan: QueryPlan) -> DecisionFilter:
    """What the turn was about: the hard filters, with the organisations and dates it named
    (carried as words, so that the next turn understands them again as soft hints)."""
    hard, soft = plan.filters, plan.soft
    return replace(
        hard,
        organisations=hard.organisations or soft.organisations,
        date_from=hard.date_from or soft.dates[0],
        date_to=hard.date_to or soft.dates[1],
    )


def _terms_of(answer: Answer, ref: str | None) -> frozenset[str]:
    texts = [c.paragraph_text for c in answer.citations if c.ref == ref]
    texts += [p.text for hit in answer.search.hits if hit.ref == ref for p in hit.passages]
    return frozenset(content_terms(" ".join(texts)))


def _outcome_of(answer: Answer, ref: str | None) -> str:
    for citation in answer.citations:
        if citation.ref == ref and citation.outcome:
            return citation.outcome
    return next((hit.outcome for hit in answer.search.hits if hit.ref == ref), "")


def _outcome_phrase(outcome: str) -> str:
    if outcome in NOT_INVESTIGATED:
        return "not investigated"
    return outcome_label(outcome) if outcome else "decided that way"


def _carried(filters: DecisionFilter) -> str:
    """The filters in focus, written so that query understanding finds them again."""
    parts = list(filters.organisations)
    start, end = filters.date_from, filters.date_to
    if start and end and start[:4] == end[:4]:
        parts.append(f"decided in {start[:4]}")
    elif start and end:
        parts.append(f"between {start[:4]} and {end[:4]}")
    elif start:
        parts.append(f"since {start[:4]}")
    elif end:
        parts.append(f"before {int(end[:4]) + 1}")
    return ", ".join(parts)


def _rewrite_messages(question: str, history: Sequence[Turn]) -> list:
    lines = []
    for turn in history[-HISTORY_TURNS:]:
        lines.append(f"User: {turn.question}")
        if turn.answer is not None and turn.answer.citations:
            cited = dict.fromkeys(f"{c.ref} ({c.organisation})" for c in turn.answer.citations)
            lines.append("Decisions cited in the reply: " + "; ".join(list(cited)[:3]))
    conversation = "\n".join(lines)
    human = f"Conversation so far:\n{conversation}\n\nLast question: {question}\n"
    return [SystemMessage(REWRITE_PROMPT), HumanMessage(human + "Stand-alone question:")]


def _clean(reply: str) -> str:
    line = next((ln for ln in reply.strip().splitlines() if ln.strip()), "")
    line = re.sub(r"^\s*(?:stand-alone question|question)\s*:\s*", "", line, flags=re.I)
    return line.strip().strip("\"“”'").strip()


def _same(a: str, b: str) -> bool:
    """Equal but for case, spacing and punctuation ("Why?" and "why")."""
    return re.sub(r"\W+", " ", a).strip().lower() == re.sub(r"\W+", " ", b).strip().lower()


def _plausible(rewritten: str, question: str) -> bool:
    return 3 <= len(rewritten) <= max(300, 3 * len(question))
