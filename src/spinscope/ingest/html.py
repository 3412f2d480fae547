"""Main-text extraction from HTML pages with trafilatura.

Navigation, footers, comments and share widgets are dropped; paragraphs stay
one per line. The headline goes on the first line, followed by a blank line,
as in the SemEval articles, so it is analysed like any paragraph.
"""

from __future__ import annotations

import re

from spinscope.errors import NoArticleText
from spinscope.ingest.text import article_from_text
from spinscope.types import Article

# Fewer words than this is a navigation stub or an error page, not an article.
MIN_ARTICLE_WORDS = 10
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


def declared_charset(data: bytes) -> str | None:
    """The charset an HTML document declares in a ``<meta>`` tag, if any."""
    m = _META_CHARSET.search(data[:4096])
    return m.group(1).decode("ascii") if m else None


def looks_like_html(text: str) -> bool:
    head = text[:2048].lstrip().lower()
    return head.startswith(("<!doctype html", "<html")) or bool(re.search(r"<(body|article|p|div)[\s>]", head))


def article_from_html(html: str, *, article_id: str | None = None, source_url: str | None = None,
                      metadata: dict[str, str] | None = None) -> Article:
    """Extract the article from a page; ``NoArticleText`` if there is none."""
    import trafilatura

    try:
        doc = trafilatura.bare_extraction(
            html, url=source_url, with_metadata=True, include_comments=False, include_tables=False,
            favor_precision=True,
        )
        fields = doc.as_dict() if doc is not None else {}
    except Exception as exc:  # noqa: BLE001 - trafilatura raises many parser errors; all mean "no article"
        raise NoArticleText(f"the page could not be parsed as HTML: {exc.__class__.__name__}") from exc
    body = fields.get("text") or ""
    n_words = len(body.split())
    if n_words < MIN_ARTICLE_WORDS:
        raise NoArticleText(f"no article text could be extracted from the page (found {n_words} words of text)")
    title = (fields.get("title") or "").strip()
    meta = dict(metadata or {})
    for key in ("author", "date", "sitename"):
        value = fields.get(key)
        if value:
            meta[key] = str(value)
    text = f"{title}\n\n{body}" if title and not body.startswith(title) else body
    return article_from_text(text, article_id=article_id, source_url=source_url, metadata=meta)
