import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from spinscope.batch import read_inputs, run_batch
from spinscope.errors import EmptyDirectory, InvalidOption, MalformedRecord, MissingFile
from spinscope.interfaces.cli import main


def _ids(path):
    out = []
    for line in path.read_text().splitlines():
        r = json.loads(line)
        out.append(r["id"] if "error" in r else r["article"]["id"])
    return out


def test_jsonl_batch_records_errors_and_keeps_order(pipeline, tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join([
        json.dumps({"id": "a", "text": "Title\n\nThe corrupt regime lies."}),
        json.dumps({"id": "b", "text": "   "}),
        "{not json",
        json.dumps({"id": "d", "url": "http://10.0.0.1/x"}),  # refused before any socket opens
        json.dumps({"id": "e", "text": "Another\n\nA calm report."}),
    ]) + "\n")
    out = tmp_path / "out.jsonl"
    result = run_batch(pipeline, read_inputs(str(src)), out)
    assert (result.written, result.failed) == (2, 3)
    lines = [json.loads(x) for x in out.read_text().splitlines()]
    assert _ids(out) == ["a", "b", "line-3", "d", "e"]
    assert lines[1]["error"]["code"] == "E101" and "empty" in lines[1]["error"]["message"]
    assert lines[3]["error"]["code"] == "E402" and "blocked" in lines[3]["error"]["message"]
    with pytest.raises(InvalidOption, match="--resume"):
        run_batch(pipeline, read_inputs(str(src)), out)


def test_worker_processes_write_the_same_lines(pipeline, tmp_path):
    src = tmp_path / "in.jsonl"
    records = [{"id": f"d{i}", "text": f"Title {i}\n\nThe corrupt regime lies, said {i} critics."} for i in range(9)]
    records[4] = {"id": "blank", "text": "  "}
    src.write_text("".join(json.dumps(r) + "\n" for r in records) + "{not json\n")
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    a = run_batch(pipeline, read_inputs(str(src)), one)
    b = run_batch(pipeline, read_inputs(str(src)), two, workers=2)
    assert (a.written, a.failed) == (b.written, b.failed) == (8, 2)
    assert one.read_text() == two.read_text()
    again = run_batch(pipeline, read_inputs(str(src)), two, resume=True, workers=2)
    assert (again.written, again.skipped) == (0, 10)


def test_csv_directory_and_glob_sources(tmp_path):
    csv_file = tmp_path / "in.csv"
    csv_file.write_text('id,text\nx,"Title\n\nBody, with comma."\ny,\n')
    items = list(read_inputs(str(csv_file)))
    assert [i.id for i in items] == ["x", "y"] and items[0].load().text == "Title\n\nBody, with comma."
    with pytest.raises(MalformedRecord, match="exactly one of the fields .* \\(has none\\)"):
        items[1].load()
    no_text = tmp_path / "body.csv"
    no_text.write_text("id,body\nx,Title\n")
    with pytest.raises(MalformedRecord, match="needs an 'id' column and a 'text'.*its columns: 'id', 'body'"):
        list(read_inputs(str(no_text)))
    d = tmp_path / "d"
    d.mkdir()
    (d / "b.txt").write_text("B\n\nbody")
    (d / "a.md").write_text("A\n\nbody")
    (d / "skip.bin").write_bytes(b"\x00")
    assert [i.id for i in read_inputs(str(d))] == ["a", "b"]
    assert [i.id for i in read_inputs(str(d / "*.txt"))] == ["b"]
    (tmp_path / "empty").mkdir()
    with pytest.raises(EmptyDirectory):
        list(read_inputs(str(tmp_path / "empty")))
    with pytest.raises(MissingFile):
        list(read_inputs(str(tmp_path / "nothing-*.txt")))


def test_resume_after_killing_a_real_process(tmp_path):
    src = tmp_path / "in.jsonl"
    n = 400
    src.write_text("".join(json.dumps({"id": f"doc{i}", "text": f"Title {i}\n\nThe plan failed again, said {i} critics."})
                           + "\n" for i in range(n)))
    out = tmp_path / "out.jsonl"
    cmd = [sys.executable, "-m", "spinscope.interfaces.cli", "batch", str(src), "--out", str(out)]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.time() + 60
    while time.time() < deadline and (not out.exists() or out.read_text().count("\n") < 20):
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    partial = out.read_text().count("\n")
    assert 20 <= partial < n, "the kill must land mid-batch"
    r = subprocess.run(cmd + ["--resume"], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    ids = _ids(out)
    assert ids == [f"doc{i}" for i in range(n)]  # nothing lost, nothing repeated, input order


def test_torn_last_line_is_dropped_on_resume(pipeline, tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps({"id": k, "text": f"T\n\n{k} text"}) + "\n" for k in "abc"))
    out = tmp_path / "out.jsonl"
    run_batch(pipeline, list(read_inputs(str(src)))[:1], out)
    with out.open("a") as fh:
        fh.write('{"schema_version": "1.0", "article": {"id": "b", "te')
    result = run_batch(pipeline, read_inputs(str(src)), out, resume=True)
    assert (result.skipped, result.written) == (1, 2)
    assert _ids(out) == ["a", "b", "c"]


