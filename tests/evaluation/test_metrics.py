import pytest

from spinscope.errors import ScoringMismatch
from spinscope.evaluation.metrics import score_multilabel, score_single_label


def test_multilabel_micro_and_macro_by_hand():
    labels = ["A", "B", "C"]
    gold = {1: ["A"], 2: ["A", "B"], 3: []}
    pred = {1: ["A"], 2: ["B"], 3: ["B"]}
    s = score_multilabel(gold, pred, labels)
    # tp=2 (A@1, B@2), fp=1 (B@3), fn=1 (A@2): micro = 4/6
    assert s.micro_f1 == pytest.approx(4 / 6)
    # A: tp1 fn1 -> 2/3; B: tp1 fp1 -> 2/3; C: absent from both -> 1
    assert s.per_class == pytest.approx({"A": 2 / 3, "B": 2 / 3, "C": 1.0})
    assert s.macro_f1 == pytest.approx((2 / 3 + 2 / 3 + 1) / 3)


def test_single_label_macro_over_seen_classes():
    s = score_single_label({1: "opinion", 2: "reporting"}, {1: "opinion", 2: "opinion"},
                           ["opinion", "reporting", "satire"])
    assert s.micro_f1 == pytest.approx(0.5)
    assert s.macro_f1 == pytest.approx((2 / 3 + 0) / 2)


def test_mismatched_items_are_refused():
    with pytest.raises(ScoringMismatch, match="no prediction"):
        score_multilabel({1: ["A"], 2: []}, {1: ["A"]}, ["A"])
    with pytest.raises(ScoringMismatch, match="unknown label"):
        score_multilabel({1: ["A"]}, {1: ["Z"]}, ["A"])
