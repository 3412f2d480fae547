"""Markdown to the plain text the detectors read: the words stay, the markup goes.

Line by line, so paragraphs and list items stay one per line and offsets refer to the text
the result returns (``article.text``). Headings lose their ``#`` and are followed by a blank
line, so a leading ``# Headline`` becomes the article's title as a plain first line would;
emphasis, inline code and link syntax keep their text; images, link definitions, rules,
table rules and code fences are dropped (code and table rows are kept). Not a full
CommonMark parser: nested brackets and HTML blocks pass through as text.
"""

from __future__ import annotations

import re

from spinscope.ingest.text import normalize_newlines

_FENCE = re.compile(r"^ {0,3}(```|~~~)")
_HEADING = re.compile(r"^ {0,3}#{1,6}(?:\s+(.*?))?(?:\s+#+)?\s*$")
_UNDERLINE = re.compile(r"^ {0,3}(=+|-+)\s*$")  # a setext heading's underline, or a rule
_RULE = re.compile(r"^ {0,3}([-*_])(?:\s*\1){2,}\s*$")
_QUOTE = re.compile(r"^ {0,3}(?:>\s?)+")
_ITEM = re.compile(r"^\s*(?:[-*+]|\d{1,9}[.)])\s+")
_DEFINITION = re.compile(r"^ {0,3}\[[^\]]+\]:\s*\S+")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)+\|?\s*$")  # |---|:--:|
_INLINE = (
    (re.compile(r"!\[[^\]]*\]\([^)]*\)"), ""),  # images
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),  # [text](url)
    (re.compile(r"\[([^\]]+)\]\[[^\]]*\]"), r"\1"),  # [text][ref]
    (re.compile(r"<((?:https?|mailto):[^>\s]+)>"), r"\1"),  # <https://...>
    (re.compile(r"(`+)(.+?)\1"), r"\2"),  # inline code
    (re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1"), r"\2"),  # strong
    (re.compile(r"(?<![\w*])\*(?=\S)(.+?)(?<=\S)\*(?![\w*])"), r"\1"),  # *em*
    (re.compile(r"(?<![\w_])_(?=\S)(.+?)(?<=\S)_(?![\w_])"), r"\1"),  # _em_, not snake_case
    (re.compile(r"~~(?=\S)(.+?)(?<=\S)~~"), r"\1"),  # strikethrough
)
# A backslash-escaped mark is literal: it is kept out of the rules above as a private-use
# character, then put back (not on a line that already holds such characters).
_ESCAPED = re.compile(r"\\([\\`*_{}\[\]()#+\-.!>~|])")
_PRIVATE = 0xF0000
_HIDDEN = re.compile("[\U000f0000-\U000f00ff]")


def inline_text(line: str) -> str:
    hide = not _HIDDEN.search(line)
    if hide:
        line = _ESCAPED.sub(lambda m: chr(_PRIVATE + ord(m.group(1))), line)
    for pattern, replacement in _INLINE:
        line = pattern.sub(replacement, line)
    return _HIDDEN.sub(lambda m: chr(ord(m.group(0)) - _PRIVATE), line) if hide else line


def markdown_text(markdown: str) -> str:
    """The text of a Markdown document, one paragraph, heading or list item per line."""
    out: list[str] = []
    in_code = False
    for line in normalize_newlines(markdown).split("\n"):
        if _FENCE.match(line):
            in_code = not in_code
            continue
        if in_code:
            out.append(line)
            continue
        if _UNDERLINE.match(line) and out and out[-1].strip():
            out.append("")  # the line above was a heading
            continue
        if _RULE.match(line) or _DEFINITION.match(line) or _TABLE_RULE.match(line):
            continue
        heading = _HEADING.match(line)
        if heading:
            if out and out[-1].strip():
                out.append("")
            out += [inline_text(heading.group(1) or ""), ""]
            continue
        line = _ITEM.sub("", _QUOTE.sub("", line))
        if not line.strip() and out and not out[-1].strip():
            continue  # no runs of blank lines where markup was dropped
        out.append(inline_text(line))
    return "\n".join(out).strip("\n")
