"""The Engine: the three things users come for, over one opened index.

``search`` (ranked decisions with their best passages), ``answer`` (a cited
reply), ``similar`` (decisions like a given one or a described situation).
Thread-safe for readers: the store and the model guard their own state.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from dataclasses import replace
from functools import cached_property
from pathlib import Path

from langchain_core.language_models import BaseChatModel

from ingest.vocabulary.errors import QuestionError, UnknownReferenceError
from ingest.vocabulary.filters import DecisionFilter
from ingest.vocabulary.normalise import canonical_ref
from ingest.vocabulary.records import Decision
from ingest.vocabulary.settings import Settings, get_settings
from retrieval.answering.chain import (
    Question,
    Retrieved,
    Rewritten,
    Understood,
    answer_chain,
    prepare_chain,
)
from retrieval.answering.extractive import (
    NO_ANSWER,
    PARTIAL_MATCH,
    ExtractiveAnswerer,
    nearest_subjects,
)
from retrieval.answering.stats_answer import stats_answer
from retrieval.index import Index, open_index
from retrieval.llm.answerer import LLMAnswerer
from retrieval.llm.models import LLMFailure
from retrieval.llm.models import chat_model as build_chat_model
from retrieval.organisation.profile import OrganisationProfile, organisation_profile
from retrieval.retrieve.fit import DEFAULT_RULE, Fit, answer_fit, fitting_hits
from retrieval.retrieve.search import search_plan
from retrieval.retrieve.similar import overview, similar_to_decision, similar_to_text
from retrieval.types import (
    Answer,
    Citation,
    FilterOptions,
    Intent,
    QueryPlan,
    RemovedSentence,
    SearchResult,
    SimilarResult,
    Turn,
)
from retrieval.understand.conversation import rewrite
from retrieval.understand.query import Vocabulary, plan_query, with_filters

log = logging.getLogger(__name__)


class Engine:
    """``chat_model``: answer with this LangChain chat model (tests pass a fake one); without
    it, ``OQA_ANSWERER=llm`` builds the configured one and ``extractive`` uses none."""

    def __init__(self, index: Index, chat_model: BaseChatModel | None = None) -> None:
        self.index = index
        self.settings = index.settings
        self.answerer = ExtractiveAnswerer()
        self.abstain_rule = replace(DEFAULT_RULE, min_similarity=self.settings.min_relevance)
        self.chat_model, self.llm_problem = _chat_model(self.settings, chat_model)
        self.llm = LLMAnswerer(self.chat_model, self.settings) if self.chat_model else None
        self._prepare = prepare_chain(self._rewrite, self._understand, self._retrieve)
        self._chain = answer_chain(self._prepare, self._compose)

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
            Question(question=question, filters=filters, history=list(history))
        )

    def stream_answer(
        self, question: str, filters: DecisionFilter | None = None, history: Sequence[Turn] = ()
    ) -> Iterator[str | Answer]:
        """Text pieces as they are ready, then the finished Answer (always last).

        The pieces are provisional: show them in a placeholder and replace it with the
        Answer's text. With an LLM they are its sentences that passed the citation check,
        released as the model completes each; after a fallback the Answer differs from them.
        """
        state = self._prepare.invoke(
            Question(question=question, filters=filters, history=list(history))
        )
        yield from self._compose_stream(state)

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

    def organisation(self, name: str) -> OrganisationProfile:
        """What the index holds about one organisation (name matched fuzzily, variants merged)."""
        return organisation_profile(self.index.store, name)

    def decision(self, ref: str) -> Decision | None:
        canonical = canonical_ref(ref)
        return self.index.store.records.decision(canonical) if canonical else None

    def require_decision(self, ref: str) -> Decision:
        decision = self.decision(ref)
        if decision is None:
            raise UnknownReferenceError(
                f"No decision with reference {ref!r} is in the index. References look like "
                "24 020 817; `python -m retrieval search` finds decisions by words."
            )
        return decision

    def options(self) -> FilterOptions:
        rows = self.index.store.records.decision_rows()
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
            reasons=sorted(self.index.store.records.facet("reason")),
            date_min=dates[0] if dates else None,
            date_max=dates[-1] if dates else None,
            without_area=self.index.store.records.not_showing("category"),
            without_organisation=self.index.store.records.not_showing("organisation"),
        )

    @cached_property
    def vocabulary(self) -> Vocabulary:
        store = self.index.store
        return Vocabulary(
            organisations=tuple(store.records.facet("organisation")),
            sub_categories=tuple(store.records.facet("sub_category")),
            is_word=store.keywords.uses_word,
        )

    def close(self) -> None:
        self.index.close()

    # --- chain steps ----------------------------------------------------------
    def _rewrite(self, state: Question) -> Rewritten:
        """A follow-up becomes a stand-alone query (see retrieval.understand.conversation)."""
        self._check_question(state["question"])
        history = state["history"]
        query = rewrite(state["question"], history, self.chat_model, self.settings.llm_timeout_s)
        if query != state["question"] and self._excluded_by_filters(query, state["filters"]):
            query = state["question"]  # the user re-scoped: do not carry the old focus over
        return {**state, "query": query}

    def _excluded_by_filters(self, query: str, filters: DecisionFilter | None) -> bool:
        """True when the filters the user set rule out every decision ``query`` names."""
        if filters is None or filters.is_empty:
            return False
        merged = with_filters(plan_query(query, self.vocabulary), filters).filters
        return bool(merged.refs) and not self.index.store.records.filter_refs(merged)

    def _understand(self, state: Rewritten) -> Understood:
        plan = with_filters(plan_query(state["query"], self.vocabulary), state["filters"])
        return {**state, "plan": plan}

    def _retrieve(self, state: Understood) -> Retrieved:
        plan = state["plan"]
        focus = self._similar_focus(plan)
        if focus is not None:  # "decisions similar to 24 020 817": like it, not it
            others = replace(plan.filters, refs=())
            hits = similar_to_decision(self.index, focus, self.settings.results_k, others)
        else:
            hits = search_plan(self.index, plan, self.settings.results_k)
        search = SearchResult(query=state["query"], plan=plan, hits=hits)
        return {**state, "search": search, "focus": focus}

    def _similar_focus(self, plan: QueryPlan) -> Decision | None:
        if plan.intent != Intent.SIMILAR or len(plan.filters.refs) != 1:
            return None
        return self.decision(plan.filters.refs[0])

    def _compose(self, state: Retrieved) -> Answer:
        *_, answer = self._compose_stream(state)
        assert isinstance(answer, Answer)  # the stream always ends with the finished Answer
        return answer

    def _compose_stream(self, state: Retrieved) -> Iterator[str | Answer]:
        plan, search, focus = state["plan"], state["search"], state["focus"]
        if plan.intent == Intent.STATS:  # counts come from the decisions table, not passages
            yield from _pieces(stats_answer(self.index.store, state["question"], plan, search))
            return
        refs = [h.ref for h in search.hits[:5]] + ([focus.ref] if focus else [])
        decisions = self.index.store.records.decisions(refs)
        fit = answer_fit(plan, search.hits, decisions, self.abstain_rule)
        if fit is Fit.NONE:
            text = NO_ANSWER + nearest_subjects(search.hits)
            yield from _pieces(self._reply(state, text, [], answered=False))
            return
        partial = fit is Fit.PARTIAL
        # Decisions like a given one are listed as found; otherwise only those that fit.
        hits = (
            search.hits if focus else fitting_hits(plan, search.hits, decisions, self.abstain_rule)
        )
        notice = self.llm_problem.notice if self.llm_problem else ""
        removed: list[RemovedSentence] = []
        if self.llm is not None and focus is None:  # a list of similar ones stays extractive
            try:
                if partial:
                    yield PARTIAL_MATCH + "\n\n"
                draft = yield from self.llm.stream(state["query"], hits, decisions)
                yield self._reply(
                    state, draft.text, draft.citations, notice=draft.notice,
                    removed=draft.removed, partial=partial,
                )
                return
            except LLMFailure as failure:
                log.info("LLM answer replaced by the extractive one: %s", failure)
                notice, removed = failure.notice, failure.removed
        extractive = self.answerer.compose(plan, hits, decisions, focus)
        if not extractive.items:
            yield from _pieces(self._reply(state, NO_ANSWER, [], answered=False))
            return
        yield from _pieces(
            self._reply(
                state, extractive.text, extractive.items, notice=notice, removed=removed,
                partial=partial,
            )
        )

    def _reply(
        self,
        state: Retrieved,
        text: str,
        citations: list[Citation],
        answered: bool = True,
        notice: str = "",
        removed: Sequence[RemovedSentence] = (),
        partial: bool = False,
    ) -> Answer:
        """``partial``: the best decision fits the question only in part, and the answer
        says so before anything else."""
        query = state["query"]
        return Answer(
            state["question"],
            f"{PARTIAL_MATCH}\n\n{text}" if partial else text,
            citations,
            state["search"],
            answered,
            notice=notice,
            rewritten_query=query if query != state["question"] else "",
            removed=list(removed),
            partial_match=partial,
        )

    def _check_question(self, question: str) -> None:
        if not question or not question.strip():
            raise QuestionError("Please type a question.")
        limit = self.settings.max_question_chars
        if len(question) > limit:
            raise QuestionError(
                f"That question is {len(question):,} characters long; the limit is {limit:,}. "
                "Shorten it to the situation and what you want to know."
            )


def _pieces(answer: Answer) -> Iterator[str | Answer]:
    """A finished answer streamed as its paragraphs, then itself."""
    for line in answer.text.split("\n\n"):
        yield line + "\n\n"
    yield answer


def _chat_model(
    settings: Settings, given: BaseChatModel | None
) -> tuple[BaseChatModel | None, LLMFailure | None]:
    """The model to answer with, or why the configured one could not be built."""
    if given is not None:
        return given, None
    if settings.answerer != "llm":
        return None, None
    try:
        return build_chat_model(settings), None
    except LLMFailure as failure:
        log.warning("LLM answerer unavailable (%s); answers will be extractive", failure)
        return None, failure


def open_engine(settings: Settings | None = None, store_dir: Path | None = None) -> Engine:
    """Open the configured (or given) index; raises an OQAError whose text says how to fix it."""
    return Engine(open_index(settings or get_settings(), store_dir))
