"""Fine-tuning plumbing on a tiny encoder and the synthetic corpus: examples, span labels, resume."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from spinscope.taxonomy import TECHNIQUE_NAMES
from spinscope.training import transformer as T
from spinscope.training.corpus import load_corpus

from .synthetic import write_corpus

torch = pytest.importorskip("torch")
pytest.importorskip("transformers")
LOADED = TECHNIQUE_NAMES.index("Loaded_Language")


def tiny_tokenizer(texts):
    from tokenizers import Tokenizer, models, pre_tokenizers, processors

    words = sorted({w for t in texts for w in pre_tokenizers.Whitespace().pre_tokenize_str(t) for w in [w[0]]})
    vocab = {"<s>": 0, "<pad>": 1, "</s>": 2, "<unk>": 3} | {w: i + 4 for i, w in enumerate(words)}
    tok = Tokenizer(models.WordLevel(vocab, unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    tok.post_processor = processors.TemplateProcessing(single="<s> $A </s>", special_tokens=[("<s>", 0), ("</s>", 2)])
    return tok


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return load_corpus(write_corpus(tmp_path_factory.mktemp("semeval"), 30), ("en",))


def tiny_config(vocab_size: int) -> dict:
    return {"vocab_size": vocab_size, "hidden_size": 16, "num_hidden_layers": 2, "num_attention_heads": 2,
            "intermediate_size": 32, "max_position_embeddings": 64, "type_vocab_size": 2, "pad_token_id": 1}


def test_split_is_by_article_and_stable():
    ids = [str(i) for i in range(2000)]
    splits = [T.split_of(a) for a in ids]
    assert splits == [T.split_of(a) for a in ids]
    share = {s: splits.count(s) / len(ids) for s in ("train", "validation", "test")}
    assert 0.55 < share["train"] < 0.65 and 0.15 < share["validation"] < 0.25 and 0.15 < share["test"] < 0.25


def test_resegmented_examples_take_labels_from_spans(corpus):
    cfg = T.EncoderConfig(sentence_aug=1.0, merge_aug=1.0)
    exs = T.examples(corpus, cfg, augment=True)
    plain = T.examples(corpus, cfg, augment=False)
    assert len(plain) == len(corpus.paragraphs) and all(e.paragraph > 0 for e in plain)
    merged = [e for e in exs if e.paragraph < 0]
    assert merged, "every opinion article has two labelled paragraphs to merge"
    for e in merged:
        text = corpus.st3_texts[e.article][e.start : e.end]
        # Only Loaded_Language has a gold span in the synthetic data, so it is the only label a piece can get.
        assert e.labels == ((LOADED,) if "corrupt" in text else ())


def test_token_labels_follow_the_gold_span(corpus):
    tok = tiny_tokenizer(corpus.st3_texts.values())
    exs = [e for e in T.examples(corpus, T.EncoderConfig(), augment=False) if LOADED in e.labels]
    enc = T.encode(tok, corpus, exs, max_len=64)
    for e, ids, offs, tl in zip(exs, enc.ids, enc.token_spans, enc.token_labels, strict=True):
        text = corpus.st3_texts[e.article]
        marked = [text[s:t] for (s, t), on in zip(offs, tl[:, LOADED], strict=True) if on]
        assert marked == ["corrupt"]
        assert ids[0] == 0 and ids[-1] == 2 and tuple(offs[0]) == (0, 0)


def test_truncation_keeps_the_end_token(corpus):
    tok = tiny_tokenizer(corpus.st3_texts.values())
    exs = T.examples(corpus, T.EncoderConfig(), augment=False)
    enc = T.encode(tok, corpus, exs, max_len=4)
    assert all(len(i) <= 4 and i[-1] == 2 for i in enc.ids)


def test_batches_cover_every_example_once():
    import random

    lengths = [random.Random(i).randint(3, 120) for i in range(500)]
    out = T.batches(lengths, 1024, random.Random(1))
    flat = sorted(i for b in out for i in b)
    assert flat == list(range(500))
    assert all(max(lengths[i] for i in b) * len(b) <= 1024 or len(b) == 1 for b in out)


def _train(corpus, tmp: Path, **kw):
    tok = tiny_tokenizer(corpus.st3_texts.values())
    config = tiny_config(tok.get_vocab_size())
    torch.manual_seed(0)
    init = {k: v.detach().numpy().copy() for k, v in T.build_model(config, len(TECHNIQUE_NAMES)).encoder.state_dict().items()}
    cfg = T.EncoderConfig(epochs=2, batch_tokens=256, frozen_layers=1, threads=1, sentence_aug=0.5, merge_aug=0.5)
    return T.train(corpus, tok, init, config, tmp, cfg, log=lambda _m: None, **kw)


def test_interrupted_training_resumes_to_the_same_weights(corpus, tmp_path, monkeypatch):
    straight = _train(corpus, tmp_path / "a")
    assert sorted(p.name for p in (tmp_path / "a").glob("epoch-*")) == ["epoch-01.safetensors", "epoch-02.safetensors"]

    real_save = T.save_checkpoint

    def save_then_die(path, *args):
        real_save(path, *args)
        raise KeyboardInterrupt  # the session ends right after epoch 1 is on disk

    monkeypatch.setattr(T, "save_checkpoint", save_then_die)
    with pytest.raises(KeyboardInterrupt):
        _train(corpus, tmp_path / "b")
    monkeypatch.setattr(T, "save_checkpoint", real_save)
    assert [p.name for p in (tmp_path / "b").glob("epoch-*")] == ["epoch-01.safetensors"]
    resumed = _train(corpus, tmp_path / "b")
    a, b = straight.state_dict(), resumed.state_dict()
    assert a.keys() == b.keys()
    for k in a:
        assert torch.equal(a[k], b[k]), k


def test_frozen_layers_do_not_move(corpus, tmp_path):
    tok = tiny_tokenizer(corpus.st3_texts.values())
    config = tiny_config(tok.get_vocab_size())
    torch.manual_seed(0)
    init = {k: v.detach().numpy().copy() for k, v in T.build_model(config, len(TECHNIQUE_NAMES)).encoder.state_dict().items()}
    cfg = T.EncoderConfig(epochs=1, batch_tokens=256, frozen_layers=1, threads=1)
    model = T.train(corpus, tok, init, config, tmp_path, cfg, log=lambda _m: None)
    after = model.encoder.state_dict()
    assert np.array_equal(after["embeddings.word_embeddings.weight"].numpy(), init["embeddings.word_embeddings.weight"])
    assert np.array_equal(after["encoder.layer.0.attention.self.query.weight"].numpy(),
                          init["encoder.layer.0.attention.self.query.weight"])
    assert not np.array_equal(after["encoder.layer.1.attention.self.query.weight"].numpy(),
                              init["encoder.layer.1.attention.self.query.weight"])


def test_zero_epochs_keeps_the_encoder_and_zeroes_only_untrained_heads(corpus, tmp_path):
    tok = tiny_tokenizer(corpus.st3_texts.values())
    config = tiny_config(tok.get_vocab_size())
    torch.manual_seed(0)
    start = T.build_model(config, len(TECHNIQUE_NAMES))
    init = {k: v.detach().numpy().copy() for k, v in start.encoder.state_dict().items()}
    cfg = T.EncoderConfig(epochs=0, threads=1)
    model = T.train(corpus, tok, init, config, tmp_path / "work", cfg, log=lambda _m: None)
    assert all(np.array_equal(v.numpy(), init[k]) for k, v in model.encoder.state_dict().items())
    ids = torch.tensor([[0, 5, 6, 2]])
    para, tok_logits, pooled = model(ids, torch.ones_like(ids))
    assert not para.any() and not tok_logits.any() and pooled.abs().sum() > 0
    assert not (tmp_path / "work").exists(), "nothing trained, so no checkpoint"
    # heads given with the initial weights (--init-from) are kept as they are
    with_heads = init | {f"{h}.{p}": getattr(getattr(start, h), p).detach().numpy().copy()
                         for h in ("paragraph", "span") for p in ("weight", "bias")}
    kept = T.train(corpus, tok, with_heads, config, tmp_path / "work", cfg, log=lambda _m: None)
    assert np.array_equal(kept.paragraph.weight.detach().numpy(), with_heads["paragraph.weight"])
    assert kept.paragraph.weight.abs().sum() > 0
    from spinscope.training.run import train_transformer_model

    for extra in ({"attention_weight": 1.0}, {"distil": 0.5, "init_from": tmp_path}):
        with pytest.raises(ValueError, match="0 epochs train nothing"):
            train_transformer_model(tmp_path / "no-data", tmp_path / "out", epochs=0, **extra)


def test_pseudo_labels_are_soft_targets_without_span_loss(corpus):
    tok = tiny_tokenizer([*corpus.st3_texts.values(), "Officials said the plan was corrupt"])
    probs = tuple(0.9 if j == LOADED else 0.05 for j in range(len(TECHNIQUE_NAMES)))
    enc = T.encode_pseudo(tok, [T.PseudoExample("Officials said the plan was corrupt", "en", probs)], max_len=64)
    assert enc.labels.shape == (1, len(TECHNIQUE_NAMES)) and enc.labels[0, LOADED] == pytest.approx(0.9)
    assert not enc.has_spans.any() and not enc.token_labels[0].any()
    gold = T.encode(tok, corpus, T.examples(corpus, T.EncoderConfig(), augment=False)[:3], max_len=64)
    both = T.concat(gold, enc)
    assert len(both.ids) == 4 and both.has_spans.tolist() == [True, True, True, False]


def test_training_reads_the_masked_view_when_asked(corpus):
    from spinscope.detect.names import encoder_view

    aid = next(a for a, t in corpus.st3_texts.items() if encoder_view(t, "proper_nouns", "en").text != t)
    exs = [e for e in T.examples(corpus, T.EncoderConfig(), augment=False) if e.article == aid]
    tok = tiny_tokenizer(corpus.st3_texts.values())
    plain, masked = (T.encode(tok, corpus, exs, 64, mask=m) for m in ("none", "proper_nouns"))
    assert any(not np.array_equal(a, b) for a, b in zip(plain.ids, masked.ids, strict=True))
    # token offsets are mapped back into the article, so each example keeps its span labels
    for e, offsets in zip(exs, masked.token_spans, strict=True):
        real = offsets[:, 1] > offsets[:, 0]
        assert (offsets[real, 0] >= e.start).all() and (offsets[real, 1] <= e.end).all()
    assert [t.any(0).tolist() for t in plain.token_labels] == [t.any(0).tolist() for t in masked.token_labels]


def test_training_with_pseudo_labels_runs_and_learns_from_them(corpus, tmp_path):
    text = "purple elephants dance tonight"  # in no training paragraph
    tok = tiny_tokenizer([*corpus.st3_texts.values(), text])
    config = tiny_config(tok.get_vocab_size())
    torch.manual_seed(0)
    init = {k: v.detach().numpy().copy() for k, v in T.build_model(config, len(TECHNIQUE_NAMES)).encoder.state_dict().items()}
    ones = tuple(1.0 for _ in TECHNIQUE_NAMES)
    cfg = T.EncoderConfig(epochs=4, batch_tokens=256, frozen_layers=0, threads=1, device="cpu", lr=1e-3, head_lr=1e-2)

    def mean_prob(pseudo, work):
        torch.manual_seed(0)
        model = T.train(corpus, tok, init, config, tmp_path / work, cfg, log=lambda _m: None, pseudo=pseudo)
        p = T.predict_probs(model, tok, [text], 64)
        assert p.shape == (1, len(TECHNIQUE_NAMES))
        return float(p.mean())

    # the all-ones soft target pulls that text's probabilities up against training without it
    assert mean_prob([T.PseudoExample(text, "en", ones)] * 40, "with") > mean_prob((), "without") + 0.1


def test_keep_layers_makes_a_shallower_encoder_from_spaced_layers():
    cfg = dict(tiny_config(50), num_hidden_layers=4)
    full = T.build_model(cfg, len(TECHNIQUE_NAMES)).encoder
    state = {k: v.numpy().copy() for k, v in full.state_dict().items()}
    kept, small_cfg = T.keep_layers(state, cfg, 2)
    assert small_cfg["num_hidden_layers"] == 2 and cfg["num_hidden_layers"] == 4
    small = T.build_model(small_cfg, len(TECHNIQUE_NAMES)).encoder
    small.load_state_dict({k: torch.from_numpy(v) for k, v in kept.items()}, strict=True)  # nothing missing or extra
    name = "encoder.layer.{}.attention.self.query.weight"
    assert np.array_equal(small.state_dict()[name.format(0)].numpy(), state[name.format(0)])
    assert np.array_equal(small.state_dict()[name.format(1)].numpy(), state[name.format(3)])  # first and last kept
    assert np.array_equal(kept["embeddings.word_embeddings.weight"], state["embeddings.word_embeddings.weight"])
    with pytest.raises(ValueError, match="between 1 and 4"):
        T.keep_layers(state, cfg, 5)


def test_an_mpnet_encoder_trains_and_exports_like_the_bert_one(corpus, tmp_path):
    """all-mpnet-base-v2 (``training.mpnet``) goes through the same trainer and exporter."""
    pytest.importorskip("onnxruntime")
    from spinscope.training.onnx_export import export_onnx

    tok = tiny_tokenizer(corpus.st3_texts.values())
    # The exporter's example input uses ids up to 300.
    config = dict(tiny_config(max(400, tok.get_vocab_size())), model_type="mpnet", relative_attention_num_buckets=32,
                  max_position_embeddings=514)
    torch.manual_seed(0)
    init = {k: v.detach().numpy().copy() for k, v in T.build_model(config, len(TECHNIQUE_NAMES)).encoder.state_dict().items()}
    assert "encoder.relative_attention_bias.weight" in init  # MPNet's own weights, not BERT's
    cfg = T.EncoderConfig(epochs=1, batch_tokens=256, frozen_layers=1, threads=1)
    model = T.train(corpus, tok, init, config, tmp_path, cfg, log=lambda _m: None)
    after = model.encoder.state_dict()
    q = "encoder.layer.{}.attention.attn.q.weight"
    assert np.array_equal(after[q.format(0)].numpy(), init[q.format(0)])  # frozen
    assert not np.array_equal(after[q.format(1)].numpy(), init[q.format(1)])
    export_onnx(model, tmp_path / "model.onnx")
    import onnxruntime as ort

    ids = np.array([[0, 5, 6, 7, 2]], np.int64)
    session = ort.InferenceSession(str(tmp_path / "model.onnx"))
    p, t, v, middle, tokens = session.run(None, {"input_ids": ids, "attention_mask": np.ones_like(ids)})
    assert p.shape == (1, len(TECHNIQUE_NAMES)) and t.shape == (1, 5, len(TECHNIQUE_NAMES)) and v.shape == (1, 16)
    assert [o.name for o in session.get_outputs()][3:] == ["pooled_middle", "token_states"] and middle.shape == v.shape
    assert tokens.shape == (1, 5, 32)  # the last layer's and the middle layer's states, side by side
    np.testing.assert_allclose(tokens[0, :, :16].mean(0), v[0], rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match="not supported"):
        T.build_model(dict(config, model_type="gpt2"), 3)


def test_a_hub_encoder_keeps_no_fixed_padding_or_truncation(tmp_path):
    """all-mpnet-base-v2's tokenizer pads and truncates to 128: windows would be padded and cut."""
    from tokenizers import Tokenizer
    from transformers import BertConfig, BertModel, BertTokenizerFast

    src = tmp_path / "hub"
    src.mkdir()
    (src / "vocab.txt").write_text("\n".join(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "plan", "is", "corrupt"]))
    hf_tok = BertTokenizerFast(vocab_file=str(src / "vocab.txt"))
    hf_tok.backend_tokenizer.enable_padding(length=16)
    hf_tok.backend_tokenizer.enable_truncation(max_length=16)
    hf_tok.save_pretrained(str(src))
    BertModel(BertConfig(**tiny_config(9)), add_pooling_layer=False).save_pretrained(str(src))
    assert Tokenizer.from_file(str(src / "tokenizer.json")).padding is not None  # the trap is set
    tok, state, config, _ = T.from_hub(str(src), tmp_path / "work")
    assert tok.padding is None and tok.truncation is None
    assert len(tok.encode("the plan is corrupt", add_special_tokens=False).ids) == 4
    assert "embeddings.word_embeddings.weight" in state and config["pad_token_id"] == 0


