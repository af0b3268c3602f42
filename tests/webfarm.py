"""A local farm of invented clinic web sites on 127.0.0.1, for fetch/crawl/batch tests and benchmarks.

API (stable, other test modules rely on it):

    farm = WebFarm().start()        # or: with WebFarm() as farm: ...
    farm.sites                      # list of 20 base URLs "http://127.0.0.1:PORT/"
    farm.pages                      # the 500 generated HTML page URLs (all sites)
    farm.page_info[url]             # PageInfo(site, index, depth, disallowed, in_sitemap, red_flags)
    farm.aliases                    # {alias_url: page_url}: same bytes served under another URL
    farm.expected                   # {special_name: dict(url, status, error_code, ...)}
    farm.expected_crawl(site, depth, use_sitemap=True)  # page URLs a crawl from site i must yield
    farm.hits(url)                  # requests the farm received for that URL's path
    farm.requests(site)             # [(monotonic_time, path, user_agent)] in arrival order
    farm.reset()                    # clear the logs and re-arm the once-only specials
    farm.stop()

Every site: "/" (page 0) and /page-K.html (K=1..24) linked as a ternary tree (page K links to
3K+1..3K+3) plus back links, a cross-site link, a utm_ variant and mailto/tel/fragment links.
Sites i % 4 == 1 (and site 0) have robots.txt with "Disallow: /private/" (pages 22, 23 live
there); site 2's robots.txt answers 500. Sites i % 3 == 0 have /sitemap.xml (site 6: a sitemap
index; site 9: announced in robots.txt at /maps/sitemap.xml), and their page 24 is linked from
nowhere (sitemap only). "/index.html" serves the bytes of "/" and "/print/page-3.html" those of
page 3 (duplicates to be skipped). Site 0 also serves the special pages under /special/ (not
linked from the generated pages; /special/ is a hub linking all of them), see `expected`.
"""
from __future__ import annotations

import random
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

N_SITES = 20
PAGES_PER_SITE = 25
PRIVATE = (22, 23)
ORPHAN = 24
PNG_1PX = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")
PDF_MIN = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
           b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")

_TOWNS = ["Marlow Bay", "Eastbrook", "Fenwick", "Ostara", "Highgate Vale", "Corran", "Linden Cross",
          "Pell Harbour", "Saltmere", "Quarry Hill", "Wrenfield", "Ashcombe", "Tollbridge",
          "Kestrel Point", "Brambury", "Larkspur", "Nettlefield", "Ivydale", "Rookhaven", "Elmsworth"]
_KINDS = ["Regenerative Clinic", "Cell Therapy Centre", "Stem Cell Institute", "Wellness Lab"]
_NEUTRAL = [
    "Our team of nurses and physicians welcomes new patients from Monday to Friday.",
    "Parking is available behind the building, and the entrance is step-free.",
    "Please bring a list of your current medicines and any recent test results to your visit.",
    "We explain every step of the consultation and answer your questions in plain language.",
    "Appointments usually last forty-five minutes, including time for questions.",
    "Our reception can help with travel directions and nearby accommodation.",
    "Patients may bring a family member or friend to the consultation.",
    "We keep your records private and share them only with your consent.",
    "The clinic was founded by a group of local doctors who trained at regional hospitals.",
    "You can cancel or move an appointment up to two days in advance without a fee.",
    "Our newsletter describes clinic news, opening hours and staff changes.",
    "We are happy to send copies of your results to your own doctor.",
]
_CAREFUL = [
    "Stem cell treatments for most conditions are still being studied in clinical trials.",
    "Every procedure has risks, including infection and reactions at the injection site.",
    "Ask your neurologist before changing any part of your treatment plan.",
]
_RED_FLAGS = [
    "Our stem cell therapy cures multiple sclerosis in just one visit.",
    "Ninety-five percent of our patients are symptom-free within a month.",
    "This treatment is completely safe with absolutely no side effects.",
    "Book this week: only three treatment places remain at this price.",
    "Reverse your Parkinson's disease with the power of your own cells.",
]


@dataclass(frozen=True)
class PageInfo:
    site: int
    index: int  # 0 is the home page "/"
    depth: int  # link hops from "/" (ignoring sitemaps)
    disallowed: bool  # under a path robots.txt disallows
    in_sitemap: bool
    red_flags: bool


