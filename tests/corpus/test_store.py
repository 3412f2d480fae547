import json

import pytest
from click.testing import CliRunner

from spinscope.corpus.store import SCHEMA_VERSION, build, connect, query
from spinscope.errors import InvalidOption, MalformedRecord, MissingFile
from spinscope.interfaces.cli import main

RECORDS = [
    {"id": "a1", "text": "The corrupt regime lies to us again and again.\n\nOfficials said 40,000 people fled in March.",
     "outlet": "Daily X", "date": "2016-03-01", "author": "A. Writer"},
    {"id": "a2", "text": "The council voted 9 to 4 on Tuesday to close the library.", "outlet": "Weekly Y",
     "date": "2016-04-02"},
    {"id": "a3"},  # no text: an error record
]


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    d = tmp_path_factory.mktemp("batch")
    src = d / "in.jsonl"
    src.write_text("\n".join(json.dumps(r) for r in RECORDS) + "\n")
    out = d / "out.jsonl"
    r = CliRunner().invoke(main, ["batch", str(src), "--out", str(out)])
    assert r.exit_code == 6, r.output  # finished, with one failure
    return out


def test_build_loads_articles_detections_claims_and_failures(results, tmp_path):
    db = tmp_path / "corpus.duckdb"
    r = build(db, [results])
    assert (r.articles, r.failures) == (2, 1)
    cols, rows = query(db, "SELECT id, outlet, author, CAST(date AS VARCHAR), language, genre FROM articles ORDER BY id")
    assert rows[0][:5] == ("a1", "Daily X", "A. Writer", "2016-03-01", "en") and rows[1][1] == "Weekly Y"
    assert query(db, "SELECT count(*) FROM detections WHERE article = 'a1'")[1][0][0] >= 1
    _, listed = query(db, "SELECT technique, detected, confidence >= threshold FROM article_techniques WHERE article = 'a1'")
    assert listed and all(d == over for _, d, over in listed)
    _, claims = query(db, "SELECT article, checkworthy, source_kind FROM claims ORDER BY article, start_char")
    assert ("a1", True, "vague") in claims
    assert query(db, "SELECT id, code FROM failures")[1] == [("a3", "E110")]
    assert query(db, "SELECT max(version) FROM schema_version")[1][0][0] == SCHEMA_VERSION


def test_loading_again_replaces_rather_than_duplicates(results, tmp_path):
    db = tmp_path / "corpus.duckdb"
    build(db, [results])
    build(db, [results])
    assert query(db, "SELECT count(*) FROM articles")[1][0][0] == 2
    n = query(db, "SELECT count(*) FROM detections")[1][0][0]
    m = query(db, "SELECT count(*) FROM article_techniques")[1][0][0]
    build(db, [results])
    assert query(db, "SELECT count(*) FROM detections")[1][0][0] == n
    assert query(db, "SELECT count(*) FROM article_techniques")[1][0][0] == m
    connect(db).close()  # an up-to-date store migrates nothing


def test_bad_inputs_are_clear_errors(results, tmp_path):
    with pytest.raises(MissingFile, match="no corpus store"):
        query(tmp_path / "none.duckdb", "SELECT 1")
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{not json\n")
    with pytest.raises(MalformedRecord, match="bad.jsonl:1"):
        build(tmp_path / "c.duckdb", [bad])
    assert not (tmp_path / "c.duckdb").exists()  # a failed build leaves no half-built store
    given = tmp_path / "input.jsonl"  # the batch's input, given by mistake for its results
    given.write_text('{"id": "a", "text": "The regime lies."}\n')
    with pytest.raises(MalformedRecord, match="input.jsonl:1: not a spinscope batch result"):
        build(tmp_path / "c.duckdb", [given])
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"article": {"id": "a"}, "paragraphs": []}\n')
    with pytest.raises(MalformedRecord, match="broken.jsonl:1: not a readable spinscope analysis"):
        build(tmp_path / "c.duckdb", [broken])
    assert not (tmp_path / "c.duckdb").exists()
    build(tmp_path / "c.duckdb", [results])
    with pytest.raises(InvalidOption, match="query failed"):
        query(tmp_path / "c.duckdb", "SELECT nonsense FROM articles")


