"""Cleaning ahead (analysis.corpus.ahead): speeches cleaned on a spare core while the
segmenter is built are exactly what the workers would have made, and are used."""
from __future__ import annotations

import pickle
import queue
import subprocess
import sys
import threading

import pandas as pd

from analysis.corpus import ahead
from analysis.corpus.pipeline import Job, process
from analysis.corpus.read import read_speech, speech_record
from analysis.corpus.store import Source

# A short page as a site serves it: a menu line, the speech, a footer (written for this test).
_PAGE = ("首页 > 范文大全 > 讲话稿\n"
         "在全市计划生育协会工作会议上的讲话\n"
         "同志们：\n"
         "今年全市计划生育协会工作的总体要求是，坚持以人为本，推进双降目标落实。\n"
         "一是加强组织建设。二是深化“三进”活动，做到五有。\n"
         "谢谢大家！\n"
         "上一篇：关于加强基层建设的意见\n"
         "版权所有 Copyright 2012\n")


def _sources(folder, n: int, *, extra: str = "") -> list[Source]:
    folder.mkdir(exist_ok=True)
    out = []
    for i in range(n):
        path = folder / f"s{i}.txt"
        path.write_text(_PAGE.replace("全市", f"第{i}市") + extra, encoding="utf-8")
        out.append(Source(speech_id=f"s{i}", stamp=f"t{i}", size=path.stat().st_size, path=str(path)))
    return out


def test_the_speeches_to_clean_ahead_are_the_workers_files_in_their_order(tmp_path, monkeypatch):
    files = _sources(tmp_path / "c", 3)
    text = Source(speech_id="t", stamp="x", size=10, text="一段文字", simplified="一段文字")
    big = _sources(tmp_path / "big", 1, extra="推进各项工作。\n" * 10)[0]
    monkeypatch.setattr(ahead, "AHEAD_MAX_BYTES", files[0].size)  # big is over it
    first = Job("p1", [files[0], text, big], True, None, {})
    second = Job("p2", [files[1], files[2]], True, None, {"s1": ("store", "partition")})
    assert ahead.tasks_of([first, second]) == [(0, "s0", files[0].path), (1, "s2", files[2].path)]


def test_the_helper_makes_what_a_worker_makes_and_skips_what_it_cannot_read(tmp_path):
    files = _sources(tmp_path / "c", 2)
    (tmp_path / "c" / "bad.txt").write_bytes(b"")  # an empty file: read_speech refuses it
    tasks = [(0, "s0", files[0].path), (0, "bad", str(tmp_path / "c" / "bad.txt")),
             (1, "gone", str(tmp_path / "none.txt")), (1, "s1", files[1].path)]
    found = queue.Queue()
    ahead.clean(tasks, found, threading.Event())
    items = [found.get_nowait() for _ in range(found.qsize())]
    assert items[-1] is None and [item[:2] for item in items[:-1]] == [(0, "s0"), (1, "s1")]
    for (_, _, (raw, encoding, record)), source in zip(items[:-1], files):
        expect_raw, expect_encoding = read_speech(source.path)
        assert (raw, encoding) == (expect_raw, expect_encoding)
        assert record == speech_record(expect_raw)
    assert "版权所有" not in items[0][2][2]["text"] and "双降" in items[0][2][2]["text"]
    stopped = queue.Queue()
    told = threading.Event()
    told.set()
    ahead.clean(tasks, stopped, told)  # told to stop before it began: only the end mark
    assert [stopped.get_nowait() for _ in range(stopped.qsize())] == [None]


def test_the_records_made_ahead_reach_their_jobs(tmp_path):
    files = _sources(tmp_path / "c", 3)
    jobs = [Job("p1", files[:2], True, None, {}), Job("p2", files[2:], True, None, {})]
    with ahead.cleaning_ahead(jobs) as helper:
        helper.join(60)  # the helper has cleaned all three before the block ends
        assert helper.exitcode == 0
    assert sorted(jobs[0].cleaned) == ["s0", "s1"] and sorted(jobs[1].cleaned) == ["s2"]
    raw, encoding, record = jobs[1].cleaned["s2"]
    assert record == speech_record(read_speech(files[2].path)[0]) and encoding == "utf-8"
    with ahead.cleaning_ahead([Job("p3", [], True, None, {})]) as nothing:
        assert nothing is None


