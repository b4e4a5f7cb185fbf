"""Corpus-level segmentation: cached on disk, parallel across processes, with progress.

``corpus_tokens(corpus)`` returns every speech's tokens joined to its outline. A speech whose
text, code versions, user dictionary, stopwords and library versions are unchanged is never
segmented again (see :mod:`analysis.cache`); the speeches that need segmenting are spread
over ``workers`` processes when there is enough text to pay for them. The result is the same
whichever path produced it.
"""
from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pandas as pd
import pyarrow as pa
from tqdm import tqdm

from . import config
from .cache import ArrowStore, ParquetStore, digest
from .cleaning import CLEANER_VERSION
from .outline import OUTLINE_VERSION, assign_parts, outline
from .script import OPENCC_VERSION
from .segment import (
    SEGMENTER_VERSION,
    STRING,
    TOKEN_COLUMNS,
    TOKEN_DTYPES,
    _tokenizers,
    resources_fingerprint,
    tokenize,
)

CORPUS_TOKEN_COLUMNS = ["speech_id", *TOKEN_COLUMNS, "part", "section", "point"]
CORPUS_TOKEN_DTYPES = {"speech_id": STRING, **TOKEN_DTYPES, "part": STRING,
                       "section": "Int64", "point": "Int64"}
SPEECH_TOKEN_DTYPES = {k: v for k, v in CORPUS_TOKEN_DTYPES.items() if k != "speech_id"}
# Below this much text to segment, starting processes costs more than it saves.
PARALLEL_MIN_CHARS = 200_000
# Progress bars appear on passes over more speeches than this (never in headless runs).
PROGRESS_MIN_SPEECHES = 5


def show_progress(n_items: int, progress: bool | None) -> bool:
    """Whether a pass over ``n_items`` speeches shows a progress bar."""
    if progress is not None:
        return progress
    return n_items > PROGRESS_MIN_SPEECHES and not config.headless()


