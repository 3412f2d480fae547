"""Remove the page furniture that scraped text carries ("Exit mobile version", "Share this").

Only whole lines that match a pattern are dropped, so no sentence of the
article itself is ever cut; patterns are anchored at both ends for that reason.
"""

from __future__ import annotations

import re

_PATTERNS = [
    r"exit mobile version",
    r"(share|tweet|email|print|pin) (this|on \w+)( (article|story|page))?:?",
    r"share( on)?:?",
    r"(click|tap) (here )?to (share|print|email|subscribe|read more).*",
    r"read (more|next|also|the full story)\b.{0,80}",
    r"related( articles| stories| posts)?:?",
    r"(subscribe|sign up)( now)?( (to|for) (our|the) (newsletter|daily \w+|updates))?[.!:]?",
    r"advertisement|sponsored( content)?",
    r"(we|this (web)?site) uses? cookies.{0,200}",
    r"(accept|reject|manage) (all )?cookies",
    r"(skip|jump) to (main )?content",
    r"(back to top|scroll to top|go to top)",
    r"(copyright|©|\(c\)) ?\d{0,4}.{0,120}(all rights reserved)?\.?",
    r"all rights reserved\.?",
    r"(like|follow) us on \w+.{0,40}",
    r"(leave|post) a (comment|reply)",
    r"\d+ comments?",
    r"(previous|next) (article|post|story)",
    r"tags?:.{0,200}",
    r"loading\.*",
    # A menu: three or more short items between separators ("Home | World | Politics").
    r"[^|•·».!?]{1,20}(?:\s*[|•·»]\s*[^|•·».!?]{1,20}){2,}",
]
_LINE = re.compile(r"^\W{0,3}(?:" + "|".join(_PATTERNS) + r")\W{0,3}$", re.IGNORECASE)


def is_boilerplate(line: str) -> bool:
    stripped = line.strip()
    return bool(stripped) and len(stripped) <= 240 and bool(_LINE.match(stripped))


def strip_boilerplate(text: str) -> tuple[str, tuple[str, ...]]:
    """Drop boilerplate lines; return the cleaned text and the lines removed.

    Blank lines left dangling at the end are removed too, so paragraph
    numbering of the remaining text stays that of a clean article.
    """
    kept: list[str] = []
    removed: list[str] = []
    for line in text.split("\n"):
        if is_boilerplate(line):
            removed.append(line.strip())
        else:
            kept.append(line)
    while kept and not kept[-1].strip():
        kept.pop()
    return "\n".join(kept), tuple(removed)
