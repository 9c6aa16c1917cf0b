"""The crawler against a real HTTP server on 127.0.0.1 serving the fictional fixture site.

``tests/sitekit.py`` serves ``tests/fixtures/site/`` as the published site is laid
out: month windows of ``/Decisions/SearchResults`` answered from the site's
catalogue, decision pages with ``<article id="article">`` and label/value
headers. The server adds the misbehaviour (429, 500s, a slow answer, an
off-host redirect, an oversized body) per path, and logs every request so the
tests can assert what was, and was not, asked for. A second server stands in
for "another host": its log must stay empty. Sleeps are recorded, not slept, so
backoff costs no time.
"""

from __future__ import annotations

import json
import shutil
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sitekit import FixtureSite, SiteHandler, load_catalogue

from ingest.crawl.crawler import CrawlError, CrawlOptions, CrawlSummary, crawl
from ingest.parse.sources import read_source
from ingest.vocabulary.records import Outcome
from ingest.vocabulary.settings import Settings

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SINCE = date(2026, 1, 1)
UNTIL = date(2026, 8, 31)  # the fixture site's newest decision is from August 2026
SEARCH = "/Decisions/SearchResults"
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
    "26 905 001": "/decisions/adult-care-services/charging/26-905-001",  # a report
    "17 905 002": "/decisions/planning-and-development/planning-applications/17-905-002",
}
NEW_PATHS = {
    "26 903 003": "/decisions/education/alternative-provision/26-903-003",
    "26 903 004": "/decisions/education/exclusions/26-903-004",
    "26 903 005": "/decisions/education/school-transport/26-903-005",
}
# Everything a full crawl of SINCE..UNTIL can and should store.
STORABLE = {
    "26 901 001", "26 901 002", "26 901 003", "26 901 004", "26 901 007", "26 901 008",
    "26 902 001", "26 902 003", "26 903 001", "26 903 002", "26 904 001", "26 904 002",
    "26 905 001",
}
NEVER_REQUESTED = [
    PATHS["26 902 002"],  # disallowed by robots.txt
    f"{HW}/parking-and-other-penalties/25-901-009",  # older than --since
    f"{HW}/public-transport/25-901-010",
]
Behaviour = Callable[[SiteHandler], None]


def status(code: int, headers: dict[str, str] | None = None) -> Behaviour:
    return lambda h: h.reply(code, b"try again later", headers)


def slow(seconds: float) -> Behaviour:
    def answer(h: SiteHandler) -> None:
        time.sleep(seconds)
        h.reply(200, h.site.content(h.path) or b"")

    return answer


def redirect(location: str) -> Behaviour:
    return lambda h: h.reply(302, b"", {"Location": location})


def oversized(h: SiteHandler) -> None:
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
    def answer(h: SiteHandler) -> None:
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
    options = {"since": SINCE, "until": UNTIL, **options}
    opts = CrawlOptions(out_dir=out, **options)  # type: ignore[arg-type]
    return crawl(opts, settings_for(site), sleep=sleeps), sleeps


def stored(out: Path) -> set[str]:
    return {p.name.removesuffix(".meta.json").replace("-", " ")
            for p in (out / "pages").glob("*.meta.json")}


def decision_requests(site: FixtureSite) -> Counter[str]:
    """Decision-page requests (not results pages, not robots.txt), by path."""
    counts: Counter[str] = Counter()
    for path in site.paths:
        bare = path.split("?")[0]
        if bare.count("/") >= 4 and bare.startswith("/decisions/"):
            counts[bare] += 1
    return counts


def month_of(search: str) -> str:
    """``fd``'s month of a logged results request."""
    return search.split("fd=", 1)[1][:7]


class Interrupted(Exception):
    pass


def stop_after(decisions: int) -> Callable[[int, int], None]:
    def progress(done: int, found: int) -> None:
        if done >= decisions:
            raise Interrupted

    return progress


# --- tests -------------------------------------------------------------------


