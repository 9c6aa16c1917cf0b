"""A polite HTTP client for one site: robots.txt, pacing, retries, redirects, size caps.

One request at a time, a pause between requests, an identifying User-Agent,
robots.txt read as RFC 9309 says (by ``protego``: the longest matching rule
wins, ``*`` and ``$`` patterns, Allow over Disallow on a tie, re-read after 24
hours), exponential backoff with jitter on 429/5xx/timeouts (``Retry-After``
wins when the server sends it), redirects followed by hand so that nothing
outside the configured origin is ever requested, and bodies streamed so an
oversized response is refused before it fills memory. ``sleep`` and ``clock``
are injected so tests can record the waits instead of sitting through them.

The retry loop is our own rather than ``tenacity``'s: the wait comes from the
server's ``Retry-After`` when it sends one, a wait asked for beyond
``MAX_RETRY_AFTER_S`` gives the page up at once, and the pause before the next
request counts from the end of the wait. In tenacity each of these would be a
custom callback (wait, stop and after-sleep hooks), so the loop would be no
shorter and its policy harder to read in one place.
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

import httpx
from protego import Protego

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
# RFC 9309 2.4: a robots.txt is not used for more than 24 hours without being read again.
ROBOTS_MAX_AGE_S = 24 * 3600.0
NO_RULES = Protego.parse("")
KEEP_OUT = Protego.parse("User-agent: *\nDisallow: /\n")

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
        self._robots: Protego | None = None
        self._robots_read_at = 0.0
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
        """Read robots.txt. A 4xx means no rules (RFC 9309 2.3.1.3), except 401/403, read as
        "keep out" (the RFC allows crawling then; a site that hides its rules gets none of our
        requests); a 5xx or no connection raises FetchError, so no crawl starts (2.3.1.4)."""
        try:
            page = self._get(self.base_url + "/robots.txt", check_robots=False)
            robots = Protego.parse(page.text)
        except FetchError as error:
            if error.status in (401, 403):
                robots = KEEP_OUT
            elif error.status is not None and 400 <= error.status < 500:
                robots = NO_RULES
            else:
                raise
        self._robots = robots
        self._robots_read_at = self._clock()
        self._delay_s = max(self.settings.crawl_delay_s, robots.crawl_delay(AGENT_TOKEN) or 0.0)
        if self._delay_s > self.settings.crawl_delay_s:
            logger.info("robots.txt asks for %ss between requests; using it", self._delay_s)

    def allowed(self, url: str) -> bool:
        """Whether robots.txt lets us fetch ``url`` (read on first use, again after 24 h)."""
        if self._robots is None:
            self.load_robots()
        elif self._clock() - self._robots_read_at > ROBOTS_MAX_AGE_S:
            self._reload_robots()
        assert self._robots is not None
        return self._robots.can_fetch(url, AGENT_TOKEN)

    def _reload_robots(self) -> None:
        """Read robots.txt again; while it cannot be read, the copy we have stays in force
        (RFC 9309 2.4) and the next try is 24 hours later."""
        try:
            self.load_robots()
        except FetchError as error:
            logger.warning("robots.txt could not be read again (%s); keeping the last copy", error)
            self._robots_read_at = self._clock()

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