def test_the_manifest_names_the_languages_a_model_was_trained_on(corpus):
    got = corpus.provenance()
    assert got["languages"] == ["en"] and got["source"].endswith("(en)")  # an English-only run says so
    assert got["sha256"] == corpus.data_hash and got["articles_subtasks_1_2"] == len(corpus.articles)


def test_reporting_weight_weighs_only_reporting_articles_rows(corpus):
    exs = T.examples(corpus, T.EncoderConfig(), augment=False)
    genre = {a.id: a.genre for a in corpus.articles}
    w = T.reporting_weights(corpus, exs, 4.0)
    assert w.shape == (len(exs),) and {genre[e.article] for e in exs} == {"opinion", "reporting"}
    assert all(x == (4.0 if genre[e.article] == "reporting" else 1.0) for x, e in zip(w, exs, strict=True))
    assert (T.reporting_weights(corpus, exs, 1.0) == 1.0).all()


def test_reporting_weight_pulls_the_loss_towards_reporting_rows(corpus, tmp_path):
    # synthetic reporting paragraphs carry no technique; weighing them up lowers their probabilities
    tok = tiny_tokenizer(corpus.st3_texts.values())
    config = tiny_config(tok.get_vocab_size())
    torch.manual_seed(0)
    init = {k: v.detach().numpy().copy() for k, v in T.build_model(config, len(TECHNIQUE_NAMES)).encoder.state_dict().items()}
    reporting = [e for e in T.examples(corpus, T.EncoderConfig(), augment=False)
                 if next(a.genre for a in corpus.articles if a.id == e.article) == "reporting"]
    texts = [corpus.st3_texts[e.article][e.start:e.end] for e in reporting[:6]]

    def mean_prob(weight, work):
        cfg = T.EncoderConfig(epochs=8, batch_tokens=256, threads=1, device="cpu", lr=1e-3, head_lr=3e-2,
                              reporting_weight=weight)
        torch.manual_seed(0)
        model = T.train(corpus, tok, init, config, tmp_path / work, cfg, log=lambda _m: None)
        return float(T.predict_probs(model, tok, texts, 64)[:, LOADED].mean())

    assert mean_prob(20.0, "heavy") < mean_prob(1.0, "plain") - 0.04  # 0.21 against 0.29 when written


