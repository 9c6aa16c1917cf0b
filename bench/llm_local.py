"""The packaged local LLM on this CPU: speed, memory, and what survives the citation checker.

    python bench/llm_local.py [--store DIR] [--questions N] [--follow-ups] [--json FILE]

Measures, with the model ``OQA_ANSWERER=llm`` uses by default (Qwen2.5-Coder-1.5B-Instruct
Q4_K_M through llama.cpp, joined from its PyPI slices):

- raw speed: load time, prompt reading and generation in tokens/s on a fixed ~1,200-token
  prompt, straight through llama.cpp;
- answers: the first N labelled questions (taken round-robin over the question types)
  through ``Engine.stream_answer``: seconds to the first text the user sees and to the
  finished answer; whether the model's answer reached the user (at least one sentence
  kept) or the extractive answer replaced it, and why; sentences kept and removed (by
  reason); whether the first citation is a labelled relevant decision;
- with ``--follow-ups``: every labelled follow-up of bench/questions/conversations
  rewritten by the local model, and whether the rewritten query, answered alone,
  is about the labelled decision (bench/llm_quality.py scores the deterministic
  rewriter the same way);
- resident memory (peak) of the process at the end.

Without ``--store`` the benchmark corpus is built into a temporary folder first.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from itertools import zip_longest
from pathlib import Path
from statistics import median
from typing import Any

from langchain_core.language_models import BaseChatModel

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
from bench.llm_quality import load_conversations, resolved
from ingest.vocabulary.settings import Settings
from retrieval.check.checker import split_claims
from retrieval.engine import Engine, open_engine
from retrieval.llm.models import chat_model
from retrieval.types import Answer, Turn
from retrieval.understand.conversation import resolve, rewrite

PROBE_SENTENCE = (
    "The Council assessed the walking route to school and decided it was available, so it "
    "refused free transport; the parent appealed and the review panel upheld the refusal. "
)


@dataclass
class LocalFigures:
    first_text_s: list[float] = field(default_factory=list)
    total_s: list[float] = field(default_factory=list)
    outcomes: Counter[str] = field(default_factory=Counter)
    removed: Counter[str] = field(default_factory=Counter)
    kept_sentences: int = 0
    first_citation_relevant: int = 0
    answered: int = 0

    def add(self, question: Question, answer: Answer, first: float, total: float) -> None:
        self.first_text_s.append(first)
        self.total_s.append(total)
        self.outcomes[_outcome(answer)] += 1
        self.removed.update(r.reason.split(" [")[0] for r in answer.removed)
        if not answer.notice.endswith("showing the extractive answer."):
            self.kept_sentences += len(split_claims(answer.text))
        if answer.citations:
            self.answered += 1
            self.first_citation_relevant += answer.citations[0].ref in question.relevant

    def summary(self) -> dict[str, Any]:
        return {
            "questions": len(self.total_s),
            "first_text_s_median": round(median(self.first_text_s), 1),
            "total_s_median": round(median(self.total_s), 1),
            "total_s_max": round(max(self.total_s), 1),
            "outcomes": dict(self.outcomes),
            "sentences_kept": self.kept_sentences,
            "sentences_removed": dict(self.removed),
            "first_citation_relevant": f"{self.first_citation_relevant}/{self.answered}",
        }


def _outcome(answer: Answer) -> str:
    if not answer.answered:
        return "declined (no relevant decision)"
    if answer.notice.endswith("showing the extractive answer."):
        return "extractive fallback: " + answer.notice.split(";")[0].split("(")[-1].rstrip(")")
    return "model's answer shown"


def raw_speed(settings: Settings) -> dict[str, float]:
    """Load, prompt reading and generation speed straight through llama.cpp (the model stays
    loaded: the engine opened next shares it)."""
    started = time.perf_counter()
    model = chat_model(settings)
    load_s = time.perf_counter() - started
    llama = model.client  # type: ignore[attr-defined]
    prompt = PROBE_SENTENCE * 36
    tokens = len(llama.tokenize(prompt.encode()))
    started = time.perf_counter()
    first = 0.0
    pieces = 0
    messages = [{"role": "user", "content": prompt + "\nSummarise this in two sentences."}]
    for _ in llama.create_chat_completion(messages=messages, max_tokens=96, stream=True):
        first = first or time.perf_counter() - started
        pieces += 1
    generating = time.perf_counter() - started - first
    return {
        "load_s": round(load_s, 2),
        "prompt_tokens": tokens,
        "prompt_tokens_per_s": round(tokens / first, 1),
        "generated_tokens": pieces,
        "generation_tokens_per_s": round((pieces - 1) / generating, 1) if generating else 0.0,
    }


def spread(questions: list[Question], count: int) -> list[Question]:
    """The first ``count`` questions taken in turn from each question type."""
    by_type: dict[str, list[Question]] = {}
    for question in questions:
        by_type.setdefault(question.type, []).append(question)
    mixed = [q for row in zip_longest(*by_type.values()) for q in row if q is not None]
    return mixed[:count]


def answer_figures(engine: Engine, questions: list[Question]) -> dict[str, Any]:
    figures = LocalFigures()
    for question in questions:
        started = time.perf_counter()
        first = 0.0
        pieces = []
        for piece in engine.stream_answer(question.query):
            first = first or time.perf_counter() - started
            pieces.append(piece)
        answer = pieces[-1]
        assert isinstance(answer, Answer)  # the stream always ends with the finished answer
        figures.add(question, answer, first, time.perf_counter() - started)
    return figures.summary()


def rewrite_figures(engine: Engine, model: BaseChatModel) -> dict[str, Any]:
    """Each labelled follow-up rewritten by the local model (the history is the extractive
    engine's answers), then answered on its own: is the answer about the labelled decision?"""
    seconds, resolved_count, kept_own, follow_ups = [], 0, 0, 0
    for conversation in load_conversations():
        history: list[Turn] = []
        for position, turn in enumerate(conversation["turns"]):
            if position:
                started = time.perf_counter()
                query = rewrite(turn["q"], history, model, timeout_s=120)
                seconds.append(time.perf_counter() - started)
                kept_own += query != resolve(turn["q"], history)
                resolved_count += resolved(engine.answer(query), turn)
                follow_ups += 1
            history.append(Turn(turn["q"], engine.answer(turn["q"], history=history)))
    return {
        "follow_ups": follow_ups,
        "resolved": resolved_count,
        "model_rewrite_used": kept_own,  # the others fell back to the deterministic rewrite
        "rewrite_s_median": round(median(seconds), 1),
    }


def peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 0)


