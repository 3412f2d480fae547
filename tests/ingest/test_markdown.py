"""Markdown files are read as their text: the words stay, the markup goes."""

import pytest

from spinscope.errors import EmptyInput
from spinscope.ingest import load_source
from spinscope.ingest.markdown import markdown_text

DOC = """# The council's *sea wall* vote

The council **voted** on the [new plan](https://example.org/plan "plan") today, after a
long debate about `costs` and an ![aerial photo](photo.jpg) of the coast.

> Residents called it a \\*betrayal\\* of the harbour.

- first, the _budget_
- second, the snake_case_name stays
1. the timetable

Opposition reacts
-----------------

***

```
code stays as it is
```

See [the minutes][1] and <https://example.org/minutes>.

| year | votes |
|---|:--:|
| 2024 | 12 |

[1]: https://example.org/minutes
"""


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_markup_goes_and_every_word_stays(newline):
    text = markdown_text(DOC.replace("\n", newline))
    assert text.split("\n") == [
        "The council's sea wall vote",
        "",
        "The council voted on the new plan today, after a",
        "long debate about costs and an  of the coast.",
        "",
        "Residents called it a *betrayal* of the harbour.",
        "",
        "first, the budget",
        "second, the snake_case_name stays",
        "the timetable",
        "",
        "Opposition reacts",
        "",
        "code stays as it is",
        "",
        "See the minutes and https://example.org/minutes.",
        "",
        "| year | votes |",
        "| 2024 | 12 |",
    ]


@pytest.mark.parametrize("suffix", [".md", ".markdown"])
def test_a_markdown_file_is_analysed_as_its_text_with_its_heading_as_title(tmp_path, suffix):
    path = tmp_path / f"story{suffix}"
    path.write_text("## Sea wall **vote**\n\nThe council voted on the plan today after a long debate.\n", encoding="utf-8")
    article = load_source(path)
    assert article.title == "Sea wall vote"
    assert article.text == "Sea wall vote\n\nThe council voted on the plan today after a long debate."


def test_plain_text_files_keep_their_asterisks(tmp_path):
    path = tmp_path / "story.txt"
    path.write_text("# Not a heading\n\nThe *council* voted.\n", encoding="utf-8")
    assert load_source(path).text == "# Not a heading\n\nThe *council* voted."


def test_markup_alone_is_no_article(tmp_path):
    path = tmp_path / "empty.md"
    path.write_text("---\n\n***\n\n[1]: https://example.org\n", encoding="utf-8")
    with pytest.raises(EmptyInput, match="empty or contains only whitespace"):
        load_source(path)
