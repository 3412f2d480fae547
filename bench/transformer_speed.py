"""Speed and peak memory of the default model on single ~800-word articles, next to the plain
Hugging Face path (transformers ``pipeline("feature-extraction")`` on torch, fp32) running the
same fine-tuned weights and the same heads, and next to the classical fallback.

Usage: python bench/transformer_speed.py [--articles 30] [--checkpoint runs/transformer]

Each path runs in its own process, so peak memory (ru_maxrss) is that path's alone. The
articles are built from the English SemEval test articles (paragraphs appended until 800
words). Also times ``spinscope semeval predict --subtask 3`` on 90 English articles. The
torch path needs the [train] extra and the training checkpoint; without them it is skipped.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

DATA = Path(__file__).parents[2] / "shared" / "data" / "semeval2023"


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


def run_spinscope(texts: list[str], model: str) -> list[float]:
    import spinscope

    return time_each(spinscope.load(model), texts)


def time_each(fn, texts: list[str]) -> list[float]:
    """Seconds per text, after one warm-up call."""
    fn(texts[0])
    times = []
    for t in texts:
        t0 = time.perf_counter()
        fn(t)
        times.append(time.perf_counter() - t0)
    return times


def run_torch(texts: list[str], checkpoint: Path) -> list[float]:
    import torch
    from safetensors import safe_open
    from transformers import BertConfig, BertModel, PreTrainedTokenizerFast, pipeline

    from spinscope.segment import paragraphs
    from spinscope.training.transformer import build_model

    model_dir = Path(__file__).parents[1] / "src" / "spinscope" / "models" / "transformer"
    manifest = json.loads((model_dir / "manifest.json").read_text())
    ckpt = sorted(checkpoint.glob("epoch-*.safetensors"))[-1]
    cfg = manifest["encoder_config"]
    full = build_model(cfg, len(manifest["labels"]["techniques"]))
    with safe_open(str(ckpt), "pt") as f:
        full.load_state_dict({k[6:]: f.get_tensor(k) for k in f.keys() if k.startswith("model.")})
    encoder: BertModel = full.encoder.eval()
    encoder.config = BertConfig(**{k: v for k, v in cfg.items() if k not in ("model_type", "architectures")})
    tok = PreTrainedTokenizerFast(tokenizer_file=str(model_dir / "tokenizer.json"), bos_token="<s>", eos_token="</s>",
                                  pad_token="<pad>", unk_token="<unk>", cls_token="<s>", sep_token="</s>")
    torch.set_num_threads(2)
    extract = pipeline("feature-extraction", model=encoder, tokenizer=tok, framework="pt", device="cpu")
    W = full.paragraph.weight.detach().numpy().T
    b = full.paragraph.bias.detach().numpy()

    def analyse(text: str) -> np.ndarray:
        chunks = [text[p.start : p.end] for p in paragraphs(text)]
        feats = extract(chunks, batch_size=16, truncation=True, max_length=manifest["config"]["max_len"])
        pooled = np.stack([np.asarray(f[0]).mean(0) for f in feats])
        return pooled @ W + b

    return time_each(analyse, texts)


def child(args: argparse.Namespace) -> int:
    texts = articles(args.articles)
    t0 = time.perf_counter()
    times = run_torch(texts, Path(args.checkpoint)) if args.path == "torch" else run_spinscope(texts, args.path)
    total = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    torch_loaded = "torch" in sys.modules
    print(json.dumps({"times": times, "total": total, "peak_mb": peak, "torch": torch_loaded}))
    return 0


def semeval_90() -> float | None:
    src = sorted((DATA / "en" / "test-articles-subtask-3").glob("*.txt"))
    src += sorted((DATA / "en" / "train-articles-subtask-3").glob("*.txt"))[: max(0, 90 - len(src))]
    with tempfile.TemporaryDirectory() as tmp:
        for f in src[:90]:
            (Path(tmp) / f.name).write_bytes(f.read_bytes())
        t0 = time.perf_counter()
        r = subprocess.run([sys.executable, "-m", "spinscope.interfaces.cli", "semeval", "predict", "--subtask", "3",
                            "--articles", tmp, "--out", str(Path(tmp) / "pred.txt"), "--lang", "en"],
                           capture_output=True, text=True)
        if r.returncode:
            print(r.stderr, file=sys.stderr)
            return None
        return time.perf_counter() - t0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles", type=int, default=30)
    ap.add_argument("--checkpoint", default="runs/transformer")
    ap.add_argument("--path", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.path:
        return child(args)
    texts = articles(args.articles)
    words = np.mean([len(t.split()) for t in texts])
    print(f"{len(texts)} single articles of {words:.0f} words on average, one at a time, after one warm-up\n")
    print(f"{'path':<44}{'articles/s':>11}{'p50 ms':>9}{'p95 ms':>9}{'peak MB':>9}")
    names = {"transformer": "spinscope default (ONNX Runtime int8)", "classic": "spinscope --model classic (numpy)",
             "torch": "transformers pipeline, torch fp32, same weights"}
    for path in ("transformer", "classic", "torch"):
        r = subprocess.run([sys.executable, __file__, "--path", path, "--articles", str(args.articles),
                            "--checkpoint", args.checkpoint], capture_output=True, text=True)
        if r.returncode:
            print(f"{names[path]:<44}  skipped: {r.stderr.strip().splitlines()[-1] if r.stderr.strip() else r.returncode}")
            continue
        res = json.loads(r.stdout.strip().splitlines()[-1])
        t = np.array(res["times"]) * 1000
        print(f"{names[path]:<44}{len(t) / (t.sum() / 1000):>11.2f}{np.percentile(t, 50):>9.0f}"
              f"{np.percentile(t, 95):>9.0f}{res['peak_mb']:>9.0f}"
              + ("" if path == "torch" or not res["torch"] else "  (torch was imported!)"))
    s = semeval_90()
    print("\nspinscope semeval predict --subtask 3, 90 English articles, model load included: "
          + (f"{s:.1f} s" if s is not None else "failed"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
