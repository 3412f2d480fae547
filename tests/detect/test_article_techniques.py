from types import SimpleNamespace

import numpy as np
import pytest

from spinscope.components import Doc
from spinscope.detect.article_techniques import ArticleTechniquesDetector
from spinscope.detect.scores import ArticleScores
from spinscope.segment import paragraphs, sentences
from spinscope.types import Article

TEXT = "They lie. They always lie.\nThe vote is on Tuesday. Turnout was low."
LABELS = ("Doubt", "Loaded_Language", "Repetition")


def _model(article_threshold):
    return SimpleNamespace(techniques=SimpleNamespace(labels=LABELS, thresholds=np.array([0.2, 0.3, 0.4])),
                           article_threshold=article_threshold)


def _doc(sentence_probs, article=None, threshold=None):
    paras = paragraphs(TEXT)
    sents = sentences(TEXT, paras)
    assert len(sents) == len(sentence_probs) == 4
    s = np.asarray(sentence_probs, np.float32)
    para = np.stack([s[[i for i, x in enumerate(sents) if x.paragraph == p.index]].max(0) for p in paras])
    scores = ArticleScores(para, np.zeros(0), np.zeros(3), sentences=s,
                           article=None if article is None else np.asarray(article, np.float32))
    return Doc(Article("t", TEXT, language="en"), paras, sents, threshold, scores=scores)


def _run(model, doc):
    det = ArticleTechniquesDetector(model)
    det.set_annotations([doc], det.predict([doc]))
    return {t.technique: t for t in doc.article_techniques}


SENTENCES = [[0.01, 0.10, 0.02], [0.02, 0.12, 0.30], [0.01, 0.09, 0.01], [0.20, 0.02, 0.01]]


def test_article_probability_and_its_own_threshold_decide():
    found = _run(_model(0.35), _doc(SENTENCES, article=[0.15, 0.60, 0.36]))
    assert [t.technique for t in found.values()] == ["Loaded_Language", "Repetition", "Doubt"]  # strongest first
    loaded = found["Loaded_Language"]
    # Detected though no sentence clears a sentence threshold: the evidence adds up.
    assert loaded.detected and loaded.confidence == pytest.approx(0.6) and loaded.threshold == pytest.approx(0.35)
    # Its passage is the strongest sentence, with that sentence's own probability.
    assert TEXT[loaded.start:loaded.end] == "They always lie." and loaded.passage_confidence == pytest.approx(0.12)
    assert found["Repetition"].detected and not found["Doubt"].detected
    assert all(t.detected == (t.confidence >= t.threshold) for t in found.values())


def test_a_user_threshold_moves_sentence_decisions_not_the_article_scale():
    found = _run(_model(0.35), _doc(SENTENCES, article=[0.15, 0.60, 0.36], threshold=0.9))
    assert found["Loaded_Language"].detected and found["Loaded_Language"].threshold == pytest.approx(0.35)


def test_without_article_decisions_the_list_is_the_union_of_paragraph_detections():
    found = _run(_model(None), _doc(SENTENCES))
    # Strongest paragraph per technique against the paragraph thresholds (0.2, 0.3, 0.4).
    assert found["Doubt"].detected and found["Doubt"].confidence == pytest.approx(0.2)
    assert not found["Loaded_Language"].detected and not found["Repetition"].detected
    assert TEXT[found["Doubt"].start:found["Doubt"].end] == "Turnout was low."
    lowered = _run(_model(None), _doc(SENTENCES, threshold=0.1))
    assert {t.technique for t in lowered.values() if t.detected} == {"Doubt", "Loaded_Language", "Repetition"}


def test_scores_below_the_report_floor_are_left_out():
    found = _run(_model(0.35), _doc(SENTENCES, article=[0.01, 0.60, 0.02]))
    assert list(found) == ["Loaded_Language"]


def test_no_paragraphs_no_list():
    doc = Doc(Article("t", "", language="en"), (), (), None,
              scores=ArticleScores(np.zeros((0, 3)), np.zeros(0), np.zeros(3), sentences=np.zeros((0, 3))))
    assert _run(_model(0.35), doc) == {}
