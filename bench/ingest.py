"""Ingest throughput: the whole pipeline beside the raw embedding model on the same texts.

    python bench/ingest.py [--repeat N] [--store DIR]

Builds the benchmark corpus (sample + seed, replicated ``--repeat`` times with
altered references) into a fresh store and compares it with the raw
``Embedder.embed`` on exactly the texts the pipeline embeds (``embedding_text``
of every chunk), two ways:

- paired: every embed call the build makes is repeated at once, outside the
  pipeline's accounting, on the same texts (in alternating order). Other
  processes on a small machine make wall-clock timings of the same call swing
  by 3x within a minute; a pair is timed at the same moment, so the load mostly
  cancels out. The ratio is the median over calls of raw/pipeline call time,
  times the share of the build spent inside the model. The build's own time is
  its wall time less the repeats.
- one call: all the texts in a single ``Embedder.embed`` call before the build.

It also prints the share of the build's time spent inside ``Embedder.embed``,
which does not depend on the load: the pipeline's own overhead.

Prints chunks/s and decisions/s, the time per pipeline stage (parse, chunk,
embed, write) and the pipeline/raw ratio (target: at least 85%).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from statistics import median
from typing import TypeVar

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import bench_settings, machine_line, make_corpus, table
from ingest.indexing.chunk import chunk_decision, embedding_text
from ingest.indexing.embeddings import Embedder, get_embedder
from ingest.indexing.identity import chunk_limits
from ingest.indexing.pipeline import BuildSummary, build
from ingest.parse.decision import parse_decision
from ingest.parse.sources import discover, read_source
from ingest.vocabulary.settings import Settings

T = TypeVar("T")
TARGET_RATIO = 0.85
STAGES = ("parse", "chunk", "embed", "write")


@dataclass(frozen=True)
class Timing:
    """Wall-clock seconds and this process's CPU seconds (all threads) of one measurement."""

    wall: float = 0.0
    cpu: float = 0.0

    def __add__(self, other: Timing) -> Timing:
        return Timing(self.wall + other.wall, self.cpu + other.cpu)

    def __sub__(self, other: Timing) -> Timing:
        return Timing(self.wall - other.wall, self.cpu - other.cpu)


@dataclass
class Calls:
    """The build's own embed calls and their paired raw repeats."""

    model: Timing = field(default_factory=Timing)
    raw: Timing = field(default_factory=Timing)
    texts: int = 0
    count: int = 0
    wall_ratios: list[float] = field(default_factory=list)  # raw / model, per call
    cpu_ratios: list[float] = field(default_factory=list)


@dataclass
class Run:
    summary: BuildSummary
    build: Timing  # the whole build, repeats included
    calls: Calls
    one_call: Timing  # every text in one raw call, before the build
    texts: int
    decisions: int
    load_s: float

    @property
    def pipeline(self) -> Timing:
        """The build without the paired repeats: what the pipeline itself took."""
        return self.build - self.calls.raw


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=2, help="copies of the corpus (~590 chunks)")
    parser.add_argument("--store", type=Path, help="empty folder for the store (default: temp)")
    return parser.parse_args()


def timed(work: Callable[[], T]) -> tuple[Timing, T]:
    wall, cpu = time.perf_counter(), time.process_time()
    result = work()
    return Timing(time.perf_counter() - wall, time.process_time() - cpu), result


def timed_load(settings: Settings) -> tuple[Embedder, float]:
    """The process-wide embedder (the build reuses it) and the seconds its load took."""
    timing, embedder = timed(lambda: get_embedder(settings))
    embedder.embed(["warm-up passage about a council"] * 4)
    return embedder, timing.wall


def chunk_texts(corpus: Path, settings: Settings, embedder: Embedder) -> list[str]:
    """The texts the pipeline embeds, in the pipeline's order (the first of an id wins)."""
    limits = chunk_limits(settings, embedder)
    seen: set[str] = set()
    texts = []
    for path in discover(corpus):
        decision = parse_decision(read_source(path, corpus))
        for chunk in chunk_decision(decision, limits, embedder.count_tokens):
            if chunk.id not in seen:
                seen.add(chunk.id)
                texts.append(embedding_text(decision, chunk.section, chunk.text))
    return texts


@contextmanager
def paired_calls(embedder: Embedder) -> Iterator[Calls]:
    """Time every ``embedder.embed`` call and repeat it raw at once, alternating the order."""
    calls = Calls()
    original = embedder.embed

    def embed(texts: list[str]) -> np.ndarray:
        raw_first = calls.count % 2 == 1
        if raw_first:
            raw = timed(lambda: original(texts))[0]
        model, vectors = timed(lambda: original(texts))
        if not raw_first:
            raw = timed(lambda: original(texts))[0]
        calls.raw += raw
        calls.model += model
        calls.wall_ratios.append(raw.wall / model.wall)
        calls.cpu_ratios.append(raw.cpu / max(model.cpu, 1e-9))
        calls.texts += len(texts)
        calls.count += 1
        return vectors

    embedder.embed = embed  # type: ignore[method-assign]
    try:
        yield calls
    finally:
        del embedder.embed  # the class's method again


