"""Two benchmark sets and the baselines the product must beat on them.

A *set* is a corpus (reference → text, as a user would have the files) and
labelled questions. The fictional set is ``data/sample`` + the seed decision
with ``bench/questions/*.jsonl``; the real set is ``../shared/realdata``
(published decisions, never copied into the repository) with its questions
plus ours in ``bench/questions/real/``.

The baselines read the raw texts, not our parser's output, and are what a
competent engineer would write in ~30 lines:

- ``bm25``: BM25 over whole decisions (bm25s, English stop words);
- ``dense``: MiniLM over naive 1,000-character pieces, a decision scored by its
  best piece;
- ``simple hybrid``: the two decision rankings fused by reciprocal rank
  (k = 20, equal weights).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import bm25s
import numpy as np

from bench.common import QUESTIONS_DIR, REPO, Question, corpus_files, load_questions
from ingest.indexing.embeddings import Embedder
from ingest.vocabulary.normalise import canonical_ref, ref_slug

REAL_DIR = REPO.parent / "shared" / "realdata"
REAL_QUESTIONS_DIR = QUESTIONS_DIR / "real"
HELDOUT_QUESTIONS = QUESTIONS_DIR / "heldout" / "real.jsonl"
PIECE_CHARS = 1000
SIMPLE_RRF_K = 20

Ranker = Callable[[Question], list[str]]


@dataclass(frozen=True)
class BenchSet:
    """A corpus (reference → raw text) and its labelled questions."""

    name: str
    texts: dict[str, str]
    questions: list[Question]
    files: tuple[Path, ...] = ()  # the corpus as files, when it is files (HTML, Markdown...)
    corpus_name: str = ""  # the set whose corpus (and index) it shares, if another's

    @property
    def store_name(self) -> str:
        return self.corpus_name or self.name

    def materialise(self, folder: Path) -> Path:
        """The corpus as a user would have it: its own files, or one ``YY-NNN-NNN.txt`` file
        per decision holding its text."""
        folder.mkdir(parents=True, exist_ok=True)
        for path in self.files:
            shutil.copy2(path, folder / path.name)
        if not self.files:
            for ref, text in self.texts.items():
                (folder / f"{ref_slug(ref)}.txt").write_text(text, encoding="utf-8")
        return folder


def fictional_set() -> BenchSet:
    texts, files = {}, corpus_files()
    for path in files:
        text = path.read_text(encoding="utf-8")
        ref = canonical_ref(path.name) or canonical_ref(text)
        if ref:
            texts[ref] = text
    return BenchSet("fictional", texts, load_questions(), tuple(files))


def real_set(directory: Path = REAL_DIR) -> BenchSet:
    """The real development set; raises SystemExit when ``../shared/realdata`` is absent."""
    corpus = directory / "corpus.jsonl"
    rows = [*_jsonl(directory / "questions.jsonl")]
    for path in sorted(REAL_QUESTIONS_DIR.glob("*.jsonl")):
        rows += _jsonl(path)
    return BenchSet("real", _real_texts(corpus), [_real_question(row) for row in rows])


def heldout_set(directory: Path = REAL_DIR) -> BenchSet:
    """Questions over the real corpus kept for reporting only (bench/questions/heldout):
    never part of the sets that weights and thresholds are chosen on."""
    corpus = directory / "corpus.jsonl"
    questions = [_real_question(row) for row in _jsonl(HELDOUT_QUESTIONS)]
    return BenchSet("heldout", _real_texts(corpus), questions, corpus_name="real")


def _real_texts(corpus: Path) -> dict[str, str]:
    """Reference → text; raises SystemExit when ``../shared/realdata`` is absent."""
    if not corpus.is_file():
        raise SystemExit(f"real development set not found: {corpus}")
    return {row["ref"]: row["text"] for row in _jsonl(corpus)}


def _jsonl(path: Path) -> Iterable[dict]:
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            yield json.loads(line)


def _real_question(row: dict) -> Question:
    relevant = tuple(canonical_ref(ref) or ref for ref in row.get("refs") or ())
    return Question(str(row["id"]), str(row["kind"]), str(row["question"]), relevant)


def baseline_rankers(bench: BenchSet, embedder: Embedder) -> dict[str, Ranker]:
    """The three baselines over ``bench``'s raw texts."""
    refs = list(bench.texts)
    retriever = bm25s.BM25()
    retriever.index(
        bm25s.tokenize(list(bench.texts.values()), stopwords="en", show_progress=False),
        show_progress=False,
    )
    piece_refs, pieces = _pieces(bench.texts)
    piece_vectors = embedder.embed(pieces)

    def bm25(q: Question) -> list[str]:
        tokens = bm25s.tokenize(q.query, stopwords="en", return_ids=False, show_progress=False)
        known = [t for t in tokens[0] if t in retriever.vocab_dict]
        if not known:
            return []
        scores = retriever.get_scores(known)
        order = np.argsort(-scores, kind="stable")
        return [refs[i] for i in order if scores[i] > 0]

    def dense(q: Question) -> list[str]:
        similarity = piece_vectors @ embedder.embed([q.query])[0]
        best: dict[str, float] = {}
        for ref, score in zip(piece_refs, similarity, strict=True):
            best[ref] = max(best.get(ref, -1.0), float(score))
        return sorted(best, key=lambda r: -best[r])

    def hybrid(q: Question) -> list[str]:
        scores: dict[str, float] = {}
        for ranking in (bm25(q), dense(q)):
            for rank, ref in enumerate(ranking, start=1):
                scores[ref] = scores.get(ref, 0.0) + 1.0 / (SIMPLE_RRF_K + rank)
        return sorted(scores, key=lambda r: -scores[r])

    return {
        "bm25 (whole decisions)": bm25,
        "dense (1,000-char pieces)": dense,
        "simple hybrid": hybrid,
    }


def _pieces(texts: dict[str, str]) -> tuple[list[str], list[str]]:
    refs, pieces = [], []
    for ref, text in texts.items():
        for start in range(0, len(text), PIECE_CHARS):
            refs.append(ref)
            pieces.append(text[start : start + PIECE_CHARS])
    return refs, pieces
