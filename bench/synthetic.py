"""Benchmark tiers of 1k-100k decisions: the corpus plus SYNTHETIC variants, precomputed vectors.

Every tier holds the benchmark corpus (the bundled sample + the seed decision,
parsed and embedded for real) and then synthetic decisions made from it: each
variant takes one corpus decision and gives it a new reference (year ``30`` and
above, which no real decision has), a fictional organisation, a random date, other
anonymised people (Mr X → Ms K), a few consistent word swaps and, in some sections,
two neighbouring paragraphs in the other order. Each is chunked by the real chunker
(with token counts estimated from length at the corpus's own tokens-per-character,
so chunk sizes match but the tokenizer does not dominate set-up) and written with
``Store.write``; its ``source_path`` and closing line say it is synthetic.

Vectors are not computed for synthetic chunks (that would take hours at 100k
decisions on 2 cores): a synthetic chunk gets the real vector of the corpus chunk
holding its first paragraph, plus a little Gaussian noise, renormalised. So the
vector index has realistic size and clustering, but a synthetic chunk's vector
only approximates what the model would give its reworded text.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import random
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bench.common import corpus_files
from ingest.indexing.chunk import ChunkLimits, chunk_decision, embedding_text
from ingest.indexing.embeddings import Embedder
from ingest.indexing.identity import chunk_limits, index_identity
from ingest.parse.decision import _compose_text as compose_text
from ingest.parse.decision import parse_decision
from ingest.parse.sources import read_source
from ingest.storage import opened_store
from ingest.vectors import chroma_client, collection_name
from ingest.vocabulary.normalise import decision_url
from ingest.vocabulary.records import SUMMARY_SECTION, Chunk, Decision, Section
from ingest.vocabulary.settings import Settings

GENERATOR_VERSION = "2"
NOISE = 0.012  # per dimension: a synthetic vector keeps a cosine of ~0.97 with its source
WRITE_BATCH = 250  # decisions per Store.write (one SQLite transaction)
_STEMS = (
    "Ashcombe Vale|Brindlemoor|Coldharbour|Dunmere|Elmsworth|Fallowfield|Gorsebrook|Hartwell Marsh|"
    "Ivybridge Down|Juniper Fold|Kingsmere|Larkhill Rise|Marwood|Nettlecombe|Oxendale|Pennyford|"
    "Quarrington|Rookwood|Sallowby|Thornbury Heath|Upperfold|Wexcombe|Yarrowdale|Ambleford|"
    "Birchinlea|Cragside|Dovecote|Emberton|Foxholme|Glenmarsh|Hollinsford|Kettleby"
).split("|")
_KINDS = ("Borough Council", "County Council", "City Council", "District Council")
ORGANISATIONS = tuple(f"{stem} {kind}" for stem in _STEMS for kind in _KINDS)
_PEOPLE = ("Mr X", "Mrs Y", "Ms Z", "Miss B", "Mr D", "Mrs F", "Ms K", "Mr M", "Mrs P", "Ms R")
_PERSON = re.compile(r"\b(?:Mr|Mrs|Ms|Miss) [A-Z]\b")
_SWAPS = (
    ("complains", "says"),
    ("explained", "told her"),
    ("refused", "turned down"),
    ("decided", "concluded"),
    ("considered", "looked at"),
    ("information", "details"),
    ("evidence", "material"),
    ("properly", "correctly"),
    ("significant", "serious"),
    ("because", "as"),
)


@dataclass(frozen=True)
class Base:
    """The embedded corpus the synthetic decisions are made from."""

    decisions: list[Decision]
    chunks: dict[str, list[Chunk]]  # by ref
    vectors: dict[str, np.ndarray]  # by chunk id
    tokens_per_char: float  # the model's tokenizer on the corpus

    def estimate_tokens(self, texts: list[str]) -> list[int]:
        """Token counts from length: the tokenizer would be ~40% of a tier's set-up time."""
        return [math.ceil(len(text) * self.tokens_per_char) for text in texts]


