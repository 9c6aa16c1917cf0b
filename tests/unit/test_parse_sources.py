"""What the parser takes from where a copy came from, copies cut off early, reports and the
older layout. Inline texts are FICTIONAL; the real copies are read from ../shared at run time
(never copied into the repository)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from ingest.parse.decision import parse_decision
from ingest.parse.html import html_to_text
from ingest.vocabulary.errors import ParseError
from ingest.vocabulary.records import (
    UNKNOWN_ORGANISATION,
    DocumentType,
    Outcome,
    SourceDoc,
    SourceHints,
)

REAL_CORPUS = Path(__file__).resolve().parents[3] / "shared" / "realdata" / "corpus.jsonl"
BARE = (
    "The Ombudsman's final decision\n"
    "Summary: FICTIONAL. We will not investigate Ms A's complaint about a parking fine because "
    "she could appeal to the tribunal.\n"
    "The complaint\n"
    "Ms A complains the Council fined her while the bay was suspended."
)


def parse(text: str, path: str = "copy.txt", url: str | None = None,
          hints: SourceHints | None = None) -> object:
    return parse_decision(SourceDoc(text=text, path=path, url=url, hints=hints or SourceHints()))


def test_organisation_from_a_copy_address_when_the_text_has_none() -> None:
    url = "https://copies.example/lgo/decisions/lgo-26-960-001-borough-of-kestrel-upon-vale/"
    decision = parse(BARE, url=url)
    assert decision.ref == "26 960 001"
    assert decision.organisation == "Borough of Kestrel upon Vale"
    named_file = parse(BARE, path="/copies/26-960-002-ashgrove-city-council.txt")
    assert named_file.organisation == "Ashgrove City Council"
    assert parse(BARE, path="26-960-003.txt").organisation == UNKNOWN_ORGANISATION


def test_category_from_the_published_address_when_the_text_has_none() -> None:
    url = "https://www.lgo.org.uk/decisions/children-s-care-services/looked-after-children/26-960-004"
    decision = parse(BARE, url=url)
    assert (decision.category, decision.sub_category) == ("Children's care services",
                                                          "Looked after children")


def test_hints_fill_only_what_the_text_leaves_out() -> None:
    hints = SourceHints(ref="26 960 005", organisation="Fernmoor District Council",
                        category="Housing > Homelessness", outcome="Upheld", date="2026-02-03",
                        document_type=DocumentType.REPORT)
    decision = parse(BARE, hints=hints)
    assert (decision.ref, decision.organisation) == ("26 960 005", "Fernmoor District Council")
    assert (decision.category, decision.sub_category) == ("Housing", "Homelessness")
    assert decision.outcome is Outcome.UPHELD and decision.date == dt.date(2026, 2, 3)
    assert decision.document_type is DocumentType.REPORT
    headed = parse("Ashgrove City Council (26 960 006)\nDecision : Not upheld\n" + BARE,
                   hints=hints)
    assert (headed.ref, headed.organisation) == ("26 960 006", "Ashgrove City Council")
    assert headed.outcome is Outcome.NOT_UPHELD


def test_a_copy_cut_off_after_its_summary_is_still_a_decision() -> None:
    cut = BARE.split("\nThe complaint")[0] + " The Council had also not rep"
    decision = parse(cut, path="26-960-007.txt")
    assert decision.summary.startswith("FICTIONAL. We will not investigate")
    assert decision.sections == [] and decision.outcome is Outcome.CLOSED
    with pytest.raises(ParseError, match="no decision body"):
        parse("Opening hours: 9 to 5. Call us on 0300 000 0000.", path="26-960-008.txt")


def test_real_copies_cut_before_their_sections_keep_their_summary() -> None:
    assert REAL_CORPUS.is_file(), f"the shared real copies are missing: {REAL_CORPUS}"
    rows = [json.loads(line) for line in REAL_CORPUS.read_text("utf-8").splitlines() if line]
    kept = 0
    for row in rows:
        text = row["text"]
        cut_at = text.find("\nThe complaint")
        summary = row["labels"]["summary"]
        if cut_at < 0 or not summary:
            continue
        decision = parse(text[:cut_at], path=f"{row['ref'].replace(' ', '-')}.txt",
                         url=row["url"])
        assert " ".join(decision.summary.split()) == " ".join(summary.split()), row["ref"]
        kept += 1
    assert kept >= 100  # the copies that have a summary and a complaint section


def test_a_report_is_recognised_by_its_own_words() -> None:
    text = (
        "Report by the Local Government and Social Care Ombudsman\n"
        "Investigation into a complaint against Ashgrove City Council "
        "(reference number: 26 960 009)\n"
        "Report summary\n"
        "FICTIONAL. Mr B complained the Council did not review his care plan for two years.\n"
        "Finding\n"
        "Fault found causing injustice and recommendations made.\n"
        "The complaint\n"
        "1. Mr B complained the Council did not review his care plan.\n"
        "Decision\n"
        "2. There was fault causing injustice.\n"
    )
    decision = parse(text)
    assert decision.document_type is DocumentType.REPORT
    assert (decision.ref, decision.organisation) == ("26 960 009", "Ashgrove City Council")
    assert decision.summary.startswith("FICTIONAL. Mr B complained")
    assert parse(BARE, path="26-960-010.txt").document_type is DocumentType.STATEMENT


def test_older_layout_finding_and_compliance() -> None:
    text = (
        "Ashgrove City Council (16 960 011)\n"
        "Summary\n"
        "FICTIONAL. Mrs C complained the council lost her housing register application.\n"
        "The complaint\n"
        "Mrs C said the council lost her application twice.\n"
        "Finding\n"
        "The Ombudsman did not uphold the complaint.\n"
        "Ombudsman satisfied with council's response: 3 March 2017\n"
        "Print this page\n"
    )
    decision = parse(text)
    assert decision.outcome is Outcome.NOT_UPHELD  # from the finding: the copy has no header
    assert decision.compliance is not None
    assert decision.compliance.date == dt.date(2017, 3, 3)
    assert [s.heading for s in decision.sections] == ["The complaint", "Finding"]


def test_label_value_pairs_read_as_header_lines() -> None:
    page = (
        '<html><body><nav>Menu</nav><article id="article"><div class="decision-header">'
        '<div><span class="label">Category</span><span class="value">Housing &gt; '
        'Allocations</span></div><div><span class="label">Decision:</span>'
        '<span class="value">Upheld</span></div><div><span class="label">Decision date</span>'
        '</div><div class="value">4 Dec 2026</div></div><p class="label">Note</p>'
        '<p>Summary: FICTIONAL.</p><p class="value">Elsewhere</p></article>'
        "<main><p>Other page text</p></main></body></html>"
    )
    assert html_to_text(page).splitlines() == [
        "Category : Housing > Allocations", "Decision : Upheld", "Decision date : 4 Dec 2026",
        "Note", "Summary: FICTIONAL.", "Elsewhere",
    ]
