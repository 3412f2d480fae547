"""Sentence-level technique decisions, the same however the text is cut into lines.

Reads: per sentence, the transformer's paragraph-head logits, the classical
model's probabilities, the sentence's token count and the article language.
Writes nothing: ``probabilities`` is pure.

Why sentences: thresholds fitted on long opinion paragraphs did not transfer to
text given one sentence per line (English under-predicted, fr/de/it
over-predicted). Every article is now scored sentence by sentence, whatever its
line breaks, so a paragraph and the same paragraph split into lines get the
same decisions; a paragraph's score is its strongest sentence's. A logistic
regression per technique turns the two models' scores, the sentence length and
the language into a calibrated probability, fitted on the validation fold's
sentences (``training.decisions``), and one threshold applies to all.

From v4.7 the regression also reads a sentence head (``SentenceHead``): small networks on
each sentence's pooled encoder vector, trained on the training fold's sentence labels. The
transformer's own technique head is linear and was trained on paragraphs; the sentence head
learns what a sentence shows (validation out-of-fold micro-F1 0.305 -> 0.322 as fitted for v4.7).
From v5.1 it also reads an attention head (``AttentionHead``) on the sentence's tokens: a mean
dilutes the few words that carry a technique, a learnt attention per technique finds them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, cached_property

import numpy as np

from spinscope.detect.linear import sigmoid
from spinscope.detect.techniques import REPORT_FLOOR

# Languages with their own offset; any other language gets none (the shared intercept).
LANGUAGES = ("en", "fr", "de", "it", "pl", "ru")
FEATURES_V4 = ("transformer_logit", "classic_logit", "log_tokens") + tuple(f"lang_{x}" for x in LANGUAGES)
# Models from v4.7 read the sentence head's logit as well; those before it, ``FEATURES_V4``.
FEATURES = FEATURES_V4 + ("sentence_head_logit",)
# Models from v5.1 read the attention head's logit too.
FEATURES_ATTENTION = FEATURES + ("attention_head_logit",)
# Fit (and so run) the decisions on encoder input whose names are masked (``detect.names``), so
# that swapping one country, group, party or politician for another changes nothing:
# "names" masks the listed ones, "proper_nouns" every capitalised name as well.
MASK = "proper_nouns"


def logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p))


def unit_features(logits: np.ndarray, classic: np.ndarray, n_tokens: np.ndarray, language: str | None,
                  head: np.ndarray | None = None, attention: np.ndarray | None = None) -> np.ndarray:
    """(n_sentences, n_techniques, n_features): in ``FEATURES_ATTENTION`` order with the sentence
    head's and the attention head's probabilities, ``FEATURES`` with the sentence head's alone,
    ``FEATURES_V4`` without either."""
    n, k = logits.shape
    lang = np.array([language == x for x in LANGUAGES], np.float64)
    parts = [
        logits[..., None].astype(np.float64),
        logit(classic.astype(np.float64))[..., None],
        np.broadcast_to(np.log(np.maximum(n_tokens, 1.0))[:, None, None], (n, k, 1)),
        np.broadcast_to(lang, (n, k, len(LANGUAGES))),
    ]
    if attention is not None and head is None:
        raise ValueError("the attention head's column follows the sentence head's")
    for probs in (head, attention):
        if probs is not None:
            parts.append(logit(probs.astype(np.float64))[..., None])
    return np.concatenate(parts, axis=-1)


@dataclass(frozen=True)
class SentenceHead:
    """The mean of a few one-hidden-layer networks (ReLU, then a sigmoid per technique) on each
    sentence's pooled encoder vector, standardised as in training."""

    mean: np.ndarray  # (dim,)
    scale: np.ndarray  # (dim,)
    W1: np.ndarray  # (members, dim, hidden)
    b1: np.ndarray  # (members, hidden)
    W2: np.ndarray  # (members, hidden, n_techniques)
    b2: np.ndarray  # (members, n_techniques)

    PREFIX = "sentence_head_"
    PARTS = ("mean", "scale", "W1", "b1", "W2", "b2")

    def probabilities(self, vectors: np.ndarray) -> np.ndarray:
        """(n_sentences, n_techniques) from (n_sentences, dim)."""
        x = (np.asarray(vectors, np.float32) - self.mean) / self.scale
        hidden = np.maximum(np.einsum("nd,mdh->mnh", x, self.W1) + self.b1[:, None], 0.0)
        return sigmoid(np.einsum("mnh,mhk->mnk", hidden, self.W2) + self.b2[:, None]).mean(axis=0)

    def to_arrays(self) -> dict[str, np.ndarray]:
        return {self.PREFIX + name: getattr(self, name) for name in self.PARTS}

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray]) -> SentenceHead | None:
        """The head stored by ``to_arrays``; None where there is none (models before v4.7)."""
        if not any(k.startswith(cls.PREFIX) for k in arrays):
            return None
        head = cls(*(arrays[cls.PREFIX + name].astype(np.float32) for name in cls.PARTS))
        members, dim, hidden = head.W1.shape
        if head.mean.shape != (dim,) or head.scale.shape != (dim,) or head.b1.shape != (members, hidden) \
                or head.W2.shape[:2] != (members, hidden) or head.b2.shape != (members, head.W2.shape[2]):
            raise ValueError("the sentence head's arrays do not fit together")
        return head


