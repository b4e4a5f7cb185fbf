"""Text reuse, the first steps: what is compared of each text (the local substitutions, the
boilerplate formulas), its shingles and winnowed fingerprints, and the inverted index that
proposes the pairs of documents worth aligning (see :mod:`analysis.reuse.links`)."""
from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass

import numpy as np

from ..common.datafiles import data_lines
from ..config import DATA_DIR
from ..text.chars import HAN

SUBSTITUTIONS = DATA_DIR / "reuse_substitutions.tsv"
BOILERPLATE = DATA_DIR / "reuse_boilerplate.txt"

NGRAM = 8
"""Shingle length in compared characters (passim's default is 5 words; 8 characters is about
four Chinese words)."""
WINDOW = 4
"""Winnowing window: one fingerprint at least every 4 shingles; a shared run of
``NGRAM + WINDOW - 1`` = 11 characters always shares a fingerprint."""
MAX_DF = 0.25
"""Boilerplate by document frequency: a fingerprint found in more than this share of the
documents (corpus and ``against`` together) is masked, provided that share is more than
:data:`MIN_DF_DOCS` documents. A number ≥ 1 is an absolute count of documents (passim's
default is 100)."""
MIN_DF_DOCS = 10
"""The document-frequency rule applies only above this many documents: in a corpus of ten
speeches a passage shared by all is reuse, not boilerplate."""
MIN_SHARED = None
"""Fingerprints two documents must share to be aligned. None: as many as an exact copy of
``min_chars`` characters is sure to hold, ``(min_chars - ngram + 1) // window`` (2 for the
defaults), at least 1; so no exact copy of that length is missed, and a pair of documents
whose only common ground is one stock phrase of a few characters is not aligned."""

_KEEP = re.compile(f"[{HAN}0-9A-Za-z]")
HASH_BASE = np.uint64(0x100000001B3)  # FNV prime: the polynomial base of the shingle hash
_M1 = np.uint64(0xBF58476D1CE4E5B9)  # splitmix64's finaliser, to make the minima of
_M2 = np.uint64(0x94D049BB133111EB)  # winnowing random
_NONE = np.uint64(0xFFFFFFFFFFFFFFFF)


# --------------------------------------------------------------------------- data files

@functools.cache
def substitutions(path: str | None = None) -> dict[str, str]:
    """The local substitutions, ``{local: national}`` (see ``reuse_substitutions.tsv``).
    Raises ``ValueError`` naming the file and line of a rule whose two forms differ in length.

    >>> substitutions()["我县"]
    '我国'
    """
    path = path or SUBSTITUTIONS
    rules: dict[str, str] = {}
    for lineno, fields in data_lines(path):
        if len(fields) < 2 or not fields[0] or not fields[1]:
            raise ValueError(f"{path}:{lineno}: expected 'local<TAB>national', got {fields!r}")
        local, national = fields[0], fields[1]
        if len(local) != len(national):
            raise ValueError(f"{path}:{lineno}: {local!r} and {national!r} differ in length; spans could "
                             "not map back to the text")
        rules[local] = national
    return rules


@functools.cache
def boilerplate(path: str | None = None) -> tuple[str, ...]:
    """The formulas never counted as reuse (``reuse_boilerplate.txt``), longest first,
    with punctuation and spaces taken out as in the compared text.

    >>> "同志们" in boilerplate()
    True
    """
    path = path or BOILERPLATE
    out = set()
    for _, fields in data_lines(path):
        kept = "".join(_KEEP.findall(fields[0]))
        if kept:
            out.add(kept)
    return tuple(sorted(out, key=lambda f: (-len(f), f)))


def _alternation(words) -> re.Pattern | None:
    words = sorted(words, key=lambda w: (-len(w), w))
    return re.compile("|".join(map(re.escape, words))) if words else None


# --------------------------------------------------------------------------- documents

@dataclass
class Doc:
    """One document as compared: ``codes`` (its compared characters as code points),
    ``index`` (the offset in ``text`` of each), ``masked`` (boilerplate characters)."""
    codes: np.ndarray
    index: np.ndarray
    masked: np.ndarray


def prepare(text_simplified: str, rules: dict[str, str], formulas: tuple[str, ...]) -> Doc:
    """The compared form of one text (see the module's docstring)."""
    codes = np.frombuffer(text_simplified.encode("utf-32-le"), dtype=np.uint32)
    keep = keep_mask(codes)
    index = np.flatnonzero(keep).astype(np.int32)
    kept = codes[keep].copy()
    upper = (kept >= 65) & (kept <= 90)
    kept[upper] += 32
    compared = kept.tobytes().decode("utf-32-le")
    subs = _alternation(rules)
    if subs is not None:
        localised = subs.sub(lambda m: rules[m.group()], compared)
        if localised != compared:
            kept = np.frombuffer(localised.encode("utf-32-le"), dtype=np.uint32).copy()
    masked = np.zeros(len(kept), dtype=bool)
    stop = _alternation(formulas)
    if stop is not None:
        for m in stop.finditer(compared):
            masked[m.start():m.end()] = True
    return Doc(kept, index, masked)


def keep_mask(codes: np.ndarray) -> np.ndarray:
    mask = ((codes >= 0x3400) & (codes <= 0x4DBF)) | ((codes >= 0x4E00) & (codes <= 0x9FFF)) \
        | ((codes >= 0xF900) & (codes <= 0xFAFF)) | ((codes >= 0x20000) & (codes <= 0x3134F))
    mask |= ((codes >= 48) & (codes <= 57)) | ((codes >= 65) & (codes <= 90)) | ((codes >= 97) & (codes <= 122))
    return mask


