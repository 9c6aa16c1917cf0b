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


def raw_seconds(embedder: Embedder, texts: list[str]) -> float:
    tick = time.perf_counter()
    embedder.embed(texts)
    return time.perf_counter() - tick


def flush_batches(per_decision: list[list[str]], settings: Settings) -> list[list[str]]:
    """The pipeline's embed calls: whole decisions gathered until the flush size."""
    size = getattr(settings, "build_flush_chunks", DEFAULT_FLUSH_CHUNKS)
    batches: list[list[str]] = [[]]
    for texts in per_decision:
        batches[-1].extend(texts)
        if len(batches[-1]) >= size:
            batches.append([])
    return [b for b in batches if b]


def stage_rows(summary: BuildSummary, wall: float) -> list[list[str]]:
    rows = [[stage, f"{summary.timings.get(stage, 0.0):.2f}"] for stage in STAGES]
    other = wall - sum(summary.timings.get(stage, 0.0) for stage in STAGES)
    rows.append(["other (open store, checks, commit)", f"{other:.2f}"])
    rows.append(["pipeline total", f"{wall:.2f}"])
    return [[name, secs, f"{100 * float(secs) / wall:.1f}%"] for name, secs in rows]


def rate_row(name: str, chunks: int, decisions: int, seconds: float) -> list[str]:
    return [
        name,
        str(chunks),
        str(decisions),
        f"{seconds:.2f}",
        f"{chunks / seconds:.1f}",
        f"{decisions / seconds:.2f}",
    ]


def run(args: argparse.Namespace, workdir: Path) -> int:
    store = args.store or workdir / "store"
    if store.exists() and any(store.iterdir()):
        print(f"--store {store} is not empty; give an empty or new folder", file=sys.stderr)
        return 2
    corpus = make_corpus(workdir / "corpus", args.repeat)
    settings = bench_settings(store)
    print(machine_line())
    embedder, load_s = timed_load(settings)
    tick = time.perf_counter()
    summary = build([corpus], settings, store)
    wall = time.perf_counter() - tick
    per_decision = chunk_texts(corpus, settings, embedder)
    texts = [t for group in per_decision for t in group]
    raw = raw_seconds(embedder, texts)
    print(machine_line().replace("machine:", "after runs:"))
    report(summary, wall, load_s, texts, raw, len(per_decision))
    if args.flush_batches:
        batched = sum(raw_seconds(embedder, b) for b in flush_batches(per_decision, settings))
        print(
            f"raw Embedder.embed in the pipeline's batches: {len(texts) / batched:.1f} chunks/s "
            f"({batched:.2f} s; one call: {raw:.2f} s)"
        )
    if summary.failed or summary.chunks_added != len(texts):
        print(
            f"WARNING: {len(summary.failed)} failed, {summary.chunks_added} chunks added "
            f"by the pipeline vs {len(texts)} texts timed raw",
            file=sys.stderr,
        )
        return 1
    return 0


def report(
    summary: BuildSummary, wall: float, load_s: float, texts: list[str], raw: float, docs: int
) -> None:
    chunks = summary.chunks_added
    words = sum(len(t.split()) for t in texts) / max(len(texts), 1)
    print(
        f"\ncorpus: {docs} decisions, {chunks} chunks (mean {words:.0f} words per embedded "
        f"text), model {bench_settings(Path()).embedding_model} loaded in {load_s:.1f} s\n"
    )
    print(table(["stage", "seconds", "share"], stage_rows(summary, wall)))
    print()
    headers = ["measure", "chunks", "decisions", "seconds", "chunks/s", "decisions/s"]
    rows = [
        rate_row("pipeline end to end", chunks, summary.added_decisions, wall),
        rate_row("pipeline + model load", chunks, summary.added_decisions, wall + load_s),
        rate_row("raw Embedder.embed, same texts", len(texts), docs, raw),
    ]
    print(table(headers, rows))
    ratio = (chunks / wall) / (len(texts) / raw)
    verdict = "meets" if ratio >= TARGET_RATIO else "BELOW"
    print(
        f"\npipeline / raw throughput: {100 * ratio:.1f}% ({verdict} the "
        f"{100 * TARGET_RATIO:.0f}% target)"
    )


def main() -> int:
    args = parse_args()
    with tempfile.TemporaryDirectory(prefix="oqa-bench-ingest-") as tmp:
        return run(args, Path(tmp))


if __name__ == "__main__":
    raise SystemExit(main())
