"""The corpora loaded in this process, known by a short key their frames carry in ``attrs``
(pandas copies ``attrs`` with every operation, so a frame carries the key only): the stored
tables a corpus was loaded from, found again by corpus_tokens, corpus_outline and the memo."""
from __future__ import annotations

import contextlib

import pandas as pd

from .cache import digest

# Stored tables of the corpora loaded in this process, by the frames' store key, so that
# corpus_tokens and corpus_outline find them (a frame's attrs hold the key only: pandas
# copies attrs with every operation).
_REGISTRY: dict[str, tuple] = {}
_REGISTRY_SIZE = 8


def register(frame: pd.DataFrame, stored, rebuild) -> None:
    key = digest("registered", *stored.speech_ids, *(p.name for p in stored.partitions), str(id(stored)))
    lengths = dict(zip(frame["speech_id"], frame["text"].str.len()))
    _REGISTRY[key] = (stored, rebuild, lengths)
    while len(_REGISTRY) > _REGISTRY_SIZE:
        _REGISTRY.pop(next(iter(_REGISTRY)))
    frame.attrs["store"] = key


def registered(frame: pd.DataFrame):
    """``(stored, rebuild, lengths)`` of the corpus a frame was loaded as, or None."""
    key = frame.attrs.get("store")
    return _REGISTRY.get(key) if isinstance(key, str) else None


# ---------------------------------------------------------------- docvars that travel

# The corpus frames whose tokens were made in this process, by a key the token table carries
# in attrs["corpus"], as quanteda's tokens carry their docvars: keyness(tokens, target="year
# >= 2013") and term_trends(tokens, terms, by="speaker") find the corpus columns without
# corpus=, and join them per speech when asked, never copied into every token row.
_CORPORA: dict[str, pd.DataFrame] = {}
_CORPORA_SIZE = 8


def remember_corpus(tokens, corpus: pd.DataFrame):
    """Mark ``tokens`` (a token table, or a dask dataframe of one) as made from ``corpus``;
    returns ``tokens``. The corpus is kept by reference (at most the last eight)."""
    key = digest("docvars", str(id(corpus)), *map(str, corpus["speech_id"]), *map(str, corpus.columns))
    _CORPORA.pop(key, None)
    _CORPORA[key] = corpus
    while len(_CORPORA) > _CORPORA_SIZE:
        _CORPORA.pop(next(iter(_CORPORA)))
    try:
        tokens.attrs["corpus"] = key
    except (AttributeError, TypeError):
        # A dask dataframe has no attrs: the key goes on the object itself (the frames
        # derived from it by operations do not carry it; pass corpus= to those).
        with contextlib.suppress(AttributeError, TypeError):
            object.__setattr__(tokens, _KEY_ATTRIBUTE, key)
    return tokens


_KEY_ATTRIBUTE = "_speeches_corpus_key"


def corpus_of(tokens) -> pd.DataFrame | None:
    """The corpus frame ``tokens`` were made from (:func:`analysis.corpus_tokens` marks them,
    with or without a Dask client), or None for tokens made otherwise (``tokenize``, a
    hand-made table) or whose corpus is no longer kept."""
    try:
        key = (getattr(tokens, "attrs", None) or {}).get("corpus")
    except AttributeError:
        key = None
    if key is None:
        key = tokens.__dict__.get(_KEY_ATTRIBUTE) if hasattr(tokens, "__dict__") else None
    return _CORPORA.get(key) if isinstance(key, str) else None


def docvars(tokens, corpus: pd.DataFrame | None) -> pd.DataFrame | None:
    """The corpus whose columns (docvars) a function of ``tokens`` reads: ``corpus`` when
    given, else the one the tokens came from (:func:`corpus_of`) if it holds every speech
    they hold (a table concatenated with other tokens keeps the first one's attrs), else None."""
    if corpus is not None:
        return corpus
    found = corpus_of(tokens)
    if found is None or not isinstance(tokens, pd.DataFrame) or "speech_id" not in tokens.columns:
        return found  # a dask dataframe of the corpus's own partitions
    ids = tokens["speech_id"]
    if isinstance(ids.dtype, pd.CategoricalDtype):
        present = ids.cat.categories[pd.unique(ids.cat.codes[ids.cat.codes >= 0])]
    else:
        present = pd.unique(ids.dropna())
    return found if set(present) <= set(found["speech_id"]) else None
