"""The corpus store in an S3 bucket (analysis.corpus.store.RemoteStore through s3fs), served by
a local moto server over HTTP: what a real bucket does differently from fsspec's memory file
system (no renames, objects committed whole, a network between the store and each process)
is exercised by separate processes: the workers of a Dask cluster of processes, a new Python
process reading the store warm, and two processes filling one bucket at the same time."""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import uuid
import warnings

import pytest

from analysis import corpus_tokens, load_corpus
from analysis.corpus import pipeline
from analysis.corpus.store import StoreWarning
from tests.corpus.test_remote_store import folder, on_a_cluster  # noqa: F401 (a fixture)

fsspec = pytest.importorskip("fsspec")
s3fs = pytest.importorskip("s3fs", reason="s3fs is not installed (the test extra installs it)")
moto_server = pytest.importorskip("moto.server", reason="moto is not installed (the test extra installs it)")
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}

# What a process prints of the tables it loaded from the store: their digest (the same
# function in the test and in the processes it starts).
DIGEST = """
import hashlib, pandas as pd
def digest(corpus, tokens):
    h = hashlib.sha256()
    frame = pd.DataFrame(corpus)[["speech_id", "text", "n_chars"]]
    h.update(pd.util.hash_pandas_object(frame, index=False).values.tobytes())
    h.update(pd.util.hash_pandas_object(tokens.astype(str), index=False).values.tobytes())
    return h.hexdigest()
"""
namespace: dict = {"hashlib": hashlib}
exec(DIGEST, namespace)
digest = namespace["digest"]


@pytest.fixture(scope="module")
def endpoint():
    """A moto S3 server on a free local port, with test credentials in the environment and
    fsspec's s3 options pointing at it (as ``FSSPEC_S3_ENDPOINT_URL`` does for a process)."""
    saved = {k: os.environ.get(k) for k in CREDENTIALS}
    os.environ.update(CREDENTIALS)
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    url = f"http://{host}:{port}"
    conf = fsspec.config.conf.get("s3")
    fsspec.config.conf["s3"] = {"endpoint_url": url}
    yield url
    server.stop()
    if conf is None:
        fsspec.config.conf.pop("s3", None)
    else:
        fsspec.config.conf["s3"] = conf
    for k, v in saved.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


@pytest.fixture()
def bucket(endpoint):
    name = f"speeches-{uuid.uuid4().hex[:12]}"
    fs = s3fs.S3FileSystem(endpoint_url=endpoint)
    fs.mkdir(name)
    yield f"s3://{name}/store"
    fs.rm(name, recursive=True)


def _objects(url: str, endpoint: str) -> dict[str, tuple]:
    """Each object of the store: its size and ETag (a rewritten object gets a new one)."""
    fs = s3fs.S3FileSystem(endpoint_url=endpoint, skip_instance_cache=True)
    root = url.removeprefix("s3://")
    return {k[len(root) + 1:]: (v["size"], v.get("ETag"), v.get("LastModified"))
            for k, v in fs.find(root, detail=True).items()}


def _process(speeches, url: str, endpoint: str, cache) -> subprocess.Popen:
    """A new Python process that loads the corpus from the bucket and prints its digest."""
    code = DIGEST + (f"import analysis\nc = analysis.load_corpus({str(speeches)!r}, store={url!r}, workers=1)\n"
                     "print(digest(c, analysis.corpus_tokens(c)))\n")
    env = {**os.environ, **CREDENTIALS, "FSSPEC_S3_ENDPOINT_URL": endpoint, "SPEECHES_CACHE_DIR": str(cache)}
    return subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env)


def _finished(proc: subprocess.Popen) -> str:
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err[-3000:]
    assert "StoreWarning" not in err, err[-3000:]
    return out.strip()


@pytest.mark.slow
def test_worker_processes_fill_a_bucket_that_a_new_process_reads_warm(folder, bucket, endpoint,  # noqa: F811
                                                                      tmp_path):
    """The store pickled to two worker processes, which write the partitions over HTTP; the
    tables are the local run's; a new process then reads them without rewriting a partition."""
    remote, local_tokens = on_a_cluster(folder, bucket, tmp_path, processes=True)
    objects = _objects(bucket, endpoint)
    assert sorted(k.rsplit("/", 1)[-1] for k in objects if k.startswith("partitions/")) == \
        ["_record.json", "_record.json", "corpus.parquet", "corpus.parquet", "parts.parquet", "parts.parquet",
         "tokens.parquet", "tokens.parquet"]
    assert len([k for k in objects if k.startswith("manifests/")]) == 1
    assert _finished(_process(folder, bucket, endpoint, tmp_path / "cache")) == digest(remote, local_tokens)
    # Read warm: no partition written again (a run without a client keeps a manifest of its own).
    after = _objects(bucket, endpoint)
    assert {k: v for k, v in after.items() if k.startswith("partitions/")} == \
        {k: v for k, v in objects.items() if k.startswith("partitions/")}


@pytest.mark.slow
def test_two_processes_filling_one_bucket_at_once_leave_a_whole_store(folder, bucket, endpoint,  # noqa: F811
                                                                      tmp_path, monkeypatch):
    """Two processes write the same partitions at the same time (objects are replaced whole,
    records after their tables, the manifest last): both get the local tables, and the store
    they leave is read warm, with no damage reported and no speech processed again."""
    local = load_corpus(folder, workers=1, store=tmp_path / "local")
    want = digest(local, corpus_tokens(local))
    procs = [_process(folder, bucket, endpoint, tmp_path / f"cache{i}") for i in range(2)]
    assert [_finished(p) for p in procs] == [want, want]

    def fail(*args, **kwargs):
        raise AssertionError("a warm run processed speeches")

    monkeypatch.setattr(pipeline, "process", fail)
    with warnings.catch_warnings():
        warnings.simplefilter("error", StoreWarning)
        corpus = load_corpus(folder, workers=1, store=bucket)
        assert digest(corpus, corpus_tokens(corpus)) == want
