"""The default model: fine-tuned multilingual-e5-small on ONNX Runtime, no torch.

Reads: article text, its paragraphs and its language. Writes nothing: ``predict`` is pure.

The article is cut into sentences, whatever its line breaks. One int8 ONNX
forward pass per sentence window yields technique logits, token (span) logits
and a pooled vector. ``detect.decisions`` turns each sentence's logits and the
classical model's scores for the same sentence into calibrated probabilities; a
paragraph's score is its strongest sentence's. Genre and frames come from linear
heads over the mean of the sentence vectors, blended with the classical model's
(weights and thresholds were chosen on the validation split). Sentences longer
than one window are read in several windows.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from spinscope.detect.artifacts import read_arrays, read_manifest
from spinscope.detect.classic import PARTNER_TECHNIQUES_FILE, ClassicModel
from spinscope.detect.decisions import (
    FEATURES,
    FEATURES_ATTENTION,
    FEATURES_V4,
    PARAGRAPH_DECISIONS,
    ArticleDecisions,
    AttentionHead,
    LineContext,
    SentenceDecisions,
    SentenceHead,
    unit_features,
)
from spinscope.detect.linear import LinearHead, sigmoid, softmax
from spinscope.detect.names import MASKS, EncoderView, encoder_view
from spinscope.detect.scores import ArticleScores, Started, sentence_features
from spinscope.errors import ModelCorrupt, ModelNotFound
from spinscope.segment import sentences
from spinscope.types import Paragraph

PAD_ID = 1
THREADS_ENV = "SPINSCOPE_THREADS"  # encoder threads per process; one per actor when many share a machine
# Encoder work grows with tokens, not characters: 200,000 characters of one repeated letter are
# 200,000 tokens (31 s here), of English news about 48,000 (10 s). Text past this budget is not read.
MAX_TOKENS = 65_536
REQUIRED = ("manifest.json", "model.onnx", "tokenizer.json", "heads.npz")
# The line context (``decisions.LineContext``, from v4.8) and the paragraph decisions (from v4.9):
# a file of their own, so fitting them leaves heads.npz as it was.
CONTEXT_FILE = "context.npz"
# From v5.0 the graph also gives a middle layer's states, pooled as ``pooled`` pools the last
# layer's (``training.onnx_export.pool_middle``): the sentence head reads both. The fine-tuned
# last layer is shaped by the paragraph head; the middle one keeps more of what a sentence says.
OUTPUTS = ("paragraph_logits", "span_logits", "pooled")
MIDDLE_OUTPUT = "pooled_middle"
# From v5.1 the graph also gives every token's states, the last layer's and the middle layer's
# side by side (``training.onnx_export.add_token_states``), for the attention head.
TOKEN_OUTPUT = "token_states"


@dataclass(frozen=True)
class Window:
    paragraph: int  # row in the article's paragraph list
    ids: np.ndarray
    offsets: np.ndarray  # (n, 2) article offsets; (0, 0) for special tokens


def _head(arrays: dict[str, np.ndarray], name: str, labels: tuple[str, ...]) -> LinearHead:
    return LinearHead(
        labels, arrays[f"{name}_W"].astype(np.float32), arrays[f"{name}_b"].astype(np.float32),
        arrays[f"{name}_a"].astype(np.float32), arrays[f"{name}_c"].astype(np.float32),
        arrays[f"{name}_t"].astype(np.float32),
    )


@dataclass(frozen=True)
class RawOutputs:
    """What one article's forward passes give, before any calibration."""

    logits: np.ndarray  # (n_paragraphs, n_techniques), strongest window per paragraph
    paragraph_vectors: np.ndarray  # (n_paragraphs, hidden)
    windows: list[Window]
    token_logits: list[np.ndarray]  # per window, (n_tokens, n_techniques)
    middle_vectors: np.ndarray | None = None  # (n_paragraphs, hidden), where the graph gives ``MIDDLE_OUTPUT``
    # Per paragraph, its windows' token states (n_tokens, 2 x hidden), where the graph gives
    # ``TOKEN_OUTPUT``; float16, which halves what a training run holds and moved the attention
    # head's probabilities by at most 6e-5 (10 English articles, 2026-12-07).
    token_states: list[np.ndarray] | None = None

    @property
    def document(self) -> np.ndarray:
        return self.paragraph_vectors.mean(0)

    @property
    def head_input(self) -> np.ndarray:
        """What the sentence head reads: the pooled vector, and the middle layer's beside it where given."""
        if self.middle_vectors is None:
            return self.paragraph_vectors
        return np.concatenate([self.paragraph_vectors, self.middle_vectors], axis=1)

    @property
    def n_tokens(self) -> np.ndarray:
        """Tokens read per unit, special tokens included."""
        out = np.zeros(self.logits.shape[0], np.float64)
        for w in self.windows:
            out[w.paragraph] += len(w.ids)
        return out


