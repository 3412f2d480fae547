"""Token-level precision, recall and F1 per attribution role (source, cue, content).

A token counts for a role when it lies inside a span of that role, in the gold and in the
prediction alike; tokens are ``attribution_tagger.tokens``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

Span = tuple[str, int, int]


def _roles(toks: list[tuple[str, int, int]], found: Iterable[Span]) -> list[str | None]:
    found = list(found)
    return [next((r for r, s, e in found if s <= ts and te <= e), None) for _, ts, te in toks]


def count(toks: list[tuple[str, int, int]], gold: Iterable[Span], pred: Iterable[Span], into: Counter) -> None:
    for g, p in zip(_roles(toks, gold), _roles(toks, pred), strict=True):
        if p is not None:
            into[("pred", p)] += 1
        if g is not None:
            into[("gold", g)] += 1
            if g == p:
                into[("tp", g)] += 1


def scores(counts: Counter, role: str) -> dict[str, float]:
    p = counts[("tp", role)] / max(1, counts[("pred", role)])
    r = counts[("tp", role)] / max(1, counts[("gold", role)])
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(2 * p * r / (p + r) if p + r else 0.0, 4)}
