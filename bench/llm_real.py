"""The packaged local model on real questions: what the citation checker lets reach the user.

    python bench/llm_real.py --store DIR [--questions 32] [--skip 0] [--out FILE.jsonl]

The store must hold the real decisions of ``../shared/realdata/corpus.jsonl``
(``bench.common.materialise_real_corpus`` writes them one file each, then
``python -m ingest build --source DIR --store DIR``). The first N questions of
``../shared/realdata/questions.jsonl`` (taken in turn from each kind; ``--skip K``
leaves out the first K, for a run on questions no checker change was made from) go through
``Engine.stream_answer`` with ``OQA_ANSWERER=llm`` and the packaged model. Per
answer: seconds to the first checked sentence on screen and to the finished
answer, whether the model's answer was shown or the extractive one replaced it
(and why), each sentence shown with its citations' quotes, and each sentence
removed with the checker's reason. ``--out`` keeps all of it, one answer a
line, for reading the answers against the decisions, with what the model wrote
before the checker saw it.

    python bench/llm_real.py --store DIR --recheck FILE.jsonl

checks those recorded drafts again with the current checker, over the same
passages (retrieval is deterministic), without the model: what a checker
change does to real model output, in seconds. A sentence shown then and
removed now, or the reverse, is listed.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from statistics import median
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import REAL_DIR, Question, bench_settings, machine_line
from bench.llm_local import spread
from ingest.vocabulary.normalise import canonical_ref
from retrieval.answering.citations import markers
from retrieval.check.checker import split_claims, without_markers
from retrieval.engine import Engine, open_engine
from retrieval.llm.answerer import Assembler, gather_sources
from retrieval.types import Answer

FALLBACK = "showing the extractive answer."


def real_questions(path: Path = REAL_DIR / "questions.jsonl") -> list[Question]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    return [
        Question(row["id"], row["kind"], row["question"], tuple(map(_ref, row["refs"])))
        for row in rows
    ]


def _ref(text: str) -> str:
    return canonical_ref(text) or text


class DraftRecorder:
    """What the model wrote for the last question, before the checker saw it (kept so that
    the answers can be checked again, offline, by a later checker)."""

    def __init__(self, model: Any) -> None:
        self.text = ""
        self._stream = model.stream
        # The model is a pydantic object: set the attribute past its validation.
        object.__setattr__(model, "stream", self._recording)

    def _recording(self, *args: Any, **kwargs: Any) -> Iterator[Any]:
        self.text = ""
        for chunk in self._stream(*args, **kwargs):
            self.text += str(chunk.text)
            yield chunk


def ask(engine: Engine, question: Question, recorder: DraftRecorder | None) -> dict[str, Any]:
    if recorder:
        recorder.text = ""  # a question the model is not asked leaves no draft
    started = time.perf_counter()
    first = 0.0
    answer: Answer | None = None
    for piece in engine.stream_answer(question.query):
        if isinstance(piece, Answer):
            answer = piece
        elif piece and not first:
            first = time.perf_counter() - started
    total = time.perf_counter() - started
    assert answer is not None  # the stream always ends with the finished answer
    fallback = answer.notice.endswith(FALLBACK)
    shown = "model" if answer.answered and not fallback else "extractive fallback"
    if not answer.answered:
        shown = "declined (no decision close enough)"  # the model is not asked
    return {
        "id": question.id,
        "kind": question.type,
        "question": question.query,
        "refs": list(question.relevant),
        "first_checked_s": round(first, 1) if shown == "model" else None,
        "total_s": round(total, 1),
        "shown": shown,
        "notice": answer.notice,
        "sentences": [_sentence(claim.text, answer) for claim in split_claims(answer.text)],
        "removed": [r.to_json() for r in answer.removed],
        "draft": recorder.text if recorder else "",
    }


def _sentence(text: str, answer: Answer) -> dict[str, Any]:
    cited = [c for c in answer.citations if c.n in markers(text)]
    return {
        "text": without_markers(text),
        "cites": [{"ref": c.ref, "section": c.section, "quote": c.quote} for c in cited],
    }


def recheck(engine: Engine, row: dict[str, Any]) -> tuple[list[str], list[str]]:
    """(sentences the current checker shows, its removed reasons) for a recorded draft."""
    hits = engine.search(row["question"]).hits
    decisions = engine.index.store.records.decisions([hit.ref for hit in hits[:5]])
    sources = gather_sources(hits, decisions, engine.settings.llm_max_passages)
    assembler = Assembler({s.n: s for s in sources}, engine.settings.citation_min_support)
    for claim in split_claims(row["draft"]):
        assembler.add(claim)
    draft = assembler.draft()
    shown = [without_markers(claim.text) for claim in split_claims(draft.text)]
    return shown, [f"{r.sentence} — {r.reason}" for r in draft.removed]


def recheck_all(engine: Engine, path: Path) -> None:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    changed, answers, sentences = 0, 0, 0
    for row in (r for r in rows if r["draft"]):
        shown, removed = recheck(engine, row)
        answers, sentences = answers + bool(shown), sentences + len(shown)
        before = [s["text"] for s in row["sentences"]] if row["shown"] == "model" else []
        for sentence in sorted(set(before) ^ set(shown)):
            changed += 1
            verdict = "now shown" if sentence in shown else "now removed"
            why = next((r for r in removed if r.startswith(sentence)), "")
            print(f"{row['id']}: {verdict}: {sentence} {why.removeprefix(sentence)}")
    print(f"{changed} sentences changed verdict over {len(rows)} recorded answers")
    print(f"now: the model's answer shown for {answers} of {len(rows)}, {sentences} sentences")


def summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    model = [r for r in rows if r["shown"] == "model"]
    removed = [r["reason"] for row in rows for r in row["removed"]]
    reasons = Counter(reason.split(":")[0].split(" [")[0] for reason in removed)
    details = Counter(reason.split(": ", 1)[-1].split("“")[0].strip() for reason in removed)
    return {
        "questions": len(rows),
        "model_answer_shown": len(model),
        "extractive_fallback": sum(r["shown"] == "extractive fallback" for r in rows),
        "declined": sum(r["shown"].startswith("declined") for r in rows),
        "first_checked_s_median": _median([r["first_checked_s"] for r in model]),
        "first_checked_s_p95": _p95([r["first_checked_s"] for r in model]),
        "total_s_median": _median([r["total_s"] for r in rows]),
        "total_s_p95": _p95([r["total_s"] for r in rows]),
        "total_s_max": max(r["total_s"] for r in rows),
        "sentences_shown_from_model": sum(len(r["sentences"]) for r in model),
        "sentences_removed": sum(len(r["removed"]) for r in rows),
        "removed_by_reason": dict(reasons),
        "removed_by_detail": dict(details),
        "fallback_notices": dict(Counter(r["notice"] for r in rows if r["shown"] != "model")),
    }


def _median(values: list[float]) -> float | None:
    return round(median(values), 1) if values else None


def _p95(values: list[float]) -> float | None:
    """The 95th percentile, interpolated (numpy's default)."""
    return round(float(np.percentile(values, 95)), 1) if values else None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path, required=True, help="a store of the real corpus")
    parser.add_argument("--recheck", type=Path, help="check the drafts recorded in this file again")
    parser.add_argument("--questions", type=int, default=32, help="real questions to ask")
    parser.add_argument(
        "--skip",
        type=int,
        default=0,
        help="leave out the first N (a run on questions no checker change was made from)",
    )
    parser.add_argument("--out", type=Path, help="write every answer here (JSON lines)")
    parser.add_argument(
        "--passages", type=int, help="OQA_LLM_MAX_PASSAGES for this run (default: the setting)"
    )
    parser.add_argument(
        "--max-tokens", type=int, help="OQA_LLM_MAX_TOKENS for this run (default: the setting)"
    )
    parser.add_argument("--timeout", type=float, default=300, help="OQA_LLM_TIMEOUT_S (s)")
    parser.add_argument(
        "--threads",
        type=int,
        help="OQA_LLM_THREADS (1 avoids llama.cpp's thread barrier "
        "stalling when other processes hold the cores)",
    )
    args = parser.parse_args()
    print(machine_line(), flush=True)
    settings = bench_settings(args.store)
    update: dict[str, Any] = {"answerer": "llm", "llm_timeout_s": args.timeout}
    if args.passages:
        update["llm_max_passages"] = args.passages
    if args.max_tokens:
        update["llm_max_tokens"] = args.max_tokens
    if args.threads:
        update["llm_threads"] = args.threads
    settings = settings.model_copy(update=update)
    if args.recheck:
        engine = open_engine(settings.model_copy(update={"answerer": "extractive"}), args.store)
        recheck_all(engine, args.recheck)
        engine.close()
        return 0
    print(
        f"settings: {settings.llm_max_passages} passages, {settings.llm_max_tokens} tokens, "
        f"{settings.llm_timeout_s:g} s deadline, {settings.llm_threads or 'all'} threads",
        flush=True,
    )
    engine = open_engine(settings, args.store)
    recorder = DraftRecorder(engine.llm.model) if engine.llm else None
    rows = []
    for question in spread(real_questions(), args.skip + args.questions)[args.skip :]:
        rows.append(ask(engine, question, recorder))
        print(f"{question.id}: {rows[-1]['shown']}, {rows[-1]['total_s']} s", flush=True)
        if args.out:
            with args.out.open("a", encoding="utf-8") as out:
                out.write(json.dumps(rows[-1], ensure_ascii=False) + "\n")
    engine.close()
    figures = summary(rows)
    for name, value in figures.items():
        print(f"{name}: {json.dumps(value, ensure_ascii=False)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
