"""Load test of the REST API on loopback: N concurrent connections for a fixed time.

Usage: python bench/load.py [--connections 50] [--seconds 60] [--workers 2] [--words 800]

Starts ``spinscope serve`` on a free 127.0.0.1 port (never another address), posts
articles of about ``--words`` words to /v1/analyze, and prints accepted requests per
second, the accepted requests' p50/p95/p99 latency, the shed rate (503 answers, after
which a connection waits as ``Retry-After`` says) and other errors. Stops by itself.

On 2 cores this Python generator takes CPU from the server it measures; for
server-side figures use wrk with ``bench/wrk-post.lua`` (see that file).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import statistics
import subprocess
import sys
import time

import httpx

ARTICLES = [
    "Council approves budget\n\nThe council approved the budget on Monday after a short debate.",
    "A disgrace\n\nThis corrupt and cowardly government keeps lying to every one of us. Enough is enough!",
    "Experts agree\n\nExperts agree that the plan is the only option. Either we act now or we lose everything.",
    "Storm warning\n\nForecasters expect heavy rain in the north on Friday, the weather service said.",
]


def free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def article(n: int, words: int) -> str:
    """About ``words`` words: the short articles' bodies repeated under one headline."""
    title, body = ARTICLES[n % len(ARTICLES)].split("\n\n")
    paras = []
    while sum(len(p.split()) for p in paras) < words:
        paras.append(" ".join(ARTICLES[(n + len(paras)) % len(ARTICLES)].split("\n\n")[1] for _ in range(3)))
    return title + "\n\n" + "\n".join(paras)


async def worker(client: httpx.AsyncClient, url: str, stop: float, n: int, words: int, lat: list[float],
                 shed: list[float], errors: list[str]) -> None:
    i = n
    while time.perf_counter() < stop:
        t0 = time.perf_counter()
        try:
            r = await client.post(url, json={"text": article(i, words)})
            if r.status_code == 503:  # a well-behaved client waits as told
                shed.append(time.perf_counter() - t0)
                await asyncio.sleep(float(r.headers.get("retry-after", "1")))
            elif r.status_code != 200:
                errors.append(str(r.status_code))
            else:
                lat.append(time.perf_counter() - t0)
        except httpx.HTTPError as exc:
            errors.append(exc.__class__.__name__)
        i += 1


async def drive(base: str, connections: int, seconds: float, words: int):
    lat: list[float] = []
    shed: list[float] = []
    errors: list[str] = []
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    async with httpx.AsyncClient(limits=limits, timeout=30.0, trust_env=False) as client:
        start = time.perf_counter()
        stop = start + seconds
        await asyncio.gather(*(worker(client, base + "/v1/analyze", stop, n, words, lat, shed, errors)
                               for n in range(connections)))
        return lat, shed, errors, time.perf_counter() - start


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--connections", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--words", type=int, default=800)
    args = ap.parse_args()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([sys.executable, "-m", "spinscope.interfaces.cli", "serve", "--host", "127.0.0.1",
                               "--port", str(port), "--workers", str(args.workers)], start_new_session=True)
    try:
        deadline = time.time() + 120
        while time.time() < deadline:
            try:
                if httpx.get(base + "/healthz", timeout=1, trust_env=False).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.3)
        lat, shed, errors, elapsed = asyncio.run(drive(base, args.connections, args.seconds, args.words))
        t0 = time.perf_counter()
        health = httpx.get(base + "/healthz", timeout=5, trust_env=False).status_code
        health_ms = (time.perf_counter() - t0) * 1000
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    q = statistics.quantiles(lat, n=100) if len(lat) > 1 else [float("nan")] * 99
    total = len(lat) + len(shed) + len(errors)
    print(f"{args.connections} connections, {args.seconds:.0f}s, {args.workers} workers, ~{args.words}-word articles")
    print(f"accepted {len(lat)} ({len(lat) / elapsed:.1f}/s)  shed {len(shed)} ({100 * len(shed) / max(1, total):.1f}%)"
          f"  errors {len(errors)}")
    print(f"accepted latency p50 {q[49] * 1000:.0f} ms  p95 {q[94] * 1000:.0f} ms  p99 {q[98] * 1000:.0f} ms")
    print(f"/healthz right after: {health} in {health_ms:.0f} ms")
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
