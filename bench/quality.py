"""Retrieval and answer quality on the fictional (sample + seed) and the real sets.

    python bench/quality.py [--sets fictional,real] [--store-root DIR] [--json FILE]
                            [--reranker MODEL]

The fictional set is ``data/sample`` + the seed decision with the questions in
``bench/questions/*.jsonl``; the real set is ``../shared/realdata`` (published
decisions) with its questions and ours in ``bench/questions/real/``; ``--sets heldout``
asks the questions of ``bench/questions/heldout/`` over the real corpus (kept for reporting:
no weight or threshold is chosen on them, see ``bench/baselines.heldout_set``). For each
set it ranks decisions for every question with the product (``Engine.search``),
its parts (keyword-only, dense-only and hybrid chunk rankings mapped to
decisions by first occurrence) and the baselines of ``bench/baselines.py``
(BM25 over whole decisions, dense over 1,000-character pieces, and their
simple fusion), and prints hit@1, hit@5, MRR@10 and recall@10 per kind. Then it
answers every question with ``Engine.answer`` and checks the citations (verbatim
quotes, first citation a right decision) and abstentions (questions no decision
answers, off-topic questions). Last, for the fictional set, the LLM path:
citation precision with an adversarial fake model and follow-up resolution
(from bench/llm_quality.py). ``--store-root`` keeps the built indexes for the
next run (and for ``bench/tune.py``). ``--reranker`` (a sentence-transformers
cross-encoder name or folder) adds a "hybrid+rerank" row: a measurement only,
the product has no reranker.
"""

from __future__ import annotations

import argparse
import functools
import json
import re
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.baselines import BenchSet, baseline_rankers, fictional_set, heldout_set, real_set
from bench.common import Question, bench_settings, build_index, machine_line, table
from bench.llm_quality import draft_figures, follow_up_figures
from retrieval.answering.extractive import PARTIAL_MATCH
from retrieval.engine import Engine, open_engine
from retrieval.retrieve.retrievers import DenseRetriever, HybridRetriever, KeywordRetriever
from retrieval.types import Answer

TYPES = ("why_not", "known_item", "similar", "outcome")
UNANSWERABLE = "none"  # a question no decision in the set answers
DEPTH = 10
RERANK_CANDIDATES = 40
MARKER = re.compile(r"\[\d+\]")
OFF_TOPIC = (
    "what is the capital of France",
    "how do I renew my passport",
    "best pizza recipe",
    "who won the football world cup in 2018",
    "how do I change a flat tyre on my bike",
    "what's the weather going to be like tomorrow",
)

Ranker = Callable[[Question], list[str]]


@dataclass
class Scores:
    """Decision-level metrics summed over questions (divide by n)."""

    n: int = 0
    hit1: float = 0.0
    hit5: float = 0.0
    mrr: float = 0.0
    recall: float = 0.0

    def add(self, ranked: Sequence[str], relevant: Sequence[str]) -> None:
        top = list(ranked[:DEPTH])
        first = next((i for i, ref in enumerate(top, start=1) if ref in relevant), None)
        self.n += 1
        self.hit1 += first == 1
        self.hit5 += first is not None and first <= 5
        self.mrr += 1.0 / first if first else 0.0
        self.recall += len(set(top) & set(relevant)) / len(relevant)

    def means(self) -> dict[str, float]:
        n = max(self.n, 1)
        return {
            "n": self.n,
            "hit@1": self.hit1 / n,
            "hit@5": self.hit5 / n,
            "mrr@10": self.mrr / n,
            "recall@10": self.recall / n,
        }