def load_base(embedder: Embedder, settings: Settings, cache: Path | None) -> Base:
    """Parse, chunk and embed the corpus (vectors cached in ``cache`` when given)."""
    limits = chunk_limits(settings, embedder)
    decisions = [parse_decision(read_source(path, path.parent)) for path in corpus_files()]
    chunks = {d.ref: chunk_decision(d, limits, embedder.count_tokens) for d in decisions}
    by_id = {c.id: (d, c) for d in decisions for c in chunks[d.ref]}
    vectors = _cached_vectors(cache) if cache else {}
    missing = [pair for chunk_id, pair in by_id.items() if chunk_id not in vectors]
    if missing:
        matrix = embedder.embed([embedding_text(d, c.section, c.text) for d, c in missing])
        vectors |= {c.id: matrix[i] for i, (_, c) in enumerate(missing)}
        if cache:
            np.savez(cache, ids=np.array(list(vectors)), vectors=np.stack(list(vectors.values())))
    texts = [embedding_text(d, c.section, c.text) for d, c in by_id.values()]
    ratio = sum(embedder.count_tokens(texts)) / sum(len(t) for t in texts)
    return Base(decisions, chunks, {cid: vectors[cid] for cid in by_id}, ratio)


def _cached_vectors(path: Path) -> dict[str, np.ndarray]:
    if not path.exists():
        return {}
    data = np.load(path)
    return dict(zip(data["ids"].tolist(), data["vectors"], strict=True))


def synthetic_ref(n: int) -> str:
    """The n-th synthetic reference: year 30 and above, which no real decision has yet."""
    return f"{30 + n // 1_000_000:02d} {n // 1000 % 1000:03d} {n % 1000:03d}"


def variant(base: Decision, n: int) -> tuple[Decision, dict[tuple[str, int], int]]:
    """Synthetic decision ``n`` made from ``base``, with its paragraph origins (section, number)."""
    rng = random.Random(n)
    organisation = rng.choice(ORGANISATIONS)
    reword = _rewording(base.organisation, organisation, rng)
    sections, origin = [], {}
    for section in base.sections:
        texts = [p.text for p in section.paragraphs]
        order = list(range(len(texts)))
        if len(texts) > 2 and rng.random() < 0.5:
            i = rng.randrange(len(texts) - 1)
            order[i], order[i + 1] = order[i + 1], order[i]
        paragraphs = [
            p.model_copy(update={"text": reword(texts[j])})
            for p, j in zip(section.paragraphs, order, strict=True)
        ]
        origin |= {
            (section.heading, p.number): section.paragraphs[j].number
            for p, j in zip(section.paragraphs, order, strict=True)
        }
        sections.append(Section(heading=section.heading, paragraphs=paragraphs))
    return _assemble(base, n, rng, organisation, reword, sections), origin


def _assemble(
    base: Decision,
    n: int,
    rng: random.Random,
    organisation: str,
    reword: Callable[[str], str],
    sections: list[Section],
) -> Decision:
    ref = synthetic_ref(n)
    fields = {
        "ref": ref,
        "organisation": organisation,
        "category": base.category,
        "sub_category": base.sub_category,
        "outcome": base.outcome,
        "outcome_raw": base.outcome_raw,
        "date": dt.date(2019, 1, 1) + dt.timedelta(days=rng.randrange(2700)),
        "url": decision_url(ref, base.category, base.sub_category),
        "summary": reword(base.summary),
        "sections": sections,
        "reasons": base.reasons,
        "closing": f"Synthetic benchmark decision (fictional), made from {base.ref}.",
        "compliance": None,  # a synthetic decision reports no compliance with a remedy
        "source_path": f"synthetic:{base.ref}:{n}",
    }
    return Decision(**fields, text=compose_text(fields, summary_line=bool(fields["summary"])))


def _rewording(old_org: str, new_org: str, rng: random.Random) -> Callable[[str], str]:
    """One consistent rewording per decision: organisation, people, some word swaps."""
    people = dict(zip(_PEOPLE, rng.sample(_PEOPLE, len(_PEOPLE)), strict=True))
    swaps = [pair for pair in _SWAPS if rng.random() < 0.5]

    def reword(text: str) -> str:
        text = text.replace(old_org, new_org)
        text = _PERSON.sub(lambda m: people.get(m.group(0), m.group(0)), text)
        for old, new in swaps:
            text = re.sub(rf"\b{old}\b", new, text)
        return text

    return reword


def synthetic_vectors(
    base: Base, source: Decision, origin: dict[tuple[str, int], int], chunks: list[Chunk], n: int
) -> dict[str, np.ndarray]:
    """A noisy copy of the vector of the corpus chunk that holds each chunk's first paragraph."""
    where = _paragraph_chunks(base.chunks[source.ref])
    fallback = next(iter(where.values()))
    rows = []
    for chunk in chunks:
        first = int(chunk.paragraphs.split("-")[0]) if chunk.paragraphs else None
        number = origin.get((chunk.section, first)) if first is not None else None
        rows.append(base.vectors[where.get((chunk.section, number), fallback)])
    noisy = np.stack(rows) + np.random.default_rng(n).normal(0, NOISE, (len(rows), len(rows[0])))
    noisy /= np.linalg.norm(noisy, axis=1, keepdims=True)
    return {c.id: noisy[i].astype(np.float32) for i, c in enumerate(chunks)}


