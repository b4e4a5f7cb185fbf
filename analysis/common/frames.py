"""Helpers for pandas frames that every layer counts with, written once: counts of the values
that occur, whether the column is plain or dictionary-encoded (Categorical), and a token
table in reading order with its paragraphs numbered."""
from __future__ import annotations

import os

import numpy as np
import pandas as pd


def value_counts(values: pd.Series, sort: bool = True, weights: np.ndarray | None = None) -> pd.Series:
    """``values.value_counts()`` of the values that occur, indexed by plain values: a
    categorical column (the token table's strings) would also list its categories that do
    not occur in ``values``, with count 0, in category order. ``weights``: how many each row
    stands for (a table of counts)."""
    if weights is not None:
        counts = pd.Series(weights, index=values.index).groupby(values.astype(object).to_numpy(), sort=False).sum()
        counts = counts[counts > 0]
        return counts.sort_values(ascending=False, kind="stable") if sort else counts
    counts = values.value_counts(sort=sort)
    if isinstance(values.dtype, pd.CategoricalDtype):
        counts = counts[counts > 0]
        counts.index = pd.Index(counts.index.astype(object), name=counts.index.name)
    return counts


def reading_order(tokens: pd.DataFrame) -> pd.DataFrame:
    """Tokens sorted by speech, then offset, with ``_speech`` (a code per speech; 0 for the
    tokens of one text, which have no ``speech_id``) and ``_para``, a number per paragraph
    that is unique across the corpus: a new speech starts one, and so does a token that does
    not start where the previous one ended (tokenize() leaves whitespace out, so that is a
    line break; in cleaned text the only other whitespace is a single space between Latin
    words or numbers, a harmless place to cut).

    >>> t = pd.DataFrame({"speech_id": ["b", "a", "a", "a"], "start": [0, 3, 0, 1], "end": [2, 5, 1, 2]})
    >>> reading_order(t)[["speech_id", "start", "_para"]].values.tolist()
    [['b', 0, 1], ['a', 0, 2], ['a', 1, 2], ['a', 3, 3]]
    """
    speech = pd.factorize(tokens["speech_id"])[0] if "speech_id" in tokens.columns else 0
    ordered = tokens.assign(_speech=speech)
    ordered = ordered.sort_values(["_speech", "start"], kind="stable").reset_index(drop=True)
    new_speech = ordered["_speech"].ne(ordered["_speech"].shift())
    gap = ordered["start"].ne(ordered["end"].shift())
    ordered["_para"] = (new_speech | gap).cumsum()
    return ordered


def use_system_arrow_pool() -> None:
    """Make the C library's malloc Arrow's allocator in this process, unless the user chose
    one with ``ARROW_DEFAULT_MEMORY_POOL``. pyarrow's wheels default to mimalloc, which gives
    freed pages back to the system and faults fresh zeroed ones in for the next buffer: on a
    cold load of 100 MB of speeches the process tree spent 7.5 s in the kernel with it against
    4.8 s with malloc, and its largest process peaked at 1,716 MiB against 1,449 MiB; a warm
    load of the same corpus took 2.8 s against 2.0 s (measured side by side, docs/scale.md).

    The whole of libarrow follows the variable, which ``import analysis`` sets when pyarrow
    is not yet imported (libarrow reads it once, then). Here, in a process that imported
    pyarrow first, only pyarrow's own default is switched (what it allocates from Python:
    Parquet reads, conversions); Arrow's C++ kernels keep the pool libarrow chose. Buffers
    already made keep the pool that made them, so switching at any point is safe. Called
    where the corpus pipeline starts, in the process that loads and in each worker."""
    import pyarrow as pa

    if os.environ.get("ARROW_DEFAULT_MEMORY_POOL"):  # the user's, or set by ``import analysis``
        return
    if pa.default_memory_pool().backend_name != "system":
        pa.set_memory_pool(pa.system_memory_pool())


def release_arrow_memory() -> None:
    """Give back to the system what Arrow's allocator keeps of the buffers freed since: after
    a corpus is read from Parquet and converted to pandas, an allocator holds on to the freed
    decoding buffers (mimalloc, pyarrow's default: about 350 MB after loading 100 MB of
    speeches, 430 MB more after their tokens), which a process then carries as if in use.
    With the system pool (:func:`use_system_arrow_pool`) this is glibc's ``malloc_trim``."""
    import pyarrow as pa

    pa.default_memory_pool().release_unused()
