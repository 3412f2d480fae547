"""The Ray engine on a real two-node cluster, inside a network namespace that has only loopback.

Ray's servers listen on every interface; run in ``unshare -n`` there is no interface but
127.0.0.1, so nothing can reach or leave the machine. Skips where Ray or unshare is missing.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("ray", reason="the [ray] extra is not installed")
UNSHARE = shutil.which("unshare")
JOB = Path(__file__).parent / "ray_job.py"
N = 200


def _namespace_works() -> bool:
    if UNSHARE is None:
        return False
    return subprocess.run([UNSHARE, "-n", "true"], capture_output=True).returncode == 0


pytestmark = pytest.mark.skipif(not _namespace_works(), reason="needs unshare -n (a network namespace) for Ray")


def _records(tmp_path, n=N):
    lines = [json.dumps({"id": f"a{i:03d}", "text": f"Article {i}. The corrupt regime lies to us again and again, "
                         f"and {i} officials said the reckless plan will ruin everything.", "outlet": "X"})
             for i in range(n)]
    lines.insert(5, json.dumps({"id": "poison", "text": 42}))  # a poison pill becomes an error record
    lines.insert(9, json.dumps({"id": "a001", "text": "A repeated id is renamed, not dropped."}))
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(lines) + "\n")
    return src


def _job(tmp_path, src, mode):
    cmd = [UNSHARE, "-n", "sh", "-c", f'ip link set lo up && exec "{sys.executable}" "{JOB}" "{src}" "{tmp_path}" {mode}']
    # Its own HOME: Ray keeps an auth token in ~/.ray, and a stale one from another cluster locks this one out.
    env = {**os.environ, "HOME": str(tmp_path / "home"), "RAY_USAGE_STATS_ENABLED": "0"}
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=600, cwd=Path(__file__).parents[1], env=env)
    line = next((x for x in r.stdout.splitlines() if x.startswith("RESULT ")), None)
    assert line, r.stdout[-3000:] + r.stderr[-3000:]
    return json.loads(line[len("RESULT "):])


def _by_id(records):
    return {r["id"] if "error" in r else r["article"]["id"]: r for r in records}


def test_a_two_node_cluster_writes_what_the_local_engine_writes(tmp_path):
    out = _job(tmp_path, _records(tmp_path), "compare")
    local, ray = _by_id(out["local"]), _by_id(out["ray"])
    assert len(out["ray"]) == len(ray) == len(local) == N + 2 and ray == local
    assert out["result"] == [N + 1, 1, 0] and ray["poison"]["error"]["code"] == "E110" and "a001~2" in ray
    assert out["again"] == [0, 0, N + 2]  # a resume finds everything done


def test_losing_a_node_mid_job_loses_and_repeats_nothing(tmp_path):
    out = _job(tmp_path, _records(tmp_path, 1500), "kill")
    assert out["killed_while_running"], "the job ended before the node was killed: nothing was tested"
    ids = [r["id"] if "error" in r else r["article"]["id"] for r in out["ray"]]
    assert len(ids) == len(set(ids)) == 1502, (out.get("first"), out.get("resumed"))
