"""Learn the cue lexicon from gold spans (smoothed log-odds, inside spans vs. all text).

Names are never cues: listed names and other proper nouns are blanked before counting
(``detect.names.without_any_names``, the encoder's masking rule). Learned from the raw
text, the lexicon made "Muslims" and "Islam" cues of appeal to fear and "Biden" and
"Macron" cues of guilt by association, so an explanation could point at whom a sentence
names instead of how it argues. Where a language writes peoples, faiths and other groups in
lowercase ("russi", "ebraico", "geje"), the capital does not mark them, so words that open
with one of ``GROUP_STEMS`` are left out too: the list is deliberately broad and plain, and
a common word it drops as well ("christmas", with "christian") only costs a cue.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict

from spinscope.detect.cues import CueLexicon
from spinscope.detect.names import GROUP_STEMS, without_any_names
from spinscope.segment.words import words
from spinscope.training.corpus import Corpus


def _aligned(text: str, start: int, end: int) -> bool:
    """Some span files' offsets do not fall on word boundaries; those spans are unusable."""
    if not 0 <= start < end <= len(text):
        return False
    return (start == 0 or not text[start - 1].isalnum()) and (end == len(text) or not text[end].isalnum())


def learn_cues(corpus: Corpus, min_count: int = 3, per_technique: int = 600) -> tuple[CueLexicon, int, int]:
    """Return the lexicon and how many spans were used and skipped as misaligned."""
    language = {p.article: p.language for p in corpus.paragraphs}
    nameless = {a: without_any_names(text, language.get(a)) for a, text in corpus.st3_texts.items()}
    background: Counter[str] = Counter()
    for text in nameless.values():
        background.update(w for w, _, _ in words(text))
    inside: dict[str, Counter[str]] = defaultdict(Counter)
    used = skipped = 0
    for s in corpus.spans:
        text = corpus.st3_texts.get(s.article)
        if text is None or not _aligned(text, s.start, s.end):
            skipped += 1
            continue
        used += 1
        inside[s.technique].update(w for w, _, _ in words(nameless[s.article][s.start : s.end]) if not w.startswith(GROUP_STEMS))
    n_bg = sum(background.values())
    weights: dict[str, dict[str, float]] = {}
    for technique, counts in inside.items():
        n_in = sum(counts.values())
        scores = {
            w: math.log((c + 0.5) / n_in) - math.log((background[w] + 0.5) / n_bg)
            for w, c in counts.items()
            if c >= min_count and len(w) > 1
        }
        top = sorted((w for w, v in scores.items() if v > 0.5), key=lambda w: -scores[w])[:per_technique]
        weights[technique] = {w: round(scores[w], 3) for w in top}
    return CueLexicon(weights), used, skipped
