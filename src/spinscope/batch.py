"""Batch analysis: many inputs in, one JSONL line per input out, resumable.

Each output line is either an ``Analysis`` document or an error record
``{"id": ..., "error": {"code": ..., "message": ...}}``, in input order. Lines
are appended and fsynced one by one, so an interrupted run loses at most the
line being written; ``resume`` drops a torn last line, sets aside corrupt lines
and skips every id already written.

Every input ends as exactly one line: a record that cannot be loaded, for any
reason, becomes an error record. Ids are unique within a run: a repeated id gets
a ``~2``, ``~3`` ... suffix, so no result is silently dropped.
"""

from __future__ import annotations

import csv
import dataclasses
import glob
import json
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TextIO

from spinscope import parallel
from spinscope.errors import (
    EmptyDirectory,
    InvalidOption,
    MalformedRecord,
    MissingFile,
    SpinscopeError,
    as_spinscope_error,
)
from spinscope.ingest import SafeFetcher, load, open_text
from spinscope.pipeline import Pipeline
from spinscope.types import Article, from_dict, to_dict

FILE_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm", ".pdf")
SOURCE_FIELDS = ("text", "html", "url")
# A record without an id is named by its place: the line of a JSONL file, the record of a CSV
# file (its header is 1) or the row of a Parquet file, counted from 1.
DEFAULT_IDS = {"jsonl": "line-{}", "csv": "row-{}", "parquet": "row-{}"}
# Python's csv module refuses fields over 128 KiB; a long article in a CSV cell is a record, not a broken file.
# Beyond 64 MiB the file is refused as malformed (a text input is refused past 5 MB anyway).
csv.field_size_limit(max(csv.field_size_limit(), 64 << 20))


@dataclass(frozen=True, slots=True)
class BatchItem:
    """One input: its id and how to load it. Loading is deferred, so a resumed
    batch neither re-reads nor re-fetches what it has already written.

    ``number``: the record's line, record or row number in its file when its id is the
    default that number gives (``DEFAULT_IDS``); None when the input names it.
    """

    id: str
    load: Callable[[], Article]
    number: int | None = None


@dataclass(frozen=True, slots=True)
class BatchResult:
    written: int
    failed: int
    skipped: int
    corrupt_lines: int = 0


def _raise(error: SpinscopeError) -> Article:
    raise error


def _failing(item_id: str, error: SpinscopeError, number: int | None = None) -> BatchItem:
    return BatchItem(item_id, lambda: _raise(error), number)


def given_id(record: object) -> str | None:
    """The id a record gives itself: a non-empty string or an integer; None for any other."""
    raw = record.get("id") if isinstance(record, dict) else None
    if isinstance(raw, str) and raw:
        return raw
    return str(raw) if isinstance(raw, int) and not isinstance(raw, bool) else None


def _record_item(where: str, kind: str, n: int, record: object, fetcher: SafeFetcher) -> BatchItem:
    """Record ``n`` of a JSONL, CSV or Parquet file: an ``id`` and exactly one of ``text``,
    ``html`` or ``url``, all strings."""
    named = given_id(record)
    item_id, number = (named, None) if named is not None else (DEFAULT_IDS[kind].format(n), n)
    if not isinstance(record, dict):
        return _failing(item_id, MalformedRecord(f"{where}: a record must be a JSON object"), number)
    if named is None and record.get("id") not in (None, ""):
        return _failing(item_id, MalformedRecord(f"{where}: 'id' must be a string or an integer"), number)
    given = [f for f in SOURCE_FIELDS if record.get(f) not in (None, "")]
    if len(given) != 1:
        what = "none" if not given else " and ".join(given)
        return _failing(item_id, MalformedRecord(
            f"{where}: a record needs exactly one of the fields 'text', 'html' or 'url' (has {what})"), number)
    field, value = given[0], record[given[0]]
    if not isinstance(value, str):
        return _failing(item_id, MalformedRecord(f"{where}: {field!r} must be a string, not {type(value).__name__}"),
                        number)
    # Other scalar columns (outlet, date, author, ...) travel with the article as metadata.
    extra = {k: str(v) for k, v in record.items()
             if k not in (*SOURCE_FIELDS, "id") and isinstance(v, str | int | float) and not isinstance(v, bool)}
    # ``url`` goes through ``load(url=...)``: always fetched over http(s), never read as a local path.
    return BatchItem(item_id, lambda: _with_metadata(load(**{field: value}, article_id=item_id, fetcher=fetcher), extra),
                     number)


def _with_metadata(article: Article, extra: dict[str, str]) -> Article:
    return dataclasses.replace(article, metadata={**article.metadata, **extra}) if extra else article


def file_item(path: Path) -> BatchItem:
    return BatchItem(path.stem, lambda: load(path=path))


def _files(files: list[Path]) -> Iterator[BatchItem]:
    return (file_item(p) for p in files)


