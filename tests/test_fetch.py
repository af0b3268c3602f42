"""Fetcher behaviour against the local web farm (127.0.0.1 only) and mock transports."""
from __future__ import annotations

import hashlib
import socket
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from threading import Thread

import httpx
import pytest
from webfarm import webfarm  # noqa: F401  (session fixture)

from claimcheck.errors import InputError
from claimcheck.web.fetch import DEFAULT_USER_AGENT, Fetcher, FetchResult, _retry_after, fetch_url
from claimcheck.web.netguard import AddressGuard, FetchError, check_url, is_public_ip
from claimcheck.web.rawstore import RawStore


def local(**kw) -> Fetcher:
    """A fetcher for the farm: private addresses allowed, no spacing, quick retries."""
    kw.setdefault("rate", 0)
    kw.setdefault("backoff", 0.01)
    return Fetcher(allow_private=True, **kw)


def code(result: FetchResult) -> str:
    return result.error[1:6] if result.error.startswith("[CC") else ""


def netloc(url: str) -> str:
    return httpx.URL(url).netloc.decode()


# -- happy path -----------------------------------------------------------------------------
def test_page_fetched_with_honest_user_agent(webfarm):
    url = webfarm.pages[30]
    with local() as f:
        r = f.fetch(url)
    assert r.ok and r.status == 200 and r.error == ""
    assert r.final_url == url and r.redirects == () and r.attempts == 1
    assert r.content_type.startswith("text/html")
    assert r.sha256 == hashlib.sha256(r.raw).hexdigest() and b"<html" in r.raw
    assert r.fetched_at.endswith("Z") and datetime.fromisoformat(r.fetched_at[:-1])
    agents = {ua for _, path, ua in webfarm.requests(webfarm.page_info[url].site)}
    assert agents == {DEFAULT_USER_AGENT}
    assert DEFAULT_USER_AGENT.startswith("claimcheck/0.1.0 (+https://github.com/claimcheck/claimcheck;")


def test_fetch_url_one_off(webfarm):
    r = fetch_url(webfarm.expected["text"]["url"], allow_private=True, rate=0)
    assert r.ok and r.raw.startswith(b"Plain text notes")


@pytest.mark.parametrize("name", ["pdf", "text"])
def test_accepted_non_html_types(webfarm, name):
    spec = webfarm.expected[name]
    with local() as f:
        r = f.fetch(spec["url"])
    assert r.ok and r.media_type == spec["content_type"]


# -- redirects ------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["redirect-301", "redirect-302"])
def test_redirect_followed_and_recorded(webfarm, name):
    spec = webfarm.expected[name]
    with local() as f:
        r = f.fetch(spec["url"])
    assert r.ok and r.status == 200
    assert r.url == spec["url"] and r.final_url == spec["final_url"]
    assert r.redirects == (spec["final_url"],) and r.attempts == 2


def test_redirect_chain_over_limit(webfarm):
    spec = webfarm.expected["redirect-chain"]
    beyond = spec["url"].replace("/chain/0", "/chain/6")
    before = webfarm.hits(beyond)
    with local(max_redirects=5) as f:
        r = f.fetch(spec["url"])
    assert code(r) == "CC126" and "more than 5 redirects" in r.error
    assert len(r.redirects) == 5 and r.status == 302 and r.raw == b""
    assert webfarm.hits(beyond) == before  # the sixth Location was never requested


def test_redirect_to_private_address_checked_per_hop(webfarm):
    spec = webfarm.expected["to-private"]
    landing_before = webfarm.hits(spec["final_url"])
    # the start host is exempt; the hop to another 127.0.0.1 site is not
    with Fetcher(rate=0, allow_hosts=[netloc(spec["url"])]) as f:
        r = f.fetch(spec["url"])
    assert code(r) == "CC121" and "non-public" in r.error
    assert r.final_url == spec["final_url"] and r.redirects == (spec["final_url"],)
    assert webfarm.hits(spec["final_url"]) == landing_before
    with local() as f:
        allowed = f.fetch(spec["url"])
    assert allowed.ok and allowed.final_url == spec["final_url"]


