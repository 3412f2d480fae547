import json

import pytest
from click.testing import CliRunner

from spinscope.audit import Swap, apply_swaps, audit_swap, compare
from spinscope.errors import InvalidOption
from spinscope.interfaces.cli import main
from spinscope.types import Article
from tests.conftest import FIXTURES


def test_swaps_apply_at_once_on_whole_words():
    text, counts = apply_swaps("Iran and Iraq. Iranian oil; North Korea, Korea.",
                               [Swap("Iran", "Iraq"), Swap("Iraq", "Iran"), Swap("North Korea", "Chad")])
    assert text == "Iraq and Iran. Iranian oil; Chad, Korea."
    assert counts == {"Iran": 1, "Iraq": 1, "North Korea": 1}


@pytest.mark.parametrize("spec", ["Pakistan", "=India", "Pakistan=", "A=A"])
def test_bad_swap_specs_are_refused(spec):
    with pytest.raises(InvalidOption):
        Swap.parse(spec)


def test_compare_lists_every_moved_decision(pipeline):
    text = (FIXTURES / "op-ed.txt").read_text(encoding="utf-8")
    a = pipeline(text)
    # Same analysis: nothing moves. A lower threshold on one side: decisions move, and each is listed.
    assert compare(a, a)[0] == ()
    moved, n = compare(a, pipeline(text, threshold=0.0))
    assert n == len(a.paragraphs) * 23 and moved
    assert all(m.detected_after and not m.detected_before for m in moved)


def test_audit_swap_on_an_article(pipeline):
    text = "Title\n\nThe corrupt regime in Freedonia lies to its people, and Freedonia's leaders must go now."
    result = audit_swap(pipeline, Article(id="x", text=text), [Swap("Freedonia", "Sylvania")])
    assert result.replacements == {"Freedonia": 2}
    assert "Sylvania's leaders" in result.swapped.article.text
    assert result.swapped.article.language == result.original.article.language
    with pytest.raises(InvalidOption, match="occurs"):
        audit_swap(pipeline, Article(id="x", text=text), [Swap("Atlantis", "Mu")])


def test_cli_audit_swap(tmp_path):
    src = tmp_path / "a.txt"
    src.write_text("Title\n\nThe corrupt regime in Freedonia lies, and Freedonia must act now or perish.")
    r = CliRunner().invoke(main, ["audit", "swap", str(src), "--swap", "Freedonia=Sylvania", "--model", "classic"])
    assert r.exit_code == 0, r.output
    assert "Freedonia -> Sylvania (2x)" in r.output and "paragraph decisions moved" in r.output
    r = CliRunner().invoke(main, ["audit", "swap", str(src), "--swap", "Freedonia=Sylvania", "--format", "json",
                                  "--model", "classic"])
    doc = json.loads(r.output)
    assert doc["replacements"] == {"Freedonia": 2} and doc["decisions"] == 2 * 23 and "flip_rate" in doc
    assert CliRunner().invoke(main, ["audit", "swap", str(src), "--swap", "nonsense"]).exit_code == 3


def test_moves_in_the_article_as_a_whole_are_listed_apart(pipeline):
    import dataclasses

    from spinscope.audit import SwapAudit, compare_article
    from spinscope.report.audit import audit_to_json, audit_to_text

    text = (FIXTURES / "op-ed.txt").read_text(encoding="utf-8")
    a = pipeline(text)
    first = a.techniques[0]
    assert first.detected
    b = dataclasses.replace(a, techniques=(dataclasses.replace(first, confidence=0.01, detected=False),
                                           *a.techniques[1:]))
    assert compare_article(a, a) == ()
    moved = compare_article(a, b)
    assert [(m.paragraph, m.technique, m.detected_before, m.detected_after) for m in moved] == \
        [(0, first.technique, True, False)]
    audit = SwapAudit((Swap("A", "B"),), {"A": 1}, a, b, (), len(a.paragraphs) * 23, moved)
    out = audit_to_text(audit)
    assert "0 of" in out and "1 decisions on the article as a whole" in out
    assert any(line.strip().startswith("article") and "no longer detected" in line for line in out.splitlines())
    assert json.loads(audit_to_json(audit))["article_moved"][0]["paragraph"] == 0


def test_a_genre_that_moves_with_the_names_is_reported(pipeline):
    import dataclasses

    from spinscope.audit import SwapAudit
    from spinscope.report.audit import audit_to_json, audit_to_text

    a = pipeline((FIXTURES / "op-ed.txt").read_text(encoding="utf-8"))
    other = "reporting" if a.genre.label != "reporting" else "opinion"
    b = dataclasses.replace(a, genre=dataclasses.replace(a.genre, label=other))
    same = SwapAudit((Swap("A", "B"),), {"A": 1}, a, a, (), len(a.paragraphs) * 23)
    assert same.genre_moved is None and json.loads(audit_to_json(same))["genre_moved"] is None
    assert "No decision depends on the swapped names." in audit_to_text(same) and "Genre:" not in audit_to_text(same)
    moved = SwapAudit((Swap("A", "B"),), {"A": 1}, a, b, (), len(a.paragraphs) * 23)
    assert moved.genre_moved == (a.genre.label, other)
    assert json.loads(audit_to_json(moved))["genre_moved"] == {"before": a.genre.label, "after": other}
    text = audit_to_text(moved)
    assert f"Genre: {a.genre.label} (" in text and f"{other} (" in text
    assert "No decision depends on the swapped names." not in text
