"""Batch analysis: many inputs in, one JSONL line per input out, resumable.

Each output line is either an ``Analysis`` document or an error record
``{"id": ..., "error": {"code": ..., "message": ...}}``, in input order. Lines
are appended and fsynced one by one, so an interrupted run loses at most the
line being written; ``resume`` drops a torn last line and skips every id
already written.
"""

from __future__ import annotations

import csv
import dataclasses
import glob
import io
import json
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from spinscope.errors import EmptyDirectory, InvalidOption, MissingFile, SemEvalFormatError, SpinscopeError
from spinscope.ingest import SafeFetcher, article_from_text, decode, load_source
from spinscope.ingest.html import article_from_html
from spinscope.pipeline import Pipeline
from spinscope.types import Article

FILE_SUFFIXES = (".txt", ".md", ".html", ".htm", ".pdf")


@dataclass(frozen=True, slots=True)
class BatchItem:
    """One input: its id and how to load it. Loading is deferred, so a resumed
    batch neither re-reads nor re-fetches what it has already written."""

    id: str
    load: Callable[[], Article]


@dataclass(frozen=True, slots=True)
class BatchResult:
    written: int
    failed: int
    skipped: int


def _raise(error: SpinscopeError) -> Article:
    raise error


def _record_loader(item_id: str, record: dict[str, str], fetcher: SafeFetcher) -> Callable[[], Article]:
    if record.get("text"):
        return lambda: article_from_text(record["text"], article_id=item_id)
    if record.get("html"):
        return lambda: article_from_html(record["html"], article_id=item_id)
    if record.get("url"):
        return lambda: dataclasses.replace(load_source(record["url"], fetcher=fetcher), id=item_id)
    return lambda: _raise(InvalidOption("record has none of the fields 'text', 'html' or 'url'"))


def _file_item(path: Path) -> BatchItem:
    return BatchItem(path.stem, lambda: load_source(path))


def read_inputs(source: str, fetcher: SafeFetcher | None = None) -> Iterator[BatchItem]:
    """Items from a directory, a glob, a ``.jsonl`` or a ``.csv`` file, in a stable order."""
    fetcher = fetcher or SafeFetcher()
    path = Path(source)
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in FILE_SUFFIXES)
        if not files:
            raise EmptyDirectory(f"{path} holds no {', '.join(FILE_SUFFIXES)} files")
        yield from (_file_item(p) for p in files)
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
                error = SemEvalFormatError(f"{path}:{n}: not a JSON object ({exc})")
                yield BatchItem(f"line-{n}", lambda error=error: _raise(error))
                continue
            item_id = str(record.get("id") or f"line-{n}")
            yield BatchItem(item_id, _record_loader(item_id, record, fetcher))
    elif path.suffix.lower() == ".csv" and path.is_file():
        text = decode(path.read_bytes(), max_bytes=2**40)
        reader = csv.DictReader(io.StringIO(text, newline=""))
        if not reader.fieldnames or "id" not in reader.fieldnames:
            raise SemEvalFormatError(f"{path}: a CSV batch needs an 'id' column and a 'text', 'html' or 'url' column")
        for n, row in enumerate(reader, start=2):
            item_id = row.get("id") or f"row-{n}"
            yield BatchItem(item_id, _record_loader(item_id, {k: v for k, v in row.items() if k and v}, fetcher))
    elif any(ch in source for ch in "*?["):
        files = sorted(Path(p) for p in glob.glob(source) if Path(p).is_file())
        if not files:
            raise MissingFile(f"no files match {source!r}")
        yield from (_file_item(p) for p in files)
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
            try:
                line = pipeline(item.load(), threshold=threshold).to_json()
                written += 1
            except SpinscopeError as exc:
                error = {"code": exc.code, "message": exc.message}
                line = json.dumps({"id": item.id, "error": error}, ensure_ascii=False)
                failed += 1
            fh.write(line + "\n")
            fh.flush()
            os.fsync(fh.fileno())
            done.add(item.id)
    return BatchResult(written, failed, skipped)
