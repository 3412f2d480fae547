"""Batch analysis on a Ray cluster (the ``[ray]`` extra): the local engine's records, as Parquet.

Ray reads the input, not the driver. The driver only plans *shards*, stretches of the input
one Ray task reads by itself: byte ranges of a JSONL file (cut anywhere; a shard reads the
lines that begin in it), byte ranges of a CSV file that end on record boundaries (found with
the csv module, so a quoted newline never splits a record), row groups of a Parquet file,
or lists of files. Two Ray Data passes run over the shards:

1. each shard reports how many lines, records or rows it holds and the ids its records give
   themselves. From these the driver numbers every record as the local engine does
   (``line-N``, ``row-N``), renames repeated ids (``~N``) and finds the ids already written;
2. each shard is read again, its items take the ids the driver settled (those already
   written are dropped), and ``map_batches`` analyses them on a pool of actors, each of
   which loads the model once.

Results stream back to the driver, which writes them in Parquet files
(``part-<run>-<n>.parquet``, each written to a temporary name and renamed, so a file is
either whole or absent). An id is written once: a worker lost mid-job (Ray retries its
tasks elsewhere) neither loses nor duplicates a record, and ``resume`` reads the ids of
every whole file and carries on. The input must not change between the passes.

Columns: ``id``, ``ok``, ``analysis`` (the ``Analysis`` JSON, as the local engine writes it),
``error_code`` and ``error_message`` (set when ``ok`` is false).
"""

from __future__ import annotations

import csv
import io
import json
import os
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from spinscope.batch import (
    DEFAULT_IDS,
    BatchItem,
    BatchResult,
    csv_header,
    csv_items,
    file_item,
    input_kind,
    jsonl_items,
    parquet_file,
    parquet_items,
    renamed,
    unique_ids,
)
from spinscope.errors import ExtraNotInstalled, InvalidOption, MalformedRecord, as_spinscope_error
from spinscope.ingest import SafeFetcher
from spinscope.ingest.text import HEAD_BYTES, may_stream, open_text

COLUMNS = ("id", "ok", "analysis", "error_code", "error_message")
CHUNK_ROWS = 500  # rows per output Parquet file
# A shard's items go to one actor as one task, so shards are small enough to spread the work
# (about 50 news articles) and large enough that Ray's cost per task stays small.
SHARD_BYTES = 256 << 10  # JSONL and CSV bytes per shard
SHARD_ROWS = 64  # Parquet rows (whole row groups) or files per shard
READERS = 2  # shards read at once in the second pass
FIRST = {"jsonl": 1, "csv": 2, "parquet": 1, "files": 1}  # the number of a file's first record (a CSV header is 1)
BOM = b"\xef\xbb\xbf"
USAGE_STATS_ENV = "RAY_USAGE_STATS_ENABLED"


def _ray():  # noqa: ANN202 - the ray module
    try:
        import pyarrow  # noqa: F401 - Parquet output
        import ray
    except ImportError as exc:
        raise ExtraNotInstalled("the Ray engine needs Ray Data: pip install -e '.[ray]'") from exc
    return ray


@dataclass(frozen=True, slots=True)
class Shard:
    """A stretch of the input that one Ray task reads by itself."""

    kind: str  # "jsonl", "csv", "parquet" or "files"
    path: str = ""
    start: int = 0  # jsonl, csv: bytes [start, end); parquet: row groups [start, end)
    end: int = 0
    header: tuple[str, ...] = ()  # csv: the column names, for shards after the first
    whole: bool = False  # jsonl, csv not in UTF-8: the file is decoded whole, as the local engine does
    files: tuple[str, ...] = ()  # files: their paths


@dataclass(frozen=True, slots=True)
class Census:
    """What the first pass learns of a shard."""

    units: int  # lines (JSONL), records (CSV), rows (Parquet) or files: what default ids count
    # Per item: the id it gives itself, or (an int) its unit within the shard, from 0, which numbers its default id.
    ids: tuple[str | int, ...]
    utf8: bool = True  # False: a JSONL shard that is not UTF-8; the file is then read whole


# -- planning (the driver: file metadata and, for CSV, record boundaries) -----------------

def plan(source: str) -> list[Shard]:
    """The shards of a ``.jsonl``, ``.csv`` or ``.parquet`` file, a directory or a glob."""
    kind, where = input_kind(source)
    if isinstance(where, list):  # the actors read the files
        return [Shard("files", files=tuple(map(str, where[i : i + SHARD_ROWS]))) for i in range(0, len(where), SHARD_ROWS)]
    return {"jsonl": _jsonl_shards, "csv": _csv_shards, "parquet": _parquet_shards}[kind](where)


