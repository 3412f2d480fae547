"""The Ray engine's reading, without Ray: shards planned and read with tiny sizes must give the
local engine's items exactly (ids, renames, default ids, errors, loaded articles)."""

import json
import os

import pytest

from spinscope import batch_ray
from spinscope.batch import read_inputs
from spinscope.batch_ray import census, plan, second_pass, shard_rows
from spinscope.errors import MalformedRecord, SpinscopeError


def _loaded(item):
    try:
        a = item.load()
        return ("ok", a.id, a.text, sorted(a.metadata.items()))
    except SpinscopeError as exc:
        return ("error", exc.code, exc.message)


def _sharded(source, done=frozenset()):
    shards = plan(str(source))
    tasks, skipped = second_pass(shards, lambda ss: [census(s) for s in ss], set(done))
    rows = [r for task in tasks for r in shard_rows(task)]
    return shards, [(r["id"], _loaded(r["item"])) for r in rows], skipped


def _local(source):
    return [(it.id, _loaded(it)) for it in read_inputs(str(source))]


@pytest.fixture
def tiny(monkeypatch):
    monkeypatch.setattr(batch_ray, "SHARD_BYTES", 24)
    monkeypatch.setattr(batch_ray, "SHARD_ROWS", 2)


def _records():
    long = "Officials said the plan will ruin everything. " * 3
    return [
        {"id": "a", "text": "Short one.", "outlet": "X"},
        {"text": "No id: named by its place."},
        {"id": "a", "text": "A repeated id is renamed."},
        {"id": 7, "text": long},
        {"id": "line-5", "text": "An id that a default id also takes."},
        {"id": "b", "text": 42},
        {"id": "c", "text": "Ünïcödé ✓ and a\nnewline inside."},
    ]


def test_jsonl_shards_cut_anywhere_read_each_line_once(tmp_path, tiny):
    lines = [json.dumps(r, ensure_ascii=False) for r in _records()]
    lines.insert(2, "")  # a blank line still counts for the line numbers
    lines.insert(4, "{not json")
    src = tmp_path / "in.jsonl"
    src.write_bytes(b"\xef\xbb\xbf" + ("\n".join(lines) + "\n").encode("utf-8"))
    shards, rows, _ = _sharded(src)
    assert len(shards) > 5 and not shards[0].whole
    assert rows == _local(src)
    assert [r[0] for r in rows] == ["a", "line-2", "a~2", "line-5", "7", "line-5~2", "b", "c"]


def test_csv_shards_end_on_records_even_with_quoted_newlines(tmp_path, tiny):
    src = tmp_path / "in.csv"
    rows = ['id,text,outlet', 'a,"First, with a comma",X', '', 'b,"Two\nlines ""quoted""",Y',
            ',No id here,Z', 'a,Again,X', 'd,"' + "long text " * 20 + '",W']
    src.write_text("\r\n".join(rows) + "\r\n", encoding="utf-8")
    shards, got, _ = _sharded(src)
    assert len(shards) >= 4 and all(s.header == ("id", "text", "outlet") for s in shards)
    assert got == _local(src)
    assert [r[0] for r in got] == ["a", "b", "row-4", "a~2", "d"]


def test_a_file_that_is_not_utf8_is_read_whole_as_the_local_engine_reads_it(tmp_path, tiny):
    src = tmp_path / "in.jsonl"
    body = "\n".join(json.dumps({"id": f"x{i}", "text": "caf\u00e9 cr\u00e8me"}, ensure_ascii=False) for i in range(6))
    src.write_bytes(body.encode("utf-8") + b"\n" + json.dumps({"id": "late", "text": "x"}).encode()[:-2] + b'\xe9"}\n')
    shards, got, _ = _sharded(src)
    assert len(shards) > 1 and got == _local(src) and len(got) == 7


def test_parquet_shards_are_row_groups(tmp_path, tiny):
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    table = pa.table({"id": ["a", None, "a", "d", "e"], "text": ["One.", "Two.", "Three.", None, "Five."]})
    src = tmp_path / "in.parquet"
    pq.write_table(table, src, row_group_size=1)
    shards, got, _ = _sharded(src)
    assert len(shards) == 3
    assert got == _local(src)
    assert [r[0] for r in got] == ["a", "row-2", "a~2", "d", "e"]


def test_files_and_resume_skip_what_is_written(tmp_path, tiny):
    folder = tmp_path / "docs"
    folder.mkdir()
    for name in ("one.txt", "two.md", "three.txt", "skip.bin"):
        (folder / name).write_text(f"{name}\n\nSome text about {name}.")
    shards, got, skipped = _sharded(folder, done={"one", "two"})
    assert len(shards) == 2 and skipped == 2
    assert got == [x for x in _local(folder) if x[0] not in {"one", "two"}] and [g[0] for g in got] == ["three"]


def test_a_csv_without_ids_is_refused_before_anything_runs(tmp_path):
    src = tmp_path / "in.csv"
    src.write_text("text\nhello\n")
    with pytest.raises(MalformedRecord, match="'id' column"):
        plan(str(src))


def test_a_long_article_in_a_csv_cell_is_a_record(tmp_path):
    src = tmp_path / "in.csv"
    src.write_text('id,text\nbig,"' + "word " * 40_000 + '"\nsmall,x\n', encoding="utf-8")
    assert [i.id for i in read_inputs(str(src))] == ["big", "small"]
    assert [r[0] for r in _sharded(src)[1]] == ["big", "small"]


def test_a_ray_cluster_started_here_is_told_to_send_no_usage_statistics(tmp_path, monkeypatch):
    pytest.importorskip("pyarrow")
    monkeypatch.delenv(batch_ray.USAGE_STATS_ENV, raising=False)
    seen = {}

    class Ray:  # stands in for the ray module: records the environment ray.init would start under
        def is_initialized(self):
            return False

        def init(self, **kwargs):
            seen["usage_stats"] = os.environ.get(batch_ray.USAGE_STATS_ENV)
            seen["address"] = kwargs["address"]
            raise RuntimeError("stop here")

    monkeypatch.setattr(batch_ray, "_ray", Ray)
    src = tmp_path / "in.jsonl"
    src.write_text('{"id": "a", "text": "Some text."}\n')
    with pytest.raises(RuntimeError, match="stop here"):
        batch_ray.run_ray_batch(str(src), tmp_path / "out")
    assert seen == {"usage_stats": "0", "address": "local"}
    monkeypatch.delenv(batch_ray.USAGE_STATS_ENV, raising=False)


def test_ray_actors_build_the_pipeline_they_are_asked_for(monkeypatch):
    from spinscope.detect.transformer import THREADS_ENV

    monkeypatch.delenv(THREADS_ENV, raising=False)  # the actor sets it; put it back afterwards
    assert "word_effects" in batch_ray.Analyser("classic", None, explain=True).nlp.detector_names
    assert "word_effects" not in batch_ray.Analyser("classic", None).nlp.detector_names
