import json
import re

import click
from click.testing import CliRunner

from spinscope.interfaces.cli import main
from tests.conftest import FIXTURES

OP_ED = str(FIXTURES / "op-ed.txt")


def run(*args, input=None):
    return CliRunner().invoke(main, list(args), input=input)


def test_analyze_formats(tmp_path):
    r = run("analyze", OP_ED)
    assert r.exit_code == 0, r.output
    assert "spinscope report" in r.output
    out = tmp_path / "r.json"
    r = run("analyze", OP_ED, "--format", "json", "--out", str(out))
    assert r.exit_code == 0 and json.loads(out.read_text())["article"]["id"] == "op-ed"
    r = run("analyze", OP_ED, "--format", "html")
    assert r.exit_code == 0 and r.output.startswith("<!doctype html>")


def test_analyse_is_analyze():
    r = run("analyse", "-", "--format", "json", input="Title\n\nSome words here.\n")
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["article"]["id"] == "stdin"
    assert "analyse" not in run("--help").output


def test_analyze_stdin_and_threshold():
    r = run("analyze", "-", "--format", "json", "--threshold", "1", input="Title\n\nSome words here.\n")
    assert r.exit_code == 0, r.output
    doc = json.loads(r.output)
    assert doc["threshold"] == 1.0 and not any(p["spans"] for p in doc["paragraphs"])


def test_exit_codes_for_bad_input_and_usage(tmp_path):
    r = run("analyze", str(tmp_path / "missing.txt"))
    assert r.exit_code == 3 and "E105" in r.output and "no such file" in r.output
    empty = tmp_path / "empty.txt"
    empty.write_text("   \n")
    r = run("analyze", str(empty))
    assert r.exit_code == 3 and "E101" in r.output
    binary = tmp_path / "b.txt"
    binary.write_bytes(b"\x00\x01\x02")
    assert run("analyze", str(binary)).exit_code == 3
    assert run("analyze", OP_ED, "--format", "pdf").exit_code == 2
    assert run("analyze", OP_ED, "--threshold", "2").exit_code == 2
    assert run("analyze", OP_ED, "--lang", "xx").exit_code == 3


def _semeval_folder(tmp_path):
    arts = tmp_path / "articles"
    arts.mkdir()
    (arts / "article901.txt").write_text(FIXTURES.joinpath("op-ed.txt").read_text().split("Share this")[0])
    (arts / "article902.txt").write_text(FIXTURES.joinpath("report.txt").read_text())
    return arts


def test_semeval_predict_all_subtasks_and_evaluate(tmp_path):
    arts = _semeval_folder(tmp_path)
    for subtask in ("1", "2", "3"):
        out = tmp_path / f"st{subtask}.txt"
        r = run("semeval", "predict", "--subtask", subtask, "--articles", str(arts), "--out", str(out), "--lang", "en")
        assert r.exit_code == 0, r.output
    assert [line.split("\t")[0] for line in (tmp_path / "st1.txt").read_text().splitlines()] == ["901", "902"]
    st3 = (tmp_path / "st3.txt").read_text().splitlines()
    (arts / "article900.txt").write_text("\n")  # empty: no line in subtask 3 without a template
    r = run("semeval", "predict", "--subtask", "3", "--articles", str(arts), "--out", str(tmp_path / "one.txt"),
            "--lang", "en", "--workers", "1")
    assert r.exit_code == 0 and (tmp_path / "one.txt").read_text().splitlines() == st3  # default: forked workers
    assert [tuple(x.split("\t")[:2]) for x in st3][:3] == [("901", "1"), ("901", "3"), ("901", "5")]
    r = run("semeval", "evaluate", "--subtask", "3", "--gold", str(tmp_path / "st3.txt"),
            "--pred", str(tmp_path / "st3.txt"))
    assert r.exit_code == 0 and "micro-F1 1.00000" in r.output


def test_semeval_predict_with_template_and_folder_codes(tmp_path):
    arts = _semeval_folder(tmp_path)
    tpl = tmp_path / "t.template"
    tpl.write_text("902\t1\tCity opens new library branch\n902\t5\tx\n")
    out = tmp_path / "p.txt"
    r = run("semeval", "predict", "--subtask", "3", "--articles", str(arts), "--out", str(out),
            "--template", str(tpl), "--lang", "ge")
    assert r.exit_code == 0, r.output
    assert [tuple(x.split("\t")[:2]) for x in out.read_text().splitlines()] == [("902", "1"), ("902", "5")]
    r = run("semeval", "predict", "--subtask", "3", "--articles", str(tmp_path / "none"), "--out", str(out))
    assert r.exit_code == 3


