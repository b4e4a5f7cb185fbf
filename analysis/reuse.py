"""Text reuse: the passages a speech shares with the other speeches of a corpus, with a second
collection (central documents, the government work reports), or with itself.

The method is the one of passim (Smith 2014) and of BLAST: an index of character n-grams
proposes the pairs of documents worth aligning, and only those pairs are aligned, around the
n-grams they share (seed, chain, extend). Never all pairs of long texts.

**What is compared.** Each speech's ``text_simplified`` (one character per character of its
``text``), with punctuation and spaces left out (only Han characters, letters and digits are
compared, so 。 against ， or an added quotation mark costs nothing) and with the local
substitutions of ``analysis/data/reuse_substitutions.tsv`` read as their national form in both
texts (全市 and 全县 as 全国, 我市 as 我国, 市委 as 中央…). A Traditional copy of a Simplified
source therefore matches it, and every span found maps straight back to the original
``text``: ``start``/``end`` are offsets in each speech's own text, in its own script.

**Steps.**

1. Shingles: every ``ngram``-character substring (default 8) of the compared text, hashed
   to 64 bits. A document's fingerprints are the winnowed shingles (Schleimer, Wilkerson and
   Aiken 2003, the method of MOSS): the smallest hash of every ``window`` consecutive ones,
   so that any shared run of ``ngram + window - 1`` characters shares a fingerprint.
2. Boilerplate (see :data:`MAX_DF`): the formulas of ``analysis/data/reuse_boilerplate.txt``
   (同志们, 各位代表, 谢谢大家…) and every fingerprint found in more than ``max_df`` of the
   documents are masked. Masked characters never seed a passage; a pair that shares nothing
   else shares nothing.
3. Candidates: an inverted index of the remaining fingerprints (a sparse document ×
   fingerprint matrix multiplied by its transpose): the pairs of documents that share at
   least ``min_shared`` fingerprints. A speech is also paired with itself when it repeats a
   fingerprint, so that passages repeated inside one speech are found.
4. Alignment of each candidate pair: the shingles both texts hold are merged into maximal
   exact matches; matches on nearby diagonals, at most ``max_gap`` characters apart, are
   chained (a chain's score is its matched characters less the cost of the gaps between
   them, the best chain first, as minimap2 and BLAST chain seeds); the text between two
   links is aligned globally (Gotoh's affine gaps: match +1, mismatch −1, a gap of length
   L costs 2 + 0.5·(L−1)), and a link whose gap alignment scores below −``xdrop`` splits
   the chain (BLAST's X-drop). Each end is then extended without gaps as far as the score
   rises (a substitution followed by two or more matching characters is taken in), never
   into masked text. A chain of at least ``min_chars`` compared characters on both sides is
   a passage.

**Why the alignment is written here.** Local alignment libraries that are well kept
(Biopython's ``PairwiseAligner``, parasail, edlib for edit distance) are not among the
project's locked dependencies, and they align two whole sequences: between two long
reports that is a quadratic matrix per pair, the cost the seed-and-chain design avoids. Here
dynamic programming only ever fills the short stretches between two exact matches (at most
``max_gap`` characters a side), in a few lines of Python; the rest is numpy. MinHash LSH
(datasketch) was not used to propose pairs: it estimates the resemblance of whole documents,
and a passage of 100 characters copied into a report of 20,000 leaves their resemblance
near zero.

**Scale.** Everything up to the candidate pairs is vectorised (numpy, scipy.sparse). The
pairs are aligned in chunks, across processes on one machine (``workers``), or on a
``dask.distributed`` cluster (``client``), where the shingling runs on the workers too;
nothing of dask is imported without a client. See ``docs/text-reuse.md`` and
``bench/bench_reuse.py`` for the measured speed.
"""
from __future__ import annotations

import functools
import math
import re
import uuid
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .chars import HAN
from .config import DATA_DIR
from .datafiles import data_lines
from .memo import corpus_memo

SUBSTITUTIONS = DATA_DIR / "reuse_substitutions.tsv"
BOILERPLATE = DATA_DIR / "reuse_boilerplate.txt"

NGRAM = 8
"""Shingle length in compared characters (passim's default is 5 words; 8 characters is about
four Chinese words)."""
WINDOW = 4
"""Winnowing window: one fingerprint at least every 4 shingles; a shared run of
``NGRAM + WINDOW - 1`` = 11 characters always shares a fingerprint."""
MIN_CHARS = 15
"""The shortest passage reported, in compared characters on each side (Han characters,
letters and digits)."""
MAX_GAP = 30
"""The most characters (either side) between two exact matches chained into one passage."""
XDROP = 12.0
"""A link whose gap scores below ``-XDROP`` splits the passage (12: a deleted clause of up
to 21 characters keeps the passage whole, twelve replaced characters in a row do not)."""
MAX_DF = 0.25
"""Boilerplate by document frequency: a fingerprint found in more than this share of the
documents (corpus and ``against`` together) is masked, provided that share is more than
:data:`MIN_DF_DOCS` documents. A number ≥ 1 is an absolute count of documents (passim's
default is 100)."""
MIN_DF_DOCS = 10
"""The document-frequency rule applies only above this many documents: in a corpus of ten
speeches a passage shared by all is reuse, not boilerplate."""
MAX_REPEAT = 8
"""A shingle found more than this many times in one document does not seed its pairs."""
MIN_SHARED = None
"""Fingerprints two documents must share to be aligned. None: as many as an exact copy of
``min_chars`` characters is sure to hold, ``(min_chars - ngram + 1) // window`` (2 for the
defaults), at least 1; so no exact copy of that length is missed, and a pair of documents
whose only common ground is one stock phrase of a few characters is not aligned."""

MATCH, MISMATCH, GAP_OPEN, GAP_EXTEND = 1.0, -1.0, 2.0, 0.5

LINK_COLUMNS = ["speech_a", "start_a", "end_a", "speech_b", "start_b", "end_b", "n_chars", "n_chars_b",
                "similarity", "dated", "text_a", "text_b", "passage_a", "passage_b"]

_KEEP = re.compile(f"[{HAN}0-9A-Za-z]")
_P = np.uint64(0x100000001B3)  # FNV prime: the polynomial base of the shingle hash
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
class _Doc:
    """One document as compared: ``codes`` (its compared characters as code points),
    ``index`` (the offset in ``text`` of each), ``masked`` (boilerplate characters)."""
    codes: np.ndarray
    index: np.ndarray
    masked: np.ndarray


def _prepare(text_simplified: str, rules: dict[str, str], formulas: tuple[str, ...]) -> _Doc:
    """The compared form of one text (see the module's docstring)."""
    codes = np.frombuffer(text_simplified.encode("utf-32-le"), dtype=np.uint32)
    keep = _keep_mask(codes)
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
    return _Doc(kept, index, masked)


