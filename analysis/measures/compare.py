"""Comparing speeches: keyness of a target against a reference, as quanteda's
``textstat_keyness(x, target = …)`` and AntConc's Keyword List do, and the keyword network.

``keyness(tokens, target=…, reference=…)``:

* ``target`` selects speeches (:func:`select`): a speech id or a list of them, a boolean
  mask (over the corpus rows, or indexed by ``speech_id``), or a query on corpus columns
  (``"year >= 2013"``, ``"genre == 'report'"``; the corpus the tokens came from is found,
  or pass ``corpus=``). A string is read one way: a speech id when one of the tokens'
  speeches has exactly that id, otherwise a query; never a reference name. None means
  every speech of ``tokens``.
* ``reference`` is a named reference (:func:`analysis.reference.reference`: ``"general"``
  for general Chinese, ``"gwr"`` or ``"gwr:2008-2016"`` for the government work reports of
  a period), or ``"rest"`` for the speeches of ``tokens`` outside the target; or another
  selection (read as ``target`` is); or another corpus's token frame, or a Series of
  counts. A string is read as a reference name first. Not given (None): general Chinese.
  With a target, None meant the rest of the corpus until now, and still does for one
  release, with a DeprecationWarning: pass ``reference="rest"``.

Keywords are ranked by LRC, Log Ratio's conservative estimate (Evert 2022), not by the bare
Log Ratio, whose top is made of terms seen twice. Words the reference lacks altogether are
reported apart by default (``absent="apart"``): they never top a ranking, and
``absent="only"`` lists them (new words of a period are among them). Words the two sides cut
differently (the reference holds 宣传 only inside 宣传教育) are compared on their occurrences
inside words on both sides (``basis="within"``, :mod:`analysis.counts`).
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..common.deprecation import renamed_arguments, warn_spelling
from ..common.frames import value_counts
from ..common.wording import counted
from ..corpus.memo import corpus_memo
from ..text.script import to_simplified
from .counts import WordCounts
from .reference import Reference, is_reference_name
from .reference import reference as named_reference
from .vocabulary import (
    MIN_COUNT,
    collapse,
    collocations,
    display_forms,
    n_words,
    select_tokens,
    term_of,
    weights,
    word_tokens,
)

ABSENT = ("apart", "include", "only")
KEYNESS_COLUMNS = ["token", "term", "count", "per_10k", "ref_count", "ref_per_10k", "g2", "log_ratio", "lrc",
                   "p", "in_reference", "cut_differs", "basis", "within", "ref_within", "ref_within_per_10k",
                   "variants"]
FREQUENCY_LIST_MIN_COUNT = 5
"""Against a frequency list (general Chinese), terms seen fewer times than this in the target
get no LRC (NaN) and rank after the others: see :func:`keyness`."""
REST = "rest"
"""``reference="rest"``: the speeches of the tokens outside the target."""
SORTS = {"lrc": ["lrc", "g2"], "g2": ["g2", "lrc"], "log_ratio": ["log_ratio", "g2"]}


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
            raise ValueError(f"{what}={spec!r} is a query on corpus columns, and these tokens do not come "
                             "from corpus_tokens(corpus): pass corpus= (the frame of load_corpus)")
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


# ---------------------------------------------------------------- LRC: Log Ratio, conservatively
_TINY = 1e-300


def _log_beta(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    lgamma = np.frompyfunc(math.lgamma, 1, 1)
    return (lgamma(a) + lgamma(b) - lgamma(a + b)).astype(float)


def _beta_cf(a: np.ndarray, b: np.ndarray, x: np.ndarray) -> np.ndarray:
    """The continued fraction of the incomplete beta function (modified Lentz; Press et al.,
    *Numerical Recipes*, 3rd ed., §6.4), vectorised; each value stops changing once its own
    fraction has converged, so that one slow value does not keep the others iterating."""
    qab, qap, qam = a + b, a + 1, a - 1
    c = np.ones_like(x)
    d = 1 - qab * x / qap
    d = 1 / np.where(np.abs(d) < _TINY, _TINY, d)
    h = d.copy()
    going = np.ones(len(x), dtype=bool)
    for m in range(1, 100_000):
        m2 = 2 * m
        step = np.ones_like(x)
        for aa in (m * (b - m) * x / ((qam + m2) * (a + m2)),
                   -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))):
            d = 1 + aa * d
            d = 1 / np.where(np.abs(d) < _TINY, _TINY, d)
            c = 1 + aa / c
            c = np.where(np.abs(c) < _TINY, _TINY, c)
            step = d * c
            h = np.where(going, h * step, h)
        going &= np.abs(step - 1) >= 1e-15
        if not going.any():
            break
    return h


def beta_cdf(x, a, b) -> np.ndarray:
    """The regularised incomplete beta function I_x(a, b): the beta distribution's CDF.
    Written here (numpy and ``math.lgamma``) because scipy is not a dependency.

    >>> [round(float(v), 6) for v in beta_cdf([0.5, 0.2, 0.9], [2, 1, 3], [2, 3, 0.5])]
    [0.5, 0.488, 0.445416]
    """
    x, a, b = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (x, a, b)))
    x, a, b = np.atleast_1d(x).copy(), np.atleast_1d(a), np.atleast_1d(b)
    out = np.where(x >= 1, 1.0, 0.0)
    inside = (x > 0) & (x < 1)
    if inside.any():
        xi, ai, bi = x[inside], a[inside], b[inside]
        front = np.exp(ai * np.log(xi) + bi * np.log1p(-xi) - _log_beta(ai, bi))
        direct = xi < (ai + 1) / (ai + bi + 2)
        value = np.empty_like(xi)
        if direct.any():
            value[direct] = front[direct] * _beta_cf(ai[direct], bi[direct], xi[direct]) / ai[direct]
        if (~direct).any():
            flip = ~direct
            value[flip] = 1 - front[flip] * _beta_cf(bi[flip], ai[flip], 1 - xi[flip]) / bi[flip]
        out[inside] = np.clip(value, 0, 1)
    return out


def beta_ppf(q, a, b) -> np.ndarray:
    """The ``q`` quantile of the beta distribution (a, b > 0): :func:`beta_cdf` inverted by
    Newton's method inside a bisection bracket, from the normal approximation, to a relative
    1e-12. Each pass works only on the quantiles not yet found.

    >>> [round(float(v), 6) for v in beta_ppf([0.5, 0.025], [2, 10], [2, 1])]
    [0.5, 0.691503]
    """
    from statistics import NormalDist

    q, a, b = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (q, a, b)))
    q, a, b = np.atleast_1d(q).copy(), np.atleast_1d(a).copy(), np.atleast_1d(b).copy()
    upper = q > 0.5
    if upper.any():
        # The upper tail from the lower one of the mirrored distribution, where the CDF keeps
        # its precision: x_q(a, b) = 1 − x_{1−q}(b, a).
        out = np.empty_like(q)
        out[upper] = 1 - beta_ppf(1 - q[upper], b[upper], a[upper])
        if (~upper).any():
            out[~upper] = beta_ppf(q[~upper], a[~upper], b[~upper])
        return out
    z = np.array([NormalDist().inv_cdf(min(max(v, 1e-300), 1 - 1e-16)) for v in q])
    mean, n = a / (a + b), a + b
    x = np.clip(mean + z * np.sqrt(a * b / (n * n * (n + 1))), 1e-300, 1 - 1e-16)
    lo, hi = np.zeros_like(q), np.ones_like(q)
    log_b = _log_beta(a, b)
    active = np.arange(len(q))
    for _ in range(200):
        if not len(active):
            break
        xa, aa, ba = x[active], a[active], b[active]
        f = beta_cdf(xa, aa, ba) - q[active]
        lo[active] = np.where(f < 0, xa, lo[active])
        hi[active] = np.where(f >= 0, xa, hi[active])
        with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
            density = np.exp((aa - 1) * np.log(xa) + (ba - 1) * np.log1p(-xa) - log_b[active])
            newton = xa - f / density
        la, ha = lo[active], hi[active]
        close = np.isfinite(newton) & (np.abs(newton - xa) <= 1e-12 * xa)
        inside = np.isfinite(newton) & (newton > la) & (newton < ha)
        x[active] = np.where(close | inside, newton, (la + ha) / 2)
        done = close | (f == 0) | (ha - la <= 1e-15 * ha)
        active = active[~done]
    return x


def clopper_pearson(k, n, alpha: float = 0.05) -> tuple[np.ndarray, np.ndarray]:
    """The exact (Clopper–Pearson) two-sided ``1 - alpha`` confidence interval of a binomial
    proportion, ``k`` successes of ``n``: ``(low, high)``.

    >>> low, high = clopper_pearson([0, 10], [10, 10])
    >>> round(float(high[0]), 6), round(float(low[1]), 6)
    (0.308497, 0.691503)
    """
    k, n = (np.atleast_1d(np.asarray(v, dtype=float)) for v in (k, n))
    k, n = np.broadcast_arrays(k, n)
    low, high = np.zeros(k.shape), np.ones(k.shape)
    some, short = k > 0, k < n
    if some.any():
        low[some] = beta_ppf(alpha / 2, k[some], n[some] - k[some] + 1)
    if short.any():
        high[short] = beta_ppf(1 - alpha / 2, k[short] + 1, n[short] - k[short])
    return low, high


def _conservative(low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """The bound of a log2 interval nearer to zero; 0 when the interval holds 0."""
    return np.where(low > 0, low, np.where(high < 0, high, 0.0))


def lrc_two_samples(a, b, c, d, conf_level: float = 0.95, family: int = 1) -> np.ndarray:
    """LRC, the conservative Log Ratio (Evert 2022, as the R package corpora's ``keyness(...,
    measure = "LRC")``): the bound nearer to zero of the ``conf_level`` confidence interval of
    ``log2((a/c) / (b/d))`` (0 when it holds 0). Given ``a + b``, ``a`` is binomial with
    ``τ = c r₁ / (c r₁ + d r₂)``; the exact Clopper–Pearson interval of τ gives that of the
    ratio ``r₁/r₂ = τ/(1−τ) · d/c``. ``family`` is the Bonferroni family size (the number of
    terms tested): the interval's level becomes ``1 − (1 − conf_level) / family``.

    >>> round(float(lrc_two_samples(10, 0, 1000, 1000)[0]), 4)   # τ ≥ 0.025^(1/10): log2(τ / (1 − τ))
    1.1645
    """
    a, b, c, d = (np.atleast_1d(np.asarray(v, dtype=float)) for v in (a, b, c, d))
    a, b, c, d = np.broadcast_arrays(a, b, c, d)
    alpha = (1 - conf_level) / max(int(family), 1)
    low, high = clopper_pearson(a, a + b, alpha)
    with np.errstate(divide="ignore"):
        log_low = np.log2(low) - np.log2(1 - low) + np.log2(d / c)
        log_high = np.log2(high) - np.log2(1 - high) + np.log2(d / c)
    return _conservative(log_low, log_high)


def lrc_against_rate(a, c, q, conf_level: float = 0.95, family: int = 1) -> np.ndarray:
    """LRC against a frequency list: the reference rate ``q`` is taken as known (as in
    :func:`g2_against_rate`), so only the target's sampling error counts: the exact
    Clopper–Pearson interval of ``a / c``, over ``q``, in log2; the bound nearer to zero.

    >>> round(float(lrc_against_rate(10, 10, 0.5)[0]), 4)   # 0.025^(1/10) / 0.5
    0.4678
    """
    a, c, q = (np.atleast_1d(np.asarray(v, dtype=float)) for v in (a, c, q))
    a, c, q = np.broadcast_arrays(a, c, q)
    alpha = (1 - conf_level) / max(int(family), 1)
    low, high = clopper_pearson(a, c, alpha)
    with np.errstate(divide="ignore"):
        return _conservative(np.log2(low / q), np.log2(high / q))


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
    from ..text.aliases import alias_maps

    groups = alias_maps()[1]
    return {t: groups.get(t, [t]) for t in terms}


@renamed_arguments(moved=("target", "reference"))
@corpus_memo("keyness")
def keyness(tokens: pd.DataFrame, *, target=None, reference=None, corpus: pd.DataFrame | None = None,
            min_count: int = MIN_COUNT, words: str = "content", aliases: bool = True,
            positive_only: bool = True, absent: str = "apart", sort: str = "lrc") -> pd.DataFrame:
    """Keywords: terms used more (or less) in the target speeches than in a reference.

    ``target`` and ``reference``: see the module's docstring (:func:`select` for
    selections). Candidates are the target's ``words`` (content words by default) seen at
    least ``min_count`` times; sizes are word tokens (punctuation left out, stopwords in) on
    both sides; alias groups count as one term unless ``aliases=False``.

    Returns one row per term: ``token`` (most common original form), ``term`` (the
    Simplified key), ``count`` and ``per_10k`` in the target, ``ref_count`` (NA against a
    frequency list) and ``ref_per_10k`` in the reference (all as words), ``g2``,
    ``log_ratio``, ``lrc``, ``p``, ``in_reference``, ``cut_differs``, ``basis``, ``within``,
    ``ref_within``, ``ref_within_per_10k`` and ``variants``; sorted by ``sort`` (``"lrc"``,
    the default, then G²; or ``"g2"``, then LRC; or ``"log_ratio"``), then count and code
    point. ``attrs["target"]`` and ``attrs["reference"]`` describe the two sides (show
    them with the table).

    * ``g2``: against counts (another selection, another corpus, the government work
      reports), :func:`g2_two_samples`; against a frequency list (general Chinese),
      :func:`g2_against_rate`. Signed: negative when the term is rarer in the target. It
      measures the evidence, and grows with frequency.
    * ``log_ratio``: Hardie's Log Ratio, :func:`log_ratio`; a zero count on either side is
      taken as 0.5 (a zero frequency as half the list's floor). A point estimate: a term
      seen twice can have the largest.
    * ``lrc``: the effect size to read and rank by, the conservative Log Ratio (Evert 2022):
      against counts :func:`lrc_two_samples`, the bound of Log Ratio's exact 95% interval
      nearer to zero, Bonferroni-corrected over the candidates (0 when the interval holds
      0); against a frequency list :func:`lrc_against_rate`, with the list's rate as exact,
      and only for terms the target uses at least :data:`FREQUENCY_LIST_MIN_COUNT` times
      (NaN below: the list's rate of a rare word, or of a phrase its segmenter cuts, is
      not known well enough for the ratio to mean much).
    * ``p``: :func:`chi2_p`; with thousands of candidates, correct for multiple tests
      before calling a term significant.
    * ``in_reference``: the reference attests the term (any variant of its group), as a
      word or inside longer words; ``cut_differs``: the two sides cut the term differently,
      so its word counts are not comparable: by the dictionaries
      (:meth:`Reference.cut_differs`: it is or contains a word only our dictionary keeps
      whole, or it is part of a word only the reference's build kept whole), because the
      reference never has it as a word but holds it inside longer words (宣传 in 宣传教育,
      协会 in 行业协会), or because the reference's own segmenter cuts it into several words
      (wordfreq's cuts 联系群众 into 联系|群众: its list's rate of the whole is no rate of the
      phrase in running text; :attr:`Reference.splits`).
    * ``basis``: ``"word"`` or ``"within"``: what the statistics were computed on. A term
      that cuts differently and that the reference holds inside words is compared on its
      occurrences inside words on both sides (:mod:`analysis.counts`): ``within`` in the
      target, ``ref_within`` (NA against a frequency list) and ``ref_within_per_10k`` in
      the reference; those three are filled only for such terms and for terms the reference
      lacks as a word.

    ``absent="apart"`` (default) leaves out the terms the reference lacks altogether (as a
    word and inside words: nothing to compare with) and the phrases its segmenter cuts
    (no rate of their own there); ``"only"`` lists just those;
    ``"include"`` keeps all, flagged. ``positive_only=False`` adds the terms used less than
    in the reference (terms that never occur in the target are not listed).

    >>> from analysis import corpus_tokens, load_corpus
    >>> tokens = corpus_tokens(load_corpus())   # the seed, against general Chinese
    >>> keyness(tokens).attrs["reference"].split(":")[0]
    'general Chinese'
    """
    _check_keyness_options(min_count, absent, sort)
    from ..corpus.cluster import is_dask
    from ..corpus.registry import docvars

    corpus = docvars(tokens, corpus)  # the corpus the tokens came from, unless one is given
    if is_dask(tokens):  # counted on the workers; only the counts come back
        tokens = collapse(tokens)
    ids = _side_ids(tokens)
    if target is None:
        target_tokens, target_label = tokens, "target: all speeches"
        target_ids = ids
    else:
        if isinstance(target, str) and target not in ids and (target == REST or is_reference_name(target)):
            raise ValueError(f"target={target!r} names a reference; the target is speeches: a speech id, a list "
                             "of them, a mask or a query on corpus columns (the reference goes in reference=)")
        target_ids = select(corpus, target, ids=ids, what="target")
        target_tokens = tokens[tokens["speech_id"].isin(target_ids)]
        target_label = f"target {_describe_spec(target)}"
    size = n_words(target_tokens)
    if size == 0:
        raise ValueError("the target has no words")
    ref = _resolve_reference(tokens, reference, target, target_ids, ids, corpus)
    table, forms_of = _target_counts(target_tokens, size, words, aliases, min_count)
    values, ref, description = _reference_counts(table, ref, forms_of, aliases)
    a, b = _compared_counts(table, values, ref, forms_of, target_tokens)
    _score(table, a, b, values, size, ref)
    out = _ranked(table, positive_only, absent, sort)
    out.attrs["target"] = _describe_side(target_label, target_tokens, size)
    out.attrs["reference"] = description
    return out


def _check_keyness_options(min_count: int, absent: str, sort: str) -> None:
    if min_count < 1:
        raise ValueError("min_count must be at least 1")
    if absent not in ABSENT:
        raise ValueError(f"absent must be one of {ABSENT}, not {absent!r}")
    if sort not in SORTS:
        raise ValueError(f"sort must be one of {tuple(SORTS)}, not {sort!r}")


def _target_counts(target_tokens: pd.DataFrame, size: int, words: str, aliases: bool, min_count: int):
    """The candidates: the target's ``words`` seen at least ``min_count`` times, with their
    display forms and rate; and each term's written forms (alias variants)."""
    candidates = select_tokens(target_tokens, words)
    keys = term_of(candidates, aliases)
    forms = display_forms(candidates, keys, weights(candidates))
    table = value_counts(keys, weights=weights(candidates)).rename("count").rename_axis("term").reset_index()
    table = table[table["count"] >= min_count].reset_index(drop=True)
    table["token"] = table["term"].map(forms["token"])
    table["variants"] = table["term"].map(forms["variants"])
    table["per_10k"] = table["count"] / size * 10_000
    return table, _variants_of(table["term"], aliases)


def _reference_counts(table: pd.DataFrame, ref, forms_of: dict, aliases: bool):
    """``(counts of each term in the reference, the reference as a Reference, its
    description)``: looked up in a named reference, or counted in the reference's tokens."""
    if isinstance(ref, Reference):
        flat = [v for t in table["term"] for v in forms_of[t]]
        found = dict(zip(flat, ref.lookup_many(flat)))
        values = np.array([sum(found[v] for v in forms_of[t]) for t in table["term"]], dtype=float)
        return values, ref, ref.description
    ref_tokens, description = ref
    ref_words = word_tokens(ref_tokens)
    ref_counts = value_counts(term_of(ref_words, aliases), weights=weights(ref_words))
    values = table["term"].map(ref_counts).fillna(0).to_numpy(dtype=float)
    # Counted inside words on the Simplified words as written (alias groups are matched
    # as variants there): see analysis.counts.
    ref = Reference(name="tokens", description=description, size=n_words(ref_words),
                    counts=value_counts(ref_words["simplified"], weights=weights(ref_words)))
    return values, ref, description


def _compared_counts(table: pd.DataFrame, values: np.ndarray, ref, forms_of: dict, target_tokens: pd.DataFrame):
    """The two counts each term is compared by, ``(target, reference)``: as words, or, where
    the two sides' word counts cannot be compared (the reference lacks the term as a word,
    or the two segmenters cut it differently), inside words on both sides. Sets the columns
    saying which (``in_reference``, ``cut_differs``, ``basis``, ``within``, ``ref_within``)."""
    frequencies = ref.kind == "frequencies"
    as_word = values > 0
    dictionary_cut = np.array([any(ref.cut_differs(v) for v in forms_of[t]) for t in table["term"]], dtype=bool)
    within = np.full(len(table), np.nan)
    ref_within = np.full(len(table), np.nan)
    needed = np.flatnonzero(~as_word | dictionary_cut)
    if len(needed):
        target_words = word_tokens(target_tokens)
        simplified = value_counts(target_words["simplified"], weights=weights(target_words))
        vocabulary = WordCounts(simplified.index, simplified.to_numpy())
        for i in needed:
            forms = forms_of[table["term"].iat[i]]
            within[i] = vocabulary.within(forms)
            ref_within[i] = ref.within(forms)
    # A phrase the reference's own segmenter cuts in several words has no rate of its own there.
    cut_there = np.zeros(len(table), dtype=bool)
    if ref.splits is not None and len(table):
        split = ref.splits([v for t in table["term"] for v in forms_of[t]])
        cut_there = np.array([all(v in split for v in forms_of[t]) for t in table["term"]], dtype=bool)
    held_inside = np.nan_to_num(ref_within) > 0
    table["in_reference"] = as_word | held_inside
    table["cut_differs"] = dictionary_cut | (~as_word & held_inside) | cut_there
    by_within = table["cut_differs"].to_numpy() & held_inside & ~cut_there
    table["basis"] = np.where(by_within, "within", "word")
    table["within"] = pd.array(np.where(np.isnan(within), None, within), dtype="Int64")
    table["ref_within"] = pd.array([pd.NA] * len(table) if frequencies else
                                   np.where(np.isnan(ref_within), None, ref_within), dtype="Int64")
    table["ref_within_per_10k"] = ref_within * (10_000 if frequencies else 10_000 / float(ref.size))
    table["_cut_there"] = cut_there
    a = np.where(by_within, within, table["count"].to_numpy(dtype=float))
    b = np.where(by_within, ref_within, values)
    return a, b


def _score(table: pd.DataFrame, a: np.ndarray, b: np.ndarray, values: np.ndarray, size: int, ref) -> None:
    """G², Log Ratio, LRC and p of each term: against a frequency list's rates, or two
    samples of counts (the four-term log-likelihood)."""
    family = len(table)
    if ref.kind == "frequencies":
        floor = ref.floor or float(values[values > 0].min(initial=1e-9))
        q = np.where(b > 0, b, floor / 2)
        table["ref_count"] = pd.array([pd.NA] * len(table), dtype="Int64")
        table["ref_per_10k"] = values * 10_000
        g2 = g2_against_rate(a, size, q)
        ratio = log_ratio(a / size, q)
        # The list's rate is taken as exact, so LRC sees only the target's sampling error; for a
        # term seen a few times the list's own rate of a rare word (or of a phrase its
        # segmenter cuts in two) decides: no effect size below FREQUENCY_LIST_MIN_COUNT.
        lrc = lrc_against_rate(a, size, q, family=family)
        table["lrc"] = np.where(a >= FREQUENCY_LIST_MIN_COUNT, lrc, np.nan)
        over = a / size >= q
    else:
        ref_size = float(ref.size)
        table["ref_count"] = pd.array(values.astype(np.int64), dtype="Int64")
        table["ref_per_10k"] = values / ref_size * 10_000
        g2 = g2_two_samples(a, b, float(size), ref_size)
        ratio = log_ratio(a / size, np.where(b > 0, b, 0.5) / ref_size)
        table["lrc"] = lrc_two_samples(a, b, float(size), ref_size, family=family)
        over = a / size >= b / ref_size
    table["g2"] = np.where(over, g2, -g2)
    table["log_ratio"] = ratio
    table["p"] = chi2_p(table["g2"].to_numpy())


def _ranked(table: pd.DataFrame, positive_only: bool, absent: str, sort: str) -> pd.DataFrame:
    """The rows kept (over-used only, absent terms apart, with or alone) in ``sort`` order."""
    if positive_only:
        table = table[table["g2"] > 0]
    apart = ~table["in_reference"] | table["_cut_there"]
    if absent == "apart":
        table = table[~apart]
    elif absent == "only":
        table = table[apart]
    table = table.sort_values([*SORTS[sort], "count", "term"], ascending=[False, False, False, True],
                              kind="stable")
    return table[KEYNESS_COLUMNS].reset_index(drop=True)


def _resolve_reference(tokens, reference, target, target_ids, ids, corpus):
    """A :class:`Reference`, or ``(token frame, description)`` for counts from tokens."""
    if reference is None and target is None:
        return named_reference("general")
    if reference is None:  # the rest of the corpus, as it meant before "rest" was its name
        warn_spelling("keyness(): reference=None with a target is the rest of the corpus for one more release, "
                      "then general Chinese: pass reference=\"rest\" (or reference=\"general\")")
        reference = REST
    if isinstance(reference, str) and reference == REST:
        if target is None:
            raise ValueError('reference="rest" is the speeches outside the target: give a target')
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


@renamed_arguments({"top": "n"}, moved=("n", "reference", "min_count"))
def keyness_by_speech(tokens: pd.DataFrame, *, n: int | None = 20, reference="general",
                      min_count: int = MIN_COUNT, **options) -> pd.DataFrame:
    """:func:`keyness` of each speech on its own against the same ``reference`` (default
    general Chinese), ``speech_id`` first and each speech's ``n`` keywords (all when
    ``n`` is None), in corpus order: how the speeches differ in what they stress. Other
    keyword arguments go to :func:`keyness`."""
    frames = []
    for speech_id, rows in tokens.groupby("speech_id", sort=False, observed=True):
        found = keyness(rows, reference=reference, min_count=min_count, **options)
        found = found if n is None else found.head(n)
        frames.append(found.assign(speech_id=speech_id))
    if not frames:
        return pd.DataFrame(columns=["speech_id", *KEYNESS_COLUMNS])
    frame = pd.concat(frames, ignore_index=True)
    return frame[["speech_id", *KEYNESS_COLUMNS]]


@renamed_arguments({"top": "n"}, moved=("n",))
def keyness_by_reference(tokens: pd.DataFrame, references: dict, *, n: int | None = None,
                         **options) -> pd.DataFrame:
    """:func:`keyness` of the same target against several references, one frame: a
    ``reference`` column (the dict's labels, in order) first, each table's ``n`` rows (all
    when None). ``attrs["references"]`` maps each label to the reference's description;
    ``attrs["target"]`` describes the target. Other keyword arguments go to :func:`keyness`.
    For a chart of two panels: general Chinese beside the same genre."""
    frames, described, target = [], {}, ""
    for label, reference in references.items():
        table = keyness(tokens, reference=reference, **options)
        described[label], target = table.attrs["reference"], table.attrs["target"]
        frames.append((table if n is None else table.head(n)).assign(reference=label))
    frame = pd.concat(frames, ignore_index=True)[["reference", *KEYNESS_COLUMNS]]
    frame.attrs["references"], frame.attrs["target"] = described, target
    return frame


@renamed_arguments({"top": "n"}, moved=("n", "window", "min_count", "reference"))
@corpus_memo("keyword_network")
def keyword_network(tokens: pd.DataFrame, *, n: int = 20, window: int = 5, min_count: int = MIN_COUNT,
                    reference=None, aliases: bool = True, sort: str = "g2", **options) -> pd.DataFrame:
    """The co-occurrence network of the corpus's keywords: edges between two of the ``n``
    keywords (:func:`keyness` against ``reference``, other keyword arguments passed on) that
    co-occur at least ``min_count`` times within ``window`` words (:func:`collocations`).
    The keywords are ranked by G² by default (``sort``), the evidence, which favours terms
    frequent enough to co-occur; an effect-size ranking (LRC) favours rarer terms, which on
    a large corpus may share no window at all.

    Returns ``source``, ``target`` (original forms), ``weight`` (f_xy), ``logdice``; the
    keywords without an edge are left out.
    """
    keys = keyness(tokens, reference=reference, aliases=aliases, sort=sort, **options).head(n)
    wanted = set(keys["term"])
    pairs = collocations(tokens, window=window, min_count=min_count, aliases=aliases, among=wanted)
    keep = pairs["node_term"].isin(wanted) & pairs["collocate_term"].isin(wanted)
    edges = pairs[keep].rename(columns={"node": "source", "collocate": "target", "f_xy": "weight"})
    edges = edges.sort_values(["weight", "logdice", "source", "target"],
                              ascending=[False, False, True, True], kind="mergesort")
    return edges[["source", "target", "weight", "logdice"]].reset_index(drop=True)


@renamed_arguments({"top": "n"}, moved=("n",))
def period_contrast(later: pd.DataFrame, earlier: pd.DataFrame, split: int, *, n: int = 20,
                    max_p: float | None = 0.05) -> pd.DataFrame:
    """The ``n`` keywords of each side of a split (two :func:`keyness` tables, each period
    against the other), with a ``period`` column (``"≥ 2013"``, ``"< 2013"``): one frame to
    draw as two panels.

    Only keywords significant at ``p < max_p`` (keyness's ``p`` column; the default 0.05 is
    G² ≥ 3.84 at 1 df) are kept, uncorrected for multiple tests; ``max_p=None`` keeps all.
    ``attrs["threshold"]`` says which rule was used (show it in the chart's title or
    caption) and ``attrs["left_out"]`` how many of the top rows it dropped.
    """
    def keep(table: pd.DataFrame) -> pd.DataFrame:
        return table if max_p is None else table[table["p"] < max_p]

    kept = [keep(later).head(n), keep(earlier).head(n)]
    both = pd.concat([kept[0].assign(period=f"≥ {split}"), kept[1].assign(period=f"< {split}")],
                     ignore_index=True)
    if max_p is None:
        both.attrs["threshold"] = "all keywords, significant or not"
    else:
        critical = _critical_g2(max_p)
        both.attrs["threshold"] = f"p < {max_p:g} (G² ≥ {critical:.2f}), not corrected for multiple tests"
    both.attrs["left_out"] = int(min(n, len(later)) + min(n, len(earlier)) - len(both))
    return both


def _critical_g2(max_p: float) -> float:
    """The G² (chi-square, 1 df) whose upper tail is ``max_p``: :func:`chi2_p` inverted by bisection."""
    low, high = 0.0, 100.0
    for _ in range(100):
        mid = (low + high) / 2
        low, high = (mid, high) if chi2_p(mid)[0] > max_p else (low, mid)
    return (low + high) / 2
