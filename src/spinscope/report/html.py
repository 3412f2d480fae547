"""Standalone HTML report. Every piece of article text goes through ``html.escape``.

Spans are rendered as nested, non-overlapping segments: the text is cut at
every span boundary and each segment lists all spans that cover it, so
overlapping techniques stay readable.
"""

from __future__ import annotations

import html

from spinscope.report.summary import summarize
from spinscope.taxonomy import CATEGORIES, category_of, technique
from spinscope.types import Analysis, TechniqueSpan

# Okabe-Ito palette: distinguishable with the common colour-vision deficiencies.
CATEGORY_COLOURS = {
    "attack_on_reputation": "#D55E00",
    "justification": "#0072B2",
    "simplification": "#009E73",
    "distraction": "#CC79A7",
    "call": "#E69F00",
    "manipulative_wording": "#56B4E9",
}

_CSS = """
body{font:16px/1.6 system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;color:#111}
h1{font-size:1.4rem} .meta{color:#444} .para{margin:0 0 1rem} .idx{color:#888;font-size:.8rem;margin-right:.4rem}
mark{background:none;border-bottom:3px solid var(--c);padding:0 1px;cursor:help}
mark.multi{border-bottom-style:double}
.legend span{display:inline-block;margin:0 .8rem .3rem 0}
.swatch{display:inline-block;width:1rem;height:.6rem;margin-right:.3rem;background:var(--c)}
table{border-collapse:collapse} td,th{padding:.15rem .6rem;text-align:left;border-bottom:1px solid #ddd}
.warn{color:#8a4b00}
"""


def _e(s: str) -> str:
    return html.escape(s, quote=True)


def _tooltip(spans: list[TechniqueSpan]) -> str:
    return "\n".join(
        f"{technique(s.technique).label} ({s.confidence:.0%}): {technique(s.technique).definition}" for s in spans
    )


def _paragraph_html(text: str, start: int, end: int, spans: list[TechniqueSpan]) -> str:
    cuts = sorted({start, end} | {max(start, min(end, p)) for s in spans for p in (s.start, s.end)})
    out = []
    for a, b in zip(cuts, cuts[1:], strict=False):
        covering = [s for s in spans if s.start <= a and b <= s.end and s.start < s.end]
        chunk = _e(text[a:b])
        if not covering:
            out.append(chunk)
            continue
        colour = CATEGORY_COLOURS[category_of(covering[0].technique).name]
        names = " ".join(s.technique for s in covering)
        cls = ' class="multi"' if len(covering) > 1 else ""
        out.append(
            f'<mark{cls} style="--c:{colour}" data-techniques="{_e(names)}" '
            f'title="{_e(_tooltip(covering))}">{chunk}</mark>'
        )
    return "".join(out)


def render_html(analysis: Analysis) -> str:
    a = analysis.article
    s = summarize(analysis)
    title = a.title or a.id
    parts = [
        "<!doctype html>",
        '<html lang="' + _e(a.language or "und") + '"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width,initial-scale=1">',
        f"<title>spinscope: {_e(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{_e(title)}</h1>",
        f'<p class="meta">Genre: <b>{_e(analysis.genre.label)}</b> '
        f"({analysis.genre.scores[analysis.genre.label]:.0%}) · Language: {_e(a.language or 'unknown')} · "
        f"Model: {_e(analysis.model.name)} v{_e(analysis.model.version)}</p>",
        "<p class=\"meta\">Frames: "
        + (_e(", ".join(f"{f.frame} ({f.confidence:.0%})" for f in analysis.detected_frames)) or "none detected")
        + "</p>",
    ]
    parts += [f'<p class="warn">{_e(w)}</p>' for w in analysis.warnings]
    parts.append(
        f"<p>{s.detections} technique detections in {s.paragraphs_flagged} of {s.paragraphs} paragraphs "
        f"({s.density_per_100_words} per 100 words).</p>"
    )
    if s.by_technique:
        parts.append("<table><tr><th>Technique</th><th>Category</th><th>Paragraphs</th></tr>")
        for name, n in s.by_technique:
            parts.append(
                f"<tr><td>{_e(technique(name).label)}</td><td>{_e(category_of(name).label)}</td><td>{n}</td></tr>"
            )
        parts.append("</table>")
    parts.append('<p class="legend">')
    parts += [
        f'<span><i class="swatch" style="--c:{CATEGORY_COLOURS[c.name]}"></i>{_e(c.label)}</span>' for c in CATEGORIES
    ]
    parts.append("</p><article>")
    for p in analysis.paragraphs:
        para = p.paragraph
        parts.append(
            f'<p class="para" id="p{para.index}"><span class="idx">¶{para.index}</span>'
            f"{_paragraph_html(a.text, para.start, para.end, list(p.spans))}</p>"
        )
    parts.append("</article></body></html>")
    return "\n".join(parts) + "\n"
