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
