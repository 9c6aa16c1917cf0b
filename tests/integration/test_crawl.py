"""The crawler against a real HTTP server on 127.0.0.1 serving the fictional fixture site.

``tests/fixtures/site/`` mirrors the published site's structure; the server adds
the misbehaviour (429, 500s, a slow answer, an off-host redirect, an oversized
body) per path, and logs every request so the tests can assert what was, and
was not, asked for. A second server stands in for "another host": its log must
stay empty. Sleeps are recorded, not slept, so backoff costs no time.
"""

from __future__ import annotations

import json
import shutil
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from ingest.crawl import CrawlError, CrawlOptions, CrawlSummary, crawl
from ingest.normalise import slugify
from ingest.settings import Settings
from ingest.sources import read_source

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SINCE = date(2026, 1, 1)
HW = "/decisions/highways-and-transport"
PATHS = {
    "26 901 001": f"{HW}/parking-and-other-penalties/26-901-001",
    "26 901 002": f"{HW}/highway-maintenance/26-901-002",
    "26 901 003": f"{HW}/blue-badges/26-901-003",
    "26 901 004": f"{HW}/parking-and-other-penalties/26-901-004",
    "26 901 005": f"{HW}/street-works/26-901-005",
    "26 901 006": f"{HW}/traffic-management/26-901-006",
    "26 901 007": f"{HW}/public-transport/26-901-007",
    "26 901 008": f"{HW}/parking-and-other-penalties/26-901-008",
    "26 902 001": "/decisions/housing/homelessness/26-902-001",
    "26 902 002": "/decisions/housing/council-housing/26-902-002",
    "26 902 003": "/decisions/housing/allocations/26-902-003",
    "26 902 004": "/decisions/housing/disabled-facilities-grants/26-902-004",
    "26 903 001": "/decisions/education/school-admissions/26-903-001",
    "26 903 002": "/decisions/education/special-educational-needs/26-903-002",
    "26 904 001": "/decisions/adult-care-services/residential-care/26-904-001",
    "26 904 002": "/decisions/adult-care-services/domiciliary-care/26-904-002",
}
NEW_PATHS = {
    "26 903 003": "/decisions/education/alternative-provision/26-903-003",
    "26 903 004": "/decisions/education/exclusions/26-903-004",
    "26 903 005": "/decisions/education/school-transport/26-903-005",
}
# Everything a full crawl since SINCE can and should store.
STORABLE = {
    "26 901 001", "26 901 002", "26 901 003", "26 901 004", "26 901 007", "26 901 008",
    "26 902 001", "26 902 003", "26 903 001", "26 903 002", "26 904 001", "26 904 002",
}
NEVER_REQUESTED = [
    PATHS["26 902 002"],  # disallowed by robots.txt
    f"{HW}/parking-and-other-penalties/25-901-009",  # older than --since
    f"{HW}/public-transport/25-901-010",
    f"{HW}?page=5",  # page 4 was all older than --since
]
EMPTY_LISTING = (
    "<html><body><main><h1>Decisions</h1>"
    "<p>No decisions found.</p></main></body></html>"
)

Behaviour = Callable[["_Handler"], None]


class FixtureSite:
    """A ThreadingHTTPServer serving a folder in the site's URL structure, with scripted faults."""

    def __init__(self, root: Path | None, offsite: str = "") -> None:
        self.root = root
        self.offsite = offsite
        self.log: list[tuple[str, int]] = []
        self.agents: set[str] = set()
        self.scripted: dict[str, list[Behaviour]] = {}  # used up one per request, then the file
        self.always: dict[str, Behaviour] = {}
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
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
            self.log[index] = (self.log[index][0], status)

    def behaviour(self, path: str) -> Behaviour | None:
        with self._lock:
            queue = self.scripted.get(path)
            if queue:
                return queue.pop(0)
        return self.always.get(path)

    def content(self, raw_path: str) -> bytes | None:
        if self.root is None:
            return None
        parts = urlsplit(raw_path)
        query = parse_qs(parts.query)
        path = parts.path
        if path == "/robots.txt":
            file = self.root / "robots.txt"
        elif path.count("/") == 2 and path.startswith("/decisions/"):
            file = self.root / path.lstrip("/") / f"page-{query.get('page', ['1'])[0]}.html"
            if not file.is_file():
                return EMPTY_LISTING.encode()
        elif path == "/Decisions/SearchResults":
            org = slugify(query.get("Organisation", [""])[0])
            file = self.root / "Decisions/SearchResults" / org / f"page-{query['Page'][0]}.html"
            if not file.is_file():
                return EMPTY_LISTING.encode()
        else:
            file = self.root / (path.lstrip("/") + ".html")
        if not file.is_file():
            return None
        return file.read_text("utf-8").replace("{{OFFSITE}}", self.offsite).encode()


