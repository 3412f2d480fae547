"""Renderers: an ``Analysis`` in, a document out (text, JSON, HTML)."""

from spinscope.report.html import render_body, render_html
from spinscope.report.text import render_text
from spinscope.types import Analysis

FORMATS = ("text", "json", "html")


def render(analysis: Analysis, fmt: str) -> str:
    if fmt == "json":
        return analysis.to_json(indent=2) + "\n"
    if fmt == "html":
        return render_html(analysis)
    return render_text(analysis)


__all__ = ["FORMATS", "render", "render_body", "render_html", "render_text"]
