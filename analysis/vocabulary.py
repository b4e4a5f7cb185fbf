"""Vocabulary of segmented speeches: word lists, n-grams, keywords against general Chinese,
and collocates: the Word List, N-Grams, Keyword List and Collocates tools of AntConc, and
quanteda's ``textstat_frequency`` / ``textstat_keyness``.

Every function takes the token frame of :func:`analysis.corpus_tokens` (or of
:func:`analysis.tokenize` for one text) and counts words on their **Simplified** form, so
that 計生協會 and 计生协会 in a mixed Traditional/Simplified corpus are one word; the table
shows the word in its most common original form.

Sizes and relative frequencies are always in *word tokens*: every token that is not
punctuation, stopwords included (as AntConc counts "tokens"), whatever filter picks the
words that are listed. Pass the full token frame, not :func:`content_words` of it, or the
per-10,000 rates and the keyness totals shrink with the filter.
"""
from __future__ import annotations

import functools
import importlib.util
import math
from pathlib import Path

import numpy as np
import opencc
import pandas as pd
import pyarrow as pa

from .script import to_simplified
from .segment import user_dictionary

# jieba.posseg tags (ICTCLAS set, plus jieba's nrt/nrfg and paddle's nw) counted as content
# words: what a speech is about and how it evaluates it. Left out on purpose: m numerals and
# q measure words, r pronouns, p prepositions, c conjunctions, u* particles, d adverbs
# (就 已 将 必须 进一步: grammatical rather than topical), f locatives (上 中 之际), t time
# words (今天 当前), s place words, e/y/o/h/k interjections and affixes, x punctuation and
# unknown, eng Latin words, and the one-character morpheme tags (ng vg ag tg dg).
CONTENT_POS = frozenset({
    # nouns: common, person, place, organisation, other proper, paddle's "other noun"
    "n", "nr", "nrt", "nrfg", "ns", "nt", "nz", "nw",
    # abbreviations (双降, 两会), fixed expressions (又好又快), idioms (义不容辞)
    "j", "l", "i",
    # verbs, verbal nouns (计划生育, 服务), adverbial and intransitive verbs
    "v", "vn", "vd", "vi",
    # adjectives, nominal and adverbial ones (积极, 切实, 认真: the speech's evaluative
    # register), non-predicate adjectives (区别词) and status words (优良)
    "a", "an", "ad", "b", "z",
})

WORD_SETS = ("content", "all")


# ---------------------------------------------------------------- filters


def _is_content(tokens: pd.DataFrame) -> pd.Series:
    simplified = tokens["simplified"]
    in_user_dict = simplified.isin(frozenset(user_dictionary()["word"]))
    # User-dictionary words count whatever their tag: the researcher listed them as domain
    # vocabulary, and some carry the numeral tag m (五有, 三进, 双建双汇).
    by_pos = tokens["pos"].isin(CONTENT_POS) & (simplified.str.len() >= 2)
    return ~tokens["is_punct"] & ~tokens["is_stop"] & (by_pos | in_user_dict)


