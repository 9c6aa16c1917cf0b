"""Metadata filters on decisions, and the SQL that applies them (shared by the store and the
keyword impact index, which must select exactly the same chunks)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class DecisionFilter:
    """Metadata filters; every field optional. Dates are inclusive ISO strings."""

    refs: tuple[str, ...] = ()
    organisations: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    sub_categories: tuple[str, ...] = ()
    outcomes: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()
    date_from: str | None = None
    date_to: str | None = None

    @property
    def is_empty(self) -> bool:
        return self == DecisionFilter()


def marks(values: Sequence[object]) -> str:
    """``?,?,?``: one placeholder per value."""
    return ",".join("?" * len(values))


def filter_sql(where: DecisionFilter, prefix: str = "WHERE") -> tuple[str, list[object]]:
    """SQL conditions on the decisions table aliased ``d`` (empty when nothing is filtered)."""
    clauses: list[str] = []
    args: list[object] = []
    for column, values in (
        ("d.ref", where.refs),
        ("d.organisation", where.organisations),
        ("d.category", where.categories),
        ("d.sub_category", where.sub_categories),
        ("d.outcome", where.outcomes),
    ):
        if values:
            clauses.append(f"{column} IN ({marks(values)})")
            args += list(values)
    if where.reasons:
        clauses.append(
            f"d.ref IN (SELECT ref FROM decision_reasons WHERE reason IN ({marks(where.reasons)}))"
        )
        args += list(where.reasons)
    if where.date_from:
        clauses.append("d.date >= ?")
        args.append(where.date_from)
    if where.date_to:
        clauses.append("d.date <= ?")
        args.append(where.date_to)
    if not clauses:
        return "", []
    return f" {prefix} " + " AND ".join(clauses), args