def measure(corpus: Path, store: Path) -> Run:
    settings = bench_settings(store)
    embedder, load_s = timed_load(settings)
    texts = chunk_texts(corpus, settings, embedder)
    one_call = timed(lambda: embedder.embed(texts))[0]
    with paired_calls(embedder) as calls:
        whole, summary = timed(lambda: build([corpus], settings, store))
    decisions = sum(1 for _ in discover(corpus))
    return Run(summary, whole, calls, one_call, len(texts), decisions, load_s)


def stage_rows(run: Run) -> list[list[str]]:
    timings = dict(run.summary.timings)
    timings["embed"] = timings.get("embed", 0.0) - run.calls.raw.wall  # the repeats are ours
    rows: list[tuple[str, float]] = [(s, timings.get(s, 0.0)) for s in STAGES]
    total = run.pipeline.wall
    rows += [
        ("  of which inside Embedder.embed", run.calls.model.wall),
        ("other (open store, checks, commit)", total - sum(seconds for _, seconds in rows[:4])),
        ("pipeline total", total),
    ]
    return [[name, f"{secs:.2f}", f"{100 * secs / total:.1f}%"] for name, secs in rows]


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
    chunks, added = run.summary.chunks_added, run.summary.added_decisions
    with_load = Timing(run.pipeline.wall + run.load_s, run.pipeline.cpu)
    return [
        rate_row("pipeline end to end", chunks, added, run.pipeline),
        rate_row("pipeline + model load", chunks, added, with_load),
        rate_row("raw Embedder.embed, paired calls", run.calls.texts, added, run.calls.raw),
        rate_row("raw Embedder.embed, one call", run.texts, run.decisions, run.one_call),
    ]


def report(run: Run) -> None:
    print(
        f"\ncorpus: {run.decisions} decisions, {run.texts} chunks; "
        f"{run.calls.count} embed calls in the build; model "
        f"{bench_settings(Path()).embedding_model} loaded in {run.load_s:.1f} s\n"
    )
    print(table(["pipeline stage", "seconds", "share"], stage_rows(run)))
    print()
    headers = ["measure", "chunks", "decisions", "wall s", "chunks/s", "decisions/s", "CPU s"]
    print(table([*headers, "chunks/CPU s"], rate_rows(run)))
    chunks = run.summary.chunks_added
    one_call = (chunks / run.pipeline.wall) / (run.texts / run.one_call.wall)
    print("\npipeline / raw throughput (target >= 85%):")
    share = run.calls.model.wall / run.pipeline.wall
    calls = run.calls
    print(f"  build time inside the model:     {verdict(share)}  (the pipeline's own overhead)")
    print(f"  paired calls, wall clock:        {verdict(paired(calls.wall_ratios, share))}")
    print(f"  paired calls, CPU seconds:       {verdict(paired(calls.cpu_ratios, share))}")
    print(f"  one raw call before the build:   {verdict(one_call)}  (moves with the load)")
    print(
        f"  (paired: median over the {calls.count} calls of raw/pipeline call time, times "
        f"the share above; sums: {calls.raw.wall:.1f} s raw vs {calls.model.wall:.1f} s)"
    )
    print(
        f"  per-call raw/pipeline wall ratios: {', '.join(f'{r:.2f}' for r in calls.wall_ratios)}"
    )


def paired(ratios: list[float], share: float) -> float:
    """Pipeline throughput relative to raw: per-call speed (median pair) times model share."""
    return median(ratios) * share if ratios else 0.0


def verdict(ratio: float) -> str:
    return f"{100 * ratio:6.1f}% {'meets' if ratio >= TARGET_RATIO else 'BELOW'} the target"


def check(run: Run) -> int:
    """Non-zero when a file failed or the build embedded other texts than were timed."""
    summary = run.summary
    if not summary.failed and summary.chunks_added == run.texts == run.calls.texts:
        return 0
    print(
        f"WARNING: {len(summary.failed)} files failed; {summary.chunks_added} chunks added, "
        f"{run.calls.texts} embedded by the build, {run.texts} timed in one call",
        file=sys.stderr,
    )
    return 1


def run_benchmark(args: argparse.Namespace, workdir: Path) -> int:
    store = args.store or workdir / "store"
    if store.exists() and any(store.iterdir()):
        print(f"--store {store} is not empty; give an empty or new folder", file=sys.stderr)
        return 2
    corpus = make_corpus(workdir / "corpus", args.repeat)
    print(machine_line())
    run = measure(corpus, store)
    print(machine_line().replace("machine:", "after the run:"))
    report(run)
    return check(run)


def main() -> int:
    args = parse_args()
    if args.repeat < 1:
        print("--repeat must be at least 1", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="oqa-bench-ingest-") as tmp:
        return run_benchmark(args, Path(tmp))


if __name__ == "__main__":
    raise SystemExit(main())
