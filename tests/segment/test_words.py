from spinscope.segment.words import word_count, words


def test_words_keep_hyphens_and_apostrophes_inside_a_word_with_offsets():
    text = "Don't call it well-known, Ms. O'Neil."
    assert [w for w, _, _ in words(text)] == ["don't", "call", "it", "well-known", "ms", "o'neil"]
    assert all(text[s:e].lower() == w for w, s, e in words(text))


def test_word_count_counts_each_character_of_scripts_written_without_spaces():
    assert word_count("Le président a parlé.") == 4
    assert word_count("  ") == 0
    assert word_count("总统今天讲话") == 6  # Han: one per character
    assert word_count("สวัสดีครับ") == 10  # Thai
    assert word_count("東京 Tower") == 3


def test_find_word_matches_whole_words_inside_the_range_only():
    from spinscope.segment.words import find_word

    text = "vile villain. A vile, <b>vile</b> plan."
    assert find_word(text, 0, len(text), "vile") == (0, 4)
    assert find_word(text, 5, len(text), "vile") == (16, 20)  # not inside "villain"
    assert find_word(text, 20, len(text), "<b>vile") == (22, 29)
    assert find_word(text, 0, 12, "plan") is None
