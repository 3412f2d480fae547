"""Evaluation gate, in the spirit of trafilatura's ``eval_gate``.

Retrains the classical models with the shipped configuration under 5-fold,
article-grouped cross-validation on the SemEval-2023 training data and fails
when any pinned figure drops. The data hash pins the evaluation set: if the
data changes, the figures must be re-measured and re-pinned, not silently
compared. Pins are the measured figures minus 0.01, so float noise passes and
real regressions do not.
"""

import pytest

from tests.conftest import SHARED_DATA, needs_shared_data

pytest.importorskip("sklearn", reason="the gate retrains models: needs the [train] extra")

EVAL_SET_SHA256 = "221320044cb61b88594a0a2bf84f19a9b352a667093290328f1be96decd8cd3b"

# (task, language, metric): minimum. Official metrics: genre macro-F1, frames and techniques micro-F1.
PINNED = {
    ("techniques", "en", "micro_f1"): 0.351,
    ("techniques", "all", "micro_f1"): 0.355,
    ("techniques", "fr", "micro_f1"): 0.322,
    ("techniques", "de", "micro_f1"): 0.366,
    ("techniques", "it", "micro_f1"): 0.424,
    ("techniques", "pl", "micro_f1"): 0.287,
    ("techniques", "ru", "micro_f1"): 0.353,
    ("frames", "en", "micro_f1"): 0.665,
    ("frames", "all", "micro_f1"): 0.612,
    ("genre", "en", "macro_f1"): 0.377,
    ("genre", "all", "macro_f1"): 0.547,
    # The fallback's own genre head, which also learns PolNeAR's hard news as English reporting:
    # on these 88%-opinion English articles it calls reporting far more often, so its official
    # macro-F1 sits below the blend partner's. Measured with classic v3.2's language offsets
    # (2026-12-06): retrained here 0.3109 en, 0.5068 all; the shipped manifest (committed
    # vocabulary) 0.2675 en, 0.4658 all, which the pins must also hold.
    ("fallback_genre", "en", "macro_f1"): 0.255,
    ("fallback_genre", "all", "macro_f1"): 0.462,
}


@needs_shared_data()
def test_cross_validated_quality_does_not_drop():
    from spinscope.detect.artifacts import MODELS_DIR, read_manifest
    from spinscope.training import classic, genre_news
    from spinscope.training.corpus import load_corpus

    corpus = load_corpus(SHARED_DATA)
    assert corpus.data_hash == EVAL_SET_SHA256, "evaluation data changed: re-measure and re-pin"
    news_dir = genre_news.news_beside(SHARED_DATA)
    news = genre_news.news_texts(news_dir) if news_dir else None
    # The sentence head the transformer reads (5 more minutes) is gated through the shipped
    # transformer's fixed test slice below, not here. The fallback genre head is gated at the
    # setting the shipped model chose from its grid: the other 11 settings' cross-validation took
    # 100 of this test's 300 s, and tests/training/test_train_classic.py tests the choosing.
    chosen = read_manifest(MODELS_DIR / "classic")["fallback_genre"]
    grid = classic.ClassicConfig()
    assert chosen["c"] in grid.fallback_c and chosen["news_weight"] in grid.news_weights
    cfg = classic.ClassicConfig(partner=False, fallback_c=(chosen["c"],), news_weights=(chosen["news_weight"],))
    table = classic.cv_table(classic.train(corpus, cfg, log=lambda m: None, news=news).cv)
    drops = {
        key: (table[key[0]][key[1]][key[2]], floor)
        for key, floor in PINNED.items()
        if table[key[0]][key[1]][key[2]] < floor
    }
    assert not drops, f"quality below pinned minimums (got, pinned): {drops}"