def test_cli_batch_summary(tmp_path):
    d = tmp_path / "d"
    d.mkdir()
    (d / "one.txt").write_text("One\n\nSome text.")
    (d / "two.txt").write_text("")
    out = tmp_path / "o.jsonl"
    r = CliRunner().invoke(main, ["batch", str(d), "--out", str(out)])
    assert r.exit_code == 6, r.output  # finished, with failed records
    assert "1 analysed, 1 failed" in r.output
    (d / "two.txt").unlink()
    r = CliRunner().invoke(main, ["batch", str(d), "--out", str(tmp_path / "o2.jsonl"), "--workers", "2"])
    assert r.exit_code == 0 and "1 analysed, 0 failed" in r.output
    r = CliRunner().invoke(main, ["batch", str(d), "--out", str(tmp_path / "o3"), "--engine", "ray", "--workers", "2"])
    assert r.exit_code == 2 and "--workers is for --engine local" in r.output


POISON = [
    {"id": "num", "text": 42}, {"id": "list", "text": ["a"]}, {"id": "dict", "url": {"x": 1}},
    {"id": "bool", "url": True}, {"id": "two", "text": "T\n\nx", "html": "<p>x</p>"}, {"id": ["bad"], "text": "x"},
    {"id": "local", "url": "/etc/os-release"}, {"id": "file-scheme", "url": "file:///etc/os-release"},
    {"id": "rel", "url": "os-release"}, [1, 2], "a string", 7,
]


def test_poison_records_become_error_records_and_the_batch_goes_on(pipeline, tmp_path, monkeypatch):
    secret = tmp_path / "os-release"
    secret.write_text("SECRET_CONTENT=do-not-leak\n" * 20)
    monkeypatch.chdir(tmp_path)
    src = tmp_path / "in.jsonl"
    lines = [json.dumps({"id": "ok-1", "text": "First\n\nThe plan failed again."})]
    lines += [json.dumps(r).replace("/etc/os-release", str(secret)) for r in POISON]
    lines += [json.dumps({"id": "ok-2", "text": "Second\n\nA calm report."})]
    src.write_text("\n".join(lines) + "\n")
    out = tmp_path / "out.jsonl"
    result = run_batch(pipeline, read_inputs(str(src)), out)
    records = [json.loads(x) for x in out.read_text().splitlines()]
    assert len(records) == len(POISON) + 2
    assert (result.written, result.failed) == (2, len(POISON))
    assert [r["article"]["id"] for r in records if "article" in r] == ["ok-1", "ok-2"]
    codes = {r["id"]: r["error"]["code"] for r in records if "error" in r}
    assert codes["num"] == codes["list"] == codes["dict"] == codes["bool"] == codes["two"] == "E110"
    assert codes["local"] == codes["rel"] == codes["file-scheme"] == "E401"
    assert "SECRET_CONTENT" not in out.read_text()
    # a resume over the same input has nothing left to do, and does not die on any record
    again = run_batch(pipeline, read_inputs(str(src)), out, resume=True)
    assert (again.written, again.failed, again.skipped) == (0, 0, len(POISON) + 2)


def test_duplicate_ids_are_made_unique_not_dropped(pipeline, tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(json.dumps(r) for r in [
        {"id": "d", "text": "A\n\nOne."}, {"id": "d", "text": "B\n\nTwo."},
        {"id": "line-3", "text": "C\n\nThree."}, {"text": "D\n\nFour."},  # the id-less record is line 4
        {"id": "line-4", "text": "E\n\nFive."},
    ]) + "\n")
    out = tmp_path / "out.jsonl"
    run_batch(pipeline, read_inputs(str(src)), out)
    assert _ids(out) == ["d", "d~2", "line-3", "line-4", "line-4~2"]
    renamed = json.loads(out.read_text().splitlines()[1])["article"]["metadata"]
    assert renamed["batch_id_renamed_from"] == "d"


def test_corrupt_complete_lines_are_set_aside_on_resume(pipeline, tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps({"id": k, "text": f"T\n\n{k} text"}) + "\n" for k in "abc"))
    out = tmp_path / "out.jsonl"
    run_batch(pipeline, list(read_inputs(str(src)))[:2], out)
    first, second = out.read_text().splitlines()
    out.write_text(first + "\n" + "garbage {\n" + '{"no": "id"}\n')  # b's line was damaged
    result = run_batch(pipeline, read_inputs(str(src)), out, resume=True)
    assert (result.skipped, result.written, result.corrupt_lines) == (1, 2, 2)
    assert _ids(out) == ["a", "b", "c"]
    assert (tmp_path / "out.jsonl.corrupt").read_text() == 'garbage {\n{"no": "id"}\n'


