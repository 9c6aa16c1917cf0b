"""Metadata filters on decisions, and the SQL that applies them (the keyword index applies
the same filters as tantivy term and range queries: ``ingest.storage.keyword_index``).

A filter holds values in the canonical forms ingestion stores (a reference "24 020 817", an
outcome "not_upheld", an ISO date), whatever form it was given in ("24020817", "Not upheld",
"15 March 2024"); a value that has no canonical form is refused with a FilterError. Names
(organisation, area, sub-area) match whatever their case.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields

from ingest.vocabulary.errors import FilterError
from ingest.vocabulary.normalise import (
    canonical_ref,
    normalise_organisation,
    normalise_outcome,
    parse_date,
)
from ingest.vocabulary.records import Outcome, Reason


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

    def __post_init__(self) -> None:
        for item in fields(self):
            value = getattr(self, item.name)
            canonical = _CANONICAL[item.name]
            if isinstance(value, tuple):
                value = tuple(dict.fromkeys(canonical(v) for v in value))
            elif value is not None:
                value = canonical(value)
            object.__setattr__(self, item.name, value)
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise FilterError(
                f"date_from {self.date_from} is after date_to {self.date_to}; no decision is "
                "dated in between."
            )

    @property
    def is_empty(self) -> bool:
        return self == DecisionFilter()


def canonical_ref_value(value: str) -> str:
    ref = canonical_ref(str(value))
    if ref is None:
        raise FilterError(f"{value!r} is not a decision reference (they look like 24 020 817).")
    return ref


def canonical_outcome(value: str) -> str:
    """``"Upheld"``, ``"not upheld"``, ``"not_upheld"`` → ``"not_upheld"``."""
    words = " ".join(str(value).replace("_", " ").lower().split())
    if words.replace(" ", "_") in set(Outcome):
        return words.replace(" ", "_")
    outcome = normalise_outcome(words)
    if outcome is Outcome.UNKNOWN:
        raise FilterError(f"{value!r} is not an outcome; use one of {_listed(Outcome)}.")
    return outcome.value


def canonical_reason(value: str) -> str:
    key = "_".join(str(value).replace("-", " ").lower().split())
    if key not in set(Reason):
        raise FilterError(f"{value!r} is not a reason; use one of {_listed(Reason)}.")
    return key


def canonical_date(value: str) -> str:
    """An ISO date from ``2024-03-15``, ``15/03/2024`` or ``15 March 2024``."""
    day = parse_date(str(value))
    if day is None:
        raise FilterError(f"{value!r} is not a date; write it as YYYY-MM-DD, e.g. 2024-03-15.")
    return day.isoformat()


def canonical_name(value: str) -> str:
    """An area or sub-area with its spaces tidied (its case is matched in SQL)."""
    name = " ".join(str(value).split())
    if not name:
        raise FilterError("an empty name filters out every decision; leave the filter out.")
    return name


def canonical_organisation(value: str) -> str:
    """As ingestion writes names: "Liverpool CC" → "Liverpool City Council"."""
    return normalise_organisation(canonical_name(value))


def _listed(values: type[Outcome] | type[Reason]) -> str:
    return ", ".join(v.value for v in values)


_CANONICAL: dict[str, Callable[[str], str]] = {
    "refs": canonical_ref_value,
    "organisations": canonical_organisation,
    "categories": canonical_name,
    "sub_categories": canonical_name,
    "outcomes": canonical_outcome,
    "reasons": canonical_reason,
    "date_from": canonical_date,
    "date_to": canonical_date,
}


def marks(values: Sequence[object]) -> str:
    """``?,?,?``: one placeholder per value."""
    return ",".join("?" * len(values))


def filter_sql(where: DecisionFilter, prefix: str = "WHERE") -> tuple[str, list[object]]:
    """SQL conditions on the decisions table aliased ``d`` (empty when nothing is filtered)."""
    clauses: list[str] = []
    args: list[object] = []
    for column, values in (
        ("d.ref", where.refs),
        ("d.organisation COLLATE NOCASE", where.organisations),
        ("d.category COLLATE NOCASE", where.categories),
        ("d.sub_category COLLATE NOCASE", where.sub_categories),
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