def test_a_job_takes_the_records_made_ahead_instead_of_reading_its_files(tmp_path):
    files = _sources(tmp_path / "c", 2)
    read = process(files, with_corpus=True)[0]
    made = {s.speech_id: (*read_speech(s.path), speech_record(read_speech(s.path)[0])) for s in files}
    for source in files:
        (tmp_path / "c" / f"{source.speech_id}.txt").unlink()  # only the records are left
    given = process(files, with_corpus=True, cleaned=made)[0]
    for kind in ("corpus", "parts", "tokens"):
        assert given[kind].equals(read[kind]), kind


def test_a_cold_load_on_two_workers_cleans_ahead_and_equals_the_serial_load(tmp_path):
    """In a fresh process (no segmenter yet), a load on two workers hands the helper's records
    to the jobs, and the corpus and its tokens equal a load in one process."""
    folder = tmp_path / "c"
    _sources(folder, 30, extra="".join(f"第{k}条，推进各项工作。\n" for k in range(200)))
    code = ("import sys, contextlib, pickle\n"
            "import analysis.corpus.parallel as p, analysis.corpus.pipeline as q\n"
            "p.PARALLEL_MIN_CHARS = 1\n"
            "from analysis import load_corpus, corpus_tokens\n"
            "original, handed = q.cleaning_ahead, []\n"
            "@contextlib.contextmanager\n"
            "def counted(jobs):\n"
            "    with original(jobs) as helper:\n"
            "        helper.join(60)\n"  # let it clean everything: the count below is exact
            "        yield helper\n"
            "    handed.append(sum(len(job.cleaned) for job in jobs))\n"
            "q.cleaning_ahead = counted\n"
            "workers = int(sys.argv[2])\n"
            "corpus = load_corpus(sys.argv[1], workers=workers, cache=False)\n"
            "tokens = corpus_tokens(corpus, cache=False)\n"
            "pickle.dump((handed, corpus, tokens), sys.stdout.buffer)\n")
    runs = {}
    for workers in (2, 1):
        done = subprocess.run([sys.executable, "-c", code, str(folder), str(workers)], capture_output=True)
        assert done.returncode == 0, done.stderr.decode()
        runs[workers] = pickle.loads(done.stdout)
    assert runs[2][0] == [30] and runs[1][0] == []  # one process: no workers, nothing ahead
    pd.testing.assert_frame_equal(runs[2][1], runs[1][1])
    pd.testing.assert_frame_equal(runs[2][2], runs[1][2])


def test_a_file_the_helper_cannot_read_is_still_named_by_the_load(tmp_path):
    """A bad file among those cleaned ahead fails the load as before, with its name and the
    reason (errors="raise"), or is named in a warning while the others load (errors="warn")."""
    folder = tmp_path / "c"
    _sources(folder, 12, extra="".join(f"第{k}条，推进各项工作。\n" for k in range(200)))
    (folder / "s5.txt").write_bytes(b"")
    code = ("import sys, warnings\n"
            "import analysis.corpus.parallel as p\n"
            "p.PARALLEL_MIN_CHARS = 1\n"
            "from analysis import load_corpus\n"
            "if sys.argv[2] == 'warn':\n"
            "    with warnings.catch_warnings(record=True) as caught:\n"
            "        warnings.simplefilter('always')\n"
            "        corpus = load_corpus(sys.argv[1], workers=2, cache=False, errors='warn')\n"
            "    print(len(corpus), [str(w.message) for w in caught if 's5.txt' in str(w.message)])\n"
            "else:\n"
            "    load_corpus(sys.argv[1], workers=2, cache=False)\n")
    warned = subprocess.run([sys.executable, "-c", code, str(folder), "warn"], capture_output=True, text=True)
    assert warned.returncode == 0, warned.stderr
    count, _, messages = warned.stdout.strip().partition(" ")
    assert count == "11" and "s5.txt" in messages and "empty" in messages
    raised = subprocess.run([sys.executable, "-c", code, str(folder), "raise"], capture_output=True, text=True)
    assert raised.returncode == 1
    assert "CorpusError" in raised.stderr and "s5.txt" in raised.stderr and "empty" in raised.stderr
