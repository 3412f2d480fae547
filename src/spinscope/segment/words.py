"""Word tokens with offsets: shared by the classical features and the reports' word counts."""

from __future__ import annotations

import re

_WORD = re.compile(r"\w+(?:[-'’]\w+)*", re.UNICODE)


def words(text: str) -> list[tuple[str, int, int]]:
    """Lower-cased word tokens with their character offsets."""
    return [(m.group().lower(), m.start(), m.end()) for m in _WORD.finditer(text)]
