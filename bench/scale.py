"""Scale: synthetic articles through the local engine and the Ray engine on this machine.

Usage: python bench/scale.py [--limit 100000] [--words 150] [--engines local,ray]
                             [--model transformer] [--work runs/scale] [--json FIGURES]

For each engine it
- writes the input: ``--limit`` synthetic articles of about ``--words`` words (JSONL, seeded);
- runs ``spinscope batch`` as a subprocess inside ``unshare -n`` (a network namespace with
  loopback only: Ray's servers listen on every interface, and nothing here needs a network),
  sampling every 2 s the summed PSS (RSS with shared pages counted once) of every process in that namespace (the engine, and for
  Ray its raylet, GCS and workers);
- kills the whole namespace (SIGKILL) once half of the records are written, then reruns the
  same command with ``--resume``;
- reports throughput (records per second from the first record written, so start-up is
  apart), memory at 25/50/75/100% of the records, its growth from 25% to 100%, how long the
  resumed run took to write its first new record, and whether the output holds every id
  exactly once.

Without ``unshare -n`` the local engine runs without a namespace (its process group is
sampled) and the Ray engine is skipped. Ray here is a local one-node cluster; the README
says how to point ``--address`` at a real one.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from output import finish

UNSHARE = shutil.which("unshare")
OUTLETS = [f"Outlet {c}" for c in "ABCDEFGHIJKLMNOPQRST"]
SUBJECTS = ["The council", "The ministry", "Officials", "The opposition leader", "Local residents", "The company",
            "Analysts", "The mayor", "Protesters", "The central bank", "Critics", "The governor"]
VERBS = ["said", "announced", "denied", "confirmed", "warned", "claimed", "reported", "argued"]
CLAIMS = ["that spending rose by {n} percent last year", "that {n} people were evacuated on {d}",
          "that the plan would cost {n} million dollars", "that the vote was delayed until {d}",
          "that the reckless scheme will ruin the country", "that the corrupt elite lies to everyone",
          "that the deal is a betrayal of every hard-working family", "that {n} new schools opened in {d}"]
OPINION = ["This is a disgrace, and everyone knows it.", "Nobody can seriously believe these excuses any more.",
           "We must act now, before it is too late.", "The truth is simple: they have failed us again.",
           "Either we stop them now, or we lose everything."]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October"]


def synthetic(i: int, words: int, rng: random.Random) -> dict:
    out: list[str] = []
    n = 0
    while n < words:
        if rng.random() < 0.2:
            s = rng.choice(OPINION)
        else:
            claim = rng.choice(CLAIMS).format(n=rng.randint(2, 950), d=f"{rng.choice(MONTHS)} {rng.randint(1, 28)}")
            s = f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {claim}."
        out.append(s)
        n += len(s.split())
    paras = [" ".join(out[k:k + 3]) for k in range(0, len(out), 3)]
    year, month = 2024 + i % 2, 1 + (i // 2) % 12
    return {"id": f"s{i:06d}", "text": "\n\n".join(paras), "outlet": OUTLETS[i % len(OUTLETS)],
            "date": f"{year}-{month:02d}-{1 + i % 28:02d}"}


def write_input(path: Path, limit: int, words: int) -> None:
    rng = random.Random(13)
    with path.open("w", encoding="utf-8") as fh:
        for i in range(limit):
            fh.write(json.dumps(synthetic(i, words, rng)) + "\n")


def _namespace_works() -> bool:
    return UNSHARE is not None and subprocess.run([UNSHARE, "-n", "sh", "-c", "ip link set lo up"],
                                                  capture_output=True).returncode == 0


# -- processes and memory ---------------------------------------------------------
def _stat(pid: str) -> tuple[int, str] | None:
    """(process group, net namespace) of a process, or None when it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        return int(stat[stat.rindex(")") + 2:].split()[2]), os.readlink(f"/proc/{pid}/ns/net")
    except (OSError, ValueError, IndexError):
        return None


def _members(child: subprocess.Popen, ns: str | None) -> list[int]:
    """The engine's processes: everything in its namespace, or (without one) in its process group."""
    found = []
    for pid in (p for p in os.listdir("/proc") if p.isdigit()):
        st = _stat(pid)
        if st is not None and ((st[1] == ns) if ns else st[0] == child.pid):
            found.append(int(pid))
    return found


