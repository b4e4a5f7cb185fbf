"""forked_map and forked_imap: work shared out to forked processes that inherit a closure."""
from __future__ import annotations

import os

import pytest

from analysis.common.forked import forked_imap, forked_map


def test_forked_map_runs_a_closure_on_other_processes_in_order():
    text = "政府工作報告" * 200_000  # inherited by the processes, never pickled
    out = forked_map(lambda k: (k, text[k], os.getpid()), 6, workers=2)
    assert [(k, c) for k, c, _ in out] == [(k, text[k]) for k in range(6)]
    assert os.getpid() not in {pid for _, _, pid in out}
    assert forked_map(lambda k: (k, os.getpid()), 3, workers=1) == [(k, os.getpid()) for k in range(3)]


def test_forked_imap_starts_at_once_and_yields_in_order():
    results = forked_imap(lambda k: k * k, 7, workers=2)
    assert list(results) == [k * k for k in range(7)]
    assert list(forked_imap(lambda k: k, 0, workers=2)) == []


def test_forked_imap_raises_the_error_of_an_item():
    def work(k):
        if k == 2:
            raise ValueError(f"item {k} failed")
        return k

    results = forked_imap(work, 4, workers=2)
    assert next(results) == 0 and next(results) == 1
    with pytest.raises(ValueError, match="item 2 failed"):
        next(results)
