"""PDF input: are paragraphs rebuilt, and do detections survive the trip through a PDF?

Each English SemEval test article is typeset into a PDF (a menu line, the title in a larger
font, paragraphs wrapped at 80 characters, a wider gap between paragraphs, new pages as
they fill) with the tests' own PDF writer. Then, for pypdf's plain extraction (each line a
paragraph: spinscope before layout rebuilding; paragraphs as the pipeline cuts them) and for the layout rebuilding that ships:
paragraphs found against the article's own, the share of its paragraphs recovered word
for word, and the agreement of the techniques detected in the article from the PDF with
those detected in the original text (micro-F1 over article x technique).

    python bench/pdf_layout.py [--articles 30]
"""

from __future__ import annotations

import argparse
import sys
import textwrap
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1]))

from tests.ingest.server import layout_pdf  # noqa: E402 - the tests' PDF writer, from the repository root

DATA = Path(__file__).parents[2] / "shared" / "data" / "semeval2023" / "en" / "test-articles-subtask-3"


def typeset(text: str) -> bytes:
    paragraphs = [p.strip() for p in text.split("\n") if p.strip()]
    pages, lines, y = [], [(72, 760, 9, "Home | World | Politics | Opinion")], 730
    for k, para in enumerate(paragraphs):
        size, width = (16, 50) if k == 0 else (11, 80)
        for line in textwrap.wrap(para.encode("ascii", "replace").decode().replace("(", "[").replace(")", "]")
                                  .replace("\\", "/"), width):
            if y < 72:
                pages.append(lines)
                lines, y = [], 740
            lines.append((72, y, size, line))
            y -= size + 3
        y -= 12
    pages.append(lines)
    return layout_pdf(*pages)


def _plain(pdf: bytes) -> str:
    import io

    from pypdf import PdfReader

    return "\n\n".join((p.extract_text() or "").strip() for p in PdfReader(io.BytesIO(pdf)).pages)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=30)
    args = ap.parse_args()
    import spinscope
    from spinscope.ingest.pdf import article_from_pdf
    from spinscope.ingest.text import article_from_text
    from spinscope.segment import paragraphs

    t0 = time.time()
    nlp = spinscope.load()
    files = sorted(DATA.glob("article*.txt"))[: args.articles]
    norm = lambda s: " ".join(s.replace("(", "[").replace(")", "]").replace("\\", "/").split())  # noqa: E731
    rows = {"plain pypdf (each line a paragraph)": [], "layout rebuilt (shipped)": []}
    for f in files:
        original = f.read_text(encoding="utf-8")
        gold_paras = [norm(p.encode("ascii", "replace").decode()) for p in original.split("\n") if p.strip()]
        pdf = typeset(original)
        gold = {s.technique for p in nlp(original).paragraphs for s in p.detected}
        for name, article in (("plain pypdf (each line a paragraph)", article_from_text(_plain(pdf))),
                              ("layout rebuilt (shipped)", article_from_pdf(pdf))):
            paras = [norm(article.text[p.start:p.end]) for p in paragraphs(article.text)]
            got = {s.technique for p in nlp(article).paragraphs for s in p.detected}
            rows[name].append((len(gold_paras), len(paras), len(set(gold_paras) & set(paras)), gold, got))
    print(f"{len(files)} English test articles typeset to PDF")
    print(f"{'extraction':<38}{'paragraphs (gold)':>19}{'found':>8}{'recovered':>11}{'technique F1 vs text':>22}")
    for name, r in rows.items():
        tp = sum(len(g & p) for *_, g, p in r)
        fp = sum(len(p - g) for *_, g, p in r)
        fn = sum(len(g - p) for *_, g, p in r)
        f1 = 2 * tp / max(1, 2 * tp + fp + fn)
        print(f"{name:<38}{sum(x[0] for x in r):>19}{sum(x[1] for x in r):>8}"
              f"{sum(x[2] for x in r) / max(1, sum(x[0] for x in r)):>11.1%}{f1:>22.3f}")
    print(f"\ntotal {time.time() - t0:.0f}s")


if __name__ == "__main__":
    main()
