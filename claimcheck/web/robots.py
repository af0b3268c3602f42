"""robots.txt, fetched once per origin and cached, read with urllib.robotparser.

Policy on a robots.txt that cannot be read (documented in the README of the web part):
- 2xx: parsed; its rules apply to our User-Agent (the product token "claimcheck").
- 4xx (any, including 401/403): there is no robots.txt, everything is allowed (RFC 9309 2.3.1.3).
- 5xx after retries, timeouts, connection errors, over-cap bodies: everything is allowed too,
  and a warning is logged. RFC 9309 suggests assuming "disallow all" here; we do not, because
  the page fetch that follows goes through the same rate limiter and will report the real
  failure (the site is down) instead of a misleading "blocked by robots.txt". The failure is
  cached like a success, so a broken robots.txt is requested once per origin per day, not
  once per page.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

log = logging.getLogger("claimcheck")

ROBOTS_MAX_BYTES = 512_000  # RFC 9309: parse at least 500 KiB
ROBOTS_TTL = 24 * 3600.0  # RFC 9309: do not use a cached copy for more than 24 hours


@dataclass(frozen=True)
class RobotsFetch:
    """What the loader got for /robots.txt: an HTTP status (None when none) and the body."""

    status: int | None
    body: bytes
    error: str = ""


Loader = Callable[[str], RobotsFetch]


def origin_of(url: str) -> str:
    """scheme://host[:port], lower-cased: robots.txt applies per origin."""
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"


class RobotsCache:
    """Thread-safe per-origin cache; each origin's robots.txt is loaded at most once per TTL."""

    def __init__(self, loader: Loader, user_agent: str):
        self._loader = loader
        self._agent = user_agent
        self._entries: dict[str, tuple[float, RobotFileParser | None]] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def allowed(self, url: str) -> bool:
        """May our User-Agent fetch `url`?"""
        parser = self._parser(origin_of(url))
        return True if parser is None else parser.can_fetch(self._agent, url)

    def crawl_delay(self, url: str) -> float | None:
        """The Crawl-delay robots.txt asks of us, in seconds, if any."""
        parser = self._parser(origin_of(url))
        if parser is None:
            return None
        delay = parser.crawl_delay(self._agent)
        return float(delay) if delay is not None else None

    def sitemaps(self, url: str) -> list[str]:
        """Sitemap URLs announced in the origin's robots.txt."""
        parser = self._parser(origin_of(url))
        return list((parser.site_maps() if parser is not None else None) or [])

    def _parser(self, origin: str) -> RobotFileParser | None:
        with self._guard:
            lock = self._locks.setdefault(origin, threading.Lock())
        with lock:  # one load per origin even when many threads ask at once
            entry = self._entries.get(origin)
            if entry is not None and time.monotonic() - entry[0] < ROBOTS_TTL:
                return entry[1]
            parser = self._load(origin)
            self._entries[origin] = (time.monotonic(), parser)
            return parser

    def _load(self, origin: str) -> RobotFileParser | None:
        url = origin + "/robots.txt"
        got = self._loader(url)
        if got.status is not None and 200 <= got.status < 300 and not got.error:
            parser = RobotFileParser(url)
            parser.parse(got.body.decode("utf-8", errors="replace").splitlines())
            return parser
        if got.status is not None and 400 <= got.status < 500:
            log.debug("no robots.txt at %s (HTTP %s): all allowed", url, got.status)
        else:
            log.warning("robots.txt at %s unreadable (%s): treating as allow-all", url,
                        got.error or f"HTTP {got.status}")
        return None
