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
    cb_X = embed(enc, cb.texts)
    clef_X = embed(enc, [t for s in clef.values() for t in s.texts])
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
        "features": "pooled encoder vector of the sentence (names masked) + log1p(tokens)",
        "threshold": threshold, "threshold_rule": "F1-best on out-of-fold ClaimBuster probabilities, debates grouped",
        "claimbuster_oof_f1": round(oof_f1, 4), "clef2019_cv_map": round(float(np.mean(list(per.values()))), 4),
        "clef2019_cv_ap": {k: round(v, 4) for k, v in per.items()},
        "licence": "head weights Apache-2.0; ClaimBuster is CC BY 4.0, CLEF CheckThat! data research use",
        "seconds": round(time.time() - t0, 1),
    }
    write_manifest(out, manifest)
    write_card(out, manifest)
    return manifest["claims"]
