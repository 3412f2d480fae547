"""Check-worthy factual claims: every sentence gets the probability that it states one.

Reads: article (text), sentences, scores (the encoder's pooled vector of each sentence).
Writes: ``claims``. The head is a logistic regression on the sentence vector and its log
length (``training/claims.py`` fits it on ClaimBuster and CLEF CheckThat! 2019), stored as
``claims.npz`` beside the encoder; it adds one dot product per sentence to the pass the
techniques detector already makes. Models without it (the classical fallback) yield no
claims and a ``W106`` warning.

News is not debate: the debate head's probabilities run low on news sentences (at the
debate threshold it found half of the check-worthy news sentences we labelled). So, where
the head carries a news calibration, an article's sentences get a second logistic
regression over the head's logit, a question mark and an obligation ("must", "should"),
fitted on our labelled news sentences, with its own threshold. By the definition we work
to, a question or an exhortation states no claim: such a sentence keeps its probability
but is not check-worthy (``Claim.mood``). ``spinscope claims rank`` scores debate lines,
the head's own domain, with the head alone.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from spinscope.components import Doc
from spinscope.detect.artifacts import read_arrays, read_manifest
from spinscope.detect.linear import sigmoid
from spinscope.detect.names import encoder_view
from spinscope.detect.scores import ScoringModel, sentence_features
from spinscope.errors import W_NO_CLAIMS_HEAD, ModelCorrupt
from spinscope.types import AnalysisWarning, Attribution, Claim, ClaimAttribution, Paragraph

HEAD_FILE = "claims.npz"
# An obligation anywhere ("must", "should", "has to"): a feature of the news calibration.
_OBLIGATION = re.compile(r"\b(?:must|should|ought to|needs? to|ha(?:s|ve) to)\b(?!\s+(?:have|has)\s+been)", re.I)
# An exhortation: a sentence that opens on its subject and an obligation to act ("Pakistan must
# act", "Third, it must abandon ..."), not one to be acted on ("The report must be released")
# or one inside a report ("She said they must ..."). In ClaimBuster and CLEF 2019, 19 of the
# 610 sentences it matches are check-worthy (3%), against 15% of all sentences; of questions, 2%.
_EXHORTATION = re.compile(
    r"^\W*(?i:(?:first|second|third|fourth|finally|instead|so|therefore|now|and|but|then|rather|above all)\s*,?\s+)?"
    r"(?:(?i:it|they|we|you|he|she|i)|[A-Z][\w’'-]+(?:\s+[A-Z][\w’'-]+){0,3}|(?i:the)\s+[a-z]+(?:\s+[a-z]+)?)\s+"
    r"(?i:must|should|ought to|has to|have to|needs to|need to)\s+(?:(?i:not|never|also|now|either|first|[a-z]+ly)\s+)*"
    r"(?!be\b|have\s+been\b)[a-z]+")
_CLOSERS = " \t\"'\u201d\u2019)]"
NEWS_FEATURES = ("head_logit", "question", "obligation")


def _is_question(text: str) -> bool:
    return text.rstrip(_CLOSERS).endswith("?")


def mood(text: str) -> str:
    """statement, question or exhortation."""
    if _is_question(text):
        return "question"
    return "exhortation" if _EXHORTATION.search(text) else "statement"


def news_features(raw: np.ndarray, texts: Sequence[str]) -> np.ndarray:
    """(n, 3) in ``NEWS_FEATURES`` order: the debate head's logit, a question mark, an obligation."""
    p = np.clip(raw.astype(np.float64), 1e-4, 1 - 1e-4)
    question = [_is_question(t) for t in texts]
    obligation = [bool(_OBLIGATION.search(t)) for t in texts]
    return np.column_stack([np.log(p / (1 - p)), question, obligation]).astype(np.float64)


def embed(encoder, texts: list[str], mask: str = "names", batch: int = 256, progress=lambda x: x,  # noqa: ANN001
          ) -> np.ndarray:
    """Features of standalone English sentences (one per line of a transcript), read as articles
    are read: names masked as the model's ``mask`` says (``names.encoder_view``)."""
    out = []
    for i in progress(range(0, len(texts), batch)):
        chunk = [" ".join(t.split()) or "." for t in texts[i:i + batch]]
        text = "\n".join(chunk)
        units, start = [], 0
        for k, t in enumerate(chunk):
            units.append(Paragraph(k + 1, start, start + len(t)))
            start += len(t) + 1
        raw = encoder.run(encoder_view(text, mask, "en"), tuple(units))
        out.append(sentence_features(raw.paragraph_vectors, raw.n_tokens))
    return np.vstack(out) if out else np.zeros((0, 0), np.float32)


