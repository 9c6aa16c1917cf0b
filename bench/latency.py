"""Query latency at 1k, 10k (and 100k) decisions, embedded and Chroma-server mode.

    python bench/latency.py [--full] [--server] [--workdir DIR] [--rounds N] [--queries N]

Tiers are the benchmark corpus (45 fictional sample decisions + the real seed,
embedded for real) plus SYNTHETIC variants written with precomputed vectors
(``bench/synthetic.py`` says exactly how), written through ``Store.write`` as a
build writes (vectors, keyword index, SQLite).
Per tier, in one process with the engine open and warmed, every labelled question of
``bench/questions/`` is timed through the public API, one call at a time:

- ``query embedding``: ``Index.embed_query`` alone, the floor under every operation;
- ``search``: ``Engine.search`` (query plan, embedding, dense + keyword, fusion, grouping);
- ``answer``: ``Engine.answer`` with the extractive answerer (search + a cited answer);
- ``similar (ref)``: ``Engine.similar(ref=...)`` for as many decisions of the tier;
- ``similar (text)``: ``Engine.similar(text=question)``.

``similar (ref)`` embeds nothing (it starts from the decision's stored vectors), so
it shows the cost of retrieval alone. Then the time to add 1, and then 100, new
synthetic decisions to the tier's index (one ``Store.write`` each: Chroma upsert,
one keyword-index commit, one SQLite transaction; the vectors are precomputed, so
the model's embedding time, about 10 ms a chunk here, comes on top in a real
build); they are deleted again after. The index size is given whole and for the
keyword index alone. Each operation runs ``--rounds`` times over
the questions; the round with the lower p95 is reported (on a shared machine the
better round is the less disturbed one), with the process CPU time per call beside
it (all threads), which other processes disturb less than wall time. Then, in
fresh processes on the 10k tier (and the 100k one): the time from launch to the
first answer through the Python API and the resident memory of that process after
30 more questions; the time from ``streamlit run app.py`` to its first health OK
(no browser session yet, so the model is not loaded by then). ``--full`` adds the
100k tier (about 1.3 million chunks: building it takes about half an hour);
``--server`` repeats 1k and 10k with the vectors in a Chroma server (``chroma run``
on loopback) started for the run.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import load_questions, machine_line, table
from bench.probes import cold_start, disk_mb, streamlit_health
from bench.synthetic import Base, build_tier, load_base, synthetic_batch, synthetic_overviews
from ingest.indexing.embeddings import Embedder, get_embedder
from ingest.indexing.identity import chunk_limits
from ingest.storage import opened_store
from ingest.storage.keyword_index import KEYWORD_DIR
from ingest.vocabulary.filters import DecisionFilter
from ingest.vocabulary.settings import Settings
from retrieval.engine import Engine, open_engine
from tests.servers import running_chroma_server

TIERS = (1_000, 10_000)
FULL_TIER = 100_000
WARM_UP = 5
ADDED = (1, 100)  # decisions added to a built tier, one write each


@dataclass
class TierRun:
    mode: str  # embedded | server
    decisions: int
    chunks: int
    build_s: float | None  # None: reused from --workdir
    disk_mb: float | None
    keyword_mb: float
    added_s: dict[int, float]  # decisions added in one write → seconds
    seconds: dict[str, list[float]]
    cpu: dict[str, list[float]]  # process CPU seconds per call (all threads): less noisy

    @property
    def label(self) -> str:
        return f"{self.decisions:,} {self.mode}"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--full", action="store_true", help="add the 100k-decision tier")
    parser.add_argument("--server", action="store_true", help="also 1k/10k on a Chroma server")
    parser.add_argument(
        "--workdir", type=Path, help="keep (and reuse) the tiers here; default: a temp folder"
    )
    parser.add_argument("--rounds", type=int, default=2, help="timed rounds per operation")
    parser.add_argument("--queries", type=int, default=0, help="questions per round (0: all)")
    return parser.parse_args()


def percentiles(seconds: list[float]) -> tuple[float, float, float, float]:
    """p50, p95, p99 and mean, in milliseconds."""
    ms = np.array(seconds) * 1000
    return (*(float(np.percentile(ms, p)) for p in (50, 95, 99)), float(ms.mean()))


def operations(engine: Engine, refs: list[str]) -> dict[str, Callable[[int, str], object]]:
    return {
        "query embedding": lambda _, q: engine.index.embed_query(q),
        "search": lambda _, q: engine.search(q),
        "answer (extractive)": lambda _, q: engine.answer(q),
        "similar (ref)": lambda i, _: engine.similar(ref=refs[i % len(refs)]),
        "similar (text)": lambda _, q: engine.similar(text=q),
    }


def time_operations(
    engine: Engine, questions: list[str], rounds: int
) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """Per operation, wall and CPU seconds per call in its least disturbed round (lowest p95)."""
    all_refs = engine.index.store.records.filter_refs(DecisionFilter())
    refs = random.Random(7).sample(all_refs, min(len(questions), len(all_refs)))
    for question in questions[:WARM_UP]:
        engine.answer(question)
        engine.similar(ref=refs[0])
    best: dict[str, list[float]] = {}
    cpu: dict[str, list[float]] = {}
    for name, run in operations(engine, refs).items():
        for _ in range(rounds):
            seconds, cpu_seconds = [], []
            for i, question in enumerate(questions):
                tick, cpu_tick = time.perf_counter(), time.process_time()
                run(i, question)
                seconds.append(time.perf_counter() - tick)
                cpu_seconds.append(time.process_time() - cpu_tick)
            if name not in best or percentiles(seconds)[1] < percentiles(best[name])[1]:
                best[name], cpu[name] = seconds, cpu_seconds
    return best, cpu


def measure_tier(
    settings: Settings,
    embedder: Embedder,
    base: Base,
    decisions: int,
    args: argparse.Namespace,
) -> TierRun:
    tick = time.perf_counter()
    built = build_tier(settings, embedder, base, decisions, progress=None)
    build_s = time.perf_counter() - tick if built else None
    questions = [q.query for q in load_questions()]
    questions = questions[: args.queries] if args.queries else questions
    engine = open_engine(settings)
    try:
        chunks = engine.index.store.counts()["chunks"]
        seconds, cpu = time_operations(engine, questions, args.rounds)
    finally:
        engine.close()
    disk = None if settings.chroma_host else disk_mb(settings.store_dir)
    keyword_mb = disk_mb(settings.store_dir / KEYWORD_DIR)
    added = time_additions(settings, embedder, base, decisions)
    mode = "server" if settings.chroma_host else "embedded"
    run = TierRun(mode, decisions, chunks, build_s, disk, keyword_mb, added, seconds, cpu)
    print(
        f"  {run.label}: {chunks:,} chunks, search p95 {percentiles(seconds['search'])[1]:.0f} ms,"
        f" add {', '.join(f'{n}: {s:.2f} s' for n, s in added.items())}"
    )
    return run


def time_additions(
    settings: Settings, embedder: Embedder, base: Base, decisions: int
) -> dict[int, float]:
    """Seconds to add ``ADDED`` new decisions, one write each, to the opened tier; they are
    deleted again after, so the tier stays as built."""
    limits = chunk_limits(settings, embedder)
    seconds, refs, first = {}, [], decisions  # past every number the tier used
    with opened_store(settings, read_only=False) as store:
        for count in ADDED:
            batch, vectors = synthetic_batch(base, first, count, limits)
            overviews = synthetic_overviews(batch, vectors)
            tick = time.perf_counter()
            store.write(batch, vectors, overviews)
            seconds[count] = time.perf_counter() - tick
            refs += [decision.ref for decision, _ in batch]
            first += count
        store.delete_decisions(refs)
    return seconds


def latency_table(run: TierRun) -> str:
    rows = [
        [
            name,
            *(f"{v:.1f}" for v in percentiles(seconds)),
            f"{percentiles(run.cpu[name])[0]:.1f}",
            str(len(seconds)),
        ]
        for name, seconds in run.seconds.items()
    ]
    headers = ["operation", "p50 ms", "p95 ms", "p99 ms", "mean ms", "CPU p50 ms", "calls"]
    return table(headers, rows)


def growth_table(runs: list[TierRun]) -> str:
    rows = []
    for run in runs:
        first = next(r for r in runs if r.mode == run.mode)
        row = [run.label, f"{run.chunks:,}"]
        for name in ("query embedding", "search", "answer (extractive)", "similar (ref)"):
            p50, p95 = percentiles(run.seconds[name])[:2]
            base95 = percentiles(first.seconds[name])[1]
            row.append(f"{p50:.0f} / {p95:.0f} (x{p95 / base95:.2f})")
        share = (
            percentiles(run.seconds["query embedding"])[0] / percentiles(run.seconds["search"])[0]
        )
        rows.append([*row, f"{share:.0%}"])
    headers = ["tier", "chunks", "embed p50/p95", "search p50/p95", "answer p50/p95"]
    return table([*headers, "similar p50/p95", "embed share of search p50"], rows)


def size_table(runs: list[TierRun]) -> str:
    rows = [
        [
            run.label,
            f"{run.decisions:,}",
            f"{run.chunks:,}",
            "reused" if run.build_s is None else f"{run.build_s:.0f}",
            *(f"{run.added_s[n]:.2f}" for n in ADDED),
            "-" if run.disk_mb is None else f"{run.disk_mb:.0f}",
            f"{run.keyword_mb:.0f}",
            "-" if run.disk_mb is None else f"{run.disk_mb / run.decisions * 1000:.1f}",
        ]
        for run in runs
    ]
    headers = ["tier", "decisions", "chunks", "set-up s", *(f"add {n} s" for n in ADDED)]
    headers += ["disk MB", "keyword index MB", "MB / 1,000 decisions"]
    return table(headers, rows)


def run_tiers(
    tiers: list[int], workdir: Path, embedder: Embedder, base: Base, args: argparse.Namespace
) -> list[TierRun]:
    runs = []
    for decisions in tiers:
        settings = Settings(store_dir=workdir / f"embedded-{decisions}")
        runs.append(measure_tier(settings, embedder, base, decisions, args))
    return runs


def run_server_tiers(
    workdir: Path, embedder: Embedder, base: Base, args: argparse.Namespace
) -> list[TierRun]:
    runs = []
    data = workdir / "chroma-server"
    with running_chroma_server(data, workdir / "chroma-server.log") as server:
        for decisions in TIERS:
            settings = Settings(
                store_dir=workdir / f"server-{decisions}",
                chroma_host=server.host,
                chroma_port=server.port,
                collection=f"bench{decisions}",
            )
            runs.append(measure_tier(settings, embedder, base, decisions, args))
        print(f"  chroma server data: {disk_mb(data):.0f} MB for both tiers")
    return runs


def report_process(store: Path, workdir: Path, label: str) -> None:
    cold = min((cold_start(store) for _ in range(2)), key=lambda c: c["first_answer_s"])
    health = min(streamlit_health(store, workdir / "streamlit.log") for _ in range(2))
    print(f"\nFresh processes on the {label} tier (better of two runs each):")
    rows = [
        ["python -> engine open (imports, model, index)", f"{cold['engine_open_s']:.1f} s"],
        ["python -> first answer (Python API)", f"{cold['first_answer_s']:.1f} s"],
        ["streamlit run app.py -> first health OK (no session yet)", f"{health:.1f} s"],
        ["resident memory, engine held, 30 questions", f"{cold['rss_mb']:.0f} MB"],
        ["peak resident memory", f"{cold['peak_rss_mb']:.0f} MB"],
    ]
    print(table(["measure", "value"], rows))


def main() -> None:
    args = parse_args()
    print(machine_line())
    settings = Settings()
    embedder = get_embedder(settings)
    print(f"embedding model {settings.embedding_model} on {embedder.device}")
    with tempfile.TemporaryDirectory(prefix="oqa-latency-") as temp:
        workdir = args.workdir or Path(temp)
        workdir.mkdir(parents=True, exist_ok=True)
        base = load_base(embedder, settings, workdir / "corpus-vectors.npz")
        tiers = [*TIERS, FULL_TIER] if args.full else list(TIERS)
        print(f"tiers: {', '.join(f'{t:,}' for t in tiers)} decisions (building where needed)")
        runs = run_tiers(tiers, workdir, embedder, base, args)
        if args.server:
            runs += run_server_tiers(workdir, embedder, base, args)
        for run in runs:
            print(f"\n{run.label} ({run.decisions:,} decisions, {run.chunks:,} chunks)")
            print(latency_table(run))
        print("\nGrowth (milliseconds; x = p95 against the smallest tier of the same mode)")
        print(growth_table(runs))
        print("\nIndex size and set-up (synthetic tiers: precomputed vectors, no embedding)")
        print(size_table(runs))
        for decisions in (t for t in tiers if t >= TIERS[-1]):
            report_process(workdir / f"embedded-{decisions}", workdir, f"{decisions:,}-decision")


if __name__ == "__main__":
    main()