def jsonl_items(path: Path, lines: Iterable[str], first: int, fetcher: SafeFetcher) -> Iterator[BatchItem]:
    """Items of JSONL ``lines``, the first of which is line ``first`` of ``path``."""
    for n, line in enumerate(lines, start=first):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError as exc:
            yield _failing(DEFAULT_IDS["jsonl"].format(n), MalformedRecord(f"{path}:{n}: not valid JSON ({exc})"), n)
            continue
        yield _record_item(f"{path}:{n}", "jsonl", n, record, fetcher)


def csv_header(path: Path, stream: Iterable[str]) -> list[str]:
    """The column names of a CSV batch file, which must include ``id`` and one of ``SOURCE_FIELDS``:
    a wrong header fails the whole file at once, not each of its records alike."""
    fields = list(csv.DictReader(stream).fieldnames or ())
    if "id" not in fields or not set(SOURCE_FIELDS) & set(fields):
        raise MalformedRecord(f"{path}: a CSV batch needs an 'id' column and a 'text', 'html' or 'url' column "
                              f"(its columns: {', '.join(map(repr, fields)) or 'none'})")
    return fields


def csv_items(path: Path, stream: TextIO, first: int, fetcher: SafeFetcher,
              header: list[str] | None = None) -> Iterator[BatchItem]:
    """Items of CSV records, the first of which is record ``first`` of ``path``: from its
    start (``header`` None: the stream begins with it), or from within, after ``header``."""
    if header is None:
        header = csv_header(path, stream)
    n = first
    try:
        for n, row in enumerate(csv.DictReader(stream, fieldnames=header), start=first):  # noqa: B007 - n for the error
            yield _record_item(f"{path}:{n}", "csv", n, {k: v for k, v in row.items() if k and v}, fetcher)
    except csv.Error as exc:
        raise MalformedRecord(f"{path}: cannot read CSV record {n + 1}: {exc}") from exc


def parquet_file(path: Path):  # noqa: ANN201 - a pyarrow.parquet.ParquetFile
    try:
        import pyarrow.parquet as pq
    except ImportError as exc:
        from spinscope.errors import ExtraNotInstalled

        raise ExtraNotInstalled("reading Parquet needs pyarrow: pip install -e '.[ray]'") from exc
    try:
        table = pq.ParquetFile(path)
    except (OSError, ValueError) as exc:
        raise MalformedRecord(f"{path}: not a readable Parquet file ({exc})") from exc
    columns = table.schema_arrow.names
    if not set(SOURCE_FIELDS) & set(columns):  # as ``csv_header``: the whole file, not each row
        raise MalformedRecord(f"{path}: a Parquet batch needs a 'text', 'html' or 'url' column "
                              f"(its columns: {', '.join(map(repr, columns)) or 'none'})")
    return table


def parquet_items(path: Path, row_groups: list[int] | None, first: int, fetcher: SafeFetcher) -> Iterator[BatchItem]:
    """Items of a Parquet file's rows (of ``row_groups`` only, if given; their first row is row ``first``)."""
    n = first - 1
    for batch in parquet_file(path).iter_batches(batch_size=1024, row_groups=row_groups):
        for row in batch.to_pylist():
            n += 1
            yield _record_item(f"{path}:row {n}", "parquet", n, row, fetcher)


def _jsonl_items(path: Path, fetcher: SafeFetcher) -> Iterator[BatchItem]:
    with open_text(path, newline="\n") as lines:
        yield from jsonl_items(path, lines, 1, fetcher)


def _csv_items(path: Path, fetcher: SafeFetcher) -> Iterator[BatchItem]:
    with open_text(path, newline="") as stream:
        yield from csv_items(path, stream, 2, fetcher)


def unique_ids(ids: Iterable[str]) -> Iterator[str]:
    """Each id, or for a repeat a ``~N`` suffix: deterministic, so a resumed run renames alike."""
    seen: set[str] = set()
    for given in ids:
        yield _unused(given, seen)


def _unused(given: str, seen: set[str]) -> str:
    item_id, n = given, 1
    while item_id in seen:
        n += 1
        item_id = f"{given}~{n}"
    seen.add(item_id)
    return item_id


def renamed(item: BatchItem, item_id: str) -> BatchItem:
    """``item`` under another id; its article records the id it was given."""
    return item if item_id == item.id else BatchItem(item_id, _renamed(item, item_id), item.number)


def _unique(items: Iterable[BatchItem]) -> Iterator[BatchItem]:
    """Give repeated ids a ``~N`` suffix (``unique_ids``)."""
    seen: set[str] = set()
    for item in items:
        yield renamed(item, _unused(item.id, seen))


def _renamed(item: BatchItem, item_id: str) -> Callable[[], Article]:
    def load_renamed() -> Article:
        article = item.load()
        metadata = {**article.metadata, "batch_id_renamed_from": item.id}
        return dataclasses.replace(article, id=item_id, metadata=metadata)

    return load_renamed


