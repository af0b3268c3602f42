"""Same-site crawling over a Fetcher: links and sitemaps, deduplicated, fetched concurrently.

Every page fetch is yielded, errors included (robots-blocked, 404, timeouts...), except pages
recognised as duplicates of one already yielded: same canonical URL (after redirects, or
by <link rel=canonical>) or same content hash. Sitemap fetches are not pages and are not
yielded (a missing /sitemap.xml is normal); they are logged.
"""
from __future__ import annotations

import gzip
import heapq
import io
import logging
import xml.etree.ElementTree as ET
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit, urlunsplit

from .extract import HTML_TYPES
from .fetch import FetchResult, Fetcher
from .robots import origin_of

log = logging.getLogger("claimcheck")

SITEMAP_TYPES = frozenset({"*"})  # served as application/xml, text/xml, gzip, text/plain...
MAX_SITEMAP_URLS = 50_000  # the sitemaps.org limit per file, also our total per crawl
MAX_SITEMAP_FILES = 50
MAX_SITEMAP_BYTES = 50_000_000
_DEFAULT_PORTS = {"http": 80, "https": 443}

__all__ = ["canonical_url", "canonical_link", "crawl", "extract_links", "same_site",
           "site_key", "sitemap_pages", "sitemap_urls", "parse_sitemap"]


# -- URLs -----------------------------------------------------------------------------------
def canonical_url(url: str) -> str:
    """The dedup key of a URL: lower-case scheme and host, no default port, no fragment,
    empty path as "/", query kept in order minus utm_* tracking parameters."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        port = None
    netloc = host if port in (None, _DEFAULT_PORTS.get(scheme)) else f"{host}:{port}"
    query = "&".join(p for p in parts.query.split("&")
                     if p and not p.split("=", 1)[0].lower().startswith("utm_"))
    return urlunsplit((scheme, netloc, parts.path or "/", query, ""))


def site_key(url: str) -> str:
    """Which site a URL belongs to: host without a leading "www.", plus a non-default port.
    http and https count as one site; other subdomains count as other sites (no public
    suffix list is used, so blog.clinic.example is not clinic.example)."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    if host.startswith("www."):
        host = host[4:]
    try:
        port = parts.port
    except ValueError:
        port = None
    return host if port in (None, 80, 443) else f"{host}:{port}"


def same_site(a: str, b: str) -> bool:
    return site_key(a) == site_key(b)


# -- HTML -----------------------------------------------------------------------------------
class _LinkParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []
        self.base: str | None = None
        self.canonical: str | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        if tag in ("a", "area") and a.get("href"):
            self.hrefs.append(a["href"].strip())
        elif tag == "base" and a.get("href") and self.base is None:
            self.base = a["href"].strip()
        elif tag == "link" and "canonical" in a.get("rel", "").lower().split() \
                and a.get("href") and self.canonical is None:
            self.canonical = a["href"].strip()


def _parse_html(html: bytes) -> _LinkParser:
    parser = _LinkParser()
    try:
        parser.feed(html.decode("utf-8", errors="replace"))
        parser.close()
    except Exception:  # noqa: BLE001 -- html.parser is lenient; never let a page stop a crawl
        log.debug("link extraction stopped early on malformed HTML")
    return parser


def _http_url(base: str, href: str) -> str | None:
    try:
        url = urldefrag(urljoin(base, href))[0]
    except ValueError:
        return None
    return url if urlsplit(url).scheme in ("http", "https") else None


def extract_links(html: bytes, base_url: str) -> list[str]:
    """Absolute http(s) links of <a>/<area> (honouring <base href>), fragments dropped,
    de-duplicated in document order."""
    parser = _parse_html(html)
    base = urljoin(base_url, parser.base) if parser.base else base_url
    seen: dict[str, None] = {}
    for href in parser.hrefs:
        url = _http_url(base, href)
        if url is not None:
            seen.setdefault(url, None)
    return list(seen)


