"""A fictional decisions site on 127.0.0.1, laid out as the published one (see
``tests/fixtures/site/README.md``), for the crawler tests and ``bench/crawl_scale.py``.

``GET /Decisions/SearchResults`` answers from a catalogue of entries exactly as
the published endpoint does: ``fd``/``td`` (decision dates, ``YYYY-MM-DD``),
``aname`` (organisation), ``dc`` (outcome codes ``c``/``nu``/``u``), ``page``
(1-based, ``page_size`` entries), newest first, under "Your search has N
results". Decision pages are files under the site folder, or, for a generated
catalogue, rendered from the entry. Every request is logged so tests can assert
what was, and was not, asked for; faults are scripted per path.
"""

from __future__ import annotations

import bisect
import html
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

# The published form's outcome codes.
OUTCOME_CODES = {"Closed after initial enquiries": "c", "Not upheld": "nu", "Upheld": "u"}
PAGE_SIZE = 10

Behaviour = Callable[["SiteHandler"], None]
DecisionPage = Callable[["Entry"], bytes]


@dataclass(frozen=True)
class Entry:
    """One decision as the results pages list it."""

    path: str  # "/decisions/<area>/<sub-area>/<YY-NNN-NNN>" ({{OFFSITE}} for another host)
    title: str  # "Organisation (26 901 001)"
    type: str  # "Statement" or "Report"
    outcome: str
    sub_area: str
    date: date
    summary: str

    @property
    def organisation(self) -> str:
        return self.title.rsplit(" (", 1)[0]

    @property
    def code(self) -> str:
        return OUTCOME_CODES[self.outcome]


def load_catalogue(path: Path) -> list[Entry]:
    rows = json.loads(path.read_text("utf-8"))
    return [Entry(**{**row, "date": date.fromisoformat(row["date"])}) for row in rows]


class Catalogue:
    """Entries sorted by decision date, searchable the way the results endpoint searches."""

    def __init__(self, entries: list[Entry]) -> None:
        self._entries: list[Entry] = []
        self._dates: list[date] = []
        self.by_path: dict[str, Entry] = {}
        self.add(entries)

    def add(self, entries: list[Entry]) -> None:
        self._entries = sorted([*self._entries, *entries], key=lambda e: e.date)
        self._dates = [e.date for e in self._entries]
        self.by_path.update({e.path: e for e in entries})

    def search(self, since: date, until: date, organisation: str, codes: set[str]) -> list[Entry]:
        """Matching entries, newest first."""
        low = bisect.bisect_left(self._dates, since)
        high = bisect.bisect_right(self._dates, until)
        found = [
            e for e in self._entries[low:high]
            if (not organisation or e.organisation.lower() == organisation.lower())
            and (not codes or e.code in codes)
        ]
        return found[::-1]


def results_page(entries: list[Entry], count: int, offsite: str) -> bytes:
    """A results page: the count line, then each entry's link, status line and summary."""
    items = "".join(
        f'<li class="search-result">\n<h3><a href="{html.escape(e.path)}">{html.escape(e.title)}'
        f'</a></h3>\n<p class="meta">{e.type} {e.outcome} {html.escape(e.sub_area)} '
        f'{e.date:%d-%b-%Y}</p>\n<p class="summary">{html.escape(e.summary)}</p>\n</li>\n'
        for e in entries
    )
    page = (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        "<title>Search results - Local Government and Social Care Ombudsman</title></head>\n"
        '<body><header class="site-header"><nav><a href="/decisions">Decisions</a></nav>'
        "</header>\n<main>\n"
        f'<p class="results-count">Your search has {count} results</p>\n'
        f'<ul class="search-results">\n{items}</ul>\n'
        '<aside><h2>Recent decisions</h2><a href="/decisions/adult-care-services/'
        'residential-care/26-904-001">Fernbridge Care Ltd (26 904 001)</a></aside>\n'
        "</main>\n<footer><p>Fictional fixture site.</p></footer></body></html>\n"
    )
    return page.replace("{{OFFSITE}}", offsite).encode()


