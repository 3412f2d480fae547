"""Report formats by name: the built-in ones, and any another package registers.

The CLI's ``--format`` choices and the API's ``/v1/render/{format}`` both read this
registry, so a format exists everywhere or nowhere. A package adds one with an entry
point in the ``spinscope.formats`` group naming a ``Format``.
"""

from __future__ import annotations

import csv
import io
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


CLAIMS_CSV_COLUMNS = ("text", "checkworthiness", "kind", "source", "cue", "paragraph", "start", "end")


def _cell(text: str) -> str:
    """Article text as a CSV cell a spreadsheet will not run: formulas start with = + - @."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _claims_csv(analysis: Analysis) -> str:
    """One row per check-worthy claim, for fact-checkers' spreadsheets."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(CLAIMS_CSV_COLUMNS)
    number = {s.start: p for s in analysis.sentences for p in [s.paragraph]}
    readers = {p.paragraph.index: n for n, p in enumerate(analysis.paragraphs, start=1)}
    for c in analysis.checkworthy_claims:
        ref = c.attribution
        a = analysis.attributions[ref.index] if ref is not None and ref.index is not None else None
        w.writerow([_cell(" ".join(c.text.split())), f"{c.checkworthiness:.4f}", ref.kind if ref else "none",
                    _cell(a.source.text) if a and a.source else "", _cell(a.cue.text) if a and a.cue else "",
                    readers.get(number.get(c.start, 0), ""), c.start, c.end])
    return out.getvalue()


BUILT_IN = (
    Format("text", "text/plain; charset=utf-8", render_text, "a readable terminal report"),
    Format("json", "application/json", _json, "the Analysis document (schema/analysis.schema.json)"),
    Format("html", "text/html; charset=utf-8", render_html, "a standalone HTML page"),
    Format("claims-csv", "text/csv; charset=utf-8", _claims_csv,
           "one row per check-worthy claim: text, checkworthiness, kind, source, cue, paragraph (1..n), offsets"),
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
