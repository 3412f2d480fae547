"""One entry point for every kind of source: URL, file, standard input, or bytes."""

from __future__ import annotations

import dataclasses
import re
import sys
from pathlib import Path

from spinscope.errors import InputTooLarge, InvalidOption, MalformedURL, MissingFile, UnreadableFile
from spinscope.ingest.fetch import SafeFetcher
from spinscope.ingest.html import article_from_html, declared_charset, looks_like_html
from spinscope.ingest.markdown import markdown_text
from spinscope.ingest.pdf import article_from_pdf
from spinscope.ingest.text import ENCODING_NOTE, MAX_BYTES, article_from_text, decode_noting
from spinscope.types import Article

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
MARKDOWN_TYPES = frozenset({"text/markdown", "text/x-markdown"})
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
# 'data:', 'javascript:', 'mailto:' ...: a scheme without '//'. One letter is a Windows drive.
_OPAQUE_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]+:")


def is_url(source: str) -> bool:
    return bool(_SCHEME.match(source.strip()))


def _http_only(url: str) -> str:
    url = url.strip()
    if not url.lower().startswith(("http://", "https://")):
        raise MalformedURL(f"only http and https URLs can be fetched: {url[:80]!r}")
    return url


def load_url(url: str, *, fetcher: SafeFetcher | None = None, max_bytes: int = MAX_BYTES) -> Article:
    """Fetch an http(s) URL through the SSRF guard. Never reads a local file, whatever the string."""
    page = (fetcher or SafeFetcher()).fetch(_http_only(url))
    return article_from_bytes(page.body, article_id=None, source_url=page.final_url,
                              content_type=page.content_type, charset=page.charset, max_bytes=max_bytes)


def load(*, text: str | None = None, html: str | None = None, url: str | None = None, path: str | Path | None = None,
         article_id: str | None = None, fetcher: SafeFetcher | None = None) -> Article:
    """An ``Article`` from exactly one of ``text``, ``html``, ``url`` or ``path``.

    The one dispatcher behind the CLI, the web API and batch records. ``url`` is
    always fetched (http/https only), never read as a file; ``path`` is only ever a file.
    """
    given = {k: v for k, v in (("text", text), ("html", html), ("url", url), ("path", path)) if v is not None}
    if len(given) != 1:
        raise InvalidOption(f"give exactly one of text, html, url or path (got {', '.join(given) or 'none'})")
    (kind, value), = given.items()
    if not isinstance(value, str) and not (kind == "path" and isinstance(value, Path)):
        raise InvalidOption(f"{kind!r} must be a string, not {type(value).__name__}")
    if kind == "text":
        return article_from_text(value, article_id=article_id)
    if kind == "html":
        return article_from_html(value, article_id=article_id)
    article = load_url(value, fetcher=fetcher) if kind == "url" else read_file(value)
    return article if article_id is None else dataclasses.replace(article, id=article_id)


def article_from_bytes(
    data: bytes,
    *,
    article_id: str | None = None,
    source_url: str | None = None,
    content_type: str | None = None,
    charset: str | None = None,
    max_bytes: int = MAX_BYTES,
    metadata: dict[str, str] | None = None,
) -> Article:
    """Sniff PDF, HTML or plain text (or trust ``content_type``) and extract the article."""
    if content_type == "application/pdf" or data[:5] == b"%PDF-":
        if len(data) > max_bytes:
            raise InputTooLarge(f"input is {len(data):,} bytes; the limit is {max_bytes:,} bytes")
        return article_from_pdf(data, article_id=article_id, source_url=source_url, metadata=metadata)
    text, note = decode_noting(data, max_bytes=max_bytes, declared=charset or declared_charset(data))
    if note:
        metadata = {**(metadata or {}), ENCODING_NOTE: note}
    if content_type in HTML_TYPES or (content_type is None and looks_like_html(text)):
        return article_from_html(text, article_id=article_id, source_url=source_url, metadata=metadata)
    if content_type in MARKDOWN_TYPES:
        text = markdown_text(text)
    return article_from_text(text, article_id=article_id, source_url=source_url, metadata=metadata)


def load_source(source: str | Path, *, fetcher: SafeFetcher | None = None) -> Article:
    """A command-line source: a URL, ``-`` (standard input) or a file path, through ``load``."""
    text_source = str(source)
    if is_url(text_source):
        return load(url=text_source, fetcher=fetcher)
    if text_source == "-":
        data = sys.stdin.buffer.read(MAX_BYTES + 1)
        return article_from_bytes(data, article_id="stdin")
    if _OPAQUE_SCHEME.match(text_source) and not Path(source).exists():
        raise MalformedURL(f"only http and https URLs can be fetched: {text_source[:80]!r}")
    return load(path=source)


def read_file(source: str | Path, *, max_bytes: int = MAX_BYTES) -> Article:
    """An ``Article`` from a file (text, Markdown, HTML or PDF); never fetched, whatever its name."""
    path = Path(source)
    if not path.exists():
        raise MissingFile(f"no such file: {path}")
    if path.is_dir():
        raise MissingFile(f"{path} is a directory; give a file, or use 'spinscope batch' for folders")
    try:
        with path.open("rb") as fh:
            data = fh.read(max_bytes + 1)
    except OSError as exc:
        raise UnreadableFile(f"cannot read {path}: {exc.strerror or exc}") from exc
    suffix = path.suffix.lower()
    content_type = {".pdf": "application/pdf", ".html": "text/html", ".htm": "text/html", ".txt": "text/plain",
                    ".md": "text/markdown", ".markdown": "text/markdown"}.get(suffix)
    return article_from_bytes(data, article_id=path.stem, content_type=content_type, max_bytes=max_bytes,
                              metadata={"path": str(path)})
