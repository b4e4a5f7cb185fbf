"""Counts that do not depend on how the segmenter cut.

jieba decides where one word ends and the next begins, and a term can vanish into a longer
word: in the seed 群眾 is a word 15 times, but the string 群眾 occurs 24 times, because
群眾工作, 聯系群眾 and 群眾團體 are words of their own. Two counts answer two questions:

* ``match="word"``: how often the term *is* a word (a token whose ``term`` is the term's
  alias-group key): what frequency lists, keyness and trends count;
* ``match="within"``: how often the term occurs *inside* words, on its own or as part of a
  longer one (群眾 in 群眾工作): the segmenter's cut no longer matters, except for a term
  that straddles two words (an occurrence of 人口計生 cut 人口|計生 is not counted), which
  the project's user dictionary and alias groups exist to prevent.

Occurrences inside a word are counted as :func:`analysis.kwic` counts hits: every variant
of the term's alias group (``aliases.tsv``), longest first, non-overlapping. They are
counted on *word types* (each distinct Simplified word once, weighted by its count), so the
same function counts a token table, the shipped counts of the government work reports and
wordfreq's list alike (:meth:`WordCounts.within`): no text is needed, and no Python loop
runs over tokens.
"""
from __future__ import annotations

import functools
import re

import numpy as np
import pandas as pd

from ..common.deprecation import renamed_arguments
from ..corpus.memo import corpus_memo

MATCHES = ("word", "within", "both")


class WordCounts:
    """A vocabulary: distinct Simplified words and their counts (or relative frequencies),
    with an index from each character to the words holding it, so that the words containing
    a term are found without scanning the whole vocabulary.

    >>> vocab = WordCounts(["群众", "群众工作", "联系群众", "工作"], [15, 4, 2, 32])
    >>> vocab.within(["群众"]), vocab.within(["工作"])
    (21.0, 36.0)
    """

    def __init__(self, words, counts):
        self.words = np.asarray(list(words), dtype=object)
        self.counts = np.asarray(counts, dtype=float)
        if len(self.words) != len(self.counts):
            raise ValueError("WordCounts: words and counts differ in length")

    @functools.cached_property
    def _by_char(self) -> dict[str, np.ndarray]:
        """Character → the indices of the words holding it (sorted, unique)."""
        if not len(self.words):
            return {}
        lengths = np.fromiter((len(w) for w in self.words), dtype=np.int64, count=len(self.words))
        chars = np.array(list("".join(self.words)), dtype=object)
        owner = np.repeat(np.arange(len(self.words), dtype=np.int64), lengths)
        codes, uniques = pd.factorize(chars)
        order = np.lexsort((owner, codes))
        codes, owner = codes[order], owner[order]
        cuts = np.flatnonzero(np.diff(codes)) + 1
        return {uniques[codes[group[0]]]: np.unique(owner[group])
                for group in np.split(np.arange(len(codes)), cuts) if len(group)}

    def holding(self, forms) -> tuple[np.ndarray, np.ndarray]:
        """``(indices, occurrences)``: the words holding any of ``forms`` (Simplified strings)
        and how many times each holds them (non-overlapping, longest form first, as
        :func:`analysis.kwic` finds hits)."""
        forms = sorted({f for f in forms if f}, key=lambda f: (-len(f), f))
        if not forms:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
        index = self._by_char
        candidates = []
        for form in forms:
            held = [index.get(c) for c in set(form)]
            if any(h is None for h in held):
                continue
            rarest = min(held, key=len)
            candidates.append(rarest[[form in w for w in self.words[rarest]]])
        if not candidates:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
        found = np.unique(np.concatenate(candidates))
        pattern = re.compile("|".join(map(re.escape, forms)))
        occurrences = np.fromiter((len(pattern.findall(w)) for w in self.words[found]), dtype=np.int64,
                                  count=len(found))
        return found, occurrences

    def within(self, forms) -> float:
        """The occurrences of ``forms`` inside the words, weighted by the words' counts."""
        found, occurrences = self.holding(forms)
        return float((self.counts[found] * occurrences).sum())


def _forms(key: str, aliases: bool) -> list[str]:
    if not aliases:
        return [key]
    from ..text.aliases import variants

    return variants(key)


