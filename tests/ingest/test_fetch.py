"""Fetching and SSRF protection. Every test runs with sockets patched so that a
connect or DNS lookup outside loopback fails the test (see ``NoEgress``)."""

import pytest
from click.testing import CliRunner

from spinscope.errors import (
    BlockedAddress,
    DisallowedContentType,
    FetchError,
    FetchTimeout,
    HTTPErrorStatus,
    MalformedURL,
    NoArticleText,
    ResponseTooLarge,
    TooManyRedirects,
)
from spinscope.ingest import FetchLimits, SafeFetcher, load_source
from spinscope.ingest.fetch import ALLOW_ENV, blocked_reason
from spinscope.interfaces.cli import main
from tests.ingest.server import LocalServer, NoEgress, gzip_bomb

PUBLIC = "93.184.216.34"  # a public address the tests pretend a name resolves to; never contacted


@pytest.fixture
def no_egress(monkeypatch):
    guard = NoEgress(monkeypatch)
    yield guard
    assert not guard.violations, f"traffic outside loopback was attempted: {guard.violations}"


@pytest.fixture
def server():
    with LocalServer() as s:
        yield s


def _names(mapping):
    def resolve(host, port):
        if host in mapping:
            return mapping[host]
        raise AssertionError(f"unexpected lookup of {host}")

    return resolve


class PublicNameFetcher(SafeFetcher):
    """Resolves 'allowed.test' to a public address, then connects to the loopback test server instead."""

    def __init__(self, port, **kw):
        super().__init__(resolver=_names({"allowed.test": [PUBLIC], "intranet.test": ["10.1.2.3"]}), **kw)
        self.port = port

    def dial(self, address, port):
        assert address == PUBLIC, "only the checked public address may be dialled"
        return "127.0.0.1", self.port


# --- the guard itself --------------------------------------------------------------

@pytest.mark.parametrize("address", [
    "127.0.0.1", "127.8.9.10", "::1", "10.0.0.1", "172.16.5.4", "192.168.1.1", "100.64.0.1",
    "169.254.169.254", "fe80::1", "0.0.0.0", "::", "224.0.0.1", "ff02::1", "240.0.0.1",
    "::ffff:127.0.0.1", "::ffff:169.254.169.254", "2002:7f00:1::", "64:ff9b::a00:1", "fd00:ec2::254", "192.0.2.7",
])
def test_blocked_addresses(address):
    assert blocked_reason(address) is not None


@pytest.mark.parametrize("address", [PUBLIC, "2606:4700:4700::1111", "::ffff:93.184.216.34"])
def test_public_addresses_pass(address):
    assert blocked_reason(address) is None


def test_allow_setting_opens_loopback_and_private_only():
    assert blocked_reason("127.0.0.1", allow_private=True) is None
    assert blocked_reason("10.0.0.1", allow_private=True) is None
    assert blocked_reason("169.254.169.254", allow_private=True) is not None
    assert blocked_reason("0.0.0.0", allow_private=True) is not None


def test_allow_setting_is_off_by_default(monkeypatch):
    monkeypatch.delenv(ALLOW_ENV, raising=False)
    assert SafeFetcher().allow_private is False
    monkeypatch.setenv(ALLOW_ENV, "true")  # only the documented value "1" opens it
    assert SafeFetcher().allow_private is False
    monkeypatch.setenv(ALLOW_ENV, "1")
    assert SafeFetcher().allow_private is True


# --- refusals through the CLI, allow setting off ----------------------------------------

@pytest.mark.parametrize("url", [
    "http://127.0.0.1/", "http://localhost:8080/admin", "http://[::1]/", "http://10.0.0.1/",
    "http://169.254.169.254/latest/meta-data/",
])
def test_cli_refuses_blocked_targets_with_exit_4(url, no_egress, monkeypatch):
    monkeypatch.delenv(ALLOW_ENV, raising=False)
    r = CliRunner().invoke(main, ["analyze", url])
    assert r.exit_code == 4, r.output
    assert "E402" in r.output and "address blocked" in r.output
    assert no_egress.connects == [], "the guard must refuse before opening a socket"


