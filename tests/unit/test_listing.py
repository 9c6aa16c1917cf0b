"""Listing entries found by what they say, whatever the markup around them."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from ingest.crawl.listing import SearchQuery, area_of, parse_listing, parse_results
from ingest.crawl.pages import MonthProgress, PageStore, StoredPage
from ingest.vocabulary.records import Outcome

PAGE = "https://www.lgo.org.uk/Decisions/SearchResults?fd=2026-03-01&td=2026-03-31&page=1"


def test_search_urls_use_the_published_parameters_in_order() -> None:
    window = SearchQuery(date(2026, 3, 1), date(2026, 3, 31))
    assert window.url("https://x.test/", 2) == (
        "https://x.test/Decisions/SearchResults?fd=2026-03-01&td=2026-03-31&page=2"
        "&sortOrder=descending"
    )
    narrowed = SearchQuery(date(2026, 3, 1), date(2026, 3, 31), "Brackenfield District Council",
                           (Outcome.UPHELD, Outcome.NOT_UPHELD, Outcome.CLOSED))
    assert narrowed.url("https://x.test", 1) == (
        "https://x.test/Decisions/SearchResults?fd=2026-03-01&td=2026-03-31&page=1"
        "&aname=Brackenfield+District+Council&dc=c+nu+u+&sortOrder=descending"
    )


def test_results_page_count_and_entry_types() -> None:
    html = """<main><p>Your search has 1,234 results</p><ul>
    <li><a href="/decisions/adult-care-services/charging/26-905-001">Wexcombe Borough Council
      (26 905 001)</a><p>Report Upheld Charging 18-Mar-2026</p><p>FICTIONAL.</p></li>
    <li><a href="/decisions/housing/allocations/26-902-003">Ravensholme District Council
      (26 902 003)</a><p>Statement Not upheld Allocations 03-Mar-2026</p></li></ul></main>"""
    results = parse_results(html, PAGE)
    assert results.count == 1234
    report, statement = results.entries
    assert (report.document_type, statement.document_type) == ("report", "statement")
    assert parse_results("<main>No results</main>", PAGE).count is None


def test_entry_in_a_table_row_and_entry_without_a_date() -> None:
    html = """<main><table>
    <tr><td><a href="/decisions/housing/allocations/26-902-003">Ravensholme District Council
      (26 902 003)</a></td><td>Statement Upheld Allocations</td><td>3 March 2026</td></tr>
    <tr><td><a href="/decisions/housing/allocations/26-902-007/">Kestrel Vale Council</a></td>
      <td>Statement Withdrawn</td></tr>
    </table><aside><a href="/decisions/housing/x/26-902-008">Elsewhere (26 902 008)</a></aside>
    </main>"""
    first, second = parse_listing(html, PAGE)
    assert first.ref == "26 902 003" and first.date == date(2026, 3, 3)
    assert first.organisation == "Ravensholme District Council"
    assert first.status == "Statement Upheld Allocations"
    assert second.ref == "26 902 007" and second.date is None
    assert second.url == "https://www.lgo.org.uk/decisions/housing/allocations/26-902-007/"


def test_links_that_are_not_decisions_are_ignored() -> None:
    html = '<main><a href="/decisions/housing">Housing</a><a href="/about/24-000-001">x</a></main>'
    assert parse_listing(html, PAGE) == []


def test_area_of_a_decision_url() -> None:
    assert area_of("https://www.lgo.org.uk/decisions/housing/allocations/26-902-003") == "housing"
    assert area_of("https://www.lgo.org.uk/other/26-902-003") is None


def test_a_page_counts_as_stored_only_with_its_sidecar(tmp_path: Path) -> None:
    store = PageStore(tmp_path)
    page = StoredPage("26 902 003", "https://x.test/d/26-902-003", b"<html></html>", "text",
                      "2026-08-09T10:00:00+00:00", date(2026, 8, 9), "Statement Upheld", "Org")
    store.save(page)
    assert store.has("26 902 003") and store.stored_refs() == ["26-902-003"]
    store.meta_path("26 902 003").unlink()  # as if killed before the sidecar was written
    assert not store.has("26 902 003")
    assert not list(tmp_path.rglob("*.tmp"))


def test_resume_state_round_trip(tmp_path: Path) -> None:
    store = PageStore(tmp_path)
    assert store.month_progress("crawl", "2026-03") == MonthProgress()
    store.save_month_progress("crawl", "2026-03", MonthProgress(4, 47, 40))
    assert PageStore(tmp_path).month_progress("crawl", "2026-03") == MonthProgress(4, 47, 40)
    store.mark_month_done("crawl", "2026-03")
    assert store.month_done("crawl", "2026-03") and not store.month_done("crawl", "2026-02")
    assert store.month_progress("crawl", "2026-03") == MonthProgress()
    store.forget_crawl("crawl")
    assert not PageStore(tmp_path).month_done("crawl", "2026-03")


def test_entries_in_flat_siblings_and_in_split_status_spans() -> None:
    """Two markups the site has used for result lists (FICTIONAL entries): headings and
    paragraphs side by side with no wrapper per entry, and a status line cut into spans."""
    flat = """<main><p>Your search has 2 results</p>
    <h3><a href="/decisions/housing/homelessness/26-902-001">Northmoor Borough Council
      (26 902 001)</a></h3><p>Statement Upheld Homelessness 14-Aug-2026</p><p>Mr H ...</p>
    <h3><a href="/decisions/housing/allocations/26-902-003">Ravensholme District Council
      (26 902 003)</a></h3><p>Statement Closed after initial enquiries Allocations
      30-Jul-2026</p><p>Ms K ...</p></main>"""
    first, second = parse_listing(flat, PAGE)
    assert (first.ref, first.date, first.status) == (
        "26 902 001", date(2026, 8, 14), "Statement Upheld Homelessness")
    assert (second.ref, second.date) == ("26 902 003", date(2026, 7, 30))
    spans = """<main><div class="result"><a class="title"
      href="/decisions/adult-care-services/residential-care/26-904-001">Fernbridge Care Ltd
      (26 904 001)</a><div class="meta"><span>Report</span><span>Upheld</span>
      <span>Residential care</span><time datetime="2026-07-07">07-Jul-2026</time></div></div>
    </main>"""
    (entry,) = parse_listing(spans, PAGE)
    assert entry.organisation == "Fernbridge Care Ltd" and entry.date == date(2026, 7, 7)
    assert entry.status == "Report Upheld Residential care" and entry.document_type == "report"
