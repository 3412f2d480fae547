"""Weights read back from an int8 ONNX export, and a shallower student distilled from it."""

from __future__ import annotations

import json

import numpy as np
import pytest

from spinscope.taxonomy import TECHNIQUE_NAMES
from spinscope.training import transformer as T
from spinscope.training.onnx_import import load_onnx_model, state_from_onnx

from .test_transformer import corpus, tiny_config, tiny_tokenizer  # noqa: F401 - the module fixture

torch = pytest.importorskip("torch")
pytest.importorskip("transformers")
pytest.importorskip("onnx")


def _exported(tmp_path, config, bias: float = 0.0):
    from spinscope.training.onnx_export import export_onnx

    torch.manual_seed(1)
    model = T.build_model(config, len(TECHNIQUE_NAMES))
    with torch.no_grad():  # distinct values everywhere: the exporter shares equal initialisers under one name
        for p in model.parameters():
            p.add_(torch.randn_like(p) * 0.02)
        model.paragraph.bias.fill_(bias)
    export_onnx(model, tmp_path / "model.onnx")
    return model


def test_every_weight_comes_back_within_its_quantisation_step(tmp_path):
    config = tiny_config(400)  # export_onnx traces with ids up to 300
    model = _exported(tmp_path, config)
    state = state_from_onnx(tmp_path / "model.onnx")
    original = {k: v.detach().numpy() for k, v in model.state_dict().items()}
    assert state.keys() == original.keys()
    for name, value in original.items():
        assert state[name].shape == value.shape, name
        step = np.abs(value).max() / 127 if value.ndim == 2 else 0  # symmetric int8: 255 steps over ±max|w|
        assert np.abs(state[name] - value).max() <= step * 0.51 + 1e-6, name  # matrices int8, the rest exact
    # and they are where they belong: a swap of two layers' matrices would fail this
    q0 = state["encoder.encoder.layer.0.attention.self.query.weight"]
    assert np.abs(q0 - original["encoder.encoder.layer.0.attention.self.query.weight"]).max() < \
        np.abs(q0 - original["encoder.encoder.layer.1.attention.self.query.weight"]).max()


def test_a_model_directory_loads_as_training_takes_it(tmp_path):
    config = tiny_config(400)  # export_onnx traces with ids up to 300
    _exported(tmp_path, config)
    (tmp_path / "manifest.json").write_text(json.dumps({"encoder_config": config}))
    state, got = load_onnx_model(tmp_path)
    assert got == config
    fresh = T.build_model(config, len(TECHNIQUE_NAMES))
    fresh.encoder.load_state_dict({k: torch.from_numpy(v) for k, v in state.items()
                                   if not k.startswith(("paragraph.", "span."))}, strict=True)
    assert {"paragraph.weight", "paragraph.bias", "span.weight", "span.bias"} <= state.keys()
    (tmp_path / "manifest.json").write_text(json.dumps({"encoder_config": dict(config, num_hidden_layers=4)}))
    with pytest.raises(ValueError, match="holds 2 layers"):
        load_onnx_model(tmp_path)


