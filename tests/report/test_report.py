import html
import json
import re

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
    assert "<script>" not in out and "<img" not in out and "</textarea>" not in out
    assert 'href="javascript' not in out
    assert all(h.startswith("#") for h in re.findall(r'<a href="([^"]*)"', out))  # the report's own links only
    assert html.escape("<script>window.pwned=1</script>") in out
    assert "<mark" in out  # threshold 0 flags spans, and they are still escaped


def test_readers_see_paragraphs_numbered_from_one_and_frame_labels(pipeline):
    # Blank lines make SemEval line numbers 1, 3, 5; readers see 1, 2, 3.
    text = "Title of the piece\n\nThe corrupt regime lies and lies.\n\nEither we act now or we lose everything."
    a = pipeline(text, threshold=0.0)
    assert [p.paragraph.index for p in a.paragraphs] == [1, 3, 5]
    out = render(a, "text")
    assert "¶2" in out and "¶3" in out and "¶5" not in out
    page = render(a, "html")
    assert 'id="p5"' in page and "¶3</span>" in page and "¶5</span>" not in page
    assert "External_regulation_and_reputation" not in out
    assert all("_" not in f for f in out.split("Frames:")[1].splitlines()[0].split(","))


def test_reports_show_the_threshold_beside_the_confidence(pipeline, op_ed_text):
    a = pipeline(op_ed_text)
    assert a.spans
    out = render(a, "text")
    span = a.spans[0]
    assert f"({span.confidence:.0%}, threshold {span.threshold:.0%})" in out
    assert "over the" in render(a, "html") and "threshold" in render(a, "html")


def test_reports_say_plainly_what_a_highlight_is(pipeline, op_ed_text):
    from spinscope.report.summary import SPAN_NOTICE

    a = pipeline(op_ed_text)
    assert a.spans
    assert "not precise boundaries" in " ".join(render(a, "text").split())
    assert html.escape(SPAN_NOTICE) in render(a, "html")


def test_reports_list_the_article_as_a_whole_and_escape_its_passage(pipeline):
    import dataclasses

    from spinscope.taxonomy import technique
    from spinscope.types import ArticleTechnique, ParagraphTechniques

    text = "Title\n\nThey say <b>doom</b> is near & coming. Everyone agrees."
    a = pipeline(text)
    start, end = text.index("They"), text.index(" Everyone")
    fear = ArticleTechnique("Appeal_to_Fear-Prejudice", 0.47, True, 0.31, start, end, 0.14)
    weak = ArticleTechnique("Doubt", 0.2, False, 0.31, start, end, 0.05)
    a = dataclasses.replace(a, techniques=(fear, weak),
                            paragraphs=tuple(ParagraphTechniques(p.paragraph, ()) for p in a.paragraphs))
    label = technique(fear.technique).label
    out = render(a, "text")
    assert f"{label} (47%, threshold 31%)" in out and "no passage flagged on its own; strongest (14%)" in out
    assert technique("Doubt").label not in out.split("In the article as a whole:")[1].split("\n\n")[0]
    page = render(a, "html")
    assert "<b>doom</b>" not in page and html.escape("<b>doom</b>") in page
    assert 'data-technique="Appeal_to_Fear-Prejudice"' in page and 'data-technique="Doubt"' not in page
    assert json.loads(render(a, "json"))["techniques"][0]["passage_confidence"] == 0.14


def test_reports_say_why_the_genre_is_not_the_highest_score(pipeline):
    import dataclasses

    from spinscope.types import Genre

    a = pipeline("Title\n\nThe council voted on the plan today after a long debate.")
    floored = dataclasses.replace(a, genre=Genre("opinion", {"opinion": 0.3, "reporting": 0.25, "satire": 0.45}, 0.5))
    note = "satire (45%) is named only at 50% or more"
    assert "Genre: opinion (30%)" in render(floored, "text") and note in render(floored, "text")
    assert note in render(floored, "html")
    assert json.loads(render(floored, "json"))["genre"]["satire_floor"] == 0.5
    plain = dataclasses.replace(a, genre=Genre("satire", {"opinion": 0.3, "reporting": 0.25, "satire": 0.45}))
    assert "is named only" not in render(plain, "text") and "is named only" not in render(plain, "html")
