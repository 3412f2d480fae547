"""Training and evaluation (needs the ``[train]`` extra: scikit-learn, scipy)."""

from __future__ import annotations

import sys
from collections.abc import Callable


def source_to_target(doc: str, build: Callable[[str, str], object], argv: list[str] | None = None) -> int:
    """``python -m spinscope.training.X SOURCE TARGET``: run ``build`` and print what it returns,
    or the module's usage (``doc``) and exit status 2 when not given exactly two paths."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print(doc, file=sys.stderr)
        return 2
    print(build(args[0], args[1]))
    return 0
