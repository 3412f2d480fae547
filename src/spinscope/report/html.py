"""The one HTML renderer: the standalone report and the web page both use ``render_body``.

Every piece of article text goes through ``html.escape``. Spans become
non-overlapping segments: the text is cut at every span boundary and each
segment lists all spans covering it, so overlapping techniques stay readable.
Colours come from classes (``cat-<category>``) in ``static/report.css``, so the
page can forbid inline styles in its Content-Security-Policy.
"""

from __future__ import annotations

import html
from pathlib import Path

from spinscope.report.summary import (
    ARTICLE_NOTICE,
    SPAN_NOTICE,
    TARGETS_NOTICE,
    article_techniques,
    extension_sections,
    genre_note,
    sourcing_summary,
    summarize,
    targets,
)
from spinscope.segment.words import find_word
from spinscope.taxonomy import CATEGORIES, category_of, frame, technique
from spinscope.types import Analysis, TechniqueSpan

STYLESHEET = Path(__file__).parent / "static" / "report.css"


def _e(s: str) -> str:
    return html.escape(s, quote=True)


def _tooltip(spans: list[TechniqueSpan]) -> str:
    parts = []
    for s in spans:
        info = technique(s.technique)
        over = f", over the {s.threshold:.0%} threshold" if s.threshold is not None else ""
        # The span's own explanation (definition, then why this text) where the detector wrote one.
        why = s.explanation.split(": ", 1)[-1] if s.explanation else info.definition
        parts.append(f"{info.label} ({s.confidence:.0%} probability{over}): {why}\n“{s.text[:160]}”")
    return "\n\n".join(parts)


def _paragraph_html(text: str, start: int, end: int, spans: list[TechniqueSpan],
                    claims: tuple[tuple[int, int, str], ...] = (), ids: dict[TechniqueSpan, str] | None = None) -> str:
    """Technique marks, and around them the check-worthy claims' ``claim`` spans (start, end, kind).

    The mark where a detection starts carries its id (``ids``) and is its one Tab stop; every
    mark is described (``aria-describedby``) by the short descriptions of all it covers.
    """
    ids = ids or {}
    cues = _cue_ranges(text, spans)
    bounds = [p for s in spans for p in (s.start, s.end)] + [p for c in claims for p in c[:2]] + \
        [p for c in cues for p in c]
    cuts = sorted({start, end} | {max(start, min(end, p)) for p in bounds})
    out = []
    for a, b in zip(cuts, cuts[1:], strict=False):
        covering = [s for s in spans if s.start <= a and b <= s.end and s.start < s.end]
        chunk = _e(text[a:b])
        if any(c0 <= a and b <= c1 for c0, c1 in cues):
            chunk = f'<strong class="cue">{chunk}</strong>'
        if covering:
            cats = [category_of(s.technique).name for s in covering]
            classes = " ".join(dict.fromkeys(f"cat-{c}" for c in cats)) + (" multi" if len(covering) > 1 else "")
            first = next((ids[s] for s in covering if s.start == a and s in ids), None)
            anchor = f' id="{first}" data-note="{first[1:]}" tabindex="0"' if first else ""
            described = " ".join(f"{ids[s]}-desc" for s in covering if s in ids)
            # One underline per category, each in its own style, so colour is never the only cue.
            for level, cat in enumerate(dict.fromkeys(cats), start=1):
                chunk = f'<span class="u u{level} cat-{cat}">{chunk}</span>'
            classes += f" {_strength(max(s.confidence for s in covering))}"
            chunk = (
                f'<mark class="{classes}"{anchor} aria-describedby="{described}" '
                f'data-techniques="{_e(" ".join(s.technique for s in covering))}" '
                f'data-categories="{_e(" ".join(cats))}" '
                f'data-confidences="{" ".join(f"{s.confidence:.4f}" for s in covering)}" '
                f'data-tip="{_e(_tooltip(covering))}">{chunk}</mark>'
            )
        claim = next((c for c in claims if c[0] <= a and b <= c[1]), None)
        out.append(chunk if claim is None else f'<span class="claim src-{claim[2]}" data-kind="{claim[2]}">{chunk}</span>')
    return "".join(out)


def _cue_ranges(text: str, spans: list[TechniqueSpan]) -> list[tuple[int, int]]:
    """Where each span's cue words stand inside it (their first whole-word match), so the reader
    sees which words carry the detection; a cue that is the whole span adds nothing."""
    out = []
    for s in spans:
        for cue in s.cues:
            at = find_word(text, s.start, s.end, cue)
            if at is not None and at != (s.start, s.end):
                out.append(at)
    return out


def _strength(confidence: float) -> str:
    """How strongly a highlight is drawn: its underline thickens with the calibrated probability."""
    return "conf-hi" if confidence >= 0.5 else "conf-mid" if confidence >= 0.25 else "conf-lo"


