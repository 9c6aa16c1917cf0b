"""Shared helpers for the benchmarks: the corpus (sample + seed), a built index, the questions.

The benchmark corpus is ``data/sample/`` plus the real seed decision
(``../shared/seeds/``, reference 24 020 817). ``make_corpus`` copies it into a
folder, optionally replicated with altered references so that a run is big
enough to time.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from ingest.indexing.pipeline import BuildSummary, build  # noqa: E402
from ingest.vocabulary.normalise import REF_PATTERN, canonical_ref, ref_slug  # noqa: E402
from ingest.vocabulary.settings import Settings  # noqa: E402

SAMPLE_DIR = REPO / "data" / "sample"
SEED_DIR = REPO.parent / "shared" / "seeds"
SEED_FILE = SEED_DIR / "000_cf596154ab029a04.txt"
SEED_REF = "24 020 817"
QUESTIONS_DIR = REPO / "bench" / "questions"
# Real published decisions, read at run time and never copied into the repository.
REAL_DIR = REPO.parent / "shared" / "realdata"
REAL_CORPUS = REAL_DIR / "corpus.jsonl"


@dataclass(frozen=True)
class Question:
    id: str
    type: str
    query: str
    relevant: tuple[str, ...]


def corpus_files() -> list[Path]:
    """The benchmark corpus: every sample decision, then the seed."""
    files = sorted(p for p in SAMPLE_DIR.iterdir() if p.is_file() and not p.name.startswith("."))
    if not SEED_FILE.is_file():
        raise SystemExit(f"seed decision not found: {SEED_FILE}")
    return [*files, SEED_FILE]


def make_corpus(dest: Path, repeat: int = 1) -> Path:
    """Copy the corpus into ``dest``; copies 2..N get new references (text and file name)."""
    dest.mkdir(parents=True, exist_ok=True)
    files = corpus_files()
    for copy in range(repeat):
        folder = dest / f"copy{copy:03d}"
        folder.mkdir(exist_ok=True)
        for path in files:
            text = path.read_text(encoding="utf-8")
            if copy == 0:
                shutil.copy2(path, folder / path.name)
                continue
            (folder / shift_refs(path.name, copy)).write_text(
                shift_refs(text, copy), encoding="utf-8"
            )
    return dest


def real_decisions(corpus: Path = REAL_CORPUS) -> list[tuple[str, str]]:
    """(file name, text) of each real decision, named ``<YY-NNN-NNN>.txt`` as a user has it."""
    if not corpus.is_file():
        raise SystemExit(f"real decisions not found: {corpus}")
    rows = [json.loads(line) for line in corpus.read_text(encoding="utf-8").splitlines() if line]
    return [(f"{ref_slug(row['ref'])}.txt", row["text"]) for row in rows]


def materialise_real_corpus(dest: Path) -> Path:
    """The real decisions as one text file each in ``dest`` (no sidecar), ready to build."""
    dest.mkdir(parents=True, exist_ok=True)
    for name, text in real_decisions():
        (dest / name).write_text(text, encoding="utf-8")
    return dest


def shift_refs(text: str, copy: int) -> str:
    """Every reference in ``text`` moved to another (unique per copy), keeping its separators."""

    def replace(match: re.Match[str]) -> str:
        year, mid, _end, _suffix = match.groups()
        new_year = f"{(int(year) + 10 * copy) % 100:02d}"
        new_mid = f"{(int(mid) + copy // 10) % 1000:03d}"
        whole = match.group(0)
        first_sep = whole[len(year) : whole.index(mid, len(year))]
        rest = whole[whole.index(mid, len(year)) + len(mid) :]
        return new_year + first_sep + new_mid + rest

    return REF_PATTERN.sub(replace, text)


def bench_settings(store: Path) -> Settings:
    """Default settings with the store moved to ``store``."""
    return Settings(store_dir=store)


def build_index(corpus: Path, store: Path) -> BuildSummary:
    """Build (or bring up to date) the index of ``corpus`` in ``store``."""
    return build([corpus], bench_settings(store), store)


def load_questions(directory: Path = QUESTIONS_DIR) -> list[Question]:
    """Every labelled question in ``directory/*.jsonl``, references in canonical form."""
    questions = []
    for path in sorted(directory.glob("*.jsonl")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if line.strip():
                questions.append(_question(json.loads(line), f"{path.name}:{number}"))
    return questions


def _question(row: dict[str, Any], where: str) -> Question:
    relevant = tuple(canonical_ref(str(ref)) or "" for ref in row["relevant"])
    if not all(relevant):
        raise ValueError(f"{where}: a relevant reference is not a decision reference")
    return Question(str(row["id"]), str(row["type"]), str(row["query"]), relevant)


def machine_line() -> str:
    """Cores, torch threads and the load average (other processes skew the timings)."""
    import torch

    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return (
        f"machine: {os.cpu_count()} cores, torch {torch.__version__} with "
        f"{torch.get_num_threads()} threads, load average {load}"
    )


def table(headers: list[str], rows: list[list[str]]) -> str:
    """A plain aligned table: first column left-aligned, the rest right-aligned."""
    widths = [max(len(str(r[i])) for r in [headers, *rows]) for i in range(len(headers))]

    def line(cells: list[str]) -> str:
        first = str(cells[0]).ljust(widths[0])
        return "  ".join(
            [first, *(str(c).rjust(w) for c, w in zip(cells[1:], widths[1:], strict=True))]
        )

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(headers), rule, *(line(r) for r in rows)])
