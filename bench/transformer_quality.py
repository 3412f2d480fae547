"""Quality of the shipped transformer model on the fixed test fold, next to the classical
model and the organisers' baseline idea, both trained in this run on the same training folds.

Usage: python bench/transformer_quality.py [--data ../shared/data/semeval2023] [--json out.json]

Split (sha256 of the article id % 5): fold 0 is the test fold scored here, fold 1 the
validation fold on which the transformer's calibration, blend weights and thresholds
were chosen, folds 2-4 trained every system. The transformer is the committed model;
its blend partner is the classical model retrained here on folds 2-4, as during tuning.
Also prints span F1 in the SemEval-2020 Task 11 style (partial-overlap credit).
Robustness to segmentation, genre and language shift: bench/shift.py.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from baseline import fit_predict
from output import finish

from spinscope.detect.classic import ClassicModel
from spinscope.detect.transformer import TransformerModel
from spinscope.evaluation.metrics import OFFICIAL, TASK_SUBTASK, per_language
from spinscope.pipeline import MODELS_DIR, Pipeline
from spinscope.segment import paragraphs
from spinscope.taxonomy import FRAME_NAMES, GENRE_NAMES, TECHNIQUE_NAMES
from spinscope.training import classic, transformer_heads
from spinscope.training.corpus import load_corpus
from spinscope.training.transformer import restrict, split_of
from spinscope.types import Article

NAMES = {"techniques": TECHNIQUE_NAMES, "frames": FRAME_NAMES, "genre": GENRE_NAMES}
SUBTASK = {"genre": "1 genre (macro)", "frames": "2 frames (micro)", "techniques": "3 techniques (micro)"}


def items(corpus, task: str, split: str):
    """(key, language, text, gold) for one task's items in one split."""
    if task == "techniques":
        return [((p.article, p.index), p.language, p.text, p.labels) for p in corpus.paragraphs if split_of(p.article) == split]
    attr = "frames" if task == "frames" else "genre"
    return [(a.id, a.language, a.text, getattr(a, attr)) for a in corpus.articles
            if split_of(a.id) == split and getattr(a, attr) is not None]


def baseline_table(corpus) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for task in NAMES:
        tr, te = items(corpus, task, "train"), items(corpus, task, "test")
        gold, pred, langs = {}, {}, {}
        for lang in sorted({x[1] for x in te}):
            a = [x for x in tr if x[1] == lang]
            b = [x for x in te if x[1] == lang]
            for x, p in zip(b, fit_predict([x[2] for x in a], [x[3] for x in a], [x[2] for x in b], task, NAMES[task]),
                            strict=True):
                gold[x[0]], pred[x[0]], langs[x[0]] = x[3], p, lang
        official = OFFICIAL[TASK_SUBTASK[task]]
        out[task] = {lang: row[official] for lang, row in per_language(task, gold, pred, langs).items()}
    return out


def pipeline_spans(pipe: Pipeline, corpus, articles, scores) -> list[tuple[str, str, int, int]]:
    """Spans as the pipeline reports them, from precomputed scores (no second forward pass)."""
    out = []
    for aid in articles:
        text = corpus.st3_texts[aid]
        analysis = pipe.annotate(Article(text=text, id=aid), paragraphs(text), scores(aid))
        out += [(aid, s.technique, s.start, s.end) for p in analysis.paragraphs for s in p.spans]
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=str(Path(__file__).parents[2] / "shared" / "data" / "semeval2023"))
    ap.add_argument("--model", default=str(MODELS_DIR / "transformer"))
    ap.add_argument("--json", help="also write the figures here")
    args = ap.parse_args()
    t0 = time.time()
    corpus = load_corpus(args.data)
    log = lambda m: print(f"  {m}", file=sys.stderr)  # noqa: E731
    with tempfile.TemporaryDirectory() as tmp:
        train = restrict(corpus, {"train"})
        classic.export(classic.train(train, classic.ClassicConfig(), log=log), train, tmp, 0.0)
        classic_tf = ClassicModel.load(tmp)
    print(f"classical model trained on folds 2-4 in {time.time() - t0:.0f}s", file=sys.stderr)
    shipped = TransformerModel(Path(args.model), classic_tf)  # blended with the folds-2-4 classic, as when tuned
    t1 = time.time()
    outputs = transformer_heads.collect(shipped.encoder, classic_tf, restrict(corpus, {"test"}), {"test"})
    print(f"transformer and classical outputs for the test fold in {time.time() - t1:.0f}s", file=sys.stderr)
    thresholds = {"techniques": shipped.techniques.thresholds, "frames": shipped.frames.thresholds}
    ours = transformer_heads.score_split(corpus, outputs, "test", transformer_heads.shipped_combine(shipped), thresholds,
                                         shipped.satire_floor)
    cls = transformer_heads.score_split(
        corpus, outputs, "test", transformer_heads.classic_combine,
        {"techniques": classic_tf.techniques.thresholds, "frames": classic_tf.frames.thresholds},
    )
    base = baseline_table(corpus)

    print(f"\ndata sha256 {corpus.data_hash[:16]}; test fold: {len(outputs.st3)} subtask-3 articles")
    print(f"{'subtask':<22}{'lang':<6}{'transformer':>12}{'classic':>9}{'baseline':>10}{'n':>7}")
    figures: dict = {}
    for task in ("genre", "frames", "techniques"):
        metric = "macro_f1" if task == "genre" else "micro_f1"
        for lang, m in ours[task].items():
            row = (m[metric], cls[task][lang][metric], base[task].get(lang, float("nan")))
            print(f"{SUBTASK[task]:<22}{lang:<6}{row[0]:>12.3f}{row[1]:>9.3f}{row[2]:>10.3f}{m['n']:>7}")
            figures.setdefault(task, {})[lang] = dict(zip(("transformer", "classic", "baseline"), row, strict=True))

    test_articles = sorted(outputs.st3)
    gold = transformer_heads.gold_spans(corpus, set(test_articles))
    rows = {
        "token head, all runs": transformer_heads.predicted_spans(outputs, test_articles, shipped.span_thresholds),
        "shipped pipeline (transformer)": pipeline_spans(
            Pipeline(shipped), corpus, test_articles,
            lambda a: transformer_heads.shipped_combine(shipped)(a, outputs, True)),
        "classical pipeline (cue lexicon)": pipeline_spans(
            Pipeline(classic_tf), corpus, test_articles, lambda a: outputs.classic_paragraphs[a]),
    }
    print(f"\nspan-level technique classification, SemEval-2020 Task 11 style ({len(gold)} gold spans)")
    print(f"{'system':<36}{'precision':>10}{'recall':>8}{'F1':>7}{'spans':>8}")
    for name, pred in rows.items():
        p, r, f = transformer_heads.span_f1(pred, gold)
        print(f"{name:<36}{p:>10.3f}{r:>8.3f}{f:>7.3f}{len(pred):>8}")
        figures.setdefault("spans", {})[name] = {"precision": p, "recall": r, "f1": f}
    return finish(figures, args.json, t0)


if __name__ == "__main__":
    raise SystemExit(main())
