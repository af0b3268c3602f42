"""crawl() over the local web farm, and the URL, link and sitemap helpers it uses."""
from __future__ import annotations

import gzip
from collections import Counter

import pytest
from webfarm import webfarm  # noqa: F401  (session fixture)

from claimcheck.web.crawl import (
    canonical_link, canonical_url, crawl, extract_links, parse_sitemap, same_site, site_key,
    sitemap_pages, sitemap_urls,
)
from claimcheck.web.fetch import Fetcher


def local(**kw) -> Fetcher:
    kw.setdefault("rate", 0)
    kw.setdefault("backoff", 0.01)
    return Fetcher(allow_private=True, **kw)


def code(result) -> str:
    return result.error[1:6] if result.error.startswith("[CC") else ""


def urls_of(farm, results) -> list[str]:
    """Yielded URLs, aliases mapped to the page they duplicate."""
    return [farm.aliases.get(r.url, r.url) for r in results]


# -- the whole farm -------------------------------------------------------------------------
def test_crawl_finds_every_reachable_page_exactly_once(webfarm):  # noqa: F811
    webfarm.reset()
    with local() as f:
        results = list(crawl(webfarm.sites, f, depth=10, max_pages=10_000, workers=8))
    found = Counter(urls_of(webfarm, results))
    assert max(found.values()) == 1  # nothing twice, aliases included
    expected = set().union(*(webfarm.expected_crawl(i, 10) for i in range(len(webfarm.sites))))
    assert set(found) == expected == set(webfarm.pages)  # all 500, none of /special/
    for r in results:
        info = webfarm.page_info[webfarm.aliases.get(r.url, r.url)]
        if info.disallowed:
            assert code(r) == "CC123"  # yielded as an error, never requested
            assert webfarm.hits(r.url) == 0
        else:
            assert r.ok, r.error
    # every generated page requested at most once although utm_/fragment variants are linked
    for site in range(len(webfarm.sites)):
        paths = Counter(p for _, p, _ in webfarm.requests(site) if p.endswith(".html") or p == "/")
        assert max(paths.values()) == 1


@pytest.mark.parametrize("depth", [0, 1, 2, 3])
def test_depth_limit(webfarm, depth):  # noqa: F811
    site = 1  # no sitemap, robots.txt with /private/
    with local() as f:
        results = list(crawl([webfarm.sites[site]], f, depth=depth, max_pages=1000))
    found = urls_of(webfarm, results)
    assert len(found) == len(set(found))
    assert set(found) == webfarm.expected_crawl(site, depth)
    assert all(webfarm.page_info[u].depth <= depth for u in found)
    if depth == 0:
        assert found == [webfarm.sites[site]]


def test_max_pages_limit(webfarm):  # noqa: F811
    with local() as f:
        results = list(crawl([webfarm.sites[4]], f, depth=10, max_pages=7, workers=4))
    assert len(results) == 7 and len(set(urls_of(webfarm, results))) == 7


def test_stays_on_the_seed_sites(webfarm):  # noqa: F811
    with local() as f:
        results = list(crawl([webfarm.sites[7]], f, depth=10, max_pages=1000))
    assert {site_key(r.final_url) for r in results} == {site_key(webfarm.sites[7])}
    assert set(urls_of(webfarm, results)) == webfarm.expected_crawl(7, 10)


# -- sitemaps -------------------------------------------------------------------------------
@pytest.mark.parametrize("site", [3, 6, 9])  # plain sitemap, sitemap index, robots Sitemap: line
def test_sitemap_brings_in_pages_no_link_reaches(webfarm, site):  # noqa: F811
    orphan = webfarm.sites[site] + "page-24.html"
    assert webfarm.page_info[orphan].in_sitemap
    with local() as f:
        with_map = urls_of(webfarm, crawl([webfarm.sites[site]], f, depth=10, max_pages=1000))
    with local() as f:
        without = urls_of(webfarm, crawl([webfarm.sites[site]], f, depth=10, max_pages=1000,
                                         use_sitemap=False))
    assert orphan in with_map and orphan not in without
    assert set(with_map) == webfarm.expected_crawl(site, 10)
    assert set(without) == webfarm.expected_crawl(site, 10, use_sitemap=False)


def test_sitemap_pages_resolves_an_index(webfarm):  # noqa: F811
    with local() as f:
        pages = sitemap_pages(f, webfarm.sites[6] + "sitemap.xml")
    assert sorted(pages) == sorted(u for u in webfarm.pages if webfarm.page_info[u].site == 6)


