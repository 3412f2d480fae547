import pytest

from spinscope.errors import (
    BinaryInput,
    EmptyInput,
    InputTooLarge,
    MissingFile,
    NoArticleText,
    UndecodableText,
)
from spinscope.ingest import article_from_text, decode, load_source, strip_boilerplate


def test_decode_handles_boms_and_refuses_bad_bytes():
    assert decode("\ufeffhé".encode("utf-8")) == "hé"
    assert decode("\ufeffhé".encode("utf-16-le")) == "hé"
    with pytest.raises(BinaryInput, match="NUL"):
        decode(b"abc\x00def")
    assert decode("Привет, это статья о политике и экономике.".encode("cp1251")).startswith("Привет")
    assert decode(b"caf\xe9", declared="latin-1") == "café"
    with pytest.raises(BinaryInput, match="control bytes"):
        decode(bytes(range(1, 32)) * 20)
    with pytest.raises(UndecodableText, match="not UTF-8"):
        decode(bytes(range(128, 256)) * 3)
    with pytest.raises(InputTooLarge, match="limit"):
        decode(b"x" * 11, max_bytes=10)


def test_empty_and_boilerplate_only_inputs():
    with pytest.raises(EmptyInput, match="empty or contains only whitespace"):
        article_from_text(" \n\t\n")
    with pytest.raises(NoArticleText, match="only page boilerplate"):
        article_from_text("Share this:\nExit mobile version\n")
    for invisible in ("\u200b\u200b\n\n\u202e\u202e", "\ufeff\u2060", "!!! ... ???\n---", "\U0001f600\U0001f600"):
        with pytest.raises(EmptyInput, match="no letters or digits"):
            article_from_text(invisible)
    assert article_from_text("\u200bWord\u200b").text == "\u200bWord\u200b"  # one letter is enough
    assert article_from_text("\u65b0\u95fb").text == "\u65b0\u95fb"  # letters of any script


def test_boilerplate_is_removed_but_article_lines_stay():
    text = "Title\n\nShare this article on the town hall steps, she said.\n\nShare this:\nExit mobile version"
    cleaned, removed = strip_boilerplate(text)
    assert cleaned == "Title\n\nShare this article on the town hall steps, she said."
    assert removed == ("Share this:", "Exit mobile version")


def test_article_fields_and_newlines():
    a = article_from_text("Headline\r\n\r\nBody text.\rMore.", article_id="x")
    assert a.text == "Headline\n\nBody text.\nMore."
    assert a.title == "Headline" and a.id == "x"


def test_read_article_errors(tmp_path):
    with pytest.raises(MissingFile, match="no such file"):
        load_source(tmp_path / "missing.txt")
    with pytest.raises(MissingFile, match="directory"):
        load_source(tmp_path)
    f = tmp_path / "a.txt"
    f.write_text("T\n\nBody.\nExit mobile version\n", encoding="utf-8")
    a = load_source(f)
    assert a.text == "T\n\nBody." and a.metadata["boilerplate_removed"] == "1" and a.id == "a"


def test_oversized_files_are_refused_whatever_their_type(tmp_path):
    from spinscope.ingest import article_from_bytes
    from spinscope.ingest.sources import read_file

    with pytest.raises(InputTooLarge, match="limit is 100 bytes"):
        article_from_bytes(b"%PDF-1.4\n" + b"x" * 200, max_bytes=100)
    big = tmp_path / "big.html"
    big.write_bytes(b"<p>" + b"x" * 200 + b"</p>")
    with pytest.raises(InputTooLarge):
        read_file(big, max_bytes=100)


def test_utf16_without_bom_is_text_with_a_note():
    from spinscope.ingest.text import decode_noting

    for encoding in ("utf-16-le", "utf-16-be"):
        text, note = decode_noting("Title\n\nA plain paragraph about the vote.".encode(encoding))
        assert text.startswith("Title") and "UTF-16" in note


def test_invalid_utf8_is_decoded_with_a_warning(pipeline):
    from spinscope.ingest import article_from_bytes

    data = "Caf\u00e9 owners protest\n\nThe new tax on terraces is unfair, say caf\u00e9 owners in Lille.".encode("latin-1")
    article = article_from_bytes(data, content_type="text/plain")
    assert "Caf" in article.text
    warnings = pipeline(article).warnings
    assert any("not valid UTF-8" in w.message and "guess" in w.message and w.code == "W101" for w in warnings), warnings
    clean = article_from_bytes("Plain title\n\nValid UTF-8 text, caf\u00e9.".encode(), content_type="text/plain")
    assert not any("UTF-8" in w.message for w in pipeline(clean).warnings)


def test_forced_language_that_does_not_match_warns(pipeline):
    text = "Title\n\nThe government announced a new budget today, and the opposition criticised it sharply."
    assert any("looks like 'en'" in w.message and w.code == "W102" for w in pipeline(text, language="de").warnings)
    assert not any("looks like" in w.message for w in pipeline(text, language="en").warnings)
    pt = pipeline(text, language="pt")
    assert pt.article.language == "pt" and any("no training data" in w.message for w in pt.warnings)


def test_a_path_is_never_fetched_even_if_it_looks_like_a_url():
    from spinscope.errors import MissingFile
    from spinscope.ingest import load

    with pytest.raises(MissingFile, match="no such file"):
        load(path="https://news.example/story.html")
