"""Word segmentation with jieba on the Simplified text, mapped back to the original script.

jieba's dictionary is Simplified: on Traditional text 流動人口 comes out as 流動/人/口服 and
posseg runs about a hundred times slower. So we convert with :func:`analysis.script.to_simplified`
(one character per character), segment that, and cut the original at the same offsets.
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
SEGMENTER_VERSION = "1"
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
    """jieba (a ``jieba.Tokenizer`` and its ``POSTokenizer``) with the user dictionary;
    rebuilt when the dictionary or stopwords change, so an edit is picked up even in a
    running kernel."""
    return _tokenizers_for(resources_fingerprint())


@functools.lru_cache(maxsize=1)
def _memo_pos_tokenizer_class():
    import jieba.posseg

    class MemoPOSTokenizer(jieba.posseg.POSTokenizer):
        """jieba.posseg with its unknown-word step memoised: same output, less time.

        posseg spends most of its time in the HMM that tags runs of characters the
        dictionary does not cover (``__cut_detail``), a pure function of the run. Speeches
        repeat such runs (set phrases, names, slogans), so each distinct run is tagged once
        per process.
        """

        _MEMO_SIZE = 200_000

        def __init__(self, tokenizer=None):
            super().__init__(tokenizer)
            self._detail_memo: dict[str, list] = {}

        def _POSTokenizer__cut_detail(self, sentence):  # overrides the name-mangled method
            found = self._detail_memo.get(sentence)
            if found is None:
                found = list(jieba.posseg.POSTokenizer._POSTokenizer__cut_detail(self, sentence))
                if len(self._detail_memo) >= self._MEMO_SIZE:
                    self._detail_memo.clear()
                self._detail_memo[sentence] = found
            return iter(found)

    return MemoPOSTokenizer


@functools.lru_cache(maxsize=2)
def _tokenizers_for(fingerprint: str):
    import jieba

    jieba.setLogLevel(logging.WARNING)  # its "Building prefix dict…" lines are noise in notebooks
    tk = jieba.Tokenizer()
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    tk.tmp_dir = str(CACHE_DIR)  # jieba's prefix-dict cache goes here, not /tmp
    tk.initialize()
    # load_userdict would take "word freq pos" lines too, but it chokes on comments.
    for word, freq, pos in user_dictionary().itertuples(index=False):
        tk.add_word(word, freq, pos)
    # Every term of an alias group is one word (计划生育协会 would be cut 计划生育 + 协会, and
    # its count would be lost to the group): a term jieba does not know gets the frequency
    # that keeps it whole.
    for word in alias_words():
        if word not in tk.FREQ or not tk.FREQ[word]:
            tk.add_word(word, tk.suggest_freq(word, tune=False), "nz")
    return tk, _memo_pos_tokenizer_class()(tk)


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

