"""``spinscope train``: load the corpus, cross-validate, fit and export, with a log."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path

from spinscope import languages


def train_classic_model(
    data_dir: str | Path,
    out_dir: str | Path,
    *,
    langs: Sequence[str] = languages.TRAINED,
    seed: int = 13,
    folds: int = 5,
    log: Callable[[str], None] = print,
) -> dict:
    """Train the classical models on a SemEval data root and write them to ``out_dir``.

    The log (label repairs included) is also written to ``out_dir/training-log.txt``.
    """
    from spinscope.training import classic
    from spinscope.training.corpus import load_corpus

    lines: list[str] = []

    def tee(msg: str) -> None:
        lines.append(msg)
        log(msg)

    t0 = time.time()
    corpus = load_corpus(data_dir, [languages.normalize(x) for x in langs], log=tee)
    tee(f"training data sha256: {corpus.data_hash}")
    model = classic.train(corpus, classic.ClassicConfig(seed=seed, folds=folds), log=tee)
    manifest = classic.export(model, corpus, out_dir, time.time() - t0)
    for task, rows in manifest["cv_metrics"].items():
        for lang, m in rows.items():
            tee(f"cv {task:<10} {lang:<3} micro-F1 {m['micro_f1']:.3f}  macro-F1 {m['macro_f1']:.3f}  n={m['n']}")
    tee(f"wrote {out_dir} in {time.time() - t0:.0f}s")
    (Path(out_dir) / "training-log.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return manifest
