"""Refuse URLs whose host resolves to a non-public address, before any connection is made.

A batch audit fetches URLs that users (or clinic pages) supply; without this guard a page could
point the fetcher at the auditor's own network (routers, cloud metadata at 169.254.169.254,
services on localhost). Every redirect hop is checked again by the fetcher.

Also home of `FetchError` and the fetch error codes (CC120-CC129), so every web module can
raise them without importing the fetcher.
"""
from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterable

import httpx

from ..errors import InputError

# Error codes of the fetching part (searchable in messages as "[CC12x]").
CC_BAD_URL = "CC120"  # not an http(s) URL, or unparsable
CC_PRIVATE = "CC121"  # host resolves to a private/loopback/reserved... address
CC_DNS = "CC122"  # host does not resolve
CC_ROBOTS = "CC123"  # disallowed by the site's robots.txt
CC_TIMEOUT = "CC124"  # connect or read timed out
CC_TOO_BIG = "CC125"  # body over the byte cap (never truncated)
CC_REDIRECTS = "CC126"  # more redirect hops than allowed, or a redirect without Location
CC_HTTP = "CC127"  # HTTP error status (after retries where they apply)
CC_TYPE = "CC128"  # content type we do not audit
CC_NETWORK = "CC129"  # connection refused/reset, protocol error


class FetchError(InputError):
    """A URL could not be fetched; `status` is the last HTTP status seen, if any."""

    code = "CC120"

    def __init__(self, message: str, code: str, *, status: int | None = None,
                 content_type: str = ""):
        super().__init__(message, code)
        self.status = status
        self.content_type = content_type


Resolver = Callable[..., list]


def is_public_ip(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """True for globally routable unicast addresses only."""
    if isinstance(ip, ipaddress.IPv6Address):
        mapped = ip.ipv4_mapped or ip.sixtofour
        if mapped is not None:
            return is_public_ip(mapped)
    if (ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_multicast
            or ip.is_reserved or ip.is_unspecified):
        return False
    return ip.is_global  # also excludes e.g. 100.64.0.0/10 (carrier-grade NAT)


class AddressGuard:
    """Checks that every address a URL's host resolves to is public.

    allow_private=True turns the guard off (tests, local mirrors). `allow_hosts` names exact
    `host:port` netlocs that are exempt while the guard stays on for everything else (a local
    mirror, or a test that checks a redirect from an allowed host to a refused one).
    The resolver is `socket.getaddrinfo` unless one is injected (tests use a fake one so no
    DNS query ever leaves the machine).
    """

    def __init__(self, *, allow_private: bool = False, allow_hosts: Iterable[str] = (),
                 resolver: Resolver | None = None):
        self.allow_private = allow_private
        self.allow_hosts = frozenset(h.lower() for h in allow_hosts)
        self._resolve = resolver or socket.getaddrinfo

    def check(self, url: str) -> None:
        """Raise FetchError (CC120/CC121/CC122) unless `url` may be fetched."""
        host, port = _host_port(url)
        if self.allow_private or f"{host}:{port}" in self.allow_hosts:
            return
        try:  # an IP literal needs no lookup at all
            addresses = [ipaddress.ip_address(host)]
        except ValueError:
            addresses = self._lookup(host, port)
        for ip in addresses:
            if not is_public_ip(ip):
                raise FetchError(
                    f"refused {url}: {host} is a non-public address ({ip}); "
                    "pass allow_private to fetch it", CC_PRIVATE)

    def _lookup(self, host: str, port: int) -> list:
        try:
            infos = self._resolve(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError, OSError) as exc:
            raise FetchError(f"cannot resolve host {host!r}: {exc}", CC_DNS) from None
        addresses = []
        for info in infos:
            raw = info[4][0].split("%", 1)[0]  # drop an IPv6 zone id
            addresses.append(ipaddress.ip_address(raw))
        if not addresses:
            raise FetchError(f"cannot resolve host {host!r}: no addresses", CC_DNS)
        return addresses


def _host_port(url: str) -> tuple[str, int]:
    """Host and port exactly as httpx will connect to them (no parser differential)."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError) as exc:
        raise FetchError(f"not a valid URL {url!r}: {exc}", CC_BAD_URL) from None
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise FetchError(f"not an http(s) URL: {url!r}", CC_BAD_URL)
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    return parsed.host.lower(), port


def check_url(url: str, *, allow_private: bool = False) -> None:
    """One-off check with the system resolver; raises FetchError when refused."""
    AddressGuard(allow_private=allow_private).check(url)
