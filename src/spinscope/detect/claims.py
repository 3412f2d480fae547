"""Check-worthy factual claims: every sentence gets the probability that it states one.

Reads: article (text), sentences, scores (the encoder's pooled vector of each sentence).
Writes: ``claims``. The head is a logistic regression on the sentence vector and its log
length (``training/claims.py`` fits it on ClaimBuster and CLEF CheckThat! 2019), stored as
``claims.npz`` beside the encoder; it adds one dot product per sentence to the pass the
techniques detector already makes. Models without it (the classical fallback) yield no
claims and a ``W106`` warning.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from spinscope.components import Doc
from spinscope.detect.artifacts import read_arrays, read_manifest
from spinscope.detect.linear import sigmoid
from spinscope.detect.names import mask_names
from spinscope.detect.scores import ScoringModel, sentence_features
from spinscope.errors import W_NO_CLAIMS_HEAD, ModelCorrupt
from spinscope.types import AnalysisWarning, Attribution, Claim, ClaimAttribution, Paragraph

HEAD_FILE = "claims.npz"


def embed(encoder, texts: list[str], batch: int = 256, progress=lambda x: x) -> np.ndarray:  # noqa: ANN001
    """Features of standalone sentences (one per line of a transcript), read as articles are read."""
    out = []
    for i in progress(range(0, len(texts), batch)):
        chunk = [" ".join(t.split()) or "." for t in texts[i:i + batch]]
        text = "\n".join(chunk)
        units, start = [], 0
        for k, t in enumerate(chunk):
            units.append(Paragraph(k + 1, start, start + len(t)))
            start += len(t) + 1
        raw = encoder.run(mask_names(text, keep_offsets=True), tuple(units))
        out.append(sentence_features(raw.paragraph_vectors, raw.n_tokens))
    return np.vstack(out) if out else np.zeros((0, 0), np.float32)


@dataclass(frozen=True)
class ClaimsHead:
    weights: np.ndarray
    bias: float
    threshold: float

    @classmethod
    def load(cls, model_dir: Path) -> ClaimsHead | None:
        if not (model_dir / HEAD_FILE).is_file():
            return None
        try:
            arrays = read_arrays(model_dir / HEAD_FILE)
            return cls(arrays["W"].astype(np.float32), float(arrays["b"][0]),
                       float(read_manifest(model_dir)["claims"]["threshold"]))
        except (KeyError, ValueError, OSError) as exc:
            raise ModelCorrupt(f"cannot read the claims head in {model_dir}: {exc}") from exc

    def probabilities(self, feats: np.ndarray) -> np.ndarray:
        if not len(feats):
            return np.zeros(0, np.float32)
        return sigmoid(feats @ self.weights + self.bias).astype(np.float32)


def covering(start: int, end: int, attributions: Sequence[Attribution]) -> ClaimAttribution:
    """The first attribution whose content covers most of the sentence, or whose cue is inside it."""
    for i, a in enumerate(attributions):
        inside_cue = a.cue is not None and start <= a.cue.start and a.cue.end <= end
        overlap = 0 if a.content is None else min(end, a.content.end) - max(start, a.content.start)
        if inside_cue or overlap >= 0.5 * (end - start):
            return ClaimAttribution(a.kind, i)
    return ClaimAttribution("none", None)


class ClaimsDetector:
    name = "claims"
    reads = ("article", "sentences", "scores", "attributions")
    writes = ("claims",)

    def __init__(self, model: ScoringModel) -> None:
        path = getattr(model, "path", None)
        self.head = ClaimsHead.load(Path(path)) if path is not None else None
        self.encoder = getattr(model, "encoder", None)

    def score_texts(self, texts: list[str]) -> np.ndarray:
        """Check-worthiness of standalone sentences (``spinscope claims rank``)."""
        if self.head is None or self.encoder is None:
            raise ModelCorrupt("this model has no claims head; use the transformer model")
        return self.head.probabilities(embed(self.encoder, texts))

    def predict(self, docs: Sequence[Doc]) -> list[tuple[Claim, ...] | None]:
        return [self._claims(d) for d in docs]

    def _claims(self, doc: Doc) -> tuple[Claim, ...] | None:
        scores = doc.scores
        if self.head is None or scores is None or scores.sentence_features is None:
            return None
        p = self.head.probabilities(scores.sentence_features)
        t = round(self.head.threshold, 4)
        text = doc.article.text
        return tuple(Claim(s.start, s.end, text[s.start:s.end], round(float(q), 4), bool(q >= t), t,
                           covering(s.start, s.end, doc.attributions))
                     for s, q in zip(doc.sentences, p, strict=True))

    def set_annotations(self, docs: Sequence[Doc], predictions: Sequence[tuple[Claim, ...] | None]) -> None:
        for doc, found in zip(docs, predictions, strict=True):
            if found is None:
                doc.warnings.append(AnalysisWarning(
                    W_NO_CLAIMS_HEAD, "this model has no check-worthiness head; claims need the transformer model"))
                found = ()
            doc.write("claims", found)
