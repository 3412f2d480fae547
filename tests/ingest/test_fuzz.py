"""Property-based tests: no input, however odd, crashes ingestion or the pipeline.

Every failure must be a ``SpinscopeError`` with a code; nothing else may escape.
"""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spinscope.errors import SpinscopeError
from spinscope.ingest import article_from_bytes, article_from_text
from spinscope.ingest.html import article_from_html

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
html_fragments = st.lists(
    st.sampled_from(["<html>", "<body>", "<p>", "</p>", "<div>", "<script>x=1</script>", "<!--", "-->", "&amp;",
                     "&#0;", "<article>", "</article>", "<h1>", "<nav>", "<meta charset='koi8-r'>", "\x00", "<"])
    | st.text(max_size=40),
    max_size=60,
).map("".join)


def _analyse(pipeline, make):
    try:
        article = make()
    except SpinscopeError as exc:
        assert exc.code.startswith("E")
        return
    analysis = pipeline(article)
    for p in analysis.paragraphs:
        for s in p.spans:
            assert article.text[s.start : s.end] == s.text


@FUZZ
@given(data=st.binary(max_size=3000))
def test_bytes_never_crash(pipeline, data):
    _analyse(pipeline, lambda: article_from_bytes(data))


@FUZZ
@given(text=st.text(max_size=3000))
def test_text_never_crashes(pipeline, text):
    _analyse(pipeline, lambda: article_from_text(text))


@FUZZ
@given(html=html_fragments)
def test_html_never_crashes(pipeline, html):
    _analyse(pipeline, lambda: article_from_html(html))
