"""Running a function over many speeches: across processes when there is enough text to pay
for them, with a progress bar when somebody is watching.

Why not ``tqdm.contrib.concurrent.process_map``: it starts the pool whatever the amount of
work (a pool costs more than it saves below ~200,000 characters), and it cannot warm the
parent before forking, which is what lets every worker share jieba's loaded dictionary
instead of loading it again (half a second each).
"""
from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor

from tqdm import tqdm

from .. import config
from ..common.forked import die_with_parent

# Below this much text, starting processes costs more than it saves.
PARALLEL_MIN_CHARS = 200_000
# Progress bars appear on passes over more speeches than this (never in headless runs).
PROGRESS_MIN_SPEECHES = 5


def show_progress(n_items: int, progress: bool | None) -> bool:
    """Whether a pass over ``n_items`` speeches shows a progress bar: ``progress`` when
    given, else only for more than a few speeches and never in a headless run."""
    if progress is not None:
        return progress
    return n_items > PROGRESS_MIN_SPEECHES and not config.headless()


def default_workers() -> int:
    """The cores this process may run on (its CPU affinity, which containers and ``taskset``
    narrow), falling back to the machine's count where affinity is unknown."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def parallel_map(func, items: list, *, sizes: list[int], workers: int, progress: bool,
                 desc: str, warm=None, unit: str = "speech", isolate: bool = False) -> list:
    """``[func(item) for item in items]``, in order, across ``workers`` processes when the
    items' total ``sizes`` (characters) reach :data:`PARALLEL_MIN_CHARS`, with a progress bar.

    ``warm`` runs once before the processes fork, so that they inherit what it loads.
    ``isolate`` runs the items in worker processes even when there are too few to share
    (a very long text: what its processing allocates goes when the worker does, instead of
    staying in this process's heap).
    """
    bar = tqdm(total=len(items), desc=desc, unit=unit, disable=not progress)
    if not isolate and (workers <= 1 or len(items) < 2 or sum(sizes) < PARALLEL_MIN_CHARS):
        out = []
        for item in items:
            out.append(func(item))
            bar.update()
        bar.close()
        return out
    if warm is not None:
        warm()
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    # Chunks of a few speeches keep both cores busy without pickling one result at a time.
    chunksize = max(1, min(16, len(items) // (workers * 8) or 1)) if unit == "speech" else 1
    out = []
    with ProcessPoolExecutor(max_workers=max(1, min(workers, len(items))), mp_context=context,
                             initializer=die_with_parent,
                             initargs=(os.getpid(),)) as pool:
        for result in pool.map(func, items, chunksize=chunksize):
            out.append(result)
            bar.update()
    bar.close()
    return out
