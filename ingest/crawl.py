"""Crawl published decisions: walk listings, fetch each decision page once, store it.

Listings are sorted newest first, so a walk stops at the first page whose
entries are all older than ``since`` (or at a page with no entries). Each
listing page's decisions are fetched before the next page is read, and the
page number is recorded once they are done, so a crawl that is stopped resumes
at the next listing page and never refetches a stored decision (unless
``refresh``). Network politeness lives in :mod:`ingest.fetch`, entry parsing in
:mod:`ingest.listing`, the output folder in :mod:`ingest.pages`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from ingest.errors import OQAError
from ingest.fetch import FetchError, Page, PoliteClient, RefusedError, Sleep
from ingest.html import html_to_text
from ingest.listing import (
    AREA_SLUGS,
    FIRST_PAGE,
    ListingEntry,
    area_of,
    area_url,
    parse_listing,
    search_url,
)
from ingest.normalise import find_refs, slugify
from ingest.pages import PageStore, StoredPage
from ingest.settings import Settings

logger = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
# A guard against a site that never runs out of pages (every real area has far fewer).
MAX_LISTING_PAGES = 10_000


class CrawlError(OQAError):
    """The crawl could not start (for example robots.txt could not be read)."""


@dataclass(frozen=True)
class CrawlOptions:
    """What to crawl: a date window, optionally one area or one organisation."""

    since: date
    out_dir: Path
    until: date | None = None
    area: str | None = None
    organisation: str | None = None
    refresh: bool = False


@dataclass
class CrawlSummary:
    """What a crawl did; ``failed`` and ``refused`` hold ``(url, reason)`` pairs."""

    listing_pages: int = 0
    found: int = 0
    fetched: int = 0
    skipped: int = 0
    refused: list[tuple[str, str]] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    requests: int = 0
    seconds: float = 0.0

    def line(self) -> str:
        return (
            f"{self.listing_pages} listing pages, {self.found} decisions found, "
            f"{self.fetched} fetched, {self.skipped} already stored, "
            f"{len(self.refused)} refused, {len(self.failed)} failed "
            f"({self.requests} requests in {self.seconds:.1f}s)"
        )


@dataclass(frozen=True)
class _Walk:
    """One paged listing: an area's, or the search results for an organisation."""

    key: str
    url: Callable[[int], str]
    area: str | None = None  # keep only decisions filed under this area


def crawl(
    options: CrawlOptions,
    settings: Settings,
    progress: Progress | None = None,
    *,
    sleep: Sleep = time.sleep,
) -> CrawlSummary:
    """Fetch every decision in the window that is not stored yet; see the module doc."""
    started = time.monotonic()
    summary = CrawlSummary()
    with PoliteClient(settings, sleep=sleep) as client:
        _load_robots(client)
        crawler = _Crawler(options, client, PageStore(options.out_dir), summary, progress)
        try:
            for walk in _walks(options, settings):
                crawler.walk(walk)
        finally:
            summary.requests = client.requests
            summary.seconds = time.monotonic() - started
    logger.info("crawl finished: %s", summary.line())
    return summary


def _load_robots(client: PoliteClient) -> None:
    try:
        client.load_robots()
    except FetchError as error:
        raise CrawlError(
            f"Cannot read {client.base_url}/robots.txt ({error.reason}); "
            "not crawling without it. Try again later."
        ) from error


def _walks(options: CrawlOptions, settings: Settings) -> Iterator[_Walk]:
    base = settings.crawl_base_url
    window = f"{options.since}:{options.until or ''}"
    area = slugify(options.area) if options.area else None
    if options.organisation:
        name = options.organisation
        yield _Walk(
            key=f"search:{name}:{area or ''}:{window}",
            url=lambda page: search_url(base, name, options.since, options.until, page),
            area=area,
        )
        return
    for slug in [area] if area else AREA_SLUGS:
        yield _Walk(key=f"area:{slug}:{window}", url=lambda page, s=slug: area_url(base, s, page))


