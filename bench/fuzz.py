"""Fuzz ingestion and analysis: random bytes, text and HTML, plus inputs at the 5 MB limit.

Usage: python bench/fuzz.py [--n 10000] [--seed 13] [--explain]

A crash is any exception that is not a ``SpinscopeError``. Prints the count of
inputs, crashes (must be 0), error codes seen, and the slowest inputs.
"""

from __future__ import annotations

import argparse
import random
import time
import traceback
from collections import Counter

import spinscope
from spinscope.errors import SpinscopeError
from spinscope.ingest import MAX_BYTES, article_from_bytes

TAGS = ["<html>", "<body>", "<p>", "</p>", "<div class='x'>", "</div>", "<script>var a=1;</script>", "<!--", "-->",
        "&amp;", "&#0;", "&#x110000;", "<article>", "</article>", "<h1>", "</h1>", "<nav>", "<br>", "<meta charset='x'>",
        "<meta charset='utf-16'>", "<![CDATA[", "]]>", "<table><tr><td>", "\x00", "<", ">", "\"", "'"]
WORDS = ("the government claims that corrupt elites betrayed the nation and everyone knows the truth "
         "Pakistan ISIS попытка économie Regierung è stato wojna !!! ??? … « » “ ” \t \r\n \n\n").split(" ")


def random_input(rng: random.Random) -> bytes:
    kind = rng.randrange(6)
    if kind == 0:
        return rng.randbytes(rng.randrange(0, 4000))
    if kind == 1:
        return "".join(chr(rng.randrange(0, 0x2FFFF)) for _ in range(rng.randrange(0, 500))).encode("utf-8", "replace")
    if kind == 2:
        return " ".join(rng.choice(WORDS) for _ in range(rng.randrange(0, 800))).encode()
    if kind == 3:
        parts = [rng.choice(TAGS) if rng.random() < 0.5 else " ".join(rng.choices(WORDS, k=rng.randrange(1, 30)))
                 for _ in range(rng.randrange(0, 200))]
        return "".join(parts).encode(rng.choice(["utf-8", "utf-16", "latin-1", "cp1251"]), "replace")
    if kind == 4:
        return b"%PDF-1.4\n" + rng.randbytes(rng.randrange(0, 2000))
    text = "\n".join(" ".join(rng.choices(WORDS, k=rng.randrange(0, 40))) for _ in range(rng.randrange(0, 60)))
    return text.encode(rng.choice(["utf-8", "utf-8-sig", "utf-16", "cp1252", "koi8-r"]), "replace")


def limit_inputs(rng: random.Random) -> dict[str, bytes]:
    sentence = b"The corrupt regime keeps lying to the people, say critics. "
    para = sentence * 12 + b"\n\n"
    html_para = b"<p>" + sentence * 12 + b"</p>\n"
    return {
        "5MB text, short paragraphs": (para * (MAX_BYTES // len(para)))[:MAX_BYTES],
        "5MB text, one line": (sentence * (MAX_BYTES // len(sentence)))[:MAX_BYTES],
        "5MB HTML": b"<html><body><article>" + html_para * ((MAX_BYTES - 64) // len(html_para)) + b"</article></body></html>",
        "5MB random bytes": rng.randbytes(MAX_BYTES),
        "5MB + 1 byte": b"x" * (MAX_BYTES + 1),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--explain", action="store_true", help="with word_effects, as spinscope analyze and serve run")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    nlp = spinscope.load(explain=args.explain)
    crashes: list[tuple[bytes, str]] = []
    outcomes: Counter[str] = Counter()
    slowest: list[tuple[float, str]] = []

    def run(label: str, data: bytes) -> None:
        t0 = time.perf_counter()
        try:
            nlp(article_from_bytes(data))
            outcomes["analysed"] += 1
        except SpinscopeError as exc:
            outcomes[exc.code] += 1
        except Exception:  # noqa: BLE001 - counting crashes is the point
            crashes.append((data[:200], traceback.format_exc(limit=3)))
        slowest.append((time.perf_counter() - t0, label))

    t_start = time.perf_counter()
    for i in range(args.n):
        data = random_input(rng)
        run(f"random #{i} ({len(data)} bytes)", data)
    for label, data in limit_inputs(rng).items():
        run(label, data)
    total = time.perf_counter() - t_start
    slowest.sort(reverse=True)
    print(f"inputs: {args.n} random + 5 at the size limit, {total:.0f}s")
    print(f"crashes: {len(crashes)}")
    print("outcomes: " + ", ".join(f"{k} {v}" for k, v in sorted(outcomes.items())))
    print("slowest:")
    for seconds, label in slowest[:8]:
        print(f"  {seconds:7.2f}s  {label}")
    for data, tb in crashes[:3]:
        print(f"--- crash on {data!r}\n{tb}")
    return 1 if crashes else 0


if __name__ == "__main__":
    raise SystemExit(main())
