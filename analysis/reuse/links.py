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

import uuid

import pandas as pd

from ..common.deprecation import renamed_arguments
from ..common.warning import warn_user
from ..corpus.memo import corpus_memo
from .align import MAX_GAP, MAX_REPEAT, MIN_CHARS, XDROP, Params, align_pairs
from .shingles import (  # noqa: F401 (the rules files reuse reads: in its memo's key)
    BOILERPLATE,
    MAX_DF,
    MIN_SHARED,
    NGRAM,
    SUBSTITUTIONS,
    WINDOW,
    boilerplate,
    candidates,
    df_limit,
    mask_banned,
    prepare_chunk,
    substitutions,
)

LINK_COLUMNS = ["speech_a", "start_a", "end_a", "speech_b", "start_b", "end_b", "n_chars", "n_chars_b",
                "similarity", "dated", "text_a", "text_b", "passage_a", "passage_b"]


# --------------------------------------------------------------------------- public API

MANY_PAIRS = 200_000
"""Beyond this many candidate pairs, :func:`reuse` says so before aligning them (a corpus of
many short documents that share stock paragraphs: about 20,000 such speeches did not finish
in 20 minutes on 2 cores)."""


@renamed_arguments(moved=("against", "min_chars"))
@corpus_memo("reuse")
def reuse(corpus: pd.DataFrame, *, against: pd.DataFrame | None = None, min_chars: int = MIN_CHARS,
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
    check_frame(corpus, "corpus")
    frames = [corpus]
    if against is not None:
        check_frame(against, "against")
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
    p = Params(k=int(ngram), min_chars=int(min_chars), max_gap=int(max_gap), xdrop=float(xdrop),
                max_repeat=int(max_repeat), run=uuid.uuid4().hex)
    if p.k < 2 or window < 1 or p.min_chars < p.k:
        raise ValueError(f"reuse: need ngram ≥ 2, window ≥ 1 and min_chars ≥ ngram "
                         f"(got {ngram}, {window}, {min_chars})")
    rules, formulas = substitutions(), boilerplate()
    prepared = _map_prepare(texts, p.k, int(window), rules, formulas, client)
    docs = [d for d, _, _ in prepared]
    fps = [(h, pos) for _, h, pos in prepared]
    limit = df_limit(len(docs), max_df)
    cross = against is not None
    if min_shared is None:
        min_shared = (p.min_chars - p.k + 1) // int(window)
    pairs, banned = candidates(fps, len(corpus), limit, max(1, int(min_shared)), cross)
    if not within:
        pairs = [(i, j) for i, j in pairs if i != j]
    for doc, fp in zip(docs, fps):
        mask_banned(doc, fp, banned, p.k)
    del prepared, fps  # the fingerprints have done their work: free them before aligning
    if len(pairs) > MANY_PAIRS:
        warn_user(f"reuse: {len(pairs):,} pairs of documents share enough fingerprints to be aligned "
                  f"({len(docs):,} documents); this can take long. A lower max_df (now {max_df}: at most "
                  f"{limit:,} documents a fingerprint) leaves out more wording common to many of them "
                  "(docs/text-reuse.md, scale)")
    found = align_pairs(docs, pairs, p, client, workers)
    frame = _rows(found, docs, ids, frames, cross)
    frame.attrs.update({"pairs": len(pairs), "documents": len(docs), "df_limit": limit,
                        "boilerplate_fingerprints": len(banned)})
    if passage_ids and len(frame):
        frame["passage_a"], frame["passage_b"] = _passages(frame, frames)
    return frame


def check_frame(frame: pd.DataFrame, name: str) -> None:
    missing = [c for c in ("speech_id", "text", "text_simplified") if c not in frame.columns]
    if missing:
        raise KeyError(f"reuse: {name} has no column {missing}; pass a frame of analysis.load_corpus")
    duplicated = frame["speech_id"][frame["speech_id"].duplicated()].astype(str).tolist()
    if duplicated:
        raise ValueError(f"reuse: {name} repeats speech ids {duplicated[:5]}")


def _map_prepare(texts, k, w, rules, formulas, client):
    if client is None:
        return prepare_chunk(texts, k, w, rules, formulas)
    size = max(1, len(texts) // (4 * max(1, len(client.scheduler_info().get("workers", {})))) or 1)
    chunks = [texts[i:i + size] for i in range(0, len(texts), size)]
    futures = client.map(prepare_chunk, chunks, k=k, w=w, rules=rules, formulas=formulas, pure=False)
    return [x for chunk in client.gather(futures) for x in chunk]


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
    from ..corpus.passages import passage_ids

    used = set(frame["speech_a"]) | set(frame["speech_b"])
    both = pd.concat([f[["speech_id", "text"]] for f in frames], ignore_index=True)
    both = both[both["speech_id"].astype(str).isin(used)].reset_index(drop=True)
    a = passage_ids(frame["speech_a"], frame["start_a"], both)
    b = passage_ids(frame["speech_b"], frame["start_b"], both)
    return a.to_numpy(), b.to_numpy()
