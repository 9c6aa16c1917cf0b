"""The polite client's rules, against httpx.MockTransport (no sockets)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest

from ingest.crawl.fetch import (
    MAX_REDIRECTS,
    FetchError,
    PoliteClient,
    RefusedError,
    backoff_seconds,
    retry_after_seconds,
    user_agent,
)
from ingest.vocabulary.settings import Settings

BASE = "https://decisions.test"


def test_retry_after_accepts_seconds_and_http_dates() -> None:
    now = datetime(2026, 8, 9, 12, 0, tzinfo=UTC)
    assert retry_after_seconds("120", now) == 120.0
    assert retry_after_seconds(format_datetime(now + timedelta(seconds=30), usegmt=True), now) == 30
    assert retry_after_seconds(format_datetime(now - timedelta(hours=1), usegmt=True), now) == 0
    assert retry_after_seconds("soon", now) is None
    assert retry_after_seconds(None, now) is None


def test_backoff_grows_with_jitter_on_top() -> None:
    assert [backoff_seconds(n, lambda: 0.0) for n in (1, 2, 3)] == [2.0, 4.0, 8.0]
    assert backoff_seconds(1, lambda: 0.999) < backoff_seconds(2, lambda: 0.0)
    assert backoff_seconds(30, lambda: 0.0) == 120.0  # capped


Handler = Callable[[httpx.Request], httpx.Response]


def client_for(handler: Handler, sleeps: list[float] | None = None, **kw: object) -> PoliteClient:
    values: dict[str, object] = {"crawl_base_url": BASE, "crawl_delay_s": 0, "crawl_max_tries": 3}
    values.update(kw)
    record = sleeps.append if sleeps is not None else (lambda s: None)
    return PoliteClient(Settings(**values), sleep=record, transport=httpx.MockTransport(handler))  # type: ignore[arg-type]


def site(pages: dict[str, httpx.Response], log: list[str]) -> Handler:
    def handler(request: httpx.Request) -> httpx.Response:
        log.append(request.url.path)
        return pages.get(request.url.path, httpx.Response(404))

    return handler


def test_declared_oversized_body_is_refused() -> None:
    huge = httpx.Response(200, headers={"Content-Length": "999999999"}, content=b"x")
    log: list[str] = []
    client = client_for(site({"/robots.txt": httpx.Response(404), "/big": huge}, log))
    with client, pytest.raises(FetchError, match="too large"):
        client.get("/big")
    assert log.count("/big") == 1  # not retried


def test_missing_robots_allows_and_forbidden_robots_refuses() -> None:
    with client_for(site({}, [])) as client:
        assert client.allowed(BASE + "/decisions/housing")
    with client_for(site({"/robots.txt": httpx.Response(403)}, [])) as client:
        assert not client.allowed(BASE + "/decisions/housing")
        with pytest.raises(RefusedError, match=r"robots\.txt"):
            client.get("/decisions/housing")


def test_robots_crawl_delay_slows_the_client() -> None:
    robots = httpx.Response(200, text="User-agent: *\nCrawl-delay: 7\n")
    page = httpx.Response(200, text="ok")
    sleeps: list[float] = []
    with client_for(site({"/robots.txt": robots, "/a": page}, []), sleeps, crawl_delay_s=1) as c:
        c.get("/a")
        c.get("/a")
    assert sleeps and 6.5 < sleeps[-1] <= 7


def test_a_very_long_retry_after_gives_the_page_up() -> None:
    busy = httpx.Response(503, headers={"Retry-After": "86400"})
    sleeps: list[float] = []
    client = client_for(site({"/robots.txt": httpx.Response(404), "/a": busy}, []), sleeps)
    with client, pytest.raises(FetchError, match="asked to wait 86400s"):
        client.get("/a")
    assert sleeps == []


def test_client_errors_are_not_retried() -> None:
    log: list[str] = []
    client = client_for(site({"/robots.txt": httpx.Response(404)}, log))
    with client, pytest.raises(FetchError) as caught:
        client.get("/gone")
    assert caught.value.status == 404 and log.count("/gone") == 1


def test_redirect_loops_end() -> None:
    loop = httpx.Response(302, headers={"Location": "/loop"})
    client = client_for(site({"/robots.txt": httpx.Response(404), "/loop": loop}, []))
    with client, pytest.raises(FetchError, match=f"more than {MAX_REDIRECTS} redirects"):
        client.get("/loop")


def test_user_agent_names_the_project_and_contact() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers["User-Agent"])
        return httpx.Response(404)

    with client_for(handler, crawl_contact="me@example.org") as client:
        client.allowed(BASE + "/")
    assert seen == [user_agent("me@example.org")] == ["OmbudsmanQA/0.1 (+me@example.org)"]
