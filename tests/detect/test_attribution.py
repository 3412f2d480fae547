import numpy as np
import pytest

from spinscope.detect.attribution import link, nominal_reports, source_kind
from spinscope.detect.attribution_tagger import Tagger, spans, token_features, tokens
from spinscope.detect.claims import covering
from spinscope.types import Attribution, TextSpan


@pytest.mark.parametrize("source,start,kind", [
    ("Political analysts", True, "vague"), ("critics", False, "vague"), ("Officials", True, "vague"),
    ("people familiar with the talks", False, "vague"), ("Spokeswoman Haley Morris", True, "named"),
    ("he", False, "named"), ("the Pentagon", False, "named"), ("We", True, "self"), ("I", True, "self"),
    ("Reports", True, "vague"), ("Reuters reports", True, "named"),
    ("Democratic voters", True, "vague"), ("supporters of both candidates", False, "vague"),
    ("over 170 researchers", False, "vague"), ("Just over a quarter, 26 percent,", True, "vague"),
    ("the agency", False, "named"), ("The New York Times", True, "named"), ("who", False, "named"),
    ("a civil rights group called Color of Change", False, "named"), ("Trump’s", False, "named"),
])
def test_source_kinds(source, start, kind):
    assert source_kind(source, start) == kind


def test_each_cue_takes_the_nearest_unused_source_and_content():
    found = [("SRC", 0, 5), ("CUE", 6, 10), ("CON", 11, 30), ("SRC", 32, 40), ("CUE", 41, 45), ("CON", 46, 60)]
    assert link(found) == [((0, 5), (6, 10), (11, 30)), ((32, 40), (41, 45), (46, 60))]
    assert link([("CUE", 0, 4)]) == [(None, (0, 4), None)]


def test_viterbi_follows_emissions_and_transitions():
    labels = ("O", "B-SRC", "I-SRC")
    state = np.array([[0, 2, 0], [0, 0, 0], [1, 0, 0]], np.float32)  # attributes a, b, c
    trans = np.array([[0, 0, -5], [0, -5, 3], [0, 0, 0]], np.float32)  # O->I-SRC forbidden-ish
    t = Tagger(labels, {"a": 0, "b": 1, "c": 2}, state, trans)
    assert t.tag([["a"], ["b"], ["c"]]) == ["B-SRC", "I-SRC", "O"]
    assert t.tag([]) == []


def test_viterbi_finds_the_best_sequence_that_brute_force_finds():
    import itertools

    rng = np.random.default_rng(3)
    labels = ("O", "B-SRC", "I-SRC", "B-CUE")
    for _ in range(20):
        state = rng.normal(size=(5, 4)).astype(np.float32)
        trans = rng.normal(size=(4, 4)).astype(np.float32)
        t = Tagger(labels, {a: i for i, a in enumerate("abcde")}, state, trans)
        feats = [list(rng.choice(list("abcdez"), size=2)) for _ in range(int(rng.integers(1, 6)))]
        emit = np.array([[sum(state[t.attributes[a], j] for a in f if a in t.attributes) for j in range(4)]
                         for f in feats], np.float64)

        def total(path, emit=emit, trans=trans):
            return sum(emit[i, k] for i, k in enumerate(path)) + sum(trans[a, b] for a, b in zip(path, path[1:], strict=False))

        best = max(itertools.product(range(4), repeat=len(feats)), key=total)
        assert t.tag(feats) == [labels[k] for k in best]


def _word_tagger(rng, toks_lists):
    """A tagger whose attributes are token_features' own strings, with random weights."""
    names = sorted({a for toks in toks_lists for f in token_features(toks) for a in f})
    names = names[::2]  # half unseen in "training": they must add nothing
    labels = ("O", "B-SRC", "I-SRC", "B-CUE", "I-CUE", "B-CON", "I-CON")
    return Tagger(labels, {a: i for i, a in enumerate(names)}, rng.normal(size=(len(names), 7)).astype(np.float32),
                  rng.normal(size=(7, 7)).astype(np.float32))


def test_tag_many_gives_the_labels_of_tag_without_building_strings(monkeypatch):
    import spinscope.detect.attribution_tagger as tagger_module

    text = ('Critics said "the plan is bad." The minister told reporters it would pass.\n'
            'According to officials, the talks failed. "We will not go back," he warned.\nYes.\n\n'
            'Ministers, analysts and diplomats said on Tuesday that the vote, which was delayed twice, '
            'would be held again next week, though few expected it to pass.')
    paragraphs = [tokens(line) for line in text.split("\n")]  # one empty paragraph among them
    rng = np.random.default_rng(7)
    for _ in range(5):
        t = _word_tagger(rng, paragraphs)
        expected = [t.tag(token_features(p)) for p in paragraphs]
        assert t.tag_many(paragraphs) == expected
        assert expected[3] == [] and len(expected[1]) == len(paragraphs[1])
        monkeypatch.setattr(tagger_module, "VITERBI_CELLS", 20)  # chunks of one or a few paragraphs
        assert t.tag_many(paragraphs) == expected
        monkeypatch.undo()
    assert t.tag_many([]) == []


def test_tokens_features_and_spans_keep_offsets():
    text = 'Critics said "the plan is bad."'
    toks = tokens(text)
    assert [w for w, _, _ in toks][:3] == ["Critics", "said", '"']
    feats = token_features(toks)
    assert "cue=1" in feats[1] and "q=1" in feats[3]
    tags = ["B-SRC", "B-CUE", "O", "B-CON", "I-CON", "I-CON", "I-CON", "I-CON", "O"]
    assert spans(toks, tags) == [("SRC", 0, 7), ("CUE", 8, 12), ("CON", 14, 30)]


def test_a_claim_is_covered_by_the_attribution_of_its_content_or_cue():
    a = Attribution(TextSpan(0, 7, "Critics"), TextSpan(8, 12, "said"), TextSpan(13, 40, "x" * 27), "vague")
    assert covering(0, 41, [a]).kind == "vague" and covering(0, 41, [a]).index == 0
    assert covering(50, 90, [a]).kind == "none" and covering(50, 90, [a]).index is None


@pytest.mark.parametrize(("text", "cue", "content"), [
    ("News that 40 soldiers were killed in the north reached the capital. Then", "News that",
     "40 soldiers were killed in the north reached the capital"),
    ("Shares fell after reports that the bank had lost $2 billion; traders sold.", "reports that",
     "the bank had lost $2 billion"),
    ("The Daily Star reports that the bank had lost $2 billion.", None, None),  # a named outlet
    ("He denied his reports that the bank had failed.", None, None),  # a possessive names the source
])
def test_unsourced_reports_become_cue_and_content(text, cue, content):
    found = nominal_reports(text, 0, len(text), [])
    got = {role: text[s:e] for role, s, e in found}
    assert got.get("CUE") == cue and got.get("CON") == content


def test_a_report_the_tagger_already_marked_is_left_alone():
    text = "News that the bank failed spread."
    assert nominal_reports(text, 0, len(text), [("CON", 0, 4)]) == []


def test_the_pipeline_gives_an_unsourced_report_a_vague_attribution(pipeline):
    a = pipeline("News that 40 soldiers were killed in the northern province on Monday shocked the capital.")
    assert any(x.source is None and x.cue is not None and x.cue.text == "News that" and x.kind == "vague"
               for x in a.attributions)
    assert a.claims[0].attribution is not None and a.claims[0].attribution.kind == "vague"
