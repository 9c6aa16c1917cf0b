"""Which device `OQA_EMBEDDING_DEVICE=auto` picks, and encode throughput there and on the CPU.

    python bench/embed_device.py [--model NAME_OR_FOLDER] [--passages N]

Encodes the long lines (paragraphs) of the bundled sample decisions, repeated up
to N passages, with ``ingest.indexing.embeddings.Embedder`` exactly as ingestion does:
once with the device ``auto`` resolves to (CUDA when torch sees a GPU), once on
the CPU, and prints passages/s for each. The model defaults to the bundled one.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ingest.indexing.embeddings import Embedder, resolve_device
from ingest.vocabulary.settings import BUNDLED_MODEL, Settings


def sample_passages(count: int) -> list[str]:
    lines = [
        line.strip()
        for path in sorted(Settings().sample_dir.glob("*.txt"))
        for line in path.read_text("utf-8").splitlines()
        if len(line.strip()) > 100
    ]
    return (lines * (count // len(lines) + 1))[:count]


def throughput(embedder: Embedder, passages: list[str]) -> float:
    embedder.embed(passages[:64])  # warm-up: kernels, allocator, tokenizer caches
    started = time.perf_counter()
    embedder.embed(passages)
    return len(passages) / (time.perf_counter() - started)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default=BUNDLED_MODEL)
    parser.add_argument("--passages", type=int, default=2000)
    args = parser.parse_args()
    passages = sample_passages(args.passages)
    words = sum(len(p.split()) for p in passages) / len(passages)
    auto = resolve_device("auto")
    print(f"{len(passages)} passages, {words:.0f} words on average; auto -> {auto}")
    for device in dict.fromkeys([auto, "cpu"]):
        embedder = Embedder(args.model, device=device, batch_size=128 if device != "cpu" else 32)
        print(f"{device}: {throughput(embedder, passages):.0f} passages/s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
