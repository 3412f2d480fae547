"""Demonstration corpus: PolNeAR's US political news (2016, 7 publishers) through batch and the store.

Writes a batch input (id, text, outlet, date, author, title from ``metadata.tsv``), runs
``spinscope batch`` on it, loads the results with ``spinscope corpus build``, writes the
``spinscope corpus report --by outlet --by month`` HTML, and prints per outlet: articles,
technique detections per 1,000 words and the share of check-worthy claims with a vague or no
source, each with a 95% bootstrap interval by article and its comparison with the rest.
Outlets with under 20 articles are flagged. These are model outputs, with the model's error
rates. A rerun resumes the batch.

    python bench/corpus_demo.py [--limit N] [--work runs/corpus-demo] [--readme-plots docs/images]
"""

from __future__ import annotations

import argparse
import csv
import json
import time
from pathlib import Path

from spinscope.batch import read_inputs, run_batch
from spinscope.corpus.plots import dot_plot
from spinscope.corpus.render import render_corpus_html
from spinscope.corpus.stats import corpus_report
from spinscope.corpus.store import as_table, build
from spinscope.pipeline import load

POLNEAR = Path(__file__).parents[2] / "shared" / "data" / "polnear"


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
    ap.add_argument("--readme-plots", type=Path, help="also save the README's two plots here as small PNGs")
    args = ap.parse_args()
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    t0 = time.time()
    n = write_input(work / "polnear.jsonl", args.limit)
    result = run_batch(load(), read_inputs(str(work / "polnear.jsonl")), work / "results.jsonl", resume=True)
    t_batch = time.time() - t0
    built = build(work / "corpus.duckdb", [work / "results.jsonl"])
    t_build = time.time() - t0 - t_batch
    report = corpus_report(work / "corpus.duckdb", "outlet", "month")
    (work / "report.html").write_text(render_corpus_html(report, "PolNeAR 2016 US political news"), encoding="utf-8")
    t_report = time.time() - t0 - t_batch - t_build
    print(f"{n} articles: batch {t_batch:.0f}s ({result}), store {t_build:.1f}s ({built.articles} articles), "
          f"report {t_report:.1f}s -> {work / 'report.html'}")
    rate = {v.group: v for v in report.detections}
    weak = {v.group: v for v in report.weak_sourcing}
    table = [(g.name + ("  (too few articles)" if g.too_small else ""), g.articles,
              f"{rate[g.name].estimate.value:.2f} [{rate[g.name].estimate.low:.2f}, {rate[g.name].estimate.high:.2f}]",
              rate[g.name].versus_rest, report.claims[g.name],
              f"{weak[g.name].estimate.value:.0%} [{weak[g.name].estimate.low:.0%}, {weak[g.name].estimate.high:.0%}]",
              weak[g.name].versus_rest) for g in report.groups]
    print(as_table(["outlet", "articles", "detections per 1k words [95%]", "vs rest", "check-worthy claims",
                    "vague or no source [95%]", "vs rest"], table, max_width=60))
    if args.readme_plots:
        save_readme_plots(report, args.readme_plots)
    print(f"total {time.time() - t0:.0f}s")
    return 0


def save_readme_plots(report, folder: Path) -> None:  # noqa: ANN001 - a CorpusReport
    folder.mkdir(parents=True, exist_ok=True)
    groups = [g.name for g in report.groups]
    for name, fig in (
        ("corpus-detections.png", dot_plot(report.detections, ("all techniques",), groups,
                                           "technique detections per 1,000 words (95% bootstrap interval)")),
        ("corpus-sourcing.png", dot_plot(report.weak_sourcing, ("vague or no source",), groups,
                                         "share of check-worthy claims with a vague or no source (95%)", share=True)),
    ):
        fig.set_size_inches(6.5, 2.2)
        fig.savefig(folder / name, dpi=80, bbox_inches="tight", metadata={"Software": None})
        print(f"wrote {folder / name} ({(folder / name).stat().st_size // 1024} KB)")


if __name__ == "__main__":
    raise SystemExit(main())