def canonical_link(html: bytes, base_url: str) -> str | None:
    """The page's <link rel=canonical> as an absolute URL, if any."""
    parser = _parse_html(html)
    return _http_url(base_url, parser.canonical) if parser.canonical else None


# -- sitemaps -------------------------------------------------------------------------------
def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1].lower()


def parse_sitemap(data: bytes) -> tuple[str, list[str]]:
    """("urlset", page URLs) or ("index", child sitemap URLs) or ("text", URLs) or ("", [])."""
    if data[:2] == b"\x1f\x8b":
        try:
            with gzip.GzipFile(fileobj=io.BytesIO(data)) as gz:
                data = gz.read(MAX_SITEMAP_BYTES + 1)[:MAX_SITEMAP_BYTES]
        except (OSError, EOFError):
            return "", []
    head = data.lstrip()[:1]
    if head != b"<":  # sitemaps.org also allows plain text, one URL a line
        urls = [line.strip() for line in data.decode("utf-8", "replace").splitlines()]
        return "text", [u for u in urls if u.startswith(("http://", "https://"))][:MAX_SITEMAP_URLS]
    if b"<!DOCTYPE" in data[:4096].upper() or b"<!ENTITY" in data.upper():
        return "", []  # sitemaps need no DTD; refusing one rules out entity tricks
    try:
        root = ET.fromstring(data)
    except ET.ParseError:
        return "", []
    kind = {"urlset": "urlset", "sitemapindex": "index"}.get(_local(root.tag), "")
    urls = []
    for entry in root:
        for child in entry:
            if _local(child.tag) == "loc" and child.text and child.text.strip():
                urls.append(child.text.strip())
                break
    return kind, urls[:MAX_SITEMAP_URLS] if kind else []


def sitemap_urls(xml: bytes) -> list[str]:
    """The <loc> URLs of a sitemap: page URLs of a urlset, child sitemaps of an index
    (use parse_sitemap to tell which, or sitemap_pages to resolve indexes)."""
    return parse_sitemap(xml)[1]


def sitemap_pages(fetcher: Fetcher, sitemap_url: str, *, max_urls: int = MAX_SITEMAP_URLS) -> list[str]:
    """Page URLs of a sitemap, following sitemap index files (nested at most 3 levels)."""
    pages: dict[str, None] = {}
    queue = deque([(sitemap_url, 0)])
    visited: set[str] = set()
    while queue and len(visited) < MAX_SITEMAP_FILES and len(pages) < max_urls:
        url, level = queue.popleft()
        if url in visited:
            continue
        visited.add(url)
        result = fetcher.fetch(url, accept_types=SITEMAP_TYPES)
        if not result.ok:
            log.info("sitemap %s: %s", url, result.error)
            continue
        kind, urls = parse_sitemap(result.raw)
        if kind == "index":
            queue.extend((u, level + 1) for u in urls if level < 3)
        else:
            for u in urls[: max_urls - len(pages)]:
                pages.setdefault(u, None)
    return list(pages)


def _site_sitemap_pages(fetcher: Fetcher, seed: str, max_urls: int) -> list[str]:
    origin = origin_of(seed)
    announced = [u for u in fetcher.robots.sitemaps(seed) if same_site(u, seed)] \
        if fetcher.respect_robots else []
    pages: dict[str, None] = {}
    for sitemap in announced or [origin + "/sitemap.xml"]:
        for u in sitemap_pages(fetcher, sitemap, max_urls=max_urls):
            pages.setdefault(u, None)
    return list(pages)


