"""A polite HTTP client for one site: robots.txt, pacing, retries, redirects, size caps.

One request at a time, a pause between requests, an identifying User-Agent,
exponential backoff with jitter on 429/5xx/timeouts (``Retry-After`` wins when
the server sends it), redirects followed by hand so that nothing outside the
configured origin is ever requested, and bodies streamed so an oversized
response is refused before it fills memory. ``sleep`` and ``clock`` are
injected so tests can record the waits instead of sitting through them.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from types import TracebackType
from urllib.parse import urljoin, urlsplit
from urllib.robotparser import RobotFileParser

import httpx

from ingest.vocabulary.errors import OQAError
from ingest.vocabulary.settings import Settings

logger = logging.getLogger(__name__)

AGENT_TOKEN = "OmbudsmanQA"
AGENT_VERSION = "0.1"
MAX_REDIRECTS = 5
BACKOFF_BASE_S = 2.0
BACKOFF_CAP_S = 120.0
# A server asking for a longer pause than this is not coming back soon: give the page up.
MAX_RETRY_AFTER_S = 600.0
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})

Sleep = Callable[[float], None]


class FetchError(OQAError):
    """A page could not be fetched; ``reason`` says why in a few words."""

    def __init__(self, url: str, reason: str, status: int | None = None) -> None:
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason
        self.status = status


class RefusedError(FetchError):
    """The page was not requested on purpose (robots.txt or another host)."""


class _Retryable(Exception):
    """One attempt failed in a way worth trying again, after ``wait_s`` if the server said."""

    def __init__(self, reason: str, wait_s: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.wait_s = wait_s


@dataclass(frozen=True)
class Page:
    """A fetched page: the URL it was finally served from, its status and body."""

    url: str
    status: int
    body: bytes
    encoding: str

    @property
    def text(self) -> str:
        return self.body.decode(self.encoding, errors="replace")


def user_agent(contact: str) -> str:
    return f"{AGENT_TOKEN}/{AGENT_VERSION} (+{contact})"


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """``Retry-After`` as seconds from now: either delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:  # HTTP dates are GMT by definition
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def backoff_seconds(attempt: int, rand: Callable[[], float] = random.random) -> float:
    """Exponential backoff with jitter; ``attempt`` counts failures from 1.

    The jitter is added on top of the exponential step (never below it) so the
    waits always grow, while two crawlers that failed together still spread out.
    """
    step = min(BACKOFF_CAP_S, BACKOFF_BASE_S * 2.0 ** (attempt - 1))
    return step + step * 0.5 * rand()