def test_distillation_pulls_the_student_toward_its_teacher(corpus, tmp_path, monkeypatch):  # noqa: F811
    tok = tiny_tokenizer(corpus.st3_texts.values())
    config = tiny_config(max(400, tok.get_vocab_size()))
    _exported(tmp_path / "teacher", config, bias=6.0)  # a teacher that calls every technique in every text
    (tmp_path / "teacher" / "manifest.json").write_text(json.dumps({"encoder_config": config}))
    torch.manual_seed(0)
    init = {k: v.detach().numpy().copy() for k, v in T.build_model(config, len(TECHNIQUE_NAMES)).encoder.state_dict().items()}
    text = next(iter(corpus.st3_texts.values()))[:200]

    def mean_prob(distil, work):
        cfg = T.EncoderConfig(epochs=4, batch_tokens=256, threads=1, device="cpu", lr=1e-3, head_lr=1e-2, distil=distil)
        torch.manual_seed(0)
        model = T.train(corpus, tok, init, config, tmp_path / work, cfg, log=lambda _m: None,
                        teacher=T.Teacher(tmp_path / "teacher" / "model.onnx"))
        return float(T.predict_probs(model, tok, [text], 64).mean())

    # Most gold labels are 0 and pull the calls down; the teacher's soft targets hold them up.
    assert mean_prob(0.9, "distil") > mean_prob(0.0, "gold") + 0.1
    cache = tmp_path / "distil" / "teacher-targets.npz"
    with np.load(cache) as z:
        assert z["paragraph"].min() > 0.99  # sigmoid(6) everywhere: the teacher's own outputs
    cfg = T.EncoderConfig()
    data = T.encode(tok, corpus, [e for e in T.examples(corpus, cfg, augment=True)
                                  if T.split_of(e.article) == "train"], cfg.max_len, cfg.mask)
    import onnxruntime

    def no_session(*_a, **_k):
        raise AssertionError("the cache should have served these")

    monkeypatch.setattr(onnxruntime, "InferenceSession", no_session)
    cached, _, _ = T.teacher_targets(T.Teacher(tmp_path / "teacher" / "model.onnx"), data, cache, 1, log=lambda _m: None)
    assert cached.min() > 0.99  # read back for the same teacher ...
    monkeypatch.undo()
    _exported(tmp_path / "other", config, bias=-6.0)
    other, _, _ = T.teacher_targets(T.Teacher(tmp_path / "other" / "model.onnx"), data, cache, 1, log=lambda _m: None)
    assert other.max() < 0.01  # ... and recomputed for another one, never served stale
    with pytest.raises(ValueError, match="needs a teacher"):
        T.train(corpus, tok, init, config, tmp_path / "none", T.EncoderConfig(distil=0.5), log=lambda _m: None)


def test_tokens_take_the_strongest_teacher_token_they_share_characters_with():
    student = np.array([[0, 0], [10, 15], [16, 19], [20, 22], [0, 0]])
    teacher = np.array([[0, 0], [10, 13], [13, 15], [16, 19], [0, 0]])
    probs = np.array([[0.9, 0.9], [0.2, 0.7], [0.6, 0.1], [0.3, 0.4], [0.9, 0.9]], np.float32)
    got = T.align_tokens(student, teacher, probs)
    assert got.tolist() == [[0.0, 0.0], pytest.approx([0.6, 0.7]), pytest.approx([0.3, 0.4]), [0.0, 0.0], [0.0, 0.0]]


