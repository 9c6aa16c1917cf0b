"""Ingest throughput: the whole pipeline beside the raw embedding model on the same texts.

    python bench/ingest.py [--repeat N] [--rounds R] [--store DIR] [--flush-batches]

Builds the benchmark corpus (sample + seed, replicated ``--repeat`` times with
altered references) into fresh stores, ``--rounds`` times, and between the
builds embeds exactly the texts the pipeline embeds (``embedding_text`` of
every chunk) with the same ``Embedder`` in one call: raw, build, raw, build,
raw. Other processes on a small machine make single wall-clock timings swing
by 30% or more, so the ratio is given twice: best build against best raw pass
(wall clock), and median chunks per CPU second of this process (all threads),
which hardly moves with the load. Prints chunks/s and
decisions/s, the time per pipeline stage and the pipeline/raw ratio (target:
at least 85%).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from statistics import median
from typing import TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import bench_settings, machine_line, make_corpus, table
from ingest.chunk import chunk_decision, embedding_text
from ingest.embeddings import Embedder, get_embedder
from ingest.parse import parse_decision
from ingest.pipeline import BuildSummary, build, chunk_limits
from ingest.settings import Settings
from ingest.sources import discover, read_source

T = TypeVar("T")
TARGET_RATIO = 0.85
DEFAULT_FLUSH_CHUNKS = 256  # the pipeline's batch when settings do not name one
STAGES = ("parse", "chunk", "embed", "write")


@dataclass(frozen=True)
class Timing:
    """Wall-clock seconds and this process's CPU seconds (all threads) of one measurement."""

    wall: float
    cpu: float

    def __add__(self, other: Timing) -> Timing:
        return Timing(self.wall + other.wall, self.cpu + other.cpu)


@dataclass
class Build:
    summary: BuildSummary
    timing: Timing


@dataclass
class Run:
    """Everything one benchmark run measured."""

    builds: list[Build]
    raw: list[Timing]  # the same texts, embedded before, between and after the builds
    load_s: float
    texts: list[str]
    decisions: int

    @property
    def best_build(self) -> Build:
        return min(self.builds, key=lambda b: b.timing.wall)

    @property
    def best_raw(self) -> Timing:
        return min(self.raw, key=lambda t: t.wall)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=1, help="copies of the corpus (~590 chunks)")
    parser.add_argument("--rounds", type=int, default=2, help="pipeline builds, each fresh")
    parser.add_argument("--store", type=Path, help="empty folder for the last build's store")
    parser.add_argument(
        "--flush-batches",
        action="store_true",
        help="also time raw embedding in the pipeline's batches (build_flush_chunks)",
    )
    return parser.parse_args()


def timed(work: Callable[[], T]) -> tuple[Timing, T]:
    wall, cpu = time.perf_counter(), time.process_time()
    result = work()
    return Timing(time.perf_counter() - wall, time.process_time() - cpu), result


def timed_load(settings: Settings) -> tuple[Embedder, float]:
    """The process-wide embedder (every build reuses it) and the seconds its load took."""
    timing, embedder = timed(lambda: get_embedder(settings))
    embedder.embed(["warm-up passage about a council"] * 4)
    return embedder, timing.wall


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


def measure(corpus: Path, stores: list[Path]) -> Run:
    """raw, build, raw, build, ..., raw: one build per store."""
    embedder, load_s = timed_load(bench_settings(stores[0]))
    per_decision = chunk_texts(corpus, bench_settings(stores[0]), embedder)
    texts = [t for group in per_decision for t in group]
    raw, builds = [raw_timing(embedder, texts)], []
    for store in stores:
        timing, summary = timed(lambda s=store: build([corpus], bench_settings(s), s))
        builds.append(Build(summary, timing))
        raw.append(raw_timing(embedder, texts))
    return Run(builds, raw, load_s, texts, len(per_decision))


def time_flush_batches(corpus: Path, store: Path) -> None:
    """Raw embedding in the pipeline's own batches: isolates the cost of batching."""
    settings = bench_settings(store)
    embedder = get_embedder(settings)
    batches = flush_batches(chunk_texts(corpus, settings, embedder), settings)
    total = sum((raw_timing(embedder, b) for b in batches), Timing(0.0, 0.0))
    chunks = sum(len(b) for b in batches)
    print(
        f"raw Embedder.embed in the pipeline's {len(batches)} batches: "
        f"{chunks / total.wall:.1f} chunks/s ({total.wall:.2f} s wall, {total.cpu:.2f} s CPU)"
    )