def test_semeval_predict_lines(tmp_path):
    arts = _semeval_folder(tmp_path)
    out = tmp_path / "p.txt"
    for lines in ("paragraphs", "sentences"):
        r = run("semeval", "predict", "--subtask", "3", "--articles", str(arts), "--out", str(out), "--lang", "en",
                "--lines", lines, "--workers", "1")
        assert r.exit_code == 0, r.output
    r = run("semeval", "predict", "--subtask", "3", "--articles", str(arts), "--out", str(out), "--lines", "sentences",
            "--model", "classic")
    assert r.exit_code == 3 and "E108" in r.output and "line context" in r.output
    assert run("semeval", "predict", "--subtask", "3", "--articles", str(arts), "--out", str(out),
               "--lines", "words").exit_code == 2


def test_semeval_evaluate_mismatch_is_bad_input(tmp_path):
    g = tmp_path / "g.txt"
    p = tmp_path / "p.txt"
    g.write_text("1\topinion\n2\tsatire\n")
    p.write_text("1\topinion\n")
    r = run("semeval", "evaluate", "--subtask", "1", "--gold", str(g), "--pred", str(p))
    assert r.exit_code == 3 and "E302" in r.output


def _leaf_commands(cmd, path=()):
    if isinstance(cmd, click.Group):
        for name, sub in cmd.commands.items():
            yield from _leaf_commands(sub, (*path, name))
    else:
        yield path


def test_every_command_help_has_an_example():
    leaves = list(_leaf_commands(main))
    assert ("audit", "swap") in leaves and ("corpus", "report") in leaves
    for args in leaves:
        r = run(*args, "--help")
        assert r.exit_code == 0 and "Example" in r.output, args
        # A backslash that ends a line in a docstring joins the two lines into one with a gap.
        assert not re.search(r"\S {6,}\S", r.output.split("Example", 1)[1].split("Options:")[0]), args


def test_semeval_evaluate_repairs_or_refuses_gold_labels(tmp_path):
    g = tmp_path / "g.txt"
    p = tmp_path / "p.txt"
    g.write_text("1\t3\tAppeal_to_Fear-Prejudi-čce\n")
    p.write_text("1\t3\tAppeal_to_Fear-Prejudice\n")
    r = run("semeval", "evaluate", "--subtask", "3", "--gold", str(g), "--pred", str(p))
    assert r.exit_code == 0 and "micro-F1 1.00000" in r.output
    g.write_text("1\tEconomics_and_stuff\n")
    p.write_text("1\tEconomic\n")
    r = run("semeval", "evaluate", "--subtask", "2", "--gold", str(g), "--pred", str(p))
    assert r.exit_code == 3 and "unknown labels" in r.output


def test_analyze_reads_html_from_stdin_and_html_files(tmp_path):
    page = (FIXTURES / "news-page.html").read_text()
    r = run("analyze", "-", "--format", "json", input=page)
    assert r.exit_code == 0, r.output
    text = json.loads(r.output)["article"]["text"]
    assert text.startswith("Harbour town votes on new sea wall") and "Privacy policy" not in text
    saved = tmp_path / "page.htm"
    saved.write_text(page)
    r = run("analyze", str(saved), "--format", "json")
    assert r.exit_code == 0 and json.loads(r.output)["article"]["metadata"]["author"] == "Mara Quint"


def test_progress_bar_only_on_a_terminal(monkeypatch, capsys):
    import sys

    from spinscope.interfaces.cli import _progress

    monkeypatch.setattr(sys.stderr, "isatty", lambda: False)
    assert list(_progress("x")([1, 2])) == [1, 2]
    assert capsys.readouterr().err == ""
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    assert list(_progress("working")([1, 2])) == [1, 2]
    assert "working" in capsys.readouterr().err


