"""Repeated frames: the fixed wording a speech fills with different words again and again
(在…方面, 要…要…), found inside each speech (see :func:`repeated_frames`)."""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ..corpus.memo import corpus_memo
from .links import check_frame
from .shingles import HASH_BASE, prepare

# --------------------------------------------------------------------------- frames

FRAME_ANCHOR = 3
"""The shortest fixed part on either side of a frame's slot (characters)."""
FRAME_MIN_FIXED = 6
"""The fewest fixed characters (both sides together) a frame must have."""
FRAME_MAX_SLOT = 20
"""The longest slot (characters) between a frame's two fixed parts."""
FRAME_MIN_COUNT = 3
"""The fewest occurrences that make a frame; every occurrence fills the slot differently
(a phrase repeated with one variant is a repeat, not a frame)."""
# Between two characters of a frame there may be quotation marks, brackets, 、 and spaces,
# never the end of a clause.
_CLAUSE_BREAK = re.compile(r"[，,。；;：:！!？?\n]")
FRAME_COLUMNS = ["speech_id", "frame", "n", "slots", "starts", "n_fixed", "passage"]


@corpus_memo("repeated_frames")
def repeated_frames(corpus: pd.DataFrame, *, min_count: int = FRAME_MIN_COUNT, min_fixed: int = FRAME_MIN_FIXED,
           max_slot: int = FRAME_MAX_SLOT, passage_ids: bool = True) -> pd.DataFrame:
    """Repeated frames inside each speech: a fixed beginning and end with a slot that
    changes, used at least ``min_count`` times within one clause, each time with another
    slot (要著力在 … 上有新作為, 加強計生協工作是 … 的需要): the within-speech reuse that an
    alignment of passages, which needs long identical stretches, does not see.

    Found on the compared text (Simplified, punctuation left out; see the module's
    docstring): every pair of repeated ``FRAME_ANCHOR``-character strings at most
    ``max_slot`` characters apart in one clause is a candidate; a candidate seen at
    ``min_count`` places with as many different slots is grown on each side for as long
    as all its occurrences agree, so that its fixed parts are as long as they can be, and kept
    when they hold ``min_fixed`` characters or more together. A frame whose every occurrence lies inside
    a longer frame's is left out.

    Returns one row per frame: ``speech_id``, ``frame`` (fixed parts joined by …, in the
    speech's own script, from its first occurrence), ``n`` (occurrences), ``slots`` (what
    fills the slot at each, in order), ``starts`` (offsets in ``text`` of each occurrence),
    ``n_fixed`` and ``passage`` (the first occurrence's passage id). Sorted by ``n`` and
    ``n_fixed``, largest first.

    >>> from analysis import load_corpus
    >>> repeated_frames(load_corpus())[["frame", "n"]].values.tolist()[0]
    ['是要著力在…上有新作為', 5]
    """
    check_frame(corpus, "corpus")
    rows = []
    for sid, text, simplified in zip(corpus["speech_id"], corpus["text"], corpus["text_simplified"]):
        rows.extend(_speech_frames(str(sid), text, simplified, min_count, min_fixed, max_slot))
    frame = pd.DataFrame(rows, columns=FRAME_COLUMNS[:-1])
    frame = frame.assign(_first=[s[0] for s in frame["starts"]])
    frame = frame.sort_values(["n", "n_fixed", "speech_id", "_first"], ascending=[False, False, True, True],
                              kind="stable").drop(columns="_first").reset_index(drop=True)
    frame["passage"] = pd.Series([pd.NA] * len(frame), dtype="string")
    if passage_ids and len(frame):
        from ..corpus.passages import passage_ids as ids

        used = corpus[corpus["speech_id"].astype(str).isin(set(frame["speech_id"]))]
        frame["passage"] = ids(frame["speech_id"], [s[0] for s in frame["starts"]], used).to_numpy()
    return frame


