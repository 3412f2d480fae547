"""A readable terminal report."""

from __future__ import annotations

import textwrap

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
from spinscope.taxonomy import frame, technique
from spinscope.types import Analysis, TechniqueSpan


def _clip(s: str, n: int = 160) -> str:
    s = " ".join(s.split())
    return s if len(s) <= n else s[: n - 1] + "…"


def _confidence(span: TechniqueSpan) -> str:
    return f"{span.confidence:.0%}" + (f", threshold {span.threshold:.0%}" if span.threshold is not None else "")


def render_text(analysis: Analysis) -> str:
    a = analysis.article
    s = summarize(analysis)
    out = []
    out.append(f"spinscope report — {a.title or a.id}")
    out.append("=" * min(78, len(out[0])))
    out.append(f"Language: {a.language or 'unknown'}    Model: {analysis.model.name} v{analysis.model.version}")
    g = analysis.genre
    if g is not None:
        note = genre_note(g)
        out.append(f"Genre: {g.label} ({g.scores[g.label]:.0%})   "
                   + ", ".join(f"{k} {v:.0%}" for k, v in g.scores.items() if k != g.label)
                   + (f"; {note}" if note else ""))
    frames = analysis.detected_frames
    out.append("Frames: " + (", ".join(f"{frame(f.frame).label} ({f.confidence:.0%})" for f in frames)
                             if frames else "none detected"))
    for w in analysis.warnings:
        out.append(f"Warning ({w.code}): {w.message}")
    out.append("")
    out.append(
        f"Summary: {s.detections} technique detections in {s.paragraphs_flagged} of {s.paragraphs} paragraphs, "
        f"{s.density_per_100_words} per 100 words."
    )
    for cat, n in s.by_category:
        out.append(f"  {cat}: {n}")
    out += _article(analysis)
    if s.detections:
        out.append(textwrap.fill(SPAN_NOTICE, 78))
    out.append("")
    # Readers count paragraphs 1..n; the JSON keeps the SemEval line number (paragraph.index).
    for number, p in enumerate(analysis.paragraphs, start=1):
        if not p.detected:
            continue
        para = a.text[p.paragraph.start : p.paragraph.end]
        out.append(f"¶{number}  {_clip(para, 110)}")
        for span in p.spans:
            info = technique(span.technique)
            out.append(f"    • {info.label} ({_confidence(span)}) — “{_clip(span.text, 120)}”")
            if span.cues:
                out.append(f"      cue: {', '.join(span.cues)}")
            out.append(textwrap.indent(textwrap.fill(info.definition, 72), "      "))
        out.append("")
    if not s.detections:
        out.append("No persuasion technique detected above the threshold.")
    out += _targets(analysis)
    out += _claims(analysis)
    for section in extension_sections(analysis, "text"):
        out += ["", section]
    return "\n".join(out).rstrip() + "\n"


def _article(analysis: Analysis) -> list[str]:
    found = article_techniques(analysis)
    if not found:
        return []
    out = ["", "In the article as a whole:"]
    for t, flagged in found:
        line = f"  • {technique(t.technique).label} ({t.confidence:.0%}, threshold {t.threshold:.0%})"
        if not flagged:
            passage = analysis.article.text[t.start : t.end]
            line += f" — no passage flagged on its own; strongest ({t.passage_confidence:.0%}): “{_clip(passage, 90)}”"
        out.append(line)
    return [*out, textwrap.fill(ARTICLE_NOTICE, 78)]


def _claims(analysis: Analysis) -> list[str]:
    if not analysis.claims:
        return []
    found = analysis.checkworthy_claims
    t = analysis.claims[0].threshold
    out = ["", f"Sourcing: {sourcing_summary(analysis)} (of {len(analysis.claims)} sentences, threshold {t:.0%})"]
    for c in found:
        kind = c.attribution.kind if c.attribution is not None else "none"
        out.append(f"  • [{kind}] ({c.checkworthiness:.0%}) “{_clip(c.text, 140)}”")
        a = analysis.attributions[c.attribution.index] if c.attribution and c.attribution.index is not None else None
        if a is not None and a.source is not None:
            out.append(f"      source: {_clip(a.source.text, 60)}" + (f" ({a.cue.text})" if a.cue else ""))
    return out



def _targets(analysis: Analysis) -> list[str]:
    found = targets(analysis)
    if not found:
        return []
    out = ["Targets (most attacked first):"]
    for e, used in found:
        out.append(f"  • {e.text} [{e.label}] attacked {e.attacked:.2f}: {used}; {len(e.mentions)} mention(s)")
    return [*out, textwrap.fill(TARGETS_NOTICE, 78)]