class _Handler(BaseHTTPRequestHandler):
    server_version = "FixtureSite/1"

    @property
    def site(self) -> FixtureSite:
        return self.server.site  # type: ignore[attr-defined]

    def do_GET(self) -> None:
        self.index = self.site.record(self.path, self.headers.get("User-Agent", ""))
        path = self.path.split("?")[0]
        behaviour = self.site.behaviour(path)
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
        pass  # keep pytest output clean; the site's own log is asserted on


def status(code: int, headers: dict[str, str] | None = None) -> Behaviour:
    return lambda h: h.reply(code, b"try again later", headers)


def slow(seconds: float) -> Behaviour:
    def answer(h: _Handler) -> None:
        time.sleep(seconds)
        h.reply(200, h.site.content(h.path) or b"")

    return answer


def redirect(location: str) -> Behaviour:
    return lambda h: h.reply(302, b"", {"Location": location})


def oversized(h: _Handler) -> None:
    # No Content-Length: the client must count while streaming to notice.
    h.reply(200, (h.site.content(h.path) or b"") + b"<!--" + b"x" * 300_000 + b"-->", length=False)


@pytest.fixture
def offsite() -> Iterator[FixtureSite]:
    with FixtureSite(None) as other:
        yield other


@pytest.fixture
def site(tmp_path: Path, offsite: FixtureSite) -> Iterator[FixtureSite]:
    root = tmp_path / "site"
    shutil.copytree(FIXTURES / "site", root)
    with FixtureSite(root, offsite.url) as fixture_site:
        fixture_site.scripted = {
            PATHS["26 901 002"]: [status(429, {"Retry-After": "3"})],
            PATHS["26 901 003"]: [status(500), status(503)],
            PATHS["26 901 004"]: [slow(1.0)],
        }
        fixture_site.always = {
            PATHS["26 901 005"]: redirect(offsite.url + PATHS["26 901 005"]),
            PATHS["26 901 006"]: oversized,
            # A same-site redirect is followed.
            PATHS["26 904 002"]: _same_site_redirect_once(PATHS["26 904 002"]),
        }
        yield fixture_site


def _same_site_redirect_once(path: str) -> Behaviour:
    def answer(h: _Handler) -> None:
        if "?" in h.path:
            h.reply(200, h.site.content(h.path) or b"")
        else:
            h.reply(301, b"", {"Location": path + "?displaypref=0"})

    return answer


class Sleeps:
    """Records each sleep with the request it followed, instead of sleeping."""

    def __init__(self, site: FixtureSite) -> None:
        self.site = site
        self.calls: list[tuple[str, float]] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append((self.site.paths[-1].split("?")[0], seconds))

    def for_path(self, path: str) -> list[float]:
        return [s for p, s in self.calls if p == path]


