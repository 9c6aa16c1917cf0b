"""Counting questions, answered with counts over the index and cited example decisions.

"How often does Northmoor council get complaints upheld about school
transport?" → the decisions of that organisation in that area (both
understood by retrieval.understand.query), counted by outcome, with a few of them quoted.
Every line carries [n] markers: the count sentences are ours, derived from
the decisions they cite, and say so; the example lines quote the decisions'
own summaries. The answer always says that the counts cover the decisions in
the index, not all complaints the Ombudsman received.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from ingest.parse.reasons import find_reasons
from ingest.storage import Store
from ingest.vocabulary.filters import DecisionFilter
from ingest.vocabulary.outcomes import (
    NOT_INVESTIGATED_GROUP,
    NOT_UPHELD,
    OUTCOME_GROUPS,
    UPHELD,
    outcome_group,
)
from ingest.vocabulary.records import SUMMARY_SECTION, Decision
from retrieval.answering.citations import CitationList, sentences
from retrieval.labels import outcome_label, reason_label
from retrieval.organisation.names import variant_groups
from retrieval.organisation.profile import OutcomeCounts, count_outcomes, row_reasons
from retrieval.types import NOT_SHOWN_WORDS, Answer, Citation, QueryPlan, SearchResult

MAX_EXAMPLES = 4
MAX_REASONS = 4

_ASKED = (  # which outcome the question is about, to quote one of those first
    (re.compile(r"\bnot upheld\b|\bno fault\b|\brejected\b", re.I), NOT_UPHELD),
    (re.compile(r"\bupheld\b|\bupholds?\b|\bfound (?:at )?fault\b|\bwins?\b", re.I), UPHELD),
    (
        re.compile(r"\bnot investigat\w*|\brefus\w*|\bturn\w* down|\bdeclin\w*", re.I),
        NOT_INVESTIGATED_GROUP,
    ),
)
_TELLING = {  # the summary sentence that best shows each kind of outcome
    UPHELD: re.compile(r"\bfault\b|\bagreed to\b|\buphold\b", re.I),
    NOT_UPHELD: re.compile(r"\bno fault\b|\bnot at fault\b|\bdid not find\b|\bnot uphold\b", re.I),
    NOT_INVESTIGATED_GROUP: re.compile(r"\b(?:will|did|do) not (?:investigat|start)", re.I),
}


@dataclass(frozen=True)
class Scope:
    """What is being counted: a filter and its description in words."""

    filters: DecisionFilter
    organisations: tuple[str, ...]  # display names, variants merged
    areas: tuple[str, ...]

    def describe(self) -> str:
        parts = ["decisions"]
        if self.areas:
            parts.append(f"about {' or '.join(self.areas)}")
        if self.organisations:
            parts.append(f"involving {' or '.join(self.organisations)}")
        if self.filters.date_from or self.filters.date_to:
            parts.append(f"dated {self.filters.date_from or '…'} to {self.filters.date_to or '…'}")
        return " ".join(parts)


def stats_answer(store: Store, question: str, plan: QueryPlan, search: SearchResult) -> Answer:
    """Counts by outcome over the decisions the question scopes, with cited examples."""
    scope = question_scope(store, plan)
    rows = store.records.decision_rows(scope.filters)
    if not rows:
        text = (
            f"This index holds no {scope.describe()}, so there is nothing to count. The index "
            "holds published decisions only, not every complaint the Ombudsman received."
        )
        return Answer(question, text, [], search, answered=False)
    guessed = _guessed_areas(plan, scope)
    examples = pick_examples(by_relevance(rows, search), asked_group(question), guessed)
    decisions = store.records.decisions(row["ref"] for row in examples)
    citations = CitationList()
    found = [(row, _cite_example(decisions[row["ref"]], citations)) for row in examples]
    cited = [(row, citation) for row, citation in found if citation is not None]
    if not cited:  # nothing verbatim to cite: no uncited numbers either
        return Answer(question, _no_quote(scope), [], search, answered=False)
    lines = [_count_line(scope, rows, cited, guessed, _not_countable(store, scope))]
    lines += _reasons_line(rows, cited)
    lines += [_example_line(decisions[row["ref"]], citation, scope) for row, citation in cited]
    lines.append(_scope_line(scope, cited))
    return Answer(question, "\n\n".join(lines), citations.citations, search, answered=True)


def question_scope(store: Store, plan: QueryPlan) -> Scope:
    """What to count: the user's filters, plus organisations, areas and dates the question
    names outright. An area guessed from lay words ("bins") is never a counting filter:
    it ranks, and counting over a wrong guess would report wrong numbers as fact. The
    outcome is what is being counted, so "how many upheld complaints" counts every outcome
    and reports the upheld ones among them. ``Scope.describe`` says what was counted.
    """
    named = set(plan.filters.organisations) | set(plan.soft.organisations)
    groups = [g for g in variant_groups(store.records.facet("organisation")) if named & set(g)]
    sub_areas = plan.filters.sub_categories or tuple(
        c for c in plan.soft.categories if re.search(rf"\b{re.escape(c)}\b", plan.text, re.I)
    )
    filters = DecisionFilter(
        refs=plan.filters.refs,
        organisations=tuple(name for group in groups for name in group),
        categories=plan.filters.categories,
        sub_categories=sub_areas,
        reasons=plan.filters.reasons,
        date_from=plan.filters.date_from or plan.soft.dates[0],
        date_to=plan.filters.date_to or plan.soft.dates[1],
    )
    return Scope(filters, tuple(g[0] for g in groups), (*plan.filters.categories, *sub_areas))


def _guessed_areas(plan: QueryPlan, scope: Scope) -> tuple[str, ...]:
    """Areas read from the question's everyday words ("care homes"), which rank but do not
    scope the count."""
    return tuple(c for c in plan.soft.categories if c not in scope.areas)


def by_relevance(rows: list[dict[str, str]], search: SearchResult) -> list[dict[str, str]]:
    """The counted rows, those the search found first, in its order, then the rest as they
    were (newest first): the quoted examples should be about what was asked."""
    rank = {hit.ref: i for i, hit in enumerate(search.hits)}
    return sorted(rows, key=lambda row: rank.get(row["ref"], len(rank)))


def filed_under(row: dict[str, str], areas: tuple[str, ...]) -> bool:
    return row["category"] in areas or row["sub_category"] in areas


def _not_countable(store: Store, scope: Scope) -> str:
    """How many decisions the scope's area or organisation could not count, because their
    copies do not show it ("" when none)."""
    parts = []
    for column, n in store.records.left_out_unseen(scope.filters).items():
        one, many = NOT_SHOWN_WORDS[column]
        if n:
            fit = (
                f"decision that otherwise fits {one}"
                if n == 1
                else f"decisions that otherwise fit {many}"
            )
            parts.append(f"{n} {fit}, so could not be counted by it")
    return "; ".join(parts)


def asked_group(question: str) -> str | None:
    return next((group for pattern, group in _ASKED if pattern.search(question)), None)


def pick_examples(
    rows: list[dict[str, str]], asked: str | None, areas: tuple[str, ...] = ()
) -> list[dict[str, str]]:
    """Examples from the decisions filed under ``areas`` first (even where the count is
    not limited to them, they are what the question is about), then from the others."""
    filed = [row for row in rows if filed_under(row, areas)]
    others = [row for row in rows if not filed_under(row, areas)]
    return (_one_per_outcome(filed, asked) + _one_per_outcome(others, asked))[:MAX_EXAMPLES]


def _one_per_outcome(rows: list[dict[str, str]], asked: str | None) -> list[dict[str, str]]:
    """The first decision of the asked outcome, then of each other outcome, then the rest,
    in ``rows``' order."""
    order = [asked, *(g for g in OUTCOME_GROUPS if g != asked)] if asked else OUTCOME_GROUPS
    picked: list[dict[str, str]] = []
    for group in order:
        first = next((r for r in rows if outcome_group(r["outcome"]) == group), None)
        if first is not None:
            picked.append(first)
    return picked + [row for row in rows if row not in picked]


