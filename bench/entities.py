"""Entity mentions: the rule finder against spaCy's English NER, and the time each takes.

There is no gold entity annotation here, so spaCy's ``en_core_web_sm`` (about 0.85 NER F1
on OntoNotes, by its own card) stands in as the reference on English news: PolNeAR dev
articles (US political news, 2016). Reported: mention precision and recall of the rules
against it (exact span, and any overlap), the agreement on the entity lists per article,
and milliseconds per article for each finder. For the other languages (SemEval training
articles) there is no reference: mentions per 1,000 words are printed, to show what the
rules produce, not how good it is.

    python bench/entities.py [--limit 84]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from spinscope.detect.mentions import RuleFinder, finder_for, key, resolve

SHARED = Path(__file__).parents[2] / "shared" / "data"
SEMEVAL_DIRS = {"fr": "fr", "de": "ge", "it": "it", "pl": "po", "ru": "ru"}


def _timed(finder, texts: list[str], language: str) -> tuple[list, float]:  # noqa: ANN001
    t0 = time.perf_counter()
    found = [finder.find(t, language) for t in texts]
    return found, 1000 * (time.perf_counter() - t0) / max(1, len(texts))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limit", type=int, default=84)
    args = ap.parse_args()
    t0 = time.time()
    texts = [p.read_text(encoding="utf-8") for p in sorted((SHARED / "polnear" / "dev" / "text").glob("*.txt"))]
    texts = texts[: args.limit]
    rules, rules_ms = _timed(RuleFinder(), texts, "en")
    spacy_finder = finder_for("en", "spacy")
    spacy_finder.find("warm up.", "en")
    ref, spacy_ms = _timed(spacy_finder, texts, "en")
    exact = overlap = n_rules = n_ref = 0
    jaccard = []
    for text, r, g in zip(texts, rules, ref, strict=True):
        n_rules, n_ref = n_rules + len(r), n_ref + len(g)
        gold = {(m.start, m.end) for m in g}
        exact += sum((m.start, m.end) in gold for m in r)
        overlap += sum(any(m.start < e and s < m.end for s, e in gold) for m in r)
        a = {key(text[g_[0].start:g_[0].end]) for g_ in resolve(text, r)}
        b = {key(text[g_[0].start:g_[0].end]) for g_ in resolve(text, g)}
        jaccard.append(len(a & b) / max(1, len(a | b)))
    covered = sum(any(m.start < g_.end and g_.start < m.end for m in r) for r, gs in zip(rules, ref, strict=True)
                  for g_ in gs)
    lines = [f"PolNeAR dev, {len(texts)} English articles; reference: spaCy en_core_web_sm "
             "(PERSON, ORG, GPE, LOC, NORP)",
             f"  mentions: rules {n_rules}, spaCy {n_ref}",
             f"  exact span:  precision {exact / max(1, n_rules):.3f}  recall {exact / max(1, n_ref):.3f}",
             f"  any overlap: precision {overlap / max(1, n_rules):.3f}  recall {covered / max(1, n_ref):.3f}",
             f"  entity lists per article, Jaccard: mean {sum(jaccard) / max(1, len(jaccard)):.3f}",
             f"  time per article: rules {rules_ms:.1f} ms, spaCy {spacy_ms:.1f} ms (NER only, loaded once)"]
    lines.append("other languages (SemEval training articles, no reference): rule mentions per 1,000 words")
    for lang, folder in SEMEVAL_DIRS.items():
        files = sorted((SHARED / "semeval2023" / folder / "train-articles-subtask-3").glob("article*.txt"))[:40]
        docs = [f.read_bytes().decode("utf-8", "replace") for f in files]
        found, ms = _timed(RuleFinder(), docs, lang)
        words = sum(len(d.split()) for d in docs)
        lines.append(f"  {lang}: {len(docs)} articles, {1000 * sum(map(len, found)) / max(1, words):.1f} per 1k words, "
                     f"{ms:.1f} ms per article")
    print("\n".join(lines))
    print(f"\ntotal {time.time() - t0:.0f}s")


if __name__ == "__main__":
    main()
