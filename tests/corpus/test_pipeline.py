"""load_corpus and corpus_tokens at corpus scale: the corpus store (partitions, manifests,
what a warm load reads and what a change rebuilds), parallel processing and progress bars."""
from __future__ import annotations

import json
import multiprocessing
import random
import shutil
import warnings

import pandas as pd
import pytest

import analysis.config as config
import analysis.corpus.load as corpus_module
import analysis.corpus.parallel as parallel
import analysis.corpus.pipeline as pipeline
import analysis.corpus.read as read_module
import analysis.text.segment as segment
from analysis import corpus_tokens, load_corpus, to_simplified
from analysis.corpus.store import Store, pipeline_modules


@pytest.fixture()
def cache_dir(tmp_path, monkeypatch):
    """A fresh, empty cache for one test."""
    folder = tmp_path / "cache"
    monkeypatch.setattr(config, "CACHE_DIR", folder)
    return folder


@pytest.fixture()
def counted(monkeypatch):
    """The speeches actually run through the pipeline (cleaned, then segmented): the first
    20 characters of each text segmented."""
    calls = []
    original = pipeline.token_table

    def counting(texts, simplified=None):
        calls.extend(t[:20] for t in texts)
        return original(texts, simplified)

    monkeypatch.setattr(pipeline, "token_table", counting)
    return calls


def _speeches(folder, seed_text, n=4):
    """n speeches shuffled from the seed's paragraphs, Traditional and Simplified mixed."""
    folder.mkdir(exist_ok=True)
    paragraphs = seed_text.split("\n")
    rng = random.Random(7)
    for i in range(n):
        body = paragraphs[:1] + rng.sample(paragraphs[1:], len(paragraphs) - 1)
        text = "\n".join(body)
        (folder / f"s{i}.txt").write_text(to_simplified(text) if i % 2 else text, encoding="utf-8")
    return folder


def _partition_files(cache_dir, table="tokens"):
    return sorted((cache_dir / "store" / "partitions").glob(f"*/{table}.parquet"))


def _assembled_tokens(cache_dir):
    return sorted((cache_dir / "store" / "assembled").glob("tokens-*.arrow"))


def test_second_run_processes_nothing(tmp_path, cache_dir, counted, seed_text):
    folder = _speeches(tmp_path / "c", seed_text)
    first = corpus_tokens(load_corpus(folder, workers=1))
    assert len(counted) == 4
    again = corpus_tokens(load_corpus(folder, workers=1))
    assert len(counted) == 4  # all from the store
    pd.testing.assert_frame_equal(first, again)
    assert first.speech_id.unique().tolist() == ["s0", "s1", "s2", "s3"]
    assert first.dtypes["token"] == "category" and first.dtypes["start"] == "int64"


def test_a_warm_load_cleans_nothing(tmp_path, cache_dir, seed_text, monkeypatch):
    folder = _speeches(tmp_path / "c", seed_text, n=3)
    first = load_corpus(folder)

    def fail(raw):
        raise AssertionError("cleaned again")

    monkeypatch.setattr(read_module, "speech_record", fail)
    monkeypatch.setattr(corpus_module, "_with_metadata_and_dates",
                        lambda *a: (_ for _ in ()).throw(AssertionError("dated again")))
    again = load_corpus(folder)
    pd.testing.assert_frame_equal(pd.DataFrame(first), pd.DataFrame(again))


def test_stored_equals_computed(tmp_path, cache_dir, seed_text):
    folder = _speeches(tmp_path / "c", seed_text)
    stored = load_corpus(folder)
    pd.testing.assert_frame_equal(pd.DataFrame(load_corpus(folder)), pd.DataFrame(load_corpus(folder, cache=False)))
    fresh = load_corpus(folder, cache=False)
    pd.testing.assert_frame_equal(corpus_tokens(stored), corpus_tokens(fresh, cache=False))


def test_editing_one_speech_reprocesses_only_it(tmp_path, cache_dir, counted, seed_text):
    folder = _speeches(tmp_path / "c", seed_text)
    before = corpus_tokens(load_corpus(folder, workers=1))
    (folder / "s2.txt").write_text("同志們：\n要做好流動人口服務管理工作。\n", encoding="utf-8")
    tokens = corpus_tokens(load_corpus(folder, workers=1))
    assert counted[4:] == ["同志們：\n要做好流動人口服務管理工作。"]
    assert tokens[tokens.speech_id == "s2"].token.tolist()[:4] == ["同志們", "：", "要", "做好"]
    others = before[before.speech_id != "s2"].reset_index(drop=True)
    kept = tokens[tokens.speech_id != "s2"].reset_index(drop=True)
    assert kept.astype(str).equals(others.astype(str))


def test_a_deleted_speech_leaves_no_category_behind(tmp_path, cache_dir, counted, seed_text):
    """The partition that held a deleted speech is rebuilt from the others' stored rows; their
    old dictionaries held the deleted speech's id and its words, which must not stay on as
    categories without rows (value_counts, observed=False groupings, vocabulary sizes)."""
    folder = _speeches(tmp_path / "c", seed_text)
    (folder / "s2.txt").write_text("同志們：\n要建設量子計算機實驗室。\n", encoding="utf-8")
    before = corpus_tokens(load_corpus(folder, workers=1))
    assert {"s2", "量子"} <= set(before.speech_id.cat.categories) | set(before.simplified.cat.categories)
    (folder / "s2.txt").unlink()
    tokens = corpus_tokens(load_corpus(folder, workers=1))
    assert len(counted) == 4  # nothing processed again
    assert list(tokens.speech_id.cat.categories) == ["s0", "s1", "s3"]
    assert "量子" not in set(tokens.simplified.cat.categories) | set(tokens.token.cat.categories)
    assert (tokens.simplified.value_counts() > 0).all()
    pd.testing.assert_frame_equal(tokens, corpus_tokens(load_corpus(folder, cache=False), cache=False))
    again = corpus_tokens(load_corpus(folder, workers=1))
    pd.testing.assert_frame_equal(tokens, again)


