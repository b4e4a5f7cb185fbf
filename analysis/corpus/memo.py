"""Results of a whole corpus kept on disk, so that a notebook run again on the same corpus
reads them instead of computing them: extractors (formulas, campaign names, targets,
directives, theme hits, text reuse) and token counts (frequencies, n-grams, collocations,
keyness). What decides a result is in its key: the package's code and data files, the data
files its module points at, and a fingerprint of each argument.
"""
from __future__ import annotations

import contextlib
import json
import os
import sys
import warnings
from pathlib import Path

import pyarrow as pa

from .. import config
from ..common.warning import warn_user
from .cache import ArrowStore, code_digest, digest

MEMO_SETTING = "SPEECHES_MEMO"

_TEXT_COLUMNS = ("raw", "text", "text_simplified")


_KNOWN: dict[int, tuple] = {}
"""Fingerprints already taken in this process: ``id(frame)`` → (weak reference to the frame,
its checksums, its fingerprint)."""


def frame_fingerprint(frame) -> str:
    """A digest of a DataFrame's content, cheap for a corpus whose texts are in the store: a
    corpus frame :func:`analysis.load_corpus` returned is known by its store partitions
    (which are named by its files and the pipeline's code) plus its other columns; any other
    frame by all its values.

    A frame fingerprinted before in this process (a notebook's token table, passed to one
    memoised function after another) is checked instead of hashed again: each column's
    CRC-32 (three times quicker than SHA-256 here) and its categories must be as they were,
    so a value changed in place still changes the fingerprint. Frames with a column of
    Python objects are hashed each time."""
    import weakref

    checks = _checksums(frame)
    if checks is None:
        return _frame_fingerprint(frame)
    known = _KNOWN.get(id(frame))
    if known is not None and known[0]() is frame and known[1] == checks:
        return known[2]
    found = _frame_fingerprint(frame)
    key = id(frame)
    try:
        ref = weakref.ref(frame, lambda _: _KNOWN.pop(key, None))
    except TypeError:
        return found
    _KNOWN[key] = (ref, checks, found)
    return found


def _checksums(frame) -> tuple | None:
    """What :func:`frame_fingerprint` compares to trust a fingerprint taken before: the frame's
    shape, columns, dtypes, categories and a CRC-32 of every column's memory (and of the
    fingerprint of the corpus a token table belongs to); None where a column holds Python
    objects."""
    import zlib

    from .registry import corpus_of

    if frame.columns.has_duplicates:
        return None
    found: list = [frame.shape, tuple(map(str, frame.columns))]
    docs = corpus_of(frame)
    if docs is not None and docs is not frame:
        found.append(frame_fingerprint(docs))
    columns = []
    for column in frame.columns:
        buffers = _array_buffers(frame[column], exact=False)
        if buffers is None:
            return None
        columns.append((str(frame[column].dtype), buffers))
    every = [b for _, buffers in columns for b in buffers]
    if sum(memoryview(b).nbytes for b in every) > _THREADED_BYTES:
        # zlib releases the GIL on large buffers: the columns of a token table of tens of
        # millions of rows (a gigabyte) are checked on two threads at once.
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(2) as pool:
            crcs = iter(list(pool.map(zlib.crc32, every)))
    else:
        crcs = iter([zlib.crc32(b) for b in every])
    found += [(dtype, tuple(next(crcs) for _ in buffers)) for dtype, buffers in columns]
    return tuple(found)


_THREADED_BYTES = 64 << 20


def _frame_fingerprint(frame) -> str:
    parts: list[str | bytes] = [str(frame.shape), ",".join(map(str, frame.columns))]
    from .registry import corpus_of

    docs = corpus_of(frame)  # a token table's corpus columns decide what it groups by
    if docs is not None and docs is not frame:
        parts.append(frame_fingerprint(docs))
    texts = [c for c in _TEXT_COLUMNS if c in frame.columns]
    registered = None
    if texts and "speech_id" in frame.columns:
        from .registry import registered as find

        registered = find(frame)
    if registered is not None:
        stored = registered[0]
        parts += [p.name for p in stored.partitions]
        parts.append(_lengths(frame["text"]))  # an edited text changes its length
        rest = frame.drop(columns=texts)
    else:
        rest = frame
    for column in rest.columns:
        parts += _column_bytes(rest[column])
    return digest(*parts)


def _lengths(texts) -> bytes:
    """The length of each text in characters, as bytes to digest: counted in Arrow for an
    Arrow-backed column (a corpus frame's texts), without a Python string per text (at
    5,000 speeches that made 0.16 s of every memoised call, a dozen calls a notebook)."""
    import numpy as np
    import pyarrow.compute as pc

    data = getattr(texts.array, "_pa_array", None)
    if data is not None:
        counted = pc.utf8_length(data).to_numpy(zero_copy_only=False)
        return np.asarray(counted, dtype=np.int64).tobytes()
    return np.array([len(t) for t in texts], dtype=np.int64).tobytes()


