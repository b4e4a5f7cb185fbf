"""Citable passage ids: where in a speech a hit sits, as a reader would cite it.

A passage id is ``<speech_id>:<locus>:s<k>``:

* ``locus`` is the part of the outline (:func:`analysis.outline`) the offset falls in:
  ``2.1`` for point 1 of section 2, ``2`` for the text of section 2 outside its points,
  ``pre`` for the preamble, ``sal`` for the salutation, ``end`` for the closing, and ``txt``
  for text in no part (a speech without an outline is all ``pre`` or ``txt``);
* ``k`` is the sentence within that locus, counted from 1 at the locus's start. Sentences
  end at 。！？!? (with any closing quotes or brackets after them) and at line breaks.

For example ``000_8ebf5a98b5b66884:2.1:s3`` is the third sentence of point 1 of section 2.
An id depends only on the speech's cleaned text and its outline: it is stable across runs,
and across cleaner versions for as long as the cleaned text is the same.
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

# The end of a sentence: terminal punctuation with what closes after it, or a line break.
SENTENCE_END = re.compile(r"[。！？!?]+[”’」』）)\"']*\n*|\n+")
_LOCUS = {"preamble": "pre", "salutation": "sal", "closing": "end"}
_SHIFT = np.int64(1) << np.int64(40)  # offsets stay far below 2**40


def sentence_ends(text: str) -> np.ndarray:
    """The offsets just after each sentence end of ``text`` (see :data:`SENTENCE_END`).

    >>> sentence_ends("一。二！\\n三").tolist()
    [2, 5]
    """
    return np.fromiter((m.end() for m in SENTENCE_END.finditer(text)), dtype=np.int64)


def passage_ids(speech_ids, positions, corpus: pd.DataFrame, parts: pd.DataFrame | None = None) -> pd.Series:
    """The passage id (see the module's docstring) of each ``(speech_id, position)``, where
    ``position`` is a character offset in the speech's ``text``.

    ``corpus`` is the frame of :func:`analysis.load_corpus` (its ``speech_id`` and ``text``);
    ``parts`` its :func:`analysis.corpus_outline` (computed when not given). Returns a string
    Series aligned with the inputs. Vectorised over the whole corpus: two sorted searches,
    and one regex pass over each speech that has a hit.

    >>> from analysis import load_corpus
    >>> corpus = load_corpus()
    >>> text = corpus["text"].iloc[0]
    >>> passage_ids([corpus["speech_id"].iloc[0]] * 2, [text.index("一是要著力在實現"), 0], corpus).tolist()
    ['000_8ebf5a98b5b66884:2.1:s1', '000_8ebf5a98b5b66884:sal:s1']
    """
    speech_ids = pd.Series(speech_ids, dtype=object).reset_index(drop=True)
    positions = np.asarray(positions, dtype=np.int64)
    if len(speech_ids) != len(positions):
        raise ValueError("passage_ids: speech_ids and positions differ in length")
    if not len(positions):
        return pd.Series([], dtype="string")
    if parts is None:
        from .pipeline import corpus_outline

        parts = corpus_outline(corpus)
    wanted = pd.unique(speech_ids)
    code_of = {sid: i for i, sid in enumerate(wanted)}
    unknown = set(wanted) - set(corpus["speech_id"])
    if unknown:
        raise KeyError(f"passage_ids: not in the corpus: {', '.join(sorted(map(str, unknown)))}")
    codes = speech_ids.map(code_of).to_numpy(dtype=np.int64)
    query = codes * _SHIFT + positions

    # The innermost part around each position: points first, then the other parts.
    locus = np.full(len(positions), "txt", dtype=object)
    locus_start = np.zeros(len(positions), dtype=np.int64)
    found = np.zeros(len(positions), dtype=bool)
    rows = parts[parts["speech_id"].isin(code_of)]
    for points in (True, False):
        chosen = rows[(rows["part"] == "point") == points]
        if chosen.empty:
            continue
        labels = _labels(chosen)
        keys = chosen["speech_id"].map(code_of).to_numpy(dtype=np.int64) * _SHIFT \
            + chosen["start"].to_numpy(dtype=np.int64)
        ends = chosen["speech_id"].map(code_of).to_numpy(dtype=np.int64) * _SHIFT \
            + chosen["end"].to_numpy(dtype=np.int64)
        order = np.argsort(keys, kind="stable")
        keys, ends, labels = keys[order], ends[order], labels[order]
        at = np.searchsorted(keys, query, side="right") - 1
        ok = (at >= 0) & ~found
        at = np.where(at >= 0, at, 0)
        ok &= (keys[at] // _SHIFT == codes) & (query < np.maximum(ends[at], keys[at] + 1))
        locus[ok] = labels[at][ok]
        locus_start[ok] = keys[at][ok] - codes[ok] * _SHIFT
        found |= ok

    # Sentence ends of the speeches with hits, as one sorted key array.
    texts = dict(zip(corpus["speech_id"], corpus["text"]))
    bounds = np.concatenate([code_of[sid] * _SHIFT + sentence_ends(texts[sid]) for sid in wanted])
    bounds.sort()
    # Ends in (locus_start, position]: the sentences the locus finished before the position.
    before = np.searchsorted(bounds, query, side="right") \
        - np.searchsorted(bounds, codes * _SHIFT + locus_start, side="right")
    number = before + 1
    out = [f"{sid}:{loc}:s{k}" for sid, loc, k in zip(speech_ids, locus, number)]
    return pd.Series(out, dtype="string")


def _labels(parts: pd.DataFrame) -> np.ndarray:
    """The locus label of each row of a parts table."""
    out = []
    for part, section, point in zip(parts["part"], parts["section"], parts["point"]):
        if part == "point":
            out.append(f"{section}.{point}")
        elif part == "section":
            out.append(f"{section}")
        else:
            out.append(_LOCUS.get(part, "txt"))
    return np.array(out, dtype=object)


def with_passages(frame: pd.DataFrame, corpus: pd.DataFrame, parts: pd.DataFrame | None = None, *,
                  position: str = "start") -> pd.DataFrame:
    """``frame`` (rows with ``speech_id`` and an offset column ``position``) with a ``passage``
    column added: the citable id of each row's offset. An empty frame gets an empty column."""
    frame = frame.copy()
    frame["passage"] = (passage_ids(frame["speech_id"], frame[position], corpus, parts).to_numpy(dtype=object)
                        if len(frame) else pd.Series([], dtype=object))
    return frame


def text_passages(frame: pd.DataFrame, text: str, parts: pd.DataFrame, *, speech_id: str = "text",
                  position: str = "start") -> pd.DataFrame:
    """:func:`with_passages` for the rows of one text given as a string (``speech_id``
    "text", as the single-text functions name it); ``parts`` is its :func:`analysis.outline`."""
    corpus = pd.DataFrame({"speech_id": [speech_id], "text": [text]})
    table = parts.assign(speech_id=speech_id) if parts is not None else None
    rows = frame.assign(speech_id=speech_id)
    return with_passages(rows, corpus, table, position=position).drop(columns="speech_id")