# -- the crawl ------------------------------------------------------------------------------
def crawl(seeds: Iterable[str], fetcher: Fetcher, *, depth: int = 1, max_pages: int = 100,
          use_sitemap: bool = True, workers: int = 8) -> Iterator[FetchResult]:
    """Crawl from `seeds`, following links to pages of the seeds' sites up to `depth` hops
    (seeds are depth 0; sitemap pages count as depth 1). Yields at most `max_pages` results.

    No level barrier: `workers` threads always fetch the shallowest queued pages, so one slow
    site (a robots.txt that needs retries, a slow page) does not hold up the others. Every page
    still ends at its shortest link distance: a page found again by a shorter path moves up the
    queue, and a page already fetched at the depth limit has its links followed when a shorter
    path to it turns up (the fetcher's rate limit spaces requests per host)."""
    seeds = list(dict.fromkeys(seeds))
    sites = {site_key(s) for s in seeds}
    best: dict[str, int] = {}  # canonical URL -> shortest known link distance
    heap: list[tuple[int, int, str, str]] = []  # (distance, order, key, url)
    fetched: dict[str, tuple[int, list[str]]] = {}  # key -> (distance at fetch, its links)
    done_urls: set[str] = set()  # canonical final URLs of yielded pages
    done_hashes: set[str] = set()
    order = 0

    def offer(url: str, distance: int, any_site: bool = False) -> None:
        nonlocal order
        key = canonical_url(url)
        if distance > depth or not (any_site or site_key(url) in sites):
            return
        if key in best and best[key] <= distance:
            return
        best[key] = distance
        if key in fetched:  # fetched by a longer path: follow its links from here
            _, links = fetched[key]
            fetched[key] = (distance, links)
            for link in links:
                offer(link, distance + 1)
            return
        order += 1
        heapq.heappush(heap, (distance, order, key, url))

    for seed in seeds:  # seeds are fetched whatever their site
        offer(seed, 0, any_site=True)

    yielded = 0
    pool = ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="claimcheck-crawl")
    pending: dict[Future, tuple[str, str]] = {}  # future -> ("sitemap", "") | ("page", key)
    in_fetch: set[str] = set()
    try:
        if use_sitemap and depth >= 1:
            for seed in {origin_of(s): s for s in seeds}.values():
                pending[pool.submit(_site_sitemap_pages, fetcher, seed, MAX_SITEMAP_URLS)] = ("sitemap", "")
        while True:
            pages_in_flight = sum(1 for kind, _ in pending.values() if kind == "page")
            while heap and yielded + pages_in_flight < max_pages and len(pending) < 2 * workers:
                distance, _, key, url = heapq.heappop(heap)
                if best.get(key) != distance or key in fetched or key in in_fetch:
                    continue  # a stale entry: the page moved up, or is already being fetched
                in_fetch.add(key)
                pending[pool.submit(fetcher.fetch, url)] = ("page", key)
                pages_in_flight += 1
            if not pending:
                return
            finished, _ = wait(list(pending), return_when=FIRST_COMPLETED)
            for fut in finished:
                kind, key = pending.pop(fut)
                if kind == "sitemap":
                    for page in fut.result():
                        offer(page, 1)
                    continue
                in_fetch.discard(key)
                result: FetchResult = fut.result()
                distance = best[key]
                links = (extract_links(result.raw, result.final_url)
                         if result.ok and result.media_type in HTML_TYPES else [])
                fetched[key] = (distance, links)
                if _is_duplicate(result, done_urls, done_hashes):
                    log.info("crawl: %s duplicates a page already seen", result.url)
                    continue
                yielded += 1
                yield result
                if yielded >= max_pages:
                    return
                for link in links:
                    offer(link, distance + 1)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _is_duplicate(result: FetchResult, done_urls: set[str], done_hashes: set[str]) -> bool:
    """Record the result's identity; True when a page with the same identity was yielded.

    A declared rel=canonical only makes a page a duplicate when its canonical page was
    already yielded; it never stops the canonical page itself from being fetched later
    (a page cannot hide another by pointing at it)."""
    if not result.ok:
        return False  # errors are reported once per queued URL, never merged
    final = canonical_url(result.final_url)
    keys = {final}
    if result.media_type in HTML_TYPES:
        declared = canonical_link(result.raw, result.final_url)
        if declared and same_site(declared, result.final_url):
            keys.add(canonical_url(declared))
    duplicate = bool(keys & done_urls) or result.sha256 in done_hashes
    done_urls.add(final)
    done_hashes.add(result.sha256)
    return duplicate
