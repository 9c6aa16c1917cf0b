"""What the index holds about one organisation: outcomes, reasons, remedies, look-alikes.

Computed from the decisions table (one row per decision), so every count can
be checked against the decisions themselves. Counts are over the decisions in
this index, never over all the complaints the Ombudsman received: the
``scope_note`` of every profile says so in words a reader sees.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from ingest.storage import Store
from ingest.vocabulary.errors import UnknownOrganisationError
from ingest.vocabulary.filters import DecisionFilter
from ingest.vocabulary.outcomes import (
    NOT_INVESTIGATED_GROUP,
    NOT_UPHELD,
    OUTCOME_GROUPS,
    UNKNOWN,
    UPHELD,
    outcome_group,
)
from ingest.vocabulary.records import UNKNOWN_ORGANISATION, Outcome
from retrieval.answering.citations import CitationList
from retrieval.organisation.names import OrganisationMatch, resolve_organisation, variant_groups
from retrieval.organisation.remedies import REMEDY_KINDS, Remedy, remedies_of

GROUP_LABELS = {
    UPHELD: "upheld",
    NOT_UPHELD: "not upheld",
    NOT_INVESTIGATED_GROUP: "not investigated",
    UNKNOWN: "outcome not stated",
}
UNDATED = "undated"
UNCATEGORISED = "(no category)"
SIMILAR_K = 5


@dataclass(frozen=True)
class OutcomeCounts:
    """Decisions per outcome group; the uphold share is of those investigated only."""

    upheld: int = 0
    not_upheld: int = 0
    not_investigated: int = 0
    unknown: int = 0

    @property
    def investigated(self) -> int:
        return self.upheld + self.not_upheld

    @property
    def total(self) -> int:
        return self.investigated + self.not_investigated + self.unknown

    @property
    def upheld_share(self) -> float | None:
        """Upheld ÷ investigated (None when nothing was investigated)."""
        return self.upheld / self.investigated if self.investigated else None

    def to_json(self) -> dict[str, Any]:
        share = self.upheld_share
        return {
            UPHELD: self.upheld,
            NOT_UPHELD: self.not_upheld,
            NOT_INVESTIGATED_GROUP: self.not_investigated,
            UNKNOWN: self.unknown,
            "investigated": self.investigated,
            "upheld_share_of_investigated": None if share is None else round(share, 4),
        }


def count_outcomes(rows: Iterable[Mapping[str, Any]]) -> OutcomeCounts:
    counts = Counter(outcome_group(row["outcome"]) for row in rows)
    return OutcomeCounts(*(counts[group] for group in OUTCOME_GROUPS))


def row_reasons(row: Mapping[str, Any]) -> list[str]:
    """The reasons a decisions-table row gives for not investigating (all or part of it)."""
    return [reason for reason in (row.get("reasons") or "").split(",") if reason]


def row_year(row: Mapping[str, Any]) -> str:
    return (row.get("date") or "")[:4] or UNDATED


@dataclass(frozen=True)
class SimilarOrganisation:
    organisation: str
    similarity: float  # cosine of the two area + sub-area count vectors
    decisions: int  # its decisions with a category
    shared: tuple[str, ...]  # areas and "area > sub-area"s both have, most common first

    def to_json(self) -> dict[str, Any]:
        return {
            "organisation": self.organisation,
            "similarity": round(self.similarity, 4),
            "decisions": self.decisions,
            "shared": list(self.shared),
        }


@dataclass
class OrganisationProfile:
    """One organisation's decisions in the index, counted several ways."""

    query: str
    organisation: str
    variants: tuple[str, ...]
    matched_by: str
    scope_note: str
    outcomes: OutcomeCounts
    outcome_detail: dict[str, int]
    by_year: dict[str, int]
    outcomes_by_year: dict[str, dict[str, int]]
    by_area: dict[str, int]
    by_sub_area: dict[str, dict[str, int]]
    reasons: dict[str, int]
    reasons_by_year: dict[str, dict[str, int]]
    remedies: list[Remedy]
    remedy_counts: dict[str, int]  # decisions agreeing each kind of remedy
    similar: list[SimilarOrganisation]
    decisions: list[dict[str, str]] = field(default_factory=list)  # table rows, newest first

    @property
    def total(self) -> int:
        return len(self.decisions)

    def to_json(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "organisation": self.organisation,
            "variants": list(self.variants),
            "matched_by": self.matched_by,
            "scope_note": self.scope_note,
            "decisions": self.total,
            "outcomes": self.outcomes.to_json(),
            "outcome_detail": self.outcome_detail,
            "by_year": self.by_year,
            "outcomes_by_year": self.outcomes_by_year,
            "by_area": self.by_area,
            "by_sub_area": self.by_sub_area,
            "reasons": self.reasons,
            "reasons_by_year": self.reasons_by_year,
            "remedy_counts": self.remedy_counts,
            "remedies": [remedy.to_json() for remedy in self.remedies],
            "similar_organisations": [s.to_json() for s in self.similar],
            "decision_list": [_public_row(row) for row in self.decisions],
        }


