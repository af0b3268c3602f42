"""Polite HTTP fetching: honest User-Agent, robots.txt, per-host rate limit, hard limits.

`Fetcher.fetch(url)` never raises for network or HTTP problems: it returns a `FetchResult`
whose `error` is a one-line reason with a code ([CC120]-[CC129], see netguard.py). Redirects
are followed by hand so every hop passes the private-address guard and robots.txt, and is
recorded. A body over `max_bytes` is an error, never a silently truncated page.
"""
from __future__ import annotations

import email.utils
import hashlib
import logging
import re
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone

import httpx

from .. import __version__
from .netguard import (
    CC_BAD_URL, CC_HTTP, CC_NETWORK, CC_REDIRECTS, CC_ROBOTS, CC_TIMEOUT, CC_TOO_BIG, CC_TYPE,
    AddressGuard, FetchError,
)
from .robots import ROBOTS_MAX_BYTES, RobotsCache, RobotsFetch

log = logging.getLogger("claimcheck")

DEFAULT_USER_AGENT = (
    f"claimcheck/{__version__} (+https://github.com/claimcheck/claimcheck; "
    "stem-cell marketing audit)"
)
PAGE_TYPES = frozenset({"text/html", "application/xhtml+xml", "text/plain", "application/pdf"})
ANY_TYPE = frozenset({"*"})
REDIRECT_CODES = frozenset({301, 302, 303, 307, 308})
RETRY_AFTER_CAP = 30.0  # seconds; a longer Retry-After ends the fetch instead of hanging it
BACKOFF_CAP = 30.0
CRAWL_DELAY_CAP = 30.0
_ACCEPT = "text/html,application/xhtml+xml,text/plain;q=0.9,application/pdf;q=0.8,*/*;q=0.1"

__all__ = ["DEFAULT_USER_AGENT", "FetchError", "FetchResult", "Fetcher", "PAGE_TYPES",
           "RateLimiter", "fetch_url"]


@dataclass(frozen=True)
class FetchResult:
    """One fetched URL. `raw` is the body (b"" on error); `content_type` the full header."""

    url: str
    final_url: str
    status: int | None
    content_type: str
    fetched_at: str  # ISO 8601 UTC, when the last response arrived (or the fetch gave up)
    raw: bytes
    sha256: str
    error: str = ""  # "" when ok; else a one-line reason with a code [CC12x]
    redirects: tuple[str, ...] = ()  # every hop's target URL, in order
    attempts: int = 1  # HTTP requests made for the page itself (retries included)

    @property
    def ok(self) -> bool:
        return not self.error

    @property
    def media_type(self) -> str:
        """The content type without parameters, lower-cased ("text/html")."""
        return media_type(self.content_type)


_CODE = re.compile(r"\[(CC\d{3})\]\s*")


def error_code(reason: str, default: str = "CC120") -> str:
    """The searchable code in a one-line reason ("[CC124] timeout ..." -> "CC124")."""
    m = _CODE.search(reason)
    return m.group(1) if m else default


def without_code(reason: str) -> str:
    """The reason with its [CCnnn] code taken out (for a message that carries the code itself)."""
    return _CODE.sub("", reason).strip()