def pss_mb(pids: list[int]) -> float:
    """Summed proportional set size (PSS): memory shared between processes (Ray's object store,
    the model files) counts once, where summed RSS would count it in every process."""
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


def _kill_all(child: subprocess.Popen, ns: str | None) -> None:
    for _ in range(20):
        pids = _members(child, ns)
        if not pids:
            break
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        time.sleep(0.5)
    child.wait()


# -- progress -----------------------------------------------------------------
class Counter:
    """Records written so far: lines of the JSONL output, or rows of the Parquet files."""

    def __init__(self, out: Path, ray: bool) -> None:
        self.out, self.ray, self.offset, self.lines, self.files = out, ray, 0, 0, {}

    def count(self) -> int:
        if self.ray:
            import pyarrow.parquet as pq

            for f in self.out.glob("part-*.parquet") if self.out.exists() else ():
                if f.name not in self.files:
                    self.files[f.name] = pq.read_metadata(f).num_rows
            return sum(self.files.values())
        if self.out.exists():
            with self.out.open("rb") as fh:
                fh.seek(self.offset)
                data = fh.read()
            end = data.rfind(b"\n") + 1
            self.lines += data[:end].count(b"\n")
            self.offset += end
        return self.lines

    def ids(self) -> list[str]:
        if self.ray:
            import pyarrow.parquet as pq

            return [i for f in sorted(self.out.glob("part-*.parquet"))
                    for i in pq.read_table(f, columns=["id"]).column("id").to_pylist()]
        ids = []
        for line in self.out.read_text(encoding="utf-8").splitlines():
            r = json.loads(line)
            ids.append(r["id"] if "error" in r else r["article"]["id"])
        return ids


@dataclass
class Run:
    seconds: float = 0.0
    first_record_s: float | None = None
    records_start: int = 0
    records_end: int = 0
    samples: list[tuple[float, int, float]] = field(default_factory=list)  # (t, records, rss MB)

    @property
    def overall_rate(self) -> float:
        return (self.records_end - self.records_start) / max(1e-9, self.seconds)

    @property
    def rate(self) -> float:
        if self.first_record_s is None or self.records_end <= self.records_start:
            return 0.0
        return (self.records_end - self.records_start) / max(1e-9, self.seconds - self.first_record_s)


def run_engine(cmd: list[str], counter: Counter, stop_at: int | None, use_ns: bool) -> Run:
    # A new namespace's loopback starts down.
    full = [UNSHARE, "-n", "sh", "-c", 'ip link set lo up && exec "$0" "$@"', *cmd] if use_ns else cmd
    me = os.readlink("/proc/self/ns/net")
    t0 = time.time()
    child = subprocess.Popen(full, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
                             env={**os.environ, "RAY_USAGE_STATS_ENABLED": "0"})
    ns = None
    run = Run(records_start=counter.count())
    try:
        while True:
            if use_ns and ns is None:
                st = _stat(str(child.pid))
                ns = st[1] if st and st[1] != me else None
            n = counter.count()
            now = time.time() - t0
            if run.first_record_s is None and n > run.records_start:
                run.first_record_s = now
            run.samples.append((now, n, pss_mb(_members(child, ns) if (ns or not use_ns) else [])))
            if stop_at is not None and n >= stop_at:
                _kill_all(child, ns)
                break
            if child.poll() is not None:
                if use_ns:
                    _kill_all(child, ns)  # Ray's daemons outlive the driver in the namespace
                break
            time.sleep(2)
    except BaseException:
        _kill_all(child, ns)
        raise
    run.seconds, run.records_end = time.time() - t0, counter.count()
    if child.returncode not in (0, 6, -9):
        err = child.stderr.read().decode(errors="replace")[-2000:] if child.stderr else ""
        raise SystemExit(f"{' '.join(cmd)} failed ({child.returncode}):\n{err}")
    return run


def rss_at(samples: list[tuple[float, int, float]], records: int) -> float:
    """Memory of the first sample at or after ``records`` written (the last one taken while it ran)."""
    live = [(n, r) for _, n, r in samples if r > 0]
    return next((r for n, r in live if n >= records), live[-1][1] if live else 0.0)


def growth(run: Run) -> float:
    """Memory growth inside one run: from its sample at 20% of its records to its last one."""
    live = [(n, r) for _, n, r in run.samples if r > 0]
    if not live:
        return 0.0
    mark = run.records_start + (live[-1][0] - run.records_start) // 5
    return round(live[-1][1] - next(r for n, r in live if n >= mark), 1)


