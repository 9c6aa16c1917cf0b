"""Organisation names as users type them → the name (and its variants) the index holds.

Ingest already expands "BC", "CC", "MBC", "DC" (ingest.vocabulary.normalise), so most
variants arrive merged. What is left: a council named without its type
("Northmoor council") and copies that carry a shorter form. Names merge into
one organisation when their distinctive words ("northmoor") and kind (council,
care provider, other) agree and their type words (borough, county...) do not
conflict: "Durham County Council" and "Durham City Council" stay apart.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from rapidfuzz import fuzz, process, utils

from ingest.vocabulary.errors import UnknownOrganisationError
from ingest.vocabulary.normalise import normalise_organisation
from retrieval.understand.query import distinctive_words, match_organisations

# token_sort_ratio of the distinctive words; 85 forgives one or two typos in a place
# name ("Northmore", "Westerly") but not a different place ("Eastwick" vs "Westerleigh").
FUZZY_THRESHOLD = 85.0
MAX_CLOSE_NAMES = 5

_TYPE_WORDS = frozenset({"borough", "city", "county", "district", "metropolitan", "parish", "town"})
_CARE_WORDS = frozenset({"care", "ltd", "limited", "home", "homes", "nursing", "plc", "llp"})


@dataclass(frozen=True)
class OrganisationMatch:
    """The organisation a name was taken to mean, with every index name merged into it."""

    name: str  # the variant with most decisions: what to show
    variants: tuple[str, ...]  # index names counted as this organisation
    how: str  # "exact", "words" or "fuzzy": how the typed name was matched


@dataclass(frozen=True)
class _Key:
    words: tuple[str, ...]
    kind: str
    types: frozenset[str]


def _key(name: str) -> _Key:
    words = re.findall(r"[a-z]+", normalise_organisation(name).lower())
    kind = "council" if "council" in words else "care" if _CARE_WORDS & set(words) else "other"
    return _Key(tuple(distinctive_words(name)), kind, frozenset(_TYPE_WORDS & set(words)))


def variant_groups(counts: Mapping[str, int]) -> list[tuple[str, ...]]:
    """Index names grouped into organisations; each group's first name has most decisions."""
    buckets: dict[tuple[tuple[str, ...], str], dict[frozenset[str], list[str]]] = {}
    for name in counts:
        key = _key(name)
        buckets.setdefault((key.words, key.kind), {}).setdefault(key.types, []).append(name)
    groups: list[list[str]] = []
    for by_types in buckets.values():
        untyped = by_types.pop(frozenset(), [])
        typed = list(by_types.values())
        if len(typed) == 1:  # "Northmoor Council" can only be the one typed Northmoor council
            typed[0] += untyped
        elif untyped:
            typed.append(untyped)
        groups += typed
    return [tuple(sorted(g, key=lambda n: (-counts[n], -len(n), n))) for g in groups]


def resolve_organisation(query: str, counts: Mapping[str, int]) -> OrganisationMatch:
    """The organisation ``query`` names, from the index's names and their decision counts.

    Raises UnknownOrganisationError (listing close names) when nothing, or more than
    one organisation, matches.
    """
    typed = normalise_organisation(query).strip()
    wanted = _key(typed)
    if not wanted.words:
        raise _unknown(
            query,
            counts,
            "does not name an organisation (only words such as 'council' or 'borough')",
        )
    groups = [g for g in variant_groups(counts) if _compatible(wanted, _key(g[0]))]
    for group in groups:
        if typed.casefold() in {name.casefold() for name in group}:
            return OrganisationMatch(group[0], group, "exact")
    named = set(match_organisations(typed, tuple(n for g in groups for n in g)))
    hits = [g for g in groups if named & set(g)]
    if len(hits) > 1:  # "Vale" matched "Kestrel Vale" too: prefer the same distinctive words
        hits = [g for g in hits if _key(g[0]).words == wanted.words] or hits
    if len(hits) == 1:
        return OrganisationMatch(hits[0][0], hits[0], "words")
    if len(hits) > 1:
        raise _ambiguous(query, [g[0] for g in hits])
    return _fuzzy(query, wanted, groups, counts)


def _compatible(wanted: _Key, candidate: _Key) -> bool:
    """A typed kind or type word must agree; an untyped name agrees with anything."""
    if wanted.kind != "other" and candidate.kind not in (wanted.kind, "other"):
        return False
    return not (wanted.types and candidate.types and wanted.types != candidate.types)


def _fuzzy(
    query: str, wanted: _Key, groups: list[tuple[str, ...]], counts: Mapping[str, int]
) -> OrganisationMatch:
    target = " ".join(wanted.words)
    scored = sorted(
        ((fuzz.token_sort_ratio(target, " ".join(_key(g[0]).words)), g) for g in groups),
        key=lambda pair: -pair[0],
    )
    best = [g for score, g in scored if score >= FUZZY_THRESHOLD]
    if len(best) == 1 or (best and scored[0][0] > scored[1][0]):
        return OrganisationMatch(best[0][0], best[0], "fuzzy")
    raise _unknown(query, counts, "matches no organisation in the index")


def close_names(query: str, counts: Mapping[str, int], limit: int = MAX_CLOSE_NAMES) -> list[str]:
    """The index names nearest to ``query``'s place or provider name; else the busiest."""
    words = " ".join(_key(query).words)
    if not words:
        return sorted(counts, key=lambda name: (-counts[name], name))[:limit]
    choices = {name: " ".join(_key(name).words) or name for name in counts}
    found = process.extract(
        words, choices, scorer=fuzz.WRatio, processor=utils.default_process, limit=limit
    )
    return [name for _, _, name in found]


def _unknown(query: str, counts: Mapping[str, int], problem: str) -> UnknownOrganisationError:
    near = close_names(query, counts)
    label = "Close names" if _key(query).words else "Organisations in the index include"
    hint = f" {label}: {'; '.join(near)}." if near else " The index holds no decisions yet."
    return UnknownOrganisationError(
        f"{query!r} {problem}.{hint} Names are matched on the place or provider name, "
        "so 'Northmoor', 'Northmoor council' and 'Northmoor BC' all work.",
        near,
    )


def _ambiguous(query: str, names: list[str]) -> UnknownOrganisationError:
    return UnknownOrganisationError(
        f"{query!r} matches several organisations: {'; '.join(names)}. Give the full name.",
        names,
    )