def short_description(span: TechniqueSpan) -> str:
    """What a screen reader hears for a highlight: technique, calibrated probability, category."""
    return f"{technique(span.technique).label}, {span.confidence:.0%}, {category_of(span.technique).label}"


def _print_notes(ids: dict[TechniqueSpan, str]) -> list[str]:
    """Each detection's explanation as a numbered note: shown only in print, where tooltips cannot be."""
    if not ids:
        return []
    items = "".join(f'<li value="{i[1:]}">{_e(short_description(s))}: '
                    f"{_e(s.explanation.split(': ', 1)[-1] if s.explanation else technique(s.technique).definition)}</li>"
                    for s, i in ids.items())
    return [f'<section class="print-notes" aria-hidden="true"><h2>Notes</h2><ol>{items}</ol></section>']


def _detection_list(analysis: Analysis, ids: dict[TechniqueSpan, str], numbers: dict[int, int]) -> list[str]:
    """Every detection, grouped by category with counts, each linked to its highlight."""
    if not ids:
        return []
    starts: dict[tuple[int, int], str] = {}
    for span, i in ids.items():
        starts.setdefault((span.paragraph, span.start), i)
    out = ['<nav class="detections" aria-labelledby="detections-h"><h2 id="detections-h">Detections</h2>',
           '<p><a class="skip" href="#article-text">Skip to the article</a></p>']
    for cat in CATEGORIES:
        mine = [s for s in ids if category_of(s.technique).name == cat.name]
        if not mine:
            continue
        out.append(f'<h3 class="cat-{cat.name}">{_e(cat.label)} ({len(mine)} highlight{"s" if len(mine) > 1 else ""})</h3><ul>')
        out += [f'<li><a href="#{starts[(s.paragraph, s.start)]}">{_e(technique(s.technique).label)}, '
                f'{s.confidence:.0%}, ¶{numbers.get(s.paragraph, s.paragraph)}: “{_e(s.text[:80])}'
                f'{"…" if len(s.text) > 80 else ""}”</a></li>' for s in mine]
        out.append("</ul>")
    out.append("</nav>")
    return out


def render_body(analysis: Analysis, level: int = 1) -> str:
    """The report as an HTML fragment (a ``<section class="spinscope-report">``).

    ``level`` is the title's heading level: 1 in a page of its own, 2 inside the web page,
    whose own ``h1`` names the tool.
    """
    a = analysis.article
    s = summarize(analysis)
    title = a.title or a.id
    g = analysis.genre
    note = genre_note(g) if g is not None else None
    genre = (f"Genre: <b>{_e(g.label)}</b> ({g.scores[g.label]:.0%}{'; ' + _e(note) if note else ''}) · "
             if g is not None else "")
    parts = [
        '<section class="spinscope-report">',
        f'<h{level} class="title" tabindex="-1">{_e(title)}</h{level}>',
        f'<p class="meta">{genre}'
        f"Language: {_e(a.language or 'unknown')} · Model: {_e(analysis.model.name)} v{_e(analysis.model.version)}</p>",
        '<p class="meta">Frames: '
        + (_e(", ".join(f"{frame(f.frame).label} ({f.confidence:.0%})" for f in analysis.detected_frames))
           or "none detected")
        + "</p>",
    ]
    parts += [f'<p class="warn" data-code="{_e(w.code)}">{_e(w.message)}</p>' for w in analysis.warnings]
    parts.append(
        f'<p class="summary">{s.detections} technique detections in {s.paragraphs_flagged} of {s.paragraphs} '
        f"paragraphs ({s.density_per_100_words} per 100 words).</p>"
        f'<p class="notice">{_e(SPAN_NOTICE)}</p>'
    )
    parts += _article(analysis)
    if s.by_category:
        parts.append('<table class="by-category"><caption>Detections by category</caption>'
                     '<tr><th scope="col">Category</th><th scope="col">Detections</th></tr>')
        parts += [f"<tr><td>{_e(cat)}</td><td>{n}</td></tr>" for cat, n in s.by_category]
        parts.append("</table>")
    if s.by_technique:
        parts.append('<table class="by-technique"><caption>Paragraphs flagged per technique</caption><tr>'
                     '<th scope="col">Technique</th><th scope="col">Category</th><th scope="col">Paragraphs</th></tr>')
        for name, n in s.by_technique:
            parts.append(
                f'<tr data-technique="{_e(name)}"><td>{_e(technique(name).label)}</td>'
                f"<td>{_e(category_of(name).label)}</td><td>{n}</td></tr>"
            )
        parts.append("</table>")
    parts.append('<p class="legend">')
    parts += [f'<span><i class="swatch cat-{c.name}"></i><span class="u u1 cat-{c.name}">{_e(c.label)}</span></span>'
              for c in CATEGORIES]
    parts.append("</p>")
    ids = {span: f"d{k}" for k, span in enumerate(analysis.spans, start=1)}
    numbers = {p.paragraph.index: n for n, p in enumerate(analysis.paragraphs, start=1)}
    parts += _detection_list(analysis, ids, numbers)
    described = "".join(f'<span id="{i}-desc">{_e(short_description(span))}</span>' for span, i in ids.items())
    parts.append(f'<div hidden class="descriptions">{described}</div>')
    parts.append(f'<article id="article-text" lang="{_e(a.language or "und")}">')
    claims = tuple((c.start, c.end, c.attribution.kind if c.attribution else "none") for c in analysis.checkworthy_claims)
    for number, p in enumerate(analysis.paragraphs, start=1):  # readers count 1..n; the id keeps the line
        para = p.paragraph
        back = ' <a class="back" href="#detections-h" aria-label="Back to the detections list">↑</a>' if p.spans else ""
        parts.append(
            f'<p class="para" id="p{para.index}"><span class="idx">¶{number}</span>'
            f"{_paragraph_html(a.text, para.start, para.end, list(p.spans), claims, ids)}{back}</p>"
        )
    parts.append("</article>" + "".join(_print_notes(ids) + _targets(analysis) + _claims(analysis))
                 + "\n".join(extension_sections(analysis, "html")) + "</section>")
    return "\n".join(parts)


