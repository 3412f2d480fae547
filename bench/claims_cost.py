"""What the claims and attribution detectors add to the analysis of an 800-word article.

Usage: python bench/claims_cost.py [--model DIR] [--json FIGURES]

Twenty English SemEval training articles of 700-900 words, analysed by two pipelines in
the same process, one with every default detector and one without ``claims`` and
``attribution`` (they share the encoder pass, so the difference is their own work). Each
article is analysed by both back to back, three times, alternating which goes first; the
figure is the median of the paired ratios, which holds on a noisy machine.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from output import finish, model_args

import spinscope

DATA = Path(__file__).parents[2] / "shared" / "data" / "semeval2023" / "en" / "train-articles-subtask-3"


def timed(nlp, text: str) -> float:  # noqa: ANN001 - a Pipeline
    t0 = time.perf_counter()
    nlp(text, language="en")
    return time.perf_counter() - t0


def paired(without, full, texts: list[str], reps: int = 3) -> tuple[list[float], list[float]]:  # noqa: ANN001
    """Each article by both pipelines back to back, alternating which goes first, so a change
    in the machine's speed falls on both alike."""
    for t in texts[:3]:
        without(t, language="en")
        full(t, language="en")
    a, b = [], []
    for rep in range(reps):
        for i, t in enumerate(texts):
            if (rep + i) % 2:
                b.append(timed(full, t))
                a.append(timed(without, t))
            else:
                a.append(timed(without, t))
                b.append(timed(full, t))
    return a, b


def main() -> int:
    args = model_args(__doc__)
    t0 = time.time()
    texts = []
    for f in sorted(DATA.glob("*.txt")):
        text = f.read_text(encoding="utf-8")
        if 700 <= len(text.split()) <= 900:
            texts.append(text)
        if len(texts) == 20:
            break
    a, b = paired(spinscope.load(args.model, disable=["claims", "attribution"]), spinscope.load(args.model), texts)
    without, full = 1000 * statistics.median(a), 1000 * statistics.median(b)
    added = statistics.median(y / x for x, y in zip(a, b, strict=True)) - 1
    print(f"{len(texts)} English articles of 700-900 words, each analysed 3 times by both pipelines, back to back:")
    print(f"  median without claims and attribution {without:.0f} ms, with them {full:.0f} ms; "
          f"median of the paired ratios: {added:+.1%} (bar: +30%)")
    return finish({"articles": len(texts), "without_ms": without, "with_ms": full, "added": added}, args.json, t0)


if __name__ == "__main__":
    raise SystemExit(main())
