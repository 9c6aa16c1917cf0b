"""Similar decisions, from a decision reference or a described situation, ranked per decision."""

from __future__ import annotations

from collections import Counter

import numpy as np

from ingest.vocabulary.filters import DecisionFilter
from ingest.vocabulary.outcomes import NOT_INVESTIGATED
from ingest.vocabulary.records import Decision
from retrieval.index import Index
from retrieval.labels import outcome_label, reason_label
from retrieval.retrieve.search import group_by_decision, hybrid_documents, rank, search_plan
from retrieval.types import DecisionHit, QueryPlan

SAME_SUB_CATEGORY = 1.4
SAME_CATEGORY = 1.1
SHARED_REASON = 1.15
SAME_OUTCOME = 1.05


def similar_to_decision(
    index: Index, decision: Decision, k: int, filters: DecisionFilter
) -> list[DecisionHit]:
    """Decisions closest to ``decision``: its centroid vector plus its summary's keywords."""
    vector = _centroid(index, decision.ref)
    documents = hybrid_documents(index, decision.summary or decision.text[:1000], filters, vector)
    hits = [
        h
        for h in group_by_decision(index, documents, index.settings.passages_per_decision)
        if h.ref != decision.ref
    ]
    for hit in hits:
        hit.why_similar = shared_features(decision, hit)
        hit.score *= _feature_boost(decision, hit)
    return rank(hits, k)


def similar_to_text(index: Index, plan: QueryPlan, k: int) -> list[DecisionHit]:
    """Decisions closest to a described situation."""
    hits = search_plan(index, plan, k)
    for hit in hits:
        hit.why_similar = _text_reasons(hit, plan)
    return hits


def _centroid(index: Index, ref: str) -> np.ndarray:
    """The mean of a decision's chunk vectors: what the whole decision is about."""
    ids = [row.id for row in index.store.passages.chunks_of(ref)]
    vectors = list(index.store.vectors.embeddings(ids).values())
    mean = np.mean(vectors, axis=0)
    centroid: np.ndarray = mean / (np.linalg.norm(mean) or 1.0)
    return centroid


def shared_features(source: Decision, hit: DecisionHit) -> list[str]:
    """Why ``hit`` is like ``source``, in words a user reads."""
    why = []
    if source.sub_category and hit.sub_category == source.sub_category:
        why.append(f"same area: {hit.category} > {hit.sub_category}")
    elif source.category and hit.category == source.category:
        why.append(f"same area: {hit.category}")
    shared = [r.value for r in source.reasons if r.value in hit.reasons]
    why += [f"same reason: {reason_label(r)}" for r in shared]
    if hit.outcome == source.outcome.value:
        why.append(f"same outcome: {outcome_label(hit.outcome)}")
    if hit.organisation == source.organisation:
        why.append("same organisation")
    return why or ["similar wording of the complaint"]


def _feature_boost(source: Decision, hit: DecisionHit) -> float:
    boost = 1.0
    if source.sub_category and hit.sub_category == source.sub_category:
        boost *= SAME_SUB_CATEGORY
    elif source.category and hit.category == source.category:
        boost *= SAME_CATEGORY
    boost *= SHARED_REASON ** len({r.value for r in source.reasons} & set(hit.reasons))
    if hit.outcome == source.outcome.value:
        boost *= SAME_OUTCOME
    return boost


def _text_reasons(hit: DecisionHit, plan: QueryPlan) -> list[str]:
    why = []
    if hit.sub_category in plan.soft.categories:
        why.append(f"same area: {hit.category} > {hit.sub_category}")
    why += [
        f"reason you mentioned: {reason_label(r)}" for r in hit.reasons if r in plan.soft.reasons
    ]
    if hit.passages:
        why.append(f"closest passage: {hit.passages[0].section}")
    return why


def overview(hits: list[DecisionHit]) -> tuple[str, dict[str, int], dict[str, int]]:
    """A sentence summarising the set, with the outcome and reason counts behind it."""
    outcomes = Counter(hit.outcome for hit in hits)
    reasons = Counter(r for hit in hits for r in hit.reasons)
    if not hits:
        return "No similar decisions were found.", {}, {}
    not_investigated = sum(n for o, n in outcomes.items() if o in NOT_INVESTIGATED)
    parts = [f"Of {len(hits)} similar decisions, {not_investigated} were not investigated"]
    if reasons:
        top = ", ".join(f"{n} because {reason_label(r)}" for r, n in reasons.most_common(3))
        parts[0] += f" ({top})"
    parts += [
        f"{n} {outcome_label(o)}" for o, n in outcomes.most_common() if o not in NOT_INVESTIGATED
    ]
    return "; ".join(parts) + ".", dict(outcomes), dict(reasons)
