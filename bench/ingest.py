"""Ingest throughput: the whole pipeline beside the raw embedding model on the same texts.

    python bench/ingest.py [--repeat N] [--store DIR] [--flush-batches]

Builds the benchmark corpus (sample + seed, replicated ``--repeat`` times with
altered references) into a fresh store, then embeds exactly the texts the
pipeline embedded (``embedding_text`` of every chunk) with the same
``Embedder`` in one call. Prints chunks/s and decisions/s for both, the time per
pipeline stage and the pipeline/raw ratio (target: at least 85%).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import bench_settings, machine_line, make_corpus, table
from ingest.chunk import chunk_decision, embedding_text
from ingest.embeddings import Embedder, get_embedder
from ingest.parse import parse_decision
from ingest.pipeline import BuildSummary, build, chunk_limits
from ingest.settings import Settings
from ingest.sources import discover, read_source

TARGET_RATIO = 0.85
DEFAULT_FLUSH_CHUNKS = 256  # the pipeline's batch when settings do not name one
STAGES = ("parse", "chunk", "embed", "write")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--repeat", type=int, default=2, help="copies of the corpus (~600 chunks each)"
    )
    parser.add_argument("--store", type=Path, help="empty folder for the store (default: temp)")
    parser.add_argument(
        "--flush-batches",
        action="store_true",
        help="also time raw embedding in the pipeline's batches (build_flush_chunks)",
    )
    return parser.parse_args()


def timed_load(settings: Settings) -> tuple[Embedder, float]:
    """The process-wide embedder (the build reuses it) and the seconds its load took."""
    tick = time.perf_counter()
    embedder = get_embedder(settings)
    embedder.embed(["warm-up passage about a council"] * 4)
    return embedder, time.perf_counter() - tick


def chunk_texts(corpus: Path, settings: Settings, embedder: Embedder) -> list[list[str]]:
    """Per decision, the texts the pipeline embeds, in the pipeline's order (first id wins)."""
    limits = chunk_limits(settings, embedder)
    seen: set[str] = set()
    per_decision = []
    for path in discover(corpus):
        decision = parse_decision(read_source(path, corpus))
        texts = []
        for chunk in chunk_decision(decision, limits, embedder.count_tokens):
            if chunk.id not in seen:
                seen.add(chunk.id)
                texts.append(embedding_text(decision, chunk.section, chunk.text))
        per_decision.append(texts)
    return per_decision


@dataclass(frozen=True)
class Timing:
    """Wall-clock seconds and this process's CPU seconds (all threads) of one measurement."""

    wall: float
    cpu: float

    def __add__(self, other: Timing) -> Timing:
        return Timing(self.wall + other.wall, self.cpu + other.cpu)


def timed(work: Callable[[], object]) -> tuple[Timing, object]:
    wall, cpu = time.perf_counter(), time.process_time()
    result = work()
    return Timing(time.perf_counter() - wall, time.process_time() - cpu), result


def raw_timing(embedder: Embedder, texts: list[str]) -> Timing:
    return timed(lambda: embedder.embed(texts))[0]


def flush_batches(per_decision: list[list[str]], settings: Settings) -> list[list[str]]:
    """The pipeline's embed calls: whole decisions gathered until the flush size."""
    size = getattr(settings, "build_flush_chunks", DEFAULT_FLUSH_CHUNKS)
    batches: list[list[str]] = [[]]
    for texts in per_decision:
        batches[-1].extend(texts)
        if len(batches[-1]) >= size:
            batches.append([])
    return [b for b in batches if b]


@dataclass
class Run:
    """Everything one benchmark run measured."""

    summary: BuildSummary
    pipeline: Timing
    raw: list[Timing]  # the same texts, embedded before and after the pipeline
    load_s: float
    texts: list[str]
    decisions: int

    @property
    def raw_mean(self) -> Timing:
        total = sum(self.raw, Timing(0.0, 0.0))
        return Timing(total.wall / len(self.raw), total.cpu / len(self.raw))


