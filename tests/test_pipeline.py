from concurrent.futures import CancelledError

import pytest

import spinscope
from spinscope.detect.scores import Started
from spinscope.errors import EmptyInput, InvalidOption, ModelNotFound
from spinscope.types import Analysis, Article


def _check_offsets(a: Analysis) -> None:
    text = a.article.text
    for p in a.paragraphs:
        assert text[p.paragraph.start : p.paragraph.end].strip()
        assert "\n" not in text[p.paragraph.start : p.paragraph.end]
        for s in p.spans:
            assert p.paragraph.start <= s.start < s.end <= p.paragraph.end
            assert text[s.start : s.end] == s.text
            assert s.technique in {x.technique for x in p.detected}
            assert s.explanation
    for s in a.sentences:
        assert text[s.start : s.end] == text[s.start : s.end].strip()


def test_analyses_op_ed_without_boilerplate(pipeline, op_ed_text):
    a = pipeline(op_ed_text)
    assert "Exit mobile version" not in a.article.text and "Share this" not in a.article.text
    assert a.article.language == "en" and a.article.title == "Riverton Deserves Better Than This Council"
    assert a.genre.label in ("opinion", "reporting", "satire")
    assert sum(a.genre.scores.values()) == pytest.approx(1.0, abs=1e-3)
    assert [p.paragraph.index for p in a.paragraphs] == [1, 3, 5, 7, 9, 11]
    _check_offsets(a)
    assert a.spans, "a text written to be loaded should trigger at least one technique"


def test_op_ed_reads_as_more_persuasive_than_report(pipeline, op_ed_text):
    from tests.conftest import FIXTURES

    op = pipeline(op_ed_text)
    rep = pipeline((FIXTURES / "report.txt").read_text())
    assert sum(op.technique_counts().values()) > sum(rep.technique_counts().values())
    assert op.genre.scores["opinion"] > rep.genre.scores["opinion"]


def test_threshold_moves_operating_point(pipeline, op_ed_text):
    everything = pipeline(op_ed_text, threshold=0.0)
    nothing = pipeline(op_ed_text, threshold=1.0)
    assert all(s.detected for p in everything.paragraphs for s in p.scores)
    assert not nothing.spans and not nothing.detected_frames
    assert everything.threshold == 0.0
    with pytest.raises(InvalidOption):
        pipeline(op_ed_text, threshold=1.5)


def test_pipe_streams_in_order(pipeline, op_ed_text):
    texts = [op_ed_text, "Second\n\nA calm note about rain.", Article(id="third", text="Third\n\nMore rain.")]
    out = list(pipeline.pipe(iter(texts), batch_size=2))
    assert [a.article.id for a in out][2] == "third"
    assert out[1].article.title == "Second"
    with pytest.raises(InvalidOption):
        list(pipeline.pipe(texts, batch_size=0))


def test_pipe_starts_the_next_batch_early_and_gives_the_same_analyses(pipeline, op_ed_text):
    texts = [op_ed_text, "Rain\n\nA calm note about rain.", op_ed_text[:900], "Fog\n\nThe fog lifted by noon."]
    alone = [pipeline(t).to_json() for t in texts]
    scores = pipeline.detector("scores")
    events: list[str] = []
    real_start = scores.start

    def start(docs):
        events.append(f"start {len(docs)}")
        begun = real_start(docs)
        return Started(lambda: (events.append(f"finish {len(docs)}"), begun())[1], begun.cancel)

    scores.start = start
    try:
        out = []
        for a in pipeline.pipe(texts, batch_size=3):
            events.append("yield")
            out.append(a.to_json())
    finally:
        del scores.start
    assert out == alone
    # The second batch (1 article) is started before the first one is handed out.
    assert events == ["start 3", "start 1", "finish 3", "yield", "yield", "yield", "finish 1", "yield"]


def test_a_pipe_stopped_early_cancels_the_batch_it_started(pipeline, op_ed_text):
    scores = pipeline.detector("scores")
    real_start = scores.start
    begun = []

    def start(docs):
        begun.append(real_start(docs))
        return begun[-1]

    scores.start = start
    try:
        long = "\n\n".join([op_ed_text] * 20)  # 180 sentence windows: far more than run during one short article
        stream = pipeline.pipe([op_ed_text, long, long], batch_size=1)
        next(stream)
        stream.close()  # the caller stops: the second batch's queued windows must not run on
    finally:
        del scores.start
    assert len(begun) == 2
    with pytest.raises(CancelledError):
        begun[1]()