@dataclass(frozen=True)
class ClaimsHead:
    weights: np.ndarray
    bias: float
    head_threshold: float  # on the head's own probability (debate lines)
    news_weights: np.ndarray | None = None  # (3,) over NEWS_FEATURES
    news_bias: float = 0.0
    news_threshold: float | None = None  # on the news-calibrated probability

    @property
    def threshold(self) -> float:
        """The threshold on what ``article_probabilities`` returns."""
        return self.head_threshold if self.news_threshold is None else self.news_threshold

    @classmethod
    def load(cls, model_dir: Path) -> ClaimsHead | None:
        if not (model_dir / HEAD_FILE).is_file():
            return None
        try:
            arrays = read_arrays(model_dir / HEAD_FILE)
            meta = read_manifest(model_dir)["claims"]
            head = cls(arrays["W"].astype(np.float32), float(arrays["b"][0]), float(meta["threshold"]))
            if "news_W" in arrays:
                head = replace(head, news_weights=arrays["news_W"].astype(np.float64),
                               news_bias=float(arrays["news_b"][0]), news_threshold=float(meta["news"]["threshold"]))
            return head
        except (KeyError, ValueError, OSError) as exc:
            raise ModelCorrupt(f"cannot read the claims head in {model_dir}: {exc}") from exc

    def probabilities(self, feats: np.ndarray) -> np.ndarray:
        if not len(feats):
            return np.zeros(0, np.float32)
        return sigmoid(feats @ self.weights + self.bias).astype(np.float32)

    def article_probabilities(self, feats: np.ndarray, texts: Sequence[str]) -> np.ndarray:
        """Check-worthiness of an article's sentences: the head, then its news calibration if it has one."""
        return self.calibrated(self.probabilities(feats), texts)

    def calibrated(self, raw: np.ndarray, texts: Sequence[str]) -> np.ndarray:
        """The head's probabilities after its news calibration (unchanged without one)."""
        if self.news_weights is None or not len(raw):
            return raw
        return sigmoid(news_features(raw, texts) @ self.news_weights + self.news_bias).astype(np.float32)


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
        self.mask = str(getattr(model, "mask", "names"))

    def score_texts(self, texts: list[str], news: bool = False) -> np.ndarray:
        """Check-worthiness of standalone sentences: the head's own (``spinscope claims rank``, debate
        lines), or with ``news`` as an article's sentences get it (threshold ``head.threshold``)."""
        if self.head is None or self.encoder is None:
            raise ModelCorrupt("this model has no claims head; use the transformer model")
        feats = embed(self.encoder, texts, self.mask)
        return self.head.article_probabilities(feats, texts) if news else self.head.probabilities(feats)

    def predict(self, docs: Sequence[Doc]) -> list[tuple[Claim, ...] | None]:
        return [self._claims(d) for d in docs]

    def _claims(self, doc: Doc) -> tuple[Claim, ...] | None:
        scores = doc.scores
        if self.head is None or scores is None or scores.sentence_features is None:
            return None
        text = doc.article.text
        p = self.head.article_probabilities(scores.sentence_features, [text[s.start:s.end] for s in doc.sentences])
        t = round(self.head.threshold, 4)
        out = []
        for s, q in zip(doc.sentences, p, strict=True):
            m = mood(text[s.start:s.end]) if doc.article.language in (None, "en") else "statement"
            out.append(Claim(s.start, s.end, text[s.start:s.end], round(float(q), 4), bool(q >= t) and m == "statement",
                             t, covering(s.start, s.end, doc.attributions), m))
        return tuple(out)

    def set_annotations(self, docs: Sequence[Doc], predictions: Sequence[tuple[Claim, ...] | None]) -> None:
        for doc, found in zip(docs, predictions, strict=True):
            if found is None:
                doc.warnings.append(AnalysisWarning(
                    W_NO_CLAIMS_HEAD, "this model has no check-worthiness head; claims need the transformer model"))
                found = ()
            doc.write("claims", found)