def _article(analysis: Analysis) -> list[str]:
    found = article_techniques(analysis)
    if not found:
        return []
    rows = []
    for t, flagged in found:
        passage = analysis.article.text[t.start : t.end]
        where = "flagged in a paragraph" if flagged else (
            f"no passage flagged on its own; strongest ({t.passage_confidence:.0%}): “{_e(passage[:120])}"
            f"{'…' if len(passage) > 120 else ''}”")
        rows.append(f'<tr data-technique="{_e(t.technique)}" data-start="{t.start}" data-end="{t.end}">'
                    f"<td>{_e(technique(t.technique).label)}</td><td>{t.confidence:.0%}</td><td>{t.threshold:.0%}</td>"
                    f"<td>{where}</td></tr>")
    return ['<table class="article-techniques"><caption>In the article as a whole</caption><tr>'
            '<th scope="col">Technique</th><th scope="col">Probability</th><th scope="col">Threshold</th>'
            f'<th scope="col">Evidence</th></tr>{"".join(rows)}</table>'
            f'<p class="notice">{_e(ARTICLE_NOTICE)}</p>']


def _targets(analysis: Analysis) -> list[str]:
    found = targets(analysis)
    if not found:
        return []
    items = "".join(
        f'<li data-entity="{_e(e.text)}" data-label="{_e(e.label)}"><b>{_e(e.text)}</b> ({_e(e.label)}) '
        f'<span class="attacked">attacked {e.attacked:.2f}</span>: {_e(used)}; {len(e.mentions)} mention(s)</li>'
        for e, used in found)
    return [f'<section class="targets"><h2>Targets</h2><p class="notice">{_e(TARGETS_NOTICE)}</p>'
            f"<ol>{items}</ol></section>"]


def _claims(analysis: Analysis) -> list[str]:
    if not analysis.claims:
        return []
    items = []
    for c in analysis.checkworthy_claims:
        kind = c.attribution.kind if c.attribution is not None else "none"
        a = analysis.attributions[c.attribution.index] if c.attribution and c.attribution.index is not None else None
        who = (f"source: {a.source.text}" + (f" ({a.cue.text})" if a.cue else "")) if a and a.source else "no source given"
        items.append(f'<li data-start="{c.start}" data-end="{c.end}" data-kind="{kind}"><span class="cw">'
                     f'{c.checkworthiness:.0%}</span> <span class="src src-{kind}" tabindex="0" title="{_e(who)}">{kind}'
                     f"</span> {_e(c.text)}</li>")
    return [f'<section class="claims"><h2>Claims and sourcing</h2><p class="sourcing">{_e(sourcing_summary(analysis))} '
            f"(threshold {analysis.claims[0].threshold:.0%}).</p><ol>{''.join(items)}</ol></section>"]


def render_html(analysis: Analysis) -> str:
    """A standalone page: the body fragment plus the shared stylesheet, no script."""
    a = analysis.article
    return (
        "<!doctype html>\n"
        '<html lang="en"><head><meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width,initial-scale=1">\n'
        f"<title>spinscope: {_e(a.title or a.id)}</title>\n"
        f"<style>body{{max-width:52rem;margin:2rem auto;padding:0 1rem}}\n{STYLESHEET.read_text(encoding='utf-8')}</style>"
        f"</head><body><main>\n{render_body(analysis)}\n</main></body></html>\n"
    )