def media_type(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class RateLimiter:
    """Spaces request starts per key (host:port) at >= 1/rate seconds, across threads.

    A thread books the next free slot under the lock and sleeps outside it, so waiting on
    one host never blocks requests to another. rate <= 0 turns spacing off.
    """

    def __init__(self, rate: float):
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self._next: dict[str, float] = {}
        self._lock = threading.Lock()

    def wait(self, key: str, min_interval: float = 0.0) -> None:
        if self.interval <= 0:
            return
        interval = max(self.interval, min_interval)
        with self._lock:
            now = time.monotonic()
            slot = max(now, self._next.get(key, now))
            self._next[key] = slot + interval
        if slot > now:
            time.sleep(slot - now)


@dataclass(frozen=True)
class _Response:
    status: int
    content_type: str
    raw: bytes = b""
    location: str = ""


class Fetcher:
    """Thread-safe polite fetcher around one httpx.Client; share one per crawl or batch.

    Additive to the contract: `allow_hosts` (netlocs exempt from the private-address guard),
    `transport` (an httpx transport, for tests), `resolver` (for the guard, for tests).
    """

    def __init__(self, *, user_agent: str = DEFAULT_USER_AGENT, rate: float = 1.0,
                 connect_timeout: float = 10, read_timeout: float = 30,
                 max_bytes: int = 10_000_000, max_redirects: int = 5, retries: int = 3,
                 backoff: float = 0.5, allow_private: bool = False, respect_robots: bool = True,
                 allow_hosts: Iterable[str] = (), transport: httpx.BaseTransport | None = None,
                 resolver=None):
        self.user_agent = user_agent
        self.max_bytes = max_bytes
        self.max_redirects = max_redirects
        self.retries = max(0, retries)
        self.backoff = backoff
        self.respect_robots = respect_robots
        self.limiter = RateLimiter(rate)
        self.guard = AddressGuard(allow_private=allow_private, allow_hosts=allow_hosts,
                                  resolver=resolver)
        self.robots = RobotsCache(self._load_robots, user_agent)
        timeout = httpx.Timeout(connect=connect_timeout, read=read_timeout,
                                write=read_timeout, pool=connect_timeout + read_timeout)
        self._client = httpx.Client(
            timeout=timeout, follow_redirects=False, trust_env=False, transport=transport,
            headers={"User-Agent": user_agent, "Accept": _ACCEPT},
            limits=httpx.Limits(max_connections=64, max_keepalive_connections=64))

    # -- public -----------------------------------------------------------------------------
    def fetch(self, url: str, *, accept_types: Iterable[str] | None = None) -> FetchResult:
        """Fetch one page. `accept_types` overrides the accepted media types ({"*"} = any)."""
        accept = frozenset(accept_types) if accept_types is not None else PAGE_TYPES
        return self._fetch(url, accept=accept, max_bytes=self.max_bytes,
                           check_robots=self.respect_robots)

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- the hop loop -----------------------------------------------------------------------
    def _fetch(self, url: str, *, accept: frozenset[str], max_bytes: int,
               check_robots: bool) -> FetchResult:
        redirects: list[str] = []
        current = url
        attempts = 0
        status: int | None = None
        while True:
            try:
                self.guard.check(current)  # before robots, before any connection
                if check_robots and not self.robots.allowed(current):
                    raise FetchError(f"disallowed by robots.txt: {current}", CC_ROBOTS)
                response, tries = self._request(current, accept, max_bytes, check_robots)
                attempts += tries
                status = response.status
                if response.location:
                    if len(redirects) >= self.max_redirects:
                        raise FetchError(f"more than {self.max_redirects} redirects from {url}",
                                         CC_REDIRECTS, status=status)
                    current = _join(current, response.location)
                    redirects.append(current)
                    continue
            except FetchError as exc:
                attempts += getattr(exc, "attempts", 0)
                return FetchResult(url=url, final_url=current,
                                   status=exc.status if exc.status is not None else status,
                                   content_type=exc.content_type, fetched_at=_now(), raw=b"",
                                   sha256="", error=str(exc), redirects=tuple(redirects),
                                   attempts=attempts)
            return FetchResult(url=url, final_url=current, status=response.status,
                               content_type=response.content_type, fetched_at=_now(),
                               raw=response.raw, sha256=hashlib.sha256(response.raw).hexdigest(),
                               redirects=tuple(redirects), attempts=attempts)

    def _request(self, url: str, accept: frozenset[str], max_bytes: int,
                 check_robots: bool) -> tuple[_Response, int]:
        """One hop, with retries on 429/5xx. Returns the response and the requests made."""
        key = httpx.URL(url).netloc.decode("ascii").lower()
        delay = self.robots.crawl_delay(url) if check_robots else None
        min_interval = min(delay, CRAWL_DELAY_CAP) if delay else 0.0
        for attempt in range(1, self.retries + 2):
            self.limiter.wait(key, min_interval)
            try:
                outcome = self._once(url, accept, max_bytes)
            except FetchError as exc:
                exc.attempts = attempt
                raise
            if isinstance(outcome, _Response):
                return outcome, attempt
            status, retry_after = outcome
            wait = self._retry_wait(attempt, retry_after)
            if attempt > self.retries or wait is None:
                why = (f"; Retry-After {retry_after:.0f} s exceeds the {RETRY_AFTER_CAP:.0f} s cap"
                       if wait is None else "")
                exc = FetchError(f"HTTP {status} from {url} after {attempt} attempt(s){why}",
                                 CC_HTTP, status=status)
                exc.attempts = attempt
                raise exc
            log.info("HTTP %s from %s, retry %d in %.2f s", status, url, attempt, wait)
            time.sleep(wait)
        raise AssertionError("unreachable")

    def _retry_wait(self, attempt: int, retry_after: float | None) -> float | None:
        backoff = min(self.backoff * 2 ** (attempt - 1), BACKOFF_CAP)
        if retry_after is None:
            return backoff
        if retry_after > RETRY_AFTER_CAP:
            return None  # honour it by not retrying early: give up
        return max(retry_after, backoff)

    def _once(self, url: str, accept: frozenset[str],
              max_bytes: int) -> _Response | tuple[int, float | None]:
        """One HTTP request. A (status, retry_after) tuple means: retry."""
        try:
            with self._client.stream("GET", url) as resp:
                status = resp.status_code
                ctype = resp.headers.get("content-type", "")
                if status == 429 or 500 <= status <= 599:
                    return status, _retry_after(resp.headers.get("retry-after"))
                if status in REDIRECT_CODES:
                    location = resp.headers.get("location", "").strip()
                    if not location:
                        raise FetchError(f"HTTP {status} without a Location from {url}",
                                         CC_REDIRECTS, status=status)
                    return _Response(status, ctype, location=location)
                if not 200 <= status < 300:
                    raise FetchError(f"HTTP {status} from {url}", CC_HTTP, status=status,
                                     content_type=ctype)
                kind = media_type(ctype)
                if "*" not in accept and kind and kind not in accept:
                    raise FetchError(f"unsupported content type {kind!r} from {url}", CC_TYPE,
                                     status=status, content_type=ctype)
                declared = resp.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > max_bytes:
                    raise _too_big(url, max_bytes, status, ctype)
                body = bytearray()
                for chunk in resp.iter_bytes():
                    body += chunk
                    if len(body) > max_bytes:
                        raise _too_big(url, max_bytes, status, ctype)
                return _Response(status, ctype, bytes(body))
        except httpx.TimeoutException as exc:
            raise FetchError(f"timed out ({type(exc).__name__}) fetching {url}",
                             CC_TIMEOUT) from None
        except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
            raise FetchError(f"not a fetchable URL {url!r}: {exc}", CC_BAD_URL) from None
        except httpx.HTTPError as exc:
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise FetchError(f"network error fetching {url}: {reason}", CC_NETWORK) from None

    def _load_robots(self, robots_url: str) -> RobotsFetch:
        result = self._fetch(robots_url, accept=ANY_TYPE, max_bytes=ROBOTS_MAX_BYTES,
                             check_robots=False)
        return RobotsFetch(status=result.status, body=result.raw, error=result.error)


def _join(base: str, location: str) -> str:
    try:
        return str(httpx.URL(base).join(location))
    except (httpx.InvalidURL, ValueError) as exc:
        raise FetchError(f"bad redirect Location {location!r} from {base}: {exc}",
                         CC_REDIRECTS) from None


def _too_big(url: str, max_bytes: int, status: int, ctype: str) -> FetchError:
    return FetchError(f"over the {max_bytes}-byte cap: {url}", CC_TOO_BIG, status=status,
                      content_type=ctype)


def _retry_after(value: str | None) -> float | None:
    """Retry-After as seconds: delta-seconds or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


def fetch_url(url: str, **fetcher_kwargs) -> FetchResult:
    """Fetch one URL with a throwaway Fetcher (for one-off use; batch code shares one)."""
    with Fetcher(**fetcher_kwargs) as fetcher:
        return fetcher.fetch(url)
