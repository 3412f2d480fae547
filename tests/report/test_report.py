import html
import json

from spinscope.report import render


def test_text_report(pipeline, op_ed_text):
    out = render(pipeline(op_ed_text), "text")
    assert out.startswith("spinscope report — Riverton Deserves Better Than This Council")
    assert "Genre:" in out and "Frames:" in out and "Summary:" in out
    assert "¶" in out and "Exit mobile version" not in out


def test_json_report_is_the_schema_document(pipeline, op_ed_text):
    doc = json.loads(render(pipeline(op_ed_text), "json"))
    assert doc["schema_version"] and doc["article"]["text"].startswith("Riverton")


def test_html_escapes_article_text(pipeline):
    evil = ('Breaking <script>window.pwned=1</script>\n\n'
            'They are corrupt liars <img src=x onerror="alert(1)"> and '
            '<a href="javascript:alert(1)">traitors</a></textarea> who lie and lie.')
    out = render(pipeline(evil, threshold=0.0), "html")
    assert "<script>" not in out and "<img" not in out and "<a href" not in out and "</textarea>" not in out
    assert html.escape("<script>window.pwned=1</script>") in out
    assert "<mark" in out  # threshold 0 flags spans, and they are still escaped