def _page_path(k: int) -> str:
    if k == 0:
        return "/"
    return f"/private/page-{k}.html" if k in PRIVATE else f"/page-{k}.html"


def _tree_depth(k: int) -> int:
    return 0 if k == 0 else _tree_depth((k - 1) // 3) + 1


class _Site:
    """One site's routes: path -> handler(request_handler)."""

    def __init__(self, farm: "WebFarm", index: int):
        self.farm = farm
        self.index = index
        self.routes: dict[str, object] = {}
        self.server: ThreadingHTTPServer | None = None
        self.base = ""
        self.links: dict[str, list[str]] = {}  # path -> same-site paths it links to


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "WebFarm/1.0"

    def log_message(self, *args):  # quiet
        pass

    def handle(self):
        try:
            super().handle()
        except (BrokenPipeError, ConnectionResetError, TimeoutError):
            pass

    def do_GET(self):  # noqa: N802
        site: _Site = self.server.site  # type: ignore[attr-defined]
        path = urlsplit(self.path).path
        site.farm._record(site.index, path, self.headers.get("User-Agent", ""))
        route = site.routes.get(path)
        if route is None:
            self.send_body(404, "text/html; charset=utf-8", b"<html><body>Not found</body></html>")
        else:
            route(self)

    def send_body(self, status: int, ctype: str, body: bytes, headers: dict | None = None):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)


def _static(status: int, ctype: str, body: bytes, headers: dict | None = None):
    return lambda h: h.send_body(status, ctype, body, headers)


