"""Word segmentation with jieba on the Simplified text, mapped back to the original script.

jieba's dictionary is Simplified: on Traditional text 流動人口 comes out as 流動/人/口服 and
posseg runs about a hundred times slower. So we convert with :func:`analysis.script.to_simplified`
(one character per character), segment that, and cut the original at the same offsets.

Two rules correct jieba where it was measured wrong (``analysis/data/gold``,
:mod:`analysis.segquality`): its dictionary's floor-count frames and verb phrases are not
used (:data:`FLOOR_COUNT`), and posseg's unknown-word HMM may not rebuild a word the
dictionary turned down (:func:`_memo_pos_tokenizer_class`; 上有 in 目标上有新作为).
"""
from __future__ import annotations

import functools
import hashlib
import logging
import re
from importlib.metadata import version

import numpy as np
import pandas as pd

from .aliases import ALIASES, alias_words, term_keys
from .config import CACHE_DIR, STOPWORDS, USER_DICT
from .script import to_simplified

TOKEN_COLUMNS = ["token", "simplified", "term", "start", "end", "pos", "is_stop", "is_punct"]
# Token strings are Arrow-backed: a corpus of millions of tokens reads from the cache without
# creating a Python object per token, and every path (serial, parallel, cache) agrees.
STRING = pd.StringDtype("pyarrow")
TOKEN_DTYPES = {"token": STRING, "simplified": STRING, "term": STRING, "start": "int64", "end": "int64",
                "pos": STRING, "is_stop": bool, "is_punct": bool}
# Bump when a change to this module can change tokens (the token cache keys on it).
# 2: words jieba's dictionary already rejected are no longer rebuilt by posseg's HMM (上有).
SEGMENTER_VERSION = "2"
_WORDLIKE = re.compile(r"[\w]")

# jieba and jieba.posseg are imported when first needed: loading their models costs about
# half a second, which a notebook whose tokens come from the cache should not pay.
JIEBA_VERSION = version("jieba")


def _read_word_file(path) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [ln.strip() for ln in lines if ln.strip() and not ln.lstrip().startswith("#")]


def stopwords() -> frozenset[str]:
    """The stopword list (Simplified) from ``analysis/data/stopwords.txt``."""
    return _stopwords_for(STOPWORDS.stat().st_mtime_ns)


@functools.lru_cache(maxsize=2)
def _stopwords_for(mtime: int) -> frozenset[str]:
    return frozenset(_read_word_file(STOPWORDS))


def user_dictionary() -> pd.DataFrame:
    """The domain user dictionary: columns word (Simplified), freq, pos."""
    rows = []
    for line in _read_word_file(USER_DICT):
        parts = line.split()
        word = parts[0]
        freq = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
        pos = parts[-1] if len(parts) > 1 and not parts[-1].isdigit() else None
        rows.append((word, freq, pos))
    return pd.DataFrame(rows, columns=["word", "freq", "pos"])


def resources_fingerprint() -> str:
    """A hash of everything besides the text that changes tokens: the user dictionary,
    the stopwords, the alias groups and the jieba version. The token cache keys on it."""
    h = hashlib.sha256()
    h.update(f"jieba={JIEBA_VERSION}".encode())
    for path in (USER_DICT, STOPWORDS, ALIASES):
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


def _tokenizers():
    """jieba (a ``jieba.Tokenizer`` and its ``POSTokenizer``) with the user dictionary and
    this module's rules; rebuilt when the dictionary or stopwords change, so an edit is
    picked up even in a running kernel."""
    return _tokenizers_for(resources_fingerprint())


# ---------------------------------------------------------------- rule 1: floor phrases

