"""Attribution tagger: a CRF trained on PolNeAR (source, cue, content spans), exported for numpy decoding.

PolNeAR annotations are univocal (one role per token, one attribution per token), so a
BIO tag sequence per paragraph loses nothing but the links, which ``detect/attribution``
restores from proximity. Articles with several annotators' files use the first file in
name order. Needs python-crfsuite (the [train] extra).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np

from spinscope.detect.attribution_tagger import ROLES, token_features, tokens
from spinscope.segment import paragraphs

ROLE_OF = {"Source": "SRC", "Cue": "CUE", "Content": "CON"}


def read_ann(path: Path) -> list[tuple[str, int, int]]:
    """``(role, start, end)`` text-bound Source/Cue/Content annotations (discontinuous ones by their parts)."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) < 2 or not parts[0].startswith("T"):
            continue
        kind, _, where = parts[1].partition(" ")
        if kind not in ROLE_OF:
            continue
        for piece in where.split(";"):
            s, e = piece.split()
            out.append((ROLE_OF[kind], int(s), int(e)))
    return out


def load_split(root: str | Path, split: str) -> list[tuple[str, str, list[tuple[str, int, int]]]]:
    """``(article, text, spans)`` for every article of a PolNeAR split."""
    base = Path(root) / split
    anns: dict[str, Path] = {}
    for f in sorted((base / "attributions").glob("*.ann")):
        anns.setdefault(f.stem.rsplit("_", 1)[0], f)
    out = []
    for stem, ann in sorted(anns.items()):
        text_file = base / "text" / f"{stem}.txt"
        if text_file.is_file():
            out.append((stem, text_file.read_text(encoding="utf-8"), read_ann(ann)))
    return out


def sequences(text: str, gold: list[tuple[str, int, int]]):  # noqa: ANN201
    """Per paragraph: tokens, features and BIO tags from gold spans."""
    for p in paragraphs(text):
        toks = tokens(text, p.start, p.end)
        tags = []
        prev = None
        for _, s, e in toks:
            role = next((r for r, gs, ge in gold if gs <= s and e <= ge), None)
            span = next(((gs, ge) for r, gs, ge in gold if gs <= s and e <= ge), None)
            tags.append("O" if role is None else ("I-" if span == prev else "B-") + role)
            prev = span
        yield toks, token_features(toks), tags


def train(root: str | Path, out_dir: str | Path, log: Callable[[str], None] = print, max_iterations: int = 60) -> dict:
    import time

    import pycrfsuite

    t0 = time.time()
    trainer = pycrfsuite.Trainer(verbose=False)
    n = 0
    for _, text, gold in load_split(root, "train"):
        for _, feats, tags in sequences(text, gold):
            if feats:
                trainer.append(feats, tags)
                n += 1
    trainer.set_params({"c1": 0.1, "c2": 0.01, "max_iterations": max_iterations,
                        "feature.possible_transitions": True})
    out = Path(out_dir)
    tmp = out / "attribution.crfsuite.tmp"
    trainer.train(str(tmp))
    log(f"attribution CRF: {n} paragraphs, {time.time() - t0:.0f}s")
    info = pycrfsuite.Tagger()
    info.open(str(tmp))
    model = info.info()
    info.close()
    tmp.unlink()
    labels = ["O", *[f"{b}-{r}" for r in ROLES for b in ("B", "I")]]
    attrs = sorted({a for a, _ in model.state_features})
    index = {a: i for i, a in enumerate(attrs)}
    state = np.zeros((len(attrs), len(labels)), np.float32)
    for (a, lab), w in model.state_features.items():
        state[index[a], labels.index(lab)] = w
    trans = np.zeros((len(labels), len(labels)), np.float32)
    for (a, b), w in model.transitions.items():
        trans[labels.index(a), labels.index(b)] = w
    from spinscope.detect.artifacts import write_arrays

    write_arrays(out / "attribution.npz", {"state": state.astype(np.float16), "transitions": trans}, compressed=True)
    (out / "attribution.json").write_text(json.dumps({"labels": labels, "attributes": attrs}, ensure_ascii=False),
                                          encoding="utf-8")
    return {"paragraphs": n, "attributes": len(attrs), "seconds": round(time.time() - t0, 1)}


def dev_scores(root: str | Path, model_dir: str | Path) -> dict[str, dict[str, float]]:
    """Token-level scores per role of the tagger in ``model_dir`` on PolNeAR dev."""
    from collections import Counter

    from spinscope.detect.attribution_tagger import Tagger, spans
    from spinscope.evaluation.attribution import count, scores

    tagger = Tagger.load(Path(model_dir))
    assert tagger is not None
    counts: Counter = Counter()
    for _, text, gold in load_split(root, "dev"):
        for toks, feats, _tags in sequences(text, gold):
            count(toks, gold, spans(toks, tagger.tag(feats)), counts)
    return {role: scores(counts, role) for role in ROLES}


def train_tagger(root: str | Path, model_dir: str | Path, log: Callable[[str], None] = print) -> dict:
    """Train, export, score on dev, and record the tagger in the model's manifest and card."""
    from spinscope.detect.artifacts import read_manifest, write_manifest
    from spinscope.training.card import write_card
    from spinscope.training.claims import data_hash

    out = Path(model_dir)
    manifest = read_manifest(out)  # before training: the tagger belongs to a model already in ``out``
    info = train(root, out, log)
    dev = dev_scores(root, out)
    log("PolNeAR dev token F1: " + ", ".join(f"{r} {m['f1']:.3f}" for r, m in dev.items()))
    manifest["attribution"] = {
        "data": "PolNeAR train (840 articles; first annotator's file per article); not redistributed",
        "data_sha256": data_hash(list((Path(root) / "train").rglob("*.ann")) + list((Path(root) / "train").rglob("*.txt"))),
        "method": "linear-chain CRF (python-crfsuite, c1 0.1, c2 0.01, 60 iterations) over word, suffix, shape, "
                  "quote-state and cue-lexicon features in a +-2 window; BIO over source/cue/content; numpy Viterbi",
        "dev_token_scores": dev, **info,
        "licence": "tagger weights Apache-2.0; PolNeAR annotations are for research use and are not redistributed",
    }
    write_manifest(out, manifest)
    write_card(out, manifest)
    return manifest["attribution"]
