"""Decision rows: one per decision (its header fields and its whole record as JSON), with
its reasons for not investigating in ``decision_reasons``; what filters and facets read."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date

from ingest.storage.database import Database
from ingest.vocabulary.filters import DecisionFilter, filter_sql, marks
from ingest.vocabulary.records import UNKNOWN_ORGANISATION, Decision


@dataclass(frozen=True)
class _Unseen:
    """A column some copies do not show: what the parser stores then, and a filter's part
    on that column."""

    missing: str
    filters_on_it: Callable[[DecisionFilter], bool]
    without_it: Callable[[DecisionFilter], DecisionFilter]


_NOT_SHOWN: dict[str, _Unseen] = {
    "category": _Unseen(
        "",
        lambda where: bool(where.categories or where.sub_categories),
        lambda where: replace(where, categories=(), sub_categories=()),
    ),
    "organisation": _Unseen(
        UNKNOWN_ORGANISATION,
        lambda where: bool(where.organisations),
        lambda where: replace(where, organisations=()),
    ),
}


class DecisionRecords:
    """The decisions and decision_reasons tables."""

    def __init__(self, database: Database) -> None:
        self._database = database
        # An index built before document types were recorded, opened read-only, holds only
        # statements (reports were not told apart).
        has_type = "document_type" in database.columns("decisions")
        self._document_type = "d.document_type" if has_type else "'statement'"

    # --- writing (inside the caller's transaction) ----------------------------------
    @staticmethod
    def insert(db: sqlite3.Connection, decision: Decision) -> None:
        db.execute("INSERT INTO decisions VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                   _decision_row(decision))
        db.executemany(
            "INSERT INTO decision_reasons(ref, reason) VALUES (?, ?)",
            [(decision.ref, r.value) for r in dict.fromkeys(decision.reasons)],
        )

    @staticmethod
    def delete(db: sqlite3.Connection, ref: str) -> None:
        db.execute("DELETE FROM decision_reasons WHERE ref = ?", (ref,))
        db.execute("DELETE FROM decisions WHERE ref = ?", (ref,))

    def rewrite_reasons(self) -> None:
        """``decision_reasons`` again from each decision's row (``verify --repair``)."""
        with self._database.transaction() as db:
            rows = db.execute("SELECT ref, reasons FROM decisions").fetchall()
            db.execute("DELETE FROM decision_reasons")
            db.executemany(
                "INSERT INTO decision_reasons(ref, reason) VALUES (?, ?)",
                [(ref, r) for ref, reasons in rows for r in dict.fromkeys(reasons.split(",")) if r],
            )

    # --- reading --------------------------------------------------------------------
    def count(self) -> int:
        with self._database.reading() as db:
            return int(db.execute("SELECT count(*) FROM decisions").fetchone()[0])

    def known_doc_hashes(self) -> dict[str, str]:
        with self._database.reading() as db:
            return dict(db.execute("SELECT ref, doc_hash FROM decisions").fetchall())

    def source_paths(self) -> dict[str, str]:
        with self._database.reading() as db:
            return dict(db.execute("SELECT ref, source_path FROM decisions").fetchall())

    def newest_decision_date(self) -> date | None:
        with self._database.reading() as db:
            value = db.execute("SELECT max(date) FROM decisions").fetchone()[0]
        return date.fromisoformat(value) if value else None

    def decision(self, ref: str) -> Decision | None:
        with self._database.reading() as db:
            row = db.execute("SELECT record FROM decisions WHERE ref = ?", (ref,)).fetchone()
        return Decision.model_validate_json(row[0]) if row else None

    def decisions(self, refs: Iterable[str]) -> dict[str, Decision]:
        refs = list(dict.fromkeys(refs))
        with self._database.reading() as db:
            rows = db.execute(
                f"SELECT ref, record FROM decisions WHERE ref IN ({marks(refs)})", refs
            ).fetchall()
        return {ref: Decision.model_validate_json(record) for ref, record in rows}

    def texts(self, refs: Iterable[str]) -> dict[str, str]:
        """Each decision's text alone, read out of its record by SQLite: parsing whole
        records for the candidates of every question cost more than reading them."""
        refs = list(dict.fromkeys(refs))
        with self._database.reading() as db:
            rows = db.execute(
                f"SELECT ref, json_extract(record, '$.text') FROM decisions "
                f"WHERE ref IN ({marks(refs)})",
                refs,
            ).fetchall()
        return {ref: text for ref, text in rows}

    def filter_refs(self, where: DecisionFilter) -> list[str]:
        """References of the decisions that pass ``where`` (the indexed, fast path)."""
        sql, args = filter_sql(where)
        with self._database.reading() as db:
            return [row[0] for row in db.execute(f"SELECT d.ref FROM decisions d{sql}", args)]

    def facet(self, column: str, where: DecisionFilter | None = None) -> dict[str, int]:
        """Decision counts per value of a column (``reason`` counts decision_reasons)."""
        sql, args = filter_sql(where or DecisionFilter())
        if column == "reason":
            query = (
                "SELECT r.reason, count(*) FROM decision_reasons r JOIN decisions d"
                f" ON d.ref = r.ref{sql} GROUP BY r.reason ORDER BY count(*) DESC"
            )
        elif column in {"organisation", "category", "sub_category", "outcome"}:
            query = (
                f"SELECT d.{column}, count(*) FROM decisions d{sql}"
                f" GROUP BY d.{column} ORDER BY count(*) DESC"
            )
        else:
            raise ValueError(f"no facet for column {column!r}")
        with self._database.reading() as db:
            return dict(db.execute(query, args).fetchall())

    def not_showing(self, column: str, where: DecisionFilter | None = None) -> int:
        """Decisions ``where`` would take but for its filter on ``column`` ("category" or
        "organisation"), whose copy does not show it (a third-party copy, a page saved
        without its header): a filter on it cannot take them."""
        unseen = _NOT_SHOWN[column]
        counts = self.facet(column, unseen.without_it(where or DecisionFilter()))
        return counts.get(unseen.missing, 0)

    def left_out_unseen(self, where: DecisionFilter) -> dict[str, int]:
        """``not_showing`` for each column ``where`` filters on: what that filter leaves out."""
        return {
            column: self.not_showing(column, where)
            for column, unseen in _NOT_SHOWN.items()
            if unseen.filters_on_it(where)
        }

    def category_mix(self) -> list[tuple[str, str, str, int]]:
        """(organisation, area, sub-area, decisions): what each organisation is complained of."""
        query = (
            "SELECT organisation, category, sub_category, count(*) FROM decisions"
            " GROUP BY organisation, category, sub_category"
        )
        with self._database.reading() as db:
            return [(o, c, s, int(n)) for o, c, s, n in db.execute(query).fetchall()]

    def decision_rows(self, where: DecisionFilter | None = None) -> list[dict[str, str]]:
        """Header fields of every decision under ``where``, newest first."""
        sql, args = filter_sql(where or DecisionFilter())
        query = (
            "SELECT d.ref, d.organisation, d.category, d.sub_category, d.outcome, d.outcome_raw,"
            f" d.date, d.url, d.reasons, {self._document_type} AS document_type"
            f" FROM decisions d{sql} ORDER BY d.date DESC, d.ref"
        )
        with self._database.reading() as db:
            cursor = db.execute(query, args)
            names = [column[0] for column in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def reason_mismatches(self) -> list[str]:
        """Decisions whose decision_reasons rows are not the reasons on their row."""
        with self._database.reading() as db:
            wanted = {
                ref: {r for r in reasons.split(",") if r}
                for ref, reasons in db.execute("SELECT ref, reasons FROM decisions")
            }
            stored: dict[str, set[str]] = {}
            for ref, reason in db.execute("SELECT ref, reason FROM decision_reasons"):
                stored.setdefault(ref, set()).add(reason)
        refs = set(wanted) | set(stored)
        return sorted(ref for ref in refs if wanted.get(ref, set()) != stored.get(ref, set()))


def _decision_row(decision: Decision) -> tuple[object, ...]:
    return (
        decision.ref,
        decision.doc_hash,
        decision.organisation,
        decision.category,
        decision.sub_category,
        decision.outcome.value,
        decision.outcome_raw,
        decision.date.isoformat() if decision.date else None,
        decision.url,
        decision.summary,
        ",".join(r.value for r in decision.reasons),
        decision.source_path,
        decision.model_dump_json(),
        time.time(),
        decision.document_type.value,
    )