def test_cli_build_query_and_exports(results, tmp_path):
    db = tmp_path / "c.duckdb"
    runner = CliRunner()
    assert runner.invoke(main, ["corpus", "build", str(results), "--db", str(db)]).exit_code == 0
    sql = "SELECT outlet, count(*) AS n FROM articles GROUP BY 1 ORDER BY 1"
    r = runner.invoke(main, ["corpus", "query", "--db", str(db), sql])
    assert r.exit_code == 0 and "Daily X" in r.output and "(2 rows)" in r.output
    for fmt in ("csv", "json", "parquet"):
        out = tmp_path / f"d.{fmt}"
        r = runner.invoke(main, ["corpus", "query", "--db", str(db), "SELECT * FROM detections", "--format", fmt,
                                 "--out", str(out)])
        assert r.exit_code == 0, r.output
        assert out.stat().st_size > 0
    assert query(db, f"SELECT count(*) FROM read_parquet('{tmp_path / 'd.parquet'}')")[1][0][0] >= 1
    r = runner.invoke(main, ["corpus", "query", "--db", str(db), "SELECT 1", "--format", "csv"])
    assert r.exit_code == 2 and "give --out" in r.output


def test_a_version_1_store_migrates_to_the_entity_tables(tmp_path, pipeline):
    import duckdb

    from spinscope.corpus.store import MIGRATIONS

    db = tmp_path / "old.duckdb"
    con = duckdb.connect(str(db))
    con.execute(MIGRATIONS[0])
    con.execute("INSERT INTO schema_version VALUES (1)")
    con.close()
    analysis = pipeline("Freedonia's corrupt regime lies and lies. Critics call Freedonia a disgrace.")
    results = tmp_path / "r.jsonl"
    results.write_text(analysis.to_json() + "\n")
    build(db, [results])
    assert query(db, "SELECT max(version) FROM schema_version")[1][0][0] == SCHEMA_VERSION == 4
    _, rows = query(db, "SELECT entity, mentions FROM entities")
    assert ("Freedonia", 2) in rows  # its label depends on the finder (spaCy or rules)
    _, mentions = query(db, "SELECT entity, start_char, end_char, text FROM entity_mentions ORDER BY start_char")
    assert [m for m in mentions if m[0] == "Freedonia"] == [("Freedonia", 0, 9, "Freedonia"),
                                                            ("Freedonia", 55, 64, "Freedonia")]


def test_outlet_and_author_come_from_the_page_unless_the_input_names_them(tmp_path, pipeline):
    from spinscope.batch import read_inputs, run_batch
    from tests.conftest import FIXTURES

    html = (FIXTURES / "news-page.html").read_text(encoding="utf-8")
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": "p1", "html": html}) + "\n"
                   + json.dumps({"id": "p2", "html": html, "author": "Desk", "outlet": "Wire"}) + "\n")
    results = tmp_path / "r.jsonl"
    run_batch(pipeline, read_inputs(str(src)), results)
    db = tmp_path / "c.duckdb"
    build(db, [results])
    assert query(db, "SELECT id, outlet, author FROM articles ORDER BY id")[1] == [
        ("p1", "The Coastal Ledger", "Mara Quint"), ("p2", "Wire", "Desk")]


def test_the_ray_engine_parquet_folder_loads_like_jsonl(results, tmp_path):
    pytest.importorskip("pyarrow")
    from spinscope.batch_ray import COLUMNS, _write_chunk

    rows = {c: [] for c in COLUMNS}
    for line in results.read_text().splitlines():
        r = json.loads(line)
        err = r.get("error")
        for c, v in zip(COLUMNS, (r["id"] if err else r["article"]["id"], err is None, None if err else line,
                                  err and err["code"], err and err["message"]), strict=True):
            rows[c].append(v)
    folder = tmp_path / "ray-out"
    folder.mkdir()
    _write_chunk(folder, "part-test-00000.parquet", rows)
    from_jsonl, from_parquet = tmp_path / "a.duckdb", tmp_path / "b.duckdb"
    build(from_jsonl, [results])
    r = build(from_parquet, [folder])
    assert (r.articles, r.failures) == (2, 1)
    sql = "SELECT id, outlet, detections, checkworthy_claims FROM articles ORDER BY id"
    assert query(from_parquet, sql) == query(from_jsonl, sql)