_CATEGORIES: dict[int, tuple] = {}
"""A categorical's categories as bytes, by ``id`` of their Index (weak reference, bytes): an
Index cannot change in place, so its bytes are made once (a token table's 200,000 words took
5 ms to join on every memoised call, for each of three columns)."""


def _category_bytes(dtype) -> bytes:
    import weakref

    categories = dtype.categories
    key = id(categories)
    known = _CATEGORIES.get(key)
    if known is not None and known[0]() is categories:
        return known[1] if not dtype.ordered else b"ordered" + known[1]
    joined = "\x00".join(map(str, categories)).encode("utf-8", "surrogatepass")
    with contextlib.suppress(TypeError):   # an Index that takes no weak reference: not kept
        _CATEGORIES[key] = (weakref.ref(categories, lambda _: _CATEGORIES.pop(key, None)), joined)
    return joined if not dtype.ordered else b"ordered" + joined


def _memory(array) -> memoryview:
    """An array's bytes to hash without copying them (a copy when it is not contiguous)."""
    import numpy as np

    return memoryview(np.ascontiguousarray(array)).cast("B")


def _column_bytes(values) -> list:
    """A column's content as buffers to digest, without a Python object per row where the
    column has none: a categorical by its codes and categories, numbers by their memory,
    Arrow-backed strings by their buffers (a token table of millions of rows in milliseconds)."""
    import pandas as pd

    buffers = _array_buffers(values)
    if buffers is not None:
        return buffers
    # Each value hashed as it is (categorize=False): five times quicker than factorizing first
    # on columns of mostly distinct strings (a reuse table's passages), about as quick otherwise.
    try:
        return [_memory(pd.util.hash_pandas_object(values, index=False, categorize=False).to_numpy())]
    except TypeError:  # lists, dicts: their text
        return [_memory(pd.util.hash_pandas_object(values.astype(str), index=False, categorize=False).to_numpy())]


def _array_buffers(values, exact: bool = True) -> list | None:
    """The buffers of a column held in arrays (categorical, numbers, nullable numbers), to
    digest or to check by CRC without a Python object per row; None for a column of objects.
    ``exact=False`` (a check that the column is as it was, :func:`_checksums`) leaves what
    lies under a missing value as it is instead of copying the column to zero it: a change
    there only makes the caller take the fingerprint again, never a wrong one."""
    import numpy as np
    import pandas as pd

    dtype = values.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        return [b"cat", _category_bytes(dtype), _memory(values.cat.codes.to_numpy())]
    if isinstance(dtype, np.dtype) and dtype.kind in "biuf":
        return [dtype.str.encode(), _memory(values.to_numpy())]
    if isinstance(values.array, pd.arrays.IntegerArray | pd.arrays.BooleanArray | pd.arrays.FloatingArray):
        data, mask = values.array._data, values.array._mask
        if exact and mask.any():  # what lies under a missing value is no content (a cold load left other bytes there)
            data = np.where(mask, np.zeros((), dtype=data.dtype), data)
        return [str(dtype).encode(), _memory(data), _memory(mask)]
    return None


def corpus_memo(name: str):
    """Keep a function's result for a whole corpus on disk, so that a notebook run again on
    the same corpus reads it instead of computing it (its cost then no longer grows with the
    corpus). The key is the package's code and data (:func:`code_digest`) and the
    fingerprint of every argument (:func:`frame_fingerprint` for frames). The result is kept
    only when it reads back identical (types included); otherwise it is computed each time.
    ``cache=False`` as a keyword of the call skips the memo, and ``SPEECHES_MEMO=0`` skips it
    everywhere (the tests do, so that what they check is always computed)."""
    import functools

    def wrap(fn):
        @functools.wraps(fn)
        def inner(*args, **kwargs):
            import pandas as pd

            use = kwargs.pop("cache", True)
            if not use or os.environ.get(MEMO_SETTING) == "0":
                return fn(*args, **kwargs)
            try:
                key = digest(name, code_digest(), _data_stamp(), _module_files(fn), *(_fingerprint(a) for a in args),
                             *(f"{k}={_fingerprint(v)}" for k, v in sorted(kwargs.items())))
            except _Unkeyable:
                return fn(*args, **kwargs)
            store = ArrowStore(f"memo-{name}")
            try:
                table = store.get(key)
            except OSError:
                table = None
            if table is not None:
                _replay(table)
                return _frame(table)
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                result = fn(*args, **kwargs)
            for w in caught:  # shown as they would have been
                _again(w)
            try:
                table = pa.Table.from_pandas(result, preserve_index=False)
                with warnings.catch_warnings():
                    warnings.simplefilter("error")  # a None read back as <NA> is a difference
                    table = _with_na_columns(table, result)
                    pd.testing.assert_frame_equal(_frame(table), result)  # an index that means something is not kept
                said = json.dumps([[str(w.message), w.category.__module__, w.category.__qualname__] for w in caught],
                                  ensure_ascii=False)
                table = table.replace_schema_metadata({**(table.schema.metadata or {}), _MEMO_WARNINGS: said})
                store.put(key, table)
            except (AssertionError, pa.ArrowException, TypeError, ValueError, OSError, Warning):
                pass  # not kept: what reads back must be what was computed
            return result

        return inner

    return wrap