@dataclass
class AnswerChecks:
    answers: int = 0
    answered: int = 0
    citations: int = 0
    verbatim: int = 0
    lines: int = 0
    cited_lines: int = 0
    dangling_markers: int = 0
    first_cited_asked: int = 0  # answered questions that a decision answers
    first_cited_relevant: int = 0
    unanswerable: int = 0
    unanswerable_declined: int = 0
    unanswerable_partial: int = 0  # answered, but with the partial-match warning first
    later_cited: int = 0  # decisions cited after the first, in answers to "similar" questions
    later_relevant: int = 0
    # Answered questions by how the best decision fits (retrieval.retrieve.fit.Fit), and
    # those whose first citation is not a right decision (every answer to an unanswerable one).
    partial: int = 0
    partial_wrong_lead: int = 0
    clear: int = 0
    clear_wrong_lead: int = 0
    problems: list[str] = field(default_factory=list)


# --- rankers ----------------------------------------------------------------------


def first_occurrence(refs: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(refs))


def chunk_refs(engine: Engine, chunk_ids: list[str]) -> list[str]:
    rows = engine.index.store.passages.chunks(chunk_ids)
    return first_occurrence(rows[c].ref for c in chunk_ids if c in rows)


def rankers(engine: Engine) -> dict[str, Ranker]:
    settings, index = engine.settings, engine.index
    dense = DenseRetriever(index=index, k=settings.dense_k)
    keyword = KeywordRetriever(index=index, k=settings.keyword_k)
    hybrid = HybridRetriever.for_index(index)

    # Each side reads what the engine's searches read (the plan's dense and keyword texts);
    # the dense and hybrid rankings share one plan and one embedding per question.
    @functools.cache
    def dense_vector_of(query: str) -> np.ndarray:
        return index.embed_query(engine.plan(query).dense_text)

    def dense_vector(q: Question) -> np.ndarray:
        return dense_vector_of(q.query)

    def keyword_query(q: Question) -> str:
        return engine.plan(q.query).keyword_text

    def hybrid_rank(q: Question) -> list[str]:
        documents = hybrid.invoke(keyword_query(q), filters=None, vector=dense_vector(q))
        return first_occurrence(d.metadata["ref"] for d in documents)

    return {
        "keyword": lambda q: chunk_refs(
            engine, [c for c, _ in keyword.scored(keyword_query(q), None)]
        ),
        "dense": lambda q: chunk_refs(engine, [c for c, _ in dense.scored(dense_vector(q), None)]),
        "hybrid": hybrid_rank,
        "engine.search": lambda q: [h.ref for h in engine.search(q.query, k=DEPTH).hits],
    }


def reranker(engine: Engine, name: str) -> tuple[Ranker | None, str]:
    """Hybrid + cross-encoder ``name`` over the top chunks, when --reranker names one."""
    if not name:
        return None, "n/a: no --reranker given"
    try:
        from sentence_transformers import CrossEncoder

        model = CrossEncoder(name)
    except Exception as error:  # any load failure means: not measurable here
        return None, f"n/a: reranker {name!r} did not load ({error})"
    index = engine.index
    hybrid = HybridRetriever.for_index(index)

    def rank(q: Question) -> list[str]:
        vector = index.embed_query(engine.plan(q.query).dense_text)
        documents = hybrid.invoke(q.query, filters=None, vector=vector)[:RERANK_CANDIDATES]
        scores = model.predict([(q.query, d.page_content) for d in documents])
        ordered = sorted(zip(scores, documents, strict=True), key=lambda p: -float(p[0]))
        return first_occurrence(d.metadata["ref"] for _, d in ordered)

    return rank, f"reranker: {name}"


def similar_ranker(engine: Engine) -> Ranker:
    """What the app runs for a described situation: Engine.similar(text=...)."""
    return lambda q: [h.ref for h in engine.similar(text=q.query, k=DEPTH).hits]


# --- retrieval evaluation ---------------------------------------------------------


def evaluate(
    questions: list[Question], ranker: Ranker, misses: list[str] | None = None, label: str = ""
) -> dict[str, Scores]:
    by_type: dict[str, Scores] = {t: Scores() for t in (*TYPES, "all")}
    for q in questions:
        if not q.relevant:
            continue
        ranked = ranker(q)
        by_type[q.type].add(ranked, q.relevant)
        by_type["all"].add(ranked, q.relevant)
        if misses is not None and (not ranked or ranked[0] not in q.relevant):
            misses.append(miss_line(label, q, ranked))
    return by_type


