"""Check bench/questions/real/extra.jsonl against the real development corpus.

Run from anywhere: ``python bench/questions/real/check.py`` (stdlib only).
It fails with one line per problem: bad JSON or fields, an unknown kind, a
reference the corpus lacks, a ``none`` question with references, a repeated
id or question, or any run of more than 50 characters copied from a decision
(the repository must hold no real decision text). On success it prints the
counts per kind and how many distinct decisions the questions cover.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
REALDATA = HERE.parents[3] / "shared" / "realdata"
KINDS = {"why_not", "known_item", "outcome", "similar", "none"}
FIELDS = {"id", "kind", "question", "refs", "answer_facts", "reason_labels"}
REF = re.compile(r"^\d{2} \d{3} \d{3}[a-z]?$")
# Longest run of decision text a question or fact may share (the brief's limit).
MAX_COPIED = 50


def normalise(text: str) -> str:
    """Lower-case with single spaces and plain quotes, so reformatting cannot hide a copy."""
    text = (
        text.replace("\u2019", "'")
        .replace("\u2018", "'")
        .replace("\u201c", '"')
        .replace("\u201d", '"')
    )
    return re.sub(r"\s+", " ", text).strip().lower()


def read_jsonl(path: Path) -> list[dict]:
    return [
        json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
    ]


def copied_runs(corpus_texts: list[str]) -> set[str]:
    """Every (MAX_COPIED + 1)-character window of the corpus, normalised."""
    size = MAX_COPIED + 1
    return {
        text[i : i + size]
        for text in map(normalise, corpus_texts)
        for i in range(len(text) - size + 1)
    }


def copies_corpus(text: str, windows: set[str]) -> bool:
    size = MAX_COPIED + 1
    text = normalise(text)
    return any(text[i : i + size] in windows for i in range(len(text) - size + 1))


def row_problems(row: dict, refs: set[str], windows: set[str]) -> list[str]:
    if set(row) != FIELDS:
        return [f"fields {sorted(row)} should be {sorted(FIELDS)}"]
    problems = []
    if row["kind"] not in KINDS:
        problems.append(f"unknown kind {row['kind']!r}")
    if (row["kind"] == "none") != (not row["refs"]):
        problems.append("kind 'none' must have no refs, and only 'none' may have none")
    for ref in row["refs"]:
        if not REF.match(ref) or ref not in refs:
            problems.append(f"ref {ref!r} is not a canonical reference in the corpus")
    for text in [row["question"], *row["answer_facts"]]:
        if copies_corpus(text, windows):
            problems.append(
                f"copies more than {MAX_COPIED} characters of decision text: {text[:60]!r}"
            )
    return problems


def check(questions: Path, realdata: Path) -> list[str]:
    corpus = read_jsonl(realdata / "corpus.jsonl")
    refs = {doc["ref"] for doc in corpus}
    windows = copied_runs(
        [doc["text"] for doc in corpus] + [doc["labels"]["summary"] or "" for doc in corpus]
    )
    existing = {normalise(row["question"]) for row in read_jsonl(realdata / "questions.jsonl")}
    rows = read_jsonl(questions)
    problems = [f"{row.get('id')}: {p}" for row in rows for p in row_problems(row, refs, windows)]
    problems += [
        f"id {i} repeated" for i, n in Counter(row.get("id") for row in rows).items() if n > 1
    ]
    problems += [
        f"{row['id']}: same question as one in questions.jsonl"
        for row in rows
        if normalise(row["question"]) in existing
    ]
    if not problems:
        kinds = Counter(row["kind"] for row in rows)
        covered = {ref for row in rows for ref in row["refs"]}
        counts = dict(sorted(kinds.items()))
        print(f"{len(rows)} questions: {counts}; {len(covered)} distinct decisions")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=Path, default=HERE / "extra.jsonl")
    parser.add_argument("--realdata", type=Path, default=REALDATA)
    args = parser.parse_args()
    problems = check(args.questions, args.realdata)
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