@renamed_arguments(moved=("match",))
@corpus_memo("term_counts")
def term_counts(tokens: pd.DataFrame, terms, *, match: str = "word", by=None,
                corpus: pd.DataFrame | None = None, aliases: bool = True, inside: int = 5) -> pd.DataFrame:
    """How often each term occurs: as a word, inside words, or both.

    ``tokens`` is a token frame (:func:`analysis.corpus_tokens` or :func:`analysis.tokenize`);
    ``terms`` in either script, alias groups applied unless ``aliases=False``. ``match``:

    * ``"word"``: tokens whose ``term`` is the term's key (what frequency lists count);
    * ``"within"``: occurrences of any variant of the term inside the word tokens, alone or
      as part of a longer word (see the module's docstring);
    * ``"both"``: the two side by side.

    ``by`` groups the counts: a token column (``"speech_id"``, ``"section"``) or, with
    ``corpus=``, a corpus column or ``"decade"`` (as :func:`analysis.term_trends` groups).

    Returns one row per term (and group), in the order given: ``term`` (as given), the
    group column, then ``count`` and ``per_10k`` (per 10,000 word tokens) for ``"word"`` and
    ``"within"``, or ``word``, ``within`` and ``differs`` (the two counts differ) for
    ``"both"``; ``n_words`` (the group's word tokens); and, without ``by``, ``inside``: the
    longer words that hold the term, with their counts, most frequent first (at most
    ``inside`` of them; ``""`` when none).

    >>> from analysis import tokenize
    >>> tokens = tokenize("聯系群眾，做好群眾工作，依靠群眾。")
    >>> term_counts(tokens, ["群眾"], match="both")[["term", "word", "within", "inside"]].values.tolist()
    [['群眾', 1, 3, '群眾工作 1 · 聯系群眾 1']]
    """
    if match not in MATCHES:
        raise ValueError(f"match must be one of {MATCHES}, not {match!r}")
    from ..corpus.registry import docvars
    from .groups import speech_grouping, term_keys
    from .vocabulary import term_of, word_tokens

    corpus = docvars(tokens, corpus)  # the corpus the tokens came from, unless one is given
    keys = term_keys(terms, aliases)
    words = word_tokens(tokens)
    if by is None:
        group_name, group_codes, group_values = None, np.zeros(len(words), dtype=np.int64), [None]
    else:
        if isinstance(by, str) and by in tokens.columns:
            group_name, values = by, tokens[by][~tokens["is_punct"].to_numpy()]
        else:
            if "speech_id" not in words.columns:
                raise ValueError(f"by={by!r}: not a column of tokens, and tokens has no speech_id")
            group_name, values = speech_grouping(words["speech_id"], by, corpus, None)
        keep = values.notna().to_numpy()
        words, values = words[keep], values[keep]
        codes, uniques = pd.factorize(values, sort=True)
        group_codes, group_values = codes.astype(np.int64), list(uniques)
    n_groups = len(group_values)
    n_words = np.bincount(group_codes, minlength=n_groups)

    word_counts = np.zeros((len(keys), n_groups), dtype=np.int64)
    if match in ("word", "both"):
        term_codes, term_uniques = pd.factorize(term_of(words, aliases))
        key_index = pd.Index([key for _, key in keys]).get_indexer(np.asarray(term_uniques, dtype=object))
        of_token = key_index[term_codes] if len(term_codes) else np.empty(0, dtype=np.int64)
        hit = of_token >= 0
        flat = np.bincount(of_token[hit] * n_groups + group_codes[hit], minlength=len(keys) * n_groups)
        word_counts = flat.reshape(len(keys), n_groups)

    within_counts = np.zeros((len(keys), n_groups), dtype=np.int64)
    listing = [""] * len(keys)
    if match in ("within", "both"):
        simp_codes, simp_uniques = pd.factorize(words["simplified"])
        vocabulary = np.asarray(simp_uniques, dtype=object)
        n_vocab = max(len(vocabulary), 1)
        pairs, pair_counts = np.unique(simp_codes.astype(np.int64) * n_groups + group_codes, return_counts=True)
        pair_word, pair_group = pairs // n_groups, pairs % n_groups
        vocab = WordCounts(vocabulary, np.bincount(simp_codes, minlength=n_vocab)[:len(vocabulary)])
        for i, (_, key) in enumerate(keys):
            found, occurrences = vocab.holding(_forms(key, aliases))
            if not len(found):
                continue
            per_word = np.zeros(n_vocab, dtype=np.int64)
            per_word[found] = occurrences
            weights = per_word[pair_word] * pair_counts
            within_counts[i] = np.bincount(pair_group, weights=weights, minlength=n_groups).astype(np.int64)
            if by is None:
                listing[i] = _inside(words, vocabulary, found, vocab.counts, key, aliases, inside)

    rows = []
    for i, (given, _) in enumerate(keys):
        for g, value in enumerate(group_values):
            row = {"term": given}
            if group_name is not None:
                row[group_name] = value
            if match == "both":
                row.update(word=int(word_counts[i, g]), within=int(within_counts[i, g]),
                           differs=bool(word_counts[i, g] != within_counts[i, g]))
            else:
                count = int((word_counts if match == "word" else within_counts)[i, g])
                row.update(count=count, per_10k=count / n_words[g] * 10_000 if n_words[g] else np.nan)
            row["n_words"] = int(n_words[g])
            if group_name is None and match != "word":
                row["inside"] = listing[i]
            rows.append(row)
    table = pd.DataFrame(rows)
    table.attrs["match"] = match
    return table


def _inside(words: pd.DataFrame, vocabulary: np.ndarray, found: np.ndarray, counts: np.ndarray, key: str,
            aliases: bool, limit: int) -> str:
    """The longer words holding ``key`` (not its own forms), as written most often, with counts."""
    own = set(_forms(key, aliases))
    longer = [i for i in found if vocabulary[i] not in own]
    if not longer:
        return ""
    longer.sort(key=lambda i: (-counts[i], vocabulary[i]))
    chosen = set(vocabulary[longer[:limit]])
    from .vocabulary import mode_by

    rows = words[words["simplified"].isin(chosen)]
    written = mode_by(rows["simplified"].astype(object), rows["token"].astype(object))
    return " · ".join(f"{written[vocabulary[i]]} {int(counts[i])}" for i in longer[:limit])