def miss_line(label: str, q: Question, ranked: list[str]) -> str:
    rank = next((i for i, r in enumerate(ranked[:DEPTH], 1) if r in q.relevant), None)
    where = f"rank {rank}" if rank else f"not in top {DEPTH}"
    return (
        f"{label} {q.id} [{q.type}] {where}; want {', '.join(q.relevant)}; "
        f"got {', '.join(ranked[:3]) or '-'} | {q.query[:90]}"
    )


def retrieval_rows(results: dict[str, dict[str, Scores]]) -> list[list[str]]:
    rows = []
    for kind in (*TYPES, "all"):
        for method, by_type in results.items():
            scores = by_type[kind].means()
            if not scores["n"]:
                continue
            rows.append(
                [
                    kind,
                    method,
                    str(scores["n"]),
                    *(f"{scores[m]:.3f}" for m in ("hit@1", "hit@5", "mrr@10", "recall@10")),
                ]
            )
    return rows


# --- answers ----------------------------------------------------------------------


def check_answer(engine: Engine, q: Question, answer: Answer, checks: AnswerChecks) -> None:
    checks.answers += 1
    checks.answered += answer.answered
    numbers = {c.n for c in answer.citations}
    for citation in answer.citations:
        decision = engine.decision(citation.ref)
        checks.citations += 1
        if decision is not None and citation.quote in decision.text:
            checks.verbatim += 1
        else:
            checks.problems.append(f"{q.id}: quote [{citation.n}] not verbatim in {citation.ref}")
    cited = first_occurrence(c.ref for c in answer.citations)
    first = cited[0] if cited else None
    if answer.answered:
        # The partial-match warning speaks of the index, not of a decision: it cites nothing.
        lines = [
            line for line in answer.text.split("\n") if line.strip() and line != PARTIAL_MATCH
        ]
        checks.lines += len(lines)
        checks.cited_lines += sum(bool(MARKER.search(line)) for line in lines)
        dangling = {int(m[1:-1]) for m in MARKER.findall(answer.text)} - numbers
        checks.dangling_markers += len(dangling)
        count_fit(first in q.relevant, answer.partial_match, checks)
    if not q.relevant:
        checks.unanswerable += 1
        checks.unanswerable_declined += not answer.answered
        checks.unanswerable_partial += answer.partial_match
        if answer.answered:
            checks.problems.append(f"{q.id} [none]: answered from {answer.citations[0].ref}")
        return
    if not answer.answered:
        checks.problems.append(f"{q.id} [{q.type}]: declined, want {', '.join(q.relevant)}")
        return
    checks.first_cited_asked += 1
    if q.type == "similar":  # its refs are every fitting decision, so the others count too
        checks.later_cited += len(cited[1:])
        checks.later_relevant += sum(ref in q.relevant for ref in cited[1:])
    if first in q.relevant:
        checks.first_cited_relevant += 1
    else:
        checks.problems.append(
            f"{q.id} [{q.type}]: first citation {first or '(none)'}, want {', '.join(q.relevant)}"
        )


def count_fit(right_lead: bool, partial: bool, checks: AnswerChecks) -> None:
    """An answered question, by fit; a wrong lead also covers every unanswerable one."""
    wrong_lead = not right_lead
    if partial:
        checks.partial += 1
        checks.partial_wrong_lead += wrong_lead
    else:
        checks.clear += 1
        checks.clear_wrong_lead += wrong_lead


