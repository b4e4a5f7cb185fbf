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
import importlib.util
import itertools
import logging
import os
import re
from importlib.metadata import version
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..common.deprecation import renamed_arguments
from ..common.warning import warn_user
from ..config import CACHE_DIR, DATA_DIR, STOPWORDS, USER_DICT
from .aliases import ALIASES, alias_map, alias_words
from .script import to_simplified

TOKEN_COLUMNS = ["token", "simplified", "term", "start", "end", "pos", "is_stop", "is_punct"]
# Token strings are Arrow-backed: a corpus of millions of tokens reads from the cache without
# creating a Python object per token, and every path (serial, parallel, cache) agrees.
STRING = pd.StringDtype("pyarrow")
TOKEN_DTYPES = {"token": STRING, "simplified": STRING, "term": STRING, "start": "int64", "end": "int64",
                "pos": STRING, "is_stop": bool, "is_punct": bool}
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
# more (see docs/segmentation.md). A phrase a researcher wants whole goes into ``userdict.txt``,
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

    Read from ``analysis/data/floor_phrases.txt``, which ``python -m analysis.segment``
    computes from jieba's dictionary (a few seconds; its first line names the jieba version
    and floor count). Should the installed jieba differ from the file's, the list is
    computed in memory instead, with a warning, and nothing is written.
    """
    return frozenset(_floor_phrase_list())


FLOOR_PHRASES_FILE = DATA_DIR / "floor_phrases.txt"
_FLOOR_PHRASES: tuple[str, ...] | None = None


def _floor_header() -> str:
    return f"# floor phrases of jieba {JIEBA_VERSION}, FLOOR_COUNT {FLOOR_COUNT} (python -m analysis.segment)"


def _floor_phrase_list(tk=None) -> tuple[str, ...]:
    """The floor phrases, from the data file or computed from ``tk`` (a fresh
    ``jieba.Tokenizer`` whose FREQ is still jieba's own; one is made when None). Kept for
    the process."""
    global _FLOOR_PHRASES
    if _FLOOR_PHRASES is not None:
        return _FLOOR_PHRASES
    lines = FLOOR_PHRASES_FILE.read_text(encoding="utf-8").splitlines() if FLOOR_PHRASES_FILE.exists() else []
    if lines and lines[0] == _floor_header():
        _FLOOR_PHRASES = tuple(lines[1:])
        return _FLOOR_PHRASES

    warn_user(f"{FLOOR_PHRASES_FILE} was not computed for jieba {JIEBA_VERSION} (FLOOR_COUNT "
              f"{FLOOR_COUNT}): computing the floor phrases in memory; run `python -m analysis.segment` "
              "to write it")
    _FLOOR_PHRASES = tuple(compute_floor_phrases(tk))
    return _FLOOR_PHRASES


def compute_floor_phrases(tk=None) -> list[str]:
    """The floor phrases computed from jieba's dictionary (see :data:`FLOOR_COUNT`), sorted."""
    tk = tk if tk is not None else _new_jieba(write_cache=False)
    return _floor_phrases(tk.FREQ, _jieba_word_tags())


def write_floor_phrases() -> Path:
    """Write ``analysis/data/floor_phrases.txt`` from the installed jieba."""
    words = compute_floor_phrases()
    FLOOR_PHRASES_FILE.write_text("\n".join([_floor_header(), *words]) + "\n", encoding="utf-8")
    return FLOOR_PHRASES_FILE


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


def jieba_dict_path() -> Path:
    """Where jieba's own dictionary (``dict.txt``: word, frequency, tag) is installed."""
    # Found without importing jieba, whose models take half a second to load.
    return Path(importlib.util.find_spec("jieba").origin).resolve().parent / "dict.txt"



def _new_jieba(write_cache: bool = True):
    """A fresh ``jieba.Tokenizer`` with jieba's dictionary alone. Its prefix-dictionary
    cache goes to the project's cache folder when ``write_cache`` and the folder can be
    written; otherwise to a temporary folder that is removed at once."""
    import tempfile

    import jieba

    jieba.setLogLevel(logging.WARNING)  # its "Building prefix dict…" lines are noise in notebooks
    tk = jieba.Tokenizer()
    folder = None
    if write_cache:
        try:
            CACHE_DIR.mkdir(parents=True, exist_ok=True)
            folder = CACHE_DIR if os.access(CACHE_DIR, os.W_OK) else None
        except OSError:
            folder = None
    if folder is None:
        with tempfile.TemporaryDirectory(prefix="speeches-jieba-") as tmp:
            tk.tmp_dir = tmp
            tk.initialize()
        return tk
    tk.tmp_dir = str(folder)  # jieba's prefix-dict cache goes here, not /tmp
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


# ---------------------------------------------------------------- the engine: jieba-rs, then posseg's HMM


class Cut(NamedTuple):
    """Several texts cut at once (:meth:`Engine.cut_words`), token by token in text order:
    ``word`` indexes ``dictionary`` (the distinct words, Arrow strings; ``space`` says which
    are whitespace), ``length`` is the word's length in characters and ``code`` its tag's
    code; ``counts`` is how many tokens each text has."""

    dictionary: pa.Array
    space: np.ndarray
    word: np.ndarray
    length: np.ndarray
    code: np.ndarray
    counts: np.ndarray


class Engine:
    """The project's segmenter: jieba-rs (rjieba) cuts with the project dictionary, words
    take the dictionary's tags, and jieba.posseg's HMM decides only the words jieba-rs's own
    HMM made up.

    Why this split. jieba.posseg spends about four fifths of its time in its POS HMM, run in
    pure Python on every stretch of single characters its dictionary route leaves. jieba-rs
    finds the same route (the same dictionary and DAG: it shares all of ``jieba.lcut``'s
    boundaries), in Rust and about ten times faster. But its HMM for unknown words is
    jieba's plain one (finalseg), which joins characters that posseg's joint HMM keeps apart
    (一是, 已站, 中有: on ``analysis/data/gold`` F1 0.814 against posseg's 0.829). So every
    word jieba-rs returns that the project dictionary does not list goes to posseg's HMM, as
    posseg's own unknown-word step would have it, rule 2 included (a word the HMM rebuilds
    that the dictionary lists goes back to its characters), and its answer replaces
    jieba-rs's. Those words are a few per hundred tokens, and each distinct one is run once
    per process. Listed words keep the dictionary's tag, as in posseg. Measured on the gold:
    F1 as the posseg pipeline or better; on the government work reports, 99.9% of its
    boundaries (see docs/segmentation.md).
    """

    def __init__(self, fingerprint: str):
        self.fingerprint = fingerprint
        self.rs = rjieba_class()()
        floor = floor_phrases()
        for word in floor:
            self.rs.add_word(word, 0, None)  # no longer a route through the DAG (as _build)
        # Word -> tag of every word the project dictionary lists with a frequency above
        # zero: jieba's (posseg's table) without the floor phrases, the user dictionary's,
        # and the alias groups' terms (tagged nz, as _build adds them).
        tags = dict(_dictionary_tags())  # a copy, then the floor phrases out: a tenth of the time of a filter
        for word in floor:
            tags.pop(word, None)
        for word, freq, pos in user_dictionary().itertuples(index=False):
            self.rs.add_word(word, None if freq is None or pd.isna(freq) else int(freq), pos)
            tags[word] = pos if pos else tags.get(word, "x")
        for word in alias_words():
            if word not in tags:
                self.rs.add_word(word, None, "nz")
                tags[word] = "nz"
        self.tags = tags
        # The words this process has met, with their tags: a corpus uses a few tens of
        # thousands of the dictionary's 350,000 words, and looking each token up in this
        # smaller table first takes half the time (the big one does not stay in the cache).
        self._seen: dict[str, int] = {}  # word -> its tag's code
        self.tag_names: list[str] = []  # the tags met, by code
        self._tag_code: dict[str, int] = {}
        self._unknown_memo: dict[str, list[tuple[str, str]]] = {}

    def cut_words(self, simplified: list[str]) -> Cut:
        """The cut of several Simplified texts at once (:class:`Cut`): each word as an index
        into a dictionary of the distinct words, with its length in characters and its POS
        tag's code (a position in :attr:`tag_names`), covering every text exactly,
        whitespace too.

        jieba-rs gives a list of Python strings; they go to Arrow in one call and are
        dictionary-encoded there, so that the tags, the lengths and whether a word is
        whitespace are worked out once per distinct word (a few thousand in a group of
        pieces), not once per token. Only the words this process has not met go through
        the dictionary and posseg's HMM (:meth:`_unknown`); a word posseg cuts in pieces
        is replaced by its pieces (:meth:`_expanded`). Against a ``dict.get`` and a ``len``
        per token into numpy, then the texts sliced again into Arrow strings and encoded,
        the token table of 8 MB of the bench corpus took 0.89-0.96 against 1.26-1.35 CPU-s."""
        lists = [self.rs.cut(text, True) for text in simplified]
        counts = np.fromiter(map(len, lists), dtype=np.int64, count=len(lists))
        flat = lists[0] if len(lists) == 1 else list(itertools.chain.from_iterable(lists))
        del lists
        encoded = pa.array(flat, pa.large_string()).dictionary_encode()  # large: no 2 GB limit
        del flat
        dictionary = encoded.dictionary
        words = dictionary.to_pylist()
        seen = self._seen
        codes = np.fromiter(map(seen.get, words, itertools.repeat(-1)), dtype=np.int32, count=len(words))
        if len(seen) > _MEMO_SIZE:
            seen.clear()
        split: dict[int, list[tuple[str, str]]] = {}
        # New words; punctuation and digits; numbers, Latin words and words jieba-rs's HMM made.
        for k in np.flatnonzero(codes < 0).tolist():
            word = words[k]
            tag = self.tags.get(word)
            if tag is None and len(word) == 1:
                tag = self.tags[word] = _plain_tag(word)  # found by the first lookup next time
            if tag is None:
                found = self._unknown(word)
                if len(found) > 1:
                    split[k] = found
                    continue
                tag = found[0][1]  # posseg keeps the word whole: its one piece is the word
            codes[k] = seen[word] = self._code(tag)
        index = encoded.indices.to_numpy(zero_copy_only=False)
        lengths = pc.utf8_length(dictionary).to_numpy(zero_copy_only=False)
        if split:
            dictionary, words, word, length, code, counts = self._expanded(dictionary, words, index, lengths,
                                                                           codes, counts, split)
        else:
            word, length, code = index, lengths[index], codes[index]
        return Cut(dictionary, np.fromiter(map(str.isspace, words), dtype=bool, count=len(words)),
                   word, length, code, counts)

    def _expanded(self, dictionary: pa.Array, words: list[str], index: np.ndarray, lengths: np.ndarray,
                  codes: np.ndarray, counts: np.ndarray, split: dict[int, list[tuple[str, str]]]) -> tuple:
        """:meth:`cut_words`'s dictionary, its words and the tokens' words, lengths, codes and
        counts per text, with every token of a word in ``split`` (dictionary position ->
        posseg's pieces) replaced by its pieces: each distinct word has one
        slot or one per piece, and the tokens take their slots in one vectorised step. A
        piece is looked up in the dictionary (a new word is added to it); its tag is the one
        posseg gave it there, which may differ from the same string's tag elsewhere."""
        n = len(words)
        slots = np.ones(n, dtype=np.int64)
        for k, found in split.items():
            slots[k] = len(found)
        first = np.cumsum(slots) - slots
        slot_word = np.repeat(np.arange(n, dtype=np.int64), slots)
        slot_length = np.repeat(lengths, slots)
        slot_code = np.repeat(codes, slots)
        pieces = [w for found in split.values() for w, _ in found]
        at = pc.index_in(pa.array(pieces, pa.large_string()), value_set=dictionary).to_numpy(zero_copy_only=False)
        added: dict[str, int] = {}
        j = 0
        for k, found in split.items():
            for m, (piece, tag) in enumerate(found):
                if np.isnan(at[j]):
                    at[j] = added.setdefault(piece, n + len(added))
                slot_word[first[k] + m] = int(at[j])
                slot_length[first[k] + m] = len(piece)
                slot_code[first[k] + m] = self._code(tag)
                j += 1
        if added:
            words = words + list(added)
            dictionary = pa.concat_arrays([dictionary, pa.array(list(added), pa.large_string())])
        per_token = slots[index]  # how many tokens each token of the cut becomes
        after = np.cumsum(per_token)
        token_slot = np.repeat(first[index], per_token) + (np.arange(int(after[-1])) -
                                                           np.repeat(after - per_token, per_token))
        bounds = np.concatenate([[0], np.cumsum(counts)])  # each text's first token in the cut
        after = np.concatenate([[0], after])
        return (dictionary, words, slot_word[token_slot], slot_length[token_slot], slot_code[token_slot],
                after[bounds[1:]] - after[bounds[:-1]])

    def _code(self, tag: str) -> int:
        code = self._tag_code.get(tag)
        if code is None:
            code = self._tag_code[tag] = len(self.tag_names)
            self.tag_names.append(tag)
        return code

    def _unknown(self, word: str) -> list[tuple[str, str]]:
        """A token of several characters the dictionary does not list, as posseg reads it
        (memoised). One jieba-rs's HMM made from Han characters goes to posseg's HMM, with
        rule 2: a word that HMM rebuilds that the dictionary lists goes back to its
        characters, each with its dictionary tag (see :func:`_memo_pos_tokenizer_class`).
        Numbers and Latin letters are cut as posseg cuts them: 3.5% is 3.5 (m) and % (x)."""
        found = self._unknown_memo.get(word)
        if found is None:
            if _HAN.search(word):
                found = []
                for w, t in posseg_cut_detail()(word):
                    if len(w) > 1 and w in self.tags:
                        found.extend((ch, self.tags.get(ch, "x")) for ch in w)
                    else:
                        found.append((w, t))
            else:
                found = [(piece, _plain_tag(piece)) for piece in _PLAIN_PIECE.findall(word)]
            if len(self._unknown_memo) >= _MEMO_SIZE:
                self._unknown_memo.clear()
            self._unknown_memo[word] = found
        return found


_MEMO_SIZE = 200_000
_HAN = re.compile("[\u4e00-\u9fd5]")


# posseg's pieces of a run without Han characters (its re_skip_detail), a mark at a time.
_PLAIN_PIECE = re.compile(r"[.0-9]+|[a-zA-Z0-9]+|.", re.S)
_NUMBER_START = frozenset(".0123456789")


def _plain_tag(piece: str) -> str:
    """posseg's tag for a piece without Han characters that its dictionary does not hold:
    m for a number, eng for Latin letters and digits, x for anything else."""
    first = piece[:1]
    return "m" if first in _NUMBER_START else "eng" if first.isascii() and first.isalnum() else "x"


class PossegHMM:
    """jieba.posseg's unknown-word step, vectorised: the same model (jieba's own tables), the
    same Viterbi recursion, the same tie-breaking, in numpy.

    Why not jieba's own: its ``viterbi`` takes about 2 ms for a run of a few characters
    (a Python ``max`` over up to 256 predecessor states for each of up to 60 states, per
    character), and a corpus has thousands of distinct unknown runs: it was nine tenths of
    a cold load. Here each character is one matrix step over the states. The results are
    jieba's exactly (``tests/text/test_segment.py`` compares both on every unknown run of the
    shared reports and of the seed): probabilities add in jieba's order, and where jieba's
    ``max`` over ``(probability, state)`` pairs breaks a tie by the larger state, the states
    are indexed from the largest down so that ``argmax`` (the first maximum) picks the same.
    """

    def __init__(self):
        tables = _posseg_tables()
        start_p, trans_p, emit_p = tables["prob_start"], tables["prob_trans"], tables["prob_emit"]
        self._char_states = tables["char_state_tab"]
        states = sorted(trans_p, reverse=True)
        self.states = states
        index = {s: i for i, s in enumerate(states)}
        n = len(states)
        self.start = np.array([start_p[s] for s in states])
        self.trans = np.full((n, n), -np.inf)
        self.follows = np.zeros((n, n), dtype=bool)  # a key of trans_P[x]: y may follow x
        for x, targets in trans_p.items():
            for y, p in targets.items():
                self.trans[index[x], index[y]] = p
                self.follows[index[x], index[y]] = True
        self.has_next = self.follows.any(axis=1)
        self.emit_tables = [emit_p[s] for s in states]
        self.index = index
        self._emit: dict[str, np.ndarray] = {}
        self._allowed: dict[str, np.ndarray] = {}
        self._min_float = -3.14e100  # jieba.posseg.viterbi's MIN_FLOAT

    def _emission(self, ch: str) -> np.ndarray:
        found = self._emit.get(ch)
        if found is None:
            found = np.array([table.get(ch, self._min_float) for table in self.emit_tables])
            self._emit[ch] = found
        return found

    def _states_of(self, ch: str) -> np.ndarray:
        found = self._allowed.get(ch)
        if found is None:
            found = np.zeros(len(self.states), dtype=bool)
            listed = self._char_states.get(ch)
            if listed is None:
                found[:] = True
            else:
                found[[self.index[s] for s in listed]] = True
            self._allowed[ch] = found
        return found

    def route(self, obs: str) -> list[tuple[str, str]]:
        """The state (B/M/E/S, tag) of each character of ``obs``, as jieba's ``viterbi``."""
        present = self._states_of(obs[0]).copy()
        values = np.full(len(self.states), -np.inf)
        values[present] = self.start[present] + self._emission(obs[0])[present]
        back = []
        for ch in obs[1:]:
            prev = np.flatnonzero(present & self.has_next)
            expect = self.follows[prev].any(axis=0)
            now = self._states_of(ch) & expect
            if not now.any():
                now = expect if expect.any() else np.ones(len(self.states), dtype=bool)
            ys = np.flatnonzero(now)
            scores = (values[prev][:, None] + self.trans[np.ix_(prev, ys)]) + self._emission(ch)[ys][None, :]
            best = scores.argmax(axis=0)
            values = np.full(len(self.states), -np.inf)
            values[ys] = scores[best, np.arange(len(ys))]
            pointer = np.full(len(self.states), -1)
            pointer[ys] = prev[best]
            back.append(pointer)
            present = now
        ys = np.flatnonzero(present)
        state = int(ys[values[ys].argmax()])
        route = [state]
        for pointer in reversed(back):
            state = int(pointer[state])
            route.append(state)
        return [self.states[i] for i in reversed(route)]

    def cut(self, run: str) -> list[tuple[str, str]]:
        """posseg's ``__cut_detail``: Han blocks through the HMM, numbers (m), Latin (eng)
        and anything else (x) as posseg splits them."""
        out = []
        for block in _RE_HAN_DETAIL.split(run):
            if not block:
                continue
            if _RE_HAN_DETAIL.fullmatch(block):
                out.extend(self._words(block))
            else:
                for piece in _RE_SKIP_DETAIL.split(block):
                    if piece:
                        tag = "m" if _RE_NUM.match(piece) else "eng" if _RE_ENG.match(piece) else "x"
                        out.append((piece, tag))
        return out

    def _words(self, sentence: str) -> list[tuple[str, str]]:
        route = self.route(sentence)
        out, begin, nexti = [], 0, 0
        for i, ch in enumerate(sentence):
            pos, tag = route[i]
            if pos == "B":
                begin = i
            elif pos == "E":
                out.append((sentence[begin:i + 1], tag))
                nexti = i + 1
            elif pos == "S":
                out.append((ch, tag))
                nexti = i + 1
        if nexti < len(sentence):
            out.append((sentence[nexti:], route[nexti][1]))
        return out


# posseg's own patterns for its unknown-word step.
_RE_HAN_DETAIL = re.compile("([\u4e00-\u9fd5]+)")
_RE_SKIP_DETAIL = re.compile(r"([\.0-9]+|[a-zA-Z0-9]+)")
_RE_NUM = re.compile(r"[\.0-9]+")
_RE_ENG = re.compile(r"[a-zA-Z0-9]+")


def _jieba_folder() -> Path:
    import importlib.util

    return Path(importlib.util.find_spec("jieba").origin).resolve().parent


@functools.lru_cache(maxsize=1)
def _posseg_tables() -> dict:
    """jieba.posseg's HMM tables (its ``char_state_tab``, ``prob_start``, ``prob_trans`` and
    ``prob_emit`` modules), loaded from their files without importing ``jieba.posseg``, whose
    import also reads the whole dictionary's tags into a table of its own (half a second)."""
    import importlib.util

    folder = _jieba_folder() / "posseg"
    out = {}
    for name in ("char_state_tab", "prob_start", "prob_trans", "prob_emit"):
        spec = importlib.util.spec_from_file_location(f"_speeches_posseg_{name}", folder / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        out[name] = module.P
    return out


@functools.lru_cache(maxsize=1)
def _dictionary_tags() -> dict[str, str]:
    """jieba's dictionary's word -> tag (``jieba/dict.txt``: word, count, tag a line), read
    with Arrow's CSV reader: what ``jieba.posseg`` builds in Python, a fifth of the time."""
    import pyarrow.csv as csv

    table = csv.read_csv(_jieba_folder() / "dict.txt",
                         read_options=csv.ReadOptions(column_names=["word", "freq", "tag"]),
                         parse_options=csv.ParseOptions(delimiter=" ", quote_char=False),
                         convert_options=csv.ConvertOptions(column_types={"word": pa.string(), "freq": pa.int64(),
                                                                          "tag": pa.string()}))
    return dict(zip(table.column("word").to_pylist(), table.column("tag").to_pylist()))


@functools.lru_cache(maxsize=1)
def posseg_cut_detail():
    """jieba.posseg's unknown-word step as a function ``run -> [(word, tag), …]``
    (:class:`PossegHMM`)."""
    return PossegHMM().cut


def rjieba_class():
    """rjieba's ``Jieba`` class, taken from its compiled module without running the package's
    ``__init__``, which builds a default ``Jieba()`` at import (0.14-0.16 s of jieba-rs's
    whole dictionary, in the process that forks the workers, while the other cores wait)
    that the engine never uses. The compiled module is registered under its own name, so
    that a later ``import rjieba`` finds it instead of loading it a second time. Where it
    cannot be loaded so (another layout of the package), the package is imported as usual."""
    import importlib.machinery
    import sys

    loaded = sys.modules.get("rjieba.rjieba")
    if loaded is None:
        try:
            spec = importlib.util.find_spec("rjieba")
            folder = Path(spec.origin).parent
            path = next(p for suffix in importlib.machinery.EXTENSION_SUFFIXES
                        for p in [folder / f"rjieba{suffix}"] if p.is_file())
            spec = importlib.util.spec_from_file_location(
                "rjieba.rjieba", path, loader=importlib.machinery.ExtensionFileLoader("rjieba.rjieba", str(path)))
            loaded = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(loaded)
            sys.modules["rjieba.rjieba"] = loaded
        except (ImportError, AttributeError, StopIteration, OSError):
            import rjieba

            return rjieba.Jieba
    return loaded.Jieba


@functools.lru_cache(maxsize=2)
def _engine_for(fingerprint: str) -> Engine:
    return Engine(fingerprint)


def engine() -> Engine:
    """The project's :class:`Engine`, built once per process and rebuilt when the user
    dictionary, stopwords or alias groups change."""
    return _engine_for(resources_fingerprint())


def engine_loaded() -> bool:
    """Whether this process holds a built :class:`Engine`."""
    return _engine_for.cache_info().currsize > 0


def release_engine() -> None:
    """Let go of the segmenter's dictionaries and models in this process (about 80 of the
    190 MB they take come back): for a process that built them only for the workers it
    forks to inherit. The next call that segments builds them again.

    No full collection after it: they hold no reference cycles, so clearing the caches
    frees them (78 MB at once); a ``gc.collect()`` then found 10 objects and 1 MB, and took
    0.08 s of the one-core stretch after a cold load's workers (release 0.06-0.07 s against
    0.12-0.16 s, 3 cold loads of 10 MB each)."""
    for cached in (_engine_for, _tokenizers_for, posseg_cut_detail, _dictionary_tags, _posseg_tables):
        cached.cache_clear()


def _byte_offsets(text: str) -> np.ndarray:
    """The UTF-8 byte offset of every character boundary of ``text`` (``len(text) + 1``)."""
    points = np.frombuffer(text.encode("utf-32-le"), dtype="<u4")
    widths = 1 + (points >= 0x80).astype(np.int64) + (points >= 0x800) + (points >= 0x10000)
    out = np.zeros(len(points) + 1, dtype=np.int64)
    np.cumsum(widths, out=out[1:])
    return out


def _slices(text: str, bounds: np.ndarray) -> pa.Array:
    """``text[bounds[i]:bounds[i + 1]]`` for each i, as one Arrow string array built on the
    text's UTF-8 bytes: no Python string per token (``large_string`` past 2 GB)."""
    offsets = _byte_offsets(text)[bounds]
    data = text.encode("utf-8")
    if len(data) < 2**31 - 1:
        return pa.StringArray.from_buffers(len(bounds) - 1, pa.py_buffer(offsets.astype(np.int32)),
                                           pa.py_buffer(data))
    return pa.LargeStringArray.from_buffers(len(bounds) - 1, pa.py_buffer(offsets), pa.py_buffer(data))


# Python's \w (a letter, digit or underscore of any script) in RE2's syntax, for is_punct.
_WORDLIKE_RE2 = r"[\p{L}\p{N}_]"
_WORDS = pa.dictionary(pa.int32(), pa.string())
_ARROW_TYPES = {"token": _WORDS, "simplified": _WORDS, "term": _WORDS, "start": pa.int64(), "end": pa.int64(),
                "pos": _WORDS, "is_stop": pa.bool_(), "is_punct": pa.bool_()}


def token_table(texts: list[str], simplified: list[str] | None = None) -> pa.Table:
    """The tokens of several texts as one Arrow table, built a column at a time rather than
    a frame per text: ``speech`` (the text's position in ``texts``, int32) and the
    :data:`TOKEN_COLUMNS`. Whitespace tokens are left out; ``start`` and ``end`` are offsets
    in each text. ``simplified`` is each text in Simplified (one character per character;
    converted when not given). The string columns are dictionary-encoded (int32 indices,
    each distinct string once), as the corpus store keeps them; ``term``, ``is_stop`` and
    ``is_punct`` are worked out once per distinct word, on the dictionary, not per token."""
    if simplified is None:
        simplified = [to_simplified(t) for t in texts]
    if not texts:
        return pa.table({"speech": pa.array([], pa.int32()),
                         **{c: pa.array([], _ARROW_TYPES[c]) for c in TOKEN_COLUMNS}})
    sizes = np.fromiter(map(len, simplified), dtype=np.int64, count=len(simplified))
    if any(len(text) != len(simp) for text, simp in zip(texts, simplified)):
        raise ValueError("simplified text must have one character per character of text")
    eng = engine()
    cut = eng.cut_words(simplified)
    first = np.concatenate([[0], np.cumsum(cut.counts)])  # each text's first token
    ends = np.cumsum(cut.length)
    covered = np.diff(np.concatenate([[0], ends])[first])
    if (covered != sizes).any():  # the cut covers its input exactly; if not, offsets would lie
        k = int(np.flatnonzero(covered != sizes)[0])
        raise RuntimeError(f"the segmenter covered {covered[k]} of {sizes[k]} characters")
    speech = np.repeat(np.arange(len(texts), dtype=np.int32), cut.counts)
    start = ends - cut.length - np.concatenate([[0], np.cumsum(sizes)[:-1]])[speech]
    keep = ~cut.space[cut.word]
    simp_col = _kept_words(cut.dictionary, cut.word[keep])
    if all(text == simp for text, simp in zip(texts, simplified)):
        token_col = simp_col
    else:
        pieces = []
        for i, text in enumerate(texts):
            a, b = first[i], first[i + 1]
            bounds = np.append(start[a:b], len(text))
            pieces.append(_slices(text, bounds).filter(keep[a:b]))
        token_col = _encoded(pieces)
    words = simp_col.dictionary
    indices = simp_col.indices
    start = start[keep]
    return pa.table({
        "speech": speech[keep],
        "token": token_col,
        "simplified": simp_col,
        "term": _terms(simp_col),
        "start": start,
        "end": start + cut.length[keep],
        "pos": _tags(cut.code[keep], eng.tag_names),
        "is_stop": pc.is_in(words, value_set=pa.array(sorted(stopwords()), pa.string())).take(indices),
        "is_punct": pc.invert(pc.match_substring_regex(words, _WORDLIKE_RE2)).take(indices),
    })


def _kept_words(dictionary: pa.Array, word: np.ndarray) -> pa.DictionaryArray:
    """The words at positions ``word`` of ``dictionary`` as a dictionary array (int32
    indices, string values) whose dictionary holds only the words used, in the order of
    ``dictionary``: a word that only a left-out token had (whitespace, a word cut in pieces)
    is not a category."""
    used = np.flatnonzero(np.bincount(word, minlength=len(dictionary)))
    remap = np.zeros(len(dictionary), dtype=np.int32)
    remap[used] = np.arange(len(used), dtype=np.int32)
    return pa.DictionaryArray.from_arrays(pa.array(remap[word], pa.int32()),
                                          dictionary.take(pa.array(used)).cast(pa.string()))


def _tags(codes: np.ndarray, names: list[str]) -> pa.DictionaryArray:
    """POS tag codes of the engine (:attr:`Engine.tag_names`: every tag the process has
    met) as a dictionary array holding only the tags used, in code-point order, so that the
    table is the same whatever the process cut before."""
    used = np.flatnonzero(np.bincount(codes, minlength=len(names)))
    order = sorted(used.tolist(), key=names.__getitem__)
    remap = np.zeros(len(names), dtype=np.int32)
    remap[order] = np.arange(len(order), dtype=np.int32)
    return pa.DictionaryArray.from_arrays(pa.array(remap[codes], pa.int32()),
                                          pa.array([names[k] for k in order], pa.string()))


def _encoded(arrays: list[pa.Array]) -> pa.DictionaryArray:
    """String arrays as one dictionary-encoded array (int32 indices, string values)."""
    joined = pa.concat_arrays(arrays) if len(arrays) > 1 else arrays[0]
    if joined.type != pa.string():
        joined = joined.cast(pa.string())
    return joined.dictionary_encode()


def _terms(simplified: pa.DictionaryArray) -> pa.DictionaryArray:
    """The canonical term of each word (:mod:`analysis.aliases`), in Arrow: the few alias
    variants among the distinct words are looked up, every other word is its own term; the
    result is dictionary-encoded too, each term once."""
    mapping = alias_map()
    words = simplified.dictionary
    if not mapping:
        return simplified
    variants = pa.array(list(mapping), pa.string())
    at = pc.index_in(words, value_set=variants)
    if at.null_count == len(at):
        return simplified
    canonical = pa.array(list(mapping.values()), pa.string())
    mapped = pc.if_else(pc.is_null(at), words, pc.take(canonical, pc.fill_null(at, 0)))
    values = pc.unique(mapped)
    remap = pc.index_in(mapped, value_set=values).to_numpy(zero_copy_only=False).astype(np.int32)
    indices = np.take(remap, simplified.indices.to_numpy(zero_copy_only=False))
    return pa.DictionaryArray.from_arrays(pa.array(indices, pa.int32()), values)


@renamed_arguments(moved=("simplified",))
def tokenize(text: str, *, simplified: str | None = None) -> pd.DataFrame:
    """Segment ``text`` (Traditional or Simplified) with POS tags (:class:`Engine`).

    Returns one row per token, whitespace left out: ``token`` (original script,
    ``text[start:end]``), ``simplified``, ``term`` (the canonical term of its alias group,
    :mod:`analysis.aliases`; ``simplified`` when in none), ``start``, ``end``, ``pos``
    (jieba's tag), ``is_stop`` (in the stopword list) and ``is_punct`` (no letter, digit or
    Han). String columns are pandas categoricals (each string stored once), as in
    :func:`analysis.corpus_tokens`.

    >>> tokenize("計生協會")[["token", "simplified", "pos"]].values.tolist()
    [['計生協會', '计生协会', 'nt']]
    """
    simp = to_simplified(text) if simplified is None else simplified
    return token_frame(token_table([text], [simp]).drop_columns(["speech"]))


def token_frame(table: pa.Table) -> pd.DataFrame:
    """An Arrow token table as the pandas frame the analyses take: string columns as
    categoricals (a code per token, each string once), integers and flags as numpy arrays,
    ``section`` and ``point`` as nullable Int64. Converted a column at a time, each Arrow
    column let go once converted, so that a corpus of tens of millions of tokens is never
    held twice over."""
    data = {}
    names = table.column_names
    for name in names:
        column = table.column(name)
        table = table.drop_columns([name])  # the last reference to the column's buffers, but ``column``
        kind = column.type.value_type if pa.types.is_dictionary(column.type) else column.type
        if pa.types.is_string(kind) or pa.types.is_large_string(kind):
            data[name] = categorical(column)
        elif name in ("section", "point"):
            data[name] = nullable_int(column)
        else:
            data[name] = column.to_numpy()
        del column
    return pd.DataFrame(data, copy=False)


def token_frame_by_column(read, names: list[str], threads: int = 2) -> pd.DataFrame:
    """:func:`token_frame` of a table read a column at a time by ``read(name)``, ``threads``
    columns at once; what Arrow's allocator kept of each column's decoding buffers is given
    back once it is converted (else it piles up to the size of the whole table, on top of
    the frame). ``read`` must allow calls from several threads at once.

    Why two threads: Parquet decoding and most of the conversion (Arrow's hashing, numpy's
    takes) release the GIL, so one column converts while the next is decoded. On the 18
    million tokens of 100 MB of speeches this took 3.8 s against 4.8 s of a process that
    reads the corpus and its tokens (medians of 5 pairs), for about 80 MB more at the peak
    (one more column in Arrow beside the frame)."""
    from concurrent.futures import ThreadPoolExecutor

    from ..common.frames import release_arrow_memory

    def column(name: str) -> pd.DataFrame:
        out = token_frame(read(name))
        release_arrow_memory()
        return out

    data = {}
    if threads > 1 and len(names) > 1:
        with ThreadPoolExecutor(min(threads, len(names))) as pool:
            for out in pool.map(column, names):
                data.update(out.items())
    else:
        for name in names:
            data.update(column(name).items())
    return pd.DataFrame(data, copy=False)


def categorical(column: pa.ChunkedArray | pa.Array) -> pd.Categorical:
    """An Arrow string column (plain or dictionary-encoded) as a pandas Categorical whose
    categories are in code-point order, so that sorting by the column sorts by its strings
    (pandas sorts a categorical by its categories' order)."""
    if isinstance(column, pa.ChunkedArray) and pa.types.is_dictionary(column.type) and column.num_chunks > 1:
        return _categorical_of_chunks(column)
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks() if column.num_chunks != 1 else column.chunk(0)
    if not pa.types.is_dictionary(column.type):
        column = column.dictionary_encode()
    dictionary = column.dictionary
    order = pc.array_sort_indices(dictionary).to_numpy()
    rank = np.empty(len(order), dtype=np.int32)
    rank[order] = np.arange(len(order), dtype=np.int32)
    categories = pd.Index(dictionary.take(pa.array(order)).to_pylist(), dtype=object)
    indices = column.indices
    if indices.null_count:
        codes = np.take(rank, indices.fill_null(0).to_numpy(zero_copy_only=False))
        codes[indices.is_null().to_numpy(zero_copy_only=False)] = -1
    else:
        codes = np.take(rank, indices.to_numpy(zero_copy_only=False)) if len(rank) else \
            np.zeros(len(indices), dtype=np.int32)
    return pd.Categorical.from_codes(codes, categories=categories, validate=False)


def _categorical_of_chunks(column: pa.ChunkedArray) -> pd.Categorical:
    """:func:`categorical` of a dictionary-encoded column in many chunks (a corpus store's
    partitions and row groups, each with its own dictionary): the categories are the union
    of the dictionaries in code-point order, and each chunk's indices are mapped into them
    and written into one array made once. Arrow's ``unify_dictionaries`` and
    ``combine_chunks`` would each make another copy of the whole column first (for 18
    million tokens, two more arrays of 72 MB per string column, and the time to fill them)."""
    value_type = column.type.value_type
    dictionaries = pa.chunked_array([c.dictionary for c in column.chunks], type=value_type)
    values = pc.unique(dictionaries)
    values = values.take(pc.array_sort_indices(values))
    # Every chunk's dictionary looked up at once (one hash table of the values, not one a chunk).
    found = pc.index_in(dictionaries, value_set=values).to_numpy(zero_copy_only=False).astype(np.int32)
    bounds = np.cumsum([0] + [len(c.dictionary) for c in column.chunks])
    codes = np.empty(len(column), dtype=np.int32)
    at = 0
    for k, chunk in enumerate(column.chunks):
        n = len(chunk)
        if not n:
            continue
        where = found[bounds[k]:bounds[k + 1]]
        indices = chunk.indices
        if indices.null_count:
            out = np.take(where, indices.fill_null(0).to_numpy(zero_copy_only=False))
            out[indices.is_null().to_numpy(zero_copy_only=False)] = -1
            codes[at:at + n] = out
        else:
            np.take(where, indices.to_numpy(zero_copy_only=False), out=codes[at:at + n])
        at += n
    return pd.Categorical.from_codes(codes, categories=pd.Index(values.to_pylist(), dtype=object), validate=False)


def nullable_int(column) -> pd.arrays.IntegerArray:
    """An Arrow integer column with nulls (an array, a chunked array or a list of arrays) as a
    pandas Int64 array, filled a chunk at a time into arrays made once (not concatenated
    first: a copy of the whole column fewer) by :func:`fill_nullable_int`."""
    chunks = column.chunks if isinstance(column, pa.ChunkedArray) else column if isinstance(column, list) \
        else [column]
    n = sum(len(chunk) for chunk in chunks)
    values = np.zeros(n, dtype=np.int64)
    mask = np.zeros(n, dtype=bool)
    at = 0
    for chunk in chunks:
        fill_nullable_int(chunk, values[at:at + len(chunk)], mask[at:at + len(chunk)])
        at += len(chunk)
    return pd.arrays.IntegerArray(values, mask)


def fill_nullable_int(column: pa.Array, values: np.ndarray, mask: np.ndarray) -> None:
    """A nullable integer array (of any width) into ``values`` and ``mask``, read from its
    buffers; a missing value's slot is 0. ``to_numpy``, ``is_null`` and ``fill_null`` each
    made a copy of their own (6-10 ms a column of 1.8 million tokens)."""
    if not pa.types.is_integer(column.type):
        raise ValueError(f"a nullable column of type {column.type}")
    n = len(column)
    if n == 0:
        return
    kind = np.dtype(column.type.to_pandas_dtype())
    values[:] = np.frombuffer(column.buffers()[1], dtype=kind, count=column.offset + n)[column.offset:]
    if column.null_count:
        mask[:] = ~bitmap_bools(column.buffers()[0], column.offset, n)
        np.putmask(values, mask, 0)


def bitmap_bools(buffer: pa.Buffer, offset: int, n: int) -> np.ndarray:
    """An Arrow bitmap (a boolean column's values or a validity buffer) as ``n`` numpy bools
    from bit ``offset``: unpacked in one numpy call, where ``to_numpy`` and ``is_null`` go
    through a copy of their own."""
    if n == 0:
        return np.zeros(0, dtype=bool)
    return np.unpackbits(np.frombuffer(buffer, dtype=np.uint8), count=offset + n, bitorder="little")[offset:].view(bool)