# -- errors ---------------------------------------------------------------------------------
def test_404_is_an_error_without_retry(webfarm):
    spec = webfarm.expected["missing"]
    before = webfarm.hits(spec["url"])
    with local() as f:
        r = f.fetch(spec["url"])
    assert not r.ok and r.status == 404 and code(r) == "CC127" and r.attempts == 1
    assert webfarm.hits(spec["url"]) == before + 1


def test_unsupported_content_type_named(webfarm):
    with local() as f:
        r = f.fetch(webfarm.expected["image"]["url"])
    assert code(r) == "CC128" and "'image/png'" in r.error and r.status == 200 and r.raw == b""


def test_any_type_when_asked(webfarm):
    with local() as f:
        r = f.fetch(webfarm.expected["image"]["url"], accept_types={"*"})
    assert r.ok and r.raw.startswith(b"\x89PNG")


@pytest.mark.parametrize("name", ["big", "big-declared"])
def test_over_the_byte_cap_is_an_error_not_a_truncation(webfarm, name):
    with local(max_bytes=1_000_000) as f:
        r = f.fetch(webfarm.expected[name]["url"])
    assert code(r) == "CC125" and "over the 1000000-byte cap" in r.error
    assert r.raw == b"" and r.sha256 == "" and not r.ok


def test_read_timeout(webfarm):
    spec = webfarm.expected["slow"]
    with local(read_timeout=0.3) as f:
        r = f.fetch(spec["url"])
    assert code(r) == "CC124" and r.status is None and "timed out" in r.error


def test_connection_refused_is_a_network_error():
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()  # nothing listens there now
    with local(retries=0) as f:
        r = f.fetch(f"http://127.0.0.1:{port}/")
    assert code(r) == "CC129" and r.status is None


@pytest.mark.parametrize("bad", ["ftp://example.test/x", "file:///etc/passwd", "not a url", ""])
def test_bad_urls_are_errors_not_exceptions(bad):
    with local() as f:
        r = f.fetch(bad)
    assert code(r) == "CC120" and not r.ok


# -- retries --------------------------------------------------------------------------------
def test_500_once_then_200_is_retried(webfarm):
    webfarm.reset()
    spec = webfarm.expected["flaky-500"]
    with local() as f:
        r = f.fetch(spec["url"])
    assert r.ok and r.status == 200 and r.attempts == 2
    assert webfarm.hits(spec["url"]) == spec["hits"]


def test_persistent_500_gives_up_after_retries(webfarm):
    spec = webfarm.expected["always-500"]
    before = webfarm.hits(spec["url"])
    with local(retries=2) as f:
        r = f.fetch(spec["url"])
    assert code(r) == "CC127" and r.status == 500 and r.attempts == 3
    assert "after 3 attempt(s)" in r.error
    assert webfarm.hits(spec["url"]) == before + 3


def test_429_honours_retry_after(webfarm):
    webfarm.reset()
    spec = webfarm.expected["rate-429"]
    with local() as f:
        r = f.fetch(spec["url"])
    assert r.ok and r.attempts == 2
    times = [t for t, path, _ in webfarm.requests(0) if path == "/special/rate-429"]
    assert len(times) == 2
    assert times[1] - times[0] >= 0.9  # Retry-After: 1, not the 0.01 s backoff


def _mock(handler):
    return httpx.MockTransport(handler)


def test_retry_after_beyond_cap_gives_up_at_once():
    seen = []

    def handler(request):
        seen.append(request.url.path)
        if request.url.path == "/robots.txt":
            return httpx.Response(404)
        return httpx.Response(429, headers={"Retry-After": "3600"})

    with Fetcher(rate=0, allow_private=True, transport=_mock(handler)) as f:
        r = f.fetch("http://clinic.test/page")
    assert code(r) == "CC127" and "exceeds the 30 s cap" in r.error and r.attempts == 1
    assert seen == ["/robots.txt", "/page"]


def test_retry_after_parsing():
    assert _retry_after("2") == 2.0
    assert _retry_after(None) is None and _retry_after("soon") is None
    later = format_datetime(datetime.now(timezone.utc) + timedelta(seconds=20), usegmt=True)
    assert 15 <= _retry_after(later) <= 21


