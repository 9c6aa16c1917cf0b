"""Parser accuracy against the labelled real copies in ``../shared/realdata/corpus.jsonl``.

    python bench/parser.py [--corpus FILE] [--no-url] [--show N]

Each copy is parsed as ``ingest build`` would read it from a bulk file (its
text, a name ``<YY-NNN-NNN>.txt`` and, unless ``--no-url``, the address it was
copied from) and the result is compared with what a careful reader took from
the page (``labels``): organisation, category (``Area > Sub-area``), outcome,
date and summary. Accuracy is counted over the copies whose label is not null
(a null label means the copy does not show it), per field and per source
(``lgo``, ``accountabilityindex``, ``inquirytracker``). A copy the parser
refuses counts as wrong on every labelled field. ``--show`` prints that many
mismatches per field.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from ingest.parse.decision import parse_decision  # noqa: E402
from ingest.vocabulary.errors import SourceError  # noqa: E402
from ingest.vocabulary.normalise import canonical_ref, normalise_outcome, ref_slug  # noqa: E402
from ingest.vocabulary.records import Decision, SourceDoc  # noqa: E402

CORPUS = REPO.parent / "shared" / "realdata" / "corpus.jsonl"
FIELDS = ("organisation", "category", "outcome", "date", "summary")
SOURCES = ("lgo", "accountabilityindex", "inquirytracker")
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'"})


def parsed_values(decision: Decision | None) -> dict[str, str]:
    """The parse, in the labels' terms ("" where the parser found nothing)."""
    if decision is None:
        return dict.fromkeys(FIELDS, "")
    category = " > ".join(p for p in (decision.category, decision.sub_category) if p)
    organisation = "" if decision.organisation == "Unknown organisation" else decision.organisation
    return {
        "organisation": organisation,
        "category": category,
        "outcome": decision.outcome.value if decision.outcome.value != "unknown" else "",
        "date": decision.date.isoformat() if decision.date else "",
        "summary": decision.summary,
    }


def comparable(field: str, value: str) -> str:
    """Both sides in one form: text with straight quotes and single spaces (copies differ in
    typography, not in what they say); organisations without case (a name read from a URL
    slug has lost it: the labels title-case every word, "London Borough Of Lambeth")."""
    text = " ".join(value.translate(_APOSTROPHES).split())
    return text.casefold() if field == "organisation" else text


def label_value(field: str, label: str) -> str:
    """A label in the parser's terms: outcomes as the normalised enum."""
    return normalise_outcome(label).value if field == "outcome" else label


def parse(row: dict[str, Any], with_url: bool) -> tuple[Decision | None, str]:
    ref = canonical_ref(row["ref"]) or row["ref"]
    doc = SourceDoc(text=row["text"], path=f"{ref_slug(ref)}.txt",
                    url=row["url"] if with_url else None)
    try:
        return parse_decision(doc), ""
    except SourceError as error:
        return None, error.reason


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--no-url", action="store_true", help="Parse without the copy's URL.")
    parser.add_argument("--show", type=int, default=0, help="Mismatches printed per field.")
    args = parser.parse_args()
    rows = [json.loads(line) for line in args.corpus.read_text("utf-8").splitlines() if line]

    right: dict[tuple[str, str], int] = defaultdict(int)
    labelled: dict[tuple[str, str], int] = defaultdict(int)
    refused: dict[str, list[str]] = defaultdict(list)
    misses: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        decision, reason = parse(row, not args.no_url)
        if decision is None:
            refused[row["source"]].append(f"{row['ref']}: {reason}")
        got = parsed_values(decision)
        for field in FIELDS:
            label = row["labels"].get(field)
            if label is None:
                continue
            labelled[field, row["source"]] += 1
            if comparable(field, got[field]) == comparable(field, label_value(field, label)):
                right[field, row["source"]] += 1
            else:
                misses[field].append(f"{row['ref']} [{row['source']}]: {got[field]!r} "
                                     f"!= {label!r}")
    _print_table(right, labelled)
    for source in SOURCES:
        for line in refused[source]:
            print(f"refused {source} {line}")
    for field in FIELDS:
        for line in misses[field][: args.show]:
            print(f"{field} miss {line[:300]}")


def _cell(right: int, total: int) -> str:
    return f"{right}/{total} {100 * right / total:.0f}%" if total else "-"


def _print_table(right: dict[tuple[str, str], int], labelled: dict[tuple[str, str], int]) -> None:
    header = ["field", *SOURCES, "all"]
    print(" | ".join(f"{h:<20}" for h in header))
    for field in FIELDS:
        cells = [_cell(right[field, s], labelled[field, s]) for s in SOURCES]
        total = sum(labelled[field, s] for s in SOURCES)
        cells.append(_cell(sum(right[field, s] for s in SOURCES), total))
        print(" | ".join(f"{c:<20}" for c in [field, *cells]))


if __name__ == "__main__":
    main()