def test_the_attention_objective_trains_through_the_encoder_and_stays_out_of_the_export(corpus, tmp_path):
    pytest.importorskip("onnxruntime")
    from spinscope.training.onnx_export import OUTPUTS, export_onnx

    tok = tiny_tokenizer(corpus.st3_texts.values())
    config = tiny_config(max(400, tok.get_vocab_size()))  # the exporter's example input uses ids up to 300
    torch.manual_seed(0)
    init = {k: v.detach().numpy().copy() for k, v in T.build_model(config, len(TECHNIQUE_NAMES)).encoder.state_dict().items()}
    cfg = T.EncoderConfig(epochs=8, batch_tokens=256, frozen_layers=0, threads=1, device="cpu", lr=1e-3, head_lr=1e-2)

    def fit(weight: float, work: str):
        torch.manual_seed(0)
        return T.train(corpus, tok, init, config, tmp_path / work, dataclasses.replace(cfg, attention_weight=weight),
                       log=lambda _m: None)

    plain, attended = fit(0.0, "plain"), fit(1.0, "attended")
    assert not hasattr(plain, "attention") and hasattr(attended, "attention")
    # its loss reaches the encoder's layers, the middle one included
    for name in ("encoder.layer.0.attention.self.query.weight", "encoder.layer.1.output.dense.weight"):
        assert not torch.equal(plain.encoder.state_dict()[name], attended.encoder.state_dict()[name]), name
    # the attention head learnt the labels: loaded paragraphs score above neutral ones
    from .synthetic import LOADED as LOADED_TEXT
    from .synthetic import NEUTRAL

    p = T.predict_probs(attended, tok, [LOADED_TEXT, NEUTRAL], 64, attend=True)
    assert p.shape == (2, len(TECHNIQUE_NAMES)) and p[0, LOADED] > p[1, LOADED] + 0.2
    assert not np.allclose(p, T.predict_probs(attended, tok, [LOADED_TEXT, NEUTRAL], 64))  # not the paragraph head
    # the export holds the run-time outputs alone: the attention head is refitted on them
    export_onnx(attended, tmp_path / "model.onnx")
    import onnx

    graph = onnx.load(str(tmp_path / "model.onnx")).graph
    assert [o.name for o in graph.output] == [*OUTPUTS, "pooled_middle", "token_states"]
    assert not any("attention.say" in i.name or "attention.attend" in i.name for i in graph.initializer)
