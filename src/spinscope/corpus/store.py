"""The corpus store: ``spinscope batch`` results loaded into DuckDB (embedded, no server).

Tables (schema version in ``schema_version``; each migration is one step, so a later
table is a new migration rather than a rewrite, as ``entities`` was):

- ``articles``: one row per analysed article (id, url, outlet, author, date, language,
  title, words, genre, frames, detections, checkworthy claims, metadata as JSON);
- ``detections``: one row per detected technique span (technique, category, confidence,
  threshold, paragraph, start, end, text);
- ``claims``: one row per sentence with its check-worthiness and the kind of its source;
- ``attributions``: one row per attribution (source, cue, content, kind);
- ``failures``: the batch's error records (id, code, message);
- ``entities`` (migration 2): one row per entity an article names (entity, label, mentions,
  attacked, techniques aimed at it as JSON, first mention's offset);
- ``entity_mentions`` (migration 3): one row per mention (entity, label, offsets, text).

Outlet, author and date come from the batch input's columns, else from what extraction
read off the page (trafilatura's site name, author and date). Loading an article again
replaces its rows, so a store can be rebuilt from resumed batches.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from spinscope.errors import ExtraNotInstalled, InvalidOption, MalformedRecord, MissingFile
from spinscope.segment.words import word_count
from spinscope.taxonomy import category_of
from spinscope.types import Analysis

MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE schema_version (version INTEGER);
    CREATE TABLE articles (id VARCHAR PRIMARY KEY, url VARCHAR, outlet VARCHAR, author VARCHAR, date DATE,
        language VARCHAR, title VARCHAR, words INTEGER, genre VARCHAR, frames VARCHAR[], detections INTEGER,
        checkworthy_claims INTEGER, metadata JSON);
    CREATE TABLE detections (article VARCHAR, technique VARCHAR, category VARCHAR, confidence DOUBLE,
        threshold DOUBLE, paragraph INTEGER, start_char INTEGER, end_char INTEGER, text VARCHAR);
    CREATE TABLE claims (article VARCHAR, start_char INTEGER, end_char INTEGER, text VARCHAR,
        checkworthiness DOUBLE, checkworthy BOOLEAN, source_kind VARCHAR, attribution INTEGER);
    CREATE TABLE attributions (article VARCHAR, idx INTEGER, kind VARCHAR, source VARCHAR, cue VARCHAR,
        content VARCHAR, start_char INTEGER, end_char INTEGER);
    CREATE TABLE failures (id VARCHAR PRIMARY KEY, code VARCHAR, message VARCHAR);
    """,
    """
    CREATE TABLE entities (article VARCHAR, entity VARCHAR, label VARCHAR, mentions INTEGER, attacked DOUBLE,
        techniques JSON, first_char INTEGER);
    """,
    """
    CREATE TABLE entity_mentions (article VARCHAR, entity VARCHAR, label VARCHAR, start_char INTEGER,
        end_char INTEGER, text VARCHAR);
    """,
    """
    CREATE TABLE article_techniques (article VARCHAR, technique VARCHAR, category VARCHAR, confidence DOUBLE,
        threshold DOUBLE, detected BOOLEAN, start_char INTEGER, end_char INTEGER, passage_confidence DOUBLE);
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)
TABLES = ("articles", "detections", "article_techniques", "claims", "attributions", "entities", "entity_mentions",
          "failures")


def _duckdb():  # noqa: ANN202 - the duckdb module
    try:
        import duckdb
    except ImportError as exc:
        raise ExtraNotInstalled("the corpus store needs DuckDB: pip install -e '.[corpus]'") from exc
    return duckdb


def connect(db: str | Path):  # noqa: ANN201 - a duckdb connection, migrated to SCHEMA_VERSION
    con = _duckdb().connect(str(db))
    has = con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_version'").fetchone()[0]
    version = con.execute("SELECT max(version) FROM schema_version").fetchone()[0] if has else 0
    for step in range(version or 0, SCHEMA_VERSION):
        con.execute(MIGRATIONS[step])
        con.execute("INSERT INTO schema_version VALUES (?)", [step + 1])
    return con


@dataclass(frozen=True)
class BuildResult:
    articles: int
    failures: int
    files: int


def build(db: str | Path, results: Iterable[str | Path]) -> BuildResult:
    """Load batch results (JSONL files, or the Ray engine's Parquet) into the store at ``db``, in one transaction."""
    rows: dict[str, list[list]] = {t: [] for t in TABLES}
    n_files = 0
    for path in results:
        n_files += 1
        for where, line in _result_lines(Path(path)):
            try:
                record = json.loads(line)
            except ValueError as exc:
                raise MalformedRecord(f"{where}: not a JSON line ({exc.msg})") from exc
            if "error" in record:
                err = record.get("error") or {}
                rows["failures"].append([str(record.get("id")), err.get("code"), err.get("message")])
            else:
                _article_rows(_analysis(where, record, line), rows)
    con = connect(db)
    try:
        con.execute("BEGIN TRANSACTION")
        ids, failed = [r[0] for r in rows["articles"]], [r[0] for r in rows["failures"]]
        for table in TABLES:
            key = "id" if table in ("articles", "failures") else "article"
            keys = failed if table == "failures" else ids
            if keys:
                con.execute(f"DELETE FROM {table} WHERE {key} IN (SELECT unnest(?))", [keys])  # noqa: S608 - ours
            insert(con, table, rows[table])
        con.execute("COMMIT")
    finally:
        con.close()
    return BuildResult(len(rows["articles"]), len(rows["failures"]), n_files)


def _analysis(where: str, record: object, line: str) -> Analysis:
    """The analysis in one result line; anything else (often the batch's input file given by
    mistake for its --out file) is a ``MalformedRecord`` naming the line, not a traceback."""
    if not isinstance(record, dict) or not {"article", "paragraphs"} <= record.keys():
        raise MalformedRecord(f"{where}: not a spinscope batch result (a result has 'article' and 'paragraphs', "
                              "a failure 'id' and 'error'); give the file that batch --out wrote, not its input")
    try:
        return Analysis.from_json(line)
    except (TypeError, ValueError, KeyError, AttributeError) as exc:
        raise MalformedRecord(f"{where}: not a readable spinscope analysis ({exc})") from exc


def _result_lines(path: Path) -> Iterator[tuple[str, str]]:
    """(where, JSON record) for each result in a batch JSONL file, or in the Parquet folder or
    file of ``batch --engine ray`` (its records turned back into the local engine's lines)."""
    if path.is_dir() or path.suffix.lower() == ".parquet":
        from spinscope.batch_ray import read_results

        for n, record in enumerate(read_results(path), start=1):
            yield f"{path}:record {n}", json.dumps(record, ensure_ascii=False)
        return
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip():
            yield f"{path}:{n}", line


def insert(con, table: str, rows: list[list]) -> None:  # noqa: ANN001 - a duckdb connection
    """Insert rows as one statement over column lists: ``executemany`` takes ~1 ms a row (400k rows: 417 s)."""
    if rows:
        columns = [list(c) for c in zip(*rows, strict=True)]
        unnest = ", ".join("unnest(?)" for _ in columns)
        con.execute(f"INSERT INTO {table} SELECT * FROM (SELECT {unnest})", columns)  # noqa: S608 - our names


def _article_rows(a: Analysis, rows: dict[str, list[list]]) -> None:
    aid = a.article.id
    meta = dict(a.article.metadata)
    spans = a.spans
    rows["articles"].append([
        aid, a.article.source_url or meta.get("url"), meta.get("outlet") or meta.get("sitename"), meta.get("author"),
        _date(meta.get("date")),
        a.article.language, a.article.title or meta.get("title"), word_count(a.article.text),
        a.genre.label if a.genre else None, [f.frame for f in a.detected_frames], len(spans),
        len(a.checkworthy_claims), json.dumps(meta, ensure_ascii=False)])
    rows["detections"] += [[aid, s.technique, category_of(s.technique).name, s.confidence, s.threshold, s.paragraph,
                            s.start, s.end, s.text] for s in spans]
    rows["article_techniques"] += [[aid, t.technique, category_of(t.technique).name, t.confidence, t.threshold, t.detected,
                                    t.start, t.end, t.passage_confidence] for t in a.techniques]
    rows["claims"] += [[aid, c.start, c.end, c.text, c.checkworthiness, c.checkworthy,
                        c.attribution.kind if c.attribution else None, c.attribution.index if c.attribution else None]
                       for c in a.claims]
    rows["attributions"] += [[aid, i, t.kind, t.source.text if t.source else None, t.cue.text if t.cue else None,
                              t.content.text if t.content else None,
                              min(x.start for x in (t.source, t.cue, t.content) if x),
                              max(x.end for x in (t.source, t.cue, t.content) if x)] for i, t in enumerate(a.attributions)]
    rows["entities"] += [[aid, e.text, e.label, len(e.mentions), e.attacked, json.dumps(dict(e.techniques)),
                          e.mentions[0].start if e.mentions else None] for e in a.entities]
    rows["entity_mentions"] += [[aid, e.text, e.label, m.start, m.end, a.article.text[m.start:m.end]]
                                for e in a.entities for m in e.mentions]


def _date(value: str | None):  # noqa: ANN202 - a datetime.date or None
    """An ISO date (the first ten characters of a date or timestamp), or None when it is not one."""
    import datetime

    try:
        return datetime.date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


@contextmanager
def read_only(db: str | Path) -> Iterator:
    """A read-only connection to an existing store; a missing file is ``E105``, a failing query ``E108``."""
    path = Path(db)
    if not path.is_file():
        raise MissingFile(f"no corpus store at {path}; build one with: spinscope corpus build RESULTS --db {path}")
    con = _duckdb().connect(str(path), read_only=True)
    try:
        yield con
    except _duckdb().Error as exc:
        raise InvalidOption(f"query failed: {exc}") from exc
    finally:
        con.close()


def query(db: str | Path, sql: str) -> tuple[list[str], list[tuple]]:
    """Column names and rows of one SQL statement over the store (opened read-only)."""
    with read_only(db) as con:
        cur = con.execute(sql)
        return [d[0] for d in cur.description], cur.fetchall()


def export(db: str | Path, sql: str, out: str | Path, fmt: str) -> None:
    """Write a query's result as CSV, JSON (one object per line) or Parquet with DuckDB's COPY."""
    options = {"csv": "FORMAT csv, HEADER", "json": "FORMAT json", "parquet": "FORMAT parquet"}[fmt]
    with read_only(db) as con:
        con.execute(f"COPY ({sql}) TO '{Path(out).as_posix().replace(chr(39), chr(39) * 2)}' ({options})")


def as_table(columns: list[str], rows: list[tuple], max_width: int = 40) -> str:
    """A plain-text table for the terminal."""
    cells = [[("" if v is None else str(v))[:max_width] for v in row] for row in rows]
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]
    line = lambda vals: "  ".join(v.ljust(w) for v, w in zip(vals, widths, strict=True)).rstrip()  # noqa: E731
    return "\n".join([line(columns), line(["-" * w for w in widths]), *(line(r) for r in cells),
                      f"({len(rows)} row{'s' if len(rows) != 1 else ''})"]) + "\n"