def engine(name: str, src: Path, work: Path, limit: int, model: str, use_ns: bool) -> dict:
    ray = name == "ray"
    out = work / ("ray-out" if ray else "local.jsonl")
    if out.is_dir():
        shutil.rmtree(out)
    elif out.exists():
        out.unlink()
    cmd = [sys.executable, "-m", "spinscope", "batch", str(src), "--out", str(out), "--model", model,
           *(["--engine", "ray"] if ray else [])]
    counter = Counter(out, ray)
    first = run_engine(cmd, counter, limit // 2, use_ns)
    second = run_engine([*cmd, "--resume"], counter, None, use_ns)
    ids = counter.ids()
    samples = first.samples + [(t + first.seconds, n, r) for t, n, r in second.samples]
    rss = {f"{q}%": round(rss_at(samples, limit * q // 100), 1) for q in (25, 50, 75, 100)}
    return {
        "records": len(ids), "unique_ids": len(set(ids)), "complete": sorted(set(ids)) == [f"s{i:06d}" for i in range(limit)],
        "first_run": {"records": first.records_end, "seconds": round(first.seconds, 1), "per_s": round(first.rate, 2),
                      "per_s_with_startup": round(first.overall_rate, 2), "killed_at": first.records_end},
        "resumed_run": {"records": second.records_end - second.records_start, "seconds": round(second.seconds, 1),
                        "per_s": round(second.rate, 2), "per_s_with_startup": round(second.overall_rate, 2),
                        "first_new_record_s": None if second.first_record_s is None else round(second.first_record_s, 1)},
        "rss_mb": rss, "rss_peak_mb": round(max(r for _, _, r in samples), 1),
        "rss_growth_25_to_100_mb": round(rss["100%"] - rss["25%"], 1),
        "rss_growth_within_runs_mb": [growth(first), growth(second)],
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--limit", type=int, default=100_000, help="articles (default 100,000)")
    ap.add_argument("--words", type=int, default=150, help="words per synthetic article")
    ap.add_argument("--engines", default="local,ray")
    ap.add_argument("--model", default="transformer")
    ap.add_argument("--work", default=str(Path(__file__).parents[1] / "runs" / "scale"))
    ap.add_argument("--json", help="also write the figures here")
    args = ap.parse_args()
    t0 = time.time()
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    src = work / f"input-{args.limit}-{args.words}.jsonl"
    if not src.exists():
        write_input(src, args.limit, args.words)
    use_ns = _namespace_works()
    figures: dict = {"articles": args.limit, "words": args.words, "model": args.model, "cpus": os.cpu_count(),
                     "namespace": use_ns}
    print(f"{args.limit:,} synthetic articles of about {args.words} words; model {args.model}; "
          f"{os.cpu_count()} CPUs; {'inside unshare -n' if use_ns else 'no network namespace'}")
    for name in args.engines.split(","):
        if name == "ray" and not use_ns:
            print("ray: skipped (needs unshare -n, so that Ray's servers see only loopback)")
            continue
        r = engine(name, src, work, args.limit, args.model, use_ns)
        figures[name] = r
        f, s = r["first_run"], r["resumed_run"]
        print(f"\n{name}: {r['records']:,} records, {r['unique_ids']:,} ids, every input once: {r['complete']}")
        print(f"  first run killed at {f['killed_at']:,} records after {f['seconds']} s: {f['per_s_with_startup']}/s "
              f"with start-up, {f['per_s']}/s from the first record")
        print(f"  resumed: first new record after {s['first_new_record_s']} s; {s['records']:,} records in "
              f"{s['seconds']} s: {s['per_s_with_startup']}/s with start-up, {s['per_s']}/s from the first record")
        print("  memory (summed PSS of the engine's processes), MB at " + ", ".join(f"{k} {v}" for k, v in r["rss_mb"].items())
              + f"; peak {r['rss_peak_mb']}; growth 25%->100% {r['rss_growth_25_to_100_mb']} MB; inside each run "
              f"(from 20% of its records to its end) {r['rss_growth_within_runs_mb'][0]} and "
              f"{r['rss_growth_within_runs_mb'][1]} MB")
    return finish(figures, args.json, t0)


if __name__ == "__main__":
    raise SystemExit(main())