class WebFarm:
    """20 invented clinic sites (500 pages) plus special pages, each site on its own port."""

    def __init__(self, *, seed: int = 7, slow_seconds: float = 2.0, big_bytes: int = 20_000_000):
        self.seed = seed
        self.slow_seconds = slow_seconds
        self.big_bytes = big_bytes
        self.sites: list[str] = []
        self.pages: list[str] = []
        self.page_info: dict[str, PageInfo] = {}
        self.aliases: dict[str, str] = {}
        self.expected: dict[str, dict] = {}
        self._sites: list[_Site] = []
        self._log: dict[int, list[tuple[float, str, str]]] = defaultdict(list)
        self._lock = threading.Lock()
        self._once: set[str] = set()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    # -- lifecycle --------------------------------------------------------------------------
    def start(self) -> "WebFarm":
        self._stop.clear()
        for i in range(N_SITES):
            site = _Site(self, i)
            server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
            server.daemon_threads = True
            server.site = site  # type: ignore[attr-defined]
            site.server = server
            site.base = f"http://127.0.0.1:{server.server_address[1]}/"
            self._sites.append(site)
        self.sites = [s.base for s in self._sites]
        rng = random.Random(self.seed)
        for site in self._sites:
            self._build_site(site, rng)
        self._build_specials(self._sites[0], self._sites[1])
        for site in self._sites:
            t = threading.Thread(target=site.server.serve_forever, kwargs={"poll_interval": 0.05},
                                 name=f"webfarm-{site.index}", daemon=True)
            t.start()
            self._threads.append(t)
        return self

    def stop(self) -> None:
        self._stop.set()  # wakes the slow page
        for site in self._sites:
            site.server.shutdown()
            site.server.server_close()
        for t in self._threads:
            t.join(timeout=5)
        self._threads.clear()

    def __enter__(self) -> "WebFarm":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- observation ------------------------------------------------------------------------
    def _record(self, site: int, path: str, agent: str) -> None:
        with self._lock:
            self._log[site].append((time.monotonic(), path, agent))

    def _site_of(self, url: str) -> int:
        port = urlsplit(url).port
        return next(s.index for s in self._sites if s.server.server_address[1] == port)

    def requests(self, site: int) -> list[tuple[float, str, str]]:
        with self._lock:
            return list(self._log[site])

    def hits(self, url: str) -> int:
        path = urlsplit(url).path or "/"
        return sum(1 for _, p, _ in self.requests(self._site_of(url)) if p == path)

    def reset(self) -> None:
        with self._lock:
            self._log.clear()
            self._once.clear()

    def _first_time(self, key: str) -> bool:
        with self._lock:
            if key in self._once:
                return False
            self._once.add(key)
            return True

    def expected_crawl(self, site: int, depth: int, use_sitemap: bool = True) -> set[str]:
        """Page URLs (no aliases) that crawl([sites[site]], depth=depth) must yield once each;
        pages under /private/ on robots sites are yielded as [CC123] errors."""
        s = self._sites[site]
        best: dict[str, int] = {"/": 0}
        queue = deque(["/"])
        if use_sitemap and depth >= 1:
            for k in range(PAGES_PER_SITE):
                url = s.base.rstrip("/") + _page_path(k)
                if self.page_info[url].in_sitemap and _page_path(k) not in best:
                    best[_page_path(k)] = 1
                    queue.append(_page_path(k))
        while queue:  # BFS; sitemap pages start at depth 1, so append-order is depth order
            path = queue.popleft()
            url = s.base.rstrip("/") + path
            if best[path] >= depth or self.page_info[url].disallowed:
                continue
            for target in s.links.get(path, []):
                if target not in best and s.base.rstrip("/") + target not in self.aliases:
                    best[target] = best[path] + 1
                    queue.append(target)
        return {s.base.rstrip("/") + p for p, d in best.items() if d <= depth}

    # -- content ----------------------------------------------------------------------------
    def _build_site(self, site: _Site, rng: random.Random) -> None:
        i = site.index
        name = f"{_TOWNS[i]} {_KINDS[i % len(_KINDS)]}"
        robots_private = i % 4 == 1 or i == 0
        has_sitemap = i % 3 == 0
        root = site.base.rstrip("/")
        next_site = self._sites[(i + 1) % N_SITES].base
        for k in range(PAGES_PER_SITE):
            children = [c for c in (3 * k + 1, 3 * k + 2, 3 * k + 3)
                        if c < PAGES_PER_SITE and not (has_sitemap and c == ORPHAN)]
            earlier = [e for e in range(k) if e not in PRIVATE]
            back = rng.sample(earlier, min(2, len(earlier)))
            links = [_page_path(c) for c in children] + [_page_path(b) for b in back]
            if k != 0:
                links.append("/")
            red = rng.random() < 0.3
            sentences = [" ".join(rng.sample(_NEUTRAL, 3)) for _ in range(rng.randint(5, 9))]
            if red:
                sentences[1:1] = rng.sample(_RED_FLAGS, rng.randint(1, 2))
            else:
                sentences.append(rng.choice(_CAREFUL))
            extra = ""
            if k == 0:
                extra += '<a href="/index.html">Home (classic)</a>\n'
            if k == 7:
                extra += '<a href="/print/page-3.html">Printable treatments page</a>\n'
            if back:
                extra += f'<a href="{_page_path(back[0])}?utm_source=newsletter&utm_medium=email">News</a>\n'
            body = self._render(name, k, links, sentences, extra, next_site, root)
            site.routes[_page_path(k)] = _static(200, "text/html; charset=utf-8", body)
            site.links[_page_path(k)] = links
            url = root + _page_path(k)
            self.pages.append(url)
            self.page_info[url] = PageInfo(
                site=i, index=k, depth=_tree_depth(k), disallowed=robots_private and k in PRIVATE,
                in_sitemap=has_sitemap, red_flags=red)
        site.routes["/index.html"] = site.routes["/"]
        self.aliases[root + "/index.html"] = root + "/"
        site.routes["/print/page-3.html"] = site.routes[_page_path(3)]
        self.aliases[root + "/print/page-3.html"] = root + _page_path(3)
        site.links["/"] = site.links["/"] + ["/index.html"]
        site.links[_page_path(7)] = site.links[_page_path(7)] + ["/print/page-3.html"]

        robots = ""
        if robots_private:
            robots = "User-agent: *\nDisallow: /private/\n"
            if i == 0:
                robots += "Disallow: /special/blocked\n"
        if has_sitemap:
            locs = [root + _page_path(k) for k in range(PAGES_PER_SITE)]
            if i == 6:
                half = len(locs) // 2
                site.routes["/sitemap-a.xml"] = _static(200, "application/xml", _urlset(locs[:half]))
                site.routes["/sitemap-b.xml"] = _static(200, "text/xml", _urlset(locs[half:]))
                site.routes["/sitemap.xml"] = _static(200, "application/xml", _index(
                    [root + "/sitemap-a.xml", root + "/sitemap-b.xml"]))
            elif i == 9:
                site.routes["/maps/sitemap.xml"] = _static(200, "application/xml", _urlset(locs))
                robots += f"Sitemap: {root}/maps/sitemap.xml\n"
            else:
                site.routes["/sitemap.xml"] = _static(200, "application/xml", _urlset(locs))
        if i == 2:
            site.routes["/robots.txt"] = _static(500, "text/plain", b"robots backend down\n")
        elif robots:
            site.routes["/robots.txt"] = _static(200, "text/plain", robots.encode())

    @staticmethod
    def _render(name, k, links, sentences, extra, next_site, root) -> bytes:
        title = "Welcome" if k == 0 else f"Treatments and care, part {k}"
        nav = "\n".join(f'<li><a href="{href}">Page {href.strip("/") or "home"}</a></li>'
                        for href in links)
        paras = "\n".join(f"<p>{s}</p>" for s in sentences)
        html = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{name} - {title}</title>
