"""Decision-level ranking: fuse the retrievers' rankings, then apply the question's soft hints.

Five rankings of decisions are fused by weighted reciprocal rank: dense (a
decision's best passage by embedding similarity), chunk keyword (its best
passage by BM25), whole-decision keyword (BM25 over the decision's whole text,
where a question's words are spread over several sections), overview (the
embedding of the decision's opening: header, summary, the complaint) and
coverage (the candidates the first four found, by the share of the question's
subject words their text uses, each word weighted by how rare it is in English).
Soft hints from the question then multiply a decision's score; none removes a
decision.

Every constant here was chosen by the cross-validated procedure of
``bench/tune.py`` over the development questions (real published decisions
and the fictional sample), which prints the procedure's held-out figures;
docs/quality.md gives them and how the defaults were settled.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ingest.vocabulary.outcomes import NOT_INVESTIGATED
from ingest.vocabulary.records import UNKNOWN_ORGANISATION
from retrieval.types import Intent, QueryPlan, SoftHints


@dataclass(frozen=True)
class RankingWeights:
    """Fusion weights per ranking, the RRF constant, and one multiplier per soft hint."""

    dense: float = 1.0
    chunk_keyword: float = 1.0
    decision_keyword: float = 1.0
    overview: float = 1.0
    coverage: float = 1.0
    # Small, as bench/tune.py chose: a ranking's first place counts three times its fifth.
    rrf_k: float = 1.0
    organisation: float = 3.0
    area: float = 1.1
    reason: float = 2.0
    why_not: float = 2.0
    outcome: float = 1.0


DEFAULT_WEIGHTS = RankingWeights()


@dataclass
class Evidence:
    """What is known about one candidate decision for one question."""

    ref: str
    ranks: dict[str, int] = field(default_factory=dict)  # ranking name → 1-based rank
    # An organisation the question names — or none known: a copy that does not name its
    # organisation may well be the named council's, and must not lose to every other
    # decision of that council.
    organisation: bool = False
    area: bool = False  # an area or sub-area the question names or implies
    reason: bool = False  # a reason for not investigating the question mentions
    not_investigated: bool = False  # why-not question, decision not investigated
    outcome: bool = False  # the outcome the question asks for

    def flags(self) -> dict[str, bool]:
        return {
            "organisation": self.organisation,
            "area": self.area,
            "reason": self.reason,
            "why_not": self.not_investigated,
            "outcome": self.outcome,
        }


def evidence_for(
    ref: str,
    ranks: dict[str, int],
    row: dict[str, str],
    plan: QueryPlan,
) -> Evidence:
    """``row``: the decision's row in the decisions table."""
    soft = plan.soft
    reasons = {r for r in row["reasons"].split(",") if r}
    return Evidence(
        ref=ref,
        ranks=ranks,
        organisation=_named_organisation(row["organisation"], soft),
        area=bool({row["category"], row["sub_category"]} & set(soft.categories)),
        reason=bool(reasons & set(soft.reasons)),
        not_investigated=plan.intent == Intent.WHY_NOT and row["outcome"] in NOT_INVESTIGATED,
        outcome=row["outcome"] in soft.outcomes,
    )


def _named_organisation(organisation: str, soft: SoftHints) -> bool:
    """The decision may be the named organisation's: it is, or its copy names none."""
    if soft.organisations:
        return organisation in (*soft.organisations, UNKNOWN_ORGANISATION)
    return bool(soft.unlisted_council) and organisation == UNKNOWN_ORGANISATION


def fused_score(evidence: Evidence, weights: RankingWeights = DEFAULT_WEIGHTS) -> float:
    base: float = sum(
        getattr(weights, name) / (weights.rrf_k + rank) for name, rank in evidence.ranks.items()
    )
    for name, present in evidence.flags().items():
        if present:
            base *= getattr(weights, name)
    return base
