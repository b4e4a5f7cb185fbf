"""The corpus-level tables, each computed once: the outline of every speech (the parts) and
every speech's tokens joined to its parts.

``corpus_outline(corpus)`` and ``corpus_tokens(corpus)`` are cached on disk (see
:mod:`analysis.cache`): a speech whose text, code versions, user dictionary, stopwords, alias
groups and library versions are unchanged is never outlined or segmented again; the speeches
that need segmenting are spread over ``workers`` processes when there is enough text to pay
for them. The result is the same whichever path produced it. Analyses take these tables
(``parts=``, ``tokens=``) instead of rebuilding them.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from .cache import ParquetStore, cached_map, digest
from .cleaning import CLEANER_VERSION
from .outline import OUTLINE_COLUMNS, OUTLINE_VERSION, assign_parts, outline
from .parallel import default_workers, parallel_map, show_progress
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
PARTS_COLUMNS = ["speech_id", *OUTLINE_COLUMNS]


def speech_tokens(text: str, simplified: str | None = None,
                  parts: pd.DataFrame | None = None) -> pd.DataFrame:
    """Tokens of one speech joined to its outline: :func:`analysis.tokenize` plus ``part``,
    ``section`` and ``point``. ``parts`` is the speech's :func:`analysis.outline` (computed
    when not given)."""
    return assign_parts(tokenize(text, simplified), outline(text) if parts is None else parts)


def token_key(text: str, fingerprint: str | None = None) -> str:
    """The cache key of a speech's tokens: its text and everything else that changes them
    (code versions, user dictionary, stopwords, alias groups, jieba and OpenCC versions)."""
    fingerprint = resources_fingerprint() if fingerprint is None else fingerprint
    return digest("tokens", CLEANER_VERSION, SEGMENTER_VERSION, OUTLINE_VERSION, OPENCC_VERSION,
                  fingerprint, text)


def parts_key(text: str) -> str:
    """The cache key of a speech's outline: its text and the outline code's version."""
    return digest("parts", OUTLINE_VERSION, text)


def _from_table(table: pa.Table, columns: list[str], dtypes: dict) -> pd.DataFrame:
    """A cached table as a frame, column by column: strings stay in Arrow (no Python object
    per token), nullable integers are built from values and validity directly (``to_pandas``
    would detour through float)."""
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
            if array.type != pa.int64():
                array = array.cast(pa.int64())
            # The values buffer as it is: where the mask says NA, its contents do not matter.
            values = np.frombuffer(array.buffers()[1], dtype=np.int64)[array.offset:array.offset + len(array)] \
                if len(array) else np.empty(0, dtype=np.int64)
            data[name] = pd.arrays.IntegerArray(values.copy(),
                                                array.is_null().to_numpy(zero_copy_only=False))
        else:
            data[name] = column.to_numpy().astype(dtype, copy=False)
    return pd.DataFrame(data, copy=False)


# ---------------------------------------------------------------- the parts (outline)
_PARTS_DTYPES = {"part": STRING, "section": "Int64", "point": "Int64", "label": STRING,
                 "title": STRING, "start": "int64", "end": "int64", "n_chars": "int64"}


_PARTS_SCHEMA = pa.schema([("part", pa.large_string()), ("section", pa.int64()), ("point", pa.int64()),
                           ("label", pa.large_string()), ("title", pa.large_string()),
                           ("start", pa.int64()), ("end", pa.int64()), ("n_chars", pa.int64())])


def _outline_table(text: str) -> pa.Table:
    frame = outline(text).reindex(columns=OUTLINE_COLUMNS)
    frame = frame.astype({"part": object, "section": "Int64", "point": "Int64", "start": "int64",
                          "end": "int64", "n_chars": "int64"})
    frame["label"] = frame["label"].fillna("").astype(str)
    frame["title"] = frame["title"].fillna("").astype(str)
    return pa.Table.from_pandas(frame, schema=_PARTS_SCHEMA, preserve_index=False)


def corpus_outline(corpus: pd.DataFrame, *, cache: bool = True) -> pd.DataFrame:
    """The parts table: the outline (:func:`analysis.outline`) of every speech, one row per
    part, ``speech_id`` first, in corpus and reading order. Cached on disk per speech and per
    corpus, so the analyses that place hits in a speech's sections read it instead of
    rebuilding it.

    Columns: ``speech_id``, ``part`` (salutation, preamble, section, point, closing),
    ``section``, ``point`` (Int64), ``label``, ``title``, ``start``, ``end`` (offsets in
    ``text``) and ``n_chars`` (Han characters).
    """
    if corpus.empty:
        return pd.DataFrame(columns=PARTS_COLUMNS)
    texts = corpus["text"].tolist()

    def compute(todo: list[int], store: bool) -> list[pa.Table]:
        tables = []
        for i in todo:
            table = _outline_table(texts[i])
            if store:
                ParquetStore("parts").put(keys[i], table)
            tables.append(table)
        return tables

    keys = [parts_key(text) for text in texts]
    table = cached_map("parts", keys, compute, cache=cache, labels=corpus["speech_id"].tolist())
    return _from_table(table, PARTS_COLUMNS, {"speech_id": STRING, **_PARTS_DTYPES})


def parts_of(parts: pd.DataFrame, speech_id: str) -> pd.DataFrame:
    """One speech's rows of a parts table, as :func:`analysis.outline` returns them."""
    rows = parts[parts["speech_id"] == speech_id]
    return rows.drop(columns="speech_id").reset_index(drop=True)


