"""Renderers: an ``Analysis`` in, a document out. ``formats`` is the registry of them."""

from spinscope.report.formats import Format, get_format, render
from spinscope.report.html import render_body, render_html
from spinscope.report.text import render_text

__all__ = ["Format", "get_format", "render", "render_body", "render_html", "render_text"]
