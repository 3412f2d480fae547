"""Quality under the shifts real input brings: segmentation, genre, language; and calibration.

Usage: python bench/shift.py [--data ../shared/data/semeval2023] [--polnear ../shared/data/polnear]
                             [--png artifacts/reliability.png] [--json F] [--model DIR] [--skip-lolo]
                             [--lang en ...]

Everything is scored on the test fold (fold 0), never used for a choice, but for two tables that
cross-fit the test and validation folds (the last of items 1 and 6; JSON ``crossfit_lines`` and
``crossfit_articles``, and per technique ``per_technique``). Each techniques and frames F1 has a 95%
percentile bootstrap interval that resamples articles (JSON: the key with ``_f1_95``; for the
genre macro-F1 of the transformer and the fallback, ``transformer_95`` and ``classic_95``):
the reporting slices hold a handful of articles, and the interval says how far apart two figures
must be before they differ. Tables:

1. techniques per language, precision / recall / micro-F1, with the test fold
   - as it is (one paragraph per line),
   - re-segmented one sentence per line (gold labels per sentence from the gold spans),
   - its reporting articles only,
   - paragraphs as given again: the strongest sentence (the analysis' detections) and the
     paragraph decisions (``detect.paragraph_labels``: ``semeval predict`` on paragraph lines),
   - one sentence per line again, each sentence scored against its paragraph's labels (SemEval
     labels paragraphs; cut into sentences, each keeps them): the sentence decisions, and the
     line context (``detect.decisions.LineContext``: ``semeval predict --lines sentences``),
     and the line context on the reporting articles alone (the held-out English is mostly
     reporting, cut one sentence per line); and the line context over the test and validation
     folds together, each fold's decisions fitted on the other (three times as many English
     reporting articles: 18); beside it, the same lines cut keeping a blank line between
     paragraphs, as ``semeval predict`` labels them: by their paragraph's decisions where the
     blocks read as paragraphs (``detect.block_labels``), by the line context elsewhere (JSON
     ``blocks`` and ``blocks_reporting``, and ``n_articles_read_as_blocks``),
   - the labels a line the line context calls and gold holds on the test fold (JSON
     ``per_line``), beside the labels a line it gives SemEval's unlabelled test articles cut
     one sentence per line (``unlabelled_lines``: they cannot be scored, but a density far
     from the test fold's shows the shift);
2. agreement: the same articles analysed as paragraphs and as one sentence per line,
   the sentence lines' labels mapped back to their paragraphs; and per article, whether
   the techniques of the article as a whole, the frames and the genre label are the same;
3. leave-one-language-out: the sentence decisions and the genre head refitted without
   a language and scored on it. The encoder itself was fine-tuned on all six languages
   (a true held-out-language encoder needs one fine-tuning per language);
4. genre macro-F1 and confusion matrix, and the classical fallback next to the baseline,
   on the test fold and on the validation and test folds together (JSON ``genre_both_folds``;
   the blend weight was chosen on validation), with the English macro-F1 expected on a set
   that is mostly reporting, as the held-out English is (each class's rates carried over);
   the same macro-F1 with the classes weighed as if equally frequent (the head's blend
   weight is chosen on that, on the validation fold); and news from outside SemEval:
   the share of PolNeAR's dev articles (US political news from 7 publishers, 2016,
   nearly all reporting; its train split teaches the genre head since v4.4, never its dev
   split) called each genre by the blend, the fallback and the baseline (fitted on the
   English training folds), as they come and one sentence per line; and the share of
   SemEval's unlabelled test articles (nine languages) called each genre;
5. expected calibration error per language (10 bins) on the test fold's sentences,
   and a reliability diagram (PNG) when matplotlib is installed; next to each ECE, the
   largest (95th percentile) a perfectly calibrated model would show on as many pairs,
   so an excess that is only sampling noise reads as such;
6. the article as a whole: the techniques each article uses (gold: those of any of its
   paragraphs), found as the union of the sentence decisions and by the article
   decisions (``detect.decisions.ArticleDecisions``), with the article probabilities' ECE
   and the same bound for it; and the article decisions over the test and validation folds
   together, each fold's decisions fitted on the other (twice as many articles a language:
   a calibration figure on 14-34 articles moves with the sample);
7. frames per language, precision / recall / micro-F1 and frames per article, on all test
   articles and on the reporting ones alone;
8. per technique, over the test and validation folds cross-fitted as in 6: how many of its
   gold sentences (span labels) the sentence decisions find, and how many of its gold articles
   the article decisions find, beside how many each calls (JSON ``per_technique``).
"""

from __future__ import annotations

import argparse
import copy
import dataclasses
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from baseline import fit_predict
from genre_cv import expected_macro
from output import finish

from spinscope.detect.classic import ClassicModel
from spinscope.detect.decisions import ArticleDecisions, SentenceDecisions
from spinscope.detect.genre import genre_label
from spinscope.detect.transformer import TransformerModel
from spinscope.evaluation.metrics import macro_f1_interval, micro_f1_interval, score_single_label
from spinscope.pipeline import MODELS_DIR, Pipeline
from spinscope.segment import paragraph_blocks, paragraphs, sentences
from spinscope.taxonomy import FRAME_NAMES, GENRE_NAMES, TECHNIQUE_NAMES
from spinscope.training import classic, genre_news, transformer_heads
from spinscope.training.corpus import load_corpus
from spinscope.training.decisions import fit_sentence_decisions
from spinscope.training.transformer import restrict, split_of
from spinscope.training.transformer_card import record_calibration
from spinscope.types import Analysis, Article

LANGS = ("en", "fr", "de", "it", "pl", "ru")


def present(langs) -> tuple[str, ...]:
    """The languages among ``langs``, in LANGS order: tables cover what was loaded (--lang)."""
    langs = set(langs)
    return tuple(x for x in LANGS if x in langs)
ECE_HOW = ("Expected calibration error of the sentence probabilities on the test fold's sentences, "
           "10 equal-width bins over all sentence x technique pairs (bench/shift.py; the test fold "
           "was never used for fitting).")


