"""The Engine: the three things users come for, over one opened index.

``search`` (ranked decisions with their best passages), ``answer`` (a cited
reply), ``similar`` (decisions like a given one or a described situation).
Thread-safe for readers: the store and the model guard their own state.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import cached_property
from pathlib import Path
from typing import Any

from ingest.normalise import canonical_ref
from ingest.records import Decision
from ingest.settings import Settings, get_settings
from ingest.store import DecisionFilter
from retrieval.answerers import NO_ANSWER, ExtractiveAnswerer, is_answerable
from retrieval.chain import answer_chain
from retrieval.errors import QuestionError, UnknownReferenceError
from retrieval.index import Index, open_index
from retrieval.query import Vocabulary, plan_query, with_filters
from retrieval.search import search_plan
from retrieval.similar import overview, similar_to_decision, similar_to_text
from retrieval.types import (
    Answer,
    FilterOptions,
    QueryPlan,
    SearchResult,
    SimilarResult,
    Turn,
)


class Engine:
    def __init__(self, index: Index) -> None:
        self.index = index
        self.settings = index.settings
        self.answerer = ExtractiveAnswerer()
        self._chain = answer_chain(self._understand, self._retrieve, self._compose)

    # --- public API -----------------------------------------------------------
    def plan(self, question: str, filters: DecisionFilter | None = None) -> QueryPlan:
        self._check_question(question)
        return with_filters(plan_query(question, self.vocabulary), filters)

    def search(
        self, query: str, k: int | None = None, filters: DecisionFilter | None = None
    ) -> SearchResult:
        plan = self.plan(query, filters)
        hits = search_plan(self.index, plan, k or self.settings.results_k)
        return SearchResult(query=query, plan=plan, hits=hits)

    def answer(
        self, question: str, filters: DecisionFilter | None = None, history: Sequence[Turn] = ()
    ) -> Answer:
        return self._chain.invoke(
            {"question": question, "filters": filters, "history": list(history)}
        )

    def stream_answer(
        self, question: str, filters: DecisionFilter | None = None, history: Sequence[Turn] = ()
    ) -> Iterator[str | Answer]:
        """Text pieces as they are ready, then the finished Answer."""
        answer = self.answer(question, filters, history)
        for line in answer.text.split("\n\n"):
            yield line + "\n\n"
        yield answer

    def similar(
        self,
        ref: str | None = None,
        text: str | None = None,
        k: int | None = None,
        filters: DecisionFilter | None = None,
    ) -> SimilarResult:
        k = k or self.settings.results_k
        if ref:
            decision = self.require_decision(ref)
            hits = similar_to_decision(self.index, decision, k, filters or DecisionFilter())
            query = ref
        elif text:
            plan = self.plan(text, filters)
            hits = similar_to_text(self.index, plan, k)
            query = text
        else:
            raise QuestionError("Give a decision reference or describe the situation.")
        sentence, outcomes, reasons = overview(hits)
        return SimilarResult(
            query=query,
            hits=hits,
            overview=sentence,
            outcome_counts=outcomes,
            reason_counts=reasons,
        )

    def decision(self, ref: str) -> Decision | None:
        canonical = canonical_ref(ref)
        return self.index.store.decision(canonical) if canonical else None

    def require_decision(self, ref: str) -> Decision:
        decision = self.decision(ref)
        if decision is None:
            raise UnknownReferenceError(
                f"No decision with reference {ref!r} is in the index. References look like "
                "24 020 817; `python -m retrieval search` finds decisions by words."
            )
        return decision

    def options(self) -> FilterOptions:
        rows = self.index.store.decision_rows()
        categories: dict[str, set[str]] = {}
        for row in rows:
            if row["category"]:
                categories.setdefault(row["category"], set()).add(row["sub_category"])
        dates = sorted(row["date"] for row in rows if row["date"])
        return FilterOptions(
            organisations=sorted({row["organisation"] for row in rows}),
            categories={
                area: sorted(s for s in subs if s) for area, subs in sorted(categories.items())
            },
            outcomes=sorted({row["outcome"] for row in rows}),
            reasons=sorted(self.index.store.facet("reason")),
            date_min=dates[0] if dates else None,
            date_max=dates[-1] if dates else None,
        )

    @cached_property
    def vocabulary(self) -> Vocabulary:
        store = self.index.store
        return Vocabulary(
            organisations=tuple(store.facet("organisation")),
            sub_categories=tuple(store.facet("sub_category")),
        )

    def close(self) -> None:
        self.index.close()

    # --- chain steps ----------------------------------------------------------
    def _understand(self, state: dict[str, Any]) -> dict[str, Any]:
        return {**state, "plan": self.plan(state["question"], state.get("filters"))}

    def _retrieve(self, state: dict[str, Any]) -> dict[str, Any]:
        plan: QueryPlan = state["plan"]
        hits = search_plan(self.index, plan, self.settings.results_k)
        return {**state, "search": SearchResult(query=state["question"], plan=plan, hits=hits)}

    def _compose(self, state: dict[str, Any]) -> Answer:
        plan: QueryPlan = state["plan"]
        search: SearchResult = state["search"]
        if not is_answerable(plan, search.hits, self.settings.min_relevance):
            return Answer(state["question"], NO_ANSWER, [], search, answered=False)
        decisions = self.index.store.decisions(h.ref for h in search.hits[:5])
        draft = self.answerer.compose(plan, search.hits, decisions)
        if not draft.items:
            return Answer(state["question"], NO_ANSWER, [], search, answered=False)
        return Answer(state["question"], draft.text, draft.items, search, answered=True)

    def _check_question(self, question: str) -> None:
        if not question or not question.strip():
            raise QuestionError("Please type a question.")
        limit = self.settings.max_question_chars
        if len(question) > limit:
            raise QuestionError(
                f"That question is {len(question):,} characters long; the limit is {limit:,}. "
                "Shorten it to the situation and what you want to know."
            )


def open_engine(settings: Settings | None = None, store_dir: Path | None = None) -> Engine:
    """Open the configured (or given) index; raises an OQAError whose text says how to fix it."""
    return Engine(open_index(settings or get_settings(), store_dir))