def _head(path: Path) -> bytes:
    with path.open("rb") as f:
        return f.read(HEAD_BYTES)


def _jsonl_shards(path: Path) -> list[Shard]:
    if not may_stream(_head(path)):
        return [Shard("jsonl", str(path), whole=True)]
    size = path.stat().st_size
    return [Shard("jsonl", str(path), s, min(s + SHARD_BYTES, size)) for s in range(0, max(size, 1), SHARD_BYTES)]


class _Counted:
    """Text lines, counting the bytes they came from."""

    def __init__(self, lines: Iterable[str], offset: int) -> None:
        self.lines, self.offset = iter(lines), offset

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        line = next(self.lines)
        self.offset += len(line.encode("utf-8"))
        return line


def _csv_shards(path: Path) -> list[Shard]:
    """Byte ranges that end where the csv module ends a record."""
    head = _head(path)
    if may_stream(head):
        try:
            with path.open(encoding="utf-8-sig", newline="") as f:
                lines = _Counted(f, len(BOM) if head.startswith(BOM) else 0)
                header = csv_header(path, lines)
                cuts = [0]
                for _ in csv.reader(lines):
                    if lines.offset - cuts[-1] >= SHARD_BYTES:
                        cuts.append(lines.offset)
                end = lines.offset
        except UnicodeDecodeError:
            pass
        except csv.Error as exc:
            raise MalformedRecord(f"{path}: cannot read it as CSV: {exc}") from exc
        else:
            cuts = [c for c in cuts if c < end] or [0]
            return [Shard("csv", str(path), a, b, tuple(header)) for a, b in zip(cuts, [*cuts[1:], end], strict=True)]
    with open_text(path, newline="") as stream:
        csv_header(path, stream)
    return [Shard("csv", str(path), whole=True)]


def _parquet_shards(path: Path) -> list[Shard]:
    meta = parquet_file(path).metadata
    shards, start, rows = [], 0, 0
    for g in range(meta.num_row_groups):
        rows += meta.row_group(g).num_rows
        if rows >= SHARD_ROWS or g == meta.num_row_groups - 1:
            shards.append(Shard("parquet", str(path), start, g + 1))
            start, rows = g + 1, 0
    return shards


# -- reading a shard (a Ray task) ---------------------------------------------------------

def _jsonl_lines(shard: Shard) -> list[str]:
    """The lines that begin in the shard's byte range, decoded as ``open_text`` would."""
    path = Path(shard.path)
    if shard.whole:
        with open_text(path, newline="\n") as f:
            return list(f)
    raw: list[bytes] = []
    with path.open("rb") as f:
        if shard.start:
            f.seek(shard.start - 1)
            f.readline()  # the rest of a line that began in the shard before
        at = f.tell()
        while at < shard.end:
            line = f.readline()
            if not line:
                break
            raw.append(line)
            at += len(line)
    if shard.start == 0 and raw and raw[0].startswith(BOM):
        raw[0] = raw[0][len(BOM):]
    return [line.decode("utf-8") for line in raw]


def shard_items(shard: Shard, first: int, fetcher: SafeFetcher) -> tuple[list[BatchItem], int]:
    """The shard's items, numbered from ``first``, and its units (see ``Census``)."""
    path = Path(shard.path)
    if shard.kind == "files":
        return [file_item(Path(p)) for p in shard.files], len(shard.files)
    if shard.kind == "jsonl":
        lines = _jsonl_lines(shard)
        return list(jsonl_items(path, lines, first, fetcher)), len(lines)
    if shard.kind == "parquet":
        items = list(parquet_items(path, list(range(shard.start, shard.end)), first, fetcher))
    elif shard.whole:
        with open_text(path, newline="") as stream:
            items = list(csv_items(path, stream, first, fetcher))
    else:
        with path.open("rb") as f:
            f.seek(shard.start)
            text = f.read(shard.end - shard.start).decode("utf-8-sig" if shard.start == 0 else "utf-8")
        items = list(csv_items(path, io.StringIO(text, newline=""), first, fetcher,
                               header=None if shard.start == 0 else list(shard.header)))
    return items, len(items)


def census(shard: Shard) -> Census:
    """The first pass over a shard: its units and the ids its items give themselves."""
    first = FIRST[shard.kind]
    try:
        items, units = shard_items(shard, first, SafeFetcher())
    except UnicodeDecodeError:
        return Census(0, (), utf8=False)
    return Census(units, tuple(it.id if it.number is None else it.number - first for it in items))


