"""The extractive answerer: every sentence of the reply quotes a retrieved passage and cites it.

Deterministic and grounded by construction. For "why not investigated" it
leads with the summary's stated reason, then names each reason in plain words
with the legal test behind it, then points to decisions that gave the same
reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ingest.parse.reasons import find_reasons
from ingest.vocabulary.outcomes import NOT_INVESTIGATED
from ingest.vocabulary.records import SUMMARY_SECTION, Decision
from retrieval.answering.citations import CitationList, statements
from retrieval.keywords import content_terms
from retrieval.labels import outcome_label, reason_label
from retrieval.retrieve.search import is_boilerplate
from retrieval.types import Citation, DecisionHit, Intent, QueryPlan
from retrieval.wording import test_of

NO_ANSWER = (
    "I could not find a decision in the index that answers this. Try describing the "
    "service and what went wrong, naming the council, or giving a decision reference "
    "(for example 24 020 817)."
)
# Leads an answer whose best decision fits the question only in part (retrieval.retrieve.fit).
PARTIAL_MATCH = (
    "The closest decision found matches this question only in part: check that it deals "
    "with the same matter as yours."
)
MAX_LEAD_SENTENCES = 3
MAX_OTHER_DECISIONS = 2
MAX_SIMILAR = 5  # similar decisions listed in an answer
_NOT_INVESTIGATING = re.compile(
    r"\b(will|did|do|could|can|would) not (start|investigat|look)", re.I
)


@dataclass
class Draft:
    """An answer in the making: lines of text, each ending with its citation markers."""

    citations: CitationList = field(default_factory=CitationList)
    lines: list[str] = field(default_factory=list)

    def add(self, decision: Decision, quote: str, section: str, intro: str) -> bool:
        """Add ``intro`` and then ``quote`` in quotation marks, citing it; False if it cannot be
        cited (not verbatim, or an instruction planted in the text: see CitationList.cite).

        Plain concatenation, never a format string: ``intro`` holds document text (a name, a
        heading) in which a ``{x}`` is just characters."""
        n = self.citations.cite(decision, quote, section)
        if n is None:
            return False
        self.lines.append(intro + "“" + quote + "” [" + str(n) + "]")
        return True

    def add_explanation(self, text: str) -> None:
        """A paragraph of our words whose claims already carry their [n] markers."""
        self.lines.append(text)

    def add_derived(self, text: str, n: int) -> None:
        """A sentence in our words, supported by the already-cited passage ``n``."""
        self.lines.append(f"{text} [{n}]")

    @property
    def text(self) -> str:
        return "\n\n".join(self.lines)

    @property
    def items(self) -> list[Citation]:
        return self.citations.citations


def nearest_subjects(hits: list[DecisionHit], count: int = 3) -> str:
    """What the nearest decisions are about, when none answers: a user sees what the index
    does hold (and may rephrase), without it being presented as the answer."""
    areas = [" > ".join(p for p in (h.category, h.sub_category) if p) for h in hits[:count]]
    named = [f"{area} ({hit.ref})" for area, hit in zip(areas, hits, strict=False) if area]
    if not named:
        return ""
    return " The nearest decisions in the index are about other subjects: " + "; ".join(named) + "."


class ExtractiveAnswerer:
    """Compose a cited answer from retrieved passages."""

    def compose(
        self,
        plan: QueryPlan,
        hits: list[DecisionHit],
        decisions: dict[str, Decision],
        focus: Decision | None = None,
    ) -> Draft:
        """``focus``: the decision a similar-intent question is about (hits are like it)."""
        draft = Draft()
        usable = [h for h in hits if h.ref in decisions]
        if not usable:
            return draft
        if focus is not None and plan.intent == Intent.SIMILAR:
            self._similar(draft, focus, usable, decisions)
        elif plan.intent == Intent.WHY_NOT:
            self._why_not(draft, plan, usable, decisions)
        elif plan.intent == Intent.LOOKUP:
            self._lookup(draft, plan, usable[0], decisions[usable[0].ref])
        else:
            self._general(draft, plan, usable, decisions)
        return draft

    def _why_not(
        self, draft: Draft, plan: QueryPlan, hits: list[DecisionHit], decisions: dict[str, Decision]
    ) -> None:
        top = decisions[hits[0].ref]
        lead = _reason_sentences(top)[:MAX_LEAD_SENTENCES] or _best_sentences(plan, hits[0], 2)
        investigated = top.outcome.value not in NOT_INVESTIGATED
        verb = (
            f"investigated this one ({outcome_label(top.outcome.value)}) and said"
            if investigated
            else "decided not to investigate"
        )
        for i, (quote, section) in enumerate(lead):
            intro = _intro(top, verb) if i == 0 else "It went on: "
            draft.add(top, quote, section, intro)
        # For an investigated decision the reasons concern only the parts left out.
        self._name_reasons(draft, top, "One part was not investigated" if investigated else "")
        # "gave this reason" is said only of a sentence that states one: a summary that
        # only tells the complaint (as a discontinued investigation's may) is no reason.
        others = [
            (decisions[h.ref], _stated_reasons(decisions[h.ref], named_only=True))
            for h in hits[1:]
            if h.outcome in NOT_INVESTIGATED and h.reasons
        ]
        for decision, stated in [(d, s) for d, s in others if s][:MAX_OTHER_DECISIONS]:
            quote, section = stated[0]
            intro = f"A similar decision, {_name(decision)}, gave this reason: "
            draft.add(decision, quote, section, intro)

    def _similar(
        self, draft: Draft, focus: Decision, hits: list[DecisionHit], decisions: dict[str, Decision]
    ) -> None:
        """The decision in focus in one quoted sentence, then each similar one in one."""
        for quote, section in _lead_sentences(focus)[:1]:
            draft.add(
                focus, quote, section, f"Decisions like {_name(focus)}, which said: "
            )
        for hit in hits[:MAX_SIMILAR]:
            decision = decisions[hit.ref]
            why = "; ".join(hit.why_similar)
            intro = f"{_name(decision)}, {outcome_label(hit.outcome)}{f' ({why})' if why else ''}"
            for quote, section in _lead_sentences(decision)[:1]:
                draft.add(decision, quote, section, intro + ": ")

    def _name_reasons(self, draft: Draft, decision: Decision, lead_in: str = "") -> None:
        """The reasons in plain words (each cited), then the legal test, what it means and
        what could be done next, from the reviewed sentences: one short explanation."""
        named: list[tuple[str, int]] = []
        for reason in decision.reasons:
            support = sentence_stating(decision, reason.value)
            n = draft.citations.cite(decision, *support) if support else None
            if n is not None:
                named.append((reason.value, n))
        if named:
            draft.add_explanation(_explain(named, lead_in or "In plain words"))

    def _lookup(self, draft: Draft, plan: QueryPlan, hit: DecisionHit, decision: Decision) -> None:
        header = (
            f"Decision {decision.ref} ({decision.organisation}, "
            f"{outcome_label(decision.outcome.value)}"
            f"{', ' + decision.date.strftime('%-d %B %Y') if decision.date else ''})"
        )
        summary = statements(decision.summary)[:MAX_LEAD_SENTENCES]
        for i, quote in enumerate(summary):
            prefix = f"{header}: " if i == 0 else "The summary goes on: "
            draft.add(decision, quote, SUMMARY_SECTION, prefix)
        if decision.reasons:
            self._name_reasons(draft, decision)
        for quote, section in _best_sentences(plan, hit, 2, skip_summary=bool(summary)):
            draft.add(decision, quote, section, f"It also says ({section}): ")

    def _general(
        self, draft: Draft, plan: QueryPlan, hits: list[DecisionHit], decisions: dict[str, Decision]
    ) -> None:
        for hit in hits[:3]:
            decision = decisions[hit.ref]
            for quote, section in _best_sentences(plan, hit, 1):
                draft.add(
                    decision,
                    quote,
                    section,
                    f"In {_name(decision)}, {outcome_label(hit.outcome)}: ",
                )


def _explain(named: list[tuple[str, int]], lead_in: str) -> str:
    """``[(reason, n), ...]`` → "In plain words: X [2] and Y [3]. The law behind them: ...".

    The cited part names each reason; the rest comes from explanations.toml (the test,
    its law, what it means and what could be done next, for the first reason given).
    """
    reasons = _listed([f"{reason_label(reason)} [{n}]" for reason, n in named])
    tests = [t for t in dict.fromkeys(test_of(reason) for reason, _ in named) if t and t.basis]
    text = f"{lead_in}: {reasons}."
    if not tests:
        return text
    laws = _listed(list(dict.fromkeys(t.basis for t in tests)))
    first = tests[0]
    return (
        f"{text} The law behind {'it' if len(named) == 1 else 'them'}: {laws}. "
        f"What it means: {first.meaning} What could be done next: {first.next_step}"
    )


def _listed(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def _name(decision: Decision) -> str:
    return f"{decision.ref} ({decision.organisation})"


def _intro(decision: Decision, verb: str) -> str:
    return f"In {_name(decision)}, the Ombudsman {verb}: "


def _stated_reasons(decision: Decision, named_only: bool = False) -> list[tuple[str, str]]:
    """Summary sentences that say the complaint was not investigated, and why. With
    ``named_only``, only those that name a reason ("…because it is late"): "We will not
    investigate Mrs Y's complaint about the extension" says what, not why."""
    return [
        (quote, SUMMARY_SECTION)
        for quote in statements(decision.summary)
        if find_reasons(quote) or (not named_only and _NOT_INVESTIGATING.search(quote))
    ]


