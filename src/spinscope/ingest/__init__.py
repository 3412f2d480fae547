"""Ingestion: URLs, files, bytes and text in; a clean ``Article`` out."""

from spinscope.ingest.boilerplate import strip_boilerplate
from spinscope.ingest.fetch import FetchLimits, SafeFetcher
from spinscope.ingest.sources import article_from_bytes, is_url, load, load_source, load_url
from spinscope.ingest.text import MAX_BYTES, article_from_text, decode, open_text

__all__ = [
    "MAX_BYTES", "FetchLimits", "SafeFetcher", "article_from_bytes", "article_from_text", "decode", "is_url",
    "load", "load_source", "load_url", "open_text", "strip_boilerplate",
]
