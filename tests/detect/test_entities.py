import pytest

from spinscope.components import Doc
from spinscope.detect.entities import EntitiesDetector, weight
from spinscope.pipeline import Pipeline
from spinscope.segment import paragraphs, sentences
from spinscope.types import Article, ParagraphTechniques, TechniqueSpan
from tests.test_golden import EXAMPLE

TEXT = ("The Crimson Brotherhood is a gang of bloodthirsty butchers. Freedonia shelters the group. "
        "Sylvania reported the attack on Tuesday. It is a disgrace.")


def _doc(text, spans, language="en"):
    paras = paragraphs(text)
    placed = tuple(TechniqueSpan(t, a, b, c, text[a:b], paras[0].index, threshold=0.3) for t, a, b, c in spans)
    techniques = (ParagraphTechniques(paras[0], (), placed),)
    doc = Doc(Article("t", text, language=language), paras, sentences(text, paras))
    doc.techniques = techniques
    return doc


def _span(text, phrase):
    a = text.index(phrase)
    return a, a + len(phrase)


def _run(doc, backend="rules"):
    det = EntitiesDetector(backend=backend)
    found = det.predict([doc])
    det.set_annotations([doc], found)
    return {e.text: e for e in doc.entities}


def test_a_span_is_aimed_at_the_entity_it_covers_else_at_its_sentences_names():
    name_calling = ("Name_Calling-Labeling", *_span(TEXT, "a gang of bloodthirsty butchers"), 0.8)
    loaded = ("Loaded_Language", *_span(TEXT, "The Crimson Brotherhood is a gang"), 0.6)
    found = _run(_doc(TEXT, [name_calling, loaded]))
    brotherhood = found["Crimson Brotherhood"]
    # The name-calling span names nobody, so it goes to its sentence's one entity: weight 2 x 0.8.
    # The loaded-language span covers the name itself: weight 1.5 x 0.6.
    assert brotherhood.attacked == pytest.approx(2 * 0.8 + 1.5 * 0.6)
    assert dict(brotherhood.techniques) == {"Name_Calling-Labeling": 1, "Loaded_Language": 1}
    assert [(e.technique, e.start) for e in brotherhood.evidence] == [(t, a) for t, a, _, _ in (name_calling, loaded)]
    assert found["Freedonia"].attacked == 0 and found["Sylvania"].attacked == 0
    assert next(iter(_run(_doc(TEXT, [name_calling])))) == "Crimson Brotherhood"  # most attacked first


def test_shared_sentences_split_the_credit_and_references_back_count():
    # "the group" refers back to the Brotherhood, so Freedonia's sentence has two targets.
    doubt = ("Doubt", *_span(TEXT, "shelters the group"), 0.5)
    found = _run(_doc(TEXT, [doubt]))
    assert found["Freedonia"].attacked == pytest.approx(2 * 0.5 / 2)
    assert found["Crimson Brotherhood"].attacked == pytest.approx(2 * 0.5 / 2)
    # "It" in the last sentence refers to the last non-person named before it.
    it = ("Loaded_Language", *_span(TEXT, "a disgrace"), 1.0)
    assert _run(_doc(TEXT, [it]))["Sylvania"].attacked == pytest.approx(1.5)


def test_it_refers_back_to_the_subject_of_an_earlier_sentence_not_its_last_name():
    text = ("Freedonia funds the Crimson Brotherhood. The Crimson Brotherhood wages a war on Sylvania. "
            "Its bombings strike markets.")
    found = _run(_doc(text, [("Loaded_Language", *_span(text, "Its bombings strike markets"), 1.0)]))
    assert found["Crimson Brotherhood"].attacked == pytest.approx(1.5)
    assert found["Sylvania"].attacked == 0 and found["Freedonia"].attacked == 0


