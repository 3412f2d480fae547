"""Ingestion: bytes, files and text in; a clean ``Article`` out."""

from spinscope.ingest.boilerplate import strip_boilerplate
from spinscope.ingest.text import MAX_BYTES, article_from_text, decode, read_article

__all__ = ["MAX_BYTES", "article_from_text", "decode", "read_article", "strip_boilerplate"]
