"""Retrieval and answer quality on the labelled questions (sample corpus + seed decision).

    python bench/quality.py [--store DIR] [--json FILE]

Ranks decisions for every question in ``bench/questions/*.jsonl`` with
keyword-only, dense-only and hybrid retrieval (each retriever's chunk ranking
mapped to decisions by first occurrence; hybrid is ``HybridRetriever``'s fused
chunk list) and with the full ``Engine.search``
(hybrid + query understanding + boosts); prints hit@1, hit@5, MRR@10 and
recall@10 per question type. Then answers every question with
``Engine.answer`` and checks the citations, and asks off-topic questions the
engine should decline. Last, the LLM path: citation precision with an
adversarial fake model and follow-up resolution over the labelled
conversations (from bench/llm_quality.py). Without ``--store`` (or with an empty one) the corpus is
built first.
"""

from __future__ import annotations

import argparse
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

from bench.common import (
    Question,
    bench_settings,
    build_index,
    load_questions,
    machine_line,
    make_corpus,
    table,
)
from bench.llm_quality import draft_figures, follow_up_figures
from retrieval.engine import Engine, open_engine
from retrieval.query import dense_text
from retrieval.retrievers import DenseRetriever, HybridRetriever, KeywordRetriever
from retrieval.types import Answer

TYPES = ("why_not", "known_item", "similar", "outcome")
CITED_FIRST_TYPES = ("why_not", "known_item", "outcome")
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
    first_cited_asked: int = 0
    first_cited_relevant: int = 0
    problems: list[str] = field(default_factory=list)


# --- rankers ----------------------------------------------------------------------


def first_occurrence(refs: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(refs))


def chunk_refs(engine: Engine, chunk_ids: list[str]) -> list[str]:
    rows = engine.index.store.chunks(chunk_ids)
    return first_occurrence(rows[c].ref for c in chunk_ids if c in rows)


def rankers(engine: Engine) -> dict[str, Ranker]:
    settings, index = engine.settings, engine.index
    dense = DenseRetriever(index=index, k=settings.dense_k)
    keyword = KeywordRetriever(index=index, k=settings.keyword_k)
    hybrid = HybridRetriever.for_index(index)

    def dense_vector(q: Question) -> np.ndarray:
        # The dense side reads the question without its why-not frame, as the engine does.
        return index.embed_query(dense_text(q.query))

    def hybrid_rank(q: Question) -> list[str]:
        documents = hybrid.invoke(q.query, filters=None, vector=dense_vector(q))
        return first_occurrence(d.metadata["ref"] for d in documents)

    return {
        "keyword": lambda q: chunk_refs(engine, [c for c, _ in keyword.scored(q.query, None)]),
        "dense": lambda q: chunk_refs(engine, [c for c, _ in dense.scored(dense_vector(q), None)]),
        "hybrid": hybrid_rank,
        "engine.search": lambda q: [h.ref for h in engine.search(q.query, k=DEPTH).hits],
    }


def reranker(engine: Engine) -> tuple[Ranker | None, str]:
    """Hybrid + cross-encoder over the top chunks, when a reranker model is configured."""
    name = engine.settings.reranker_model
    if not name:
        return None, "n/a: no reranker installed (settings.reranker_model is empty)"
    try:
        from sentence_transformers import CrossEncoder

        model = CrossEncoder(name)
    except Exception as error:  # any load failure means: not measurable here
        return None, f"n/a: reranker {name!r} did not load ({error})"
    index = engine.index
    hybrid = HybridRetriever.for_index(index)

    def rank(q: Question) -> list[str]:
        vector = index.embed_query(dense_text(q.query))
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
    if answer.answered:
        lines = [line for line in answer.text.split("\n") if line.strip()]
        checks.lines += len(lines)
        checks.cited_lines += sum(bool(MARKER.search(line)) for line in lines)
        dangling = {int(m[1:-1]) for m in MARKER.findall(answer.text)} - numbers
        checks.dangling_markers += len(dangling)
    if q.type in CITED_FIRST_TYPES:
        checks.first_cited_asked += 1
        first = answer.citations[0].ref if answer.citations else None
        if first in q.relevant:
            checks.first_cited_relevant += 1
        else:
            checks.problems.append(
                f"{q.id} [{q.type}]: first citation {first or '(none)'}, "
                f"want {', '.join(q.relevant)}"
            )