def _mix(h: np.ndarray) -> np.ndarray:
    h = h ^ (h >> np.uint64(30))
    h = h * _M1
    h = h ^ (h >> np.uint64(27))
    h = h * _M2
    return h ^ (h >> np.uint64(31))


def shingle_hashes(doc: Doc, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The hash of every ``k``-character shingle of ``doc`` and whether it touches a masked
    character (such a shingle never seeds)."""
    n = len(doc.codes)
    m = n - k + 1
    if m <= 0:
        return np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=bool)
    codes = doc.codes.astype(np.uint64)
    h = np.zeros(m, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(k):
            h = h * HASH_BASE + codes[j:j + m]
        h = _mix(h)
    masked = np.concatenate([[0], np.cumsum(doc.masked)])
    return h, (masked[k:] - masked[:m]) > 0


def _fingerprints(doc: Doc, k: int, w: int) -> tuple[np.ndarray, np.ndarray]:
    """Winnowed shingles: ``(hashes, positions)`` of the smallest hash of each window of
    ``w`` shingles (the leftmost on ties), masked shingles left out."""
    h, bad = shingle_hashes(doc, k)
    if not len(h):
        return h, np.zeros(0, dtype=np.int64)
    hh = np.where(bad, _NONE, h)
    if len(hh) <= w:
        chosen = np.array([int(np.argmin(hh))])
    else:
        windows = np.lib.stride_tricks.sliding_window_view(hh, w)
        chosen = np.unique(np.arange(len(windows)) + windows.argmin(axis=1))
    chosen = chosen[~bad[chosen]]
    return h[chosen], chosen.astype(np.int32)


def prepare_chunk(texts: list[str], k: int, w: int, rules: dict, formulas: tuple) -> list[tuple]:
    """Prepare and fingerprint a chunk of texts (runs on a dask worker when there is a client)."""
    out = []
    for text in texts:
        doc = prepare(text, rules, formulas)
        out.append((doc, *_fingerprints(doc, k, w)))
    return out


# --------------------------------------------------------------------------- the index

def df_limit(n_docs: int, max_df: float) -> int:
    """The most documents a fingerprint may be in before it counts as boilerplate."""
    if max_df >= 1:
        return max(int(max_df), 1)
    limit = int(math.floor(max_df * n_docs))
    return max(limit, MIN_DF_DOCS)


def _index(fps: list[tuple[np.ndarray, np.ndarray]], limit: int):
    """Document frequencies of the fingerprints: ``(hashes, df)`` sorted by hash, and the
    per-document unique hashes as one (doc, hash) list."""
    docs, hashes = [], []
    for i, (h, _) in enumerate(fps):
        u = np.unique(h)
        hashes.append(u)
        docs.append(np.full(len(u), i, dtype=np.int32))
    doc = np.concatenate(docs) if docs else np.zeros(0, dtype=np.int32)
    hsh = np.concatenate(hashes) if hashes else np.zeros(0, dtype=np.uint64)
    values, inverse, df = np.unique(hsh, return_inverse=True, return_counts=True)
    return doc, inverse, values, df


def candidates(fps, n_left: int, limit: int, min_shared: int, cross: bool):
    """Candidate pairs ``(i, j)`` of documents sharing at least ``min_shared`` fingerprints
    of document frequency ≤ ``limit``, and the banned (boilerplate) hashes. With ``cross``,
    documents ``< n_left`` are paired only with those ``≥ n_left``; else every ``i < j``,
    and ``(i, i)`` for a document repeating a fingerprint."""
    from scipy import sparse

    doc, inverse, values, df = _index(fps, limit)
    banned = values[df > limit]
    keep = (df[inverse] >= 2) & (df[inverse] <= limit)
    n = len(fps)
    x = sparse.csr_matrix((np.ones(int(keep.sum()), dtype=np.int32), (doc[keep], inverse[keep])),
                          shape=(n, len(values)))
    if cross:
        shared = (x[:n_left] @ x[n_left:].T).tocoo()
        i, j, s = shared.row, shared.col + n_left, shared.data
    else:
        shared = sparse.triu(x @ x.T, k=1).tocoo()
        i, j, s = shared.row, shared.col, shared.data
    ok = s >= min_shared
    pairs = list(zip(i[ok].tolist(), j[ok].tolist()))
    if not cross:
        for d, (h, _) in enumerate(fps):
            if not len(h):
                continue
            u, counts = np.unique(h, return_counts=True)
            repeated = u[counts >= 2]
            if len(banned):
                repeated = repeated[~np.isin(repeated, banned)]
            if len(repeated) >= min_shared:
                pairs.append((d, d))
    pairs.sort()
    return pairs, banned


def mask_banned(doc: Doc, fp: tuple[np.ndarray, np.ndarray], banned: np.ndarray, k: int) -> None:
    """Mask the characters under a banned (too frequent) fingerprint of ``doc``, in place."""
    h, pos = fp
    if not len(banned) or not len(h):
        return
    hit = pos[np.isin(h, banned)]
    if not len(hit):
        return
    cover = np.zeros(len(doc.codes) + 1, dtype=np.int64)
    np.add.at(cover, hit, 1)
    np.add.at(cover, np.minimum(hit + k, len(doc.codes)), -1)
    doc.masked = doc.masked | (np.cumsum(cover)[:-1] > 0)