# jieba's dictionary gives 199,820 of its 349,046 entries its lowest counts, 2 or 3: the
# count of an entry that was listed, not of one seen often. Many are phrases the dictionary
# can spell as better-attested words: frames (在思想上, 在工作中, 书桌上, 强加于), verb
# phrases (深入开展, 认真学习, 高度重视, 发挥优势) and noun compounds (国有企业, 货币政策,
# 干部队伍). Listed, they come out as one token, against the PKU standard, and keyness then
# ranks them high because the reference (the same dictionary) has them at the floor.
#
# The segmenter leaves out the frames and the verb phrases: an entry of three or more
# characters at the floor count that splits into two or more pieces counted above it, where
# either a piece is a one-character function word in its slot (a preposition or
# conjunction anywhere, a locative or particle at the end), or the first piece is verbal
# or adverbial, or the last is not nominal (by jieba's own tags). Noun compounds stay: PKU
# would split them too, but among them are the policy terms researchers look for
# (国有企业, 宏观调控, 小康社会), which the user dictionary could not list for every
# domain. Measured on the hand-made gold (``analysis/data/gold``): F1 +3 points over
# leaving the floor phrases in; leaving out the noun compounds as well would add about two
# more (see the README). A phrase a researcher wants whole goes into ``userdict.txt``,
# which is loaded afterwards.
FLOOR_COUNT = 3
_PIECE_TAGS_ANYWHERE = frozenset({"p", "c"})
_PIECE_TAGS_LAST = frozenset({"f", "u", "uj", "ul", "uz", "ug", "uv", "ud"})
_VERBAL_FIRST = frozenset({"v", "vd", "vi", "d", "ad"})
_NOMINAL_LAST = frozenset({"n", "nr", "ns", "nt", "nz", "nrt", "nrfg", "ng", "vn", "an", "j",
                           "s", "t"})


def _pieces(word: str, freq: dict[str, int], tags: dict[str, str]) -> list[str] | None:
    """The fewest pieces, two or more, that spell ``word`` with words counted above the
    floor (a one-character piece only as a function word in its slot, see
    :data:`FLOOR_COUNT`); None when there are none. Ties: the longest first piece."""
    n = len(word)
    best: list[tuple[int, int] | None] = [(0, 0)] + [None] * n  # (pieces, start) per end
    for end in range(1, n + 1):
        for start in range(end):
            if best[start] is None or (start == 0 and end == n):
                continue
            piece = word[start:end]
            if freq.get(piece, 0) <= FLOOR_COUNT:
                continue
            if len(piece) == 1:
                tag = tags.get(piece)
                if tag not in _PIECE_TAGS_ANYWHERE and not (end == n and tag in _PIECE_TAGS_LAST):
                    continue
            candidate = (best[start][0] + 1, start)
            if best[end] is None or candidate[0] < best[end][0]:
                best[end] = candidate
    if best[n] is None:
        return None
    pieces, end = [], n
    while end:
        start = best[end][1]
        pieces.append(word[start:end])
        end = start
    return pieces[::-1]


def _is_floor_phrase(word: str, freq: dict[str, int], tags: dict[str, str]) -> bool:
    pieces = _pieces(word, freq, tags)
    if pieces is None:
        return False
    if any(len(piece) == 1 for piece in pieces):
        return True  # a frame: 在思想上, 书桌上
    return tags.get(pieces[0]) in _VERBAL_FIRST or tags.get(pieces[-1]) not in _NOMINAL_LAST


def _floor_phrases(freq: dict[str, int], tags: dict[str, str]) -> list[str]:
    return sorted(word for word, count in freq.items()
                  if count and count <= FLOOR_COUNT and len(word) >= 3
                  and _is_floor_phrase(word, freq, tags))


def floor_phrases() -> frozenset[str]:
    """The entries of jieba's dictionary the segmenter leaves out (see :data:`FLOOR_COUNT`):
    floor-count frames and verb phrases of better-attested words, such as 在思想上 and
    发挥优势 (noun compounds such as 国有企业 stay).

    Computed once (a few seconds) and kept in the cache folder, keyed by jieba's version.
    """
    return frozenset(_floor_phrase_list())


_FLOOR_PHRASES: tuple[str, ...] | None = None


def _floor_phrase_list(tk=None) -> tuple[str, ...]:
    """The floor phrases, from the cache or computed from ``tk`` (a fresh ``jieba.Tokenizer``
    whose FREQ is still jieba's own; one is made when None). Kept for the process."""
    global _FLOOR_PHRASES
    if _FLOOR_PHRASES is not None:
        return _FLOOR_PHRASES
    import pyarrow as pa

    from .cache import ParquetStore, digest

    store = ParquetStore("floor-phrases")
    key = digest("floor-phrases", JIEBA_VERSION, SEGMENTER_VERSION, str(FLOOR_COUNT))
    cached = store.get(key)
    if cached is not None:
        _FLOOR_PHRASES = tuple(cached.column("word").to_pylist())
        return _FLOOR_PHRASES

    tk = tk if tk is not None else _new_jieba()
    words = _floor_phrases(tk.FREQ, _jieba_word_tags())
    store.put(key, pa.table({"word": pa.array(words, type=pa.string())}))
    _FLOOR_PHRASES = tuple(words)
    return _FLOOR_PHRASES


