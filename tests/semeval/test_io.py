import pytest

from spinscope.errors import EmptyDirectory, MissingFile, SemEvalFormatError
from spinscope.semeval import io
from spinscope.taxonomy import TECHNIQUE_NAMES


def test_read_articles_and_labels(tmp_path):
    (tmp_path / "article11.txt").write_text("T\n\nBody.\n", encoding="utf-8")
    (tmp_path / "notes.md").write_text("ignored")
    assert io.read_articles(tmp_path) == {"11": "T\n\nBody.\n"}
    st3 = tmp_path / "st3.txt"
    st3.write_text("11\t1\t\n11\t3\tDoubt,Slogans\n", encoding="utf-8")
    assert io.read_labels_st3(st3) == {("11", 1): (), ("11", 3): ("Doubt", "Slogans")}
    st1 = tmp_path / "st1.txt"
    st1.write_text("11\topinion\n")
    assert io.read_labels_st1(st1) == {"11": "opinion"}


def test_bad_files_give_specific_errors(tmp_path):
    with pytest.raises(MissingFile):
        io.read_articles(tmp_path / "nope")
    with pytest.raises(EmptyDirectory):
        io.read_articles(tmp_path)
    bad = tmp_path / "bad.txt"
    bad.write_text("11 opinion\n")
    with pytest.raises(SemEvalFormatError, match="bad.txt:1"):
        io.read_labels_st1(bad)


def test_corrupted_label_is_reported_and_repaired():
    labels = {("1", 1): ("Appeal_to_Fear-Prejudi-čce", "Doubt"), ("1", 2): ("Not_A_Technique",)}
    clean, problems = io.validate_label_sets(labels, TECHNIQUE_NAMES, "en subtask 3")
    assert clean == {("1", 1): ("Appeal_to_Fear-Prejudice", "Doubt"), ("1", 2): ()}
    by_label = {p.label: p for p in problems}
    assert by_label["Appeal_to_Fear-Prejudi-čce"].repaired_to == "Appeal_to_Fear-Prejudice"
    assert "('1', 1)" in by_label["Appeal_to_Fear-Prejudi-čce"].where
    assert by_label["Not_A_Technique"].repaired_to is None


def test_ambiguous_label_is_not_repaired():
    mapping, problems = io.repair_labels(["Appeal_to"], ["Appeal_to_X", "Appeal_to_Y"])
    assert "Appeal_to" not in mapping and problems[0].repaired_to is None


def test_merged_template_with_glued_rows(tmp_path):
    # Article 7 lacks a final newline, so its last row swallows article 71's first row;
    # its text ends in digits, which must stay text.
    tf = tmp_path / "t.template"
    tf.write_text("7\t1\tTitle\n7\t3\tWe paid 2020" "71\t1\tNext title\n71\t3\tBody\n", encoding="utf-8")
    rows = io.read_template(tf, known_ids=["7", "71"])
    assert [(r.article, r.paragraph, r.text) for r in rows] == [
        ("7", 1, "Title"), ("7", 3, "We paid 2020"), ("71", 1, "Next title"), ("71", 3, "Body"),
    ]


def test_writers_produce_official_format(tmp_path):
    p = tmp_path / "p.txt"
    io.write_st3(p, {("5", 1): (), ("5", 3): ("Doubt", "Slogans")})
    assert p.read_text() == "5\t1\t\n5\t3\tDoubt,Slogans\n"
    assert io.read_labels_st3(p) == {("5", 1): (), ("5", 3): ("Doubt", "Slogans")}
    io.write_st2(p, {"5": ("Economic", "Political")})
    assert p.read_text() == "5\tEconomic,Political\n"