def test_request_urls_follow_the_published_form(site: FixtureSite, tmp_path: Path) -> None:
    run(site, tmp_path / "month", since=date(2026, 8, 1), until=date(2026, 8, 31))
    assert site.searches() == [
        f"{SEARCH}?fd=2026-08-01&td=2026-08-31&page=1&sortOrder=descending"
    ]

    site.log.clear()
    run(site, tmp_path / "org", since=date(2026, 7, 15), until=date(2026, 8, 31),
        organisation="Northmoor Borough Council", outcomes=(Outcome.UPHELD, Outcome.CLOSED))
    form = "aname=Northmoor+Borough+Council&dc=c+u+&sortOrder=descending"
    assert site.searches() == [  # month by month, newest first, clipped to the window
        f"{SEARCH}?fd=2026-08-01&td=2026-08-31&page=1&{form}",
        f"{SEARCH}?fd=2026-07-15&td=2026-07-31&page=1&{form}",
    ]
    assert stored(tmp_path / "org") == {"26 902 001", "26 901 001"}

    site.log.clear()
    run(site, tmp_path / "outcome", since=date(2026, 6, 1), until=date(2026, 6, 30),
        outcomes=(Outcome.NOT_UPHELD,))
    assert site.searches() == [
        f"{SEARCH}?fd=2026-06-01&td=2026-06-30&page=1&dc=nu+&sortOrder=descending"
    ]
    assert set(decision_requests(site)) == {PATHS["26 901 006"]}  # June's only "not upheld"


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
    # One results page a month (none has more than ten decisions), newest month first.
    assert [month_of(s) for s in site.searches()] == [f"2026-{m:02d}" for m in range(8, 0, -1)]
    assert summary.months == summary.listing_pages == 8
    assert summary.shortfalls == []


def test_a_month_is_paged_until_its_announced_count(site: FixtureSite, tmp_path: Path) -> None:
    site.page_size = 3  # August's 7 decisions take three pages
    summary, _ = run(site, tmp_path / "crawl", since=date(2026, 8, 1))
    pages = [s.split("page=")[1].split("&")[0] for s in site.searches()]
    assert pages == ["1", "2", "3"]  # no fourth request: 3 pages listed all 7
    assert summary.found == 7 and summary.shortfalls == []


def test_a_month_listing_fewer_than_announced_is_reported(
    site: FixtureSite, tmp_path: Path
) -> None:
    site.page_size = 3
    site.max_pages = 2  # a pagination ceiling: page 3 comes back empty
    summary, _ = run(site, tmp_path / "crawl", since=date(2026, 7, 1))
    assert [(s.month, s.announced, s.listed) for s in summary.shortfalls] == [("2026-08", 7, 6)]
    assert "2026-08: the site announced 7, the pages listed 6" in summary.shortfalls[0].line()
    assert "1 months short" in summary.line()


def test_stored_files_feed_the_html_source(site: FixtureSite, tmp_path: Path) -> None:
    out = tmp_path / "crawl"
    run(site, out, area="adult-care-services")
    meta = json.loads((out / "pages" / "26-904-002.meta.json").read_text("utf-8"))
    assert meta["url"] == site.url + PATHS["26 904 002"] + "?displaypref=0"  # after the redirect
    assert meta["ref"] == "26 904 002"
    assert meta["listing_date"] == "2026-02-19"
    assert meta["status"] == "Statement Closed after initial enquiries Domiciliary care"
    assert meta["organisation"] == "Oakhollow Home Care Ltd"
    assert meta["fetched_at"].startswith("20")
    raw = (FIXTURES / "site" / (PATHS["26 904 002"].lstrip("/") + ".html")).read_bytes()
    assert (out / "pages" / "26-904-002.html").read_bytes() == raw
    text = (out / "text" / "26-904-002.txt").read_text("utf-8")
    # The page's label/value header, read as a text copy writes it; no cookie banner.
    assert text.startswith("Category : Adult care services > Domiciliary care\n"
                           "Decision : Closed after initial enquiries\n"
                           "Decision date : 19 Feb 2026\n")
    doc = read_source(out / "pages" / "26-904-002.html")
    assert doc.url == meta["url"] and doc.text == text
    # The page leaves the organisation to the results list: the sidecar carries it.
    assert doc.hints.organisation == "Oakhollow Home Care Ltd"
    assert doc.hints.document_type == "statement"


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
    options = CrawlOptions(since=SINCE, until=UNTIL, out_dir=tmp_path / "crawl",
                           area="education")
    crawl(options, settings_for(site, crawl_delay_s=0.2), sleep=sleeps)
    waits = [s for _, s in sleeps.calls]
    assert len(waits) == len(site.log) - 1  # before every request but the first
    assert all(0 < s <= 0.2 for s in waits)


def test_killed_crawl_resumes_in_its_month_without_refetching(
    site: FixtureSite, tmp_path: Path
) -> None:
    out = tmp_path / "crawl"
    site.page_size = 3
    options = CrawlOptions(since=date(2026, 7, 1), until=UNTIL, out_dir=out)
    with pytest.raises(Interrupted):  # August: 7 decisions on 3 pages; July: 5 on 2
        # The 11th decision is July's first on its page 2: page 1 is checkpointed by then.
        crawl(options, settings_for(site), stop_after(11), sleep=lambda s: None)
    first_run = stored(out)
    august = {"26 903 001", "26 902 001", "26 901 001", "26 903 002", "26 901 002"}
    july = {"26 902 003", "26 901 003", "26 901 004", "26 904 001"}  # 26 901 005 is refused
    assert first_run == august | july
    assert month_of(site.searches()[-1]) == "2026-07"

    site.log.clear()
    summary, _ = run(site, out, since=date(2026, 7, 1))
    # August was finished and is skipped; July resumes after its last finished page.
    assert site.searches() == [f"{SEARCH}?fd=2026-07-01&td=2026-07-31&page=2&sortOrder=descending"]
    assert set(decision_requests(site)) == {PATHS["26 901 005"]}  # never reached before
    assert summary.months_resumed == 1 and summary.skipped == 1 and summary.fetched == 0
    assert stored(out) == first_run

    site.log.clear()
    again, _ = run(site, out, since=date(2026, 7, 1))  # it finished: every month again
    assert month_of(site.searches()[0]) == "2026-08" and again.fetched == 0