def _paragraph_chunks(chunks: list[Chunk]) -> dict[tuple[str, int | None], str]:
    """(section, paragraph number) → id of the first chunk holding it; the summary as None."""
    where: dict[tuple[str, int | None], str] = {}
    for chunk in chunks:
        if chunk.section == SUMMARY_SECTION or not chunk.paragraphs:
            where.setdefault((chunk.section, None), chunk.id)
            continue
        first, _, last = chunk.paragraphs.partition("-")
        for number in range(int(first), int(last or first) + 1):
            where.setdefault((chunk.section, number), chunk.id)
    return where


def tier_batches(
    base: Base, decisions: int, limits: ChunkLimits
) -> Iterator[tuple[list[tuple[Decision, list[Chunk]]], dict[str, np.ndarray]]]:
    """The corpus with its real vectors, then synthetic decisions, in write batches."""
    yield [(d, base.chunks[d.ref]) for d in base.decisions], base.vectors
    synthetic = decisions - len(base.decisions)
    for first in range(0, synthetic, WRITE_BATCH):
        yield synthetic_batch(base, first, min(WRITE_BATCH, synthetic - first), limits)


def synthetic_batch(
    base: Base, first: int, count: int, limits: ChunkLimits
) -> tuple[list[tuple[Decision, list[Chunk]]], dict[str, np.ndarray]]:
    """Synthetic decisions number ``first`` to ``first + count - 1``, chunked, with vectors."""
    batch: list[tuple[Decision, list[Chunk]]] = []
    vectors: dict[str, np.ndarray] = {}
    for n in range(first, first + count):
        source = base.decisions[n % len(base.decisions)]
        decision, origin = variant(source, n)
        chunks = chunk_decision(decision, limits, base.estimate_tokens)
        batch.append((decision, chunks))
        vectors |= synthetic_vectors(base, source, origin, chunks, n)
    return batch, vectors


def synthetic_overviews(
    batch: list[tuple[Decision, list[Chunk]]], vectors: dict[str, np.ndarray]
) -> dict[str, np.ndarray]:
    """A synthetic decision's opening vector: the normalised mean of its chunks' vectors (the
    real one embeds its opening; a tier measures speed, and the cost is the same)."""
    overviews = {}
    for decision, chunks in batch:
        mean = np.mean([vectors[c.id] for c in chunks if c.id in vectors], axis=0)
        overviews[decision.ref] = mean / (np.linalg.norm(mean) or 1.0)
    return overviews


def build_tier(
    settings: Settings,
    embedder: Embedder,
    base: Base,
    decisions: int,
    progress: Callable[[int], None] | None = None,
) -> bool:
    """Write a tier of ``decisions`` into ``settings``' store; False when it was already there."""
    marker = settings.store_dir / "tier.json"
    identity = index_identity(settings, embedder)
    wanted = {
        "decisions": decisions,
        "generator": GENERATOR_VERSION,
        "identity": identity.describe(),
        "chroma": settings.chroma_host or "embedded",
    }
    if marker.exists() and json.loads(marker.read_text()) == wanted and _complete(settings):
        return False
    shutil.rmtree(settings.store_dir, ignore_errors=True)
    if settings.chroma_host:
        _drop_server_collection(settings)
    limits = chunk_limits(settings, embedder)
    with opened_store(settings, read_only=False) as store:
        store.claim_identity(identity)
        for batch, vectors in tier_batches(base, decisions, limits):
            store.write(batch, vectors, synthetic_overviews(batch, vectors))
            if progress:
                progress(len(batch))
        store.mark_built()
    marker.write_text(json.dumps(wanted))
    return True


def _complete(settings: Settings) -> bool:
    """Every chunk has its vector (a server may have lost its data since the marker)."""
    with opened_store(settings) as store:
        counts = store.counts()
    return counts["chunks"] == counts["vectors"] > 0


def _drop_server_collection(settings: Settings) -> None:
    """A rebuilt tier must not inherit the vectors of an older one on the server."""
    client = chroma_client(settings, settings.store_dir)
    if collection_name(settings) in {c.name for c in client.list_collections()}:
        client.delete_collection(collection_name(settings))
