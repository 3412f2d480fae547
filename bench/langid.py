"""Language-ID accuracy on SemEval paragraphs by length, and its speed.

Usage: python bench/langid.py [--data ../shared/data/semeval2023] [--per-language 400]

Paragraph language = the folder's language (a few quoted foreign lines make
this a slight underestimate). Prints accuracy per language and length bucket.
"""

from __future__ import annotations

import argparse
import random
import time
from pathlib import Path

from spinscope.languages import detect
from spinscope.segment import paragraphs
from spinscope.semeval.io import read_articles

FOLDERS = {"en": "en", "fr": "fr", "de": "ge", "it": "it", "pl": "po", "ru": "ru"}
BUCKETS = ((0, 60), (60, 200), (200, 10**9))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=str(Path(__file__).parents[2] / "shared" / "data" / "semeval2023"))
    ap.add_argument("--per-language", type=int, default=400)
    args = ap.parse_args()
    rng = random.Random(13)
    print(f"{'lang':<6}" + "".join(f"{f'{lo}-{hi if hi < 10**9 else chr(8734)} chars':>18}" for lo, hi in BUCKETS))
    calls = 0
    seconds = 0.0
    for lang, folder in FOLDERS.items():
        texts = read_articles(Path(args.data) / folder / "train-articles-subtask-3")
        paras = [t[p.start : p.end].strip() for t in texts.values() for p in paragraphs(t)]
        rng.shuffle(paras)
        row = []
        for lo, hi in BUCKETS:
            sample = [p for p in paras if lo <= len(p) < hi][: args.per_language]
            t0 = time.perf_counter()
            hits = sum(detect(p)[0] == lang for p in sample)
            seconds += time.perf_counter() - t0
            calls += len(sample)
            row.append(f"{hits / len(sample):.3f} (n={len(sample)})" if sample else "-")
        print(f"{lang:<6}" + "".join(f"{c:>18}" for c in row))
    print(f"{calls} calls, {1000 * seconds / calls:.2f} ms per paragraph")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