def _speech_frames(sid: str, text: str, simplified: str, min_count: int, min_fixed: int,
                   max_slot: int) -> list[tuple]:
    doc = prepare(simplified, {}, ())
    c = doc.codes
    n = len(c)
    k = FRAME_ANCHOR
    if n < 2 * k + 1:
        return []
    # Clause number of each compared character: a frame never crosses a clause's end.
    breaks = np.zeros(len(text) + 1, dtype=np.int64)
    for m in _CLAUSE_BREAK.finditer(text):
        breaks[m.start() + 1] += 1
    clause = np.cumsum(breaks)[doc.index]
    h = np.zeros(n - k + 1, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(k):
            h = h * HASH_BASE + c[j:j + n - k + 1].astype(np.uint64)
    values, inverse, counts = np.unique(h, return_inverse=True, return_counts=True)
    repeated = counts[inverse] >= min_count
    left_pos = np.flatnonzero(repeated)
    cands = []
    for gap in range(1, max_slot + 1):
        q = left_pos + k + gap
        ok = q <= n - k
        p_, q_ = left_pos[ok], q[ok]
        ok = repeated[q_] & (clause[p_] == clause[q_ + k - 1])
        cands.append(np.stack([p_[ok], q_[ok]], axis=1))
    pairs = np.concatenate(cands) if cands else np.zeros((0, 2), dtype=np.int64)
    if not len(pairs):
        return []
    # The nearest right anchor of each kind for each left occurrence.
    key_l = inverse[pairs[:, 0]]
    key_r = inverse[pairs[:, 1]]
    order = np.lexsort((pairs[:, 1], key_r, pairs[:, 0]))
    pairs, key_l, key_r = pairs[order], key_l[order], key_r[order]
    first = np.concatenate([[True], (pairs[1:, 0] != pairs[:-1, 0]) | (key_r[1:] != key_r[:-1])])
    pairs, key_l, key_r = pairs[first], key_l[first], key_r[first]
    group = key_l.astype(np.int64) * len(values) + key_r
    order = np.lexsort((pairs[:, 0], group))
    group, pairs = group[order], pairs[order]
    bounds = np.flatnonzero(np.concatenate([[True], group[1:] != group[:-1], [True]]))
    found: dict[tuple, tuple] = {}
    for lo, hi in zip(bounds[:-1].tolist(), bounds[1:].tolist()):
        if hi - lo < min_count:
            continue
        occ = pairs[lo:hi]
        # Occurrences must not overlap one another.
        occ = occ[np.concatenate([[True], occ[1:, 0] >= occ[:-1, 1] + k])]
        if len(occ) < min_count:
            continue
        grown = _grow(c, clause, occ[:, 0].copy(), occ[:, 0] + k, occ[:, 1].copy(), occ[:, 1] + k)
        if grown is None:
            continue
        l0, l1, r0, r1 = grown
        fixed = int(l1[0] - l0[0] + r1[0] - r0[0])
        if fixed < min_fixed:
            continue
        slots = {c[a:b].tobytes() for a, b in zip(l1, r0)}
        if len(slots) < len(occ):
            continue
        spans = tuple((int(a), int(b)) for a, b in zip(l0, r1))
        found.setdefault(spans, (l0, l1, r0, r1, fixed))
    # Leave out a frame whose occurrences all lie inside another's.
    kept = []
    for spans, value in sorted(found.items(), key=lambda x: (-len(x[0]), -x[1][4], x[0])):
        inside = any(all(any(s0 <= a and b <= s1 for s0, s1 in other) for a, b in spans) for other, _ in kept)
        if not inside:
            kept.append((spans, value))
    rows = []
    idx = doc.index
    for spans, (l0, l1, r0, r1, fixed) in kept:
        s_l0, s_l1 = int(idx[l0[0]]), int(idx[l1[0] - 1]) + 1
        s_r0, s_r1 = int(idx[r0[0]]), int(idx[r1[0] - 1]) + 1
        label = f"{text[s_l0:s_l1]}…{text[s_r0:s_r1]}"
        slots = [text[int(idx[a - 1]) + 1:int(idx[b])] for a, b in zip(l1, r0)]
        starts = [int(idx[a]) for a in l0]
        rows.append((sid, label, len(spans), slots, starts, fixed))
    return rows


def _grow(c, clause, l0, l1, r0, r1):
    """Grow a frame's fixed parts while all occurrences agree: the left part leftwards and
    into the slot, the right part rightwards and into the slot (a slot keeps ≥ 1 character)."""
    n = len(c)
    while (l0 > 0).all() and len(set(c[l0 - 1].tolist())) == 1 and (clause[l0 - 1] == clause[l0]).all():
        l0 = l0 - 1
    while (r1 < n).all() and len(set(c[r1].tolist())) == 1 and (clause[r1] == clause[r1 - 1]).all():
        r1 = r1 + 1
    while (r0 - l1 > 1).all() and len(set(c[l1].tolist())) == 1:
        l1 = l1 + 1
    while (r0 - l1 > 1).all() and len(set(c[r0 - 1].tolist())) == 1:
        r0 = r0 - 1
    l0, l1, r0, r1 = _whole_numbers(c, l0, l1, r0, r1)
    # Every part and slot non-empty and the occurrences apart.
    if (l1 <= l0).any() or (r1 <= r0).any() or (r0 <= l1).any() or (l0[1:] < r1[:-1]).any():
        return None
    return l0, l1, r0, r1


def _whole_numbers(c, l0, l1, r0, r1):
    """The fixed parts cut back so that none ends inside a number: where the occurrences
    agree on a number's first digits (2012, 2013, 2014 share 201), those digits go with the
    rest of the number, to the slot or out of the frame. The fixed parts read alike at every
    occurrence, so each moves by the same count of characters everywhere."""
    n = len(c)

    def digit(positions):
        inside = (positions >= 0) & (positions < n)
        return inside & (c[np.clip(positions, 0, n - 1)] >= 48) & (c[np.clip(positions, 0, n - 1)] <= 57)

    # the right part's end, then the left part's start: out of the frame
    while (r1 > r0).all() and digit(r1 - 1).all() and digit(r1).any():
        r1 = r1 - 1
    while (l1 > l0).all() and digit(l0).all() and digit(l0 - 1).any():
        l0 = l0 + 1
    # the ends facing the slot: into the slot
    while (l1 > l0).all() and digit(l1 - 1).all() and digit(l1).any():
        l1 = l1 - 1
    while (r1 > r0).all() and digit(r0).all() and digit(r0 - 1).any():
        r0 = r0 + 1
    return l0, l1, r0, r1
