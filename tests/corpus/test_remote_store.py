"""The corpus store at an fsspec URL (analysis.corpus.store.RemoteStore), on fsspec's in-memory file
system: the same tables as a store folder, warm runs that read it, a changed file that
rebuilds its partition alone, interrupted writes and damaged objects that are reported and
rebuilt, and a threaded Dask cluster writing the partitions."""
from __future__ import annotations

import os
import subprocess
import sys
import uuid
import warnings

import pandas as pd
import pytest

from analysis import corpus_outline, corpus_tokens, load_corpus
from analysis.corpus import pipeline
from analysis.corpus.store import StoreWarning, plan
from tests.corpus.test_pipeline import _speeches, cache_dir  # noqa: F401 (a fixture)

fsspec = pytest.importorskip("fsspec")
STRINGS = ["speech_id", "token", "simplified", "term", "pos", "part"]


@pytest.fixture()
def url():
    """A store URL of its own in fsspec's memory file system (one per process: shared by
    threads, not by forked workers), removed after the test."""
    name = f"speeches-test-{uuid.uuid4().hex[:12]}"
    yield f"memory://{name}/store"
    memory = fsspec.filesystem("memory")
    if memory.exists(f"/{name}"):
        memory.rm(f"/{name}", recursive=True)


@pytest.fixture()
def folder(tmp_path, seed_text):
    return _speeches(tmp_path / "speeches", seed_text, n=6)   # two partitions: s0-s1, s2-s5


def _objects(url: str) -> list[str]:
    fs, root = fsspec.core.url_to_fs(url)
    return sorted(path[len(root) + 1:] for path in fs.find(root))


def _tables(folder, **kwargs):
    corpus = load_corpus(folder, workers=1, **kwargs)
    return pd.DataFrame(corpus), corpus_outline(corpus), corpus_tokens(corpus)


def _assert_same(got, want):
    for a, b in zip(got, want):
        pd.testing.assert_frame_equal(a, b)


def _calls(monkeypatch) -> list[list[str]]:
    """The batches the pipeline processes (speech ids), recorded."""
    calls, original = [], pipeline.process

    def recording(sources, **kwargs):
        calls.append([s.speech_id for s in sources])
        return original(sources, **kwargs)

    monkeypatch.setattr(pipeline, "process", recording)
    return calls


def test_a_memory_store_gives_the_local_tables_reads_them_warm_and_rebuilds_one_partition(
        folder, url, tmp_path, cache_dir, monkeypatch):  # noqa: F811
    monkeypatch.chdir(tmp_path)
    local = _tables(folder, store=tmp_path / "local")
    _assert_same(_tables(folder, store=url), local)
    objects = _objects(url)
    assert len([o for o in objects if o.endswith("/_record.json")]) == 2
    assert len([o for o in objects if o.startswith("manifests/")]) == 1
    assert not [o for o in objects if o.startswith("assembled/")]   # a folder's fast path only
    assert not [p.name for p in tmp_path.iterdir() if p.name.endswith(":")]   # no folder named memory:

    def fail(*args, **kwargs):
        raise AssertionError("a warm run processed speeches")

    monkeypatch.setattr(pipeline, "process", fail)
    with warnings.catch_warnings():
        warnings.simplefilter("error", StoreWarning)
        _assert_same(_tables(folder, store=url), local)
    monkeypatch.undo()
    monkeypatch.chdir(tmp_path)

    changed = folder / "s0.txt"
    changed.write_text(changed.read_text(encoding="utf-8") + "\n會議要求，各地要抓好落實。\n", encoding="utf-8")
    local = _tables(folder, store=tmp_path / "local")
    calls = _calls(monkeypatch)
    _assert_same(_tables(folder, store=url), local)
    names = sorted(p.stem for p in folder.glob("*.txt"))
    first, stop = next(run for run in plan(names, [1] * len(names)) if run[0] <= names.index("s0") < run[1])
    assert calls == [names[first:stop]] == [["s0", "s1"]]


