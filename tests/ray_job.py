"""Run inside ``unshare -n`` by tests/test_batch_ray.py: a real two-node Ray cluster on loopback only.

Starts a head and a second node with ``ray start`` (127.0.0.1; the namespace has no other
address, so nothing can leave it), runs the same input through the local engine and the
Ray engine, optionally kills the second node mid-job, stops the cluster, and prints a JSON
summary for the test to check.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

RAY = str(Path(sys.executable).with_name("ray"))  # the ray CLI beside this interpreter


def _ours() -> list[tuple[float, int, str]]:
    """(start time, pid, name) of every other process in this network namespace: our cluster's, and only
    ours, so stopping it never touches another Ray on the machine (``ray stop`` would)."""
    me = os.readlink("/proc/self/ns/net")
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            if os.readlink(f"/proc/{entry}/ns/net") != me:
                continue
            stat = Path(f"/proc/{entry}/stat").read_text()
            name = stat[stat.index("(") + 1:stat.rindex(")")]
            found.append((float(stat[stat.rindex(")") + 2:].split()[19]), int(entry), name))
        except (OSError, ValueError, IndexError):
            continue
    return sorted(found)


def _stop_cluster() -> None:
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for _, pid, _ in _ours():
            try:
                os.kill(pid, sig)
            except OSError:
                pass
        time.sleep(2)


def _free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def main(src: str, work: str, kill: bool) -> None:
    import spinscope
    from spinscope import batch_ray
    from spinscope.batch import read_inputs, run_batch
    from spinscope.batch_ray import read_results, run_ray_batch

    batch_ray.SHARD_BYTES = 4096  # many shards of a small input, read on both nodes

    port = _free_port()
    common = ["--node-ip-address=127.0.0.1", "--num-cpus=1", "--disable-usage-stats"]
    head = [RAY, "start", "--head", f"--port={port}", "--include-dashboard=false", *common]
    subprocess.run(head, check=True, capture_output=True)
    address = f"127.0.0.1:{port}"
    second = [RAY, "start", f"--address={address}", *common]
    subprocess.run(second, check=True, capture_output=True)
    out = Path(work) / "ray"
    summary: dict = {}
    try:
        if kill:
            job = threading.Thread(target=lambda: summary.setdefault("first", _try(run_ray_batch, src, out, address)))
            job.start()
            # Kill once the first 500-row part is written: the job is then certainly running on both
            # nodes with most rows still to do, however fast the machine (a fixed sleep was not).
            while job.is_alive() and not any(out.glob("part-*.parquet")):
                time.sleep(0.05)
            # The second node is our newest raylet: kill it hard, as a lost machine would.
            raylets = [pid for _, pid, name in _ours() if name == "raylet"]
            os.kill(raylets[-1], signal.SIGKILL)
            summary["killed_while_running"] = job.is_alive()
            job.join(timeout=300)
            summary["resumed"] = _try(run_ray_batch, src, out, address, resume=True)
        else:
            local = Path(work) / "local.jsonl"
            run_batch(spinscope.load("classic"), read_inputs(src), local)
            summary["local"] = [json.loads(line) for line in local.read_text().splitlines()]
            r = run_ray_batch(src, out, model="classic", address=address, actors=2)
            summary["result"] = [r.written, r.failed, r.skipped]
            again = run_ray_batch(src, out, model="classic", address=address, resume=True)
            summary["again"] = [again.written, again.failed, again.skipped]
        summary["ray"] = read_results(out)
    finally:
        _stop_cluster()
    print("RESULT " + json.dumps(summary))


def _try(fn, src, out, address, resume=False):  # noqa: ANN001
    try:
        r = fn(src, out, model="classic", address=address, actors=2, batch_size=4, resume=resume)
        return [r.written, r.failed, r.skipped]
    except Exception as exc:  # noqa: BLE001 - reported to the test
        return f"{exc.__class__.__name__}: {exc}"


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3] == "kill")
