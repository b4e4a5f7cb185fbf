"""Traditional/Simplified conversion that keeps one character per character, so that a span
found on the Simplified text is the same span of the original."""
from __future__ import annotations

import functools
import re

import numpy as np
import opencc
import pandas as pd

from .chars import HAN_RE, han_mask

OPENCC_VERSION = getattr(opencc, "__version__", "unknown")


@functools.cache
def _converter(config: str) -> opencc.OpenCC:
    return opencc.OpenCC(config)


@functools.lru_cache(maxsize=65536)
def _char(ch: str, config: str) -> str:
    out = _converter(config).convert(ch)
    return out if len(out) == 1 else ch


def to_simplified_char(ch: str) -> str:
    """The Simplified form of one character (itself when OpenCC would change the length)."""
    return _char(ch, "t2s")


def to_traditional_char(ch: str) -> str:
    """One Traditional form of one character (for pinyin lookups; s2t is one-to-many)."""
    return _char(ch, "s2t")


def _convert(text: str, config: str) -> str:
    conv = _converter(config)
    out = conv.convert(text)
    if len(out) == len(text):
        return out
    # A phrase rule changed the length somewhere: convert line by line, and character by
    # character only on the lines where the phrase rules would shift positions.
    lines = re.split("(\n)", text)
    fixed = []
    for line in lines:
        converted = conv.convert(line)
        if len(converted) != len(line):
            converted = "".join(_char(c, config) for c in line)
        fixed.append(converted)
    return "".join(fixed)


def to_simplified(text: str) -> str:
    """Convert to Simplified with OpenCC t2s; ``len(result) == len(text)``, position for position.

    A text that reads as Traditional (:func:`_reads_traditional`) has Hong Kong's and
    Taiwan's variant forms made OpenCC's standard ones first (``hk2t``, then ``tw2t``: phrase
    by phrase, so Taiwan's 著力 and 隨著 become 着力 and 随着 while 著作 and 顯著 keep 著,
    and Hong Kong's 衞生 becomes 卫生), so that one word has one Simplified form whichever
    region wrote it. OpenCC's t2s alone keeps 著 and 衞: a new user's Taiwan corpus counted
    着力 15 and 著力 7 times as two words, and the seed's 著力 (a machine conversion in
    Taiwan's forms) missed the general-Chinese list's 着力. A Simplified text is converted
    with t2s alone: the variant tables would read its 显著 as Taiwan's 著 and make it 显着.

    >>> to_simplified("計生協會流動人口"), to_simplified("著力推動"), to_simplified("著作")
    ('计生协会流动人口', '着力推动', '著作')
    """
    simplified = _convert(text, "t2s")
    if _reads_traditional(text, simplified):
        simplified = _convert(_convert(_convert(text, "hk2t"), "tw2t"), "t2s")
    return simplified


def _reads_traditional(text: str, simplified: str) -> bool:
    """Whether ``text`` (``simplified``: its t2s form) reads as Traditional: t2s changes more
    than a tenth of its Han characters (:func:`_changed_han_share`; a Traditional text: the
    seed 0.37, the 1954 report 0.31; a Simplified one with Traditional characters left in it:
    the 1957 report 0.007, others a few in ten thousand: :func:`is_traditional`'s 1% is a
    looser test, and the variant step must not reach a Simplified text's 显著), or none, and
    s2t none either (著力, a name: a word searched for then takes the same form as the
    Traditional text it is looked for in). s2t reads the
    first 200 characters first: a Simplified text has a Simplified-only character (国, 们)
    among them, and s2t, with its phrase tables, converts about 4 MB/s."""
    if simplified == text:
        s2t = _converter("s2t")
        head = text[:200]
        return s2t.convert(head) == head and (len(head) == len(text) or s2t.convert(text) == text)
    return _changed_han_share(text, simplified) > 0.1


def is_traditional(text: str, simplified: str | None = None) -> bool:
    """True when converting to Simplified changes more than 1% of the Han characters.

    ``simplified``: the text's :func:`to_simplified` form when the caller has it already (a
    corpus's ``text_simplified``), so that it is not converted again. The comparison is
    position by position over the whole text, in numpy: no Python loop per character.

    >>> is_traditional("計生協會"), is_traditional("计生协会"), is_traditional("no Han")
    (True, False, False)
    """
    if simplified is None or len(simplified) != len(text):
        simplified = to_simplified(text)
    return _changed_han_share(text, simplified) > 0.01


