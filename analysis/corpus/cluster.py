"""Beyond one machine: the pipeline's per-file work on a ``dask.distributed`` cluster, and
the count-based analyses as map-reduce over the store's Parquet partitions.

What is distributed:

* :func:`analysis.load_corpus` with ``client=`` (or with ``SPEECHES_DASK_SCHEDULER`` set):
  each partition of the corpus (a run of consecutive files, :mod:`analysis.store`) is
  read, decoded, cleaned, outlined and segmented on a worker, which writes its Parquet
  files to the store. The speech files must be where the workers can read them (a shared
  file system), and the store (``store=`` or ``SPEECHES_STORE``) a folder they share or an
  fsspec URL they can all write (``s3://``, ``gs://``: :class:`analysis.corpus.store.RemoteStore`);
* :func:`analysis.corpus_tokens` with ``client=`` returns the tokens as a
  ``dask.dataframe`` over those files, without gathering them; the count-based analyses
  (:func:`analysis.frequencies`, :func:`analysis.keyness` counts, :func:`analysis.term_trends`,
  :func:`analysis.counts.dtm`) take it as they take a frame: each partition is counted on
  its worker (partitions hold whole speeches, so a count per speech is exact there) and
  only the counts come back.

What is not: the corpus table (one row per speech, with its texts) is gathered in the
client, and the analyses that read positions (concordance, collocations, themes,
dispersion, formulas) take pandas tokens, as for one machine.

Nothing of Dask is imported unless a client is given or the setting asks for one: the
engine is dask.distributed (not a scheduler of our own), with its nanny, which ends the
workers of a client that dies.
"""
from __future__ import annotations

import itertools
import os
import re
import uuid

import pandas as pd

SCHEDULER_SETTING = "SPEECHES_DASK_SCHEDULER"
STORE_SETTING = "SPEECHES_STORE"


def default_client():
    """The cluster the setting names (``SPEECHES_DASK_SCHEDULER=tcp://host:8786``), connected
    once per process; None when it is unset (and then dask is not imported)."""
    global _CLIENT
    address = os.environ.get(SCHEDULER_SETTING, "").strip()
    if not address:
        return None
    if _CLIENT is None or _CLIENT.status in ("closed", "closing"):
        from dask.distributed import Client

        if not re.match(r"^(?:(?:tcp|tls|inproc|ucx|ws|wss)://)?[^/\s]+$", address):
            raise ValueError(f"{SCHEDULER_SETTING}={address!r} is not a Dask scheduler's address: give "
                             "tcp://host:8786 (the scheduler's port, not its dashboard's http:// one), or unset "
                             f"{SCHEDULER_SETTING} to work on this machine")
        try:
            _CLIENT = Client(address, timeout=CONNECT_TIMEOUT)
        except (OSError, TimeoutError) as exc:
            raise ConnectionError(f"no Dask scheduler answers at {address}, the address {SCHEDULER_SETTING} "
                                  f"gives ({type(exc).__name__}: {exc}): start the scheduler, correct the "
                                  f"setting, or unset it to work on this machine") from exc
    return _CLIENT


# Seconds to wait for the scheduler SPEECHES_DASK_SCHEDULER names (Dask's default is 30).
CONNECT_TIMEOUT = 10


_CLIENT = None


def is_dask(frame) -> bool:
    """Whether ``frame`` is a ``dask.dataframe`` (without importing dask when it is not)."""
    module = type(frame).__module__
    return module.startswith("dask") and hasattr(frame, "map_partitions")


def run_jobs(client, jobs: list) -> list:
    """Run the pipeline's partition jobs (:class:`analysis.pipeline.Job`) on the client's
    workers, largest first; returns their results in the jobs' order. A store held in this
    process's memory (``memory://``) needs workers in this process (a threaded cluster):
    with worker processes, a clear error says so before any work is sent (their writes
    would land in their own memory, and the partitions would then read as missing)."""
    held = next((job.store for job in jobs if job.store is not None and job.store.in_process), None)
    if held is not None and set(client.run(os.getpid).values()) != {os.getpid()}:
        raise ValueError(f"store {held.root!r} is held in this process's memory (memory://), which the cluster's "
                         "worker processes cannot see: give load_corpus a store= folder or URL they share, "
                         "or use a threaded cluster (LocalCluster(processes=False))")
    order = sorted(range(len(jobs)), key=lambda i: -jobs[i].size)
    # Keys unique to this run: a partition whose task erred (a stale worker, a killed one)
    # while its future was still held would otherwise be given back erred to the next load.
    run = uuid.uuid4().hex[:8]
    futures = client.map(_run, [jobs[i] for i in order],
                         key=[f"speeches-partition-{jobs[i].name}-{run}" for i in order], pure=False)
    results = client.gather(futures)
    out: list = [None] * len(jobs)
    for i, result in zip(order, results):
        out[i] = result
    return out