_NA_COLUMNS = b"speeches-memo-na-columns"


def _with_na_columns(table: pa.Table, frame) -> pa.Table:
    """``table`` recording which of ``frame``'s object columns mark a missing value with
    ``pd.NA`` (Arrow reads every missing value back as None)."""
    import pandas as pd

    marked = [c for c in frame.columns
              if frame[c].dtype == object and any(v is pd.NA for v in frame[c].to_numpy())]
    return table.replace_schema_metadata({**(table.schema.metadata or {}),
                                          _NA_COLUMNS: json.dumps(marked).encode()})


def _frame(table: pa.Table):
    """A kept table as the frame that was computed (``pd.NA`` back where it was)."""
    import pandas as pd

    frame = table.to_pandas()
    for column in json.loads((table.schema.metadata or {}).get(_NA_COLUMNS, b"[]")):
        values = frame[column].to_numpy(dtype=object)
        values[pd.isna(values)] = pd.NA
        frame[column] = values
    return frame


class _Unkeyable(Exception):
    pass


_MEMO_WARNINGS = b"speeches-memo-warnings"


def _again(caught: warnings.WarningMessage) -> None:
    """A warning caught while computing, given again as Python gave it: from the module of
    the frame it names, when that frame is still on the stack (the researcher's line). Given
    from its file's name alone, a ``DeprecationWarning`` pointing at a notebook cell or a
    script was hidden: Python shows one by default only in ``__main__``."""
    frame = sys._getframe(1)
    while frame is not None and frame.f_code.co_filename != caught.filename:
        frame = frame.f_back
    if frame is None:
        warnings.warn_explicit(caught.message, caught.category, caught.filename, caught.lineno)
        return
    warnings.warn_explicit(caught.message, caught.category, caught.filename, caught.lineno,
                           module=frame.f_globals.get("__name__"),
                           registry=frame.f_globals.setdefault("__warningregistry__", {}))


def _replay(table: pa.Table) -> None:
    """The warnings a kept result gave when it was computed, given again."""
    import importlib

    for message, module, qualname in json.loads((table.schema.metadata or {}).get(_MEMO_WARNINGS, b"[]")):
        try:
            category = importlib.import_module(module)
            for part in qualname.split("."):
                category = getattr(category, part)
        except (ImportError, AttributeError):
            category = UserWarning
        warn_user(message, category)


def _module_files(fn) -> str:
    """The data files the function's module names (its ``Path`` constants), as they are now:
    a test or a researcher pointing the module at another rules file changes the key."""
    found = []
    for name, value in sorted(fn.__globals__.items()):
        if isinstance(value, Path) and value.is_file():
            stat = value.stat()
            found.append(f"{name}={value}:{stat.st_size}:{stat.st_mtime_ns}")
    return digest(*found)


def _data_stamp() -> str:
    """The researcher's files as they are now (size and time of each): an edit made while
    a kernel runs changes the key at once (:func:`code_digest` is read once per process)."""
    folder = config.DATA_DIR
    return digest(*(f"{p.name}:{p.stat().st_size}:{p.stat().st_mtime_ns}"
                    for p in sorted(folder.iterdir()) if p.is_file()))


def _fingerprint(value) -> str:
    import pandas as pd

    if isinstance(value, pd.DataFrame):
        return frame_fingerprint(value)
    if isinstance(value, pd.Series):  # a column passed as a list of terms
        return "series:" + frame_fingerprint(value.to_frame(name=str(value.name)))
    if callable(getattr(value, "fingerprint", None)):  # a Reference
        return value.fingerprint()
    if value is None or isinstance(value, (str, int, float, bool, tuple, list, frozenset)):
        return repr(value)
    if isinstance(value, Path):
        return f"{value}:{value.stat().st_mtime_ns if value.exists() else ''}"
    raise _Unkeyable(type(value).__name__)
