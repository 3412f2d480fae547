"""Predict and evaluate SemEval-format folders with a ``Pipeline``."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import numpy as np

from spinscope import languages
from spinscope.detect.block_labels import SLOT as BLOCK_SLOT
from spinscope.detect.block_labels import BlockLabelsDetector
from spinscope.detect.decisions import LineContext
from spinscope.detect.paragraph_labels import SLOT, ParagraphLabelsDetector
from spinscope.errors import InvalidOption, ScoringMismatch, SemEvalFormatError
from spinscope.evaluation.metrics import Scores, score_multilabel, score_single_label
from spinscope.ingest import article_from_text
from spinscope.pipeline import Pipeline
from spinscope.segment import lines_are_sentences
from spinscope.semeval import io
from spinscope.taxonomy import FRAME_NAMES, GENRE_NAMES, TECHNIQUE_NAMES
from spinscope.types import Analysis

SUBTASKS = (1, 2, 3)
# How subtask 3 reads an article's lines: "paragraphs" labels each line with what its own
# sentences show (the model's paragraph decisions, ``detect.paragraph_labels``); "sentences"
# takes the lines as sentences cut from paragraphs and labels each with what the paragraph
# around it shows: its run of lines between blank lines where those mark the paragraphs
# (``detect.block_labels``), else read from the lines beside it (``detect.decisions.LineContext``);
# "auto" picks per article (``segment.lines_are_sentences``).
LINES = ("auto", "paragraphs", "sentences")
# What each subtask reads from an analysis: the other detectors would only cost time.
DETECTORS = {1: ("scores", "genre"), 2: ("scores", "frames"), 3: ("scores", "techniques")}
Predictions = dict[str, str] | dict[str, tuple[str, ...]] | dict[tuple[str, int], tuple[str, ...]]


def _check_subtask(subtask: int) -> None:
    if subtask not in SUBTASKS:
        raise InvalidOption(f"subtask must be 1, 2 or 3, got {subtask}")


def predict_folder(
    pipeline: Pipeline,
    subtask: int,
    articles_dir: str | Path,
    *,
    lang: str | None = None,
    template: str | Path | None = None,
    threshold: float | None = None,
    progress: Callable[[Iterable[tuple[str, str]]], Iterable[tuple[str, str]]] = lambda x: x,
    warn: Callable[[str], None] = lambda _msg: None,
    workers: int = 1,
    lines: str = "auto",
) -> Predictions:
    """Predictions for every ``article<ID>.txt`` in a folder, in the official format's structure.

    Articles are analysed exactly as written (no boilerplate removal), so
    paragraph numbers are line numbers of the file, as in the templates. ``workers`` > 1
    analyses in that many forked processes (``Pipeline.pipe``'s ``n_process``). ``lines``
    (subtask 3): one of ``LINES``.
    """
    _check_subtask(subtask)
    context = _line_context(pipeline, lines)
    if subtask == 3:
        wanted = ([ParagraphLabelsDetector] if lines != "sentences" else []) + \
                 ([BlockLabelsDetector] if lines != "paragraphs" else [])
        added = [d(pipeline.model) for d in wanted if d.name not in pipeline.detector_names]
        if added:
            pipeline = Pipeline(pipeline.model, [*pipeline.detectors, *added])
    language = languages.normalize(lang) if lang else None
    texts = io.read_articles(articles_dir)
    rows: dict[str, list[int]] | None = None
    if template is not None:
        rows = {}
        for r in io.read_template(template, known_ids=texts):
            rows.setdefault(r.article, []).append(r.paragraph)
        missing = sorted(set(rows) - set(texts))
        if missing:
            warn(f"template lists {len(missing)} articles with no file in {articles_dir}; "
                 f"they get no predictions (first: {missing[0]})")
        if not set(rows) & set(texts):
            raise SemEvalFormatError(f"template {template} lists none of the articles in {articles_dir}")
    out: dict = {}
    wanted = []
    for aid, text in texts.items():
        if rows is not None and aid not in rows:
            continue
        if text.strip():
            wanted.append((aid, text))
        elif subtask == 3:
            out.update({(aid, p): () for p in (rows or {}).get(aid, [])})
    articles = (article_from_text(text, article_id=aid, language=language, clean=False)
                for aid, text in progress(wanted))
    for analysis in pipeline.pipe(articles, threshold=threshold, n_process=workers):
        aid = analysis.article.id
        if subtask == 1:
            out[aid] = analysis.genre.label
        elif subtask == 2:
            out[aid] = tuple(f.frame for f in analysis.detected_frames)
        else:
            blocks = analysis.extensions.get(BLOCK_SLOT) if lines != "paragraphs" else None
            if blocks:  # cut one sentence per line, a blank line between paragraphs: the paragraphs are known
                by_index = _by_index(blocks)
            elif context is not None and (lines == "sentences" or cut_into_sentences(analysis)):
                by_index = paragraph_labels(analysis, context, pipeline.model.techniques.labels, threshold)
            else:
                by_index = _by_index(analysis.extensions[SLOT])
            for index in rows[aid] if rows is not None else sorted(by_index):
                out[(aid, index)] = by_index.get(index, ())
    place = {aid: i for i, aid in enumerate(texts)}  # files' order, empty articles in their place
    return dict(sorted(out.items(), key=lambda kv: place[kv[0] if isinstance(kv[0], str) else kv[0][0]]))


def _by_index(found: Iterable) -> dict[int, tuple[str, ...]]:
    """An extension slot's (line, labels) pairs; lists of lists once they have come back from a worker as JSON."""
    return {int(i): tuple(labels) for i, labels in found}


def _line_context(pipeline: Pipeline, lines: str) -> LineContext | None:
    if lines not in LINES:
        raise InvalidOption(f"lines must be one of {', '.join(LINES)}, got {lines!r}")
    context = getattr(pipeline.model, "line_context", None)
    if lines == "sentences" and context is None:
        raise InvalidOption(f"--lines sentences needs a model with a line context; {pipeline.model.name} has none "
                            "(the classical model never has one)")
    return None if lines == "paragraphs" else context


def cut_into_sentences(analysis: Analysis) -> bool:
    """Whether the article's lines look like sentences cut from paragraphs (``segment.lines_are_sentences``)."""
    return lines_are_sentences(tuple(p.paragraph for p in analysis.paragraphs), analysis.sentences)


def paragraph_labels(analysis: Analysis, context: LineContext, labels: Sequence[str],
                     threshold: float | None) -> dict[int, tuple[str, ...]]:
    """Per line (paragraph index), the techniques the paragraph it was cut from uses, most likely
    first: the line context over every line's scores (``labels``: the model's, in its order), at
    the context's own threshold or at ``threshold``."""
    index = {name: j for j, name in enumerate(labels)}
    own = np.zeros((len(analysis.paragraphs), len(labels)))
    for row, p in enumerate(analysis.paragraphs):
        for score in p.scores:
            own[row, index[score.technique]] = score.confidence
    probs = context.probabilities(own)
    t = context.threshold if threshold is None else threshold
    return {p.paragraph.index: tuple(labels[j] for j in np.argsort(-probs[row], kind="stable") if probs[row, j] >= t)
            for row, p in enumerate(analysis.paragraphs)}


def write_predictions(subtask: int, predictions: Predictions, path: str | Path) -> None:
    _check_subtask(subtask)
    writer = {1: io.write_st1, 2: io.write_st2, 3: io.write_st3}[subtask]
    writer(path, predictions)  # type: ignore[arg-type]


def evaluate_files(subtask: int, gold: str | Path, pred: str | Path) -> Scores:
    """Score a prediction file against a gold file with the official metric definitions.

    Gold labels outside the official lists are repaired where unambiguous
    (see ``io.repair_labels``) and refused otherwise, so a typo in a gold file
    cannot silently lower or raise a score.
    """
    _check_subtask(subtask)
    names = {1: GENRE_NAMES, 2: FRAME_NAMES, 3: TECHNIQUE_NAMES}[subtask]
    reader = {1: io.read_labels_st1, 2: io.read_labels_st2, 3: io.read_labels_st3}[subtask]
    raw_gold, raw_pred = reader(gold), reader(pred)
    as_sets = {k: (v,) if isinstance(v, str) else v for k, v in raw_gold.items()}
    clean, problems = io.validate_label_sets(as_sets, names, str(gold))
    unrepaired = [p for p in problems if p.repaired_to is None]
    if unrepaired:
        raise ScoringMismatch(f"gold file uses {len(unrepaired)} unknown labels: "
                              f"{', '.join(repr(p.label) for p in unrepaired[:5])}")
    if subtask == 1:
        return score_single_label({k: v[0] for k, v in clean.items()}, raw_pred, names)  # type: ignore[arg-type]
    return score_multilabel(clean, raw_pred, names)  # type: ignore[arg-type]
