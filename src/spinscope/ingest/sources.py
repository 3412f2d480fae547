"""One entry point for every kind of source: URL, file, standard input, or bytes."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from spinscope.errors import InputTooLarge, MalformedURL, MissingFile
from spinscope.ingest.fetch import SafeFetcher
from spinscope.ingest.html import article_from_html, declared_charset, looks_like_html
from spinscope.ingest.pdf import article_from_pdf
from spinscope.ingest.text import MAX_BYTES, article_from_text, decode
from spinscope.types import Article

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def is_url(source: str) -> bool:
    return bool(_SCHEME.match(source.strip()))


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
    text = decode(data, max_bytes=max_bytes, declared=charset or declared_charset(data))
    if content_type in HTML_TYPES or (content_type is None and looks_like_html(text)):
        return article_from_html(text, article_id=article_id, source_url=source_url, metadata=metadata)
    return article_from_text(text, article_id=article_id, source_url=source_url, metadata=metadata)


def load_source(source: str | Path, *, fetcher: SafeFetcher | None = None, max_bytes: int = MAX_BYTES) -> Article:
    """An ``Article`` from a URL, a file path, or ``-`` (standard input)."""
    text_source = str(source)
    if is_url(text_source):
        if not text_source.lower().startswith(("http://", "https://")):
            raise MalformedURL(f"only http and https URLs can be fetched: {text_source[:80]!r}")
        page = (fetcher or SafeFetcher()).fetch(text_source)
        return article_from_bytes(page.body, article_id=None, source_url=page.final_url,
                                  content_type=page.content_type, charset=page.charset, max_bytes=max_bytes)
    if text_source == "-":
        data = sys.stdin.buffer.read(max_bytes + 1)
        return article_from_bytes(data, article_id="stdin", max_bytes=max_bytes)
    path = Path(source)
    if not path.exists():
        raise MissingFile(f"no such file: {path}")
    if path.is_dir():
        raise MissingFile(f"{path} is a directory; give a file, or use 'spinscope batch' for folders")
    with path.open("rb") as fh:
        data = fh.read(max_bytes + 1)
    suffix = path.suffix.lower()
    content_type = {".pdf": "application/pdf", ".html": "text/html", ".htm": "text/html"}.get(suffix)
    if content_type is None and suffix in (".txt", ".md"):
        content_type = "text/plain"
    return article_from_bytes(data, article_id=path.stem, content_type=content_type, max_bytes=max_bytes,
                              metadata={"path": str(path)})