def test_second_run_fetches_only_new_pages(site: FixtureSite, tmp_path: Path) -> None:
    out = tmp_path / "crawl"
    run(site, out, area="education", until=date(2026, 9, 30))
    assert stored(out) == {"26 903 001", "26 903 002"}

    add_three_pages(site)
    site.log.clear()
    summary, _ = run(site, out, area="education", until=date(2026, 9, 30))
    assert set(decision_requests(site)) == set(NEW_PATHS.values())
    assert summary.fetched == 3 and summary.skipped == 2


def test_refresh_fetches_stored_pages_again(site: FixtureSite, tmp_path: Path) -> None:
    out = tmp_path / "crawl"
    run(site, out, area="adult-care-services", until=date(2026, 3, 1))
    assert stored(out) == {"26 904 002"}  # 26 904 001 and the report are newer than --until
    site.log.clear()
    summary, _ = run(site, out, area="adult-care-services", until=date(2026, 3, 1), refresh=True)
    assert summary.fetched == 1 and PATHS["26 904 002"] in site.paths


def test_organisation_and_area_narrow_the_crawl(site: FixtureSite, tmp_path: Path) -> None:
    out = tmp_path / "crawl"
    run(site, out, organisation="Northmoor Borough Council")
    assert stored(out) == {"26 902 001", "26 901 001"}
    assert len(site.searches()) == 8 and all(
        "aname=Northmoor+Borough+Council" in s for s in site.searches()
    )

    other, _ = run(site, tmp_path / "other", organisation="Northmoor Borough Council",
                   area="housing")
    assert stored(tmp_path / "other") == {"26 902 001"}
    assert other.found == 1


def test_report_and_old_layout_parse_with_every_field(site: FixtureSite, tmp_path: Path) -> None:
    """The published page's header is label/value pairs and it has no organisation line: the
    parse takes the organisation and document type from the results list, via the sidecar."""
    from ingest.parse.decision import parse_decision

    out = tmp_path / "crawl"
    run(site, out, since=date(2026, 3, 1), until=date(2026, 3, 31))
    run(site, out, since=date(2017, 7, 1), until=date(2017, 7, 31))
    report = parse_decision(
        read_source(out / "pages" / "26-905-001.html", out / "pages"), site.url
    )
    assert (report.ref, report.organisation) == ("26 905 001", "Wexcombe Borough Council")
    assert (report.category, report.sub_category) == ("Adult care services", "Charging")
    assert (report.outcome, report.outcome_raw) == (Outcome.UPHELD, "Upheld")
    assert report.date == date(2026, 3, 18) and report.document_type == "report"
    assert report.url == "https://" + site.url.split("://")[1] + PATHS["26 905 001"]
    assert report.summary.startswith("Mrs D complained the Council charged her mother")
    headings = [s.heading for s in report.sections]
    assert headings[2:] == ["The complaint", "Legal and administrative background",
                            "How I considered this complaint", "What I found", "Conclusions",
                            "Recommendations", "Decision"]
    assert [p.number for p in report.paragraphs][2:] == list(range(1, 11))
    assert report.closing == "Local Government and Social Care Ombudsman"
    assert report.compliance is None

    old = parse_decision(read_source(out / "pages" / "17-905-002.html", out / "pages"))
    assert (old.ref, old.organisation) == ("17 905 002", "Harrowdene Metropolitan Borough Council")
    assert (old.category, old.sub_category) == ("Planning and development",
                                                "Planning applications")
    assert old.outcome is Outcome.UPHELD
    assert old.outcome_raw == "Upheld: maladministration and injustice"
    assert old.date == date(2017, 7, 11) and old.document_type == "statement"
    assert old.summary.startswith("Mr J complained the council did not consider")
    assert [s.heading for s in old.sections] == ["The complaint", "Finding", "Recommendations"]
    assert old.sections[1].paragraphs[0].text == (
        "The Ombudsman upheld the complaint and found fault causing injustice.")
    assert "pay Mr J £750" in old.sections[2].paragraphs[0].text
    assert old.compliance is not None and old.compliance.date == date(2017, 9, 11)
    assert old.compliance.text == "Ombudsman satisfied with council's response: 11 September 2017"
    assert old.compliance.text in old.text  # on the record, not in a paragraph
    assert all("satisfied" not in p.text for p in old.paragraphs)