def test_redirect_from_allowed_host_to_loopback_is_refused(server, no_egress):
    fetcher = PublicNameFetcher(server.port, allow_private=False)
    with pytest.raises(BlockedAddress, match="127.0.0.1.*loopback"):
        fetcher.fetch("http://allowed.test/to-loopback")
    assert len(no_egress.connects) == 1  # the first hop only, to the stand-in server


def test_allowed_host_is_fetched_through_the_checked_address(server, no_egress):
    page = PublicNameFetcher(server.port, allow_private=False).fetch("http://allowed.test/article.html")
    assert page.content_type == "text/html" and b"sea wall" in page.body


def test_hostname_resolving_to_private_address_is_refused(no_egress):
    with pytest.raises(BlockedAddress, match="10.1.2.3.*private"):
        PublicNameFetcher(1).fetch("http://intranet.test/")
    assert no_egress.connects == []


def test_mixed_dns_answer_is_refused(no_egress):
    fetcher = SafeFetcher(resolver=_names({"rebind.test": [PUBLIC, "127.0.0.1"]}))
    with pytest.raises(BlockedAddress):
        fetcher.fetch("http://rebind.test/")
    assert no_egress.connects == []


@pytest.mark.parametrize("url", ["ftp://example.org/x", "http://", "javascript:alert(1)", "http://exa mple.org/"])
def test_malformed_urls(url, no_egress):
    with pytest.raises(MalformedURL):
        SafeFetcher().fetch(url)


def test_cli_malformed_url_exit_4(no_egress):
    r = CliRunner().invoke(main, ["analyze", "ftp://example.org/file.txt"])
    assert r.exit_code == 4 and "E401" in r.output and "only http and https" in r.output


# --- fetching from the loopback server with the allow setting on -------------------------

def test_cli_analyses_a_news_page_without_navigation(server, no_egress):
    r = CliRunner().invoke(main, ["analyze", server.url("/article.html"), "--format", "json"],
                           env={ALLOW_ENV: "1"})
    assert r.exit_code == 0, r.output
    import json

    doc = json.loads(r.output)
    text = doc["article"]["text"]
    assert text.startswith("Harbour town votes on new sea wall")
    assert "Residents of Port Elling voted" in text and "public consultation" in text
    for junk in ("Home", "Sport", "cookies", "Share this", "Related stories", "All rights reserved", "Privacy"):
        assert junk not in text, junk
    assert doc["article"]["source_url"] == server.url("/article.html")
    assert doc["article"]["metadata"]["author"] == "Mara Quint"
    assert doc["article"]["metadata"]["sitename"] == "The Coastal Ledger"
    for p in doc["paragraphs"]:
        for s in p["spans"]:
            assert text[s["start"]:s["end"]] == s["text"]


def test_plain_text_pdf_and_declared_charset(server, no_egress):
    f = SafeFetcher(allow_private=True)
    plain = load_source(server.url("/plain.txt"), fetcher=f)
    assert plain.text == "Plain headline\n\nA plain paragraph."
    markdown = load_source(server.url("/notes.md"), fetcher=f)
    assert markdown.text == "Markdown headline\n\nA bold paragraph with a link." and markdown.title == "Markdown headline"
    pdf = load_source(server.url("/doc.pdf"), fetcher=f)
    assert "bold new plan" in pdf.text
    latin = load_source(server.url("/latin1.html"), fetcher=f)
    assert "Café owners in Lille" in latin.text


def test_redirects_are_followed_and_rechecked(server, no_egress):
    page = SafeFetcher(allow_private=True).fetch(server.url("/redirect"))
    assert page.final_url.endswith("/article.html") and page.url.endswith("/redirect")


@pytest.mark.parametrize("path,error,message", [
    ("/missing", HTTPErrorStatus, "HTTP 404"),
    ("/broken", HTTPErrorStatus, "HTTP 500"),
    ("/loop-a", TooManyRedirects, "redirect loop"),
    ("/chain/0", TooManyRedirects, "more than 5 redirects"),
    ("/image.png", DisallowedContentType, "image/png"),
    ("/big", ResponseTooLarge, "limit is 10,000 bytes"),
    ("/big-unannounced", ResponseTooLarge, "10,000-byte limit"),
    ("/slow", FetchTimeout, "timed out"),
])
def test_fetch_errors(server, no_egress, path, error, message):
    # Timeouts well under /slow's 1.5 s, yet loose enough that a loaded 2-core CI machine answers
    # every other request in time (a 0.3 s read timeout once failed the redirect chain there).
    limits = FetchLimits(max_bytes=10_000, read_timeout=1.0, connect_timeout=1.0, total_timeout=5)
    with pytest.raises(error, match=message) as info:
        SafeFetcher(limits, allow_private=True).fetch(server.url(path))
    assert info.value.exit_code == 4