# -- robots.txt -----------------------------------------------------------------------------
def test_robots_disallow_honoured_and_cached(webfarm):
    spec = webfarm.expected["blocked"]
    robots = spec["url"].split("/special/")[0] + "/robots.txt"
    before_robots, before_page = webfarm.hits(robots), webfarm.hits(spec["url"])
    with local() as f:
        r = f.fetch(spec["url"])
        again = f.fetch(spec["url"])
        ok = f.fetch(webfarm.expected["text"]["url"])
    assert code(r) == "CC123" and code(again) == "CC123" and r.status is None
    assert ok.ok
    assert webfarm.hits(spec["url"]) == before_page  # never requested
    assert webfarm.hits(robots) == before_robots + 1  # fetched once per origin


def test_robots_can_be_switched_off(webfarm):
    with local(respect_robots=False) as f:
        r = f.fetch(webfarm.expected["blocked"]["url"])
    assert r.ok


def test_robots_500_means_allowed_not_disallow_all(webfarm):
    page = webfarm.sites[2] + "page-1.html"
    with local(retries=1) as f:
        r = f.fetch(page)
    assert r.ok


def test_missing_robots_means_allowed(webfarm):
    with local() as f:
        r = f.fetch(webfarm.sites[3] + "page-2.html")
    assert r.ok and webfarm.hits(webfarm.sites[3] + "robots.txt") >= 1


def test_crawl_delay_from_robots_spaces_requests():
    stamps = []

    def handler(request):
        import time

        stamps.append(time.monotonic())
        if request.url.path == "/robots.txt":
            return httpx.Response(200, text="User-agent: *\nCrawl-delay: 1\n")
        return httpx.Response(200, headers={"Content-Type": "text/html"}, text="<p>hi</p>")

    with Fetcher(rate=100, allow_private=True, transport=_mock(handler)) as f:
        for n in range(2):
            assert f.fetch(f"http://clinic.test/{n}").ok
    assert len(stamps) == 3 and stamps[2] - stamps[1] >= 0.9  # robotparser reads whole seconds


# -- rate limit -----------------------------------------------------------------------------
def _gaps(times):
    return [b - a for a, b in zip(times, times[1:])]


def test_rate_limit_spaces_requests_to_one_host(webfarm):
    site = 4
    start = len(webfarm.requests(site))
    with local(rate=5) as f:  # 0.2 s apart
        for url in [webfarm.sites[site] + f"page-{k}.html" for k in (1, 2, 3, 4)]:
            assert f.fetch(url).ok
    times = [t for t, _, _ in webfarm.requests(site)[start:]]
    assert len(times) == 5  # robots.txt + 4 pages
    assert min(_gaps(times)) >= 0.15  # generous bound below 0.2


def test_rate_limit_is_shared_across_threads(webfarm):
    site = 5
    start = len(webfarm.requests(site))
    urls = [webfarm.sites[site] + f"page-{k}.html" for k in range(1, 7)]
    with local(rate=5) as f:
        f.fetch(webfarm.sites[site])  # robots + home first
        threads = [Thread(target=f.fetch, args=(u,)) for u in urls]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    times = sorted(t for t, _, _ in webfarm.requests(site)[start:])
    assert len(times) == 8
    assert min(_gaps(times)) >= 0.15


# -- private-address guard ------------------------------------------------------------------
def _no_dns(*args, **kwargs):
    raise AssertionError("the guard must not resolve IP literals")


@pytest.mark.parametrize("url", [
    "http://10.0.0.1/", "http://127.0.0.1:8080/", "http://[::1]/", "http://169.254.169.254/latest",
    "http://0.0.0.0/", "http://224.0.0.1/", "http://[::ffff:10.0.0.1]/", "http://192.168.1.1/",
    "http://172.16.0.1/", "http://100.64.0.1/", "http://240.0.0.1/", "https://[fe80::1]/",
    "http://[fc00::1]/", "http://255.255.255.255/",
])
def test_guard_refuses_non_public_literals(url):
    with pytest.raises(FetchError) as err:
        AddressGuard(resolver=_no_dns).check(url)
    assert err.value.code == "CC121" and isinstance(err.value, InputError)


