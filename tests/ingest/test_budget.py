"""Extraction runs with a deadline, in a child process that is gone when the deadline passes."""

import os
import time

import pytest

from spinscope.errors import ExtractionTimeout, NoArticleText
from spinscope.ingest.budget import TIMEOUT_ENV, run_with_budget
from spinscope.ingest.html import article_from_html


def _slow(pid_file: str) -> None:
    with open(pid_file, "w") as fh:
        fh.write(str(os.getpid()))
    while True:  # runaway work: only a kill ends it
        time.sleep(0.01)


def _refuse() -> None:
    raise NoArticleText("nothing here")


def test_work_past_its_budget_is_stopped_not_left_running(tmp_path):
    pid_file = tmp_path / "pid"
    start = time.perf_counter()
    with pytest.raises(ExtractionTimeout, match="took longer than 0.5 s; the work was stopped"):
        run_with_budget(_slow, str(pid_file), seconds=0.5)
    assert time.perf_counter() - start < 3
    pid = int(pid_file.read_text())
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)  # the child is gone, not busy in the background


def test_errors_and_results_cross_the_process_boundary():
    with pytest.raises(NoArticleText, match="nothing here"):
        run_with_budget(_refuse, seconds=5)
    assert run_with_budget(sorted, [3, 1, 2], seconds=5) == [1, 2, 3]


def test_the_page_budget_comes_from_the_environment(monkeypatch):
    html = "<html><body><article>" + "<p>Words of a real article go here, one after another.</p>" * 50
    monkeypatch.setenv(TIMEOUT_ENV, "0.000001")
    with pytest.raises(ExtractionTimeout):
        article_from_html(html + "</article></body></html>")
    monkeypatch.setenv(TIMEOUT_ENV, "20")
    assert "Words of a real article" in article_from_html(html + "</article></body></html>").text
