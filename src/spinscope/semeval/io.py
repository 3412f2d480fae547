"""Readers and writers for SemEval-2023 Task 3 articles, labels, spans and templates."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from spinscope.errors import EmptyDirectory, MissingFile, SemEvalFormatError
from spinscope.ingest.text import decode, normalize_newlines

_ARTICLE_FILE = re.compile(r"^article(\d+)\.txt$")


@dataclass(frozen=True, slots=True)
class GoldSpan:
    article: str
    technique: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class TemplateRow:
    article: str
    paragraph: int
    text: str


@dataclass(frozen=True, slots=True)
class LabelProblem:
    """A label not in the official list: where it was, and the repair if one was unambiguous."""

    where: str
    label: str
    repaired_to: str | None


def _require_file(path: Path) -> None:
    if not path.is_file():
        raise MissingFile(f"no such file: {path}")


def read_articles(folder: str | Path) -> dict[str, str]:
    """``{article_id: text}`` for every ``article<ID>.txt`` in ``folder``, sorted by id."""
    folder = Path(folder)
    if not folder.is_dir():
        raise MissingFile(f"no such directory: {folder}")
    out: dict[str, str] = {}
    for path in sorted(folder.iterdir()):
        m = _ARTICLE_FILE.match(path.name)
        if m:
            out[m.group(1)] = normalize_newlines(decode(path.read_bytes(), keep_bom=True))
    if not out:
        raise EmptyDirectory(f"{folder} holds no article<ID>.txt files")
    return out


def _rows(path: Path) -> Iterable[tuple[int, list[str]]]:
    _require_file(path)
    text = normalize_newlines(decode(path.read_bytes()))
    for lineno, line in enumerate(text.split("\n"), start=1):
        if line.strip():
            yield lineno, line.split("\t")


def _split_labels(field: str) -> tuple[str, ...]:
    return tuple(x.strip() for x in field.split(",") if x.strip())


def read_labels_st1(path: str | Path) -> dict[str, str]:
    out = {}
    for lineno, cols in _rows(Path(path)):
        if len(cols) != 2 or not cols[0].strip().isdigit():
            raise SemEvalFormatError(f"{path}:{lineno}: expected 'article_id<TAB>label'")
        out[cols[0].strip()] = cols[1].strip()
    return out


def read_labels_st2(path: str | Path) -> dict[str, tuple[str, ...]]:
    out = {}
    for lineno, cols in _rows(Path(path)):
        if len(cols) not in (1, 2) or not cols[0].strip().isdigit():
            raise SemEvalFormatError(f"{path}:{lineno}: expected 'article_id<TAB>frame,frame,...'")
        out[cols[0].strip()] = _split_labels(cols[1]) if len(cols) == 2 else ()
    return out


def read_labels_st3(path: str | Path) -> dict[tuple[str, int], tuple[str, ...]]:
    out = {}
    for lineno, cols in _rows(Path(path)):
        if len(cols) not in (2, 3) or not cols[0].strip().isdigit() or not cols[1].strip().isdigit():
            raise SemEvalFormatError(
                f"{path}:{lineno}: expected 'article_id<TAB>paragraph<TAB>technique,technique,...'"
            )
        out[(cols[0].strip(), int(cols[1]))] = _split_labels(cols[2]) if len(cols) == 3 else ()
    return out


def read_spans(folder: str | Path) -> list[GoldSpan]:
    """Span labels from a ``train-labels-subtask-3-spans`` folder (one file per article)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise MissingFile(f"no such directory: {folder}")
    out = []
    for path in sorted(folder.glob("article*-labels-subtask-3.txt")):
        for lineno, cols in _rows(path):
            if len(cols) != 4 or not cols[2].isdigit() or not cols[3].isdigit():
                raise SemEvalFormatError(f"{path}:{lineno}: expected 'article_id<TAB>technique<TAB>start<TAB>end'")
            out.append(GoldSpan(cols[0], cols[1], int(cols[2]), int(cols[3])))
    return out


_ROW_START = re.compile(r"(\d+)\t(\d+)\t")


