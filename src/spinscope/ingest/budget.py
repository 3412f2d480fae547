"""Work on hostile input with a deadline: it runs in a child process that is killed when time is up.

A thread cannot be stopped, so a page that sends the parser into minutes of work would
keep a core busy after its request has timed out. Extraction therefore runs in a forked
child (copy-on-write: milliseconds, and the parser is already imported), which is killed
at the deadline: nothing keeps running. Forking a process that has threads can, rarely,
leave a lock held in the child; such a child also ends at the deadline, as an error, never
a hang. (A forkserver or spawn child would re-run the caller's ``__main__``.)
``SPINSCOPE_EXTRACT_TIMEOUT_S`` sets the deadline (default 20 s).
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from typing import Any

from spinscope.errors import ExtractionTimeout, NoArticleText, SpinscopeError

TIMEOUT_ENV = "SPINSCOPE_EXTRACT_TIMEOUT_S"
DEFAULT_TIMEOUT_S = 20.0


def _child(conn: Any, fn: Callable[..., Any], args: tuple) -> None:
    try:
        conn.send((True, fn(*args)))
    except SpinscopeError as exc:
        conn.send((False, (type(exc), exc.message)))
    except Exception as exc:  # noqa: BLE001 - the parent turns it into a coded error
        conn.send((False, (NoArticleText, f"the page could not be parsed: {exc.__class__.__name__}")))
    finally:
        conn.close()


def timeout_s() -> float:
    return float(os.environ.get(TIMEOUT_ENV) or DEFAULT_TIMEOUT_S)


def run_with_budget(fn: Callable[..., Any], *args: Any, seconds: float | None = None) -> Any:
    """``fn(*args)`` in a child process; ``ExtractionTimeout`` (and the child killed) past ``seconds``."""
    seconds = timeout_s() if seconds is None else seconds
    ctx = multiprocessing.get_context("fork")
    receive, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(send, fn, args), daemon=True)
    proc.start()
    send.close()
    try:
        if not receive.poll(seconds):
            proc.kill()
            raise ExtractionTimeout(f"extracting the article took longer than {seconds:g} s; the work was stopped")
        try:
            ok, value = receive.recv()
        except EOFError as exc:  # the child died without an answer (killed, out of memory)
            raise NoArticleText("the page could not be parsed: the extraction process ended abruptly") from exc
    finally:
        receive.close()
        proc.join(timeout=5)
    if ok:
        return value
    cls, message = value
    raise cls(message)