def test_pipe_hands_out_a_batch_before_the_error_in_the_next(pipeline):
    out = []
    with pytest.raises(EmptyInput):
        for a in pipeline.pipe(["One\n\nSome text.", "Two\n\nMore text.", "   "], batch_size=2):
            out.append(a.article.title)
    assert out == ["One", "Two"]


def test_unsupported_language_warns(pipeline):
    a = pipeline("El gobierno anunció hoy una nueva ley sobre la vivienda en Madrid y Barcelona.")
    assert a.article.language == "es"
    assert any("no training data" in w.message and w.code == "W104" for w in a.warnings)
    assert pipeline("Texte court.", language="fr").article.language == "fr"


def test_unknown_model_is_a_clear_error(tmp_path):
    with pytest.raises(ModelNotFound, match="manifest.json"):
        spinscope.load(tmp_path)


def test_very_long_input_is_cut_with_a_warning(pipeline):
    from spinscope.pipeline import MAX_ANALYSED_CHARS

    one_line = "The regime lies again. " * (MAX_ANALYSED_CHARS // 10)
    a = pipeline("Title\n\n" + one_line + "\n\nLast paragraph.", language="en")
    assert a.paragraphs[-1].paragraph.end <= MAX_ANALYSED_CHARS
    assert any("were analysed" in w.message and w.code == "W105" for w in a.warnings)
    single = pipeline(one_line, language="en")
    assert len(single.paragraphs) == 1 and single.paragraphs[0].paragraph.end == MAX_ANALYSED_CHARS
    assert any("were analysed" in w.message for w in single.warnings)


def test_a_text_shorter_than_any_training_article_warns_that_genre_and_frames_say_little(pipeline):
    from spinscope.pipeline import SHORT_TEXT_WORDS

    short = pipeline("Hi.", language="en")
    assert [w.code for w in short.warnings] == ["W108"]
    assert "the text has 1 word;" in short.warnings[0].message and "genre and frames" in short.warnings[0].message
    words = "The minister said the plan would cut costs by a third next year. "  # 13 words
    just_long_enough = words * (SHORT_TEXT_WORDS // 13 + 1)
    assert not any(w.code == "W108" for w in pipeline(just_long_enough, language="en").warnings)
    assert any(w.code == "W108" for w in pipeline(words * (SHORT_TEXT_WORDS // 13), language="en").warnings)

def test_token_budget_cuts_text_that_is_cheap_in_characters_but_not_in_tokens(pipeline, monkeypatch):
    from spinscope.detect import transformer

    monkeypatch.setattr(transformer, "MAX_TOKENS", 2000)
    assert pipeline.model.readable_chars("a" * 5000) == 2000  # one word piece per letter
    junk = "\n\n".join("a" * 500 for _ in range(12))
    a = pipeline(junk, language="en")
    assert len(a.paragraphs) == 4 and a.paragraphs[-1].paragraph.end <= pipeline.model.readable_chars(junk)  # 4 x 500
    assert any(w.code == "W105" and "4 of 12 paragraphs" in w.message and "word pieces" in w.message
               for w in a.warnings)
    # the same number of characters of English is well within the budget
    prose = "\n\n".join("The minister said the plan would cut costs by a third next year. " * 8 + "Done."
                         for _ in range(12))
    assert len(prose) > len(junk) and not any(w.code == "W105" for w in pipeline(prose, language="en").warnings)

def test_pipe_in_worker_processes_gives_the_same_analyses_in_order(pipeline, op_ed_text):
    texts = [op_ed_text, "Second\n\nA calm note about rain.",
             Article(id="third", text="Third\n\nThe corrupt regime lies again.", metadata={"outlet": "X"}),
             "Fourth\n\nCritics say the plan failed."]
    alone = [a.to_json() for a in pipeline.pipe(texts)]
    forked = [a.to_json() for a in pipeline.pipe(texts, n_process=2)]
    assert forked == alone
    assert '"outlet": "X"' in forked[2] and '"id": "third"' in forked[2]


def test_pipe_in_worker_processes_raises_the_same_error(pipeline):
    with pytest.raises(EmptyInput):
        list(pipeline.pipe(["Fine\n\nSome text.", "   "], n_process=2))
    with pytest.raises(InvalidOption, match="workers"):
        list(pipeline.pipe(["x"], n_process=0))