def settle(shards: list[Shard], censuses: list[Census], done: set[str]) -> tuple[list[int], list[list[str | None]], int]:
    """Each shard's first number and its items' ids as the local engine gives them (numbered
    defaults, ``~N`` renames); None for an id already written. Also how many those are."""
    firsts, given, units = [], [], 0
    for shard, c in zip(shards, censuses, strict=True):
        first = FIRST[shard.kind] + units
        units += c.units
        firsts.append(first)
        pattern = DEFAULT_IDS.get(shard.kind, "{}")
        given.append([x if isinstance(x, str) else pattern.format(first + x) for x in c.ids])
    names = unique_ids(i for ids in given for i in ids)
    settled = [[None if (name := next(names)) in done else name for _ in ids] for ids in given]
    return firsts, settled, sum(x is None for ids in settled for x in ids)


def second_pass(shards: list[Shard], first_pass: Callable[[list[Shard]], list[Census]],
                done: set[str]) -> tuple[list[dict], int]:
    """The second pass's tasks (for ``shard_rows``), from the first pass over ``shards``, and
    how many items it skips as written already."""
    censuses = first_pass(shards)
    if not all(c.utf8 for c in censuses):  # not UTF-8 after all: read the file whole, as the local engine does
        shards = [Shard(shards[0].kind, shards[0].path, whole=True)]
        censuses = first_pass(shards)
    firsts, ids, skipped = settle(shards, censuses, done)
    tasks = [{"shard": s, "first": f, "ids": json.dumps(i)}
             for s, f, i in zip(shards, firsts, ids, strict=True) if any(x is not None for x in i)]
    return tasks, skipped


def shard_rows(task: dict) -> Iterator[dict]:
    """The second pass over a shard: its items under their settled ids, those not yet written."""
    shard, ids = task["shard"], json.loads(task["ids"])
    items, _ = shard_items(shard, task["first"], SafeFetcher())
    for item, item_id in zip(items, ids, strict=True):
        if item_id is not None:
            yield {"id": item_id, "item": renamed(item, item_id)}


# -- analysing (the actors) and writing (the driver) ------------------------------------------

class Analyser:
    """One Ray actor: loads the pipeline once, then analyses batches of items."""

    def __init__(self, model: str, threshold: float | None, explain: bool = False) -> None:
        import spinscope
        from spinscope.detect.transformer import THREADS_ENV

        # Ray gives each actor one CPU: one encoder thread, not one per core of the machine.
        os.environ.setdefault(THREADS_ENV, "1")
        self.nlp = spinscope.load(model, explain=explain)
        self.threshold = threshold

    def __call__(self, batch: dict) -> dict[str, list]:
        rows: dict[str, list] = {c: [] for c in COLUMNS}
        for item in batch["item"]:
            analysis, code, message = None, None, None
            try:
                analysis = self.nlp(item.load(), threshold=self.threshold).to_json()
            except Exception as exc:  # noqa: BLE001 - one bad input must not stop the job
                err = as_spinscope_error(exc)
                code, message = err.code, err.message
            for column, value in zip(COLUMNS, (item.id, analysis is not None, analysis, code, message), strict=True):
                rows[column].append(value)
        return rows


def done_ids(out_dir: Path) -> set[str]:
    """Ids in the whole Parquet files of ``out_dir`` (temporary files of a killed run are ignored)."""
    import pyarrow.parquet as pq

    done: set[str] = set()
    for part in sorted(out_dir.glob("part-*.parquet")):
        done.update(pq.read_table(part, columns=["id"]).column("id").to_pylist())
    return done


def read_results(out_dir: str | Path) -> list[dict]:
    """Every record in ``out_dir`` (or one of its Parquet files), as the local engine's JSONL holds them."""
    import pyarrow.parquet as pq

    out_dir = Path(out_dir)
    parts = [out_dir] if out_dir.suffix.lower() == ".parquet" and out_dir.is_file() else sorted(out_dir.glob("part-*.parquet"))
    out = []
    for part in parts:
        for row in pq.read_table(part).to_pylist():
            out.append(json.loads(row["analysis"]) if row["ok"]
                       else {"id": row["id"], "error": {"code": row["error_code"], "message": row["error_message"]}})
    return out


