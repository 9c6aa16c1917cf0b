"""Crawl published decisions month by month through the site's results endpoint.

The window ``since``..``until`` is cut into calendar months, newest first, and
each month is paged through ``/Decisions/SearchResults`` (``fd``/``td``,
``page``, ``aname``, ``dc``, ``sortOrder=descending``): a month stays far under
any pagination ceiling however large the archive. Each results page's
decisions are fetched before the next page is read and the page is then
checkpointed, so a crawl that is stopped resumes in the month it was in, at
the next page, skips the months it finished, and never refetches a stored
decision (unless ``refresh``). A month's first page says "Your search has N
results"; a month that listed fewer entries than that is reported as a
shortfall. Network politeness lives in :mod:`ingest.crawl.fetch`, entry parsing in
:mod:`ingest.crawl.listing`, the output folder and its resume state in
:mod:`ingest.crawl.pages`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from ingest.crawl.fetch import FetchError, Page, PoliteClient, RefusedError, Sleep
from ingest.crawl.listing import (
    ListingEntry,
    ResultsPage,
    SearchQuery,
    area_of,
    parse_results,
)
from ingest.crawl.pages import MonthProgress, PageStore, StoredPage
from ingest.parse.html import html_to_text
from ingest.vocabulary.errors import OQAError
from ingest.vocabulary.normalise import find_refs, slugify
from ingest.vocabulary.records import Outcome
from ingest.vocabulary.settings import Settings

logger = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
# A guard against a site that never runs out of pages (a month has a few hundred entries).
MAX_LISTING_PAGES = 10_000
# A page that is not "page not found" shows the decision's header even when it omits the
# reference (the published page keeps the organisation and reference in the result list).
_HEADER_LINE = ("Decision date", "Decision :", "Decision:")


class CrawlError(OQAError):
    """The crawl could not start (for example robots.txt could not be read)."""


@dataclass(frozen=True)
class CrawlOptions:
    """What to crawl: a date window, optionally one area, one organisation, some outcomes."""

    since: date
    out_dir: Path
    until: date | None = None  # None: today
    area: str | None = None  # kept by the decision URL's area (the search has no area filter)
    organisation: str | None = None
    outcomes: tuple[Outcome, ...] = ()
    refresh: bool = False

    def last_day(self) -> date:
        return self.until or datetime.now(UTC).date()

    def state_key(self) -> str:
        codes = ",".join(o.value for o in self.outcomes)
        return f"search:{self.since}:{self.until or ''}:{self.organisation or ''}:{codes}"


@dataclass(frozen=True)
class Shortfall:
    """A month whose results pages listed fewer decisions than the count they announced."""

    month: str
    announced: int
    listed: int

    def line(self) -> str:
        return f"{self.month}: the site announced {self.announced}, the pages listed {self.listed}"


@dataclass
class CrawlSummary:
    """What a crawl did; ``failed`` and ``refused`` hold ``(url, reason)`` pairs."""

    months: int = 0
    months_resumed: int = 0  # finished by an earlier, interrupted run and skipped
    listing_pages: int = 0
    found: int = 0
    fetched: int = 0
    skipped: int = 0
    refused: list[tuple[str, str]] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    shortfalls: list[Shortfall] = field(default_factory=list)
    requests: int = 0
    seconds: float = 0.0

    def line(self) -> str:
        return (
            f"{self.months} months ({self.months_resumed} already done), "
            f"{self.listing_pages} listing pages, {self.found} decisions found, "
            f"{self.fetched} fetched, {self.skipped} already stored, "
            f"{len(self.refused)} refused, {len(self.failed)} failed, "
            f"{len(self.shortfalls)} months short "
            f"({self.requests} requests in {self.seconds:.1f}s)"
        )


def months(since: date, until: date) -> Iterator[tuple[str, date, date]]:
    """``("2026-08", first day, last day)`` per calendar month, newest first, clipped."""
    month_start = until.replace(day=1)
    while month_start >= since.replace(day=1):
        next_month = (month_start + timedelta(days=32)).replace(day=1)
        last = min(until, next_month - timedelta(days=1))
        yield f"{month_start:%Y-%m}", max(since, month_start), last
        month_start = (month_start - timedelta(days=1)).replace(day=1)


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
            crawler.run()
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
        self.area = _area_key(options.area) if options.area else None
        self.key = options.state_key()
        self.seen: set[str] = set()
        self.handled = 0  # decisions dealt with, whatever happened to them

    def run(self) -> None:
        if self.options.refresh:
            self.store.forget_crawl(self.key)
        finished = True
        for month, first, last in months(self.options.since, self.options.last_day()):
            self.summary.months += 1
            if self.store.month_done(self.key, month):
                self.summary.months_resumed += 1
                continue
            query = SearchQuery(first, last, self.options.organisation or "",
                                self.options.outcomes)
            finished = self._month(month, query) and finished
        if finished:  # a later crawl of the same window walks every month again
            self.store.forget_crawl(self.key)

    def _month(self, month: str, query: SearchQuery) -> bool:
        """Page through one month; False when a results page could not be fetched."""
        progress = self.store.month_progress(self.key, month)
        if progress.page:
            logger.info("resuming %s after results page %d", month, progress.page)
        previous: list[str] = []
        for number in range(progress.page + 1, progress.page + 1 + MAX_LISTING_PAGES):
            results = self._results(query.url(self.client.base_url, number))
            if results is None:
                return False  # keep the checkpoint: the next run retries this page
            refs = [entry.ref for entry in results.entries]
            announced = progress.announced if progress.page else results.count
            # Some sites answer a page past the end with the last page again.
            if not refs or refs == previous:
                progress = MonthProgress(progress.page, announced, progress.listed)
                break
            self._decisions(results.entries)
            progress = MonthProgress(number, announced, progress.listed + len(refs))
            self.store.save_month_progress(self.key, month, progress)
            if announced is not None and progress.listed >= announced:
                break  # the month is complete: no request for an empty page past its end
            previous = refs
        self._check_count(month, progress)
        self.store.mark_month_done(self.key, month)
        return True

    def _check_count(self, month: str, progress: MonthProgress) -> None:
        if progress.announced is not None and progress.listed < progress.announced:
            shortfall = Shortfall(month, progress.announced, progress.listed)
            logger.warning("shortfall in %s", shortfall.line())
            self.summary.shortfalls.append(shortfall)

    def _results(self, url: str) -> ResultsPage | None:
        try:
            page = self.client.get(url)
        except FetchError as error:
            self._record_problem(error)
            return None
        self.summary.listing_pages += 1
        results = parse_results(page.text, page.url)
        if not results.entries:
            logger.info("%s has no entries; end of the month", url)
        self._report()
        return results

    def _wanted(self, entry: ListingEntry) -> bool:
        if entry.date is not None and entry.date < self.options.since:
            return False
        if entry.date is not None and entry.date > self.options.last_day():
            return False
        return self.area is None or _area_key(area_of(entry.url) or "") == self.area

    def _decisions(self, entries: list[ListingEntry]) -> None:
        for entry in entries:
            # A decision listed twice (two pages, two months) is dealt with once per crawl.
            if entry.ref in self.seen or not self._wanted(entry):
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
        if not _shows_decision(text, entry.ref):
            # A "page not found" served with 200, or a layout we cannot read: do not store
            # it as a decision, or it would never be fetched again.
            problem = FetchError(page.url, "page does not show the decision's reference or header")
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


def _area_key(area: str) -> str:
    # "Children's care services", "childrens-care-services" and the site's own
    # "children-s-care-services" are one area.
    return slugify(area).replace("-", "")


def _shows_decision(text: str, ref: str) -> bool:
    if ref in find_refs(text):
        return True
    return any(line.startswith(_HEADER_LINE) for line in text.splitlines())


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