class PoliteClient:
    """Fetch pages from ``settings.crawl_base_url`` and nowhere else."""

    def __init__(
        self,
        settings: Settings,
        sleep: Sleep = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        rand: Callable[[], float] = random.random,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.settings = settings
        self.base_url = settings.crawl_base_url.rstrip("/")
        self._origin = _origin(self.base_url)
        self._sleep = sleep
        self._clock = clock
        self._rand = rand
        self._delay_s = settings.crawl_delay_s
        self._last_request: float | None = None
        self._robots: RobotFileParser | None = None
        self.requests = 0
        self._http = httpx.Client(
            timeout=httpx.Timeout(settings.crawl_timeout_s),
            headers={"User-Agent": user_agent(settings.crawl_contact)},
            follow_redirects=False,
            trust_env=False,  # never route through a proxy the environment happens to name
            transport=transport,  # tests pass httpx.MockTransport
        )

    def __enter__(self) -> PoliteClient:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    # --- robots.txt ------------------------------------------------------
    def load_robots(self) -> None:
        """Fetch robots.txt once; a missing file allows everything, 401/403 nothing."""
        robots = RobotFileParser()
        try:
            page = self._get(self.base_url + "/robots.txt", check_robots=False)
            robots.parse(page.text.splitlines())
        except FetchError as error:
            status = error.status
            if status in (401, 403):
                robots.disallow_all = True
            elif status is not None and 400 <= status < 500:
                robots.allow_all = True
            else:
                raise
        robots.modified()  # can_fetch() refuses everything until this is set
        delay = robots.crawl_delay(AGENT_TOKEN)
        if delay is not None and float(delay) > self._delay_s:
            logger.info("robots.txt asks for %ss between requests; using it", delay)
            self._delay_s = float(delay)
        self._robots = robots

    def allowed(self, url: str) -> bool:
        """Whether robots.txt lets us fetch ``url`` (loads robots.txt on first use)."""
        if self._robots is None:
            self.load_robots()
        assert self._robots is not None
        return self._robots.can_fetch(AGENT_TOKEN, url)

    def on_site(self, url: str) -> bool:
        return _origin(url) == self._origin

    # --- fetching --------------------------------------------------------
    def get(self, url: str) -> Page:
        """Fetch one page, retrying and following same-site redirects; raise FetchError."""
        return self._get(urljoin(self.base_url + "/", url), check_robots=True)

    def _get(self, url: str, check_robots: bool) -> Page:
        first = url
        for _hop in range(MAX_REDIRECTS + 1):
            if url != first and not self.on_site(url):
                # Report the page we were asked for, naming where it tried to send us.
                raise RefusedError(first, f"redirects to {url}, another host; refused")
            self._check(url, check_robots)
            response = self._with_retries(url)
            if not isinstance(response, str):
                return response
            url = response  # a redirect target, checked at the top of the loop
        raise FetchError(url, f"more than {MAX_REDIRECTS} redirects")

    def _check(self, url: str, check_robots: bool) -> None:
        if not self.on_site(url):
            raise RefusedError(url, f"not on {self._origin}; refused")
        if check_robots and not self.allowed(url):
            raise RefusedError(url, "disallowed by robots.txt")

    def _with_retries(self, url: str) -> Page | str:
        """The page, or the URL a redirect points to."""
        tries = self.settings.crawl_max_tries
        for attempt in range(1, tries + 1):
            try:
                return self._attempt(url)
            except _Retryable as failure:
                if attempt == tries:
                    reason = f"{failure.reason}; gave up after {tries} tries"
                    raise FetchError(url, reason) from None
                self._wait_before_retry(url, attempt, failure)
        raise AssertionError("unreachable")  # the loop returns or raises

    def _wait_before_retry(self, url: str, attempt: int, failure: _Retryable) -> None:
        wait = failure.wait_s
        if wait is None:
            wait = backoff_seconds(attempt, self._rand)
        elif wait > MAX_RETRY_AFTER_S:
            raise FetchError(url, f"{failure.reason}; server asked to wait {wait:.0f}s")
        logger.info("%s: %s; retrying in %.1fs", url, failure.reason, wait)
        self._sleep(wait)
        self._last_request = self._clock()

    def _attempt(self, url: str) -> Page | str:
        self._pace()
        self.requests += 1
        try:
            with self._http.stream("GET", url) as response:
                return self._handle(url, response)
        except httpx.TimeoutException as error:
            raise _Retryable(f"timed out ({type(error).__name__})") from None
        except httpx.TransportError as error:
            raise _Retryable(f"connection failed ({error})") from None
        finally:
            self._last_request = self._clock()

    def _pace(self) -> None:
        """Keep at least the configured delay between the end of one request and the next."""
        if self._last_request is None or self._delay_s <= 0:
            return
        wait = self._delay_s - (self._clock() - self._last_request)
        if wait > 0:
            self._sleep(wait)

    def _handle(self, url: str, response: httpx.Response) -> Page | str:
        status = response.status_code
        if status in RETRY_STATUSES:
            wait = retry_after_seconds(response.headers.get("Retry-After"))
            raise _Retryable(f"HTTP {status}", wait)
        if 300 <= status < 400 and "location" in response.headers:
            target = urljoin(url, response.headers["location"])
            logger.debug("%s redirects to %s", url, target)
            return target
        if status != 200:
            raise FetchError(url, f"HTTP {status}", status)
        body = self._read_capped(url, response)
        return Page(url=url, status=status, body=body, encoding=response.encoding or "utf-8")

    def _read_capped(self, url: str, response: httpx.Response) -> bytes:
        limit = self.settings.crawl_max_bytes
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise FetchError(url, f"response too large ({int(declared):,} bytes > {limit:,})")
        chunks: list[bytes] = []
        size = 0
        # A slow trickle resets httpx's read timeout on every byte; bound the whole body too.
        deadline = self._clock() + 4 * self.settings.crawl_timeout_s
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > limit:
                raise FetchError(url, f"response too large (over {limit:,} bytes)")
            if self._clock() > deadline:
                raise _Retryable("body took too long to arrive")
            chunks.append(chunk)
        return b"".join(chunks)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"

