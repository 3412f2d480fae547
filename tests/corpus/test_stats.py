import datetime
import math

import pytest

from spinscope.corpus.stats import Filter, corpus_report, corpus_view, parse_date, split_by
from spinscope.errors import InvalidOption, MissingFile

EVIL = "<script>alert(1)</script>"


def _value(values, group, key):
    return next(v for v in values if v.group == group and v.key == key)


def test_rates_shares_and_verdicts_match_the_rows(corpus_store):
    r = corpus_report(corpus_store, "outlet")
    assert [(g.name, g.articles, g.too_small) for g in r.groups] == [(EVIL, 5, True), ("A", 30, False),
                                                                     ("B", 30, False)]
    a, b = _value(r.techniques, "A", "Loaded_Language"), _value(r.techniques, "B", "Loaded_Language")
    assert a.estimate.value == pytest.approx(10.0) and b.estimate.value == pytest.approx(2.0)
    # Every article of A has the same rate, so resampling them cannot move it.
    assert (a.estimate.low, a.estimate.high) == pytest.approx((10.0, 10.0))
    assert (a.versus_rest, b.versus_rest) == ("higher", "lower")
    assert _value(r.techniques, EVIL, "Loaded_Language").versus_rest == "too small"
    assert _value(r.techniques, "A", "Slogans").estimate.value == 0
    assert _value(r.genres, "B", "reporting").estimate.value == 1.0
    assert _value(r.frames, "A", "Political").estimate.value == 1.0
    assert _value(r.weak_sourcing, "A", "vague or no source").estimate.value == pytest.approx(0.5)
    assert _value(r.weak_sourcing, "B", "vague or no source").estimate.value == 0.0
    assert _value(r.weak_sourcing, EVIL, "vague or no source").estimate.value == pytest.approx(0.5)  # no source
    assert r.claims == {EVIL: 10, "A": 60, "B": 60}
    # Names match whatever their case; B attacks nobody, so it has no targets.
    assert [(t.group, t.entity, t.articles, t.attacked) for t in r.targets] == [("A", "ruritania", 30, 45.0)]
    assert r.trend == ()


def test_intervals_cover_the_value_and_noise_is_called_noise(corpus_store):
    r = corpus_report(corpus_store, None, "month")
    assert [g.name for g in r.groups] == ["all articles"] and r.articles == 65
    assert {p.period for p in r.trend} == {"2016-01", "2016-02"}
    for v in r.techniques + r.genres + r.trend:
        e = v.estimate
        assert math.isnan(e.value) or e.low - 1e-9 <= e.value <= e.high + 1e-9
    assert {v.versus_rest for v in r.techniques} == {""}  # one group: nothing to compare with
    # Months hold the same mix of outlets, so their rates differ only by chance.
    by_month = corpus_report(corpus_store, None, "month", Filter(outlet="A"))
    assert all(p.estimate.value == pytest.approx(10.0) for p in by_month.trend)


def test_filters_restrict_the_articles(corpus_store):
    assert corpus_report(corpus_store, "outlet", where=Filter(outlet="B")).articles == 30
    feb = corpus_view(corpus_store, ("outlet",), {"since": "2016-02", "until": "2016-02"})
    assert feb.articles == 32 and feb.first_date >= datetime.date(2016, 2, 1)
    assert corpus_report(corpus_store, "outlet", where=Filter(language="fr")).groups == ()


def test_bad_requests_are_clear_errors(corpus_store, tmp_path):
    with pytest.raises(InvalidOption, match="cannot group by 'colour'"):
        split_by(("colour",))
    with pytest.raises(InvalidOption, match="at most one group"):
        split_by(("outlet", "author"))
    assert split_by(("month", "outlet")) == ("outlet", "month")
    with pytest.raises(InvalidOption, match="not a date"):
        parse_date("last spring")
    assert parse_date("2016-02", end=True) == datetime.date(2016, 2, 29)
    with pytest.raises(MissingFile):
        corpus_report(tmp_path / "none.duckdb")
