"""Hybrid search grouped per decision: one decision never floods the list."""

from __future__ import annotations

import re
from collections import defaultdict

import numpy as np
from langchain_core.documents import Document

from ingest.chunk import SUMMARY_SECTION
from ingest.store import DecisionFilter
from retrieval.index import Index
from retrieval.labels import NOT_INVESTIGATED
from retrieval.retrievers import HybridRetriever
from retrieval.types import DecisionHit, Intent, Passage, QueryPlan

# Later passages of a decision add a little evidence, with diminishing weight.
_PASSAGE_WEIGHTS = (1.0, 0.35, 0.15)
CATEGORY_BOOST = 1.3
REASON_BOOST = 1.2
WHY_NOT_BOOST = 1.25
PART_NOT_INVESTIGATED_BOOST = 1.1
# Sections every decision repeats almost word for word: they match many questions but
# say nothing about the case, so they count for less and are cited only as a last resort.
BOILERPLATE = re.compile(r"role and powers|how i considered", re.IGNORECASE)
BOILERPLATE_WEIGHT = 0.4


def is_boilerplate(section: str) -> bool:
    return bool(BOILERPLATE.search(section))


def hybrid_documents(
    index: Index, text: str, filters: DecisionFilter, vector: np.ndarray | None = None
) -> list[Document]:
    retriever = HybridRetriever.for_index(index)
    return retriever.invoke(text, filters=filters, vector=vector)


def search_plan(
    index: Index, plan: QueryPlan, k: int, vector: np.ndarray | None = None
) -> list[DecisionHit]:
    """Run a planned query and rank decisions."""
    if vector is None:
        vector = index.embed_query(plan.dense_text or plan.text)
    documents = hybrid_documents(index, plan.text, plan.filters, vector)
    hits = group_by_decision(index, documents, index.settings.passages_per_decision)
    for hit in hits:
        hit.score *= plan_boost(hit, plan)
    return rank(hits, k, ensure_summary=index if plan.intent == Intent.WHY_NOT else None)


def group_by_decision(
    index: Index, documents: list[Document], per_decision: int
) -> list[DecisionHit]:
    """Collect fused chunks per decision (best first) into unranked hits."""
    by_ref: dict[str, list[Document]] = defaultdict(list)
    for document in documents:
        by_ref[document.metadata["ref"]].append(document)
    rows = (
        {row["ref"]: row for row in index.store.decision_rows(DecisionFilter(refs=tuple(by_ref)))}
        if by_ref
        else {}
    )
    return [_hit(rows[ref], docs, per_decision) for ref, docs in by_ref.items() if ref in rows]


def _hit(row: dict[str, str], documents: list[Document], per_decision: int) -> DecisionHit:
    documents = sorted(documents, key=_passage_weight, reverse=True)
    scores = [_passage_weight(d) for d in documents]
    score = sum(w * s for w, s in zip(_PASSAGE_WEIGHTS, scores, strict=False))
    return DecisionHit(
        rank=0,
        ref=row["ref"],
        organisation=row["organisation"],
        category=row["category"],
        sub_category=row["sub_category"],
        outcome=row["outcome"],
        outcome_raw=row["outcome_raw"],
        date=row["date"] or "",
        url=row["url"],
        document_type=row["document_type"],
        reasons=[r for r in row["reasons"].split(",") if r],
        score=score,
        similarity=max(d.metadata.get("similarity", 0.0) for d in documents),
        passages=[_passage(d) for d in documents[:per_decision]],
    )


def _passage_weight(document: Document) -> float:
    score = document.metadata.get("rrf", 0.0)
    return score * BOILERPLATE_WEIGHT if is_boilerplate(document.metadata["section"]) else score


def _passage(document: Document) -> Passage:
    meta = document.metadata
    return Passage(
        chunk_id=meta["chunk_id"],
        section=meta["section"],
        paragraphs=meta["paragraphs"],
        text=document.page_content,
        score=meta.get("rrf", meta.get("similarity", 0.0)),
    )


def plan_boost(hit: DecisionHit, plan: QueryPlan) -> float:
    """Soft hints from the question: matching area, stated reason, not-investigated intent."""
    boost = 1.0
    if hit.sub_category in plan.boost_categories or hit.category in plan.boost_categories:
        boost *= CATEGORY_BOOST
    if set(hit.reasons) & set(plan.boost_reasons):
        boost *= REASON_BOOST
    if plan.intent == Intent.WHY_NOT and hit.outcome in NOT_INVESTIGATED:
        boost *= WHY_NOT_BOOST
    elif plan.intent == Intent.WHY_NOT and hit.reasons:  # investigated, a part left out
        boost *= PART_NOT_INVESTIGATED_BOOST
    return boost


def rank(hits: list[DecisionHit], k: int, ensure_summary: Index | None = None) -> list[DecisionHit]:
    ranked = sorted(hits, key=lambda h: h.score, reverse=True)[:k]
    for position, hit in enumerate(ranked, start=1):
        hit.rank = position
        if ensure_summary is not None:
            _ensure_summary_passage(ensure_summary, hit)
    return ranked


def _ensure_summary_passage(index: Index, hit: DecisionHit) -> None:
    """A why-not answer cites the summary's stated reason, so keep it among the passages."""
    if any(p.section == SUMMARY_SECTION for p in hit.passages):
        return
    for row in index.store.chunks_of(hit.ref):
        if row.section == SUMMARY_SECTION:
            hit.passages.insert(0, Passage(row.id, row.section, row.paragraphs, row.text, 0.0))
            return
