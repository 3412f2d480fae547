"""Check-worthiness: CLEF CheckThat! 2019 Task 1 MAP, cross-validated by debate, next to a baseline.

Protocol: for each CLEF training debate, the head is fitted on all ClaimBuster sentences plus
the other CLEF debates and ranks the held-out debate's lines; MAP is the mean of the debates'
average precisions (the official measure). The baseline is a word 1-2-gram TF-IDF logistic
regression under the same protocol. Also: out-of-fold F1 on ClaimBuster (debates grouped) at
the shipped threshold, precision/recall/F1 on our own news-style sentences
(``tests/fixtures/claims-news.tsv``, written for this project), which no choice is tuned on,
and the news calibration on hand-labelled SemEval sentences (``bench/labels/semeval-en-claims.tsv``):
fitted on its calibration split, scored on its test split (other articles) next to the debate head.

    python bench/claims.py [--json FIGURES.json]
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
from output import finish, model_args

from spinscope.detect import names
from spinscope.detect.artifacts import read_manifest
from spinscope.detect.claims import embed
from spinscope.detect.transformer import Encoder
from spinscope.training import claims

DATA = Path(__file__).parents[2] / "shared" / "data"
NEWS = Path(__file__).parents[1] / "tests" / "fixtures" / "claims-news.tsv"
CACHE = Path(__file__).parents[1] / "runs" / "claims-features.npz"


def encoded(model_dir: Path) -> dict[str, np.ndarray]:
    """Features of every ClaimBuster and CLEF sentence, cached by data, model and masking code."""
    cb = claims.load_claimbuster(DATA / "claimbuster")
    clef = claims.load_clef(DATA / "clef2019-checkworthy" / "training")
    key = claims.data_hash([*(DATA / "claimbuster").glob("*.csv"), *(DATA / "clef2019-checkworthy" / "training").glob("*.tsv"),
                            model_dir / "model.onnx", Path(names.__file__)]) + _mask(read_manifest(model_dir))
    if CACHE.is_file():
        z = np.load(CACHE, allow_pickle=False)
        if str(z["key"]) == key:
            return {k: z[k] for k in z.files}
    m = read_manifest(model_dir)
    enc, mask = Encoder(model_dir, int(m["config"]["max_len"]), special=m.get("special_ids")), _mask(m)
    clef_texts = [t for s in clef.values() for t in s.texts]
    out = {"key": np.array(key), "cb_X": embed(enc, cb.texts, mask), "cb_y": cb.labels,
           "cb_groups": np.array(cb.groups), "clef_X": embed(enc, clef_texts, mask),
           "clef_y": np.concatenate([s.labels for s in clef.values()]),
           "clef_debate": np.array([d for d, s in clef.items() for _ in s.texts])}
    CACHE.parent.mkdir(exist_ok=True)
    np.savez(CACHE, **out)
    return out


def tfidf_texts() -> tuple[list[str], list[str]]:
    cb = claims.load_claimbuster(DATA / "claimbuster")
    clef = claims.load_clef(DATA / "clef2019-checkworthy" / "training")
    return cb.texts, [t for s in clef.values() for t in s.texts]


def clef_map(f: dict, fit_predict) -> tuple[float, dict[str, float]]:  # noqa: ANN001
    per = claims.clef_cv(f["cb_X"], f["cb_y"], f["clef_X"], f["clef_y"], f["clef_debate"], fit_predict)
    return float(np.mean(list(per.values()))), per


def main() -> int:
    args = model_args(__doc__)
    t0 = time.time()
    f = encoded(Path(args.model))
    X_all = np.vstack([f["cb_X"], f["clef_X"]])
    y_all = np.concatenate([f["cb_y"], f["clef_y"]])
    n_cb = len(f["cb_y"])

    def ours(train_clef: np.ndarray, test_clef: np.ndarray) -> np.ndarray:
        keep = np.concatenate([np.ones(n_cb, bool), train_clef])
        return claims.fit(X_all[keep], y_all[keep]).predict_proba(f["clef_X"][test_clef])[:, 1]

    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    cb_texts, clef_texts = tfidf_texts()
    texts_all = cb_texts + clef_texts

    def baseline(train_clef: np.ndarray, test_clef: np.ndarray) -> np.ndarray:
        keep = np.concatenate([np.ones(n_cb, bool), train_clef])
        vec = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)
        Xtr = vec.fit_transform([t for t, k in zip(texts_all, keep, strict=True) if k])
        clf = LogisticRegression(C=1.0, max_iter=2000).fit(Xtr, y_all[keep])
        return clf.predict_proba(vec.transform([t for t, k in zip(clef_texts, test_clef, strict=True) if k]))[:, 1]

    figures: dict = {}
    m_ours, per_ours = clef_map(f, ours)
    m_base, per_base = clef_map(f, baseline)
    print(f"CLEF 2019 Task 1, {len(per_ours)} training debates, each held out in turn (+ all ClaimBuster in training)")
    print(f"{'debate':<32}{'spinscope AP':>14}{'baseline AP':>13}")
    for d in per_ours:
        print(f"{d:<32}{per_ours[d]:>14.4f}{per_base[d]:>13.4f}")
    print(f"{'MAP':<32}{m_ours:>14.4f}{m_base:>13.4f}")
    figures["clef_map"] = {"spinscope": m_ours, "baseline": m_base, "per_debate": per_ours}

    p = claims.oof_probabilities(f["cb_X"], f["cb_y"], list(f["cb_groups"]))
    t, f1 = claims.best_threshold(p, f["cb_y"])
    print(f"\nClaimBuster out-of-fold (debates grouped): F1-best threshold {t:.2f}, F1 {f1:.3f}")
    figures["claimbuster_oof"] = {"threshold": t, "f1": f1}
    if NEWS.is_file():
        figures["news"] = news_scores(Path(args.model), t)
    figures["semeval_news"] = semeval_news(Path(args.model), t)
    return finish(figures, args.json, t0)


def semeval_news(model_dir: Path, debate_threshold: float) -> dict:
    """Our hand-labelled SemEval news sentences: the news calibration refitted on the calibration split
    (as `spinscope train --model claims-news` does), scored on the test split next to the debate head."""
    rows = claims.news_rows(model_dir, DATA / "semeval2023", claims.read_news_labels())
    fitted = claims.calibrate_news(rows, debate_threshold)
    print(f"\nSemEval news sentences labelled by hand, test split ({fitted['test_sentences']} sentences, "
          f"{fitted['test_checkworthy']} check-worthy; calibration split {fitted['calibration_sentences']})")
    print(f"{'':<34}{'P':>7}{'R':>7}{'F1':>7}{'AP':>7}{'mean p':>8}")
    for name, r in ((f"news-calibrated at {fitted['threshold']:.2f}", fitted["test"]),
                    (f"debate head at {debate_threshold:.2f}", fitted["test_debate_head"])):
        print(f"{name:<34}{r['precision']:>7.3f}{r['recall']:>7.3f}{r['f1']:>7.3f}{r['ap']:>7.3f}"
              f"{r['mean_probability']:>8.3f}")
    print(f"{'(check-worthy rate)':<34}{'':>28}{fitted['test']['rate']:>8.3f}")
    return {k: v for k, v in fitted.items() if k not in ("W",)}


def _mask(manifest: dict) -> str:
    return str(manifest.get("decisions", {}).get("mask", "names"))


def news_scores(model_dir: Path, threshold: float) -> dict:
    """Precision, recall and F1 on our own news sentences at the out-of-fold threshold."""
    rows = [line.split("\t") for line in NEWS.read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")]
    y = np.array([int(r[0]) for r in rows])
    m = read_manifest(model_dir)
    enc = Encoder(model_dir, int(m["config"]["max_len"]), special=m.get("special_ids"))
    f = encoded(model_dir)
    head = claims.fit(np.vstack([f["cb_X"], f["clef_X"]]), np.concatenate([f["cb_y"], f["clef_y"]]))
    p = head.predict_proba(embed(enc, [r[1] for r in rows], _mask(m)))[:, 1]
    pred = p >= threshold
    tp = int((pred & (y == 1)).sum())
    prec, rec = tp / max(1, pred.sum()), tp / max(1, (y == 1).sum())
    f1 = 2 * prec * rec / (prec + rec) if tp else 0.0
    print(f"\nour news sentences ({len(y)}, {int(y.sum())} check-worthy) at threshold {threshold:.2f}: "
          f"P {prec:.3f} R {rec:.3f} F1 {f1:.3f}")
    return {"n": len(y), "precision": prec, "recall": rec, "f1": f1}


if __name__ == "__main__":
    raise SystemExit(main())