def decision_features(raw: RawOutputs, classic: np.ndarray, language: str | None,
                      head: SentenceHead | None = None, attention: AttentionHead | None = None) -> np.ndarray:
    """``decisions.unit_features`` for ``raw``'s units, with the columns of the heads given."""
    if attention is not None and raw.token_states is None:
        raise ModelCorrupt(f"the attention head needs the encoder's {TOKEN_OUTPUT}")
    return unit_features(raw.logits, classic, raw.n_tokens, language,
                         None if head is None else head.probabilities(raw.head_input),
                         None if attention is None else attention.probabilities(raw.token_states))


def sentence_units(text: str, paragraphs: tuple[Paragraph, ...]) -> tuple[tuple[Paragraph, ...], np.ndarray]:
    """The article's sentences as units to encode, and for each the row of its paragraph.

    The units are ``segment.sentences`` in order, so they line up with ``Analysis.sentences``.
    """
    row_of = {p.index: r for r, p in enumerate(paragraphs)}
    sents = sentences(text, paragraphs)
    units = tuple(Paragraph(i + 1, s.start, s.end) for i, s in enumerate(sents))
    return units, np.array([row_of[s.paragraph] for s in sents], np.int64)


class Encoder:
    """The ONNX graph and its tokenizer; shared by the runtime model and the trainer."""

    def __init__(self, path: Path, max_len: int, threads: int | None = None, special: dict[str, int] | None = None) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self.tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
        opts = ort.SessionOptions()
        # One thread per run; parallelism comes from running windows side by side (see ``submit``).
        self.threads = threads or int(os.environ.get(THREADS_ENV) or 0) or min(8, os.cpu_count() or 1)
        self._executor: ThreadPoolExecutor | None = None
        opts.intra_op_num_threads = 1
        opts.inter_op_num_threads = 1
        self.session = ort.InferenceSession(str(path / "model.onnx"), opts, providers=["CPUExecutionProvider"])
        given = {o.name for o in self.session.get_outputs()}
        self.middle = MIDDLE_OUTPUT in given
        self.tokens = TOKEN_OUTPUT in given
        self.outputs = [*OUTPUTS, *[MIDDLE_OUTPUT] * self.middle, *[TOKEN_OUTPUT] * self.tokens]
        self.max_len = max_len
        ids = special or {"bos": 0, "eos": 2, "pad": PAD_ID}
        # Windows run unpadded; ``pad`` is for callers that batch them (bench/throughput.py's baseline).
        self.bos, self.eos, self.pad = ids["bos"], ids["eos"], ids["pad"]

    # -- windows -------------------------------------------------------
    def windows(self, text: str | EncoderView, paragraphs: tuple[Paragraph, ...]) -> list[Window]:
        """The paragraphs (or sentences) of ``text`` as token windows, offsets into the article;
        an ``EncoderView`` (``names.encoder_view``) is read as the view and mapped back."""
        view = EncoderView(text) if isinstance(text, str) else text
        bounds = view.to_view(np.array([(p.start, p.end) for p in paragraphs], np.int64).reshape(-1, 2))
        encs = self.tokenizer.encode_batch([view.text[s:e] for s, e in bounds], add_special_tokens=False)
        body = self.max_len - 2
        out = []
        for row, ((start, _), enc) in enumerate(zip(bounds, encs, strict=True)):
            ids = np.asarray(enc.ids, np.int64)
            offs = view.to_article(np.asarray(enc.offsets, np.int64).reshape(-1, 2) + start)
            for s in range(0, max(len(ids), 1), body):
                w_ids = np.concatenate([[self.bos], ids[s : s + body], [self.eos]])
                w_off = np.concatenate([[[0, 0]], offs[s : s + body], [[0, 0]]])
                out.append(Window(row, w_ids, w_off))
        return out

    def _run_one(self, window: Window) -> list[np.ndarray]:
        """``self.outputs`` for one window, batch axis dropped."""
        ids = window.ids[None]
        return [x[0] for x in self.session.run(self.outputs, {"input_ids": ids, "attention_mask": np.ones_like(ids)})]

    def in_worker(self) -> None:
        """In a forked worker: one thread, and no pool inherited from the parent (its threads
        did not survive the fork)."""
        self.threads = 1
        self._executor = None

    def _pool(self) -> ThreadPoolExecutor:
        # Made on first use, so a process forked after loading starts without stale threads.
        if self._executor is None:
            self._executor = ThreadPoolExecutor(self.threads, thread_name_prefix="spinscope-encoder")
        return self._executor

    def run(self, text: str | EncoderView, paragraphs: tuple[Paragraph, ...]) -> RawOutputs:
        return self.submit(text, paragraphs)()

    def submit(self, text: str | EncoderView, paragraphs: tuple[Paragraph, ...]) -> Started:
        """Queue the article's windows on the pool now; calling the result waits for them.

        Each window runs alone: the int8 graph quantises activations with one scale per call,
        so batching windows would make a sentence's scores depend on its neighbours.
        Single-threaded runs spread over a thread pool are also faster than padded batches
        (377 windows, 2 cores: 1.10 s vs 1.51 s batched). Queueing several articles before
        collecting any keeps the pool busy while the caller does other work (the classical
        model, the heads) on the calling thread.
        """
        wins = self.windows(text, paragraphs)
        pool = self._pool()
        futures = [pool.submit(self._run_one, w) for w in wins]

        def collect() -> RawOutputs:
            return self._assemble(len(paragraphs), wins, [f.result() for f in futures], self.tokens)

        def cancel() -> None:
            for f in futures:
                f.cancel()  # a window already running finishes; the rest never run

        return Started(collect, cancel)

    @staticmethod
    def _assemble(n: int, wins: list[Window], outs: list[list[np.ndarray]], tokens: bool = False) -> RawOutputs:
        """One article's windows' outputs (``outputs`` order; ``tokens``: the last is
        ``TOKEN_OUTPUT``) as one row per paragraph."""
        states: list[list[np.ndarray]] | None = None
        if tokens:
            states = [[] for _ in range(n)]
            for w, o in zip(wins, outs, strict=True):
                states[w.paragraph].append(o[-1].astype(np.float16))
            outs = [o[:-1] for o in outs]
        logits = np.full((n, outs[0][0].shape[0]), -30.0, np.float32)
        pooled = [np.zeros((n, x.shape[0]), np.float32) for x in outs[0][2:]]  # the last layer's, the middle's
        weight = np.zeros(n, np.float32)
        for w, (z, _, *vectors) in zip(wins, outs, strict=True):
            # A technique anywhere in a long paragraph counts: take the strongest window.
            logits[w.paragraph] = np.maximum(logits[w.paragraph], z)
            for into, v in zip(pooled, vectors, strict=True):
                into[w.paragraph] += v * len(w.ids)
            weight[w.paragraph] += len(w.ids)
        vec, *middle = (x / np.maximum(weight, 1)[:, None] for x in pooled)
        by_paragraph = None if states is None else [
            np.concatenate(s) if s else np.zeros((0, 2 * vec.shape[1]), np.float16) for s in states]
        return RawOutputs(logits, vec, wins, [o[1] for o in outs], middle[0] if middle else None, by_paragraph)


