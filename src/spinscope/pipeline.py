"""The one ``Pipeline``: ingest -> segment -> detectors -> ``Analysis``.

Models load once, in ``load()``. The pipeline prepares each article (language,
paragraphs, sentences, the length limit), runs its configured list of detectors
(``spinscope.components``) over a batch of documents, and freezes each into a
typed ``Analysis``. It holds no detection logic of its own.
"""

from __future__ import annotations

import dataclasses
import json
import tomllib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from functools import partial
from itertools import islice
from pathlib import Path

from spinscope import languages, parallel, registry
from spinscope.components import Detector, Doc, check_order, startable
from spinscope.detect.artifacts import MODELS_DIR, load_model
from spinscope.detect.scores import ArticleScores, ScoringModel, Started
from spinscope.errors import (
    W_ENCODING,
    W_LANGUAGE_MISMATCH,
    W_LANGUAGE_UNSURE,
    W_LANGUAGE_UNTRAINED,
    W_LAYOUT,
    W_SHORT,
    W_TRUNCATED,
    InvalidOption,
)
from spinscope.ingest import article_from_text
from spinscope.ingest.pdf import LAYOUT_NOTE
from spinscope.ingest.text import ENCODING_NOTE
from spinscope.segment import paragraphs, sentences
from spinscope.segment.words import word_count
from spinscope.types import Analysis, AnalysisWarning, Article, ModelInfo, Paragraph, from_dict, to_dict

__all__ = ["DEFAULT_MODEL", "EXPLAIN_ENV", "MAX_ANALYSED_CHARS", "MODELS_DIR", "MODEL_ENV", "Pipeline", "load"]

DEFAULT_MODEL = "transformer"
# `spinscope serve --model` hands its choice to the worker processes through this variable.
MODEL_ENV = "SPINSCOPE_MODEL"
# "0" leaves ``word_effects`` out of the pipeline ``serve`` builds (``spinscope serve --no-explain``).
EXPLAIN_ENV = "SPINSCOPE_EXPLAIN"
MIN_LANGUAGE_CONFIDENCE = 0.5
# Beyond this, analysis time grows past a few seconds; no news article is this long.
MAX_ANALYSED_CHARS = 200_000
# Genre and frames are labelled on whole articles. Below about the shortest SemEval training
# article they are read from almost nothing ("Hi." was called satire, 69%), so a warning says so.
SHORTEST_TRAINED_WORDS = 88  # Russian; English 108 (``wc -w`` over train-articles-subtask-1)
SHORT_TEXT_WORDS = 80


def load(model: str | Path = DEFAULT_MODEL, *, disable: Iterable[str] = (), detectors: Sequence[str] | None = None,
         config: str | Path | None = None, options: Mapping[str, Mapping[str, object]] | None = None,
         explain: bool = False) -> Pipeline:
    """Load a model and build the detector list.

    ``model`` is a built-in name (``transformer``, ``classic``) or a model directory given
    as a path. ``detectors`` replaces the default list (``registry.DEFAULT_DETECTORS``),
    ``disable`` removes names from it, ``options`` gives detectors their settings by name
    (``{"entities": {"backend": "spacy"}}``), and ``config`` (a TOML or JSON file with
    optional ``model``, ``detectors``, ``disable`` and ``options`` keys) sets all four.
    ``explain`` adds ``word_effects`` after ``techniques``: each detection's cues are the words
    whose absence lowers its score most (``detect.word_effects``; one model pass per word).
    """
    if config is not None:
        settings = _read_config(Path(config))
        model = settings.get("model", model)
        detectors = settings.get("detectors", detectors)
        disable = (*disable, *settings.get("disable", ()))
        options = {**settings.get("options", {}), **(options or {})}
    off = set(disable)
    listed = list(detectors or registry.DEFAULT_DETECTORS)
    if explain:  # --disable word_effects then works as --no-explain does
        listed = registry.explained(listed)
    stray = sorted(off - set(listed))
    if stray:
        raise InvalidOption(f"cannot disable {stray[0]!r}: the pipeline runs {', '.join(listed)}")
    names = [n for n in listed if n not in off]
    if explain and "techniques" not in names:  # nothing to explain
        names = [n for n in names if n != "word_effects"]
    scoring = load_model(model)
    return Pipeline(scoring, registry.build(names, scoring, options))


