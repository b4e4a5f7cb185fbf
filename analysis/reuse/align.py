"""Text reuse, the alignment of a candidate pair: exact matches merged from shared shingles,
chained, gaps aligned (affine, X-drop) and ends extended; in chunks across processes or a
dask cluster (see :mod:`analysis.reuse.links` for the method and why it is written here)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .shingles import NGRAM, Doc, shingle_hashes

# --------------------------------------------------------------------------- alignment

MIN_CHARS = 15
"""The shortest passage reported, in compared characters on each side (Han characters,
letters and digits)."""
MAX_GAP = 30
"""The most characters (either side) between two exact matches chained into one passage."""
XDROP = 12.0
"""A link whose gap scores below ``-XDROP`` splits the passage (12: a deleted clause of up
to 21 characters keeps the passage whole, twelve replaced characters in a row do not)."""
MAX_REPEAT = 8
"""A shingle found more than this many times in one document does not seed its pairs."""
MATCH, MISMATCH, GAP_OPEN, GAP_EXTEND = 1.0, -1.0, 2.0, 0.5


@dataclass(frozen=True)
class Params:
    k: int = NGRAM
    min_chars: int = MIN_CHARS
    max_gap: int = MAX_GAP
    xdrop: float = XDROP
    max_repeat: int = MAX_REPEAT
    lookback: int = 50
    run: str = ""   # one reuse() call: the key of its documents' seeds in the cache


def _seeds(doc: Doc, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The document's unmasked shingles: ``(hashes, first, count, positions)``: its distinct
    hashes sorted, where each one's positions start in ``positions`` and how many there are."""
    h, bad = shingle_hashes(doc, k)
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


def _ungapped_extension(da: Doc, db: Doc, a_from, b_from, step: int, limit: int) -> np.ndarray:
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


def _chains(a0, a1, b0, b1, p: Params) -> list[list[tuple[int, int, int, int]]]:
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


def _pair_passages(da: Doc, db: Doc, sa, sb, same: bool, p: Params) -> list[tuple]:
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


def _score_chain(chain, ac, bc, first, last, p: Params) -> list[tuple]:
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


def _align_chunk(docs: list[Doc], pairs: list[tuple[int, int]], p: Params) -> list[tuple]:
    """Align a chunk of candidate pairs (sorted by their first document):
    ``[(i, j, a0, a1, b0, b1, matches, columns, score), …]``. The documents' seeds are kept
    between chunks of one run (at most :data:`_SEED_CACHE_DOCS`, oldest dropped first)."""
    out = []
    for i, j in pairs:
        sa, sb = _cached_seeds(docs, i, p), _cached_seeds(docs, j, p)
        for found in _pair_passages(docs[i], docs[j], sa, sb, i == j, p):
            out.append((i, j, *found))
    return out


def _cached_seeds(docs: list[Doc], d: int, p: Params) -> tuple:
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

    def __init__(self, docs: list[Doc]):
        self.docs = docs


def _align_remote(shipment: _Shipment, pairs, p):
    return _align_chunk(shipment.docs, pairs, p)


def _clear_seed_cache() -> None:
    _SEED_CACHE.clear()


def _chunks(pairs: list, docs: list[Doc], target: int = 400_000) -> list[list]:
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


def align_pairs(docs, pairs, p, client, workers):
    if not pairs:
        return []
    chunks = _chunks(pairs, docs)
    if client is not None:
        remote = client.scatter(_Shipment(docs), broadcast=True)
        futures = client.map(_align_remote, [remote] * len(chunks), chunks, [p] * len(chunks), pure=False)
        results = client.gather(futures)
        client.run(_clear_seed_cache)
    else:
        from ..corpus.parallel import default_workers, parallel_map, show_progress

        workers = default_workers() if workers is None else max(1, int(workers))
        _STATE.update(docs=docs, params=p)
        try:
            sizes = [sum(len(docs[j].codes) for _, j in chunk) for chunk in chunks]
            results = parallel_map(_align_chunk_forked, chunks, sizes=sizes, workers=workers,
                                   progress=show_progress(len(chunks), None), desc=f"aligning {len(pairs):,} pairs",
                                   unit="chunk")
        finally:
            _STATE.clear()
            _SEED_CACHE.clear()
    return [x for chunk in results for x in chunk]