def test_cold_warm_and_uncached_loads_give_the_same_frame_and_fingerprint(tmp_path, cache_dir, seed_text):
    """A speech the metadata table does not cover has its metadata columns missing, and
    missing the same way on every load: pandas's join gave NaN where the kept frame gives
    None, so the first warm run of every notebook missed the memo of the cold one."""
    from analysis.corpus.memo import frame_fingerprint

    folder = _speeches(tmp_path / "c", seed_text, n=3)
    (folder / "metadata.csv").write_text("speech_id,genre,year\ns0,report,2012\ns1,,2013\n", encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # s2 has no row: reported, as it should be
        cold, warm, uncached = load_corpus(folder), load_corpus(folder), load_corpus(folder, cache=False)
    assert cold.set_index("speech_id")["genre"].tolist() == ["report", None, None]
    with warnings.catch_warnings():
        warnings.simplefilter("error", FutureWarning)  # "mismatched null-like values nan and None"
        pd.testing.assert_frame_equal(cold, warm)
        pd.testing.assert_frame_equal(cold, uncached)
    assert frame_fingerprint(cold) == frame_fingerprint(warm) == frame_fingerprint(uncached)


@pytest.mark.parametrize("umask", [0o022, 0o077])
def test_the_store_has_the_modes_the_umask_gives_not_mkstemps_private_ones(tmp_path, cache_dir, seed_text, umask):
    """A store shared by a group or by a cluster's workers: every file and folder it holds
    has the mode a plain write gives under the umask (0644 and 0755 under 022), not the
    0600 and 0700 of mkstemp and mkdtemp; a private umask keeps it private."""
    import os
    import stat

    folder = _speeches(tmp_path / "c", seed_text, n=3)
    old = os.umask(umask)
    try:
        corpus_tokens(load_corpus(folder, workers=1))
    finally:
        os.umask(old)
    paths = [p for p in (cache_dir / "store").rglob("*")]
    kinds = {p.relative_to(cache_dir / "store").parts[0] for p in paths}
    assert {"manifests", "partitions", "assembled"} <= kinds
    modes = {(p.is_dir(), stat.S_IMODE(p.stat().st_mode)) for p in paths}
    assert modes == {(True, 0o777 & ~umask), (False, 0o666 & ~umask)}


def test_touching_a_file_without_changing_it_reprocesses_nothing(tmp_path, cache_dir, counted, seed_text):
    import os

    folder = _speeches(tmp_path / "c", seed_text)
    corpus_tokens(load_corpus(folder, workers=1))
    stat = (folder / "s1.txt").stat()
    os.utime(folder / "s1.txt", ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    corpus_tokens(load_corpus(folder, workers=1))
    assert len(counted) == 4  # read again to see it is the same text, but not processed


def test_a_new_file_joins_one_partition(tmp_path, cache_dir, counted, seed_text):
    folder = _speeches(tmp_path / "c", seed_text, n=40)
    load_corpus(folder, workers=1)
    partitions_before = set(p.parent.name for p in _partition_files(cache_dir))
    assert len(partitions_before) > 1  # forty speeches make several partitions
    (folder / "s17b.txt").write_text("同志們：\n要做好流動人口服務管理工作。\n", encoding="utf-8")
    corpus = load_corpus(folder, workers=1)
    assert counted[40:] == ["同志們：\n要做好流動人口服務管理工作。"]
    assert "s17b" in corpus.speech_id.tolist()
    after = set(p.parent.name for p in _partition_files(cache_dir))
    assert len(after - partitions_before) == 1  # one new partition; the others are reused as they were


def test_a_corpus_growing_past_a_level_merges_partitions_and_processes_only_the_new_speeches(
        tmp_path, cache_dir, counted, seed_text, monkeypatch):
    """Partitions grow with the corpus (store.speeches_per_partition), here at 4 and 16
    speeches instead of 16 and 64: ten new speeches take thirty past a level, the thirty's
    partitions merge by their names' CRC32, and only the ten are processed."""
    import json
    import zlib

    from analysis.corpus import store

    monkeypatch.setattr(store, "MEAN_SPEECHES", 4)
    monkeypatch.setattr(store, "MIN_PARTITIONS", 2)
    assert [store.speeches_per_partition(n) for n in (30, 31, 32, 40)] == [4, 4, 16, 16]
    folder = _speeches(tmp_path / "c", seed_text, n=30)
    load_corpus(folder, workers=1)
    assert len(counted) == 30
    paragraphs = seed_text.split("\n")
    for i in range(30, 40):
        (folder / f"s{i}.txt").write_text("\n".join(paragraphs[:1] + paragraphs[i - 29:i - 25]), encoding="utf-8")
    corpus = load_corpus(folder, workers=1)
    tokens = corpus_tokens(corpus)
    assert len(counted) == 40 and sorted(counted[30:]) == sorted(
        (folder / f"s{i}.txt").read_text(encoding="utf-8")[:20] for i in range(30, 40))
    names = sorted(p.stem for p in folder.glob("*.txt"))
    manifest = json.loads(next((cache_dir / "store" / "manifests").glob("*.json")).read_text(encoding="utf-8"))
    runs = [p["speech_ids"] for p in manifest["partitions"]]
    assert runs == [names[a:b] for a, b in store.plan(names, [1] * len(names))]
    ends = {run[-1] for run in runs[:-1]}
    assert ends == {n for n in names[:-1] if zlib.crc32(n.encode()) % 16 == 0}
    assert len(runs) < len(store.plan(names, [1] * len(names), mean=4))
    pd.testing.assert_frame_equal(pd.DataFrame(corpus), pd.DataFrame(load_corpus(folder, cache=False)))
    pd.testing.assert_frame_equal(tokens, corpus_tokens(load_corpus(folder, cache=False), cache=False))


def test_editing_the_dictionary_resegments_everything(tmp_path, cache_dir, counted, seed_text, monkeypatch):
    folder = _speeches(tmp_path / "c", seed_text, n=2)
    before = corpus_tokens(load_corpus(folder, workers=1))
    assert "隆重召開" not in before.token.tolist() and "隆重" in before.token.tolist()
    userdict = tmp_path / "userdict.txt"
    shutil.copy(segment.USER_DICT, userdict)
    with userdict.open("a", encoding="utf-8") as f:
        f.write("隆重召开 50000 l\n")  # a researcher's edit: keep 隆重召開 whole
    monkeypatch.setattr(segment, "USER_DICT", userdict)
    after = corpus_tokens(load_corpus(folder, workers=1))
    assert len(counted) == 4
    assert "隆重召開" in after.token.tolist() and "隆重" not in after.token.tolist()


def test_the_store_key_covers_the_pipelines_code_not_the_notebooks():
    package = config.ROOT / "analysis"
    names = {p.relative_to(package).as_posix() for p in pipeline_modules()}
    assert {"text/cleaning.py", "text/segment.py", "text/outline.py", "text/script.py", "text/aliases.py",
            "text/dates.py", "corpus/load.py", "corpus/pipeline.py", "corpus/store.py"} <= names
    # Nothing above the corpus layer: a change of a measure, a chart or a notebook's runner
    # leaves the stored tables as they are.
    assert {name.split("/")[0] for name in names} <= {"config.py", "common", "text", "corpus"}


@pytest.mark.parametrize("damage", ["truncate", "flip", "rename"])
def test_damaged_partitions_are_rebuilt_not_trusted(tmp_path, cache_dir, counted, seed_text, damage):
    folder = _speeches(tmp_path / "c", seed_text, n=2)
    good = corpus_tokens(load_corpus(folder, workers=1))
    path = _partition_files(cache_dir)[0]
    data = bytearray(path.read_bytes())
    if damage == "truncate":
        data = data[: len(data) // 2]
    elif damage == "flip":
        data[len(data) // 3] ^= 0xFF  # one bit-rotten byte in a data page
    else:
        at = data.rfind(b"simplified")  # a column's name in the footer, flipped in case
        data[at:at + 10] = b"SIMPLIFIED"
    path.write_bytes(bytes(data))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        rebuilt = corpus_tokens(load_corpus(folder, workers=1))
    messages = " ".join(str(w.message) for w in caught)
    assert str(path.parent) in messages and ("damaged" in messages or "changed since" in messages)
    pd.testing.assert_frame_equal(rebuilt, good)


@pytest.mark.parametrize("damage", ["truncate", "flip"])
def test_a_partition_damaged_under_the_column_threads_is_rebuilt_once(tmp_path, cache_dir, counted, seed_text,
                                                                      damage, monkeypatch):
    """A large corpus's tokens are read a column at a time, two columns at once
    (token_frame_by_column). A tokens file damaged after the load (every column unreadable,
    or one bit in one column's page) is named once and rebuilt once, and every column of the
    frame comes from a good file."""
    monkeypatch.setattr(pipeline, "COLUMNWISE_ROWS", 10)
    folder = _speeches(tmp_path / "c", seed_text, n=4)
    good = corpus_tokens(load_corpus(folder, workers=1))
    for path in _assembled_tokens(cache_dir):
        path.unlink()   # so that the tokens are read from the partitions again
    corpus = load_corpus(folder, workers=1)
    path = _partition_files(cache_dir)[0]
    data = bytearray(path.read_bytes())
    if damage == "truncate":
        data = data[: len(data) // 2]
    else:
        data[len(data) // 3] ^= 0x01
    path.write_bytes(bytes(data))
    del counted[:]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        rebuilt = corpus_tokens(corpus)
    named = [str(w.message) for w in caught if str(path) in str(w.message)]
    assert len(named) == 1 and "damaged" in named[0], [str(w.message) for w in caught]
    pd.testing.assert_frame_equal(rebuilt, good)
    assert 1 <= len(counted) < 4   # the damaged partition's speeches, cut once


def test_thirty_damaged_column_names_never_serve_wrong_tables(tmp_path, cache_dir, seed_text):
    folder = _speeches(tmp_path / "c", seed_text, n=3)
    good_corpus = pd.DataFrame(load_corpus(folder))
    good = corpus_tokens(load_corpus(folder))
    rng = random.Random(11)
    names = [b"speech_id", b"token", b"simplified", b"term", b"start", b"end", b"pos", b"is_stop",
             b"is_punct", b"part", b"section", b"point", b"text", b"raw", b"title", b"label"]
    for trial in range(30):
        files = sorted((cache_dir / "store" / "partitions").glob("*/*.parquet"))
        found = []
        while not found:  # a file and a column name written in its footer
            path = rng.choice(files)
            data = bytearray(path.read_bytes())
            found = [n for n in names if data.rfind(n) > len(data) // 2]
        name = rng.choice(found)
        at = data.rfind(name)
        if trial % 2:
            data[at] ^= 0x20  # flipped case
        else:
            data[at] = 0xFF  # invalid UTF-8
        path.write_bytes(bytes(data))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            corpus = load_corpus(folder)
            tokens = corpus_tokens(corpus)
        pd.testing.assert_frame_equal(pd.DataFrame(corpus), good_corpus)
        pd.testing.assert_frame_equal(tokens, good)


def test_a_damaged_manifest_means_a_rebuild(tmp_path, cache_dir, counted, seed_text):
    folder = _speeches(tmp_path / "c", seed_text, n=2)
    good = corpus_tokens(load_corpus(folder, workers=1))
    manifest = next((cache_dir / "store" / "manifests").glob("*.json"))
    manifest.write_text('{"format": "1", "corpus_id"', encoding="utf-8")
    with pytest.warns(UserWarning, match="manifest .* is damaged"):
        again = corpus_tokens(load_corpus(folder, workers=1))
    pd.testing.assert_frame_equal(again, good)


def test_failed_write_leaves_no_file(tmp_path, monkeypatch):
    import pyarrow as pa
    import pyarrow.parquet as pq

    def crash(table, handle, **kwargs):
        handle.write(b"PAR1 half a file")
        raise OSError("disk full")

    monkeypatch.setattr(pq, "write_table", crash)
    store = Store(tmp_path / "store")
    with pytest.raises(OSError, match="disk full"):
        store.write_partition("p1", {"parts": pipeline.conform_empty("parts").append_column(
            "x", pa.array([], pa.int64())).drop_columns(["x"])})
    assert not store.partition_dir("p1").exists() and list(store.partition_dir("p1").parent.iterdir()) == []


def test_a_table_written_as_it_is_made_and_its_failure_leaves_no_file(tmp_path, seed_text):
    """write_partition takes a table, a function that makes one, or an iterator of pieces;
    an iterator that fails halfway is closed and leaves no partition behind."""
    import pyarrow.parquet as pq

    tokens = pipeline.process([pipeline.Source("s", "x", 1, text=seed_text, simplified=seed_text)],
                              with_corpus=False)[0]
    whole, parts = tokens["tokens"], tokens["parts"]
    pieces = [whole.slice(0, 100), whole.slice(100, 400), whole.slice(500)]
    store = Store(tmp_path / "store")
    record = store.write_partition("p1", {"parts": lambda: parts, "tokens": iter(pieces)})
    assert record["tokens"]["rows"] == whole.num_rows and record["parts"]["rows"] == parts.num_rows
    path = store.partition_dir("p1") / "tokens.parquet"
    assert pq.ParquetFile(path).num_row_groups == 3
    assert pq.read_table(path).equals(pipeline.conform(whole, "tokens").combine_chunks()) or \
        pq.read_table(path).to_pandas().equals(pipeline.conform(whole, "tokens").to_pandas())
    closed = []

    def failing():
        try:
            yield whole.slice(0, 100)
            raise OSError("disk full")
        finally:
            closed.append(True)

    with pytest.raises(OSError, match="disk full"):
        store.write_partition("p2", {"parts": parts, "tokens": failing()})
    assert closed == [True] and not store.partition_dir("p2").exists()
    assert sorted(p.name for p in store.partition_dir("p2").parent.iterdir()) == ["p1"]


@pytest.mark.parametrize("how", ["file in its place", "read-only"])
def test_a_cache_that_cannot_be_written_is_computed_around(tmp_path, monkeypatch, seed_text, how):
    import os
    import stat

    if how == "read-only" and os.geteuid() == 0:
        pytest.skip("root writes into read-only folders; the file-in-place case covers the fallback")
    folder = _speeches(tmp_path / "c", seed_text, n=2)
    reference = corpus_tokens(load_corpus(folder, cache=False), cache=False)
    cache = tmp_path / "cache"
    if how == "file in its place":
        cache.write_text("not a folder")
        where = cache
    else:
        cache.mkdir()
        cache.chmod(stat.S_IRUSR | stat.S_IXUSR)
        where = cache
    monkeypatch.setattr(config, "CACHE_DIR", where)
    pipeline._WARNED.clear()
    with pytest.warns(UserWarning, match=f"cache folder {where}.* cannot be written") as caught:
        corpus = load_corpus(folder)
        tokens = corpus_tokens(corpus)
    assert sum("cannot be written" in str(w.message) for w in caught) == 1
    pd.testing.assert_frame_equal(tokens, reference)
    # The analyses that keep small results in the cache compute them all the same.
    import analysis.corpus.cache as cache_module
    from analysis import keyness

    cache_module._UNWRITABLE.clear()
    with pytest.warns(UserWarning, match="cannot be written"):
        assert keyness(tokens).equals(keyness(reference))


def test_cache_false_writes_nothing(tmp_path, cache_dir, seed_text, monkeypatch):
    folder = _speeches(tmp_path / "c", seed_text, n=2)
    monkeypatch.setenv("TMPDIR", str(tmp_path / "tmp"))
    corpus_tokens(load_corpus(folder, cache=False), cache=False)
    assert not cache_dir.exists()


def _tokens_in_process(folder, cache):
    config.CACHE_DIR = cache
    corpus_tokens(load_corpus(folder, workers=1))


def test_two_runs_at_once_leave_a_sound_store(tmp_path, cache_dir, seed_text, counted):
    folder = _speeches(tmp_path / "c", seed_text, n=3)
    context = multiprocessing.get_context("fork")
    runs = [context.Process(target=_tokens_in_process, args=(folder, cache_dir)) for _ in range(2)]
    for run in runs:
        run.start()
    for run in runs:
        run.join(120)
    assert [run.exitcode for run in runs] == [0, 0]
    assert not list(cache_dir.rglob("*.tmp"))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a damaged file would warn
        corpus_tokens(load_corpus(folder, workers=1))
    assert counted == []  # everything came from what the two runs wrote


def test_parallel_equals_serial(tmp_path, cache_dir, seed_text, monkeypatch):
    folder = _speeches(tmp_path / "c", seed_text, n=40)
    serial = corpus_tokens(load_corpus(folder, workers=1, cache=False), cache=False)
    monkeypatch.setattr(parallel, "PARALLEL_MIN_CHARS", 0)
    in_parallel = corpus_tokens(load_corpus(folder, workers=2, cache=False), cache=False)
    pd.testing.assert_frame_equal(serial, in_parallel)
    assert serial.speech_id.unique().tolist() == sorted(f"s{i}" for i in range(40))


def test_a_frame_not_loaded_from_a_folder_is_segmented_and_stored(cache_dir, seed_text, counted):
    frame = pd.DataFrame({"speech_id": ["b", "a"], "text": [seed_text[:300], seed_text[300:700]]})
    first = corpus_tokens(frame)
    assert len(counted) == 2 and first.speech_id.unique().tolist() == ["b", "a"]
    again = corpus_tokens(frame.copy())
    assert len(counted) == 2
    pd.testing.assert_frame_equal(first, again)
    assert first.token.astype(str).tolist() == segment.tokenize(seed_text[:300]).token.astype(str).tolist() \
        + segment.tokenize(seed_text[300:700]).token.astype(str).tolist()


def test_a_subset_of_a_loaded_corpus_reads_its_rows(tmp_path, cache_dir, seed_text, counted):
    corpus = load_corpus(_speeches(tmp_path / "c", seed_text), workers=1)
    everything = corpus_tokens(corpus)
    some = corpus[corpus.speech_id.isin(["s3", "s1"])].iloc[::-1]
    mine = corpus_tokens(some)
    assert len(counted) == 4
    assert mine.speech_id.unique().tolist() == ["s3", "s1"]
    assert len(mine) == (everything.speech_id.isin(["s1", "s3"])).sum()


def test_workers_follow_the_cores_this_process_may_use(monkeypatch):
    # A container or taskset narrows the affinity: one core allowed, one worker.
    monkeypatch.setattr(parallel.os, "sched_getaffinity", lambda pid: {3}, raising=False)
    assert parallel.default_workers() == 1
    # Where affinity is unknown (not Linux), the machine's count.
    def unknown(pid):
        raise AttributeError
    monkeypatch.setattr(parallel.os, "sched_getaffinity", unknown, raising=False)
    monkeypatch.setattr(parallel.os, "cpu_count", lambda: 6)
    assert parallel.default_workers() == 6


def test_progress_bar_only_when_watched(tmp_path, cache_dir, seed_text, capsys, monkeypatch):
    folder = _speeches(tmp_path / "c", seed_text, n=40)
    load_corpus(folder, workers=1, cache=False)
    assert "processing" not in capsys.readouterr().err  # headless: quiet
    load_corpus(folder, workers=1, cache=False, progress=True)
    assert "processing: 100%" in capsys.readouterr().err
    monkeypatch.delenv("SPEECHES_HEADLESS")
    monkeypatch.delenv("CI", raising=False)
    assert parallel.show_progress(6, None) and not parallel.show_progress(5, None)


def test_the_parts_table_is_computed_once_and_read_after(tmp_path, cache_dir, seed_text, monkeypatch):
    from analysis import corpus_outline, outline

    calls = []
    original = pipeline.outline_rows
    monkeypatch.setattr(pipeline, "outline_rows", lambda text: calls.append(1) or original(text))
    corpus = load_corpus(_speeches(tmp_path / "c", seed_text, n=3))
    assert len(calls) == 3   # once per speech, as it loaded
    first = corpus_outline(corpus)
    again = corpus_outline(load_corpus(_speeches(tmp_path / "c", seed_text, n=3)))
    assert len(calls) == 3   # read from the store
    pd.testing.assert_frame_equal(first, again)
    for sid, text in zip(corpus.speech_id, corpus.text):
        mine = first[first.speech_id == sid].drop(columns="speech_id").reset_index(drop=True)
        expected = outline(text)
        assert mine["part"].tolist() == expected["part"].tolist()
        spans = ["start", "end", "n_chars"]
        assert mine[spans].values.tolist() == expected[spans].values.tolist()
    corpus_tokens(corpus)
    assert len(calls) == 3


def test_tokens_of_a_long_text_are_cut_in_pieces_at_line_breaks(monkeypatch, seed_text):
    monkeypatch.setattr(pipeline, "CHUNK_CHARS", 500)
    frame = pd.DataFrame({"speech_id": ["long"], "text": [seed_text]})
    pieces = pipeline._chunks(seed_text)
    assert len(pieces) > 4 and all(seed_text[b - 1] in "\n。！？" and b - a <= 500 for a, b in pieces[:-1])
    assert "".join(seed_text[a:b] for a, b in pieces) == seed_text
    chunked = corpus_tokens(frame, cache=False)
    whole = segment.tokenize(seed_text)
    assert chunked[["start", "end"]].values.tolist() == whole[["start", "end"]].values.tolist()


def test_one_long_file_is_cut_on_every_core_with_the_same_tokens(monkeypatch, tmp_path, cache_dir, seed_text):
    """A corpus that is one long file: it is cleaned in blocks and its pieces are segmented
    on two processes (forked from the worker that reads it), and the tables equal those
    made one block and one piece after another."""
    import analysis.text.cleaning as cleaning

    monkeypatch.setattr(cleaning, "BLOCK_CHARS", 2_000)
    real = pipeline._groups_in_parallel
    used = tmp_path / "groups-in-parallel"  # written by the worker process that cleans the file
    monkeypatch.setattr(pipeline, "_groups_in_parallel", lambda shared, workers: used.write_text(
        f"{workers} {len(shared[4])}") and real(shared, workers))
    monkeypatch.setattr(pipeline, "CHUNK_CHARS", 500)
    monkeypatch.setattr(pipeline, "ISOLATE_BYTES", 1000)
    folder = tmp_path / "one"
    folder.mkdir()
    (folder / "long.txt").write_text("\n".join([seed_text] * 3), encoding="utf-8")
    assert len(cleaning._blocks((folder / "long.txt").read_text(encoding="utf-8"))) > 3
    serial_corpus = load_corpus(folder, workers=1, cache=False)
    serial = corpus_tokens(serial_corpus, cache=False)
    assert not used.exists()
    parallel_corpus = load_corpus(folder, workers=2, cache=False)
    in_parallel = corpus_tokens(parallel_corpus, cache=False)
    workers, groups = map(int, used.read_text().split())
    assert workers == 2 and groups > 3
    pd.testing.assert_frame_equal(serial, in_parallel)
    assert parallel_corpus.text[0] == serial_corpus.text[0] == "\n".join([seed_text] * 3)
    # Kept in the store, the long file is written as it is made: its token groups as they
    # come back from the processes, the parts and the corpus rows beside them.
    stored = load_corpus(folder, workers=2)
    pd.testing.assert_frame_equal(corpus_tokens(stored), serial)
    import pyarrow.parquet as pq

    (written,) = cache_dir.rglob("tokens.parquet")
    assert pq.ParquetFile(written).num_row_groups == groups
    assert stored.text[0] == serial_corpus.text[0]
    assert stored[["date", "speaker"]].equals(serial_corpus[["date", "speaker"]])
    pd.testing.assert_frame_equal(corpus_tokens(load_corpus(folder, workers=1)), serial)  # warm
    assert len(serial) > 3000 and serial["end"].max() == len(load_corpus(folder, cache=False).text[0])


@pytest.mark.parametrize("order", ["shuffled", "text order"])
def test_place_agrees_with_locate_across_speeches(tmp_path, cache_dir, seed_text, order):
    from analysis import corpus_outline, outline
    from analysis.corpus.pipeline import place
    from analysis.text.outline import locate

    corpus = load_corpus(_speeches(tmp_path / "c", seed_text, n=3))
    parts = corpus_outline(corpus)
    rng = random.Random(3)
    queries = [(sid, rng.randrange(len(text))) for sid, text in zip(corpus.speech_id, corpus.text) for _ in range(200)]
    if order == "shuffled":
        rng.shuffle(queries)   # speeches interleaved, offsets unsorted: a search per query
    else:
        queries.sort(key=lambda q: (list(corpus.speech_id).index(q[0]), q[1]))  # as tokens come: runs per part
    found = place([q[0] for q in queries], [q[1] for q in queries], parts)
    texts = dict(zip(corpus.speech_id, corpus.text))
    for (sid, pos), row in zip(queries, found.itertuples(index=False)):
        expected = locate([pos], outline(texts[sid])).iloc[0]
        assert (row.part if pd.notna(row.part) else None) == expected["part"]
        assert pd.isna(row.section) if pd.isna(expected["section"]) else row.section == expected["section"]
        assert pd.isna(row.point) if pd.isna(expected["point"]) else row.point == expected["point"]


def test_placing_in_runs_gives_what_a_search_per_query_gives():
    """Queries in text order are placed by runs (two searches per part); in any other order
    by a search per query. Both on parts that overlap, start together, are empty or have no
    section or point."""
    import numpy as np

    from analysis.corpus.pipeline import _placed

    rng = np.random.default_rng(7)
    tried = 0
    for _ in range(200):
        rows = [{"speech": s, "part": str(rng.choice(["section", "point", "preamble", "closing"])),
                 "section": None if rng.random() < 0.3 else int(rng.integers(1, 5)),
                 "point": None if rng.random() < 0.3 else int(rng.integers(1, 9)),
                 "start": (a := int(rng.integers(0, 60))), "end": a + int(rng.integers(0, 20))}
                for s in range(4) for _ in range(int(rng.integers(0, 6)))]
        if not rows:
            continue
        parts = pd.DataFrame(rows).astype({"section": "Int64", "point": "Int64"})
        n = int(rng.integers(2, 200))
        codes, positions = rng.integers(0, 4, n), rng.integers(0, 90, n)
        ordered = np.lexsort((positions, codes))
        shuffled = rng.permutation(n)
        args = (parts["speech"].to_numpy(np.int64), parts[["part", "section", "point", "start", "end"]])
        runs = _placed(codes[ordered].astype(np.int64), positions[ordered].astype(np.int64), *args)
        searched = _placed(codes[shuffled].astype(np.int64), positions[shuffled].astype(np.int64), *args)
        back = np.argsort(shuffled)[ordered]   # the searched rows in the runs' order
        for column in ("part", "section", "point"):
            assert runs[column].to_pylist() == [searched[column].to_pylist()[i] for i in back]
        tried += 1
    assert tried > 150


def test_a_cached_frame_is_computed_once_per_key(cache_dir):
    from analysis.corpus.cache import cached_frame, code_digest, digest

    calls = []

    def compute():
        calls.append(1)
        return pd.DataFrame({"sample": ["a", "b"], "form": [0.5, float("nan")], "names": [3, 4]})

    first = cached_frame("t", digest("k1"), compute)
    again = cached_frame("t", digest("k1"), compute)
    other = cached_frame("t", digest("k2"), compute)
    assert len(calls) == 2 and again.equals(first) and other.equals(first)
    assert again.dtypes.tolist() == first.dtypes.tolist()
    # The code part of such keys covers the package's modules and its data files.
    assert len(code_digest()) == 32 and code_digest() == code_digest()


def test_a_partition_rebuilt_while_reading_is_recorded(tmp_path, cache_dir, counted, seed_text):
    folder = _speeches(tmp_path / "c", seed_text, n=2)
    good = corpus_tokens(load_corpus(folder, workers=1))
    path = _partition_files(cache_dir)[0]
    stat = path.stat()
    data = bytearray(path.read_bytes())
    data[len(data) // 3] ^= 0xFF  # bit rot that keeps the size and, below, the time
    path.write_bytes(bytes(data))
    import os

    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    # The whole table comes from the assembled file, which is whole: the partition is not read.
    assert corpus_tokens(load_corpus(folder, workers=1)).equals(good)
    for assembled in _assembled_tokens(cache_dir):
        assembled.unlink()   # now the partitions are read
    with pytest.warns(UserWarning, match="damaged"):
        assert corpus_tokens(load_corpus(folder, workers=1)).equals(good)
    n = len(counted)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the manifest now names the rebuilt files
        assert corpus_tokens(load_corpus(folder, workers=1)).equals(good)
    assert len(counted) == n


def _children(pid: int) -> list[int]:
    from pathlib import Path

    out = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":\t", 1) for line in status.read_text().splitlines() if ":\t" in line)
        except OSError:
            continue
        if fields.get("PPid", "").strip() == str(pid):
            out.append(int(status.parent.name))
    return out


def _alive(pid: int) -> bool:
    from pathlib import Path

    try:
        state = (Path("/proc") / str(pid) / "status").read_text()
    except OSError:
        return False
    return "State:\tZ" not in state


@pytest.mark.skipif(not __import__("pathlib").Path("/proc").is_dir(), reason="needs Linux's /proc to find the workers")
def test_workers_end_when_their_parent_is_killed(tmp_path, seed_text):
    """A cold load killed with SIGKILL once its workers exist leaves no worker alive 10 s
    later, and the next load reads a sound store (the interrupted run left either no
    manifest or one naming only complete partitions)."""
    import os
    import signal
    import subprocess
    import sys
    import time

    folder = _speeches(tmp_path / "c", seed_text, n=60)
    cache = tmp_path / "cache"
    code = ("import analysis.corpus.parallel as p; p.PARALLEL_MIN_CHARS = 0; import analysis; "
            f"analysis.load_corpus({str(folder)!r}, workers=2)")
    env = {**os.environ, "SPEECHES_CACHE_DIR": str(cache)}
    parent = subprocess.Popen([sys.executable, "-c", code], env=env)
    workers: list[int] = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(workers) < 2:
        workers = _children(parent.pid)
        time.sleep(0.05)
    assert len(workers) >= 2, "the load never started its workers"
    os.kill(parent.pid, signal.SIGKILL)
    parent.wait()
    time.sleep(10)
    assert [pid for pid in workers if _alive(pid)] == []
    config_cache = config.CACHE_DIR
    try:
        config.CACHE_DIR = cache
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            after = corpus_tokens(load_corpus(folder, workers=1))
        config.CACHE_DIR = tmp_path / "fresh"
        fresh = corpus_tokens(load_corpus(folder, workers=1))
    finally:
        config.CACHE_DIR = config_cache
    pd.testing.assert_frame_equal(after, fresh)


def test_a_small_cache_entry_with_a_damaged_column_name_is_never_served_wrong(cache_dir):
    import pyarrow as pa

    from analysis.corpus.cache import ParquetStore

    store = ParquetStore("t")
    good = pa.table({"words": ["计生协会"], "count": [35]})
    data = bytes(store.put("ab" * 16, good).read_bytes())
    places = [i for i in range(len(data)) if data.startswith(b"words", i)]
    assert len(places) >= 2   # the Parquet schema, the Arrow schema or the record
    rejected = 0
    for at in places:
        for flip in (0x20, 0x80):   # a flipped case; invalid UTF-8
            damaged = bytearray(data)
            damaged[at] ^= flip
            store.path("ab" * 16).write_bytes(bytes(damaged))
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                got = store.get("ab" * 16)
            if got is None:
                rejected += 1
                assert any("is damaged" in str(w.message) for w in caught)
            else:
                assert got.equals(good)   # pyarrow restored the name from the other copy
    assert rejected >= 1


def test_the_segmenter_built_only_for_the_workers_is_let_go(tmp_path, seed_text):
    """A process that builds the segmenter only so that its forked workers inherit it lets
    it go when they are done (190 MB a process would otherwise carry); one that had it
    before keeps it."""
    import subprocess
    import sys

    folder = _speeches(tmp_path / "c", seed_text, n=40)
    code = ("import sys, analysis.corpus.parallel as p; p.PARALLEL_MIN_CHARS = 1\n"
            "from analysis import load_corpus, corpus_tokens\n"
            "from analysis.text.segment import engine, engine_loaded\n"
            "if sys.argv[2] == 'before': engine()\n"
            "tokens = corpus_tokens(load_corpus(sys.argv[1], workers=2, cache=False), cache=False)\n"
            "print(engine_loaded(), len(tokens))")
    runs = {when: subprocess.run([sys.executable, "-c", code, str(folder), when], capture_output=True, text=True,
                                 check=True).stdout.split() for when in ("after", "before")}
    assert runs["after"][0] == "False" and runs["before"][0] == "True"
    assert runs["after"][1] == runs["before"][1] and int(runs["after"][1]) > 40 * 1000


def test_the_pipeline_allocates_arrow_buffers_with_malloc_unless_the_user_chose_a_pool(tmp_path, seed_text):
    """Arrow's allocator is the system's (mimalloc faults freed pages in again, zeroed:
    analysis.common.frames.use_system_arrow_pool): for the whole of libarrow when ``import
    analysis`` comes before pyarrow's, for pyarrow's own default from the pipeline's start
    when pyarrow came first; in the loading process and in its workers. A pool named in
    ARROW_DEFAULT_MEMORY_POOL is left as it is everywhere."""
    import os
    import subprocess
    import sys

    folder = _speeches(tmp_path / "c", seed_text, n=40)
    code = ("import os, sys\n"
            "if sys.argv[3] == 'pyarrow first': import pyarrow\n"
            "import analysis, pyarrow as pa, analysis.corpus.parallel as p, analysis.corpus.pipeline as q\n"
            "p.PARALLEL_MIN_CHARS = 1\n"
            "before = pa.default_memory_pool().backend_name\n"
            "original = q.process\n"
            "def process(*a, **k):\n"
            "    open(os.path.join(sys.argv[2], str(os.getpid())), 'w').write(pa.default_memory_pool().backend_name)\n"
            "    return original(*a, **k)\n"
            "q.process = process\n"
            "analysis.load_corpus(sys.argv[1], workers=2, cache=False)\n"
            "print(before, pa.default_memory_pool().backend_name, os.getpid())")
    seen = {}
    for chosen, order in (("", "analysis first"), ("", "pyarrow first"), ("jemalloc", "analysis first")):
        marks = tmp_path / f"marks-{chosen}-{order}".replace(" ", "-")
        marks.mkdir()
        env = {k: v for k, v in os.environ.items() if k != "ARROW_DEFAULT_MEMORY_POOL"}
        if chosen:
            env["ARROW_DEFAULT_MEMORY_POOL"] = chosen
        before, after, parent = subprocess.run([sys.executable, "-c", code, str(folder), str(marks), order],
                                               env=env, capture_output=True, text=True, check=True).stdout.split()
        workers = {f.name: f.read_text() for f in marks.iterdir()}
        assert parent not in workers and 1 <= len(workers) <= 2  # the work was done in the pool's processes
        seen[chosen, order] = (before, after, sorted(set(workers.values())))
    assert seen["", "analysis first"] == ("system", "system", ["system"])
    assert seen["", "pyarrow first"] == ("mimalloc", "system", ["system"])
    assert seen["jemalloc", "analysis first"] == ("jemalloc", "jemalloc", ["jemalloc"])


# ---------------------------------------------------------------- the assembled token file

def test_a_warm_token_load_reads_the_assembled_file_not_the_partitions(tmp_path, cache_dir, seed_text,
                                                                        monkeypatch):
    folder = _speeches(tmp_path / "c", seed_text, n=3)
    first = corpus_tokens(load_corpus(folder, workers=1))
    assert len(_assembled_tokens(cache_dir)) == 1
    original = pipeline.Stored.table

    def no_token_partitions(self, kind, *args, **kwargs):
        assert kind != "tokens", "token partitions read on a warm load"
        return original(self, kind, *args, **kwargs)

    monkeypatch.setattr(pipeline.Stored, "table", no_token_partitions)
    again = corpus_tokens(load_corpus(folder, workers=1))
    pd.testing.assert_frame_equal(again, first)   # values, dtypes, categories and their order
    assert [again[c].cat.codes.dtype for c in ("token", "pos")] == [first[c].cat.codes.dtype for c in ("token", "pos")]
    assert again["section"].isna().sum() == first["section"].isna().sum() > 0
    from analysis.corpus.memo import frame_fingerprint

    assert frame_fingerprint(again) == frame_fingerprint(first)   # a result kept by a cold run is found warm
    # a subset of the corpus is not the whole: read from the partitions, and equal to its rows
    monkeypatch.setattr(pipeline.Stored, "table", original)
    corpus = load_corpus(folder, workers=1)
    part = corpus_tokens(corpus[corpus.speech_id != "s1"])
    pd.testing.assert_frame_equal(part.reset_index(drop=True),
                                  first[first.speech_id != "s1"].reset_index(drop=True), check_categorical=False)


def test_the_assembled_file_takes_each_integer_column_in_the_narrowest_type_that_holds_it(monkeypatch):
    """The range of a column is found a slice at a time (no copy of the whole column): values
    and missing values across slices, negative numbers, and a column with nothing in it."""
    import numpy as np

    from analysis.corpus import assembled

    monkeypatch.setattr(assembled, "BATCH_ROWS", 3)
    masked = pd.Series(pd.array([1, None, 2, None, None, None, 300, 4], dtype="Int64"))
    assert assembled._narrowest(masked) is np.int16            # 300 in the third slice
    hidden = pd.Series(pd.arrays.IntegerArray(np.array([5, 70_000, 6, 7]), np.array([False, True, False, False])))
    assert assembled._narrowest(hidden) is np.int8              # 70,000 lies under a missing value
    assert assembled._narrowest(pd.Series([-129, 0, 1, 2, 3, 4, 5])) is np.int16
    assert assembled._narrowest(pd.Series([0, 2**31], dtype="int64")) is np.int64
    assert assembled._narrowest(pd.Series(pd.array([None, None], dtype="Int64"))) is np.int8
    assert assembled._narrowest(pd.Series(["a"])) is None


def test_the_assembled_token_file_is_read_back_from_its_buffers_across_batches(tmp_path, monkeypatch):
    """Booleans and nullable integers are read from their Arrow buffers (bitmaps unpacked by
    numpy), batch after batch and from any offset; a missing value's slot reads as 0, even
    where the frame held another number under its mask."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.ipc as ipc

    from analysis.corpus import assembled

    monkeypatch.setattr(assembled, "BATCH_ROWS", 3)
    frame = pd.DataFrame({
        "word": pd.Categorical(["a", "b", None, "a", "c", "b", "a"], categories=["c", "b", "a"]),
        "start": np.array([0, 5, 70_000, 3, 4, 5, 6]),
        "is_stop": np.array([True, False, True, True, False, False, True]),
        "section": pd.array([1, None, 2, None, 300, None, 4], dtype="Int64"),
        "point": pd.arrays.IntegerArray(np.array([5, 70_000, 6, 7, 8, 9, 10]),
                                        np.array([False, True, False, False, False, False, True])),
    })
    path = tmp_path / "tokens.arrow"
    with open(path, "wb") as handle:
        assembled._write(handle, frame)
    reader = ipc.open_file(pa.memory_map(str(path)))
    assert reader.num_record_batches == 3
    assert reader.get_batch(0).column("section").type == pa.int16()
    back = pd.DataFrame(assembled._filled(reader, list(frame.columns), len(frame)))
    pd.testing.assert_frame_equal(back, frame)
    assert back["point"].array._data.tolist() == [5, 0, 6, 7, 8, 9, 0]
    assert back["section"].array._data.tolist() == [1, 0, 2, 0, 300, 0, 4]
    assert back["start"].dtype == np.int64 and back["is_stop"].dtype == bool

    flags = pa.array([True, False, True, True, False, False, True, True, False, True]).slice(3, 6)
    assert segment.bitmap_bools(flags.buffers()[1], flags.offset, len(flags)).tolist() == [True, False, False,
                                                                                           True, True, False]
    numbers = pa.array([9, 8, None, 7, None, 6, 5, 4, 3, 2], type=pa.int16()).slice(2, 5)
    values, mask = np.full(5, -1, dtype=np.int64), np.zeros(5, dtype=bool)
    segment.fill_nullable_int(numbers, values, mask)
    assert values.tolist() == [0, 7, 0, 6, 5] and mask.tolist() == [True, False, True, False, False]
    with pytest.raises(ValueError, match="nullable column of type double"):
        segment.fill_nullable_int(pa.array([1.5]), np.zeros(1, dtype=np.int64), np.zeros(1, dtype=bool))


@pytest.mark.parametrize("damage", ["flip", "truncate", "empty"])
def test_a_damaged_assembled_token_file_is_reported_and_rebuilt(tmp_path, cache_dir, seed_text, damage):
    folder = _speeches(tmp_path / "c", seed_text, n=2)
    good = corpus_tokens(load_corpus(folder, workers=1))
    [path] = _assembled_tokens(cache_dir)
    data = bytearray(path.read_bytes())
    if damage == "flip":
        data[len(data) // 2] ^= 0x01   # one bit, inside a batch
    elif damage == "truncate":
        data = data[: len(data) - 100]
    else:
        data = bytearray()
    path.write_bytes(bytes(data))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        rebuilt = corpus_tokens(load_corpus(folder, workers=1))
    messages = [str(w.message) for w in caught]
    assert any(str(path) in m and "damaged" in m for m in messages), messages
    pd.testing.assert_frame_equal(rebuilt, good)
    [again] = _assembled_tokens(cache_dir)   # written anew, and read without a word
    assert again.read_bytes() != bytes(data)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        pd.testing.assert_frame_equal(corpus_tokens(load_corpus(folder, workers=1)), good)


def test_a_kept_file_is_stamped_as_written_and_checked_by_its_crc_when_its_stamp_does_not_hold(
        tmp_path, cache_dir, seed_text, monkeypatch):
    """A kept file is stamped as it is written (its CRC is known then: its name holds it), so
    the first warm read after a cold one need not take the CRC. A stamp is trusted only while
    the file's size, modification time and inode are as stamped and that time is older than
    the stamp file's own (a stamp in the file's own tick of the clock is racy). Else the read
    takes the CRC and stamps the file anew. A file changed after its stamp shows another
    time and is checked by its CRC again: damage is still found and rebuilt."""
    import os

    import analysis.corpus.assembled as assembled

    folder = _speeches(tmp_path / "c", seed_text, n=2)
    good = corpus_tokens(load_corpus(folder, workers=1))
    kept = {p.name[:6]: p for p in sorted((cache_dir / "store" / "assembled").glob("*.arrow"))}
    assert sorted(kept) == ["corpus", "tokens"]
    path = kept["tokens"]
    for file in kept.values():                                  # stamped as written
        now = file.stat()
        assert (file.parent / (file.name + ".stamp")).read_text().split() == \
            [str(now.st_size), str(now.st_mtime_ns), str(now.st_ino)]

    def stamp_at(file, after_ns: int) -> None:                  # the stamp file's time, against the file's
        at = file.stat().st_mtime_ns + after_ns
        os.utime(file.parent / (file.name + ".stamp"), ns=(at, at))

    trusted = []
    holds = assembled._stamp_holds
    monkeypatch.setattr(assembled, "_stamp_holds", lambda p: trusted.append((p.name[:6], holds(p))) or trusted[-1][1])

    def warm() -> pd.DataFrame:
        trusted.clear()
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            return corpus_tokens(load_corpus(folder, workers=1))

    for file in kept.values():
        stamp_at(file, 1_000_000)
    pd.testing.assert_frame_equal(warm(), good)
    assert trusted == [("corpus", True), ("tokens", True)]     # the cold run's stamps: no CRC
    for file in kept.values():
        stamp_at(file, 0)
    pd.testing.assert_frame_equal(warm(), good)
    assert trusted == [("corpus", False), ("tokens", False)]   # stamps in the files' own tick: CRC
    stamp_at(path, 1_000_000)
    pd.testing.assert_frame_equal(warm(), good)
    assert trusted[-1] == ("tokens", True)                      # stamped anew by that read
    old = path.stat().st_mtime_ns - 10_000_000_000
    os.utime(path, ns=(old, old))                               # its time changed since its stamp
    pd.testing.assert_frame_equal(warm(), good)
    assert trusted[-1] == ("tokens", False)                     # CRC, stamped anew
    pd.testing.assert_frame_equal(warm(), good)
    assert trusted[-1] == ("tokens", True)                      # as stamped: no CRC
    assert (path.parent / (path.name + ".stamp")).read_text().split()[:2] == [str(path.stat().st_size), str(old)]

    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01                                # changed after its stamp
    path.write_bytes(bytes(data))
    with pytest.warns(UserWarning, match=f"store file {path} is damaged"):
        pd.testing.assert_frame_equal(corpus_tokens(load_corpus(folder, workers=1)), good)
    rebuilt = path.stat()                                       # the same bytes, so the same name
    assert path.read_bytes() != bytes(data)
    assert (path.parent / (path.name + ".stamp")).read_text().split() == \
        [str(rebuilt.st_size), str(rebuilt.st_mtime_ns), str(rebuilt.st_ino)]
    (folder / "s1.txt").write_text("各縣要抓好雙降工作。\n", encoding="utf-8")
    corpus_tokens(load_corpus(folder, workers=1))               # a new file replaces the old and its stamp
    [new] = _assembled_tokens(cache_dir)
    assert new != path
    kept = sorted(p.name for p in (cache_dir / "store" / "assembled").glob("tokens-*"))
    assert kept == [new.name, new.name + ".stamp"]


def test_a_changed_speech_replaces_the_assembled_token_file(tmp_path, cache_dir, seed_text):
    folder = _speeches(tmp_path / "c", seed_text, n=3)
    corpus_tokens(load_corpus(folder, workers=1))
    [before] = _assembled_tokens(cache_dir)
    (folder / "s1.txt").write_text("各縣要抓好雙降工作。\n", encoding="utf-8")
    after = corpus_tokens(load_corpus(folder, workers=1))
    [now] = _assembled_tokens(cache_dir)   # the old one removed
    assert now != before
    pd.testing.assert_frame_equal(after, corpus_tokens(load_corpus(folder, workers=1, cache=False)),
                                  check_categorical=False)
    assert after[after.speech_id == "s1"].token.tolist()[:4] == ["各縣", "要", "抓好", "雙降"]


def test_an_interrupted_assembled_write_is_never_read(tmp_path, cache_dir, seed_text, monkeypatch):
    import analysis.corpus.assembled as assembled

    folder = _speeches(tmp_path / "c", seed_text, n=2)
    original = assembled._write

    def crash(handle, table):
        handle.write(b"ARROW1 half a file")
        raise OSError("disk full")

    monkeypatch.setattr(assembled, "_write", crash)
    with pytest.warns(UserWarning, match="could not be kept"):
        good = corpus_tokens(load_corpus(folder, workers=1))
    assert _assembled_tokens(cache_dir) == []
    assert not [p for p in (cache_dir / "store" / "assembled").iterdir() if "tokens" in p.name]
    monkeypatch.setattr(assembled, "_write", original)
    pd.testing.assert_frame_equal(corpus_tokens(load_corpus(folder, workers=1)), good)
    assert len(_assembled_tokens(cache_dir)) == 1


def test_a_damaged_assembled_corpus_file_is_reported_and_rebuilt(tmp_path, cache_dir, seed_text):
    folder = _speeches(tmp_path / "c", seed_text, n=2)
    good = pd.DataFrame(load_corpus(folder, workers=1))
    [path] = sorted((cache_dir / "store" / "assembled").glob("corpus-*.arrow"))
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    with pytest.warns(UserWarning, match=f"store file {path} is damaged"):
        again = pd.DataFrame(load_corpus(folder, workers=1))
    pd.testing.assert_frame_equal(again, good)
    [rebuilt] = sorted((cache_dir / "store" / "assembled").glob("corpus-*.arrow"))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        pd.testing.assert_frame_equal(pd.DataFrame(load_corpus(folder, workers=1)), good)
    (folder / "s1.txt").write_text("各縣要抓好雙降工作。\n", encoding="utf-8")
    load_corpus(folder, workers=1)
    [now] = sorted((cache_dir / "store" / "assembled").glob("corpus-*.arrow"))   # the old one removed
    assert now != rebuilt


def test_a_store_url_is_a_file_url_an_fsspec_store_or_a_clear_error(tmp_path, cache_dir, seed_text, monkeypatch):
    """A file:// URL is a folder; another URL is a store written through fsspec
    (tests/corpus/test_remote_store.py), or, when its file system is not installed or not
    known, a clear error: never a relative folder named ``s3:``."""
    import importlib.util

    from analysis.corpus.store import RemoteStore

    folder = _speeches(tmp_path / "c", seed_text, n=2)
    monkeypatch.chdir(tmp_path)
    for url, package in (("s3://bucket/store", "s3fs"), ("gs://bucket/store", "gcsfs")):
        if importlib.util.find_spec(package) is None:
            with pytest.raises(ImportError, match=f"store '{url}'.*needs the {package} package.*pip install {package}"):
                load_corpus(folder, workers=1, store=url)
    with pytest.raises(ValueError, match="fsspec knows no nosuch:// file system"):
        load_corpus(folder, workers=1, store="nosuch://bucket/store")
    assert not [p.name for p in tmp_path.iterdir() if p.name.endswith(":")]   # no folder named s3:
    assert isinstance(Store("memory://store"), RemoteStore) and not Store(tmp_path / "s").remote
    with pytest.raises(ValueError, match="local path"):
        Store("file://otherhost/store")
    shared = tmp_path / "shared store"
    corpus = load_corpus(folder, workers=1, store=f"file://{shared.as_posix().replace(' ', '%20')}")
    assert len(list((shared / "partitions").glob("*/tokens.parquet"))) >= 1
    pd.testing.assert_frame_equal(pd.DataFrame(corpus), pd.DataFrame(load_corpus(folder, workers=1, store=shared)))


def test_speeches_that_repeat_another_word_for_word_are_named_cold_and_warm(tmp_path, cache_dir):
    # b is a's page scraped from another site, in Traditional; c is another speech; d and e
    # are pages of nothing but furniture (empty once cleaned: named as such, not as copies).
    folder = tmp_path / "c"
    folder.mkdir()
    (folder / "a.txt").write_text("同志们：\n今年全市要加强安全生产工作。\n", encoding="utf-8")
    (folder / "b.txt").write_text("首页 > 领导讲话\n同志們：\n今年全市要加強安全生產工作。\n", encoding="utf-8")
    (folder / "c.txt").write_text("同志们：\n今年全市要抓好计划生育工作。\n", encoding="utf-8")
    for name in ("d", "e"):
        (folder / f"{name}.txt").write_text("【打印本页】【关闭窗口】\n", encoding="utf-8")
    for run in ("cold", "warm"):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            corpus = load_corpus(folder, workers=1)
        copies = [str(w.message) for w in caught if "word for word" in str(w.message)]
        assert copies == ["1 speech(es) repeat another's text word for word once cleaned (either script; counted "
                          "twice in every frequency unless one of each is left out): a = b"], run
        assert any("no text left after cleaning" in str(w.message) and "d, e" in str(w.message) for w in caught)
    assert len(corpus) == 5


def test_a_table_in_chunks_with_their_own_dictionaries_is_written_over_one():
    """A batch's token table comes in chunks, each with its own dictionary; the store
    writes it over one dictionary per column (Parquet would otherwise decode and re-hash
    every chunk), with the same values in the same order."""
    import pyarrow as pa

    from analysis.corpus.store import _one_dictionary

    chunked = pa.table({"word": pa.chunked_array([pa.array(["乙", "甲", None]).dictionary_encode(),
                                                  pa.array(["丙", "甲"]).dictionary_encode()]),
                        "n": pa.chunked_array([[1, 2, 3], [4, 5]])})
    one = _one_dictionary(chunked)
    assert one.column("word").num_chunks == 1
    assert one.column("word").chunk(0).dictionary.to_pylist() == ["乙", "甲", "丙"]
    assert one.column("word").to_pylist() == ["乙", "甲", None, "丙", "甲"]
    assert one.column("n").to_pylist() == [1, 2, 3, 4, 5]
    plain = pa.table({"n": pa.chunked_array([[1], [2]])})
    assert _one_dictionary(plain) is plain  # nothing to unify: left as it is


def test_a_partition_recorded_by_other_code_is_rebuilt_not_served(tmp_path, cache_dir, counted, seed_text):
    # A partition named under this code's key but recorded with another pipeline (written by
    # a Dask worker that ran old code) is not trusted: it is reported and built again.
    folder = _speeches(tmp_path / "c", seed_text, n=2)
    good = corpus_tokens(load_corpus(folder, workers=1))
    for manifest in (cache_dir / "store" / "manifests").glob("*.json"):
        data = json.loads(manifest.read_text(encoding="utf-8"))
        for partition in data["partitions"]:
            partition["pipeline"] = "0123456789abcdef"
        manifest.write_text(json.dumps(data), encoding="utf-8")
    before = len(counted)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        again = corpus_tokens(load_corpus(folder, workers=1))
    assert any("built by other code than this process's (pipeline 0123456789abcdef)" in str(w.message)
               for w in caught)
    assert len(counted) > before  # segmented again
    pd.testing.assert_frame_equal(again, good)


def test_a_store_that_cannot_be_written_says_why(tmp_path, cache_dir, seed_text, monkeypatch):
    import re
    import socket

    folder = _speeches(tmp_path / "c", seed_text, n=2)
    good = pd.DataFrame(load_corpus(folder, cache=False))

    def full(self, name, tables, replace=False):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Store, "write_partition", full)
    with pytest.warns(UserWarning, match=rf"could not be written to \(No space left on device on "
                                         rf"{re.escape(socket.gethostname())}\); computing without a cache$"):
        loaded = load_corpus(folder, workers=1)
    pd.testing.assert_frame_equal(pd.DataFrame(loaded), good)


def test_prune_store_removes_the_partitions_no_manifest_names(tmp_path, cache_dir, seed_text, monkeypatch):
    from analysis import prune_store

    folder = _speeches(tmp_path / "c", seed_text, n=2)
    load_corpus(folder, workers=1)
    partitions = cache_dir / "store" / "partitions"
    before = {p.name for p in partitions.iterdir()}
    # The code changes: every partition is built again under a new name; the old ones stay.
    monkeypatch.setattr(pipeline, "pipeline_key", lambda: "0123456789abcdef")
    good = corpus_tokens(load_corpus(folder, workers=1))
    after = {p.name for p in partitions.iterdir()}
    assert before and after > before
    # Written just now: a load may still be running, so nothing goes.
    found = prune_store(cache_dir / "store")
    assert not found["removed"].any() and set(found["name"]) == after
    # Old enough (any age): what no manifest names goes, what one names stays.
    dry = prune_store(cache_dir / "store", older_than_hours=0, dry_run=True)
    assert set(dry.loc[dry["removed"], "name"]) == before
    assert set(dry.loc[~dry["removed"], "name"]) == after - before and dry.loc[~dry["removed"], "named"].all()
    assert {p.name for p in partitions.iterdir()} == after
    pruned = prune_store(cache_dir / "store", older_than_hours=0)
    assert set(pruned.loc[pruned["removed"], "name"]) == before
    assert {p.name for p in partitions.iterdir()} == after - before
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        pd.testing.assert_frame_equal(corpus_tokens(load_corpus(folder, workers=1)), good)


def test_prune_store_stops_at_a_manifest_it_cannot_read(tmp_path, cache_dir, seed_text):
    from analysis import prune_store

    load_corpus(_speeches(tmp_path / "c", seed_text, n=2), workers=1)
    [manifest] = (cache_dir / "store" / "manifests").glob("*.json")
    manifest.write_text("{not json", encoding="utf-8")
    with pytest.raises(ValueError, match=f"store manifest {manifest} cannot be read .*nothing pruned"):
        prune_store(cache_dir / "store", older_than_hours=0)
    assert list((cache_dir / "store" / "partitions").iterdir())