def _reason_sentences(decision: Decision) -> list[tuple[str, str]]:
    """The stated reasons, or for a decision not investigated whose summary states none, the
    summary's first two sentences (what the decision is about, to lead its answer with)."""
    found = _stated_reasons(decision)
    if not found and decision.outcome.value in NOT_INVESTIGATED:
        found = [(q, SUMMARY_SECTION) for q in statements(decision.summary)[:2]]
    return found


def _lead_sentences(decision: Decision) -> list[tuple[str, str]]:
    """The stated reason of a decision not investigated, else its summary's first sentence."""
    reasons = _reason_sentences(decision)
    return reasons or [(q, SUMMARY_SECTION) for q in statements(decision.summary)[:1]]


def sentence_stating(decision: Decision, reason: str) -> tuple[str, str] | None:
    """The first sentence (summary, then the closing sections) that gives ``reason``."""
    candidates = [(q, SUMMARY_SECTION) for q in statements(decision.summary)]
    for part in reversed(decision.sections):  # Final decision / assessment come last
        for paragraph in part.paragraphs:
            candidates += [(q, part.heading) for q in statements(paragraph.text)]
    for quote, section in candidates:
        if reason in {r.value for r in find_reasons(quote)}:
            return quote, section
    return None


def _best_sentences(
    plan: QueryPlan, hit: DecisionHit, limit: int, skip_summary: bool = False
) -> list[tuple[str, str]]:
    """Sentences of the hit's passages sharing most words with the question."""
    wanted = content_terms(plan.text)
    scored = []
    for passage_rank, passage in enumerate(hit.passages):
        if skip_summary and passage.section == SUMMARY_SECTION:
            continue
        for position, quote in enumerate(statements(passage.text)):
            overlap = len(wanted & content_terms(quote))
            # Case-specific text beats the standard paragraphs; then more shared words;
            # then earlier passages and sentences.
            specific = not is_boilerplate(passage.section)
            scored.append((specific, overlap, -passage_rank, -position, quote, passage.section))
    scored.sort(reverse=True)
    return [(quote, section) for *_, quote, section in scored[:limit]]
