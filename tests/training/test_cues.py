"""The cue lexicon learns how spans argue, never whom they name."""

from __future__ import annotations

from spinscope.semeval.io import GoldSpan
from spinscope.training.corpus import Corpus, LabelledParagraph
from spinscope.training.cues import learn_cues

FILLER = "The weather was mild and the market opened late. Prices of bread rose a little over the week. " * 4
# "scum" stands in the same spans as often as each name, so it shows the names would clear the bar.
SPAN = "They called Biden and Hartmann scum who hate musulmani."


def corpus(language: str = "en") -> Corpus:
    texts, spans, paragraphs = {}, [], []
    for a in ("a1", "a2"):
        text = FILLER
        for _ in range(3):
            start = len(text)
            text += SPAN + " "
            spans.append(GoldSpan(a, "Name_Calling-Labeling", start, start + len(SPAN)))
        texts[a] = text + FILLER
        paragraphs.append(LabelledParagraph(a, language, 0, texts[a], ("Name_Calling-Labeling",), "", ""))
    return Corpus((), tuple(paragraphs), tuple(spans), texts, (), "hash")


def test_names_and_groups_are_never_cues():
    lex, used, skipped = learn_cues(corpus())
    cues = lex.weights["Name_Calling-Labeling"]
    assert (used, skipped) == (6, 0)
    assert "scum" in cues and "hate" in cues
    # A listed name, a proper noun only the capital marks, and a group written in lowercase.
    assert not {"biden", "hartmann", "musulmani"} & set(cues)


def test_explanations_never_quote_a_name():
    lex, _, _ = learn_cues(corpus())
    text = "Critics said Hartmann and Biden were scum."
    quoted = lex.top_words(text, 0, len(text), "Name_Calling-Labeling")
    assert "scum" in quoted and not {"Hartmann", "Biden"} & set(quoted)