# ---------------------------------------------------------------- rule 2: the HMM

@functools.lru_cache(maxsize=1)
def _jieba_word_tags() -> dict[str, str]:
    """jieba's dictionary word -> POS tag. Importing ``jieba.posseg`` reads them once (its
    default tokenizer); a new ``POSTokenizer`` would re-read the 349,046-line file (about
    1.2 s each), so the project's tokenizers copy this table instead."""
    import jieba.posseg

    return jieba.posseg.dt.word_tag_tab


@functools.lru_cache(maxsize=1)
def _memo_pos_tokenizer_class():
    import jieba.posseg

    class MemoPOSTokenizer(jieba.posseg.POSTokenizer):
        """jieba.posseg with one segmentation rule and its unknown-word step memoised.

        The rule. posseg's route through the dictionary leaves runs of single characters,
        and an HMM then regroups each run into words. When the HMM rebuilds a word that the
        dictionary lists, the route had that word on offer and found the single characters
        likelier: the dictionary's evidence beats the HMM's guess, so the word goes back to
        the route's characters. Without the rule, 目标上有新作为 (route 目标/上/有/新/作为)
        comes out 目标/上有/新/作为, because jieba's dictionary lists 上有 at its floor count
        and the HMM joins 上 and 有; likewise 在工作上有新突破. Words the dictionary does not
        list (著力 written with 著, names) are the HMM's to find and stay as it made them.

        The memo. posseg spends most of its time in the HMM that tags runs of characters
        the dictionary does not cover (``__cut_detail``), a pure function of the run.
        Speeches repeat such runs (set phrases, names, slogans), so each distinct run is
        tagged once per process.
        """

        _MEMO_SIZE = 200_000

        def __init__(self, tokenizer):
            self.tokenizer = tokenizer
            self.word_tag_tab = dict(_jieba_word_tags())  # posseg adds the user words' tags
            self._detail_memo: dict[str, list] = {}

        def _POSTokenizer__cut_detail(self, sentence):  # overrides the name-mangled method
            found = self._detail_memo.get(sentence)
            if found is None:
                found = self._dictionary_first(
                    jieba.posseg.POSTokenizer._POSTokenizer__cut_detail(self, sentence))
                if len(self._detail_memo) >= self._MEMO_SIZE:
                    self._detail_memo.clear()
                self._detail_memo[sentence] = found
            return iter(found)

        def _dictionary_first(self, pairs) -> list:
            freq, tags = self.tokenizer.FREQ, self.word_tag_tab
            out = []
            for p in pairs:
                # Only runs of route singles reach the HMM, so a listed word here is one
                # the route turned down.
                if len(p.word) > 1 and freq.get(p.word):
                    out.extend(jieba.posseg.pair(ch, tags.get(ch, "x")) for ch in p.word)
                else:
                    out.append(p)
            return out

    return MemoPOSTokenizer


# ---------------------------------------------------------------- tokenizers


def _new_jieba():
    """A fresh ``jieba.Tokenizer`` with jieba's dictionary alone."""
    import jieba

    jieba.setLogLevel(logging.WARNING)  # its "Building prefix dict…" lines are noise in notebooks
    tk = jieba.Tokenizer()
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    tk.tmp_dir = str(CACHE_DIR)  # jieba's prefix-dict cache goes here, not /tmp
    tk.initialize()
    return tk


def _build(user_dict: bool, rules: bool):
    tk = _new_jieba()
    if rules:
        # Read from this tokenizer before it changes (a second jieba start costs a second).
        for word in _floor_phrase_list(tk):
            tk.FREQ[word] = 0  # no longer a route through the DAG; its prefixes stay
    if user_dict:
        # load_userdict would take "word freq pos" lines too, but it chokes on comments.
        for word, freq, pos in user_dictionary().itertuples(index=False):
            tk.add_word(word, freq, pos)
        # Every term of an alias group is one word (计划生育协会 would be cut 计划生育 + 协会,
        # and its count would be lost to the group): a term jieba does not know gets the
        # frequency that keeps it whole.
        for word in alias_words():
            if word not in tk.FREQ or not tk.FREQ[word]:
                tk.add_word(word, tk.suggest_freq(word, tune=False), "nz")
    return tk


