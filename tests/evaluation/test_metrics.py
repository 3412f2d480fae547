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


def test_micro_f1_interval_resamples_articles_not_rows():
    import numpy as np

    from spinscope.evaluation.metrics import micro_f1_interval

    # Article a: every row right; article b: every row wrong. Ten rows each.
    gold = np.ones((20, 1), bool)
    pred = np.array([[True]] * 10 + [[False]] * 10)
    arts = ["a"] * 10 + ["b"] * 10
    low, high = micro_f1_interval(pred, gold, arts, draws=2000)
    # Resampling two articles gives both b twice (F1 0) and a twice (F1 1) a quarter of the time each;
    # resampling the 20 rows as if independent would give a narrow interval around 2/3.
    assert low == 0.0 and high == 1.0
    # The same rows as ten articles of two (five right, five wrong): an interval around the point value,
    # narrower than with two articles.
    ten = [f"a{i // 2}" for i in range(20)]
    low, high = micro_f1_interval(pred, gold, ten, draws=2000)
    assert 0.0 < low < 2 / 3 < high < 1.0
    assert micro_f1_interval(pred, gold, arts, seed=3) == micro_f1_interval(pred, gold, arts, seed=3)
    assert micro_f1_interval(pred[:0], gold[:0], []) == (0.0, 0.0)


def test_macro_f1_interval_holds_the_point_value_and_narrows_with_more_articles():
    from spinscope.evaluation.metrics import macro_f1_interval

    labels = ["opinion", "reporting", "satire"]
    gold = ["opinion"] * 8 + ["reporting"] * 2
    pred = ["opinion"] * 7 + ["reporting"] * 2 + ["opinion"]
    point = score_single_label(dict(enumerate(gold)), dict(enumerate(pred)), labels).macro_f1
    low, high = macro_f1_interval(gold, pred, labels, draws=500)
    assert low <= point <= high and high - low > 0.2
    low10, high10 = macro_f1_interval(gold * 10, pred * 10, labels, draws=500)
    assert low10 <= point <= high10 and high10 - low10 < (high - low) / 2
    assert macro_f1_interval(["opinion"], ["opinion"], labels) == (1.0, 1.0)


def test_the_paired_difference_interval_sees_a_small_gain_that_separate_intervals_hide():
    import numpy as np

    from spinscope.evaluation.metrics import micro_f1_difference_interval, micro_f1_interval

    # 30 articles of very different difficulty; b gets one more label right than a in every article.
    rng = np.random.default_rng(0)
    gold = np.ones((300, 1), bool)
    arts = np.repeat(np.arange(30), 10)
    hits = np.concatenate([rng.permutation(10) < k for k in rng.integers(1, 9, 30)])
    a = hits[:, None].copy()
    b = a.copy()
    for art in range(30):
        b[np.flatnonzero((arts == art) & ~hits)[0]] = True
    low, high = micro_f1_difference_interval(a, b, gold, arts)
    assert 0 < low < high
    a_low, a_high = micro_f1_interval(a, gold, arts)
    b_low, b_high = micro_f1_interval(b, gold, arts)
    assert b_low < a_high  # separately, the two intervals overlap
    assert micro_f1_difference_interval(a, a, gold, arts) == (0.0, 0.0)
    assert micro_f1_difference_interval(a[:0], b[:0], gold[:0], []) == (0.0, 0.0)
