"""Text from PDF files (pypdf), one line per extracted line, pages separated by a blank line."""

from __future__ import annotations

import io
import logging

from spinscope.errors import UnreadableDocument
from spinscope.ingest.text import article_from_text
from spinscope.types import Article

# pypdf logs a warning for every malformed file; the UnreadableDocument we raise says it once.
logging.getLogger("pypdf").setLevel(logging.ERROR)


def article_from_pdf(data: bytes, *, article_id: str | None = None, source_url: str | None = None,
                     metadata: dict[str, str] | None = None) -> Article:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise UnreadableDocument("the PDF is encrypted")
        pages = [(page.extract_text() or "").strip() for page in reader.pages]
    except UnreadableDocument:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, OSError) as exc:
        raise UnreadableDocument(f"the PDF cannot be read: {exc.__class__.__name__}") from exc
    text = "\n\n".join(p for p in pages if p)
    if not text.strip():
        raise UnreadableDocument("the PDF has no text layer (scanned images need OCR first)")
    return article_from_text(text, article_id=article_id, source_url=source_url, metadata=metadata)
