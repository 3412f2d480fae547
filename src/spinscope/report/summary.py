"""Figures every report shows, computed once here so the formats never disagree."""

from __future__ import annotations

from dataclasses import dataclass

from spinscope.segment.words import word_count
from spinscope.taxonomy import CATEGORIES, category_of, technique
from spinscope.types import Analysis, ArticleTechnique, Entity, Genre

# Said plainly wherever detections are shown: the span head is weak (span F1 about 0.1).
SPAN_NOTICE = ("Highlights mark the sentence that was flagged, or the words the model marked in it: "
               "they point at the passage, they are not precise boundaries. A detection's cues are the words that carry it most "
               "(in bold in the HTML report).")


@dataclass(frozen=True, slots=True)
class Summary:
    words: int
    paragraphs: int
    paragraphs_flagged: int
    detections: int
    density_per_100_words: float
    by_category: tuple[tuple[str, int], ...]
    by_technique: tuple[tuple[str, int], ...]


SOURCE_KINDS = ("named", "vague", "self", "none")
SOURCE_LABELS = {"named": "from named sources", "vague": "from vague sources", "self": "from the author",
                 "none": "unsourced"}


def sourcing_summary(analysis: Analysis) -> str:
    """"14 check-worthy claims: 5 from named sources, 4 from vague sources, 5 unsourced"."""
    found = analysis.checkworthy_claims
    kinds = [c.attribution.kind if c.attribution is not None else "none" for c in found]
    parts = [f"{kinds.count(k)} {SOURCE_LABELS[k]}" for k in SOURCE_KINDS if kinds.count(k)]
    noun = "claim" if len(found) == 1 else "claims"
    return f"{len(found)} check-worthy {noun}" + (": " + ", ".join(parts) if parts else "")


ARTICLE_NOTICE = ("The article as a whole: the probability that it uses each technique somewhere, counting every "
                  "sentence, so evidence can add up over sentences that are not flagged on their own. It has its "
                  "own, higher threshold: one sentence flagged with a low probability is not enough to list it here.")


def genre_note(genre: Genre) -> str | None:
    """Why the genre label is not the highest score, where it is not (the model's satire floor)."""
    top = max(genre.scores, key=lambda k: genre.scores[k])
    if top == genre.label or genre.satire_floor is None:
        return None
    return f"{top} ({genre.scores[top]:.0%}) is named only at {genre.satire_floor:.0%} or more"


def article_techniques(analysis: Analysis) -> list[tuple[ArticleTechnique, bool]]:
    """The techniques detected in the article as a whole, each with whether any paragraph flagged it."""
    flagged = analysis.technique_counts()
    return [(t, t.technique in flagged) for t in analysis.detected_techniques]


TOP_TARGETS = 5
TARGETS_NOTICE = ("Targets: the named entities that the detected techniques are aimed at (the entity a span covers, "
                  "else those its sentence names). A reading aid, not a finding of intent.")


def targets(analysis: Analysis) -> list[tuple[Entity, str]]:
    """The most attacked entities (attacked > 0), each with its techniques as reader text."""
    out = []
    for e in [e for e in analysis.entities if e.attacked > 0][:TOP_TARGETS]:
        used = sorted(e.techniques.items(), key=lambda kv: (-kv[1], kv[0]))
        out.append((e, ", ".join(f"{technique(name).label.lower()} ×{n}" for name, n in used)))
    return out


def extension_sections(analysis: Analysis, fmt: str) -> list[str]:
    """Sections that detectors from other packages render for their own slots, in this format.

    The HTML ones are the detector's own markup: it must escape what it shows.
    """
    from spinscope import registry

    found = []
    for slot, value in analysis.extensions.items():
        section = registry.section(slot, fmt)
        body = section(fmt, value) if section is not None else None
        if body:
            found.append(body.rstrip("\n"))
    return found


def summarize(analysis: Analysis) -> Summary:
    counts = analysis.technique_counts()
    n_words = word_count(analysis.article.text)
    total = sum(counts.values())
    by_cat = {c.label: 0 for c in CATEGORIES}
    for name, n in counts.items():
        by_cat[category_of(name).label] += n
    return Summary(
        words=n_words,
        paragraphs=len(analysis.paragraphs),
        paragraphs_flagged=sum(1 for p in analysis.paragraphs if p.detected),
        detections=total,
        density_per_100_words=round(100.0 * total / n_words, 2) if n_words else 0.0,
        by_category=tuple((k, v) for k, v in by_cat.items() if v),
        by_technique=tuple(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))),
    )