@functools.lru_cache(maxsize=2)
def _tokenizers_for(fingerprint: str):
    tk = _build(user_dict=True, rules=True)
    return tk, _memo_pos_tokenizer_class()(tk)


@functools.lru_cache(maxsize=4)
def _variant_for(fingerprint: str, user_dict: bool, rules: bool):
    return _build(user_dict, rules)


def jieba_tokenizer(user_dict: bool = True, rules: bool = True):
    """A ``jieba.Tokenizer`` for cuts without POS (for comparisons: :func:`tokenize` is what
    the analyses use). By default the project's: jieba's dictionary without the
    :func:`floor_phrases`, plus the user dictionary; ``user_dict=False`` leaves the user
    dictionary out, ``rules=False`` keeps jieba's dictionary whole."""
    if user_dict and rules:
        return _tokenizers()[0]
    return _variant_for(resources_fingerprint() if user_dict else "", user_dict, rules)


def pos_tokenizer(rules: bool = True):
    """The jieba.posseg tokenizer :func:`tokenize` uses (user dictionary and both rules);
    with ``rules=False``, plain ``jieba.posseg`` over jieba's dictionary and the user
    dictionary, as the project segmented before the rules."""
    if rules:
        return _tokenizers()[1]
    import jieba.posseg

    return jieba.posseg.POSTokenizer(jieba_tokenizer(user_dict=True, rules=False))


def known_words(user_dict: bool = True, rules: bool = True) -> frozenset[str]:
    """The words a :func:`jieba_tokenizer` of the same settings can produce from its
    dictionary (Simplified, as segmentation sees them): by default the project's, jieba's
    words without the :func:`floor_phrases` plus the user dictionary's."""
    return _known_words_for(resources_fingerprint() if user_dict else "", user_dict, rules)


@functools.lru_cache(maxsize=4)
def _known_words_for(fingerprint: str, user_dict: bool, rules: bool) -> frozenset[str]:
    freq = jieba_tokenizer(user_dict=user_dict, rules=rules).FREQ
    return frozenset(w for w, f in freq.items() if f)


def tokenize(text: str, simplified: str | None = None) -> pd.DataFrame:
    """Segment ``text`` (Traditional or Simplified) with POS tags.

    Returns one row per token, whitespace left out: ``token`` (original script,
    ``text[start:end]``), ``simplified``, ``term`` (the canonical term of its alias group,
    :mod:`analysis.aliases`; ``simplified`` when in none), ``start``, ``end``, ``pos``
    (jieba.posseg tag),
    ``is_stop`` (in the stopword list) and ``is_punct`` (no letter, digit or Han).

    >>> tokenize("計生協會")[["token", "simplified", "pos"]].values.tolist()
    [['計生協會', '计生协会', 'nt']]
    """
    simp = to_simplified(text) if simplified is None else simplified
    if len(simp) != len(text):
        raise ValueError("simplified text must have one character per character of text")
    _, pos_tk = _tokenizers()
    stops = stopwords()
    tokens, words, starts, ends, flags = [], [], [], [], []
    pos = 0
    for pair in pos_tk.cut(simp):
        word = pair.word
        start, pos = pos, pos + len(word)
        if word.isspace():
            continue
        tokens.append(text[start:pos])
        words.append(word)
        starts.append(start)
        ends.append(pos)
        flags.append(pair.flag)
    if pos != len(simp):  # jieba's cut covers its input exactly; if not, offsets would lie
        raise RuntimeError(f"jieba covered {pos} of {len(simp)} characters")
    # Columns built directly in their final types: this runs once per speech, millions of
    # tokens on a large corpus, where a frame of tuples plus astype costs as much as tagging.
    return pd.DataFrame({
        "token": pd.array(tokens, dtype=STRING),
        "simplified": pd.array(words, dtype=STRING),
        "term": pd.array(term_keys(words), dtype=STRING),
        "start": np.array(starts, dtype=np.int64),
        "end": np.array(ends, dtype=np.int64),
        "pos": pd.array(flags, dtype=STRING),
        "is_stop": np.array([w in stops for w in words], dtype=bool),
        "is_punct": np.array([not _WORDLIKE.search(w) for w in words], dtype=bool),
    })