@needs_shared_data()
def test_shipped_model_was_trained_on_the_evaluation_set():
    from spinscope.detect.artifacts import MODELS_DIR, read_manifest

    manifest = read_manifest(MODELS_DIR / "classic")
    assert manifest["training_data"]["sha256"] == EVAL_SET_SHA256
    for (task, lang, metric), floor in PINNED.items():
        assert manifest["cv_metrics"][task][lang][metric] >= floor, (task, lang, metric)
    assert read_manifest(MODELS_DIR / "transformer")["training_data"]["sha256"] == EVAL_SET_SHA256


# The shipped transformer, inference only, on a fixed slice of the test fold (fold 0 of
# sha256(id) % 5, never used for any choice in training): the first articles by id per
# language. Regression gates, not quality estimates (bench/shift.py gives those):
# - the shipped pipeline on the articles as they are (one paragraph per line), and on the
#   same articles one sentence per line, scored per line against the gold spans: the
#   segmentation shift that held-out input brings. Its classical partner was trained on all
#   folds and so has seen these articles;
# - the encoder alone, which never saw them: its raw sentence logits at a fixed threshold.
# Pins are the figures measured on the committed model minus 0.02.
SLICE_PER_LANGUAGE = {"en": 30, "fr": 6, "de": 6, "it": 6, "pl": 6, "ru": 6}
SLICE_SHA256 = "27e85b47edb38c57e92ec39a78d07000a29d9ebdacaef53b9d1b87107ae3b62c"
# Re-pinned for v4.0 (the encoder fine-tuned again, on a GPU). On this slice paragraphs fell
# (v3.2 measured 0.4516 / 0.5531) while sentence lines rose for all (0.4166); the slice's
# classical partner has seen these articles, so bench/shift.py is the estimate: there v4.0
# raised paragraphs 0.372 -> 0.385 (en) and 0.397 -> 0.407 (all), sentence lines 0.296 ->
# 0.302 and 0.311 -> 0.321. The encoder's raw probabilities moved too (fixed threshold 0.2).
# Re-pinned for v4.5 (the decisions read the classical model's sentence-trained head). The slice
# rose far more than the test fold did (v4.4 measured paragraphs 0.437 / 0.5452, sentence lines
# 0.3503 / 0.4254, articles 0.6667 / 0.7156): the shipped head has seen these very sentences and
# their labels. bench/shift.py, whose partner has not: sentence lines 0.303 -> 0.317 (en).
# Re-pinned for v4.7 (a sentence head on the encoder's vectors joins the decisions). The slice fell
# (v4.6 measured paragraphs 0.4963 / 0.5943, sentence lines 0.4381 / 0.5308) because the decisions
# now lean less on the classical partner (mean weight 0.52 -> 0.39), which has seen these
# sentences. With the partner of the training folds in its place (runs/s20/slice_honest.py),
# v4.6 -> v4.7 on this slice: paragraphs 0.3463 -> 0.3466 (en), 0.4414 -> 0.4453 (all); sentence
# lines 0.2713 -> 0.2755, 0.3521 -> 0.3633; articles 0.6269 -> 0.6586, 0.6817 -> 0.6908.
# Re-pinned for v5.0 (the sentence head also reads a middle layer; everything after it refitted).
# The slice fell where v4.9 leant on the shipped classical partner, which has seen it (v4.9
# measured paragraphs 0.4351 / 0.5472, sentence lines 0.3706 / 0.4859, articles 0.7038 / 0.7577,
# line context 0.3754 / 0.4846, paragraph decisions 0.4463 / 0.5434). With the partner of the
# training folds in its place (runs/s32/slice_honest.py), v4.9 -> v5.0 on this slice: paragraphs
# 0.3397 -> 0.3643 (en), 0.4436 -> 0.4556 (all); sentence lines 0.2721 -> 0.2976, 0.3655 -> 0.3737;
# articles 0.6507 -> 0.6586, 0.6839 -> 0.6912; line context 0.3079 -> 0.3143, 0.4295 -> 0.4290;
# paragraph decisions 0.3566 -> 0.3771, 0.4520 -> 0.4570. bench/shift.py agrees (docs/models.md).
# Re-pinned for v5.1 (an attention head on the tokens; everything after it refitted;
# runs/s33/slice_shipped.py). English paragraphs fell on this slice, 0.4517 -> 0.4402, where the
# shipped partner has seen it; with the partner of the training folds (runs/s33/slice_honest.log)
# v5.0 -> v5.1: paragraphs 0.3643 -> 0.3813 (en), 0.4556 -> 0.4682 (all); sentence lines 0.2976 ->
# 0.2938, 0.3737 -> 0.3785; articles 0.6586 -> 0.6583, 0.6912 -> 0.6852; line context 0.3143 ->
# 0.3219, 0.4290 -> 0.4414; paragraph decisions 0.3771 -> 0.3919, 0.4570 -> 0.4747.
SHIPPED_PINNED = {"en": 0.420, "all": 0.511}  # measured 0.4402 and 0.5314 (v5.1)
SENTENCE_LINES_PINNED = {"en": 0.353, "all": 0.437}  # measured 0.3731 and 0.4571 (v5.1)
ENCODER_ALONE_PINNED = {"en": 0.205, "all": 0.230}  # measured 0.2254 and 0.2501 (v4.5: 0.2245, 0.2495)
ENCODER_ALONE_THRESHOLD = 0.2
# The article as a whole (v4.2's article decisions), gold the labels of any of its paragraphs.
ARTICLES_PINNED = {"en": 0.678, "all": 0.710}  # measured 0.6981 and 0.7303 (v5.1)
# The sentence lines again, each against the labels of the paragraph it was cut from, as
# `semeval predict --lines sentences` labels them (v4.8's line context).
LINE_CONTEXT_PINNED = {"en": 0.347, "all": 0.456}  # measured 0.3672 and 0.4756 (v5.1)
# The paragraphs as given, as `semeval predict` labels them (v4.9's paragraph decisions).
# On this slice, whose classical partner has seen it, the paragraphs fall for all (0.5458 with the
# strongest sentence); bench/shift.py, whose partner has not, gives all 0.426 -> 0.439, en 0.409 -> 0.423.
PARAGRAPH_DECISIONS_PINNED = {"en": 0.434, "all": 0.513}  # measured 0.4540 and 0.5329 (v5.1)
# The sentence lines once more, cut keeping a blank line between paragraphs, as `semeval predict`
# labels them: each by its paragraph's decisions where the blocks read as paragraphs
# (`detect.block_labels`), by the line context elsewhere; gold the labels of the paragraph. The
# same lines with no blank line get the line context (above: 0.3672 and 0.4756).
BLOCKS_PINNED = {"en": 0.449, "all": 0.531}  # measured 0.4699 and 0.5517 (v5.1, session 39)


