"""The standalone report for screen-reader and keyboard users (parsed, not string-matched)."""

import re
from html.parser import HTMLParser

from spinscope.report import render
from spinscope.taxonomy import technique


class _Tree(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.text_by_id: dict[str, str] = {}
        self._open: list[str | None] = []

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        self.elements.append((tag, a))
        self._open.append(a.get("id"))
        if a.get("id"):
            self.text_by_id.setdefault(a["id"], "")

    def handle_endtag(self, tag):
        if self._open:
            self._open.pop()

    def handle_data(self, data):
        for i in self._open:
            if i:
                self.text_by_id[i] += data


def _parse(doc: str) -> _Tree:
    t = _Tree()
    t.feed(doc)
    return t


def test_every_highlight_is_described_and_listed(pipeline, op_ed_text):
    analysis = pipeline(op_ed_text)
    tree = _parse(render(analysis, "html"))
    marks = [a for tag, a in tree.elements if tag == "mark"]
    assert marks and all(m.get("aria-describedby") for m in marks)
    labels = {technique(s.technique).label for s in analysis.spans}
    for m in marks:
        for ref in m["aria-describedby"].split():
            desc = tree.text_by_id[ref]
            assert any(label in desc for label in labels) and "%" in desc, desc
    # One Tab stop per detection start, each with its own id.
    stops = [m for m in marks if m.get("tabindex") == "0"]
    assert all(m.get("id") for m in stops) and len(stops) <= len(analysis.spans)
    # The detection list links to the highlights' own ids, every detection once.
    mark_ids = {m["id"] for m in marks if m.get("id")}
    links = [a["href"][1:] for tag, a in tree.elements if tag == "a" and re.fullmatch(r"#d\d+", a.get("href", ""))]
    assert len(links) == len(analysis.spans) and set(links) <= mark_ids


def test_language_sits_on_the_article_and_the_page_has_one_main(pipeline):
    analysis = pipeline("Die korrupte Regierung lügt uns immer wieder an.\n\nWir müssen jetzt handeln!", language="de")
    tree = _parse(render(analysis, "html"))
    assert ("html", {"lang": "en"}) in tree.elements
    article = next(a for tag, a in tree.elements if tag == "article")
    assert article["lang"] == "de" and article["id"] == "article-text"
    assert [tag for tag, _ in tree.elements].count("main") == 1
    assert any(tag == "a" and a.get("href") == "#article-text" for tag, a in tree.elements) or not analysis.spans


def test_cue_words_are_bold_inside_their_highlight(pipeline):
    import dataclasses

    text = "Intro line here.\n\nThe council's vile & rotten plan <b>failed</b> the town."
    a = pipeline(text)
    para = next(p for p in a.paragraphs if p.paragraph.index == 3)
    start = para.paragraph.start
    span = dataclasses.replace(next(iter(para.spans), None) or _span(text, start), cues=("rotten", "vile", "<b>failed", "absent"))
    marked = dataclasses.replace(a, paragraphs=tuple(
        dataclasses.replace(p, spans=(span,)) if p is para else p for p in a.paragraphs))
    out = render(marked, "html")
    assert out.count('<strong class="cue">') == 3  # a cue not found as a whole word ("absent") is not shown
    assert re.search(r'<mark [^>]*>(<span [^>]*>)+<strong class="cue">vile</strong>', out)
    assert '<strong class="cue">&lt;b&gt;failed</strong>' in out and "<b>failed" not in out


def _span(text, start):
    from spinscope.types import TechniqueSpan

    return TechniqueSpan("Loaded_Language", start, len(text), 0.5, text[start:], 3)
