"""Analyses spread over worker processes forked from a loaded pipeline.

Forked workers share the parent's model pages copy-on-write, so N workers cost far
less memory than N loads, and they start in milliseconds. Each worker runs its encoder
on one thread: the workers are the parallelism. On 2 cores, two single-thread workers
analysed 30 articles of 800 words 1.25-1.3x faster than one process whose 2-thread
encoder pool waited while the Python steps between encoder calls ran.

Only plain values cross the process boundary: the task (text or an article's JSON
fields) goes in, the analysis JSON line or an error's name and message comes out.
A worker that dies (killed, out of memory) fails the run with ``InternalError``
instead of hanging; whatever the caller already wrote stays written.
"""

from __future__ import annotations

import ctypes
import multiprocessing as mp
import os
import signal
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

from spinscope import errors
from spinscope.errors import InternalError, InvalidOption, SpinscopeError, as_spinscope_error

A = TypeVar("A")
R = TypeVar("R")

MAX_WORKERS = 64
PR_SET_PDEATHSIG = 1  # linux/prctl.h
# Tasks in flight per worker: enough to keep each busy, few enough that the parent
# never holds more than a handful of articles, however long the input.
IN_FLIGHT_PER_WORKER = 4

_task: Callable | None = None  # what a forked worker runs; set in the parent just before the fork


def available() -> bool:
    """Whether this platform can fork (Linux, macOS); elsewhere work stays in one process."""
    return "fork" in mp.get_all_start_methods()


def default_workers() -> int:
    """The CPUs this process may use, up to 8 (beyond that, memory bandwidth rather than cores limits)."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    return max(1, min(8, cpus))


def check_workers(workers: int) -> int:
    if not 1 <= workers <= MAX_WORKERS:
        raise InvalidOption(f"workers must be between 1 and {MAX_WORKERS}, got {workers}")
    return workers if available() else 1


def ordered_map(task: Callable[[A], R], items: Iterable[A], workers: int,
                setup: Callable[[], None] = lambda: None) -> Iterator[R]:
    """``task`` over ``items`` in forked workers, results in input order.

    ``setup`` runs once in each worker before its first task. At most
    ``IN_FLIGHT_PER_WORKER * workers`` items are read ahead of the results.
    """
    global _task
    if workers <= 1:
        yield from map(task, items)
        return
    _task = task
    # The tokenizer library warns in every child forked after it used threads; the workers
    # tokenise one window at a time and need none.
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    pool = ProcessPoolExecutor(workers, mp_context=mp.get_context("fork"), initializer=_start_worker,
                               initargs=(os.getpid(), setup))
    pending: deque[Future] = deque()
    try:
        for item in items:
            pending.append(pool.submit(_run, item))
            if len(pending) >= IN_FLIGHT_PER_WORKER * workers:
                yield _result(pending.popleft())
        while pending:
            yield _result(pending.popleft())
    finally:
        # Also on an early stop or Ctrl-C: nothing queued is started, workers exit.
        pool.shutdown(wait=True, cancel_futures=True)


def _start_worker(parent: int, setup: Callable[[], None]) -> None:
    # Ctrl-C reaches the whole process group: the parent handles it and stops the workers.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with(parent)
    setup()


def _die_with(parent: int) -> None:
    """End this worker when the parent dies, even by SIGKILL: forked workers hold both
    ends of their task pipe, so they would otherwise wait on it forever."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != parent:  # it died before the line above
        os._exit(1)


def _run(item: A) -> R:  # type: ignore[type-var]
    assert _task is not None, "forked without a task"
    return _task(item)


def _result(future: Future) -> R:  # type: ignore[type-var]
    try:
        return future.result()
    except BrokenProcessPool as exc:
        raise InternalError("a worker process died (killed or out of memory); "
                            "rerun with fewer workers, or --resume a batch") from exc


def error_fields(exc: BaseException) -> tuple[str, str]:
    """An exception as (class name, message), to raise again in the parent with ``raise_error``."""
    err = as_spinscope_error(exc)
    return type(err).__name__, err.message


def raise_error(name: str, message: str) -> None:
    cls = getattr(errors, name, None)
    if not (isinstance(cls, type) and issubclass(cls, SpinscopeError)):
        cls = InternalError
    raise cls(message)
