from types import SimpleNamespace

import numpy as np

from spinscope.components import Doc
from spinscope.detect.decisions import ArticleDecisions
from spinscope.detect.paragraph_labels import SLOT, ParagraphLabelsDetector
from spinscope.detect.scores import ArticleScores
from spinscope.types import Article, Paragraph, Sentence

LABELS = ("Loaded_Language", "Doubt", "Repetition")
TEXT = "One. Two. Three.\n\nFour.\n"
PARAGRAPHS = (Paragraph(0, 0, 16), Paragraph(2, 18, 23))
SENTENCES = (Sentence(0, 4, 0), Sentence(5, 9, 0), Sentence(10, 16, 0), Sentence(18, 23, 2))
# Three weak sentences of Doubt in the first paragraph, one fairly sure Loaded_Language in each.
SENT_PROBS = np.array([[0.30, 0.15, 0.0], [0.01, 0.15, 0.0], [0.01, 0.15, 0.0], [0.40, 0.02, 0.0]], np.float32)


def _model(decisions):
    return SimpleNamespace(techniques=SimpleNamespace(labels=LABELS, thresholds=np.full(3, 0.18, np.float32)),
                           paragraph_decisions=decisions)


def _doc(threshold=None, sentences=SENT_PROBS):
    paragraphs = np.stack([SENT_PROBS[:3].max(0), SENT_PROBS[3]])
    scores = ArticleScores(paragraphs, np.zeros(0), np.zeros(0), sentences=sentences)
    return Doc(Article(id="a", text=TEXT), PARAGRAPHS, SENTENCES, threshold, scores=scores)


def test_a_paragraph_of_weak_sentences_adds_up_to_a_label_no_sentence_clears():
    # The noisy-OR alone, at 0.35: three sentences at 15% make 39%, one at 40% stays 40%.
    detector = ParagraphLabelsDetector(_model(ArticleDecisions(1.0, 0.0, 0.35)))
    [found] = detector.predict([_doc()])
    assert all(p < 0.18 for p in SENT_PROBS[:, 1])  # no sentence of Doubt clears the sentence threshold
    assert found == ((0, ("Doubt",)), (2, ("Loaded_Language",)))


def test_labels_are_most_likely_first_and_threshold_overrides_the_decisions():
    detector = ParagraphLabelsDetector(_model(ArticleDecisions(1.0, 0.0, 0.2)))
    [found] = detector.predict([_doc()])
    assert found[0] == (0, ("Doubt", "Loaded_Language"))  # 39% over 31% (the noisy-OR of 30%, 1% and 1%)
    [strict] = detector.predict([_doc(threshold=0.38)])
    assert strict == ((0, ("Doubt",)), (2, ("Loaded_Language",)))


def test_the_decisions_are_never_below_the_strongest_sentence():
    # A regression that would put everything near 0 still keeps a sentence's own 40%.
    detector = ParagraphLabelsDetector(_model(ArticleDecisions(0.0, -10.0, 0.35)))
    [found] = detector.predict([_doc()])
    assert found == ((0, ()), (2, ("Loaded_Language",)))


def test_without_paragraph_decisions_a_paragraph_gets_its_strongest_sentence_at_the_model_thresholds():
    detector = ParagraphLabelsDetector(_model(None))
    [found] = detector.predict([_doc()])
    assert found == ((0, ("Loaded_Language",)), (2, ("Loaded_Language",)))  # Doubt's 15% is under 0.18
    [also] = ParagraphLabelsDetector(_model(ArticleDecisions(1.0, 0.0, 0.35))).predict([_doc(sentences=None)])
    assert also == found  # a model that scores paragraphs, not sentences


def test_it_writes_its_extension_slot():
    detector = ParagraphLabelsDetector(_model(ArticleDecisions(1.0, 0.0, 0.35)))
    doc = _doc()
    detector.set_annotations([doc], detector.predict([doc]))
    assert doc.read(SLOT) == ((0, ("Doubt",)), (2, ("Loaded_Language",)))
