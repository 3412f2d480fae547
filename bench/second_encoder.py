"""Does a second encoder add anything to the shipped one? (the question before distilling it)

Usage: python bench/second_encoder.py --second runs/mpnet-en [--lang en] [--model DIR] [--json F]

Both encoders read the validation and test folds of the chosen languages (names masked as
each model's decisions say). The classical partner is trained on the training folds of the
same languages, as ``bench/shift.py`` trains it. The sentence decisions
(``training.decisions``) are then fitted on validation sentences three ways: the shipped
features, the same plus the second encoder's logit, and the second encoder in place of the
first. Printed per way: the validation out-of-fold micro-F1 that the fit chooses its
threshold on, and the test fold's sentences (one sentence per line, gold from the spans)
and its reporting articles' sentences, precision / recall / micro-F1. If the second encoder
adds nothing beside the first, a student distilled from it has nothing to learn from it.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from output import finish
from shift import LANGS, prf

from spinscope.detect.classic import ClassicModel
from spinscope.detect.decisions import SentenceDecisions
from spinscope.detect.transformer import TransformerModel
from spinscope.pipeline import MODELS_DIR
from spinscope.training import classic, transformer_heads
from spinscope.training.corpus import load_corpus
from spinscope.training.decisions import fit_sentence_decisions
from spinscope.training.transformer import restrict, split_of


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=str(Path(__file__).parents[2] / "shared" / "data" / "semeval2023"))
    ap.add_argument("--model", default=str(MODELS_DIR / "transformer"), help="the first (shipped) encoder's model")
    ap.add_argument("--second", required=True, help="the second encoder's model directory")
    ap.add_argument("--lang", action="append", choices=LANGS, help="these languages only (repeatable)")
    ap.add_argument("--json", help="also write the figures here")
    args = ap.parse_args()
    t0 = time.time()
    corpus = load_corpus(args.data, args.lang or LANGS)
    with tempfile.TemporaryDirectory() as tmp:
        train = restrict(corpus, {"train"})
        classic.export(classic.train(train, classic.ClassicConfig(), log=lambda m: None), train, tmp, 0.0)
        cls = ClassicModel.load(tmp)
    models = [TransformerModel(Path(args.model), cls), TransformerModel(Path(args.second), cls)]
    texts = {a: t for a, t in corpus.st3_texts.items() if split_of(a) in ("validation", "test")}
    languages = {p.article: p.language for p in corpus.paragraphs}
    rows = []
    for m in models:
        out = transformer_heads.Outputs({}, {}, {}, {}, {}, {}, {}, languages)
        transformer_heads.run_all(m.encoder, cls, texts, out, st3=True, mask=m.mask)
        rows.append({s: transformer_heads.sentence_rows(corpus, out, s, m.sentence_head, m.attention_head)
                     for s in ("validation", "test")})
    print(f"outputs in {time.time() - t0:.0f}s", file=sys.stderr)
    genre = {a.id: a.genre for a in corpus.articles}
    (Xv, Yv, av), (Xt, Yt, at) = rows[0]["validation"], rows[0]["test"]
    Sv, St = rows[1]["validation"][0], rows[1]["test"][0]
    reporting = np.array([genre.get(a) == "reporting" for a in at])
    ways = {"shipped features": (Xv, Xt),
            "+ second encoder's logit": (np.concatenate([Xv, Sv[..., :1]], -1), np.concatenate([Xt, St[..., :1]], -1)),
            "second encoder in place of the first": (Sv, St)}
    figures: dict = {"shipped_decisions": prf(models[0].decisions.probabilities(Xt) >= models[0].decisions.threshold, Yt)}
    print(f"{len(Yv)} validation and {len(Yt)} test sentences ({int(reporting.sum())} from reporting articles)")
    print(f"shipped decisions as they are: test sentences P/R/F1 {'/'.join(f'{x:.3f}' for x in figures['shipped_decisions'])}")
    for name, (xv, xt) in ways.items():
        W, b, t, f1 = fit_sentence_decisions(xv, Yv, av)
        D = SentenceDecisions(W.astype(np.float64), b.astype(np.float64), t).probabilities(xt) >= t
        figures[name] = {"validation_oof_f1": f1, "threshold": t, "test": prf(D, Yt),
                         "reporting": prf(D[reporting], Yt[reporting])}
        print(f"{name:<38} validation {f1:.3f} (t={t:.2f})   test {'/'.join(f'{x:.3f}' for x in figures[name]['test'])}"
              f"   reporting {'/'.join(f'{x:.3f}' for x in figures[name]['reporting'])}")
    return finish(figures, args.json, t0)


if __name__ == "__main__":
    raise SystemExit(main())
