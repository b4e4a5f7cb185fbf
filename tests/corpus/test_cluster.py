"""The pipeline and the count-based analyses on a dask.distributed cluster (a LocalCluster of
two worker processes): the same tables as on one machine."""
from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

from analysis import corpus_tokens, frequencies, load_corpus, term_trends
from analysis.corpus.cluster import is_dask

pytestmark = pytest.mark.slow
STRINGS = ["speech_id", "token", "simplified", "term", "pos", "part"]


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       dashboard_address=":0", silence_logs=40)
    with distributed.Client(cluster) as client:
        yield client
    cluster.close()


@pytest.fixture(scope="module")
def folder(tmp_path_factory, seed_text):
    from tests.corpus.test_pipeline import _speeches

    return _speeches(tmp_path_factory.mktemp("speeches"), seed_text, n=40)


def test_loading_on_the_cluster_gives_the_local_tables(client, folder, tmp_path):
    shared = tmp_path / "shared-store"   # the folder the workers write the store to
    local = load_corpus(folder, cache=False)
    remote = load_corpus(folder, client=client, store=shared)
    pd.testing.assert_frame_equal(pd.DataFrame(remote), pd.DataFrame(local))
    assert len(list(shared.glob("partitions/*/tokens.parquet"))) > 1   # written by the workers
    lazy = corpus_tokens(remote, client=client)
    assert is_dask(lazy) and lazy.npartitions > 1
    # Each partition has its own categories: compare the values, and the index (0, 1, 2, … over
    # the whole table, each partition numbered on from the one before, as the local frame's).
    here = corpus_tokens(local, cache=False)
    pd.testing.assert_frame_equal(lazy.compute().astype({c: object for c in STRINGS}),
                                  here.astype({c: object for c in STRINGS}))
    assert lazy.known_divisions and lazy.divisions[-1] == len(here) - 1
    # A part of the corpus: its tokens numbered from 0, as corpus_tokens numbers them here.
    some = remote.iloc[[3, 4, 17, 30]]
    part = corpus_tokens(some, client=client)
    assert is_dask(part)
    pd.testing.assert_frame_equal(part.compute().astype({c: object for c in STRINGS}),
                                  corpus_tokens(local.iloc[[3, 4, 17, 30]], cache=False).astype(
                                      {c: object for c in STRINGS}))


def test_counting_on_the_cluster_equals_counting_here(client, folder, tmp_path):
    corpus = load_corpus(folder, client=client, store=tmp_path / "store")
    here = corpus_tokens(corpus)
    there = corpus_tokens(corpus, client=client)
    pd.testing.assert_frame_equal(frequencies(there), frequencies(here))
    pd.testing.assert_frame_equal(frequencies(there, by="speech_id", words="all"),
                                  frequencies(here, by="speech_id", words="all"))
    groups = pd.Series({sid: int(sid[1:]) % 3 for sid in corpus["speech_id"]}, name="third")
    pd.testing.assert_frame_equal(term_trends(there, ["計生協會", "群眾"], by=groups),
                                  term_trends(here, ["計生協會", "群眾"], by=groups))


def test_no_dask_is_imported_without_a_cluster(tmp_path):
    code = ("import sys, analysis; c = analysis.load_corpus(); t = analysis.corpus_tokens(c); "
            "analysis.frequencies(t); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed')))")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={"SPEECHES_CACHE_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"})
    assert run.stdout.strip() == "[]"


def test_lifecycle_on_the_cluster_equals_lifecycle_here(client, gwr_dir):
    from analysis import lifecycle

    corpus = load_corpus(gwr_dir)
    corpus = corpus[corpus["year"] >= 2000]
    pd.testing.assert_frame_equal(lifecycle(corpus, client=client), lifecycle(corpus))


def test_keyness_on_the_cluster_equals_keyness_here(client, folder, tmp_path):
    from analysis import keyness

    corpus = load_corpus(folder, client=client, store=tmp_path / "store")
    here, there = corpus_tokens(corpus), corpus_tokens(corpus, client=client)
    pd.testing.assert_frame_equal(keyness(there), keyness(here))
    target = [f"s{i}" for i in range(10)]
    pd.testing.assert_frame_equal(keyness(there, target=target, reference="rest", corpus=corpus),
                                  keyness(here, target=target, reference="rest", corpus=corpus))


