"""The complaint pre-check: which of the Ombudsman's tests may matter, and what decisions show.

Given a situation in the person's words and the tests their answers point to
(``explanations.toml``'s questions), it finds published decisions like the
situation and reports, per test: similar decisions where that reason was given,
each with the sentence stating it (cited); similar decisions that were
investigated although a sentence outside the standard paragraphs raises the test
("overcome": not where it left a part out); and, for all, how similar decisions
ended, with counts. It never predicts: it says what the decisions show. Built on
the engine's public API (``similar``, ``decision``) and ``ingest.parse.reasons``; the
ranking is the engine's.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ingest.parse.reasons import find_reasons
from ingest.vocabulary.filters import DecisionFilter
from ingest.vocabulary.records import SUMMARY_SECTION, Decision, Outcome
from retrieval.answering.citations import CitationList, sentences
from retrieval.answering.extractive import sentence_stating
from retrieval.engine import Engine
from retrieval.retrieve.search import is_boilerplate
from retrieval.types import Citation, DecisionHit, SimilarResult
from retrieval.wording import LegalTest, explanations

SIMILAR_K = 20  # the pool counts are taken over
PER_TEST = 3  # decisions shown for each test
INVESTIGATED = (Outcome.UPHELD.value, Outcome.NOT_UPHELD.value)
_LEFT_OUT = re.compile(r"\bnot (?:start|investigat|look|consider)", re.IGNORECASE)


@dataclass(frozen=True)
class Example:
    """A published decision and its sentence that matters here, cited."""

    hit: DecisionHit
    citation: Citation


@dataclass(frozen=True)
class Finding:
    """One test that may apply, with the similar decisions where it was given or overcome."""

    test: LegalTest
    given: list[Example]
    overcome: list[Example]
    given_in_pool: int  # of the SIMILAR_K most similar decisions, how many gave this reason
    given_in_index: int  # decisions in the whole index that gave it


@dataclass(frozen=True)
class Precheck:
    situation: str
    findings: list[Finding]
    pool: SimilarResult  # the most similar decisions, whatever their outcome (for counts)
    investigated: list[Example]  # similar decisions that were investigated: what they found


def reasons_from_answers(answers: dict[str, str]) -> list[str]:
    """The tests the chosen answers point to (question key → option label), in file order."""
    flagged: list[str] = []
    for question in explanations().questions:
        for option in question.options:
            if option.label == answers.get(question.key):
                flagged += [r for r in option.reasons if r not in flagged]
    return flagged


def precheck(engine: Engine, situation: str, reasons: Sequence[str]) -> Precheck:
    """What published decisions show for ``situation`` and each test in ``reasons``."""
    pool = engine.similar(text=situation, k=SIMILAR_K)
    in_index = engine.index.store.records.facet("reason")
    findings = [
        _finding(engine, situation, reason, pool, in_index.get(reason, 0)) for reason in reasons
    ]
    investigated = engine.similar(
        text=situation, k=PER_TEST, filters=DecisionFilter(outcomes=INVESTIGATED)
    )
    return Precheck(situation, findings, pool, _summaries(engine, investigated.hits))


def _finding(
    engine: Engine, situation: str, reason: str, pool: SimilarResult, in_index: int
) -> Finding:
    test = explanations().tests[reason]
    given = engine.similar(text=situation, k=PER_TEST, filters=DecisionFilter(reasons=(reason,)))
    examples = [_stating(engine, hit, reason) for hit in given.hits]
    others = [hit for hit in pool.hits if hit.ref not in {h.ref for h in given.hits}]
    return Finding(
        test=test,
        given=[e for e in examples if e is not None],
        overcome=_overcome(engine, others, reason),
        given_in_pool=pool.reason_counts.get(reason, 0),
        given_in_index=in_index,
    )


def _stating(engine: Engine, hit: DecisionHit, reason: str) -> Example | None:
    decision = engine.decision(hit.ref)
    found = sentence_stating(decision, reason) if decision else None
    return _cited(hit, decision, *found) if decision and found else None


def _overcome(engine: Engine, hits: Iterable[DecisionHit], reason: str) -> list[Example]:
    """Investigated decisions whose own words (not the standard paragraphs) raise the test
    although they do not give it as a reason (one that does left that part out)."""
    found: list[Example] = []
    for hit in hits:
        if hit.outcome not in INVESTIGATED or reason in hit.reasons or len(found) >= PER_TEST:
            continue
        decision = engine.decision(hit.ref)
        quote = _raising(decision, reason) if decision else None
        example = _cited(hit, decision, *quote) if decision and quote else None
        found += [example] if example else []
    return found


def _raising(decision: Decision, reason: str) -> tuple[str, str] | None:
    """A sentence raising the test in a paragraph that does not leave something out for it."""
    for section in decision.sections:
        if is_boilerplate(section.heading):
            continue
        for paragraph in section.paragraphs:
            if _LEFT_OUT.search(paragraph.text):
                continue  # "I have not investigated this": the test applied, not overcome
            for quote in sentences(paragraph.text):
                if reason in {r.value for r in find_reasons(quote)}:
                    return quote, section.heading
    return None


def _summaries(engine: Engine, hits: Iterable[DecisionHit]) -> list[Example]:
    """Each investigated decision's finding, in its summary's first sentence."""
    found: list[Example] = []
    for hit in hits:
        decision = engine.decision(hit.ref)
        lead = sentences(decision.summary)[:1] if decision else []
        example = _cited(hit, decision, lead[0], SUMMARY_SECTION) if decision and lead else None
        found += [example] if example else []
    return found


def _cited(hit: DecisionHit, decision: Decision, quote: str, section: str) -> Example | None:
    citations = CitationList()
    n = citations.cite(decision, quote, section)
    return Example(hit, citations.citations[0]) if n else None