def _cite_example(decision: Decision, citations: CitationList) -> Citation | None:
    quote, section = telling_sentence(decision)
    n = citations.cite(decision, quote, section) if quote else None
    return citations.citations[n - 1] if n else None


def telling_sentence(decision: Decision) -> tuple[str, str]:
    """The summary sentence that shows the outcome (else the summary's first sentence)."""
    summary = sentences(decision.summary)
    if not summary:
        first = next((p for s in decision.sections for p in s.paragraphs), None)
        quotes = sentences(first.text) if first else []
        heading = decision.sections[0].heading if quotes else ""
        return (quotes[0], heading) if quotes else ("", "")
    pattern = _TELLING.get(outcome_group(decision.outcome.value))
    for quote in summary:
        if pattern and pattern.search(quote):
            return quote, SUMMARY_SECTION
        if outcome_group(decision.outcome.value) == NOT_INVESTIGATED_GROUP and find_reasons(quote):
            return quote, SUMMARY_SECTION
    return summary[0], SUMMARY_SECTION


Cited = list[tuple[dict[str, str], Citation]]  # example rows and the quote each is cited by


def _marks(cited: Cited) -> str:
    return "".join(f"[{citation.n}]" for _, citation in cited)


def _count_line(
    scope: Scope,
    rows: list[dict[str, str]],
    cited: Cited,
    guessed: tuple[str, ...],
    not_countable: str,
) -> str:
    counts = count_outcomes(rows)
    source = (
        "counted from the decisions quoted below"
        if len(cited) == len(rows)
        else f"counted from all {len(rows)}; the {len(cited)} quoted below are examples"
    )
    subject = scope.describe()
    if len(rows) == 1:
        subject = subject.replace("decisions", "decision", 1)
    if not scope.areas:  # an unrecognised topic ("pigeons") must not pass as counted
        source += "; the question names no area of complaint, so all areas count"
        if guessed:  # a guess must not pass as counted either, but the user can choose it
            source += f"; its words suggest {' or '.join(guessed)}"
            if any(filed_under(row, guessed) for row, _ in cited):
                source += ", whose decisions are quoted first"
            source += ": choose that area as a filter to count only its decisions"
    if not_countable:
        source += f"; {not_countable}"
    return (
        f"This index holds {len(rows)} {subject} ({source}): "
        f"{_breakdown(counts)}{_share(counts)}. {_marks(cited)}"
    )


