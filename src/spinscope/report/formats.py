"""Report formats by name: the built-in ones, and any another package registers.

The CLI's ``--format`` choices and the API's ``/v1/render/{format}`` both read this
registry, so a format exists everywhere or nowhere. A package adds one with an entry
point in the ``spinscope.formats`` group naming a ``Format``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import entry_points

from spinscope.errors import UnknownFormat
from spinscope.report.html import render_html
from spinscope.report.text import render_text
from spinscope.types import Analysis

GROUP = "spinscope.formats"


@dataclass(frozen=True, slots=True)
class Format:
    name: str
    media_type: str
    render: Callable[[Analysis], str]
    description: str = ""


def _json(analysis: Analysis) -> str:
    return analysis.to_json(indent=2) + "\n"


BUILT_IN = (
    Format("text", "text/plain; charset=utf-8", render_text, "a readable terminal report"),
    Format("json", "application/json", _json, "the Analysis document (schema/analysis.schema.json)"),
    Format("html", "text/html; charset=utf-8", render_html, "a standalone HTML page"),
)


def formats() -> dict[str, Format]:
    found = {f.name: f for f in BUILT_IN}
    for ep in entry_points(group=GROUP):
        if ep.name not in found:
            found[ep.name] = ep.load()
    return found


def get_format(name: str) -> Format:
    known = formats()
    if name not in known:
        raise UnknownFormat(f"unknown report format {name!r}; known: {', '.join(known)}")
    return known[name]


def render(analysis: Analysis, fmt: str) -> str:
    return get_format(fmt).render(analysis)