def _read_config(path: Path) -> dict:
    try:
        raw = path.read_bytes()
        data = json.loads(raw) if path.suffix == ".json" else tomllib.loads(raw.decode("utf-8"))
    except (OSError, ValueError) as exc:  # tomllib and json errors are ValueErrors
        raise InvalidOption(f"cannot read pipeline config {path}: {exc}") from exc
    unknown = set(data) - {"model", "detectors", "disable", "options"}
    if unknown:
        raise InvalidOption(f"pipeline config {path}: unknown keys {', '.join(sorted(unknown))}")
    return data


def _check_threshold(threshold: float | None) -> None:
    if threshold is not None and not 0.0 <= threshold <= 1.0:
        raise InvalidOption(f"threshold must be between 0 and 1, got {threshold}")


class Pipeline:
    def __init__(self, model: ScoringModel, detectors: Sequence[Detector] | None = None) -> None:
        self.model = model
        self.detectors = list(registry.build(registry.DEFAULT_DETECTORS, model) if detectors is None else detectors)
        check_order(self.detectors)
        self.info = ModelInfo(name=model.name, version=model.version, kind=model.kind)

    @property
    def detector_names(self) -> tuple[str, ...]:
        return tuple(d.name for d in self.detectors)

    def detector(self, name: str) -> Detector:
        for d in self.detectors:
            if d.name == name:
                return d
        raise InvalidOption(f"the pipeline has no {name!r} detector (it runs {', '.join(self.detector_names)})")

    def __call__(self, source: str | Article, *, threshold: float | None = None, language: str | None = None) -> Analysis:
        return self.run([self.prepare(source, threshold=threshold, language=language)])[0]

    def pipe(
        self, sources: Iterable[str | Article], *, batch_size: int = 32, threshold: float | None = None,
        n_process: int = 1,
    ) -> Iterator[Analysis]:
        """Analyse a stream lazily, ``batch_size`` documents per detector call, in input order.

        ``n_process`` > 1 analyses in that many worker processes forked from this one
        (``spinscope.parallel``; where the platform cannot fork, in this process).
        """
        if batch_size < 1:
            raise InvalidOption("batch_size must be at least 1")
        _check_threshold(threshold)
        if parallel.check_workers(n_process) > 1:
            tasks = (to_dict(s) if isinstance(s, Article) else s for s in sources)
            for outcome in parallel.ordered_map(partial(self._analyse_task, threshold), tasks, n_process,
                                                self.in_worker):
                if outcome[0] == "error":
                    parallel.raise_error(outcome[1], outcome[2])
                yield Analysis.from_json(outcome[1])
            return
        # One batch ahead: while a batch's later detectors run on this thread, the encoder's
        # pool already works on the next batch (``components.Startable``). Results are the same.
        it = iter(sources)
        docs, started = self._begin(it, batch_size, threshold)
        while docs:
            try:
                following = self._begin(it, batch_size, threshold)
            except Exception:
                yield from self.run(docs, started=started)  # what came before a bad input is not lost
                raise
            next_docs, next_started = following
            try:
                yield from self.run(docs, started=started)
            except BaseException:  # also a caller that stops early (GeneratorExit): free the pool
                for work in next_started.values():
                    work.cancel()
                raise
            docs, started = next_docs, next_started

    def _begin(self, it: Iterator[str | Article], size: int, threshold: float | None,
               ) -> tuple[list[Doc], dict[str, Started]]:
        """The next batch, prepared, with its startable detectors started."""
        docs = [self.prepare(s, threshold=threshold) for s in islice(it, size)]
        return docs, ({d.name: d.start(docs) for d in startable(self.detectors)} if docs else {})

    def _analyse_task(self, threshold: float | None, task: str | dict) -> tuple[str, ...]:
        """One ``pipe`` task in a worker: ("ok", analysis JSON) or ("error", class name, message)."""
        try:
            source = task if isinstance(task, str) else from_dict(Article, task)
            return "ok", self(source, threshold=threshold).to_json()
        except Exception as exc:  # noqa: BLE001 - raised again in the parent, by name
            return ("error", *parallel.error_fields(exc))

    def in_worker(self) -> None:
        """Settings for a forked worker process: its model runs single-threaded."""
        self.model.in_worker()

    def prepare(self, source: str | Article, *, threshold: float | None = None, language: str | None = None) -> Doc:
        """The document the detectors see: language settled, paragraphs cut to the length limit."""
        _check_threshold(threshold)
        article = source if isinstance(source, Article) else article_from_text(source)
        article, warnings = self._with_language(article, language)
        paras = paragraphs(article.text)
        readable = self.model.readable_chars(article.text[:MAX_ANALYSED_CHARS])
        limit = min(MAX_ANALYSED_CHARS, readable)
        analysed = tuple(p for p in paras if p.end <= limit)
        if not analysed and paras:  # one enormous line: analyse its beginning
            first = paras[0]
            analysed = (Paragraph(first.index, first.start, min(first.end, max(limit, first.start + 1))),)
        if analysed and analysed[-1].end < paras[-1].end:
            why = "" if readable >= MAX_ANALYSED_CHARS else " (the model reads a limited number of word pieces)"
            warnings.append(AnalysisWarning(
                W_TRUNCATED, f"the article is {len(article.text):,} characters long; only its first "
                f"{analysed[-1].end:,} characters ({len(analysed)} of {len(paras)} paragraphs) were analysed{why}"))
        n_words = word_count(article.text)
        if n_words < SHORT_TEXT_WORDS:
            warnings.append(AnalysisWarning(
                W_SHORT, f"the text has {n_words} word{'s' if n_words != 1 else ''}; genre and frames are judged on "
                f"whole articles (the shortest one trained on has {SHORTEST_TRAINED_WORDS}), so here they say little. "
                "Techniques and claims are judged sentence by sentence."))
        return Doc(article, analysed, sentences(article.text, analysed), threshold, warnings)

    def run(self, docs: list[Doc], skip: frozenset[str] = frozenset(),
            started: Mapping[str, Started] | None = None) -> list[Analysis]:
        """Each detector (but those named in ``skip``) over the whole batch, in order; then freeze.
        ``started``: predictions already begun for this batch, by detector name."""
        started = started or {}
        for detector in self.detectors:
            if detector.name not in skip:
                waiting = started.get(detector.name)
                detector.set_annotations(docs, waiting() if waiting else detector.predict(docs))
        return [self.freeze(d) for d in docs]

    def freeze(self, doc: Doc) -> Analysis:
        return Analysis(
            article=doc.article,
            paragraphs=doc.techniques,
            sentences=doc.sentences,
            genre=doc.genre,
            frames=doc.frames,
            model=self.info,
            techniques=doc.article_techniques,
            threshold=doc.threshold,
            warnings=tuple(doc.warnings),
            claims=doc.claims,
            attributions=doc.attributions,
            entities=doc.entities,
            extensions=dict(doc.extensions),
        )

    def annotate(self, article: Article, paras: tuple[Paragraph, ...], scores: ArticleScores,
                 threshold: float | None = None, warnings: Iterable[AnalysisWarning] = ()) -> Analysis:
        """The analysis from scores computed elsewhere (benches score cached model outputs)."""
        _check_threshold(threshold)
        doc = Doc(article, paras, sentences(article.text, paras), threshold, list(warnings), scores=scores)
        return self.run([doc], skip=frozenset({"scores"}))[0]

    def _with_language(self, article: Article, override: str | None) -> tuple[Article, list[str]]:
        warnings: list[AnalysisWarning] = []
        for note, code in ((ENCODING_NOTE, W_ENCODING), (LAYOUT_NOTE, W_LAYOUT)):
            if note in article.metadata:  # what ingest noticed about the input
                warnings.append(AnalysisWarning(code, article.metadata[note]))
        if override:
            lang = languages.normalize(override)
            found, prob = languages.detect(article.text)
            if found != lang and prob >= MIN_LANGUAGE_CONFIDENCE:
                warnings.append(AnalysisWarning(
                    W_LANGUAGE_MISMATCH, f"the language was set to '{lang}', but the text looks like '{found}' (p={prob:.2f})"))
        elif article.language:
            lang = article.language
        else:
            lang, prob = languages.detect(article.text)
            if prob < MIN_LANGUAGE_CONFIDENCE:
                warnings.append(AnalysisWarning(W_LANGUAGE_UNSURE, f"language detection is unsure ({lang}, p={prob:.2f})"))
        if lang not in languages.TRAINED:
            warnings.append(AnalysisWarning(
                W_LANGUAGE_UNTRAINED,
                f"language '{lang}' has no training data; the multilingual model's results are less reliable"))
        return dataclasses.replace(article, language=lang), warnings