def read_template(path: str | Path, known_ids: Iterable[str] = ()) -> list[TemplateRow]:
    """Read a per-article or merged ``.template`` file.

    The organisers' merged files glue an article's last line to the next
    article's first row when the article file lacks a final newline
    ("...Krise.22110<TAB>1<TAB>Doch?..."). Paragraph text never holds a tab,
    so every ``<digits><TAB><digits><TAB>`` starts a row. Which of the glued
    digits are the id: the longest suffix that is a known article id, unless
    that would repeat an (article, paragraph) pair already read; otherwise
    the whole digit run (the text itself rarely ends in a digit).
    """
    path = Path(path)
    _require_file(path)
    known = set(known_ids)
    text = normalize_newlines(decode(path.read_bytes(), keep_bom=True))
    rows: list[TemplateRow] = []
    seen: set[tuple[str, int]] = set()
    for line in text.split("\n"):
        if not line.strip():
            continue
        starts = list(_ROW_START.finditer(line))
        if not starts or starts[0].start() != 0:
            raise SemEvalFormatError(f"{path}: expected 'article_id<TAB>paragraph<TAB>text', got {line[:60]!r}")
        cuts = [0]
        for m in starts[1:]:
            digits, paragraph = m.group(1), int(m.group(2))
            candidates = [k for k in range(len(digits), 0, -1) if digits[-k:] in known] + [len(digits)]
            k = next((k for k in candidates if (digits[-k:], paragraph) not in seen), len(digits))
            cuts.append(m.end(1) - k)
            seen.add((digits[-k:], paragraph))
        for n, m in enumerate(starts):
            end = cuts[n + 1] if n + 1 < len(starts) else len(line)
            row = TemplateRow(line[cuts[n] : m.end(1)], int(m.group(2)), line[m.end() : end])
            seen.add((row.article, row.paragraph))
            rows.append(row)
    return rows


def repair_labels(labels: Iterable[str], official: Sequence[str]) -> tuple[dict[str, str], list[LabelProblem]]:
    """Map every label to an official one where that is unambiguous.

    Returns ``({label: official_label}, problems)``. A label is repaired when
    exactly one official label has the same letters (case and punctuation
    ignored) or exactly one is a close spelling match; otherwise it stays
    unmapped and is reported with ``repaired_to=None``.
    """

    def key(s: str) -> str:
        return re.sub(r"[^a-z]", "", s.lower())

    by_key: dict[str, list[str]] = {}
    for name in official:
        by_key.setdefault(key(name), []).append(name)
    mapping: dict[str, str] = {}
    problems: list[LabelProblem] = []
    for label in sorted(set(labels)):
        if label in official:
            mapping[label] = label
            continue
        candidates = by_key.get(key(label), [])
        if len(candidates) != 1:
            close = difflib.get_close_matches(label, official, n=2, cutoff=0.85)
            candidates = close if len(close) == 1 else []
        target = candidates[0] if candidates else None
        if target:
            mapping[label] = target
        problems.append(LabelProblem(where="", label=label, repaired_to=target))
    return mapping, problems


def validate_label_sets(
    labels: Mapping[object, tuple[str, ...]], official: Sequence[str], source: str
) -> tuple[dict[object, tuple[str, ...]], list[LabelProblem]]:
    """Repair or drop unknown labels in a ``{key: labels}`` table; report each one with where it was."""
    mapping, problems = repair_labels((x for v in labels.values() for x in v), official)
    where: dict[str, list[str]] = {}
    clean: dict[object, tuple[str, ...]] = {}
    for k, values in labels.items():
        fixed = []
        for v in values:
            if v not in official:
                where.setdefault(v, []).append(str(k))
            if v in mapping and mapping[v] not in fixed:
                fixed.append(mapping[v])
        clean[k] = tuple(fixed)
    located = [
        LabelProblem(f"{source}: {', '.join(where[p.label][:5])}{' ...' if len(where[p.label]) > 5 else ''}",
                     p.label, p.repaired_to)
        for p in problems
    ]
    return clean, located


def write_st1(path: str | Path, predictions: Mapping[str, str]) -> None:
    _write(path, (f"{a}\t{label}" for a, label in predictions.items()))


def write_st2(path: str | Path, predictions: Mapping[str, Sequence[str]]) -> None:
    _write(path, (f"{a}\t{','.join(labels)}" for a, labels in predictions.items()))


def write_st3(path: str | Path, predictions: Mapping[tuple[str, int], Sequence[str]]) -> None:
    _write(path, (f"{a}\t{p}\t{','.join(labels)}" for (a, p), labels in predictions.items()))


def _write(path: str | Path, lines: Iterable[str]) -> None:
    text = "".join(line + "\n" for line in lines)
    Path(path).write_text(text, encoding="utf-8")