def _slice():
    import hashlib

    from spinscope.training.corpus import load_corpus
    from spinscope.training.transformer import split_of

    corpus = load_corpus(SHARED_DATA)
    assert corpus.data_hash == EVAL_SET_SHA256, "evaluation data changed: re-measure and re-pin"
    lang_of = {p.article: p.language for p in corpus.paragraphs}
    chosen = []
    for lang, n in SLICE_PER_LANGUAGE.items():
        ids = sorted(a for a in corpus.st3_texts if split_of(a) == "test" and lang_of.get(a) == lang)
        chosen += ids[:n]
    h = hashlib.sha256()
    for aid in chosen:
        h.update(aid.encode() + b"\0" + corpus.st3_texts[aid].encode() + b"\0")
    return corpus, chosen, h.hexdigest()


def _micro(gold, pred, lang, which):
    from spinscope.evaluation.metrics import score_multilabel
    from spinscope.taxonomy import TECHNIQUE_NAMES

    keys = [k for k in gold if which in ("all", lang[k[0]])]
    return score_multilabel({k: gold[k] for k in keys}, {k: pred[k] for k in keys}, TECHNIQUE_NAMES).micro_f1


def _analysis(pipeline, aid, text, lang):
    from spinscope.ingest import article_from_text

    return pipeline(article_from_text(text, article_id=aid, language=lang, clean=False))