def test_unreadable_file_is_an_error_record(pipeline, tmp_path, monkeypatch):
    d = tmp_path / "d"
    d.mkdir()
    (d / "a.txt").write_text("A\n\nOne.")
    locked = d / "b.txt"
    locked.write_text("B\n\nTwo.")
    real_open = Path.open

    def deny(self, *args, **kwargs):  # root reads any file, so chmod cannot produce the error here
        if self == locked:
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", deny)
    run_batch(pipeline, read_inputs(str(d)), tmp_path / "o.jsonl")
    error = json.loads((tmp_path / "o.jsonl").read_text().splitlines()[1])["error"]
    assert error["code"] == "E111" and "Permission denied" in error["message"]


def test_unexpected_exceptions_become_error_records(pipeline, tmp_path):
    from spinscope.batch import BatchItem

    def boom():
        raise RuntimeError("bug")

    items = [BatchItem("x", boom), *read_inputs(str(_one_file(tmp_path)))]
    result = run_batch(pipeline, items, tmp_path / "o.jsonl")
    first = json.loads((tmp_path / "o.jsonl").read_text().splitlines()[0])
    assert (result.written, result.failed) == (1, 1) and first["error"]["code"] == "E900"


def _one_file(tmp_path):
    d = tmp_path / "one"
    d.mkdir()
    (d / "a.txt").write_text("A\n\nOne.")
    return d


def test_parquet_input_gives_the_same_records_as_jsonl(tmp_path, pipeline):
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    from spinscope.batch import read_inputs, run_batch

    rows = [{"id": "a", "text": "The corrupt council lies again.", "outlet": "X"},
            {"id": "b", "text": "", "outlet": "Y"}]  # no text: an error record, as in JSONL
    pq.write_table(pa.Table.from_pylist(rows), tmp_path / "in.parquet")
    (tmp_path / "in.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    for name in ("in.parquet", "in.jsonl"):
        run_batch(pipeline, read_inputs(str(tmp_path / name)), tmp_path / f"{name}.out")
    from_parquet = (tmp_path / "in.parquet.out").read_text().splitlines()
    from_jsonl = (tmp_path / "in.jsonl.out").read_text().splitlines()
    assert [json.loads(x).get("error", {}).get("code") for x in from_parquet] == [None, "E110"]
    assert json.loads(from_parquet[0])["article"]["metadata"]["outlet"] == "X"
    assert json.loads(from_parquet[0]) == json.loads(from_jsonl[0])
    pq.write_table(pa.Table.from_pylist([{"id": "a", "body": "x"}]), tmp_path / "body.parquet")
    with pytest.raises(MalformedRecord, match="needs a 'text', 'html' or 'url' column.*its columns: 'id', 'body'"):
        list(read_inputs(str(tmp_path / "body.parquet")))


def test_utf8_inputs_stream_and_other_encodings_still_decode(tmp_path, monkeypatch):
    records = [{"id": f"a{i}", "text": f"Titre {i}\n\nCorps de l'article, « cité » {i}."} for i in range(3)]
    jsonl = tmp_path / "in.jsonl"
    jsonl.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(json.dumps(r, ensure_ascii=False) for r in records).encode())
    csv_file = tmp_path / "in.csv"
    csv_file.write_text('id,text\nx,"Été\r\n\r\nCorps, avec virgule."\n', encoding="utf-8")
    latin = tmp_path / "latin.csv"
    latin.write_bytes('id,text\nz,"Été à Paris\n\nCorps de texte en français, déjà lu."\n'.encode("latin-1"))

    read_whole = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda p: pytest.fail(f"{p} read whole") if p.suffix != ".csv" or
                        p.name != "latin.csv" else read_whole(p))
    items = list(read_inputs(str(jsonl)))  # UTF-8 with a byte-order mark and CRLF lines: streamed
    assert [i.id for i in items] == ["a0", "a1", "a2"]
    assert items[2].load().text == "Titre 2\n\nCorps de l'article, « cité » 2."
    (x,) = read_inputs(str(csv_file))
    assert x.load().text.startswith("Été\n\nCorps, avec virgule.")
    (z,) = read_inputs(str(latin))  # not UTF-8: decoded whole, the charset guessed (a guess on so short a text)
    assert z.id == "z" and z.load().text.startswith("Été") and "Corps de texte" in z.load().text


def test_cli_batch_explains_only_when_asked(tmp_path, monkeypatch, pipeline):
    import spinscope

    asked = []
    monkeypatch.setattr(spinscope, "load", lambda model, **kw: asked.append(kw) or pipeline)
    d = tmp_path / "d"
    d.mkdir()
    (d / "one.txt").write_text("One\n\nSome text.")
    for i, flags in enumerate(([], ["--explain"])):
        r = CliRunner().invoke(main, ["batch", str(d), "--out", str(tmp_path / f"o{i}.jsonl"), *flags])
        assert r.exit_code == 0, r.output
    assert asked == [{"explain": False}, {"explain": True}]