class FixtureSite:
    """A ThreadingHTTPServer serving a fictional site, with scripted faults and a request log."""

    def __init__(
        self,
        root: Path | None,
        offsite: str = "",
        catalogue: Catalogue | None = None,
        decision_page: DecisionPage | None = None,
        page_size: int = PAGE_SIZE,
    ) -> None:
        self.root = root
        self.offsite = offsite
        self.catalogue = catalogue or Catalogue(
            load_catalogue(root / "catalogue.json") if root else []
        )
        self.decision_page = decision_page  # renders pages that have no file
        self.page_size = page_size
        self.max_pages: int | None = None  # a pagination ceiling, as some sites have
        self.log: list[tuple[str, int]] = []
        self.agents: set[str] = set()
        self.scripted: dict[str, list[Behaviour]] = {}  # used up one per request, then the file
        self.always: dict[str, Behaviour] = {}
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), SiteHandler)
        self.server.daemon_threads = True
        self.server.site = self  # type: ignore[attr-defined]
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def __enter__(self) -> FixtureSite:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    @property
    def paths(self) -> list[str]:
        return [path for path, _ in self.log]

    def searches(self) -> list[str]:
        return [p for p in self.paths if p.startswith("/Decisions/SearchResults")]

    def requests_for(self, path: str) -> int:
        return sum(1 for p in self.paths if p.split("?")[0] == path)

    def record(self, path: str, agent: str) -> int:
        """Log a request as it arrives (status 0 until answered); return its log index."""
        with self._lock:
            self.log.append((path, 0))
            self.agents.add(agent)
            return len(self.log) - 1

    def answered(self, index: int, status: int) -> None:
        with self._lock:
            if index < len(self.log):  # a test may clear the log while a slow answer is out
                self.log[index] = (self.log[index][0], status)

    def behaviour(self, path: str) -> Behaviour | None:
        with self._lock:
            queue = self.scripted.get(path)
            if queue:
                return queue.pop(0)
        return self.always.get(path)

    def content(self, raw_path: str) -> bytes | None:
        parts = urlsplit(raw_path)
        if parts.path == "/Decisions/SearchResults":
            return self._results(parse_qs(parts.query))
        if self.root is not None:
            file = self.root / ("robots.txt" if parts.path == "/robots.txt"
                                else parts.path.lstrip("/") + ".html")
            if file.is_file():
                return file.read_text("utf-8").replace("{{OFFSITE}}", self.offsite).encode()
        entry = self.catalogue.by_path.get(parts.path)
        return self.decision_page(entry) if entry and self.decision_page else None

    def _results(self, query: dict[str, list[str]]) -> bytes:
        def one(name: str) -> str:
            return query.get(name, [""])[0]

        found = self.catalogue.search(
            date.fromisoformat(one("fd") or "2000-01-01"),
            date.fromisoformat(one("td") or "2100-01-01"),
            one("aname"),
            set(one("dc").split()),  # "c+nu+u+" arrives as "c nu u "
        )
        page = int(one("page") or "1")
        shown = [] if self.max_pages and page > self.max_pages else found[
            (page - 1) * self.page_size : page * self.page_size
        ]
        return results_page(shown, len(found), self.offsite)


class SiteHandler(BaseHTTPRequestHandler):
    server_version = "FixtureSite/2"

    @property
    def site(self) -> FixtureSite:
        return self.server.site  # type: ignore[attr-defined]

    def do_GET(self) -> None:
        self.index = self.site.record(self.path, self.headers.get("User-Agent", ""))
        behaviour = self.site.behaviour(self.path.split("?")[0])
        try:
            if behaviour is not None:
                behaviour(self)
                return
            body = self.site.content(self.path)
            if body is None:
                self.reply(404, b"not found")
            else:
                self.reply(200, body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up on a slow answer, as it should

    def reply(self, status: int, body: bytes, headers: dict[str, str] | None = None,
              length: bool = True) -> None:
        self.site.answered(self.index, status)
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if length:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass  # keep output clean; the site's own log is asserted on