def _keep_mask(codes: np.ndarray) -> np.ndarray:
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


def _shingles(doc: _Doc, k: int) -> tuple[np.ndarray, np.ndarray]:
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
            h = h * _P + codes[j:j + m]
        h = _mix(h)
    masked = np.concatenate([[0], np.cumsum(doc.masked)])
    return h, (masked[k:] - masked[:m]) > 0


def _fingerprints(doc: _Doc, k: int, w: int) -> tuple[np.ndarray, np.ndarray]:
    """Winnowed shingles: ``(hashes, positions)`` of the smallest hash of each window of
    ``w`` shingles (the leftmost on ties), masked shingles left out."""
    h, bad = _shingles(doc, k)
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


def _prepare_chunk(texts: list[str], k: int, w: int, rules: dict, formulas: tuple) -> list[tuple]:
    """Prepare and fingerprint a chunk of texts (runs on a dask worker when there is a client)."""
    out = []
    for text in texts:
        doc = _prepare(text, rules, formulas)
        out.append((doc, *_fingerprints(doc, k, w)))
    return out


# --------------------------------------------------------------------------- the index

def _df_limit(n_docs: int, max_df: float) -> int:
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


def _candidates(fps, n_left: int, limit: int, min_shared: int, cross: bool):
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


def _mask_banned(doc: _Doc, fp: tuple[np.ndarray, np.ndarray], banned: np.ndarray, k: int) -> None:
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


# --------------------------------------------------------------------------- alignment

@dataclass(frozen=True)
class _Params:
    k: int = NGRAM
    min_chars: int = MIN_CHARS
    max_gap: int = MAX_GAP
    xdrop: float = XDROP
    max_repeat: int = MAX_REPEAT
    lookback: int = 50
    run: str = ""   # one reuse() call: the key of its documents' seeds in the cache