def input_kind(source: str) -> tuple[str, Path | list[Path]]:
    """What ``source`` is: ("jsonl" | "csv" | "parquet", the file), or ("files", the files of a
    directory or glob, sorted)."""
    path = Path(source)
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in FILE_SUFFIXES)
        if not files:
            raise EmptyDirectory(f"{path} holds no {', '.join(FILE_SUFFIXES)} files")
        return "files", files
    kind = path.suffix.lower().lstrip(".")
    if kind in DEFAULT_IDS and path.is_file():
        return kind, path
    if any(ch in source for ch in "*?["):
        files = sorted(Path(p) for p in glob.glob(source) if Path(p).is_file())
        if not files:
            raise MissingFile(f"no files match {source!r}")
        return "files", files
    raise MissingFile(f"no such directory, .jsonl, .csv or .parquet file: {source}")


def read_inputs(source: str, fetcher: SafeFetcher | None = None) -> Iterator[BatchItem]:
    """Items from a directory, a glob, or a ``.jsonl``, ``.csv`` or ``.parquet`` file, in a stable order."""
    fetcher = fetcher or SafeFetcher()
    kind, where = input_kind(source)
    if isinstance(where, list):
        items = _files(where)
    elif kind == "jsonl":
        items = _jsonl_items(where, fetcher)
    elif kind == "csv":
        items = _csv_items(where, fetcher)
    else:
        items = parquet_items(where, None, 1, fetcher)
    return _unique(items)


def _line_id(line: bytes) -> str | None:
    """The id a complete output line records, or None when the line is corrupt."""
    try:
        record = json.loads(line)
        item_id = record["id"] if "error" in record else record["article"]["id"]
    except (ValueError, KeyError, TypeError):
        return None
    return item_id if isinstance(item_id, str) else None


def _done_ids(out: Path) -> tuple[set[str], int]:
    """Ids already written, and how many corrupt lines were set aside.

    A torn last line (an interrupted write) is cut off. Complete lines that are not
    valid records are moved to ``OUT.corrupt``, so their inputs are analysed again.
    The file is read line by line, so a resume needs no memory in proportion to it.
    """
    done: set[str] = set()
    bad = end = 0
    with out.open("rb") as fh:
        for line in fh:
            if not line.endswith(b"\n"):
                break
            end += len(line)
            item_id = _line_id(line)
            if item_id is None:
                bad += 1
            else:
                done.add(item_id)
    if bad:
        tmp = out.with_name(out.name + ".tmp")
        with out.open("rb") as src, tmp.open("wb") as good, out.with_name(out.name + ".corrupt").open("ab") as corrupt:
            for line in src:
                if not line.endswith(b"\n"):
                    break
                (corrupt if _line_id(line) is None else good).write(line)
        os.replace(tmp, out)
    elif end < out.stat().st_size:
        with out.open("r+b") as fh:
            fh.truncate(end)
    return done, bad


def _error_line(item_id: str, exc: SpinscopeError) -> str:
    return json.dumps({"id": item_id, "error": {"code": exc.code, "message": exc.message}}, ensure_ascii=False)


def run_batch(
    pipeline: Pipeline,
    items: Iterable[BatchItem],
    out: str | Path,
    *,
    resume: bool = False,
    threshold: float | None = None,
    progress: Callable[[Iterable[BatchItem]], Iterable[BatchItem]] = lambda x: x,
    workers: int = 1,
) -> BatchResult:
    """Analyse ``items`` into the JSONL file ``out``.

    Inputs are read and fetched here, in order; with ``workers`` > 1 the analyses run
    in forked worker processes (``spinscope.parallel``) and lines are still written
    in input order, each once its analysis is done.
    """
    out = Path(out)
    if out.exists() and not resume:
        raise InvalidOption(f"{out} exists; pass --resume to continue it, or choose another file")
    workers = parallel.check_workers(workers)
    done, corrupt = _done_ids(out) if out.exists() else (set(), 0)
    skipped = 0

    def todo() -> Iterator[tuple[str, dict | str]]:
        nonlocal skipped
        for item in progress(items):
            if item.id in done:
                skipped += 1
                continue
            done.add(item.id)  # a repeated id was renamed by the reader; this guards resumed runs too
            try:
                yield item.id, to_dict(item.load())
            except Exception as exc:  # noqa: BLE001 - one bad input must not stop, nor block every resume
                yield item.id, _error_line(item.id, as_spinscope_error(exc))

    written = failed = 0
    analyse = partial(_analysed_line, pipeline, threshold)
    with out.open("a", encoding="utf-8") as fh:
        for ok, line in parallel.ordered_map(analyse, todo(), workers, pipeline.in_worker):
            written += ok
            failed += not ok
            fh.write(line + "\n")
            fh.flush()
            os.fsync(fh.fileno())
    return BatchResult(written, failed, skipped, corrupt)


def _analysed_line(pipeline: Pipeline, threshold: float | None, task: tuple[str, dict | str]) -> tuple[bool, str]:
    """(success, output line) for one loaded input, or its load error passed through."""
    item_id, article = task
    if isinstance(article, str):
        return False, article
    try:
        return True, pipeline(from_dict(Article, article), threshold=threshold).to_json()
    except Exception as exc:  # noqa: BLE001 - as above: an error record, and the batch goes on
        return False, _error_line(item_id, as_spinscope_error(exc))