def settings_for(site: FixtureSite, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "crawl_base_url": site.url,
        "crawl_delay_s": 0,
        "crawl_timeout_s": 0.5,
        "crawl_max_tries": 4,
        "crawl_max_bytes": 100_000,
        "crawl_contact": "crawler-tests@example.org",
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


def run(site: FixtureSite, out: Path, **options: object) -> tuple[CrawlSummary, Sleeps]:
    sleeps = Sleeps(site)
    opts = CrawlOptions(since=options.pop("since", SINCE), out_dir=out, **options)  # type: ignore[arg-type]
    return crawl(opts, settings_for(site), sleep=sleeps), sleeps


def stored(out: Path) -> set[str]:
    return {p.name.removesuffix(".meta.json").replace("-", " ")
            for p in (out / "pages").glob("*.meta.json")}


def decision_requests(site: FixtureSite) -> Counter[str]:
    """Decision-page requests (not listings, not robots.txt), by path."""
    counts: Counter[str] = Counter()
    for path in site.paths:
        bare = path.split("?")[0]
        if bare.count("/") >= 4 and bare.startswith("/decisions/"):
            counts[bare] += 1
    return counts


# --- tests -------------------------------------------------------------------


def test_full_crawl_stores_every_reachable_decision_once(
    site: FixtureSite, offsite: FixtureSite, tmp_path: Path
) -> None:
    out = tmp_path / "crawl"
    summary, _ = run(site, out)

    assert stored(out) == STORABLE
    assert summary.fetched == len(STORABLE)
    ok_counts = Counter(p.split("?")[0] for p, s in site.log if s == 200)
    assert all(ok_counts[PATHS[ref]] == 1 for ref in STORABLE)  # each served in full once
    for path in NEVER_REQUESTED:
        assert all(not p.startswith(path) for p in site.paths), path
    assert offsite.log == []  # neither the redirect nor the off-host listing link was followed
    assert site.agents == {"OmbudsmanQA/0.1 (+crawler-tests@example.org)"}

    failed = {url.rsplit("/", 1)[1]: reason for url, reason in summary.failed}
    assert "too large" in failed["26-901-006"]
    assert "reference" in failed["26-902-004"]  # a "not found" page served with 200
    refused = {urlsplit(url).path.rsplit("/", 1)[1]: reason for url, reason in summary.refused}
    assert "robots.txt" in refused["26-902-002"]
    assert "redirects to " + offsite.url in refused["26-901-005"]
    assert site.url + PATHS["26 901 005"] in dict(summary.refused)  # the page asked for
    assert "refused" in refused["26-903-099"]
    assert summary.found == len(STORABLE) + 5
    assert summary.listing_pages == 15  # 9 areas: 1 to 4 pages each


def test_stored_files_feed_the_html_source(site: FixtureSite, tmp_path: Path) -> None:
    out = tmp_path / "crawl"
    run(site, out, area="adult-care-services")
    meta = json.loads((out / "pages" / "26-904-002.meta.json").read_text("utf-8"))
    assert meta["url"] == site.url + PATHS["26 904 002"] + "?displaypref=0"  # after the redirect
    assert meta["ref"] == "26 904 002"
    assert meta["listing_date"] == "2026-02-19"
    assert meta["status"] == "Statement Closed after initial enquiries Domiciliary care"
    assert meta["fetched_at"].startswith("20")
    raw = (FIXTURES / "site" / (PATHS["26 904 002"].lstrip("/") + ".html")).read_bytes()
    assert (out / "pages" / "26-904-002.html").read_bytes() == raw
    text = (out / "text" / "26-904-002.txt").read_text("utf-8")
    assert text.startswith("Oakhollow Home Care Ltd (26 904 002)")
    doc = read_source(out / "pages" / "26-904-002.html")
    assert doc.url == meta["url"] and doc.text == text


def test_retries_back_off_and_honour_retry_after(site: FixtureSite, tmp_path: Path) -> None:
    site.always[PATHS["26 901 008"]] = status(503)  # never recovers
    summary, sleeps = run(site, tmp_path / "crawl", area="highways-and-transport")

    assert sleeps.for_path(PATHS["26 901 002"]) == [3.0]  # Retry-After, not our own backoff
    first, second = sleeps.for_path(PATHS["26 901 003"])
    assert 2.0 <= first <= 3.0 and 4.0 <= second <= 6.0  # exponential, jitter on top
    assert site.requests_for(PATHS["26 901 003"]) == 3
    assert len(sleeps.for_path(PATHS["26 901 004"])) == 1  # timed out once, then fine
    assert site.requests_for(PATHS["26 901 004"]) == 2
    gave_up = sleeps.for_path(PATHS["26 901 008"])
    assert len(gave_up) == 3 and gave_up == sorted(gave_up)
    assert site.requests_for(PATHS["26 901 008"]) == 4
    assert dict(summary.failed)[site.url + PATHS["26 901 008"]].endswith("gave up after 4 tries")
    assert {"26 901 002", "26 901 003", "26 901 004"} <= stored(tmp_path / "crawl")


def test_pacing_waits_between_requests(site: FixtureSite, tmp_path: Path) -> None:
    sleeps = Sleeps(site)
    options = CrawlOptions(since=SINCE, out_dir=tmp_path / "crawl", area="education")
    crawl(options, settings_for(site, crawl_delay_s=0.2), sleep=sleeps)
    waits = [s for _, s in sleeps.calls]
    assert len(waits) == len(site.log) - 1  # before every request but the first
    assert all(0 < s <= 0.2 for s in waits)


class Interrupted(Exception):
    pass


def test_killed_crawl_resumes_without_refetching(site: FixtureSite, tmp_path: Path) -> None:
    out = tmp_path / "crawl"

    def kill_after_six(done: int, found: int) -> None:
        if done >= 6:  # in the middle of listing page 2
            raise Interrupted

    with pytest.raises(Interrupted):
        crawl(CrawlOptions(since=SINCE, out_dir=out, area="highways-and-transport"),
              settings_for(site), kill_after_six, sleep=lambda s: None)
    first_run = stored(out)
    assert first_run == {"26 901 001", "26 901 002", "26 901 003", "26 901 004"}

    site.log.clear()
    summary, _ = run(site, out, area="highways-and-transport")
    assert not any(PATHS[ref] in site.paths for ref in first_run)
    assert f"{HW}?page=1" not in site.paths  # resumed after the last finished listing page
    assert stored(out) == first_run | {"26 901 007", "26 901 008"}
    assert summary.fetched == 2

    site.log.clear()
    again, _ = run(site, out, area="highways-and-transport")  # the walk finished: from page 1
    assert f"{HW}?page=1" in site.paths and again.fetched == 0


def test_second_run_fetches_only_new_pages(site: FixtureSite, tmp_path: Path) -> None:
    out = tmp_path / "crawl"
    run(site, out, area="education")
    assert stored(out) == {"26 903 001", "26 903 002", "26 901 007"}

    add_three_pages(site.root)
    site.log.clear()
    summary, _ = run(site, out, area="education")
    assert set(decision_requests(site)) == set(NEW_PATHS.values())
    assert summary.fetched == 3 and summary.skipped == 3


def test_refresh_fetches_stored_pages_again(site: FixtureSite, tmp_path: Path) -> None:
    out = tmp_path / "crawl"
    run(site, out, area="adult-care-services", until=date(2026, 3, 1))
    assert stored(out) == {"26 904 002"}  # 26 904 001 is newer than --until
    site.log.clear()
    summary, _ = run(site, out, area="adult-care-services", until=date(2026, 3, 1), refresh=True)
    assert summary.fetched == 1 and PATHS["26 904 002"] in site.paths


def test_organisation_uses_the_search_results(site: FixtureSite, tmp_path: Path) -> None:
    out = tmp_path / "crawl"
    run(site, out, organisation="Northmoor Borough Council")
    assert stored(out) == {"26 902 001", "26 901 001"}
    searches = [p for p in site.paths if p.startswith("/Decisions/SearchResults")]
    assert len(searches) == 2  # page 2 has no entries
    query = parse_qs(urlsplit(searches[0]).query)
    assert query["Organisation"] == ["Northmoor Borough Council"]
    assert query["DateFrom"] == ["01/01/2026"] and query["Page"] == ["1"]
    assert not any(p.startswith("/decisions/") and p.count("/") == 2 for p in site.paths)

    other, _ = run(site, tmp_path / "other", organisation="Northmoor Borough Council",
                   area="housing")
    assert stored(tmp_path / "other") == {"26 902 001"}
    assert other.found == 1


def test_unreadable_robots_txt_stops_the_crawl(site: FixtureSite, tmp_path: Path) -> None:
    site.always["/robots.txt"] = status(500)
    with pytest.raises(CrawlError, match=r"robots\.txt"):
        run(site, tmp_path / "crawl")
    assert set(site.paths) == {"/robots.txt"}


def test_missing_robots_txt_allows_everything(site: FixtureSite, tmp_path: Path) -> None:
    (site.root / "robots.txt").unlink()
    run(site, tmp_path / "crawl", area="housing")
    assert PATHS["26 902 002"] in site.paths


def add_three_pages(root: Path | None) -> None:
    """Publish three newer education decisions on the fixture site."""
    assert root is not None
    additions = FIXTURES / "site-additions"
    shutil.copytree(additions / "decisions", root / "decisions", dirs_exist_ok=True)
    listing = root / "decisions" / "education" / "page-1.html"
    marker = "<!-- newest entries first -->\n"
    entries = (additions / "education-entries.html").read_text("utf-8")
    listing.write_text(listing.read_text("utf-8").replace(marker, marker + entries), "utf-8")


# --- command line --------------------------------------------------------------


@pytest.fixture
def cli_env(site: FixtureSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Point the process settings at the fixture site and a temporary crawl folder and store."""
    from ingest.settings import get_settings

    out = tmp_path / "crawl"
    for name, value in {
        "OQA_CRAWL_BASE_URL": site.url, "OQA_CRAWL_DELAY_S": "0", "OQA_CRAWL_TIMEOUT_S": "2",
        "OQA_CRAWL_MAX_BYTES": "100000",
        "OQA_CRAWL_OUT_DIR": str(out), "OQA_STORE_DIR": str(tmp_path / "store"),
    }.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    yield out
    get_settings.cache_clear()


def cli() -> object:
    import typer

    from ingest.crawl_cli import crawl_command, update_command

    app = typer.Typer()
    app.command("crawl")(crawl_command)
    app.command("update")(update_command)
    return app


def invoke(*args: str) -> object:
    from typer.testing import CliRunner

    return CliRunner().invoke(cli(), list(args))  # type: ignore[arg-type]


def test_crawl_command_reports_and_fails_on_failed_pages(cli_env: Path) -> None:
    result = invoke("crawl", "--since", "2026-01-01", "--area", "housing")
    assert result.exit_code == 1, result.output  # type: ignore[attr-defined]
    output = result.output  # type: ignore[attr-defined]
    assert "FAILED" in output and "26-902-004" in output
    assert "REFUSED" in output and "robots.txt" in output
    assert "4 decisions found, 2 fetched" in output.splitlines()[-1]
    assert stored(cli_env) == {"26 902 001", "26 902 003"}

    clean = invoke("crawl", "--since", "2026-01-01", "--area", "adult-care-services")
    assert clean.exit_code == 0, clean.output  # type: ignore[attr-defined]


def test_crawl_command_rejects_a_bad_date(cli_env: Path) -> None:
    result = invoke("crawl", "--since", "last tuesday")
    assert result.exit_code == 2
    assert "not a date" in result.output  # type: ignore[attr-defined]


def test_update_needs_an_index(cli_env: Path) -> None:
    result = invoke("update")
    assert result.exit_code == 2
    assert "No index found" in result.output  # type: ignore[attr-defined]


def test_crawled_pages_parse_with_their_page_url(site: FixtureSite, tmp_path: Path) -> None:
    """Stored pages go through the same parser as local files; the URL comes from the sidecar."""
    from ingest.parse import parse_decision

    out = tmp_path / "crawl"
    site.scripted.clear()
    run(site, out)
    for html in sorted((out / "pages").glob("*.html")):
        decision = parse_decision(read_source(html, out / "pages"))
        ref = html.stem.replace("-", " ")
        assert decision.ref == ref
        assert decision.url.endswith(PATHS[ref].rsplit("/", 1)[1])
        assert decision.date is not None and decision.date >= SINCE
        assert decision.summary and decision.organisation


def test_crawl_build_then_update_adds_exactly_the_new_pages(
    site: FixtureSite, cli_env: Path
) -> None:
    """The issue's acceptance check with the real parser, model and index (one area, to keep
    the embedding time down; the whole site's crawl is checked above)."""
    from ingest.pipeline import build
    from ingest.settings import get_settings
    from ingest.store import opened_store

    crawled = invoke("crawl", "--since", "2026-01-01", "--area", "education")
    assert crawled.exit_code == 0, crawled.output  # type: ignore[attr-defined]
    site_count = len(stored(cli_env))
    built = build([cli_env / "pages"], get_settings())
    assert not built.failed, built.failed
    with opened_store(get_settings()) as index:
        assert index.counts()["decisions"] == site_count == 3
        assert index.newest_decision_date() == date(2026, 8, 21)

    add_three_pages(site.root)
    site.log.clear()
    updated = invoke("update")
    output = updated.output  # type: ignore[attr-defined]
    assert updated.exit_code == 0, output
    assert set(decision_requests(site)) == set(NEW_PATHS.values())  # every area walked, 3 fetched
    assert "3 decisions added" in output
    with opened_store(get_settings()) as index:
        assert index.counts()["decisions"] == site_count + 3
