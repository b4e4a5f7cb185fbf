"""The corpora loaded in this process, known by a short key their frames carry in ``attrs``
(pandas copies ``attrs`` with every operation, so a frame carries the key only): the stored
tables a corpus was loaded from, found again by corpus_tokens, corpus_outline and the memo."""
from __future__ import annotations

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