# -- errors are yielded ---------------------------------------------------------------------
def test_every_special_outcome_is_yielded(webfarm):  # noqa: F811
    webfarm.reset()
    hub = webfarm.expected_hub
    with local(read_timeout=0.5, max_bytes=1_000_000) as f:
        results = list(crawl([hub], f, depth=1, max_pages=100, workers=8))
    by_url = {r.url: r for r in results}
    assert len(by_url) == len(results)
    assert by_url[hub].ok
    exp = webfarm.expected
    # both redirects end on /special/target: the second is a duplicate of the first
    redirected = [n for n in ("redirect-301", "redirect-302") if exp[n]["url"] in by_url]
    assert len(redirected) == 1
    for name, spec in exp.items():
        if name in ("redirect-301", "redirect-302"):
            continue
        r = by_url[spec["url"]]
        if name == "to-private":  # allowed here (allow_private): it lands with a 200
            assert r.ok and r.final_url == spec["final_url"]
            continue
        assert code(r) == spec["error_code"], (name, r.error)
        assert r.status == spec["status"], name
    assert by_url[exp["rate-429"]["url"]].attempts == 2
    assert by_url[exp["flaky-500"]["url"]].attempts == 2
    assert webfarm.hits(exp["blocked"]["url"]) == 0


def test_rate_limit_holds_while_crawling_with_many_workers(webfarm):  # noqa: F811
    site = 8
    start = len(webfarm.requests(site))
    with local(rate=10) as f:  # 0.1 s apart
        results = list(crawl([webfarm.sites[site]], f, depth=3, max_pages=8, workers=8))
    assert len(results) == 8
    times = sorted(t for t, _, _ in webfarm.requests(site)[start:])
    assert min(b - a for a, b in zip(times, times[1:])) >= 0.07


# -- helpers --------------------------------------------------------------------------------
@pytest.mark.parametrize("url, key", [
    ("HTTP://Clinic.Example:80/a#top", "http://clinic.example/a"),
    ("https://clinic.example:443", "https://clinic.example/"),
    ("https://clinic.example:8443/x?b=2&a=1", "https://clinic.example:8443/x?b=2&a=1"),
    ("https://clinic.example/x?utm_source=n&id=3&UTM_medium=e", "https://clinic.example/x?id=3"),
    ("https://clinic.example/x?utm_source=n", "https://clinic.example/x"),
    ("http://[::1]:8080/p", "http://[::1]:8080/p"),
])
def test_canonical_url(url, key):
    assert canonical_url(url) == key


def test_site_key_treats_www_and_scheme_as_one_site():
    assert same_site("https://www.clinic.example/a", "http://clinic.example/b")
    assert not same_site("https://blog.clinic.example/", "https://clinic.example/")
    assert not same_site("http://127.0.0.1:8001/", "http://127.0.0.1:8002/")
    assert site_key("https://WWW.Clinic.Example:443/") == "clinic.example"


def test_extract_links():
    html = b"""<html><head><base href="/docs/"></head><body>
    <a href="page.html#part">p</a> <a href="https://other.example/x">o</a>
    <a href="mailto:a@b.example">m</a> <a href="tel:123">t</a> <a href="javascript:void(0)">j</a>
    <a href="#top">top</a> <a href=" page.html ">again</a> <area href="/map">
    <a>no href</a></body></html>"""
    links = extract_links(html, "https://clinic.example/start")
    assert links == ["https://clinic.example/docs/page.html", "https://other.example/x",
                     "https://clinic.example/docs/", "https://clinic.example/map"]


def test_extract_links_survives_junk():
    assert extract_links(b"\xff\xfe<a href='x'>", "http://c.example/") == ["http://c.example/x"]
    assert extract_links(b"<a href='http://[bad'>", "http://c.example/") == []


def test_canonical_link():
    html = b'<link rel="Canonical" href="/home"><link rel="canonical" href="/second">'
    assert canonical_link(html, "https://clinic.example/index.html") == "https://clinic.example/home"
    assert canonical_link(b"<p>none</p>", "https://clinic.example/") is None


URLSET = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc> https://clinic.example/a </loc><lastmod>2024-01-01</lastmod></url>
<url><loc>https://clinic.example/b</loc></url></urlset>"""


def test_sitemap_urls_formats():
    assert sitemap_urls(URLSET) == ["https://clinic.example/a", "https://clinic.example/b"]
    assert parse_sitemap(gzip.compress(URLSET)) == ("urlset", ["https://clinic.example/a",
                                                               "https://clinic.example/b"])
    index = (b'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
             b"<sitemap><loc>https://clinic.example/s1.xml</loc></sitemap></sitemapindex>")
    assert parse_sitemap(index) == ("index", ["https://clinic.example/s1.xml"])
    assert parse_sitemap(b"https://clinic.example/t1\n\nftp://x\nhttps://clinic.example/t2\n") == \
        ("text", ["https://clinic.example/t1", "https://clinic.example/t2"])


def test_sitemap_refuses_dtd_and_junk():
    bomb = b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaa">]><urlset><url><loc>&a;</loc></url></urlset>'
    assert sitemap_urls(bomb) == []
    assert sitemap_urls(b"<html><body>not a sitemap</body></html>") == []
    assert sitemap_urls(b"<urlset><url><loc>") == []
    assert sitemap_urls(b"\x1f\x8bnot gzip") == []