class _Crawler:
    """The state of one crawl: the client, the output folder and what was seen."""

    def __init__(
        self,
        options: CrawlOptions,
        client: PoliteClient,
        store: PageStore,
        summary: CrawlSummary,
        progress: Progress | None,
    ) -> None:
        self.options = options
        self.client = client
        self.store = store
        self.summary = summary
        self.progress = progress
        self.seen: set[str] = set()
        self.handled = 0  # decisions dealt with, whatever happened to them

    def walk(self, walk: _Walk) -> None:
        """Page through one listing until it runs out or passes ``since``."""
        page = self._first_page(walk)
        previous: list[str] = []
        for number in range(page, page + MAX_LISTING_PAGES):
            entries = self._listing(walk.url(number))
            if entries is None:
                return  # failed: keep the resume point so the next run retries here
            refs = [entry.ref for entry in entries]
            # Some sites answer a page past the end with the last page again.
            if not entries or refs == previous:
                break
            self._decisions(entries, walk)
            self.store.mark_page_done(walk.key, number)
            if self._all_too_old(entries):
                break
            previous = refs
        self.store.mark_walk_done(walk.key)

    def _first_page(self, walk: _Walk) -> int:
        done = None if self.options.refresh else self.store.resume_page(walk.key)
        if done is None:
            return FIRST_PAGE
        logger.info("resuming %s after listing page %d", walk.key, done)
        return done + 1

    def _listing(self, url: str) -> list[ListingEntry] | None:
        try:
            page = self.client.get(url)
        except FetchError as error:
            self._record_problem(error)
            return None
        self.summary.listing_pages += 1
        entries = parse_listing(page.text, page.url)
        if not entries:
            logger.info("%s has no entries; end of listing", url)
        self._report()
        return entries

    def _all_too_old(self, entries: list[ListingEntry]) -> bool:
        # An entry without a readable date cannot prove the listing has passed ``since``.
        return all(e.date is not None and e.date < self.options.since for e in entries)

    def _wanted(self, entry: ListingEntry, walk: _Walk) -> bool:
        if entry.date is not None and entry.date < self.options.since:
            return False
        if entry.date is not None and self.options.until and entry.date > self.options.until:
            return False
        return walk.area is None or area_of(entry.url) == walk.area

    def _decisions(self, entries: list[ListingEntry], walk: _Walk) -> None:
        for entry in entries:
            # A decision listed twice (two pages, two areas) is dealt with once per crawl.
            if entry.ref in self.seen or not self._wanted(entry, walk):
                continue
            self.seen.add(entry.ref)
            self.summary.found += 1
            self._decision(entry)
            self.handled += 1
            self._report()

    def _decision(self, entry: ListingEntry) -> None:
        if not self.options.refresh and self.store.has(entry.ref):
            self.summary.skipped += 1
            return
        try:
            page = self.client.get(entry.url)
        except FetchError as error:
            self._record_problem(error)
            return
        text = html_to_text(page.text)
        if entry.ref not in find_refs(text):
            # A "page not found" served with 200, or a layout we cannot read: do not store
            # it as a decision, or it would never be fetched again.
            problem = FetchError(page.url, "page does not show the decision's reference")
            self._record_problem(problem)
            return
        self.store.save(_stored(entry, page, text))
        self.summary.fetched += 1

    def _record_problem(self, error: FetchError) -> None:
        if isinstance(error, RefusedError):
            logger.warning("refused %s", error)
            self.summary.refused.append((error.url, error.reason))
        else:
            logger.warning("failed %s", error)
            self.summary.failed.append((error.url, error.reason))

    def _report(self) -> None:
        if self.progress is not None:
            self.progress(self.handled, self.summary.found)


def _stored(entry: ListingEntry, page: Page, text: str) -> StoredPage:
    # Sources read pages as UTF-8: keep the served bytes when they are, else transcode.
    utf8 = page.encoding.lower().replace("_", "-") in ("utf-8", "utf8", "ascii", "us-ascii")
    return StoredPage(
        ref=entry.ref,
        url=page.url,
        html=page.body if utf8 else page.text.encode("utf-8"),
        text=text,
        fetched_at=datetime.now(UTC).isoformat(timespec="seconds"),
        listing_date=entry.date,
        status=entry.status,
        organisation=entry.organisation,
    )