def default_workers() -> int:
    """The machine's cores available to this process."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def speech_tokens(text: str, simplified: str | None = None) -> pd.DataFrame:
    """Tokens of one speech joined to its outline: :func:`analysis.tokenize` plus ``part``,
    ``section`` and ``point``."""
    return assign_parts(tokenize(text, simplified), outline(text))


def token_key(text: str, fingerprint: str | None = None) -> str:
    """The cache key of a speech's tokens: its text and everything else that changes them
    (code versions, user dictionary, stopwords, jieba and OpenCC versions)."""
    fingerprint = resources_fingerprint() if fingerprint is None else fingerprint
    return digest("tokens", CLEANER_VERSION, SEGMENTER_VERSION, OUTLINE_VERSION, OPENCC_VERSION,
                  fingerprint, text)


def _from_table(table: pa.Table, columns: list[str], dtypes: dict) -> pd.DataFrame:
    """A cached token table as the frame :func:`corpus_tokens` returns, column by column:
    strings stay in Arrow (no Python object per token), nullable integers are built from
    values and validity directly (``to_pandas`` would detour through float)."""
    data = {}
    for name in columns:
        column = table.column(name)
        dtype = dtypes[name]
        if dtype is STRING:
            if not pa.types.is_large_string(column.type):
                column = column.cast(pa.large_string())
            data[name] = pd.arrays.ArrowStringArray(column)  # wraps the Arrow data, no copy
        elif dtype == "Int64":
            array = column.combine_chunks()
            # The values buffer as it is: where the mask says NA, its contents do not matter.
            values = np.frombuffer(array.buffers()[1], dtype=np.int64)[array.offset:array.offset + len(array)]
            data[name] = pd.arrays.IntegerArray(values.copy(),
                                                array.is_null().to_numpy(zero_copy_only=False))
        else:
            data[name] = column.to_numpy().astype(dtype, copy=False)
    return pd.DataFrame(data, copy=False)


def _segment_one(args: tuple[str, str, str | None]) -> pd.DataFrame:
    """Segment one speech and, given a cache key, store its entry (in the worker, so that
    cache writes run in parallel too)."""
    text, simplified, key = args
    frame = speech_tokens(text, simplified)
    if key is not None:
        ParquetStore("tokens").put(key, pa.Table.from_pandas(frame, preserve_index=False))
    return frame


def parallel_map(func, items: list, *, sizes: list[int], workers: int, progress: bool,
                 desc: str, warm=None) -> list:
    """``[func(item) for item in items]``, in order, across ``workers`` processes when the
    items' total ``sizes`` (characters) reach ``PARALLEL_MIN_CHARS``, with a progress bar.

    ``warm`` runs once before the processes fork, so that they inherit what it loads (jieba's
    dictionary) instead of each loading it again.
    """
    bar = tqdm(total=len(items), desc=desc, unit="speech", disable=not progress)
    if workers <= 1 or len(items) < 2 or sum(sizes) < PARALLEL_MIN_CHARS:
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
    chunksize = max(1, min(16, len(items) // (workers * 8) or 1))
    out = []
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        for result in pool.map(func, items, chunksize=chunksize):
            out.append(result)
            bar.update()
    bar.close()
    return out


def corpus_tokens(corpus: pd.DataFrame, *, cache: bool = True, workers: int | None = None,
                  progress: bool | None = None) -> pd.DataFrame:
    """Every speech's tokens, ``speech_id`` first, in corpus order.

    Columns: ``speech_id``, the :func:`analysis.tokenize` columns (token, simplified, start,
    end, pos, is_stop, is_punct) and the speech part each token falls in (part, section,
    point). ``corpus`` is the frame of :func:`analysis.load_corpus`.

    ``cache`` reads and writes the token cache under ``CACHE_DIR``; ``workers`` (default:
    the machine's cores) is how many processes segment uncached speeches when there are
    more than ``PARALLEL_MIN_CHARS`` characters of them; ``progress`` forces the progress
    bar on or off (default: on for more than a few speeches, off in headless runs).
    """
    if corpus.empty:
        return pd.DataFrame(columns=CORPUS_TOKEN_COLUMNS).astype(CORPUS_TOKEN_DTYPES)
    workers = default_workers() if workers is None else max(1, int(workers))
    speech_ids = corpus["speech_id"].tolist()
    texts = list(zip(corpus["text"], corpus["text_simplified"]))
    entries = ParquetStore("tokens")
    bundles = ArrowStore("token-bundles")
    fingerprint = resources_fingerprint()
    keys = [token_key(text, fingerprint) for text, _ in texts]
    bundle_key = digest(*speech_ids, *keys)
    if cache:
        table = bundles.get(bundle_key)
        if table is not None:
            return _from_table(table, CORPUS_TOKEN_COLUMNS, CORPUS_TOKEN_DTYPES)

    frames: list[pd.DataFrame | None] = [None] * len(texts)
    if cache:
        for i, key in enumerate(keys):
            table = entries.get(key)
            if table is not None:
                frames[i] = _from_table(table, CORPUS_TOKEN_COLUMNS[1:], SPEECH_TOKEN_DTYPES)
    todo = [i for i, frame in enumerate(frames) if frame is None]
    jobs = [(*texts[i], keys[i] if cache else None) for i in todo]
    done = parallel_map(_segment_one, jobs, sizes=[len(texts[i][0]) for i in todo],
                        workers=workers, progress=show_progress(len(todo), progress),
                        desc="segmenting", warm=_tokenizers)
    for i, frame in zip(todo, done):
        frames[i] = frame
    for speech_id, frame in zip(speech_ids, frames):
        frame.insert(0, "speech_id", speech_id)
    result = pd.concat(frames, ignore_index=True).astype(CORPUS_TOKEN_DTYPES, copy=False)
    del frames, done  # the per-speech frames: at 20 MB of text they are hundreds of MB
    if cache:
        bundles.put(bundle_key, pa.Table.from_pandas(result, preserve_index=False))
    return result
