"""PDF layout: wrapped lines become paragraphs again; unreadable layout is said, not hidden."""

from spinscope.ingest import pdf
from spinscope.ingest.pdf import LAYOUT_NOTE, article_from_pdf
from tests.ingest.server import layout_pdf


def _article_lines():
    lines = [(72, 760, 9, "Home | World | Politics | Subscribe"), (72, 730, 18, "Council Votes to Close the Library")]
    y = 700
    for para in (["The council voted on Tuesday to close the central", "library, a decision that critics called short-",
                  "sighted and cruel."],
                 ["Officials said the building would be sold. The", "mayor did not respond to questions."]):
        for line in para:
            lines.append((72, y, 11, line))
            y -= 14
        y -= 12  # the wider gap between paragraphs
    return lines


def test_wrapped_lines_are_rejoined_into_paragraphs_and_the_menu_dropped():
    a = article_from_pdf(layout_pdf(_article_lines()))
    paragraphs = [p.strip() for p in a.text.split("\n\n") if p.strip()]
    assert paragraphs == [
        "Council Votes to Close the Library",
        "The council voted on Tuesday to close the central library, a decision that critics called shortsighted and "
        "cruel.",
        "Officials said the building would be sold. The mayor did not respond to questions.",
    ]
    assert LAYOUT_NOTE not in a.metadata


def test_a_page_without_usable_positions_keeps_its_lines_and_says_so(monkeypatch, pipeline):
    class FlatPage:  # every line reported at the same height: no layout to rebuild from
        def extract_text(self, visitor_text=None):
            for t in ("first line", "second line", "third line"):
                visitor_text(t, [1, 0, 0, 1, 0, 0], [1, 0, 0, 1, 72, 700], None, 11)
            return "first line\nsecond line\nthird line"

    text, sure = pdf._page_text(FlatPage())
    assert (text, sure) == ("first line\nsecond line\nthird line", False)
    monkeypatch.setattr(pdf, "_page_text", lambda page: (text, False))
    a = article_from_pdf(layout_pdf(_article_lines()))
    assert "page(s) 1" in a.metadata[LAYOUT_NOTE]
    assert any(w.code == "W107" for w in pipeline(a).warnings)
