"""Choose the ranking weights by cross-validation, and report the held-out figures.

    python bench/tune.py [--store-root DIR] [--folds 5] [--seed 0] [--asides]

For every answerable question of both sets (fictional and real, see
``bench/baselines.py``) the candidates and their evidence (ranks in the five
rankings, soft-hint flags) are gathered once with the product's own code
(``retrieval.retrieve.search.gather`` / ``decision_evidence``). Then, per fold, the
weights of ``retrieval.retrieve.ranking.RankingWeights`` are chosen on the other folds
by coordinate ascent over a grid from neutral weights (objective: the mean of
MRR@10, hit@5 and hit@1 over the real and fictional questions pooled), and scored on the
held-out fold. It
prints the folds' held-out MRR@10 (mean and spread) for the procedure and for
the current defaults (which were chosen on all questions, so theirs is not a
held-out figure), and the weights the procedure chooses on all questions: those
go into ``RankingWeights``' defaults. With ``--asides`` each fold also chooses, on its
training folds, how common a word must be to count as everyday when a sentence that only
addresses the Ombudsman is left out of the embedded text (``EVERYDAY_LEVELS``; the choice
on all questions goes into ``retrieval.understand.query.EVERYDAY_ZIPF``).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
from dataclasses import asdict, dataclass, replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.baselines import BenchSet, fictional_set, real_set
from bench.common import Question, bench_settings, table
from bench.quality import ensure_store
from retrieval.engine import open_engine
from retrieval.retrieve.ranking import DEFAULT_WEIGHTS, Evidence, RankingWeights, fused_score
from retrieval.retrieve.search import decision_evidence, gather
from retrieval.understand.query import EVERYDAY_ZIPF, dense_text

DEPTH = 10
# Zipf levels tried with --asides for "an everyday word" in a sentence that only addresses
# the Ombudsman; at 9 every word is a subject word, so only a sentence with no content word
# at all ("Why won't the ombudsman look?") is left out.
EVERYDAY_LEVELS = (3.5, 4.0, 4.5, 5.0, 9.0)
SET_FIGURES = ("fictional MRR", "fictional hit@5", "real MRR", "real hit@5")
NEUTRAL = RankingWeights(
    dense=1.0, chunk_keyword=1.0, decision_keyword=1.0, overview=1.0, rrf_k=20.0,
    coverage=1.0, organisation=1.0, area=1.0, reason=1.0, why_not=1.0, outcome=1.0,
)
GRID: dict[str, tuple[float, ...]] = {
    "dense": (0.5, 0.75, 1.0, 1.5, 2.0, 3.0),
    "chunk_keyword": (0.0, 0.25, 0.5, 1.0),
    "decision_keyword": (0.0, 0.5, 1.0, 1.5, 2.0, 3.0),
    "overview": (0.0, 0.5, 1.0, 1.5, 2.0, 3.0),
    "rrf_k": (1.0, 2.5, 5.0, 10.0, 20.0, 40.0, 60.0),
    "organisation": (1.0, 1.25, 1.5, 2.0, 3.0),
    "area": (1.0, 1.1, 1.25, 1.5),
    "reason": (1.0, 1.1, 1.25, 1.5, 2.0),
    "why_not": (1.0, 1.1, 1.25, 1.5, 2.0),
    "outcome": (1.0, 1.1, 1.25, 1.5, 2.0),
    "coverage": (0.0, 0.25, 0.5, 0.75, 1.0, 1.5),
}


@dataclass(frozen=True)
class Case:
    """One question with its gathered candidates."""

    set_name: str
    question: Question
    evidence: tuple[Evidence, ...]


def gather_cases(bench: BenchSet, root: Path, everyday: float = EVERYDAY_ZIPF) -> list[Case]:
    """``everyday``: the Zipf level above which a word is not a subject word, for the text the
    embedding searches read (``retrieval.understand.query.dense_text``)."""
    store = ensure_store(bench, root)
    engine = open_engine(bench_settings(store), store)
    cases = []
    for q in bench.questions:
        if not q.relevant:
            continue
        plan = engine.plan(q.query)
        plan = replace(plan, dense_text=dense_text(plan.text, plan.intent, everyday))
        candidates = gather(engine.index, plan)
        evidence = decision_evidence(engine.index, plan, candidates)
        cases.append(Case(bench.name, q, tuple(evidence)))
    engine.close()
    return cases


def first_right(case: Case, weights: RankingWeights) -> int | None:
    """Rank (1-based, within the top ``DEPTH``) of the first right decision, if any."""
    ranked = sorted(case.evidence, key=lambda e: -fused_score(e, weights))[:DEPTH]
    return next((i for i, e in enumerate(ranked, 1) if e.ref in case.question.relevant), None)


def reciprocal_rank(case: Case, weights: RankingWeights) -> float:
    first = first_right(case, weights)
    return 1.0 / first if first else 0.0


def hit_at_5(case: Case, weights: RankingWeights) -> float:
    first = first_right(case, weights)
    return 1.0 if first is not None and first <= 5 else 0.0


def objective(cases: list[Case], weights: RankingWeights) -> float:
    """The mean of MRR@10, hit@5 and hit@1 over all the questions, real and fictional pooled:
    the product is held to all three (hit@1 is the share of answers whose first citation is
    right), and MRR alone trades a few questions out of the top 5 for others moving from
    rank 2 to 1."""
    return statistics.mean(_rank_figures(first_right(case, weights)) for case in cases)


def _rank_figures(first: int | None) -> float:
    """The mean of the reciprocal rank, hit@5 and hit@1, from one ranking of the candidates."""
    if first is None:
        return 0.0
    return (1.0 / first + (1.0 if first <= 5 else 0.0) + (1.0 if first == 1 else 0.0)) / 3


def coordinate_ascent(cases: list[Case], start: RankingWeights) -> RankingWeights:
    best, best_score = start, objective(cases, start)
    improved = True
    while improved:
        improved = False
        for name, values in GRID.items():
            for value in values:
                trial = replace(best, **{name: value})
                score = objective(cases, trial)
                if score > best_score + 1e-9:
                    best, best_score, improved = trial, score, True
    return best


def choose(cases: list[Case], restarts: int, rng: random.Random) -> RankingWeights:
    """The best of coordinate ascents from neutral weights (every ranking 1, no boost) and
    from ``restarts`` random grid points. Starting from neutral rather than from the current
    defaults keeps the held-out folds unseen: the defaults were chosen on all questions."""
    starts = [NEUTRAL] + [
        RankingWeights(**{n: rng.choice(v) for n, v in GRID.items()}) for _ in range(restarts)
    ]
    found = [coordinate_ascent(cases, s) for s in starts]
    return max(found, key=lambda w: objective(cases, w))


def folds(cases: list[Case], k: int, rng: random.Random) -> list[list[int]]:
    """``k`` folds of positions in ``cases``, each set's questions of each kind spread evenly
    over them."""
    groups: dict[tuple[str, str], list[int]] = {}
    for position, case in enumerate(cases):
        groups.setdefault((case.set_name, case.question.type), []).append(position)
    out: list[list[int]] = [[] for _ in range(k)]
    dealt = 0
    for key in sorted(groups):
        members = groups[key][:]
        rng.shuffle(members)
        for position in members:
            out[dealt % k].append(position)
            dealt += 1
    return out


def per_set(cases: list[Case], weights: RankingWeights) -> dict[str, float]:
    """MRR@10 and hit@5 per set (and per kind of the real set, where the gates are)."""
    groups: dict[str, list[Case]] = {}
    for case in cases:
        groups.setdefault(case.set_name, []).append(case)
        if case.set_name == "real":
            groups.setdefault(f"real {case.question.type}", []).append(case)
    out: dict[str, float] = {}
    for name, members in sorted(groups.items()):
        out[f"{name} MRR"] = statistics.mean(reciprocal_rank(c, weights) for c in members)
        out[f"{name} hit@5"] = statistics.mean(hit_at_5(c, weights) for c in members)
    return out


def choose_variant(
    variants: dict[float, list[Case]], restarts: int, rng: random.Random
) -> tuple[float, RankingWeights]:
    """The everyday level and the weights whose objective is best on these cases."""
    chosen = {level: choose(cases, restarts, rng) for level, cases in variants.items()}
    best = max(chosen, key=lambda level: objective(variants[level], chosen[level]))
    return best, chosen[best]


def cross_validate(variants: dict[float, list[Case]], k: int, restarts: int, seed: int) -> None:
    """``variants``: the same questions' cases for each everyday level tried; the product's
    own level (``EVERYDAY_ZIPF``) gives the default figures."""
    rng = random.Random(seed)
    rows, held = [], {"default": [], "tuned": []}
    product = variants[EVERYDAY_ZIPF]
    for number, test in enumerate(folds(product, k, rng), start=1):
        held_out = set(test)
        train = {
            level: [c for i, c in enumerate(cases) if i not in held_out]
            for level, cases in variants.items()
        }
        level, chosen = choose_variant(train, restarts, rng)
        default = per_set([product[i] for i in test], DEFAULT_WEIGHTS)
        tuned = per_set([variants[level][i] for i in test], chosen)
        held["default"].append(default)
        held["tuned"].append(tuned)
        rows.append([str(number), str(len(test)), f"{level:g}",
                     *(f"{default[s]:.3f} -> {tuned[s]:.3f}" for s in SET_FIGURES)])
    print(table(["fold", "n", "everyday", *(f"{s} default -> tuned" for s in SET_FIGURES)], rows))
    for which in ("default", "tuned"):
        for name in sorted(held["tuned"][0]):
            values = [fold[name] for fold in held[which]]
            print(f"held-out {which:7s} {name:22s} mean {statistics.mean(values):.3f}"
                  f" sd {statistics.stdev(values):.3f}")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store-root", type=Path, help="built indexes (bench/quality.py's)")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--restarts", type=int, default=0,
                        help="random starting points besides neutral (more overfit here)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--asides", action="store_true",
                        help=f"choose the everyday level too, among {EVERYDAY_LEVELS}")
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    levels = sorted({*EVERYDAY_LEVELS, EVERYDAY_ZIPF}) if args.asides else [EVERYDAY_ZIPF]
    with tempfile.TemporaryDirectory(prefix="oqa-bench-tune-") as tmp:
        root = args.store_root or Path(tmp)
        variants = {
            level: [*gather_cases(fictional_set(), root, level),
                    *gather_cases(real_set(), root, level)]
            for level in levels
        }
    print(f"{len(variants[EVERYDAY_ZIPF])} answerable questions gathered\n")
    cross_validate(variants, args.folds, args.restarts, args.seed)
    level, final = choose_variant(variants, args.restarts, random.Random(args.seed))
    print(f"\nchosen on all questions: everyday {level:g}, {asdict(final)}")
    defaults = per_set(variants[EVERYDAY_ZIPF], DEFAULT_WEIGHTS)
    print(f"all questions, MRR@10 per set: defaults {defaults}, "
          f"chosen {per_set(variants[level], final)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
