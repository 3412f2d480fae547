"""detect/word_effects.py: the words that carry a detection, asked of the model itself."""

import numpy as np
import pytest

from spinscope import registry
from spinscope.components import Doc
from spinscope.detect.scores import ArticleScores, Started
from spinscope.detect.word_effects import WordEffect, WordEffectsDetector, candidates, cues, without
from spinscope.errors import InvalidOption
from spinscope.pipeline import Pipeline, load
from spinscope.segment import paragraphs, sentences
from spinscope.taxonomy import TECHNIQUE_NAMES
from spinscope.types import Article, ParagraphTechniques, TechniqueScore, TechniqueSpan

LOADED = TECHNIQUE_NAMES.index("Loaded_Language")


def test_cues_are_the_largest_drops_over_both_floors():
    effects = [WordEffect(w, 0.5, q) for w, q in (("vile", 0.1), ("town", 0.45), ("scheme", 0.3), ("ruin", 0.35),
                                                  ("shameful", 0.2))]
    # drops 0.4, 0.05, 0.2, 0.15, 0.3: the floor is 0.4 x 0.4 = 0.16, and three words at most
    assert [c.word for c in cues(effects)] == ["vile", "shameful", "scheme"]
    assert cues([WordEffect("slight", 0.3, 0.29)]) == []  # under MIN_DROP
    assert cues([]) == []


def test_candidates_skip_names_function_words_and_short_words():
    text = "Yesterday Pakistan and the Taliban became an utterly shameless alliance of thugs."
    assert [text[s:e] for s, e in candidates(text, 0, len(text), "en")] == [
        "Yesterday", "became", "utterly", "shameless", "alliance", "thugs"]


def test_without_leaves_one_word_out():
    text = "Intro. They are vile liars."
    assert without(text, 7, len(text), (16, 20)) == "They are liars."
    assert without("Brilliant", 0, 9, (0, 9)) == "."  # nothing left: a full stop, still a text to score


class WordModel:
    """A stand-in model: loaded language is likely exactly when the text says "vile" or "rotten"."""

    class techniques:  # noqa: N801 - mimics the LinearHead attribute
        labels = TECHNIQUE_NAMES

    def __init__(self) -> None:
        self.texts: list[str] = []

    def start(self, items):
        self.texts += [t for t, _p, _l in items]

        def scores(text: str) -> ArticleScores:
            p = np.full((1, len(TECHNIQUE_NAMES)), 0.01, np.float32)
            p[0, LOADED] = 0.05 + 0.4 * ("vile" in text) + 0.2 * ("rotten" in text)
            return ArticleScores(p, np.zeros(14, np.float32), np.zeros(3, np.float32), sentences=p)

        return Started(lambda: [scores(t) for t, _p, _l in items])


def _doc(text: str, spans_with_cues: tuple[str, ...] = ()) -> Doc:
    paras = paragraphs(text)
    sents = sentences(text, paras)
    found = tuple(
        ParagraphTechniques(p, (TechniqueScore("Loaded_Language", 0.5, True, 0.18),), tuple(
            TechniqueSpan("Loaded_Language", s.start, s.end, 0.5, text[s.start:s.end], p.index, spans_with_cues)
            for s in sents if s.paragraph == p.index))
        for p in paras)
    return Doc(Article(id="a", text=text, language="en"), paras, sents, techniques=found)


def test_the_words_whose_absence_lowers_the_score_become_the_cues():
    model = WordModel()
    doc = _doc("The council's vile and rotten plan failed.\nNothing here is loaded at all.")
    detector = WordEffectsDetector(model)
    (first, second) = detector.predict([doc])[0]
    span = first.spans[0]
    assert span.cues == ("vile", "rotten")
    assert "'vile', 'rotten' (the sentence scored alone: 65%, without 'vile' 25%)" in span.explanation
    # Decisions and places are untouched; a sentence whose words change nothing keeps its span as it was.
    assert (span.start, span.end, span.confidence) == (doc.techniques[0].spans[0].start, doc.techniques[0].spans[0].end, 0.5)
    assert second.spans == doc.techniques[1].spans
    # One pass for the sentence as it is, one per candidate word; names and function words are never left out.
    assert model.texts[:2] == ["The council's vile and rotten plan failed.", "The vile and rotten plan failed."]
    assert len(model.texts) == (1 + 5) + (1 + 2)  # council's vile rotten plan failed; Nothing loaded