def organisation_profile(store: Store, name: str) -> OrganisationProfile:
    """The profile of the organisation ``name`` means (matched fuzzily, variants merged).

    Raises UnknownOrganisationError, listing close names, when nothing matches.
    """
    match = match_organisation(store, name)
    rows = store.records.decision_rows(DecisionFilter(organisations=match.variants))
    remedies = _remedies(store, rows)
    return OrganisationProfile(
        query=name,
        organisation=match.name,
        variants=match.variants,
        matched_by=match.how,
        scope_note=scope_note(match.name, rows),
        outcomes=count_outcomes(rows),
        outcome_detail=dict(Counter(row["outcome"] for row in rows).most_common()),
        by_year=_sorted_years(Counter(row_year(row) for row in rows)),
        outcomes_by_year=_by_year(rows, lambda row: [outcome_group(row["outcome"])]),
        by_area=dict(Counter(row["category"] or UNCATEGORISED for row in rows).most_common()),
        by_sub_area=_by_sub_area(rows),
        reasons=dict(Counter(r for row in rows for r in row_reasons(row)).most_common()),
        reasons_by_year=_by_year(rows, row_reasons),
        remedies=remedies,
        remedy_counts={
            kind: len({r.ref for r in remedies if kind in r.kinds}) for kind in REMEDY_KINDS
        },
        similar=similar_organisations(store, match),
        decisions=rows,
    )


def match_organisation(store: Store, name: str) -> OrganisationMatch:
    """Resolve a typed name against the organisations the index holds."""
    counts = store.records.facet("organisation")
    unknown = counts.pop(UNKNOWN_ORGANISATION, 0)  # the parser's placeholder, not a body
    if name.strip().casefold() == UNKNOWN_ORGANISATION.casefold():
        raise UnknownOrganisationError(
            f"{unknown} decisions in the index name no organisation that could be read, so "
            "they have no profile; open them from search results instead.",
            [],
        )
    return resolve_organisation(name, counts)


def scope_note(name: str, rows: list[dict[str, str]]) -> str:
    dates = sorted(row["date"] for row in rows if row["date"])
    span = f", dated {dates[0]} to {dates[-1]}" if dates else ""
    return (
        f"Counts are over the {len(rows)} decision{'s' if len(rows) != 1 else ''} about "
        f"{name} in this index{span}, not all the complaints the Ombudsman received about "
        "it: the Ombudsman publishes decision statements for only some of the complaints it "
        "decides, and this index holds only the decisions it was built from."
    )


def similar_organisations(
    store: Store, match: OrganisationMatch, k: int = SIMILAR_K
) -> list[SimilarOrganisation]:
    """Organisations whose decisions fall in the same areas in similar proportions."""
    vectors = _category_vectors(store)
    target: Counter[str] = Counter()
    for variant in {match.name, *match.variants}:
        target += vectors.pop(variant, Counter())
    found = []
    for name, vector in vectors.items():
        similarity = _cosine(target, vector)
        if similarity > 0:
            shared = sorted(
                target.keys() & vector.keys(), key=lambda s: (-min(target[s], vector[s]), s)
            )
            decisions = sum(n for key, n in vector.items() if " > " not in key)
            found.append(SimilarOrganisation(name, similarity, decisions, tuple(shared)))
    found.sort(key=lambda s: (-s.similarity, -s.decisions, s.organisation))
    return found[:k]


