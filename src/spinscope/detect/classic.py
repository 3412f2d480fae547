"""The classical model: n-gram TF-IDF features and calibrated linear heads (numpy only).

``predict`` is pure and returns ``ArticleScores``; the ``scores`` detector
(``detect.scores``) runs it, and the techniques, frames and genre detectors turn
its probabilities into results.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from spinscope.detect.artifacts import read_arrays, read_manifest
from spinscope.detect.cues import CueLexicon
from spinscope.detect.features import Counts, Vectorizer
from spinscope.detect.linear import LinearHead, softmax
from spinscope.detect.names import without_proper_nouns
from spinscope.detect.scores import ArticleScores, Started
from spinscope.errors import ModelCorrupt, ModelNotFound
from spinscope.types import Paragraph

HEADS = ("techniques", "frames", "genre")
# The genre head the model uses alone, when it has one; ``genre`` stays the transformer's blend partner.
FALLBACK_GENRE_FILE = "fallback-genre.npz"
# The techniques head trained on sentences, which the transformer's sentence decisions read; the
# model alone keeps its paragraph head.
PARTNER_TECHNIQUES_FILE = "partner-techniques.npz"


def _head(labels: tuple[str, ...], arrays: dict[str, np.ndarray], prefix: str = "") -> LinearHead:
    return LinearHead(labels, arrays[f"{prefix}W"], arrays[f"{prefix}b"].astype(np.float32),
                      arrays[f"{prefix}a"].astype(np.float32), arrays[f"{prefix}c"].astype(np.float32),
                      arrays[f"{prefix}t"].astype(np.float32))


class ClassicModel:
    kind = "classic"
    # No article decisions: the article-level list uses the strongest paragraph (detect.article_techniques).
    article_threshold = None
    satire_floor = None  # its genre label is the argmax, as it was chosen
    line_context = None  # text cut one sentence per line gets each line's own labels
    paragraph_decisions = None  # a paragraph's labels are its own detections

    def __init__(
        self, vectorizer: Vectorizer, heads: dict[str, LinearHead], cues: CueLexicon, manifest: dict[str, Any],
        fallback_genre: LinearHead | None = None, partner_techniques: LinearHead | None = None,
    ) -> None:
        self.vectorizer = vectorizer
        self.cues = cues
        self.techniques = heads["techniques"]
        self.frames = heads["frames"]
        self.genre = heads["genre"]  # what the transformer's genre blend was fitted with
        self.fallback_genre = fallback_genre
        # Per language, added to the own head's reporting decision value (``training.classic.language_offsets``).
        offsets = (manifest.get("fallback_genre") or {}).get("language_offsets") or {}
        if not isinstance(offsets, dict) or not all(isinstance(v, (int, float)) for v in offsets.values()):
            raise ModelCorrupt("manifest.json: fallback_genre.language_offsets is not a map of language to number")
        self.fallback_offsets = {str(k): float(v) for k, v in offsets.items()}
        self.partner_techniques = partner_techniques
        self.manifest = manifest
        self.name = str(manifest.get("name", "classic"))
        self.version = str(manifest.get("version", "0"))
        self.context_weight = float(manifest.get("config", {}).get("context_weight", 0.0))
        n = len(vectorizer)
        own = fallback_genre.weights.shape[0] if fallback_genre is not None else n
        partner = partner_techniques.weights.shape[0] if partner_techniques is not None else 2 * n
        if (self.techniques.weights.shape[0] != 2 * n or self.frames.weights.shape[0] != n or own != n
                or partner != 2 * n):
            raise ModelCorrupt("model weights do not match the vocabulary size")

    @classmethod
    def load(cls, path: str | Path) -> ClassicModel:
        path = Path(path)
        files = {name: path / name for name in ("manifest.json", "vocab.json", "weights.npz", "cues.json")}
        for name, f in files.items():
            if not f.is_file():
                raise ModelNotFound(f"model directory {path} has no {name}")
        try:
            manifest = read_manifest(path)
            vocab = json.loads(files["vocab.json"].read_text(encoding="utf-8"))
            arrays = read_arrays(files["weights.npz"])
            heads = {h: _head(tuple(manifest["labels"][h]), arrays, f"{h}_") for h in HEADS}
            fallback = partner = None
            if (path / FALLBACK_GENRE_FILE).is_file():
                own = read_arrays(path / FALLBACK_GENRE_FILE)
                fallback = LinearHead(tuple(manifest["labels"]["genre"]), own["W"], own["b"].astype(np.float32))
            if (path / PARTNER_TECHNIQUES_FILE).is_file():
                partner = _head(tuple(manifest["labels"]["techniques"]), read_arrays(path / PARTNER_TECHNIQUES_FILE))
            return cls(Vectorizer(vocab, arrays["idf"]), heads, CueLexicon.load(files["cues.json"]), manifest, fallback,
                       partner)
        except (KeyError, ValueError, OSError) as exc:
            raise ModelCorrupt(f"cannot read model in {path}: {exc}") from exc

    def _paragraph_vectors(self, texts: list[str]) -> list[tuple[np.ndarray, np.ndarray]]:
        vz = self.vectorizer
        counts = [vz.counts(t) for t in texts]
        none = Counts(Counter(), [], None, None)
        n = len(vz)
        out = []
        for i, c in enumerate(counts):
            idx, val = vz.weigh(c[0])
            # The context is the previous and the next paragraph, read as one text joined by a newline.
            ctx = vz.weigh(vz.joined(counts[i - 1] if i else none, counts[i + 1] if i + 1 < len(texts) else none))
            out.append((np.concatenate([idx, ctx[0] + n]), np.concatenate([val, self.context_weight * ctx[1]])))
        return out

    def readable_chars(self, text: str) -> int:
        return len(text)  # its cost is linear in characters, bounded by the pipeline's character limit

    def in_worker(self) -> None:
        """Nothing to adjust: the classical model runs on the calling thread."""

    def start(self, items: Sequence[tuple[str, tuple[Paragraph, ...], str | None]]) -> Started:
        items = list(items)
        return Started(lambda: [self.predict(*item) for item in items])  # no background work: it all runs when called

    @property
    def partner_head(self) -> str:
        """The techniques head a transformer fitted now reads: the sentence-trained one, when present."""
        return "techniques" if self.partner_techniques is None else "partner_techniques"

    def predict(self, text: str, paragraphs: tuple[Paragraph, ...], language: str | None = None, *,
                blend_partner: bool = False, techniques_head: str = "techniques") -> ArticleScores:
        """``blend_partner``: the genre head the transformer's blend was fitted with, not the model's
        own (``fallback_genre``, when it has one). ``techniques_head``: "partner_techniques" scores
        with the sentence-trained head the transformer's decisions may read, instead of the model's own."""
        # Names must not sway a decision: proper nouns are blanked here, listed names in ``features``.
        text = without_proper_nouns(text, language)
        chunks = [text[p.start : p.end] for p in paragraphs]
        tech = self.techniques if techniques_head == "techniques" else self.partner_techniques
        if tech is None or techniques_head not in ("techniques", "partner_techniques"):
            raise ModelCorrupt(f"the classical model has no {techniques_head} head")
        rows = [tech.calibrated(tech.decision(i, v)) for i, v in self._paragraph_vectors(chunks)]
        para = np.vstack(rows) if rows else np.zeros((0, len(tech.labels)), np.float32)
        # Article-level heads see the analysed paragraphs only (long inputs are cut by the pipeline).
        idx, val = self.vectorizer.transform_one(text[: paragraphs[-1].end] if paragraphs else "")
        frames = self.frames.calibrated(self.frames.decision(idx, val))
        own = not blend_partner and self.fallback_genre is not None
        head = self.fallback_genre if own else self.genre
        decision = head.decision(idx, val)
        if own and language in self.fallback_offsets:
            decision[head.labels.index("reporting")] += self.fallback_offsets[language]
        genre = softmax(decision)
        return ArticleScores(para.astype(np.float32), frames.astype(np.float32), genre.astype(np.float32))
