"""The corpus report as HTML: one standalone file (``corpus report``) or the ``/corpus`` page.

Every value from the store (outlet names, periods, filters) goes through ``html.escape``.
Plots are SVG data URIs (``corpus.plots``); each has a table with the same numbers, so
the figures reach screen readers and the page works offline.
"""

from __future__ import annotations

import html
from pathlib import Path

from spinscope.corpus import plots
from spinscope.corpus.stats import MIN_ARTICLES, WEAK_KINDS, CorpusReport, Estimate, GroupValue
from spinscope.taxonomy import FRAME_NAMES, GENRE_NAMES, TECHNIQUE_NAMES, frame, technique

STYLESHEET = Path(__file__).parent.parent / "report" / "static" / "corpus.css"
TOP = 10  # techniques and frames drawn; the tables list them all
CAVEAT = ("These figures count the model's detections, not verified facts. The model makes errors at the rates "
          "given in its model card (on held-out English articles it finds well under half of the techniques an "
          "annotator marks), so compare outlets with each other rather than read the rates as absolute.")


def _e(s: object) -> str:
    return html.escape(str(s), quote=True)


def _fmt(e: Estimate, share: bool) -> str:
    if e.value != e.value:  # NaN: nothing to divide by
        return "–"
    if share:
        return f"{e.value:.0%} ({e.low:.0%}–{e.high:.0%})"
    return f"{e.value:.2f} ({e.low:.2f}–{e.high:.2f})"


def _table(values: tuple[GroupValue, ...], keys: tuple[str, ...], groups: list[str], share: bool,
           label: dict[str, str], caption: str, corner: str = "measure") -> str:
    by = {(v.group, v.key): v for v in values}
    head = "".join(f'<th scope="col">{_e(g)}</th>' for g in groups)
    rows = []
    for k in keys:
        cells = []
        for g in groups:
            v = by[(g, k)]
            mark = {"higher": " ▲", "lower": " ▼"}.get(v.versus_rest, "")
            note = f' title="{_e(v.versus_rest)} than the rest of the corpus"' if v.versus_rest else ""
            cells.append(f'<td class="{_e(v.versus_rest.replace(" ", "-"))}"{note}>{_fmt(v.estimate, share)}'
                         f'{mark}</td>')
        rows.append(f'<tr><th scope="row">{_e(label.get(k, k))}</th>{"".join(cells)}</tr>')
    return (f'<table><caption>{_e(caption)}</caption><thead><tr><th scope="col">{_e(corner)}</th>{head}</tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table>')


def _figure(fig, alt: str) -> str:  # noqa: ANN001 - a matplotlib figure
    return f'<img class="plot" src="{plots.data_uri(fig)}" alt="{_e(alt)}">'


def render_corpus_body(r: CorpusReport) -> str:
    groups = [g.name for g in r.groups]
    if not groups:
        return '<p class="empty">No articles match.</p>'
    t_label = {t: technique(t).label for t in TECHNIQUE_NAMES}
    f_label = {f: frame(f).label for f in FRAME_NAMES}
    mean = lambda vals, k: sum(v.estimate.value for v in vals if v.key == k and v.estimate.value == v.estimate.value)  # noqa: E731
    top_t = sorted(TECHNIQUE_NAMES, key=lambda k: -mean(r.techniques, k))[:TOP]
    top_f = sorted(FRAME_NAMES, key=lambda k: -mean(r.frames, k))[:TOP]
    span = f"{r.first_date} to {r.last_date}" if r.first_date else "no dates"
    small = [g.name for g in r.groups if g.too_small]
    out = [
        f'<p class="summary">{r.articles} articles ({span}) in {len(groups)} group(s)'
        f'{f" by {_e(r.by)}" if r.by else ""}; {r.failures} failed batch record(s) are not counted.</p>',
        f'<p class="caveat">{_e(CAVEAT)}</p>',
        "<p>Intervals are 95% bootstrap intervals, resampling articles. ▲/▼: the group's interval for its "
        "difference from the rest of the corpus excludes zero; otherwise the difference is within noise. "
        f"Groups with fewer than {MIN_ARTICLES} articles are too small to compare.</p>",
        _groups_table(r),
    ]
    if small:
        out.append(f'<p class="warn">Too small to compare: {_e(", ".join(small))}.</p>')
    out += [
        '<section id="techniques"><h2>Techniques per 1,000 words</h2>',
        _figure(plots.dot_plot(r.techniques, top_t, groups, "detections per 1,000 words (95% interval)", t_label),
                f"Rates per 1,000 words of the {len(top_t)} most frequent techniques, by group; numbers below."),
        _table(r.detections, ("all techniques",), groups, False, {}, "All detections per 1,000 words"),
        _table(r.techniques, TECHNIQUE_NAMES, groups, False, t_label, "Each technique per 1,000 words", "technique"),
        "</section>",
        '<section id="genre"><h2>Genre mix</h2>',
        _figure(plots.stacked_shares(r.genres, GENRE_NAMES, groups, "share of articles"),
                "Share of articles per genre, by group; numbers below."),
        _table(r.genres, GENRE_NAMES, groups, True, {}, "Share of articles per genre", "genre"),
        "</section>",
        '<section id="frames"><h2>Frames</h2>',
        _figure(plots.dot_plot(r.frames, top_f, groups, "share of articles with the frame (95% interval)", f_label,
                                share=True),
                "Share of articles showing each of the most common frames, by group; numbers below."),
        _table(r.frames, FRAME_NAMES, groups, True, f_label, "Share of articles showing each frame", "frame"),
        "</section>",
        '<section id="sourcing"><h2>Sourcing of check-worthy claims</h2>',
        f"<p>Share of check-worthy claims whose source is {' or '.join(WEAK_KINDS)} "
        f"(claims per group: {_e(', '.join(f'{g}: {n}' for g, n in r.claims.items()))}).</p>",
        _figure(plots.dot_plot(r.weak_sourcing, ("vague or no source",), groups, "share of check-worthy claims",
                                share=True),
                "Share of check-worthy claims with a vague or no source, by group; numbers below."),
        _table(r.weak_sourcing, ("vague or no source",), groups, True, {}, "Claims with a vague or no source"),
        "</section>",
    ]
    if r.over and not r.trend:
        out.append(f'<section id="trend"><h2>Detections per 1,000 words by {_e(r.over)}</h2>'
                   f"<p>No article in this selection has a date, so there is no trend by {_e(r.over)}.</p></section>")
    elif r.over:
        out += [f'<section id="trend"><h2>Detections per 1,000 words by {_e(r.over)}</h2>',
                _figure(plots.trend_plot(r.trend, "detections per 1,000 words"),
                        f"Detections per 1,000 words per {r.over} and group, with 95% bands; numbers below."),
                _trend_table(r), "</section>"]
    out.append(_targets(r))
    return "\n".join(out)