def measure(args: argparse.Namespace, corpus: Path, store: Path) -> Run:
    settings = bench_settings(store)
    embedder, load_s = timed_load(settings)
    per_decision = chunk_texts(corpus, settings, embedder)
    texts = [t for group in per_decision for t in group]
    before = raw_timing(embedder, texts)
    pipeline, summary = timed(lambda: build([corpus], settings, store))
    after = raw_timing(embedder, texts)
    run = Run(summary, pipeline, [before, after], load_s, texts, len(per_decision))  # type: ignore[arg-type]
    if args.flush_batches:
        batched = sum(
            (raw_timing(embedder, b) for b in flush_batches(per_decision, settings)),
            Timing(0.0, 0.0),
        )
        print(
            f"raw Embedder.embed in the pipeline's batches: {len(texts) / batched.wall:.1f} "
            f"chunks/s ({batched.wall:.2f} s wall, {batched.cpu:.2f} s CPU)"
        )
    return run


def stage_rows(summary: BuildSummary, wall: float) -> list[list[str]]:
    rows = [[stage, summary.timings.get(stage, 0.0)] for stage in STAGES]
    other = wall - sum(summary.timings.get(stage, 0.0) for stage in STAGES)
    rows += [["other (open store, checks, commit)", other], ["pipeline total", wall]]
    return [[name, f"{secs:.2f}", f"{100 * secs / wall:.1f}%"] for name, secs in rows]


def rate_row(name: str, chunks: int, decisions: int, timing: Timing) -> list[str]:
    return [
        name,
        str(chunks),
        str(decisions),
        f"{timing.wall:.2f}",
        f"{chunks / timing.wall:.1f}",
        f"{decisions / timing.wall:.2f}",
        f"{timing.cpu:.2f}",
        f"{chunks / timing.cpu:.1f}",
    ]


def report(run: Run) -> None:
    chunks, decisions, n = run.summary.chunks_added, run.summary.added_decisions, len(run.texts)
    words = sum(len(t.split()) for t in run.texts) / max(n, 1)
    print(
        f"\ncorpus: {run.decisions} decisions, {n} chunks (mean {words:.0f} words per embedded "
        f"text); model {bench_settings(Path()).embedding_model} loaded in {run.load_s:.1f} s\n"
    )
    print(table(["pipeline stage", "seconds", "share"], stage_rows(run.summary, run.pipeline.wall)))
    print()
    load = Timing(run.pipeline.wall + run.load_s, run.pipeline.cpu)
    rows = [
        rate_row("pipeline end to end", chunks, decisions, run.pipeline),
        rate_row("pipeline + model load", chunks, decisions, load),
        rate_row("raw Embedder.embed, before", n, run.decisions, run.raw[0]),
        rate_row("raw Embedder.embed, after", n, run.decisions, run.raw[-1]),
        rate_row("raw Embedder.embed, mean", n, run.decisions, run.raw_mean),
    ]
    headers = ["measure", "chunks", "decisions", "wall s", "chunks/s", "decisions/s", "CPU s"]
    print(table([*headers, "chunks/CPU s"], rows))
    wall = (chunks / run.pipeline.wall) / (n / run.raw_mean.wall)
    cpu = (chunks / run.pipeline.cpu) / (n / run.raw_mean.cpu)
    verdict = "meets" if wall >= TARGET_RATIO else "BELOW"
    print(
        f"\npipeline / raw throughput: {100 * wall:.1f}% wall clock ({verdict} the "
        f"{100 * TARGET_RATIO:.0f}% target), {100 * cpu:.1f}% per CPU second"
    )


def run_benchmark(args: argparse.Namespace, workdir: Path) -> int:
    store = args.store or workdir / "store"
    if store.exists() and any(store.iterdir()):
        print(f"--store {store} is not empty; give an empty or new folder", file=sys.stderr)
        return 2
    corpus = make_corpus(workdir / "corpus", args.repeat)
    print(machine_line())
    run = measure(args, corpus, store)
    print(machine_line().replace("machine:", "after the runs:"))
    report(run)
    if run.summary.failed or run.summary.chunks_added != len(run.texts):
        print(
            f"WARNING: {len(run.summary.failed)} failed, {run.summary.chunks_added} chunks added "
            f"by the pipeline vs {len(run.texts)} texts timed raw",
            file=sys.stderr,
        )
        return 1
    return 0


def main() -> int:
    args = parse_args()
    with tempfile.TemporaryDirectory(prefix="oqa-bench-ingest-") as tmp:
        return run_benchmark(args, Path(tmp))


if __name__ == "__main__":
    raise SystemExit(main())