def answer_summary(checks: AnswerChecks) -> dict[str, float]:
    answerable = checks.answers - checks.unanswerable
    return {
        "answers": checks.answers,
        "verbatim_quotes": checks.verbatim / max(checks.citations, 1),
        "citations": checks.citations,
        "cited_lines": checks.cited_lines / max(checks.lines, 1),
        "lines": checks.lines,
        "dangling_markers": checks.dangling_markers,
        "first_citation_relevant": checks.first_cited_relevant / max(checks.first_cited_asked, 1),
        "first_citation_asked": checks.first_cited_asked,
        "answerable": answerable,
        "answerable_declined": answerable - checks.first_cited_asked,
        "unanswerable": checks.unanswerable,
        "unanswerable_declined": checks.unanswerable_declined,
        "unanswerable_partial": checks.unanswerable_partial,
        "later_relevant": checks.later_relevant / max(checks.later_cited, 1),
        "later_cited": checks.later_cited,
        "partial": checks.partial,
        "partial_wrong_lead": checks.partial_wrong_lead / max(checks.partial, 1),
        "clear": checks.clear,
        "clear_wrong_lead": checks.clear_wrong_lead / max(checks.clear, 1),
    }


def answer_rows(summary: dict[str, float], declined: int) -> list[list[str]]:
    answerable, unanswerable = summary["answerable"], summary["unanswerable"]
    warned = summary["unanswerable_declined"] + summary["unanswerable_partial"]
    return [
        ["citation quotes verbatim in the cited decision", f"{summary['verbatim_quotes']:.1%}",
         f"of {summary['citations']} citations"],
        ["answer lines carrying a [n] marker", f"{summary['cited_lines']:.1%}",
         f"of {summary['lines']} lines"],
        ["[n] markers without a citation", str(summary["dangling_markers"]), ""],
        ["first citation is a right decision (answered)",
         f"{summary['first_citation_relevant']:.1%}",
         f"of {summary['first_citation_asked']} answered"],
        ["later decisions cited that are right ones (similar)",
         f"{summary['later_relevant']:.1%}", f"of {summary['later_cited']} cited"],
        ["answers saying the match is partial, led by a wrong decision",
         f"{summary['partial_wrong_lead']:.1%}", f"of {summary['partial']} such answers"],
        ["other answers led by a wrong decision",
         f"{summary['clear_wrong_lead']:.1%}", f"of {summary['clear']} answers"],
        ["answerable questions declined",
         f"{summary['answerable_declined'] / max(answerable, 1):.1%}",
         f"{summary['answerable_declined']} of {answerable}"],
        ["unanswerable questions declined",
         f"{summary['unanswerable_declined'] / max(unanswerable, 1):.1%}",
         f"{summary['unanswerable_declined']} of {unanswerable}"],
        ["unanswerable questions declined or warned of a partial match",
         f"{warned / max(unanswerable, 1):.1%}", f"{warned} of {unanswerable}"],
        ["off-topic questions declined", str(declined), f"of {len(OFF_TOPIC)}"],
    ]  # fmt: skip


def off_topic(engine: Engine) -> tuple[int, list[str]]:
    declined, wrongly = 0, []
    for question in OFF_TOPIC:
        answer = engine.answer(question)
        if answer.answered:
            refs = ", ".join(c.ref for c in answer.citations[:2])
            wrongly.append(f"off-topic answered: {question!r} -> {refs}")
        else:
            declined += 1
    return declined, wrongly


# --- run --------------------------------------------------------------------------


def ensure_store(bench: BenchSet, root: Path) -> Path:
    """The set's index under ``root``, built or brought up to date (a no-op when it is)."""
    store = root / bench.store_name / "store"
    corpus = bench.materialise(root / bench.store_name / "corpus")
    tick = time.perf_counter()
    summary = build_index(corpus, store)
    print(f"{bench.name} index ready in {time.perf_counter() - tick:.1f} s: {summary.line()}")
    return store


