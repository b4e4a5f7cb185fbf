"""What counts as a Han character: one definition for every count in the package (the
cleaner's checks, ``n_chars``, part sizes, densities, dispersion).

Han ideographs are the CJK Unified Ideographs with Extension A and Extensions B–G (the
supplementary planes) and the CJK Compatibility Ideographs: U+3400–4DBF, U+4E00–9FFF,
U+F900–FAFF and U+20000–3134F. Punctuation, full-width letters and digits, and the
ideographic zero 〇 (U+3007, a symbol in Unicode's eyes) are not Han.
"""
from __future__ import annotations

import re

import numpy as np

HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
"""The ranges, for use inside a regex character class: ``f"[{HAN}]"``."""
HAN_RE = re.compile(f"[{HAN}]")

_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x3134F))


def han_mask(text: str) -> np.ndarray:
    """Per character of ``text``, whether it is a Han character (vectorised).

    >>> han_mask("計生a，協").tolist()
    [True, True, False, False, True]
    """
    code = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    mask = np.zeros(len(code), dtype=bool)
    for low, high in _RANGES:
        mask |= (code >= low) & (code <= high)
    return mask


def count_han(text: str) -> int:
    """The number of Han characters in ``text``.

    >>> count_han("同志們：2012年")
    4
    """
    return int(han_mask(text).sum())


def han_before(text: str) -> np.ndarray:
    """Cumulative Han counts: ``out[i]`` is the number of Han characters in ``text[:i]``
    (length ``len(text) + 1``), so the Han characters of ``text[a:b]`` are ``out[b] - out[a]``."""
    return np.concatenate([[0], np.cumsum(han_mask(text))])


SENTENCE_ENDS = "。！？!?…；;：:"
"""What ends a sentence, or the clause a colon or a semicolon closes (full or half width)."""
CLOSERS = "”’」』）)》〉】\"'"
"""Closing quotes and brackets, which may follow the end of a sentence."""


def ends_sentence(line: str) -> bool:
    """Whether ``line`` ends a sentence: its last character, closing quotes and brackets
    aside, is one of :data:`SENTENCE_ENDS`.

    >>> ends_sentence("各位代表："), ends_sentence("他說：「好。」"), ends_sentence("一、總體要求"), ends_sentence("」")
    (True, True, False, False)
    """
    core = line.strip().rstrip(CLOSERS)
    return bool(core) and core[-1] in SENTENCE_ENDS