# ---------------------------------------------------------------- the tokens
def _segment_one(args: tuple[str, str, pd.DataFrame, str | None]) -> pa.Table:
    """Segment one speech and, given a cache key, store its entry (in the worker, so that
    cache writes run in parallel too)."""
    text, simplified, parts, key = args
    table = pa.Table.from_pandas(speech_tokens(text, simplified, parts), preserve_index=False)
    if key is not None:
        ParquetStore("tokens").put(key, table)
    return table


def corpus_tokens(corpus: pd.DataFrame, *, cache: bool = True, workers: int | None = None,
                  progress: bool | None = None, parts: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every speech's tokens, ``speech_id`` first, in corpus order.

    Columns: ``speech_id``, the :func:`analysis.tokenize` columns (token, simplified, term,
    start, end, pos, is_stop, is_punct) and the speech part each token falls in (part,
    section, point). ``corpus`` is the frame of :func:`analysis.load_corpus`; ``parts`` its
    :func:`corpus_outline` (read from the cache when not given).

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
    fingerprint = resources_fingerprint()
    keys = [token_key(text, fingerprint) for text, _ in texts]

    def compute(todo: list[int], store: bool) -> list[pa.Table]:
        table = corpus_outline(corpus, cache=cache) if parts is None else parts
        by_speech = {sid: rows.drop(columns="speech_id").reset_index(drop=True)
                     for sid, rows in table.groupby("speech_id", sort=False)}
        empty = table.iloc[:0].drop(columns="speech_id")
        jobs = [(*texts[i], by_speech.get(speech_ids[i], empty), keys[i] if store else None)
                for i in todo]
        return parallel_map(_segment_one, jobs, sizes=[len(texts[i][0]) for i in todo],
                            workers=workers, progress=show_progress(len(todo), progress),
                            desc="segmenting", warm=_tokenizers)

    table = cached_map("tokens", keys, compute, cache=cache, labels=speech_ids)
    return _from_table(table, CORPUS_TOKEN_COLUMNS, CORPUS_TOKEN_DTYPES)


def place(speech_ids, positions, parts: pd.DataFrame) -> pd.DataFrame:
    """For each (speech, character offset), the part, section and point it falls in, read
    from a parts table (:func:`corpus_outline`) for the whole corpus at once.

    Returns a frame aligned with the inputs: ``part`` (salutation, preamble, section,
    closing; inside a point it says ``section``), ``section`` and ``point`` (Int64, NA
    outside them); all NA for an offset in no part (a line break between paragraphs).
    Vectorised (two sorted searches), so placing a million hits over ten thousand speeches
    costs no Python loop: the corpus-wide form of :func:`analysis.outline.locate`.
    """
    speech_ids = pd.Series(speech_ids, dtype=object).reset_index(drop=True)
    positions = np.asarray(positions, dtype=np.int64)
    categories = pd.unique(pd.concat([parts["speech_id"].astype(object), speech_ids], ignore_index=True))
    code_of = {sid: i for i, sid in enumerate(categories)}
    shift = np.int64(1) << np.int64(40)  # offsets stay far below 2**40
    query = speech_ids.map(code_of).to_numpy(dtype=np.int64) * shift + positions
    n = len(positions)
    part = np.full(n, None, dtype=object)
    section = pd.array([pd.NA] * n, dtype="Int64")
    point = pd.array([pd.NA] * n, dtype="Int64")
    for points in (False, True):
        rows = parts[(parts["part"] == "point") == points]
        if rows.empty:
            continue
        codes = rows["speech_id"].map(code_of).to_numpy(dtype=np.int64)
        starts = rows["start"].to_numpy(dtype=np.int64)
        ends = rows["end"].to_numpy(dtype=np.int64)
        keys = codes * shift + starts
        order = np.argsort(keys, kind="stable")
        keys, codes, starts, ends = keys[order], codes[order], starts[order], ends[order]
        at = np.searchsorted(keys, query, side="right") - 1
        ok = at >= 0
        at = np.where(ok, at, 0)
        ok &= (codes[at] * shift == query - positions) & (positions < np.maximum(ends[at], starts[at] + 1))
        if points:
            point[ok] = rows["point"].astype("Int64").array[order][at][ok]
        else:
            part[ok] = rows["part"].to_numpy(dtype=object)[order][at][ok]
            section[ok] = rows["section"].astype("Int64").array[order][at][ok]
    return pd.DataFrame({"part": pd.array(part, dtype=STRING), "section": section, "point": point})


def parts_by_speech(corpus: pd.DataFrame, parts: pd.DataFrame | None = None) -> dict[str, pd.DataFrame]:
    """Each speech's rows of the parts table (:func:`corpus_outline`, read from the cache when
    not given), as :func:`analysis.outline` returns them: for code that walks the speeches
    one by one. The table's rows are contiguous per speech, so this slices, not groups."""
    table = corpus_outline(corpus) if parts is None else parts
    ids = table["speech_id"].to_numpy(dtype=object)
    if not len(ids):
        return {}
    starts = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]])
    ends = np.r_[starts[1:], len(ids)]
    body = table.drop(columns="speech_id")
    return {ids[a]: body.iloc[a:b].reset_index(drop=True) for a, b in zip(starts, ends)}
