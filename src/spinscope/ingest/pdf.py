"""Text from PDF files (pypdf), rebuilt into paragraphs from the position of each line.

A PDF stores lines, not paragraphs: extracted as it comes, every wrapped line would be a
paragraph of its own. pypdf reports where each piece of text is drawn, so lines are
rebuilt top to bottom, and a line joins the one before it unless the vertical gap between
them is clearly wider than the page's usual line spacing (a paragraph break), the font
size changes (a headline), or the line before ends a sentence well short of the column's
right edge. A hyphen that splits a word at a line end is removed. Where positions cannot
be read, each extracted line stays a paragraph and the article carries a ``layout_note``,
which the pipeline reports as warning ``W107``.
"""

from __future__ import annotations

import io
import logging
import re
import statistics
from dataclasses import dataclass

from spinscope.errors import UnreadableDocument
from spinscope.ingest.text import article_from_text
from spinscope.types import Article

# pypdf logs a warning for every malformed file; the UnreadableDocument we raise says it once.
logging.getLogger("pypdf").setLevel(logging.ERROR)
LAYOUT_NOTE = "layout_note"
PARAGRAPH_GAP = 1.4  # times the usual line spacing
SENTENCE_END = re.compile(r"[.!?:…\"”’)]\s*$")


@dataclass
class _Line:
    y: float
    x: float
    size: float
    text: str


def article_from_pdf(data: bytes, *, article_id: str | None = None, source_url: str | None = None,
                     metadata: dict[str, str] | None = None) -> Article:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise UnreadableDocument("the PDF is encrypted")
        pages = [_page_text(page) for page in reader.pages]
    except UnreadableDocument:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, OSError) as exc:
        raise UnreadableDocument(f"the PDF cannot be read: {exc.__class__.__name__}") from exc
    text = "\n\n".join(p for p, _ in pages if p)
    if not text.strip():
        raise UnreadableDocument("the PDF has no text layer (scanned images need OCR first)")
    unsure = [i + 1 for i, (p, sure) in enumerate(pages) if p and not sure]
    if unsure:
        note = (f"the layout of page(s) {', '.join(map(str, unsure[:10]))} could not be read, so each extracted "
                "line is a paragraph there")
        metadata = {**(metadata or {}), LAYOUT_NOTE: note}
    return article_from_text(text, article_id=article_id, source_url=source_url, metadata=metadata)


def _page_text(page) -> tuple[str, bool]:  # noqa: ANN001 - a pypdf page
    """The page's text with wrapped lines rejoined, and whether its layout could be read."""
    pieces: list[_Line] = []

    def visit(text: str, cm: list[float], tm: list[float], _font: object, size: float) -> None:
        if text.strip():
            # The drawing position is the text matrix placed by the current transformation matrix.
            y = tm[5] * cm[3] + tm[4] * cm[1] + cm[5]
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            pieces.append(_Line(y, x, abs(size * (tm[3] or 1) * (cm[3] or 1)), text))

    plain = (page.extract_text(visitor_text=visit) or "").strip()
    n_plain = sum(1 for line in plain.splitlines() if line.strip())
    if n_plain < 3:
        return plain, True  # too few lines to tell spacing from breaks: pypdf's own text
    lines = _lines(pieces)
    if len(lines) < 0.5 * n_plain or len({round(line.y) for line in lines}) < 3:
        return plain, False  # the heights pypdf reports do not separate the lines
    return _paragraphs(lines), True


def _lines(pieces: list[_Line]) -> list[_Line]:
    """Pieces drawn at the same height become one line, top of the page first."""
    rows: list[_Line] = []
    for p in sorted(pieces, key=lambda p: (-round(p.y, 1), p.x)):
        for part in p.text.split("\n"):
            if not part.strip():
                continue
            if rows and abs(rows[-1].y - p.y) < max(1.0, 0.3 * p.size):
                rows[-1].text = f"{rows[-1].text.rstrip()} {part.strip()}" if rows[-1].text.strip() else part.strip()
            else:
                rows.append(_Line(p.y, p.x, p.size, part.strip()))
    return [r for r in rows if r.text]


def _paragraphs(lines: list[_Line]) -> str:
    gaps = [a.y - b.y for a, b in zip(lines, lines[1:], strict=False) if a.y > b.y]
    spacing = statistics.median(gaps) if gaps else 0.0
    widest = max(len(line.text) for line in lines)
    out = [lines[0].text]
    for prev, line in zip(lines, lines[1:], strict=False):
        gap = prev.y - line.y
        new_block = (gap <= 0 or gap > PARAGRAPH_GAP * spacing or abs(line.size - prev.size) > 0.5
                     or (SENTENCE_END.search(prev.text) and len(prev.text) < 0.8 * widest))
        if new_block:
            out.append(line.text)
        elif out[-1].endswith("-") and line.text[:1].islower():
            out[-1] = out[-1][:-1] + line.text
        else:
            out[-1] = f"{out[-1]} {line.text}"
    return "\n\n".join(out)
