"""Batch analysis on a Ray cluster (the ``[ray]`` extra): the local engine's records, as Parquet.

The driver reads the inputs exactly as ``spinscope.batch`` does (the same ids, ``~N``
renames and error records for poison pills), lazily, skips the ids already written, and
hands the rest to Ray Data ``INPUT_CHUNK`` items at a time, so its memory does not grow
with the input: ``map_batches`` over a pool of actors, each of which loads the model once
per chunk. Results stream back to the driver, which writes them in chunks of Parquet files
(``part-<run>-<n>.parquet``, each written to a temporary name and renamed, so a file is
either whole or absent). A chunk never repeats an id, so a worker lost mid-job (Ray
retries its tasks elsewhere) neither loses nor duplicates a record; ``resume`` reads the
ids of every whole file and carries on.

Columns: ``id``, ``ok``, ``analysis`` (the ``Analysis`` JSON, as the local engine writes it),
``error_code`` and ``error_message`` (set when ``ok`` is false).
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path

from spinscope.batch import BatchItem, BatchResult, read_inputs
from spinscope.errors import ExtraNotInstalled, InvalidOption, as_spinscope_error

COLUMNS = ("id", "ok", "analysis", "error_code", "error_message")
CHUNK_ROWS = 500
INPUT_CHUNK = 5000  # items per Ray Data job: the driver holds one chunk, actors load the model once per chunk


def _ray():  # noqa: ANN202 - the ray module
    try:
        import pyarrow  # noqa: F401 - Parquet output
        import ray
    except ImportError as exc:
        raise ExtraNotInstalled("the Ray engine needs Ray Data: pip install -e '.[ray]'") from exc
    return ray


class Analyser:
    """One Ray actor: loads the pipeline once, then analyses batches of items."""

    def __init__(self, model: str, threshold: float | None) -> None:
        import spinscope
        from spinscope.detect.transformer import THREADS_ENV

        # Ray gives each actor one CPU: one encoder thread, not one per core of the machine.
        os.environ.setdefault(THREADS_ENV, "1")
        self.nlp = spinscope.load(model)
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
    input_chunk: int = INPUT_CHUNK,
    progress: Callable[[Iterable[dict]], Iterable[dict]] = lambda x: x,
) -> BatchResult:
    """Analyse ``source`` on Ray (``address``: a running cluster, ``auto``, or None for a local one)."""
    ray = _ray()
    out_dir = Path(out_dir)
    if out_dir.exists() and any(out_dir.glob("part-*.parquet")) and not resume:
        raise InvalidOption(f"{out_dir} holds results; pass --resume to continue them, or choose another folder")
    out_dir.mkdir(parents=True, exist_ok=True)
    done = done_ids(out_dir)
    skipped = written = failed = 0
    started = False
    items = read_inputs(source)
    try:
        while True:
            todo: list[BatchItem] = []
            for it in items:
                if it.id in done:
                    skipped += 1
                    continue
                todo.append(it)
                if len(todo) == input_chunk:
                    break
            if not todo:
                return BatchResult(written, failed, skipped)
            if not started and not ray.is_initialized():
                started = True
                # "local" starts a fresh cluster; None would join whatever /tmp/ray last recorded.
                ray.init(address=address or "local", include_dashboard=False, log_to_driver=False,
                         **({} if address else {"_node_ip_address": "127.0.0.1"}))
            w, f = _run(ray, todo, out_dir, done, model, threshold, actors, batch_size, progress)
            written, failed = written + w, failed + f
    finally:
        if started:
            ray.shutdown()


def _run(ray, todo: list[BatchItem], out_dir: Path, done: set[str], model: str,  # noqa: ANN001, PLR0913
         threshold: float | None, actors: int | None, batch_size: int, progress) -> tuple[int, int]:  # noqa: ANN001
    """One chunk of items through the actor pool; (written, failed)."""
    from ray.data import ActorPoolStrategy

    ds = ray.data.from_items([{"id": it.id, "item": it} for it in todo])
    size = actors or max(1, int(ray.cluster_resources().get("CPU", 1)))
    results = ds.map_batches(Analyser, fn_constructor_kwargs={"model": model, "threshold": threshold},
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