def test_spans_that_already_have_cues_are_left_alone():
    model = WordModel()
    doc = _doc("The council's vile plan failed.", spans_with_cues=("plan",))
    assert WordEffectsDetector(model).predict([doc])[0] == doc.techniques
    assert model.texts == []  # nothing to ask the model


def test_explained_list_puts_word_effects_after_techniques():
    assert registry.explained(["scores", "techniques", "frames"]) == ["scores", "techniques", "word_effects", "frames"]
    assert registry.explained(["scores", "frames"]) == ["scores", "frames"]  # nothing to explain
    assert registry.explained(["scores", "techniques", "word_effects"]) == ["scores", "techniques", "word_effects"]
    with pytest.raises(InvalidOption, match="word_effects"):
        load(detectors=["scores", "word_effects"])


@pytest.fixture(scope="module")
def explained(pipeline):
    return Pipeline(pipeline.model, registry.build(registry.explained(pipeline.detector_names), pipeline.model))


TEXT = ("Officials met on Tuesday to discuss the budget.\n"
        "The {} government's vile, disgusting and treacherous scheme will destroy this wonderful town forever.")


def test_the_shipped_model_names_the_loaded_words_and_never_a_name(pipeline, explained):
    plain, rich = pipeline(TEXT.format("Pakistan")), explained(TEXT.format("Pakistan"))
    spans = [s for p in rich.paragraphs for s in p.spans if s.technique == "Loaded_Language"]
    assert spans, "the loaded sentence must be flagged"
    span = spans[0]
    assert span.cues and set(span.cues) <= {"vile", "disgusting", "treacherous", "destroy", "wonderful", "scheme",
                                             "forever", "town", "government's"}
    assert "Left out one at a time" in span.explanation
    # Same decisions as without it: only the cues and explanations differ.
    assert [(s.technique, s.start, s.end, s.confidence) for p in plain.paragraphs for s in p.spans] == \
           [(s.technique, s.start, s.end, s.confidence) for p in rich.paragraphs for s in p.spans]
    # Who is named changes nothing: the name is masked and never a candidate.
    swapped = explained(TEXT.format("India"))
    assert [s.cues for p in swapped.paragraphs for s in p.spans] == [s.cues for p in rich.paragraphs for s in p.spans]


def test_a_long_article_explains_its_most_confident_sentences_only(monkeypatch):
    import spinscope.detect.word_effects as we

    monkeypatch.setattr(we, "MAX_SENTENCES", 2)
    doc = _doc("A vile plan.\nA rotten plan.\nAnother vile plan.")
    sure = {1: 0.9, 2: 0.3, 3: 0.6}  # by line: the first and the third are the most confident
    doc.techniques = tuple(
        ParagraphTechniques(p.paragraph, p.scores, tuple(
            TechniqueSpan(s.technique, s.start, s.end, sure[p.paragraph.index], s.text, s.paragraph) for s in p.spans))
        for p in doc.techniques)
    explained = WordEffectsDetector(WordModel()).predict([doc])[0]
    assert [bool(p.spans[0].cues) for p in explained] == [True, False, True]


def test_disabling_it_or_the_techniques_leaves_it_out():
    assert "word_effects" not in load("classic", explain=True, disable=["word_effects"]).detector_names
    names = load("classic", explain=True, disable=["techniques", "article_techniques", "entities"]).detector_names
    assert "word_effects" not in names and "techniques" not in names
    assert "word_effects" in load("classic", explain=True).detector_names


def test_words_for_peoples_and_faiths_are_never_candidates():
    text = "Les musulmans et les juifs sont menacés par cette folie."
    assert [text[s:e] for s, e in candidates(text, 0, len(text), "fr")] == ["menacés", "folie"]
    text = "Die ukrainische Regierung ist zynisch."
    assert [text[s:e] for s, e in candidates(text, 0, len(text), "de")] == ["Regierung", "zynisch"]
