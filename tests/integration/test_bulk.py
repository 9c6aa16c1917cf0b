"""``ingest build --source FILE.jsonl``: a bulk file of decisions, one a line, with the real
parser, model, Chroma and SQLite in tmp dirs. Every generated decision is FICTIONAL."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ingest.cli import app
from ingest.storage import opened_store
from ingest.vocabulary.settings import get_settings

DECISIONS = 1_000
BAD_LINES = {501: "{not json", 502: json.dumps({"ref": "26 950 999", "text": "  "})}
ORGANISATIONS = ("Northmoor Borough Council", "Eastwick County Council", "Fernbridge Care Ltd")


def decision_line(n: int) -> str:
    """A short fictional decision (most are a summary only, as a copy cut off early is): one
    chunk each, so 1,000 embed in well under a minute on a small machine."""
    ref = f"26 95{n // 1000} {n % 1000:03d}"
    text = (
        "The Ombudsman's final decision:\n"
        f"Summary: FICTIONAL test decision {n}. We will not investigate Mr X's complaint about "
        f"parking bay {n} because he could appeal to the tribunal."
    )
    if n % 10 == 0:
        text += f"\nThe complaint\n1. Mr X complains about a penalty notice for bay {n}."
    line = {"ref": ref, "text": text, "organisation": ORGANISATIONS[n % 3],
            "category": "Highways and transport > Parking and other penalties",
            "outcome": "Closed after initial enquiries", "date": f"2026-0{1 + n % 9}-15"}
    if n % 2:  # the optional fields are optional
        line["url"] = ("https://www.lgo.org.uk/decisions/highways-and-transport/parking/"
                       + ref.replace(" ", "-"))
        del line["organisation"]
        line["text"] = f"Westerleigh County Council ({ref})\n" + text
    return json.dumps(line)


@pytest.fixture
def bulk_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("OQA_STORE_DIR", str(tmp_path / "store"))
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def test_bulk_file_ingests_reingests_nothing_and_reports_bad_lines(bulk_env: Path) -> None:
    lines = [decision_line(n) for n in range(DECISIONS)]
    for number, bad in sorted(BAD_LINES.items()):
        lines.insert(number - 1, bad)
    bulk = bulk_env / "archive.jsonl"
    bulk.write_text("\n".join(lines) + "\n", "utf-8")

    first = CliRunner().invoke(app, ["build", "--source", str(bulk)])
    assert first.exit_code == 1, first.output  # bad lines make the build report failure
    assert f"{bulk}#L501: line 501: not JSON" in first.output
    assert f'{bulk}#L502: line 502: no "text"' in first.output
    assert f"{DECISIONS} decisions added" in first.output

    with opened_store(get_settings()) as index:
        assert index.counts()["decisions"] == DECISIONS
        plain = index.records.decision("26 950 000")
        headed = index.records.decision("26 950 001")
    assert plain is not None and headed is not None
    # The line's fields fill what the text leaves out; the text's own header wins.
    assert plain.organisation == "Northmoor Borough Council"
    assert plain.category == "Highways and transport" and plain.date.isoformat() == "2026-01-15"
    assert plain.source_path == f"{bulk}#L1" and plain.sections[0].heading == "The complaint"
    assert headed.organisation == "Westerleigh County Council"
    assert headed.url.endswith("/parking/26-950-001")

    again = CliRunner().invoke(app, ["build", "--source", str(bulk)])
    assert "0 decisions added, 0 updated" in again.output
    assert f"{DECISIONS} unchanged, 0 chunks added" in again.output

    bulk.write_text("\n".join(lines[:100]) + "\n", "utf-8")  # the archive shrinks
    pruned = CliRunner().invoke(app, ["build", "--source", str(bulk), "--prune"])
    assert f"{DECISIONS - 100} pruned" in pruned.output
