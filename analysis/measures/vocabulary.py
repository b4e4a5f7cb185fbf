"""Vocabulary of segmented speeches: word lists, n-grams, keywords against general Chinese,
and collocates: the Word List, N-Grams, Keyword List and Collocates tools of AntConc, and
quanteda's ``textstat_frequency`` / ``textstat_keyness``.

Every function takes the token frame of :func:`analysis.corpus_tokens` (or of
:func:`analysis.tokenize` for one text) and counts words by their ``term``: the
**Simplified** form, with the alias groups of ``analysis/data/aliases.tsv`` counted as their
canonical term (``aliases=False`` counts each Simplified word as written). So 計生協會 and
计生协会 in a mixed Traditional/Simplified corpus are one word, and so are 計生協會, 計生協 and
計劃生育協會; the table shows the term in its most common original form (``token``) and, for
an alias group, how often each variant was written (``variants``).

Sizes and relative frequencies are always in *word tokens*: every token that is not
punctuation, stopwords included (as AntConc counts "tokens"), whatever filter picks the
words that are listed. Pass the full token frame, not :func:`content_words` of it, or the
per-10,000 rates and the keyness totals shrink with the filter.
"""
from __future__ import annotations

import functools

import numpy as np
import pandas as pd
import pyarrow as pa

from ..common.deprecation import renamed_arguments, warn_spelling
from ..common.frames import reading_order
from ..corpus.cluster import map_counts
from ..corpus.memo import corpus_memo
from ..corpus.registry import docvars
from ..text.script import to_simplified
from ..text.segment import jieba_dict_path, user_dictionary

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
MIN_COUNT = 2
"""The fewest occurrences a term (an n-gram, a collocation, a keyword) needs by default,
everywhere in the package: a term seen once is no pattern (most hapaxes are names, typos and
the segmenter's accidents), and its association or keyness statistics are unreliable
(quanteda's ``textstat_collocations(min_count = 2)``). Pass ``min_count=1`` for all."""


# ---------------------------------------------------------------- filters


def _is_content(tokens: pd.DataFrame) -> pd.Series:
    from ..text.aliases import alias_words

    simplified = tokens["simplified"]
    in_user_dict = simplified.isin(frozenset(user_dictionary()["word"]) | frozenset(alias_words()))
    # User-dictionary and alias-group words count whatever their tag: the researcher listed
    # them as domain vocabulary, and some carry the numeral tag m (五有, 三进, 双建双汇, 二胎).
    by_pos = tokens["pos"].isin(CONTENT_POS) & (simplified.str.len() >= 2)
    return ~tokens["is_punct"] & ~tokens["is_stop"] & (by_pos | in_user_dict)


