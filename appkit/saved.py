"""Conversations kept in the app's local file, so a refresh (or a shared link) brings them back.

The URL carries only a random id (``?c=...``); the turns live in ``app.sqlite3`` in the
index folder, on this machine. An answer is kept as it was shown: its text, citations
and the filters it was searched with (the ranked hits are not kept).
"""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from appkit.state import ChatTurn
from retrieval import Answer, Citation, DecisionFilter, Intent, QueryPlan, SearchResult, local_db

_SCHEMA = """
CREATE TABLE IF NOT EXISTS conversations (
    id TEXT PRIMARY KEY, updated REAL NOT NULL, turns TEXT NOT NULL
);
"""


def new_id() -> str:
    return secrets.token_urlsafe(12)


def save(store_dir: Path, conversation_id: str, turns: list[ChatTurn]) -> None:
    data = json.dumps([_turn_json(turn) for turn in turns], ensure_ascii=False)
    with local_db(store_dir, _SCHEMA) as db:
        db.execute(
            "INSERT OR REPLACE INTO conversations (id, updated, turns) VALUES (?, ?, ?)",
            (conversation_id, time.time(), data),
        )


def load(store_dir: Path, conversation_id: str) -> list[ChatTurn] | None:
    """The saved turns, or None when no conversation has that id."""
    with local_db(store_dir, _SCHEMA) as db:
        row = db.execute(
            "SELECT turns FROM conversations WHERE id = ?", (conversation_id,)
        ).fetchone()
    return [_turn(item) for item in json.loads(row[0])] if row else None


def forget(store_dir: Path, conversation_id: str) -> None:
    with local_db(store_dir, _SCHEMA) as db:
        db.execute("DELETE FROM conversations WHERE id = ?", (conversation_id,))


def _turn_json(turn: ChatTurn) -> dict[str, Any]:
    answer = turn.answer
    return {
        "question": turn.question,
        "filters": asdict(turn.filters),
        "answer": {
            "text": answer.text,
            "citations": [asdict(c) for c in answer.citations],
            "answered": answer.answered,
            "partial_match": answer.partial_match,
            "notice": answer.notice,
            "rewritten_query": answer.rewritten_query,
            "searched": asdict(answer.search.plan.filters),
            "intent": answer.search.plan.intent.value,
        },
    }


def _filter(data: dict[str, Any]) -> DecisionFilter:
    return DecisionFilter(
        **{key: tuple(value) if isinstance(value, list) else value for key, value in data.items()}
    )


def _turn(item: dict[str, Any]) -> ChatTurn:
    kept = item["answer"]
    plan = QueryPlan(
        text=item["question"], filters=_filter(kept["searched"]), intent=Intent(kept["intent"])
    )
    answer = Answer(
        question=item["question"],
        text=kept["text"],
        citations=[Citation(**c) for c in kept["citations"]],
        search=SearchResult(query=item["question"], plan=plan, hits=[]),
        answered=kept["answered"],
        partial_match=kept.get("partial_match", False),  # absent from turns saved before it
        notice=kept["notice"],
        rewritten_query=kept["rewritten_query"],
    )
    return ChatTurn(item["question"], answer, _filter(item["filters"]))
