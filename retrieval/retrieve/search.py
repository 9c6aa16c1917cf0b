"""Hybrid search ranked per decision: one decision never floods the list.

The retrievers' chunk rankings, the whole-decision keyword ranking, the
ranking of decisions' openings by meaning and the ranking of those candidates by
how much of the question's subject they cover are fused
(``retrieval.retrieve.ranking``); a decision's passages are its best chunks by
fused chunk score, or, for a decision found only by its whole text, its chunks
closest in meaning to the question.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
from langchain_core.documents import Document

from ingest.storage import ChunkRow
from ingest.vocabulary.filters import DecisionFilter
from ingest.vocabulary.records import SUMMARY_SECTION
from retrieval.index import Index
from retrieval.keywords import query_words
from retrieval.retrieve.fit import coverages
from retrieval.retrieve.ranking import (
    DEFAULT_WEIGHTS,
    Evidence,
    RankingWeights,
    evidence_for,
    fused_score,
)
from retrieval.retrieve.retrievers import (
    HybridRetriever,
    add_similarities,
    in_background,
    lacking,
)
from retrieval.types import DecisionHit, Intent, Passage, QueryPlan

# Later passages of a decision add a little evidence, with diminishing weight.
_PASSAGE_WEIGHTS = (1.0, 0.35, 0.15)
# Sections every decision repeats almost word for word: they match many questions but
# say nothing about the case, so they do not rank a decision and are cited only as a
# last resort.
BOILERPLATE = re.compile(r"role and powers|how i considered", re.IGNORECASE)
BOILERPLATE_WEIGHT = 0.4
DECISION_KEYWORD_K = 40
OVERVIEW_K = 40
TIE_RRF_K = 20  # reciprocal-rank fusion with no weight chosen (bench/tune.py's neutral start)


@dataclass
class Candidates:
    """Everything one question's retrieval found, before ranking."""

    documents: list[Document]  # fused chunks, best first
    ranks: dict[str, dict[str, int]]  # ref → ranking name → rank
    vector: np.ndarray
    rows: dict[str, dict[str, str]] = field(default_factory=dict)  # decision rows, once read


def is_boilerplate(section: str) -> bool:
    return bool(BOILERPLATE.search(section))


def hybrid_documents(
    index: Index, text: str, filters: DecisionFilter, vector: np.ndarray | None = None
) -> list[Document]:
    retriever = HybridRetriever.for_index(index)
    return retriever.invoke(text, filters=filters, vector=vector)


def search_plan(
    index: Index,
    plan: QueryPlan,
    k: int,
    vector: np.ndarray | None = None,
    weights: RankingWeights = DEFAULT_WEIGHTS,
) -> list[DecisionHit]:
    """Run a planned query and rank decisions."""
    candidates = gather(index, plan, vector)
    evidence = decision_evidence(index, plan, candidates)
    return ranked_hits(index, plan, candidates, evidence, k, weights)


def gather(index: Index, plan: QueryPlan, vector: np.ndarray | None = None) -> Candidates:
    """The five rankings for ``plan``, with the fused chunks that give passages."""
    whole_decisions = in_background(_whole_decision_order, index, plan)
    retriever = HybridRetriever.for_index(index)
    dense, keyword, vector = retriever.scored_lists(
        plan.keyword_text or plan.text, plan.filters, vector, embed_text=plan.dense_text
    )
    openings = in_background(_overview_order, index, plan, vector)
    documents = retriever.fused_documents(dense, keyword)
    by_id = {d.metadata["chunk_id"]: d for d in documents}
    ranks: dict[str, dict[str, int]] = defaultdict(dict)
    for name, ranking in (
        ("dense", _decision_order(dense, by_id)),
        ("chunk_keyword", _decision_order(keyword, by_id)),
        ("decision_keyword", whole_decisions.result()),
        ("overview", openings.result()),
    ):
        for position, ref in enumerate(ranking, start=1):
            ranks[ref][name] = position
    for position, ref in enumerate(_coverage_order(index, plan, ranks), start=1):
        ranks[ref]["coverage"] = position
    return Candidates(documents, dict(ranks), vector)


def _coverage_order(index: Index, plan: QueryPlan, ranks: dict[str, dict[str, int]]) -> list[str]:
    """The candidates by the share of the question's subject words their text uses (how
    rare each word is in English weighs it). Many share a share (none of the words, or
    the same ones): among those, the other rankings' order, unweighted, so that this
    ranking does not depend on the weights it is fused with."""
    if not ranks:
        return []
    shares = coverages(plan, index.store.records.texts(ranks))
    return sorted(shares, key=lambda ref: (-shares[ref], -_agreement(ranks[ref]), ref))


def _agreement(ranks: dict[str, int]) -> float:
    return sum(1.0 / (TIE_RRF_K + rank) for rank in ranks.values())


