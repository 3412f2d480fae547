"""Build the German lexicons that name masking reads (``detect.names``).

German capitalises every noun, so a capital letter does not mark a name there. From the
``german-nouns`` package (Wiktionary, CC BY-SA 4.0), lowercased:
- ``de-common.txt.gz``: the inflected forms of every entry not tagged as a place, first name,
  surname, other proper name, street name or abbreviation;
- ``de-proper.txt.gz``: the forms of the entries so tagged that are not also common forms.
A word that is both ("Bach", "Mann") counts as common: masking errs towards reading a word.

    pip download --no-deps german-nouns==1.2.5 && unzip german_nouns-1.2.5-py3-none-any.whl
    python -m spinscope.training.lexicon german_nouns/nouns.csv src/spinscope/models/lexicons

The package itself is not a dependency: it requires a parser that pins lxml < 5.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import json
from pathlib import Path

from spinscope.training import source_to_target

SOURCE = "german-nouns 1.2.5 (PyPI), nouns.csv, compiled from the German Wiktionary"
LICENCE = "CC BY-SA 4.0 (https://creativecommons.org/licenses/by-sa/4.0/); derived from Wiktionary via german-nouns"
FILES = {"common": "de-common.txt.gz", "proper": "de-proper.txt.gz"}
PROPER_TAGS = frozenset({"Toponym", "Vorname", "Nachname", "Eigenname", "Straßenname", "Abkürzung", "Buchstabe", "Symbol"})
_NOT_FORMS = ("lemma", "pos", "genus")


def _forms(row: dict[str, str]) -> set[str]:
    forms = {v for k, v in row.items() if v and k and not k.startswith(_NOT_FORMS)} | {row.get("lemma") or ""}
    return {f.lower() for f in forms if f and " " not in f and not f.startswith("-") and not f.endswith("-")}


def split_forms(rows: list[dict[str, str]]) -> dict[str, set[str]]:
    """Lowercased single-word forms: ``common`` (entries with no proper-noun tag) and ``proper``
    (forms only proper-noun entries have)."""
    common: set[str] = set()
    proper: set[str] = set()
    for row in rows:
        (proper if PROPER_TAGS & set((row.get("pos") or "").split(",")) else common).update(_forms(row))
    return {"common": common, "proper": proper - common}


def write_word_list(path: Path, words: list[str]) -> dict:
    """One word per line, gzipped the same bytes each build (mtime 0); the manifest's entry for it."""
    data = gzip.compress("\n".join(words).encode("utf-8"), compresslevel=9, mtime=0)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return {"entries": len(words), "sha256": hashlib.sha256(data).hexdigest()}


def build(csv_path: Path, out_dir: Path) -> dict:
    with open(csv_path, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    files = {FILES[kind]: write_word_list(out_dir / FILES[kind], sorted(forms)) for kind, forms in split_forms(rows).items()}
    manifest = {
        "name": "de-lexicons", "files": files, "source": SOURCE,
        "source_sha256": hashlib.sha256(Path(csv_path).read_bytes()).hexdigest(),
        "licence": LICENCE, "proper_tags": sorted(PROPER_TAGS),
    }
    (out_dir / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return manifest


def main(argv: list[str] | None = None) -> int:
    return source_to_target(__doc__ or "", lambda csv_path, out: json.dumps(build(Path(csv_path), Path(out)), indent=2,
                                                                           ensure_ascii=False), argv)


if __name__ == "__main__":
    raise SystemExit(main())
