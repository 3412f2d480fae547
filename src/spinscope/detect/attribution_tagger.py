"""Who said what: a linear-chain CRF over word tokens tags attribution sources, cues and contents.

Trained on PolNeAR (``training/attribution.py``, with python-crfsuite under the [train]
extra); the weights are exported to ``attribution.npz`` and decoded here with numpy Viterbi,
so inference needs no CRF library. Tags are BIO over three roles: ``SRC`` (who), ``CUE``
("said", "according to") and ``CON`` (what).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from spinscope.detect.artifacts import read_arrays

TOKEN = re.compile(r"\w+(?:[-'’.]\w+)*|[^\w\s]", re.UNICODE)
QUOTES = frozenset('"“”«»„')
CUE_WORDS = frozenset("""said says say told tells according added adds stated states claimed claims argued argues
wrote writes noted notes explained explains announced announces reported reports insisted insists warned warns
accused accuses suggested suggests believes believed thinks thought asked asks acknowledged admitted denied
declared recalled predicted promised vowed urged called described pointed confirmed revealed tweeted""".split())
ROLES = ("SRC", "CUE", "CON")


def tokens(text: str, start: int = 0, end: int | None = None) -> list[tuple[str, int, int]]:
    """Word and punctuation tokens of ``text[start:end]`` with absolute offsets."""
    end = len(text) if end is None else end
    return [(m.group(), m.start() + start, m.end() + start) for m in TOKEN.finditer(text[start:end])]


def _shape(w: str) -> str:
    if w.istitle():
        return "T"
    if w.isupper():
        return "U"
    if w.isdigit():
        return "d"
    return "l" if w[0].isalnum() else "p"


def token_features(toks: list[tuple[str, int, int]]) -> list[list[str]]:
    """crfsuite attribute strings for each token of one paragraph."""
    words = [t[0] for t in toks]
    lower = [w.lower() for w in words]
    quoted = False
    out = []
    for i, w in enumerate(words):
        if w in QUOTES:
            quoted = not quoted
        f = [f"w={lower[i]}", f"s3={lower[i][-3:]}", f"q={int(quoted)}", f"shape={_shape(w)}",
             f"cue={int(lower[i] in CUE_WORDS)}"]
        for k in (-2, -1, 1, 2):
            j = i + k
            f.append(f"w{k}={lower[j] if 0 <= j < len(words) else '<>'}")
        f.append(f"cue-1={int(i > 0 and lower[i - 1] in CUE_WORDS)}")
        f.append(f"cue+1={int(i + 1 < len(words) and lower[i + 1] in CUE_WORDS)}")
        out.append(f)
    return out


@dataclass(frozen=True)
class Tagger:
    labels: tuple[str, ...]
    attributes: dict[str, int]
    state: np.ndarray  # (n_attributes, n_labels)
    transitions: np.ndarray  # (n_labels, n_labels): from, to

    @classmethod
    def load(cls, model_dir: Path) -> Tagger | None:
        path = model_dir / "attribution.npz"
        if not path.is_file():
            return None
        arrays = read_arrays(path)
        meta = json.loads((model_dir / "attribution.json").read_text(encoding="utf-8"))
        return cls(tuple(meta["labels"]), {a: i for i, a in enumerate(meta["attributes"])},
                   arrays["state"].astype(np.float32), arrays["transitions"].astype(np.float32))

    def tag(self, feats: list[list[str]]) -> list[str]:
        """The best label sequence (Viterbi) for one paragraph's token features."""
        if not feats:
            return []
        get = self.attributes.get
        rows, cols = [], []
        for i, f in enumerate(feats):
            for a in f:
                k = get(a)
                if k is not None:
                    rows.append(i)
                    cols.append(k)
        emit = np.zeros((len(feats), len(self.labels)), np.float32)
        np.add.at(emit, np.asarray(rows, np.int64), self.state[np.asarray(cols, np.int64)])
        emit, trans = emit.astype(np.float64), self.transitions.astype(np.float64)
        to = np.arange(len(self.labels))
        score = emit[0]
        back = np.empty((len(feats) - 1, len(self.labels)), np.int64)
        for i in range(1, len(feats)):  # float64 and first-maximum ties, as the plain-Python Viterbi had
            cand = score[:, None] + trans
            back[i - 1] = best = cand.argmax(0)
            score = cand[best, to] + emit[i]
        path = [int(score.argmax())]
        for best in back[::-1]:
            path.append(int(best[path[-1]]))
        return [self.labels[k] for k in reversed(path)]


def spans(toks: list[tuple[str, int, int]], tags: list[str]) -> list[tuple[str, int, int]]:
    """``(role, start, end)`` runs of one role; an I- tag after another role starts a new run."""
    out: list[tuple[str, int, int]] = []
    for (_, s, e), tag in zip(toks, tags, strict=True):
        if tag == "O":
            continue
        bio, role = tag.split("-", 1)
        if bio == "I" and out and out[-1][0] == role and out[-1][2] <= s:
            out[-1] = (role, out[-1][1], e)
        else:
            out.append((role, s, e))
    return out