def _decision_order(scored: list[tuple[str, float]], by_id: dict[str, Document]) -> list[str]:
    """Decisions in the order of their first chunk that is not boilerplate."""
    refs = (
        by_id[cid].metadata["ref"]
        for cid, _ in scored
        if cid in by_id and not is_boilerplate(by_id[cid].metadata["section"])
    )
    return list(dict.fromkeys(refs))


def _whole_decision_order(index: Index, plan: QueryPlan) -> list[str]:
    words = query_words(plan.keyword_text or plan.text)
    if not words:
        return []
    keywords = index.store.keywords
    found = keywords.search_decisions(" ".join(words), DECISION_KEYWORD_K, plan.filters)
    return [ref for ref, _ in found]


def _overview_order(index: Index, plan: QueryPlan, vector: np.ndarray) -> list[str]:
    """Decisions by the similarity of their opening (header, summary, complaint)."""
    refs, scores = index.store.overviews.similarities(vector)
    if not refs:
        return []
    if not plan.filters.is_empty:
        allowed = set(index.store.records.filter_refs(plan.filters))
        scores = np.where([ref in allowed for ref in refs], scores, -np.inf)
    order = _top(scores, OVERVIEW_K)
    return [refs[i] for i in order if np.isfinite(scores[i])]


def _top(scores: np.ndarray, k: int) -> np.ndarray:
    """Indices of the ``k`` highest scores, best first, without sorting all of them (a
    full sort of 100k scores took 9 ms a question)."""
    if len(scores) <= k:
        return np.argsort(-scores)
    part = np.argpartition(-scores, k)[:k]
    return part[np.argsort(-scores[part])]


def decision_evidence(index: Index, plan: QueryPlan, candidates: Candidates) -> list[Evidence]:
    rows = candidates.rows
    rows.update(_rows(index, [ref for ref in candidates.ranks if ref not in rows]))
    return [
        evidence_for(ref, ranks, rows[ref], plan)
        for ref, ranks in candidates.ranks.items()
        if ref in rows
    ]


def ranked_hits(
    index: Index,
    plan: QueryPlan,
    candidates: Candidates,
    evidence: list[Evidence],
    k: int,
    weights: RankingWeights = DEFAULT_WEIGHTS,
) -> list[DecisionHit]:
    scored = sorted(((fused_score(e, weights), e.ref) for e in evidence), reverse=True)[:k]
    rows = candidates.rows  # read by decision_evidence, which gave the evidence
    by_ref: dict[str, list[Document]] = defaultdict(list)
    for document in candidates.documents:
        by_ref[document.metadata["ref"]].append(document)
    kept = [document for _, ref in scored for document in by_ref.get(ref, [])]
    unseen = index.store.passages.chunks_of_each([ref for _, ref in scored if ref not in by_ref])
    # One read of stored vectors serves both: each read costs a few ms.
    stored = index.store.vectors.embeddings(
        lacking(kept) + [row.id for found in unseen.values() for row in found]
    )
    add_similarities(kept, candidates.vector, stored)
    by_ref.update(_closest_chunks(unseen, stored, candidates.vector))
    per_decision = index.settings.passages_per_decision
    hits = []
    for position, (score, ref) in enumerate(scored, start=1):
        hit = _hit(rows[ref], by_ref[ref], per_decision)
        hit.rank, hit.score = position, score
        if plan.intent == Intent.WHY_NOT:
            _ensure_summary_passage(index, hit)
        hits.append(hit)
    return hits


def _rows(index: Index, refs: list[str]) -> dict[str, dict[str, str]]:
    if not refs:
        return {}
    rows = index.store.records.decision_rows(DecisionFilter(refs=tuple(refs)))
    return {row["ref"]: row for row in rows}


def _closest_chunks(
    chunks: dict[str, list[ChunkRow]], stored: dict[str, np.ndarray], vector: np.ndarray
) -> dict[str, list[Document]]:
    """Decisions found by their whole text only: their chunks, closest in meaning first
    (they have no fused score, and the passage order is kept by the stable sort in
    ``_hit``)."""
    out: dict[str, list[Document]] = {}
    for ref, found in chunks.items():
        documents = []
        for row in found:
            metadata = {
                "chunk_id": row.id,
                "ref": ref,
                "section": row.section,
                "paragraphs": row.paragraphs,
                "rrf": 0.0,
            }
            documents.append(Document(page_content=row.text, metadata=metadata))
        add_similarities(documents, vector, stored)
        out[ref] = sorted(documents, key=lambda d: -d.metadata["similarity"])
    return out


def group_by_decision(
    index: Index, documents: list[Document], per_decision: int
) -> list[DecisionHit]:
    """Collect fused chunks per decision (best first) into unranked hits."""
    by_ref: dict[str, list[Document]] = defaultdict(list)
    for document in documents:
        by_ref[document.metadata["ref"]].append(document)
    rows = _rows(index, list(by_ref))
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
    score: float = document.metadata.get("rrf", 0.0)
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
    for row in index.store.passages.chunks_of(hit.ref):
        if row.section == SUMMARY_SECTION:
            hit.passages.insert(0, Passage(row.id, row.section, row.paragraphs, row.text, 0.0))
            return
