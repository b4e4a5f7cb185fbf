"""Cleaning ahead: speeches read and cleaned on a spare core while the segmenter is built.

Before the corpus's workers fork, the parent builds the segmenter once so that every worker
inherits it (:func:`analysis.corpus.pipeline._warm`): 0.5 to 0.8 s of one core, while the
others wait. Cleaning a speech does not need the segmenter, so a process forked before it
is built reads and cleans the speeches the workers will take first, until the segmenter is
ready; the records it made travel to the workers with their jobs, and the workers only cut
those speeches. On the 10 MB bench corpus it cleaned between a quarter and two thirds of its
characters in that time (0.9 to 2.2 million of 3.4 million, in 4 runs).

What it makes is exactly what a worker would (the same functions on the same bytes, and a
speech whose file fails to read is left to the worker, which reports it as before), and
nothing of it is written anywhere: a record it has not finished is never used, and a helper
that dies only leaves its speeches to the workers.

Why not a pool of its own or a ``concurrent.futures`` future: the helper must stop when told
(the segmenter is ready) after the speech it is cleaning, and hand over what it has done so
far; one forked process with a stop event and a queue does exactly that.
"""
from __future__ import annotations

import multiprocessing
import os
import queue as queues
import threading
from contextlib import contextmanager

from ..common.forked import die_with_parent

# Speeches longer than this are not cleaned ahead: the parent would wait for the one being
# cleaned when the segmenter is ready (1 MB cleans in about 0.1 s).
AHEAD_MAX_BYTES = 1_000_000
# Seconds to wait for the helper to hand over once told to stop, before it is given up.
_HANDOVER_TIMEOUT = 30.0


def tasks_of(jobs: list) -> list[tuple[int, str, str]]:
    """``(job index, speech_id, path)`` of every speech of ``jobs`` (in the order the workers
    take them) that a worker would read and clean: from a file, not reused from an earlier
    partition, and short enough."""
    return [(i, s.speech_id, s.path) for i, job in enumerate(jobs) for s in job.sources
            if s.path is not None and s.speech_id not in job.reuse and s.size <= AHEAD_MAX_BYTES]


@contextmanager
def cleaning_ahead(jobs: list):
    """Clean the speeches of ``jobs`` on a forked helper while the block runs; on leaving it,
    the helper stops after the speech at hand and each job gets the records made for it in
    ``job.cleaned`` (speech_id -> ``(raw, encoding, record)``). A thread takes the records
    off the queue as they come, so that the helper never waits on a full pipe. Yields the
    helper's process, or None: without ``fork`` (Windows, macOS's default) or with nothing to
    clean, the block just runs."""
    tasks = tasks_of(jobs)
    if not tasks or "fork" not in multiprocessing.get_all_start_methods():
        yield None
        return
    context = multiprocessing.get_context("fork")
    found, stop = context.Queue(), context.Event()
    helper = context.Process(target=_helper, args=(tasks, found, stop, os.getpid()), daemon=True)
    helper.start()
    received: list = []
    taker = threading.Thread(target=_take, args=(found, helper, received), daemon=True)
    taker.start()
    try:
        yield helper
    finally:
        stop.set()
        taker.join(timeout=_HANDOVER_TIMEOUT)
        if taker.is_alive():  # the helper hangs: what it handed over so far is kept
            helper.kill()
            taker.join()
        helper.join(timeout=1.0)
        found.close()
        for index, speech_id, made in received:
            jobs[index].cleaned[speech_id] = made


def _take(found, helper, received: list) -> None:
    """Move the helper's records from ``found`` to ``received`` until its end mark, or until
    it has ended without one (it died: what it handed over is kept)."""
    while True:
        try:
            item = found.get(timeout=0.2)
        except queues.Empty:
            if helper.is_alive():
                continue
            return
        except (EOFError, OSError):
            return
        if item is None:
            return
        received.append(item)


def _helper(tasks: list[tuple[int, str, str]], found, stop, parent: int) -> None:
    die_with_parent(parent)
    try:
        clean(tasks, found, stop)
    finally:
        found.close()
        found.join_thread()  # everything put is in the pipe before the process ends


def clean(tasks: list[tuple[int, str, str]], found, stop) -> None:
    """The helper's work: read and clean the speeches of ``tasks`` in order until ``stop`` is
    set, putting ``(job index, speech_id, (raw, encoding, record))`` on ``found``, then an
    end mark (None). A speech that fails to read or clean is skipped: its worker meets the
    same error and reports it."""
    from .read import read_speech, speech_record

    try:
        for index, speech_id, path in tasks:
            if stop.is_set():
                break
            try:
                raw, encoding = read_speech(path)
                record = speech_record(raw)
            except Exception:  # noqa: BLE001 (the worker meets it again, and reports it)
                continue
            found.put((index, speech_id, (raw, encoding, record)))
    finally:
        found.put(None)