def _category_vectors(store: Store) -> dict[str, Counter[str]]:
    """Each organisation (variants merged) → decisions per area and per sub-area.

    Areas count as well as sub-areas, so two councils with school transport and
    special needs complaints are alike (both Education) even with no sub-area shared.
    """
    mix = store.records.category_mix()
    totals: Counter[str] = Counter()
    for organisation, _, _, n in mix:
        totals[organisation] += n
    totals.pop(UNKNOWN_ORGANISATION, None)
    canonical = {name: group[0] for group in variant_groups(totals) for name in group}
    vectors: dict[str, Counter[str]] = defaultdict(Counter)
    for organisation, area, sub_area, n in mix:
        if organisation not in canonical or not area:
            continue  # no category: nothing to compare on
        vectors[canonical[organisation]][area] += n
        if sub_area:
            vectors[canonical[organisation]][f"{area} > {sub_area}"] += n
    return dict(vectors)


def _cosine(a: Counter[str], b: Counter[str]) -> float:
    dot = sum(a[key] * b[key] for key in a.keys() & b.keys())
    norm = math.sqrt(sum(v * v for v in a.values())) * math.sqrt(sum(v * v for v in b.values()))
    return dot / norm if norm else 0.0


def _remedies(store: Store, rows: list[dict[str, str]]) -> list[Remedy]:
    """Remedies of the upheld decisions, newest decision first, numbered in that order."""
    refs = [row["ref"] for row in rows if row["outcome"] == Outcome.UPHELD.value]
    decisions = store.records.decisions(refs)
    remedies: list[Remedy] = []
    numbered = 0
    for ref in (ref for ref in refs if ref in decisions):
        # One citation list per decision (CitationList.cite scans its list, so one list
        # for a council with hundreds of upheld decisions would be quadratic), then
        # the numbers are shifted to run on through the whole profile.
        citations = CitationList()
        remedies += [_shifted(r, numbered) for r in remedies_of(decisions[ref], citations)]
        numbered += len(citations.citations)
    return remedies


def _shifted(remedy: Remedy, offset: int) -> Remedy:
    lead_in = remedy.deadline_citation
    return replace(
        remedy,
        citation=replace(remedy.citation, n=remedy.citation.n + offset),
        deadline_citation=replace(lead_in, n=lead_in.n + offset) if lead_in else None,
    )


def _year_order(years: Iterable[str]) -> list[str]:
    # Years ascending (a chart's x-axis); undated decisions last.
    return sorted(years, key=lambda year: (year == UNDATED, year))


def _sorted_years(counts: Mapping[str, int]) -> dict[str, int]:
    return {year: counts[year] for year in _year_order(counts)}


def _by_year(
    rows: list[dict[str, str]], values: Callable[[Mapping[str, Any]], list[str]]
) -> dict[str, dict[str, int]]:
    """Year → value → decisions, for ``values(row)`` giving each row's values."""
    table: dict[str, Counter[str]] = defaultdict(Counter)
    for row in rows:
        table[row_year(row)].update(values(row))
    return {year: dict(table[year].most_common()) for year in _year_order(table)}


def _by_sub_area(rows: list[dict[str, str]]) -> dict[str, dict[str, int]]:
    table: dict[str, Counter[str]] = defaultdict(Counter)
    for row in rows:
        table[row["category"] or UNCATEGORISED][row["sub_category"] or UNCATEGORISED] += 1
    return {area: dict(subs.most_common()) for area, subs in table.items()}


def _public_row(row: Mapping[str, str]) -> dict[str, Any]:
    return {
        "ref": row["ref"],
        "date": row["date"],
        "category": " > ".join(p for p in (row["category"], row["sub_category"]) if p),
        "outcome": row["outcome"],
        "reasons": row_reasons(row),
        "url": row["url"],
    }