def prf(D: np.ndarray, Y: np.ndarray) -> tuple[float, float, float]:
    tp, pp, gp = float((D & Y).sum()), float(D.sum()), float(Y.sum())
    p, r = (tp / pp if pp else 0.0), (tp / gp if gp else 0.0)
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


# Beside each P / R / F1 ``key``: ``key + INTERVAL``, the F1's 95% bootstrap interval resampling articles.
INTERVAL = "_f1_95"


def scored(key: str, D: np.ndarray, Y: np.ndarray, arts: np.ndarray) -> dict:
    """``{key: (P, R, F1), key_f1_95: (low, high)}``: a slice of five articles is five draws, not 200 lines."""
    return {key: prf(D, Y), key + INTERVAL: micro_f1_interval(D, Y, arts)}


@dataclasses.dataclass
class Rows:
    """Test-fold sentence rows: probabilities, gold, article, language, genre, paragraph number."""

    P: np.ndarray
    Y: np.ndarray
    art: np.ndarray
    lang: np.ndarray
    genre: np.ndarray
    para: np.ndarray


def sentence_rows(corpus, out, model: TransformerModel, decisions: SentenceDecisions | None = None,
                  split: str = "test") -> Rows:
    X, Y, arts = transformer_heads.sentence_rows(corpus, out, split, model.sentence_head, model.attention_head)
    P = (decisions or model.decisions).probabilities(X)
    genre = {a.id: a.genre or "" for a in corpus.articles}
    para = np.concatenate([[s.paragraph for s in sentences(corpus.st3_texts[a], paragraphs(corpus.st3_texts[a]))]
                           for a in sorted(set(arts))])
    return Rows(P, Y, arts, np.array([out.languages[a] for a in arts]), np.array([genre.get(a, "") for a in arts]),
                para)