def run_set(bench: BenchSet, root: Path, reranker_name: str) -> dict[str, object]:
    store = ensure_store(bench, root)
    engine = open_engine(bench_settings(store), store)
    questions = bench.questions
    started = time.perf_counter()
    results, misses, figures = retrieval(engine, bench, reranker_name)
    seconds = time.perf_counter() - started
    print(f"\n== {bench.name} set: {len(bench.texts)} decisions, {len(questions)} questions "
          f"(decision level; retrieval {seconds:.1f} s)\n")
    headers = ["kind", "method", "n", "hit@1", "hit@5", "MRR@10", "recall@10"]
    print(table(headers, retrieval_rows(results)))
    print(f"\nhybrid+rerank: {figures['rerank']}")
    started = time.perf_counter()
    checks = AnswerChecks()
    for q in questions:
        check_answer(engine, q, engine.answer(q.query), checks)
    declined, wrongly = off_topic(engine)
    summary = answer_summary(checks)
    print(f"\n{bench.name} answers (Engine.answer, {time.perf_counter() - started:.1f} s)\n")
    print(table(["answer check", "value", "out of"], answer_rows(summary, declined)))
    print(f"\n{bench.name}: engine.search, questions whose top decision is not relevant")
    print("\n".join(f"  {line}" for line in misses) or "  none")
    print(f"\n{bench.name}: answer problems")
    print("\n".join(f"  {line}" for line in [*checks.problems, *wrongly]) or "  none")
    figures_out: dict[str, object] = {
        "retrieval": {m: {t: s.means() for t, s in r.items()} for m, r in results.items()},
        "rerank": figures["rerank"],
        "answers": summary,
        "off_topic": {"asked": len(OFF_TOPIC), "declined": declined},
        "misses": misses,
        "answer_problems": [*checks.problems, *wrongly],
    }
    if bench.name == "fictional":
        figures_out["llm_path"] = llm_path_figures(engine)
    engine.close()
    return figures_out


def run(args: argparse.Namespace, root: Path) -> dict[str, object]:
    print(machine_line())
    sets = {"fictional": fictional_set, "real": real_set, "heldout": heldout_set}
    return {name: run_set(sets[name](), root, args.reranker) for name in args.sets}


def llm_path_figures(engine: Engine) -> dict[str, object]:
    """Citation precision of the LLM path (adversarial fake model) and follow-up resolution;
    bench/llm_quality.py explains and breaks them down."""
    drafts = draft_figures(engine)
    follow, _ = follow_up_figures(engine)
    print(f"\nLLM path (adversarial fake model, {drafts['questions']} questions)")
    rows = [
        ["sentence precision", str(drafts["sentence_precision"])],
        ["supported sentences kept", str(drafts["supported_kept"])],
        ["share of written citations kept", str(drafts["citations_kept_share"])],
        [
            "follow-ups resolved",
            f"{follow['follow_ups_resolved']}/{follow['follow_ups']} "
            f"= {follow['follow_up_accuracy']}",
        ],
    ]
    print(table(["figure", "value"], rows))
    return {"drafts": drafts, "follow_ups": follow}


def retrieval(
    engine: Engine, bench: BenchSet, reranker_name: str
) -> tuple[dict[str, dict[str, Scores]], list[str], dict[str, str]]:
    results: dict[str, dict[str, Scores]] = {}
    misses: list[str] = []
    questions = bench.questions
    for name, ranker in rankers(engine).items():
        wanted = misses if name == "engine.search" else None
        results[name] = evaluate(questions, ranker, wanted, name)
    similar = [q for q in questions if q.type == "similar"]
    results["engine.similar(text)"] = evaluate(similar, similar_ranker(engine))
    for name, ranker in baseline_rankers(bench, engine.index.embedder).items():
        results[name] = evaluate(questions, ranker)
    rerank, note = reranker(engine, reranker_name)
    if rerank is not None:
        results["hybrid+rerank"] = evaluate(questions, rerank)
    return results, misses, {"rerank": note}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sets", type=lambda v: v.split(","), default=["fictional", "real"],
        help="comma-separated: fictional, real, heldout (default fictional,real)",
    )
    parser.add_argument("--store-root", type=Path, help="keep (and reuse) the built indexes here")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument(
        "--reranker", default="", help="cross-encoder model (name or folder) to measure beside"
    )
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="oqa-bench-quality-") as tmp:
        figures = run(args, args.store_root or Path(tmp))
    figures["seconds"] = round(time.perf_counter() - started, 1)
    print(f"\ntotal {figures['seconds']} s")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
