"""Quality of the shipped transformer model on the fixed test fold, next to the classical
model and the organisers' baseline idea, both trained in this run on the same training folds.

Usage: python bench/transformer_quality.py [--data ../shared/data/semeval2023] [--json out.json]

Split (sha256 of the article id % 5): fold 0 is the test fold scored here, fold 1 the
validation fold on which the transformer's calibration, blend weights and thresholds
were chosen, folds 2-4 trained every system. The transformer is the committed model;
its blend partner is the classical model retrained here on folds 2-4, as during tuning.
Also prints span F1 in the SemEval-2020 Task 11 style (partial-overlap credit).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from itertools import zip_longest
from pathlib import Path

import numpy as np
from baseline import fit_predict

from spinscope.detect.classic import ClassicModel
from spinscope.detect.transformer import TransformerModel
from spinscope.pipeline import MODELS_DIR, Pipeline
from spinscope.segment import paragraphs
from spinscope.semeval.scoring import score_multilabel, score_single_label
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


def score(task: str, gold: dict, pred: dict) -> float:
    if task == "genre":
        return score_single_label(gold, pred, GENRE_NAMES).macro_f1
    return score_multilabel(gold, pred, NAMES[task]).micro_f1


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
        out[task] = {lang: score(task, {k: gold[k] for k in gold if lang in ("all", langs[k])},
                                 {k: pred[k] for k in gold if lang in ("all", langs[k])})
                     for lang in sorted(set(langs.values())) + ["all"]}
    return out


def pipeline_spans(pipe: Pipeline, corpus, articles, scores) -> list[tuple[str, str, int, int]]:
    """Spans as the pipeline reports them, from precomputed scores (no second forward pass)."""
    out = []
    for aid in articles:
        text = corpus.st3_texts[aid]
        analysis = pipe.annotate(Article(text=text, id=aid), paragraphs(text), scores(aid))
        out += [(aid, s.technique, s.start, s.end) for p in analysis.paragraphs for s in p.spans]
    return out


def resegmented(text: str, mode: str) -> tuple[str, list[list[int]]]:
    """The article re-segmented, and for each new line the original paragraph numbers it covers."""
    from spinscope.segment import sentences

    paras = paragraphs(text)
    lines: list[tuple[str, list[int]]] = []
    if mode == "sentences":  # one sentence per line, as some sources print text
        for p in paras:
            lines += [(" ".join(text[s.start : s.end].split()), [p.index]) for s in sentences(text, (p,))]
    else:  # adjacent paragraphs merged pairwise into long ones
        for a, b in zip_longest(paras[::2], paras[1::2]):
            if b is None:
                lines.append((text[a.start : a.end], [a.index]))
            else:
                lines.append((text[a.start : a.end] + " " + text[b.start : b.end], [a.index, b.index]))
    return "\n".join(x for x, _ in lines), [m for _, m in lines]


def shift_table(corpus, shipped: TransformerModel, classic_tf: ClassicModel) -> dict:
    """Paragraph-level micro-F1 under re-segmentation, by language and (for English) by genre.

    Predictions for re-segmented lines are mapped back to the original paragraphs (the
    union over a paragraph's sentences; a merged line's labels go to both paragraphs).
    """
    genre = {a.id: a.genre for a in corpus.articles}
    lang_of = {p.article: p.language for p in corpus.paragraphs}
    gold = {(p.article, p.index): p.labels for p in corpus.paragraphs if split_of(p.article) == "test"}
    arts = sorted({k[0] for k in gold})
    preds: dict[tuple[str, str], dict] = {}
    for mode in ("original", "sentences", "merged"):
        for aid in arts:
            text, owners = (corpus.st3_texts[aid], None) if mode == "original" else resegmented(corpus.st3_texts[aid], mode)
            paras = paragraphs(text)
            if owners is None:
                owners = [[p.index] for p in paras]
            raw = shipped.encoder.run(text, paras)
            c = classic_tf.predict(text, paras)
            for system, probs, t in (("transformer", shipped.combine(raw, c).paragraphs, shipped.techniques.thresholds),
                                     ("classic", c.paragraphs, classic_tf.techniques.thresholds)):
                out = preds.setdefault((system, mode), {})
                for row, own in enumerate(owners):
                    found = {TECHNIQUE_NAMES[j] for j in np.flatnonzero(probs[row] >= t)}
                    for idx in own:
                        out[(aid, idx)] = out.get((aid, idx), set()) | found
    groups = {"en opinion": lambda k: lang_of[k[0]] == "en" and genre.get(k[0]) == "opinion",
              "en reporting": lambda k: lang_of[k[0]] == "en" and genre.get(k[0]) == "reporting",
              "all languages": lambda k: True}
    table: dict = {}
    for (system, mode), pred in preds.items():
        for g, keep in groups.items():
            keys = [k for k in gold if keep(k)]
            f = score_multilabel({k: gold[k] for k in keys}, {k: tuple(pred.get(k, ())) for k in keys},
                                 TECHNIQUE_NAMES).micro_f1
            table.setdefault(g, {}).setdefault(system, {})[mode] = (f, len(keys))
    return table


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
    ours = transformer_heads.score_split(corpus, outputs, "test", shipped.combine, thresholds)
    cls = transformer_heads.score_split(
        corpus, outputs, "test", lambda _raw, c: c,
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
            Pipeline(shipped), corpus, test_articles, lambda a: shipped.combine(outputs.st3[a], outputs.st3_classic[a])),
        "classical pipeline (cue lexicon)": pipeline_spans(
            Pipeline(classic_tf), corpus, test_articles, lambda a: outputs.st3_classic[a]),
    }
    print(f"\nspan-level technique classification, SemEval-2020 Task 11 style ({len(gold)} gold spans)")
    print(f"{'system':<36}{'precision':>10}{'recall':>8}{'F1':>7}{'spans':>8}")
    for name, pred in rows.items():
        p, r, f = transformer_heads.span_f1(pred, gold)
        print(f"{name:<36}{p:>10.3f}{r:>8.3f}{f:>7.3f}{len(pred):>8}")
        figures.setdefault("spans", {})[name] = {"precision": p, "recall": r, "f1": f}
    print("\nrobustness: techniques micro-F1 on the test fold when the same text is segmented differently")
    print(f"{'paragraphs':<16}{'system':<13}{'original':>9}{'sentences':>10}{'merged':>8}{'n':>7}")
    shift = shift_table(corpus, shipped, classic_tf)
    for g, systems in shift.items():
        for system, modes in systems.items():
            print(f"{g:<16}{system:<13}{modes['original'][0]:>9.3f}{modes['sentences'][0]:>10.3f}"
                  f"{modes['merged'][0]:>8.3f}{modes['original'][1]:>7}")
    figures["robustness"] = {g: {s: {m: v[0] for m, v in ms.items()} for s, ms in sy.items()} for g, sy in shift.items()}
    print(f"\ntotal {time.time() - t0:.0f}s")
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