def by_paragraph(D: np.ndarray, Y: np.ndarray, rows: Rows, keep: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Union of sentence decisions (and gold) per paragraph."""
    keys = list(zip(rows.art[keep], rows.para[keep], strict=True))
    index = {k: i for i, k in enumerate(dict.fromkeys(keys))}
    d = np.zeros((len(index), D.shape[1]), bool)
    y = np.zeros_like(d)
    for k, dr, yr in zip(keys, D[keep], Y[keep], strict=True):
        d[index[k]] |= dr
        y[index[k]] |= yr
    return d, y


def technique_tables(rows: Rows, t: float, corpus) -> dict:
    """Sentence lines, paragraphs (native) and reporting-only, per language."""
    D = rows.P >= t
    gold_para = {(p.article, p.index): set(p.labels) for p in corpus.paragraphs}
    out: dict = {}
    for lang in (*present(rows.lang), "all"):
        keep = (rows.lang == lang) if lang != "all" else np.ones(len(rows.Y), bool)
        d, _ = by_paragraph(D, rows.Y, rows, keep)
        keys = list(dict.fromkeys(zip(rows.art[keep], rows.para[keep], strict=True)))
        y = np.array([[n in gold_para.get(k, ()) for n in TECHNIQUE_NAMES] for k in keys])
        rep = keep & (rows.genre == "reporting")
        out[lang] = {**scored("sentences", D[keep], rows.Y[keep], rows.art[keep]),
                     **scored("paragraphs", d, y, np.array([k[0] for k in keys])),
                     **scored("reporting_sentences", D[rep], rows.Y[rep], rows.art[rep]), "n_sentences": int(keep.sum()),
                     "n_paragraphs": len(keys), "n_reporting": int(rep.sum())}
    return out


def paragraph_gold_table(rows: Rows, model: TransformerModel, corpus) -> dict:
    """Per language: sentence lines against the labels of each sentence's paragraph, for the
    sentence decisions and, where the model has one, its line context."""
    gold_para = {(p.article, p.index): set(p.labels) for p in corpus.paragraphs}
    Y = np.array([[n in gold_para.get((a, i), ()) for n in TECHNIQUE_NAMES] for a, i in zip(rows.art, rows.para, strict=True)])
    own = rows.P >= model.decisions.threshold
    context = model.line_context
    if context is not None:
        lines = np.concatenate([context.probabilities(rows.P[rows.art == a]) for a in dict.fromkeys(rows.art)])
        found = lines >= context.threshold
    out: dict = {}
    for lang in (*present(rows.lang), "all"):
        keep = (rows.lang == lang) if lang != "all" else np.ones(len(rows.Y), bool)
        # The held-out English is mostly reporting cut one sentence per line: this slice is its nearest proxy.
        rep = keep & (rows.genre == "reporting")
        out[lang] = scored("sentence_decisions", own[keep], Y[keep], rows.art[keep])
        if context is not None:
            out[lang] |= scored("line_context", found[keep], Y[keep], rows.art[keep])
            out[lang] |= scored("line_context_reporting", found[rep], Y[rep], rows.art[rep])
            # Labels a line, called and in gold: to set beside ``unlabelled_lines``.
            out[lang]["per_line"] = {name: [round(float(found[m].sum(1).mean()), 3) if m.any() else None,
                                            round(float(Y[m].sum(1).mean()), 3) if m.any() else None]
                                     for name, m in (("all", keep), ("reporting", rep))}
        out[lang]["n_reporting_articles"] = len(set(rows.art[rep]))
    return out


def paragraph_decisions_table(rows: Rows, model: TransformerModel, corpus) -> dict:
    """Per language: paragraphs as given against their labels, for the strongest sentence (the
    analysis' own detections) and, where the model has them, the paragraph decisions
    (``detect.paragraph_labels``: ``semeval predict`` on paragraph lines)."""
    gold_para = {(p.article, p.index): set(p.labels) for p in corpus.paragraphs}
    keys = list(dict.fromkeys(zip(rows.art, rows.para, strict=True)))
    where = {k: i for i, k in enumerate(keys)}
    owner = np.array([where[k] for k in zip(rows.art, rows.para, strict=True)])
    groups = [rows.P[owner == i] for i in range(len(keys))]
    Y = np.array([[n in gold_para.get(k, ()) for n in TECHNIQUE_NAMES] for k in keys])
    top = np.stack([g.max(0) for g in groups]) >= model.decisions.threshold
    decisions = model.paragraph_decisions
    if decisions is not None:
        found = decisions.grouped(rows.P, owner, range(len(keys))) >= decisions.threshold
    lang = np.array([rows.lang[owner == i][0] for i in range(len(keys))])
    arts = np.array([k[0] for k in keys])
    out: dict = {}
    for x in (*present(lang), "all"):
        keep = (lang == x) if x != "all" else np.ones(len(keys), bool)
        out[x] = scored("strongest_sentence", top[keep], Y[keep], arts[keep])
        if decisions is not None:
            out[x] |= scored("paragraph_decisions", found[keep], Y[keep], arts[keep])
    return out


def article_table(rows: Rows, model: TransformerModel, corpus) -> dict:
    """Per language: the union of sentence decisions and, where the model has them, the article decisions."""
    ids = sorted(set(rows.art))
    gold = transformer_heads.article_gold(corpus, ids)
    union = np.stack([rows.P[rows.art == a].max(0) >= model.decisions.threshold for a in ids])
    article = model.article_decisions
    P = None if article is None else np.stack([article.probabilities(rows.P[rows.art == a]) for a in ids])
    lang = np.array([rows.lang[rows.art == a][0] for a in ids])
    out: dict = {}
    for x in (*present(lang), "all"):
        keep = (lang == x) if x != "all" else np.ones(len(ids), bool)
        row = {**scored("union_of_sentences", union[keep], gold[keep], np.array(ids)[keep]), "n_articles": int(keep.sum()),
               "gold_per_article": float(gold[keep].sum(1).mean()), "union_per_article": float(union[keep].sum(1).mean())}
        if P is not None:
            row |= article_row(P[keep], P[keep] >= article.threshold, gold[keep], np.array(ids)[keep])
        out[x] = row
    return out


def article_row(P: np.ndarray, found: np.ndarray, gold: np.ndarray, ids: np.ndarray) -> dict:
    """The article decisions' P / R / F1, labels per article and calibration, for one slice of articles."""
    return {**scored("article_decisions", found, gold, ids), "article_per_article": float(found.sum(1).mean()),
            "article_ece": ece(P, gold)[0], "article_ece_if_calibrated": ece_if_calibrated(P)}


def agreement(corpus, model: TransformerModel, articles: list[str]) -> dict[str, float]:
    """Analyse each article as it is and one sentence per line; compare paragraph label sets, and
    per article the detected article techniques, the detected frames and the genre label."""
    nlp = Pipeline(model)
    same = total = 0
    tp = fp_fn = 0
    whole = {"identical_article_techniques": 0, "identical_frame_sets": 0, "same_genre": 0}
    for aid in articles:
        text = corpus.st3_texts[aid]
        paras = paragraphs(text)
        native = nlp(Article(id=aid, text=text), language=corpus_language(corpus, aid))
        lines, owners = sentence_lines(text, paras)
        split = nlp(Article(id=aid, text="\n".join(lines)), language=corpus_language(corpus, aid))
        mapped: dict[int, set[str]] = {}
        for own, pt in zip(owners, split.paragraphs, strict=True):
            mapped.setdefault(own, set()).update(s.technique for s in pt.detected)
        whole["identical_article_techniques"] += detected_techniques(native) == detected_techniques(split)
        whole["identical_frame_sets"] += detected_frames(native) == detected_frames(split)
        whole["same_genre"] += native.genre.label == split.genre.label
        for pt in native.paragraphs:
            a = {s.technique for s in pt.detected}
            b = mapped.get(pt.paragraph.index, set())
            same += a == b
            total += 1
            tp += len(a & b)
            fp_fn += len(a ^ b)
    return {"paragraphs": total, "identical_label_sets": same / total if total else 0.0,
            "label_f1_agreement": 2 * tp / (2 * tp + fp_fn) if tp + fp_fn else 1.0,
            "articles": len(articles), **{k: v / len(articles) if articles else 0.0 for k, v in whole.items()}}


def detected_techniques(analysis: Analysis) -> set[str]:
    return {t.technique for t in analysis.techniques if t.detected}


def detected_frames(analysis: Analysis) -> set[str]:
    return {f.frame for f in analysis.frames if f.detected}


def corpus_language(corpus, aid: str) -> str:
    return next(p.language for p in corpus.paragraphs if p.article == aid)


def crossfit(corpus, out, model: TransformerModel, log) -> tuple[dict, dict, dict]:
    """The test and the validation fold together, each fold's sentence decisions, line context and
    article decisions fitted on the other. Neither fold taught the encoder or its heads, so this
    scores the recipe on three times as many English reporting articles, and twice as many articles
    a language, as the test fold holds (the first half refits the shipped recipe). Returns two
    tables: sentence lines against their paragraphs' labels, by the line context; and the article
    as a whole, with its calibration. The third, ``per_technique``, counts each technique's finds."""
    found, as_blocks, gold, scored_rows, own, taken = [], [], [], [], [], set()
    art_P, art_found, art_gold, art_ids = [], [], [], []
    for fit_on, score_on in (("validation", "test"), ("test", "validation")):
        X, Y, a = transformer_heads.sentence_rows(corpus, out, fit_on, model.sentence_head, model.attention_head)
        W, b, t, _ = fit_sentence_decisions(X, Y, a)
        decisions = SentenceDecisions(W.astype(np.float64), b.astype(np.float64), t)
        context = transformer_heads.fit_line_context_on(corpus, out, decisions, model.sentence_head, log, split=fit_on,
                                                       attention=model.attention_head)
        article = ArticleDecisions.from_array(
            transformer_heads.fit_article_decisions_on(corpus, out, decisions, model.sentence_head, log, split=fit_on,
                                                       attention=model.attention_head))
        paragraph = transformer_heads.fit_paragraph_decisions_on(corpus, out, decisions, model.sentence_head, log,
                                                                 attention=model.attention_head, split=fit_on)
        rows = sentence_rows(corpus, out, model, decisions, split=score_on)
        found.append(np.concatenate([context.probabilities(rows.P[rows.art == x]) for x in dict.fromkeys(rows.art)])
                     >= context.threshold)
        labels, read = block_decisions(rows, found[-1], paragraph, corpus)
        as_blocks.append(labels)
        taken |= read
        gold.append(transformer_heads.paragraph_gold_rows(corpus, out, score_on))
        scored_rows.append(rows)
        own.append(rows.P >= decisions.threshold)
        ids = sorted(set(rows.art))
        art_P.append(np.stack([article.probabilities(rows.P[rows.art == x]) for x in ids]))
        art_found.append(art_P[-1] >= article.threshold)
        art_gold.append(transformer_heads.article_gold(corpus, ids))
        art_ids.extend(ids)
    D, B, Y = np.concatenate(found), np.concatenate(as_blocks), np.concatenate(gold)
    art, lang, genre = (np.concatenate([getattr(r, f) for r in scored_rows]) for f in ("art", "lang", "genre"))
    lines: dict = {}
    for x in (*present(lang), "all"):
        keep = (lang == x) if x != "all" else np.ones(len(Y), bool)
        rep = keep & (genre == "reporting")
        lines[x] = {**scored("line_context", D[keep], Y[keep], art[keep]),
                    **scored("line_context_reporting", D[rep], Y[rep], art[rep]),
                    **scored("blocks", B[keep], Y[keep], art[keep]),
                    **scored("blocks_reporting", B[rep], Y[rep], art[rep]),
                    "n_articles": len(set(art[keep])), "n_reporting_articles": len(set(art[rep])),
                    "n_articles_read_as_blocks": len(set(art[keep]) & taken)}
    P, F, G, ids = np.concatenate(art_P), np.concatenate(art_found), np.concatenate(art_gold), np.array(art_ids)
    language = dict(zip(art, lang, strict=True))
    art_lang = np.array([language[a] for a in ids])
    articles: dict = {}
    for x in (*present(art_lang), "all"):
        keep = (art_lang == x) if x != "all" else np.ones(len(ids), bool)
        articles[x] = {**article_row(P[keep], F[keep], G[keep], ids[keep]), "n_articles": int(keep.sum()),
                       "gold_per_article": float(G[keep].sum(1).mean())}
    sentence_gold = np.concatenate([r.Y for r in scored_rows])
    return lines, articles, per_technique((np.concatenate(own), sentence_gold, lang), (F, G, art_lang))


def cut_keeping_paragraphs(text: str) -> str:
    """The text one sentence per line, a blank line between its paragraphs."""
    paras = paragraphs(text)
    sents = sentences(text, paras)
    return "\n\n".join("\n".join(text[s.start:s.end] for s in sents if s.paragraph == p.index) for p in paras)


def reads_as_blocks(text: str) -> bool:
    """Whether ``semeval predict`` reads the text, cut keeping its paragraphs, by its blank-line blocks."""
    cut = cut_keeping_paragraphs(text)
    paras = paragraphs(cut)
    return paragraph_blocks(paras, sentences(cut, paras)) is not None


def block_decisions(rows: Rows, context_found: np.ndarray, paragraph: ArticleDecisions,
                    corpus) -> tuple[np.ndarray, set[str]]:
    """Sentence lines of articles cut keeping a blank line between paragraphs, as ``semeval predict``
    labels them: each line gets its paragraph's decisions where ``detect.block_labels`` reads the
    blocks, and the line context (``context_found``, in ``rows``' order) where it does not; and the
    articles read as blocks."""
    out, read = context_found.copy(), set()
    for x in dict.fromkeys(rows.art):
        if not reads_as_blocks(corpus.st3_texts[x]):
            continue
        read.add(x)
        for p in np.unique(rows.para[rows.art == x]):
            m = (rows.art == x) & (rows.para == p)
            out[m] = paragraph.probabilities(rows.P[m]) >= paragraph.threshold
    return out, read


def per_technique(sentences: tuple, articles: tuple) -> dict:
    """Per language and technique, ``[found and gold, found, gold]``: sentences (the analysis' own
    decisions against each sentence's span labels) and articles (the article decisions). The micro-F1
    that the other tables give is carried by the frequent techniques; this shows the rare ones."""
    table: dict = {}
    for unit, (D, Y, lang) in (("sentences", sentences), ("articles", articles)):
        for x in (*present(lang), "all"):
            keep = (lang == x) if x != "all" else np.ones(len(lang), bool)
            d, y = D[keep], Y[keep].astype(bool)
            counts = np.stack([(d & y).sum(0), d.sum(0), y.sum(0)], 1)
            for name, c in zip(TECHNIQUE_NAMES, counts.tolist(), strict=True):
                table.setdefault(x, {}).setdefault(name, {})[unit] = c
    return table


def lolo(corpus, out, model: TransformerModel, log) -> dict:
    """Per language: sentence decisions and genre head fitted without it, scored on it (test fold)."""
    Xv, Yv, av = transformer_heads.sentence_rows(corpus, out, "validation", model.sentence_head, model.attention_head)
    lv = np.array([out.languages[a] for a in av])
    result = {}
    for lang in present(lv):
        W, b, t, _ = fit_sentence_decisions(Xv[lv != lang], Yv[lv != lang], av[lv != lang])
        rows = sentence_rows(corpus, out, model, SentenceDecisions(W.astype(np.float64), b.astype(np.float64), t))
        tab = technique_tables(rows, t, corpus)[lang]
        others = dataclasses.replace(corpus, articles=tuple(a for a in corpus.articles if a.language != lang))
        heads = transformer_heads.fit_article_heads(others, out, 13, lambda _m: None)
        genre = genre_predictions(corpus, out, model, heads, lang)
        result[lang] = {**tab, "genre_macro_f1": genre, "threshold": t}
        log(f"lolo {lang} done")
    return result


def genre_predictions(corpus, out, model: TransformerModel, heads: dict, lang: str) -> float:
    m = copy.copy(model)  # same encoder and decisions, other genre head
    m.genre = dataclasses.replace(model.genre, weights=heads["genre_W"], bias=heads["genre_b"])
    m.genre_blend, m.genre_offset = float(heads["genre_w"][0]), heads["genre_offset"]
    gold, pred = {}, {}
    for a in corpus.articles:
        if a.language == lang and a.genre and split_of(a.id) == "test" and a.id in out.docs:
            gold[a.id] = a.genre
            pred[a.id] = genre_label(transformer_heads.shipped_combine(m)(a.id, out, False).genre, GENRE_NAMES, m.satire_floor)
    return score_single_label(gold, pred, GENRE_NAMES).macro_f1


def sentence_lines(text: str, paras) -> tuple[list[str], list[int]]:  # noqa: ANN001 - paragraphs
    """The text one sentence per line (whitespace collapsed), and each line's paragraph number."""
    lines, owners = [], []
    for p in paras:
        for s in sentences(text, (p,)):
            lines.append(" ".join(text[s.start:s.end].split()))
            owners.append(p.index)
    return lines, owners


def news_genre(root: Path, model: TransformerModel, cls: ClassicModel, corpus) -> dict:  # noqa: ANN001 - a Corpus
    """Share of PolNeAR dev articles called each genre, by the blend, by the classical model alone and
    by the organisers' baseline fitted on the English training folds."""
    from spinscope.training.attribution import load_split

    texts = {stem: text for stem, text, _ in load_split(root, "dev")}
    train = [a for a in corpus.articles if a.language == "en" and a.genre and split_of(a.id) == "train"]
    lines = {stem: "\n".join(sentence_lines(text, paragraphs(text))[0]) for stem, text in texts.items()}
    result = {}
    for cut, docs in (("as given", texts), ("sentence lines", lines)):
        out = transformer_heads.Outputs({}, {}, {}, {}, {}, {}, {}, dict.fromkeys(docs, "en"))
        transformer_heads.run_all(model.encoder, cls, docs, out, st3=False)
        combine = transformer_heads.shipped_combine(model)
        # The fallback alone reads its own genre head, not the blend partner's in out.docs_classic.
        probs = {"transformer": [combine(a, out, False).genre for a in out.docs],
                 "classic": [cls.predict(docs[a], paragraphs(docs[a]), "en").genre for a in out.docs]}
        floors = {"transformer": model.satire_floor, "classic": cls.satire_floor}
        for name, rows in probs.items():
            calls = [genre_label(p, GENRE_NAMES, floors[name]) for p in rows]
            result[f"{name}, {cut}"] = shares(calls)
        result[f"baseline, {cut}"] = shares(fit_predict([a.text for a in train], [a.genre for a in train],
                                                        list(docs.values()), "genre", GENRE_NAMES))
    return result


def shares(calls: list[str]) -> dict:
    return {g: round(calls.count(g) / len(calls), 3) for g in GENRE_NAMES} | {"n": len(calls)}


def unlabelled_genre(root: Path, model: TransformerModel, cls: ClassicModel) -> dict:
    """Share of SemEval's unlabelled test articles (subtask 1, nine languages) that the blend calls
    each genre: what held-out input gets, though it cannot be scored here."""
    from spinscope.languages import normalize

    result = {}
    combine = transformer_heads.shipped_combine(model)
    for folder in sorted(p for p in root.iterdir() if (p / "test-articles-subtask-1").is_dir()):
        lang = normalize(folder.name)
        docs = {f.stem: f.read_text(encoding="utf-8") for f in sorted((folder / "test-articles-subtask-1").glob("*.txt"))}
        out = transformer_heads.Outputs({}, {}, {}, {}, {}, {}, {}, dict.fromkeys(docs, lang))
        transformer_heads.run_all(model.encoder, cls, docs, out, st3=False)
        calls = [genre_label(combine(a, out, False).genre, GENRE_NAMES, model.satire_floor) for a in out.docs]
        result[lang] = shares(calls)
    return result


def unlabelled_lines(root: Path, model: TransformerModel) -> dict:
    """Per language, the labels a line that the line context gives SemEval's unlabelled test
    articles (subtask 3) cut one sentence per line, as ``semeval predict --lines sentences``
    would, and the sentence decisions' own: how far held-out input moves the label density,
    to set beside the test fold's ``per_line`` (nothing here can be scored)."""
    from spinscope.languages import normalize

    context, result = model.line_context, {}
    if context is None:
        return result
    for folder in sorted(p for p in root.iterdir() if (p / "test-articles-subtask-3").is_dir()):
        lang = normalize(folder.name)
        lines = own = labels = 0
        for f in sorted((folder / "test-articles-subtask-3").glob("*.txt")):
            text = f.read_text(encoding="utf-8")
            paras = paragraphs(text)
            if not paras:
                continue
            P = model.predict(text, paras, lang).sentences
            lines += len(P)
            own += int((P >= model.decisions.threshold).sum())
            labels += int((context.probabilities(P) >= context.threshold).sum())
        if lines:
            result[lang] = {"lines": lines, "line_context_per_line": round(labels / lines, 3),
                            "sentence_decisions_per_line": round(own / lines, 3)}
    return result


def genre_report(corpus, out, model: TransformerModel, cls: ClassicModel, splits: tuple[str, ...] = ("test",)) -> dict:
    """Genre macro-F1 per language (transformer, fallback, baseline; official and class-balanced),
    the confusion matrices, and the English macro-F1 expected on a mostly-reporting set."""
    gold, ours, classic_pred, langs = {}, {}, {}, {}
    combine = transformer_heads.shipped_combine(model)
    for a in corpus.articles:
        if a.genre and split_of(a.id) in splits and a.id in out.docs:
            gold[a.id], langs[a.id] = a.genre, a.language
            ours[a.id] = genre_label(combine(a.id, out, False).genre, GENRE_NAMES, model.satire_floor)
            classic_pred[a.id] = GENRE_NAMES[int(np.argmax(cls.predict(a.text, paragraphs(a.text), a.language).genre))]
    base = {}
    for lang in present(langs.values()):
        tr = [a for a in corpus.articles if a.language == lang and a.genre and split_of(a.id) == "train"]
        te = [k for k in gold if langs[k] == lang]
        texts = {a.id: a.text for a in corpus.articles}
        base.update(zip(te, fit_predict([a.text for a in tr], [a.genre for a in tr], [texts[k] for k in te], "genre",
                                        GENRE_NAMES), strict=True))
    table = {}
    for lang in (*present(langs.values()), "all"):
        keys = [k for k in gold if lang in ("all", langs[k])]
        table[lang] = {name: score_single_label({k: gold[k] for k in keys}, {k: p[k] for k in keys}, GENRE_NAMES).macro_f1
                       for name, p in (("transformer", ours), ("classic", classic_pred), ("baseline", base))}
        y = np.array([GENRE_NAMES.index(gold[k]) for k in keys])
        for name, p in (("transformer", ours), ("classic", classic_pred), ("baseline", base)):
            table[lang][f"{name}_balanced"] = transformer_heads.genre_balanced_macro(
                y, np.array([GENRE_NAMES.index(p[k]) for k in keys]))
        for name, p in (("transformer", ours), ("classic", classic_pred)):
            table[lang][f"{name}_95"] = macro_f1_interval([gold[k] for k in keys], [p[k] for k in keys], GENRE_NAMES)
        table[lang]["n"] = len(keys)
    confusion = {lang: [[sum(1 for k in gold if lang in ("all", langs[k]) and gold[k] == g and ours[k] == p)
                         for p in GENRE_NAMES] for g in GENRE_NAMES] for lang in ("en", "all")}
    en = [k for k in gold if langs[k] == "en"]
    # The held-out English is mostly reporting, unlike these folds: carry each class's rates over.
    expected = expected_macro(np.array([GENRE_NAMES.index(gold[k]) for k in en]),
                              np.array([GENRE_NAMES.index(ours[k]) for k in en])) if en else None
    return {"macro_f1": table, "confusion": confusion, "en_expected_macro_65_reporting": expected}


def frames_report(corpus, out, model: TransformerModel) -> dict:
    """Frame precision / recall / micro-F1 per language on the test fold, all articles and reporting
    articles alone (held-out news is mostly reporting, which has fewer frames per article)."""
    combine = transformer_heads.shipped_combine(model)
    rows = [(a.language, a.genre, combine(a.id, out, False).frames >= model.frames.thresholds,
             np.array([f in a.frames for f in FRAME_NAMES]))
            for a in corpus.articles if a.frames is not None and split_of(a.id) == "test" and a.id in out.docs]
    table: dict = {}
    for lang in (*present(r[0] for r in rows), "all"):
        for name, keep in (("all", lambda r: True), ("reporting", lambda r: r[1] == "reporting")):
            chosen = [r for r in rows if lang in ("all", r[0]) and keep(r)]
            if chosen:
                D, Y = np.array([r[2] for r in chosen]), np.array([r[3] for r in chosen])
                table.setdefault(lang, {})[name] = {"prf": prf(D, Y), "f1_95": micro_f1_interval(D, Y, range(len(D))),
                                                    "n": len(chosen),
                                                    "per_article": float(D.sum(1).mean()), "gold": float(Y.sum(1).mean())}
    return table


def ece_if_calibrated(P: np.ndarray, draws: int = 200, seed: int = 0) -> float:
    """The 95th percentile of the ECE a perfectly calibrated model would show on this many pairs:
    labels drawn as Bernoulli(p) from these very probabilities. A measured ECE below it is within
    sampling noise; one above it is not (article level, 14-34 articles a language: 0.04-0.07)."""
    rng = np.random.default_rng(seed)
    return float(np.quantile([ece(P, rng.random(P.shape) < P)[0] for _ in range(draws)], 0.95))


def ece(P: np.ndarray, Y: np.ndarray, bins: int = 10) -> tuple[float, list[tuple[float, float, int]]]:
    p, y = P.ravel(), Y.ravel().astype(float)
    edges = np.linspace(0, 1, bins + 1)
    which = np.clip(np.digitize(p, edges) - 1, 0, bins - 1)
    total, curve = 0.0, []
    for b in range(bins):
        m = which == b
        if m.any():
            total += m.sum() / len(p) * abs(p[m].mean() - y[m].mean())
            curve.append((float(p[m].mean()), float(y[m].mean()), int(m.sum())))
    return float(total), curve


def reliability_png(curves: dict, path: Path) -> bool:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    fig, ax = plt.subplots(figsize=(5, 5))
    ax.plot([0, 1], [0, 1], color="grey", linestyle="--", label="perfect")
    for lang, curve in curves.items():
        ax.plot([c[0] for c in curve], [c[1] for c in curve], marker="o", label=lang)
    ax.set_xlabel("predicted probability (sentence, technique)")
    ax.set_ylabel("observed frequency")
    ax.set_title("spinscope: reliability on the test fold's sentences")
    ax.legend()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100, bbox_inches="tight")
    return True


def _print_techniques(title: str, tab: dict, keys: tuple[str, ...]) -> None:
    print(f"\n{title}; [the F1's 95% interval, resampling articles]")
    print(f"{'lang':<6}" + "".join(f"{k:>40}" for k in keys))
    print(f"{'':<6}" + "".join(f"{'P':>10}{'R':>7}{'F1':>7}{'95%':>16}" for _ in keys))
    for lang, row in tab.items():
        print(f"{lang:<6}" + "".join(f"{row[k][0]:>10.3f}{row[k][1]:>7.3f}{row[k][2]:>7.3f}"
                                     f"{span(row[k + INTERVAL]):>16}" for k in keys))


def span(interval: tuple[float, float]) -> str:
    return f"[{interval[0]:.3f}, {interval[1]:.3f}]"


def measures(row: dict) -> tuple[str, ...]:
    """The P / R / F1 keys of a table row (not its intervals, counts or ``per_line`` densities)."""
    return tuple(k for k in row if not k.endswith(INTERVAL) and not k.startswith("n_") and not isinstance(row[k], dict))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=str(Path(__file__).parents[2] / "shared" / "data" / "semeval2023"))
    ap.add_argument("--polnear", default=str(Path(__file__).parents[2] / "shared" / "data" / "polnear"),
                    help="PolNeAR root; its dev articles are the out-of-SemEval news check of the genre head")
    ap.add_argument("--model", default=str(MODELS_DIR / "transformer"))
    ap.add_argument("--png", default=str(Path(__file__).parents[1] / "artifacts" / "reliability.png"))
    ap.add_argument("--json", help="also write the figures here")
    ap.add_argument("--skip-lolo", action="store_true", help="skip the leave-one-language-out refits")
    ap.add_argument("--record", action="store_true", help="write the ECE table into the model's manifest and card")
    ap.add_argument("--lang", action="append", choices=LANGS,
                    help="these languages only (repeatable), for a model trained with train --lang (an English encoder)")
    args = ap.parse_args()
    t0 = time.time()
    log = lambda m: print(f"  {m}", file=sys.stderr)  # noqa: E731
    corpus = load_corpus(args.data, args.lang or LANGS)
    with tempfile.TemporaryDirectory() as tmp:
        train = restrict(corpus, {"train"})
        # The fallback's own genre head learns PolNeAR's training news, as shipped; its dev split stays unseen.
        news = genre_news.news_texts(args.polnear) if (Path(args.polnear) / "train" / "text").is_dir() else None
        classic.export(classic.train(train, classic.ClassicConfig(), log=log, news=news), train, tmp, 0.0)
        cls = ClassicModel.load(tmp)
    model = TransformerModel(Path(args.model), cls)  # blended with the folds-2-4 classic, as when fitted
    out = transformer_heads.collect(model.encoder, cls, corpus, {"validation", "test"})
    log(f"outputs in {time.time() - t0:.0f}s")
    figures: dict = {"threshold": model.decisions.threshold}
    rows = sentence_rows(corpus, out, model)
    figures["techniques"] = technique_tables(rows, model.decisions.threshold, corpus)
    _print_techniques(f"techniques on the test fold (threshold {model.decisions.threshold:.2f})",
                      figures["techniques"], ("paragraphs", "sentences", "reporting_sentences"))
    figures["paragraph_decisions"] = paragraph_decisions_table(rows, model, corpus)
    _print_techniques("paragraphs as given, against their labels: the strongest sentence (the analysis) and the "
                      "paragraph decisions (semeval predict)", figures["paragraph_decisions"],
                      measures(figures["paragraph_decisions"]["all"]))
    figures["paragraph_gold"] = paragraph_gold_table(rows, model, corpus)
    _print_techniques("one sentence per line, each against its paragraph's labels: the sentence decisions and "
                      "the line context (semeval predict --lines sentences), on all articles and on the reporting "
                      "ones", figures["paragraph_gold"],
                      measures(figures["paragraph_gold"]["all"]))
    figures["unlabelled_lines"] = unlabelled_lines(Path(args.data), model)
    if figures["unlabelled_lines"]:
        print("\nlabels a line by the line context, one sentence per line: the test fold's (called / gold; reporting "
              "articles' in brackets) and SemEval's unlabelled test articles' (no labels there)")
        for lang, r in figures["unlabelled_lines"].items():
            fold = figures["paragraph_gold"].get(lang, {}).get("per_line")
            mine = "" if fold is None else (f"test fold {fold['all'][0]:.2f} / {fold['all'][1]:.2f} "
                                            + (f"({fold['reporting'][0]:.2f} / {fold['reporting'][1]:.2f})  "
                                               if fold["reporting"][0] is not None else "(no reporting)  "))
            print(f"{lang:<6}{mine}unlabelled {r['line_context_per_line']:.2f} "
                  f"(sentence decisions {r['sentence_decisions_per_line']:.2f}), {r['lines']} lines")
    figures["crossfit_lines"], figures["crossfit_articles"], figures["per_technique"] = crossfit(corpus, out, model, log)
    _print_techniques("one sentence per line against paragraph labels, line context, test and validation folds "
                      "together, each fold's decisions fitted on the other", figures["crossfit_lines"],
                      measures(figures["crossfit_lines"]["all"]))
    print("articles (reporting): " + ", ".join(f"{k} {r['n_articles']} ({r['n_reporting_articles']})"
                                               for k, r in figures["crossfit_lines"].items()))
    figures["article_techniques"] = article_table(rows, model, corpus)
    print("\nthe article as a whole (gold: any paragraph's labels): union of sentence decisions vs article decisions")
    for lang, r in figures["article_techniques"].items():
        u, a = r["union_of_sentences"], r.get("article_decisions")
        print(f"{lang:<6}union P/R/F1 {u[0]:.3f}/{u[1]:.3f}/{u[2]:.3f} ({r['union_per_article']:.1f} per article)"
              + (f"   article decisions {a[0]:.3f}/{a[1]:.3f}/{a[2]:.3f} "
                 f"{span(r['article_decisions' + INTERVAL])} "
                 f"({r['article_per_article']:.1f} per article, "
                 f"ECE {r['article_ece']:.4f}, calibrated <= {r['article_ece_if_calibrated']:.4f})" if a else "")
              + f"   gold {r['gold_per_article']:.1f}, n={r['n_articles']}")
    print("\nthe article as a whole, test and validation folds together, each fold's decisions fitted on the other")
    for lang, r in figures["crossfit_articles"].items():
        a = r["article_decisions"]
        print(f"{lang:<6}article decisions {a[0]:.3f}/{a[1]:.3f}/{a[2]:.3f} {span(r['article_decisions' + INTERVAL])} "
              f"({r['article_per_article']:.1f} per article, ECE {r['article_ece']:.4f}, "
              f"calibrated <= {r['article_ece_if_calibrated']:.4f})   gold {r['gold_per_article']:.1f}, n={r['n_articles']}")
    print("\nper technique, test and validation folds together, each fold's decisions fitted on the other: found "
          "and gold / gold (found); sentences against their span labels, articles by the article decisions")
    for lang in [x for x in ("en", "all") if x in figures["per_technique"]]:
        print(f"{lang:<6}{'sentences':>22}{'articles':>22}")
        for name, r in figures["per_technique"][lang].items():
            print(f"  {name:<34}" + "".join(f"{f'{c[0]}/{c[2]} ({c[1]})':>22}" for c in (r["sentences"], r["articles"])))
    test_articles = sorted({a for a in rows.art})
    figures["agreement"] = agreement(corpus, model, test_articles)
    print("\nparagraphs vs one sentence per line, same articles:", json.dumps(figures["agreement"]))
    figures["ece"], figures["ece_if_calibrated"] = {}, {}
    curves = {}
    print("\nexpected calibration error, test-fold sentences x techniques (10 bins); 'calibrated <=': the 95th "
          "percentile a perfectly calibrated model would show on as many pairs (labels drawn from its own probabilities)")
    for lang in (*present(rows.lang), "all"):
        keep = (rows.lang == lang) if lang != "all" else np.ones(len(rows.Y), bool)
        figures["ece"][lang], curves[lang] = ece(rows.P[keep], rows.Y[keep])
        figures["ece_if_calibrated"][lang] = ece_if_calibrated(rows.P[keep])
        hi = keep[:, None] & (rows.P >= 0.1)
        ece_hi = abs(rows.P[hi].mean() - rows.Y[hi].mean()) if hi.any() else 0.0
        print(f"{lang:<6}ECE {figures['ece'][lang]:.4f}, calibrated <= {figures['ece_if_calibrated'][lang]:.4f}   "
              f"mean |p - freq| where p >= 0.1: {ece_hi:.3f} ({int(hi.sum())} pairs)")
    if reliability_png({k: v for k, v in curves.items() if k in ("en", "fr", "de", "all")}, Path(args.png)):
        print(f"reliability diagram: {args.png}")
    if args.record:
        record_calibration(Path(args.model), figures["ece"], ECE_HOW,
                           {k: (r["article_ece"], r["article_ece_if_calibrated"])
                            for k, r in figures["article_techniques"].items() if "article_ece" in r})
    figures["frames"] = frames_report(corpus, out, model)
    print("\nframes on the test fold, P / R / micro-F1 (frames per article: predicted / gold): all articles; reporting alone")
    for lang, r in figures["frames"].items():
        print(f"{lang:<6}" + "   ".join(f"{k} {v['prf'][0]:.3f}/{v['prf'][1]:.3f}/{v['prf'][2]:.3f} "
                                        f"{span(v['f1_95'])} "
                                        f"({v['per_article']:.1f}/{v['gold']:.1f}, n={v['n']})" for k, v in r.items()))
    figures["genre"] = genre_report(corpus, out, model, cls)
    print("\ngenre macro-F1 on the test fold: transformer / classic fallback / baseline; class-balanced: the same three")
    for lang, row in figures["genre"]["macro_f1"].items():
        print(f"{lang:<6}{row['transformer']:>8.3f}{row['classic']:>8.3f}{row['baseline']:>8.3f}"
              f"{row['transformer_balanced']:>10.3f}{row['classic_balanced']:>8.3f}{row['baseline_balanced']:>8.3f}"
              f"   n={row['n']}   95%: transformer {span(row['transformer_95'])}, classic {span(row['classic_95'])}")
    for lang, m in figures["genre"]["confusion"].items():
        print(f"confusion ({lang}), rows gold, columns predicted {GENRE_NAMES}: {m}")
    # The blend and news weights were chosen on validation, so the validation half is slightly optimistic.
    figures["genre_both_folds"] = genre_report(corpus, out, model, cls, ("validation", "test"))
    both = figures["genre_both_folds"]
    if "en" in both["macro_f1"]:
        en = both["macro_f1"]["en"]
        print(f"\ngenre on the validation and test folds together (the blend weight was chosen on validation): "
              f"English official macro-F1 {en['transformer']:.3f} {span(en['transformer_95'])}, n={en['n']}; "
              f"confusion (en) {both['confusion']['en']}")
    for name, r in (("the test fold", figures["genre"]), ("both folds", both)):
        if r["en_expected_macro_65_reporting"] is not None:
            print(f"English macro-F1 expected on a set 65% reporting, 30% opinion, 5% satire (the rates per class "
                  f"of {name}): {r['en_expected_macro_65_reporting']:.3f}")
    if Path(args.polnear, "dev").is_dir():
        figures["news_genre"] = news_genre(Path(args.polnear), model, cls, corpus)
        print("\nPolNeAR dev (US political news, not used for fitting): share called each genre")
        for what, row in figures["news_genre"].items():
            print(f"{what:<28}" + "".join(f"{g} {row[g]:.2f}  " for g in GENRE_NAMES) + f"n={row['n']}")
    figures["unlabelled_genre"] = unlabelled_genre(Path(args.data), model, cls)
    print("\nSemEval's unlabelled test articles (no labels here): share called each genre")
    for lang, row in figures["unlabelled_genre"].items():
        print(f"{lang:<6}" + "".join(f"{g} {row[g]:.2f}  " for g in GENRE_NAMES) + f"n={row['n']}")
    if not args.skip_lolo:
        figures["lolo"] = lolo(corpus, out, model, log)
        print("\nleave-one-language-out (sentence decisions and genre head fitted without the language)")
        print(f"{'lang':<6}{'sent P':>8}{'R':>7}{'F1':>7}{'para F1':>9}{'genre':>8}{'t':>6}")
        for lang, r in figures["lolo"].items():
            s = r["sentences"]
            print(f"{lang:<6}{s[0]:>8.3f}{s[1]:>7.3f}{s[2]:>7.3f}{r['paragraphs'][2]:>9.3f}{r['genre_macro_f1']:>8.3f}"
                  f"{r['threshold']:>6.2f}")
    return finish(figures, args.json, t0)


if __name__ == "__main__":
    raise SystemExit(main())