@cache
def _blas():  # noqa: ANN202 - threadpoolctl's controller, made once
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


@dataclass(frozen=True)
class AttentionHead:
    """A few networks on each sentence's token states (the last layer's and a middle layer's,
    side by side), their probabilities averaged. Each normalises a token (LayerNorm), passes it
    through one ReLU layer, and scores it twice per technique: how much to attend to it and what
    it says; a technique's logit is the attention-weighted sum of what the tokens say.

    Why: the sentence head reads the mean over tokens, where the few words that carry a rare
    technique ("either ... or", "experts say") weigh as little as any other. With this head's
    logit as one more feature, the sentence decisions' validation out-of-fold micro-F1 rose
    0.331 -> 0.346 (runs/s33/attn_probe.py)."""

    norm_gain: np.ndarray  # (members, dim)
    norm_bias: np.ndarray  # (members, dim)
    W1: np.ndarray  # (members, dim, hidden)
    b1: np.ndarray  # (members, hidden)
    Wa: np.ndarray  # (members, hidden, n_techniques): attention scores
    ba: np.ndarray  # (members, n_techniques)
    Wv: np.ndarray  # (members, hidden, n_techniques): what each token says
    bv: np.ndarray  # (members, n_techniques)

    PREFIX = "attention_head_"
    PARTS = ("norm_gain", "norm_bias", "W1", "b1", "Wa", "ba", "Wv", "bv")
    EPS = 1e-5  # torch.nn.LayerNorm's, as trained

    @property
    def dim(self) -> int:
        return int(self.W1.shape[1])

    @cached_property
    def _folded(self) -> tuple[np.ndarray, ...]:
        """The members side by side, so that a whole article runs as three matrix products: the
        LayerNorm's gain and bias folded into the hidden layer (dim, members x hidden), and the
        attention and value layers block-diagonal (members x hidden, members x techniques)."""
        members, _, hidden = self.W1.shape
        k = self.Wa.shape[2]
        W1 = np.concatenate([self.norm_gain[m][:, None] * self.W1[m] for m in range(members)], axis=1)
        b1 = np.concatenate([self.norm_bias[m] @ self.W1[m] + self.b1[m] for m in range(members)])
        Wa, Wv = (np.zeros((members * hidden, members * k), np.float32) for _ in range(2))
        for m in range(members):
            Wa[m * hidden:(m + 1) * hidden, m * k:(m + 1) * k] = self.Wa[m]
            Wv[m * hidden:(m + 1) * hidden, m * k:(m + 1) * k] = self.Wv[m]
        return W1.astype(np.float32), b1.astype(np.float32), Wa, self.ba.reshape(-1), Wv, self.bv.reshape(-1)

    def logits(self, sentences: Sequence[np.ndarray]) -> np.ndarray:
        """(n_sentences, members, n_techniques) from each sentence's token states (n_tokens, dim);
        a sentence without tokens gets logits of 0."""
        members, k = self.Wa.shape[0], self.Wa.shape[2]
        lengths = np.array([len(t) for t in sentences], np.int64)
        out = np.zeros((len(sentences), members * k), np.float32)
        given = np.flatnonzero(lengths)
        if len(given):
            x = np.concatenate([np.asarray(sentences[i], np.float32) for i in given])
            x = (x - x.mean(-1, keepdims=True)) / np.sqrt(x.var(-1, keepdims=True) + self.EPS)
            W1, b1, Wa, ba, Wv, bv = self._folded
            # One BLAS thread: the encoder's pool keeps every core busy, and BLAS threads on top of
            # it wait on each other (semeval predict, 90 English articles: 12.6-13.2 s, one: 9.6 s).
            with _blas().limit(limits=1, user_api="blas"):
                hidden = np.maximum(x @ W1 + b1, 0.0)
                scores, values = hidden @ Wa + ba, hidden @ Wv + bv
            # A softmax over each sentence's own tokens: its rows of the token matrix.
            starts = np.concatenate([[0], np.cumsum(lengths[given])[:-1]])
            weights = np.exp(scores - np.repeat(np.maximum.reduceat(scores, starts), lengths[given], axis=0))
            out[given] = np.add.reduceat(weights * values, starts) / np.add.reduceat(weights, starts)
        return out.reshape(len(sentences), members, k)

    def probabilities(self, sentences: Sequence[np.ndarray]) -> np.ndarray:
        """(n_sentences, n_techniques) from each sentence's token states (n_tokens, dim); 0 for a
        sentence without tokens."""
        lengths = np.array([len(t) for t in sentences], np.int64)
        return np.where(lengths[:, None] > 0, sigmoid(self.logits(sentences)).mean(axis=1), 0.0).astype(np.float32)

    def to_arrays(self) -> dict[str, np.ndarray]:
        return {self.PREFIX + name: getattr(self, name) for name in self.PARTS}

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray]) -> AttentionHead | None:
        """The head stored by ``to_arrays``; None where there is none (models before v5.1)."""
        if not any(k.startswith(cls.PREFIX) for k in arrays):
            return None
        missing = [name for name in cls.PARTS if cls.PREFIX + name not in arrays]
        if missing:
            raise ValueError(f"the attention head lacks {', '.join(missing)}")
        head = cls(*(arrays[cls.PREFIX + name].astype(np.float32) for name in cls.PARTS))
        members, dim, hidden = head.W1.shape
        k = head.Wa.shape[2]
        if head.norm_gain.shape != (members, dim) or head.norm_bias.shape != (members, dim) \
                or head.b1.shape != (members, hidden) \
                or head.Wa.shape != (members, hidden, k) or head.Wv.shape != (members, hidden, k) \
                or head.ba.shape != (members, k) or head.bv.shape != (members, k):
            raise ValueError("the attention head's arrays do not fit together")
        return head