def test_unreadable_robots_txt_stops_the_crawl(site: FixtureSite, tmp_path: Path) -> None:
    site.always["/robots.txt"] = status(500)
    with pytest.raises(CrawlError, match=r"robots\.txt"):
        run(site, tmp_path / "crawl")
    assert set(site.paths) == {"/robots.txt"}


def test_missing_robots_txt_allows_everything(site: FixtureSite, tmp_path: Path) -> None:
    assert site.root is not None
    (site.root / "robots.txt").unlink()
    run(site, tmp_path / "crawl", area="housing")
    assert PATHS["26 902 002"] in site.paths


def add_three_pages(site: FixtureSite) -> None:
    """Publish three newer (September 2026) education decisions on the fixture site."""
    assert site.root is not None
    additions = FIXTURES / "site-additions"
    shutil.copytree(additions / "decisions", site.root / "decisions", dirs_exist_ok=True)
    site.catalogue.add(load_catalogue(additions / "catalogue.json"))


# --- command line --------------------------------------------------------------


@pytest.fixture
def cli_env(site: FixtureSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Point the process settings at the fixture site and a temporary crawl folder and store."""
    from ingest.vocabulary.settings import get_settings

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

    from ingest.crawl.commands import crawl_command, update_command

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


def test_crawl_command_maps_outcomes_and_reports_shortfalls(
    site: FixtureSite, cli_env: Path
) -> None:
    site.page_size, site.max_pages = 3, 1
    result = invoke("crawl", "--since", "2026-08-01", "--until", "2026-08-31",
                    "--outcome", "upheld", "--outcome", "closed-after-initial-enquiries")
    output = result.output  # type: ignore[attr-defined]
    assert site.searches() == [
        f"{SEARCH}?fd=2026-08-01&td=2026-08-31&page=1&dc=c+u+&sortOrder=descending",
        f"{SEARCH}?fd=2026-08-01&td=2026-08-31&page=2&dc=c+u+&sortOrder=descending",
    ]
    assert "SHORT 2026-08: the site announced 6, the pages listed 3" in output

    wrong = invoke("crawl", "--since", "2026-08-01", "--outcome", "maybe")
    assert wrong.exit_code == 2
    assert "'maybe' is not an outcome" in wrong.output  # type: ignore[attr-defined]


def test_crawl_command_rejects_a_bad_date(cli_env: Path) -> None:
    result = invoke("crawl", "--since", "last tuesday")
    assert result.exit_code == 2
    assert "not a date" in result.output  # type: ignore[attr-defined]
    backwards = invoke("crawl", "--since", "2026-08-01", "--until", "2026-07-01")
    assert backwards.exit_code == 2
    assert "is before --since" in backwards.output  # type: ignore[attr-defined]


def test_update_needs_an_index(cli_env: Path) -> None:
    result = invoke("update")
    assert result.exit_code == 2
    assert "No index found" in result.output  # type: ignore[attr-defined]


def test_crawled_pages_parse_with_their_page_url(site: FixtureSite, tmp_path: Path) -> None:
    """Stored pages go through the same parser as local files; the URL comes from the sidecar."""
    from ingest.parse.decision import parse_decision

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
    site: FixtureSite, cli_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The issue's acceptance check with the real parser, model and index (one area, to keep
    the embedding time down; the whole site's crawl is checked above)."""
    from ingest.indexing.pipeline import build
    from ingest.storage import opened_store
    from ingest.vocabulary.settings import get_settings

    crawled = invoke("crawl", "--since", "2026-01-01", "--area", "education")
    assert crawled.exit_code == 0, crawled.output  # type: ignore[attr-defined]
    site_count = len(stored(cli_env))
    built = build([cli_env / "pages"], get_settings())
    assert not built.failed, built.failed
    with opened_store(get_settings()) as index:
        assert index.counts()["decisions"] == site_count == 2
        assert index.records.newest_decision_date() == date(2026, 8, 21)

    add_three_pages(site)
    site.log.clear()
    # The first crawl took one area only: looking back a month, `update` would rightly fetch the
    # other areas' July and August decisions too. From the newest date, only the three are new.
    monkeypatch.setenv("OQA_UPDATE_LOOKBACK_DAYS", "0")
    get_settings.cache_clear()
    updated = invoke("update")
    output = updated.output  # type: ignore[attr-defined]
    assert updated.exit_code == 0, output
    assert set(decision_requests(site)) == set(NEW_PATHS.values())  # every area walked, 3 fetched
    assert "3 decisions added" in output
    with opened_store(get_settings()) as index:
        assert index.counts()["decisions"] == site_count + 3
