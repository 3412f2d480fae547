"""What every bench does last: print the total time and, if asked, write the figures as JSON."""

from __future__ import annotations

import json
import time
from pathlib import Path


def finish(figures: dict, json_path: str | None, t0: float) -> int:
    print(f"\ntotal {time.time() - t0:.0f}s")
    if json_path:
        Path(json_path).write_text(json.dumps(figures, indent=2))
    return 0


def model_args(doc: str | None):  # noqa: ANN201 - argparse.Namespace
    """``--model DIR`` (default: the shipped transformer) and ``--json FIGURES``, parsed."""
    import argparse

    from spinscope.detect.artifacts import MODELS_DIR

    ap = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default=str(MODELS_DIR / "transformer"))
    ap.add_argument("--json", help="also write the figures here")
    return ap.parse_args()
