import json

import numpy as np
import pytest
from click.testing import CliRunner

import spinscope
from spinscope.detect.artifacts import load_model
from spinscope.detect.claims import ClaimsDetector, mood
from spinscope.errors import ModelCorrupt
from spinscope.evaluation.claims import average_precision
from spinscope.interfaces.cli import main
from spinscope.report import render
from spinscope.types import Analysis
from tests.conftest import FIXTURES

NEWS = [line.split("\t") for line in (FIXTURES / "claims-news.tsv").read_text().splitlines()
        if line and not line.startswith("#")]


@pytest.fixture(scope="module")
def detector(pipeline):
    return pipeline.detector("claims")


def test_every_sentence_gets_a_claim_score_with_its_offsets(pipeline, op_ed_text):
    a = pipeline(op_ed_text)
    assert len(a.claims) == len(a.sentences) > 0
    for c, s in zip(a.claims, a.sentences, strict=True):
        assert (c.start, c.end) == (s.start, s.end) and c.text == a.article.text[c.start:c.end]
        assert 0.0 <= c.checkworthiness <= 1.0
        assert c.checkworthy == (c.checkworthiness >= c.threshold and c.mood == "statement")
    assert Analysis.from_json(a.to_json()).claims == a.claims
    assert json.loads(a.to_json())["claims"][0].keys() >= {"start", "end", "text", "checkworthiness", "checkworthy"}


@pytest.mark.parametrize("news", [False, True])
def test_the_head_ranks_our_news_claims_above_opinion_and_furniture(detector, news):
    p = detector.score_texts([r[1] for r in NEWS], news=news)
    y = np.array([int(r[0]) for r in NEWS])
    assert average_precision(p, y) > 0.85
    furniture = [i for i, r in enumerate(NEWS) if r[1] in ("Exit mobile version", "All rights reserved.")]
    threshold = detector.head.threshold if news else detector.head.head_threshold
    assert all(p[i] < threshold for i in furniture)


def test_the_news_calibration_marks_questions_and_exhortations_down(detector):
    head = detector.head
    assert head.news_weights is not None and head.news_threshold is not None
    feats = np.zeros((3, head.weights.shape[0]), np.float32)  # the same head score for all three
    p = head.article_probabilities(feats, ["Taxes rose by 3 percent.", "Did taxes rise by 3 percent?",
                                           "The government must cut taxes by 3 percent."])
    assert p[1] < p[0] and p[2] < p[0]


def test_reports_list_the_checkworthy_claims(pipeline):
    text = ("Unemployment rose to 7.4 percent in March, up from 6.1 percent a year earlier.\n\n"
            "We must <b>stand together</b> and demand better!")
    a = pipeline(text)
    assert [c.checkworthy for c in a.claims] == [True, False]
    assert "Sourcing: 1 check-worthy claim: 1 unsourced (of 2 sentences" in render(a, "text")
    html = render(a, "html")
    assert '<section class="claims">' in html and "7.4 percent" in html and "<b>stand" not in html
    assert 'data-kind="none"' in html and "1 check-worthy claim: 1 unsourced" in html


def test_the_classic_fallback_says_it_has_no_claims():
    a = spinscope.load("classic")("Unemployment rose to 7.4 percent in March.")
    assert a.claims == () and any(w.code == "W106" for w in a.warnings)
    with pytest.raises(ModelCorrupt, match="no claims head"):
        ClaimsDetector(load_model("classic")).score_texts(["x"])


def test_claims_rank_writes_one_score_per_line(tmp_path):
    src = tmp_path / "debate.tsv"
    src.write_text("1\tA\tWe cut taxes by 3 percent last year.\t1\n2\tB\tThank you very much.\t0\n")
    out = tmp_path / "debate.pred"
    r = CliRunner().invoke(main, ["claims", "rank", str(src), "--out", str(out)])
    assert r.exit_code == 0, r.output
    scores = dict(line.split("\t") for line in out.read_text().splitlines())
    assert set(scores) == {"1", "2"} and float(scores["1"]) > float(scores["2"])


def test_a_claim_with_a_vague_source_says_so(pipeline):
    text = ("Officials said that 40,000 refugees crossed the border in the first six months of the year.\n\n"
            "The talks will continue tomorrow.")
    a = pipeline(text)
    first = a.claims[0]
    assert first.checkworthy and first.attribution is not None and first.attribution.kind == "vague"
    src = a.attributions[first.attribution.index].source
    assert src is not None and src.text == "Officials"
    assert a.claims[1].attribution.kind == "none" and a.claims[1].attribution.index is None
    assert "1 from vague sources" in render(a, "text")


@pytest.mark.parametrize(("text", "expected"), [
    ("Freedonia must either pay its debts or leave the union.", "exhortation"),
    ("Third, it must stop hiding the accounts from the auditors.", "exhortation"),
    ("We need to cut the business tax rate.", "exhortation"),
    ("The report must be released in full.", "statement"),  # an obligation on a thing, not a call to act
    ("Asylum seekers must cross four countries to reach the border.", "statement"),
    ("She said the council must act.", "statement"),
    ("How did the money leave the country?", "question"),
    ("Unemployment rose to 7.4 percent in March.", "statement"),
])
def test_sentence_mood(text, expected):
    assert mood(text) == expected


def test_an_exhortation_is_never_a_checkworthy_claim(pipeline):
    text = ("Third, the government must immediately close 14 bases used by the militia since 2019.\n\n"
            "The government closed 14 bases used by the militia in 2019.")
    a = pipeline(text)
    assert [c.mood for c in a.claims] == ["exhortation", "statement"]
    assert not a.claims[0].checkworthy and a.claims[1].checkworthy
    assert json.loads(a.to_json())["claims"][0]["mood"] == "exhortation"
