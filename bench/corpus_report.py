"""Time `spinscope corpus report` on a synthetic store (default 10,000 articles).

The store is filled directly with random rows shaped like real batch results: 7 outlets
(one with 8 articles, to show the too-small flag), dates over 2016, ~600 words, Poisson
detections over the 23 techniques, frames, genres and ~8 check-worthy claims per article.
Prints the time to build the store rows and the time of the report (statistics, plots, HTML),
measured through the CLI in-process, as a user runs it.

    python bench/corpus_report.py [--articles 10000] [--out report.html]
"""

from __future__ import annotations

import argparse
import datetime
import tempfile
import time
from pathlib import Path

import numpy as np
from click.testing import CliRunner

from spinscope.corpus.store import connect, insert
from spinscope.interfaces.cli import main
from spinscope.taxonomy import FRAME_NAMES, GENRE_NAMES, TECHNIQUE_NAMES, category_of

OUTLETS = ("alpha", "beta", "gamma", "delta", "epsilon", "zeta")


def synthesise(db: Path, n: int, seed: int = 0) -> int:
    rng = np.random.default_rng(seed)
    outlets = [OUTLETS[i % len(OUTLETS)] for i in range(n - 8)] + ["tiny"] * 8
    base = datetime.date(2016, 1, 1)
    rates = rng.gamma(0.6, 2.0, len(TECHNIQUE_NAMES)) / 1000  # per word
    articles, detections, claims = [], [], []
    for i, outlet in enumerate(outlets):
        aid = f"a{i:06d}"
        words = int(rng.integers(200, 1500))
        bias = 1.0 + 0.3 * OUTLETS.index(outlet) if outlet in OUTLETS else 1.0
        counts = rng.poisson(rates * words * bias)
        frames = [f for f in FRAME_NAMES if rng.random() < 0.2]
        n_claims = int(rng.poisson(8))
        articles.append([aid, None, outlet, None, base + datetime.timedelta(days=int(rng.integers(0, 366))), "en",
                         None, words, GENRE_NAMES[int(rng.choice(3, p=[0.6, 0.35, 0.05]))], frames, int(counts.sum()),
                         n_claims, "{}"])
        for j, c in enumerate(counts):
            detections += [[aid, TECHNIQUE_NAMES[j], category_of(TECHNIQUE_NAMES[j]).name, 0.5, 0.13, 1, 0, 10,
                            "text"]] * int(c)
        kinds = rng.choice(["named", "vague", "none", "self"], size=n_claims, p=[0.5, 0.2, 0.25, 0.05])
        claims += [[aid, 0, 10, "claim", 0.6, True, str(k), None] for k in kinds]
    con = connect(db)
    for table, rows in (("articles", articles), ("detections", detections), ("claims", claims)):
        insert(con, table, rows)
    con.close()
    return len(detections)


def main_(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=10_000)
    ap.add_argument("--out", type=Path, help="Keep the report here.")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "synthetic.duckdb"
        t0 = time.perf_counter()
        n_det = synthesise(db, args.articles)
        t1 = time.perf_counter()
        out = args.out or Path(tmp) / "report.html"
        result = CliRunner().invoke(main, ["corpus", "report", "--db", str(db), "--by", "outlet", "--by", "month",
                                           "--out", str(out)])
        t2 = time.perf_counter()
        if result.exit_code != 0:
            raise SystemExit(result.output)
        print(f"synthetic store: {args.articles} articles, {n_det} detections, built in {t1 - t0:.1f} s")
        print(f"corpus report --by outlet --by month: {t2 - t1:.2f} s, {out.stat().st_size / 1e6:.2f} MB HTML")


if __name__ == "__main__":
    main_()