def content_words(tokens: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``tokens`` that are content words: a tag in :data:`CONTENT_POS` and at
    least two characters, or a word of the user dictionary or of an alias group (any tag, any
    length); never a stopword or punctuation. The index is kept, so the rows align with ``tokens``.

    >>> from analysis import tokenize
    >>> content_words(tokenize("要緊緊圍繞雙降目標")).token.tolist()
    ['圍繞', '雙降', '目標']
    """
    return tokens[_is_content(tokens)]


# The columns the counting functions read: a boolean selection copies every column it keeps,
# and on a corpus of millions of tokens the part columns are dead weight.
_COUNTED = ["speech_id", "token", "simplified", "term", "start", "end", "pos", "is_stop", "is_punct", "n"]


def _lean(tokens: pd.DataFrame, keep=()) -> pd.DataFrame:
    """The columns the counting reads, and those of ``keep`` (a grouping's)."""
    wanted = [c for c in _COUNTED if c in tokens.columns]
    return tokens[wanted + [c for c in keep if c in tokens.columns and c not in wanted]]


def word_tokens(tokens: pd.DataFrame, keep=()) -> pd.DataFrame:
    return _lean(tokens, keep)[~tokens["is_punct"].to_numpy()]


def n_words(tokens: pd.DataFrame) -> int:
    """Word tokens: every token that is not punctuation (stopwords included). A table of
    counts (:func:`collapse`, a column ``n``) counts each row ``n`` times."""
    words = ~tokens["is_punct"].to_numpy()
    if "n" in tokens.columns:
        return int(tokens["n"].to_numpy()[words].sum())
    return int(words.sum())


def weights(tokens: pd.DataFrame) -> np.ndarray | None:
    """How many tokens each row stands for: the ``n`` of a table of counts (:func:`collapse`),
    None for a token table (one each)."""
    return tokens["n"].to_numpy(dtype=np.int64) if "n" in tokens.columns else None


def collapse(tokens) -> pd.DataFrame:
    """The token table as counts: one row per speech and distinct (token, Simplified word,
    term, tag, stopword, punctuation) with its count ``n``, for the count-based analyses that
    take either (:func:`analysis.keyness`). On a dask dataframe each partition is counted on
    its worker (:mod:`analysis.cluster`): a corpus too large for one machine's memory is
    counted all the same, and only the counts come back."""
    keys = ["speech_id", "token", "simplified", "term", "pos", "is_stop", "is_punct"]

    def count(frame: pd.DataFrame) -> pd.DataFrame:
        counted = frame.groupby(keys, observed=True, sort=False).size().rename("n").reset_index()
        return _plain(counted)

    counted = map_counts(tokens, count)
    counted = counted.groupby(keys, sort=False).n.sum().reset_index()
    for column in ("speech_id", "token", "simplified", "term", "pos"):
        counted[column] = counted[column].astype("category")
    return counted


def term_of(tokens: pd.DataFrame, aliases: bool = True) -> pd.Series:
    """The word each token counts as, aligned with ``tokens``: its ``term`` (alias groups
    applied) or, with ``aliases=False``, its ``simplified`` form."""
    if not aliases:
        return tokens["simplified"]
    if "term" in tokens.columns:
        return tokens["term"]
    from ..text.aliases import term_keys

    return pd.Series(term_keys(tokens["simplified"]), index=tokens.index, dtype=object)


def select_tokens(tokens: pd.DataFrame, words: str, keep=()) -> pd.DataFrame:
    if words not in WORD_SETS:
        raise ValueError(f"words must be one of {WORD_SETS}, not {words!r}")
    if words == "content":
        return _lean(tokens, keep)[_is_content(tokens).to_numpy()]
    return word_tokens(tokens, keep)


def _by_columns(by) -> list[str]:
    if by is None:
        return []
    return [by] if isinstance(by, str) else list(by)


def _codes(values) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes and the sorted uniques of ``values`` (code order is code-point order, so
    ties can be broken by the smaller code). Arrow strings are encoded by Arrow, not Python."""
    codes, uniques = pd.factorize(values, sort=True)
    return codes.astype(np.int64), np.asarray(uniques, dtype=object)


def _mode_codes(key_codes: np.ndarray, value_codes: np.ndarray, n_values: int,
                weights: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """For each key code present, the commonest value code (ties: the smallest) and its count:
    ``(keys, values, counts)`` sorted by key. Vectorised: no Python loop over groups.
    ``weights``: how many tokens each row stands for (rows of counts, not of tokens)."""
    pairs, counts = _unique_counts(key_codes * n_values + value_codes, weights)
    keys, values = pairs // n_values, pairs % n_values
    order = np.lexsort((values, -counts, keys))
    first = np.ones(len(order), dtype=bool)
    first[1:] = keys[order][1:] != keys[order][:-1]
    chosen = order[first]
    return keys[chosen], values[chosen], counts[chosen]


def _unique_counts(values: np.ndarray, weights: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """The sorted distinct values and how many rows (or how much weight) each has."""
    if weights is None:
        return np.unique(values, return_counts=True)
    uniques, inverse = np.unique(values, return_inverse=True)
    return uniques, np.bincount(inverse, weights=weights, minlength=len(uniques)).astype(np.int64)


def mode_by(keys: pd.Series, values: pd.Series) -> pd.Series:
    """For each key, the most common value (ties: the smallest), indexed by key."""
    key_codes, key_uniques = _codes(keys)
    value_codes, value_uniques = _codes(values)
    k, v, _ = _mode_codes(key_codes, value_codes, max(len(value_uniques), 1))
    return pd.Series(value_uniques[v], index=pd.Index(key_uniques[k], dtype=object))


def display_forms(tokens: pd.DataFrame, keys: pd.Series | None = None,
                   weights: np.ndarray | None = None) -> pd.DataFrame:
    """One row per term of ``tokens`` (``keys``, default the Simplified word; the index):
    ``token``, its most common original form, ``pos``, its most common tag (ties broken
    by code point), and ``variants``: for a term written in more than one way (an alias
    group), each written form with its count, most frequent first (NA otherwise).
    ``weights``: how many tokens each row of ``tokens`` stands for (a table of counts).

    >>> from analysis import tokenize
    >>> display_forms(tokenize("雙降，双降，雙降")).loc["双降"].tolist()
    ['雙降', 'j', <NA>]
    """
    keys = tokens["simplified"] if keys is None else keys
    key_codes, key_uniques = _codes(keys)
    token_codes, token_uniques = _codes(tokens["token"])
    pos_codes, pos_uniques = _codes(tokens["pos"])
    n_tokens = max(len(token_uniques), 1)
    k, t, _ = _mode_codes(key_codes, token_codes, n_tokens, weights)
    _, p, _ = _mode_codes(key_codes, pos_codes, max(len(pos_uniques), 1), weights)
    index = pd.Index(key_uniques[k], dtype=object)
    forms = pd.DataFrame({"token": token_uniques[t], "pos": pos_uniques[p]}, index=index)
    # Variants: the Simplified words of a term, each with its count and commonest written form.
    simp_codes, simp_uniques = _codes(tokens["simplified"])
    n_simp = max(len(simp_uniques), 1)
    words, word_counts = _unique_counts(key_codes * n_simp + simp_codes, weights)
    word_keys = words // n_simp
    several = np.bincount(word_keys, minlength=len(key_uniques)) > 1
    variants = pd.Series(pd.NA, index=index, dtype=object)
    if several.any():
        chosen = several[key_codes]
        pair = (key_codes[chosen] * n_simp + simp_codes[chosen])
        pair_codes, pair_uniques = _codes(pair)
        _, written, _ = _mode_codes(pair_codes, token_codes[chosen], n_tokens,
                                    None if weights is None else weights[chosen])
        written_of = dict(zip(pair_uniques.tolist(), token_uniques[written]))
        rows = [(key, -n, written_of[w]) for w, key, n in zip(words, word_keys, word_counts) if several[key]]
        joined: dict[int, list] = {}
        for key, neg, form in sorted(rows):
            joined.setdefault(key, []).append(f"{form} {-neg}")
        variants.loc[[key_uniques[key] for key in joined]] = [" · ".join(v) for v in joined.values()]
    forms["variants"] = variants
    return forms


def _joined_key(columns: list[pd.Series]) -> pd.Series:
    """One string key per row from several columns (group values and term)."""
    out = columns[0].astype(str).str.cat([c.astype(str) for c in columns[1:]], sep="\x1f")
    return pd.Series(out.to_numpy(dtype=object), index=columns[0].index)


# ---------------------------------------------------------------- frequency list


@renamed_arguments(moved=("by", "words"))
@corpus_memo("frequencies")
def frequencies(tokens: pd.DataFrame, *, by=None, words: str = "content",
                aliases: bool = True, corpus: pd.DataFrame | None = None) -> pd.DataFrame:
    """The word list: how often each term occurs, ranked.

    Returns one row per term: ``rank`` (1 = most frequent; ties share the best rank, as in
    AntConc), ``token`` (most common original form), ``term`` (the Simplified key counted:
    with ``aliases`` the canonical term of an alias group), ``pos`` (most common tag),
    ``count``, ``per_10k`` (per 10,000 word tokens, punctuation excluded and stopwords
    included) and ``variants`` (for an alias group, each form written and its count; NA
    for a term written one way). Sorted by count, then code point.

    ``words="content"`` lists :func:`content_words`; ``"all"`` every word token.
    ``by`` (a column such as ``"speech_id"`` or ``"section"``, or a list of columns) gives
    the long format: one row per group and term, ``rank`` and ``per_10k`` within the group,
    plus ``corpus_count``, the term's count over all groups. A ``by`` that is not a token
    column is one of the corpus's (``"year"``, ``"genre"``, ``"decade"``…): read from the
    corpus the tokens came from, or from ``corpus`` when given; counted per speech, then
    per group.

    >>> from analysis import corpus_tokens, load_corpus
    >>> tokens = corpus_tokens(load_corpus())   # the seed
    >>> frequencies(tokens).head(2)[["token", "count", "variants"]].values.tolist()
    [['計生協會', 35, '計生協會 17 · 計生協 14 · 計劃生育協會 4'], ['工作', 32, <NA>]]
    """
    by_cols = _by_columns(by)
    of_corpus = [c for c in by_cols if c not in tokens.columns]
    counted_by = [c for c in by_cols if c in tokens.columns]
    if of_corpus and "speech_id" not in counted_by:
        counted_by.append("speech_id")
    # Counted first into (group, term, word, form, tag) rows: on a cluster each partition is
    # counted where it lies (analysis.cluster) and only these counts come back.
    counted = map_counts(tokens, lambda frame: form_counts(frame, counted_by, words, aliases))
    if of_corpus:
        counted = _regrouped(counted, by_cols, of_corpus, docvars(tokens, corpus))
    listed = counted["forms"].groupby([*by_cols, "term", "simplified", "token", "pos"], dropna=False,
                                      observed=True, sort=False)["n"].sum().reset_index()
    weights = listed["n"].to_numpy(dtype=np.int64)
    keys = listed["term"]
    forms = display_forms(listed, keys, weights)
    table = listed.groupby([*by_cols, "term"], dropna=False, sort=False, observed=True)["n"].sum() \
        .rename("count").reset_index()
    if by_cols:
        sizes = counted["sizes"].groupby(by_cols, dropna=False, observed=True)["n"].sum().rename("_size").reset_index()
        table = table.merge(sizes, on=by_cols, how="left")
        table["corpus_count"] = table.groupby("term", observed=True)["count"].transform("sum")
    else:
        table["_size"] = int(counted["sizes"]["n"].sum())
    table["per_10k"] = table["count"] / table["_size"] * 10_000
    table["token"] = table["term"].map(forms["token"])
    table["pos"] = table["term"].map(forms["pos"])
    if by_cols:
        # The variants written in each group, not over the corpus.
        group_key = _joined_key([listed[c] for c in by_cols] + [keys])
        group_forms = display_forms(listed, group_key, weights)
        table["variants"] = _joined_key([table[c] for c in by_cols] + [table["term"]]).map(
            group_forms["variants"]).to_numpy()
    else:
        table["variants"] = table["term"].map(forms["variants"])
    table = table.sort_values([*by_cols, "count", "term"],
                              ascending=[True] * len(by_cols) + [False, True], kind="stable")
    ranked = table.groupby(by_cols, dropna=False, observed=True)["count"] if by_cols else table["count"]
    table["rank"] = ranked.rank(method="min", ascending=False).astype("int64")
    columns = [*by_cols, "rank", "token", "term", "pos", "count", "per_10k", "variants"]
    if by_cols:
        columns.append("corpus_count")
    return table[columns].reset_index(drop=True)


def _regrouped(counted: dict[str, pd.DataFrame], by_cols: list[str], of_corpus: list[str],
               corpus: pd.DataFrame | None) -> dict[str, pd.DataFrame]:
    """:func:`form_counts` made per speech, summed per group of the corpus columns
    ``of_corpus`` (:func:`analysis.measures.groups.speech_grouping`: ``decade`` too); a
    speech whose value is missing counts in a group of its own (NA), as a token column's."""
    from .groups import speech_grouping

    out = {}
    for name, frame in counted.items():
        frame = frame.copy()
        ids = frame["speech_id"].astype(object)
        for column in of_corpus:
            frame[column] = speech_grouping(ids, column, corpus, None)[1].array
        keys = [c for c in frame.columns if c != "n" and (c in by_cols or c not in ("speech_id", *of_corpus))]
        out[name] = frame.groupby(keys, dropna=False, observed=True, sort=False)["n"].sum().reset_index()
    return out


def form_counts(tokens: pd.DataFrame, by_cols: list[str], words: str = "content",
                aliases: bool = True) -> dict[str, pd.DataFrame]:
    """The counts :func:`frequencies` is computed from: ``forms``, one row per group, term,
    Simplified word, written form and tag with its count ``n``; ``sizes``, the word tokens
    of each group (``n``)."""
    listed = select_tokens(tokens, words, keep=by_cols)
    frame = pd.DataFrame({**{c: listed[c] for c in by_cols}, "term": term_of(listed, aliases),
                          "simplified": listed["simplified"], "token": listed["token"], "pos": listed["pos"]})
    forms = frame.groupby([*by_cols, "term", "simplified", "token", "pos"], dropna=False, observed=True,
                          sort=False).size().rename("n").reset_index()
    words = word_tokens(tokens, keep=by_cols)
    if by_cols:
        sizes = words.groupby(by_cols, dropna=False, observed=True, sort=False).size().rename("n").reset_index()
    else:
        sizes = pd.DataFrame({"n": [len(words)]})
    return {"forms": _plain(forms), "sizes": _plain(sizes)}


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with its unordered categorical columns as plain values: counts from
    different partitions (each with its own categories) then concatenate as they are."""
    for column in frame.columns:
        dtype = frame[column].dtype
        if isinstance(dtype, pd.CategoricalDtype) and not dtype.ordered:
            frame[column] = frame[column].astype(object)
    return frame


# ---------------------------------------------------------------- reading order and spans


def _run_ids(ordered: pd.DataFrame, kept: pd.Series) -> np.ndarray:
    """A number per stretch of consecutive kept tokens that no paragraph break,
    punctuation or left-out token interrupts."""
    para_start = ordered["_para"].ne(ordered["_para"].shift())
    return (para_start | ~kept).cumsum().to_numpy()


# ---------------------------------------------------------------- n-grams


@renamed_arguments({"n": "size"}, moved=("size", "words", "min_count"))
@corpus_memo("ngrams")
def ngrams(tokens: pd.DataFrame, *, size: int = 2, words: str = "content",
           min_count: int | None = None, aliases: bool = True) -> pd.DataFrame:
    """Sequences of ``size`` adjacent words and how often each occurs (``n`` elsewhere in
    the package is how many rows to keep, so the length of the n-gram is ``size``).

    Returns ``ngram`` (the words in their most common original form, joined by spaces),
    ``term`` (the terms they are grouped on, alias groups applied unless ``aliases=False``),
    ``count``; only n-grams seen at least ``min_count`` times, sorted by count, then code
    point. ``min_count`` is :data:`MIN_COUNT` (2) when not given, as everywhere in the
    package; it was 1 here until this release, so when that default leaves out n-grams
    seen once, a DeprecationWarning says so (pass ``min_count=1`` for them).

    An n-gram never crosses a speech, a paragraph or a punctuation token (a comma, 、 or a
    quotation mark ends it). With ``words="all"`` it runs over every word token; with
    ``words="content"`` over content words that stand next to each other: a function word
    between them breaks the sequence, as quanteda's ``tokens_remove(padding = TRUE)``, so
    群眾的智慧 gives no bigram 群众 智慧.

    >>> from analysis import corpus_tokens, load_corpus
    >>> tokens = corpus_tokens(load_corpus())   # the seed
    >>> ngrams(tokens, min_count=2).head(1).values.tolist()
    [['計生協會 工作', '计生协会 工作', 14]]
    """
    n = size
    if n < 1:
        raise ValueError("size must be at least 1")
    ordered = reading_order(_lean(tokens))
    selected = ordered.index.isin(select_tokens(ordered, words).index)
    kept = pd.Series(selected, index=ordered.index)
    runs = _run_ids(ordered, kept)[selected]
    simplified = term_of(ordered, aliases).to_numpy(dtype=object)[selected]
    original = ordered["token"].to_numpy(dtype=object)[selected]
    n_grams = len(simplified) - n + 1
    if n_grams <= 0:
        return pd.DataFrame({"ngram": pd.Series(dtype=object),
                             "term": pd.Series(dtype=object),
                             "count": pd.Series(dtype="int64")})
    # Start i makes an n-gram when the word n-1 places on is still in the same run.
    starts = np.flatnonzero(runs[: n_grams] == runs[n - 1:])

    def joined(values: np.ndarray) -> pd.Series:
        parts = [pd.Series(values[starts + k]) for k in range(n)]
        return parts[0].str.cat(parts[1:], sep=" ") if n > 1 else parts[0]

    grams = pd.DataFrame({"term": joined(simplified), "token": joined(original)})
    counts = grams.groupby("term", observed=True).size().rename("count")
    table = pd.DataFrame({"ngram": mode_by(grams["term"], grams["token"]), "count": counts})
    table = table.rename_axis("term").reset_index()
    if min_count is None:
        once = int((table["count"] < MIN_COUNT).sum())
        if once:
            warn_spelling(f"ngrams(): min_count is {MIN_COUNT} by default, as everywhere in the package (it was 1): "
                          f"{once:,} n-gram(s) seen once are left out; pass min_count=1 to keep them")
        min_count = MIN_COUNT
    table = table[table["count"] >= min_count]
    table = table.sort_values(["count", "term"], ascending=[False, True], kind="stable")
    return table[["ngram", "term", "count"]].reset_index(drop=True)


# ---------------------------------------------------------------- keyness


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
    OpenCC version), so that a notebook pays milliseconds for it, not a second; each call
    returns a copy of what this process read, so a caller's edit changes nothing for the next.
    """
    return _reference_frequencies().copy()


@functools.lru_cache(maxsize=1)
def _reference_frequencies() -> pd.Series:
    from ..corpus.cache import ParquetStore, digest
    from ..text.script import OPENCC_VERSION

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
    folded = counts[repeated].groupby(level=0, observed=True).sum()
    return pd.concat([counts[~repeated], folded]).rename("count")


# ---------------------------------------------------------------- collocations

MEASURES = ("logdice", "pmi")
_COLLOCATION_COLUMNS = ["node", "collocate", "f_xy", "f_node", "f_collocate", "logdice", "pmi"]
"""Also returned: ``node_term`` and ``collocate_term``, the terms (Simplified keys) counted."""


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


def logdice(f_xy, f_x, f_y) -> np.ndarray:
    """logDice (Rychlý 2008, Sketch Engine): ``14 + log2(2 f_xy / (f_x + f_y))``; at most 14,
    independent of corpus size.

    >>> logdice(5, 5, 5).item(), round(logdice(1, 4, 4).item(), 3)
    (14.0, 12.0)
    """
    f_xy, f_x, f_y = (np.asarray(v, dtype=float) for v in (f_xy, f_x, f_y))
    return 14 + np.log2(2 * f_xy / (f_x + f_y))


def pmi(f_xy, f_x, f_y, n) -> np.ndarray:
    """Pointwise mutual information ``log2(f_xy · N / (f_x · f_y))`` (Church & Hanks 1990;
    Sketch Engine's and AntConc's MI, without a window-size term): it favours rare pairs.

    >>> pmi(2, 4, 4, 64).item()
    3.0
    """
    f_xy, f_x, f_y = (np.asarray(v, dtype=float) for v in (f_xy, f_x, f_y))
    return np.log2(f_xy * n / (f_x * f_y))


def pair_counts(codes: np.ndarray, first: np.ndarray, second: np.ndarray,
                n_vocab: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """From co-occurring occurrence pairs ``(first[k], second[k])`` of words ``codes``, the
    co-occurrence frequency of each ordered word pair (x, y): the occurrences of x with a y
    in reach or of y with an x in reach, whichever is smaller (so it never exceeds either
    word's frequency). Returns ``(x, y, f_xy)``, every pair both ways round.

    >>> pair_counts(np.array([0, 1, 0]), np.array([0, 1]), np.array([1, 2]), 2)
    (array([0, 1]), array([1, 0]), array([1, 1]))
    """
    # Each pair seen from both ends: occurrence a_occ of word a has word b in reach.
    a_occ = np.concatenate([first, second]).astype(np.int64)
    b = codes[np.concatenate([second, first])].astype(np.int64)
    seen = np.unique(a_occ * n_vocab + b)
    keys, counts = np.unique(codes[seen // n_vocab].astype(np.int64) * n_vocab + seen % n_vocab,
                             return_counts=True)
    directed = pd.Series(counts, index=keys)
    x, y = keys // n_vocab, keys % n_vocab
    return x, y, np.minimum(counts, directed.reindex(y * n_vocab + x).to_numpy())


def _collocation_frame(content: pd.DataFrame, keys: pd.Series, window: int) -> tuple:
    """Codes, vocabulary, frequencies and the co-occurring occurrence pairs of the content words."""
    codes, vocabulary = pd.factorize(keys)
    freq = np.bincount(codes, minlength=len(vocabulary))
    first, second = _window_pairs(codes, content["_para"].to_numpy(), content["_wpos"].to_numpy(), window)
    return codes, vocabulary, freq, first, second


@renamed_arguments(moved=("window", "min_count", "measure"))
@corpus_memo("collocations")
def collocations(tokens: pd.DataFrame, node: str | None = None, *, window: int = 5,
                 min_count: int = MIN_COUNT, measure: str = "logdice", aliases: bool = True,
                 among=None) -> pd.DataFrame:
    """Content words that occur near each other more than their frequencies predict.

    Two content words co-occur when at most ``window`` word tokens apart (L5–R5 by
    default, as AntConc; function words count towards the distance, punctuation does not)
    in the same paragraph of the same speech. ``f_node`` and ``f_collocate`` are the
    words' frequencies (as content words) and ``f_xy`` how often they co-occur
    (:func:`pair_counts`). Where neither word repeats within the window this is the number
    of pairs, as AntConc counts; in parallel clauses (向工业集中区延伸，向非公有制企业延伸，
    向物业管理延伸) AntConc would count 物业管理 three times with 延伸 although it occurs
    once, so its f_xy could exceed a word's own frequency and logDice its maximum of 14.

    ``measure``: :func:`logdice` or :func:`pmi`. With ``node`` (Traditional or Simplified),
    the collocates of that word; with ``node=None`` every pair once, the more frequent word
    (ties: code point) as ``node``. Alias groups count as one word unless ``aliases=False``.
    ``among`` (terms, Simplified keys) keeps only pairs of those terms: the same counts,
    computed without pairing every word of a large corpus.
    Returns ``node``, ``collocate`` (most common original forms), ``f_xy``, ``f_node``,
    ``f_collocate``, ``logdice``, ``pmi``: pairs with f_xy at least ``min_count``, sorted
    by ``measure``, then f_xy, then code point. A word is never its own collocate.

    >>> from analysis import corpus_tokens, load_corpus
    >>> tokens = corpus_tokens(load_corpus())   # the seed
    >>> collocations(tokens, "雙降")[["collocate", "f_xy"]].values.tolist()
    [['實現', 5], ['目標', 6], ['全市', 2], ['人口計生', 2]]
    """
    if measure not in MEASURES:
        raise ValueError(f"measure must be one of {MEASURES}, not {measure!r}")
    if window < 1:
        raise ValueError("window must be at least 1")
    empty = pd.DataFrame({c: pd.Series(dtype=object) for c in ("node", "collocate")}
                         | {c: pd.Series(dtype="int64") for c in ("f_xy", "f_node", "f_collocate")}
                         | {c: pd.Series(dtype=float) for c in ("logdice", "pmi")}
                         | {c: pd.Series(dtype=object) for c in ("node_term", "collocate_term")})
    ordered = reading_order(_lean(tokens))
    words_only = ordered[~ordered["is_punct"]].copy()
    n_words = len(words_only)
    # Position among the speech's word tokens: the unit the window is measured in.
    words_only["_wpos"] = words_only.groupby("_speech", observed=True).cumcount()
    content = content_words(words_only)
    keys = term_of(content, aliases)
    if among is not None:
        # Distances were measured on all word tokens above, so dropping the other words here
        # changes no pair and no frequency of the words kept.
        kept = keys.isin(set(among)).to_numpy()
        content, keys = content[kept], keys[kept]
    codes, vocabulary, freq, first, second = _collocation_frame(content, keys, window)
    n_vocab = len(vocabulary)
    if node is not None:
        from ..text.aliases import canonical

        wanted = canonical(node) if aliases else to_simplified(node)
        matches = np.flatnonzero(np.asarray(vocabulary) == wanted)
        if not len(matches):
            return empty
        keep = (codes[first] == matches[0]) | (codes[second] == matches[0])
        first, second = first[keep], second[keep]
    x, y, f_xy = pair_counts(codes, first, second, n_vocab)
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
    forms = display_forms(content, keys)["token"]
    f_node, f_coll = freq[x], freq[y]
    table = pd.DataFrame({
        "node": forms.reindex(vocabulary[x]).to_numpy(),
        "collocate": forms.reindex(vocabulary[y]).to_numpy(),
        "f_xy": f_xy.astype("int64"),
        "f_node": f_node.astype("int64"),
        "f_collocate": f_coll.astype("int64"),
        "logdice": logdice(f_xy, f_node, f_coll),
        "pmi": pmi(f_xy, f_node, f_coll, n_words),
        "_node_key": vocabulary[x],
        "_collocate_key": vocabulary[y],
    })
    table = table.sort_values([measure, "f_xy", "_node_key", "_collocate_key"],
                              ascending=[False, False, True, True], kind="stable")
    return table[_COLLOCATION_COLUMNS + ["_node_key", "_collocate_key"]].rename(
        columns={"_node_key": "node_term", "_collocate_key": "collocate_term"}).reset_index(drop=True)
