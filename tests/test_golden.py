"""Byte-for-byte outputs of every interface on the example op-ed and 20 SemEval articles.

Refactors must not change what users get. The articles may not be redistributed, so
only SHA-256 digests of the outputs are committed (``golden/outputs.json``). After a
deliberate change of output (a new model, a new field), regenerate them:

    SPINSCOPE_REGEN_GOLDEN=1 python -m pytest tests/test_golden.py

and say in the commit why the outputs changed.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from spinscope.interfaces.cli import main
from tests.conftest import SHARED_DATA, needs_shared_data

GOLDEN = Path(__file__).parent / "golden" / "outputs.json"
EXAMPLE = SHARED_DATA.parents[1] / "examples" / "op-ed-pakistan-isis-sanctuary.txt"
PER_LANGUAGE = {"en": 5, "fr": 3, "ge": 3, "it": 3, "po": 3, "ru": 3}
FORMATS = ("text", "json", "html")


def _articles() -> list[Path]:
    found = [EXAMPLE]
    for folder, n in PER_LANGUAGE.items():
        found += sorted((SHARED_DATA / folder / "train-articles-subtask-3").glob("article*.txt"))[:n]
    return found


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _run(*args: str) -> bytes:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout_bytes


def _outputs(tmp: Path) -> dict[str, str]:
    """Digests of every interface's output. Inputs are copied to ``tmp`` and named without a
    directory, so the digests do not depend on where the checkout lies (paths reach the JSON)."""
    digests: dict[str, str] = {}
    articles = _articles()
    for path in articles:
        (tmp / path.name).write_bytes(path.read_bytes())
    names = [p.name for p in articles]
    for name in names:
        for fmt in FORMATS:
            digests[f"analyze/{fmt}/{name}"] = _digest(_run("analyze", name, "--format", fmt))
    _run("batch", "*.txt", "--out", "batch.jsonl")
    digests["batch"] = _digest((tmp / "batch.jsonl").read_bytes())
    from fastapi.testclient import TestClient

    from spinscope.interfaces.api import create_app

    with TestClient(create_app()) as client:
        for name in names:
            for route in ("analyze", "report"):
                r = client.post(f"/v1/{route}", json={"text": (tmp / name).read_text(encoding="utf-8")})
                assert r.status_code == 200, r.text
                digests[f"serve/{route}/{name}"] = _digest(r.content)
    en = tmp / "en"
    en.mkdir()
    for path in articles[1:1 + PER_LANGUAGE["en"]]:
        (en / path.name).write_bytes(path.read_bytes())
    for task in ("1", "2", "3"):
        _run("semeval", "predict", "--subtask", task, "--articles", "en", "--lang", "en", "--out", f"st{task}.txt")
        digests[f"semeval/{task}"] = _digest((tmp / f"st{task}.txt").read_bytes())
    return digests


@needs_shared_data()
@pytest.mark.skipif(not EXAMPLE.is_file(), reason=f"example article not found at {EXAMPLE}")
def test_outputs_are_byte_for_byte_unchanged(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    got = _outputs(tmp_path)
    if os.environ.get("SPINSCOPE_REGEN_GOLDEN"):
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(json.dumps(got, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    want = json.loads(GOLDEN.read_text(encoding="utf-8"))
    changed = sorted(k for k in want.keys() | got.keys() if want.get(k) != got.get(k))
    assert not changed, f"outputs changed: {changed}"
