"""robots.txt as RFC 9309 reads it, against a real HTTP server on 127.0.0.1: which rule wins,
``*`` and ``$`` patterns, our own group over ``*``, Crawl-delay, and a copy read again after 24
hours. A refused page is never requested."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sitekit import Catalogue, FixtureSite, SiteHandler

from ingest.crawl.fetch import ROBOTS_MAX_AGE_S, PoliteClient, RefusedError
from ingest.vocabulary.settings import Settings

PAGES = [
    "/decisions/housing/homelessness/26-902-001",
    "/decisions/housing/council-housing/26-902-002",
    "/decisions/housing",
    "/files/report.pdf",
    "/files/report.pdf.html",
    "/search",
    "/decisions/education/26-903-001",
]


def ok(h: SiteHandler) -> None:
    h.reply(200, b"<p>FICTIONAL page</p>")


@pytest.fixture
def site(tmp_path: Path) -> Iterator[FixtureSite]:
    with FixtureSite(tmp_path, catalogue=Catalogue([])) as fixture_site:
        fixture_site.always = {page: ok for page in PAGES}
        yield fixture_site


class Clock:
    """A monotonic clock the test moves on by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def client(site: FixtureSite, robots: str, sleeps: list[float] | None = None,
           clock: Clock | None = None, delay_s: float = 0) -> PoliteClient:
    assert site.root is not None
    (site.root / "robots.txt").write_text(robots, "utf-8")
    settings = Settings(crawl_base_url=site.url, crawl_delay_s=delay_s, crawl_max_tries=2)
    record = sleeps.append if sleeps is not None else (lambda _s: None)
    return PoliteClient(settings, sleep=record, clock=clock or Clock())


def fetched(polite: PoliteClient, site: FixtureSite, path: str) -> bool:
    """Whether ``path`` could be fetched; a refused page must not have reached the server."""
    try:
        polite.get(path)
    except RefusedError as error:
        assert "robots.txt" in error.reason
        assert path not in site.paths
        return False
    assert path in site.paths
    return True


def test_the_longest_matching_rule_wins_and_allow_wins_a_tie(site: FixtureSite) -> None:
    robots = (
        "User-agent: *\n"
        "Disallow: /decisions/housing/\n"
        "Allow: /decisions/housing/homelessness/\n"
        "Disallow: /search\n"
        "Allow: /search\n"
    )
    with client(site, robots) as polite:
        assert fetched(polite, site, "/decisions/housing/homelessness/26-902-001")
        assert not fetched(polite, site, "/decisions/housing/council-housing/26-902-002")
        assert fetched(polite, site, "/decisions/housing")  # the rule has a trailing slash
        assert fetched(polite, site, "/search")  # equal length: Allow


def test_wildcards_and_end_anchors(site: FixtureSite) -> None:
    robots = "User-agent: *\nDisallow: /*.pdf$\nDisallow: /decisions/*/26-\n"
    with client(site, robots) as polite:
        assert not fetched(polite, site, "/files/report.pdf")
        assert fetched(polite, site, "/files/report.pdf.html")  # $ anchors the end
        assert not fetched(polite, site, "/decisions/education/26-903-001")
        assert fetched(polite, site, "/decisions/housing")


def test_our_own_group_replaces_the_wildcard_group(site: FixtureSite) -> None:
    robots = (
        "User-agent: *\nDisallow: /\n\n"
        "User-agent: ombudsmanqa\nDisallow: /search\n"  # product tokens match in any case
    )
    with client(site, robots) as polite:
        assert fetched(polite, site, "/decisions/housing")
        assert not fetched(polite, site, "/search")


def test_crawl_delay_of_our_group_spaces_requests(site: FixtureSite) -> None:
    sleeps: list[float] = []
    clock = Clock()
    robots = "User-agent: *\nCrawl-delay: 2\n\nUser-agent: OmbudsmanQA\nCrawl-delay: 7\n"
    with client(site, robots, sleeps, clock, delay_s=1) as polite:
        polite.get("/search")
        clock.now += 3  # three seconds after the last request ended
        polite.get("/search")
    assert sleeps[-1] == pytest.approx(4)  # 7 s in all, not our own 1 s nor the others' 2 s


def test_robots_txt_is_read_again_after_a_day(site: FixtureSite) -> None:
    clock = Clock()
    with client(site, "User-agent: *\nDisallow: /search\n", clock=clock) as polite:
        assert not fetched(polite, site, "/search")
        assert site.root is not None
        (site.root / "robots.txt").write_text("User-agent: *\nDisallow:\n", "utf-8")
        clock.now += ROBOTS_MAX_AGE_S - 60
        assert not polite.allowed(site.url + "/search")  # the day-old copy still holds
        clock.now += 120
        assert fetched(polite, site, "/search")
    assert site.requests_for("/robots.txt") == 2


def test_an_unreadable_robots_txt_keeps_the_last_copy(site: FixtureSite) -> None:
    clock = Clock()
    with client(site, "User-agent: *\nDisallow: /search\n", clock=clock) as polite:
        assert polite.allowed(site.url + "/decisions/housing")
        site.always["/robots.txt"] = lambda h: h.reply(503, b"down")
        clock.now += ROBOTS_MAX_AGE_S + 1
        assert not fetched(polite, site, "/search")
        assert fetched(polite, site, "/decisions/housing")
    assert site.requests_for("/robots.txt") == 3  # once, then one failed read (two tries)
