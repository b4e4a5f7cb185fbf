"""Work shared out to forked copies of this process, and workers that die with their parent.

:func:`forked_map` is for one long task split in pieces inside a process that may itself be
a worker of the corpus's pool or of a Dask worker (cleaning one newspaper year in blocks,
segmenting its pieces): the forked processes inherit the text instead of receiving it
pickled, and only the pieces' results travel back. ``multiprocessing.Pool`` and
``concurrent.futures`` give the pool; what they lack is passing a closure over a 50 MB
text without pickling it, which fork does for free.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor

# prctl(2) option: the signal a process gets when its parent dies (Linux).
_PR_SET_PDEATHSIG = 1


def die_with_parent(parent: int) -> None:
    """Make this worker end when the process that started it dies, even by ``kill -9`` or
    the out-of-memory killer: a pool's workers would otherwise run on, orphaned, holding
    hundreds of MB each. On Linux the kernel sends SIGKILL at the parent's death
    (``prctl(PR_SET_PDEATHSIG)``); everywhere, a daemon thread also checks once a second that
    the parent is still the one that started it, and ends the worker when it is not.
    Runs as the pool's ``initializer``."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass  # not Linux: the thread below does it
    if os.getppid() != parent:  # the parent died before the signal was asked for
        os._exit(1)

    def watch() -> None:
        while True:
            time.sleep(1.0)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, name="die-with-parent", daemon=True).start()


_TASK: Callable[[int], object] | None = None  # what the forked processes of forked_imap call


def forked_map(function: Callable[[int], object], count: int, workers: int) -> list:
    """``[function(i) for i in range(count)]``, in order, on up to ``workers`` forked
    processes that inherit ``function`` (a closure over data of any size) instead of
    receiving it; the results come back pickled. With one worker, one item, or where fork is
    not available, the items run here, one after another, with the same results."""
    return list(forked_imap(function, count, workers))


def forked_imap(function: Callable[[int], object], count: int, workers: int, ahead: int = 3) -> Iterator:
    """:func:`forked_map` whose processes are forked at once, by this call, and whose
    results are yielded in order as they come: the caller can do other work meanwhile and
    use each result as it arrives. At most ``ahead`` × ``workers`` items are in hand at a
    time (running, or done and not yet taken), so that results wait in memory only that
    many at once. Consume it to the end, or close it: the pool shuts down then. Call it
    before starting threads of your own: the processes are forked here, from the calling
    thread."""
    global _TASK
    if workers <= 1 or count <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        return (function(i) for i in range(count))
    window = max(1, ahead * workers)
    _TASK = function
    pool = ProcessPoolExecutor(max_workers=min(workers, count), mp_context=multiprocessing.get_context("fork"),
                               initializer=die_with_parent, initargs=(os.getpid(),))
    try:
        # With fork, the first submit starts every worker; each inherits _TASK.
        pending = [pool.submit(_call, i) for i in range(min(window, count))]
    except BaseException:
        pool.shutdown(cancel_futures=True)
        raise
    finally:
        _TASK = None

    def results():
        try:
            for i in range(count):
                result = pending.pop(0).result()
                if i + window < count:
                    pending.append(pool.submit(_call, i + window))
                yield result
        finally:
            pool.shutdown(cancel_futures=True)

    return results()


def _call(index: int):
    return _TASK(index)
