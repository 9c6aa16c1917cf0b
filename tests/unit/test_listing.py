"""Listing entries found by what they say, whatever the markup around them."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from ingest.listing import AREA_SLUGS, area_of, area_url, parse_listing, search_url
from ingest.pages import PageStore, StoredPage

PAGE = "https://www.lgo.org.uk/decisions/housing?page=1"


def test_area_slugs_follow_the_category_names() -> None:
    assert "childrens-care-services" in AREA_SLUGS
    assert "environmental-services-and-public-protection-and-regulation" in AREA_SLUGS
    assert len(AREA_SLUGS) == 9
    assert area_url("https://x.test/", "housing", 3) == "https://x.test/decisions/housing?page=3"


def test_search_url_carries_organisation_dates_page_and_sort() -> None:
    url = search_url("https://x.test", "Northmoor Borough Council", date(2026, 1, 2), None, 2)
    assert url.startswith("https://x.test/Decisions/SearchResults?")
    assert "Organisation=Northmoor+Borough+Council" in url
    assert "DateFrom=02%2F01%2F2026" in url and "Page=2" in url and "SortOrder=" in url


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
    assert store.resume_page("area:housing") is None
    store.mark_page_done("area:housing", 4)
    assert PageStore(tmp_path).resume_page("area:housing") == 4
    store.mark_walk_done("area:housing")
    assert store.resume_page("area:housing") is None