def test_spans_under_their_threshold_and_other_languages_references():
    weak = ("Doubt", *_span(TEXT, "shelters the group"), 0.1)  # under the 0.3 threshold
    assert all(e.attacked == 0 for e in _run(_doc(TEXT, [weak])).values())
    # No English reference words in other languages: only the named entity of the sentence.
    text = "Le groupe est protégé par Freedonia. Pour nous, Sylvania est une honte."
    found = _run(_doc(text, [("Loaded_Language", *_span(text, "une honte"), 1.0)], language="fr"))
    assert found["Sylvania"].attacked == 1.5 and found["Freedonia"].attacked == 0


def test_weights_follow_the_taxonomy():
    assert weight("Questioning_the_Reputation") == 2.0 and weight("Loaded_Language") == 1.5
    assert weight("Slogans") == 0.5


def test_the_same_rhetoric_gets_the_same_score_whoever_is_named():
    swapped = TEXT.replace("Freedonia", "Sylvania__").replace("Sylvania ", "Freedonia ").replace("Sylvania__",
                                                                                                 "Sylvania")
    doubt = ("Doubt", *_span(TEXT, "shelters the group"), 0.5)
    a = _run(_doc(TEXT, [doubt]))
    b = _run(_doc(swapped, [("Doubt", *_span(swapped, "shelters the group"), 0.5)]))
    assert a["Freedonia"].attacked == b["Sylvania"].attacked


@pytest.mark.skipif(not EXAMPLE.is_file(), reason=f"example article not found at {EXAMPLE}")
@pytest.mark.parametrize("backend", ["rules", "spacy"])
def test_example_op_ed_attacks_pakistan_and_isis_most(pipeline, backend):
    if backend == "spacy":
        pytest.importorskip("spacy")
    detectors = [d if d.name != "entities" else EntitiesDetector(backend=backend) for d in pipeline.detectors]
    analysis = Pipeline(pipeline.model, detectors)(EXAMPLE.read_text(encoding="utf-8"))
    assert {e.text for e in analysis.entities[:2]} == {"Pakistan", "ISIS"}
    assert analysis.entities[1].attacked > 2 * analysis.entities[4].attacked


def test_entities_reach_the_json_and_reports(pipeline):
    from spinscope.report import render_html, render_text

    a = pipeline("The Crimson Brotherhood are corrupt, lying traitors and bloodthirsty criminals who destroy "
                 "everything.\n\nFreedonia, they say, is a disgrace and a shameful, pathetic failure.")
    assert a.entities and a.to_json().count('"attacked"') == len(a.entities)
    if any(e.attacked > 0 for e in a.entities):
        assert "Targets (most attacked first):" in render_text(a) and '<section class="targets">' in render_html(a)
    assert type(a).from_json(a.to_json()) == a


def test_backend_is_a_detector_option(tmp_path):
    import spinscope
    from spinscope.errors import InvalidOption

    with pytest.raises(InvalidOption, match="does not take the options"):
        spinscope.load("classic", options={"entities": {"colour": "red"}})
    with pytest.raises(InvalidOption, match="unknown entity backend"):
        spinscope.load("classic", options={"entities": {"backend": "magic"}})
    with pytest.raises(InvalidOption, match="unknown detector 'entitys'"):
        spinscope.load("classic", options={"entitys": {}})
    config = tmp_path / "p.toml"
    config.write_text('[options.entities]\nbackend = "rules"\n')
    assert spinscope.load("classic", config=config).detector("entities").backend == "rules"


def test_spacy_backend_does_not_import_torch():
    import subprocess
    import sys

    pytest.importorskip("spacy")
    code = ("import sys, spinscope\n"
            "nlp = spinscope.load('classic', options={'entities': {'backend': 'spacy'}})\n"
            "a = nlp('Angela Merkel met officials of the United Nations in Paris. They lied.')\n"
            "assert any(e.text == 'Angela Merkel' and e.label == 'person' for e in a.entities), a.entities\n"
            "print('torch' in sys.modules)\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and r.stdout.strip() == "False", r.stdout + r.stderr
