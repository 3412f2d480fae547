"""Main-text extraction from HTML pages with trafilatura.

Navigation, footers, comments and share widgets are dropped; paragraphs stay
one per line. The headline goes on the first line, followed by a blank line,
as in the SemEval articles, so it is analysed like any paragraph.
"""

from __future__ import annotations

import re

from spinscope.errors import NoArticleText
from spinscope.ingest.text import article_from_text
from spinscope.segment.words import word_count
from spinscope.types import Article

# Fewer words than this is a navigation stub or an error page, not an article.
MIN_ARTICLE_WORDS = 10
# lxml and htmldate slow down quadratically on elements with huge attribute lists
# (100,000 attributes took minutes). Real pages stay far below this.
MAX_ATTRIBUTES = 256
# Pages with more elements than this are refused rather than walked by every extractor.
MAX_ELEMENTS = 200_000
# libxml2 stops reading a page at 256 levels of nesting, 2,048 with XML_PARSE_HUGE (lxml's
# huge_tree). Pages past the first are parsed again with the second: 300 unclosed <font> tags
# lost every paragraph after them, and 300 nested <div>s the whole article.
DEFAULT_DEPTH, HUGE_DEPTH = 256, 2048
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_LONG_TAG = re.compile(r"<([A-Za-z][A-Za-z0-9:-]*)(\s[^<>]{2048,})>")


def declared_charset(data: bytes) -> str | None:
    """The charset an HTML document declares in a ``<meta>`` tag, if any."""
    m = _META_CHARSET.search(data[:4096])
    return m.group(1).decode("ascii") if m else None


def looks_like_html(text: str) -> bool:
    head = text[:2048].lstrip().lower()
    return head.startswith(("<!doctype html", "<html")) or bool(re.search(r"<(body|article|p|div)[\s>]", head))


def screen_markup(html: str) -> tuple[str, int]:
    """Drop the attributes of tags that carry more than ``MAX_ATTRIBUTES`` of them.

    A linear regex pass, before any parser sees the page. Returns the page and the number
    of tags stripped. Text is untouched, so extraction is unaffected on real pages.
    """
    stripped = 0

    def strip(m: re.Match[str]) -> str:
        nonlocal stripped
        attrs = m.group(2)  # attributes need no space between them: count '=' too
        if max(len(attrs.split()), attrs.count("=")) <= MAX_ATTRIBUTES:
            return m.group(0)
        stripped += 1
        return f"<{m.group(1)}>"

    return _LONG_TAG.sub(strip, html), stripped


def _parse(html: str):  # -> lxml.html.HtmlElement
    from trafilatura.utils import load_html

    tree = load_html(html)
    if tree is None:
        raise NoArticleText("the page could not be parsed as HTML")
    if _depth(tree, DEFAULT_DEPTH) >= DEFAULT_DEPTH:
        tree = _parse_deep(html)
    n_elements = sum(1 for _ in tree.iter())
    if n_elements > MAX_ELEMENTS:
        raise NoArticleText(f"the page has {n_elements:,} elements; pages over {MAX_ELEMENTS:,} are refused")
    return tree


def _depth(tree, stop: int) -> int:  # noqa: ANN001 - lxml element
    """How deep ``tree`` nests (the root is 1), counted up to ``stop``."""
    from lxml import etree

    depth = deepest = 0
    for event, _ in etree.iterwalk(tree, events=("start", "end")):
        depth += 1 if event == "start" else -1
        deepest = max(deepest, depth)
        if deepest >= stop:
            break
    return deepest


def _parse_deep(html: str):  # -> lxml.html.HtmlElement
    """The page parsed again with trafilatura's parser settings and libxml2's deeper limit (``huge_tree``)."""
    from lxml.html import HTMLParser, fromstring

    parser = HTMLParser(huge_tree=True, collect_ids=False, default_doctype=False, encoding="utf-8",
                        remove_comments=True, remove_pis=True)
    tree = fromstring(html.encode("utf-8"), parser=parser)
    if _depth(tree, HUGE_DEPTH) >= HUGE_DEPTH:
        raise NoArticleText(f"the page nests its elements {HUGE_DEPTH:,} levels deep or more; "
                            "the text past that depth cannot be read")
    return tree


def _fallback_title(tree) -> str:  # noqa: ANN001 - lxml element
    for xpath in ('//meta[@property="og:title"]/@content', "//title/text()", "//h1//text()"):
        found = " ".join(str(x).strip() for x in tree.xpath(xpath)[:1]).strip()
        if found:
            return found
    return ""


def extract(html: str, source_url: str | None) -> tuple[str, dict[str, str], int]:
    """Title, trafilatura's fields (text, title, author, date, sitename) and the count of tags stripped.

    Pure, and run in a child process with a deadline (``ingest.budget``) by ``article_from_html``.
    """
    import trafilatura

    html, stripped = screen_markup(html)
    try:
        tree = _parse(html)
        title = _fallback_title(tree)
        doc = trafilatura.bare_extraction(
            tree, url=source_url, with_metadata=True, include_comments=False, include_tables=False,
            favor_precision=True, date_extraction_params={"extensive_search": False, "original_date": True},
        )
        fields = doc.as_dict() if doc is not None else {}
    except NoArticleText:
        raise
    except Exception as exc:  # noqa: BLE001 - trafilatura raises many parser errors; all mean "no article"
        raise NoArticleText(f"the page could not be parsed as HTML: {exc.__class__.__name__}") from exc
    keep = {k: str(fields[k]) for k in ("text", "title", "author", "date", "sitename") if fields.get(k)}
    return title, keep, stripped


def article_from_html(html: str, *, article_id: str | None = None, source_url: str | None = None,
                      metadata: dict[str, str] | None = None) -> Article:
    """Extract the article from a page; ``NoArticleText`` if there is none, ``ExtractionTimeout`` past the budget.

    The page is screened for pathological markup, then parsed once; trafilatura and its
    date and metadata extractors all work on that one tree, in a child process that is
    killed if it runs past the time budget.
    """
    import trafilatura  # noqa: F401 - imported here, so each forked child inherits it instead of importing

    from spinscope.ingest.budget import run_with_budget

    title, fields, stripped = run_with_budget(extract, html, source_url)
    body = fields.get("text") or ""
    n_words = word_count(body)
    if n_words < MIN_ARTICLE_WORDS:
        raise NoArticleText(f"no article text could be extracted from the page (found {n_words} words of text)")
    title = (fields.get("title") or title).strip()
    meta = dict(metadata or {})
    for key in ("author", "date", "sitename"):
        value = fields.get(key)
        if value and key not in meta:  # what the user gave (a batch column) wins over what the page says
            meta[key] = value
    if stripped:
        meta["markup_tags_stripped"] = str(stripped)
    text = f"{title}\n\n{body}" if title and not body.startswith(title) else body
    return article_from_text(text, article_id=article_id, source_url=source_url, metadata=meta, title=title or None)
