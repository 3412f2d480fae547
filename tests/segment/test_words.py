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
