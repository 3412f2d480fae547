import numpy as np
import pytest

import spinscope
from spinscope.detect.decisions import CONTEXT_WINDOW, ArticleDecisions, LineContext
from spinscope.errors import InvalidOption
from spinscope.evaluation.semeval import cut_into_sentences, paragraph_labels, predict_folder
from spinscope.types import Article

PARAGRAPHS = ("Council votes on the budget\n\n"
              "The council met on Tuesday. It voted on the budget for next year. The mayor was absent.\n\n"
              "These corrupt cowards are destroying our beloved city. Everyone knows it. Wake up before it is too late!\n")
CUT = "\n".join(["Council votes on the budget", "The council met on Tuesday.", "It voted on the budget for next year.",
                 "The mayor was absent.", "These corrupt cowards are destroying our beloved city.", "Everyone knows it.",
                 "Wake up before it is too late!"]) + "\n"


def test_an_article_cut_one_sentence_per_line_is_told_from_one_in_paragraphs(pipeline):
    assert cut_into_sentences(pipeline(Article(id="cut", text=CUT)))
    assert not cut_into_sentences(pipeline(Article(id="paragraphs", text=PARAGRAPHS)))


def test_each_line_gets_the_labels_the_context_gives_it(pipeline):
    analysis = pipeline(Article(id="cut", text=CUT))
    labels = pipeline.model.techniques.labels
    # A context that reads only the line one away: a line gets a technique when a neighbour is at least 50% sure of it.
    neighbour = LineContext(np.tile([0.0, 1.0] + [0.0] * (CONTEXT_WINDOW - 1), (len(labels), 1)), np.zeros(len(labels)), 0.5)
    found = paragraph_labels(analysis, neighbour, labels, None)
    conf = [{s.technique: s.confidence for s in p.scores} for p in analysis.paragraphs]
    index = [p.paragraph.index for p in analysis.paragraphs]
    for row, i in enumerate(index):
        near = [conf[r] for r in (row - 1, row + 1) if 0 <= r < len(conf)]
        expected = {t for c in near for t, p in c.items() if p >= 0.5}
        assert set(found[i]) == expected
    assert any(found.values())  # the loaded sentence lends its label to the lines beside it
    assert paragraph_labels(analysis, neighbour, labels, 1.0) == dict.fromkeys(index, ())  # --threshold applies


def _folder(tmp_path, name, text):
    folder = tmp_path / name
    folder.mkdir()
    (folder / "article1.txt").write_text(text, encoding="utf-8")
    return folder


def test_lines_auto_reads_a_cut_article_as_sentences_and_a_paragraphed_one_as_paragraphs(pipeline, tmp_path):
    assert pipeline.model.line_context is not None  # the shipped transformer has one
    cut, paras = _folder(tmp_path, "cut", CUT), _folder(tmp_path, "paras", PARAGRAPHS)
    got = {(name, mode): predict_folder(pipeline, 3, folder, lang="en", lines=mode)
           for name, folder in (("cut", cut), ("paras", paras)) for mode in ("auto", "paragraphs", "sentences")}
    assert got["cut", "auto"] == got["cut", "sentences"] != got["cut", "paragraphs"]
    assert got["paras", "auto"] == got["paras", "paragraphs"]
    # As paragraphs, each line of one sentence gets the paragraph decisions on that sentence alone.
    decisions, labels = pipeline.model.paragraph_decisions, pipeline.model.techniques.labels
    assert decisions is not None  # the shipped transformer has them (v4.9)
    own = {}
    for p in pipeline(Article(id="1", text=CUT), language="en").paragraphs:
        conf = {s.technique: s.confidence for s in p.scores}
        q = decisions.probabilities(np.array([[conf.get(n, 0.0) for n in labels]]))
        own[("1", p.paragraph.index)] = tuple(labels[j] for j in np.argsort(-q, kind="stable") if q[j] >= decisions.threshold)
    assert got["cut", "paragraphs"] == own


# CUT again, with a blank line kept between its paragraphs, and a fourth paragraph.
BLOCKS = CUT.replace("budget\nThe", "budget\n\nThe").replace("absent.\n", "absent.\n\n") + \
    "\nThe vote is due next week.\nThe budget grows by two percent.\n"


def test_cut_lines_whose_blank_lines_mark_paragraphs_get_their_paragraphs_decisions(pipeline, tmp_path, monkeypatch):
    folder = _folder(tmp_path, "blocks", BLOCKS)
    got = {mode: predict_folder(pipeline, 3, folder, lang="en", lines=mode) for mode in ("auto", "sentences", "paragraphs")}
    assert got["auto"] == got["sentences"] != got["paragraphs"]
    assert predict_folder(pipeline, 3, folder, lang="en", workers=2) == got["auto"]  # back from JSON
    loaded = [("1", i) for i in (7, 8, 9)]  # "These corrupt cowards ..." and the two lines after it
    assert got["auto"][loaded[0]]
    assert got["auto"][loaded[0]] == got["auto"][loaded[1]] == got["auto"][loaded[2]]
    assert not got["paragraphs"][loaded[2]]  # "Wake up before it is too late!" alone
    # The paragraph decisions label them, not the line context: when no paragraph clears them, no line gets anything.
    monkeypatch.setattr(pipeline.model, "paragraph_decisions", ArticleDecisions(1.0, 0.0, 1.01))
    assert not any(predict_folder(pipeline, 3, folder, lang="en").values())
    assert any(predict_folder(pipeline, 3, _folder(tmp_path, "cut", CUT), lang="en").values())  # the context's


def test_paragraph_lines_get_the_models_paragraph_decisions_also_from_worker_processes(pipeline, tmp_path, monkeypatch):
    folder = _folder(tmp_path, "paras", PARAGRAPHS)
    (folder / "article2.txt").write_text(CUT.replace("\n", " "), encoding="utf-8")
    got = predict_folder(pipeline, 3, folder, lang="en", lines="paragraphs")
    assert any(got.values())
    assert predict_folder(pipeline, 3, folder, lang="en", lines="paragraphs", workers=2) == got  # keys back from JSON
    # Decisions no paragraph can clear: the lines get nothing, whatever their sentences show.
    monkeypatch.setattr(pipeline.model, "paragraph_decisions", ArticleDecisions(1.0, 0.0, 1.01))
    assert not any(predict_folder(pipeline, 3, folder, lang="en", lines="paragraphs").values())
    # Without them (models before v4.9), a line gets its own detections.
    monkeypatch.setattr(pipeline.model, "paragraph_decisions", None)
    own = {("1", p.paragraph.index): tuple(s.technique for s in p.detected)
           for p in pipeline(Article(id="1", text=PARAGRAPHS), language="en").paragraphs}
    assert {k: v for k, v in predict_folder(pipeline, 3, folder, lang="en", lines="paragraphs").items() if k[0] == "1"} == own


def test_lines_must_be_known_and_sentences_needs_a_context(pipeline, tmp_path):
    folder = _folder(tmp_path, "cut", CUT)
    with pytest.raises(InvalidOption, match="lines must be one of"):
        predict_folder(pipeline, 3, folder, lines="words")
    with pytest.raises(InvalidOption, match="needs a model with a line context"):
        predict_folder(spinscope.load("classic"), 3, folder, lines="sentences")
    assert predict_folder(spinscope.load("classic"), 3, folder, lines="auto")  # the classical model: as paragraphs