def content_words(tokens: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``tokens`` that are content words: a tag in :data:`CONTENT_POS` and at
    least two characters, or a word of the user dictionary (any tag, any length); never a
    stopword or punctuation. The index is kept, so the rows align with ``tokens``.

    >>> from analysis import tokenize
    >>> content_words(tokenize("要緊緊圍繞雙降目標")).token.tolist()
    ['圍繞', '雙降', '目標']
    """
    return tokens[_is_content(tokens)]


def _word_tokens(tokens: pd.DataFrame) -> pd.DataFrame:
    return tokens[~tokens["is_punct"]]


def _select(tokens: pd.DataFrame, words: str) -> pd.DataFrame:
    if words not in WORD_SETS:
        raise ValueError(f"words must be one of {WORD_SETS}, not {words!r}")
    return content_words(tokens) if words == "content" else _word_tokens(tokens)


def _by_columns(by) -> list[str]:
    if by is None:
        return []
    return [by] if isinstance(by, str) else list(by)


def _mode_by(frame: pd.DataFrame, key: str, column: str) -> pd.Series:
    """For each value of ``key``, the most common value of ``column`` (ties: the smallest)."""
    counts = frame.groupby([key, column], sort=False).size().reset_index(name="_n")
    counts = counts.sort_values([key, "_n", column], ascending=[True, False, True], kind="stable")
    return counts.drop_duplicates(key).set_index(key)[column]


def _display_forms(tokens: pd.DataFrame) -> pd.DataFrame:
    """One row per Simplified word of ``tokens`` (the index): ``token``, its most common
    original form, and ``pos``, its most common tag (ties broken by code point).

    >>> from analysis import tokenize
    >>> _display_forms(tokenize("雙降，双降，雙降")).loc["双降"].tolist()
    ['雙降', 'j']
    """
    return pd.DataFrame({"token": _mode_by(tokens, "simplified", "token"),
                         "pos": _mode_by(tokens, "simplified", "pos")})


# ---------------------------------------------------------------- frequency list


def frequencies(tokens: pd.DataFrame, by=None, words: str = "content") -> pd.DataFrame:
    """The word list: how often each word occurs, ranked.

    Returns one row per word (grouped on the Simplified form): ``rank`` (1 = most frequent;
    ties share the best rank, as in AntConc), ``token`` (most common original form),
    ``simplified``, ``pos`` (most common tag), ``count`` and ``per_10k`` (per 10,000 word
    tokens, punctuation excluded and stopwords included). Sorted by count, then code point.

    ``words="content"`` lists :func:`content_words`; ``"all"`` every word token.
    ``by`` (a column such as ``"speech_id"`` or ``"section"``, or a list of columns) gives
    the long format: one row per group and word, ``rank`` and ``per_10k`` within the group,
    plus ``corpus_count``, the word's count over all groups.

    >>> from analysis import corpus_tokens, load_corpus
    >>> tokens = corpus_tokens(load_corpus())   # the seed
    >>> frequencies(tokens).head(2)[["token", "count"]].values.tolist()
    [['工作', 32], ['計生協會', 17]]
    """
    by_cols = _by_columns(by)
    word_tokens = _word_tokens(tokens)
    listed = _select(tokens, words)
    forms = _display_forms(listed)
    keys = [*by_cols, "simplified"]
    table = listed.groupby(keys, dropna=False, sort=False).size().rename("count").reset_index()
    if by_cols:
        sizes = word_tokens.groupby(by_cols, dropna=False).size().rename("_size").reset_index()
        table = table.merge(sizes, on=by_cols, how="left")
        table["corpus_count"] = table.groupby("simplified")["count"].transform("sum")
    else:
        table["_size"] = len(word_tokens)
    table["per_10k"] = table["count"] / table["_size"] * 10_000
    table["token"] = table["simplified"].map(forms["token"])
    table["pos"] = table["simplified"].map(forms["pos"])
    table = table.sort_values([*by_cols, "count", "simplified"],
                              ascending=[True] * len(by_cols) + [False, True], kind="stable")
    ranked = table.groupby(by_cols, dropna=False)["count"] if by_cols else table["count"]
    table["rank"] = ranked.rank(method="min", ascending=False).astype("int64")
    columns = [*by_cols, "rank", "token", "simplified", "pos", "count", "per_10k"]
    if by_cols:
        columns.append("corpus_count")
    return table[columns].reset_index(drop=True)


# ---------------------------------------------------------------- reading order and spans


def _reading_order(tokens: pd.DataFrame) -> pd.DataFrame:
    """Tokens sorted by speech, then offset, with ``_speech`` (a code per speech) and
    ``_para``, a number per paragraph that is unique across the corpus."""
    ordered = tokens.copy()
    if "speech_id" in ordered.columns:
        ordered["_speech"] = pd.factorize(ordered["speech_id"])[0]
    else:  # one text from tokenize()
        ordered["_speech"] = 0
    ordered = ordered.sort_values(["_speech", "start"], kind="stable").reset_index(drop=True)
    new_speech = ordered["_speech"].ne(ordered["_speech"].shift())
    # tokenize() leaves whitespace out, so a token that does not start where the previous
    # one ended follows a line break (in cleaned text the only other whitespace is a single
    # space between Latin words or numbers, a harmless place to cut).
    gap = ordered["start"].ne(ordered["end"].shift())
    ordered["_para"] = (new_speech | gap).cumsum()
    return ordered


def _run_ids(ordered: pd.DataFrame, kept: pd.Series) -> np.ndarray:
    """A number per stretch of consecutive kept tokens that no paragraph break,
    punctuation or left-out token interrupts."""
    para_start = ordered["_para"].ne(ordered["_para"].shift())
    return (para_start | ~kept).cumsum().to_numpy()


# ---------------------------------------------------------------- n-grams


def ngrams(tokens: pd.DataFrame, n: int = 2, words: str = "content",
           min_count: int = 1) -> pd.DataFrame:
    """Sequences of ``n`` adjacent words and how often each occurs.

    Returns ``ngram`` (the words in their most common original form, joined by spaces),
    ``simplified`` (the key they are grouped on), ``count``; only n-grams seen at least
    ``min_count`` times, sorted by count, then code point.

    An n-gram never crosses a speech, a paragraph or a punctuation token (a comma, 、 or a
    quotation mark ends it). With ``words="all"`` it runs over every word token; with
    ``words="content"`` over content words that stand next to each other: a function word
    between them breaks the sequence, as quanteda's ``tokens_remove(padding = TRUE)``, so
    群眾的智慧 gives no bigram 群众 智慧.

    >>> from analysis import corpus_tokens, load_corpus
    >>> tokens = corpus_tokens(load_corpus())   # the seed
    >>> ngrams(tokens).head(1).values.tolist()
    [['計生協會 工作', '计生协会 工作', 7]]
    """
    if n < 1:
        raise ValueError("n must be at least 1")
    ordered = _reading_order(tokens)
    selected = ordered.index.isin(_select(ordered, words).index)
    kept = pd.Series(selected, index=ordered.index)
    runs = _run_ids(ordered, kept)[selected]
    simplified = ordered["simplified"].to_numpy()[selected]
    original = ordered["token"].to_numpy()[selected]
    n_grams = len(simplified) - n + 1
    if n_grams <= 0:
        return pd.DataFrame({"ngram": pd.Series(dtype=object),
                             "simplified": pd.Series(dtype=object),
                             "count": pd.Series(dtype="int64")})
    # Start i makes an n-gram when the word n-1 places on is still in the same run.
    starts = np.flatnonzero(runs[: n_grams] == runs[n - 1:])

    def joined(values: np.ndarray) -> pd.Series:
        parts = [pd.Series(values[starts + k]) for k in range(n)]
        return parts[0].str.cat(parts[1:], sep=" ") if n > 1 else parts[0]

    grams = pd.DataFrame({"simplified": joined(simplified), "token": joined(original)})
    counts = grams.groupby("simplified").size().rename("count")
    table = pd.DataFrame({"ngram": _mode_by(grams, "simplified", "token"), "count": counts})
    table = table.rename_axis("simplified").reset_index()
    table = table[table["count"] >= min_count]
    table = table.sort_values(["count", "simplified"], ascending=[False, True], kind="stable")
    return table[["ngram", "simplified", "count"]].reset_index(drop=True)


# ---------------------------------------------------------------- keyness


def jieba_dict_path() -> Path:
    """Where jieba's own dictionary (``dict.txt``: word, frequency, tag) is installed."""
    # Found without importing jieba, whose models take half a second to load.
    return Path(importlib.util.find_spec("jieba").origin).resolve().parent / "dict.txt"


@functools.lru_cache(maxsize=1)
def reference_frequencies() -> pd.Series:
    """General Chinese: jieba's dictionary frequencies summed per Simplified word.

    Returns a Series ``count`` indexed by Simplified word (about 349,000 words, 60.1
    million in all). Read once per session (about a second).

    jieba does not document where its counts come from (People's Daily and other segmented
    text, its users believe: fxsjy/jieba#896), and it lists many multi-word phrases at the
    floor count 3 (上有, 发挥优势, 流动人口). A rough stand-in for a balanced reference
    corpus, good for ranking a speech's vocabulary against ordinary usage; a real
    reference corpus, passed to :func:`keyness`, is better when there is one.

    Kept in the cache folder after the first read (keyed by jieba's dictionary and the
    OpenCC version), so that a notebook pays milliseconds for it, not a second.
    """
    from .cache import ParquetStore, digest
    from .script import OPENCC_VERSION

    store = ParquetStore("reference")
    key = digest("jieba-reference", OPENCC_VERSION, jieba_dict_path().read_bytes())
    cached = store.get(key)
    if cached is not None:
        return pd.Series(cached.column("count").to_numpy(), name="count",
                         index=pd.Index(cached.column("word").to_numpy(zero_copy_only=False)))
    counts = _read_reference()
    store.put(key, pa.table({"word": counts.index.tolist(), "count": counts.to_numpy()}))
    return counts


def _read_reference() -> pd.Series:
    table = pd.read_csv(jieba_dict_path(), sep=" ", header=None, names=["word", "freq", "pos"],
                        usecols=[0, 1], dtype={"word": str, "freq": "int64"},
                        keep_default_na=False, quoting=3, encoding="utf-8")
    # A few entries are Traditional (and one is listed twice): fold them onto Simplified.
    # Only the repeated words are grouped: sorting 349,000 strings would double the time.
    counts = pd.Series(table["freq"].to_numpy(), name="count",
                       index=to_simplified("\n".join(table["word"])).split("\n"))
    repeated = counts.index.duplicated(keep=False)
    folded = counts[repeated].groupby(level=0).sum()
    return pd.concat([counts[~repeated], folded]).rename("count")


@functools.lru_cache(maxsize=65536)
def _taiwan_simplified(word: str) -> str:
    return _tw2s().convert(word)


@functools.lru_cache(maxsize=1)
def _tw2s() -> opencc.OpenCC:
    return opencc.OpenCC("tw2s")


def _reference_counts(reference) -> tuple[pd.Series, int, bool]:
    """(counts by Simplified word, total, whether it is jieba's dictionary)."""
    if reference is None:
        counts = reference_frequencies()
        return counts, int(counts.sum()), True
    if isinstance(reference, pd.Series):
        counts = reference.groupby(reference.index.map(to_simplified)).sum()
        return counts, int(counts.sum()), False
    if isinstance(reference, pd.DataFrame):
        word_tokens = _word_tokens(reference)
        return word_tokens.groupby("simplified").size(), len(word_tokens), False
    raise TypeError("reference must be None, a token frame or a Series of counts by word")


def _g2_4term(a, b, c, d) -> np.ndarray:
    """Log-likelihood G² over the full 2×2 table (word / other words × target / reference),
    ``2 Σ O ln(O/E)``, with 0·ln 0 = 0."""
    n = c + d
    observed = [a, b, c - a, d - b]
    expected = [c * (a + b) / n, d * (a + b) / n, c * (n - a - b) / n, d * (n - a - b) / n]
    total = np.zeros(len(a))
    for o, e in zip(observed, expected):
        o = np.asarray(o, dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            total += np.where(o > 0, o * np.log(o / e), 0.0)
    return 2 * total


def keyness(tokens: pd.DataFrame, reference=None, min_count: int = 2,
            words: str = "content", positive_only: bool = True) -> pd.DataFrame:
    """Keywords: words used more (or less) in ``tokens`` than in a reference corpus.

    Returns ``token`` (most common original form), ``simplified``, ``count`` (in ``tokens``),
    ``ref_count``, ``g2``, ``log_ratio`` and ``p``, sorted by ``g2`` (then log ratio, count,
    code point). Candidates are the ``words`` (content words by default) seen at least
    ``min_count`` times; the corpus sizes are all word tokens on both sides.

    ``reference``: ``None`` for general Chinese (:func:`reference_frequencies`, jieba's
    dictionary), or a token frame of another corpus (say, the other speeches), or a Series
    of counts indexed by word.

    * ``g2``: log-likelihood G² (Dunning 1993; Rayson & Garside 2000) over the full 2×2
      table, as AntConc 4's default "Log-Likelihood (4-term)" and quanteda's
      ``textstat_keyness(measure = "lr", correction = "none")``; Rayson's online calculator
      uses two of the four terms and gives values a little higher. Signed: negative when
      the word is rarer in ``tokens`` than in the reference.
    * ``log_ratio``: Hardie's (2014) effect size, ``log2((count / size) / (ref_count /
      ref_size))``; a zero count is taken as 0.5, so a word the reference lacks gets a
      finite, large value. +1 means twice as frequent; it does not grow with frequency, G²
      does.
    * ``p``: the chi-square (1 df) tail of G², ``erfc(sqrt(|g2| / 2))``; with thousands of
      candidates, correct for multiple tests before calling a word significant.

    Words absent from the reference: with jieba's dictionary, a word is looked up by its
    Simplified form, then (when absent) by the Taiwan-standard conversion of its original
    form, because OpenCC's t2s keeps characters such as 著 that are also Simplified (著力
    is 着力 in the dictionary). A word still absent gets ``ref_count`` 0: general Chinese
    really lacks domain terms such as 双降 or the user dictionary's 计生协会, and G² is
    finite at zero; no floor is added, which would invent usage the reference does not
    attest.

    ``positive_only=False`` adds the candidates used less than in the reference (words
    that never occur in ``tokens`` are not listed).

    >>> from analysis import corpus_tokens, load_corpus
    >>> tokens = corpus_tokens(load_corpus())   # the seed
    >>> keyness(tokens).head(3)[["token", "count", "ref_count"]].values.tolist()
    [['計生協會', 17, 0], ['計生協', 14, 0], ['人口計生', 10, 0]]
    """
    if min_count < 1:
        raise ValueError("min_count must be at least 1")
    ref_counts, ref_size, is_jieba = _reference_counts(reference)
    size = len(_word_tokens(tokens))
    candidates = _select(tokens, words)
    forms = _display_forms(candidates)
    table = candidates.groupby("simplified").size().rename("count").reset_index()
    table = table[table["count"] >= min_count].reset_index(drop=True)
    table["token"] = table["simplified"].map(forms["token"])
    table["ref_count"] = table["simplified"].map(ref_counts)
    if is_jieba:
        missing = table["ref_count"].isna()
        table.loc[missing, "ref_count"] = (
            table.loc[missing, "token"].map(_taiwan_simplified).map(ref_counts))
    table["ref_count"] = table["ref_count"].fillna(0).astype("int64")

    a = table["count"].to_numpy(dtype=float)
    b = table["ref_count"].to_numpy(dtype=float)
    overused = a / size >= b / ref_size
    g2 = _g2_4term(a, b, float(size), float(ref_size))
    table["g2"] = np.where(overused, g2, -g2)
    table["log_ratio"] = np.log2((np.where(a > 0, a, 0.5) / size)
                                 / (np.where(b > 0, b, 0.5) / ref_size))
    table["p"] = [math.erfc(math.sqrt(abs(g) / 2)) for g in table["g2"]]
    if positive_only:
        table = table[table["g2"] > 0]
    table = table.sort_values(["g2", "log_ratio", "count", "simplified"],
                              ascending=[False, False, False, True], kind="stable")
    columns = ["token", "simplified", "count", "ref_count", "g2", "log_ratio", "p"]
    return table[columns].reset_index(drop=True)


# ---------------------------------------------------------------- collocations

MEASURES = ("logdice", "pmi")
_COLLOCATION_COLUMNS = ["node", "collocate", "f_xy", "f_node", "f_collocate", "logdice", "pmi"]


def _window_pairs(codes: np.ndarray, para: np.ndarray, wpos: np.ndarray, window: int):
    """Occurrence indices (i, j), i < j, of the content words at most ``window`` word
    tokens apart in one paragraph, different words only."""
    firsts, seconds = [], []
    # The k-th next content word is at least k word tokens on, so offsets 1..window reach
    # every pair within the window: ``window`` vectorised passes, no loop over tokens.
    for k in range(1, min(window, len(codes) - 1) + 1):
        i = np.arange(len(codes) - k)
        ok = ((para[i] == para[i + k]) & (wpos[i + k] - wpos[i] <= window)
              & (codes[i] != codes[i + k]))
        firsts.append(i[ok])
        seconds.append(i[ok] + k)
    if not firsts:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    return np.concatenate(firsts), np.concatenate(seconds)


def collocations(tokens: pd.DataFrame, node: str | None = None, window: int = 5,
                 min_count: int = 2, measure: str = "logdice") -> pd.DataFrame:
    """Content words that occur near each other more than their frequencies predict.

    Two content words co-occur when at most ``window`` word tokens apart (L5–R5 by
    default, as AntConc; function words count towards the distance, punctuation does not)
    in the same paragraph of the same speech. ``f_node`` and ``f_collocate`` are the
    words' frequencies (as content words) and ``f_xy`` how often they co-occur: the number
    of occurrences of x with a y in reach or of y with an x in reach, whichever is
    smaller. Where neither word repeats within the window this is the number of pairs, as
    AntConc counts; in parallel clauses (向工业集中区延伸，向非公有制企业延伸，向物业管理延伸)
    AntConc would count 物业管理 three times with 延伸 although it occurs once, so its
    f_xy could exceed a word's own frequency and logDice its maximum of 14.

    * ``logdice`` = 14 + log2(2 f_xy / (f_node + f_collocate)) (Rychlý 2008, Sketch
      Engine): at most 14, independent of corpus size.
    * ``pmi`` = log2(f_xy · N / (f_node · f_collocate)), N the number of word tokens (Church
      & Hanks 1990; Sketch Engine's and AntConc's MI, without a window-size term): it
      favours rare pairs.

    With ``node`` (Traditional or Simplified), the collocates of that word; with
    ``node=None`` every pair once, the more frequent word (ties: code point) as ``node``.
    Returns ``node``, ``collocate`` (most common original forms), ``f_xy``, ``f_node``,
    ``f_collocate``, ``logdice``, ``pmi``: pairs with f_xy at least ``min_count``, sorted
    by ``measure``, then f_xy, then code point. A word is never its own collocate.

    >>> from analysis import corpus_tokens, load_corpus
    >>> tokens = corpus_tokens(load_corpus())   # the seed
    >>> collocations(tokens, "雙降")[["collocate", "f_xy"]].values.tolist()
    [['實現', 5], ['目標', 6], ['全市', 2]]
    """
    if measure not in MEASURES:
        raise ValueError(f"measure must be one of {MEASURES}, not {measure!r}")
    if window < 1:
        raise ValueError("window must be at least 1")
    empty = pd.DataFrame({c: pd.Series(dtype=object) for c in ("node", "collocate")}
                         | {c: pd.Series(dtype="int64") for c in ("f_xy", "f_node", "f_collocate")}
                         | {c: pd.Series(dtype=float) for c in ("logdice", "pmi")})
    ordered = _reading_order(tokens)
    words_only = ordered[~ordered["is_punct"]].copy()
    n_words = len(words_only)
    # Position among the speech's word tokens: the unit the window is measured in.
    words_only["_wpos"] = words_only.groupby("_speech").cumcount()
    content = content_words(words_only)
    codes, vocabulary = pd.factorize(content["simplified"])
    n_vocab = len(vocabulary)
    freq = np.bincount(codes, minlength=n_vocab)
    first, second = _window_pairs(codes, content["_para"].to_numpy(),
                                  content["_wpos"].to_numpy(), window)
    # Each pair seen from both ends: occurrence a_occ of word a has word b in reach.
    a_occ = np.concatenate([first, second])
    b = codes[np.concatenate([second, first])]
    a = codes[a_occ]
    if node is not None:
        matches = np.flatnonzero(np.asarray(vocabulary) == to_simplified(node))
        if not len(matches):
            return empty
        keep = (a == matches[0]) | (b == matches[0])
        a_occ, a, b = a_occ[keep], a[keep], b[keep]
    # Occurrences of a with some b in reach, per (a, b).
    seen = np.unique(a_occ.astype(np.int64) * n_vocab + b)
    directed_keys, directed_counts = np.unique(
        codes[seen // n_vocab].astype(np.int64) * n_vocab + seen % n_vocab, return_counts=True)
    directed = pd.Series(directed_counts, index=directed_keys)
    x, y = directed_keys // n_vocab, directed_keys % n_vocab
    f_xy = np.minimum(directed_counts, directed.reindex(y * n_vocab + x).to_numpy())

    if node is not None:
        rows = (x == matches[0]) & (f_xy >= min_count)
    else:
        # Each unordered pair once, the more frequent word (ties: code point) as node.
        order = np.lexsort((np.asarray(vocabulary, dtype=object), -freq))
        rank = np.empty(n_vocab, dtype=np.int64)
        rank[order] = np.arange(n_vocab)
        rows = (rank[x] < rank[y]) & (f_xy >= min_count)
    x, y, f_xy = x[rows], y[rows], f_xy[rows]
    if not len(f_xy):
        return empty
    forms = _display_forms(content)["token"]
    f_node, f_coll = freq[x], freq[y]
    table = pd.DataFrame({
        "node": forms.reindex(vocabulary[x]).to_numpy(),
        "collocate": forms.reindex(vocabulary[y]).to_numpy(),
        "f_xy": f_xy.astype("int64"),
        "f_node": f_node.astype("int64"),
        "f_collocate": f_coll.astype("int64"),
        "logdice": 14 + np.log2(2 * f_xy / (f_node + f_coll)),
        "pmi": np.log2(f_xy * n_words / (f_node * f_coll)),
        "_node_key": vocabulary[x],
        "_collocate_key": vocabulary[y],
    })
    table = table.sort_values([measure, "f_xy", "_node_key", "_collocate_key"],
                              ascending=[False, False, True, True], kind="stable")
    return table[_COLLOCATION_COLUMNS].reset_index(drop=True)


def keyword_network(tokens: pd.DataFrame, top: int = 20, window: int = 5, min_count: int = 2,
                    reference=None) -> pd.DataFrame:
    """The co-occurrence network of a corpus's keywords: edges between two of the ``top``
    keywords (:func:`keyness`) that co-occur at least ``min_count`` times within ``window``
    words (:func:`collocations`).

    Returns ``source``, ``target`` (original forms), ``weight`` (f_xy), ``logdice``; the
    keywords without an edge are left out.

    >>> from analysis import corpus_tokens, load_corpus
    >>> edges = keyword_network(corpus_tokens(load_corpus()), top=10)
    >>> edges[["source", "target", "weight"]].values.tolist()[:2]
    [['工作', '計生協會', 7], ['工作', '人口計生', 6]]
    """
    keys = keyness(tokens, reference=reference).head(top)
    pairs = collocations(tokens, window=window, min_count=min_count)
    wanted = set(keys["simplified"])
    keep = (pairs["node"].map(to_simplified).isin(wanted)
            & pairs["collocate"].map(to_simplified).isin(wanted))
    edges = pairs[keep].rename(columns={"node": "source", "collocate": "target", "f_xy": "weight"})
    edges = edges.sort_values(["weight", "logdice", "source", "target"],
                              ascending=[False, False, True, True], kind="mergesort")
    return edges[["source", "target", "weight", "logdice"]].reset_index(drop=True)


def keyness_by_speech(tokens: pd.DataFrame, top: int | None = 20, reference=None,
                      min_count: int = 2) -> pd.DataFrame:
    """:func:`keyness` of each speech on its own against the same reference, ``speech_id``
    first and each speech's ``top`` keywords (all when ``top`` is None), in corpus order:
    how the speeches differ in what they stress."""
    frames = []
    for speech_id, rows in tokens.groupby("speech_id", sort=False):
        found = keyness(rows, reference=reference, min_count=min_count)
        found = found if top is None else found.head(top)
        frames.append(found.assign(speech_id=speech_id))
    if not frames:
        return pd.DataFrame(columns=["speech_id", "token", "simplified", "count", "ref_count",
                                     "g2", "log_ratio", "p"])
    frame = pd.concat(frames, ignore_index=True)
    return frame[["speech_id", *[c for c in frame.columns if c != "speech_id"]]]