def stage_rows(summary: BuildSummary, wall: float) -> list[list[str]]:
    rows: list[tuple[str, float]] = [(s, summary.timings.get(s, 0.0)) for s in STAGES]
    other = wall - sum(seconds for _, seconds in rows)
    rows += [("other (open store, checks, commit)", other), ("pipeline total", wall)]
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


def rate_rows(run: Run) -> list[list[str]]:
    n, docs = len(run.texts), run.decisions
    rows = []
    for i, (raw, done) in enumerate(zip(run.raw, [*run.builds, None], strict=True), start=1):
        rows.append(rate_row(f"raw Embedder.embed, pass {i}", n, docs, raw))
        if done is not None:
            chunks, added = done.summary.chunks_added, done.summary.added_decisions
            rows.append(rate_row(f"pipeline build {i}", chunks, added, done.timing))
    best = run.best_build
    chunks, added = best.summary.chunks_added, best.summary.added_decisions
    loaded = Timing(best.timing.wall + run.load_s, best.timing.cpu)
    rows.append(rate_row("BEST pipeline end to end", chunks, added, best.timing))
    rows.append(rate_row("BEST pipeline + model load", chunks, added, loaded))
    rows.append(rate_row("BEST raw Embedder.embed", n, docs, run.best_raw))
    return rows


def report(run: Run) -> None:
    n = len(run.texts)
    words = sum(len(t.split()) for t in run.texts) / max(n, 1)
    best = run.best_build
    print(
        f"\ncorpus: {run.decisions} decisions, {n} chunks (mean {words:.0f} words per embedded "
        f"text); model {bench_settings(Path()).embedding_model} loaded in {run.load_s:.1f} s\n"
    )
    print(
        table(
            ["best build's stage", "seconds", "share"], stage_rows(best.summary, best.timing.wall)
        )
    )
    print()
    headers = ["measure", "chunks", "decisions", "wall s", "chunks/s", "decisions/s", "CPU s"]
    print(table([*headers, "chunks/CPU s"], rate_rows(run)))
    wall = (best.summary.chunks_added / best.timing.wall) / (n / run.best_raw.wall)
    raw_cpu = median(n / t.cpu for t in run.raw)
    build_cpu = median(b.summary.chunks_added / b.timing.cpu for b in run.builds)
    print("\npipeline / raw throughput (target >= 85%):")
    print(f"  wall clock, best of each:   {verdict(wall)}")
    print(f"  per CPU second, median:     {verdict(build_cpu / raw_cpu)}  (steadier under load)")


def verdict(ratio: float) -> str:
    return f"{100 * ratio:6.1f}% {'meets' if ratio >= TARGET_RATIO else 'BELOW'} the target"


def check(run: Run) -> int:
    """Non-zero when a build failed a file or embedded other texts than were timed raw."""
    status = 0
    for i, done in enumerate(run.builds, start=1):
        if done.summary.failed or done.summary.chunks_added != len(run.texts):
            print(
                f"WARNING: build {i}: {len(done.summary.failed)} files failed, "
                f"{done.summary.chunks_added} chunks added vs {len(run.texts)} texts timed raw",
                file=sys.stderr,
            )
            status = 1
    return status


def run_benchmark(args: argparse.Namespace, workdir: Path) -> int:
    last = args.store or workdir / f"store-{args.rounds}"
    if last.exists() and any(last.iterdir()):
        print(f"--store {last} is not empty; give an empty or new folder", file=sys.stderr)
        return 2
    stores = [workdir / f"store-{i}" for i in range(1, args.rounds)] + [last]
    corpus = make_corpus(workdir / "corpus", args.repeat)
    print(machine_line())
    run = measure(corpus, stores)
    print(machine_line().replace("machine:", "after the runs:"))
    report(run)
    if args.flush_batches:
        time_flush_batches(corpus, last)
    return check(run)


def main() -> int:
    args = parse_args()
    if args.repeat < 1 or args.rounds < 1:
        print("--repeat and --rounds must be at least 1", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="oqa-bench-ingest-") as tmp:
        return run_benchmark(args, Path(tmp))


if __name__ == "__main__":
    raise SystemExit(main())