def _write_chunk(out_dir: Path, name: str, rows: dict[str, list]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    tmp = out_dir / f".{name}.tmp"
    pq.write_table(pa.table({c: rows[c] for c in COLUMNS}), tmp)
    os.replace(tmp, out_dir / name)


def run_ray_batch(
    source: str,
    out_dir: str | Path,
    *,
    model: str = "transformer",
    address: str | None = None,
    resume: bool = False,
    threshold: float | None = None,
    actors: int | None = None,
    batch_size: int = 8,
    progress: Callable[[Iterable[dict]], Iterable[dict]] = lambda x: x,
    explain: bool = False,
) -> BatchResult:
    """Analyse ``source`` on Ray (``address``: a running cluster, ``auto``, or None for a local one);
    ``explain`` as ``spinscope.load`` takes it."""
    ray = _ray()
    out_dir = Path(out_dir)
    if out_dir.exists() and any(out_dir.glob("part-*.parquet")) and not resume:
        raise InvalidOption(f"{out_dir} holds results; pass --resume to continue them, or choose another folder")
    shards = plan(source)  # bad input (no such file, a CSV without ids) fails here, before Ray starts
    out_dir.mkdir(parents=True, exist_ok=True)
    done = done_ids(out_dir)
    started = not ray.is_initialized()
    if started:
        # Offline: Ray reports usage statistics to its makers unless told not to. A user may opt in with "1".
        os.environ.setdefault(USAGE_STATS_ENV, "0")
        # "local" starts a fresh cluster; None would join whatever /tmp/ray last recorded.
        ray.init(address=address or "local", include_dashboard=False, log_to_driver=False,
                 **({} if address else {"_node_ip_address": "127.0.0.1"}))
    try:
        tasks, skipped = second_pass(shards, partial(_census, ray), done)
        written, failed = _analyse(ray, tasks, out_dir, done, (model, threshold, explain), actors, batch_size,
                                   progress)
        return BatchResult(written, failed, skipped)
    finally:
        if started:
            ray.shutdown()


def _census(ray, shards: list[Shard]) -> list[Census]:  # noqa: ANN001
    """The first pass, one Ray task per shard, in shard order."""
    ds = ray.data.from_items([{"n": n, "shard": s} for n, s in enumerate(shards)], override_num_blocks=len(shards))
    rows = ds.map(lambda row: {"n": row["n"], "census": census(row["shard"])}).take_all()
    return [row["census"] for row in sorted(rows, key=lambda row: row["n"])]


def _analyse(ray, tasks: list[dict], out_dir: Path, done: set[str],  # noqa: ANN001, PLR0913
             settings: tuple[str, float | None, bool], actors: int | None, batch_size: int,
             progress) -> tuple[int, int]:  # noqa: ANN001
    """The second pass: shards read on the cluster, analysed by the actor pool; (written, failed).
    ``settings``: the ``Analyser``'s model, threshold and explain."""
    from ray.data import ActorPoolStrategy, TaskPoolStrategy

    if not tasks:
        return 0, 0
    # Reading takes no CPU of its own: the actors hold every CPU, and reads waiting for one would never
    # run. Nor would anything bound their number: a 20,000-record run here peaked at 6.5 GB with
    # unbounded readers, each a Python worker. READERS of them feed the actors thousands of records/s.
    ds = ray.data.from_items(tasks, override_num_blocks=len(tasks)).flat_map(
        shard_rows, num_cpus=0, compute=TaskPoolStrategy(size=READERS))
    size = actors or max(1, int(ray.cluster_resources().get("CPU", 1)))
    model, threshold, explain = settings
    results = ds.map_batches(Analyser, fn_constructor_kwargs={"model": model, "threshold": threshold, "explain": explain},
                             compute=ActorPoolStrategy(size=size), batch_size=batch_size, num_cpus=1)
    run = uuid.uuid4().hex[:8]
    written = failed = chunks = 0
    pending: dict[str, list] = {c: [] for c in COLUMNS}
    for row in progress(results.iter_rows()):
        if row["id"] in done:  # a retried task's output: already written once
            continue
        done.add(row["id"])
        for c in COLUMNS:
            pending[c].append(row[c])
        written, failed = written + bool(row["ok"]), failed + (not row["ok"])
        if len(pending["id"]) >= CHUNK_ROWS:
            _write_chunk(out_dir, f"part-{run}-{chunks:05d}.parquet", pending)
            pending, chunks = {c: [] for c in COLUMNS}, chunks + 1
    if pending["id"]:
        _write_chunk(out_dir, f"part-{run}-{chunks:05d}.parquet", pending)
    return written, failed