def test_guard_passes_public_addresses():
    AddressGuard(resolver=_no_dns).check("http://93.184.216.34/")
    AddressGuard(resolver=_no_dns).check("https://[2606:4700::1111]/")
    assert is_public_ip(__import__("ipaddress").ip_address("8.8.8.8"))


def _resolver(*addresses):
    def resolve(host, port, type=0):
        return [(socket.AF_INET6 if ":" in a else socket.AF_INET, type, 6, "", (a, port))
                for a in addresses]
    return resolve


def test_guard_checks_every_resolved_address():
    AddressGuard(resolver=_resolver("93.184.216.34")).check("http://clinic.test/")
    with pytest.raises(FetchError) as err:  # one private answer among public ones is enough
        AddressGuard(resolver=_resolver("93.184.216.34", "10.1.2.3")).check("http://clinic.test/")
    assert err.value.code == "CC121"


def test_guard_dns_failure():
    def fail(*a, **k):
        raise socket.gaierror(-2, "Name or service not known")

    with pytest.raises(FetchError) as err:
        AddressGuard(resolver=fail).check("http://nowhere.test/")
    assert err.value.code == "CC122"


def test_guard_off_with_allow_private():
    AddressGuard(allow_private=True, resolver=_no_dns).check("http://10.0.0.1/")
    check_url("http://127.0.0.1/", allow_private=True)
    with pytest.raises(FetchError):
        check_url("http://10.0.0.1/")


def test_fetcher_refuses_private_before_connecting():
    """http://10.0.0.1/ is refused by the guard: the transport never sees a request."""
    seen = []

    def handler(request):
        seen.append(str(request.url))
        return httpx.Response(500)

    with Fetcher(rate=0, transport=_mock(handler), resolver=_no_dns) as f:
        r = f.fetch("http://10.0.0.1/")
    assert code(r) == "CC121" and r.attempts == 0 and seen == []


def test_fetcher_checks_redirect_hops_before_connecting():
    seen = []

    def handler(request):
        seen.append(request.url.path)
        if request.url.path == "/robots.txt":
            return httpx.Response(404)
        return httpx.Response(302, headers={"Location": "http://10.0.0.1/admin"})

    with Fetcher(rate=0, transport=_mock(handler), resolver=_resolver("93.184.216.34")) as f:
        r = f.fetch("http://clinic.test/offer")
    assert code(r) == "CC121" and r.redirects == ("http://10.0.0.1/admin",)
    assert seen == ["/robots.txt", "/offer"]


def test_farm_refused_without_allow_private(webfarm):
    url = webfarm.pages[40]
    before = webfarm.hits(url)
    with Fetcher(rate=0) as f:
        r = f.fetch(url)
    assert code(r) == "CC121" and webfarm.hits(url) == before


# -- raw store ------------------------------------------------------------------------------
def test_rawstore_put_once_atomic(tmp_path):
    store = RawStore(tmp_path)
    raw = b"<html>clinic page</html>"
    digest = hashlib.sha256(raw).hexdigest()
    path = store.put(raw)
    assert path == tmp_path / "raw" / digest[:2] / digest == store.path_for(digest)
    assert path.read_bytes() == raw and store.get(digest) == raw and digest in store
    mtime = path.stat().st_mtime_ns
    assert store.put(raw) == path and path.stat().st_mtime_ns == mtime
    assert [p.name for p in path.parent.iterdir()] == [digest]  # no temp files left
    with pytest.raises(ValueError):
        store.path_for("../../etc/passwd")


def test_rawstore_failed_write_leaves_nothing(tmp_path, monkeypatch):
    store = RawStore(tmp_path)

    def boom(*a):
        raise OSError("disk full")

    monkeypatch.setattr("claimcheck.web.rawstore.os.replace", boom)
    with pytest.raises(OSError):
        store.put(b"abc")
    digest = hashlib.sha256(b"abc").hexdigest()
    assert digest not in store and list(store.path_for(digest).parent.iterdir()) == []
