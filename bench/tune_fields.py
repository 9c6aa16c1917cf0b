"""Choose the keyword index's field boosts by cross-validation on the real development set.

    python bench/tune_fields.py [--store-root DIR] [--folds 5] [--seed 0]

The boosts (``ingest.storage.keyword_index.FieldBoosts``: summary, body,
organisation, headings; body fixed at 1, as only their ratios rank) change both
keyword rankings, passages and whole decisions, and so the candidates themselves:
for every grid point, every answerable question of the real set is ranked with
the product's own code (``retrieval.retrieve.search.gather`` / ``decision_evidence``, the
default ``RankingWeights``). Then, per fold (``bench/tune.py``'s folds, each kind
spread evenly), the grid point with the best MRR@10 on the other folds is scored
on the held-out fold. It prints the folds' held-out MRR@10 (mean and spread) for
the procedure and for the current defaults (once chosen on all questions, so
theirs is not a held-out figure), and the point chosen on all the questions: that
goes into ``DEFAULT_BOOSTS``.
"""

from __future__ import annotations

import argparse
import itertools
import random
import statistics
import sys
import tempfile
from dataclasses import asdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.baselines import real_set
from bench.common import bench_settings, table
from bench.quality import ensure_store
from bench.tune import Case, folds, reciprocal_rank
from ingest.storage.keyword_index import DEFAULT_BOOSTS, FieldBoosts
from retrieval.engine import Engine, open_engine
from retrieval.retrieve.ranking import DEFAULT_WEIGHTS
from retrieval.retrieve.search import decision_evidence, gather

GRID = [
    FieldBoosts(summary=s, body=1.0, organisation=o, headings=h)
    for s, o, h in itertools.product((0.5, 1.0, 2.0), (0.5, 1.0, 2.0), (0.25, 0.5, 1.0, 2.0))
]


def ranked_cases(engine: Engine, boosts: FieldBoosts, questions: list, vectors: dict) -> list[Case]:
    """Every question's candidates and evidence with the keyword index's ``boosts``."""
    engine.index.store.keywords.boosts = boosts
    cases = []
    for q in questions:
        plan = engine.plan(q.query)
        candidates = gather(engine.index, plan, vectors[q.query])
        cases.append(Case("real", q, tuple(decision_evidence(engine.index, plan, candidates))))
    return cases


def mean_rr(cases: list[Case]) -> float:
    return statistics.mean(reciprocal_rank(case, DEFAULT_WEIGHTS) for case in cases)


def cross_validate(
    by_boosts: dict[FieldBoosts, list[Case]], k: int, seed: int
) -> list[tuple[FieldBoosts, float, float]]:
    """Per fold: (boosts chosen on the other folds, held-out MRR@10 with the defaults, with
    the chosen)."""
    default_cases = by_boosts[DEFAULT_BOOSTS]
    position = {id(case): i for i, case in enumerate(default_cases)}
    results = []
    for test in folds(default_cases, k, random.Random(seed)):
        held = {position[id(case)] for case in test}

        def score(boosts: FieldBoosts, held_out: bool, held: set[int] = held) -> float:
            cases = by_boosts[boosts]
            return mean_rr([c for i, c in enumerate(cases) if (i in held) == held_out])

        chosen = max(GRID, key=lambda b: score(b, held_out=False))
        results.append((chosen, score(DEFAULT_BOOSTS, True), score(chosen, True)))
    return results


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store-root", type=Path, help="built indexes (bench/quality.py's)")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    bench = real_set()
    questions = [q for q in bench.questions if q.relevant]
    with tempfile.TemporaryDirectory(prefix="oqa-bench-fields-") as tmp:
        store = ensure_store(bench, args.store_root or Path(tmp))
        engine = open_engine(bench_settings(store), store)
        vectors = {q.query: engine.index.embed_query(q.query) for q in questions}
        grid = list(dict.fromkeys([DEFAULT_BOOSTS, *GRID]))
        by_boosts = {b: ranked_cases(engine, b, questions, vectors) for b in grid}
        engine.close()
    print(f"{len(questions)} answerable real questions, {len(grid)} boost settings\n")
    results = cross_validate(by_boosts, args.folds, args.seed)
    rows = [[str(n), _short(chosen), f"{default:.3f}", f"{tuned:.3f}"]
            for n, (chosen, default, tuned) in enumerate(results, start=1)]
    print(table(["fold", "chosen on the other folds", "held-out default", "held-out tuned"], rows))
    for name, column in (("default", 1), ("tuned", 2)):
        values = [r[column] for r in results]
        print(f"held-out {name:7s} MRR@10 mean {statistics.mean(values):.3f}"
              f" sd {statistics.stdev(values):.3f}")
    final = max(GRID, key=lambda b: mean_rr(by_boosts[b]))
    print(f"\nchosen on all questions: {asdict(final)} (MRR@10 {mean_rr(by_boosts[final]):.3f};"
          f" defaults {asdict(DEFAULT_BOOSTS)}: {mean_rr(by_boosts[DEFAULT_BOOSTS]):.3f})")
    return 0


def _short(boosts: FieldBoosts) -> str:
    return " ".join(f"{k}={v:g}" for k, v in asdict(boosts).items())


if __name__ == "__main__":
    raise SystemExit(main())
