import os
import signal
import time

import pytest

from spinscope import parallel
from spinscope.errors import EmptyInput, InternalError, InvalidOption

pytestmark = pytest.mark.skipif(not parallel.available(), reason="needs the fork start method")

_prepared = False


def _prepare() -> None:
    global _prepared
    _prepared = True


def _where(i: int) -> tuple[int, int, bool]:
    return i, os.getpid(), _prepared


def test_ordered_map_runs_in_prepared_workers_and_keeps_input_order():
    out = list(parallel.ordered_map(_where, range(40), 3, _prepare))
    assert [i for i, _, _ in out] == list(range(40))
    pids = {pid for _, pid, _ in out}
    assert os.getpid() not in pids and 1 < len(pids) <= 3
    assert all(prepared for _, _, prepared in out)
    assert not _prepared  # setup ran in the workers only


def test_one_worker_runs_in_this_process():
    assert {pid for _, pid, _ in parallel.ordered_map(_where, range(5), 1)} == {os.getpid()}


def test_read_ahead_is_bounded():
    consumed = []

    def items():
        for i in range(1000):
            consumed.append(i)
            yield i

    results = parallel.ordered_map(_where, items(), 2)
    next(results)
    assert len(consumed) <= parallel.IN_FLIGHT_PER_WORKER * 2 + 1
    results.close()  # an early stop shuts the workers down
    assert len(consumed) < 1000


def _die(i: int) -> int:
    if i == 3:
        os._exit(9)
    return i


def test_a_dead_worker_fails_the_run_instead_of_hanging():
    with pytest.raises(InternalError, match="worker process died"):
        list(parallel.ordered_map(_die, range(10), 2))


def _sleep(i: int) -> int:
    time.sleep(30)
    return i


def test_workers_end_with_their_parent():
    """A SIGKILLed parent leaves no worker behind (they hold their own task pipe open)."""
    r, w = os.pipe()
    child = os.fork()
    if child == 0:  # the parent-to-be-killed: start two workers, report their pids, wait
        os.close(r)
        results = parallel.ordered_map(_sleep, range(4), 2)
        try:
            next(results)
        finally:
            os._exit(0)
    os.close(w)
    deadline = time.time() + 20
    workers: set[int] = set()
    while time.time() < deadline and len(workers) < 2:
        workers = _children(child)
        time.sleep(0.05)
    assert len(workers) == 2
    os.kill(child, signal.SIGKILL)
    os.waitpid(child, 0)
    os.close(r)
    deadline = time.time() + 10
    while time.time() < deadline and any(_alive(p) for p in workers):
        time.sleep(0.05)
    survivors = [p for p in workers if _alive(p)]
    for p in survivors:  # so that a failure here leaves nothing holding the test run's pipes
        os.kill(p, signal.SIGKILL)
    assert not survivors


def _children(pid: int) -> set[int]:
    out = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    if int(fh.read().rsplit(") ", 1)[1].split()[1]) == pid:
                        out.add(int(entry))
            except (FileNotFoundError, ProcessLookupError):
                continue
    return out


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(") ", 1)[1][0] != "Z"
    except FileNotFoundError:
        return False


def test_errors_cross_the_process_boundary_by_name():
    with pytest.raises(EmptyInput, match="nothing here"):
        parallel.raise_error(*parallel.error_fields(EmptyInput("nothing here")))
    with pytest.raises(InternalError, match="unexpected KeyError"):
        parallel.raise_error(*parallel.error_fields(KeyError("x")))
    with pytest.raises(InternalError):  # a name that is not one of ours is never looked up elsewhere
        parallel.raise_error("SystemExit", "bye")


def test_worker_counts_are_checked():
    with pytest.raises(InvalidOption, match="between 1 and"):
        parallel.check_workers(0)
    assert parallel.check_workers(3) == 3
    assert 1 <= parallel.default_workers() <= 8