def test_python_dash_m_spinscope_version():
    import subprocess
    import sys

    r = subprocess.run([sys.executable, "-m", "spinscope", "--version"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and "spinscope, version" in r.stdout


def test_serve_prints_where_it_listens(monkeypatch):
    import uvicorn

    calls = []
    monkeypatch.setattr(uvicorn, "run", lambda *a, **kw: calls.append(kw))
    r = CliRunner().invoke(main, ["serve", "--port", "8765", "--no-access-log"])
    assert r.exit_code == 0, r.output
    assert "http://127.0.0.1:8765/" in r.output
    assert calls[0]["port"] == 8765 and calls[0]["access_log"] is False


def test_train_layers_needs_a_transformer_fine_tuning(tmp_path):
    for flag in (["--layers", "6"], ["--init-from", str(tmp_path)], ["--distil", "0.5"], ["--teacher", str(tmp_path)],
                 ["--attention-weight", "1"]):
        for extra in (["--model", "classic"], ["--model", "transformer", "--heads-only"]):
            r = run("train", "--out", str(tmp_path / "m"), *flag, *extra)
            assert r.exit_code == 2 and f"{flag[0]} applies when fine-tuning" in r.output, extra
    r = run("train", "--model", "transformer", "--out", str(tmp_path / "m"), "--distil", "0.5")
    assert r.exit_code == 2 and "--distil needs --init-from or --teacher" in r.output
    r = run("train", "--model", "transformer", "--out", str(tmp_path / "m"), "--teacher", str(tmp_path))
    assert r.exit_code == 2 and "--teacher needs --distil" in r.output
    r = run("train", "--model", "transformer", "--out", str(tmp_path / "m"), "--distil", "0", "--init-from", str(tmp_path))
    assert r.exit_code == 2 and "0.0" in r.output  # a weight of 0 would train without the teacher it names
    for flag in (["--attention-weight", "1"], ["--distil", "0.5", "--init-from", str(tmp_path)]):
        r = run("train", "--model", "transformer", "--out", str(tmp_path / "m"), "--epochs", "0", *flag)
        assert r.exit_code == 2 and "--epochs 0 trains nothing" in r.output, flag
    assert not (tmp_path / "m").exists()


def test_train_lang_reaches_the_transformer_fine_tuning_and_its_heads(tmp_path, monkeypatch):
    from spinscope.training import run as training_run

    calls = []
    monkeypatch.setattr(training_run, "train_transformer_model", lambda *a, **kw: calls.append(("fine-tune", kw)))
    monkeypatch.setattr(training_run, "fit_transformer_heads", lambda *a, **kw: calls.append(("heads", kw)))
    assert run("train", "--model", "transformer", "--lang", "en", "--out", str(tmp_path)).exit_code == 0
    assert run("train", "--model", "transformer", "--heads-only", "--lang", "en", "--lang", "de",
               "--out", str(tmp_path)).exit_code == 0
    assert run("train", "--model", "transformer", "--heads-only", "--out", str(tmp_path)).exit_code == 0
    assert [(what, kw["langs"]) for what, kw in calls] == [("fine-tune", ("en",)), ("heads", ("en", "de")), ("heads", None)]
    assert run("train", "--model", "transformer", "--init-from", str(tmp_path), "--teacher", str(tmp_path),
               "--distil", "0.5", "--out", str(tmp_path)).exit_code == 0
    assert calls[-1][1]["teacher"] == str(tmp_path) and calls[-1][1]["distil"] == 0.5
    assert calls[-1][1]["attention_weight"] is None  # the shipped recipe unless asked
    assert run("train", "--model", "transformer", "--attention-weight", "0.5", "--out", str(tmp_path)).exit_code == 0
    assert calls[-1][1]["attention_weight"] == 0.5
    monkeypatch.setattr(training_run, "fit_decisions_only", lambda *a, **kw: calls.append(("decisions", a, kw)))
    assert run("train", "--model", "article", "--out", str(tmp_path), "--work-dir", str(tmp_path / "w")).exit_code == 0
    assert calls[-1][1][1] == str(tmp_path) and calls[-1][2]["work_dir"] == str(tmp_path / "w")
    assert calls[-1][2]["sentences"] is False  # the article decisions alone
    assert run("train", "--model", "decisions", "--out", str(tmp_path)).exit_code == 0
    assert calls[-1][2]["sentences"] is True and calls[-1][2]["work_dir"] == "runs/transformer"
    monkeypatch.setattr(training_run, "fit_classic_partner_only", lambda *a, **kw: calls.append(("partner", a, kw)))
    assert run("train", "--model", "classic-partner", "--lang", "en", "--out", str(tmp_path)).exit_code == 0
    assert calls[-1][0] == "partner" and calls[-1][1][1] == str(tmp_path) and calls[-1][2]["langs"] == ("en",)
    monkeypatch.setattr(training_run, "fit_classic_cues_only", lambda *a, **kw: calls.append(("cues", a, kw)))
    assert run("train", "--model", "classic-cues", "--out", str(tmp_path)).exit_code == 0
    assert calls[-1][0] == "cues" and calls[-1][1][1] == str(tmp_path) and "langs" not in calls[-1][2]


def test_train_heads_refuse_an_out_without_a_model_before_reading_data(tmp_path):
    # --data names nothing: the check comes before the corpus, which takes minutes to read.
    classic = tmp_path / "classic"
    classic.mkdir()
    (classic / "manifest.json").write_text('{"kind": "classic"}', encoding="utf-8")
    for kind in ("decisions", "article", "context", "paragraphs"):
        r = run("train", "--model", kind, "--data", str(tmp_path / "no-data"), "--out", str(tmp_path / "empty"))
        assert r.exit_code == 5 and "E201" in r.output and "has no readable manifest.json" in r.output, (kind, r.output)
        r = run("train", "--model", kind, "--data", str(tmp_path / "no-data"), "--out", str(classic))
        assert r.exit_code == 5 and "E202" in r.output and "holds a classic model" in r.output, (kind, r.output)
    for kind in ("attribution", "claims", "claims-news"):  # what these train joins a model already in --out
        r = run("train", "--model", kind, "--data", str(tmp_path / "no-data"), "--out", str(tmp_path / "empty"))
        assert r.exit_code == 5 and "E201" in r.output and "has no readable manifest.json" in r.output, (kind, r.output)
    assert not (tmp_path / "empty").exists()


def test_train_genre_takes_polnear_from_news_or_beside_the_data(tmp_path, monkeypatch):
    from spinscope.training import run as training_run

    calls = []
    monkeypatch.setattr(training_run, "fit_genre_only", lambda *a, **kw: calls.append(a))
    monkeypatch.setattr(training_run, "fit_transformer_heads", lambda *a, **kw: calls.append(kw["news_dir"]))
    data = tmp_path / "shared" / "semeval2023"
    data.mkdir(parents=True)
    r = run("train", "--model", "genre", "--data", str(data), "--out", str(tmp_path / "m"))
    assert r.exit_code == 2 and "--model genre needs PolNeAR" in r.output and not calls
    r = run("train", "--model", "genre", "--news", str(tmp_path), "--out", str(tmp_path / "m"))
    assert r.exit_code == 2 and "no train/text folder" in r.output and not calls
    (tmp_path / "shared" / "polnear" / "train" / "text").mkdir(parents=True)
    assert run("train", "--model", "genre", "--data", str(data), "--out", str(tmp_path / "m")).exit_code == 0
    assert calls[-1] == (str(data), str(tmp_path / "m"), tmp_path / "shared" / "polnear")
    assert run("train", "--model", "transformer", "--heads-only", "--data", str(data),
               "--out", str(tmp_path / "m")).exit_code == 0
    assert calls[-1] == tmp_path / "shared" / "polnear"
    # the classical model's own genre head learns the news too, whole or refitted alone
    monkeypatch.setattr(training_run, "train_classic_model", lambda *a, **kw: calls.append(kw["news_dir"]))
    monkeypatch.setattr(training_run, "fit_classic_genre_only", lambda *a, **kw: calls.append(("classic-genre", a)))
    assert run("train", "--data", str(data), "--out", str(tmp_path / "m")).exit_code == 0
    assert calls[-1] == tmp_path / "shared" / "polnear"
    assert run("train", "--model", "classic-genre", "--news", str(tmp_path / "shared" / "polnear"),
               "--out", str(tmp_path / "m")).exit_code == 0
    assert calls[-1] == ("classic-genre", ("../shared/data/semeval2023", str(tmp_path / "m"),
                                           tmp_path / "shared" / "polnear"))
    # English news has no place in a model trained without English
    assert run("train", "--model", "transformer", "--heads-only", "--lang", "fr", "--data", str(data),
               "--out", str(tmp_path / "m")).exit_code == 0
    assert calls[-1] is None
    r = run("train", "--model", "genre", "--lang", "fr", "--data", str(data), "--out", str(tmp_path / "m"))
    assert r.exit_code == 2 and "include --lang en" in r.output
    r = run("train", "--model", "classic-genre", "--lang", "fr", "--data", str(data), "--out", str(tmp_path / "m"))
    assert r.exit_code == 2 and "include --lang en" in r.output


def test_analyze_names_the_words_that_carry_a_detection_unless_told_not_to(tmp_path):
    f = tmp_path / "a.txt"
    f.write_text("Officials met on Tuesday to discuss the budget.\n"
                 "The government's vile, disgusting and treacherous scheme will destroy this wonderful town forever.\n")
    explained = json.loads(run("analyze", str(f), "--format", "json").output)
    plain = json.loads(run("analyze", str(f), "--format", "json", "--no-explain").output)
    spans = [s for p in explained["paragraphs"] for s in p["spans"]]
    assert spans and all(s["cues"] and "Left out one at a time" in s["explanation"] for s in spans)
    assert all(not s["cues"] and "marked no words" in s["explanation"] for p in plain["paragraphs"] for s in p["spans"])


def test_serve_hands_explain_to_its_workers(monkeypatch):
    import os

    import uvicorn

    monkeypatch.setattr(uvicorn, "run", lambda *a, **kw: None)
    monkeypatch.setenv("SPINSCOPE_EXPLAIN", "unset")  # restored afterwards; serve overwrites it
    seen = []
    for flags in ([], ["--no-explain"]):
        assert CliRunner().invoke(main, ["serve", *flags]).exit_code == 0
        seen.append(os.environ["SPINSCOPE_EXPLAIN"])
    assert seen == ["1", "0"]
