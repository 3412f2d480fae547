import gzip
import hashlib
import json
from pathlib import Path

from spinscope.training.lexicon import FILES, build, main

CSV = """lemma,pos,genus,nominativ singular,nominativ plural,genitiv singular
Mann,Substantiv,m,Mann,Männer,Mannes
Mann,"Nachname,Substantiv",,Mann,,Manns
Hartmann,"Nachname,Substantiv",,Hartmann,,Hartmanns
Aachen,"Toponym,Substantiv",n,Aachen,,Aachens
-ung,"Affix,Substantiv,Suffix",f,-ung,-ungen,
Alter Markt,"Straßenname,Substantiv",m,Alter Markt,,
Regierung,Substantiv,f,Regierung,Regierungen,Regierung
"""


def _read(path: Path) -> list[str]:
    return gzip.decompress(path.read_bytes()).decode("utf-8").split("\n")


def test_common_and_proper_forms_are_split_and_a_shared_form_counts_as_common(tmp_path):
    (tmp_path / "nouns.csv").write_text(CSV, encoding="utf-8")
    manifest = build(tmp_path / "nouns.csv", tmp_path / "out")
    common, proper = _read(tmp_path / "out" / FILES["common"]), _read(tmp_path / "out" / FILES["proper"])
    assert common == ["mann", "mannes", "männer", "regierung", "regierungen"]  # no affix, no street, no name-only form
    assert proper == ["aachen", "aachens", "hartmann", "hartmanns", "manns"]  # "mann" is common too
    assert manifest["files"][FILES["common"]]["entries"] == 5
    assert "CC BY-SA 4.0" in manifest["licence"]
    first = (tmp_path / "out" / FILES["common"]).read_bytes()
    assert main([str(tmp_path / "nouns.csv"), str(tmp_path / "out")]) == 0
    assert (tmp_path / "out" / FILES["common"]).read_bytes() == first  # the same bytes each build
    assert main([]) == 2


def test_the_committed_lexicons_match_their_manifest():
    folder = Path(__file__).parents[2] / "src" / "spinscope" / "models" / "lexicons"
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert set(manifest["files"]) == set(FILES.values())
    for name, meta in manifest["files"].items():
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == meta["sha256"]
        assert len(_read(folder / name)) == meta["entries"]
