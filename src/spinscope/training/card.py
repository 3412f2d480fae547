"""The one model-card writer: every saved model carries a card generated from its manifest.

Hugging Face style: YAML front matter (language, licence, datasets, metrics, base model)
then provenance, method, scores and limits. The method and limits differ by ``kind``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

LANGUAGES = ("en", "fr", "de", "it", "pl", "ru")

METHOD = {
    "classic": [
        "Word 1-2-gram and character 3-5-gram TF-IDF features (one vocabulary), linear",
        "one-vs-rest heads for techniques (with down-weighted neighbouring-paragraph",
        "features) and frames, a multinomial head for genre. Scores are Platt-calibrated",
        "and each label has its own threshold, chosen on out-of-fold scores.",
    ],
    "transformer": [
        "multilingual-e5-small (12 layers, hidden 384) fine-tuned jointly on all six training",
        "languages with two heads on one forward pass: a paragraph head (mean-pooled, 23",
        "techniques) and a token head (23 techniques, trained on the gold character spans).",
        "Training adds re-segmented copies of paragraphs (single sentences, and pairs of",
        "adjacent paragraphs merged) labelled from the gold spans, for robustness to how a",
        "source splits its text, and reads the text as the encoder does at run time (the",
        "configuration's `mask`). The recipe was chosen among fine-tuning variants on the",
        "validation fold (see the ablation table below).",
        "",
        "At run time every article is read sentence by sentence, whatever its line breaks.",
        "Per sentence and technique, a logistic regression over the encoder's logit, the",
        "classical model's score for the same sentence, the sentence length, the language and",
        "(from v4.7) a sentence head's score gives a calibrated probability; one threshold",
        "applies to all techniques, and a",
        "paragraph's score is its strongest sentence's. These regressions and the threshold",
        "were fitted on the validation fold's sentences (the threshold on out-of-fold",
        "probabilities). The sentence head is three small networks (one hidden layer of 512",
        "units) on each sentence's pooled encoder vector, averaged, trained on the training",
        "fold's sentences (decisions `sentence_head`). From v5.1 the regression also reads an",
        "attention head: three networks that attend over the sentence's token states (the last",
        "and a middle layer's), trained on the same sentences (decisions `attention_head`).",
        "Whether the article as a whole uses a technique is one logistic",
        "regression on the logits of the noisy-OR of its sentence probabilities and of its",
        "strongest sentence's (from v4.6), fitted on the validation fold's articles, never below",
        "the strongest sentence, with its own threshold (decisions `article`). Genre and frame heads",
        "are logistic regressions on the mean of the article's sentence vectors, blended with",
        "the classical model's (weights chosen on the validation fold). The genre head balances",
        "the classes within each language, and its blend weight is chosen on macro-F1 with the",
        "classes weighed as if equally frequent. From v4.4 it also learns PolNeAR's training",
        "articles (hard news from seven US publishers) as English reporting, at the weight chosen",
        "on validation (decisions `genre_news`); PolNeAR's dev articles stay out, as the check.",
        "",
        "SemEval labels paragraphs. For text cut one sentence per line, `semeval predict --lines",
        "sentences` (or `auto`) labels each line with what the paragraph it was cut from shows:",
        "per technique, a logistic regression over the logits of the line's own probability and of",
        "the strongest line one and two lines away, fitted on the validation fold's sentences",
        "against their paragraphs' labels (from v4.8, `context.npz`; decisions `line_context`).",
        "Paragraph lines get the paragraph decisions (from v4.9, `context.npz`; decisions",
        "`paragraph_decisions`): the article decisions' recipe, the noisy-OR of the paragraph's",
        "sentence probabilities and its strongest sentence's, fitted on the validation fold's",
        "paragraphs against their labels. The analysis itself uses neither: there a paragraph",
        "shows a technique where one of its sentences does.",
        "",
        "The encoder reads each masked name as one stand-in word, `Name`, whatever the name's",
        "length (decisions `mask`): with `names` the listed countries, groups, parties and",
        "politicians of `detect/names.py`; with `proper_nouns` every capitalised name and every",
        "word in capitals only (\"PKK\"; not a Roman numeral, nor a word the article also writes",
        "in lowercase) as well; in German, which capitalises every noun, only capitalised words",
        "that no noun lexicon lists. The classical model's score reads proper nouns as blanks.",
        "Until 2026-12-06 the stand-in was as long as the name (\"Nm\", \"Nme\" for shorter",
        "ones) and words in capitals were read as written; the encoder and heads of models up to",
        "v4.9 were fitted so (v4.9's paragraph decisions on the new view).",
        "Heads and the claims head are fitted on the same views.",
    ],
}

LIMITS = {
    "classic": [
        "- English training articles are 88% opinion; expect lower quality on news reporting. The model's",
        "  own genre head (fallback-genre.npz, when present) learns hard news and calls reporting far more",
        "  often, at the price of opinion: see its cross-validated rows.",
        "- Satire has few examples in every language; genre calls of satire are unreliable.",
        "- Spans are located from the paragraph decision and the words that weigh most for the",
        "  technique; they are a pointer for the reader, not a trained span model.",
        "- Languages without training data (e.g. es, el, ka) get the same multilingual model with a warning.",
    ],
    "transformer": [
        "- English training articles are 88% opinion. With hard news added as reporting, the genre",
        "  head recognises most news reporting, but it also calls many of SemEval's English opinion",
        "  articles reporting (bench/shift.py, genre confusion): in English it tells the two apart poorly.",
        "- Satire has few examples; genre calls of satire are unreliable.",
        "- Four techniques have no English training example; they are learnt from other languages only.",
        "- Languages without training data (es, el, ka, ...) get the multilingual model with a warning.",
        "- German capitalises every noun: a name that is also a common noun, or ends in one, is not",
        "  masked there, so decisions can still move when one is swapped in (`bench/neutrality.py --unlisted`).",
    ],
}


def metrics_table(metrics: dict[str, dict[str, dict[str, float]]]) -> list[str]:
    """Markdown rows for ``{task: {language: {micro_f1, macro_f1, n}}}``."""
    lines = ["| task | language | micro-F1 | macro-F1 | items |", "|---|---|---|---|---|"]
    for task, rows in metrics.items():
        for lang, r in rows.items():
            lines.append(f"| {task} | {lang} | {r['micro_f1']:.3f} | {r['macro_f1']:.3f} | {r['n']} |")
    return lines


def front_matter(m: dict[str, Any]) -> list[str]:
    licence = str(m["licence"]).split(" ", 1)[0].lower()
    lines = ["---", "language:", *[f"- {lang}" for lang in LANGUAGES], f"license: {licence}",
             "library_name: spinscope", "datasets:", "- semeval-2023-task-3",
             "metrics:", "- micro-f1", "- macro-f1", "tags:", "- persuasion-techniques", "- framing", "- news-genre"]
    if m["kind"] == "transformer":
        lines.append("base_model: intfloat/multilingual-e5-small")
    return [*lines, "---", ""]


def model_card(m: dict[str, Any]) -> str:
    kind = m["kind"]
    what = "per paragraph and per token span" if kind == "transformer" else "per paragraph"
    lines = [
        *front_matter(m),
        f"# {m['name']} v{m['version']} ({kind})",
        "",
        f"Persuasion techniques (23, {what}), frames (14) and genre (3) for news articles,",
        "trained by `spinscope train` on the SemEval-2023 Task 3 training data.",
        "",
        "## Provenance",
        *[f"- {k.replace('_', ' ')}: {v}" for k, v in m.get("source", {}).items()],
        f"- Training data: {m['training_data']['source']}; sha256 `{m['training_data']['sha256']}`.",
        f"- {m['training_data']['articles_subtasks_1_2']} articles (genre, frames), "
        f"{m['training_data']['paragraphs_subtask_3']} paragraphs (techniques).",
        f"- Licence: {m['licence']}.",
        f"- Training time: {m['training_seconds']} s on the machine that produced it.",
        "",
        "## Method",
        *METHOD[kind],
        "",
    ]
    if m.get("decisions"):
        lines += [f"Sentence decisions: `{m['decisions']}`", ""]
    if m.get("split"):
        s = m["split"]
        lines += [f"Split: {s['rule']}; test fold {s['test_fold']}, validation fold {s['validation_fold']}, "
                  f"training folds {s['train_folds']}.", ""]
    lines += [f"Configuration: `{m['config']}`", ""]
    if "test_metrics" in m:
        lines += ["## Test-fold scores (never used for any choice)", "", *metrics_table(m["test_metrics"])]
    if "cv_metrics" in m:
        lines += ["## Cross-validation", f"Protocol: {m['cv_protocol']}.", "", *metrics_table(m["cv_metrics"])]
    if m.get("ablation"):
        a = m["ablation"]
        cols = ("para_all", "para_en", "sent_all", "sent_en", "sent_rep", "score")
        lines += ["", "## Encoder ablation (validation fold)", "", a["how"], "",
                  "| variant | what changes | " + " | ".join(cols) + " |", "|---" * (len(cols) + 2) + "|",
                  *[f"| {name} | {r['what']} | " + " | ".join(f"{r[c]:.3f}" for c in cols) + " |"
                    for name, r in a["variants"].items()],
                  "", f"Shipped: {a['shipped']}."]
    if m.get("graph"):
        lines += ["", "## Graph", "", m["graph"]["how"]]
    if m.get("calibration"):
        c = m["calibration"]
        lines += ["", "## Calibration", "", c["how"], ""]
        if c.get("article_ece"):
            a, bound = c["article_ece"], c["article_ece_if_calibrated"]
            lines += ["Beside it, the article probabilities' ECE (article x technique pairs) and the most a perfectly",
                      "calibrated model would show on as many pairs (95th percentile, labels drawn from its own",
                      "probabilities): few articles per language make this one noisy.", "",
                      "| language | sentence ECE | article ECE | calibrated article ECE <= |", "|---|---|---|---|",
                      *[f"| {lang} | {v:.4f} | {a[lang]:.4f} | {bound[lang]:.4f} |" for lang, v in c["ece"].items()
                        if lang in a]]
        else:
            lines += ["| language | ECE |", "|---|---|", *[f"| {lang} | {v:.4f} |" for lang, v in c["ece"].items()]]
    if m.get("claims"):
        c = m["claims"]
        lines += ["", "## Check-worthiness head (claims.npz)", "",
                  f"Data: {c['data']}; sha256 `{c['data_sha256']}`; {c['sentences']} sentences.",
                  f"Features: {c['features']}. Threshold {c['threshold']:.2f} ({c['threshold_rule']}).",
                  f"ClaimBuster out-of-fold F1 {c['claimbuster_oof_f1']:.3f}; CLEF CheckThat! 2019 Task 1 MAP "
                  f"{c['clef2019_cv_map']:.4f} with each training debate held out in turn."]
        if c.get("news"):
            n = c["news"]
            lines += ["", f"News calibration: a logistic regression over {', '.join(n['features'])}, fitted on the "
                      f"calibration split of {n['data']}; sha256 `{n['data_sha256']}`; "
                      f"{n['calibration_sentences']} sentences. Threshold {n['threshold']:.2f} ({n['threshold_rule']}).",
                      "", "| test split, news sentences | precision | recall | F1 | average precision |", "|---|---|---|---|---|",
                      *[f"| {name} | {r['precision']:.3f} | {r['recall']:.3f} | {r['f1']:.3f} | {r['ap']:.3f} |"
                        for name, r in (("news-calibrated", n["test"]),
                                        (f"debate head at {c['threshold']:.2f}", n["test_debate_head"]))],
                      "", f"{n['test_sentences']} test sentences from other articles than the calibration split."]
        lines += [f"Licence: {c['licence']}."]
    if m.get("fallback_genre"):
        g, n = m["fallback_genre"], m["fallback_genre"]["news"]
        lines += ["", "## Its own genre head (fallback-genre.npz)", "",
                  "Used when this model runs alone (`--model classic`); the `genre` head in weights.npz stays the",
                  "transformer's blend partner, as it was fitted. It also learns hard news as English reporting:",
                  f"{n['source']}; sha256 `{n['sha256']}`; {n['articles']} articles, {n['validation_articles']} more",
                  f"held out for choosing. C {g['c']:g} and news weight {g['news_weight']:g} (times one English class)",
                  "were chosen together by the mean class-balanced macro-F1 over the languages' out-of-fold",
                  f"predictions and the held-out news: {g['cv_scores']}. Its cross-validated scores are the",
                  f"`fallback_genre` rows above. Licence of the news: {n['licence']}."]
        if g.get("language_offsets"):
            lines += ["", "Per-language offsets on its reporting decision value (`language_offsets`, from v3.2):",
                      f"{g['language_offsets']}. Its classes are balanced over the languages pooled, so a language",
                      "with more reporting than the pool leaned to reporting whatever the text (Russian was called",
                      "reporting 96% of the time out of fold). Each offset makes the share of the language's",
                      "out-of-fold articles called reporting match the share of reporting among them; English has",
                      "none (its reporting is set by the news). The rows above apply them out of fold, each fold's",
                      "offsets chosen on the other folds."]
    if m.get("partner_techniques"):
        lines += ["", "## Sentence techniques head (partner-techniques.npz)", "",
                  "The transformer's sentence decisions read this head, not the paragraph head: the same features",
                  "and recipe, trained on every labelled article's sentences, each labelled with the techniques whose",
                  "gold span overlaps it, with its neighbouring sentences as context. The model alone",
                  "(`--model classic`) keeps its paragraph head. Its cross-validated sentence scores are the",
                  "`partner_techniques` rows above."]
    if m.get("attribution"):
        a = m["attribution"]
        lines += ["", "## Attribution tagger (attribution.npz, attribution.json)", "",
                  f"Data: {a['data']}; sha256 `{a['data_sha256']}`. Method: {a['method']}.",
                  "PolNeAR dev, token-level: " + "; ".join(
                      f"{r} P {s['precision']:.3f} R {s['recall']:.3f} F1 {s['f1']:.3f}"
                      for r, s in a["dev_token_scores"].items()) + ".",
                  f"Licence: {a['licence']}."]
    lines += ["", "## Label problems found in the training data"]
    problems = m.get("label_problems") or []
    lines += [f"- `{p['label']}` ({p['where']}): " + (f"repaired to `{p['repaired_to']}`" if p["repaired_to"]
                                                      else "dropped") for p in problems] or ["- none"]
    return "\n".join([*lines, "", "## Limits", *LIMITS[kind], ""])


def write_card(path: Path, manifest: dict[str, Any]) -> None:
    (path / "MODEL_CARD.md").write_text(model_card(manifest), encoding="utf-8")
