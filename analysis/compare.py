"""Comparing speeches: keyness of a target against a reference, as quanteda's
``textstat_keyness(x, target = …)`` and AntConc's Keyword List do, and the keyword network.

``keyness(tokens, target=…, reference=…)``:

* ``target`` selects speeches (:func:`select`): a speech id or a list of them, a boolean
  mask (over the corpus rows, or indexed by ``speech_id``), or a query on corpus columns
  (``"year >= 2013"``, ``"genre == 'report'"``; pass ``corpus=``). None means every
  speech of ``tokens``.
* ``reference`` is, by default, the rest of the corpus; or another selection; or a named
  reference (:func:`analysis.reference.reference`: ``"general"`` for general Chinese,
  ``"gwr:2008-2016"`` for the government work reports of a period); or another corpus's
  token frame, or a Series of counts. With no target and no reference the whole of
  ``tokens`` is compared with general Chinese.

Words absent from the reference, and words the two sides cut differently (see
:mod:`analysis.reference`), are reported apart by default (``absent="apart"``): they never
top a ranking, and ``absent="only"`` lists them (new words of a period are among them).
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .reference import Reference, is_reference_name
from .reference import reference as named_reference
from .script import to_simplified
from .vocabulary import _display_forms, _select, _word_tokens, collocations, n_words, term_of, value_counts
from .wording import counted

ABSENT = ("apart", "include", "only")
KEYNESS_COLUMNS = ["token", "term", "count", "per_10k", "ref_count", "ref_per_10k", "g2", "log_ratio",
                   "p", "in_reference", "cut_differs", "variants"]


# ---------------------------------------------------------------- selecting speeches
def select(corpus: pd.DataFrame | None, spec, *, ids: list[str] | None = None, what: str = "target") -> list[str]:
    """The speech ids ``spec`` selects, in corpus order.

    ``spec``: a speech id, a list (or other collection) of ids, a boolean mask (a Series
    aligned with the corpus rows or indexed by speech id, or an array as long as the
    corpus), a function of the corpus returning such a mask, or a query string on the
    corpus columns (pandas ``DataFrame.query``: ``"year >= 2013"``, ``"genre == 'report'"``).
    ``ids`` are the speeches available when no corpus is given (queries then need one).
    Raises ``ValueError`` naming what is wrong: an unknown id, a query without a corpus, a
    selection of nothing.

    >>> corpus = pd.DataFrame({"speech_id": ["a", "b", "c"], "year": [2010, 2013, 2015]})
    >>> select(corpus, "year >= 2013"), select(corpus, ["c", "a"]), select(corpus, corpus.year < 2012)
    (['b', 'c'], ['a', 'c'], ['a'])
    """
    known = list(corpus["speech_id"]) if corpus is not None else list(ids or [])
    if callable(spec) and not isinstance(spec, pd.Series):
        if corpus is None:
            raise ValueError(f"{what} is a function of the corpus: pass corpus=")
        spec = spec(corpus)
    if isinstance(spec, str) and spec not in known:
        if corpus is None:
            raise ValueError(f"{what}={spec!r} is a query on corpus columns: pass corpus= "
                             "(the frame of load_corpus)")
        try:
            chosen = corpus.query(spec, engine="python")["speech_id"].tolist()
        except Exception as exc:  # pandas raises many kinds for a bad query
            raise ValueError(f"{what}={spec!r}: not a speech id, and not a query on the corpus "
                             f"columns {list(corpus.columns)[:12]}… ({type(exc).__name__}: {exc})") from None
    elif isinstance(spec, str):
        chosen = [spec]
    elif isinstance(spec, pd.Series) and spec.dtype == bool:
        if corpus is not None and spec.index.equals(corpus.index):
            chosen = corpus.loc[spec, "speech_id"].tolist()
        elif set(spec.index) <= set(known):
            chosen = [sid for sid in known if spec.get(sid, False)]
        else:
            raise ValueError(f"{what}: a boolean Series must be aligned with the corpus rows or "
                             "indexed by speech_id")
    elif isinstance(spec, np.ndarray) and spec.dtype == bool:
        if len(spec) != len(known):
            raise ValueError(f"{what}: a boolean array must have one value per speech ({len(known)})")
        chosen = [sid for sid, keep in zip(known, spec) if keep]
    else:
        wanted = list(spec)
        unknown = [sid for sid in wanted if sid not in set(known)]
        if unknown:
            raise ValueError(f"{what}: unknown speech id(s) {unknown[:10]}")
        chosen = wanted
    chosen_set = set(chosen)
    chosen = [sid for sid in known if sid in chosen_set]
    if not chosen:
        raise ValueError(f"{what}={_describe_spec(spec)} selects no speech")
    return chosen


def _describe_spec(spec) -> str:
    if isinstance(spec, str):
        return repr(spec)
    if isinstance(spec, pd.Series | np.ndarray):
        return f"a mask of {int(np.asarray(spec).sum())} speech(es)"
    return repr(list(spec)[:5])


# ---------------------------------------------------------------- statistics
def g2_two_samples(a, b, c, d) -> np.ndarray:
    """Log-likelihood G² over the full 2×2 table (word / other words × target / reference):
    ``2 Σ O ln(O/E)`` with 0·ln 0 = 0 (Dunning 1993; Rayson & Garside 2000). ``a``, ``b``:
    the word's counts in target and reference; ``c``, ``d``: their sizes. As AntConc 4's
    "Log-Likelihood (4-term)" and quanteda's ``measure = "lr", correction = "none"``.

    >>> round(float(g2_two_samples(10, 10, 1000, 1000)[0]), 6), round(float(g2_two_samples(20, 5, 1000, 1000)[0]), 3)
    (0.0, 9.751)
    """
    a, b, c, d = (np.atleast_1d(np.asarray(v, dtype=float)) for v in (a, b, c, d))
    n = c + d
    observed = [a, b, c - a, d - b]
    expected = [c * (a + b) / n, d * (a + b) / n, c * (n - a - b) / n, d * (n - a - b) / n]
    total = np.zeros(len(a))
    for o, e in zip(observed, expected):
        with np.errstate(divide="ignore", invalid="ignore"):
            total += np.where(o > 0, o * np.log(o / e), 0.0)
    return 2 * total


def g2_against_rate(a, c, q) -> np.ndarray:
    """Log-likelihood G² of observing ``a`` of ``c`` words when the reference rate is ``q``,
    taken as known (a reference so large that its own sampling error is negligible, such as a
    published frequency list): ``2 [a ln(a/cq) + (c−a) ln((c−a)/(c(1−q)))]``, the binomial
    goodness-of-fit test, 1 df.

    >>> round(float(g2_against_rate(10, 1000, 0.01)[0]), 6), round(float(g2_against_rate(20, 1000, 0.01)[0]), 3)
    (0.0, 7.827)
    """
    a, c, q = (np.atleast_1d(np.asarray(v, dtype=float)) for v in (a, c, q))
    e = c * q
    with np.errstate(divide="ignore", invalid="ignore"):
        first = np.where(a > 0, a * np.log(a / e), 0.0)
        second = np.where(c - a > 0, (c - a) * np.log((c - a) / (c - e)), 0.0)
    return 2 * (first + second)


def log_ratio(rate, ref_rate) -> np.ndarray:
    """Hardie's (2014) Log Ratio, ``log2(rate / ref_rate)``: +1 is twice as frequent. It does
    not grow with frequency, G² does.

    >>> log_ratio(0.002, 0.001).tolist()
    [1.0]
    """
    return np.log2(np.atleast_1d(np.asarray(rate, dtype=float)) / np.atleast_1d(np.asarray(ref_rate, dtype=float)))


def chi2_p(g2) -> np.ndarray:
    """The chi-square (1 df) upper tail of |G²|: ``erfc(sqrt(|G²| / 2))``.

    >>> round(float(chi2_p(3.841459)[0]), 4)
    0.05
    """
    return np.array([math.erfc(math.sqrt(abs(g) / 2)) for g in np.atleast_1d(g2)])


# ---------------------------------------------------------------- keyness
def _side_ids(tokens: pd.DataFrame) -> list[str]:
    return list(pd.unique(tokens["speech_id"])) if "speech_id" in tokens.columns else []


def _describe_side(label: str, tokens: pd.DataFrame, n_words: int) -> str:
    n = tokens["speech_id"].nunique() if "speech_id" in tokens.columns else 1
    return f"{label}: {counted(n, 'speech')}, {n_words:,} words"


def _variants_of(terms, aliases: bool) -> dict[str, list[str]]:
    """Each term key with the Simplified forms that count as it (its alias group's variants)."""
    if not aliases:
        return {t: [t] for t in terms}
    from .aliases import _maps

    groups = _maps()[1]
    return {t: groups.get(t, [t]) for t in terms}


def keyness(tokens: pd.DataFrame, target=None, reference=None, *, corpus: pd.DataFrame | None = None,
            min_count: int = 2, words: str = "content", aliases: bool = True,
            positive_only: bool = True, absent: str = "apart") -> pd.DataFrame:
    """Keywords: terms used more (or less) in the target speeches than in a reference.

    ``target`` and ``reference``: see the module's docstring (:func:`select` for
    selections). Candidates are the target's ``words`` (content words by default) seen at
    least ``min_count`` times; sizes are word tokens (punctuation left out, stopwords in) on
    both sides; alias groups count as one term unless ``aliases=False``.

    Returns one row per term: ``token`` (most common original form), ``term`` (the
    Simplified key), ``count`` and ``per_10k`` in the target, ``ref_count`` (NA against a
    frequency list) and ``ref_per_10k`` in the reference, ``g2``, ``log_ratio``, ``p``,
    ``in_reference``, ``cut_differs`` and ``variants``; sorted by ``g2``, then log ratio,
    count and code point. ``attrs["target"]`` and ``attrs["reference"]`` describe the two
    sides (show them with the table).

    * ``g2``: against counts (another selection, another corpus, the government work
      reports), :func:`g2_two_samples`; against a frequency list (general Chinese),
      :func:`g2_against_rate`. Signed: negative when the term is rarer in the target.
    * ``log_ratio``: :func:`log_ratio`; a zero count on either side is taken as 0.5 (a
      zero frequency as half the list's floor), so the value is finite and flagged.
    * ``p``: :func:`chi2_p`; with thousands of candidates, correct for multiple tests
      before calling a term significant.
    * ``in_reference``: the reference attests the term (any variant of its group);
      ``cut_differs``: the two sides cut the term differently (:meth:`Reference.cut_differs`:
      it is or contains a word only our dictionary keeps whole, or it is part of a word only
      the reference's build kept whole), so its counts are not comparable.

    ``absent="apart"`` (default) leaves out the terms absent from the reference or cut
    differently; ``"only"`` lists just those; ``"include"`` keeps all, flagged.
    ``positive_only=False`` adds the terms used less than in the reference (terms that never
    occur in the target are not listed).

    >>> from analysis import corpus_tokens, load_corpus
    >>> tokens = corpus_tokens(load_corpus())   # the seed, against general Chinese
    >>> keyness(tokens).attrs["reference"].split(":")[0]
    'general Chinese'
    """
    if min_count < 1:
        raise ValueError("min_count must be at least 1")
    if absent not in ABSENT:
        raise ValueError(f"absent must be one of {ABSENT}, not {absent!r}")
    ids = _side_ids(tokens)
    if target is None:
        target_tokens, target_label = tokens, "target: all speeches"
        target_ids = ids
    else:
        target_ids = select(corpus, target, ids=ids, what="target")
        target_tokens = tokens[tokens["speech_id"].isin(target_ids)]
        target_label = f"target {_describe_spec(target)}"
    size = n_words(target_tokens)
    if size == 0:
        raise ValueError("the target has no words")
    ref = _resolve_reference(tokens, reference, target, target_ids, ids, corpus)

    candidates = _select(target_tokens, words)
    keys = term_of(candidates, aliases)
    forms = _display_forms(candidates, keys)
    table = value_counts(keys).rename("count").rename_axis("term").reset_index()
    table = table[table["count"] >= min_count].reset_index(drop=True)
    table["token"] = table["term"].map(forms["token"])
    table["variants"] = table["term"].map(forms["variants"])
    table["per_10k"] = table["count"] / size * 10_000
    forms_of = _variants_of(table["term"], aliases)

    if isinstance(ref, Reference):
        flat = [v for t in table["term"] for v in forms_of[t]]
        found = dict(zip(flat, ref.lookup_many(flat)))
        values = np.array([sum(found[v] for v in forms_of[t]) for t in table["term"]], dtype=float)
        description = ref.description
    else:
        ref_tokens, description = ref
        ref_words = _word_tokens(ref_tokens)
        ref_counts = value_counts(term_of(ref_words, aliases))
        values = table["term"].map(ref_counts).fillna(0).to_numpy(dtype=float)
        ref = Reference(name="tokens", description=description, counts=ref_counts, size=len(ref_words))
    table["in_reference"] = values > 0
    table["cut_differs"] = [any(ref.cut_differs(v) for v in forms_of[t]) for t in table["term"]]
    a = table["count"].to_numpy(dtype=float)
    if ref.kind == "frequencies":
        floor = ref.floor or float(values[values > 0].min(initial=1e-9))
        q = np.where(values > 0, values, floor / 2)
        table["ref_count"] = pd.array([pd.NA] * len(table), dtype="Int64")
        table["ref_per_10k"] = values * 10_000
        g2 = g2_against_rate(a, size, q)
        ratio = log_ratio(a / size, q)
        over = a / size >= q
    else:
        b = values
        ref_size = float(ref.size)
        table["ref_count"] = pd.array(b.astype(np.int64), dtype="Int64")
        table["ref_per_10k"] = b / ref_size * 10_000
        g2 = g2_two_samples(a, b, float(size), ref_size)
        ratio = log_ratio(a / size, np.where(b > 0, b, 0.5) / ref_size)
        over = a / size >= b / ref_size
    table["g2"] = np.where(over, g2, -g2)
    table["log_ratio"] = ratio
    table["p"] = chi2_p(table["g2"].to_numpy())
    if positive_only:
        table = table[table["g2"] > 0]
    apart = ~table["in_reference"] | table["cut_differs"]
    if absent == "apart":
        table = table[~apart]
    elif absent == "only":
        table = table[apart]
    table = table.sort_values(["g2", "log_ratio", "count", "term"],
                              ascending=[False, False, False, True], kind="stable")
    out = table[KEYNESS_COLUMNS].reset_index(drop=True)
    out.attrs["target"] = _describe_side(target_label, target_tokens, size)
    out.attrs["reference"] = description
    return out


def _resolve_reference(tokens, reference, target, target_ids, ids, corpus):
    """A :class:`Reference`, or ``(token frame, description)`` for counts from tokens."""
    if reference is None:
        if target is None:
            return named_reference("general")
        rest = [sid for sid in ids if sid not in set(target_ids)]
        if not rest:
            raise ValueError("the target is every speech: give a reference (another selection, "
                             "'general' or 'gwr:YYYY-YYYY')")
        ref_tokens = tokens[tokens["speech_id"].isin(rest)]
        return ref_tokens, _describe_side("reference: the rest of the corpus", ref_tokens,
                                          n_words(ref_tokens))
    if is_reference_name(reference):
        return named_reference(reference)
    if isinstance(reference, pd.DataFrame) and "simplified" in reference.columns:
        return reference, _describe_side("reference: another corpus", reference, n_words(reference))
    if isinstance(reference, pd.Series) and reference.dtype != bool:
        counts = reference.groupby(reference.index.map(to_simplified), observed=True).sum()
        return Reference(name="counts", description=f"reference: counts of {len(counts):,} words",
                         counts=counts, size=int(counts.sum()))
    ref_ids = select(corpus, reference, ids=ids, what="reference")
    overlap = set(ref_ids) & set(target_ids)
    if overlap:
        raise ValueError(f"target and reference share {len(overlap)} speech(es) "
                         f"({sorted(overlap)[:5]}): keyness compares disjoint sets")
    ref_tokens = tokens[tokens["speech_id"].isin(ref_ids)]
    return ref_tokens, _describe_side(f"reference {_describe_spec(reference)}", ref_tokens, n_words(ref_tokens))


def keyness_by_speech(tokens: pd.DataFrame, top: int | None = 20, reference="general",
                      min_count: int = 2, **options) -> pd.DataFrame:
    """:func:`keyness` of each speech on its own against the same ``reference`` (default
    general Chinese), ``speech_id`` first and each speech's ``top`` keywords (all when
    ``top`` is None), in corpus order: how the speeches differ in what they stress. Other
    keyword arguments go to :func:`keyness`."""
    frames = []
    for speech_id, rows in tokens.groupby("speech_id", sort=False, observed=True):
        found = keyness(rows, reference=reference, min_count=min_count, **options)
        found = found if top is None else found.head(top)
        frames.append(found.assign(speech_id=speech_id))
    if not frames:
        return pd.DataFrame(columns=["speech_id", *KEYNESS_COLUMNS])
    frame = pd.concat(frames, ignore_index=True)
    return frame[["speech_id", *KEYNESS_COLUMNS]]


def keyword_network(tokens: pd.DataFrame, top: int = 20, window: int = 5, min_count: int = 2,
                    reference=None, *, aliases: bool = True, **options) -> pd.DataFrame:
    """The co-occurrence network of the corpus's keywords: edges between two of the ``top``
    keywords (:func:`keyness` against ``reference``, other keyword arguments passed on) that
    co-occur at least ``min_count`` times within ``window`` words (:func:`collocations`).

    Returns ``source``, ``target`` (original forms), ``weight`` (f_xy), ``logdice``; the
    keywords without an edge are left out.
    """
    keys = keyness(tokens, reference=reference, aliases=aliases, **options).head(top)
    wanted = set(keys["term"])
    pairs = collocations(tokens, window=window, min_count=min_count, aliases=aliases, among=wanted)
    keep = pairs["node_term"].isin(wanted) & pairs["collocate_term"].isin(wanted)
    edges = pairs[keep].rename(columns={"node": "source", "collocate": "target", "f_xy": "weight"})
    edges = edges.sort_values(["weight", "logdice", "source", "target"],
                              ascending=[False, False, True, True], kind="mergesort")
    return edges[["source", "target", "weight", "logdice"]].reset_index(drop=True)


def period_contrast(later: pd.DataFrame, earlier: pd.DataFrame, split: int, top: int = 20, *,
                    max_p: float | None = 0.05) -> pd.DataFrame:
    """The ``top`` keywords of each side of a split (two :func:`keyness` tables, each period
    against the other), with a ``period`` column (``"≥ 2013"``, ``"< 2013"``): one frame to
    draw as two panels.

    Only keywords significant at ``p < max_p`` (keyness's ``p`` column; the default 0.05 is
    G² ≥ 3.84 at 1 df) are kept, uncorrected for multiple tests; ``max_p=None`` keeps all.
    ``attrs["threshold"]`` says which rule was used (show it in the chart's title or
    caption) and ``attrs["left_out"]`` how many of the top rows it dropped.
    """
    def keep(table: pd.DataFrame) -> pd.DataFrame:
        return table if max_p is None else table[table["p"] < max_p]

    kept = [keep(later).head(top), keep(earlier).head(top)]
    both = pd.concat([kept[0].assign(period=f"≥ {split}"), kept[1].assign(period=f"< {split}")],
                     ignore_index=True)
    if max_p is None:
        both.attrs["threshold"] = "all keywords, significant or not"
    else:
        critical = _critical_g2(max_p)
        both.attrs["threshold"] = f"p < {max_p:g} (G² ≥ {critical:.2f}), not corrected for multiple tests"
    both.attrs["left_out"] = int(min(top, len(later)) + min(top, len(earlier)) - len(both))
    return both


def _critical_g2(max_p: float) -> float:
    """The G² (chi-square, 1 df) whose upper tail is ``max_p``: :func:`chi2_p` inverted by bisection."""
    low, high = 0.0, 100.0
    for _ in range(100):
        mid = (low + high) / 2
        low, high = (mid, high) if chi2_p(mid)[0] > max_p else (low, mid)
    return (low + high) / 2