@dataclass(frozen=True)
class SentenceDecisions:
    """One logistic regression per technique over ``FEATURES``; one threshold for all."""

    weights: np.ndarray  # (n_techniques, n_features)
    bias: np.ndarray  # (n_techniques,)
    threshold: float

    def probabilities(self, features: np.ndarray) -> np.ndarray:
        return sigmoid(np.einsum("nkf,kf->nk", features, self.weights) + self.bias).astype(np.float32)

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray]) -> SentenceDecisions:
        """From a model's ``sentences_W``, ``sentences_b`` and ``sentences_t`` arrays (``heads.npz``)."""
        return cls(arrays["sentences_W"].astype(np.float64), arrays["sentences_b"].astype(np.float64),
                   float(arrays["sentences_t"][0]))


def noisy_or(sentences: np.ndarray) -> np.ndarray:
    """(n_techniques,): the chance that at least one sentence uses each technique, were they independent."""
    p = np.clip(np.asarray(sentences, np.float64), 0.0, 1.0 - 1e-6)
    return 1.0 - np.exp(np.log1p(-p).sum(axis=0))


@dataclass(frozen=True)
class ArticleDecisions:
    """Whether the article as a whole uses each technique.

    A paragraph or sentence decision misses a technique whose evidence is spread thin: the
    union of the sentence decisions finds half of the techniques an article uses (test fold,
    model v4.1: recall 0.50, 4.4 labels per article against 6.7 in gold). The noisy-OR of
    the sentence probabilities counts every sentence; sentences are not independent, so
    one logistic regression, fitted on validation articles
    (``training.decisions.fit_article_decisions``), turns it into a calibrated probability.
    It reads the noisy-OR's logit and the strongest sentence's: with the noisy-OR alone, a
    long article of weak sentences and a short one with one sure sentence looked alike
    (v4.6: test-fold article ECE 0.023 -> 0.011, micro-F1 0.664 -> 0.675). The result is
    never below the strongest sentence's: an article uses a technique at least as surely as
    any of its sentences does.

    The same recipe, fitted on validation paragraphs, decides whether a paragraph as a whole
    uses a technique (``PARAGRAPH_DECISIONS``, from v4.9): SemEval labels paragraphs, and a
    paragraph's strongest sentence alone misses what its other sentences add up to.
    """

    weight: float
    bias: float
    threshold: float
    strongest_weight: float = 0.0  # 0 for models fitted before v4.6 (noisy-OR alone)

    def probabilities(self, sentences: np.ndarray) -> np.ndarray:
        top = strongest(sentences)
        calibrated = sigmoid(self.weight * logit(noisy_or(sentences)) + self.strongest_weight * logit(top) + self.bias)
        return np.maximum(calibrated, top).astype(np.float32)

    def grouped(self, sentences: np.ndarray, owner: np.ndarray, keys: Sequence[int]) -> np.ndarray:
        """(len(keys), n_techniques): ``probabilities`` of the sentences whose ``owner`` is each key
        (a paragraph); 0 for a key that owns no sentence."""
        owner = np.asarray(owner)
        out = np.zeros((len(keys), sentences.shape[1]), np.float32)
        for row, key in enumerate(keys):
            own = sentences[owner == key]
            if len(own):
                out[row] = self.probabilities(own)
        return out

    def to_array(self) -> np.ndarray:
        return np.array([self.weight, self.bias, self.threshold, self.strongest_weight], np.float32)

    @classmethod
    def from_array(cls, values: np.ndarray) -> ArticleDecisions:
        """From ``to_array``'s (weight, bias, threshold, strongest_weight); models before v4.6 stored the first three."""
        if len(values) not in (3, 4):
            raise ValueError(f"article decisions hold 3 or 4 numbers, not {len(values)}")
        return cls(*(float(x) for x in values))