def _detected(analysis):
    return {p.paragraph.index: tuple(s.technique for s in p.detected) for p in analysis.paragraphs}


def _slice_predictions(pipeline, corpus, chosen):
    """Gold and predicted label sets for: paragraphs, sentence lines, the encoder alone on sentences,
    the article as a whole (gold: the labels of any of its paragraphs), the sentence lines by
    the line context (gold: the labels of the paragraph each sentence was cut from), the
    paragraphs by the paragraph decisions, and the sentence lines cut keeping a blank line
    between paragraphs, as ``semeval predict`` labels them (gold as for the line context)."""
    from spinscope.detect.block_labels import SLOT as BLOCKS
    from spinscope.detect.block_labels import BlockLabelsDetector
    from spinscope.detect.linear import sigmoid
    from spinscope.detect.paragraph_labels import SLOT, ParagraphLabelsDetector
    from spinscope.detect.transformer import sentence_units
    from spinscope.evaluation.semeval import paragraph_labels
    from spinscope.pipeline import Pipeline
    from spinscope.segment import paragraphs
    from spinscope.taxonomy import TECHNIQUE_NAMES

    with_labels = Pipeline(pipeline.model, [*pipeline.detectors, ParagraphLabelsDetector(pipeline.model),
                                            BlockLabelsDetector(pipeline.model)])
    lang = {p.article: p.language for p in corpus.paragraphs}
    gold = {"paragraphs": {(p.article, p.index): p.labels for p in corpus.paragraphs if p.article in set(chosen)},
            "sentences": {}, "articles": {}, "line_context": {}}
    pred = {"paragraphs": {}, "sentences": {}, "encoder": {}, "articles": {}, "line_context": {},
            "paragraph_decisions": {}, "blocks": {}}
    for (aid, _), labels in gold["paragraphs"].items():
        gold["articles"][(aid, 0)] = tuple({*gold["articles"].get((aid, 0), ()), *labels})
    for aid in chosen:
        text = corpus.st3_texts[aid]
        analysis = _analysis(with_labels, aid, text, lang[aid])
        found = _detected(analysis)
        pred["articles"][(aid, 0)] = tuple(t.technique for t in analysis.detected_techniques)
        pred["paragraphs"] |= {k: found.get(k[1], ()) for k in gold["paragraphs"] if k[0] == aid}
        as_task = dict(analysis.extensions[SLOT])
        pred["paragraph_decisions"] |= {k: as_task.get(k[1], ()) for k in gold["paragraphs"] if k[0] == aid}
        paras = paragraphs(text)
        units, owner = sentence_units(text, paras)
        spans = [s for s in corpus.spans if s.article == aid]
        lines = "\n".join(" ".join(text[u.start:u.end].split()) for u in units)
        lines_analysis = _analysis(pipeline, aid, lines, lang[aid])
        found_lines = _detected(lines_analysis)
        in_context = paragraph_labels(lines_analysis, pipeline.model.line_context, pipeline.model.techniques.labels, None)
        blocks = "\n\n".join("\n".join(" ".join(text[u.start:u.end].split()) for u, o in zip(units, owner, strict=True)
                                        if o == row) for row in dict.fromkeys(owner))
        blocks_analysis = _analysis(with_labels, aid, blocks, lang[aid])
        by_block = dict(blocks_analysis.extensions[BLOCKS]) or paragraph_labels(
            blocks_analysis, pipeline.model.line_context, pipeline.model.techniques.labels, None)
        block_line = [p.paragraph.index for p in blocks_analysis.paragraphs]
        logits = pipeline.model.encoder.run(text, units).logits
        for row, u in enumerate(units):
            key = (aid, row + 1)
            gold["sentences"][key] = tuple({s.technique for s in spans if s.start < u.end and s.end > u.start})
            pred["sentences"][key] = found_lines.get(row + 1, ())
            gold["line_context"][key] = gold["paragraphs"].get((aid, paras[owner[row]].index), ())
            pred["line_context"][key] = in_context.get(row + 1, ())
            pred["blocks"][key] = by_block.get(block_line[row], ())
            pred["encoder"][key] = tuple(n for n, x in zip(TECHNIQUE_NAMES, sigmoid(logits[row]), strict=True)
                                         if x >= ENCODER_ALONE_THRESHOLD)
    return gold, pred, lang


