"""Feedback on answers and citations, kept in the app's local file and exported as JSON.

Thumbs up or down on an answer, or "wrong citation" on one source: each row keeps the
question, the answer and its citations as they were shown, so a reviewer can see what
was judged. Nothing is sent anywhere; ``python -m retrieval feedback --json`` prints it.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from retrieval.localdata import APP_DB, local_db
from retrieval.types import Citation

ANSWER, WRONG_CITATION = "answer", "wrong_citation"
UP, DOWN = 1, 0

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY, created REAL NOT NULL, kind TEXT NOT NULL, rating INTEGER,
    citation_n INTEGER, question TEXT NOT NULL, answer TEXT NOT NULL, citations TEXT NOT NULL
);
"""
_COLUMNS = "id, created, kind, rating, citation_n, question, answer, citations"


@dataclass(frozen=True)
class Feedback:
    """``rating``: UP or DOWN for an answer; ``citation_n``: the source judged wrong."""

    kind: str
    question: str
    answer: str
    citations: Sequence[Citation]
    rating: int | None = None
    citation_n: int | None = None


def record_feedback(store_dir: Path, feedback: Feedback) -> None:
    cited = json.dumps([c.to_json() for c in feedback.citations], ensure_ascii=False)
    with local_db(store_dir, _SCHEMA) as db:
        db.execute(
            f"INSERT INTO feedback ({_COLUMNS}) VALUES (NULL, ?, ?, ?, ?, ?, ?, ?)",
            (
                time.time(),
                feedback.kind,
                feedback.rating,
                feedback.citation_n,
                feedback.question,
                feedback.answer,
                cited,
            ),
        )


def export_feedback(store_dir: Path) -> list[dict[str, Any]]:
    """Every row, oldest first (none when no feedback was ever given)."""
    if not (Path(store_dir) / APP_DB).exists():
        return []
    with local_db(store_dir, _SCHEMA, write=False) as db:
        try:
            rows = db.execute(f"SELECT {_COLUMNS} FROM feedback ORDER BY id").fetchall()
        except sqlite3.OperationalError:  # the file holds saved conversations only
            return []
    return [_row_json(row) for row in rows]


def _row_json(row: tuple[Any, ...]) -> dict[str, Any]:
    id_, created, kind, rating, citation_n, question, answer, citations = row
    data: dict[str, Any] = {
        "id": id_,
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(created)),
        "kind": kind,
        "question": question,
        "answer": answer,
        "citations": json.loads(citations),
    }
    if kind == ANSWER:
        data["rating"] = "up" if rating == UP else "down"
    if citation_n is not None:
        data["citation"] = citation_n
    return data