def _other_tokenizer(texts):
    """The same words under other ids, plus two ids no word uses: a tokenizer that is not the student's."""
    from tokenizers import Tokenizer, models, pre_tokenizers, processors

    words = sorted({w for t in texts for w, _ in pre_tokenizers.Whitespace().pre_tokenize_str(t)}, reverse=True)
    vocab = {"[CLS]": 5, "[PAD]": 0, "[SEP]": 6, "[UNK]": 1, "x": 2, "y": 3, "z": 4} | {w: i + 7 for i, w in enumerate(words)}
    tok = Tokenizer(models.WordLevel(vocab, unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    tok.post_processor = processors.TemplateProcessing(single="[CLS] $A [SEP]", special_tokens=[("[CLS]", 5), ("[SEP]", 6)])
    return tok


def test_a_teacher_with_its_own_tokenizer_teaches_only_its_languages(corpus, tmp_path):  # noqa: F811
    tok = tiny_tokenizer(corpus.st3_texts.values())
    own = _other_tokenizer(corpus.st3_texts.values())
    config = tiny_config(max(400, tok.get_vocab_size(), own.get_vocab_size()))
    teacher_dir = tmp_path / "teacher"
    _exported(teacher_dir, config, bias=6.0)
    own.save(str(teacher_dir / "tokenizer.json"))
    tok.save(str(tmp_path / "student-tokenizer.json"))
    for langs in (["en"], ["fr"]):
        (teacher_dir / "manifest.json").write_text(json.dumps({
            "encoder_config": config, "config": {"max_len": 64}, "training_data": {"languages": langs}}))
        teacher = T.Teacher.from_dir(teacher_dir, tmp_path / "student-tokenizer.json")
        assert teacher.tokenizer == teacher_dir / "tokenizer.json" and teacher.languages == frozenset(langs)
    same = T.Teacher.from_dir(teacher_dir, teacher_dir / "tokenizer.json")
    assert same.tokenizer is None  # its tokenizer is the student's: the student's ids are fed as they are

    cfg = T.EncoderConfig(max_len=64)
    data = T.encode(tok, corpus, [e for e in T.examples(corpus, cfg, augment=False)
                                  if T.split_of(e.article) == "train"][:40], cfg.max_len, cfg.mask)
    en = T.Teacher(teacher_dir / "model.onnx", teacher_dir / "tokenizer.json", frozenset({"en"}), 64)
    para, tokens, weight = T.teacher_targets(en, data, tmp_path / "en.npz", 1, log=lambda _m: None)
    assert para.min() > 0.99 and weight.tolist() == [1.0] * len(data.ids)
    for spans, t in zip(data.token_spans, tokens, strict=True):
        assert t.shape == (len(spans), len(TECHNIQUE_NAMES))
        real = spans[:, 1] > spans[:, 0]
        assert (t[~real] == 0).all() and (t[real] > 0).all()  # every word has its teacher token; specials none
    fr = T.Teacher(teacher_dir / "model.onnx", teacher_dir / "tokenizer.json", frozenset({"fr"}), 64)
    para, tokens, weight = T.teacher_targets(fr, data, tmp_path / "en.npz", 1, log=lambda _m: None)  # not the cached en
    assert weight.tolist() == [0.0] * len(data.ids) and para.max() == 0 and max(t.max() for t in tokens) == 0

    torch.manual_seed(0)
    init = {k: v.detach().numpy().copy() for k, v in T.build_model(config, len(TECHNIQUE_NAMES)).encoder.state_dict().items()}
    text = next(iter(corpus.st3_texts.values()))[:200]

    def mean_prob(distil, teacher, work):
        cfg = T.EncoderConfig(epochs=3, batch_tokens=256, threads=1, device="cpu", lr=1e-3, head_lr=1e-2, distil=distil)
        torch.manual_seed(0)
        model = T.train(corpus, tok, init, config, tmp_path / work, cfg, log=lambda _m: None, teacher=teacher)
        return float(T.predict_probs(model, tok, [text], 64).mean())

    gold = mean_prob(0.0, None, "gold")
    assert mean_prob(0.9, en, "en") > gold + 0.1
    assert mean_prob(0.9, fr, "fr") == pytest.approx(gold, abs=1e-6)  # no row is French: the gold labels alone


def test_training_starts_from_the_imported_heads_and_refuses_weights_that_do_not_fit(corpus, tmp_path):  # noqa: F811
    tok = tiny_tokenizer(corpus.st3_texts.values())
    config = tiny_config(max(400, tok.get_vocab_size()))
    _exported(tmp_path / "m", config, bias=6.0)
    (tmp_path / "m" / "manifest.json").write_text(json.dumps({"encoder_config": config}))
    state, _ = load_onnx_model(tmp_path / "m")
    still = T.EncoderConfig(epochs=1, batch_tokens=256, threads=1, device="cpu", lr=0.0, head_lr=0.0)
    model = T.train(corpus, tok, state, config, tmp_path / "w", still, log=lambda _m: None)
    assert np.allclose(model.paragraph.bias.detach().numpy(), 6.0)  # the heads came with the encoder
    del state["encoder.layer.1.output.dense.weight"]
    with pytest.raises(ValueError, match="do not fit the encoder"):
        T.train(corpus, tok, state, config, tmp_path / "w2", still, log=lambda _m: None)


def test_a_committed_model_directory_is_a_starting_point_with_its_tokenizer_and_provenance(corpus, tmp_path):  # noqa: F811
    from spinscope.training.run import _from_model_dir

    tok = tiny_tokenizer(corpus.st3_texts.values())
    config = tiny_config(max(400, tok.get_vocab_size()))
    _exported(tmp_path / "m", config)
    tok.save(str(tmp_path / "m" / "tokenizer.json"))
    (tmp_path / "m" / "manifest.json").write_text(json.dumps({
        "name": "tiny", "version": "9.9", "encoder_config": config, "source": {"encoder": "base"},
        "files_sha256": {"model.onnx": "abc"}}))
    got_tok, state, got_config, source = _from_model_dir(tmp_path / "m", tmp_path / "work")
    assert got_config == config and "paragraph.weight" in state
    assert (tmp_path / "work" / "tokenizer.json").read_bytes() == (tmp_path / "m" / "tokenizer.json").read_bytes()
    assert got_tok.encode("the plan").ids == tok.encode("the plan").ids
    assert source["encoder"] == "base" and source["init_from"].startswith("tiny 9.9 (2 layers)") and "abc" in source["init_from"]
