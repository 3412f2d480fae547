"""Renderers for a name-swap audit (``spinscope audit swap``)."""

from __future__ import annotations

import json

from spinscope.audit import SwapAudit
from spinscope.taxonomy import technique
from spinscope.types import to_dict


def audit_to_json(audit: SwapAudit) -> str:
    doc = {
        "swaps": [to_dict(s) for s in audit.swaps],
        "replacements": audit.replacements,
        "decisions": audit.decisions,
        "moved": [to_dict(m) for m in audit.moved],
        "article_moved": [to_dict(m) for m in audit.article_moved],
        "genre_moved": None if audit.genre_moved is None else dict(zip(("before", "after"), audit.genre_moved, strict=True)),
        "flip_rate": round(audit.flip_rate, 5),
        "paragraphs_changed": audit.paragraphs_changed,
        "paragraphs": len(audit.original.paragraphs),
        "original": to_dict(audit.original),
        "swapped": to_dict(audit.swapped),
    }
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def audit_to_text(audit: SwapAudit) -> str:
    swaps = ", ".join(f"{s.old} -> {s.new} ({audit.replacements[s.old]}x)" for s in audit.swaps)
    before = sum(len(p.detected) for p in audit.original.paragraphs)
    after = sum(len(p.detected) for p in audit.swapped.paragraphs)
    lines = [
        f"Swaps: {swaps}",
        f"{len(audit.original.paragraphs)} paragraphs; {before} detections before, {after} after.",
        f"{len(audit.moved)} of {audit.decisions} paragraph decisions moved ({100 * audit.flip_rate:.2f}%), "
        f"in {audit.paragraphs_changed} paragraphs; {len(audit.article_moved)} decisions on the article as a whole.",
    ]
    if audit.genre_moved:
        before, after = audit.genre_moved
        scores = audit.original.genre.scores, audit.swapped.genre.scores
        lines.append(f"Genre: {before} ({scores[0][before]:.0%}) before, {after} ({scores[1][after]:.0%}) after.")
    if audit.moved or audit.article_moved:
        lines.append("")
        lines.append(f"{'para':>7}  {'technique':<34}{'before':>8}{'after':>8}  change")
        for m in (*audit.moved, *audit.article_moved):
            change = "now detected" if m.detected_after else "no longer detected"
            lines.append(f"{m.paragraph or 'article':>7}  {technique(m.technique).label:<34}"
                         f"{m.confidence_before:>8.2f}{m.confidence_after:>8.2f}  {change}")
    elif not audit.genre_moved:
        lines.append("No decision depends on the swapped names.")
    return "\n".join(lines) + "\n"