@pytest.mark.parametrize("where", ["a table", "a record"])
def test_an_interrupted_write_leaves_a_store_the_next_run_completes(folder, url, tmp_path, monkeypatch, where):
    """A run killed while it writes (here: an upload that raises) leaves table objects
    without a record and no manifest; the next run reads none of them as whole and ends
    with the same tables."""
    from fsspec.implementations.memory import MemoryFileSystem

    local = _tables(folder, store=tmp_path / "local")
    method = "put_file" if where == "a table" else "pipe_file"
    original, seen = getattr(MemoryFileSystem, method), []

    def killed(self, first, second, *args, **kwargs):
        path = second if method == "put_file" else first   # put_file(local, remote), pipe_file(remote, data)
        if path.rsplit("/", 1)[-1] == ("tokens.parquet" if where == "a table" else "_record.json"):
            seen.append(path)
            if len(seen) == 2:   # the second partition's: the first is complete, without a manifest
                raise RuntimeError("killed")
        return original(self, first, second, *args, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(MemoryFileSystem, method, killed)
        with pytest.raises(RuntimeError, match="killed"):
            load_corpus(folder, workers=1, store=url)
    objects = _objects(url)
    assert not [o for o in objects if o.startswith("manifests/")]
    assert len([o for o in objects if o.endswith("/_record.json")]) == 1
    assert len([o for o in objects if o.endswith("/parts.parquet")]) == 2   # the second, unrecorded
    _assert_same(_tables(folder, store=url), local)
    objects = _objects(url)
    assert len([o for o in objects if o.endswith("/_record.json")]) == 2
    assert len([o for o in objects if o.endswith("/tokens.parquet")]) == 2


@pytest.mark.parametrize("damage", ["truncated", "overwritten"])
def test_a_damaged_object_is_named_and_rebuilt(folder, url, tmp_path, damage):
    """A token object cut short is found by its size before anything is read; one
    overwritten with other bytes of the same size by Parquet's checks as it is read. Either
    way a StoreWarning names the object and the tables are the ones a clean store gives."""
    local = _tables(folder, store=tmp_path / "local")
    _tables(folder, store=url)
    fs, root = fsspec.core.url_to_fs(url)
    victim = next(o for o in _objects(url) if o.endswith("/tokens.parquet"))
    data = bytearray(fs.cat_file(f"{root}/{victim}"))
    if damage == "truncated":
        data = data[:len(data) // 2]
    else:
        data[len(data) // 2] ^= 0xFF
    fs.pipe_file(f"{root}/{victim}", bytes(data))
    with pytest.warns(StoreWarning) as caught:
        got = _tables(folder, store=url)
    _assert_same(got, local)
    assert any(f"{url}/{victim}" in str(w.message) for w in caught), [str(w.message) for w in caught]
    with warnings.catch_warnings():
        warnings.simplefilter("error", StoreWarning)   # rebuilt and recorded: the next run is clean
        _assert_same(_tables(folder, store=url), local)


def test_a_large_corpus_is_read_a_column_at_a_time_from_a_url(folder, url, tmp_path, monkeypatch):
    """Beyond COLUMNWISE_ROWS tokens, corpus_tokens reads one column at a time: at a URL from
    a local copy of each token object, fetched once (not a size check, a footer and a
    request per column), its size checked against its record first, in a temporary folder
    removed afterwards. A truncated object is named and rebuilt, and the columns read after
    that come from the new object, not from the old copy."""
    import analysis.corpus.store as store_module

    local = _tables(folder, store=tmp_path / "local")
    _tables(folder, store=url)
    monkeypatch.setattr(pipeline, "COLUMNWISE_ROWS", 10)
    fs, root = fsspec.core.url_to_fs(url)
    fetched, folders = [], []
    get_file, mkdtemp = type(fs).get_file, store_module.tempfile.mkdtemp

    def counted_get_file(self, rpath, lpath, **kwargs):
        fetched.append(rpath.rsplit("/", 2)[-2:])
        return get_file(self, rpath, lpath, **kwargs)

    def kept_mkdtemp(*args, **kwargs):
        folders.append(mkdtemp(*args, **kwargs))
        return folders[-1]

    monkeypatch.setattr(type(fs), "get_file", counted_get_file)
    monkeypatch.setattr(store_module.tempfile, "mkdtemp", kept_mkdtemp)
    with warnings.catch_warnings():
        warnings.simplefilter("error", StoreWarning)
        _assert_same(_tables(folder, store=url), local)
    tokens_objects = sorted(o.split("/")[1] for o in _objects(url) if o.endswith("/tokens.parquet"))
    assert sorted(p for p, name in fetched) == tokens_objects   # each fetched once, for 12 columns
    assert {name for _, name in fetched} == {"tokens.parquet"}
    assert len(folders) == 1 and not any(os.path.exists(f) for f in folders)

    fetched.clear()
    victim = next(o for o in _objects(url) if o.endswith("/tokens.parquet"))
    corpus = load_corpus(folder, workers=1, store=url)
    fs.pipe_file(f"{root}/{victim}", fs.cat_file(f"{root}/{victim}")[:-10])   # after the load's check
    with pytest.warns(StoreWarning, match=f"{url}/{victim}.*bytes, its record says"):
        tokens = corpus_tokens(corpus)
    pd.testing.assert_frame_equal(tokens, local[2])
    # the damaged object's copy was refused, the rebuilt object fetched once; the other once
    assert sorted(p for p, _ in fetched) == sorted(tokens_objects + [victim.split("/")[1]])


def test_overlapping_local_copies_share_one_folder_removed_when_the_last_ends(folder, url, tmp_path):
    """Two reads through one store at once (nested here; two threads alike) share the copies:
    the first to end does not remove what the other still reads."""
    from analysis.corpus.store import Store

    _tables(folder, store=url)
    store = Store(url)
    corpus = load_corpus(folder, workers=1, store=url)
    stored, _ = pipeline._stored_for(corpus, cache=True, workers=1, progress=False, client=None)
    partition = stored.partitions[0]
    whole = stored.store.read(partition, "tokens")
    with store.local_copies():
        outer = store._copies["folder"]
        with store.local_copies():
            assert store._copies["folder"] == outer
            first = store.read(partition, "tokens", ["token"])
        assert os.path.isdir(outer)   # the inner context ended, the outer still reads
        second = store.read(partition, "tokens", ["start"])
    assert not os.path.exists(outer) and getattr(store, "_copies", None) is None
    assert first.column("token").equals(whole.column("token"))
    assert second.column("start").equals(whole.column("start"))


def on_a_cluster(folder, store: str, tmp_path, *, processes: bool):
    """Load ``folder`` into ``store`` on a LocalCluster of two workers (threads or processes)
    and check the corpus and the lazy tokens counted there against a local run's; returns
    the remote corpus and the local tokens."""
    distributed = pytest.importorskip("distributed")
    local = load_corpus(folder, workers=1, store=tmp_path / "local")
    local_tokens = corpus_tokens(local)
    with distributed.LocalCluster(processes=processes, n_workers=2, threads_per_worker=1, dashboard_address=":0",
                                  silence_logs=40) as cluster, distributed.Client(cluster) as client:
        remote = load_corpus(folder, client=client, store=store)
        pd.testing.assert_frame_equal(pd.DataFrame(remote), pd.DataFrame(local))
        lazy = corpus_tokens(remote, client=client)
        assert lazy.npartitions == 2
        # Each partition has its own categories: compare the values (and the index).
        pd.testing.assert_frame_equal(lazy.compute().astype({c: object for c in STRINGS}),
                                      local_tokens.astype({c: object for c in STRINGS}))
    return remote, local_tokens


@pytest.mark.slow
def test_a_threaded_cluster_writes_the_partitions_to_the_url(folder, url, tmp_path):
    """Dask workers in threads of this process share its memory file system: they write the
    partitions to the URL, and the tables are the local run's."""
    remote, local_tokens = on_a_cluster(folder, url, tmp_path, processes=False)
    assert len([o for o in _objects(url) if o.endswith("/_record.json")]) == 2
    pd.testing.assert_frame_equal(corpus_tokens(remote), local_tokens)


@pytest.mark.slow
def test_a_memory_store_with_worker_processes_is_a_clear_error(folder, url, tmp_path):
    """memory:// is in this process: a cluster of worker processes cannot write it. The
    load says so, naming the URL and what to give instead, before any work is sent (not
    a "damaged" partition once the workers' writes are lost)."""
    distributed = pytest.importorskip("distributed")
    message = rf"store '{url}' is held in this process's memory \(memory://\), which the cluster's worker"
    with distributed.LocalCluster(processes=True, n_workers=2, threads_per_worker=1, dashboard_address=":0",
                                  silence_logs=40) as cluster, distributed.Client(cluster) as client, \
            pytest.raises(ValueError, match=message):
        load_corpus(folder, client=client, store=url)
    assert [o for o in _objects(url) if "/partitions/" in o] == []


def test_an_s3_store_without_s3fs_names_the_url_and_the_package(folder, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name in [m for m in sys.modules if m.split(".")[0] == "s3fs"]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "s3fs", None)   # as where it is not installed: importing it fails
    monkeypatch.delitem(sys.modules["fsspec.registry"]._registry, "s3", raising=False)   # nor registered earlier
    with pytest.raises(ImportError, match=r"store 's3://bucket/store': s3:// needs the s3fs package.*pip install s3fs"):
        load_corpus(folder, workers=1, store="s3://bucket/store")
    assert not [p.name for p in tmp_path.iterdir() if p.name.endswith(":")]   # no folder named s3:


def test_no_fsspec_is_imported_without_a_url_store(tmp_path):
    code = ("import sys, analysis; c = analysis.load_corpus(); analysis.corpus_tokens(c); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'fsspec'))")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={"SPEECHES_CACHE_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"})
    assert run.stdout.strip() == "[]"


def test_a_memory_store_is_filled_in_this_process_even_with_workers(folder, url, tmp_path, monkeypatch):
    """memory:// lives in one process: with workers=2 the partitions are still written where
    the next run finds them (a forked worker's writes would be lost), with no warning."""
    from analysis.corpus import parallel

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(parallel, "PARALLEL_MIN_CHARS", 0)   # six short files would not fork otherwise
    with warnings.catch_warnings():
        warnings.simplefilter("error", StoreWarning)
        corpus = load_corpus(folder, store=url, workers=2)
        tokens = corpus_tokens(corpus, workers=2)
    assert len([o for o in _objects(url) if o.endswith("/_record.json")]) == 2
    _assert_same([tokens], [_tables(folder, store=tmp_path / "local")[2]])
