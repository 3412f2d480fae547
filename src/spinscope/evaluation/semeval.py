"""Predict and evaluate SemEval-format folders with a ``Pipeline``."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from spinscope import languages
from spinscope.errors import InvalidOption, ScoringMismatch, SemEvalFormatError
from spinscope.evaluation.metrics import Scores, score_multilabel, score_single_label
from spinscope.ingest import article_from_text
from spinscope.pipeline import Pipeline
from spinscope.semeval import io
from spinscope.taxonomy import FRAME_NAMES, GENRE_NAMES, TECHNIQUE_NAMES

SUBTASKS = (1, 2, 3)
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
) -> Predictions:
    """Predictions for every ``article<ID>.txt`` in a folder, in the official format's structure.

    Articles are analysed exactly as written (no boilerplate removal), so
    paragraph numbers are line numbers of the file, as in the templates. ``workers`` > 1
    analyses in that many forked processes (``Pipeline.pipe``'s ``n_process``).
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
            by_index = {p.paragraph.index: tuple(s.technique for s in p.detected) for p in analysis.paragraphs}
            for index in rows[aid] if rows is not None else sorted(by_index):
                out[(aid, index)] = by_index.get(index, ())
    place = {aid: i for i, aid in enumerate(texts)}  # files' order, empty articles in their place
    return dict(sorted(out.items(), key=lambda kv: place[kv[0] if isinstance(kv[0], str) else kv[0][0]]))


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