class TransformerModel:
    kind = "transformer"

    def __init__(self, path: Path, classic: ClassicModel, threads: int | None = None) -> None:
        for name in REQUIRED:
            if not (path / name).is_file():
                raise ModelNotFound(f"model directory {path} has no {name}")
        try:
            self.manifest: dict[str, Any] = read_manifest(path)
            labels = {k: tuple(v) for k, v in self.manifest["labels"].items()}
            arrays = read_arrays(path / "heads.npz")
            self.encoder = Encoder(path, int(self.manifest["config"]["max_len"]), threads, self.manifest.get("special_ids"))
            t = labels["techniques"]
            features = tuple(self.manifest["decisions"]["features"])
            if features not in (FEATURES_ATTENTION, FEATURES, FEATURES_V4):
                raise ModelCorrupt(f"model in {path} was fitted on other sentence features")
            # From v4.7 the decisions read a sentence head on the encoder's vectors, from v5.1 an
            # attention head on its token states as well.
            self.sentence_head = SentenceHead.from_arrays(arrays)
            self.attention_head = AttentionHead.from_arrays(arrays)
            if (self.sentence_head is not None) != (features != FEATURES_V4) \
                    or (self.attention_head is not None) != (features == FEATURES_ATTENTION):
                raise ModelCorrupt(f"model in {path}: its sentence decisions and sentence heads do not match")
            given = int(self.manifest["encoder_config"]["hidden_size"]) * (2 if self.encoder.middle else 1)
            if self.sentence_head is not None and self.sentence_head.mean.shape[0] != given:
                raise ModelCorrupt(f"model in {path}: its sentence head reads {self.sentence_head.mean.shape[0]} "
                                   f"values a sentence, its encoder gives {given}")
            if self.attention_head is not None and not self.encoder.tokens:
                raise ModelCorrupt(f"model in {path}: its attention head reads token states, its encoder "
                                   f"gives none ({TOKEN_OUTPUT})")
            if self.attention_head is not None and self.attention_head.dim != given:
                raise ModelCorrupt(f"model in {path}: its attention head reads {self.attention_head.dim} "
                                   f"values a token, its encoder gives {given}")
            # The encoder reads listed names as one stand-in when the decisions were fitted that way.
            decided = self.manifest["decisions"]
            self.mask = str(decided.get("mask", "names" if decided.get("mask_names") else "none"))
            if self.mask not in MASKS:
                raise ValueError(f"unknown name masking {self.mask!r}")
            # Which classical techniques head the decisions were fitted on (before v4.5: the paragraph head).
            self.classic_head = str(decided.get("classic_head", "techniques"))
            if self.classic_head == "partner_techniques" and classic.partner_techniques is None:
                raise ModelCorrupt(f"model in {path} reads the classical model's sentence-trained techniques head "
                                   f"({PARTNER_TECHNIQUES_FILE}), which its classical model lacks")
            self.decisions = SentenceDecisions.from_arrays(arrays)
            # Models fitted before v4.2 have no article decisions.
            wbt = arrays.get("article_decisions")
            self.article_decisions = None if wbt is None else ArticleDecisions.from_array(wbt)
            context = read_arrays(path / CONTEXT_FILE) if (path / CONTEXT_FILE).is_file() else {}
            self.line_context = LineContext.from_arrays(context)
            if (self.line_context is None) != ("line_context" not in decided):
                raise ModelCorrupt(f"model in {path}: its manifest and {CONTEXT_FILE} disagree on a line context")
            paragraph = context.get(PARAGRAPH_DECISIONS)
            self.paragraph_decisions = None if paragraph is None else ArticleDecisions.from_array(paragraph)
            if (self.paragraph_decisions is None) != (PARAGRAPH_DECISIONS not in decided):
                raise ModelCorrupt(f"model in {path}: its manifest and {CONTEXT_FILE} disagree on paragraph decisions")
            floor = decided.get("genre_satire_floor")  # from v4.3; before, the genre label was the argmax
            self.satire_floor = None if floor is None else float(floor)
            # Labels and the one operating threshold; the probabilities come from ``decisions``.
            self.techniques = LinearHead(t, np.zeros((0, len(t)), np.float32), np.zeros(len(t), np.float32),
                                         np.zeros(0, np.float32), np.zeros(0, np.float32),
                                         np.full(len(t), self.decisions.threshold, np.float32))
            self.span_thresholds = arrays["spans_t"].astype(np.float32)
            self.frames = _head(arrays, "frames", labels["frames"])
            self.frame_blend = arrays["frames_w"].astype(np.float32)
            self.genre = _head(arrays, "genre", labels["genre"])
            self.genre_blend = float(arrays["genre_w"][0])
            self.genre_offset = arrays["genre_offset"].astype(np.float32)
        except (KeyError, ValueError, OSError, RuntimeError) as exc:
            raise ModelCorrupt(f"cannot read model in {path}: {exc}") from exc
        if self.techniques.labels != classic.techniques.labels or self.frames.labels != classic.frames.labels:
            raise ModelCorrupt("the transformer and classical models disagree on their labels")
        self.classic = classic
        self.cues = classic.cues
        self.path = path
        self.name = str(self.manifest.get("name", "transformer"))
        self.version = str(self.manifest.get("version", "0"))

    @property
    def article_threshold(self) -> float | None:
        return None if self.article_decisions is None else self.article_decisions.threshold

    @classmethod
    def load(cls, path: str | Path) -> TransformerModel:
        path = Path(path)
        partner = path.parent / str(read_manifest(path).get("fallback", "classic"))
        try:
            classic = ClassicModel.load(partner)
        except ModelNotFound as exc:
            # A model directory copied alone: say whose partner is missing, not only where.
            raise ModelNotFound(f"the transformer in {path} reads the classical model beside it, {partner} (its "
                                f"manifest's fallback); copy that directory there too ({exc.message})") from exc
        return cls(path, classic)

    def readable_chars(self, text: str) -> int:
        # A token covers at least one character, less the odd lone word-start piece: text this
        # short cannot reach the budget, and most articles skip the extra tokenising.
        if len(text) <= MAX_TOKENS // 2:
            return len(text)
        offsets = self.encoder.tokenizer.encode(text, add_special_tokens=False).offsets
        return len(text) if len(offsets) <= MAX_TOKENS else int(offsets[MAX_TOKENS][0])

    def in_worker(self) -> None:
        self.encoder.in_worker()

    def predict(self, text: str, paragraphs: tuple[Paragraph, ...], language: str | None = None) -> ArticleScores:
        return self.start([(text, paragraphs, language)])()[0]

    def start(self, items: Sequence[tuple[str, tuple[Paragraph, ...], str | None]]) -> Started:
        """Queue every article's windows on the encoder's pool now; the returned call runs the
        classical model and the heads on the calling thread, while the pool encodes."""
        items = list(items)
        queued = []
        for text, paragraphs, language in items:
            if paragraphs:
                units, owner = sentence_units(text, paragraphs)
                queued.append((units, owner, self.encoder.submit(self.encoder_text(text, language), units)))
            else:
                queued.append(None)

        def finish() -> list[ArticleScores]:
            out = []
            for (text, paragraphs, language), q in zip(items, queued, strict=True):
                if q is None:
                    out.append(self.classic.predict(text, paragraphs, language, blend_partner=True))
                else:
                    units, owner, collect = q
                    classic = self.classic.predict(text, units, language, blend_partner=True,
                                                   techniques_head=self.classic_head)
                    out.append(self.combine(collect(), classic, owner, language))
            return out

        def cancel() -> None:
            for q in queued:
                if q is not None:
                    q[2].cancel()

        return Started(finish, cancel)

    def encoder_text(self, text: str, language: str | None) -> EncoderView:
        """What the encoder reads: the text with names masked as the decisions were fitted."""
        return encoder_view(text, self.mask, language)

    def combine(self, raw: RawOutputs, classic: ArticleScores, owner: np.ndarray, language: str | None) -> ArticleScores:
        """Sentence decisions, paragraph maxima, article heads; pure, so the trainer scores what ships.

        ``raw`` and ``classic`` hold one row per sentence unit; ``owner`` maps units to paragraph rows.
        """
        units = self.decisions.probabilities(
            decision_features(raw, classic.paragraphs, language, self.sentence_head, self.attention_head))
        n_paragraphs = int(owner.max()) + 1 if len(owner) else 0
        probs = np.zeros((n_paragraphs, units.shape[1]), np.float32)
        np.maximum.at(probs, owner, units)
        doc = raw.document
        frames = self.frame_blend * self.frames.calibrated(doc @ self.frames.weights + self.frames.bias)
        frames = frames + (1 - self.frame_blend) * classic.frames
        genre = self.genre_blend * softmax(doc @ self.genre.weights + self.genre.bias)
        genre = softmax(np.log(genre + (1 - self.genre_blend) * classic.genre + 1e-9) + self.genre_offset)
        by_unit = token_spans(raw, self.span_thresholds)
        spans: list[list[tuple[int, int, int, float]]] = [[] for _ in range(n_paragraphs)]
        for row, found in zip(owner, by_unit, strict=True):
            spans[row] += found
        article = None if self.article_decisions is None else self.article_decisions.probabilities(units)
        return ArticleScores(probs, frames.astype(np.float32), genre.astype(np.float32),
                             tuple(tuple(x) for x in spans), sentences=units,
                             sentence_features=sentence_features(raw.paragraph_vectors, raw.n_tokens), article=article)