def test_page_without_article(server, no_egress):
    with pytest.raises(NoArticleText, match="no article text"):
        load_source(server.url("/empty.html"), fetcher=SafeFetcher(allow_private=True))


def test_connection_refused_is_a_fetch_error(no_egress):
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there now
    r = CliRunner().invoke(main, ["analyze", f"http://127.0.0.1:{port}/"], env={ALLOW_ENV: "1"})
    assert r.exit_code == 4 and "E408" in r.output


def test_the_no_egress_guard_itself_blocks_before_sending(monkeypatch):
    import socket

    guard = NoEgress(monkeypatch)
    with pytest.raises(AssertionError, match="outside loopback"):
        socket.create_connection(("10.255.255.1", 80), timeout=0.1)
    with pytest.raises(AssertionError, match="DNS lookup"):
        socket.getaddrinfo("metadata.google.internal", 80)
    assert guard.violations == [("10.255.255.1", 80), "metadata.google.internal"]


# --- hostile responses (hardening findings) ----------------------------------------------

def test_nested_gzip_bomb_is_refused_without_inflating_it(server, no_egress):
    import tracemalloc

    gzip_bomb(nested=True)
    tracemalloc.start()
    try:
        with pytest.raises(FetchError) as err:
            SafeFetcher(allow_private=True).fetch(server.url("/gzip-bomb"))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert err.value.code == "E409" and "gzip, gzip" in err.value.message
    assert peak < 20 * 2**20, f"peak Python allocation {peak:,} bytes"


def test_single_gzip_bomb_stops_at_the_limit(server, no_egress):
    import tracemalloc

    gzip_bomb(nested=False)
    tracemalloc.start()
    try:
        with pytest.raises(ResponseTooLarge, match="after decompression"):
            SafeFetcher(allow_private=True).fetch(server.url("/gzip-single-bomb"))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 30 * 2**20, f"peak Python allocation {peak:,} bytes"  # 5 MB body, a few copies at most


@pytest.mark.parametrize("path", ["/gzip-ok", "/deflate-ok"])
def test_compressed_pages_are_decoded(server, no_egress, path):
    page = SafeFetcher(allow_private=True).fetch(server.url(path))
    assert b"sea wall" in page.body


@pytest.mark.parametrize("path", ["/bad-encoding", "/corrupt-gzip"])
def test_unknown_or_corrupt_encoding_is_refused(server, no_egress, path):
    with pytest.raises(FetchError) as err:
        SafeFetcher(allow_private=True).fetch(server.url(path))
    assert err.value.code == "E409"


@pytest.mark.parametrize("which", ["1", "2", "3"])
def test_malformed_redirect_location_is_a_coded_error(server, no_egress, which):
    r = CliRunner().invoke(main, ["analyze", server.url(f"/bad-location/{which}")], env={ALLOW_ENV: "1"})
    assert r.exit_code == 4, r.output
    assert r.exception is None or isinstance(r.exception, SystemExit), repr(r.exception)
    assert "E401" in r.output or "E408" in r.output
    assert "Traceback" not in r.output


def test_ipv6_loopback_follows_the_allow_setting():
    assert blocked_reason("::1") is not None
    assert blocked_reason("::1", allow_private=True) is None
    assert blocked_reason("::", allow_private=True) is not None  # unspecified stays blocked


@pytest.mark.parametrize(("length", "error"), [(60_000, BlockedAddress), (2_000_000, MalformedURL)])
def test_long_urls_are_shortened_in_messages(no_egress, length, error):
    url = "http://127.0.0.1/" + "a" * length
    with pytest.raises(error) as err:
        SafeFetcher(allow_private=False).fetch(url)
    assert len(err.value.message) < 1000 and "chars)" in err.value.message
