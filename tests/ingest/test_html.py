"""HTML extraction: titles, and pages built to make parsers slow."""

import time

import pytest

from spinscope.errors import NoArticleText
from spinscope.ingest import load_source
from spinscope.ingest.html import MAX_ATTRIBUTES, article_from_html, screen_markup

BODY = "<p>" + " ".join(["The council voted on the new sea wall plan today after a long debate."] * 5) + "</p>"


def _page(head: str = "", body: str = BODY) -> str:
    return f"<html><head>{head}</head><body><article>{body}</article></body></html>"


@pytest.mark.parametrize("head", ["<title>Sea wall vote</title>",
                                  '<meta property="og:title" content="Sea wall vote">'])
def test_page_title_becomes_the_article_title(head):
    article = article_from_html(_page(head))
    assert article.title == "Sea wall vote"
    assert article.text.startswith("Sea wall vote\n\n")


def test_h1_is_the_title_when_the_head_has_none():
    article = article_from_html(_page(body="<h1>Sea wall vote</h1>" + BODY))
    assert article.title == "Sea wall vote"


def test_html_file_title_reaches_the_article(tmp_path):
    path = tmp_path / "page.html"
    path.write_text(_page("<title>Sea wall vote</title>"), encoding="utf-8")
    assert load_source(path).title == "Sea wall vote"


@pytest.mark.parametrize("sep", [" ", ""])  # attributes need no whitespace between them
def test_tags_with_huge_attribute_lists_are_stripped_before_parsing(sep):
    attrs = sep.join(f'a{i}="x"' for i in range(100_000))
    html = _page("<title>Sea wall vote</title>", f"<div {attrs}>{BODY}</div>")
    cleaned, stripped = screen_markup(html)
    assert stripped == 1 and len(cleaned) < 1000
    start = time.monotonic()
    article = article_from_html(html)
    # A regression guard, not a benchmark: unscreened, this page took minutes here.
    assert time.monotonic() - start < 30
    assert article.metadata["markup_tags_stripped"] == "1" and "sea wall plan" in article.text


def test_ordinary_tags_keep_their_attributes():
    html = _page(body=f'<div class="story" data-id="7" {"x=1 " * (MAX_ATTRIBUTES - 2)}>{BODY}</div>')
    assert screen_markup(html) == (html, 0)


def test_pages_with_too_many_elements_are_refused():
    with pytest.raises(NoArticleText, match="elements"):
        article_from_html(_page(body="<span>x</span>" * 250_000 + BODY))


@pytest.mark.parametrize("depth", [300, 1500])
def test_deeply_nested_pages_are_read_whole(depth):
    para = "<p>{} said the corrupt regime lies to its people every day, and the press repeats it.</p>"
    nested = _page(body="<div>" * depth + "".join(para.format(f"Voter {i}") for i in range(5)) + "</div>" * depth)
    unclosed = _page(body=para.format("Voter 0") + "<font>" * depth + "".join(para.format(f"Voter {i}") for i in range(1, 5)))
    for html in (nested, unclosed):
        text = article_from_html(html).text
        assert all(f"Voter {i} said" in text for i in range(5)), text[:200]


def test_pages_nested_past_the_parsers_limit_are_refused_with_the_reason():
    with pytest.raises(NoArticleText, match="2,048 levels deep"):
        article_from_html(_page(body="<div>" * 3000 + BODY + "</div>" * 3000))


def test_a_page_in_a_script_written_without_spaces_is_not_taken_for_a_stub():
    # Chinese writes no spaces between words: counted by whitespace this page had 3 "words"
    sentence = "市议会今天在长时间辩论后就新的海堤计划进行了投票。"
    article = article_from_html(_page("<title>海堤投票</title>", f"<p>{sentence * 3}</p><p>{sentence * 3}</p>"))
    assert sentence in article.text
    with pytest.raises(NoArticleText, match="found 4 words"):
        article_from_html(_page(body="<p>Menu Home Contact Login</p>"))
