"""The default transformer model at run time: windows, spans, blending, refusals, no torch."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from spinscope.detect.transformer import (
    MIDDLE_OUTPUT,
    TOKEN_OUTPUT,
    Encoder,
    RawOutputs,
    TransformerModel,
    Window,
    token_spans,
)
from spinscope.errors import ModelCorrupt, ModelNotFound
from spinscope.pipeline import MODELS_DIR
from spinscope.segment import paragraphs
from spinscope.taxonomy import FRAME_NAMES, GENRE_NAMES, TECHNIQUE_NAMES

TRANSFORMER = MODELS_DIR / "transformer"


@pytest.fixture(scope="module")
def model() -> TransformerModel:
    return TransformerModel.load(TRANSFORMER)


def test_manifest_card_and_hashes():
    import hashlib

    m = json.loads((TRANSFORMER / "manifest.json").read_text())
    assert m["kind"] == "transformer" and m["fallback"] == "classic"
    assert m["labels"] == {"techniques": list(TECHNIQUE_NAMES), "frames": list(FRAME_NAMES), "genre": list(GENRE_NAMES)}
    assert len(m["training_data"]["sha256"]) == 64 and len(m["source"]["encoder_image_sha256"]) == 64
    assert "MIT" in m["licence"]
    assert {"model.onnx", "tokenizer.json", "heads.npz", "context.npz"} <= set(m["files_sha256"])
    for name, digest in m["files_sha256"].items():
        assert hashlib.sha256((TRANSFORMER / name).read_bytes()).hexdigest() == digest, name
    assert m["test_metrics"]["techniques"]["en"]["micro_f1"] > 0
    card = (TRANSFORMER / "MODEL_CARD.md").read_text()
    assert m["training_data"]["sha256"] in card and "Limits" in card and "validation fold" in card
    assert m["decisions"]["unit"] == "sentence" and m["decisions"]["mask"] == "proper_nouns"
    assert "## Calibration" in card and all(f"| {lang} |" in card for lang in m["calibration"]["ece"])


def test_long_paragraph_is_read_in_several_windows(model):
    text = " ".join(["The regime lies."] * 200)
    wins = model.encoder.windows(text, paragraphs(text))
    assert len(wins) > 1 and all(len(w.ids) <= model.encoder.max_len for w in wins)
    assert all(w.ids[0] == model.encoder.bos and w.ids[-1] == model.encoder.eos for w in wins)
    # Every character of the paragraph is covered by some window's tokens.
    covered = np.zeros(len(text), bool)
    for w in wins:
        for s, e in w.offsets:
            covered[s:e] = True
    assert covered[[i for i, c in enumerate(text) if not c.isspace()]].all()


def test_names_of_any_length_read_alike_and_windows_keep_article_offsets(model):
    from spinscope.detect.transformer import sentence_units

    texts = ["Why does the government shelter the PKK? The PKK's camps are a disgrace, wrote Hartmann.",
             "Why does the government shelter the Al-Shabaab? The Al-Shabaab's camps are a disgrace, wrote Li."]
    scores = [model.predict(t, paragraphs(t), "en") for t in texts]
    np.testing.assert_array_equal(scores[0].sentences, scores[1].sentences)
    text = texts[0]
    units, _ = sentence_units(text, paragraphs(text))
    wins = model.encoder.windows(model.encoder_text(text, "en"), units)
    name = model.encoder.tokenizer.token_to_id("▁Name")
    assert [int((w.ids == name).sum()) for w in wins] == [1, 2]
    # Offsets point into the article: a stand-in covers its name, and every character is read.
    assert {"PKK", "Hartmann"} <= {text[s:e].strip() for w in wins for s, e in w.offsets}
    covered = np.zeros(len(text), bool)
    for w in wins:
        for s, e in w.offsets:
            covered[s:e] = True
    assert covered[[i for i, c in enumerate(text) if not c.isspace()]].all()


def test_marked_tokens_become_one_stretch_per_window_and_technique():
    text = "They are corrupt liars and thieves."
    offs = np.array([[0, 0], [0, 4], [5, 8], [9, 16], [17, 22], [23, 26], [27, 35], [0, 0]])
    z = np.full((8, len(TECHNIQUE_NAMES)), -5.0, np.float32)
    j = TECHNIQUE_NAMES.index("Name_Calling-Labeling")
    k = TECHNIQUE_NAMES.index("Loaded_Language")
    z[3:5, j] = 3.0  # "corrupt liars"
    z[6, j] = 1.0  # "thieves.": the head skipped "and", the reader sees one phrase
    z[0, j] = z[7, j] = 9.0  # special tokens never open or close a span
    z[2, k] = 2.0  # another technique keeps its own span
    raw = RawOutputs(np.zeros((1, len(TECHNIQUE_NAMES))), np.zeros((1, 4)), [Window(0, np.arange(8), offs)], [z])
    spans = token_spans(raw, np.full(len(TECHNIQUE_NAMES), 0.5, np.float32))
    got = {t: (text[s:e], q) for t, s, e, q in spans[0]}
    assert len(spans[0]) == 2 and got[k][0] == "are"
    assert got[j][0] == "corrupt liars and thieves." and got[j][1] == pytest.approx(1 / (1 + np.exp(-3.0)))


def test_windows_pool_into_their_paragraph_by_tokens_and_the_head_reads_both_layers():
    rng = np.random.default_rng(0)
    k, dim = len(TECHNIQUE_NAMES), 4
    wins = [Window(0, np.arange(n), np.zeros((n, 2), np.int64)) for n in (4, 2)] + [Window(1, np.arange(3), np.zeros((3, 2)))]
    outs = [[rng.normal(size=k), rng.normal(size=(len(w.ids), k)), rng.normal(size=dim), rng.normal(size=dim)] for w in wins]
    raw = Encoder._assemble(2, wins, outs)
    np.testing.assert_allclose(raw.paragraph_vectors[0], (4 * outs[0][2] + 2 * outs[1][2]) / 6, rtol=1e-6)
    np.testing.assert_allclose(raw.middle_vectors[0], (4 * outs[0][3] + 2 * outs[1][3]) / 6, rtol=1e-6)
    np.testing.assert_allclose(raw.logits[0], np.maximum(outs[0][0], outs[1][0]), rtol=1e-6)
    np.testing.assert_allclose(raw.head_input, np.concatenate([raw.paragraph_vectors, raw.middle_vectors], 1))
    older = Encoder._assemble(2, wins, [o[:3] for o in outs])  # a graph without the middle layer's output
    assert older.middle_vectors is None and older.head_input is older.paragraph_vectors
    assert raw.token_states is None


def test_token_states_gather_each_paragraphs_windows_in_order():
    rng = np.random.default_rng(1)
    k, dim = len(TECHNIQUE_NAMES), 4
    wins = [Window(0, np.arange(n), np.zeros((n, 2), np.int64)) for n in (4, 2)] + [Window(2, np.arange(3), np.zeros((3, 2)))]
    outs = [[rng.normal(size=k), rng.normal(size=(len(w.ids), k)), rng.normal(size=dim), rng.normal(size=dim),
             rng.normal(size=(len(w.ids), 2 * dim))] for w in wins]
    raw = Encoder._assemble(3, wins, outs, tokens=True)
    without = Encoder._assemble(3, wins, [o[:4] for o in outs])
    np.testing.assert_array_equal(raw.head_input, without.head_input)  # the token states are not pooled
    assert [t.shape for t in raw.token_states] == [(6, 2 * dim), (0, 2 * dim), (3, 2 * dim)]
    assert raw.token_states[0].dtype == np.float16
    np.testing.assert_allclose(raw.token_states[0], np.concatenate([outs[0][4], outs[1][4]]), atol=2e-3)


def test_the_shipped_sentence_head_reads_the_middle_layer_and_a_graph_without_it_is_refused(tmp_path: Path, model,
                                                                                          op_ed_text):
    onnx = pytest.importorskip("onnx")
    paras = paragraphs(op_ed_text)
    raw = model.encoder.run(op_ed_text, paras)
    hidden = raw.paragraph_vectors.shape[1]
    assert model.encoder.middle and raw.head_input.shape == (len(paras), 2 * hidden)  # v5.0
    assert not np.allclose(raw.middle_vectors, raw.paragraph_vectors, atol=0.05)
    path = _copy_model(tmp_path)
    graph = onnx.load(str(path / "model.onnx"))
    graph.graph.output.remove(next(o for o in graph.graph.output if o.name == MIDDLE_OUTPUT))
    onnx.save(graph, str(path / "model.onnx"))
    with pytest.raises(ModelCorrupt, match=f"sentence head reads {2 * hidden} values a sentence, its encoder gives {hidden}"):
        TransformerModel.load(path)


def test_predict_shapes_probabilities_and_spans(model, op_ed_text):
    paras = paragraphs(op_ed_text)
    s = model.predict(op_ed_text, paras)
    assert s.paragraphs.shape == (len(paras), len(TECHNIQUE_NAMES))
    assert ((s.paragraphs >= 0) & (s.paragraphs <= 1)).all()
    assert s.frames.shape == (len(FRAME_NAMES),) and abs(float(s.genre.sum()) - 1) < 1e-5
    assert s.spans is not None and len(s.spans) == len(paras)
    for row, found in enumerate(s.spans):
        for _j, start, end, _p in found:
            assert paras[row].start <= start < end <= paras[row].end


def test_predict_is_pure(model, op_ed_text):
    paras = paragraphs(op_ed_text)
    a, b = model.predict(op_ed_text, paras), model.predict(op_ed_text, paras)
    assert np.array_equal(a.paragraphs, b.paragraphs) and a.spans == b.spans


def test_default_pipeline_is_the_transformer(pipeline, op_ed_text):
    analysis = pipeline(op_ed_text)
    assert analysis.model.kind == "transformer"
    for p in analysis.paragraphs:
        for span in p.spans:
            assert analysis.article.text[span.start : span.end] == span.text
            # Marked words are the cue; a whole sentence says that no words were marked.
            assert span.explanation and (span.cues or "marked no words" in span.explanation)


def test_classic_fallback_still_loads(op_ed_text):
    import spinscope

    assert spinscope.load("classic")(op_ed_text).model.kind == "classic"


@pytest.mark.parametrize("missing", ["model.onnx", "heads.npz", "tokenizer.json"])
def test_missing_file_is_a_clear_error(tmp_path: Path, missing: str):
    shutil.copytree(TRANSFORMER, tmp_path / "transformer")
    shutil.copytree(MODELS_DIR / "classic", tmp_path / "classic")
    (tmp_path / "transformer" / missing).unlink()
    with pytest.raises(ModelNotFound, match=missing):
        TransformerModel.load(tmp_path / "transformer")


def test_a_transformer_copied_without_its_classical_partner_names_both(tmp_path: Path):
    (tmp_path / "alone").mkdir()
    shutil.copy(TRANSFORMER / "manifest.json", tmp_path / "alone" / "manifest.json")
    with pytest.raises(ModelNotFound, match=r"the transformer in .*alone reads the classical model beside it, "
                                            r".*classic .*copy that directory there too"):
        TransformerModel.load(tmp_path / "alone")


def test_corrupt_heads_are_a_clear_error(tmp_path: Path):
    shutil.copytree(TRANSFORMER, tmp_path / "transformer")
    shutil.copytree(MODELS_DIR / "classic", tmp_path / "classic")
    (tmp_path / "transformer" / "heads.npz").write_bytes(b"not a zip")
    with pytest.raises(ModelCorrupt):
        TransformerModel.load(tmp_path / "transformer")


def test_decisions_read_the_classical_head_they_were_fitted_on(tmp_path: Path, model: TransformerModel):
    assert model.classic_head == json.loads((TRANSFORMER / "manifest.json").read_text())["decisions"]["classic_head"]
    assert model.classic_head == "partner_techniques"  # v4.5: the sentence-trained head
    text = "The corrupt regime lies to us again and again.\n\nWho will stop them?"
    seen = []
    real = model.classic.predict
    model.classic.predict = lambda *a, **kw: seen.append(kw) or real(*a, **kw)
    try:
        model.predict(text, paragraphs(text), "en")
    finally:
        model.classic.predict = real
    assert seen == [{"blend_partner": True, "techniques_head": "partner_techniques"}]
    # a classical model without that head cannot stand in silently
    shutil.copytree(TRANSFORMER, tmp_path / "transformer")
    shutil.copytree(MODELS_DIR / "classic", tmp_path / "classic")
    (tmp_path / "classic" / "partner-techniques.npz").unlink()
    with pytest.raises(ModelCorrupt, match="partner-techniques.npz"):
        TransformerModel.load(tmp_path / "transformer")


def test_inference_never_imports_torch(tmp_path: Path):
    code = (
        "import sys, spinscope\n"
        "a = spinscope.load()('The corrupt regime lies to us again and again.\\n\\nWho will stop them?')\n"
        "assert a.model.kind == 'transformer'\n"
        "bad = [m for m in ('torch', 'transformers', 'sklearn', 'scipy') if m in sys.modules]\n"
        "print(bad)\n"
        "sys.exit(1 if bad else 0)\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr


def test_paragraph_score_is_its_strongest_sentence(model, op_ed_text):
    from spinscope.segment import sentences

    paras = paragraphs(op_ed_text)
    s = model.predict(op_ed_text, paras, "en")
    sents = sentences(op_ed_text, paras)
    assert s.sentences is not None and s.sentences.shape == (len(sents), len(TECHNIQUE_NAMES))
    for row, p in enumerate(paras):
        own = [i for i, x in enumerate(sents) if x.paragraph == p.index]
        assert np.allclose(s.paragraphs[row], s.sentences[own].max(0))


def test_decisions_do_not_depend_on_line_breaks(pipeline):
    from spinscope.types import Article

    sents = ["The corrupt regime keeps lying to its own people.", "Critics say the plan will ruin the country.",
             "Either we act now or we lose everything.", "The minister spoke on Tuesday."]
    one_para = pipeline(Article(id="a", text="Title\n\n" + " ".join(sents)), language="en")
    per_line = pipeline(Article(id="b", text="Title\n\n" + "\n".join(sents)), language="en")
    as_para = {(s.technique, s.text) for s in one_para.spans}
    as_lines = {(s.technique, s.text) for s in per_line.spans}
    assert as_para == as_lines
    conf_para = sorted(round(s.confidence, 4) for s in one_para.spans)
    assert conf_para == sorted(round(s.confidence, 4) for s in per_line.spans)


def test_every_detection_clears_the_threshold_it_shows(pipeline, op_ed_text):
    a = pipeline(op_ed_text)
    assert a.spans, "the op-ed fixture should have detections"
    for p in a.paragraphs:
        for s in p.scores:
            assert s.threshold is not None and s.detected == (s.confidence >= s.threshold)
        for span in p.spans:
            assert span.threshold is not None and span.confidence >= span.threshold
    forced = pipeline(op_ed_text, threshold=0.9)
    assert all(s.threshold == 0.9 for p in forced.paragraphs for s in p.scores)
    # The article as a whole: its own calibrated scale and threshold, which --threshold leaves alone.
    t = pipeline.model.article_threshold
    assert t is not None and a.detected_techniques
    assert all(x.threshold == pytest.approx(t) and x.detected == (x.confidence >= t) for x in a.techniques)
    assert forced.techniques == a.techniques


def test_the_article_probability_counts_every_sentence(model, op_ed_text):
    """Monotone in every sentence: never below what fewer sentences would give, and a
    technique spread over many weak sentences scores above its strongest one alone."""
    from spinscope.segment import paragraphs

    scores = model.predict(op_ed_text, paragraphs(op_ed_text), "en")
    assert scores.article is not None and scores.article.shape == (len(model.techniques.labels),)
    alone = model.article_decisions.probabilities(scores.sentences.max(0, keepdims=True))
    assert (scores.article >= alone - 1e-6).all()
    fewer = model.article_decisions.probabilities(scores.sentences[: len(scores.sentences) // 2])
    assert (scores.article >= fewer - 1e-6).all() and (scores.article > fewer).any()


def test_encoder_threads_follow_the_environment(monkeypatch):
    from spinscope.detect.transformer import THREADS_ENV, TransformerModel
    from spinscope.pipeline import MODELS_DIR

    monkeypatch.setenv(THREADS_ENV, "3")
    assert TransformerModel.load(MODELS_DIR / "transformer").encoder.threads == 3


def _copy_model(tmp_path: Path) -> Path:
    shutil.copytree(TRANSFORMER, tmp_path / "transformer")
    shutil.copytree(MODELS_DIR / "classic", tmp_path / "classic")
    return tmp_path / "transformer"


def _as_older_model(path: Path, drop: tuple[str, ...], features: tuple[str, ...]) -> dict:
    """Rewrite the copied model at ``path`` as one fitted before its heads named ``drop``
    existed: without their arrays, its decisions reading ``features``. Returns its manifest."""
    from spinscope.detect.artifacts import read_arrays, write_arrays

    arrays = read_arrays(path / "heads.npz")
    old = {k: v for k, v in arrays.items() if not k.startswith(drop)}
    old["sentences_W"] = arrays["sentences_W"][:, : len(features)]
    write_arrays(path / "heads.npz", old)
    manifest = json.loads((path / "manifest.json").read_text())
    manifest["decisions"]["features"] = list(features)
    (path / "manifest.json").write_text(json.dumps(manifest))
    return manifest


def test_the_sentence_head_feeds_the_decisions_and_a_model_without_one_still_loads(tmp_path: Path, model):
    from spinscope.detect.decisions import FEATURES_V4

    assert model.sentence_head is not None  # v4.7
    text = "The corrupt regime lies to us again and again.\n\nWho will stop them?"
    path = _copy_model(tmp_path)
    # a model from before v4.7: no sentence heads, the features of v4
    manifest = _as_older_model(path, ("sentence_head_", "attention_head_"), FEATURES_V4)
    before = TransformerModel.load(path)
    assert before.sentence_head is None
    scores = before.predict(text, paragraphs(text), "en")
    assert scores.sentences.shape == (2, len(TECHNIQUE_NAMES)) and 0 <= scores.sentences.min() <= scores.sentences.max() <= 1
    assert not np.allclose(scores.sentences, model.predict(text, paragraphs(text), "en").sentences)
    # a manifest that promises the head where the arrays lack it is refused
    manifest["decisions"]["features"] = json.loads((TRANSFORMER / "manifest.json").read_text())["decisions"]["features"]
    (path / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ModelCorrupt, match="sentence head"):
        TransformerModel.load(path)


def test_the_attention_head_reads_token_states_and_a_model_without_it_still_loads(tmp_path: Path, model):
    onnx = pytest.importorskip("onnx")
    from spinscope.detect.decisions import FEATURES

    assert model.attention_head is not None and model.encoder.tokens  # v5.1
    text = "Either we act now or the country is lost.\n\nExperts say nothing will change."
    raw = model.encoder.run(text, paragraphs(text))
    assert [len(t) for t in raw.token_states] == list(raw.n_tokens)
    assert raw.token_states[0].shape[1] == model.attention_head.dim == raw.head_input.shape[1]
    path = _copy_model(tmp_path)
    graph = onnx.load(str(path / "model.onnx"))
    graph.graph.output.remove(next(o for o in graph.graph.output if o.name == TOKEN_OUTPUT))
    onnx.save(graph, str(path / "model.onnx"))
    with pytest.raises(ModelCorrupt, match="attention head reads token states, its encoder gives none"):
        TransformerModel.load(path)
    _as_older_model(path, ("attention_head_",), FEATURES)  # from before v5.1: one feature fewer
    before = TransformerModel.load(path)
    assert before.attention_head is None and not before.encoder.tokens
    scores = before.predict(text, paragraphs(text), "en")
    assert scores.sentences.shape == (2, len(TECHNIQUE_NAMES))
    assert not np.allclose(scores.sentences, model.predict(text, paragraphs(text), "en").sentences)


def test_the_paragraph_decisions_load_beside_the_line_context_and_older_models_have_none(tmp_path: Path, model):
    assert model.paragraph_decisions is not None and 0 < model.paragraph_decisions.threshold < 1  # v4.9
    path = _copy_model(tmp_path)
    manifest = json.loads((path / "manifest.json").read_text())
    del manifest["decisions"]["paragraph_decisions"]
    (path / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ModelCorrupt, match="disagree on paragraph decisions"):  # the file still holds them
        TransformerModel.load(path)
    arrays = dict(np.load(path / "context.npz"))
    del arrays["paragraph_decisions"]
    np.savez(path / "context.npz", **arrays)
    older = TransformerModel.load(path)
    assert older.paragraph_decisions is None and older.line_context is not None  # as v4.8


def test_the_line_context_loads_from_its_file_and_a_model_without_one_still_loads(tmp_path: Path, model):
    assert model.line_context is not None and model.line_context.weights.shape[0] == len(TECHNIQUE_NAMES)  # v4.8
    path = _copy_model(tmp_path)
    (path / "context.npz").unlink()
    with pytest.raises(ModelCorrupt, match="disagree on a line context"):  # the manifest still promises it
        TransformerModel.load(path)
    manifest = json.loads((path / "manifest.json").read_text())
    del manifest["decisions"]["line_context"], manifest["decisions"]["paragraph_decisions"]
    (path / "manifest.json").write_text(json.dumps(manifest))
    older = TransformerModel.load(path)
    assert older.line_context is None and older.paragraph_decisions is None  # as before v4.8
    (path / "context.npz").write_bytes(b"not an npz")
    manifest["decisions"]["line_context"] = {}
    (path / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ModelCorrupt, match="cannot read model"):
        TransformerModel.load(path)
