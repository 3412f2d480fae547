"""Fetch a user-given URL without letting it reach inside the network (SSRF guard).

Every hop, redirects included, is parsed, resolved and checked before any
socket opens: loopback, private, link-local (cloud metadata), multicast,
reserved, unspecified and non-global addresses are refused, also when hidden
in IPv4-mapped, 6to4 or NAT64 IPv6 forms. The request then goes to the very
address that was checked (Host header and TLS SNI carry the name), so a DNS
answer cannot change between check and connect. Proxies from the environment
are ignored for the same reason.

Loopback and private ranges can be allowed for local testing with
``SPINSCOPE_ALLOW_PRIVATE_NETWORKS=1``; link-local, multicast, reserved and
unspecified addresses stay blocked even then.
"""

from __future__ import annotations

import ipaddress
import os
import re
import socket
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from urllib.parse import urljoin

import httpx

from spinscope.errors import (
    BlockedAddress,
    ConnectionFailed,
    DisallowedContentType,
    FetchTimeout,
    HTTPErrorStatus,
    MalformedURL,
    ResponseTooLarge,
    TooManyRedirects,
    UnsupportedEncoding,
)

ALLOW_ENV = "SPINSCOPE_ALLOW_PRIVATE_NETWORKS"
ALLOWED_CONTENT_TYPES = frozenset({"text/html", "application/xhtml+xml", "text/plain", "text/markdown", "text/x-markdown",
                                   "application/pdf"})
USER_AGENT = "spinscope/0.1 (persuasion-analysis tool; fetches one page on a user's request)"
# Only encodings we decode ourselves, with a bound on the output (see ``_decoded``).
ACCEPT_ENCODING = "gzip, deflate"
_ZLIB_WBITS = {"gzip": 31, "x-gzip": 31, "deflate": 15}
MAX_URL_IN_MESSAGE = 200
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_LABEL = r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?"
_HOSTNAME = re.compile(rf"^(?=.{{1,253}}\.?$){_LABEL}(?:\.{_LABEL})*\.?$", re.IGNORECASE)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], list[str]]


@dataclass(frozen=True, slots=True)
class FetchLimits:
    max_bytes: int = 5 * 1024 * 1024
    connect_timeout: float = 5.0
    read_timeout: float = 10.0
    total_timeout: float = 30.0
    max_redirects: int = 5


@dataclass(frozen=True, slots=True)
class FetchedPage:
    url: str
    final_url: str
    content_type: str
    charset: str | None
    body: bytes


def shorten(url: object) -> str:
    """A URL as it may appear in a message: hostile URLs can be megabytes long."""
    text = str(url)
    return text if len(text) <= MAX_URL_IN_MESSAGE else f"{text[:MAX_URL_IN_MESSAGE]}... ({len(text):,} chars)"


def _decoded(raw: Iterator[bytes], encoding_header: str, limit: int, url: str) -> Iterator[bytes]:
    """Decode the body as it streams, never producing more than ``limit + 1`` bytes.

    httpx would inflate a whole chunk (and stacked encodings) before any size check could
    run, so a 2 kB gzip bomb became gigabytes in memory. Here at most one layer of gzip or
    deflate is accepted, and zlib is asked for no more output than the limit allows.
    """
    layers = [e.strip().lower() for e in encoding_header.split(",") if e.strip() and e.strip().lower() != "identity"]
    if not layers:
        yield from raw
        return
    if len(layers) > 1 or layers[0] not in _ZLIB_WBITS:
        raise UnsupportedEncoding(f"{shorten(url)} uses Content-Encoding {encoding_header!r}; "
                                  "only one layer of gzip or deflate is accepted")
    decoder = None
    budget = limit + 1
    try:
        for chunk in raw:
            if decoder is None:  # 'deflate' is zlib-wrapped by the standard, raw deflate in practice
                wbits = _ZLIB_WBITS[layers[0]]
                decoder = zlib.decompressobj(wbits if wbits != 15 or chunk[:1] == b"\x78" else -15)
            data = chunk
            while data and budget > 0 and not decoder.eof:
                out = decoder.decompress(data, budget)
                budget -= len(out)
                data = decoder.unconsumed_tail
                yield out
            if budget <= 0:
                return
        if decoder is not None and budget > 0:
            yield decoder.flush(budget)
            if not decoder.eof:
                raise zlib.error("the stream ends before the compressed data does")
    except zlib.error as exc:
        raise UnsupportedEncoding(f"{shorten(url)} sent a corrupt {layers[0]} body: {exc}") from exc