def _seeds(doc: _Doc, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The document's unmasked shingles: ``(hashes, first, count, positions)``: its distinct
    hashes sorted, where each one's positions start in ``positions`` and how many there are."""
    h, bad = _shingles(doc, k)
    pos = np.flatnonzero(~bad)
    h = h[pos]
    order = np.argsort(h, kind="stable")
    h, pos = h[order], pos[order].astype(np.int32)
    if not len(h):
        empty = np.zeros(0, dtype=np.int32)
        return np.zeros(0, dtype=np.uint64), empty, empty, empty
    first = np.flatnonzero(np.concatenate([[True], h[1:] != h[:-1]]))
    count = np.diff(np.concatenate([first, [len(h)]]))
    return h[first], first.astype(np.int32), count.astype(np.int32), pos


def _expand(first_a, count_a, pos_a, first_b, count_b, pos_b) -> tuple[np.ndarray, np.ndarray]:
    """Every pairing of the positions of matched hashes: hash ``t`` pairs its ``count_a[t]``
    positions in a with its ``count_b[t]`` positions in b."""
    count_a, count_b = count_a.astype(np.int64), count_b.astype(np.int64)
    reps = count_a * count_b
    total = int(reps.sum())
    group = np.repeat(np.arange(len(reps)), reps)
    within = np.arange(total) - np.repeat(np.cumsum(reps) - reps, reps)
    cb = count_b[group]
    hit_a = pos_a[first_a[group] + within // cb].astype(np.int64)
    hit_b = pos_b[first_b[group] + within % cb].astype(np.int64)
    return hit_a, hit_b


def _hits(sa, sb, same: bool, max_repeat: int) -> tuple[np.ndarray, np.ndarray]:
    """Positions ``(pa, pb)`` of the shingles the two documents share (within one document:
    ``pa < pb``). A shingle more than ``max_repeat`` times in either document is left out."""
    ua, fa, ca, pa = sa
    if same:
        sel = np.flatnonzero((ca >= 2) & (ca <= max_repeat))
        hit_a, hit_b = _expand(fa[sel], ca[sel], pa, fa[sel], ca[sel], pa)
        keep = hit_a < hit_b
        return hit_a[keep], hit_b[keep]
    ub, fb, cb, pb = sb
    if not len(ua) or not len(ub):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    at = np.minimum(np.searchsorted(ub, ua), len(ub) - 1)
    sel = np.flatnonzero((ub[at] == ua) & (ca <= max_repeat))
    at = at[sel]
    ok = cb[at] <= max_repeat
    sel, at = sel[ok], at[ok]
    return _expand(fa[sel], ca[sel], pa, fb[at], cb[at], pb)


def _exact_matches(hit_a, hit_b, k: int):
    """Maximal runs of shared shingles on one diagonal: arrays ``a0, a1, b0, b1``, sorted by
    ``a0``. (Equal 64-bit hashes are taken as equal shingles: a collision among the shingles
    of two documents is about as likely as 1 in 10¹⁰.)"""
    diag = hit_a - hit_b
    order = np.lexsort((hit_a, diag))
    diag, ha = diag[order], hit_a[order]
    brk = np.flatnonzero((np.diff(diag) != 0) | (np.diff(ha) != 1)) + 1
    starts = np.concatenate([[0], brk])
    ends = np.concatenate([brk, [len(ha)]]) - 1
    a0 = ha[starts]
    a1 = ha[ends] + k
    b0 = a0 - diag[starts]
    b1 = a1 - diag[starts]
    order = np.lexsort((b0, a0))
    return a0[order], a1[order], b0[order], b1[order]


def _ungapped_extension(da: _Doc, db: _Doc, a_from, b_from, step: int, limit: int) -> np.ndarray:
    """For each start, how many characters an ungapped extension adds (``step`` +1 to the
    right from ``a_from``/``b_from``, −1 to the left, reading from ``a_from - 1``): the
    length with the best running score (+1 match, −1 mismatch), 0 when none is positive.
    An extension stops at a text's end and at a masked (boilerplate) character."""
    a_codes, b_codes = da.codes, db.codes
    n = len(a_from)
    if not n:
        return np.zeros(0, dtype=np.int64)
    offs = np.arange(limit)
    if step > 0:
        ia = a_from[:, None] + offs
        ib = b_from[:, None] + offs
    else:
        ia = a_from[:, None] - 1 - offs
        ib = b_from[:, None] - 1 - offs
    valid = (ia >= 0) & (ia < len(a_codes)) & (ib >= 0) & (ib < len(b_codes))
    ia, ib = np.clip(ia, 0, max(len(a_codes) - 1, 0)), np.clip(ib, 0, max(len(b_codes) - 1, 0))
    valid &= ~da.masked[ia] & ~db.masked[ib]
    # Once past a text's end or into boilerplate, the score only falls.
    valid = np.logical_and.accumulate(valid, axis=1)
    score = np.where(valid & (a_codes[ia] == b_codes[ib]), 1, -1 - 1000 * ~valid)
    run = np.cumsum(score, axis=1)
    best = run.argmax(axis=1)
    gain = run[np.arange(n), best]
    return np.where(gain > 0, best + 1, 0)


def _gap_cost(ga: np.ndarray, gb: np.ndarray) -> np.ndarray:
    """The score of aligning a gap of ``ga`` against ``gb`` characters if nothing in it
    matched: mismatches for the shorter side, a gap for the difference."""
    diff = np.abs(ga - gb)
    return -(np.minimum(ga, gb) * -MISMATCH + np.where(diff > 0, GAP_OPEN + GAP_EXTEND * (diff - 1), 0))


def _align_gap(x: np.ndarray, y: np.ndarray) -> tuple[float, int, int]:
    """Global alignment of two short stretches (Gotoh, affine gaps): ``(score, matches,
    columns)``. Equal lengths are compared without gaps (the stretch between two matches on
    one diagonal)."""
    m, n = len(x), len(y)
    if m == n:
        same = int(np.count_nonzero(x == y))
        return same * MATCH + (m - same) * MISMATCH, same, m
    if m == 0 or n == 0:
        length = m + n
        return -(GAP_OPEN + GAP_EXTEND * (length - 1)), 0, length
    neg = -1e9
    xs, ys = x.tolist(), y.tolist()
    # H: best score ending at (i, j); E: ending in a gap in x (consuming y); F: in y.
    H = [[neg] * (n + 1) for _ in range(m + 1)]
    E = [[neg] * (n + 1) for _ in range(m + 1)]
    F = [[neg] * (n + 1) for _ in range(m + 1)]
    H[0][0] = 0.0
    for j in range(1, n + 1):
        E[0][j] = H[0][j] = -(GAP_OPEN + GAP_EXTEND * (j - 1))
    for i in range(1, m + 1):
        F[i][0] = H[i][0] = -(GAP_OPEN + GAP_EXTEND * (i - 1))
        xi = xs[i - 1]
        Hi, Hp, Ei, Fi, Fp = H[i], H[i - 1], E[i], F[i], F[i - 1]
        for j in range(1, n + 1):
            e = max(Hi[j - 1] - GAP_OPEN, Ei[j - 1] - GAP_EXTEND)
            f = max(Hp[j] - GAP_OPEN, Fp[j] - GAP_EXTEND)
            d = Hp[j - 1] + (MATCH if xi == ys[j - 1] else MISMATCH)
            Ei[j], Fi[j] = e, f
            Hi[j] = max(d, e, f)
    # Traceback, counting matches and columns.
    i, j, state = m, n, "H"
    matches = columns = 0
    while i > 0 or j > 0:
        if state == "H":
            if i > 0 and j > 0 and H[i][j] == H[i - 1][j - 1] + (MATCH if xs[i - 1] == ys[j - 1] else MISMATCH):
                matches += xs[i - 1] == ys[j - 1]
                columns += 1
                i, j = i - 1, j - 1
                continue
            state = "E" if j > 0 and H[i][j] == E[i][j] else "F"
        if state == "E":
            columns += 1
            state = "E" if j > 1 and E[i][j] == E[i][j - 1] - GAP_EXTEND else "H"
            j -= 1
        else:
            columns += 1
            state = "F" if i > 1 and F[i][j] == F[i - 1][j] - GAP_EXTEND else "H"
            i -= 1
    return H[m][n], matches, columns


def _chains(a0, a1, b0, b1, p: _Params) -> list[list[tuple[int, int, int, int]]]:
    """Chain exact matches (sorted by ``a0``) into passages: the best-scoring chains first,
    each match used once; links at most ``max_gap`` apart with an estimated gap cost above
    ``-xdrop``. Returns each chain as its matches, overlaps trimmed."""
    m = len(a0)
    length = a1 - a0
    lb = min(p.lookback, m - 1)
    score = length.astype(float)
    prev = np.full(m, -1, dtype=np.int64)
    if lb > 0:
        # Every (j, j - t) for t in 1..lb, vectorised; the DP below only reads it.
        j = np.arange(m)[:, None]
        i = j - np.arange(1, lb + 1)[None, :]
        okidx = i >= 0
        ii = np.where(okidx, i, 0)
        shift = np.maximum(0, np.maximum(a1[ii] - a0[j], b1[ii] - b0[j]))
        ga = a0[j] + shift - a1[ii]
        gb = b0[j] + shift - b1[ii]
        gain = (length[j] - shift) + _gap_cost(ga, gb)
        feasible = okidx & (shift < length[j]) & (b0[j] + shift >= b1[ii]) & (ga <= p.max_gap) \
            & (gb <= p.max_gap) & (_gap_cost(ga, gb) >= -p.xdrop)
        gain = np.where(feasible, gain, -np.inf)
        rows = np.flatnonzero(feasible.any(axis=1))
        for jj in rows.tolist():
            cand = score[ii[jj]] + gain[jj]
            t = int(np.argmax(cand))
            if cand[t] > score[jj]:
                score[jj] = cand[t]
                prev[jj] = ii[jj, t]
    used = np.zeros(m, dtype=bool)
    chains = []
    for end in np.argsort(-score, kind="stable").tolist():
        if used[end]:
            continue
        chain = []
        node = end
        while node >= 0 and not used[node]:
            chain.append(node)
            used[node] = True
            node = int(prev[node])
        chain.reverse()
        pieces = []
        for node in chain:
            s0, s1, t0, t1 = int(a0[node]), int(a1[node]), int(b0[node]), int(b1[node])
            if pieces:
                shift = max(0, pieces[-1][1] - s0, pieces[-1][3] - t0)
                if shift >= s1 - s0:
                    continue
                s0, t0 = s0 + shift, t0 + shift
            pieces.append((s0, s1, t0, t1))
        chains.append(pieces)
    return chains


def _pair_passages(da: _Doc, db: _Doc, sa, sb, same: bool, p: _Params) -> list[tuple]:
    """The passages two documents share, as ``(a0, a1, b0, b1, matches, columns, score)`` in
    compared characters."""
    hit_a, hit_b = _hits(sa, sb, same, p.max_repeat)
    if not len(hit_a):
        return []
    a0, a1, b0, b1 = _exact_matches(hit_a, hit_b, p.k)
    ext_r = _ungapped_extension(da, db, a1, b1, 1, p.max_gap)
    ext_l = _ungapped_extension(da, db, a0, b0, -1, p.max_gap)
    # A match that can reach min_chars neither alone nor with a neighbour is dropped first.
    alone = (a1 - a0) + ext_l + ext_r >= p.min_chars
    near = np.zeros(len(a0), dtype=bool)
    if len(a0) > 1:
        near[:-1] |= (a0[1:] - a1[:-1] <= p.max_gap)
        near[1:] |= (a0[1:] - a1[:-1] <= p.max_gap)
    keep = alone | near
    if not keep.any():
        return []
    a0, a1, b0, b1, ext_l, ext_r = (v[keep] for v in (a0, a1, b0, b1, ext_l, ext_r))
    first = {(int(s), int(t)): int(e) for s, t, e in zip(a0, b0, ext_l)}
    last = {(int(s), int(t)): int(e) for s, t, e in zip(a1, b1, ext_r)}
    out = []
    for chain in _chains(a0, a1, b0, b1, p):
        out.extend(_score_chain(chain, da.codes, db.codes, first, last, p))
    if same:
        out = [x for x in out if x[1] <= x[2]]
    return _drop_overlaps(out)


def _score_chain(chain, ac, bc, first, last, p: _Params) -> list[tuple]:
    """Split a chain at bad gaps, extend its ends, and keep the parts long enough."""
    parts, current = [], [chain[0]]
    stats = [(chain[0][1] - chain[0][0], chain[0][1] - chain[0][0], float(chain[0][1] - chain[0][0]))]
    for prev, nxt in zip(chain, chain[1:]):
        score, matches, columns = _align_gap(ac[prev[1]:nxt[0]], bc[prev[3]:nxt[2]])
        if score < -p.xdrop:
            parts.append((current, stats))
            current, stats = [nxt], []
        else:
            current.append(nxt)
            stats.append((matches, columns, score))
        n = nxt[1] - nxt[0]
        stats.append((n, n, float(n)))
    parts.append((current, stats))
    out = []
    for pieces, st in parts:
        s0, t0 = pieces[0][0], pieces[0][2]
        s1, t1 = pieces[-1][1], pieces[-1][3]
        left = first.get((s0, t0), 0)
        right = last.get((s1, t1), 0)
        matches = sum(x[0] for x in st)
        columns = sum(x[1] for x in st)
        score = sum(x[2] for x in st)
        if left:
            m = int(np.count_nonzero(ac[s0 - left:s0] == bc[t0 - left:t0]))
            matches, columns, score = matches + m, columns + left, score + m - (left - m)
            s0, t0 = s0 - left, t0 - left
        if right:
            m = int(np.count_nonzero(ac[s1:s1 + right] == bc[t1:t1 + right]))
            matches, columns, score = matches + m, columns + right, score + m - (right - m)
            s1, t1 = s1 + right, t1 + right
        if min(s1 - s0, t1 - t0) >= p.min_chars:
            out.append((s0, s1, t0, t1, matches, columns, score))
    return out


def _drop_overlaps(found: list[tuple]) -> list[tuple]:
    """Of passages overlapping on both sides, keep the higher-scoring one."""
    found = sorted(found, key=lambda x: (-x[6], x[0], x[2]))
    kept: list[tuple] = []
    for x in found:
        if any(x[0] < y[1] and y[0] < x[1] and x[2] < y[3] and y[2] < x[3] for y in kept):
            continue
        kept.append(x)
    return sorted(kept, key=lambda x: (x[0], x[2]))


_SEED_CACHE: dict[tuple[str, int], tuple] = {}
_SEED_CACHE_DOCS = 2_000


def _align_chunk(docs: list[_Doc], pairs: list[tuple[int, int]], p: _Params) -> list[tuple]:
    """Align a chunk of candidate pairs (sorted by their first document):
    ``[(i, j, a0, a1, b0, b1, matches, columns, score), …]``. The documents' seeds are kept
    between chunks of one run (at most :data:`_SEED_CACHE_DOCS`, oldest dropped first)."""
    out = []
    for i, j in pairs:
        sa, sb = _cached_seeds(docs, i, p), _cached_seeds(docs, j, p)
        for found in _pair_passages(docs[i], docs[j], sa, sb, i == j, p):
            out.append((i, j, *found))
    return out


def _cached_seeds(docs: list[_Doc], d: int, p: _Params) -> tuple:
    """Document ``d``'s seeds from the cache (least recently used dropped first when full)."""
    key = (p.run, d)
    found = _SEED_CACHE.pop(key, None)
    if found is None:
        found = _seeds(docs[d], p.k)
        while len(_SEED_CACHE) >= _SEED_CACHE_DOCS:
            _SEED_CACHE.pop(next(iter(_SEED_CACHE)))
    _SEED_CACHE[key] = found
    return found


_STATE: dict = {}


def _align_chunk_forked(pairs: list[tuple[int, int]]) -> list[tuple]:
    """:func:`_align_chunk` in a forked worker, on the documents the parent left in ``_STATE``."""
    return _align_chunk(_STATE["docs"], pairs, _STATE["params"])


class _Shipment:
    """The prepared documents as one object, so that ``client.scatter`` sends them to each
    worker once as a whole (a bare list would be scattered as one future per document, and
    every task would then wait on all of them)."""

    def __init__(self, docs: list[_Doc]):
        self.docs = docs


def _align_remote(shipment: _Shipment, pairs, p):
    return _align_chunk(shipment.docs, pairs, p)


def _clear_seed_cache() -> None:
    _SEED_CACHE.clear()


def _chunks(pairs: list, docs: list[_Doc], target: int = 400_000) -> list[list]:
    """Pairs in chunks of about ``target`` compared characters of work each, never
    splitting the pairs of one first document across two chunks needlessly."""
    chunks, current, size = [], [], 0
    for pair in pairs:
        current.append(pair)
        size += len(docs[pair[1]].codes) + 2_000
        if size >= target:
            chunks.append(current)
            current, size = [], 0
    if current:
        chunks.append(current)
    return chunks


# --------------------------------------------------------------------------- public API

@corpus_memo("reuse")
def reuse(corpus: pd.DataFrame, against: pd.DataFrame | None = None, min_chars: int = MIN_CHARS, *,
          ngram: int = NGRAM, window: int = WINDOW, max_gap: int = MAX_GAP, xdrop: float = XDROP,
          max_df: float = MAX_DF, min_shared: int | None = MIN_SHARED, max_repeat: int = MAX_REPEAT,
          within: bool = True, passage_ids: bool = True, client=None, workers: int | None = None
          ) -> pd.DataFrame:
    """The passages the speeches of ``corpus`` share with each other (and, with ``within``,
    that a speech repeats inside itself), or, given ``against`` (a second corpus frame, e.g.
    central documents or the government work reports), that they share with its documents.
    See the module's docstring for the method and its parameters.

    Returns one row per aligned passage: ``speech_a``, ``start_a``, ``end_a``, ``speech_b``,
    ``start_b``, ``end_b`` (offsets in each speech's ``text``, from its first to its last
    compared character), ``n_chars`` and ``n_chars_b`` (compared characters: Han
    characters, letters and digits, of the passage in a and in b), ``similarity`` (identical
    aligned characters over aligned columns), ``dated`` (True where a is the earlier of two
    dated documents; a is otherwise the ``against`` document, or the first in corpus order,
    or the earlier passage of a speech repeating itself), ``text_a``, ``text_b``, and the
    citable ``passage_a``/``passage_b`` (:func:`analysis.passages.passage_ids`; skipped with
    ``passage_ids=False``). Sorted by a, its start, b, its start.

    ``client``: a ``dask.distributed.Client``; the shingling and the alignment of the pairs
    then run on its workers (same rows as without). ``workers``: processes on this machine
    (default: its cores) when there is no client.

    >>> from analysis import load_corpus
    >>> links = reuse(load_corpus())
    >>> links[["passage_a", "passage_b", "n_chars"]].values.tolist()
    [['000_8ebf5a98b5b66884:1.1:s2', '000_8ebf5a98b5b66884:1.2:s3', 16]]
    """
    _check(corpus, "corpus")
    frames = [corpus]
    if against is not None:
        _check(against, "against")
        common = set(corpus["speech_id"]) & set(against["speech_id"])
        if common:
            raise ValueError(f"reuse: corpus and against share speech ids ({', '.join(sorted(map(str, common))[:5])}"
                             f"{' …' if len(common) > 5 else ''}); compare a corpus with itself by leaving out against")
        frames.append(against)
    ids = [str(s) for f in frames for s in f["speech_id"]]
    texts = [t for f in frames for t in f["text_simplified"]]
    for frame, name in zip(frames, ("corpus", "against")):
        bad = [str(s) for s, t, o in zip(frame["speech_id"], frame["text_simplified"], frame["text"])
               if len(t) != len(o)]
        if bad:
            raise ValueError(f"reuse: {name}: text_simplified differs in length from text for {bad[:5]} "
                             "(spans could not map back); load it with analysis.load_corpus")
    p = _Params(k=int(ngram), min_chars=int(min_chars), max_gap=int(max_gap), xdrop=float(xdrop),
                max_repeat=int(max_repeat), run=uuid.uuid4().hex)
    if p.k < 2 or window < 1 or p.min_chars < p.k:
        raise ValueError(f"reuse: need ngram ≥ 2, window ≥ 1 and min_chars ≥ ngram "
                         f"(got {ngram}, {window}, {min_chars})")
    rules, formulas = substitutions(), boilerplate()
    prepared = _map_prepare(texts, p.k, int(window), rules, formulas, client)
    docs = [d for d, _, _ in prepared]
    fps = [(h, pos) for _, h, pos in prepared]
    limit = _df_limit(len(docs), max_df)
    cross = against is not None
    if min_shared is None:
        min_shared = (p.min_chars - p.k + 1) // int(window)
    pairs, banned = _candidates(fps, len(corpus), limit, max(1, int(min_shared)), cross)
    if not within:
        pairs = [(i, j) for i, j in pairs if i != j]
    for doc, fp in zip(docs, fps):
        _mask_banned(doc, fp, banned, p.k)
    del prepared, fps  # the fingerprints have done their work: free them before aligning
    found = _map_align(docs, pairs, p, client, workers)
    frame = _rows(found, docs, ids, frames, cross)
    frame.attrs.update({"pairs": len(pairs), "documents": len(docs), "df_limit": limit,
                        "boilerplate_fingerprints": len(banned)})
    if passage_ids and len(frame):
        frame["passage_a"], frame["passage_b"] = _passages(frame, frames)
    return frame


def _check(frame: pd.DataFrame, name: str) -> None:
    missing = [c for c in ("speech_id", "text", "text_simplified") if c not in frame.columns]
    if missing:
        raise KeyError(f"reuse: {name} has no column {missing}; pass a frame of analysis.load_corpus")
    duplicated = frame["speech_id"][frame["speech_id"].duplicated()].astype(str).tolist()
    if duplicated:
        raise ValueError(f"reuse: {name} repeats speech ids {duplicated[:5]}")


def _map_prepare(texts, k, w, rules, formulas, client):
    if client is None:
        return _prepare_chunk(texts, k, w, rules, formulas)
    size = max(1, len(texts) // (4 * max(1, len(client.scheduler_info().get("workers", {})))) or 1)
    chunks = [texts[i:i + size] for i in range(0, len(texts), size)]
    futures = client.map(_prepare_chunk, chunks, k=k, w=w, rules=rules, formulas=formulas, pure=False)
    return [x for chunk in client.gather(futures) for x in chunk]


def _map_align(docs, pairs, p, client, workers):
    if not pairs:
        return []
    chunks = _chunks(pairs, docs)
    if client is not None:
        remote = client.scatter(_Shipment(docs), broadcast=True)
        futures = client.map(_align_remote, [remote] * len(chunks), chunks, [p] * len(chunks), pure=False)
        results = client.gather(futures)
        client.run(_clear_seed_cache)
    else:
        from .parallel import default_workers, parallel_map

        workers = default_workers() if workers is None else max(1, int(workers))
        _STATE.update(docs=docs, params=p)
        try:
            sizes = [sum(len(docs[j].codes) for _, j in chunk) for chunk in chunks]
            results = parallel_map(_align_chunk_forked, chunks, sizes=sizes, workers=workers,
                                   progress=False, desc="aligning")
        finally:
            _STATE.clear()
            _SEED_CACHE.clear()
    return [x for chunk in results for x in chunk]


def _dates(frames) -> list[tuple]:
    """``(date, year)`` of every document, NaT/None where unknown."""
    out = []
    for frame in frames:
        dates = pd.to_datetime(frame["date"]) if "date" in frame.columns else pd.Series([pd.NaT] * len(frame))
        years = frame["year"] if "year" in frame.columns else pd.Series([None] * len(frame))
        out.extend((d, int(y) if pd.notna(y) else None) for d, y in zip(dates, years))
    return out


def _earlier(x: tuple, y: tuple) -> bool | None:
    """Whether document date ``x`` is before ``y``; None when that is unknown (a date missing
    on either side, then the years; the same day or year)."""
    if pd.notna(x[0]) and pd.notna(y[0]):
        return None if x[0] == y[0] else bool(x[0] < y[0])
    if x[1] is not None and y[1] is not None and x[1] != y[1]:
        return x[1] < y[1]
    return None


def _rows(found, docs, ids, frames, cross: bool) -> pd.DataFrame:
    texts = [t for f in frames for t in f["text"]]
    dates = _dates(frames)
    rows = []
    for i, j, a0, a1, b0, b1, matches, columns, _ in found:
        di, dj = docs[i], docs[j]
        sa, ea = int(di.index[a0]), int(di.index[a1 - 1]) + 1
        sb, eb = int(dj.index[b0]), int(dj.index[b1 - 1]) + 1
        na, nb = a1 - a0, b1 - b0
        before = None if i == j else _earlier(dates[i], dates[j])
        dated = before is not None
        swap = (dated and not before) or (cross and not dated)
        if swap:
            i, j, sa, ea, sb, eb, na, nb = j, i, sb, eb, sa, ea, nb, na
        rows.append((ids[i], sa, ea, ids[j], sb, eb, na, nb, matches / columns if columns else 0.0, bool(dated),
                     texts[i][sa:ea], texts[j][sb:eb]))
    frame = pd.DataFrame(rows, columns=LINK_COLUMNS[:-2])
    for column in ("start_a", "end_a", "start_b", "end_b", "n_chars", "n_chars_b"):
        frame[column] = frame[column].astype("int64")
    order = {sid: n for n, sid in enumerate(ids)}
    frame = frame.assign(_a=frame["speech_a"].map(order), _b=frame["speech_b"].map(order))
    frame = frame.sort_values(["_a", "start_a", "_b", "start_b", "end_a"], kind="stable")
    frame = frame.drop(columns=["_a", "_b"]).reset_index(drop=True)
    frame["passage_a"] = pd.Series([pd.NA] * len(frame), dtype="string")
    frame["passage_b"] = pd.Series([pd.NA] * len(frame), dtype="string")
    return frame


def _passages(frame: pd.DataFrame, frames) -> tuple[pd.Series, pd.Series]:
    from .passages import passage_ids

    used = set(frame["speech_a"]) | set(frame["speech_b"])
    both = pd.concat([f[["speech_id", "text"]] for f in frames], ignore_index=True)
    both = both[both["speech_id"].astype(str).isin(used)].reset_index(drop=True)
    a = passage_ids(frame["speech_a"], frame["start_a"], both)
    b = passage_ids(frame["speech_b"], frame["start_b"], both)
    return a.to_numpy(), b.to_numpy()


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
    _check(corpus, "corpus")
    rows = []
    for sid, text, simplified in zip(corpus["speech_id"], corpus["text"], corpus["text_simplified"]):
        rows.extend(_speech_frames(str(sid), text, simplified, min_count, min_fixed, max_slot))
    frame = pd.DataFrame(rows, columns=FRAME_COLUMNS[:-1])
    frame = frame.assign(_first=[s[0] for s in frame["starts"]])
    frame = frame.sort_values(["n", "n_fixed", "speech_id", "_first"], ascending=[False, False, True, True],
                              kind="stable").drop(columns="_first").reset_index(drop=True)
    frame["passage"] = pd.Series([pd.NA] * len(frame), dtype="string")
    if passage_ids and len(frame):
        from .passages import passage_ids as ids

        used = corpus[corpus["speech_id"].astype(str).isin(set(frame["speech_id"]))]
        frame["passage"] = ids(frame["speech_id"], [s[0] for s in frame["starts"]], used).to_numpy()
    return frame


def _speech_frames(sid: str, text: str, simplified: str, min_count: int, min_fixed: int,
                   max_slot: int) -> list[tuple]:
    doc = _prepare(simplified, {}, ())
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
            h = h * _P + c[j:j + n - k + 1].astype(np.uint64)
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
    # Every slot non-empty and the occurrences apart.
    if (r0 <= l1).any() or (l0[1:] < r1[:-1]).any():
        return None
    return l0, l1, r0, r1


# --------------------------------------------------------------------------- summaries

def _kept_before(text: str) -> np.ndarray:
    """``out[i]``: compared characters (Han, letters, digits) in ``text[:i]``."""
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    return np.concatenate([[0], np.cumsum(_keep_mask(codes))])


def _sides(links: pd.DataFrame) -> pd.DataFrame:
    """Each link seen from both ends: ``speech_id``, ``other``, ``start``, ``end`` (a passage
    repeated inside one speech gives both of its spans to that speech)."""
    a = pd.DataFrame({"speech_id": links["speech_a"].astype(str), "other": links["speech_b"].astype(str),
                      "start": links["start_a"], "end": links["end_a"]})
    b = pd.DataFrame({"speech_id": links["speech_b"].astype(str), "other": links["speech_a"].astype(str),
                      "start": links["start_b"], "end": links["end_b"]})
    return pd.concat([a, b], ignore_index=True)


def _union_chars(spans: pd.DataFrame, kept: dict[str, np.ndarray], key: list[str]) -> pd.DataFrame:
    """Compared characters covered by the union of the spans of each ``key`` group."""
    rows = []
    if spans.empty:
        return pd.DataFrame(columns=[*key, "shared_chars"])
    spans = spans.sort_values([*key, "start", "end"], kind="stable")
    for group, rows_ in spans.groupby(key, sort=False, observed=True):
        group = group if isinstance(group, tuple) else (group,)
        cum = kept[group[0]]
        total, reach = 0, -1
        for s, e in zip(rows_["start"].tolist(), rows_["end"].tolist()):
            if e <= reach:
                continue
            s = max(s, reach)
            total += int(cum[e] - cum[s])
            reach = e
        rows.append((*group, total))
    return pd.DataFrame(rows, columns=[*key, "shared_chars"])


def _documents(corpus: pd.DataFrame, against: pd.DataFrame | None) -> pd.DataFrame:
    frames = [corpus] if against is None else [corpus, against]
    return pd.concat(frames, ignore_index=True)


def reuse_summary(links: pd.DataFrame, corpus: pd.DataFrame, against: pd.DataFrame | None = None, *,
                  by: str | None = None, pooled: bool = False) -> pd.DataFrame:
    """How much of each speech it shares, from the passages of :func:`reuse`.

    ``by=None``: one row per speech and other document it shares passages with (the speech
    itself for passages it repeats): ``speech_id``, ``other``, ``n_chars`` (the speech's
    compared characters: Han characters, letters and digits), ``shared_chars`` (those inside
    a passage it shares with ``other``, overlaps counted once) and ``share``. Speeches that
    share nothing have no row.

    ``pooled=True``: one row per speech of ``corpus``, all others together (with
    ``against``, the ``against`` documents; else the corpus's other speeches, the speech's
    repeats of itself left out): ``speech_id``, ``n_chars``, ``shared_chars``, ``share``;
    speeches that share nothing have 0.

    ``by="year"`` (or any column of the corpus, and of ``against`` when given): the matrix
    of groups, one row per pair of groups (zeros included): ``<by>``, ``other_<by>``,
    ``n_chars`` (all the group's speeches), ``shared_chars`` (their characters shared with
    any other speech of the other group) and ``share``. A speech's repeats of itself are
    left out of the matrix.

    >>> import pandas as pd
    >>> corpus = pd.DataFrame({"speech_id": ["a", "b"], "text": ["一二三四五六", "一二三七八九"]})
    >>> links = pd.DataFrame({"speech_a": ["a"], "start_a": [0], "end_a": [3], "speech_b": ["b"],
    ...                       "start_b": [0], "end_b": [3], "dated": [False]})
    >>> reuse_summary(links, corpus)[["speech_id", "other", "share"]].values.tolist()
    [['a', 'b', 0.5], ['b', 'a', 0.5]]
    """
    docs = _documents(corpus, against)
    ids = docs["speech_id"].astype(str)
    kept = {sid: _kept_before(text) for sid, text in zip(ids, docs["text"])}
    n_chars = {sid: int(cum[-1]) for sid, cum in kept.items()}
    sides = _sides(links)
    if pooled:
        own = corpus["speech_id"].astype(str)
        sides = sides[(sides["speech_id"] != sides["other"]) & sides["speech_id"].isin(set(own))]
        if against is not None:
            sides = sides[sides["other"].isin(set(against["speech_id"].astype(str)))]
        shared = _union_chars(sides.assign(_all=0), kept, ["speech_id", "_all"])
        out = pd.DataFrame({"speech_id": own.to_numpy()})
        out["n_chars"] = out["speech_id"].map(n_chars).astype("int64")
        out["shared_chars"] = out["speech_id"].map(dict(zip(shared["speech_id"], shared["shared_chars"]))) \
            .fillna(0).astype("int64")
        out["share"] = (out["shared_chars"] / out["n_chars"].where(out["n_chars"] > 0)).astype(float)
        return out
    if by is None:
        out = _union_chars(sides, kept, ["speech_id", "other"])
        out.insert(2, "n_chars", out["speech_id"].map(n_chars).astype("int64"))
        out["shared_chars"] = out["shared_chars"].astype("int64")
        out["share"] = (out["shared_chars"] / out["n_chars"].where(out["n_chars"] > 0)).astype(float)
        order = {sid: i for i, sid in enumerate(ids)}
        out = out.assign(_s=out["speech_id"].map(order), _o=out["other"].map(order))
        return out.sort_values(["_s", "_o"], kind="stable").drop(columns=["_s", "_o"]).reset_index(drop=True)
    if by not in docs.columns:
        raise KeyError(f"reuse_summary: no column {by!r} to group by (the corpus has {list(corpus.columns)})")
    group = dict(zip(ids, docs[by]))
    sides = sides[sides["speech_id"] != sides["other"]].copy()
    sides["other_group"] = sides["other"].map(group)
    sides = sides[sides["other_group"].notna()]
    per = _union_chars(sides, kept, ["speech_id", "other_group"])
    per[by] = per["speech_id"].map(group)
    shared = per.groupby([by, "other_group"], observed=True)["shared_chars"].sum()
    totals = pd.Series(n_chars).groupby(pd.Series(group)).sum()
    values = sorted(v for v in pd.unique(docs[by]) if pd.notna(v))
    grid = pd.MultiIndex.from_product([values, values], names=[by, f"other_{by}"])
    out = pd.DataFrame(index=grid).reset_index()
    out["n_chars"] = out[by].map(totals).astype("int64")
    shared.index = shared.index.set_names([by, f"other_{by}"])
    out["shared_chars"] = out.set_index([by, f"other_{by}"]).index.map(shared).fillna(0).astype("int64")
    out["share"] = (out["shared_chars"] / out["n_chars"].where(out["n_chars"] > 0)).astype(float)
    return out


def _order_key(frame: pd.DataFrame) -> pd.Series:
    """A sortable date of each speech (its date, else the middle of its year)."""
    date = pd.to_datetime(frame["date"]) if "date" in frame.columns else pd.Series(pd.NaT, index=frame.index)
    if "year" in frame.columns:
        years = pd.to_numeric(frame["year"], errors="coerce")
        mid = pd.to_datetime(years.astype("Int64").astype(str).where(years.notna()) + "-07-01", errors="coerce")
        date = date.where(date.notna(), mid)
    return date


def predecessor_reuse(links: pd.DataFrame, corpus: pd.DataFrame, *, group: str | None = None) -> pd.DataFrame:
    """How much of each dated speech repeats its predecessor: the latest speech dated before
    it (in the same ``group``, e.g. ``"genre"``, when given; of several on that date, the
    last by id). One row per dated speech that has a predecessor: ``speech_id``, ``year``,
    the ``group`` column when given, ``predecessor``, ``predecessor_year``, ``n_chars``,
    ``shared_chars`` (its compared characters inside a passage shared with the predecessor)
    and ``share``; in date order.

    >>> import pandas as pd
    >>> corpus = pd.DataFrame({"speech_id": ["a", "b"], "text": ["一二三四", "一二三七八九"], "year": [2001, 2002]})
    >>> links = pd.DataFrame({"speech_a": ["a"], "start_a": [0], "end_a": [3], "speech_b": ["b"],
    ...                       "start_b": [0], "end_b": [3], "dated": [True]})
    >>> predecessor_reuse(links, corpus)[["speech_id", "predecessor", "share"]].values.tolist()
    [['b', 'a', 0.5]]
    """
    columns = ["speech_id", "year", "predecessor", "predecessor_year", "n_chars", "shared_chars", "share"]
    when = _order_key(corpus)
    dated = corpus.assign(_when=when)[when.notna()]
    if group is not None and group not in corpus.columns:
        raise KeyError(f"predecessor_reuse: no column {group!r} in the corpus")
    rows = []
    groups = [(None, dated)] if group is None else list(dated.groupby(group, sort=True, observed=True))
    for key, rows_ in groups:
        rows_ = rows_.sort_values(["_when", "speech_id"], kind="stable")
        prev_id, prev_when, prev_year = None, None, None
        best: tuple | None = None
        for sid, when_, year in zip(rows_["speech_id"].astype(str), rows_["_when"],
                                    rows_["year"] if "year" in rows_.columns else [None] * len(rows_)):
            if prev_when is not None and when_ > prev_when:
                best = (prev_id, prev_year)
            if best is not None:
                rows.append((sid, year, best[0], best[1], when_, key))
            prev_id, prev_when, prev_year = sid, when_, year
    if not rows:
        return pd.DataFrame(columns=columns)
    pairs = pd.DataFrame(rows, columns=["speech_id", "year", "predecessor", "predecessor_year", "_when", "_group"])
    kept = {str(s): _kept_before(t) for s, t in zip(corpus["speech_id"], corpus["text"])}
    sides = _sides(links)
    wanted = set(zip(pairs["speech_id"], pairs["predecessor"]))
    sides = sides[[(s, o) in wanted for s, o in zip(sides["speech_id"], sides["other"])]]
    shared = _union_chars(sides, kept, ["speech_id", "other"]).rename(columns={"other": "predecessor"})
    out = pairs.merge(shared, on=["speech_id", "predecessor"], how="left")
    out["n_chars"] = out["speech_id"].map(lambda s: int(kept[s][-1])).astype("int64")
    out["shared_chars"] = out["shared_chars"].fillna(0).astype("int64")
    out["share"] = (out["shared_chars"] / out["n_chars"].where(out["n_chars"] > 0)).astype(float)
    out = out.sort_values(["_when", "speech_id"], kind="stable").drop(columns="_when")
    if group is not None:
        out[group] = out["_group"]
        columns = [*columns[:2], group, *columns[2:]]
    return out[columns].reset_index(drop=True)


def most_reused(links: pd.DataFrame, corpus: pd.DataFrame, against: pd.DataFrame | None = None, *,
                top: int | None = None, passage_ids: bool = True) -> pd.DataFrame:
    """The passages found again in the most other documents, at their source: the a side of
    each link (the earlier speech where dates are known), overlapping spans of one speech
    merged into one passage, counted by the distinct other speeches that share it. A passage
    that is itself mostly (more than half) a copy of an earlier speech is left out, so that a
    passage carried from year to year is listed once, where it first appears.

    One row per passage: ``speech_id``, ``start``, ``end`` (offsets in its ``text``),
    ``n_chars``, ``n_speeches`` (distinct other speeches sharing it), ``speeches`` (their
    ids, in corpus order), ``text`` and ``passage``. Largest ``n_speeches`` first, then
    longest; ``top`` rows at most.
    """
    columns = ["speech_id", "start", "end", "n_chars", "n_speeches", "speeches", "text", "passage"]
    links = links[links["speech_a"] != links["speech_b"]]
    docs = _documents(corpus, against)
    texts = dict(zip(docs["speech_id"].astype(str), docs["text"]))
    order = {sid: i for i, sid in enumerate(docs["speech_id"].astype(str))}
    kept = {sid: _kept_before(t) for sid, t in texts.items()}
    rows = []
    for sid, group in links.groupby(links["speech_a"].astype(str), sort=False, observed=True):
        group = group.sort_values(["start_a", "end_a"], kind="stable")
        # Copies this speech took from earlier ones: its b sides of dated links.
        copied = links[(links["speech_b"].astype(str) == sid) & links["dated"].astype(bool)]
        copied = sorted(zip(copied["start_b"].tolist(), copied["end_b"].tolist()))
        regions: list[list] = []
        for s, e, other in zip(group["start_a"].tolist(), group["end_a"].tolist(), group["speech_b"].astype(str)):
            if regions and s < regions[-1][1]:
                regions[-1][1] = max(regions[-1][1], e)
                regions[-1][2].add(other)
            else:
                regions.append([s, e, {other}])
        cum = kept[sid]
        for s, e, others in regions:
            covered, reach = 0, s
            for cs, ce in copied:
                cs, ce = max(cs, reach), min(ce, e)
                if ce > cs:
                    covered += int(cum[ce] - cum[cs])
                    reach = ce
            total = int(cum[e] - cum[s])
            if total and covered / total <= 0.5:
                rows.append((sid, s, e, others))
    out = pd.DataFrame([(sid, s, e, int(kept[sid][e] - kept[sid][s]), len(others),
                         sorted(others, key=order.get), texts[sid][s:e]) for sid, s, e, others in rows],
                       columns=columns[:-1])
    out = out.assign(_o=out["speech_id"].map(order))
    out = out.sort_values(["n_speeches", "n_chars", "_o", "start"], ascending=[False, False, True, True],
                          kind="stable").drop(columns="_o").reset_index(drop=True)
    if top is not None:
        out = out.head(top).reset_index(drop=True)
    out["passage"] = pd.Series([pd.NA] * len(out), dtype="string")
    if passage_ids and len(out):
        from .passages import passage_ids as ids

        used = docs[docs["speech_id"].astype(str).isin(set(out["speech_id"]))]
        out["passage"] = ids(out["speech_id"], out["start"], used).to_numpy()
    for column in ("start", "end", "n_chars", "n_speeches"):
        out[column] = out[column].astype("int64")
    return out


def enough_for_reuse(corpus: pd.DataFrame):
    """Whether ``corpus`` can show reuse over time: at least 3 dated speeches in at least 2
    years (the year-by-year matrix and the predecessors need both); an
    :class:`analysis.trends.Enough`, whose text says what the corpus has and, when it is not
    enough, what it needs.

    >>> found = enough_for_reuse(pd.DataFrame({"speech_id": ["a"], "year": [2012]}))
    >>> bool(found), repr(found).split(";")[0]
    (False, 'not enough to compare speeches over time: 1 dated speech in 1 year')
    """
    from .trends import MIN_DATED, MIN_GROUPS, Enough
    from .wording import counted

    years = pd.to_numeric(corpus["year"], errors="coerce") if "year" in corpus.columns else pd.Series(dtype=float)
    dated, n_years = int(years.notna().sum()), int(years.dropna().nunique())
    said = f"{counted(dated, 'dated speech')} in {counted(n_years, 'year')}"
    if dated >= MIN_DATED and n_years >= MIN_GROUPS:
        return Enough(True, f"enough to compare speeches over time: {said}")
    return Enough(False, f"not enough to compare speeches over time: {said}; reuse over time needs at least "
                         f"{MIN_DATED} dated speeches in at least {MIN_GROUPS} years (add speeches, or give dates "
                         "in metadata.csv)")


def side_by_side(links: pd.DataFrame, corpus: pd.DataFrame) -> pd.DataFrame:
    """The passages of :func:`reuse` with the corpus's side first: ``speech_id``,
    ``passage``, ``text`` (the corpus speech's words), ``other``, ``other_passage``,
    ``other_text`` (the words they share with, in the other document's own script),
    ``n_chars`` (the corpus side's) and ``similarity``; longest first. For links between a
    corpus and ``against`` documents, whichever side a corpus speech is on."""
    own = set(corpus["speech_id"].astype(str))
    first = links["speech_a"].astype(str).isin(own)
    pick = {name: links[f"{name}_a"].where(first, links[f"{name}_b"]) for name in ("speech", "passage", "text")}
    other = {name: links[f"{name}_b"].where(first, links[f"{name}_a"]) for name in ("speech", "passage", "text")}
    out = pd.DataFrame({"speech_id": pick["speech"], "passage": pick["passage"], "text": pick["text"],
                        "other": other["speech"], "other_passage": other["passage"], "other_text": other["text"],
                        "n_chars": links["n_chars"].where(first, links["n_chars_b"]),
                        "similarity": links["similarity"]})
    return out.sort_values(["n_chars", "similarity"], ascending=False, kind="stable").reset_index(drop=True)
