from types import SimpleNamespace

import numpy as np
import pytest

from spinscope.components import Doc
from spinscope.detect.block_labels import SLOT, BlockLabelsDetector
from spinscope.detect.decisions import ArticleDecisions
from spinscope.detect.paragraph_labels import ParagraphLabelsDetector
from spinscope.detect.scores import ArticleScores
from spinscope.segment import paragraphs, sentences
from spinscope.types import Article

LABELS = ("Loaded_Language", "Doubt", "Repetition")
# Cut one sentence per line, a blank line between paragraphs: runs (1), (3, 4), (6), (8, 9).
TEXT = "Title\n\nOne.\nTwo.\n\nThree.\n\nFour.\nFive.\n"
# Two weak sentences of Doubt in one paragraph, one fairly sure Loaded_Language in another.
SENT_PROBS = np.array([[0.0, 0.0, 0.0], [0.0, 0.25, 0.0], [0.0, 0.25, 0.0], [0.1, 0.0, 0.0],
                       [0.5, 0.0, 0.0], [0.0, 0.0, 0.0]], np.float32)
NOISY_OR = ArticleDecisions(1.0, 0.0, 0.35)  # two sentences at 25% make 44%


def _model(decisions=NOISY_OR):
    return SimpleNamespace(techniques=SimpleNamespace(labels=LABELS, thresholds=np.full(3, 0.18, np.float32)),
                           paragraph_decisions=decisions)


def _doc(text=TEXT, threshold=None, sentence_probs=SENT_PROBS):
    paras = paragraphs(text)
    sents = sentences(text, paras)
    assert len(sents) == len(SENT_PROBS)
    scores = ArticleScores(np.zeros((len(paras), len(LABELS))), np.zeros(0), np.zeros(0), sentences=sentence_probs)
    return Doc(Article(id="a", text=text), paras, sents, threshold, scores=scores)


def test_each_line_gets_what_its_paragraph_shows_taken_together():
    [found] = BlockLabelsDetector(_model()).predict([_doc()])
    assert found == ((1, ()), (3, ("Doubt",)), (4, ("Doubt",)), (6, ()), (8, ("Loaded_Language",)),
                     (9, ("Loaded_Language",)))
    # Line by line, neither sentence of Doubt clears the decisions, and line 9 shows nothing itself.
    [alone] = ParagraphLabelsDetector(_model()).predict([_doc()])
    assert dict(alone)[3] == dict(alone)[4] == dict(alone)[9] == ()


def test_the_threshold_given_applies():
    [found] = BlockLabelsDetector(_model()).predict([_doc(threshold=0.45)])
    assert dict(found) == {1: (), 3: (), 4: (), 6: (), 8: ("Loaded_Language",), 9: ("Loaded_Language",)}


def test_nothing_is_written_where_blank_lines_mark_no_paragraphs_or_the_model_has_no_paragraph_decisions():
    detector = BlockLabelsDetector(_model())
    assert detector.predict([_doc(TEXT.replace("\n\n", "\n"))]) == [()]  # no blank line
    assert detector.predict([_doc(TEXT.replace(".\n", ".\n\n"))]) == [()]  # one after every line
    assert BlockLabelsDetector(_model(None)).predict([_doc()]) == [()]  # the classical model
    assert detector.predict([_doc(sentence_probs=None)]) == [()]  # a model that scores paragraphs only


def test_it_writes_its_extension_slot():
    detector = BlockLabelsDetector(_model())
    doc = _doc()
    detector.set_annotations([doc], detector.predict([doc]))
    assert dict(doc.read(SLOT))[4] == ("Doubt",)


def test_paragraphs_are_grouped_only_through_paragraph_decisions():
    with pytest.raises(ValueError, match="paragraph decisions"):
        ParagraphLabelsDetector(_model(None)).paragraph_labels(_doc(), {1: 1, 3: 3, 4: 3, 6: 6, 8: 8, 9: 8})
