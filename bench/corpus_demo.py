"""Demonstration corpus: PolNeAR's US political news (2016, 7 publishers) through batch and the store.

Writes a batch input (id, text, outlet, date, author, title from ``metadata.tsv``), runs
``spinscope batch`` on it, loads the results with ``spinscope corpus build``, and prints per
outlet: articles, technique detections per 1,000 words, and the share of check-worthy claims
with a vague or no source, with a 95% Wilson interval. Outlets with under 20 articles are
flagged. These are model outputs, with the model's error rates.

    python bench/corpus_demo.py [--limit N] [--work runs/corpus-demo]
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import time
from pathlib import Path

from spinscope.batch import read_inputs, run_batch
from spinscope.corpus.store import as_table, build, query
from spinscope.pipeline import load

POLNEAR = Path(__file__).parents[2] / "shared" / "data" / "polnear"


def wilson(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    if n == 0:
        return (0.0, 1.0)
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return (centre - half, centre + half)


def write_input(path: Path, limit: int | None) -> int:
    rows = []
    with open(POLNEAR / "metadata.tsv", encoding="utf-8") as fh:
        for m in csv.DictReader(fh, delimiter="\t"):
            if m["compartment"] not in ("train", "dev"):
                continue
            text_file = POLNEAR / m["compartment"] / "text" / f"{m['filename']}.txt"
            if text_file.is_file():
                rows.append({"id": m["filename"], "text": text_file.read_text(encoding="utf-8"), "outlet": m["publisher"],
                             "date": m["publication_date"], "author": m["author"], "title": m["title"]})
    rows = rows[:limit] if limit else rows
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return len(rows)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--limit", type=int, help="only the first N articles (a short run)")
    ap.add_argument("--work", default=str(Path(__file__).parents[1] / "runs" / "corpus-demo"))
    args = ap.parse_args()
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    t0 = time.time()
    n = write_input(work / "polnear.jsonl", args.limit)
    result = run_batch(load(), read_inputs(str(work / "polnear.jsonl")), work / "results.jsonl", resume=True)
    t_batch = time.time() - t0
    built = build(work / "corpus.duckdb", [work / "results.jsonl"])
    t_build = time.time() - t0 - t_batch
    print(f"{n} articles: batch {t_batch:.0f}s ({result}), store {t_build:.1f}s ({built.articles} articles)")
    _, rows = query(work / "corpus.duckdb", """
        SELECT outlet, count(*) AS articles, sum(words) AS words, sum(detections) AS detections
        FROM articles GROUP BY outlet ORDER BY outlet""")
    _, sourcing = query(work / "corpus.duckdb", """
        SELECT a.outlet, count(*) FILTER (WHERE c.checkworthy) AS claims,
               count(*) FILTER (WHERE c.checkworthy AND c.source_kind IN ('vague', 'none')) AS weak
        FROM claims c JOIN articles a ON a.id = c.article GROUP BY a.outlet""")
    weak = {r[0]: (r[1], r[2]) for r in sourcing}
    table = []
    for outlet, arts, words, dets in rows:
        claims, w = weak.get(outlet, (0, 0))
        lo, hi = wilson(w, claims)
        flag = "  (too few articles)" if arts < 20 else ""
        table.append((outlet, arts, f"{1000 * dets / max(1, words):.2f}", claims,
                      f"{w / max(1, claims):.0%} [{lo:.0%}, {hi:.0%}]" + flag))
    print(as_table(["outlet", "articles", "detections per 1k words", "check-worthy claims",
                    "vague or unsourced (95% Wilson)"], table, max_width=60))
    print(f"total {time.time() - t0:.0f}s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
