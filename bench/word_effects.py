"""Do the words that carry a detection (``detect.word_effects``) point where annotators did?

Usage: python bench/word_effects.py [--data ../shared/data/semeval2023] [--lang en ...] [--limit N]

Analyses the test fold's articles (fold 0) with ``spinscope.load(explain=True)``. For every span
that ``word_effects`` explained, and whose sentence overlaps a gold span of the same technique (the
detection is right), it asks whether the cue words lie inside such a gold span. It compares three
choices of one word from the same candidates (no names, no function words):
- ``word_effects``: the word whose absence lowers the score most (the first cue);
- the cue lexicon's strongest word there (``detect.cues``, what the classical model shows);
- a random candidate (seed 13), the chance level.
It prints the share of spans whose word lies inside a gold span, per technique and in all, and the
share for all the cues ``word_effects`` gave.
"""

from __future__ import annotations

import argparse
import random
import time
from collections import defaultdict
from pathlib import Path

import spinscope
from spinscope.detect.word_effects import candidates
from spinscope.segment.words import find_word
from spinscope.training.corpus import load_corpus
from spinscope.training.transformer import split_of
from spinscope.types import Article

EXPLAINED = "Left out one at a time"


def inside(start: int, end: int, gold: list[tuple[int, int]]) -> bool:
    return any(a <= start and end <= b for a, b in gold)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=str(Path(__file__).parents[2] / "shared" / "data" / "semeval2023"))
    ap.add_argument("--lang", action="append", help="these languages only (repeatable); default all six")
    ap.add_argument("--limit", type=int, default=0, help="at most this many articles (0: all)")
    args = ap.parse_args()
    corpus = load_corpus(args.data, args.lang) if args.lang else load_corpus(args.data)
    gold: dict[tuple[str, str], list[tuple[int, int]]] = defaultdict(list)
    for s in corpus.spans:
        gold[(s.article, s.technique)].append((s.start, s.end))
    language = {p.article: p.language for p in corpus.paragraphs}
    ids = sorted(a for a in corpus.st3_texts if split_of(a) == "test" and a in language)[: args.limit or None]
    nlp = spinscope.load(explain=True)
    lexicon = nlp.model.cues
    rng = random.Random(13)
    hits: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    spans = explained = 0
    t0 = time.time()
    for aid in ids:
        text = corpus.st3_texts[aid]
        analysis = nlp(Article(id=aid, text=text), language=language[aid])
        for para in analysis.paragraphs:
            for s in para.spans:
                spans += 1
                right = [g for g in gold[(aid, s.technique)] if g[0] < s.end and s.start < g[1]]
                if EXPLAINED not in s.explanation:
                    continue
                explained += 1
                if not right:
                    continue
                words = candidates(text, s.start, s.end, language[aid])
                top = lexicon.top_words(text, s.start, s.end, s.technique, 1)
                picks = {
                    "word_effects": find_word(text, s.start, s.end, s.cues[0]),
                    "cue lexicon": find_word(text, s.start, s.end, top[0]) if top else None,
                    "random candidate": rng.choice(words) if words else None,
                }
                every = [("word_effects, every cue", find_word(text, s.start, s.end, c)) for c in s.cues]
                for name, at in [*picks.items(), *every]:
                    row = hits[s.technique][name]
                    row[0] += at is not None and inside(*at, right)
                    row[1] += 1
    print(f"{len(ids)} test-fold articles, {spans} spans, {explained} explained by word_effects, {time.time() - t0:.0f}s")
    print("right detections only: share of picked words inside a gold span of the technique (inside / picked)\n")
    names = ("word_effects", "word_effects, every cue", "cue lexicon", "random candidate")
    print(f"{'technique':<34}" + "".join(f"{n:>26}" for n in names))
    total = {n: [0, 0] for n in names}
    for tech in sorted(hits, key=lambda t: -hits[t]["word_effects"][1]):
        cells = []
        for n in names:
            a, b = hits[tech][n]
            total[n][0] += a
            total[n][1] += b
            cells.append(f"{a / b:.2f} ({a}/{b})" if b else "-")
        print(f"{tech:<34}" + "".join(f"{c:>26}" for c in cells))
    print(f"{'all':<34}" + "".join(f"{f'{a / b:.2f} ({a}/{b})' if b else '-':>26}" for a, b in total.values()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