@needs_shared_data()
def test_shipped_transformer_on_a_fixed_test_slice(pipeline):
    corpus, chosen, digest = _slice()
    assert digest == SLICE_SHA256, "evaluation slice changed: re-measure and re-pin"
    assert pipeline.model.kind == "transformer"
    gold, pred, lang = _slice_predictions(pipeline, corpus, chosen)
    drops, measured = {}, {}
    for name, g, pins in (("paragraphs", gold["paragraphs"], SHIPPED_PINNED),
                          ("sentences", gold["sentences"], SENTENCE_LINES_PINNED),
                          ("encoder", gold["sentences"], ENCODER_ALONE_PINNED),
                          ("articles", gold["articles"], ARTICLES_PINNED),
                          ("line_context", gold["line_context"], LINE_CONTEXT_PINNED),
                          ("paragraph_decisions", gold["paragraphs"], PARAGRAPH_DECISIONS_PINNED),
                          ("blocks", gold["line_context"], BLOCKS_PINNED)):
        for which, floor in pins.items():
            f1 = measured[(name, which)] = round(_micro(g, pred[name], lang, which), 4)
            if f1 < floor:
                drops[(name, which)] = (f1, floor)
    print("measured on the slice:", measured)
    assert not drops, f"techniques micro-F1 below pinned minimums on the slice (got, pinned): {drops}"


# Check-worthiness: the head's recorded debate-held-out CLEF 2019 MAP (re-measured by
# `spinscope train --model claims` and bench/claims.py) and its quality on our own news
# sentences, recomputed here with the shipped head. Pins are measured minus a margin.
CLAIMS_DATA = SHARED_DATA.parent
CLAIMS_PINNED = {"clef2019_cv_map": 0.20, "news_ap": 0.90, "news_f1": 0.85}


@needs_shared_data()
def test_claims_head_quality_does_not_drop(pipeline):
    import numpy as np

    from spinscope.detect.artifacts import MODELS_DIR, read_manifest
    from spinscope.evaluation.claims import average_precision
    from spinscope.training.claims import data_hash
    from tests.conftest import FIXTURES

    recorded = read_manifest(MODELS_DIR / "transformer")["claims"]
    files = [*(CLAIMS_DATA / "claimbuster").glob("*.csv"), *(CLAIMS_DATA / "clef2019-checkworthy" / "training").glob("*.tsv")]
    assert recorded["data_sha256"] == data_hash(files), "claims data changed: retrain and re-pin"
    assert recorded["clef2019_cv_map"] >= CLAIMS_PINNED["clef2019_cv_map"]
    rows = [r.split("\t") for r in (FIXTURES / "claims-news.tsv").read_text().splitlines() if r and r[0] != "#"]
    y = np.array([int(r[0]) for r in rows])
    detector = pipeline.detector("claims")
    p = detector.score_texts([r[1] for r in rows], news=True)
    pred = p >= detector.head.threshold
    f1 = 2 * (pred & (y == 1)).sum() / (pred.sum() + y.sum())
    assert average_precision(p, y) >= CLAIMS_PINNED["news_ap"] and f1 >= CLAIMS_PINNED["news_f1"], (average_precision(p, y), f1)


# The news calibration on the test split of our hand-labelled SemEval sentences (other articles
# than those it was fitted on), recomputed with the shipped model (about 10 s). Measured minus a margin.
NEWS_PINNED = {"f1": 0.68, "ap": 0.80}