# The key of the paragraph decisions (``ArticleDecisions`` fitted on paragraphs) in the context file.
PARAGRAPH_DECISIONS = "paragraph_decisions"


def strongest(sentences: np.ndarray) -> np.ndarray:
    """(n_techniques,): each technique's strongest sentence probability, 0 without sentences."""
    return sentences.max(axis=0) if len(sentences) else np.zeros(sentences.shape[1])



# A line's context: the lines up to this far away on either side. Chosen on the validation fold's
# out-of-fold F1 against paragraph labels: 1 line 0.401, 2 lines 0.405, 3 lines 0.406 (the smallest
# window within 0.002 of the best; runs/s21/copy_gold_probe.py).
CONTEXT_WINDOW = 2
# Results leave out probabilities under the report floor, so the context reads any probability
# under it as the floor, in fitting as at run time.
CONTEXT_FLOOR = REPORT_FLOOR


@dataclass(frozen=True)
class LineContext:
    """For text cut one sentence per line: the probability that the paragraph a line was cut
    from uses each technique.

    SemEval labels paragraphs, and a paragraph's labels hold for each of its sentences; given one
    sentence per line, a line's own sentence shows only some of them (test fold, English: the
    sentence decisions find 18% of the labels of the paragraphs the lines came from, precision
    0.49). The paragraph boundaries are gone, so the neighbouring lines stand in for them: one
    logistic regression per technique over the logits of the line's own probability and of the
    strongest line at each distance up to ``CONTEXT_WINDOW``, fitted on the validation fold's
    sentences against their paragraphs' labels (``training.transformer_heads.fit_line_context_on``).
    """

    weights: np.ndarray  # (n_techniques, 1 + CONTEXT_WINDOW)
    bias: np.ndarray  # (n_techniques,)
    threshold: float

    PREFIX = "line_context_"

    @staticmethod
    def features(lines: np.ndarray) -> np.ndarray:
        """(n_lines, n_techniques, 1 + CONTEXT_WINDOW) from one article's line probabilities (n_lines, n_techniques)."""
        p = np.maximum(np.asarray(lines, np.float64), CONTEXT_FLOOR)
        cols = [logit(p)]
        for d in range(1, CONTEXT_WINDOW + 1):
            near = np.full_like(p, CONTEXT_FLOOR)
            if len(p) > d:
                near[:-d] = np.maximum(near[:-d], p[d:])
                near[d:] = np.maximum(near[d:], p[:-d])
            cols.append(logit(near))
        return np.stack(cols, axis=-1)

    def probabilities(self, lines: np.ndarray) -> np.ndarray:
        """(n_lines, n_techniques) for one article's lines, in order."""
        if not len(lines):
            return np.zeros((0, len(self.bias)), np.float32)
        return SentenceDecisions(self.weights, self.bias, self.threshold).probabilities(self.features(lines))

    def to_arrays(self) -> dict[str, np.ndarray]:
        return {self.PREFIX + "W": self.weights.astype(np.float32), self.PREFIX + "b": self.bias.astype(np.float32),
                self.PREFIX + "t": np.array([self.threshold], np.float32)}

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray]) -> LineContext | None:
        """The context stored by ``to_arrays``; None where there is none (models before v4.8)."""
        if not any(k.startswith(cls.PREFIX) for k in arrays):
            return None
        W, b, t = (arrays[cls.PREFIX + x] for x in ("W", "b", "t"))
        if W.shape != (len(b), 1 + CONTEXT_WINDOW) or t.shape != (1,):
            raise ValueError(f"the line context's arrays do not fit together (weights {W.shape}, "
                             f"{len(b)} biases, window {CONTEXT_WINDOW})")
        return cls(W.astype(np.float64), b.astype(np.float64), float(t[0]))