def _run(job):
    return job()


def token_dataframe(stored, corpus: pd.DataFrame):
    """The tokens of ``corpus`` as a ``dask.dataframe`` over the store's token files (one
    partition per store partition, in corpus order; string columns categorical, each
    partition with its own categories). Its index is the local frame's: 0, 1, 2, … over the
    whole table, each partition's rows numbered from where the one before ended, so that
    ``.compute()`` gives the rows and the index of :func:`analysis.corpus_tokens` without a
    client. Those starts come from the partitions' row counts in the manifest; for a part of
    the corpus, the workers first count its tokens in each file (its speech_id column alone)."""
    import dask.dataframe as dd

    from ..text.segment import token_frame

    store = stored.store
    # A store at a URL is read through its fsspec file system (each object's size checked
    # against its record: analysis.corpus.store.RemoteStore); a folder by its paths.
    sources = list(stored.partitions) if store.remote else \
        [str(store.table_path(p.name, "tokens")) for p in stored.partitions]
    if stored.inline:
        raise ValueError("the store could not be written, so there are no token files for the workers to "
                         "read: give load_corpus a store= folder or URL the workers share")
    wanted = set(corpus["speech_id"])
    wanted = wanted if len(wanted) < len(stored.speech_ids) else None  # None: the whole corpus
    meta = token_frame(_empty_tokens())

    def table(source, columns=None):
        import pyarrow.parquet as pq

        from .store import schemas

        if store.remote:
            return store.read(source, "tokens", columns)
        names = [f.name for f in schemas()["tokens"] if str(f.type).startswith("dictionary")]
        return pq.read_table(source, columns=columns, read_dictionary=names, page_checksum_verification=True)

    def read(source, start: int) -> pd.DataFrame:
        frame = token_frame(table(source))
        if wanted is not None:
            frame = frame[frame["speech_id"].isin(wanted)]
        frame.index = pd.RangeIndex(start, start + len(frame))
        return frame

    def count(source) -> int:
        ids = table(source, ["speech_id"]).column("speech_id").to_pandas()
        return int(ids.isin(wanted).sum())

    if wanted is None:
        rows = [p.files["tokens"]["rows"] for p in stored.partitions]
    else:
        import dask

        rows = list(dask.compute(*[dask.delayed(count)(source) for source in sources]))
    starts = [0, *itertools.accumulate(rows)][:-1]
    # Divisions (each partition's first index, and the last's last) when every partition has rows.
    divisions = tuple(starts) + (sum(rows) - 1,) if rows and all(rows) else None
    return dd.from_map(read, sources, starts, meta=meta, divisions=divisions, enforce_metadata=False)


def _empty_tokens():
    from .store import schemas

    return schemas()["tokens"].empty_table()


def map_counts(tokens, count):
    """``count(frame)`` on each partition of ``tokens`` (a dask dataframe) on the workers,
    the results concatenated (``count`` may return a frame, or a dict of frames concatenated
    key by key); for a pandas frame, ``count(tokens)``. What ``count`` returns must be rows
    that can be summed across partitions (counts per speech or per term)."""
    if not is_dask(tokens):
        return count(tokens)
    import dask

    results = dask.compute(*[dask.delayed(count)(part) for part in tokens.to_delayed()])
    empty = count(tokens._meta)
    if isinstance(empty, dict):
        return {k: pd.concat([r[k] for r in results] or [empty[k]], ignore_index=True) for k in empty}
    return pd.concat([r for r in results] or [empty], ignore_index=True)


def map_speeches(client, corpus: pd.DataFrame, find, batch: int = 64) -> pd.DataFrame:
    """``find(rows)`` on batches of ``batch`` speeches of ``corpus`` on the client's workers
    (an extractor that reads texts: formulas, campaign names), the results concatenated in
    corpus order."""
    batches = [corpus.iloc[i:i + batch] for i in range(0, len(corpus), batch)]
    results = client.gather(client.map(find, batches, pure=False))
    results = [r for r in results if r is not None and len(r)]
    return pd.concat(results, ignore_index=True) if results else find(corpus.iloc[:0])
