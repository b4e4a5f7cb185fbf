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

import pandas as pd
import pyarrow as pa
from tqdm import tqdm

from . import config
from .cache import ParquetStore, digest
from .cleaning import CLEANER_VERSION
from .outline import OUTLINE_VERSION, assign_parts, outline
from .script import OPENCC_VERSION
from .segment import SEGMENTER_VERSION, STRING, TOKEN_COLUMNS, TOKEN_DTYPES, _tokenizers, resources_fingerprint, tokenize

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
    frame = assign_parts(tokenize(text, simplified), outline(text))
    return frame.astype({"part": STRING, "section": "Int64", "point": "Int64"})


def token_key(text: str, fingerprint: str | None = None) -> str:
    """The cache key of a speech's tokens: its text and everything else that changes them
    (code versions, user dictionary, stopwords, jieba and OpenCC versions)."""
    fingerprint = resources_fingerprint() if fingerprint is None else fingerprint
    return digest("tokens", CLEANER_VERSION, SEGMENTER_VERSION, OUTLINE_VERSION, OPENCC_VERSION,
                  fingerprint, text)


def _from_table(table: pa.Table, columns: list[str], dtypes: dict) -> pd.DataFrame:
    frame = table.to_pandas(types_mapper={pa.string(): STRING, pa.large_string(): STRING}.get)
    return frame[columns].astype(dtypes)


def _segment_one(args: tuple[str, str]) -> pd.DataFrame:
    text, simplified = args
    return speech_tokens(text, simplified)


def _segment(texts: list[tuple[str, str]], workers: int, progress: bool) -> list[pd.DataFrame]:
    """Segment (text, simplified) pairs, in parallel when it pays; results in input order."""
    n_chars = sum(len(t) for t, _ in texts)
    bar = tqdm(total=len(texts), desc="segmenting", unit="speech", disable=not progress)
    if workers <= 1 or len(texts) < 2 or n_chars < PARALLEL_MIN_CHARS:
        out = []
        for pair in texts:
            out.append(_segment_one(pair))
            bar.update()
        bar.close()
        return out
    _tokenizers()  # load jieba's dictionary once, before forking, so workers inherit it
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    # Chunks of a few speeches keep both cores busy without pickling one frame at a time.
    chunksize = max(1, min(16, len(texts) // (workers * 8) or 1))
    out = []
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        for frame in pool.map(_segment_one, texts, chunksize=chunksize):
            out.append(frame)
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
    bundles = ParquetStore("token-bundles")
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
    done = _segment([texts[i] for i in todo], workers, show_progress(len(todo), progress))
    for i, frame in zip(todo, done):
        frames[i] = frame
        if cache:
            entries.put(keys[i], pa.Table.from_pandas(frame, preserve_index=False))
    for speech_id, frame in zip(speech_ids, frames):
        frame.insert(0, "speech_id", speech_id)
    result = pd.concat(frames, ignore_index=True).astype(CORPUS_TOKEN_DTYPES)
    if cache:
        bundles.put(bundle_key, pa.Table.from_pandas(result, preserve_index=False))
    return result
