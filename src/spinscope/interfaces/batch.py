"""Batch analysis: many inputs in, one JSONL line per input out, resumable.

Each output line is either an ``Analysis`` document or an error record
``{"id": ..., "error": {"code": ..., "message": ...}}``, in input order. Lines
are appended and fsynced one by one, so an interrupted run loses at most the
line being written; ``resume`` drops a torn last line and skips every id
already written.
"""

from __future__ import annotations

import csv
import glob
import json
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from spinscope.errors import EmptyDirectory, InvalidOption, MissingFile, SemEvalFormatError, SpinscopeError
from spinscope.ingest import article_from_text, decode, read_article
from spinscope.pipeline import Pipeline
from spinscope.types import Article

TEXT_SUFFIXES = (".txt", ".md")


@dataclass(frozen=True, slots=True)
class BatchItem:
    """One input: an id, and either an article or the error met while reading it."""

    id: str
    article: Article | None = None
    error: SpinscopeError | None = None


@dataclass(frozen=True, slots=True)
class BatchResult:
    written: int
    failed: int
    skipped: int


def _from_record(item_id: str, record: dict[str, str]) -> BatchItem:
    try:
        if record.get("text"):
            return BatchItem(item_id, article_from_text(record["text"], article_id=item_id))
        for kind in ("html", "url"):
            if record.get(kind):
                raise InvalidOption(f"'{kind}' inputs are not supported yet; give 'text'")
        raise InvalidOption("record has no 'text' field")
    except SpinscopeError as exc:
        return BatchItem(item_id, error=exc)


def _from_file(path: Path) -> BatchItem:
    try:
        return BatchItem(path.stem, read_article(path))
    except SpinscopeError as exc:
        return BatchItem(path.stem, error=exc)


def read_inputs(source: str) -> Iterator[BatchItem]:
    """Items from a directory, a glob, a ``.jsonl`` or a ``.csv`` file, in a stable order."""
    path = Path(source)
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in TEXT_SUFFIXES)
        if not files:
            raise EmptyDirectory(f"{path} holds no {' or '.join(TEXT_SUFFIXES)} files")
        yield from (_from_file(p) for p in files)
    elif path.suffix.lower() == ".jsonl" and path.is_file():
        lines = decode(path.read_bytes(), max_bytes=2**40).split("\n")
        for n, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                if not isinstance(record, dict):
                    raise ValueError("not an object")
            except ValueError as exc:
                yield BatchItem(f"line-{n}", error=SemEvalFormatError(f"{path}:{n}: not a JSON object ({exc})"))
                continue
            yield _from_record(str(record.get("id") or f"line-{n}"), record)
    elif path.suffix.lower() == ".csv" and path.is_file():
        text = decode(path.read_bytes(), max_bytes=2**40)
        reader = csv.DictReader(text.splitlines())
        if not reader.fieldnames or "id" not in reader.fieldnames:
            raise SemEvalFormatError(f"{path}: a CSV batch needs an 'id' column and a 'text' column")
        for n, row in enumerate(reader, start=2):
            yield _from_record(row.get("id") or f"row-{n}", {k: v for k, v in row.items() if k and v})
    elif any(ch in source for ch in "*?["):
        files = sorted(Path(p) for p in glob.glob(source) if Path(p).is_file())
        if not files:
            raise MissingFile(f"no files match {source!r}")
        yield from (_from_file(p) for p in files)
    else:
        raise MissingFile(f"no such directory, .jsonl or .csv file: {source}")


def _done_ids(out: Path) -> set[str]:
    """Ids already written; a torn last line (interrupted write) is cut off."""
    data = out.read_bytes()
    end = data.rfind(b"\n") + 1
    if end < len(data):
        with out.open("r+b") as fh:
            fh.truncate(end)
    done = set()
    for line in data[:end].decode("utf-8").splitlines():
        record = json.loads(line)
        done.add(record["id"] if "error" in record else record["article"]["id"])
    return done


def run_batch(
    pipeline: Pipeline,
    items: Iterable[BatchItem],
    out: str | Path,
    *,
    resume: bool = False,
    threshold: float | None = None,
    progress: Callable[[Iterable[BatchItem]], Iterable[BatchItem]] = lambda x: x,
) -> BatchResult:
    out = Path(out)
    if out.exists() and not resume:
        raise InvalidOption(f"{out} exists; pass --resume to continue it, or choose another file")
    done = _done_ids(out) if out.exists() else set()
    written = failed = skipped = 0
    with out.open("a", encoding="utf-8") as fh:
        for item in progress(items):
            if item.id in done:
                skipped += 1
                continue
            if item.article is not None:
                try:
                    line = pipeline(item.article, threshold=threshold).to_json()
                except SpinscopeError as exc:
                    item = BatchItem(item.id, error=exc)
            if item.error is not None:
                line = json.dumps({"id": item.id, "error": {"code": item.error.code, "message": item.error.message}},
                                  ensure_ascii=False)
                failed += 1
            else:
                written += 1
            fh.write(line + "\n")
            fh.flush()
            os.fsync(fh.fileno())
            done.add(item.id)
    return BatchResult(written, failed, skipped)
