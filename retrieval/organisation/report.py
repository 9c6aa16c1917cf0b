"""An organisation profile's JSON as plain text, for ``python -m retrieval organisation``."""

from __future__ import annotations

from typing import Any

from ingest.vocabulary.outcomes import outcome_group
from retrieval.labels import reason_label
from retrieval.organisation.profile import GROUP_LABELS
from retrieval.organisation.remedies import KIND_LABELS

MAX_DECISION_ROWS = 20


def profile_lines(data: dict[str, Any]) -> list[str]:
    """The sections of the report, in reading order."""
    lines = [f"{data['organisation']}: {data['decisions']} decisions in this index"]
    if len(data["variants"]) > 1:
        lines.append(f"(names merged: {'; '.join(data['variants'])})")
    lines += [data["scope_note"], ""]
    lines += _outcomes(data["outcomes"])
    lines.append("By year: " + " · ".join(f"{y}: {n}" for y, n in data["by_year"].items()))
    lines += ["", "By area:", *_areas(data)]
    lines += ["", "Reasons for not investigating (decisions giving each; one may give several):"]
    lines += [f"  {reason_label(r)}: {n}" for r, n in data["reasons"].items()] or ["  none"]
    lines += ["", *_remedies(data)]
    lines += ["", "Most similar organisations by category mix:"]
    lines += [
        f"  {s['organisation']} (similarity {s['similarity']:.2f}; shares {', '.join(s['shared'])})"
        for s in data["similar_organisations"]
    ] or ["  none"]
    lines += ["", "Decisions (newest first):", *_decision_rows(data["decision_list"])]
    return lines


def _outcomes(outcomes: dict[str, Any]) -> list[str]:
    share = outcomes["upheld_share_of_investigated"]
    rate = (
        f"upheld in {outcomes['upheld']} of {outcomes['investigated']} investigated ({share:.0%})"
        if share is not None
        else "none investigated, so no uphold rate"
    )
    unknown = f", {outcomes['unknown']} outcome not stated" if outcomes["unknown"] else ""
    return [
        f"Outcomes: {outcomes['upheld']} upheld, {outcomes['not_upheld']} not upheld, "
        f"{outcomes['not_investigated']} not investigated{unknown}; {rate}"
    ]


def _areas(data: dict[str, Any]) -> list[str]:
    lines = []
    for area, total in data["by_area"].items():
        subs = ", ".join(f"{sub} {n}" for sub, n in data["by_sub_area"].get(area, {}).items())
        lines.append(
            f"  {area}: {total}" + (f" ({subs})" if subs and subs != f"{area} {total}" else "")
        )
    return lines


def _remedies(data: dict[str, Any]) -> list[str]:
    counts = ", ".join(f"{KIND_LABELS[kind]} {n}" for kind, n in data["remedy_counts"].items() if n)
    lines = [f"Remedies agreed in upheld decisions (decisions agreeing each: {counts or 'none'}):"]
    lead_in = None
    for remedy in data["remedies"]:
        if remedy["deadline_citation"] and remedy["deadline_citation"] != lead_in:
            lead_in = remedy["deadline_citation"]  # the sentence giving the items' deadline
            lines.append(f"  [{lead_in['n']}] {remedy['ref']}: “{lead_in['quote']}”")
        citation = remedy["citation"]
        where = citation["section"] + (
            f" ¶{citation['paragraphs']}" if citation["paragraphs"] else ""
        )
        facts = [", ".join(KIND_LABELS[k] for k in remedy["kinds"]), *remedy["amounts"]]
        if remedy["deadline"]:
            facts.append(remedy["deadline"])
        lines.append(f"    [{citation['n']}] {' · '.join(facts)}")
        lines.append(f"        “{remedy['text']}” ({where}, {citation['url']})")
    return lines


def _decision_rows(rows: list[dict[str, Any]]) -> list[str]:
    lines = [
        f"  {row['ref']:<12} {row['date'] or 'undated':<10}  "
        f"{GROUP_LABELS[outcome_group(row['outcome'])]:<16}  {row['category'] or '(no category)'}"
        for row in rows[:MAX_DECISION_ROWS]
    ]
    if len(rows) > MAX_DECISION_ROWS:
        lines.append(f"  … and {len(rows) - MAX_DECISION_ROWS} more (--json lists them all)")
    return lines
