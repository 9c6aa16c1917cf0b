"""parse_decision over the real seed decision and the layout variants of FORMAT.md.

Texts written inline here, like the files in tests/fixtures/decisions/, are
FICTIONAL (invented councils and references).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from shared_text import seed_summary

from ingest.parse.decision import parse_decision
from ingest.parse.sources import read_source
from ingest.vocabulary.errors import ParseError
from ingest.vocabulary.records import UNKNOWN_ORGANISATION, Decision, Outcome, Reason, SourceDoc

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "decisions"
def parse_text(text: str, path: str = "decision.txt", url: str | None = None) -> Decision:
    return parse_decision(SourceDoc(text=text, path=path, url=url))


def fixture(name: str) -> Decision:
    return parse_decision(read_source(FIXTURES / name))


def headings(decision: Decision) -> list[str]:
    return [s.heading for s in decision.sections]


def assert_quotable(decision: Decision) -> None:
    """The contract retrieval relies on: every paragraph and the summary lie inside ``text``."""
    assert decision.summary in decision.text
    for paragraph in decision.paragraphs:
        assert paragraph.text in decision.text
        assert paragraph.text.strip() == paragraph.text and paragraph.text


# A small FICTIONAL decision used by the targeted tests below.
SMALL = """Ashgrove City Council (23 900 505)
Category : Planning and development > Enforcement
Decision : Closed after initial enquiries
Decision date : 15 Apr 2025
The Ombudsman's final decision:
Summary: We will not investigate Mr X's complaint about his neighbour's fence because it is late.
The complaint
- Mr X complains the Council did not act against his neighbour's fence.
My assessment
- Mr X knew about the fence more than 12 months before he complained to us.
Final decision
- We will not investigate Mr X's complaint because it is late.
Investigator's decision on behalf of the Ombudsman
"""


@pytest.fixture(scope="module")
def seed(seed_path: Path) -> Decision:
    return parse_decision(read_source(seed_path))


class TestSeed:
    """The one real published decision: every header field and the body."""

    def test_header_fields(self, seed: Decision) -> None:
        assert seed.ref == "24 020 817"
        assert seed.organisation == "Liverpool City Council"
        assert seed.category == "Children's care services"
        assert seed.sub_category == "Child protection"
        assert seed.outcome is Outcome.CLOSED
        assert seed.outcome_raw == "Closed after initial enquiries"
        assert seed.date == dt.date(2025, 4, 15)
        assert seed.url == (
            "https://www.lgo.org.uk/decisions/children-s-care-services/child-protection/24-020-817"
        )

    def test_summary(self, seed: Decision) -> None:
        assert seed.summary == seed_summary()

    def test_exactly_five_sections(self, seed: Decision) -> None:
        assert headings(seed) == [
            "The complaint",
            "The Ombudsman’s role and powers",
            "How I considered this complaint",
            "My assessment",
            "Final decision",
        ]

    def test_reasons_in_order_of_first_mention(self, seed: Decision) -> None:
        assert seed.reasons == [
            Reason.COULD_NOT_ADD,
            Reason.DIFFERENT_OUTCOME_UNLIKELY,
            Reason.OTHER_BODY_BETTER_PLACED,
        ]

    def test_paragraphs_numbered_through_the_body(self, seed: Decision) -> None:
        assert [p.number for p in seed.paragraphs] == list(range(1, 10))
        assert seed.paragraphs[0].text.startswith("Mr X says that social workers")

    def test_nested_list_and_statute_attach_to_the_paragraph(self, seed: Decision) -> None:
        powers = seed.sections[1].paragraphs[0].text
        assert powers.startswith("We investigate complaints about ‘maladministration’")
        nested = "\n- we could not add to any previous investigation by the organisation, or"
        assert nested in powers
        assert powers.endswith(
            "\n(Local Government Act 1974, section 24A(6), as amended, section 34(B))"
        )

    def test_closing_is_not_a_paragraph(self, seed: Decision) -> None:
        assert seed.closing == "Investigator's decision on behalf of the Ombudsman"
        assert all("on behalf of" not in p.text for p in seed.paragraphs)

    def test_text_holds_every_paragraph(self, seed: Decision) -> None:
        assert_quotable(seed)
        assert seed.text.startswith("Liverpool City Council (24 020 817)\n")
        assert seed.text.endswith("Investigator's decision on behalf of the Ombudsman")

    def test_blank_lines_between_lines_change_nothing(self, seed_path: Path) -> None:
        text = seed_path.read_text("utf-8")
        spaced = parse_text("\n\n".join(text.splitlines()), path=str(seed_path))
        assert spaced.model_dump() == parse_text(text, path=str(seed_path)).model_dump()

    def test_back_to_top_lines_are_dropped(self, seed_path: Path, seed: Decision) -> None:
        lines = seed_path.read_text("utf-8").splitlines()
        with_nav = [x for line in lines for x in (line, "Back to top")]
        parsed = parse_text("\n".join(with_nav), path=str(seed_path))
        assert parsed.sections == seed.sections
        assert "Back to top" not in parsed.text

    def test_markdown_headings_and_no_markers(self, seed_path: Path, seed: Decision) -> None:
        plain = []
        for line in seed_path.read_text("utf-8").splitlines():
            is_heading = any(line == s.heading for s in seed.sections)
            plain.append(f"## {line}" if is_heading else line.removeprefix("- "))
        parsed = parse_text("\n".join(plain), path=str(seed_path))
        assert headings(parsed) == headings(seed)
        assert parsed.summary == seed.summary
        assert parsed.reasons == seed.reasons


class TestFixtureVariants:
    def test_markdown_copy_with_site_furniture(self) -> None:
        decision = fixture("21-900-101.md")
        assert (decision.ref, decision.organisation) == ("21 900 101", "Fernhollow Borough Council")
        assert (decision.category, decision.sub_category) == ("Housing", "Homelessness")
        assert (decision.outcome, decision.outcome_raw) == (Outcome.UPHELD, "Upheld")
        assert decision.date == dt.date(2021, 8, 9)
        assert decision.summary == (
            "Mr X complained the Council took too long to decide his homelessness application "
            "and placed his family in unsuitable accommodation. The Council was at fault and has "
            "agreed to apologise and pay Mr X £500."
        )
        assert headings(decision) == [
            "The complaint",
            "What I have investigated",
            "Analysis",
            "Analysis > The accommodation",
            "Final decision",
        ]
        assert [p.number for p in decision.paragraphs] == [1, 2, 3, 4, 5, 6]
        assert decision.paragraphs[0].text == (
            "Mr X complains the Council:\n"
            "a) took five months to decide his homelessness application; and\n"
            "b) placed his family in a single room without cooking facilities."
        )
        assert decision.reasons == [Reason.LATE]  # only the part not investigated
        assert decision.closing == "Investigator's decision on behalf of the Ombudsman"
        for furniture in ("cookies", "Print this page", "Contents", "Back to top", "Share"):
            assert furniture not in decision.text
        assert_quotable(decision)

    def test_one_line_copy_header_and_unmarked_paragraphs(self) -> None:
        decision = fixture("22-900-202.txt")
        assert decision.ref == "22 900 202"
        assert (decision.category, decision.sub_category) == ("Benefits and tax", "Council tax")
        assert decision.date == dt.date(2022, 3, 29)
        # No organisation in the header: the one named in the body is used.
        assert decision.organisation == "Thornwick District Council"
        # No outcome in the header: the summary's "We will not investigate" decides it.
        assert (decision.outcome, decision.outcome_raw) == (Outcome.CLOSED, "")
        assert [p.number for p in decision.paragraphs] == [1, 2, 3, 4, 5, 6]
        assert decision.paragraphs[1].text == "He wants the band changed and a refund."
        assert decision.reasons == [Reason.ALTERNATIVE_REMEDY_APPEAL]
        assert decision.closing == "Investigator"
        assert_quotable(decision)

    def test_no_header_reference_from_file_name(self) -> None:
        decision = fixture("decision-23-900-303.txt")
        assert decision.ref == "23 900 303"
        assert decision.organisation == "Ashgrove City Council"
        assert (decision.category, decision.date) == ("", None)
        assert decision.url == "https://www.lgo.org.uk/decisions/23-900-303"
        assert headings(decision)[1] == "The Ombudsman’s role and powers"
        # No summary: the first paragraph of the final decision stands in for it.
        assert decision.summary == decision.sections[-1].paragraphs[0].text
        assert decision.summary.startswith("We will not investigate Mrs Y’s complaint")
        bullets = decision.paragraphs[1].text.split("\n")
        assert bullets == [
            "Mrs Y says the Council:",
            "- ignored her photographs;",
            "- did not reply to her emails; and",
            "- charged her £30 for a new bin.",
        ]
        assert "\n• any injustice is not significant enough" in decision.paragraphs[2].text
        assert decision.reasons == [Reason.NO_SIGNIFICANT_INJUSTICE]
        assert_quotable(decision)

    def test_restarting_numbers_sub_lists_and_name_closing(self) -> None:
        decision = fixture("24-900-404b.txt")
        assert decision.ref == "24 900 404b"
        assert decision.url.endswith("/adult-care-services/charging/24-900-404b")
        assert [p.number for p in decision.paragraphs] == [1, 1, 1, 1, 2, 1]
        found = decision.sections[3]
        assert found.heading == "What I found"
        assert found.paragraphs[0].text.count("\n") == 3  # "1. 2. 3." belong to paragraph 1
        assert found.paragraphs[1].text.startswith("The Council did not carry out")
        assert headings(decision)[-1] == "Decision"
        assert decision.closing == "Amelia Thornbury\nLocal Government and Social Care Ombudsman"
        # Upheld, but one part was not investigated: that part's reason only.
        assert decision.reasons == [Reason.OTHER_BODY_BETTER_PLACED]
        assert_quotable(decision)


class TestHeader:
    @pytest.mark.parametrize(
        ("written", "expected"),
        [
            ("15 Apr 2025", dt.date(2025, 4, 15)),
            ("29 March 2022", dt.date(2022, 3, 29)),
            ("09-Aug-2026", dt.date(2026, 8, 9)),
            ("not a date", None),
        ],
    )
    def test_date_forms(self, written: str, expected: dt.date | None) -> None:
        decision = parse_text(SMALL.replace("15 Apr 2025", written))
        assert decision.date == expected

    @pytest.mark.parametrize("line", ["Decision: Upheld", "Decision :Upheld", "Decision  : Upheld"])
    def test_outcome_spacing(self, line: str) -> None:
        decision = parse_text(SMALL.replace("Decision : Closed after initial enquiries", line))
        assert (decision.outcome, decision.outcome_raw) == (Outcome.UPHELD, "Upheld")

    def test_older_outcome_wording_is_kept_raw(self) -> None:
        older = "Decision : Upheld: maladministration and injustice"
        decision = parse_text(SMALL.replace("Decision : Closed after initial enquiries", older))
        assert decision.outcome is Outcome.UPHELD
        assert decision.outcome_raw == "Upheld: maladministration and injustice"

    def test_organisation_is_normalised(self) -> None:
        decision = parse_text(SMALL.replace("Ashgrove City Council", "Ashgrove  CC"))
        assert decision.organisation == "Ashgrove City Council"

    def test_url_from_the_document_is_normalised(self) -> None:
        url = "http://lgo.org.uk/decisions/planning-and-development/enforcement/23-900-505/?x=1"
        decision = parse_text(SMALL, url=url)
        assert decision.url == (
            "https://www.lgo.org.uk/decisions/planning-and-development/enforcement/23-900-505"
        )

    def test_no_header_takes_reference_from_url(self) -> None:
        body = SMALL.split("The Ombudsman's final decision:", 1)[1]
        decision = parse_text(body, path="page.html", url="https://www.lgo.org.uk/x/23-900-606")
        assert decision.ref == "23 900 606"
        assert decision.organisation == UNKNOWN_ORGANISATION
        assert decision.outcome is Outcome.CLOSED  # from "We will not investigate"

    def test_category_without_sub_area(self) -> None:
        decision = parse_text(
            SMALL.replace("Planning and development > Enforcement", "Planning and development")
        )
        assert (decision.category, decision.sub_category) == ("Planning and development", "")
        assert decision.url.endswith("/decisions/planning-and-development/23-900-505")

    def test_hyphenated_reference_in_the_title(self) -> None:
        decision = parse_text(SMALL.replace("(23 900 505)", "(23-900-505)"))
        assert decision.ref == "23 900 505"


class TestBody:
    def test_final_decision_without_colon_and_typographic_apostrophe(self) -> None:
        text = SMALL.replace("The Ombudsman's final decision:", "The Ombudsman’s final decision")
        assert parse_text(text).summary.startswith("We will not investigate Mr X's complaint")

    def test_summary_on_the_final_decision_line(self) -> None:
        text = SMALL.replace("decision:\nSummary:", "decision: Summary:")
        assert parse_text(text).summary.startswith("We will not investigate Mr X's")

    def test_list_item_opening_a_section_is_a_paragraph_without_its_bullet(self) -> None:
        text = SMALL.replace("- Mr X knew about", "• Mr X knew about")
        assessment = parse_text(text).sections[1]
        assert assessment.paragraphs[0].text.startswith("Mr X knew about the fence")

    def test_summary_alone_on_its_line(self) -> None:
        text = SMALL.replace("Summary: We will", "Summary\nWe will")
        decision = parse_text(text)
        assert decision.summary.startswith("We will not investigate")
        assert f"Summary: {decision.summary}" in decision.text

    def test_headings_case_insensitive_with_colon_and_markdown(self) -> None:
        text = SMALL.replace("The complaint\n", "# THE COMPLAINT:\n").replace(
            "My assessment\n", "## my assessment\n"
        )
        assert headings(parse_text(text)) == ["THE COMPLAINT", "my assessment", "Final decision"]

    def test_numbered_markers_with_parenthesis(self) -> None:
        text = SMALL.replace("- Mr X complains", "4) Mr X complains").replace(
            "- Mr X knew", "5) Mr X knew"
        ).replace("- We will not", "6) We will not")
        assert [p.number for p in parse_text(text).paragraphs] == [4, 5, 6]

    def test_short_paragraph_is_not_a_heading(self) -> None:
        text = SMALL.replace("\n- ", "\n").replace(
            "neighbour's fence.\n",
            "neighbour's fence.\nHe wants the fence removed.\nMr X wants an apology\n",
        )
        complaint = parse_text(text).sections[0]
        assert complaint.heading == "The complaint"
        assert [p.text for p in complaint.paragraphs] == [
            "Mr X complains the Council did not act against his neighbour's fence.",
            "He wants the fence removed.",
            "Mr X wants an apology",  # no full stop, but a known heading follows
        ]

    def test_unknown_title_line_is_a_sub_heading(self) -> None:
        text = SMALL.replace("My assessment\n", "My assessment\nThe fence\n")
        assert headings(parse_text(text)) == [
            "The complaint", "My assessment > The fence", "Final decision"
        ]

    def test_table_of_contents_is_skipped(self) -> None:
        toc = "Contents\n- The complaint\n- My assessment\n- Final decision\n"
        decision = parse_text(SMALL.replace("Category :", toc + "Category :"))
        assert headings(decision) == ["The complaint", "My assessment", "Final decision"]
        assert decision.category == "Planning and development"

    def test_wrapped_lines_of_a_pdf_rejoin(self) -> None:
        wrapped = SMALL.replace(
            "- Mr X complains the Council did not act against his neighbour's fence.",
            "- Mr X complains the Council did not act against the fence his neighbour built\n"
            "along their shared boundary in the spring.",
        )
        first = parse_text(wrapped).paragraphs[0].text
        assert first.endswith("his neighbour built along their shared boundary in the spring.")

    def test_whitespace_inside_a_line_is_collapsed(self) -> None:
        text = SMALL.replace("did not act against", "did  not\tact\u00a0against")
        assert "did not act against" in parse_text(text).paragraphs[0].text

    def test_text_is_header_summary_sections_closing(self) -> None:
        assert parse_text(SMALL).text == (
            "Ashgrove City Council (23 900 505)\n"
            "Category : Planning and development > Enforcement\n"
            "Decision : Closed after initial enquiries\n"
            "Decision date : 15 Apr 2025\n"
            "Summary: We will not investigate Mr X's complaint about his neighbour's fence "
            "because it is late.\n"
            "The complaint\n"
            "Mr X complains the Council did not act against his neighbour's fence.\n"
            "My assessment\n"
            "Mr X knew about the fence more than 12 months before he complained to us.\n"
            "Final decision\n"
            "We will not investigate Mr X's complaint because it is late.\n"
            "Investigator's decision on behalf of the Ombudsman"
        )

    def test_reasons_are_filled(self) -> None:
        assert parse_text(SMALL).reasons == [Reason.LATE]

    def test_source_path_kept(self) -> None:
        assert parse_text(SMALL, path="x/23-900-505.txt").source_path == "x/23-900-505.txt"


class TestNotADecision:
    def test_no_reference_anywhere(self) -> None:
        body = SMALL.split("The Ombudsman's final decision:", 1)[1]
        with pytest.raises(ParseError, match="no decision reference") as caught:
            parse_text(body, path="notes.txt")
        assert caught.value.path == "notes.txt"

    def test_header_without_body(self) -> None:
        header = "\n".join(SMALL.splitlines()[:4])
        with pytest.raises(ParseError, match="no decision body"):
            parse_text(header)

    def test_web_page_that_is_not_a_decision(self) -> None:
        page = (
            "Home\nAbout us\nWe are the Ombudsman for England (24 000 111)\n"
            "Our annual report\nRead our latest annual report and accounts.\n"
        )
        with pytest.raises(ParseError, match="no decision body"):
            parse_text(page, path="about.html")

    def test_headings_without_paragraphs(self) -> None:
        toc = "Fernhollow Borough Council (21 900 101)\nThe complaint\nMy assessment\nDecision"
        with pytest.raises(ParseError):
            parse_text(toc)

    def test_error_message_is_one_line(self) -> None:
        with pytest.raises(ParseError) as caught:
            parse_text("nothing here", path="empty.txt")
        assert "\n" not in str(caught.value)
        assert str(caught.value).startswith("empty.txt: ")
