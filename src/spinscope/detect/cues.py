"""Cue lexicon: words that gold technique spans use far more than running text.

Learned by ``spinscope.training.cues`` from the SemEval span files; used at run
time to place a span inside a paragraph the classifier has flagged, and to say
which words triggered it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from spinscope.errors import ModelCorrupt
from spinscope.segment.words import words


@dataclass(frozen=True, slots=True)
class Cue:
    start: int
    end: int
    words: tuple[str, ...]


class CueLexicon:
    def __init__(self, weights: dict[str, dict[str, float]]) -> None:
        self.weights = weights

    @classmethod
    def load(cls, path: Path) -> CueLexicon:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return cls({t: {w: float(s) for w, s in ws.items()} for t, ws in data.items()})
        except (OSError, ValueError, AttributeError) as exc:
            raise ModelCorrupt(f"cannot read cue lexicon {path}: {exc}") from exc

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(self.weights, ensure_ascii=False, sort_keys=True), encoding="utf-8")

    def scored_words(self, text: str, start: int, end: int, technique: str) -> list[tuple[float, int, int]]:
        lex = self.weights.get(technique, {})
        return [(lex[w], start + s, start + e) for w, s, e in words(text[start:end]) if w in lex]

    def phrase(self, text: str, start: int, end: int, technique: str, max_words: int = 6) -> Cue | None:
        """The run of adjacent cue words around the strongest one (for word-level techniques)."""
        lex = self.weights.get(technique, {})
        toks = words(text[start:end])
        hits = [n for n, (w, _, _) in enumerate(toks) if w in lex]
        if not hits:
            return None
        lo = hi = max(hits, key=lambda n: lex[toks[n][0]])
        while lo > 0 and hi - lo + 1 < max_words and toks[lo - 1][0] in lex:
            lo -= 1
        while hi + 1 < len(toks) and hi - lo + 1 < max_words and toks[hi + 1][0] in lex:
            hi += 1
        return Cue(start + toks[lo][1], start + toks[hi][2],
                   tuple(text[start + a : start + b] for _, a, b in toks[lo : hi + 1]))

    def top_words(self, text: str, start: int, end: int, technique: str, k: int = 3) -> tuple[str, ...]:
        scored = sorted(self.scored_words(text, start, end, technique), reverse=True)
        return tuple(dict.fromkeys(text[s:e] for _, s, e in scored[:k]))

    def strength(self, text: str, start: int, end: int, technique: str) -> float:
        return sum(w for w, _, _ in self.scored_words(text, start, end, technique))