<link rel="canonical" href="{root}{_page_path(k)}"></head>
<body><a id="top"></a><header><h1>{name}</h1><p>{title}</p></header>
<nav><ul>
{nav}
</ul></nav>
<main>
<h2>{title}</h2>
{paras}
<h2>Questions</h2>
<p>Contact our patient coordinators for a consultation about your condition and options.</p>
</main>
<footer>{extra}<a href="#top">Back to top</a> <a href="mailto:info@clinic.invalid">Email us</a>
<a href="tel:+10000000000">Call</a> <a href="javascript:void(0)">Print</a>
<a href="{next_site}">Our partner clinic</a>
<p>{name}. Page {k}. Information on this page is invented for software testing.</p></footer>
</body></html>
"""
        return html.encode("utf-8")

    # -- special pages (site 0) -------------------------------------------------------------
    def _build_specials(self, site: _Site, other: _Site) -> None:
        root = site.base.rstrip("/")
        r = site.routes
        target = root + "/special/target"
        ok_html = b"<html><body><p>Redirect target page of the test farm.</p></body></html>"
        r["/special/target"] = _static(200, "text/html", ok_html)
        r["/special/redirect-301"] = _static(301, "text/html", b"", {"Location": "/special/target"})
        r["/special/redirect-302"] = _static(302, "text/html", b"", {"Location": target})
        for n in range(8):
            nxt = f"/special/chain/{n + 1}" if n < 7 else "/special/target"
            r[f"/special/chain/{n}"] = _static(302, "text/html", b"", {"Location": nxt})
        landing = other.base.rstrip("/") + "/special/landing"
        other.routes["/special/landing"] = _static(
            200, "text/html", b"<html><body><p>Landing page on another farm site.</p></body></html>")
        r["/special/to-private"] = _static(302, "text/html", b"", {"Location": landing})
        r["/special/missing"] = _static(404, "text/html", b"<html><body>Gone</body></html>")
        r["/special/image.png"] = _static(200, "image/png", PNG_1PX)
        r["/special/doc.pdf"] = _static(200, "application/pdf", PDF_MIN)
        r["/special/notes.txt"] = _static(200, "text/plain; charset=utf-8",
                                          b"Plain text notes from an invented clinic.\n")
        r["/special/blocked"] = _static(200, "text/html", b"<html><body>robots says no</body></html>")

        def slow(h):
            self._stop.wait(self.slow_seconds)
            h.send_body(200, "text/html", b"<html><body>finally</body></html>")

        def flaky(h):
            if self._first_time("flaky"):
                h.send_body(500, "text/html", b"<html><body>oops</body></html>")
            else:
                h.send_body(200, "text/html", b"<html><body>Recovered after one error.</body></html>")

        def rate_429(h):
            if self._first_time("429"):
                h.send_body(429, "text/plain", b"slow down\n", {"Retry-After": "1"})
            else:
                h.send_body(200, "text/html", b"<html><body>Thanks for waiting.</body></html>")

        def big(h, declared: bool):
            h.send_response(200)
            h.send_header("Content-Type", "text/html")
            if declared:
                h.send_header("Content-Length", str(self.big_bytes))
            else:
                h.send_header("Connection", "close")
                h.close_connection = True
            h.end_headers()
            chunk = b"<p>" + b"x" * 65_530 + b"</p>"
            sent = 0
            while sent < self.big_bytes and not self._stop.is_set():
                piece = chunk[: self.big_bytes - sent]
                h.wfile.write(piece)
                sent += len(piece)

        r["/special/slow"] = slow
        r["/special/flaky-500"] = flaky
        r["/special/always-500"] = _static(500, "text/html", b"<html><body>down</body></html>")
        r["/special/rate-429"] = rate_429
        r["/special/big"] = lambda h: big(h, False)
        r["/special/big-declared"] = lambda h: big(h, True)

        def spec(path, status, code="", **more):
            return dict(url=root + path, status=status, error_code=code, **more)

        self.expected = {
            "redirect-301": spec("/special/redirect-301", 200, final_url=target, redirects=1),
            "redirect-302": spec("/special/redirect-302", 200, final_url=target, redirects=1),
            "redirect-chain": spec("/special/chain/0", 302, "CC126", hops=8,
                                   note="8 hops, over the default limit of 5"),
            "to-private": spec("/special/to-private", 302, "CC121", final_url=landing,
                               note="redirect to another 127.0.0.1 site; 200 with allow_private"),
            "missing": spec("/special/missing", 404, "CC127"),
            "image": spec("/special/image.png", 200, "CC128", content_type="image/png"),
            "pdf": spec("/special/doc.pdf", 200, content_type="application/pdf"),
            "text": spec("/special/notes.txt", 200, content_type="text/plain"),
            "blocked": spec("/special/blocked", None, "CC123", note="Disallowed in robots.txt"),
            "slow": spec("/special/slow", None, "CC124", seconds=self.slow_seconds,
                         note="times out with read_timeout below `seconds`"),
            "flaky-500": spec("/special/flaky-500", 200, hits=2, note="500 once, then 200"),
            "always-500": spec("/special/always-500", 500, "CC127"),
            "rate-429": spec("/special/rate-429", 200, hits=2, retry_after=1,
                             note="429 with Retry-After: 1 once, then 200"),
            "big": spec("/special/big", 200, "CC125", bytes=self.big_bytes,
                        note="no Content-Length: the stream is cut at the cap"),
            "big-declared": spec("/special/big-declared", 200, "CC125", bytes=self.big_bytes,
                                 note="Content-Length over the cap: refused before reading"),
        }
        hub = "".join(f'<li><a href="{e["url"]}">{name}</a></li>\n' for name, e in self.expected.items())
        r["/special/"] = _static(200, "text/html; charset=utf-8",
                                 f"<html><body><h1>Special pages</h1><ul>\n{hub}</ul></body></html>".encode())
        self.expected_hub = root + "/special/"


def _urlset(locs: list[str]) -> bytes:
    body = "".join(f"<url><loc>{u}</loc></url>\n" for u in locs)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{body}</urlset>\n').encode()


def _index(locs: list[str]) -> bytes:
    body = "".join(f"<sitemap><loc>{u}</loc></sitemap>\n" for u in locs)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{body}'
            '</sitemapindex>\n').encode()


try:  # the fixture, for test modules: `from webfarm import webfarm  # noqa: F401`
    import pytest

    @pytest.fixture(scope="session")
    def webfarm():
        farm = WebFarm().start()
        try:
            yield farm
        finally:
            farm.stop()
except ImportError:  # benchmarks may run without pytest
    pass


def _serve() -> None:
    """`python tests/webfarm.py`: serve the farm, print its URLs as one JSON line, and stop
    when standard input closes (benchmarks run it in another process, away from their GIL)."""
    import json
    import sys

    with WebFarm() as farm:
        print(json.dumps({"sites": farm.sites, "pages": farm.pages}), flush=True)
        sys.stdin.read()


if __name__ == "__main__":
    _serve()