def test_tokens_from_the_cluster_know_their_corpus_as_a_frames_do(client, folder, tmp_path):
    """corpus_tokens(corpus, client=…) gives a dask dataframe, which has no attrs: it carries
    its corpus all the same, so groupings and selections by corpus columns need no corpus=
    (they raised "these tokens do not come from corpus_tokens(corpus)")."""
    from analysis import keyness

    corpus = load_corpus(folder, client=client, store=tmp_path / "store")
    corpus["group"] = [int(sid[1:]) % 3 for sid in corpus["speech_id"]]
    here, there = corpus_tokens(corpus), corpus_tokens(corpus, client=client)
    pd.testing.assert_frame_equal(term_trends(there, ["計生協會", "群眾"], by="group"),
                                  term_trends(here, ["計生協會", "群眾"], by="group"))
    pd.testing.assert_frame_equal(frequencies(there, by="group"), frequencies(here, by="group"))
    pd.testing.assert_frame_equal(keyness(there, target="group == 1", reference="rest"),
                                  keyness(here, target="group == 1", reference="rest"))


def test_a_formula_quoted_in_one_batch_is_found_bare_in_the_others(client, tmp_path):
    # 70 speeches: more than one batch of the workers (map_speeches, 64 a batch). The first
    # quotes “八字宪法”; the last, in the second batch, names it bare.
    from analysis import lifecycle

    filler = "各地要认真总结经验，切实做好今年的各项工作，推动经济社会持续健康发展。"
    for i in range(70):
        text = filler * 3 + f"这是第{i + 1}次会议的讲话。"
        if i == 0:
            text = "我们要坚持“八字宪法”的精神，" + text
        if i == 69:
            text = "今年继续落实八字宪法，抓好农业生产。" + text
        (tmp_path / f"{1940 + i}-03-01_s{i:03d}.txt").write_text(text, encoding="utf-8")  # in this order
    corpus = load_corpus(tmp_path, cache=False)
    here = lifecycle(corpus)
    row = here.set_index("name").loc["八字宪法"]
    assert (int(row["n_speeches"]), int(row["mentions"])) == (2, 2)
    pd.testing.assert_frame_equal(lifecycle(corpus, client=client), here)


def _pretend_old_code(key):
    import analysis.corpus.pipeline as pipeline

    if key is None:
        pipeline.pipeline_key = pipeline.__dict__.pop("_real_pipeline_key")
    else:
        pipeline.__dict__.setdefault("_real_pipeline_key", pipeline.pipeline_key)
        pipeline.pipeline_key = lambda: key


def test_a_worker_running_other_code_refuses_and_stores_nothing(client, folder, tmp_path):
    # A worker started before the package changed runs the old code: it must not store the
    # old code's tables under the new code's key (every later load would serve them).
    from analysis.corpus.pipeline import StalePipeline

    store = tmp_path / "store"
    client.run(_pretend_old_code, "0123456789abcdef")
    try:
        with pytest.raises(StalePipeline, match="restart the workers after changing the package"):
            load_corpus(folder, client=client, store=store)
    finally:
        client.run(_pretend_old_code, None)
    assert not list(store.glob("partitions/*/tokens.parquet"))
    assert not list(store.glob("manifests/*.json"))
    pd.testing.assert_frame_equal(pd.DataFrame(load_corpus(folder, client=client, store=store)),
                                  pd.DataFrame(load_corpus(folder, cache=False)))


@pytest.mark.parametrize("address", ["tcp//127.0.0.1:8786", "http://127.0.0.1:8787"])
def test_a_malformed_scheduler_setting_names_the_setting(monkeypatch, address):
    import analysis.corpus.cluster as cluster

    monkeypatch.setenv("SPEECHES_DASK_SCHEDULER", address)
    monkeypatch.setattr(cluster, "_CLIENT", None)
    with pytest.raises(ValueError, match=rf"SPEECHES_DASK_SCHEDULER='{address}' is not a Dask scheduler's address"):
        cluster.default_client()


def test_a_scheduler_that_does_not_answer_names_the_setting(monkeypatch):
    import socket

    import analysis.corpus.cluster as cluster

    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("SPEECHES_DASK_SCHEDULER", f"tcp://127.0.0.1:{port}")
    monkeypatch.setattr(cluster, "_CLIENT", None)
    monkeypatch.setattr(cluster, "CONNECT_TIMEOUT", 2)
    with pytest.raises(ConnectionError, match=rf"no Dask scheduler answers at tcp://127.0.0.1:{port}, the address "
                                              "SPEECHES_DASK_SCHEDULER gives"):
        cluster.default_client()
