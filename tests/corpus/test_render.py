import base64
import dataclasses
import re

from click.testing import CliRunner

from spinscope.corpus.render import render_corpus_html, render_corpus_page
from spinscope.corpus.stats import corpus_report
from spinscope.interfaces.cli import main


def test_standalone_report_has_plots_tables_and_escapes_store_values(corpus_store):
    html = render_corpus_html(corpus_report(corpus_store, "outlet", "month"))
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    uris = re.findall(r'<img class="plot" src="data:image/svg\+xml;base64,([^"]+)" alt="[^"]+"', html)
    assert len(uris) == 5  # techniques, genre, frames, sourcing, trend
    assert all(base64.b64decode(u).startswith(b"<?xml") for u in uris)
    assert "<td>ruritania</td><td>place</td><td>45.00</td><td>30</td>" in html
    for section in ("techniques", "genre", "frames", "sourcing", "trend", "targets"):
        assert f'id="{section}"' in html
    assert "10.00 (10.00–10.00) ▲" in html and "too small" in html
    # Nothing is fetched: no scripts, no external links or stylesheets.
    assert "<script" not in html and "http://" not in html and "https://" not in html


def test_page_shows_the_error_instead_of_a_report():
    page = render_corpus_page(None, ("outlet",), {"since": '"><b>'}, "E108: query failed")
    assert 'role="alert"' in page and "&quot;&gt;&lt;b&gt;" in page and '<link rel="stylesheet"' in page


def test_cli_report_writes_one_file(corpus_store, tmp_path):
    out = tmp_path / "r.html"
    r = CliRunner().invoke(main, ["corpus", "report", "--db", str(corpus_store), "--by", "outlet", "--by", "month",
                                  "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert "65 articles in 3 group(s)" in r.output and 'id="trend"' in out.read_text()
    bad = CliRunner().invoke(main, ["corpus", "report", "--db", str(corpus_store), "--by", "colour", "--out", str(out)])
    assert bad.exit_code != 0 and "cannot group by 'colour'" in bad.output and "Traceback" not in bad.output
    missing = CliRunner().invoke(main, ["corpus", "report", "--db", str(tmp_path / "x.duckdb"), "--out", str(out)])
    assert missing.exit_code != 0 and "E105" in missing.output


def test_report_without_dates_says_so_instead_of_an_empty_trend(corpus_store):
    report = dataclasses.replace(corpus_report(corpus_store, "outlet", "month"), trend=())
    html = render_corpus_html(report)
    assert 'id="trend"' in html and "No article in this selection has a date" in html
    assert len(re.findall(r'<img class="plot"', html)) == 4  # no trend plot
