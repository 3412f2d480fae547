"""A loopback-only HTTP server for fetch tests, and a guard that fails any non-loopback connect."""

from __future__ import annotations

import gzip
import ipaddress
import socket
import threading
import time
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

PAGE = (Path(__file__).parents[1] / "fixtures" / "news-page.html").read_bytes()


def _gzip(data: bytes) -> bytes:
    return gzip.compress(data, compresslevel=9, mtime=0)


_BOMBS: dict[str, bytes] = {}


def gzip_bomb(nested: bool = True) -> bytes:
    """Nested: 1 GiB of zeros gzipped twice, about 2 kB. Single: 50 MB of zeros gzipped once.
    Built once and cached, so tests can build them before measuring memory."""
    key = "nested" if nested else "single"
    if key not in _BOMBS:
        inner = zlib.compressobj(9, zlib.DEFLATED, 31)
        block = bytes(1 << 20)
        once = b"".join(inner.compress(block) for _ in range(1024 if nested else 50)) + inner.flush()
        _BOMBS[key] = _gzip(once) if nested else once
    return _BOMBS[key]


def minimal_pdf(text: str) -> bytes:
    """A one-page PDF whose content stream draws ``text`` (ASCII), with a correct xref table."""
    return layout_pdf([(72, 720, 12, text)])


def layout_pdf(*pages: list[tuple[float, float, float, str]]) -> bytes:
    """A PDF with one page per argument, drawing each (x, y, font size, ASCII text) line where it says."""
    n = len(pages)
    # Objects: 1 catalog, 2 page tree, 3 font, then a page and its content stream per page.
    kids = " ".join(f"{4 + 2 * i} 0 R" for i in range(n))
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", f"<< /Type /Pages /Kids [{kids}] /Count {n} >>".encode(),
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    for i, lines in enumerate(pages):
        stream = " ".join(f"BT /F1 {size} Tf {x} {y} Td ({text}) Tj ET" for x, y, size, text in lines).encode()
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {5 + 2 * i} 0 R "
                       f"/Resources << /Font << /F1 3 0 R >> >> >>".encode())
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for k, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % k + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):  # keep test output quiet
        pass

    def _send(self, status: int, body: bytes = b"", ctype: str = "text/html; charset=utf-8", headers=()):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def _redirect(self, location: str):
        self._send(302, b"", headers=[("Location", location)])

    def do_GET(self):  # noqa: N802 - http.server API
        p = self.path
        port = self.server.server_address[1]
        if p == "/article.html":
            self._send(200, PAGE)
        elif p == "/plain.txt":
            self._send(200, b"Plain headline\n\nA plain paragraph.\nExit mobile version\n", "text/plain")
        elif p == "/notes.md":
            self._send(200, b"# Markdown headline\n\nA **bold** paragraph with [a link](https://example.org).\n",
                       "text/markdown; charset=utf-8")
        elif p == "/doc.pdf":
            self._send(200, minimal_pdf("The mayor promised a bold new plan."), "application/pdf")
        elif p == "/latin1.html":
            body = "<html><body><article><p>Caf\u00e9 owners in Lille protested against the new tax on terraces, "
            body += "which they call unfair and ruinous for small businesses.</p></article></body></html>"
            self._send(200, body.encode("latin-1"), "text/html; charset=iso-8859-1")
        elif p == "/redirect":
            self._redirect("/article.html")
        elif p == "/loop-a":
            self._redirect("/loop-b")
        elif p == "/loop-b":
            self._redirect("/loop-a")
        elif p.startswith("/chain/"):
            self._redirect(f"/chain/{int(p.rsplit('/', 1)[1]) + 1}")
        elif p == "/to-loopback":
            self._redirect(f"http://127.0.0.1:{port}/article.html")
        elif p == "/missing":
            self._send(404, b"not found")
        elif p == "/broken":
            self._send(500, b"oops")
        elif p == "/slow":
            time.sleep(1.5)
            self._send(200, PAGE)
        elif p == "/big":
            self._send(200, b"<p>" + b"x" * 20000 + b"</p>")
        elif p == "/big-unannounced":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            for _ in range(40):
                self.wfile.write(b"y" * 1000)
        elif p == "/gzip-bomb":
            self._send(200, gzip_bomb(), headers=[("Content-Encoding", "gzip, gzip")])
        elif p == "/gzip-single-bomb":  # one layer, 50 MB of zeros inside
            self._send(200, gzip_bomb(nested=False), headers=[("Content-Encoding", "gzip")])
        elif p == "/gzip-ok":
            self._send(200, _gzip(PAGE), headers=[("Content-Encoding", "gzip")])
        elif p == "/deflate-ok":
            self._send(200, zlib.compress(PAGE), headers=[("Content-Encoding", "deflate")])
        elif p == "/bad-encoding":
            self._send(200, PAGE, headers=[("Content-Encoding", "compress")])
        elif p == "/corrupt-gzip":
            self._send(200, b"\x1f\x8b\x08\x00garbage", headers=[("Content-Encoding", "gzip")])
        elif p.startswith("/bad-location/"):
            which = p.rsplit("/", 1)[1]
            self._redirect({"1": "http:foo", "2": "http:\\\\127.0.0.1\\x", "3": "http://[::1"}[which])
        elif p == "/image.png":
            self._send(200, b"\x89PNG....", "image/png")
        elif p == "/empty.html":
            self._send(200, b"<html><body><nav><a href='/'>Home</a></nav></body></html>")
        else:
            self._send(404, b"no route")


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address):  # clients that give up (timeouts) are expected
        pass


class LocalServer:
    def __enter__(self) -> LocalServer:
        self.httpd = _QuietServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()
        return self

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def _is_loopback(address) -> bool:
    host = address[0] if isinstance(address, tuple) else address
    try:
        return ipaddress.ip_address(str(host).split("%")[0]).is_loopback
    except ValueError:
        return False


class NoEgress:
    """Patches sockets so any connect or name lookup outside loopback fails and is recorded.

    Even if the SSRF guard had a bug, no packet could leave this machine.
    """

    def __init__(self, monkeypatch) -> None:
        self.connects: list = []
        self.violations: list = []
        real_getaddrinfo = socket.getaddrinfo

        def guarded(real):
            def connect(sock, address):
                self.connects.append(address)
                if sock.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(address):
                    self.violations.append(address)
                    raise AssertionError(f"test tried to connect outside loopback: {address}")
                return real(sock, address)

            return connect

        def getaddrinfo(host, *args, **kwargs):
            name = host.decode() if isinstance(host, bytes) else str(host)
            try:
                ipaddress.ip_address(name.split("%")[0])
            except ValueError:
                if name != "localhost":
                    self.violations.append(name)
                    raise AssertionError(f"test tried a DNS lookup: {name}") from None
            return real_getaddrinfo(host, *args, **kwargs)

        monkeypatch.setattr(socket.socket, "connect", guarded(socket.socket.connect))
        monkeypatch.setattr(socket.socket, "connect_ex", guarded(socket.socket.connect_ex))
        monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