def _targets(r: CorpusReport) -> str:
    if not r.targets:
        return '<section id="targets"><h2>Targets</h2><p>No entity is attacked in these articles.</p></section>'
    rows = "".join(f'<tr><th scope="row">{_e(t.group)}</th><td>{_e(t.entity)}</td><td>{_e(t.label)}</td>'
                   f"<td>{t.attacked:.2f}</td><td>{t.articles}</td></tr>" for t in r.targets)
    return ('<section id="targets"><h2>Targets</h2><p>The entities the detected techniques are aimed at most, per '
            "group: the sum of each article's attacked score, and the articles attacking them.</p>"
            '<table><caption>Most attacked entities</caption><thead><tr><th scope="col">group</th>'
            '<th scope="col">entity</th><th scope="col">label</th><th scope="col">attacked</th>'
            f'<th scope="col">articles</th></tr></thead><tbody>{rows}</tbody></table></section>')


def _groups_table(r: CorpusReport) -> str:
    rows = "".join(f'<tr><th scope="row">{_e(g.name)}</th><td>{g.articles}</td><td>{g.words:,}</td>'
                   f'<td>{"too small" if g.too_small else ""}</td></tr>' for g in r.groups)
    return ('<table><caption>Groups</caption><thead><tr><th scope="col">group</th><th scope="col">articles</th>'
            f'<th scope="col">words</th><th scope="col">note</th></tr></thead><tbody>{rows}</tbody></table>')


def _trend_table(r: CorpusReport) -> str:
    groups = sorted({p.group for p in r.trend})
    by = {(p.group, p.period): p for p in r.trend}
    rows = []
    for period in sorted({p.period for p in r.trend}):
        cells = "".join(f"<td>{_fmt(by[(g, period)].estimate, False)}, n={by[(g, period)].articles}</td>"
                        if (g, period) in by else "<td>–</td>" for g in groups)
        rows.append(f'<tr><th scope="row">{_e(period)}</th>{cells}</tr>')
    head = "".join(f'<th scope="col">{_e(g)}</th>' for g in groups)
    return (f'<table><caption>Detections per 1,000 words by {_e(r.over)} (95% interval, articles)</caption>'
            f'<thead><tr><th scope="col">{_e(r.over)}</th>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>')


def render_corpus_html(r: CorpusReport, title: str = "spinscope corpus report") -> str:
    """One standalone file: styles inline, plots as data URIs, no scripts, nothing fetched."""
    return ('<!doctype html><html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{_e(title)}</title><style>{STYLESHEET.read_text(encoding='utf-8')}</style></head>"
            f'<body><main><h1>{_e(title)}</h1>\n{render_corpus_body(r)}\n</main></body></html>\n')


def _filters_form(by: tuple[str, ...], values: dict[str, str]) -> str:
    from spinscope.corpus.stats import GROUP_KEYS, PERIODS

    def select(name: str, options: list[str], chosen: str) -> str:
        opts = "".join(f'<option value="{_e(o)}"{" selected" if o == chosen else ""}>{_e(o or "none")}</option>'
                       for o in options)
        return f'<label>{_e(name)}<select name="by">{opts}</select></label>'

    group = next((b for b in by if b in GROUP_KEYS), "")
    period = next((b for b in by if b in PERIODS), "")
    boxes = "".join(f'<label>{label}<input name="{key}" value="{_e(values.get(key, ""))}"{extra}></label>'
                    for key, label, extra in (("since", "since", ' placeholder="YYYY-MM"'),
                                              ("until", "until", ' placeholder="YYYY-MM"'),
                                              ("lang", "language", ' size="4"'), ("outlet", "outlet", "")))
    return (f'<form class="filters" method="get" action="/corpus">{select("group by", ["", *GROUP_KEYS], group)}'
            f'{select("trend by", ["", *PERIODS], period)}{boxes}<button type="submit">Show</button></form>')


def render_corpus_page(report: CorpusReport | None, by: tuple[str, ...], values: dict[str, str],
                       error: str | None = None) -> str:
    """The ``/corpus`` page: the filters form, then the report or the error that stopped it."""
    body = f'<p class="warn" role="alert">{_e(error)}</p>' if error else render_corpus_body(report) if report else ""
    return ('<!doctype html><html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            '<title>spinscope corpus</title><link rel="stylesheet" href="/static/corpus.css"></head>'
            f'<body><main><h1>Corpus</h1><p><a href="/">Analyse one article</a></p>'
            f'{_filters_form(by, values)}\n{body}\n</main></body></html>\n')