def _embedded_ipv4(ip: IPAddress) -> ipaddress.IPv4Address | None:
    if isinstance(ip, ipaddress.IPv4Address):
        return None
    if ip.ipv4_mapped:
        return ip.ipv4_mapped
    if ip.sixtofour:
        return ip.sixtofour
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def blocked_reason(address: str, allow_private: bool = False) -> str | None:
    """Why ``address`` must not be fetched, or None when it is a public address."""
    ip: IPAddress = ipaddress.ip_address(address.split("%")[0])
    inner = _embedded_ipv4(ip)
    if inner is not None:
        reason = blocked_reason(str(inner), allow_private)
        return f"{reason} (inside {ip})" if reason else None
    for attr, what in (("is_unspecified", "unspecified"), ("is_link_local", "link-local (cloud metadata range)"),
                       ("is_multicast", "multicast"), ("is_reserved", "reserved")):
        # ::1 lies inside the reserved ::/8, but it is loopback and follows the loopback rule.
        if getattr(ip, attr) and not ip.is_loopback:
            return f"{ip} is a {what} address"
    if ip.is_loopback or ip.is_private or not ip.is_global:
        if allow_private:
            return None
        kind = "loopback" if ip.is_loopback else "private" if ip.is_private else "non-public"
        return f"{ip} is a {kind} address (set {ALLOW_ENV}=1 to allow it for local testing)"
    return None


