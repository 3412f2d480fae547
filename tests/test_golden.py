"""The outputs of every interface on the example op-ed and SemEval articles, unchanged.

The JSON analysis and the batch output cover the op-ed and 20 articles of six languages; the
text and HTML reports and the HTTP API, which render the same analysis, the op-ed and one article
per language (each analysis with its word-by-word cues costs about a second on 2 cores, and CI
has 20 minutes).

Refactors must not change what users get. The articles may not be redistributed, so each
output is committed as the SHA-256 digest of its text with every decimal number taken out,
and those numbers (``golden/outputs.json``). The text, labels, offsets and counts must match
byte for byte; a decimal number may differ by one unit of its last printed digit, since
another CPU or ONNX Runtime / BLAS build rounds the last digit of a probability otherwise.
After a deliberate change of output (a new model, a new field), regenerate them:

    SPINSCOPE_REGEN_GOLDEN=1 python -m pytest tests/test_golden.py

and say in the commit why the outputs changed.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from spinscope.interfaces.cli import main
from tests.conftest import SHARED_DATA, needs_shared_data

GOLDEN = Path(__file__).parent / "golden" / "outputs.json"
EXAMPLE = SHARED_DATA.parents[1] / "examples" / "op-ed-pakistan-isis-sanctuary.txt"
PER_LANGUAGE = {"en": 5, "fr": 3, "ge": 3, "it": 3, "po": 3, "ru": 3}
FORMATS = ("text", "json", "html")


def _articles(per_language: dict[str, int] = PER_LANGUAGE) -> list[Path]:
    found = [EXAMPLE]
    for folder, n in per_language.items():
        found += sorted((SHARED_DATA / folder / "train-articles-subtask-3").glob("article*.txt"))[:n]
    return found


_DECIMAL = re.compile(rb"\d+\.\d+")


def _digest(data: bytes) -> dict[str, str]:
    """The output's digest with its decimal numbers taken out, and those numbers as printed."""
    return {"sha256": hashlib.sha256(_DECIMAL.sub(b"#", data)).hexdigest(),
            "decimals": b" ".join(_DECIMAL.findall(data)).decode("ascii")}


def _differences(want: dict[str, str], got: dict[str, str]) -> str | None:
    """Why ``got`` is not ``want``, or None when its numbers are each within one unit of the last
    printed digit of the golden one."""
    if want["sha256"] != got["sha256"]:
        return "text differs"
    # equal digests hold the same number of decimals, so the lists pair up
    for x, y in zip(want["decimals"].split(), got["decimals"].split(), strict=True):
        if abs(float(x) - float(y)) > 1.01 * 10.0 ** -max(len(x.split(".")[1]), len(y.split(".")[1])):
            return f"{y} where golden has {x}"
    return None


def _run(*args: str) -> bytes:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout_bytes


def _outputs(tmp: Path) -> dict[str, dict[str, str]]:
    """Digests of every interface's output. Inputs are copied to ``tmp`` and named without a
    directory, so the digests do not depend on where the checkout lies (paths reach the JSON)."""
    digests: dict[str, dict[str, str]] = {}
    articles = _articles()
    for path in articles:
        (tmp / path.name).write_bytes(path.read_bytes())
    names = [p.name for p in articles]
    rendered = [p.name for p in _articles(dict.fromkeys(PER_LANGUAGE, 1))]
    for name in names:
        for fmt in FORMATS if name in rendered else ("json",):
            digests[f"analyze/{fmt}/{name}"] = _digest(_run("analyze", name, "--format", fmt))
    _run("batch", "*.txt", "--out", "batch.jsonl")
    digests["batch"] = _digest((tmp / "batch.jsonl").read_bytes())
    from fastapi.testclient import TestClient

    from spinscope.interfaces.api import create_app

    with TestClient(create_app()) as client:
        for name in rendered:
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
def test_outputs_are_unchanged_but_for_a_last_digit(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    got = _outputs(tmp_path)
    if os.environ.get("SPINSCOPE_REGEN_GOLDEN"):
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(json.dumps(got, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    want = json.loads(GOLDEN.read_text(encoding="utf-8"))
    changed = {k: "missing" if k not in got else "new" if k not in want else _differences(want[k], got[k])
               for k in want.keys() | got.keys()}
    changed = {k: why for k, why in sorted(changed.items()) if why}
    assert not changed, f"outputs changed: {changed}"


def test_a_decimal_may_move_one_unit_of_its_last_digit_and_nothing_else():
    want = _digest(b'{"confidence": 0.2735, "start": 12, "text": "rose 3.5%"}')
    assert _differences(want, want) is None
    assert _differences(want, _digest(b'{"confidence": 0.2736, "start": 12, "text": "rose 3.5%"}')) is None
    assert _differences(want, _digest(b'{"confidence": 0.2737, "start": 12, "text": "rose 3.5%"}')) == (
        "0.2737 where golden has 0.2735")
    assert _differences(want, _digest(b'{"confidence": 0.2735, "start": 13, "text": "rose 3.5%"}')) == "text differs"
    assert _differences(want, _digest(b'{"confidence": 0.2735, "start": 12, "text": "rose 3.7%"}')) == (
        "3.7 where golden has 3.5")
    assert _differences(want, _digest(b'{"confidence": 0.27, "start": 12, "text": "rose 3.5%"}')) == (
        "0.27 where golden has 0.2735")
    fewer = _digest(b'{"confidence": 0.2735, "start": 12, "text": "rose 3%"}')
    assert _differences(want, fewer) == "text differs"