def _breakdown(counts: OutcomeCounts) -> str:
    parts = [
        f"{counts.upheld} upheld",
        f"{counts.not_upheld} not upheld",
        f"{counts.not_investigated} not investigated",
    ]
    if counts.unknown:
        parts.append(f"{counts.unknown} with no stated outcome")
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def _share(counts: OutcomeCounts) -> str:
    share = counts.upheld_share
    if share is None:
        return "; none was investigated, so there is no uphold rate to give"
    return (
        f"; of the {counts.investigated} investigated, {counts.upheld} "
        f"({share:.0%}) {'was' if counts.upheld == 1 else 'were'} upheld"
    )


def _reasons_line(rows: list[dict[str, str]], cited: Cited) -> list[str]:
    """The reasons for not investigating, counted, citing the examples that give one."""
    reasons = Counter(r for row in rows for r in row_reasons(row))
    support = [(row, citation) for row, citation in cited if row_reasons(row)]
    if not reasons or not support:
        return []
    named = "; ".join(f"{reason_label(r)} ({n})" for r, n in reasons.most_common(MAX_REASONS))
    return [
        "Where all or part of a complaint was not investigated, the reasons most often given "
        f"were: {named}. {_marks(support)}"
    ]


def _example_line(decision: Decision, citation: Citation, scope: Scope) -> str:
    who = "" if scope.organisations else f"{decision.organisation}, "
    when = f", {decision.date.strftime('%-d %B %Y')}" if decision.date else ""
    label = outcome_label(decision.outcome.value)
    return f"- {decision.ref} ({who}{label}{when}): “{citation.quote}” [{citation.n}]"


def _scope_line(scope: Scope, cited: Cited) -> str:
    about = f" about {' or '.join(scope.organisations)}" if scope.organisations else ""
    return (
        "These counts cover only the decisions in this index, not all the complaints the "
        f"Ombudsman received{about}: it publishes decision statements for only some of the "
        f"complaints it decides. {_marks(cited)}"
    )


def _no_quote(scope: Scope) -> str:
    return (
        f"The index holds {scope.describe()}, but none has text I can quote, so I will not "
        "give counts I cannot cite."
    )