def system_resolver(host: str, port: int) -> list[str]:
    """All addresses a host name resolves to (IP literals resolve to themselves)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise ConnectionFailed(f"cannot resolve host {host!r}: {exc}") from exc
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


class SafeFetcher:
    def __init__(self, limits: FetchLimits = FetchLimits(), *, allow_private: bool | None = None,
                 resolver: Resolver = system_resolver) -> None:
        self.limits = limits
        self.allow_private = os.environ.get(ALLOW_ENV) == "1" if allow_private is None else allow_private
        self.resolver = resolver

    @staticmethod
    def parse(url: str) -> httpx.URL:
        try:
            parsed = httpx.URL(url.strip())
        except (httpx.InvalidURL, TypeError, ValueError) as exc:
            raise MalformedURL(f"malformed URL {shorten(repr(url))}: {exc}") from exc
        if parsed.scheme not in ("http", "https"):
            raise MalformedURL(f"only http and https URLs can be fetched, not {parsed.scheme or 'no scheme'!r}")
        if not parsed.host:
            raise MalformedURL(f"URL {shorten(repr(url))} has no host")
        host = parsed.raw_host.decode("ascii", "replace")
        if not (_HOSTNAME.match(host) or ":" in host):  # ':' only in IPv6 literals, which httpx validated
            raise MalformedURL(f"URL {shorten(repr(url))} has an invalid host name {shorten(parsed.host)!r}")
        return parsed

    def check(self, url: httpx.URL) -> str:
        """Resolve the URL's host and return the one address to connect to; refuse blocked ones."""
        port = url.port or (443 if url.scheme == "https" else 80)
        try:
            addresses = [str(ipaddress.ip_address(url.host))]
        except ValueError:
            addresses = self.resolver(url.host, port)
        if not addresses:
            raise ConnectionFailed(f"host {url.host!r} has no address")
        for address in addresses:  # every answer must be safe: a mixed answer is a rebinding trick
            reason = blocked_reason(address, self.allow_private)
            if reason:
                raise BlockedAddress(f"refusing to fetch {shorten(url)}: address blocked: {reason}")
        return addresses[0]

    def dial(self, address: str, port: int) -> tuple[str, int]:
        """Where to connect for a checked address. Tests override this to reach a loopback server."""
        return address, port

    def fetch(self, url: str) -> FetchedPage:
        limits = self.limits
        deadline = time.monotonic() + limits.total_timeout
        timeout = httpx.Timeout(limits.read_timeout, connect=limits.connect_timeout)
        current = self.parse(url)
        seen = {str(current)}
        try:
            with httpx.Client(timeout=timeout, follow_redirects=False, trust_env=False) as client:
                for _hop in range(limits.max_redirects + 1):
                    if time.monotonic() > deadline:
                        raise FetchTimeout(f"gave up on {shorten(url)} after {limits.total_timeout:.0f}s")
                    try:
                        response = client.send(self._request(client, current), stream=True)
                    except httpx.InvalidURL as exc:  # httpx parses Location itself, even without following it
                        raise MalformedURL(f"{shorten(current)} redirected to a malformed URL: {exc}") from exc
                    try:
                        if not response.is_redirect:
                            return self._read(response, current, url, deadline)
                        location = response.headers.get("location")
                    finally:
                        response.close()
                    if not location:
                        raise ConnectionFailed(f"{shorten(current)} answered {response.status_code} without a Location header")
                    nxt = self.parse(urljoin(str(current), location))
                    if str(nxt) in seen:
                        raise TooManyRedirects(f"redirect loop: {shorten(nxt)} was already visited")
                    seen.add(str(nxt))
                    current = nxt
        except httpx.TimeoutException as exc:
            raise FetchTimeout(f"timed out fetching {shorten(current)}") from exc
        except httpx.HTTPError as exc:
            raise ConnectionFailed(f"cannot fetch {shorten(current)}: {exc.__class__.__name__}: {shorten(exc)}") from exc
        raise TooManyRedirects(f"more than {limits.max_redirects} redirects starting at {shorten(url)}")

    def _request(self, client: httpx.Client, url: httpx.URL) -> httpx.Request:
        address = self.check(url)
        port = url.port or (443 if url.scheme == "https" else 80)
        host, dport = self.dial(address, port)
        headers = {"Host": url.netloc.decode("ascii"), "User-Agent": USER_AGENT,
                   "Accept": "text/html,application/xhtml+xml,text/plain,application/pdf;q=0.9",
                   "Accept-Encoding": ACCEPT_ENCODING}
        extensions = {"sni_hostname": url.host} if url.scheme == "https" else {}
        return client.build_request("GET", url.copy_with(host=host, port=dport), headers=headers, extensions=extensions)

    def _read(self, response: httpx.Response, url: httpx.URL, requested: str, deadline: float) -> FetchedPage:
        where, limit = shorten(url), self.limits.max_bytes
        if response.status_code >= 400:
            raise HTTPErrorStatus(f"{where} answered HTTP {response.status_code} {response.reason_phrase}".rstrip())
        content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type not in ALLOWED_CONTENT_TYPES:
            allowed = ", ".join(sorted(ALLOWED_CONTENT_TYPES))
            raise DisallowedContentType(f"{where} serves {content_type or 'no content type'!r}; allowed: {allowed}")
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise ResponseTooLarge(f"{where} is {int(declared):,} bytes; the limit is {limit:,} bytes")
        body = bytearray()
        # Raw bytes, decoded by us under the limit: httpx's own decoding inflates before we could check.
        for chunk in _decoded(response.iter_raw(), response.headers.get("content-encoding", ""), limit, where):
            body += chunk
            if len(body) > limit:
                raise ResponseTooLarge(f"{where} sent more than the {limit:,}-byte limit (after decompression)")
            if time.monotonic() > deadline:
                raise FetchTimeout(f"gave up after {self.limits.total_timeout:.0f}s reading {where}")
        return FetchedPage(requested, str(url), content_type, response.charset_encoding, bytes(body))