@needs_shared_data()
def test_claims_news_calibration_quality_does_not_drop():
    import hashlib

    import numpy as np

    from spinscope.detect.artifacts import MODELS_DIR, read_manifest
    from spinscope.detect.claims import ClaimsHead, mood
    from spinscope.evaluation.claims import average_precision
    from spinscope.training.claims import NEWS_LABELS, news_rows, prf, read_news_labels

    model = MODELS_DIR / "transformer"
    recorded = read_manifest(model)["claims"]["news"]
    assert recorded["data_sha256"] == hashlib.sha256(NEWS_LABELS.read_bytes()).hexdigest(), "labels changed: refit"
    head = ClaimsHead.load(model)
    rows = news_rows(model, SHARED_DATA, read_news_labels())
    q = np.where(rows.found, head.calibrated(rows.raw, rows.texts), 0.0)
    test = rows.split == "test"
    statement = np.array([mood(t) == "statement" for t in rows.texts])
    f1 = prf((q[test] >= head.threshold) & statement[test], rows.y[test])["f1"]
    ap = average_precision(q[test], rows.y[test])
    assert f1 >= NEWS_PINNED["f1"] and ap >= NEWS_PINNED["ap"], (f1, ap)


# Attribution: token-level F1 per role on PolNeAR dev, recomputed with the shipped tagger (2 s),
# and the source-kind rules on our hand-labelled dev sources. Measured minus a margin.
POLNEAR = SHARED_DATA.parent / "polnear"
ATTRIBUTION_PINNED = {"SRC": 0.68, "CUE": 0.55, "CON": 0.79, "kind_accuracy": 0.93, "vague_f1": 0.77}


@needs_shared_data()
def test_attribution_quality_does_not_drop():
    from pathlib import Path

    from spinscope.detect.artifacts import MODELS_DIR
    from spinscope.detect.attribution import kind_of
    from spinscope.training.attribution import dev_scores, load_split

    scores = dev_scores(POLNEAR, MODELS_DIR / "transformer")
    for role in ("SRC", "CUE", "CON"):
        assert scores[role]["f1"] >= ATTRIBUTION_PINNED[role], (role, scores[role])
    labels = Path(__file__).parents[1] / "bench" / "labels" / "polnear-dev-source-kinds.tsv"
    texts = {stem: text for stem, text, _ in load_split(POLNEAR, "dev")}
    rows = [r.split("\t") for r in labels.read_text(encoding="utf-8").splitlines() if r and not r.startswith("#")]
    gold = [r[3] for r in rows]
    pred = [kind_of(texts[r[0]], int(r[1]), int(r[2])) for r in rows]
    accuracy = sum(g == p for g, p in zip(gold, pred, strict=True)) / len(rows)
    tp = sum(g == p == "vague" for g, p in zip(gold, pred, strict=True))
    vague_f1 = 2 * tp / (gold.count("vague") + pred.count("vague"))
    assert accuracy >= ATTRIBUTION_PINNED["kind_accuracy"] and vague_f1 >= ATTRIBUTION_PINNED["vague_f1"], (accuracy, vague_f1)


# Genre on news from outside SemEval: the share of PolNeAR's dev articles (hard news; never used
# in training, unlike its train split) that the shipped transformer calls reporting. v4.3 called
# 17%; measured on v4.4 minus a margin.
NEWS_REPORTING_PINNED = 0.80


@needs_shared_data()
def test_news_reporting_is_recognised():
    from spinscope.detect.genre import genre_label
    from spinscope.detect.transformer import TransformerModel
    from spinscope.pipeline import MODELS_DIR
    from spinscope.segment import paragraphs
    from spinscope.taxonomy import GENRE_NAMES
    from spinscope.training.attribution import load_split

    model = TransformerModel.load(MODELS_DIR / "transformer")
    calls = [genre_label(model.predict(text, paragraphs(text), "en").genre, GENRE_NAMES, model.satire_floor)
             for _, text, _ in load_split(POLNEAR, "dev")]
    share = calls.count("reporting") / len(calls)
    assert len(calls) == 84 and share >= NEWS_REPORTING_PINNED, share
