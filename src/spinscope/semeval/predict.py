"""Predict and evaluate SemEval-format folders with a ``Pipeline``."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from spinscope import languages
from spinscope.errors import InvalidOption, SemEvalFormatError
from spinscope.ingest import article_from_text
from spinscope.pipeline import Pipeline
from spinscope.semeval import io
from spinscope.semeval.scoring import Scores, score_multilabel, score_single_label
from spinscope.taxonomy import FRAME_NAMES, GENRE_NAMES, TECHNIQUE_NAMES

SUBTASKS = (1, 2, 3)
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
) -> Predictions:
    """Predictions for every ``article<ID>.txt`` in a folder, in the official format's structure.

    Articles are analysed exactly as written (no boilerplate removal), so
    paragraph numbers are line numbers of the file, as in the templates.
    """
    _check_subtask(subtask)
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
    for aid, text in progress(list(texts.items())):
        if rows is not None and aid not in rows:
            continue
        if not text.strip():
            if subtask == 3:
                out.update({(aid, p): () for p in (rows or {}).get(aid, [])})
            continue
        analysis = pipeline(article_from_text(text, article_id=aid, language=language, clean=False), threshold=threshold)
        if subtask == 1:
            out[aid] = analysis.genre.label
        elif subtask == 2:
            out[aid] = tuple(f.frame for f in analysis.detected_frames)
        else:
            by_index = {p.paragraph.index: tuple(s.technique for s in p.detected) for p in analysis.paragraphs}
            for index in rows[aid] if rows is not None else sorted(by_index):
                out[(aid, index)] = by_index.get(index, ())
    return out


def write_predictions(subtask: int, predictions: Predictions, path: str | Path) -> None:
    _check_subtask(subtask)
    writer = {1: io.write_st1, 2: io.write_st2, 3: io.write_st3}[subtask]
    writer(path, predictions)  # type: ignore[arg-type]


def evaluate_files(subtask: int, gold: str | Path, pred: str | Path) -> Scores:
    """Score a prediction file against a gold file with the official metric definitions."""
    _check_subtask(subtask)
    if subtask == 1:
        return score_single_label(io.read_labels_st1(gold), io.read_labels_st1(pred), GENRE_NAMES)
    if subtask == 2:
        return score_multilabel(io.read_labels_st2(gold), io.read_labels_st2(pred), FRAME_NAMES)
    g3 = io.read_labels_st3(gold)
    clean, _ = io.validate_label_sets(g3, TECHNIQUE_NAMES, str(gold))
    return score_multilabel(clean, io.read_labels_st3(pred), TECHNIQUE_NAMES)