def token_spans(raw: RawOutputs, thresholds: np.ndarray) -> tuple[tuple[tuple[int, int, int, float], ...], ...]:
    """Per paragraph, (technique, start, end, probability): for each window (a sentence, or a
    piece of a long one) and technique, the stretch from its first to its last token over
    threshold, with the strongest token's probability.

    The token head often marks every other word of a phrase: taken run by run, validation
    had 33,229 spans against 4,650 gold ones, many of them a lone "the" or "of". One stretch
    per sentence is what a reader should see, and it scores better too (validation span F1
    0.086 -> 0.108 at the shipped token threshold 0.05; runs merged across gaps of 1-24
    tokens scored 0.092-0.107).
    """
    found: list[list[tuple[int, int, int, float]]] = [[] for _ in range(raw.logits.shape[0])]
    for w, z in zip(raw.windows, raw.token_logits, strict=True):
        p = sigmoid(z)
        real = w.offsets[:, 1] > w.offsets[:, 0]
        on = (p >= thresholds) & real[:, None]
        for j in np.flatnonzero(on.any(0)):
            marked = np.flatnonzero(on[:, j])
            first, last = marked[0], marked[-1]
            found[w.paragraph].append(
                (int(j), int(w.offsets[first, 0]), int(w.offsets[last, 1]), float(p[marked, j].max()))
            )
    return tuple(tuple(f) for f in found)
