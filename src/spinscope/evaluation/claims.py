"""Check-worthiness ranking in the CLEF CheckThat! 2019 Task 1 format, and its official metric.

Input: ``line<TAB>speaker<TAB>text`` (an optional 4th label column is read as gold and
otherwise ignored). Prediction: ``line<TAB>score``, one line per input line. The official
measure of one debate is average precision over its check-worthy lines.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from spinscope.errors import ScoringMismatch, SemEvalFormatError


def read_clef(path: str | Path) -> list[tuple[str, str, str, int | None]]:
    """``(line, speaker, text, label or None)`` rows of one CLEF-2019 Task 1 file."""
    rows = []
    with open(path, encoding="utf-8") as fh:
        for n, raw in enumerate(fh, 1):
            if not raw.strip():
                continue
            parts = raw.rstrip("\n").split("\t")
            if len(parts) < 3:
                raise SemEvalFormatError(f"{path}:{n}: expected 'line<TAB>speaker<TAB>text[<TAB>label]'")
            label = int(parts[3]) if len(parts) > 3 and parts[3].strip() in ("0", "1") else None
            rows.append((parts[0], parts[1], parts[2], label))
    return rows


def average_precision(scores: np.ndarray, labels: np.ndarray) -> float:
    """CLEF-2019 Task 1 average precision of one debate: mean precision at each check-worthy line."""
    order = np.argsort(-np.asarray(scores), kind="stable")
    hits = np.asarray(labels)[order] == 1
    if not hits.any():
        return 0.0
    precision_at = np.cumsum(hits) / np.arange(1, len(hits) + 1)
    return float(precision_at[hits].mean())


def write_ranking(path: str | Path, lines: list[str], scores: np.ndarray) -> None:
    Path(path).write_text("".join(f"{line}\t{float(s):.6f}\n" for line, s in zip(lines, scores, strict=True)),
                          encoding="utf-8")


def read_ranking(path: str | Path) -> dict[str, float]:
    out = {}
    for n, raw in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not raw.strip():
            continue
        parts = raw.split("\t")
        try:
            out[parts[0]] = float(parts[1])
        except (IndexError, ValueError) as exc:
            raise SemEvalFormatError(f"{path}:{n}: expected 'line<TAB>score'") from exc
    return out


def rank_file(score_texts: Callable[[list[str]], np.ndarray], path: str | Path, out: str | Path) -> int:
    """Score every line of a CLEF-format file and write ``line<TAB>score``; returns the number of lines."""
    rows = read_clef(path)
    if not rows:
        raise SemEvalFormatError(f"{path} has no lines to rank")
    write_ranking(out, [r[0] for r in rows], score_texts([r[2] for r in rows]))
    return len(rows)


def evaluate_ranking(gold: str | Path, pred: str | Path) -> float:
    """Average precision of a ranking file against a gold CLEF file (labels in the 4th column)."""
    rows = read_clef(gold)
    scores = read_ranking(pred)
    missing = [r[0] for r in rows if r[0] not in scores]
    if missing:
        raise ScoringMismatch(f"{pred} has no score for {len(missing)} gold lines (first: line {missing[0]})")
    if any(r[3] is None for r in rows):
        raise SemEvalFormatError(f"{gold} has lines without a 0/1 label in the 4th column")
    return average_precision(np.array([scores[r[0]] for r in rows]), np.array([r[3] for r in rows]))
