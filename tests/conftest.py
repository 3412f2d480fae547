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


def _synthetic_store(db: Path) -> Path:
    """Rows with known answers: outlet A 10 loaded-language detections per 1,000 words, B 2, C too small."""
    import datetime

    from spinscope.corpus.store import connect, insert

    articles, detections, claims, entities = [], [], [], []
    plan = [("A", 30, 10, "opinion", "vague"), ("B", 30, 2, "reporting", "named"),
            ("<script>alert(1)</script>", 5, 5, "opinion", None)]
    for outlet, n, per_article, genre, kind in plan:
        for i in range(n):
            aid = f"{outlet[:1]}{i:03d}"
            date = datetime.date(2016, 1 + i % 2, 1 + i % 28)
            articles.append([aid, None, outlet, None, date, "en", None, 1000, genre, ["Political"], per_article, 2, "{}"])
            detections += [[aid, "Loaded_Language", "manipulative_wording", 0.6, 0.13, 1, 0, 4, "bad"]] * per_article
            claims += [[aid, 0, 5, "claim", 0.7, True, kind, None], [aid, 6, 9, "claim", 0.7, True, "named", None]]
            # A's articles attack Ruritania (named "ruritania" once), B's attack nobody.
            name = "ruritania" if i == 0 else "Ruritania"
            entities.append([aid, name, "place", 2, 1.5 if outlet == "A" else 0.0, "{}", 0])
    con = connect(db)
    for table, rows in (("articles", articles), ("detections", detections), ("claims", claims),
                        ("entities", entities)):
        insert(con, table, rows)
    con.close()
    return db


@pytest.fixture(scope="session")
def corpus_store(tmp_path_factory) -> Path:
    return _synthetic_store(tmp_path_factory.mktemp("corpus") / "synthetic.duckdb")
