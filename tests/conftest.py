from __future__ import annotations

import os
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
SHARED_DATA = Path(os.environ.get("SPINSCOPE_SEMEVAL_DATA", Path(__file__).parents[2] / "shared" / "data" / "semeval2023"))


@pytest.fixture(scope="session")
def pipeline():
    import spinscope

    return spinscope.load()


@pytest.fixture(scope="session")
def op_ed_text() -> str:
    return (FIXTURES / "op-ed.txt").read_text(encoding="utf-8")


def needs_shared_data():
    return pytest.mark.skipif(not SHARED_DATA.is_dir(), reason=f"SemEval data not found at {SHARED_DATA}")
