"""Check-worthiness head: which sentences state a specific, verifiable claim a fact-checker would check.

Data (never committed): ClaimBuster (``groundtruth.csv`` and ``crowdsourced.csv``; Verdict 1 =
check-worthy factual sentence, 0 and -1 = not) and the CLEF CheckThat! 2019 Task 1 training
debates (``line<TAB>speaker<TAB>text<TAB>label``). Features are the shared encoder's pooled
sentence vector (names masked as at run time) and the log token count, so the head costs one
dot product per sentence on top of the pass the technique detector already makes. A logistic
regression gives the probability; the threshold is the F1-best one on out-of-fold ClaimBuster
probabilities (debates grouped), never on the news or CLEF sets we report on.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from spinscope.evaluation.claims import read_clef


@dataclass(frozen=True)
class Sentences:
    texts: list[str]
    labels: np.ndarray  # 1 check-worthy, 0 not
    groups: list[str]  # debate (file) of each sentence, for grouped cross-validation


def load_claimbuster(root: str | Path) -> Sentences:
    texts, labels, groups = [], [], []
    seen: set[str] = set()
    for name in ("groundtruth.csv", "crowdsourced.csv"):
        with open(Path(root) / name, newline="", encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                if row["Sentence_id"] in seen:
                    continue
                seen.add(row["Sentence_id"])
                texts.append(row["Text"])
                labels.append(int(int(row["Verdict"]) == 1))
                groups.append(row["File_id"])
    return Sentences(texts, np.array(labels, np.int8), groups)


def load_clef(root: str | Path) -> dict[str, Sentences]:
    out = {}
    for f in sorted(Path(root).glob("*.tsv")):
        rows = read_clef(f)
        out[f.stem] = Sentences([r[2] for r in rows], np.array([r[3] or 0 for r in rows], np.int8), [f.stem] * len(rows))
    return out


def data_hash(paths: Iterable[Path]) -> str:
    h = hashlib.sha256()
    for p in sorted(paths):
        h.update(p.name.encode())
        h.update(p.read_bytes())
    return h.hexdigest()


def fit(X: np.ndarray, y: np.ndarray, seed: int = 13, C: float = 0.5):  # noqa: ANN201 - sklearn model
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=C, max_iter=3000, random_state=seed).fit(X, y)


def oof_probabilities(X: np.ndarray, y: np.ndarray, groups: list[str], folds: int = 5, seed: int = 13) -> np.ndarray:
    """Out-of-fold probabilities with whole debates held out together."""
    g = np.array([int(hashlib.sha256(x.encode()).hexdigest(), 16) % folds for x in groups])
    p = np.zeros(len(y))
    for k in range(folds):
        test = g == k
        if test.any() and (~test).any():
            p[test] = fit(X[~test], y[~test], seed).predict_proba(X[test])[:, 1]
    return p


def best_threshold(p: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """The F1-best threshold on a grid, and its F1."""
    best = (0.5, -1.0)
    for t in np.round(np.arange(0.05, 0.96, 0.01), 2):
        pred = p >= t
        tp = float((pred & (y == 1)).sum())
        f1 = 2 * tp / (pred.sum() + (y == 1).sum()) if tp else 0.0
        if f1 > best[1] + 1e-12:
            best = (float(t), f1)
    return best


def clef_cv(cb_X: np.ndarray, cb_y: np.ndarray, clef_X: np.ndarray, clef_y: np.ndarray, debates: np.ndarray,
            fit_predict=None) -> dict[str, float]:  # noqa: ANN001
    """Average precision of each CLEF debate, ranked by a head fitted on ClaimBuster plus the other debates."""
    from spinscope.evaluation.claims import average_precision

    def ours(train: np.ndarray, test: np.ndarray) -> np.ndarray:
        return fit(np.vstack([cb_X, clef_X[train]]), np.concatenate([cb_y, clef_y[train]])).predict_proba(clef_X[test])[:, 1]

    run = fit_predict or ours
    return {d: average_precision(run(debates != d, debates == d), clef_y[debates == d]) for d in sorted(set(debates.tolist()))}


def train_head(data_root: str | Path, model_dir: str | Path, log=print) -> dict:  # noqa: ANN001
    """Fit the check-worthiness head for the encoder in ``model_dir``; write ``claims.npz`` and the manifest entry."""
    import time

    from spinscope.detect.artifacts import read_manifest, write_arrays, write_manifest
    from spinscope.detect.claims import HEAD_FILE, embed
    from spinscope.detect.transformer import Encoder
    from spinscope.training.card import write_card

    t0 = time.time()
    root, out = Path(data_root), Path(model_dir)
    manifest = read_manifest(out)
    enc = Encoder(out, int(manifest["config"]["max_len"]), special=manifest.get("special_ids"))
    cb = load_claimbuster(root / "claimbuster")
    clef = load_clef(root / "clef2019-checkworthy" / "training")
    mask = str(manifest.get("decisions", {}).get("mask", "names"))
    cb_X = embed(enc, cb.texts, mask)
    clef_X = embed(enc, [t for s in clef.values() for t in s.texts], mask)
    clef_y = np.concatenate([s.labels for s in clef.values()])
    debates = np.array([d for d, s in clef.items() for _ in s.texts])
    log(f"encoded {len(cb.texts)} ClaimBuster and {len(clef_y)} CLEF sentences in {time.time() - t0:.0f}s")
    threshold, oof_f1 = best_threshold(oof_probabilities(cb_X, cb.labels, cb.groups), cb.labels)
    per = clef_cv(cb_X, cb.labels, clef_X, clef_y, debates)
    log(f"ClaimBuster out-of-fold F1 {oof_f1:.3f} at threshold {threshold:.2f}; CLEF 2019 debate-held-out MAP "
        f"{np.mean(list(per.values())):.4f}")
    head = fit(np.vstack([cb_X, clef_X]), np.concatenate([cb.labels, clef_y]))
    write_arrays(out / HEAD_FILE, {"W": head.coef_[0].astype(np.float32), "b": head.intercept_.astype(np.float32)})
    files = [*(root / "claimbuster").glob("*.csv"), *(root / "clef2019-checkworthy" / "training").glob("*.tsv")]
    manifest["claims"] = {
        "data": "ClaimBuster groundtruth.csv + crowdsourced.csv (Verdict 1 vs 0/-1) and the CLEF CheckThat! 2019 "
                "Task 1 training debates; not redistributed",
        "data_sha256": data_hash(files), "sentences": int(len(cb.texts) + len(clef_y)),
        "features": f"pooled encoder vector of the sentence (names masked: {mask}) + log1p(tokens)",
        "threshold": threshold, "threshold_rule": "F1-best on out-of-fold ClaimBuster probabilities, debates grouped",
        "claimbuster_oof_f1": round(oof_f1, 4), "clef2019_cv_map": round(float(np.mean(list(per.values()))), 4),
        "clef2019_cv_ap": {k: round(v, 4) for k, v in per.items()},
        "licence": "head weights Apache-2.0; ClaimBuster is CC BY 4.0, CLEF CheckThat! data research use",
        "seconds": round(time.time() - t0, 1),
    }
    write_manifest(out, manifest)
    write_card(out, manifest)
    return manifest["claims"]


# -- news calibration -----------------------------------------------------------
NEWS_LABELS = Path(__file__).parents[3] / "bench" / "labels" / "semeval-en-claims.tsv"


@dataclass(frozen=True)
class NewsLabel:
    article: str
    start: int
    end: int
    label: int
    split: str  # "calibration" (fitted on) or "test" (only ever scored)


def read_news_labels(path: str | Path = NEWS_LABELS) -> list[NewsLabel]:
    rows = [line.split("\t") for line in Path(path).read_text(encoding="utf-8").splitlines()
            if line and not line.startswith("#")]
    return [NewsLabel(r[0], int(r[1]), int(r[2]), int(r[3]), r[4].strip()) for r in rows]


@dataclass(frozen=True)
class NewsRows:
    """Per labelled sentence: the debate head's probability in its article, its text, gold, split.

    ``found`` is False where the pipeline dropped the sentence as page furniture: it gets no claim."""

    raw: np.ndarray
    texts: list[str]
    y: np.ndarray
    split: np.ndarray
    found: np.ndarray


def news_rows(model_dir: str | Path, semeval_root: str | Path, labels: list[NewsLabel]) -> NewsRows:
    """Run the shipped pipeline's scoring on each labelled article and read its sentences' head probabilities."""
    from spinscope.detect.claims import ClaimsHead
    from spinscope.pipeline import load
    from spinscope.training.corpus import load_corpus

    nlp = load(model_dir, detectors=["scores"])
    head = ClaimsHead.load(Path(model_dir))
    texts = {a.id: a.text for a in load_corpus(semeval_root).articles}
    scorer = nlp.detector("scores")
    raw, found, sents = [], [], []
    by_article: dict[str, tuple[str, list, np.ndarray]] = {}
    for aid in sorted({x.article for x in labels}):
        doc = nlp.prepare(texts[aid], language="en")
        scorer.set_annotations([doc], scorer.predict([doc]))
        by_article[aid] = (doc.article.text, list(doc.sentences), head.probabilities(doc.scores.sentence_features))
    for x in labels:
        sentence = texts[x.article][x.start:x.end]
        text, units, p = by_article[x.article]
        k = text.find(sentence)
        overlap = [min(k + len(sentence), u.end) - max(k, u.start) for u in units] if k >= 0 else []
        best = int(np.argmax(overlap)) if overlap else -1
        found.append(best >= 0 and overlap[best] > 0)
        raw.append(float(p[best]) if found[-1] else 0.0)
        sents.append(sentence)
    return NewsRows(np.array(raw), sents, np.array([x.label for x in labels]), np.array([x.split for x in labels]),
                    np.array(found))


def prf(pred: np.ndarray, y: np.ndarray) -> dict[str, float]:
    tp = float((pred & (y == 1)).sum())
    p, r = tp / max(1.0, float(pred.sum())), tp / max(1.0, float((y == 1).sum()))
    return {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if tp else 0.0}


def calibrate_news(rows: NewsRows, debate_threshold: float) -> dict:
    """Fit the news calibration on the calibration split; score both it and the debate head on the test split."""
    from sklearn.metrics import average_precision_score

    from spinscope.detect.claims import mood, news_features
    from spinscope.detect.linear import sigmoid

    X = news_features(rows.raw, rows.texts)
    statement = np.array([mood(t) == "statement" for t in rows.texts])
    cal, test = (rows.split == "calibration") & rows.found, rows.split == "test"
    lr = fit(X[cal], rows.y[cal], C=1.0)
    q = np.where(rows.found, sigmoid(X @ lr.coef_[0] + lr.intercept_[0]), 0.0)
    threshold, cal_f1 = best_threshold(q[cal], rows.y[cal])
    yt = rows.y[test]
    return {
        "W": lr.coef_[0].astype(np.float64), "b": float(lr.intercept_[0]), "threshold": threshold,
        "calibration_sentences": int(cal.sum()), "calibration_f1": cal_f1,
        "test_sentences": int(test.sum()), "test_checkworthy": int(yt.sum()),
        # As the detector decides: a question or an exhortation is never check-worthy.
        "test": {**prf((q[test] >= threshold) & statement[test], yt), "ap": float(average_precision_score(yt, q[test])),
                 "mean_probability": float(q[test].mean()), "rate": float(yt.mean())},
        "test_debate_head": {**prf(rows.raw[test] >= debate_threshold, yt),
                             "ap": float(average_precision_score(yt, rows.raw[test])),
                             "mean_probability": float(rows.raw[test].mean())},
    }


def train_news_calibration(data_root: str | Path, model_dir: str | Path, labels: str | Path = NEWS_LABELS,
                           log=print) -> dict:  # noqa: ANN001
    """Refit the news calibration of the check-worthiness head in ``model_dir`` (claims.npz, manifest)."""
    from spinscope.detect.artifacts import read_arrays, read_manifest, write_arrays, write_manifest
    from spinscope.detect.claims import HEAD_FILE, NEWS_FEATURES
    from spinscope.training.card import write_card

    out = Path(model_dir)
    manifest = read_manifest(out)
    rows = news_rows(out, Path(data_root) / "semeval2023", read_news_labels(labels))
    fitted = calibrate_news(rows, float(manifest["claims"]["threshold"]))
    arrays = {k: v for k, v in read_arrays(out / HEAD_FILE).items() if k in ("W", "b")}
    write_arrays(out / HEAD_FILE, {**arrays, "news_W": fitted["W"].astype(np.float32),
                                   "news_b": np.array([fitted["b"]], np.float32)})
    t, d = fitted["test"], fitted["test_debate_head"]
    manifest["claims"]["news"] = {
        "data": f"{Path(labels).name}: English SemEval-2023 training sentences labelled by hand for this project "
                "(offsets only; how they were labelled is in the file's header)",
        "data_sha256": hashlib.sha256(Path(labels).read_bytes()).hexdigest(),
        "features": list(NEWS_FEATURES), "threshold": fitted["threshold"],
        "threshold_rule": "F1-best on the calibration split's calibrated probabilities",
        "calibration_sentences": fitted["calibration_sentences"], "test_sentences": fitted["test_sentences"],
        "test": {k: round(v, 4) for k, v in t.items()},
        "test_debate_head": {k: round(v, 4) for k, v in d.items()},
    }
    write_manifest(out, manifest)
    write_card(out, manifest)
    log(f"news calibration: test split ({fitted['test_sentences']} sentences, {fitted['test_checkworthy']} check-worthy) "
        f"P {t['precision']:.3f} R {t['recall']:.3f} F1 {t['f1']:.3f} AP {t['ap']:.3f} at {fitted['threshold']:.2f}; "
        f"the debate head alone P {d['precision']:.3f} R {d['recall']:.3f} F1 {d['f1']:.3f} AP {d['ap']:.3f}")
    return manifest["claims"]["news"]