def run(store: Path, count: int, follow_ups: bool) -> dict[str, Any]:
    # The default llm settings (the packaged model), with a deadline no answer here reaches.
    settings = bench_settings(store).model_copy(update={"answerer": "llm", "llm_timeout_s": 300})
    speed = raw_speed(settings)
    engine = open_engine(settings, store)
    print("\nraw llama.cpp speed (packaged model)")
    print(table(["figure", "value"], [[k, str(v)] for k, v in speed.items()]))
    started = time.perf_counter()
    answers = answer_figures(engine, spread(load_questions(), count))
    print(f"\nanswers through Engine.stream_answer ({time.perf_counter() - started:.0f} s)")
    rows = [[k, json.dumps(v) if isinstance(v, dict) else str(v)] for k, v in answers.items()]
    print(table(["figure", "value"], rows))
    figures: dict[str, Any] = {"speed": speed, "answers": answers}
    if follow_ups:
        extractive = open_engine(bench_settings(store), store)
        started = time.perf_counter()
        figures["rewrites"] = rewrite_figures(extractive, chat_model(settings))
        extractive.close()
        print(f"\nfollow-ups rewritten by the local model ({time.perf_counter() - started:.0f} s)")
        print(table(["figure", "value"], [[k, str(v)] for k, v in figures["rewrites"].items()]))
    rss = peak_rss_mb()
    print(f"\npeak resident memory of this process: {rss:.0f} MB")
    engine.close()
    return {**figures, "peak_rss_mb": rss}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path, help="a store built from the benchmark corpus")
    parser.add_argument("--questions", type=int, default=20, help="labelled questions to ask")
    parser.add_argument(
        "--follow-ups", action="store_true", help="also the labelled follow-ups (~5 minutes)"
    )
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    print(machine_line())
    with tempfile.TemporaryDirectory(prefix="oqa-bench-local-llm-") as tmp:
        store = args.store
        if store is None:
            store = Path(tmp) / "store"
            build_index(make_corpus(Path(tmp) / "corpus"), store)
        figures = run(store, args.questions, args.follow_ups)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
