"""Attribution on PolNeAR dev: token-level precision, recall and F1 per role, next to a rule baseline.

Tokens are ``attribution_tagger.tokens``; a token counts for a role when it lies inside a
gold (first annotator's file) or predicted span of that role. The baseline tags lexicon
cue words as cues, the words before a cue back to the last punctuation as the source, and
quoted text or the rest of the sentence after the cue as content. Also prints the kinds
the shipped rules give the predicted sources.

    python bench/attribution.py [--model DIR] [--json FIGURES.json]
"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

from output import finish, model_args

from spinscope.detect.attribution import AttributionDetector, kind_of
from spinscope.detect.attribution_tagger import CUE_WORDS, ROLES, spans, token_features, tokens
from spinscope.evaluation.attribution import count, scores
from spinscope.segment import paragraphs
from spinscope.training.attribution import load_split

POLNEAR = Path(__file__).parents[2] / "shared" / "data" / "polnear"
LABELS = Path(__file__).parent / "labels" / "polnear-dev-source-kinds.tsv"


class _Model:  # what AttributionDetector needs of a model: where its files are
    def __init__(self, path: Path) -> None:
        self.path = path


def baseline(text: str, start: int, end: int) -> list[tuple[str, int, int]]:
    toks = tokens(text, start, end)
    out = []
    for i, (w, s, e) in enumerate(toks):
        if w.lower() in CUE_WORDS:
            out.append(("CUE", s, e))
            j = i - 1
            while j >= 0 and toks[j][0].isalnum():
                j -= 1
            if j + 1 < i:
                out.append(("SRC", toks[j + 1][1], toks[i - 1][2]))
            k = i + 1
            while k < len(toks) and toks[k][0] not in ".!?":
                k += 1
            if k > i + 1:
                out.append(("CON", toks[i + 1][1], toks[k - 1][2]))
    return out


def main() -> int:
    args = model_args(__doc__)
    t0 = time.time()
    det = AttributionDetector(_Model(Path(args.model)))
    counts = {name: Counter() for name in ("spinscope", "baseline")}
    for _, text, gold in load_split(POLNEAR, "dev"):
        for p in paragraphs(text):
            toks = tokens(text, p.start, p.end)
            ours = spans(toks, det.tagger.tag(token_features(toks)))
            for name, found in (("spinscope", ours), ("baseline", baseline(text, p.start, p.end))):
                count(toks, gold, found, counts[name])
    figures: dict = {}
    print(f"PolNeAR dev, token-level ({POLNEAR})")
    print(f"{'role':<8}" + "".join(f"{n + ' ' + m:>16}" for n in counts for m in ("P", "R", "F1")))
    for role in ROLES:
        row = []
        for name, c in counts.items():
            figures.setdefault(name, {})[role] = m = scores(c, role)
            row += [m["precision"], m["recall"], m["f1"]]
        print(f"{role:<8}" + "".join(f"{v:>16.3f}" for v in row))
    figures["kinds"] = kind_scores()
    return finish(figures, args.json, t0)


def kind_scores() -> dict:
    """Accuracy and per-kind F1 of the source-kind rules on our hand-labelled gold sources."""
    texts = {stem: text for stem, text, _ in load_split(POLNEAR, "dev")}
    rows = [r.split("\t") for r in LABELS.read_text(encoding="utf-8").splitlines() if r and not r.startswith("#")]
    gold = [r[3] for r in rows]
    pred = [kind_of(texts[r[0]], int(r[1]), int(r[2])) for r in rows]
    acc = sum(g == p for g, p in zip(gold, pred, strict=True)) / len(rows)
    out = {"n": len(rows), "accuracy": acc}
    print(f"\nsource kinds on {len(rows)} hand-labelled PolNeAR dev sources ({LABELS.name}): accuracy {acc:.3f}")
    for kind in ("named", "vague", "self"):
        tp = sum(g == p == kind for g, p in zip(gold, pred, strict=True))
        f1 = 2 * tp / max(1, gold.count(kind) + pred.count(kind))
        out[kind] = {"f1": f1, "gold": gold.count(kind), "predicted": pred.count(kind)}
        print(f"  {kind:<6} F1 {f1:.3f}  (gold {gold.count(kind)}, predicted {pred.count(kind)})")
    base = gold.count("named") / len(rows)
    print(f"  always 'named': accuracy {base:.3f}, vague F1 0.000")
    return out


if __name__ == "__main__":
    raise SystemExit(main())