def answer_summary(checks: AnswerChecks) -> dict[str, float]:
    return {
        "answers": checks.answers,
        "verbatim_quotes": checks.verbatim / max(checks.citations, 1),
        "citations": checks.citations,
        "cited_lines": checks.cited_lines / max(checks.lines, 1),
        "lines": checks.lines,
        "dangling_markers": checks.dangling_markers,
        "first_citation_relevant": checks.first_cited_relevant / max(checks.first_cited_asked, 1),
        "first_citation_asked": checks.first_cited_asked,
        "no_answer": checks.answers - checks.answered,
    }


def answer_rows(summary: dict[str, float], declined: int) -> list[list[str]]:
    return [
        ["citation quotes verbatim in the cited decision", f"{summary['verbatim_quotes']:.1%}",
         f"of {summary['citations']} citations"],
        ["answer lines carrying a [n] marker", f"{summary['cited_lines']:.1%}",
         f"of {summary['lines']} lines"],
        ["[n] markers without a citation", str(summary["dangling_markers"]), ""],
        ["first citation relevant (why_not/known_item/outcome)",
         f"{summary['first_citation_relevant']:.1%}",
         f"of {summary['first_citation_asked']} questions"],
        ["no-answer replies to labelled questions", str(summary["no_answer"]),
         f"of {summary['answers']}"],
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


def ensure_store(store: Path | None, workdir: Path) -> Path:
    """A store holding the benchmark corpus: the one given, or a fresh build."""
    if store is not None and store.is_dir() and any(store.iterdir()):
        return store
    target = store or workdir / "store"
    corpus = make_corpus(workdir / "corpus")
    tick = time.perf_counter()
    summary = build_index(corpus, target)
    print(f"built the index in {time.perf_counter() - tick:.1f} s: {summary.line()}")
    return target


def run(args: argparse.Namespace, workdir: Path) -> dict[str, object]:
    print(machine_line())
    store = ensure_store(args.store, workdir)
    engine = open_engine(bench_settings(store), store)
    questions = load_questions()
    started = time.perf_counter()
    results, misses, figures = retrieval(engine, questions)
    seconds = time.perf_counter() - started
    print(f"\n{len(questions)} labelled questions, decision level; retrieval {seconds:.1f} s\n")
    headers = ["type", "method", "n", "hit@1", "hit@5", "MRR@10", "recall@10"]
    print(table(headers, retrieval_rows(results)))
    print(f"\nhybrid+rerank: {figures['rerank']}")
    started = time.perf_counter()
    checks = AnswerChecks()
    for q in questions:
        check_answer(engine, q, engine.answer(q.query), checks)
    declined, wrongly = off_topic(engine)
    summary = answer_summary(checks)
    print(f"\nanswers (Engine.answer, {time.perf_counter() - started:.1f} s)\n")
    print(table(["answer check", "value", "out of"], answer_rows(summary, declined)))
    print("\nengine.search: questions whose top decision is not relevant")
    print("\n".join(f"  {line}" for line in misses) or "  none")
    print("\nanswer problems:")
    print("\n".join(f"  {line}" for line in [*checks.problems, *wrongly]) or "  none")
    llm = llm_path_figures(engine)
    engine.close()
    return {
        "llm_path": llm,
        "retrieval": {m: {t: s.means() for t, s in r.items()} for m, r in results.items()},
        "rerank": figures["rerank"],
        "answers": summary,
        "off_topic": {"asked": len(OFF_TOPIC), "declined": declined},
        "misses": misses,
        "answer_problems": [*checks.problems, *wrongly],
    }


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
    engine: Engine, questions: list[Question]
) -> tuple[dict[str, dict[str, Scores]], list[str], dict[str, str]]:
    results: dict[str, dict[str, Scores]] = {}
    misses: list[str] = []
    for name, ranker in rankers(engine).items():
        wanted = misses if name == "engine.search" else None
        results[name] = evaluate(questions, ranker, wanted, name)
    similar = [q for q in questions if q.type == "similar"]
    results["engine.similar(text)"] = evaluate(similar, similar_ranker(engine))
    rerank, note = reranker(engine)
    if rerank is not None:
        results["hybrid+rerank"] = evaluate(questions, rerank)
    return results, misses, {"rerank": note}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path, help="a store built from the benchmark corpus")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="oqa-bench-quality-") as tmp:
        figures = run(args, Path(tmp))
    figures["seconds"] = round(time.perf_counter() - started, 1)
    print(f"\ntotal {figures['seconds']} s")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
