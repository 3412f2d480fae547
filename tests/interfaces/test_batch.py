import json
import os
import signal
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner

from spinscope.errors import EmptyDirectory, InvalidOption, MissingFile
from spinscope.interfaces.batch import read_inputs, run_batch
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


def test_csv_directory_and_glob_sources(tmp_path):
    csv_file = tmp_path / "in.csv"
    csv_file.write_text('id,text\nx,"Title\n\nBody, with comma."\ny,\n')
    items = list(read_inputs(str(csv_file)))
    assert [i.id for i in items] == ["x", "y"] and items[0].load().text == "Title\n\nBody, with comma."
    with pytest.raises(InvalidOption, match="none of the fields"):
        items[1].load()
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
    assert r.exit_code == 0, r.output
    assert "1 analysed, 1 failed" in r.output