def _changed_han_share(text: str, simplified: str) -> float:
    """The share of ``text``'s Han characters that its Simplified form ``simplified`` (of the
    same length) changes, position by position in numpy (0 for a text without Han)."""
    mask = han_mask(text)
    n_han = int(mask.sum())
    if not n_han:
        return 0.0
    changed = _code_points(text) != _code_points(simplified)
    return int((changed & mask).sum()) / n_han


def _code_points(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def surviving_simplified(text: str, context: int = 2, simplified: str | None = None) -> pd.DataFrame:
    """Simplified-only characters in a text written in Traditional characters: the trace of a
    machine conversion from a Simplified original (今后 for 今後, 并 for 並, 干部 for 幹部,
    关于/關于 for 關於), which converters leave where a character has several Traditional
    forms. Empty for a text that is not mostly Traditional (:func:`is_traditional`).

    Returns one row per character: ``char``, ``traditional`` (its Taiwan-standard form,
    OpenCC s2tw; a character OpenCC t2s would simplify, such as the variants 羣 and 爲, is
    Traditional and does not count), ``count`` and
    ``example`` (the first occurrence with ``context`` characters either side).

    >>> surviving_simplified("各縣計生協會今后要並且加強幹部隊伍").values.tolist()
    [['后', '後', 1, '會今后要並']]
    """
    columns = ["char", "traditional", "count", "example"]
    if not is_traditional(text, simplified):
        return pd.DataFrame(columns=columns)
    # Read in context as well: OpenCC's phrase tables keep 若干 and 里程 as they are in
    # Traditional text too. (Character by character where the conversion changes the length.)
    tw_text = _converter("s2tw").convert(text)
    aligned = len(tw_text) == len(text)
    simplified_form: dict[str, bool] = {}
    found: dict[str, list] = {}
    for i, ch in enumerate(text):
        if not HAN_RE.match(ch):
            continue
        tw = _char(ch, "s2tw")
        # Both readings must change it: the phrase tables alone also rewrite characters
        # that are right in Traditional (了 of 超過了解放, read as 了解 → 瞭解).
        if tw == ch or (aligned and tw_text[i] == ch):
            continue
        # A Traditional variant (爲, 衆, 羣, 裏, 麽) is normalised by s2tw too, but t2s
        # simplifies it: it is no trace of a Simplified original. Nor is a form Taiwan's or
        # Hong Kong's standard writes (台, 污, 峰: OpenCC's own standard has 臺, 汙, 峯).
        if ch not in simplified_form:
            simplified_form[ch] = _char(ch, "t2s") == ch and not _regional_form(ch)
        if not simplified_form[ch]:
            continue
        if ch not in found:
            found[ch] = [ch, tw, 0, text[max(0, i - context):i + context + 1]]
        found[ch][2] += 1
    rows = list(found.values())
    frame = pd.DataFrame(rows, columns=columns)
    return frame.sort_values(["count", "char"], ascending=[False, True], kind="stable").reset_index(drop=True)


# Forms Taiwan's standard list holds (教育部常用國字標準字體表) that every OpenCC table writes
# another way (岩 as 巖), so that no reading of OpenCC finds them regional.
_TAIWAN_STANDARD = frozenset("岩")


def _regional_form(ch: str) -> bool:
    """Whether ``ch``, which OpenCC s2t changes, is nevertheless the form Taiwan's or Hong
    Kong's standard writes: OpenCC t2tw or t2hk makes its s2t form ``ch`` again (台 in Hong
    Kong, 污 and 峰 in Taiwan), or :data:`_TAIWAN_STANDARD` lists it. Such a character in
    a Traditional text is no trace of a Simplified original: a new user's Taiwan speeches
    were said to show one for every 台, 岩 and 污."""
    if ch in _TAIWAN_STANDARD:
        return True
    traditional = _char(ch, "s2t")
    return _char(traditional, "t2tw") == ch or _char(traditional, "t2hk") == ch


@functools.lru_cache(maxsize=65536)
def taiwan_simplified(word: str) -> str:
    """A word's Simplified form read as Taiwan usage (OpenCC ``tw2s``, phrase-aware: 著力 →
    着力, 著作 stays): how a general-Chinese list spells what a Traditional text writes.
    (:func:`to_simplified` keeps one character per character and 著 as it is.)

    >>> taiwan_simplified("著力"), taiwan_simplified("著作")
    ('着力', '著作')
    """
    return taiwan_converter().convert(word)


def taiwan_converter():
    """The OpenCC ``tw2s`` converter behind :func:`taiwan_simplified` (for converting many
    words in one call)."""
    return _converter("tw2s")
